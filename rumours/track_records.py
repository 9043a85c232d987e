"""Every outlet's and journalist's track record: how many of its rumours came true, and how early.

A source's rumours are those it published (Article.source) or was credited
with (Evidence.credited_source); a journalist's are those under their
byline (Article.author), when they broke the story rather than relayed it.
Only reports of the move count (rumour, confirmed and exit evidence, not
denials). A rumour that happened counts as "came true" for a reporter only
if it reported before the official news: passing on an announcement is not
a prediction. Its lead is the days from that first report to the official
news.

Until a record has history its reliability is its tier's prior, and the
two blend smoothly after:

    reliability = (came_true + PRIOR_STRENGTH · prior) / (resolved + PRIOR_STRENGTH)

A league gets a record of its own once LEAGUE_MIN_HISTORY rumours there
have resolved (an outlet can be right on one club and wrong on another);
scoring uses it where it exists.

The Ledger does the counting on plain data, so the backtest can replay it
in date order; refresh() feeds it from the database and writes TrackRecord
rows, changing only the rows whose figures changed.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .models import Article, Evidence, Rumour, Source, TrackRecord
from .scoring import SUPPORT_KINDS, TIER_PRIOR, Claim, Trust, journalist_keys

PRIOR_STRENGTH = 10
LEAGUE_MIN_HISTORY = 5

Key = tuple  # ("source", source id) or ("byline", folded name)


@dataclass(frozen=True)
class Outcome:
    """How a rumour turned out, and when that became known."""

    status: str
    settled_at: datetime.datetime | None  # the official news, or the closing; None while open
    league: str = ""

    @classmethod
    def of(cls, status, appointed_at, exited_at, status_changed_at, league) -> Outcome:
        if status == Rumour.Status.OPEN:
            return cls(status, None, league or "")
        if status == Rumour.Status.HAPPENED:
            official = [moment for moment in (appointed_at, exited_at) if moment is not None]
            return cls(status, min(official) if official else status_changed_at, league or "")
        return cls(status, status_changed_at, league or "")


def prior(tier: int) -> float:
    return TIER_PRIOR.get(tier, TIER_PRIOR[3])


def blend(came_true: int, resolved: int, tier: int) -> float:
    """Return the conversion rate pulled towards the tier's prior, the less so the more history."""
    return (came_true + PRIOR_STRENGTH * prior(tier)) / (resolved + PRIOR_STRENGTH)


@dataclass
class Tally:
    """One reporter's counts, overall or in one league."""

    name: str
    tiers: Counter = field(default_factory=Counter)
    came_true: int = 0
    did_not_happen: int = 0
    expired: int = 0
    pending: int = 0
    lead_total: float = 0.0

    @property
    def resolved(self) -> int:
        return self.came_true + self.did_not_happen + self.expired

    @property
    def tier(self) -> int:
        """The tier of the outlets it reported through most often (the better on a tie)."""
        if not self.tiers:
            return 3
        return min(self.tiers, key=lambda tier: (-self.tiers[tier], tier))

    @property
    def conversion(self) -> float | None:
        return self.came_true / self.resolved if self.resolved else None

    @property
    def lead_days(self) -> float | None:
        return self.lead_total / self.came_true if self.came_true else None

    def reliability(self, tier: int | None = None) -> float:
        return blend(self.came_true, self.resolved, tier or self.tier)


def reporters(claims: Iterable[Claim]) -> dict[Key, tuple[datetime.datetime, str, int]]:
    """Return who reported the move, with each one's first report, name and tier.

    The outlet that published, the source it credits, and the bylines of
    articles that are not relays.
    """
    found: dict[Key, tuple[datetime.datetime, str, int]] = {}

    def note(key, at, name, tier):
        if key not in found or at < found[key][0]:
            found[key] = (at, name, tier)

    for claim in claims:
        if not claim.is_support:
            continue
        note(("source", claim.outlet_id), claim.seen_at, claim.outlet_name, claim.outlet_tier)
        if claim.credited_id is not None and claim.credited_id != claim.outlet_id:
            note(
                ("source", claim.credited_id),
                claim.seen_at,
                claim.credited_name,
                claim.credited_tier or 3,
            )
        if not claim.is_relayed:
            for key, name in journalist_keys(claim.author):
                note(("byline", key), claim.seen_at, name, claim.outlet_tier)
    return found


class Ledger:
    """Counts outcomes per reporter, overall and per league."""

    def __init__(self):
        self.tallies: dict[tuple[Key, str], Tally] = {}

    def record(self, outcome: Outcome, claims: Iterable[Claim]) -> None:
        """Count one rumour's outcome for everyone who reported it."""
        for key, (first, name, tier) in reporters(claims).items():
            for league in {"", outcome.league}:
                tally = self.tallies.setdefault((key, league), Tally(name=name))
                tally.tiers[tier] += 1
                if outcome.status == Rumour.Status.OPEN:
                    tally.pending += 1
                elif outcome.status == Rumour.Status.HAPPENED:
                    if outcome.settled_at is not None and first >= outcome.settled_at:
                        continue  # Reported the announcement, predicted nothing.
                    tally.came_true += 1
                    if outcome.settled_at is not None:
                        tally.lead_total += (outcome.settled_at - first).total_seconds() / 86400
                elif outcome.status == Rumour.Status.DID_NOT_HAPPEN:
                    tally.did_not_happen += 1
                else:
                    tally.expired += 1

    def rows(self) -> Iterable[tuple[Key, str, Tally]]:
        """Yield the records worth keeping: every overall one, leagues with enough history."""
        for (key, league), tally in self.tallies.items():
            if not league or tally.resolved >= LEAGUE_MIN_HISTORY:
                yield key, league, tally

    def trust(self) -> Trust:
        """Return the records so far as scoring's Trust (what the backtest scores with)."""
        trust = Trust()
        for (kind, ident), league, tally in self.rows():
            if kind == "source":
                trust.outlets[(ident, league)] = tally.reliability()
                if not league:
                    trust.history[ident] = (tally.came_true, tally.resolved)
            elif not league and tally.resolved >= TrackRecord.RANKED_AFTER:
                trust.journalists[ident] = tally.reliability()
        return trust


# ------------------------------------------------------------------ the database


def refresh(rumour_ids: Iterable[int] | None = None, now=None) -> int:
    """Recompute the records of everyone who reported these rumours (everyone, with None).

    Returns how many TrackRecord rows were created, changed or deleted;
    a second run changes none. About six queries, whatever the size.
    """
    now = now or timezone.now()
    evidence = Evidence.objects.filter(kind__in=SUPPORT_KINDS)
    scope: set[Key] | None = None
    if rumour_ids is not None:
        involved = evidence.filter(rumour_id__in=list(rumour_ids)).claims()
        scope = {key for claims in involved.values() for key in reporters(claims)}
        if not scope:
            return 0
        source_ids = {ident for kind, ident in scope if kind == "source"}
        bylines = {ident for kind, ident in scope if kind == "byline"}
        evidence = evidence.filter(
            Q(article__source_id__in=source_ids)
            | Q(credited_source_id__in=source_ids)
            | Q(article__author__in=_authors_writing_as(bylines))
        )
    claims = evidence.claims()
    rumours = Rumour.objects.all()
    if scope is not None:
        rumours = rumours.filter(Exists(evidence.filter(rumour=OuterRef("pk"))))
    ledger = Ledger()
    outcomes = rumours.values_list(
        "pk", "status", "appointed_at", "exited_at", "status_changed_at", "club__league"
    )
    for pk, *facts in outcomes.iterator(chunk_size=2000):
        ledger.record(Outcome.of(*facts), claims.get(pk, []))
    return _write(ledger, scope, now)


def _authors_writing_as(bylines: set[str]) -> list[str]:
    """Return the author strings, as stored, that name any of these journalists."""
    if not bylines:
        return []
    authors = (
        Article.objects.filter(evidence__isnull=False)
        .exclude(author="")
        .values_list("author", flat=True)
        .distinct()
    )
    return [
        author for author in authors if any(key in bylines for key, _ in journalist_keys(author))
    ]


def _write(ledger: Ledger, scope: set[Key] | None, now) -> int:
    """Make the stored records match the ledger, within scope; return rows touched."""
    wanted: dict[tuple, dict] = {}
    source_ids = {ident for (kind, ident), _, _ in ledger.rows() if kind == "source"}
    sources = {source.pk: source for source in Source.objects.filter(pk__in=source_ids)}
    for key, league, tally in ledger.rows():
        if scope is not None and key not in scope:
            continue
        kind, ident = key
        source = sources.get(ident) if kind == "source" else None
        if kind == "source" and source is None:
            continue  # Deleted meanwhile.
        tier = source.tier if source else tally.tier
        conversion, lead_days = tally.conversion, tally.lead_days
        wanted[(source.pk if source else None, "" if source else ident, league)] = {
            "name": source.name if source else tally.name[:200],
            "tier": tier,
            "came_true": tally.came_true,
            "did_not_happen": tally.did_not_happen,
            "expired": tally.expired,
            "pending": tally.pending,
            "resolved": tally.resolved,
            "conversion": None if conversion is None else round(conversion, 4),
            "reliability": round(tally.reliability(tier), 4),
            "lead_days": None if lead_days is None else round(lead_days, 2),
        }

    stored = TrackRecord.objects.all()
    if scope is not None:
        stored = stored.filter(
            Q(source_id__in=[ident for kind, ident in scope if kind == "source"])
            | Q(source=None, byline__in=[ident for kind, ident in scope if kind == "byline"])
        )
    changed, gone = [], []
    with transaction.atomic():
        for record in stored.select_for_update():
            values = wanted.pop((record.source_id, record.byline, record.league), None)
            if values is None:
                gone.append(record.pk)
                continue
            if any(getattr(record, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(record, name, value)
                record.computed_at = now
                changed.append(record)
        fresh = [
            TrackRecord(
                source_id=source_id, byline=byline, league=league, computed_at=now, **values
            )
            for (source_id, byline, league), values in wanted.items()
        ]
        TrackRecord.objects.filter(pk__in=gone).delete()
        TrackRecord.objects.bulk_update(changed, [*_FIGURES, "computed_at"], batch_size=500)
        TrackRecord.objects.bulk_create(fresh, batch_size=500)
    return len(changed) + len(gone) + len(fresh)


_FIGURES = [
    "name",
    "tier",
    "came_true",
    "did_not_happen",
    "expired",
    "pending",
    "resolved",
    "conversion",
    "reliability",
    "lead_days",
]

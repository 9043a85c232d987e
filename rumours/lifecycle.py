"""The life of a rumour: open, then happened, did not happen or expired, and reopened by news.

Status follows the evidence (settle), moderators (resolve, reopen) and time:

- An official appointment (scoring.official_since on confirmed evidence)
  makes the rumour happen: the coach's current club becomes that club and
  its bench is no longer open; the coach's other open rumours did not
  happen (an exit from the club he left did); and, unless he is only a
  caretaker, other coaches' open rumours for that bench did not happen.
- An official exit makes the rumour happen, frees the coach if that was his
  club, and opens the club's bench.
- A firm denial, newer than any report and leaving the score under
  DENIAL_CLOSES_UNDER, closes the rumour as did not happen.
- A closed rumour reopens when a report says something new after it closed.
- An open rumour with no news for BENCHWATCH_RUMOUR_EXPIRY_DAYS expires.

Followers hear of each event through alerts: appointments and exits here,
a new rumour and thresholds crossed when a score changes.

Each event happens once: appointments and exits are claimed with a
conditional update (Rumour.appointed_at, exited_at) and status changes go
through Rumour.change_status, which refuses a change from a stale status.
Transitions are dated by the news (the official report, the day the rumour
ran out of time), not by when the code noticed, so the history and the
backtest read in news time. A moderator's decision holds against the
evidence stored before it (Rumour.moderated_at); newer evidence can move the
rumour again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from . import alerts, page_cache
from .models import (
    Club,
    Coach,
    CoachingSpell,
    Evidence,
    Rumour,
    RumourEvent,
    RumourStatusChange,
    TrackRecord,
    Vote,
)
from .scoring import (
    DEFAULT_WEIGHTS,
    Assessment,
    Claim,
    Report,
    Trust,
    Weights,
    assess,
    firm_denial_since,
    group_reports,
    is_caretaker_appointment,
    journalist_keys,
    latest_news,
    official_since,
)

CHUNK = 500
# Passes over rumours whose status another rumour's event changed after they
# were scored; events happen once, so this converges in two.
MAX_ROUNDS = 4
# A firm denial closes a rumour only if the score it leaves is this low.
DENIAL_CLOSES_UNDER = 20
# News of the other rumours up to this long after an appointment is the same
# story ("X, linked with Z, joins Y"), not a new one.
SAME_STORY_GRACE = datetime.timedelta(days=2)

SCORE_FIELDS = ["score", "buzz", "stage", "score_reasons", "scored_at"]


@dataclass
class Update:
    """What bringing rumours up to date did."""

    scored: set[int] = field(default_factory=set)
    rescored: set[int] = field(default_factory=set)  # score, buzz, stage or reasons changed
    resolved: set[int] = field(default_factory=set)  # status changed

    @property
    def changed(self) -> int:
        return len(self.rescored)


@dataclass
class _Facts:
    """One rumour's evidence, as scoring and the lifecycle read it."""

    claims: list[Claim]
    reports: list[Report]
    usable: list[Report]  # only what came after a moderator's decision

    @classmethod
    def of(cls, rumour: Rumour, claims: list[Claim], weights: Weights) -> _Facts:
        reports = group_reports(claims, weights)
        if rumour.moderated_at is None:
            return cls(claims, reports, reports)
        fresh = [claim for claim in claims if claim.recorded_at > rumour.moderated_at]
        return cls(claims, reports, group_reports(fresh, weights))


def expiry_days() -> int:
    return settings.BENCHWATCH_RUMOUR_EXPIRY_DAYS


def _day(at: datetime.datetime) -> str:
    local = timezone.localtime(at)
    return f"{local.day} {local:%b %Y}"


# ------------------------------------------------------------------ bulk update


def update(rumours, now=None, weights: Weights | None = None) -> Update:
    """Bring rumours up to date with their evidence: settle each one's status, then score it.

    Works in chunks of CHUNK rumours, each in one transaction: six queries
    to read, one to write each rumour whose figures changed, three more if
    a score is news for followers, and a few per status change (rare).
    Rumours whose status another rumour's event changed (the coach's other
    rumours) are scored again, even outside the set given. Running it twice
    at the same moment changes nothing.
    """
    now = now or timezone.now()
    weights = weights or DEFAULT_WEIGHTS
    result = Update()
    pending = list(rumours.order_by("pk").values_list("pk", flat=True))
    for _ in range(MAX_ROUNDS):
        remaining = set(pending)
        again: set[int] = set()
        for start in range(0, len(pending), CHUNK):
            chunk = pending[start : start + CHUNK]
            remaining.difference_update(chunk)
            with transaction.atomic():
                again |= _update_chunk(chunk, now, weights, result) - remaining
        if not again:
            break
        pending = sorted(again)
    return result


def _update_chunk(ids: list[int], now, weights: Weights, result: Update) -> set[int]:
    """Settle and score one chunk; return the ids of other rumours whose status changed."""
    rumours = list(Rumour.objects.filter(pk__in=ids).select_related("coach", "club"))
    scores_before = {rumour.pk: rumour.score for rumour in rumours}
    claims = Evidence.objects.filter(rumour_id__in=ids).claims()
    verdicts = Vote.objects.filter(rumour_id__in=ids).verdicts()
    trust = trust_for(claims.values())
    facts = {rumour.pk: _Facts.of(rumour, claims.get(rumour.pk, []), weights) for rumour in rumours}

    changed: set[int] = set()
    for rumour in rumours:
        changed |= settle(rumour, facts[rumour.pk], trust, now, weights)
    result.resolved |= changed
    # Another rumour's event may have moved one of these since it was read.
    moved = [rumour for rumour in rumours if rumour.pk in changed]
    if moved:
        fresh = Rumour.objects.in_bulk([rumour.pk for rumour in moved])
        for rumour in moved:
            for name in ("status", "status_changed_at", "appointed_at", "exited_at"):
                setattr(rumour, name, getattr(fresh[rumour.pk], name))

    reasons = status_reasons([rumour.pk for rumour in rumours if rumour.status != "open"])
    dirty = []
    for rumour in rumours:
        rumour_facts = facts[rumour.pk]
        rumour_verdicts = verdicts.get(rumour.pk, [])
        assessment = _assess(rumour, rumour_facts, rumour_verdicts, trust, now, weights, reasons)
        closed_because = close_if_denied(rumour, rumour_facts, assessment, trust, weights)
        if closed_because:
            changed.add(rumour.pk)
            result.resolved.add(rumour.pk)
            reasons[rumour.pk] = closed_because
            assessment = _assess(
                rumour, rumour_facts, rumour_verdicts, trust, now, weights, reasons
            )
        if _take(rumour, assessment, now):
            dirty.append(rumour)
    # One UPDATE per changed row, in the chunk's transaction: five times faster
    # than bulk_update, whose CASE per field and row costs more to build than
    # the queries cost to run.
    news = []
    for rumour in dirty:
        Rumour.objects.filter(pk=rumour.pk).update(
            **{name: getattr(rumour, name) for name in SCORE_FIELDS}
        )
        news += alerts.score_news(rumour, scores_before[rumour.pk])
    if news:
        alerts.announce_all(news)
    # Visitors' cached pages that show these rumours render again, once the
    # chunk commits: one bump for the chunk, not one per rumour.
    shown = changed | {rumour.pk for rumour in dirty}
    if shown:
        page_cache.bump(
            coaches={rumour.coach.slug for rumour in rumours if rumour.pk in shown},
            clubs={rumour.club.slug for rumour in rumours if rumour.pk in shown},
            rumours=shown - set(ids),
        )
    result.scored.update(rumour.pk for rumour in rumours)
    result.rescored.update(rumour.pk for rumour in dirty)
    return changed - set(ids)


def _assess(rumour, facts, verdicts, trust, now, weights, reasons) -> Assessment:
    return assess(
        facts.claims,
        verdicts,
        trust,
        now,
        status=rumour.status,
        status_reason=reasons.get(rumour.pk, ""),
        league=rumour.club.league,
        weights=weights,
        reports=facts.reports,
    )


def _take(rumour: Rumour, assessment: Assessment, now) -> bool:
    """Copy an assessment onto the rumour; return whether anything changed."""
    new = (assessment.score, assessment.buzz, assessment.stage, assessment.reasons)
    if (rumour.score, rumour.buzz, rumour.stage, rumour.score_reasons) == new:
        return False
    rumour.score, rumour.buzz, rumour.stage, rumour.score_reasons = new
    rumour.scored_at = now
    return True


def trust_for(claim_lists) -> Trust:
    """Load the track records the given claims' outlets and journalists need. One query."""
    sources, bylines, leagues = set(), set(), {""}
    for claims in claim_lists:
        for claim in claims:
            sources.update(i for i in (claim.outlet_id, claim.credited_id) if i is not None)
            bylines.update(key for key, _ in journalist_keys(claim.author))
            leagues.add(claim.league)
    if not sources and not bylines:
        return Trust()
    return (
        TrackRecord.objects.filter(Q(source_id__in=sources) | Q(byline__in=bylines))
        .filter(league__in=leagues)
        .as_trust()
    )


def status_reasons(rumour_ids: list[int]) -> dict[int, str]:
    """Return why each rumour has its status: the reason of its latest change. One query."""
    if not rumour_ids:
        return {}
    reasons: dict[int, str] = {}
    rows = (
        RumourStatusChange.objects.filter(rumour_id__in=rumour_ids)
        .order_by("rumour_id", "-pk")
        .values_list("rumour_id", "reason")
    )
    for rumour_id, reason in rows:
        reasons.setdefault(rumour_id, reason)
    return reasons


# ------------------------------------------------------------------ events


def settle(rumour: Rumour, facts: _Facts, trust: Trust, now, weights: Weights) -> set[int]:
    """Apply what the evidence and the calendar say; return ids of rumours whose status changed."""
    changed: set[int] = set()
    league = rumour.club.league
    events = []
    if rumour.appointed_at is None:
        at = official_since(facts.usable, "confirmed", trust, league, weights)
        if at is not None:
            events.append((at, "appointment"))
    if rumour.exited_at is None:
        at = official_since(facts.usable, "exit", trust, league, weights)
        if at is not None and (rumour.appointed_at is None or at > rumour.appointed_at):
            events.append((at, "exit"))
    for at, event in sorted(events):
        if event == "appointment":
            quotes = [claim.quote for claim in facts.claims if claim.kind == "confirmed"]
            changed |= record_appointment(rumour, at, caretaker=is_caretaker_appointment(quotes))
        else:
            changed |= record_exit(rumour, at)

    if rumour.status in (Rumour.Status.DID_NOT_HAPPEN, Rumour.Status.EXPIRED):
        news = latest_news(facts.usable)
        if news is not None and news > rumour.status_changed_at:
            if rumour.change_status(Rumour.Status.OPEN, f"new report on {_day(news)}", at=news):
                changed.add(rumour.pk)

    if rumour.status == Rumour.Status.OPEN:
        quiet_since = max(rumour.last_seen_at, rumour.moderated_at or rumour.last_seen_at)
        expires_at = quiet_since + datetime.timedelta(days=expiry_days())
        if expires_at <= now and rumour.change_status(
            Rumour.Status.EXPIRED, f"expired: no news for {expiry_days()} days", at=expires_at
        ):
            changed.add(rumour.pk)
    return changed


def close_if_denied(
    rumour: Rumour, facts: _Facts, assessment: Assessment, trust: Trust, weights: Weights
) -> str:
    """Close an open rumour as did not happen if a firm denial is the latest word and sticks.

    Returns the reason if it closed the rumour, else "".
    """
    if rumour.status != Rumour.Status.OPEN or assessment.score >= DENIAL_CLOSES_UNDER:
        return ""
    if firm_denial_since(facts.usable, trust, rumour.club.league, weights) is None:
        return ""
    denials = [report for report in facts.usable if report.side == "denial"]
    newest_denial = max(denials, key=lambda report: report.first.seen_at)
    news = latest_news(facts.usable)
    if news is not None and news >= newest_denial.first.seen_at:
        return ""
    at = newest_denial.first.seen_at
    reason = f"denied by {newest_denial.name or 'the press'} ({_day(at)})"
    if not rumour.change_status(Rumour.Status.DID_NOT_HAPPEN, reason, at=at):
        return ""
    return reason


def _moved_since(coach: Coach, at: datetime.datetime, other_than: Club) -> bool:
    """Tell whether the news or the gazetteer has the coach taking a job after `at`."""
    later = Rumour.objects.filter(coach=coach, appointed_at__gt=at).exclude(club=other_than)
    spells = CoachingSpell.objects.filter(coach=coach, started__gt=at.date()).exclude(
        club=other_than
    )
    return later.exists() or spells.exists()


def record_appointment(
    rumour: Rumour, at, *, caretaker: bool = False, reason: str = "", by=None
) -> set[int]:
    """Record that the coach was officially appointed at `at`; return ids whose status changed.

    Once per rumour (claimed through appointed_at). Backfilled old news
    does not undo a later move: the current club only changes if nothing
    newer is known.
    """
    if not Rumour.objects.filter(pk=rumour.pk, appointed_at=None).update(appointed_at=at):
        return set()
    rumour.appointed_at = at
    alerts.announce(rumour, RumourEvent.Kind.APPOINTED, at=at)
    coach, club = rumour.coach, rumour.club
    changed: set[int] = set()
    reason = reason or f"{coach} appointed by {club} ({_day(at)})"
    if rumour.change_status(Rumour.Status.HAPPENED, reason, changed_by=by, at=at):
        changed.add(rumour.pk)

    if not _moved_since(coach, at, club):
        Coach.objects.filter(pk=coach.pk).update(current_club=club)
        coach.current_club = club
        Club.objects.filter(pk=club.pk, bench_open_since__lte=at).update(bench_open_since=None)
        # Whoever sat on this bench has gone, unless he is known to have
        # started there after this news.
        Coach.objects.filter(current_club=club).exclude(pk=coach.pk).exclude(
            Exists(
                CoachingSpell.objects.filter(coach=OuterRef("pk"), club=club, started__gt=at.date())
            )
        ).update(current_club=None)

    # Rumours still open at `at` in news time: open now, or expired after it
    # (a backlog can expire a rumour before the news that settles it is read).
    still_open = Q(status=Rumour.Status.OPEN) | Q(
        status=Rumour.Status.EXPIRED, status_changed_at__gt=at
    )
    window = at + SAME_STORY_GRACE
    mine = (
        Rumour.objects.filter(still_open, coach=coach, last_seen_at__lte=window)
        .exclude(pk=rumour.pk)
        .select_related("coach", "club")
    )
    for other in mine:
        if other.kind == Rumour.Kind.EXIT:
            # He left that club for this one.
            changed |= record_exit(other, at, reason=f"{coach} left for {club} ({_day(at)})")
        elif other.change_status(
            Rumour.Status.DID_NOT_HAPPEN,
            f"{coach} went to {club} instead ({_day(at)})",
            at=max(at, other.last_seen_at),
        ):
            changed.add(other.pk)
    if not caretaker:
        rivals = (
            Rumour.objects.filter(still_open, club=club, last_seen_at__lte=window)
            .exclude(coach=coach)
            .exclude(kind=Rumour.Kind.EXIT)
        )
        for other in rivals:
            if other.change_status(
                Rumour.Status.DID_NOT_HAPPEN,
                f"{club} appointed {coach} instead ({_day(at)})",
                at=max(at, other.last_seen_at),
            ):
                changed.add(other.pk)
    return changed


def record_exit(rumour: Rumour, at, *, reason: str = "", by=None) -> set[int]:
    """Record that the coach officially left the club at `at`; return ids whose status changed.

    Once per rumour (claimed through exited_at): the coach is free if that
    was his club, and the bench is open unless someone was named since.
    """
    if not Rumour.objects.filter(pk=rumour.pk, exited_at=None).update(exited_at=at):
        return set()
    rumour.exited_at = at
    alerts.announce(rumour, RumourEvent.Kind.EXIT, at=at)
    coach, club = rumour.coach, rumour.club
    changed: set[int] = set()
    if rumour.status != Rumour.Status.HAPPENED and rumour.change_status(
        Rumour.Status.HAPPENED, reason or f"{coach} left {club} ({_day(at)})", changed_by=by, at=at
    ):
        changed.add(rumour.pk)
    named_since = Rumour.objects.filter(club=club, appointed_at__gt=at).exists()
    if not named_since:
        Coach.objects.filter(pk=coach.pk, current_club=club).update(current_club=None)
        if coach.current_club_id == club.pk:
            coach.current_club = None
        Club.objects.filter(pk=club.pk, bench_open_since=None).update(bench_open_since=at)
    return changed


# ------------------------------------------------------------------ moderators


def resolve(rumour: Rumour, status: str, reason: str, by=None, now=None) -> set[int]:
    """Set a rumour's outcome by hand, with a reason; return ids of rumours whose status changed.

    "Happened" has the consequences of an official appointment (or exit,
    for exit news): the coach moves, his other rumours close.
    """
    now = now or timezone.now()
    Rumour.objects.filter(pk=rumour.pk).update(moderated_at=now)
    rumour.moderated_at = now
    if status != Rumour.Status.HAPPENED:
        moved = rumour.change_status(status, reason, changed_by=by, at=now)
        return {rumour.pk} if moved else set()
    if rumour.kind == Rumour.Kind.EXIT:
        changed = record_exit(rumour, now, reason=reason, by=by)
    else:
        changed = record_appointment(rumour, now, reason=reason, by=by)
    if rumour.change_status(Rumour.Status.HAPPENED, reason, changed_by=by, at=now):
        changed.add(rumour.pk)
    return changed


def reopen(rumour: Rumour, reason: str, by=None, now=None) -> set[int]:
    """Reopen a resolved rumour by hand, with a reason; the evidence so far no longer closes it.

    A reopened appointment or exit can be recorded again by newer news.
    """
    now = now or timezone.now()
    Rumour.objects.filter(pk=rumour.pk).update(moderated_at=now, appointed_at=None, exited_at=None)
    rumour.moderated_at, rumour.appointed_at, rumour.exited_at = now, None, None
    moved = rumour.change_status(Rumour.Status.OPEN, reason, changed_by=by, at=now)
    return {rumour.pk} if moved else set()


def moderate(rumours, outcome: str, reason: str, by=None, now=None) -> set[int]:
    """Resolve ("happened", "did_not_happen") or reopen ("open") rumours by hand, and rescore.

    Returns the ids of every rumour whose status changed, the coach's other
    rumours included, so the caller can refresh their track records.
    """
    changed: set[int] = set()
    for rumour in rumours.select_related("coach", "club"):
        if outcome == Rumour.Status.OPEN:
            changed |= reopen(rumour, reason, by=by, now=now)
        else:
            changed |= resolve(rumour, outcome, reason, by=by, now=now)
    if changed:
        update(Rumour.objects.filter(pk__in=changed), now=now)
    return changed

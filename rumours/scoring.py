"""How much to believe a rumour: a likelihood from 0 to 100 with its reasons, and buzz beside it.

Pure functions over plain data (Claim, Verdict, Trust): nothing here reads
the database, so the same code scores a rumour live, in the `rescore`
command, and replayed at past moments in the backtest.

The likelihood is a logistic sum, in log-odds, of what the evidence says:

    logit(score) = logit(base_rate)
                   + Σ_k support_k · repeat_discount^k     (strongest report first)
                   − Σ_k denial_k  · repeat_discount^k
                   + vote_weight · (2 · fans − 1)

    support = stage_weight[stage] · trust            denial = denial_weight · trust
    trust   = reliability · (½ + ½ · confidence) · ½^(age / half_life_days)

Only independent reports are summed. A report is everything one original
reporter said: claims crediting another outlet ("according to Sky") count as
that outlet's (a little discounted, since the relay may garble it); claims
whose quote or headline repeats an earlier one (a copy, a syndicated
rewrite, a reheated story) join the earlier report; and an outlet repeating
itself stays one report, dated when it last said something new. Exact copies
never get this far: they are one Article already (Article.content_hash).

`reliability` is the origin's measured conversion rate blended with a prior
from its tier (see track_records.py), per league where there is enough
history; `fans` is a Bayesian average of the reliable share with new
accounts counting less. Buzz (how much and how fast the story spreads)
counts every article, copies included, and is kept apart: a loud rumour is
not a likely one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from functools import cached_property, lru_cache

from django.utils import timezone

from .extract.normalize import fold

# ------------------------------------------------------------------ parameters

STAGES = ("interest", "contact", "talks", "agreement", "done")
SUPPORT_KINDS = frozenset({"rumour", "confirmed", "exit"})
DENIAL = "denial"

# The share of an outlet's rumours that come true, before it has a history:
# roughly what fans' conversion-rate tables say of each tier.
TIER_PRIOR = {1: 0.70, 2: 0.55, 3: 0.40, 4: 0.25}


@dataclass(frozen=True)
class Weights:
    """Every tunable number of the formula; `backtest --set name=value` tries others."""

    base_rate: float = 0.10  # likelihood of a move nobody credible reports
    stage_interest: float = 1.2
    stage_contact: float = 1.8
    stage_talks: float = 2.4
    stage_agreement: float = 3.6
    stage_done: float = 5.0
    repeat_discount: float = 0.7  # the k-th strongest report counts 0.7^k
    relay_discount: float = 0.9  # a report known only through another outlet's credit
    half_life_days: float = 30.0
    denial_weight: float = 2.5
    stale_denial_discount: float = 0.5  # a denial older than the latest report
    vote_weight: float = 1.5  # the most the fans can move the log-odds
    vote_prior: float = 10.0  # pseudo-votes at 50%: a handful cannot swing it
    mature_account_days: float = 30.0
    new_account_weight: float = 0.1  # a vote from an account made that day
    buzz_half_life_days: float = 3.0
    buzz_scale: float = 5.0  # fresh articles that make buzz 63
    quote_similarity: float = 0.6  # Jaccard of word trigrams: a copy
    title_similarity: float = 0.75
    official_confidence: float = 0.7
    official_reliability: float = 0.35  # tiers 1-3 by their priors; a tabloid must prove itself
    firm_denial_reliability: float = 0.5  # tiers 1-2, or an outlet that has proven itself
    stale_after_days: float = 14.0  # "no news since …" appears in the reasons

    def stage_weight(self, stage: str) -> float:
        return getattr(self, f"stage_{stage}")

    def with_overrides(self, overrides: dict[str, str]) -> Weights:
        """Return a copy with some parameters replaced (values as text, from the command line)."""
        known = {item.name for item in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown parameters: {', '.join(sorted(unknown))}")
        return replace(self, **{name: float(value) for name, value in overrides.items()})


DEFAULT_WEIGHTS = Weights()

# ------------------------------------------------------------------ stage words

# What a report says has happened so far, per language, strongest first.
# Matched on folded text as word prefixes ("negoziat" → negoziati,
# negoziazione). Kept short on purpose: the extractor has already decided
# the link is a rumour; these only place it on the road to a signature.
STAGE_WORDS: dict[str, dict[str, str]] = {
    "it": {
        "agreement": "accordo|intesa|fumata bianca|ai dettagli|nero su bianco|firma|visite mediche|"
        "ha detto si|ha accettato|via libera|stretta di mano|manca solo l'ufficialita|si chiude|"
        "chiusura",
        "talks": "trattativ|colloqui|incontro|summit|vertice|negoziat|offerta|proposta|si tratta|"
        "discussion",
        "contact": "contatt|sondaggio|sondat|sondare|telefonat|chiamat|approcci",
    },
    "en": {
        "agreement": "agreement|agreed|agree terms|terms agreed|deal in place|verbal|here we go|"
        "handshake|set to sign|finalis|finaliz|medical|accepted|deal done|close to a deal|"
        "closing in",
        "talks": "talks|negotiat|meeting|met with|discussions|interview|offer|proposal|advanced",
        "contact": "contact|approach|sounded out|sounding out|enquir|inquir|phone call|reached out",
    },
    "es": {
        "agreement": "acuerdo|pacto|cerrado|firmar|firmara|ha aceptado|dado el si|visto bueno|"
        "luz verde|reconocimiento medico|todo hecho",
        "talks": "negociaci|negocia|conversaciones|reunion|se reunio|charla|entrevista|oferta|"
        "propuesta",
        "contact": "contacto|sondeo|sondead|llamada|tanteo|interes formal",
    },
}
# A stage word right after these is a stage that has not been reached
# ("no talks yet", "nessuna trattativa", "sin acuerdo").
NEGATIONS = frozenset(
    "no not never without non nessun nessuna nessuno niente mai senza sin ningun ninguna nunca "
    "nor neither".split()
)
# An appointment with these is a stopgap: the club may still hire someone else.
CARETAKER_WORDS = (
    "interim|caretaker|temporary|temporar|ad interim|traghettator|interino|provisional|transitori|"
    "until the end of the season"
)


def _patterns(words: str) -> re.Pattern:
    """Compile "a|b c|d" into one pattern matching any of them as folded word prefixes."""
    listed = sorted(words.split("|"), key=len, reverse=True)
    alternatives = "|".join(re.escape(fold(word)) for word in listed)
    return re.compile(rf"(?<!\w)(?:{alternatives})")


_STAGE_PATTERNS = {
    language: {stage: _patterns(words) for stage, words in stages.items()}
    for language, stages in STAGE_WORDS.items()
}
_CARETAKER = _patterns(CARETAKER_WORDS)
_WORD = re.compile(r"[\w']+")


def _negated(folded: str, start: int) -> bool:
    before = _WORD.findall(folded[max(0, start - 40) : start])[-3:]
    return any(word in NEGATIONS or word.endswith("n't") for word in before)


@lru_cache(maxsize=16384)
def stage_of(kind: str, quote: str, language: str = "") -> str | None:
    """Return the stage a piece of evidence reports: interest, contact, talks, agreement or done.

    Confirmed and exit news is done; a rumour is placed by its wording
    (in its language, or in all three when the language is another) and
    stops at agreement, since the extractor did not read it as done;
    a denial has no stage.
    """
    if kind == DENIAL:
        return None
    if kind in ("confirmed", "exit"):
        return "done"
    folded = fold(quote or "")
    languages = [language] if language in _STAGE_PATTERNS else list(_STAGE_PATTERNS)
    for stage in ("agreement", "talks", "contact"):
        for lang in languages:
            for match in _STAGE_PATTERNS[lang][stage].finditer(folded):
                if not _negated(folded, match.start()):
                    return stage
    return "interest"


def is_caretaker_appointment(quotes: Iterable[str]) -> bool:
    """Tell whether an appointment is a stopgap (interim, caretaker, traghettatore)."""
    return any(_CARETAKER.search(fold(quote or "")) for quote in quotes)


@lru_cache(maxsize=4096)
def journalist_keys(author: str) -> tuple[tuple[str, str], ...]:
    """Return (key, display name) for each journalist a byline names.

    "By Jane Roe and John Doe" is two journalists; desk credits
    ("Redazione", "Staff", "Agencies") are none.
    """
    names = []
    text = re.sub(r"^\s*(by|di|de|por|a cura di)\s+", "", author or "", flags=re.IGNORECASE)
    for part in re.split(r"\s*(?:,|&|;|/|\band\b|\be\b|\by\b)\s*", text):
        name = part.strip(" .-|")
        key = fold(name)
        if not (3 <= len(key) <= 80) or len(key.split()) > 4:
            continue
        if any(word in key for word in _DESK_WORDS) or any(c.isdigit() for c in key):
            continue
        names.append((key, name))
    return tuple(names)


_DESK_WORDS = ("redazione", "staff", "agenc", "reporter", "newsroom", "redaccion", "desk", "ansa")

# ------------------------------------------------------------------ the data


@dataclass(frozen=True)
class Claim:
    """One article's evidence on a rumour, as scoring and track records read it."""

    evidence_id: int
    article_id: int
    outlet_id: int
    outlet_tier: int
    kind: str
    quote: str
    confidence: float
    seen_at: datetime  # the article's date, or when it was read
    recorded_at: datetime  # when the evidence was stored
    outlet_name: str = ""
    language: str = ""
    title: str = ""
    author: str = ""
    credited_id: int | None = None
    credited_tier: int | None = None
    credited_name: str = ""
    league: str = ""

    @property
    def is_support(self) -> bool:
        return self.kind in SUPPORT_KINDS

    @property
    def is_relayed(self) -> bool:
        """Whether the article passes on another outlet's or reporter's news."""
        if self.credited_id is not None:
            return self.credited_id != self.outlet_id
        return bool(self.credited_name)

    @property
    def origin(self) -> tuple:
        """Who broke the news: the credited source, else the publishing outlet."""
        if self.credited_id is not None:
            return ("source", self.credited_id)
        if self.credited_name:
            return ("credit", fold(self.credited_name))
        return ("source", self.outlet_id)

    @property
    def origin_tier(self) -> int:
        if self.credited_id is not None:
            return self.credited_tier or 3
        return 3 if self.credited_name else self.outlet_tier

    @property
    def origin_name(self) -> str:
        return self.credited_name if self.is_relayed else self.outlet_name

    @cached_property
    def stage(self) -> str | None:
        return stage_of(self.kind, self.quote, self.language)

    @cached_property
    def quote_shingles(self) -> frozenset:
        return _shingles(self.quote)

    @cached_property
    def title_shingles(self) -> frozenset:
        return _shingles(self.title)


@dataclass(frozen=True)
class Verdict:
    """One fan's vote, with how old the account was when it was cast."""

    reliable: bool
    account_age_days: float
    cast_at: datetime


@dataclass
class Trust:
    """Reliability (0-1) of outlets and journalists, measured or from the tier prior."""

    outlets: dict[tuple[int, str], float] = field(default_factory=dict)  # (source, league)
    journalists: dict[str, float] = field(default_factory=dict)  # proven bylines only
    history: dict[int, tuple[int, int]] = field(default_factory=dict)  # source: (true, resolved)

    def outlet(self, source_id: int | None, tier: int, league: str = "") -> float:
        """Return a source's reliability in a league, else overall, else its tier's prior."""
        for key in ((source_id, league), (source_id, "")):
            value = self.outlets.get(key)
            if value is not None:
                return value
        return TIER_PRIOR.get(tier, TIER_PRIOR[3])


@lru_cache(maxsize=16384)
def _shingles(text: str) -> frozenset:
    words = _WORD.findall(fold(text or ""))
    if len(words) < 4:
        return frozenset()  # Too short to tell a copy from a coincidence.
    return frozenset(zip(words, words[1:], words[2:], strict=False))


def _jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def is_copy(claim: Claim, earlier: Claim, weights: Weights = DEFAULT_WEIGHTS) -> bool:
    """Tell whether claim repeats an earlier one: same quote or same headline, near enough."""
    if claim.article_id == earlier.article_id:
        return True
    return (
        _jaccard(claim.quote_shingles, earlier.quote_shingles) >= weights.quote_similarity
        or _jaccard(claim.title_shingles, earlier.title_shingles) >= weights.title_similarity
    )


# ------------------------------------------------------------------ reports


@dataclass
class Report:
    """What one original reporter said about a rumour: its claims, copies and relays."""

    side: str  # "support" or "denial"
    origin: tuple
    claims: list[Claim] = field(default_factory=list)
    # Claims with a quote or headline not seen in this report yet: enough to
    # recognise further copies without comparing against every claim.
    distinct: list[Claim] = field(default_factory=list)

    @property
    def first(self) -> Claim:
        return self.claims[0]

    @property
    def source_id(self) -> int | None:
        return self.origin[1] if self.origin[0] == "source" else None

    @property
    def tier(self) -> int:
        return self.first.origin_tier

    @property
    def name(self) -> str:
        return self.first.origin_name

    @property
    def is_direct(self) -> bool:
        """Whether the origin published this itself (not only relayed by others)."""
        return any(claim.origin == ("source", claim.outlet_id) for claim in self.claims)

    @property
    def stage(self) -> str | None:
        stages = [claim.stage for claim in self.claims if claim.stage]
        return max(stages, key=STAGES.index) if stages else None

    @property
    def confidence(self) -> float:
        return max(claim.confidence for claim in self.claims)

    @property
    def news_at(self) -> datetime:
        """When this reporter last said something new: its first claim at its furthest stage.

        A reheated story, or the same story from the same outlet again, does
        not make the report fresh.
        """
        stage = self.stage
        return min(claim.seen_at for claim in self.claims if claim.stage == stage)

    def add(self, claim: Claim, weights: Weights) -> None:
        self.claims.append(claim)
        if not any(is_copy(claim, seen, weights) for seen in self.distinct):
            self.distinct.append(claim)


def group_reports(claims: Iterable[Claim], weights: Weights = DEFAULT_WEIGHTS) -> list[Report]:
    """Group claims into independent reports, in order of first appearance.

    A claim joins the report it copies (quote or headline), else the report
    of its origin, else starts a new one. Denials are grouped apart.
    """
    reports: list[Report] = []
    by_origin: dict[tuple, Report] = {}
    for claim in sorted(claims, key=lambda claim: (claim.seen_at, claim.evidence_id)):
        side = "denial" if claim.kind == DENIAL else "support"
        target = next(
            (
                report
                for report in reports
                if report.side == side
                and any(is_copy(claim, seen, weights) for seen in report.distinct)
            ),
            None,
        ) or by_origin.get((side, claim.origin))
        if target is None:
            target = Report(side=side, origin=claim.origin)
            reports.append(target)
            by_origin[(side, claim.origin)] = target
        target.add(claim, weights)
    return reports


def reliability(report: Report, trust: Trust, league: str, weights: Weights) -> float:
    """Return how far a report's origin has proven right, discounted if only relayed.

    A byline with a proven record of its own is averaged in.
    """
    value = trust.outlet(report.source_id, report.tier, league)
    proven = [
        trust.journalists[key]
        for claim in report.claims
        if not claim.is_relayed
        for key, _ in journalist_keys(claim.author)
        if key in trust.journalists
    ]
    if proven:
        value = (value + sum(proven) / len(proven)) / 2
    return value if report.is_direct else value * weights.relay_discount


def _decay(at: datetime, now: datetime, half_life_days: float) -> float:
    age_days = max((now - at).total_seconds() / 86400, 0.0)
    return 0.5 ** (age_days / half_life_days)


def report_trust(report: Report, trust: Trust, league: str, now: datetime, weights: Weights):
    """Return reliability · confidence factor · recency decay for one report."""
    return (
        reliability(report, trust, league, weights)
        * (0.5 + 0.5 * report.confidence)
        * _decay(report.news_at, now, weights.half_life_days)
    )


def _diminishing(strengths: Iterable[float], discount: float) -> float:
    return sum(value * discount**rank for rank, value in enumerate(sorted(strengths, reverse=True)))


def official_reliability(report: Report, trust: Trust, league: str, weights: Weights) -> float:
    """Return how far a report of official news can be trusted.

    An outlet whose rumours often fail still reports announcements right,
    so its tier's prior is a floor here; a proven tabloid can rise above it.
    """
    prior = TIER_PRIOR.get(report.tier, TIER_PRIOR[3])
    if not report.is_direct:
        prior *= weights.relay_discount
    return max(reliability(report, trust, league, weights), prior)


def official_since(
    reports: Sequence[Report],
    kind: str,
    trust: Trust,
    league: str = "",
    weights: Weights = DEFAULT_WEIGHTS,
) -> datetime | None:
    """Return when the evidence made news of `kind` (confirmed, exit) official, or None.

    Official means: one source reliable enough (tiers 1-3 by their priors,
    or a tabloid with a proven record) reporting it firmly, or two
    independent reports. A tabloid alone cannot make news official, however
    firmly it writes "officially".
    """
    seen_origins: set[tuple] = set()
    dated = sorted(
        (claim.seen_at, claim.evidence_id, claim, report)
        for report in reports
        for claim in report.claims
        if claim.kind == kind
    )
    for at, _, claim, report in dated:
        firm = claim.confidence >= weights.official_confidence
        if (
            firm
            and official_reliability(report, trust, league, weights) >= weights.official_reliability
        ):
            return at
        seen_origins.add(report.origin)
        if len(seen_origins) >= 2:
            return at
    return None


def firm_denial_since(
    reports: Sequence[Report], trust: Trust, league: str = "", weights: Weights = DEFAULT_WEIGHTS
) -> datetime | None:
    """Return when a denial became firm (a reliable source, or two independent ones), or None."""
    denials = [report for report in reports if report.side == "denial"]
    moments = []
    for report in denials:
        if (
            report.confidence >= weights.official_confidence
            and reliability(report, trust, league, weights) >= weights.firm_denial_reliability
        ):
            moments.append(report.first.seen_at)
    if len(denials) >= 2:
        moments.append(sorted(report.first.seen_at for report in denials)[1])
    return min(moments) if moments else None


def latest_news(reports: Sequence[Report]) -> datetime | None:
    """Return when any supporting report last said something new."""
    moments = [report.news_at for report in reports if report.side == "support"]
    return max(moments) if moments else None


# ------------------------------------------------------------------ fans


@dataclass(frozen=True)
class FanBelief:
    """The fans' verdict: raw counts for display, a damped share for the score."""

    votes: int
    reliable: int
    weight: float  # the votes' total weight: new accounts count for less than one
    share: float  # Bayesian average, 0.5 with no votes
    shift: float  # what it adds to the log-odds


def fan_belief(verdicts: Sequence[Verdict], weights: Weights = DEFAULT_WEIGHTS) -> FanBelief:
    """Aggregate votes so that a handful, or a crowd of brand-new accounts, cannot swing it.

    Each vote weighs from new_account_weight (an account made that day) up
    to 1 (an account mature_account_days old when it voted); the weighted
    reliable share is averaged with vote_prior pseudo-votes at 50%.
    """
    total = reliable = 0.0
    for verdict in verdicts:
        maturity = min(max(verdict.account_age_days, 0.0) / weights.mature_account_days, 1.0)
        weight = weights.new_account_weight + (1 - weights.new_account_weight) * maturity
        total += weight
        reliable += weight if verdict.reliable else 0.0
    share = (reliable + weights.vote_prior * 0.5) / (total + weights.vote_prior)
    return FanBelief(
        votes=len(verdicts),
        reliable=sum(1 for verdict in verdicts if verdict.reliable),
        weight=total,
        share=share,
        shift=weights.vote_weight * (2 * share - 1),
    )


# ------------------------------------------------------------------ the score


@dataclass(frozen=True)
class Assessment:
    """A rumour's score, buzz, furthest stage and the reasons behind the score."""

    score: int
    buzz: int
    stage: str
    reasons: list[str]
    independent: int
    articles: int
    probability: float


def buzz(claims: Sequence[Claim], now: datetime, weights: Weights = DEFAULT_WEIGHTS) -> int:
    """Return 0-100: how many articles, copies included, carried the story lately."""
    loudness = sum(_decay(claim.seen_at, now, weights.buzz_half_life_days) for claim in claims)
    return round(100 * (1 - math.exp(-loudness / weights.buzz_scale)))


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


_NUMBER_WORDS = "zero one two three four five six seven eight nine ten".split()


def _number(n: int) -> str:
    return _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else str(n)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


STAGE_REASONS = {
    "interest": "interest reported",
    "contact": "contact reported",
    "talks": "talks reported",
    "agreement": "agreement reported",
    "done": "done deal reported",
}


def assess(
    claims: Sequence[Claim],
    verdicts: Sequence[Verdict],
    trust: Trust,
    now: datetime,
    *,
    status: str = "open",
    status_reason: str = "",
    league: str = "",
    weights: Weights = DEFAULT_WEIGHTS,
    reports: Sequence[Report] | None = None,
) -> Assessment:
    """Score one rumour from its evidence, its votes and its outlets' records, with reasons.

    A rumour that happened scores 100 and one that did not scores 0; an open
    or expired one gets the formula (module docstring), kept within 1-99.
    reports, if given, must be group_reports(claims, weights).
    """
    if reports is None:
        reports = group_reports(claims, weights)
    support = [report for report in reports if report.side == "support"]
    denials = [report for report in reports if report.side == "denial"]
    newest_support = latest_news(reports)

    support_sum = _diminishing(
        (
            weights.stage_weight(report.stage or "interest")
            * report_trust(report, trust, league, now, weights)
            for report in support
        ),
        weights.repeat_discount,
    )
    denial_sum = _diminishing(
        (
            weights.denial_weight
            * report_trust(report, trust, league, now, weights)
            * (
                weights.stale_denial_discount
                if newest_support and report.first.seen_at < newest_support
                else 1.0
            )
            for report in denials
        ),
        weights.repeat_discount,
    )
    fans = fan_belief(verdicts, weights)
    probability = _sigmoid(_logit(weights.base_rate) + support_sum - denial_sum + fans.shift)

    if status == "happened":
        score = 100
    elif status == "did_not_happen":
        score = 0
    else:
        score = min(max(round(100 * probability), 1), 99)

    stages = [report.stage for report in support if report.stage]
    stage = max(stages, key=STAGES.index) if stages else ""
    reasons = _reasons(
        support, denials, fans, trust, stage, newest_support, now, status, status_reason, weights
    )
    return Assessment(
        score=score,
        buzz=buzz(claims, now, weights),
        stage=stage,
        reasons=reasons,
        independent=len(support),
        articles=len({claim.article_id for claim in claims}),
        probability=probability,
    )


def _reasons(
    support, denials, fans, trust, stage, newest_support, now, status, status_reason, weights
) -> list[str]:
    """Say in a few short phrases why the score is what it is, most telling first."""
    reasons = []
    if status in ("happened", "did_not_happen", "expired") and status_reason:
        reasons.append(status_reason)
    if support:
        articles = sum(len(report.claims) for report in support)
        top = min(report.tier for report in support)
        best = sum(1 for report in support if report.tier == top)
        if len(support) == 1:
            text = f"1 tier-{top} outlet"
        elif top <= 2:
            text = f"{len(support)} outlets incl. {_number(best)} tier-{top}"
        else:
            text = f"{len(support)} outlets, tier {top} at best"
        if articles > len(support):
            text += f" ({articles} articles)"
        reasons.append(text)
    if stage and status != "happened":
        reasons.append(STAGE_REASONS[stage])
    proven = [
        (trust.history[report.source_id], report.name)
        for report in support
        if report.source_id in trust.history and trust.history[report.source_id][1] >= 5
    ]
    if proven:
        (came_true, resolved), name = max(proven, key=lambda item: item[0][0] / item[0][1])
        reasons.append(f"{name}: {came_true} of {resolved} came true")
    if denials:
        text = f"denied by {_plural(len(denials), 'outlet')}"
        if newest_support and max(report.first.seen_at for report in denials) > newest_support:
            text += " since the latest report"
        reasons.append(text)
    if fans.votes:
        if fans.votes == 1:
            verdict = "says reliable" if fans.reliable else "says not reliable"
            reasons.append(f"1 fan {verdict}")
        else:
            share = round(100 * fans.reliable / fans.votes)
            text = f"{share}% of {fans.votes} fans say reliable"
            if fans.weight < fans.votes / 2:
                text += " (mostly new accounts)"
            reasons.append(text)
    if (
        status == "open"
        and newest_support
        and (now - newest_support).days >= weights.stale_after_days
    ):
        local = timezone.localtime(newest_support)
        reasons.append(f"no news since {local.day} {local:%b %Y}")
    return reasons

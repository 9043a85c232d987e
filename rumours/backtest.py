"""Replay the stored evidence in date order and measure how well the scores predicted outcomes.

Each resolved rumour (happened = 1; did not happen, and by default expired
= 0) is scored again at every moment new evidence on it arrived before its
outcome was known, with only what was known then: the evidence and votes
up to that moment, and track records built from the outcomes settled
before it. The figures are the Brier score (mean squared error of the
probability; 0 is perfect, and always guessing the base rate scores
rate · (1 − rate)) and calibration by decile (of the rumours scored 70-79,
how many happened). Change the weights with `backtest --set name=value` to
tune the formula on data rather than by hand.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from .models import Evidence, Rumour, Vote
from .scoring import DEFAULT_WEIGHTS, Weights, assess
from .track_records import Ledger, Outcome


@dataclass(frozen=True)
class Point:
    """One rumour's score at one moment, and how it turned out."""

    rumour_id: int
    at: datetime.datetime
    score: int
    happened: bool


@dataclass(frozen=True)
class Decile:
    low: int
    high: int
    points: int
    predicted: float  # mean score / 100
    observed: float  # share that happened


@dataclass
class Result:
    """The points replayed and what they add up to."""

    points: list[Point] = field(default_factory=list)

    @property
    def rumours(self) -> int:
        return len({point.rumour_id for point in self.points})

    @property
    def happened(self) -> int:
        return len({point.rumour_id for point in self.points if point.happened})

    @property
    def base_rate(self) -> float:
        return sum(point.happened for point in self.points) / len(self.points)

    @staticmethod
    def brier_of(points: list[Point]) -> float:
        return sum((point.score / 100 - point.happened) ** 2 for point in points) / len(points)

    @property
    def brier(self) -> float:
        return self.brier_of(self.points)

    @property
    def reference_brier(self) -> float:
        """The Brier score of always guessing the base rate: what skill is measured against."""
        return self.base_rate * (1 - self.base_rate)

    @property
    def skill(self) -> float | None:
        reference = self.reference_brier
        return 1 - self.brier / reference if reference else None

    @property
    def last_points(self) -> list[Point]:
        """Each rumour's last score before its outcome was known."""
        last: dict[int, Point] = {}
        for point in self.points:
            if point.rumour_id not in last or point.at >= last[point.rumour_id].at:
                last[point.rumour_id] = point
        return list(last.values())

    @property
    def deciles(self) -> list[Decile]:
        bins: list[list[Point]] = [[] for _ in range(10)]
        for point in self.points:
            bins[min(point.score // 10, 9)].append(point)
        return [
            Decile(
                low=10 * index,
                high=10 * index + 9 if index < 9 else 100,
                points=len(points),
                predicted=sum(point.score for point in points) / len(points) / 100,
                observed=sum(point.happened for point in points) / len(points),
            )
            for index, points in enumerate(bins)
            if points
        ]

    def as_dict(self) -> dict:
        if not self.points:
            return {"rumours": 0, "points": 0}
        skill = self.skill
        return {
            "rumours": self.rumours,
            "happened": self.happened,
            "points": len(self.points),
            "base_rate": round(self.base_rate, 4),
            "brier": round(self.brier, 4),
            "reference_brier": round(self.reference_brier, 4),
            "skill": None if skill is None else round(skill, 4),
            "brier_last_score": round(self.brier_of(self.last_points), 4),
            "deciles": [
                {
                    "scores": f"{decile.low}-{decile.high}",
                    "points": decile.points,
                    "predicted": round(decile.predicted, 4),
                    "observed": round(decile.observed, 4),
                }
                for decile in self.deciles
            ],
        }

    def lines(self) -> list[str]:
        """The report as the command prints it."""
        if not self.points:
            return ["No resolved rumour has evidence from before its outcome: nothing to test."]
        skill = self.skill
        skill_text = "n/a" if skill is None else f"{skill:.0%}"
        last = self.brier_of(self.last_points)
        lines = [
            f"{self.rumours} resolved rumours ({self.happened} happened), scored at "
            f"{len(self.points)} moments before their outcome was known",
            f"Brier score {self.brier:.3f} (always guessing the base rate {self.base_rate:.0%}: "
            f"{self.reference_brier:.3f}; skill {skill_text})",
            f"Brier score of the last score before each outcome {last:.3f}",
            "Calibration by decile:",
            "  scores   points  mean score  happened",
        ]
        for decile in self.deciles:
            lines.append(
                f"  {decile.low:>3}-{decile.high:<3} {decile.points:>8}  "
                f"{decile.predicted:>10.0%}  {decile.observed:>8.0%}"
            )
        return lines


def run(weights: Weights = DEFAULT_WEIGHTS, include_expired: bool = True) -> Result:
    """Replay every resolved rumour's evidence in date order; return the scores and outcomes.

    Reads all evidence and votes once (three queries); the replay itself
    is in memory.
    """
    claims = Evidence.objects.claims()
    verdicts = Vote.objects.verdicts()
    rows = Rumour.objects.values_list(
        "pk", "status", "appointed_at", "exited_at", "status_changed_at", "club__league"
    )
    outcomes = {pk: Outcome.of(*facts) for pk, *facts in rows}
    counted = {Rumour.Status.HAPPENED, Rumour.Status.DID_NOT_HAPPEN}
    if include_expired:
        counted.add(Rumour.Status.EXPIRED)

    # At one moment, rumours are scored before outcomes settled at that same
    # moment are known: nothing from the future leaks into a score.
    SCORE, SETTLE = 0, 1
    timeline = []
    for pk, outcome in outcomes.items():
        if outcome.settled_at is None:
            continue
        timeline.append((outcome.settled_at, SETTLE, pk))
        if outcome.status in counted:
            moments = {claim.seen_at for claim in claims.get(pk, [])}
            timeline += [(at, SCORE, pk) for at in moments if at < outcome.settled_at]
    timeline.sort()

    ledger = Ledger()
    trust = ledger.trust()
    result = Result()
    for at, step, pk in timeline:
        outcome = outcomes[pk]
        if step == SETTLE:
            ledger.record(outcome, claims.get(pk, []))
            trust = None  # Rebuilt when next needed.
            continue
        if trust is None:
            trust = ledger.trust()
        known = [claim for claim in claims[pk] if claim.seen_at <= at]
        votes = [verdict for verdict in verdicts.get(pk, []) if verdict.cast_at <= at]
        assessment = assess(known, votes, trust, at, league=outcome.league, weights=weights)
        result.points.append(
            Point(pk, at, assessment.score, outcome.status == Rumour.Status.HAPPENED)
        )
    return result

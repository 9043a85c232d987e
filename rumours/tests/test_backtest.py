"""The backtest replays stored evidence in date order; the rescore command recomputes all."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from rumours import backtest
from rumours.models import Rumour

from .factories import CoachFactory, RumourFactory, SourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_tasks")]

APPOINTED = "The club has officially appointed him head coach on a two year contract"


@pytest.fixture
def season(report):
    """Four coaching moves: each well reported before it happened, each with a tabloid decoy."""
    sky, paper, tabloid = SourceFactory(tier=1), SourceFactory(tier=2), SourceFactory(tier=4)
    for move in range(4):
        coach = CoachFactory()
        true, decoy = RumourFactory(coach=coach), RumourFactory(coach=coach)
        start = 40 - 8 * move
        report(decoy, source=tabloid, days_ago=start + 2)
        report(true, source=paper, words="talks", days_ago=start)
        report(true, source=sky, words="agreement close", days_ago=start - 3)
        report(true, source=sky, kind="confirmed", quote=APPOINTED, days_ago=start - 5)
    Rumour.objects.rescore()
    return Rumour.objects.all()


def test_every_rumour_of_the_season_is_resolved(season):
    statuses = sorted(season.values_list("status", flat=True))
    assert statuses == ["did_not_happen"] * 4 + ["happened"] * 4


def test_scores_are_replayed_only_from_before_each_outcome(season):
    result = backtest.run()
    settled = {rumour.pk: rumour.appointed_at or rumour.status_changed_at for rumour in season}
    assert result.rumours == 8 and len(result.points) == 12
    assert all(point.at < settled[point.rumour_id] for point in result.points)
    assert sum(decile.points for decile in result.deciles) == len(result.points)


def test_the_scores_beat_guessing_the_base_rate_on_a_clear_season(season):
    result = backtest.run()
    assert result.brier < result.reference_brier
    decoys = [point.score for point in result.points if not point.happened]
    moves = [point.score for point in result.points if point.happened]
    assert max(decoys) < min(moves)


def test_worse_weights_score_worse(season):
    blind = backtest.DEFAULT_WEIGHTS.with_overrides({"stage_talks": "0", "stage_agreement": "0"})
    assert backtest.run(blind).brier > backtest.run().brier


def test_the_backtest_command_prints_the_brier_score_and_calibration(season):
    out = StringIO()
    call_command("backtest", stdout=out)
    text = out.getvalue()
    assert "8 resolved rumours (4 happened)" in text
    assert "Brier score" in text and "Calibration by decile" in text


def test_the_backtest_command_speaks_json_and_takes_weights(season):
    out = StringIO()
    call_command("backtest", "--json", "--set", "half_life_days=10", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["points"] == 12 and 0 <= figures["brier"] <= 1


def test_the_backtest_command_refuses_unknown_weights():
    with pytest.raises(CommandError, match="unknown parameters: nonsense"):
        call_command("backtest", "--set", "nonsense=1")


def test_the_backtest_says_so_when_there_is_nothing_to_test():
    out = StringIO()
    call_command("backtest", stdout=out)
    assert "nothing to test" in out.getvalue()


def test_running_rescore_twice_changes_nothing_the_second_time(report):
    coach = CoachFactory()
    target, elsewhere = RumourFactory(coach=coach), RumourFactory(coach=coach)
    report(elsewhere, words="talks", days_ago=6)
    report(target, words="talks", days_ago=5)
    report(target, tier=1, kind="confirmed", quote=APPOINTED, confidence=0.9, days_ago=1)
    now = timezone.now().isoformat()
    first, second = StringIO(), StringIO()
    call_command("rescore", "--now", now, stdout=first)
    call_command("rescore", "--now", now, stdout=second)
    assert "2 statuses changed" in first.getvalue()
    assert "0 scores changed, 0 statuses changed, 0 track records changed" in second.getvalue()

"""Outlets' and journalists' track records: what came true, how early, per league, ranked."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rumours import tasks, track_records
from rumours.models import Rumour, Source, TrackRecord
from rumours.scoring import TIER_PRIOR, Claim
from rumours.track_records import Ledger, Outcome

from .factories import ClubFactory, CoachFactory, RumourFactory, SourceFactory, TrackRecordFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_tasks")]

APPOINTED = "The club has officially appointed him head coach on a two year contract"


def overall(source) -> TrackRecord:
    return TrackRecord.objects.overall().get(source=source)


def test_a_confirmed_appointment_updates_the_track_records_of_every_outlet_involved(
    report, django_capture_on_commit_callbacks
):
    coach = CoachFactory()
    target, elsewhere = RumourFactory(coach=coach), RumourFactory(coach=coach)
    right, wrong, announcer = SourceFactory(tier=2), SourceFactory(tier=3), SourceFactory(tier=1)
    report(target, source=right, words="talks", days_ago=10)
    report(elsewhere, source=wrong, words="talks", days_ago=8)
    report(target, source=announcer, kind="confirmed", quote=APPOINTED, confidence=0.95)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.rescore_rumour(target.pk)
    right_record, wrong_record = overall(right), overall(wrong)
    assert (right_record.came_true, right_record.did_not_happen) == (1, 0)
    assert right_record.lead_days == pytest.approx(9, abs=0.01)
    assert (wrong_record.came_true, wrong_record.did_not_happen) == (0, 1)
    # Passing on the announcement predicted nothing.
    assert (overall(announcer).came_true, overall(announcer).resolved) == (0, 0)


def test_the_outlet_credited_with_a_story_shares_its_record(report):
    coach = CoachFactory()
    rumour = RumourFactory(coach=coach)
    scoop, aggregator = SourceFactory(tier=1), SourceFactory(tier=3)
    report(rumour, source=aggregator, credited=scoop, words="talks", days_ago=5)
    report(rumour, tier=1, kind="confirmed", quote=APPOINTED, confidence=0.95)
    rumour.rescore()
    track_records.refresh()
    assert overall(scoop).came_true == overall(aggregator).came_true == 1


def test_journalists_get_records_from_their_bylines_but_not_from_relays(report):
    rumour = RumourFactory()
    report(rumour, tier=2, author="By Jane Roe and John Doe", days_ago=5)
    report(rumour, tier=3, author="Max Relay", credited=SourceFactory(tier=1), days_ago=4)
    rumour.change_status(Rumour.Status.DID_NOT_HAPPEN, "denied")
    track_records.refresh()
    bylines = TrackRecord.objects.filter(source=None).overall()
    assert sorted(bylines.values_list("name", "did_not_happen")) == [
        ("Jane Roe", 1),
        ("John Doe", 1),
    ]


def test_refreshing_twice_changes_nothing(report):
    rumour = RumourFactory()
    report(rumour, author="Jane Roe")
    rumour.change_status(Rumour.Status.EXPIRED, "quiet")
    assert track_records.refresh() > 0
    assert track_records.refresh() == 0


def test_refreshing_the_outlets_of_some_rumours_matches_a_full_refresh(report):
    outlet = SourceFactory(tier=2)
    first, second = RumourFactory(), RumourFactory()
    report(first, source=outlet, author="Jane Roe")
    report(second, source=outlet, author="Jane Roe")
    first.change_status(Rumour.Status.DID_NOT_HAPPEN, "no")
    second.change_status(Rumour.Status.EXPIRED, "quiet")
    track_records.refresh([first.pk])
    partial = sorted(TrackRecord.objects.values_list("name", "did_not_happen", "expired"))
    assert track_records.refresh() == 0
    assert ("Jane Roe", 1, 1) in partial


# ------------------------------------------------------------------ the ledger


def claim(outlet_id=1, tier=2, days_ago=10, **fields) -> Claim:
    at = timezone.now() - timedelta(days=days_ago)
    values = {
        "evidence_id": 1,
        "article_id": 1,
        "outlet_id": outlet_id,
        "outlet_tier": tier,
        "outlet_name": f"Outlet {outlet_id}",
        "kind": "rumour",
        "quote": "",
        "confidence": 0.8,
        "seen_at": at,
        "recorded_at": at,
    } | fields
    return Claim(**values)


def happened(league="", days_ago=0) -> Outcome:
    return Outcome("happened", timezone.now() - timedelta(days=days_ago), league)


def did_not(league="") -> Outcome:
    return Outcome("did_not_happen", timezone.now(), league)


def test_the_tiers_prior_holds_until_there_is_history():
    ledger = Ledger()
    ledger.record(Outcome("open", None), [claim(tier=3)])
    assert ledger.trust().outlet(1, 3) == TIER_PRIOR[3]
    for _ in range(10):
        ledger.record(happened(), [claim(tier=3)])
    assert ledger.trust().outlet(1, 3) == pytest.approx((10 + 10 * TIER_PRIOR[3]) / 20)


def test_a_league_gets_its_own_record_once_it_has_enough_history():
    ledger = Ledger()
    for _ in range(5):
        ledger.record(did_not("Serie A"), [claim()])
    for _ in range(4):
        ledger.record(happened("La Liga"), [claim()])
    leagues = {league for _, league, _ in ledger.rows()}
    assert leagues == {"", "Serie A"}
    trust = ledger.trust()
    assert trust.outlet(1, 2, "Serie A") < trust.outlet(1, 2, "La Liga") == trust.outlet(1, 2)


def test_denials_are_not_predictions():
    ledger = Ledger()
    ledger.record(did_not(), [claim(kind="denial")])
    assert ledger.tallies == {}


def test_the_lead_is_counted_from_each_outlets_first_report():
    ledger = Ledger()
    ledger.record(happened(days_ago=1), [claim(days_ago=11), claim(days_ago=3)])
    assert ledger.tallies[(("source", 1), "")].lead_days == pytest.approx(10)


# ------------------------------------------------------------------ pages' queries


def test_the_leaderboard_ranks_outlets_with_enough_history_by_conversion():
    good = TrackRecordFactory(came_true=8, did_not_happen=2, resolved=10, conversion=0.8)
    bad = TrackRecordFactory(came_true=1, did_not_happen=9, resolved=10, conversion=0.1)
    TrackRecordFactory(came_true=2, resolved=2, conversion=1.0)  # Too little history.
    TrackRecordFactory(byline="jane roe", source=None, name="Jane Roe", resolved=10, conversion=0.5)
    assert list(TrackRecord.objects.outlets().best()) == [good, bad]
    assert list(TrackRecord.objects.outlets().worst()) == [bad, good]
    assert [record.name for record in TrackRecord.objects.journalists().best()] == ["Jane Roe"]


def test_sources_carry_their_track_record_in_one_query():
    proven, unproven = SourceFactory(tier=2), SourceFactory(tier=4)
    TrackRecordFactory(source=proven, came_true=6, resolved=8, conversion=0.75, reliability=0.64)
    TrackRecordFactory(source=proven, league="Serie A", came_true=1, resolved=5, reliability=0.4)
    with CaptureQueriesContext(connection) as queries:
        rows = {
            source.pk: source
            for source in Source.objects.with_track_record().filter(pk__in=[proven.pk, unproven.pk])
        }
    assert len(queries) == 1
    assert (rows[proven.pk].came_true, rows[proven.pk].conversion) == (6, 0.75)
    assert rows[proven.pk].reliability == 0.64
    assert (rows[unproven.pk].resolved, rows[unproven.pk].conversion) == (0, None)
    assert rows[unproven.pk].reliability == TIER_PRIOR[4]


def test_a_sources_league_record_can_be_listed_instead():
    source = SourceFactory()
    TrackRecordFactory(source=source, league="Serie A", came_true=3, resolved=5)
    row = Source.objects.with_track_record("Serie A").get(pk=source.pk)
    assert (row.came_true, row.resolved) == (3, 5)


def test_the_coach_a_club_lost_and_the_outlets_that_saw_it_coming(report):
    club = ClubFactory()
    coach = CoachFactory(current_club=club)
    rumour = RumourFactory(coach=coach, club=club, kind=Rumour.Kind.EXIT)
    seer = SourceFactory(tier=3)
    report(rumour, source=seer, kind="exit", confidence=0.5, days_ago=6)
    report(rumour, tier=1, kind="exit", quote="He was sacked this morning", confidence=0.9)
    rumour.rescore()
    track_records.refresh()
    assert overall(seer).came_true == 1

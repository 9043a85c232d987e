"""A rumour's score: independent reports, stages, recency, denials and fans, with reasons."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rumours import tasks
from rumours.ingest import pipeline
from rumours.models import Coach, Rumour, TrackRecord, Vote
from rumours.scoring import (
    DEFAULT_WEIGHTS,
    STAGES,
    Claim,
    Trust,
    Verdict,
    fan_belief,
    group_reports,
    journalist_keys,
    official_since,
    stage_of,
)

from .factories import ArticleFactory, RumourFactory, SourceFactory, UserFactory, VoteFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_tasks")]

# Queries that announcing a chunk's news to followers costs (alerts.announce_all).
ANNOUNCING = 3


def scored(rumour: Rumour) -> Rumour:
    rumour.rescore()
    return rumour


# ------------------------------------------------------------------ orderings


def test_three_independent_tier_1_and_2_outlets_at_talks_outscore_one_tabloid_mention(report):
    carried = RumourFactory()
    for tier in (1, 2, 2):
        report(carried, tier=tier, words="talks are under way")
    mentioned = RumourFactory()
    report(mentioned, tier=4)
    assert scored(carried).score >= 50 > 20 >= scored(mentioned).score


def test_ten_copies_of_one_story_score_like_one(report):
    story = "Roma have opened talks with the coach over a two year contract"
    single = RumourFactory()
    report(single, tier=2, quote=story)
    copied = RumourFactory()
    report(copied, tier=2, quote=story)
    for copy in range(9):
        report(copied, tier=1 + copy % 4, quote=f"{story}, reports say", days_ago=0.5)
    assert scored(copied).score == scored(single).score
    assert copied.buzz > single.buzz


def test_copies_with_the_same_headline_count_once(report):
    headline = "Napoli set to appoint the former Inter coach this week"
    single = RumourFactory()
    report(single, tier=3, title=headline)
    syndicated = RumourFactory()
    for days_ago in (1, 0.9, 0.8):
        report(syndicated, tier=3, title=headline, days_ago=days_ago)
    assert scored(syndicated).score == scored(single).score


def test_an_aggregator_crediting_an_outlet_counts_as_that_outlets_report(report):
    sky = SourceFactory(tier=1)
    alone = RumourFactory()
    report(alone, source=sky, words="talks")
    relayed = RumourFactory()
    report(relayed, source=sky, words="talks")
    for _ in range(3):
        report(relayed, tier=3, credited=sky, words="talks", days_ago=0.5)
    assert scored(relayed).score == scored(alone).score


def test_a_reheated_story_from_the_same_outlet_counts_once_and_stays_old(report):
    outlet = SourceFactory(tier=2)
    once = RumourFactory()
    report(once, source=outlet, words="talks", days_ago=20)
    reheated = RumourFactory()
    report(reheated, source=outlet, words="talks", days_ago=20)
    report(reheated, source=outlet, words="talks", days_ago=1)
    assert scored(reheated).score == scored(once).score


def test_a_later_stage_from_the_same_outlet_raises_the_score(report):
    outlet = SourceFactory(tier=2)
    talks = RumourFactory()
    report(talks, source=outlet, words="talks", days_ago=3)
    agreed = RumourFactory()
    report(agreed, source=outlet, words="talks", days_ago=3)
    report(agreed, source=outlet, words="agreement reached", days_ago=1)
    assert scored(agreed).score > scored(talks).score
    assert agreed.stage == Rumour.Stage.AGREEMENT


def talked_about(report, votes=0, account_age_days=0) -> Rumour:
    """A rumour two good outlets report at talks, with some fans saying it is not reliable."""
    rumour = RumourFactory()
    report(rumour, tier=1, words="talks")
    report(rumour, tier=2, words="talks")
    joined = timezone.now() - timedelta(days=account_age_days)
    for _ in range(votes):
        VoteFactory(rumour=rumour, user=UserFactory(date_joined=joined), value="unreliable")
    return scored(rumour)


def test_twenty_fresh_accounts_voting_not_reliable_move_the_score_less_than_twenty_established(
    report,
):
    unvoted = talked_about(report).score
    fresh = talked_about(report, votes=20, account_age_days=0)
    established = talked_about(report, votes=20, account_age_days=365)
    assert established.score < fresh.score < unvoted
    assert unvoted - fresh.score < (unvoted - established.score) / 2
    assert "0% of 20 fans say reliable (mostly new accounts)" in fresh.score_reasons


def test_a_handful_of_votes_cannot_swing_the_score(report):
    rumour = RumourFactory()
    report(rumour, tier=2, words="talks")
    before = scored(rumour).score
    old = timezone.now() - timedelta(days=400)
    for _ in range(3):
        VoteFactory(rumour=rumour, user=UserFactory(date_joined=old), value=Vote.Value.UNRELIABLE)
    assert 0 < before - scored(rumour).score <= 10


def test_a_denial_lowers_the_score(report):
    rumour = RumourFactory()
    for tier in (1, 2):
        report(rumour, tier=tier, words="talks", days_ago=3)
    before = scored(rumour).score
    report(rumour, tier=2, kind="denial", confidence=0.9, days_ago=1)
    assert scored(rumour).score < before
    assert "denied by 1 outlet since the latest report" in rumour.score_reasons


def test_older_news_counts_for_less(report):
    recent, old = RumourFactory(), RumourFactory()
    report(recent, tier=1, words="talks", days_ago=1)
    report(old, tier=1, words="talks", days_ago=45)
    assert scored(old).score < scored(recent).score
    assert any(reason.startswith("no news since") for reason in old.score_reasons)


def test_a_proven_outlet_weighs_more_than_its_tier_says(report):
    proven, unproven = SourceFactory(tier=3), SourceFactory(tier=3)
    TrackRecord.objects.create(
        source=proven, name=proven.name, tier=3, came_true=18, resolved=20, reliability=0.8
    )
    by_proven, by_unproven = RumourFactory(), RumourFactory()
    report(by_proven, source=proven, words="talks")
    report(by_unproven, source=unproven, words="talks")
    assert scored(by_proven).score > scored(by_unproven).score
    assert f"{proven.name}: 18 of 20 came true" in by_proven.score_reasons


def test_an_outlets_record_in_the_rumours_league_comes_before_its_overall_one():
    trust = Trust(outlets={(7, ""): 0.6, (7, "Serie A"): 0.3})
    assert trust.outlet(7, 1, "Serie A") == 0.3
    assert trust.outlet(7, 1, "La Liga") == 0.6
    assert trust.outlet(8, 4, "Serie A") == 0.25  # No record: the tier's prior.


def test_buzz_is_kept_apart_from_likelihood(report):
    story = "The tabloid says the coach is wanted by the club this summer"
    loud = RumourFactory()
    for hours in range(12):
        report(loud, tier=4, quote=story, days_ago=hours / 24)
    quiet = RumourFactory()
    report(quiet, tier=1, words="agreement reached", days_ago=2)
    assert scored(loud).buzz > scored(quiet).buzz
    assert loud.score < quiet.score


def test_the_reasons_name_the_outlets_the_stage_and_the_fans(report):
    rumour = RumourFactory()
    for tier in (1, 2, 3):
        report(rumour, tier=tier, words="talks")
    joined = timezone.now() - timedelta(days=100)
    for value in ["reliable"] * 7 + ["unreliable"] * 2:
        VoteFactory(rumour=rumour, value=value, user=UserFactory(date_joined=joined))
    assert scored(rumour).score_reasons == [
        "3 outlets incl. one tier-1",
        "talks reported",
        "78% of 9 fans say reliable",
    ]


def test_copies_show_in_the_reasons_as_articles(report):
    rumour = RumourFactory()
    story = "Juventus are in talks with the coach over a three year contract"
    for _ in range(4):
        report(rumour, tier=1, quote=story)
    assert scored(rumour).score_reasons[0] == "1 tier-1 outlet (4 articles)"


# ------------------------------------------------------------------ stages


@pytest.mark.parametrize(
    ("kind", "quote", "language", "stage"),
    [
        ("rumour", "Talks are under way between the club and the coach", "en", "talks"),
        ("rumour", "There have been no talks yet", "en", "interest"),
        ("rumour", "The club has made contact with his agent", "en", "contact"),
        ("rumour", "An agreement in principle has been reached", "en", "agreement"),
        ("rumour", "Roma like him", "en", "interest"),
        ("rumour", "È stata avviata la trattativa con l'allenatore", "it", "talks"),
        ("rumour", "Nessuna trattativa in corso con il tecnico", "it", "interest"),
        ("rumour", "C'è l'accordo con il tecnico", "it", "agreement"),
        ("rumour", "Primi contatti tra le parti", "it", "contact"),
        ("rumour", "Hay un principio de acuerdo con el técnico", "es", "agreement"),
        ("rumour", "Se reunió con el presidente del club", "es", "talks"),
        ("rumour", "Sin negociaciones por ahora", "es", "interest"),
        ("rumour", "El club ha hecho un sondeo", "es", "contact"),
        ("rumour", "Here we go, selon la presse", "fr", "agreement"),  # Others: every list.
        ("confirmed", "Appointed until 2027", "en", "done"),
        ("exit", "Sacked this morning", "en", "done"),
        ("denial", "Talks? He says no", "en", None),
    ],
)
def test_the_stage_comes_from_the_kind_and_the_wording(kind, quote, language, stage):
    assert stage_of(kind, quote, language) == stage


def test_bylines_name_journalists_and_not_desks():
    assert [name for _, name in journalist_keys("By Jane Roe and John Doe")] == [
        "Jane Roe",
        "John Doe",
    ]
    assert journalist_keys("Redazione Calciomercato") == ()
    assert journalist_keys("") == ()


# ------------------------------------------------------------------ the pure functions


def claim(**fields) -> Claim:
    now = timezone.now()
    values = {
        "evidence_id": 1,
        "article_id": 1,
        "outlet_id": 1,
        "outlet_tier": 2,
        "kind": "rumour",
        "quote": "",
        "confidence": 0.8,
        "seen_at": now,
        "recorded_at": now,
    } | fields
    return Claim(**values)


def test_a_claim_crediting_another_outlet_belongs_to_that_outlets_report():
    reports = group_reports(
        [
            claim(evidence_id=1, article_id=1, outlet_id=1),
            claim(evidence_id=2, article_id=2, outlet_id=2, credited_id=1, credited_tier=2),
            claim(evidence_id=3, article_id=3, outlet_id=3),
        ]
    )
    assert [len(report.claims) for report in reports] == [2, 1]


def test_denials_are_reports_of_their_own():
    reports = group_reports([claim(), claim(evidence_id=2, article_id=2, kind="denial")])
    assert [report.side for report in reports] == ["support", "denial"]


def test_new_accounts_weigh_little_and_no_votes_means_no_shift():
    now = timezone.now()
    assert fan_belief([]).shift == 0
    fresh = [Verdict(False, 0, now)] * 20
    mature = [Verdict(False, 60, now)] * 20
    assert fan_belief(mature).shift < fan_belief(fresh).shift < 0


def test_weights_can_be_overridden_by_name_only():
    assert DEFAULT_WEIGHTS.with_overrides({"half_life_days": "10"}).half_life_days == 10
    with pytest.raises(ValueError, match="unknown"):
        DEFAULT_WEIGHTS.with_overrides({"nonsense": "1"})


# ------------------------------------------------------------------ storing and queueing


def test_rescoring_twice_changes_nothing(report):
    rumours = [RumourFactory() for _ in range(3)]
    for rumour in rumours:
        report(rumour, words="talks")
    now = timezone.now()
    first = Rumour.objects.filter(pk__in=[r.pk for r in rumours]).rescore(now=now)
    second = Rumour.objects.filter(pk__in=[r.pk for r in rumours]).rescore(now=now)
    assert (first.changed, second.changed, second.resolved) == (3, 0, set())


def queries_to_rescore(rumours) -> int:
    with CaptureQueriesContext(connection) as queries:
        Rumour.objects.filter(pk__in=[rumour.pk for rumour in rumours]).rescore()
    return len(queries)


def test_scoring_a_rumour_costs_the_same_queries_however_much_it_carries(report):
    light, heavy = RumourFactory(), RumourFactory()
    report(light)
    for tier in (1, 2, 3, 4) * 5:
        report(heavy, tier=tier, words="talks", author="Jane Roe")
    for _ in range(10):
        VoteFactory(rumour=heavy)
    # Both are new rumours, so each first score also costs announcing it.
    assert queries_to_rescore([light]) == queries_to_rescore([heavy]) <= 8 + ANNOUNCING


def test_rescoring_in_bulk_reads_as_much_for_three_rumours_as_for_thirty(report):
    few = [RumourFactory() for _ in range(3)]
    many = [RumourFactory() for _ in range(30)]
    for rumour in few + many:
        report(rumour)
    Rumour.objects.rescore()  # Scored: nothing left to write.
    assert queries_to_rescore(few) == queries_to_rescore(many)


def test_rescoring_writes_only_the_rumours_whose_figures_changed(report):
    rumours = [RumourFactory() for _ in range(3)]
    for rumour in rumours:
        report(rumour)
    unscored = queries_to_rescore(rumours)  # three writes, and three new rumours announced
    assert queries_to_rescore(rumours) == unscored - 3 - ANNOUNCING


def test_a_burst_of_votes_queues_one_rescore(monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(
        tasks.rescore_rumour, "apply_async", lambda args, countdown: queued.append(args)
    )
    rumour = RumourFactory()
    with django_capture_on_commit_callbacks(execute=True):
        for user in UserFactory.create_batch(5):
            rumour.record_vote(user, Vote.Value.RELIABLE)
        rumour.withdraw_vote(user)
    assert queued == [(rumour.pk,)]


def test_a_vote_rescores_the_rumour_once_committed(report, django_capture_on_commit_callbacks):
    rumour = RumourFactory()
    report(rumour)
    with django_capture_on_commit_callbacks(execute=True):
        rumour.record_vote(UserFactory(), Vote.Value.UNRELIABLE)
    rumour.refresh_from_db()
    assert "1 fan says not reliable" in rumour.score_reasons


def test_new_evidence_from_extraction_is_scored_once_committed(
    gazetteer, django_capture_on_commit_callbacks
):
    article = ArticleFactory(
        language="it",
        title="Roma, trattativa con Allegri",
        text="La Roma è in trattativa con Massimiliano Allegri per la panchina.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert pipeline.extract(article) == 1
    rumour = Rumour.objects.get(coach=Coach.objects.get(slug="massimiliano-allegri"))
    assert rumour.score is not None and rumour.stage == Rumour.Stage.TALKS


def test_the_rescore_task_returns_quietly_for_a_deleted_rumour():
    assert tasks.rescore_rumour(987654) == 0


def test_the_scoring_stages_are_the_models_stages_in_order():
    assert list(STAGES) == list(Rumour.Stage.values)


def test_an_outlet_with_a_poor_rumour_record_still_makes_an_announcement_official():
    signed = claim(kind="confirmed", outlet_id=7, outlet_tier=3, confidence=0.9)
    trust = Trust()
    trust.outlets[(7, "")] = 0.1  # Its rumours rarely came true.
    assert official_since(group_reports([signed]), "confirmed", trust) == signed.seen_at


def test_a_tabloid_alone_still_cannot_make_an_announcement_official():
    signed = claim(kind="confirmed", outlet_id=8, outlet_tier=4, confidence=0.95)
    assert official_since(group_reports([signed]), "confirmed", Trust()) is None

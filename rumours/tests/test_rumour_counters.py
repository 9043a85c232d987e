"""A rumour's stored counters (votes each way, articles, outlets) agree with its rows.

Boards read the counters instead of counting votes and evidence per card, so
they must move with every vote and every piece of evidence, survive fans and
workers acting at once, and be mended when something bypasses them.
"""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from rumours.models import Article, Rumour, Vote

from .concurrency import at_once, needs_postgres
from .factories import (
    ArticleFactory,
    ClubFactory,
    CoachFactory,
    EvidenceFactory,
    RumourFactory,
    SourceFactory,
    UserFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db


def counters(rumour):
    rumour = Rumour.objects.get(pk=rumour.pk)
    return {field: getattr(rumour, field) for field in Rumour.COUNTERS}


def counted_from_rows(rumour):
    votes = Vote.objects.filter(rumour=rumour)
    evidence = rumour.evidence.all()
    return {
        "reliable_count": votes.filter(value="reliable").count(),
        "unreliable_count": votes.filter(value="unreliable").count(),
        "evidence_count": evidence.count(),
        "outlet_count": evidence.values("article__source").distinct().count(),
    }


def report(coach, club, kind="rumour"):
    return {"coach": coach, "club": club, "kind": kind, "quote": "In pole.", "confidence": 0.7}


def test_a_vote_counts_once_however_often_the_fan_sends_it():
    rumour, fan = RumourFactory(), UserFactory()
    for _ in range(3):
        rumour.record_vote(fan, Vote.Value.RELIABLE)
    assert counters(rumour)["reliable_count"] == 1
    assert counters(rumour)["unreliable_count"] == 0


def test_a_changed_vote_moves_from_one_count_to_the_other():
    rumour, fan, other = RumourFactory(), UserFactory(), UserFactory()
    rumour.record_vote(other, Vote.Value.RELIABLE)
    rumour.record_vote(fan, Vote.Value.RELIABLE)
    rumour.record_vote(fan, Vote.Value.UNRELIABLE)
    assert counters(rumour) == counted_from_rows(rumour)
    assert (counters(rumour)["reliable_count"], counters(rumour)["unreliable_count"]) == (1, 1)


def test_a_withdrawn_vote_leaves_the_count_and_withdrawing_twice_changes_nothing():
    rumour, fan = RumourFactory(), UserFactory()
    rumour.record_vote(fan, Vote.Value.UNRELIABLE)
    rumour.withdraw_vote(fan)
    rumour.withdraw_vote(fan)
    assert counters(rumour)["unreliable_count"] == 0
    assert not Vote.objects.filter(rumour=rumour).exists()


def test_evidence_counts_articles_and_each_outlet_once():
    coach, club = CoachFactory(), ClubFactory()
    outlet, other_outlet = SourceFactory(), SourceFactory()
    for source in (outlet, outlet, other_outlet):
        Rumour.objects.record_article_evidence(ArticleFactory(source=source), [report(coach, club)])
    rumour = Rumour.objects.get(coach=coach, club=club)
    assert (counters(rumour)["evidence_count"], counters(rumour)["outlet_count"]) == (3, 2)


def test_reading_an_article_again_counts_nothing_twice():
    coach, club, other_club = CoachFactory(), ClubFactory(), ClubFactory()
    article = ArticleFactory()
    reports = [report(coach, club), report(coach, other_club, kind="exit")]
    for _ in range(2):
        Rumour.objects.record_article_evidence(article, reports)
    for rumour in Rumour.objects.filter(coach=coach):
        assert counters(rumour) == counted_from_rows(rumour)
        assert counters(rumour)["evidence_count"] == 1


def test_evidence_recorded_one_at_a_time_is_counted_too():
    coach, club, outlet = CoachFactory(), ClubFactory(), SourceFactory()
    for _ in range(2):
        rumour, _, _ = Rumour.objects.record_evidence(
            coach=coach,
            club=club,
            article=ArticleFactory(source=outlet),
            kind="rumour",
            quote="Talks.",
            confidence=0.7,
        )
    assert (counters(rumour)["evidence_count"], counters(rumour)["outlet_count"]) == (2, 1)


def test_saving_a_rumour_read_earlier_does_not_put_back_old_counts():
    rumour = RumourFactory()
    stale = Rumour.objects.get(pk=rumour.pk)
    rumour.record_vote(UserFactory(), Vote.Value.RELIABLE)
    stale.stage = Rumour.Stage.TALKS
    stale.save()
    assert counters(rumour)["reliable_count"] == 1
    assert Rumour.objects.get(pk=rumour.pk).stage == Rumour.Stage.TALKS


def test_recount_mends_only_the_rumours_that_drifted():
    right, wrong = RumourFactory(), RumourFactory()
    VoteFactory(rumour=right)
    EvidenceFactory(rumour=wrong)
    Rumour.objects.filter(pk=wrong.pk).update(evidence_count=40, reliable_count=7)

    assert Rumour.objects.recount() == 1
    assert counters(wrong) == counted_from_rows(wrong)
    assert counters(right) == counted_from_rows(right)
    assert Rumour.objects.recount() == 0


def test_deleting_an_article_in_the_admin_mends_its_rumours_counters(admin_user):
    coach, club = CoachFactory(), ClubFactory()
    articles = [ArticleFactory() for _ in range(2)]
    for article in articles:
        Rumour.objects.record_article_evidence(article, [report(coach, club)])
    request = RequestFactory().post("/")
    request.user = admin_user

    site.get_model_admin(Article).delete_model(request, articles[0])

    rumour = Rumour.objects.get(coach=coach, club=club)
    assert counters(rumour) == counted_from_rows(rumour) | {"evidence_count": 1}


def test_deleting_a_fan_in_the_admin_takes_his_votes_off_the_counts(admin_user):
    rumour, fan = RumourFactory(), UserFactory()
    rumour.record_vote(fan, Vote.Value.RELIABLE)
    rumour.record_vote(UserFactory(), Vote.Value.RELIABLE)
    request = RequestFactory().post("/")
    request.user = admin_user

    site.get_model_admin(type(fan)).delete_model(request, fan)

    assert counters(rumour)["reliable_count"] == 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_fans_voting_at_once_lose_no_count_and_double_none():
    rumour = RumourFactory()
    fans = [UserFactory() for _ in range(12)]
    # Each fan votes twice at once, one of them flipping his verdict.
    actions = [
        (lambda fan=fan, value=value: rumour.record_vote(fan, value))
        for fan in fans
        for value in (Vote.Value.RELIABLE, Vote.Value.UNRELIABLE)
    ]
    assert at_once(actions) == []
    assert counters(rumour) == counted_from_rows(rumour)
    assert Vote.objects.filter(rumour=rumour).count() == len(fans)


@needs_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("reported_before", [True, False], ids=["known rumour", "new rumour"])
def test_articles_from_one_outlet_read_at_once_count_each_article_and_the_outlet_once(
    reported_before,
):
    coach, club, outlet = CoachFactory(), ClubFactory(), SourceFactory()
    if reported_before:  # by another outlet
        Rumour.objects.record_article_evidence(ArticleFactory(), [report(coach, club)])
    articles = [ArticleFactory(source=outlet) for _ in range(6)]
    actions = [
        (
            lambda article=article: Rumour.objects.record_article_evidence(
                article, [report(coach, club)]
            )
        )
        for article in articles
    ]
    assert at_once(actions) == []
    rumour = Rumour.objects.get(coach=coach, club=club)
    assert counters(rumour) == counted_from_rows(rumour)
    assert counters(rumour)["evidence_count"] == 6 + reported_before
    assert counters(rumour)["outlet_count"] == 1 + reported_before

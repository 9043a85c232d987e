"""The domain's "one per" rules hold in the database, not only in forms."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from rumours.models import Alias, Article, CoachingSpell, Evidence, Follow, Rumour, Source, Vote

from .factories import (
    ArticleFactory,
    ClubFactory,
    CoachFactory,
    EvidenceFactory,
    FollowFactory,
    NotificationFactory,
    RumourFactory,
    SourceFactory,
    UserFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db


def test_a_second_vote_by_the_same_user_is_refused_by_the_database():
    vote = VoteFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(rumour=vote.rumour, user=vote.user, value=Vote.Value.UNRELIABLE)


def test_a_vote_value_outside_the_choices_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        VoteFactory(value="maybe")


def test_record_vote_replaces_the_earlier_verdict():
    vote = VoteFactory(value=Vote.Value.RELIABLE)
    vote.rumour.record_vote(vote.user, Vote.Value.UNRELIABLE)
    assert list(vote.rumour.votes.values_list("value", flat=True)) == ["unreliable"]


def test_withdrawing_a_vote_removes_it():
    vote = VoteFactory()
    vote.rumour.withdraw_vote(vote.user)
    assert not vote.rumour.votes.exists()


def test_two_rumours_for_the_same_coach_and_club_are_refused():
    rumour = RumourFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Rumour.objects.create(coach=rumour.coach, club=rumour.club)


def test_one_article_gives_one_rumour_one_piece_of_evidence():
    evidence = EvidenceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(
            rumour=evidence.rumour,
            article=evidence.article,
            kind="rumour",
            quote="x",
            confidence=0.5,
        )


def test_confidence_must_lie_between_zero_and_one():
    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceFactory(confidence=1.5)


def test_a_follow_names_a_coach_or_a_bench_but_not_both():
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=user, coach=CoachFactory(), club=ClubFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=user)


def test_following_the_same_coach_twice_is_refused():
    follow = FollowFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=follow.user, coach=follow.coach)


def test_following_the_same_bench_twice_is_refused():
    follow = FollowFactory(coach=None, club=ClubFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=follow.user, club=follow.club)


def test_an_event_is_told_once_per_user_and_channel():
    notification = NotificationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationFactory(user=notification.user, event=notification.event)


def test_an_alias_belongs_to_exactly_one_coach_or_club():
    with pytest.raises(IntegrityError), transaction.atomic():
        Alias.objects.create(text="Mister", coach=CoachFactory(), club=ClubFactory())


def test_alias_text_is_stored_folded_for_matching():
    alias = Alias.objects.create(text="Mourinhò", coach=CoachFactory())
    assert alias.folded == "mourinho"


def test_the_same_alias_twice_for_one_coach_is_refused():
    coach = CoachFactory()
    Alias.objects.create(text="Max", coach=coach)
    with pytest.raises(IntegrityError), transaction.atomic():
        Alias.objects.create(text="MAX", coach=coach)


def test_a_source_tier_outside_one_to_four_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceFactory(tier=5)


def test_two_sources_cannot_share_a_feed_url_but_many_may_have_none():
    SourceFactory(feed_url="https://a.example/rss")
    SourceFactory(feed_url="", kind=Source.Kind.NONE)
    SourceFactory(feed_url="", kind=Source.Kind.NONE)
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceFactory(feed_url="https://a.example/rss")


def test_the_same_text_cannot_be_stored_as_two_articles():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(text=article.text)


def test_fingerprint_ignores_case_accents_and_spacing():
    assert Article.fingerprint("Perché  Mourinho\nè qui") == Article.fingerprint(
        "perche mourinho e QUI"
    )


def test_a_spell_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        CoachingSpell.objects.create(
            coach=CoachFactory(),
            club=ClubFactory(),
            started=datetime.date(2024, 7, 1),
            ended=datetime.date(2023, 7, 1),
        )


def test_recording_the_same_evidence_twice_creates_nothing_twice():
    coach, club, article = CoachFactory(), ClubFactory(), ArticleFactory()
    for _ in range(2):
        Rumour.objects.record_evidence(
            coach=coach, club=club, article=article, kind="rumour", quote="In pole.", confidence=0.7
        )
    assert Rumour.objects.count() == 1
    assert Evidence.objects.count() == 1


def test_a_rumour_takes_the_kind_of_its_newest_evidence():
    coach, club = CoachFactory(), ClubFactory()
    now = timezone.now()
    older = ArticleFactory(published_at=now - datetime.timedelta(days=3))
    newer = ArticleFactory(published_at=now)
    Rumour.objects.record_evidence(
        coach=coach, club=club, article=newer, kind="confirmed", quote="Signed.", confidence=0.9
    )
    rumour, _, _ = Rumour.objects.record_evidence(
        coach=coach, club=club, article=older, kind="rumour", quote="In pole.", confidence=0.6
    )
    rumour.refresh_from_db()
    assert rumour.kind == "confirmed"
    assert rumour.first_seen_at == older.published_at
    assert rumour.last_seen_at == newer.published_at


def test_changing_status_keeps_the_history():
    rumour = RumourFactory()
    rumour.change_status(Rumour.Status.EXPIRED, reason="no news for 60 days")
    rumour.change_status(Rumour.Status.EXPIRED, reason="again")
    assert [change.status for change in rumour.status_changes.all()] == ["expired"]


def test_a_coach_without_a_club_is_a_free_agent():
    assert CoachFactory(current_club=None).is_free_agent
    assert not CoachFactory(current_club=ClubFactory()).is_free_agent


def test_an_articles_links_are_recorded_once_in_a_few_queries(django_assert_max_num_queries):
    coach, old, new = CoachFactory(), ClubFactory(), ClubFactory()
    known = RumourFactory(coach=coach, club=old)
    article = ArticleFactory()  # newer than what the known rumour has seen
    reports = [
        {"coach": coach, "club": club, "kind": kind, "quote": "q", "confidence": 0.7}
        for club, kind in ((new, "rumour"), (old, "exit"))
    ]
    with django_assert_max_num_queries(10):
        first = Rumour.objects.record_article_evidence(article, reports)
    again = Rumour.objects.record_article_evidence(article, reports)
    assert [created for _, _, created in first] == [True, True]
    assert [created for _, _, created in again] == [False, False]
    assert Evidence.objects.filter(article=article).count() == 2
    known.refresh_from_db()
    assert known.kind == "exit"
    assert Rumour.objects.get(coach=coach, club=new).first_seen_at == article.published_at

"""Alerts end to end: the pipeline over the mock news site, run twice, tells each fan once."""

from collections import Counter

import pytest

from rumours.ingest import http
from rumours.models import Follow, Notification, RumourEvent, User

from .factories import FollowFactory, UserFactory
from .test_ingest_pipeline import ingest_all, newsite_sources


@pytest.fixture(autouse=True)
def fetching_locally(settings, in_process_tasks):
    settings.BENCHWATCH_ALLOW_PRIVATE_FETCH = True
    settings.BENCHWATCH_HOST_INTERVAL = 0
    # The mock site's news is from 2023-2025: read it as if it were current.
    settings.BENCHWATCH_RUMOUR_EXPIRY_DAYS = 5000
    http.use_client(None)


def run_pipeline(sources, capture):
    with capture(execute=True):
        report = ingest_all(sources)
    return report


def test_running_the_pipeline_twice_tells_each_follower_once_per_event(
    db, gazetteer, newsite, django_capture_on_commit_callbacks, mailoutbox
):
    from rumours.models import Club, Coach

    fans = [
        UserFactory(email_alerts=User.EmailAlerts.INSTANT, alert_threshold=threshold)
        for threshold in (30, 60, 80)
    ]
    followed_coaches = Coach.objects.filter(
        slug__in=["massimiliano-allegri", "thiago-motta", "antonio-conte", "xabi-alonso"]
    )
    followed_clubs = Club.objects.filter(slug__in=["juventus", "napoli", "real-madrid"])
    assert followed_coaches.count() == 4 and followed_clubs.count() == 3
    for user in fans:
        for coach in followed_coaches:
            FollowFactory(user=user, coach=coach)
        for club in followed_clubs:
            FollowFactory(user=user, coach=None, club=club)

    sources = newsite_sources(newsite[0])
    first = run_pipeline(sources, django_capture_on_commit_callbacks)
    assert first.new_links and first.errors == 0, first.error_messages
    events = list(RumourEvent.objects.select_related("rumour"))
    told = Counter(Notification.objects.values_list("user_id", "event_id", "channel"))
    emails = len(mailoutbox)

    second = run_pipeline(sources, django_capture_on_commit_callbacks)
    assert second.new_links == 0
    assert list(RumourEvent.objects.select_related("rumour")) == events
    assert Counter(Notification.objects.values_list("user_id", "event_id", "channel")) == told
    assert len(mailoutbox) == emails

    assert {event.kind for event in events} >= {"new", "appointed"}
    for event in events:
        followers = set(
            Follow.objects.filter(coach=event.rumour.coach).values_list("user_id", flat=True)
        ) | set(Follow.objects.filter(club=event.rumour.club).values_list("user_id", flat=True))
        if event.kind == RumourEvent.Kind.LIKELY:
            followers &= {user.pk for user in fans if user.alert_threshold == event.level}
        for channel in ("site", "email"):
            notified = [key[0] for key in told if key[1] == event.pk and key[2] == channel]
            assert sorted(notified) == sorted(followers), (event, channel)
    assert all(count == 1 for count in told.values())
    # Instant emails collapse: one fan gets a few emails, not one per event.
    assert 0 < emails <= 3 * len(fans)

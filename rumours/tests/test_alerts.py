"""Alerts: which news becomes an event, who is told, through which channel, and only once."""

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from rumours import alerts, tasks
from rumours.ingest import pipeline
from rumours.models import Club, Coach, Notification, Rumour, RumourEvent, User

from .factories import (
    ArticleFactory,
    ClubFactory,
    CoachFactory,
    FollowFactory,
    NotificationFactory,
    RumourEventFactory,
    RumourFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_tasks")]

Kind = RumourEvent.Kind
SITE, EMAIL = Notification.Channel.SITE, Notification.Channel.EMAIL
APPOINTED = "The club has officially appointed him head coach on a two year contract"


def fan(email_alerts=User.EmailAlerts.INSTANT, **fields):
    return UserFactory(email_alerts=email_alerts, **fields)


def follow(user, rumour, *, bench=False):
    if bench:
        return FollowFactory(user=user, coach=None, club=rumour.club)
    return FollowFactory(user=user, coach=rumour.coach)


def kinds(rumour):
    return {(event.kind, event.level) for event in rumour.events.all()}


def told(user, channel=SITE):
    return sorted(
        (n.event.kind, n.event.level)
        for n in Notification.objects.filter(user=user, channel=channel).select_related("event")
    )


# ------------------------------------------------------------------ which news is an event


def test_a_new_open_rumour_is_announced_when_first_scored(
    report, django_capture_on_commit_callbacks
):
    rumour = RumourFactory()
    report(rumour, tier=3, words="interest", days_ago=0.2)
    with django_capture_on_commit_callbacks(execute=True):
        rumour.rescore()
    assert kinds(rumour) == {(Kind.NEW, 0)}


def test_a_score_climbing_past_thresholds_announces_each_once(
    report, django_capture_on_commit_callbacks
):
    rumour = RumourFactory()
    report(rumour, tier=4, days_ago=0.5)
    with django_capture_on_commit_callbacks(execute=True):
        rumour.rescore()
    first = rumour.score
    for tier in (1, 1, 2):
        report(rumour, tier=tier, words="talks are under way, an agreement is close", days_ago=0.2)
    with django_capture_on_commit_callbacks(execute=True):
        rumour.rescore()
        rumour.rescore()
    crossed = [level for level in User.Threshold.values if first < level <= rumour.score]
    assert crossed, (first, rumour.score)
    assert kinds(rumour) == {(Kind.NEW, 0)} | {(Kind.LIKELY, level) for level in crossed}


def test_an_official_appointment_is_announced_once_and_not_as_a_threshold(
    report, django_capture_on_commit_callbacks
):
    rumour = RumourFactory()
    report(rumour, tier=2, words="talks", days_ago=0.5)
    with django_capture_on_commit_callbacks(execute=True):
        rumour.rescore()
    report(rumour, tier=1, kind="confirmed", quote=APPOINTED, confidence=0.9, days_ago=0.1)
    with django_capture_on_commit_callbacks(execute=True):
        rumour.rescore()
        rumour.rescore()
    assert rumour.status == Rumour.Status.HAPPENED
    assert kinds(rumour) == {(Kind.NEW, 0), (Kind.APPOINTED, 0)}


def test_an_official_exit_is_announced(report, django_capture_on_commit_callbacks):
    club = ClubFactory()
    rumour = RumourFactory(coach=CoachFactory(current_club=club), club=club)
    report(rumour, tier=1, kind="exit", quote="He has been sacked this morning", confidence=0.9)
    with django_capture_on_commit_callbacks(execute=True):
        rumour.rescore()
    assert kinds(rumour) == {(Kind.EXIT, 0)}


def test_a_denial_read_in_an_article_is_announced_once(
    gazetteer, django_capture_on_commit_callbacks
):
    coach = Coach.objects.get(slug="massimiliano-allegri")
    club = Club.objects.get(slug="roma")
    RumourFactory(coach=coach, club=club)
    article = ArticleFactory(
        source=SourceFactory(language="en"),
        language="en",
        title="Roma deny Allegri talks",
        text=(
            "Roma have denied any contact with Massimiliano Allegri. "
            "The club said there have been no talks with Allegri and that the coach "
            "is not a candidate for the Roma bench."
        ),
        published_at=timezone.now() - timedelta(hours=2),
    )
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.extract(article)
        pipeline.extract(article)
    rumour = Rumour.objects.get(coach=coach, club=club)
    assert rumour.evidence.filter(kind="denial").exists()
    assert (Kind.DENIAL, 0) in kinds(rumour)
    assert rumour.events.filter(kind=Kind.DENIAL).count() == 1


def test_a_rumour_already_expired_when_first_scored_is_not_news(
    report, django_capture_on_commit_callbacks
):
    rumour = RumourFactory()
    report(rumour, tier=1, words="talks", days_ago=400)
    with django_capture_on_commit_callbacks(execute=True):
        rumour.rescore()
    assert rumour.status == Rumour.Status.EXPIRED
    assert kinds(rumour) == set()


def test_announcing_the_same_news_twice_queues_one_fan_out(django_capture_on_commit_callbacks):
    rumour = RumourFactory(score=45)
    with django_capture_on_commit_callbacks() as callbacks:
        first = alerts.announce(rumour, Kind.NEW)
        again = alerts.announce(rumour, Kind.NEW)
    assert first is not None and again is None
    assert len(callbacks) == 1
    assert first.score == 45


# ------------------------------------------------------------------ who is told


def test_every_follower_of_the_coach_or_the_bench_is_told_once(django_capture_on_commit_callbacks):
    rumour = RumourFactory()
    coach_fan, bench_fan, both = fan(), fan(), fan()
    follow(coach_fan, rumour)
    follow(bench_fan, rumour, bench=True)
    follow(both, rumour)
    follow(both, rumour, bench=True)
    stranger = fan()
    event = RumourEventFactory(rumour=rumour, kind=Kind.EXIT)
    first = alerts.fan_out(event)
    again = alerts.fan_out(event)
    assert first.followers == again.followers == 3
    for user in (coach_fan, bench_fan, both):
        assert told(user) == [(Kind.EXIT, 0)]
        assert told(user, EMAIL) == [(Kind.EXIT, 0)]
    assert told(stranger) == []
    assert Notification.objects.count() == 6
    event.refresh_from_db()
    assert event.fanned_out_at is not None


def test_a_threshold_is_told_only_to_fans_who_chose_it():
    rumour = RumourFactory(score=65)
    cautious, eager_fan = fan(alert_threshold=80), fan(alert_threshold=60)
    for user in (cautious, eager_fan):
        follow(user, rumour)
    alerts.fan_out(RumourEventFactory(rumour=rumour, kind=Kind.LIKELY, level=60))
    assert told(eager_fan) == [(Kind.LIKELY, 60)]
    assert told(cautious) == []


def test_channels_follow_each_fans_choice():
    rumour = RumourFactory()
    no_site = fan(site_alerts=False)
    no_email = fan(email_alerts=User.EmailAlerts.OFF)
    no_address = fan(email="")
    digest = fan(email_alerts=User.EmailAlerts.DIGEST)
    gone = fan(is_active=False)
    for user in (no_site, no_email, no_address, digest, gone):
        follow(user, rumour)
    result = alerts.fan_out(RumourEventFactory(rumour=rumour, kind=Kind.NEW))
    assert (told(no_site), told(no_site, EMAIL)) == ([], [(Kind.NEW, 0)])
    assert (told(no_email), told(no_email, EMAIL)) == ([(Kind.NEW, 0)], [])
    assert told(no_address, EMAIL) == []
    assert told(digest, EMAIL) == [(Kind.NEW, 0)]
    assert told(gone) == told(gone, EMAIL) == []
    assert result.instant_users == [no_site.pk]


def test_fan_out_task_emails_instant_fans_at_once(mailoutbox, django_capture_on_commit_callbacks):
    rumour = RumourFactory()
    instant, digest = fan(), fan(email_alerts=User.EmailAlerts.DIGEST)
    follow(instant, rumour)
    follow(digest, rumour)
    event = RumourEventFactory(rumour=rumour, kind=Kind.APPOINTED)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.fan_out_event(event.pk)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.fan_out_event(event.pk)
    assert [message.to for message in mailoutbox] == [[instant.email]]
    assert Notification.objects.unsent_email().get().user == digest


# ------------------------------------------------------------------ email timing


def waiting(user, count, kind=Kind.NEW):
    """Give the fan count unsent email notifications about count rumours."""
    return [
        NotificationFactory(
            user=user, channel=EMAIL, event=RumourEventFactory(kind=kind, score=50 + index)
        )
        for index in range(count)
    ]


def test_waiting_alerts_go_in_one_email_and_only_once(mailoutbox):
    user = fan()
    waiting(user, 3)
    assert alerts.deliver_email(user) == 3
    user.refresh_from_db()
    assert alerts.deliver_email(user, timezone.now() + timedelta(hours=1)) == 0
    assert len(mailoutbox) == 1
    assert "3 alerts" in mailoutbox[0].subject
    assert not Notification.objects.unsent_email().exists()


def test_news_within_the_gap_waits_and_then_goes_collapsed(mailoutbox):
    user = fan()
    now = timezone.now()
    waiting(user, 1)
    alerts.deliver_email(user, now)
    user.refresh_from_db()
    waiting(user, 40)
    assert alerts.deliver_email(user, now + timedelta(minutes=2)) == 0
    assert alerts.waiting_deliveries(now + timedelta(minutes=2)) == ([], [])
    later = now + alerts.INSTANT_GAP + timedelta(seconds=1)
    assert alerts.waiting_deliveries(later) == ([user.pk], [])
    assert alerts.deliver_email(user, later) == 40
    assert len(mailoutbox) == 2
    body = mailoutbox[1].body
    assert body.count("\n- ") == alerts.EMAIL_ITEMS
    assert "10 more alerts" in body


def test_quiet_hours_hold_instant_email_until_they_end(mailoutbox):
    user = fan(time_zone="Europe/Rome", quiet_from=datetime.time(22), quiet_until=datetime.time(7))
    waiting(user, 2)
    rome = timezone.get_default_timezone()
    night = datetime.datetime(2026, 11, 25, 23, 30, tzinfo=rome)
    morning = datetime.datetime(2026, 11, 26, 7, 0, tzinfo=rome)
    assert alerts.deliver_email(user, night) == 0
    assert alerts.waiting_deliveries(night) == ([], [])
    assert alerts.waiting_deliveries(morning) == ([user.pk], [])
    assert alerts.deliver_email(user, morning) == 2
    assert len(mailoutbox) == 1


def test_the_digest_goes_once_a_day_at_the_fans_hour_in_the_fans_zone(mailoutbox):
    user = fan(
        email_alerts=User.EmailAlerts.DIGEST,
        time_zone="America/New_York",
        digest_hour=8,
        last_digest_at=datetime.datetime(2026, 11, 24, 13, 1, tzinfo=datetime.UTC),
    )
    waiting(user, 5)
    utc = datetime.UTC
    before = datetime.datetime(2026, 11, 25, 12, 30, tzinfo=utc)  # 07:30 in New York
    after = datetime.datetime(2026, 11, 25, 13, 5, tzinfo=utc)  # 08:05
    assert alerts.waiting_deliveries(before) == ([], [])
    assert alerts.deliver_digest(user, before) == 0
    assert alerts.waiting_deliveries(after) == ([], [user.pk])
    assert alerts.deliver_digest(user, after) == 5
    user.refresh_from_db()
    waiting(user, 1)
    assert alerts.deliver_digest(user, after + timedelta(hours=3)) == 0
    assert alerts.deliver_digest(user, after + timedelta(days=1)) == 1
    assert len(mailoutbox) == 2
    assert "digest" in mailoutbox[0].subject and "5 alerts" in mailoutbox[0].subject


def test_the_digest_waits_for_quiet_hours_to_end(mailoutbox):
    user = fan(
        email_alerts=User.EmailAlerts.DIGEST,
        last_digest_at=datetime.datetime(2026, 11, 24, 6, 0, tzinfo=datetime.UTC),
        digest_hour=6,
        quiet_from=datetime.time(0),
        quiet_until=datetime.time(7),
    )
    waiting(user, 1)
    rome = timezone.get_default_timezone()
    assert alerts.deliver_digest(user, datetime.datetime(2026, 11, 25, 6, 30, tzinfo=rome)) == 0
    assert alerts.deliver_digest(user, datetime.datetime(2026, 11, 25, 7, 0, tzinfo=rome)) == 1


def test_a_claimed_notification_is_not_sent_by_a_second_sender(mailoutbox):
    user = fan()
    (notification,) = waiting(user, 1)
    now = timezone.now()
    Notification.objects.filter(pk=notification.pk).update(claim="other-worker", claimed_at=now)
    assert alerts.deliver_email(user, now) == 0
    later = now + alerts.CLAIM_LEASE + timedelta(seconds=1)
    assert alerts.deliver_email(user, later) == 1  # the other sender died
    assert len(mailoutbox) == 1


def test_a_new_fans_first_digest_comes_at_the_first_slot_after_joining():
    joined = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)
    user = fan(email_alerts=User.EmailAlerts.DIGEST, digest_hour=8, date_joined=joined)
    waiting(user, 1)
    assert not user.is_digest_due(joined + timedelta(hours=6))
    assert user.is_digest_due(joined + timedelta(hours=22))


def test_turning_email_off_drops_what_was_waiting(mailoutbox):
    user = fan()
    waiting(user, 2)
    user.stop_email_alerts()
    assert alerts.waiting_deliveries() == ([], [])
    assert not Notification.objects.unsent_email().exists()
    assert User.objects.get(pk=user.pk).email_alerts == User.EmailAlerts.OFF


def test_the_sweep_sends_held_email_and_fans_out_lost_events(
    mailoutbox, django_capture_on_commit_callbacks
):
    user = fan()
    waiting(user, 1)
    rumour = RumourFactory()
    follow(user, rumour)
    lost = RumourEventFactory(
        rumour=rumour, kind=Kind.EXIT, created_at=timezone.now() - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.deliver_waiting_alerts()
    assert told(user) == [(Kind.EXIT, 0)]
    assert len(mailoutbox) == 1
    lost.refresh_from_db()
    assert lost.fanned_out_at is not None


# ------------------------------------------------------------------ the email itself


def test_the_email_has_text_html_a_board_link_and_one_click_unsubscribe(mailoutbox, settings):
    settings.BENCHWATCH_SITE_URL = "https://benchwatch.example/"
    user = fan()
    (notification,) = waiting(user, 1, kind=Kind.APPOINTED)
    alerts.deliver_email(user)
    (message,) = mailoutbox
    rumour = notification.event.rumour
    board = f"https://benchwatch.example{rumour.coach.get_absolute_url()}#rumour-{rumour.pk}"
    assert (
        message.subject
        == f"Confirmed: {rumour.coach.full_name} appointed by {rumour.club.short_name}"
    )
    assert board in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and board in html
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://benchwatch.example/alerts/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = unsubscribe.rstrip("/>").rsplit("/", 1)[1]
    assert alerts.user_for_unsubscribe_token(token) == user
    assert alerts.user_for_unsubscribe_token(token[:-2] + "xx") is None


def test_the_email_speaks_the_fans_language(mailoutbox):
    user = fan(language="it")
    (notification,) = waiting(user, 1, kind=Kind.EXIT)
    alerts.deliver_email(user)
    (message,) = mailoutbox
    with translation.override("it"):
        italian = alerts.describe(notification.event)
    with translation.override("en"):
        english = alerts.describe(notification.event)
    assert message.subject == italian != english
    assert "Hello" not in message.body and "Hello" not in message.alternatives[0][0]

"""Fans read their alerts, mark them read, choose how they hear, and unsubscribe from emails."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rumours import alerts
from rumours.models import Notification, RumourEvent, User

from .factories import (
    ClubFactory,
    CoachFactory,
    FollowFactory,
    NotificationFactory,
    RumourEventFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
ATOM = "{http://www.w3.org/2005/Atom}"
NOTIFICATIONS = reverse("rumours:notifications")
BELL = reverse("rumours:notification-bell")
READ_ALL = reverse("rumours:notifications-read")
SETTINGS = reverse("rumours:alert-settings")
REGENERATE = reverse("rumours:alert-feed-regenerate")


def read_url(notification):
    return reverse("rumours:notification-read", args=[notification.pk])


def open_url(notification):
    return reverse("rumours:notification-open", args=[notification.pk])


def unread(user):
    return user.notifications.unread().count()


def entries(response):
    # Our own feed, parsed in a test: not untrusted input.
    return ET.fromstring(response.content).findall(f"{ATOM}entry")  # noqa: S314


def feed_url(token):
    return reverse("rumours:personal-feed", args=[token])


def valid_settings(**changes):
    data = {
        "language": "en",
        "time_zone": "Europe/Rome",
        "site_alerts": "on",
        "email_alerts": "digest",
        "digest_hour": "8",
        "quiet_from": "",
        "quiet_until": "",
        "alert_threshold": "60",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# ------------------------------------------------------------------ logging in


@pytest.mark.parametrize(
    "url", [NOTIFICATIONS, SETTINGS, reverse("rumours:notification-open", args=[1])]
)
def test_a_visitor_is_sent_to_log_in_then_back(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(
    "url", [READ_ALL, reverse("rumours:notification-read", args=[1]), REGENERATE]
)
def test_a_visitor_posting_is_sent_to_log_in(client, url):
    response = client.post(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_visitor_marking_read_through_htmx_gets_an_hx_redirect(client):
    notification = NotificationFactory()
    response = client.post(read_url(notification), headers=HTMX)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith(reverse("login"))
    assert unread(notification.user) == 1


def test_a_visitor_gets_no_bell(client):
    response = client.get(BELL)
    assert response.status_code == 204
    assert response.content == b""


def test_the_header_shows_a_bell_to_a_fan_only(client, user):
    assert 'id="alert-bell"' not in client.get(reverse("rumours:home")).content.decode()
    client.force_login(user)
    page = client.get(reverse("rumours:home")).content.decode()
    bell = re.search(r'<a id="alert-bell".*?</a>', page, re.S).group(0)
    assert f'href="{NOTIFICATIONS}"' in bell
    assert f'hx-get="{BELL}"' in bell
    assert 'hx-trigger="load, every 10s, notificationsRead from:body"' in bell
    assert f'href="{SETTINGS}"' in page


def test_the_bell_in_the_header_costs_the_page_no_query(fan_client, user):
    NotificationFactory.create_batch(3, user=user)
    with CaptureQueriesContext(connection) as captured:
        fan_client.get(reverse("rumours:home"))
    assert not [query for query in captured if "rumours_notification" in query["sql"]]


# ------------------------------------------------------------------ the bell


def test_the_bell_counts_the_fans_unread_site_alerts(fan_client, user):
    NotificationFactory.create_batch(2, user=user)
    NotificationFactory(user=user, read_at=timezone.now())
    NotificationFactory(user=user, channel=Notification.Channel.EMAIL)
    NotificationFactory()  # someone else's
    response = fan_client.get(BELL, headers=HTMX)
    bell = response.content.decode()
    assert response.status_code == 200
    assert 'aria-label="Alerts, 2 unread"' in bell
    assert re.search(r'<span class="bell-count" aria-hidden="true">2</span>', bell)


def test_the_bell_hides_a_zero_count_but_stays_a_link(fan_client):
    bell = fan_client.get(BELL, headers=HTMX).content.decode()
    assert f'href="{NOTIFICATIONS}"' in bell
    assert 'aria-label="Alerts, 0 unread"' in bell
    assert re.search(r'<span class="bell-count" aria-hidden="true" hidden>', bell)


def test_the_refreshed_bell_polls_without_loading_itself_again(fan_client):
    bell = fan_client.get(BELL, headers=HTMX).content.decode()
    assert 'hx-trigger="every 10s, notificationsRead from:body"' in bell
    assert "no-cache" in fan_client.get(BELL).headers["Cache-Control"]


# ------------------------------------------------------------------ the alerts page


def test_the_alerts_page_lists_the_fans_site_alerts_newest_first(fan_client, user):
    now = timezone.now()
    old = NotificationFactory(user=user, created_at=now - timedelta(days=2))
    new = NotificationFactory(user=user, created_at=now - timedelta(hours=1))
    email = NotificationFactory(user=user, channel=Notification.Channel.EMAIL)
    other = NotificationFactory()
    page = fan_client.get(NOTIFICATIONS).content.decode()
    assert page.index(alerts.describe(new.event)) < page.index(alerts.describe(old.event))
    assert alerts.describe(email.event) not in page
    assert alerts.describe(other.event) not in page
    assert f'href="{open_url(new)}"' in page
    assert "2\xa0days ago" in page  # naturaltime joins with a no-break space


def test_unread_alerts_are_highlighted_and_read_ones_are_not(fan_client, user):
    fresh = NotificationFactory(user=user)
    seen = NotificationFactory(user=user, read_at=timezone.now())
    page = fan_client.get(NOTIFICATIONS).content.decode()
    assert f'id="notification-{fresh.pk}" class="notification event-new is-unread"' in page
    assert f'id="notification-{seen.pk}" class="notification event-new"' in page
    assert f'action="{read_url(fresh)}"' in page
    assert f'action="{read_url(seen)}"' not in page
    assert "1 unread alert" in page
    assert f'action="{READ_ALL}"' in page


def test_the_alerts_page_shows_thirty_a_page(fan_client, user):
    NotificationFactory.create_batch(31, user=user)
    first = fan_client.get(NOTIFICATIONS).content.decode()
    second = fan_client.get(NOTIFICATIONS, {"page": "2"}).content.decode()
    assert first.count('class="notification ') == 30
    assert second.count('class="notification ') == 1
    assert f'href="{NOTIFICATIONS}?page=2"' in first
    assert "Page 2 of 2" in second


@pytest.mark.parametrize("page", ["0", "abc", "999", "-1", "1" * 40])
def test_a_garbage_page_number_shows_a_page_not_an_error(fan_client, user, page):
    NotificationFactory(user=user)
    response = fan_client.get(NOTIFICATIONS, {"page": page})
    assert response.status_code == 200
    assert response.content.decode().count('class="notification ') == 1


def test_with_no_alerts_the_page_explains_how_to_get_some(fan_client):
    page = fan_client.get(NOTIFICATIONS).content.decode()
    assert "No alerts yet" in page
    assert "Follow button" in page
    assert f'action="{READ_ALL}"' not in page


def test_the_alerts_page_links_to_the_settings(fan_client):
    page = fan_client.get(NOTIFICATIONS).content.decode()
    assert re.search(rf'<a class="button secondary small" href="{SETTINGS}">', page)


def test_the_alerts_page_costs_the_same_queries_with_forty_alerts(
    fan_client, user, django_assert_max_num_queries
):
    NotificationFactory.create_batch(3, user=user)
    with CaptureQueriesContext(connection) as few:
        fan_client.get(NOTIFICATIONS)
    for n in range(40):
        event = RumourEventFactory(kind=list(RumourEvent.Kind)[n % 5], level=60)
        NotificationFactory(user=user, event=event, read_at=timezone.now() if n % 2 else None)
    with django_assert_max_num_queries(5):
        response = fan_client.get(NOTIFICATIONS)
    assert response.content.decode().count('class="notification ') == 30
    with CaptureQueriesContext(connection) as many:
        fan_client.get(NOTIFICATIONS)
    assert len(many) == len(few)


# ------------------------------------------------------------------ marking read


def test_marking_all_read_through_htmx_swaps_the_list_and_tells_the_bell(fan_client, user):
    NotificationFactory.create_batch(3, user=user)
    someone_else = NotificationFactory()
    response = fan_client.post(READ_ALL, {"page": "1"}, headers=HTMX)
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<section id="notification-list"')
    assert "<html" not in fragment
    assert "is-unread" not in fragment
    assert json.loads(response.headers["HX-Trigger"]) == {"notificationsRead": {"marked": 3}}
    assert unread(user) == 0
    assert unread(someone_else.user) == 1


def test_without_javascript_marking_all_read_redirects_back(fan_client, user):
    NotificationFactory.create_batch(2, user=user)
    response = fan_client.post(READ_ALL, {"next": f"{NOTIFICATIONS}?page=2"})
    assert response.status_code == 302
    assert response.url == f"{NOTIFICATIONS}?page=2"
    assert unread(user) == 0


def test_marking_one_read_through_htmx_leaves_the_others_unread(fan_client, user):
    first, second = NotificationFactory.create_batch(2, user=user)
    response = fan_client.post(read_url(first), {"page": "1"}, headers=HTMX)
    fragment = response.content.decode()
    assert response.status_code == 200
    assert json.loads(response.headers["HX-Trigger"]) == {"notificationsRead": {"marked": 1}}
    assert f'id="notification-{first.pk}" class="notification event-new"' in fragment
    assert f'id="notification-{second.pk}" class="notification event-new is-unread"' in fragment
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_without_javascript_marking_one_read_redirects_back(fan_client, user):
    notification = NotificationFactory(user=user)
    response = fan_client.post(read_url(notification), {"next": NOTIFICATIONS})
    assert response.status_code == 302
    assert response.url == NOTIFICATIONS
    assert unread(user) == 0


def test_marking_read_never_redirects_off_the_site(fan_client, user):
    notification = NotificationFactory(user=user)
    response = fan_client.post(read_url(notification), {"next": "https://evil.example/"})
    assert response.url == NOTIFICATIONS


def test_marking_one_read_twice_changes_nothing_the_second_time(fan_client, user):
    notification = NotificationFactory(user=user)
    fan_client.post(read_url(notification), headers=HTMX)
    notification.refresh_from_db()
    first_read = notification.read_at
    response = fan_client.post(read_url(notification), headers=HTMX)
    notification.refresh_from_db()
    assert response.status_code == 200
    assert notification.read_at == first_read


def test_marking_another_fans_alert_read_is_404(fan_client):
    theirs = NotificationFactory()
    assert fan_client.post(read_url(theirs), headers=HTMX).status_code == 404
    assert fan_client.post(read_url(theirs)).status_code == 404
    assert unread(theirs.user) == 1


def test_marking_an_unknown_alert_read_is_404(fan_client):
    assert fan_client.post(reverse("rumours:notification-read", args=[987654])).status_code == 404


@pytest.mark.parametrize("url", [READ_ALL, reverse("rumours:notification-read", args=[1])])
def test_marking_read_with_get_is_not_allowed(fan_client, url):
    assert fan_client.get(url).status_code == 405


# ------------------------------------------------------------------ opening an alert


def test_opening_an_alert_marks_it_read_and_goes_to_the_board(fan_client, user):
    notification = NotificationFactory(user=user)
    response = fan_client.get(open_url(notification))
    rumour = notification.event.rumour
    assert response.status_code == 302
    assert response.url == f"{rumour.coach.get_absolute_url()}#rumour-{rumour.pk}"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_another_fans_alert_is_404(fan_client):
    theirs = NotificationFactory()
    assert fan_client.get(open_url(theirs)).status_code == 404
    assert unread(theirs.user) == 1


# ------------------------------------------------------------------ settings


def test_the_settings_page_shows_the_fans_choices(fan_client, user):
    User.objects.filter(pk=user.pk).update(time_zone="America/New_York", digest_hour=7)
    page = fan_client.get(SETTINGS).content.decode()
    assert '<option value="America/New_York" selected>' in page
    assert '<option value="7" selected>07:00</option>' in page
    assert '<option value="0">00:00</option>' in page
    assert '<option value="23">23:00</option>' in page
    assert 'type="time" name="quiet_from"' in page


def test_the_time_zones_are_offered_sorted(fan_client):
    page = fan_client.get(SETTINGS).content.decode()
    select = re.search(r'<select name="time_zone".*?</select>', page, re.S).group(0)
    zones = re.findall(r'<option value="([^"]+)"', select)
    assert zones == sorted(zones)
    assert "Europe/Rome" in zones and len(zones) > 300


def test_saving_settings_stores_them_and_says_so(fan_client, user):
    response = fan_client.post(
        SETTINGS,
        valid_settings(
            language="it",
            time_zone="America/Sao_Paulo",
            site_alerts=None,
            email_alerts="instant",
            digest_hour="21",
            quiet_from="22:30",
            quiet_until="07:00",
            alert_threshold="80",
        ),
        follow=True,
    )
    assert response.redirect_chain == [(SETTINGS, 302)]
    assert "Your alert settings are saved." in response.content.decode()
    user.refresh_from_db()
    assert (user.language, user.time_zone, user.site_alerts) == ("it", "America/Sao_Paulo", False)
    assert (user.email_alerts, user.digest_hour, user.alert_threshold) == ("instant", 21, 80)
    assert (user.quiet_from, user.quiet_until) == (time(22, 30), time(7, 0))


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"quiet_from": "22:00"}, None),
        ({"quiet_until": "07:00"}, None),
        ({"quiet_from": "22:00", "quiet_until": "22:00"}, None),
        ({"quiet_from": "25:99", "quiet_until": "07:00"}, "quiet_from"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"digest_hour": "99"}, "digest_hour"),
        ({"digest_hour": "eight"}, "digest_hour"),
        ({"alert_threshold": "lots"}, "alert_threshold"),
        ({"alert_threshold": "50"}, "alert_threshold"),
        ({"email_alerts": "hourly"}, "email_alerts"),
        ({"language": "klingon"}, "language"),
        ({"language": None}, "language"),
    ],
)
def test_garbage_settings_are_refused_with_errors_and_nothing_saved(
    fan_client, user, changes, field
):
    response = fan_client.post(SETTINGS, valid_settings(**changes))
    assert response.status_code == 400
    form = response.context["form"]
    if field:
        assert field in form.errors
    else:
        assert form.non_field_errors()
    assert "Your settings were not saved" in response.content.decode()
    user.refresh_from_db()
    assert (user.quiet_from, user.time_zone, user.digest_hour) == (None, "Europe/Rome", 8)


def test_half_set_quiet_hours_get_a_clear_error(fan_client):
    response = fan_client.post(SETTINGS, valid_settings(quiet_from="22:00"))
    assert "Give quiet hours both a start and an end" in response.content.decode()


def test_turning_email_alerts_off_drops_the_waiting_emails(fan_client, user):
    waiting = NotificationFactory(user=user, channel=Notification.Channel.EMAIL)
    site = NotificationFactory(user=user, event=waiting.event)
    fan_client.post(SETTINGS, valid_settings(email_alerts="off"))
    user.refresh_from_db()
    assert user.email_alerts == User.EmailAlerts.OFF
    assert list(user.notifications.all()) == [site]


def test_saving_other_settings_keeps_the_waiting_emails(fan_client, user):
    waiting = NotificationFactory(user=user, channel=Notification.Channel.EMAIL)
    fan_client.post(SETTINGS, valid_settings(digest_hour="9"))
    assert Notification.objects.filter(pk=waiting.pk).exists()


def test_the_settings_page_lists_what_the_fan_follows(fan_client, user):
    coach = CoachFactory(full_name="Carlo Testelotti")
    club = ClubFactory(short_name="Sporting Testville")
    FollowFactory(user=user, coach=coach)
    FollowFactory(user=user, coach=None, club=club)
    FollowFactory(coach=CoachFactory(full_name="Not Mine"))
    page = fan_client.get(SETTINGS).content.decode()
    assert f'<a href="{coach.get_absolute_url()}">Carlo Testelotti</a>' in page
    assert f'<a href="{club.get_absolute_url()}">Sporting Testville</a>' in page
    assert "Not Mine" not in page


def test_settings_with_get_after_a_post_is_the_classic_redirect(fan_client):
    response = fan_client.post(SETTINGS, valid_settings())
    assert response.status_code == 302
    assert fan_client.get(response.url).status_code == 200


# ------------------------------------------------------------------ the private feed


def test_a_fan_without_a_feed_gets_a_button_to_make_one(fan_client, user):
    page = fan_client.get(SETTINGS).content.decode()
    assert f'action="{REGENERATE}"' in page
    assert "/alerts/feed/" not in page
    response = fan_client.post(REGENERATE)
    assert response.status_code == 302
    assert response.url == f"{SETTINGS}#feed"
    user.refresh_from_db()
    assert user.feed_token


def test_the_settings_page_shows_the_feeds_full_address(fan_client, user):
    token = user.regenerate_feed_token()
    page = fan_client.get(SETTINGS).content.decode()
    assert f'value="http://testserver{feed_url(token)}"' in page


def test_a_new_feed_address_stops_the_old_one_at_once(fan_client, user):
    mine = NotificationFactory(user=user)
    theirs = NotificationFactory()
    theirs.user.regenerate_feed_token()
    old = user.regenerate_feed_token()
    fan_client.post(REGENERATE)
    user.refresh_from_db()
    reader = Client()
    assert reader.get(feed_url(old)).status_code == 404
    response = reader.get(feed_url(user.feed_token))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = response.content.decode()
    assert alerts.describe(mine.event) in feed
    assert alerts.describe(theirs.event) not in feed
    assert len(entries(response)) == 1


def test_the_feed_links_each_alert_to_the_board(client, user):
    notification = NotificationFactory(user=user)
    response = client.get(feed_url(user.regenerate_feed_token()))
    link = entries(response)[0].find(f"{ATOM}link").get("href")
    assert link == f"http://testserver{alerts.event_url(notification.event)}"


def test_the_feed_carries_the_fifty_newest_alerts(client, user):
    now = timezone.now()
    for n in range(52):
        event = RumourEventFactory(created_at=now - timedelta(minutes=n))
        NotificationFactory(user=user, event=event)
    response = client.get(feed_url(user.regenerate_feed_token()))
    titles = [entry.find(f"{ATOM}title").text for entry in entries(response)]
    newest = RumourEvent.objects.order_by("-created_at")[:50]
    assert titles == [alerts.describe(event) for event in newest]


def test_with_site_alerts_off_the_feed_uses_emailed_alerts_once_each(client):
    user = UserFactory(site_alerts=False)
    event = RumourEventFactory()
    NotificationFactory(user=user, event=event, channel=Notification.Channel.EMAIL)
    NotificationFactory(user=user, event=event, channel=Notification.Channel.SITE)
    response = client.get(feed_url(user.regenerate_feed_token()))
    assert len(entries(response)) == 1


def test_with_site_alerts_on_the_feed_skips_email_only_alerts(client, user):
    NotificationFactory(user=user, channel=Notification.Channel.EMAIL)
    response = client.get(feed_url(user.regenerate_feed_token()))
    assert entries(response) == []


def test_the_feed_speaks_the_fans_language(client):
    user = UserFactory(language="it")
    NotificationFactory(user=user, event__kind=RumourEvent.Kind.NEW)
    feed = client.get(feed_url(user.regenerate_feed_token())).content.decode()
    assert "Nuova voce" in feed


@pytest.mark.parametrize("token", ["nope", "x" * 43])
def test_an_unknown_feed_address_is_404(client, token):
    UserFactory().regenerate_feed_token()
    assert client.get(feed_url(token)).status_code == 404


def test_the_feed_costs_two_queries(client, user, django_assert_max_num_queries):
    NotificationFactory.create_batch(10, user=user)
    url = feed_url(user.regenerate_feed_token())
    with django_assert_max_num_queries(2):
        client.get(url)


def test_posting_to_a_feed_is_not_allowed(client, user):
    assert client.post(feed_url(user.regenerate_feed_token())).status_code == 405


# ------------------------------------------------------------------ unsubscribing


@pytest.fixture
def csrf_client():
    """A client that checks CSRF, as a real browser's request is checked."""
    return Client(enforce_csrf_checks=True)


def unsubscribe_url(user):
    return reverse("rumours:unsubscribe", args=[alerts.unsubscribe_token(user)])


def test_an_unsubscribe_link_asks_before_it_acts(client, user):
    url = unsubscribe_url(user)
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<form method="post" action="{url}">' in page
    assert ">Unsubscribe</button>" in page
    user.refresh_from_db()
    assert user.email_alerts == User.EmailAlerts.DIGEST


def test_unsubscribing_logged_out_stops_alert_emails(csrf_client, user):
    waiting = NotificationFactory(user=user, channel=Notification.Channel.EMAIL)
    response = csrf_client.post(unsubscribe_url(user))
    assert response.status_code == 200
    page = response.content.decode()
    assert "You will get no more alert emails" in page
    assert f'href="{SETTINGS}"' in page
    user.refresh_from_db()
    assert user.email_alerts == User.EmailAlerts.OFF
    assert not Notification.objects.filter(pk=waiting.pk).exists()


def test_a_mail_providers_one_click_unsubscribe_works(csrf_client, user):
    response = csrf_client.post(
        unsubscribe_url(user),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email_alerts == User.EmailAlerts.OFF


def test_the_link_in_an_alert_email_unsubscribes(csrf_client, user):
    message = alerts.build_email(user, [NotificationFactory(user=user)], digest=False)
    link = re.search(r"<(http[^>]+)>", message.extra_headers["List-Unsubscribe"]).group(1)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert csrf_client.post(f"/{path}").status_code == 200
    user.refresh_from_db()
    assert user.email_alerts == User.EmailAlerts.OFF


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_unsubscribe_link_is_refused_without_saying_whose_it_is(client, user, method):
    token = alerts.unsubscribe_token(user)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = getattr(client, method)(reverse("rumours:unsubscribe", args=[tampered]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "not valid" in page
    assert user.username not in page and user.email not in page
    user.refresh_from_db()
    assert user.email_alerts == User.EmailAlerts.DIGEST


@pytest.mark.parametrize("token", ["garbage", "a:b:c", "%00", "x" * 500])
def test_a_garbage_unsubscribe_token_is_a_bad_request(client, token):
    assert client.post(reverse("rumours:unsubscribe", args=[token])).status_code == 400


def test_an_unsubscribe_link_for_a_deleted_fan_is_a_bad_request(client):
    user = UserFactory()
    url = unsubscribe_url(user)
    user.delete()
    assert client.post(url).status_code == 400


# ------------------------------------------------------------------ signing up


def test_signing_up_remembers_the_interface_language_for_alerts(client):
    client.post(
        reverse("signup"),
        {
            "username": "curvasud",
            "email": "curvasud@example.com",
            "password1": "correct horse battery staple",
            "password2": "correct horse battery staple",
        },
        headers={"Accept-Language": "it"},
    )
    assert User.objects.get(username="curvasud").language == "it"


def test_the_alerts_pages_speak_italian(fan_client, user):
    NotificationFactory(user=user, event__kind=RumourEvent.Kind.NEW)
    italian = {"Accept-Language": "it"}
    alerts_page = fan_client.get(NOTIFICATIONS, headers=italian).content.decode()
    settings_page = fan_client.get(SETTINGS, headers=italian).content.decode()
    assert "Segna tutti come letti" in alerts_page
    assert "Nuova voce:" in alerts_page
    assert "Impostazioni degli avvisi" in settings_page
    assert "Ore di silenzio" in settings_page

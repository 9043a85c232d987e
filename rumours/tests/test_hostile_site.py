"""Hostile input to the site (issue #9): every attack gets a 4xx that says why, never a 500.

Votes and follows without login, without a CSRF token, on unknown or closed
rumours, with values outside the choices, sent in parallel; odd searches;
tampered tokens; open redirects through `next`; another fan's alerts;
malformed ids; and the error pages that explain each refusal. Rate limits
are tested in their own module and switched off here, so hundreds of
requests from one address test the input, not the limit.

The test client re-raises any exception a view lets escape, so a 500
fails these tests loudly instead of hiding in a status code.
"""

import re
from http.cookies import SimpleCookie
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest
from django.core import signing
from django.db import OperationalError
from django.template.loader import render_to_string
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse

import portal.urls
from rumours import alerts
from rumours.models import Follow, Notification, Rumour, User, Vote

from .concurrency import at_once, needs_postgres
from .factories import (
    ClubFactory,
    CoachFactory,
    EvidenceFactory,
    NotificationFactory,
    RumourFactory,
    UserFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
PASSWORD = "correct horse battery staple"
CLOSED = [Rumour.Status.HAPPENED, Rumour.Status.DID_NOT_HAPPEN, Rumour.Status.EXPIRED]
# What each page says, so a test can tell a friendly page from an empty body.
NOT_FOUND = "There is nothing at this address"
EXPIRED_FORM = "This form has expired"
NOT_ALLOWED = "This address does not work that way"
REFUSED = "The site could not act on this request"
VOTING_CLOSED = "Voting on this rumour is closed"
BAD_VERDICT = "Choose “Reliable” or “Not reliable”, or withdraw your vote."
BAD_FOLLOW = "Choose to follow or to unfollow."
HUGE_ID = "99999999999999999999"


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def rumour(db):
    return EvidenceFactory().rumour


def vote_url(rumour_or_pk):
    return reverse("rumours:vote", args=[getattr(rumour_or_pk, "pk", rumour_or_pk)])


def action_url(name, rumour):
    """The address of one of the three things a fan does: vote, follow a coach or a club."""
    return {
        "vote": vote_url(rumour),
        "coach follow": rumour.coach.get_follow_url(),
        "club follow": rumour.club.get_follow_url(),
    }[name]


def action_data(name):
    return {"value": "reliable"} if name == "vote" else {"action": "follow"}


def nothing_recorded():
    return not Vote.objects.exists() and not Follow.objects.exists()


def page(response) -> str:
    return response.content.decode()


def text(response) -> str:
    """The words a reader sees: the page without its tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page(response)).split())


ACTIONS = ["vote", "coach follow", "club follow"]


# ------------------------------------------------------------------ without logging in


@pytest.mark.parametrize("name", ACTIONS)
def test_a_visitors_form_post_is_sent_to_log_in_and_back(client, rumour, name):
    response = client.post(action_url(name, rumour), action_data(name))
    assert response.status_code == 302
    assert response.url.startswith(f"{reverse('login')}?next=")
    assert "Log in" in text(client.get(response.url))
    assert nothing_recorded()


@pytest.mark.parametrize("name", ACTIONS)
def test_a_visitors_htmx_post_is_a_401_that_htmx_follows_to_log_in(client, rumour, name):
    response = client.post(action_url(name, rumour), action_data(name), headers=HTMX)
    assert response.status_code == 401
    assert response["HX-Redirect"].startswith(f"{reverse('login')}?next=")
    assert page(response) == "Log in to do this."
    assert nothing_recorded()


# ------------------------------------------------------------------ without a CSRF token


@pytest.fixture
def csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", ACTIONS)
def test_a_form_without_its_csrf_token_gets_the_expired_form_page(csrf_client, rumour, name):
    response = csrf_client.post(action_url(name, rumour), action_data(name))
    assert response.status_code == 403
    assert EXPIRED_FORM in text(response)
    assert "reload the page" in text(response)
    assert nothing_recorded()


@pytest.mark.parametrize("name", ACTIONS)
def test_an_htmx_post_without_its_csrf_token_gets_a_line_saying_to_reload(
    csrf_client, rumour, name
):
    response = csrf_client.post(action_url(name, rumour), action_data(name), headers=HTMX)
    assert response.status_code == 403
    assert page(response) == "This page has expired. Reload it and try again."
    assert nothing_recorded()


def test_a_forged_csrf_token_is_refused_like_a_missing_one(csrf_client, rumour):
    response = csrf_client.post(
        vote_url(rumour), {"value": "reliable", "csrfmiddlewaretoken": "x" * 64}
    )
    assert response.status_code == 403
    assert EXPIRED_FORM in text(response)


@pytest.mark.parametrize(
    "url", ["rumours:notifications-read", "rumours:alert-settings", "rumours:alert-feed-regenerate"]
)
def test_the_alert_forms_refuse_a_post_without_its_csrf_token(csrf_client, user, url):
    response = csrf_client.post(reverse(url), {"email_alerts": "off"})
    assert response.status_code == 403
    assert EXPIRED_FORM in text(response)
    user.refresh_from_db()
    assert user.email_alerts != User.EmailAlerts.OFF
    assert not user.feed_token


# ------------------------------------------------------------------ unknown things


@pytest.mark.parametrize(
    "url",
    [
        vote_url(987654321),
        vote_url(HUGE_ID),
        "/coaches/nobody-at-all/follow/",
        "/clubs/nobody-at-all/follow/",
    ],
)
@pytest.mark.parametrize("headers", [{}, HTMX])
def test_acting_on_something_unknown_is_a_404_page(fan_client, url, headers):
    response = fan_client.post(url, {"value": "reliable", "action": "follow"}, headers=headers)
    assert response.status_code == 404
    assert NOT_FOUND in text(response)


def test_a_visitor_acting_on_an_unknown_rumour_is_told_so_before_logging_in(client):
    response = client.post(vote_url(987654321), {"value": "reliable"})
    assert response.status_code == 404
    assert NOT_FOUND in text(response)


@pytest.mark.parametrize(
    "url",
    [
        f"/rumours/{HUGE_ID}/",
        f"/rumours/{HUGE_ID}/vote/",
        f"/alerts/{HUGE_ID}/",
        f"/alerts/{HUGE_ID}/read/",
        "/rumours/9223372036854775808/",
        "/rumours/00000000000000000000001/",
    ],
)
def test_an_id_too_big_for_the_database_is_a_404_not_a_500(fan_client, url):
    # PostgreSQL refuses integers past 64 bits: the classic overflow 500.
    method = fan_client.post if url.endswith(("vote/", "read/")) else fan_client.get
    response = method(url, {"value": "reliable"})
    assert response.status_code == 404
    assert NOT_FOUND in text(response)


# ------------------------------------------------------------------ closed rumours


def closed_rumour(status):
    rumour = EvidenceFactory().rumour
    Rumour.objects.filter(pk=rumour.pk).update(status=status)
    rumour.refresh_from_db()
    return rumour


@pytest.mark.parametrize("status", CLOSED)
def test_a_vote_on_a_closed_rumour_is_refused_with_a_409_page(fan_client, status):
    rumour = closed_rumour(status)
    response = fan_client.post(vote_url(rumour), {"value": "reliable"})
    assert response.status_code == 409
    assert VOTING_CLOSED in text(response)
    assert rumour.get_status_display() in text(response)
    assert f'href="{rumour.coach.get_absolute_url()}#rumour-{rumour.pk}"' in page(response)
    assert not rumour.votes.exists()


@pytest.mark.parametrize("status", CLOSED)
def test_an_htmx_vote_on_a_closed_rumour_is_refused_and_reloads_the_page(fan_client, status):
    rumour = closed_rumour(status)
    response = fan_client.post(vote_url(rumour), {"value": "unreliable"}, headers=HTMX)
    assert response.status_code == 409
    assert response["HX-Refresh"] == "true"
    assert VOTING_CLOSED in page(response)
    assert "HX-Trigger" not in response
    assert not rumour.votes.exists()


@pytest.mark.parametrize("value", ["withdraw", "unreliable"])
def test_a_vote_on_a_closed_rumour_can_be_neither_withdrawn_nor_changed(fan_client, user, value):
    vote = VoteFactory(user=user, rumour=closed_rumour(Rumour.Status.HAPPENED))
    response = fan_client.post(vote_url(vote.rumour), {"value": value}, headers=HTMX)
    assert response.status_code == 409
    assert list(vote.rumour.votes.values_list("value", flat=True)) == [Vote.Value.RELIABLE]


def test_a_visitor_voting_on_a_closed_rumour_is_told_it_is_closed_not_sent_to_log_in(client):
    rumour = closed_rumour(Rumour.Status.EXPIRED)
    response = client.post(vote_url(rumour), {"value": "reliable"})
    assert response.status_code == 409
    assert VOTING_CLOSED in text(response)


def test_a_vote_with_a_bad_value_on_a_closed_rumour_is_still_told_it_is_closed(fan_client):
    rumour = closed_rumour(Rumour.Status.DID_NOT_HAPPEN)
    response = fan_client.post(vote_url(rumour), {"value": "maybe"})
    assert response.status_code == 409


def vote_widget(html, rumour):
    """The rumour's vote widget in a page: from its start to just past its buttons' fieldset."""
    start = html.index(f'id="vote-{rumour.pk}"')
    return html[start : html.index("</fieldset>", start) + 300]


@pytest.mark.parametrize("status", CLOSED)
def test_a_closed_rumours_card_shows_the_final_counts_with_no_button_to_press(
    fan_client, user, status
):
    rumour = closed_rumour(status)
    VoteFactory.create_batch(2, rumour=rumour, value=Vote.Value.UNRELIABLE)
    VoteFactory(rumour=rumour, user=user, value=Vote.Value.RELIABLE)
    html = page(fan_client.get(reverse("rumours:rumour-detail", args=[rumour.pk])))
    widget = vote_widget(html, rumour)
    assert "<fieldset disabled" in widget
    assert 'data-count="unreliable">2<' in widget
    own_vote = f'id="vote-{rumour.pk}-reliable" class="vote-button reliable" aria-pressed="true"'
    assert own_vote in widget
    assert 'type="submit"' not in widget
    assert "hx-post" not in widget
    assert 'name="value"' not in widget
    assert "Withdraw my vote" not in widget
    assert "Voting is closed" in widget


def test_a_closed_rumours_card_offers_a_visitor_no_login_to_vote(client):
    rumour = closed_rumour(Rumour.Status.HAPPENED)
    widget = vote_widget(page(client.get(rumour.coach.get_absolute_url())), rumour)
    assert "<fieldset disabled" in widget
    assert "log in to vote" not in widget.lower()
    assert "Voting is closed" in widget


def test_an_open_rumours_card_still_takes_votes(fan_client, rumour):
    widget = vote_widget(page(fan_client.get(rumour.coach.get_absolute_url())), rumour)
    assert "disabled" not in widget.split("<fieldset")[1].split(">")[0]
    assert 'name="value" value="reliable"' in widget


# ------------------------------------------------------------------ values outside the choices


TWO_VALUES = object()
BAD_VALUES = ["maybe", "", "x" * 10_000, "\x00", "Reliable", " reliable", TWO_VALUES, None]


def bad_form(field, value, good):
    """The form with value for field: TWO_VALUES sends good and its opposite, None leaves it out."""
    if value is TWO_VALUES:
        return {field: [good, f"un{good}"]}
    return {} if value is None else {field: value}


@pytest.mark.parametrize("value", BAD_VALUES, ids=repr)
def test_a_verdict_outside_the_choices_is_a_400_page_that_says_which_to_choose(
    fan_client, rumour, value
):
    response = fan_client.post(vote_url(rumour), bad_form("value", value, "reliable"))
    assert response.status_code == 400
    assert REFUSED in text(response)
    assert BAD_VERDICT in text(response)
    assert not rumour.votes.exists()


@pytest.mark.parametrize("value", BAD_VALUES, ids=repr)
def test_an_htmx_verdict_outside_the_choices_is_a_400_line(fan_client, rumour, value):
    response = fan_client.post(vote_url(rumour), bad_form("value", value, "reliable"), headers=HTMX)
    assert response.status_code == 400
    assert page(response) == BAD_VERDICT
    assert not rumour.votes.exists()


@pytest.mark.parametrize("value", BAD_VALUES, ids=repr)
@pytest.mark.parametrize("target", ["coach follow", "club follow"])
def test_a_follow_outside_the_choices_is_a_400_page(fan_client, rumour, target, value):
    response = fan_client.post(action_url(target, rumour), bad_form("action", value, "follow"))
    assert response.status_code == 400
    assert BAD_FOLLOW in text(response)
    assert not Follow.objects.exists()


def test_a_multipart_vote_with_a_file_for_a_verdict_is_refused(fan_client, rumour, tmp_path):
    upload = tmp_path / "reliable"
    upload.write_text("reliable")
    with upload.open("rb") as file:
        response = fan_client.post(vote_url(rumour), {"value": file})
    assert response.status_code == 400
    assert BAD_VERDICT in text(response)


def test_a_vote_as_json_is_refused_with_the_same_message(fan_client, rumour):
    response = fan_client.post(
        vote_url(rumour), '{"value": "reliable"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert BAD_VERDICT in text(response)


# ------------------------------------------------------------------ wrong methods


POST_ONLY = [
    "rumours:notifications-read",
    "rumours:alert-feed-regenerate",
    "logout",
]


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_an_action_opened_as_a_link_is_a_405_page(fan_client, rumour, name, method):
    response = getattr(fan_client, method)(action_url(name, rumour))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert NOT_ALLOWED in text(response)


@pytest.mark.parametrize("name", POST_ONLY)
def test_the_other_post_only_addresses_give_a_405_page(fan_client, name):
    response = fan_client.get(reverse(name))
    assert response.status_code == 405
    assert NOT_ALLOWED in text(response)


def test_a_notification_marked_read_by_a_link_is_a_405_page(fan_client, user):
    notification = NotificationFactory(user=user)
    response = fan_client.get(reverse("rumours:notification-read", args=[notification.pk]))
    assert response.status_code == 405
    assert NOT_ALLOWED in text(response)
    assert Notification.objects.get(pk=notification.pk).read_at is None


@pytest.mark.parametrize("url", ["/", "/search/?q=conte", "/sources/", "/leaderboard/"])
def test_pages_answer_head_with_headers_and_no_body(client, url):
    response = client.head(url)
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("url", ["/", "/search/", "/sources/", "/alerts/bell/", "/healthz/"])
def test_options_on_a_page_is_a_405_that_says_what_is_allowed(client, url):
    response = client.options(url)
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD"}


def test_a_page_posted_to_gets_the_405_page(client):
    response = client.post("/sources/")
    assert response.status_code == 405
    assert NOT_ALLOWED in text(response)


# ------------------------------------------------------------------ the same vote in parallel


def in_parallel(user, url, bodies):
    """Post each body from its own thread, database connection and client, all at once.

    Returns the status codes, and anything else that went wrong in a thread.
    A 500 is a status here, not an exception: the test client hears every
    thread's exceptions (got_request_exception) and would re-raise one
    thread's error in all the others.
    """
    login = Client()
    login.force_login(user)
    cookies = {name: morsel.value for name, morsel in login.cookies.items()}
    statuses = []

    def post(body):
        client = Client(raise_request_exception=False)
        client.cookies = SimpleCookie(cookies)
        statuses.append(client.post(url, body, headers=HTMX).status_code)

    errors = at_once([lambda body=body: post(body) for body in bodies])
    return statuses, errors


PARALLEL = 8


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_vote_sent_in_parallel_leaves_exactly_one_vote():
    user, rumour = UserFactory(), RumourFactory()
    statuses, errors = in_parallel(user, vote_url(rumour), [{"value": "reliable"}] * PARALLEL)
    assert errors == []
    assert statuses == [200] * PARALLEL
    assert list(rumour.votes.values_list("user", "value")) == [(user.pk, "reliable")]


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_opposite_votes_sent_in_parallel_leave_at_most_one_vote():
    user, rumour = UserFactory(), RumourFactory()
    bodies = [{"value": "reliable"}, {"value": "unreliable"}, {"value": "withdraw"}] * 3
    statuses, errors = in_parallel(user, vote_url(rumour), bodies)
    assert errors == []
    assert statuses == [200] * len(bodies)
    assert rumour.votes.count() <= 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_follow_sent_in_parallel_leaves_exactly_one_follow():
    user, coach = UserFactory(), CoachFactory()
    statuses, errors = in_parallel(user, coach.get_follow_url(), [{"action": "follow"}] * PARALLEL)
    assert errors == []
    assert statuses == [200] * PARALLEL
    assert Follow.objects.filter(user=user, coach=coach).count() == 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_follows_and_unfollows_sent_in_parallel_leave_at_most_one_follow():
    user, club = UserFactory(), ClubFactory()
    bodies = [{"action": "follow"}, {"action": "unfollow"}] * 5
    statuses, errors = in_parallel(user, club.get_follow_url(), bodies)
    assert errors == []
    assert statuses == [200] * len(bodies)
    assert Follow.objects.filter(user=user, club=club).count() <= 1


# ------------------------------------------------------------------ odd searches


ODD_SEARCHES = {
    "overlong": "a" * 10_000,
    "nul byte": "quinta\x00relli",
    "like wildcards": "%_%",
    "backslashes": "\\\\%",
    "sql": "' OR 1=1 --",
    "regex": ".*(a|b)+[^]$\\",
    "emoji": "⚽🔥 Quintarelli",
    "right-to-left marks": "\u202e\u200filleratniuQ",
    "only spaces": " \t  ",
    "lone surrogate escaped": "%ED%A0%80",
    "html": "<script>alert(1)</script>",
}


@pytest.mark.parametrize("query", ODD_SEARCHES.values(), ids=ODD_SEARCHES.keys())
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_an_odd_search_is_answered_never_broken(client, query, headers):
    CoachFactory(full_name="Zebedeo Quintarelli")
    response = client.get(reverse("rumours:search"), {"q": query}, headers=headers)
    assert response.status_code == 200
    assert 'id="search-results"' in page(response)
    assert "<script>alert" not in page(response)


def test_an_overlong_search_says_it_is_too_long(client):
    response = client.get(reverse("rumours:search"), {"q": "a" * 10_000})
    assert "at most 100 characters" in text(response)


def test_a_search_with_a_nul_byte_says_so(client):
    response = client.get(reverse("rumours:search"), {"q": "quinta\x00relli"})
    assert "Null characters are not allowed" in text(response)


@pytest.mark.parametrize("query", ["%%", "__", "%_", "\\%"])
def test_like_wildcards_match_themselves_not_every_name(client, query):
    CoachFactory(full_name="Zebedeo Quintarelli")
    response = client.get(reverse("rumours:search"), {"q": query})
    assert "Quintarelli" not in page(response)


def test_a_raw_invalid_utf8_query_string_is_answered(client):
    response = client.get("/search/?q=%ff%fe%00&q=%c0%af")
    assert response.status_code == 200


# ------------------------------------------------------------------ tampered tokens


def unsubscribe_url(token):
    return reverse("rumours:unsubscribe", args=[token])


def tampered(token):
    return token[:-2] + ("AA" if not token.endswith("AA") else "BB")


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "x" * 5000,
        "1:1a2b3c:abcdefghijklmnopqrstuvwxyz0123456789",
        "eyJ1c2VyIjoxfQ:1tnYZ1:tampered",
        "%00",
        "..%2F..%2Fetc%2Fpasswd",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_garbage_unsubscribe_token_is_a_400_page_that_says_what_to_do(client, token, method):
    response = getattr(client, method)(unsubscribe_url(token))
    assert response.status_code == 400
    assert "This unsubscribe link is not valid" in text(response)


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unsubscribe_token_with_a_nul_byte_is_a_400_page(client, method):
    response = getattr(client, method)("/alerts/unsubscribe/%00/")
    assert response.status_code == 400
    assert "not valid" in text(response)


def test_a_tampered_unsubscribe_token_changes_nothing(client, user):
    response = client.post(unsubscribe_url(tampered(alerts.unsubscribe_token(user))))
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email_alerts != User.EmailAlerts.OFF


def test_an_unsubscribe_token_signed_for_something_else_is_refused(client, user):
    forged = signing.dumps(user.pk, salt="some-other-purpose")
    assert client.post(unsubscribe_url(forged)).status_code == 400
    forged = signing.dumps(str(user.pk), salt=alerts.UNSUBSCRIBE_SALT)
    assert client.post(unsubscribe_url(forged)).status_code == 400
    user.refresh_from_db()
    assert user.email_alerts != User.EmailAlerts.OFF


@pytest.mark.parametrize(
    "url",
    [
        "/alerts/feed/garbage/",
        "/alerts/feed/" + "x" * 5000 + "/",
        "/alerts/feed/%00/",
        "/alerts/feed/%25/",
        "/alerts/feed/'%20OR%20'1'='1/",
        "/alerts/feed/..%2F..%2F/",
    ],
)
def test_a_garbage_feed_token_is_a_404_page(client, url):
    UserFactory().regenerate_feed_token()
    response = client.get(url)
    assert response.status_code == 404
    assert NOT_FOUND in text(response)


def test_a_tampered_feed_token_is_a_404(client):
    token = UserFactory().regenerate_feed_token()
    assert client.get(reverse("rumours:personal-feed", args=[tampered(token)])).status_code == 404
    assert client.get(reverse("rumours:personal-feed", args=[token.upper()])).status_code == 404


# ------------------------------------------------------------------ open redirects


EVIL_NEXT = [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "https:evil.example",
    "%2F%2Fevil.example",
    "/\t/evil.example",
    " //evil.example",
    "http://testserver@evil.example/",
    "data:text/html,<script>alert(1)</script>",
    "///evil.example",
]


def assert_stays_on_site(response):
    """The redirect, read as a browser would (backslashes as slashes, tabs dropped), is on site."""
    assert response.status_code in (301, 302, 303)
    location = re.sub(r"[\t\n\r]", "", response["Location"]).replace("\\", "/").strip()
    target = urlsplit(urljoin("http://testserver/accounts/login/", location))
    assert (target.scheme, target.netloc) == ("http", "testserver"), response["Location"]


@pytest.mark.parametrize("evil", EVIL_NEXT)
def test_logging_in_never_redirects_off_site(client, evil):
    user = UserFactory()
    response = client.post(
        f"{reverse('login')}?next={quote(evil)}",
        {"username": user.username, "password": PASSWORD, "next": evil},
    )
    assert_stays_on_site(response)


@pytest.mark.parametrize("evil", EVIL_NEXT)
def test_the_login_page_never_links_off_site(client, evil):
    response = client.get(reverse("login"), {"next": evil})
    assert response.status_code == 200
    assert 'href="https://evil.example' not in page(response)
    assert 'href="//evil.example' not in page(response)


@pytest.mark.parametrize("evil", EVIL_NEXT)
def test_signing_up_never_redirects_off_site(client, evil):
    response = client.post(
        f"{reverse('signup')}?next={quote(evil)}",
        {
            "username": "newfan",
            "email": "newfan@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": evil,
        },
    )
    assert_stays_on_site(response)
    assert User.objects.filter(username="newfan").exists()


@pytest.mark.parametrize("evil", EVIL_NEXT)
@pytest.mark.parametrize("name", ACTIONS)
def test_voting_and_following_never_redirect_off_site(fan_client, rumour, name, evil):
    response = fan_client.post(action_url(name, rumour), {**action_data(name), "next": evil})
    assert_stays_on_site(response)


@pytest.mark.parametrize("evil", EVIL_NEXT)
@pytest.mark.parametrize("name", ACTIONS)
def test_a_visitor_is_never_sent_to_log_in_with_an_off_site_next(client, rumour, name, evil):
    response = client.post(action_url(name, rumour), {**action_data(name), "next": evil})
    assert response.status_code == 302
    login_next = unquote(response.url.split("next=", 1)[1])
    assert login_next.startswith("/") and "evil.example" not in login_next


@pytest.mark.parametrize("evil", EVIL_NEXT)
def test_an_htmx_current_url_on_another_site_is_ignored(fan_client, rumour, evil):
    response = fan_client.post(
        vote_url(rumour),
        {"value": "reliable"},
        headers={**HTMX, "HX-Current-URL": evil},
    )
    assert response.status_code == 200
    assert "evil.example" not in page(response)


@pytest.mark.parametrize("evil", EVIL_NEXT)
def test_switching_language_never_redirects_off_site(client, evil):
    response = client.get(reverse("rumours:language"), {"language": "it", "next": evil})
    assert_stays_on_site(response)


@pytest.mark.parametrize("evil", EVIL_NEXT)
def test_marking_alerts_read_never_redirects_off_site(fan_client, user, evil):
    notification = NotificationFactory(user=user)
    for url in (
        reverse("rumours:notifications-read"),
        reverse("rumours:notification-read", args=[notification.pk]),
    ):
        assert_stays_on_site(fan_client.post(url, {"next": evil}))


@pytest.mark.parametrize("evil", EVIL_NEXT)
def test_logging_out_never_redirects_off_site(fan_client, evil):
    assert_stays_on_site(fan_client.post(f"{reverse('logout')}?next={quote(evil)}"))


# ------------------------------------------------------------------ another fan's alerts


@pytest.fixture
def someone_elses(db):
    return NotificationFactory(user=UserFactory())


def test_opening_another_fans_alert_is_a_404(fan_client, someone_elses):
    response = fan_client.get(reverse("rumours:notification-open", args=[someone_elses.pk]))
    assert response.status_code == 404
    assert NOT_FOUND in text(response)
    assert Notification.objects.get(pk=someone_elses.pk).read_at is None


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_marking_another_fans_alert_read_is_a_404(fan_client, someone_elses, headers):
    url = reverse("rumours:notification-read", args=[someone_elses.pk])
    response = fan_client.post(url, headers=headers)
    assert response.status_code == 404
    assert Notification.objects.get(pk=someone_elses.pk).read_at is None


def test_marking_all_read_leaves_other_fans_alerts_unread(fan_client, someone_elses):
    fan_client.post(reverse("rumours:notifications-read"))
    assert Notification.objects.get(pk=someone_elses.pk).read_at is None


def test_the_alerts_page_never_lists_another_fans_alerts(fan_client, someone_elses):
    response = fan_client.get(reverse("rumours:notifications"))
    assert reverse("rumours:notification-open", args=[someone_elses.pk]) not in page(response)


def test_the_settings_form_only_ever_changes_the_fans_own_account(fan_client, user):
    other = UserFactory()
    data = {
        "language": "it",
        "time_zone": "Europe/Rome",
        "site_alerts": "on",
        "email_alerts": "off",
        "digest_hour": "8",
        "alert_threshold": "60",
        # Fields a forger might add to reach another account or raise a flag.
        "id": other.pk,
        "pk": other.pk,
        "user": other.pk,
        "username": other.username,
        "email": "stolen@example.com",
        "is_staff": "on",
        "is_superuser": "on",
        "feed_token": "chosen-by-the-forger",
    }
    other_before = User.objects.values().get(pk=other.pk)
    username, email = user.username, user.email
    response = fan_client.post(reverse("rumours:alert-settings"), data)
    assert response.status_code == 302
    assert User.objects.values().get(pk=other.pk) == other_before
    user.refresh_from_db()
    assert (user.language, user.email_alerts) == ("it", User.EmailAlerts.OFF)
    assert (user.username, user.email) == (username, email)
    assert not (user.is_staff or user.is_superuser)
    assert user.feed_token != "chosen-by-the-forger"


@pytest.mark.parametrize("value", ["x" * 10_000, "\x00", "Mars/Olympus_Mons", "../../etc"])
def test_garbage_alert_settings_are_a_400_with_the_form_saying_why(fan_client, user, value):
    data = {"language": value, "time_zone": value, "digest_hour": value, "alert_threshold": value}
    response = fan_client.post(reverse("rumours:alert-settings"), data)
    assert response.status_code == 400
    assert 'class="form-errors"' in page(response)


# ------------------------------------------------------------------ every address, hostile


SAMPLES = {
    "int": ["0", HUGE_ID, "9223372036854775807", "00"],
    "slug": ["nobody", "x" * 400, "-", "_"],
    "str": ["x", "%00", "%25", "x" * 3000, "%E2%80%AE", "..%2F..", "%FF"],
    "path": ["1", "%00", HUGE_ID, "x/y", "x" * 300],
}
SAMPLES[None] = SAMPLES["str"]  # <name> without a converter is a str.


def routes(patterns=None, prefix=""):
    """Every route of the site as a string with <converter:name> parts, admin left out."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route != "admin/":
                yield from routes(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            yield prefix + route


def hostile_urls(route):
    parts = list(re.finditer(r"<(?:(\w+):)?(\w+)>", route))
    if not parts:
        return ["/" + route + "?next=//evil.example&page=" + HUGE_ID + "&q=%00"]
    urls = []
    for index in range(max(len(SAMPLES[part.group(1)]) for part in parts)):
        url = route
        for part in parts:
            samples = SAMPLES[part.group(1)]
            url = url.replace(part.group(0), samples[index % len(samples)], 1)
        urls.append("/" + url)
    return urls


HOSTILE_URLS = sorted({url for route in routes() for url in hostile_urls(route)})
HOSTILE_BODY = {
    "value": "x" * 2000,
    "action": ["follow", "unfollow"],
    "next": "//evil.example",
    "page": HUGE_ID,
    "q": "\x00",
    "username": "\x00",
    "password": "x" * 5000,
    "email": "not-an-email",
    "language": "zz",
}


def test_the_walk_covers_every_route_of_the_site():
    walked = {re.sub(r"<[^>]+>", "*", route) for route in routes()}
    assert {"rumours/*/vote/", "alerts/feed/*/", "accounts/reset/*/*/", "healthz/"} <= walked
    assert len(HOSTILE_URLS) > len(walked)


@pytest.mark.parametrize("as_fan", [False, True], ids=["visitor", "fan"])
@pytest.mark.parametrize("method", ["get", "head", "post", "options", "delete"])
def test_no_address_answers_hostile_arguments_with_a_server_error(client, user, as_fan, method):
    failures = []
    for url in HOSTILE_URLS:
        if as_fan:
            client.force_login(user)  # Again each time: one of the addresses logs out.
        send = getattr(client, method)
        response = send(url, HOSTILE_BODY) if method == "post" else send(url)
        if response.status_code >= 500:
            failures.append((url, response.status_code))
    assert failures == []


def test_the_admin_answers_hostile_ids_without_a_server_error(admin_client):
    failures = []
    for model in ("rumour", "coach", "club", "notification", "vote", "user"):
        for object_id in ("0", HUGE_ID, "%00", "x" * 300, "1%20OR%201=1"):
            for action in ("change/", "delete/", "history/", ""):
                url = f"/admin/rumours/{model}/{object_id}/{action}"
                if admin_client.get(url).status_code >= 500:
                    failures.append(url)
        changelist = f"/admin/rumours/{model}/?q=%00&o=999&p={HUGE_ID}&id__exact={HUGE_ID}"
        if admin_client.get(changelist).status_code >= 500:
            failures.append(changelist)
    assert failures == []


# ------------------------------------------------------------------ the error pages


def assert_no_inline_script_or_style(html):
    """The page runs nothing a Content-Security-Policy without 'unsafe-inline' would block."""
    assert re.search(r"<[^>]+\sstyle=", html) is None
    assert "<style" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert re.search(r"<[^>]+\son[a-z]+=", html) is None


def test_the_404_page_says_what_happened_and_what_to_do(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = page(response)
    assert '<section class="error-page">' in html
    assert NOT_FOUND in text(response)
    assert f'href="{reverse("rumours:search")}"' in html
    assert f'href="{reverse("rumours:home")}"' in html
    assert_no_inline_script_or_style(html)


def test_the_404_page_is_in_the_readers_language(client):
    response = client.get("/no/such/page/", headers={"Accept-Language": "it"})
    assert response.status_code == 404
    assert '<html lang="it">' in page(response)


def test_the_404_page_shows_the_fan_logged_in(fan_client, user):
    response = fan_client.get("/no/such/page/")
    assert user.username in page(response)


def test_the_csrf_page_says_the_form_expired_and_to_reload(csrf_client, rumour):
    response = csrf_client.post(vote_url(rumour), {"value": "reliable"})
    html = page(response)
    assert '<section class="error-page">' in html
    assert "Nothing was changed" in text(response)
    assert_no_inline_script_or_style(html)


def test_the_csrf_page_carries_a_fresh_token_so_a_reload_works(csrf_client, rumour):
    csrf_client.post(vote_url(rumour), {"value": "reliable"})
    board = page(csrf_client.get(rumour.coach.get_absolute_url()))
    token = board.split('"X-CSRFToken": "')[1].split('"')[0]
    response = csrf_client.post(
        vote_url(rumour), {"value": "reliable"}, headers={**HTMX, "X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert rumour.votes.count() == 1


def test_the_405_page_keeps_the_allow_header_and_has_no_inline_code(fan_client, rumour):
    response = fan_client.get(vote_url(rumour))
    assert response["Allow"] == "POST"
    assert '<section class="error-page">' in page(response)
    assert_no_inline_script_or_style(page(response))


def test_the_400_page_for_a_bad_request_explains_it(fan_client, rumour):
    response = fan_client.post(vote_url(rumour), {"value": "maybe"})
    assert '<section class="error-page">' in page(response)
    assert_no_inline_script_or_style(page(response))


def test_a_request_for_another_host_gets_the_400_page(client):
    response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert REFUSED in text(response)
    assert "evil.example" not in page(response)


def test_the_403_page_says_the_page_is_not_for_this_account(client):
    client.force_login(UserFactory(is_staff=True))  # Staff, but with no permission at all.
    response = client.get("/admin/rumours/rumour/")
    assert response.status_code == 403
    html = page(response)
    assert '<section class="error-page">' in html
    assert "You are not allowed to see this page" in text(response)
    assert_no_inline_script_or_style(html)


def server_fault(request):
    raise OperationalError("the database is down")


urlpatterns = [path("test-only/fault/", server_fault), *portal.urls.urlpatterns]


@pytest.mark.urls(__name__)
def test_a_server_fault_shows_the_500_page_without_touching_the_database(
    client, django_assert_num_queries
):
    client.raise_request_exception = False
    with django_assert_num_queries(0):
        response = client.get("/test-only/fault/")
    assert response.status_code == 500
    html = page(response)
    assert "Something went wrong on our side" in html
    assert "the database is down" not in html
    assert "/static/css/site.css" in html
    assert_no_inline_script_or_style(html)


def test_the_500_page_renders_with_no_database_and_no_request(django_db_blocker):
    with django_db_blocker.block():
        html = render_to_string("500.html")
    assert "Something went wrong on our side" in html
    assert 'href="/"' in html


@pytest.mark.parametrize(
    "template", ["400.html", "403.html", "403_csrf.html", "404.html", "405.html"]
)
def test_each_error_page_renders_with_no_request_at_all(template):
    # Django's handler400 has the request, but a broken one (a bad Host).
    html = render_to_string(template)
    assert '<section class="error-page">' in html
    assert 'href="/"' in html

"""Rate limits: guessing, flooding and scraping are held back with a 429, and nobody else is."""

import os
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse

from rumours import throttling
from rumours.models import User, Vote

from .factories import CoachFactory, RumourFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
PASSWORD = "correct horse battery staple"
ELSEWHERE = "198.51.100.20"


@pytest.fixture(autouse=True)
def still_clock(monkeypatch):
    """Hold the limits' clock still, so no test's requests straddle two counting windows."""
    now = time.time()
    monkeypatch.setattr("django_ratelimit.core.time", SimpleNamespace(time=lambda: now))


def allowed(limit: throttling.Limit) -> int:
    """How many requests the limit lets through in one window."""
    return int(limit.rate.split("/")[0])


def log_in(client, username, password, address="127.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def assert_retry_after(response, most: int):
    assert 0 < int(response["Retry-After"]) <= most


def minutes_to_wait(response) -> int:
    """The minutes the page tells the fan to wait (windows are fixed: less than a period)."""
    return -(-int(response["Retry-After"]) // 60)


def assert_logged_out(client):
    assert "_auth_user_id" not in client.session


# ------------------------------------------------------------------ login


def test_after_five_wrong_passwords_even_the_right_one_is_refused_in_the_form(client, user):
    for _ in range(allowed(throttling.LOGIN_FAILURES_PER_USERNAME)):
        assert log_in(client, user.username, "wrong").status_code == 200
    response = log_in(client, user.username, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    minutes = minutes_to_wait(response)
    unit = "minute" if minutes == 1 else "minutes"
    assert f"Too many attempts. Try again in {minutes} {unit}." in page
    assert f'action="{reverse("login")}"' in page  # The form again, to try later.
    assert_retry_after(response, 15 * 60)
    assert_logged_out(client)


def test_mistakes_under_the_limit_still_let_the_fan_in(client, user):
    for _ in range(allowed(throttling.LOGIN_FAILURES_PER_USERNAME) - 1):
        log_in(client, user.username, "wrong")
    assert log_in(client, user.username, PASSWORD).status_code == 302


def test_guesses_spread_over_many_addresses_still_lock_the_username(client, user):
    for n in range(allowed(throttling.LOGIN_FAILURES_PER_USERNAME)):
        log_in(client, user.username.upper(), "wrong", address=f"203.0.113.{n + 1}")
    assert log_in(client, user.username, PASSWORD, address=ELSEWHERE).status_code == 429


def test_logging_in_often_with_the_right_password_is_never_held_up(client, user):
    for _ in range(allowed(throttling.LOGIN_FAILURES_PER_USERNAME) + 2):
        assert log_in(client, user.username, PASSWORD).status_code == 302


def test_one_address_trying_many_usernames_is_stopped_and_other_addresses_are_not(client, user):
    for n in range(allowed(throttling.LOGINS_PER_IP)):
        assert log_in(client, f"someone{n}", "password1").status_code == 200
    response = log_in(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts. Try again in 1 minute." in response.content.decode()
    assert_logged_out(client)
    assert log_in(client, user.username, PASSWORD, address=ELSEWHERE).status_code == 302


def test_looking_at_the_login_page_counts_nothing(client, user):
    for _ in range(allowed(throttling.LOGINS_PER_IP) + 1):
        client.get(reverse("login"))
    assert log_in(client, user.username, PASSWORD).status_code == 302


def test_behind_a_proxy_the_last_forwarded_hop_is_the_address(client, user, settings):
    settings.BENCHWATCH_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"

    def attempt(hops, username):
        return client.post(
            reverse("login"),
            {"username": username, "password": "password1"},
            REMOTE_ADDR="10.0.0.2",  # The proxy's.
            HTTP_X_FORWARDED_FOR=hops,
        )

    for n in range(allowed(throttling.LOGINS_PER_IP)):
        # Whatever the client puts before it, the proxy's hop is the last.
        attempt(f"192.0.2.{n}, 203.0.113.7", f"someone{n}")
    assert attempt("192.0.2.99, 203.0.113.7", "another").status_code == 429
    assert attempt("203.0.113.8", "another").status_code == 200


def test_the_admin_login_is_limited_per_address_too(client):
    url = reverse("admin:login")
    for n in range(allowed(throttling.LOGINS_PER_IP)):
        client.post(url, {"username": f"admin{n}", "password": "password1"})
    response = client.post(url, {"username": "admin", "password": "password1"})
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()


# ------------------------------------------------------------------ password reset


def test_a_mailbox_gets_a_few_reset_emails_an_hour_however_many_addresses_ask(client, user):
    for n in range(allowed(throttling.PASSWORD_RESETS_PER_EMAIL)):
        client.post(reverse("password_reset"), {"email": user.email}, REMOTE_ADDR=f"192.0.2.{n}")
    response = client.post(reverse("password_reset"), {"email": user.email}, REMOTE_ADDR=ELSEWHERE)
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert_retry_after(response, 60 * 60)
    assert len(mail.outbox) == allowed(throttling.PASSWORD_RESETS_PER_EMAIL)


# ------------------------------------------------------------------ signup


def sign_up(client, username, address="127.0.0.1", password=PASSWORD):
    data = {
        "username": username,
        "email": f"{username}@example.com",
        "password1": password,
        "password2": password,
    }
    return client.post(reverse("signup"), data, REMOTE_ADDR=address)


def test_one_address_signing_up_again_and_again_gets_a_429_page(client):
    for n in range(allowed(throttling.SIGNUPS_PER_IP)):
        assert sign_up(client, f"flood{n}", password="1").status_code == 200  # Refused: weak.
    response = sign_up(client, "flood-last")
    assert response.status_code == 429
    page = response.content.decode()
    assert 'class="error-page"' in page and "Too many requests" in page
    assert_retry_after(response, 60 * 60)
    minutes = minutes_to_wait(response)
    if minutes > 1:
        assert f"Please wait {minutes} minutes and try again." in page
    else:
        assert "Please wait a minute and try again." in page
    assert not User.objects.filter(username="flood-last").exists()
    assert sign_up(client, "elsewhere", address=ELSEWHERE).status_code == 302


def test_the_signup_page_itself_is_never_limited(client):
    for _ in range(allowed(throttling.SIGNUPS_PER_IP) + 1):
        response = client.get(reverse("signup"))
    assert response.status_code == 200


# ------------------------------------------------------------------ votes and follows


def test_a_fan_voting_like_a_script_is_stopped_and_other_fans_are_not(client, fan_client):
    rumour = RumourFactory()
    url = reverse("rumours:vote", args=[rumour.pk])
    values = ["reliable", "unreliable"]
    for n in range(allowed(throttling.VOTES_PER_FAN)):
        assert fan_client.post(url, {"value": values[n % 2]}, headers=HTMX).status_code == 200
    response = fan_client.post(url, {"value": "withdraw"}, headers=HTMX)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == "Too many requests. Try again in 1 minute."
    assert_retry_after(response, 60)
    assert rumour.votes.count() == 1  # The withdrawal never happened.

    other = UserFactory()
    client.force_login(other)
    assert client.post(url, {"value": "reliable"}, headers=HTMX).status_code == 200
    assert Vote.objects.filter(user=other, rumour=rumour).exists()


def test_a_blocked_vote_without_htmx_gets_the_429_page(fan_client):
    rumour = RumourFactory()
    url = reverse("rumours:vote", args=[rumour.pk])
    for _ in range(allowed(throttling.VOTES_PER_FAN)):
        fan_client.post(url, {"value": "reliable"})
    response = fan_client.post(url, {"value": "reliable"})
    assert response.status_code == 429
    assert 'class="error-page"' in response.content.decode()
    assert_retry_after(response, 60)


def test_following_and_unfollowing_like_a_script_is_stopped(fan_client, user):
    coach = CoachFactory()
    actions = ["follow", "unfollow"]
    for n in range(allowed(throttling.FOLLOWS_PER_FAN)):
        response = fan_client.post(coach.get_follow_url(), {"action": actions[n % 2]}, headers=HTMX)
        assert response.status_code == 200
    response = fan_client.post(coach.get_follow_url(), {"action": "follow"}, headers=HTMX)
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert_retry_after(response, 60)
    assert not coach.follows.filter(user=user).exists()


# ------------------------------------------------------------------ search


def test_searching_as_fast_as_one_types_is_fine_but_a_scraper_is_stopped(client):
    url = reverse("rumours:search")
    # Cached pages count too: every request after the first is a cache hit.
    for _ in range(allowed(throttling.SEARCHES_PER_IP)):
        assert client.get(url, {"q": "mourinho"}, headers=HTMX).status_code == 200
    response = client.get(url, {"q": "mourinho"}, headers=HTMX)
    assert response.status_code == 429
    assert response.content.decode() == "Too many requests. Try again in 1 minute."
    assert_retry_after(response, 60)

    page = client.get(url, {"q": "mourinho"})
    assert page.status_code == 429
    assert 'class="error-page"' in page.content.decode()
    assert client.get(url, {"q": "mourinho"}, REMOTE_ADDR=ELSEWHERE).status_code == 200


# ------------------------------------------------------------------ switches and outages


def test_with_rate_limits_off_nothing_is_counted(client, user, settings):
    settings.RATELIMIT_ENABLE = False
    for _ in range(allowed(throttling.LOGIN_FAILURES_PER_USERNAME) + 1):
        log_in(client, user.username, "wrong")
    assert log_in(client, user.username, PASSWORD).status_code == 302


@pytest.mark.parametrize("raw, enabled", [("0", False), ("off", False), ("1", True)])
def test_benchwatch_rate_limits_switches_the_limits(raw, enabled):
    result = subprocess.run(
        [sys.executable, "-c", "from portal import settings; print(settings.RATELIMIT_ENABLE)"],
        env={**os.environ, "BENCHWATCH_RATE_LIMITS": raw},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == str(enabled), result.stderr


def test_when_the_cache_is_down_logins_go_through(client, user, settings):
    """A Redis outage: django-redis ignores the errors, and the limits let everyone in."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # Nothing listens there.
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1},
        }
    }
    for _ in range(allowed(throttling.LOGIN_FAILURES_PER_USERNAME) + 1):
        assert log_in(client, user.username, "wrong").status_code == 200
    assert log_in(client, user.username, PASSWORD).status_code == 302

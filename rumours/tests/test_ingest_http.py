"""The HTTP client over real sockets: limits, refusals, politeness, retries."""

import time

import pytest
from django.core.cache import cache

from rumours.ingest import http

from .servers import TrapHandler, serve


@pytest.fixture(autouse=True)
def fetch_settings(settings):
    settings.BENCHWATCH_ALLOW_PRIVATE_FETCH = True
    settings.BENCHWATCH_HOST_INTERVAL = 0
    settings.BENCHWATCH_FETCH_BACKOFF = 0.01
    settings.BENCHWATCH_READ_TIMEOUT = 1.0
    settings.BENCHWATCH_FETCH_DEADLINE = 2.0
    cache.clear()
    http.use_client(None)
    yield
    http.use_client(None)


@pytest.fixture
def trap():
    with serve(TrapHandler) as (base, server):
        yield base, server


def test_a_5xx_is_retried_with_backoff_then_reported_as_transient(trap):
    base, server = trap
    with pytest.raises(http.TransientFetchError, match="HTTP 500"):
        http.fetch(f"{base}/500", http.feed_policy())
    assert server.requested.count("/500") == 3


def test_a_404_is_permanent_and_not_retried(trap):
    base, server = trap
    with pytest.raises(http.FetchError, match="HTTP 404") as caught:
        http.fetch(f"{base}/404", http.feed_policy())
    assert not isinstance(caught.value, http.TransientFetchError)
    assert server.requested.count("/404") == 1


def test_a_slow_server_times_out(trap, settings):
    settings.BENCHWATCH_FETCH_ATTEMPTS = 1
    base, _ = trap
    with pytest.raises(http.TransientFetchError, match="timed out"):
        http.fetch(f"{base}/slow", http.feed_policy())


def test_a_trickling_body_is_cut_off_at_the_deadline(trap, settings):
    settings.BENCHWATCH_FETCH_ATTEMPTS = 1
    base, _ = trap
    started = time.monotonic()
    with pytest.raises(http.TransientFetchError, match="too slowly"):
        http.fetch(f"{base}/trickle", http.page_policy())
    assert time.monotonic() - started < 5


def test_a_redirect_to_a_private_address_is_refused(trap, settings):
    base, _ = trap
    settings.BENCHWATCH_ALLOW_PRIVATE_FETCH = False
    # The first hop is loopback too, so allow it by checking the second hop alone.
    with pytest.raises(http.PrivateAddressRefused):
        http.check_host_is_public("10.0.0.1", 80)
    with pytest.raises(http.PrivateAddressRefused, match="127.0.0.1"):
        http.fetch(f"{base}/redirect-private", http.page_policy())


def test_a_redirect_hop_is_checked_for_private_addresses(trap, settings, monkeypatch):
    base, _ = trap
    checked = []
    real_check = http.check_host_is_public

    def check(host, port):
        checked.append(host)
        if host == "10.0.0.1":
            settings.BENCHWATCH_ALLOW_PRIVATE_FETCH = False
        real_check(host, port)

    monkeypatch.setattr(http, "check_host_is_public", check)
    with pytest.raises(http.PrivateAddressRefused, match="10.0.0.1"):
        http.fetch(f"{base}/redirect-private", http.page_policy())
    assert checked[0] == "127.0.0.1" and checked[-1] == "10.0.0.1"


def test_a_name_resolving_to_loopback_is_refused(settings):
    settings.BENCHWATCH_ALLOW_PRIVATE_FETCH = False
    with pytest.raises(http.PrivateAddressRefused, match="localhost"):
        http.fetch("http://localhost:9/feed.xml", http.feed_policy())


def test_an_endless_redirect_loop_stops(trap):
    base, server = trap
    with pytest.raises(http.FetchError, match="redirects"):
        http.fetch(f"{base}/redirect-loop", http.page_policy())
    assert server.requested.count("/redirect-loop") == 6


def test_a_gzip_bomb_stops_at_the_size_cap(trap):
    base, _ = trap
    fetched = http.fetch(f"{base}/gzip-bomb", http.page_policy())
    assert fetched.truncated
    assert len(fetched.body) == http.page_policy().max_bytes


def test_a_feed_over_the_cap_is_refused(trap, settings):
    settings.BENCHWATCH_MAX_FEED_BYTES = 1024 * 1024
    base, _ = trap
    with pytest.raises(http.FetchError, match="cap"):
        http.fetch(f"{base}/gzip-bomb", http.FetchPolicy(max_bytes=1024 * 1024, accept=frozenset()))


def test_a_page_over_the_cap_is_truncated(trap):
    base, _ = trap
    fetched = http.fetch(f"{base}/huge", http.page_policy())
    assert fetched.truncated and len(fetched.body) == http.page_policy().max_bytes


def test_a_wrong_content_type_is_refused(trap):
    base, _ = trap
    with pytest.raises(http.FetchError, match="image/png"):
        http.fetch(f"{base}/image", http.page_policy())


def test_conditional_get_reports_not_modified(trap):
    base, _ = trap
    first = http.fetch(f"{base}/etag-feed", http.feed_policy())
    second = http.fetch(f"{base}/etag-feed", http.feed_policy(), etag=first.etag)
    assert first.etag == '"v1"' and not first.not_modified
    assert second.not_modified


def test_requests_to_one_host_are_spaced_by_the_interval(trap, settings):
    settings.BENCHWATCH_HOST_INTERVAL = 1
    base, _ = trap
    started = time.monotonic()
    for _ in range(3):
        http.fetch(f"{base}/etag-feed", http.feed_policy())
    assert time.monotonic() - started >= 1.8


def test_the_client_says_who_it_is(trap):
    base, _ = trap
    assert "BenchwatchBot" in http.client().headers["User-Agent"]


@pytest.mark.parametrize(
    "url", ["ftp://example.com/feed", "file:///etc/passwd", "javascript:alert(1)"]
)
def test_only_http_urls_are_fetched(url):
    with pytest.raises(http.FetchError, match="not an http"):
        http.fetch(url, http.feed_policy())

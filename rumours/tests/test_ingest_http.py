"""The HTTP client over real sockets: retries, politeness, conditional GET.

Hostile hosts (bombs, loops, private addresses, trickles) are in
test_hostile_sources.py.
"""

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

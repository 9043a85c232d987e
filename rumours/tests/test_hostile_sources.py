"""Hostile outlets: every way a source can attack or stall the scraper, over real HTTP.

Each test drives the real client, parsers and pipeline against TrapHandler
(servers.py) on 127.0.0.1, with short timeouts, and checks what a user or an
operator would see: a clear error (the exception, a SkippedPage's reason or
the source's last_error), nothing stored, or stored as plain text that the
site shows escaped. RELIABILITY.md lists the cases ("Hostile input to the
scraper").
"""

import itertools
import re
import socket
import tracemalloc

import pytest
from django.core.cache import cache
from django.urls import reverse

from rumours.ingest import http, pipeline
from rumours.ingest.feeds import FeedError
from rumours.ingest.pages import PageError
from rumours.ingest.pipeline import (
    IngestReport,
    NotAnArticle,
    discover,
    fetch_and_store_once,
    ingest_source,
)
from rumours.models import Article, Coach, Rumour, SkippedPage, Source

from . import servers
from .servers import TrapHandler, serve, silent_host

EVENT_HANDLER = re.compile(r"\bon[a-z]+\s*=", re.IGNORECASE)
TAG = re.compile(r"<\s*/?\s*[a-z!?]", re.IGNORECASE)


@pytest.fixture(autouse=True)
def fetch_settings(settings):
    settings.BENCHWATCH_ALLOW_PRIVATE_FETCH = True
    settings.BENCHWATCH_HOST_INTERVAL = 0
    settings.BENCHWATCH_FETCH_ATTEMPTS = 1
    settings.BENCHWATCH_FETCH_BACKOFF = 0.01
    settings.BENCHWATCH_CONNECT_TIMEOUT = 1.0
    settings.BENCHWATCH_READ_TIMEOUT = 1.0
    settings.BENCHWATCH_FETCH_DEADLINE = 2.0
    cache.clear()
    http.use_client(None)  # The client reads its timeouts when it is made.
    yield
    http.use_client(None)


@pytest.fixture
def trap():
    with serve(TrapHandler) as (base, server):
        yield base, server


def outlet(url: str, kind: str = "rss", slug: str = "trap") -> Source:
    return Source.objects.create(name=slug.title(), slug=slug, kind=kind, feed_url=url, tier=3)


def skipped_reason(url: str) -> str:
    return SkippedPage.objects.get(url=url).reason


def assert_plain(value: str) -> None:
    """No tags, not even as text, and nothing a browser could run."""
    assert not TAG.search(value), value
    assert "alert(" not in value and not EVENT_HANDLER.search(value), value
    assert "\x00" not in value


# --- Size: bombs, endless and oversized bodies ----------------------------------------------


def test_a_gzip_bomb_stops_at_the_size_cap(trap):
    base, _ = trap
    fetched = http.fetch(f"{base}/gzip-bomb", http.page_policy())
    assert fetched.truncated
    assert len(fetched.body) == http.page_policy().max_bytes  # not the 50 MB it inflates to


def test_a_gzip_bomb_as_a_feed_is_refused_at_the_cap(db, trap, settings):
    settings.BENCHWATCH_MAX_FEED_BYTES = 1024 * 1024
    base, _ = trap
    source = outlet(f"{base}/gzip-bomb", kind="atom")
    with pytest.raises(http.FetchError, match="larger than the cap of 1048576 bytes"):
        discover(source)
    source.refresh_from_db()
    assert "larger than the cap" in source.last_error and source.consecutive_failures == 1


def test_a_deflate_bomb_feed_is_refused_at_the_cap(db, trap, settings):
    settings.BENCHWATCH_MAX_FEED_BYTES = 1024 * 1024
    base, _ = trap
    source = outlet(f"{base}/deflate-bomb")
    with pytest.raises(http.FetchError, match="larger than the cap"):
        discover(source)


def test_an_endless_page_is_cut_at_the_cap_and_its_article_kept(db, trap, settings):
    settings.BENCHWATCH_MAX_PAGE_BYTES = 256 * 1024
    base, _ = trap
    stored = fetch_and_store_once(outlet(f"{base}/feeds/good.xml"), f"{base}/endless")
    assert stored.created
    assert stored.article.text.startswith("La Juventus ha deciso")
    assert "ad infinitum" not in stored.article.text  # the tracking scripts that follow


def test_an_endless_feed_is_refused_at_the_cap(db, trap, settings):
    settings.BENCHWATCH_MAX_FEED_BYTES = 256 * 1024
    base, _ = trap
    source = outlet(f"{base}/endless.xml")
    with pytest.raises(http.FetchError, match="larger than the cap"):
        discover(source)
    source.refresh_from_db()
    assert "larger than the cap of 262144 bytes" in source.last_error


def test_a_body_declared_far_past_the_cap_is_refused_before_it_is_read(db, trap):
    base, _ = trap
    source = outlet(f"{base}/huge-declared")
    with pytest.raises(http.FetchError, match="body of 10737418240 bytes is over the cap"):
        discover(source)


def test_a_page_far_past_the_cap_is_truncated(trap):
    base, _ = trap
    fetched = http.fetch(f"{base}/huge", http.page_policy())
    assert fetched.truncated and len(fetched.body) == http.page_policy().max_bytes


# --- Redirects and addresses ---------------------------------------------------------------


def test_an_endless_redirect_loop_stops(trap):
    base, server = trap
    with pytest.raises(http.FetchError, match="more than 5 redirects"):
        http.fetch(f"{base}/redirect-loop", http.page_policy())
    assert server.requested.count("/redirect-loop") == 6


def test_a_redirect_to_a_private_address_is_refused(trap, settings, monkeypatch):
    base, _ = trap
    settings.BENCHWATCH_ALLOW_PRIVATE_FETCH = False
    # The trap stands in for a public outlet; the address it redirects to is not.
    is_public = http.is_public_address
    monkeypatch.setattr(http, "is_public_address", lambda a: a == "127.0.0.1" or is_public(a))
    with pytest.raises(http.PrivateAddressRefused, match="10.0.0.1 resolves to 10.0.0.1"):
        http.fetch(f"{base}/redirect-private", http.page_policy())


def test_a_redirect_to_a_file_url_is_refused(trap):
    base, _ = trap
    with pytest.raises(http.FetchError, match="not an http.s. URL: 'file:///etc/passwd'"):
        http.fetch(f"{base}/redirect-file", http.page_policy())


def test_a_name_that_resolves_to_loopback_is_refused_before_any_request(trap, settings):
    base, server = trap
    settings.BENCHWATCH_ALLOW_PRIVATE_FETCH = False
    url = base.replace("127.0.0.1", "localhost") + "/articles/good"
    with pytest.raises(http.PrivateAddressRefused, match="localhost resolves to"):
        http.fetch(url, http.page_policy())
    assert server.requested == []


@pytest.mark.parametrize(
    "host",
    ["127.1", "2130706433", "0x7f000001", "[::1]", "[::ffff:127.0.0.1]", "0.0.0.0"],  # noqa: S104
)
def test_loopback_in_other_spellings_is_refused(trap, settings, host):
    base, server = trap
    settings.BENCHWATCH_ALLOW_PRIVATE_FETCH = False
    url = base.replace("127.0.0.1", host) + "/articles/good"
    with pytest.raises(http.PrivateAddressRefused, match="non-public address"):
        http.fetch(url, http.page_policy())
    assert server.requested == []


def test_a_name_that_turns_to_loopback_after_the_check_is_refused(trap, settings, monkeypatch):
    """DNS rebinding: the name looks public when checked, and is loopback when connecting."""
    base, server = trap
    settings.BENCHWATCH_ALLOW_PRIVATE_FETCH = False
    answers = itertools.cycle(["93.184.216.34", "127.0.0.1"])
    real_getaddrinfo = socket.getaddrinfo

    def rebinding_dns(host, *args, **kwargs):
        if host == "outlet.test":
            host = next(answers)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    url = base.replace("127.0.0.1", "outlet.test") + "/articles/good"
    with pytest.raises(http.PrivateAddressRefused, match="outlet.test connected to 127.0.0.1"):
        http.fetch(url, http.page_policy())
    assert server.requested == []  # not even robots.txt


# --- Slowness ------------------------------------------------------------------------------


def test_a_body_trickling_one_byte_a_second_is_cut_off_at_the_deadline(db, trap, settings):
    # Every byte comes within the read timeout: only the deadline can stop it.
    settings.BENCHWATCH_READ_TIMEOUT = 2.0
    settings.BENCHWATCH_FETCH_DEADLINE = 1.5
    base, _ = trap
    url = f"{base}/one-byte-a-second"
    with pytest.raises(http.TransientFetchError, match="too slowly"):
        fetch_and_store_once(outlet(f"{base}/feeds/good.xml"), url)
    skipped = SkippedPage.objects.get(url=url)
    assert "too slowly" in skipped.reason and not skipped.is_permanent  # tried again later


def test_headers_trickling_in_are_cut_off_at_the_deadline(db, trap, settings):
    settings.BENCHWATCH_READ_TIMEOUT = 2.0
    settings.BENCHWATCH_FETCH_DEADLINE = 1.5
    base, _ = trap
    source = outlet(f"{base}/slow-headers")
    # Every byte comes within the read timeout, and the headers would take a
    # minute; the body's own deadline check would only see them then.
    with pytest.raises(http.TransientFetchError, match="no response before the deadline"):
        discover(source)
    source.refresh_from_db()
    assert "no response before the deadline" in source.last_error


def test_a_slow_a_silent_and_a_failing_outlet_do_not_stall_a_good_one(db, gazetteer, trap):
    base, _ = trap
    with silent_host() as silent:
        sources = [
            outlet(f"{base}/slow-headers", slug="trickling"),
            outlet(f"{silent}/feed.xml", slug="silent"),
            outlet(f"{base}/500", slug="failing"),
            outlet(f"{base}/feeds/good.xml", slug="good"),
        ]
        report = IngestReport()
        for source in sources:
            ingest_source(source, report)
    assert report.new_articles == 1 and report.errors == 3
    assert Article.objects.get().url == f"{base}/articles/good"
    errors = {source.slug: Source.objects.get(pk=source.pk).last_error for source in sources}
    assert "no response before the deadline" in errors["trickling"]
    assert "timed out" in errors["silent"]
    assert "HTTP 500" in errors["failing"]
    assert errors["good"] == ""


# --- Content that is not what it claims ----------------------------------------------------


@pytest.mark.parametrize(
    "path, reason",
    [("/png-as-html", "a PNG image"), ("/noise-as-html", "binary data, not an HTML page")],
)
def test_binary_served_as_html_is_refused_and_remembered(db, trap, path, reason):
    base, server = trap
    url = base + path
    with pytest.raises(PageError, match=reason):
        fetch_and_store_once(outlet(f"{base}/feeds/good.xml"), url)
    assert reason in skipped_reason(url) and SkippedPage.objects.get(url=url).is_permanent
    assert not Article.objects.exists()


def test_a_wrong_content_type_is_refused(trap):
    base, _ = trap
    with pytest.raises(http.FetchError, match="image/png"):
        http.fetch(f"{base}/image", http.page_policy())


def test_an_unsupported_content_encoding_is_refused(trap):
    base, _ = trap
    with pytest.raises(http.FetchError, match="unsupported content encoding 'br'"):
        http.fetch(f"{base}/brotli", http.page_policy())


@pytest.mark.parametrize("path", ["/articles/lying-utf8-header", "/articles/lying-latin1-header"])
def test_a_charset_that_lies_about_the_bytes_is_overruled(db, trap, path):
    base, _ = trap
    stored = fetch_and_store_once(outlet(f"{base}/feeds/good.xml"), base + path)
    article = stored.article
    assert article.title == "Juve, è finita: Allegri esonerato"
    assert "Perché la società abbia scelto proprio questo momento è già chiaro" in article.text
    assert "\ufffd" not in article.text and "Ã" not in article.text


def test_a_utf7_charset_cannot_smuggle_in_a_script(db, trap):
    base, _ = trap
    stored = fetch_and_store_once(outlet(f"{base}/feeds/good.xml"), f"{base}/articles/utf-7")
    assert "+ADw-script+AD4-alert(7)" in stored.article.text  # left undecoded
    assert "<script" not in stored.article.text


# --- XML attacks on feeds ------------------------------------------------------------------


def test_a_billion_laughs_feed_is_refused_before_any_expansion(db, trap):
    base, _ = trap
    source = outlet(f"{base}/feeds/billion-laughs.xml")
    with pytest.raises(FeedError, match="declares XML entities"):
        discover(source)
    source.refresh_from_db()
    assert "declares XML entities" in source.last_error


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "ebcdic"])
def test_a_quadratic_blowup_feed_is_refused_in_any_encoding(db, trap, encoding):
    base, _ = trap
    # 13 KB that feedparser would expand to a 10 MB title (quadratically more
    # as the feed grows), hidden from a byte search by UTF-16 or EBCDIC.
    path = "/feeds/quadratic-blowup.xml" if encoding == "utf-8" else f"/feeds/{encoding}-blowup.xml"
    with pytest.raises(FeedError, match="declares XML entities"):
        discover(outlet(base + path))


def test_an_external_entity_feed_never_reads_local_files(db, trap):
    base, server = trap
    source = outlet(f"{base}/feeds/external-entity.xml")
    with pytest.raises(FeedError, match="declares XML entities") as refused:
        discover(source)
    assert "root:" not in str(refused.value)
    source.refresh_from_db()
    assert "root:" not in source.last_error
    assert "/articles/xxe" not in server.requested


def test_a_feed_of_100000_entries_is_read_in_bounded_memory_and_capped_per_poll(db, trap):
    base, server = trap
    source = outlet(f"{base}/feeds/100000-entries.xml")
    servers.body("/feeds/100000-entries.xml")  # Made before measuring.
    tracemalloc.start()
    try:
        entries = discover(source)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A few copies of the 3.4 MB body (14 MB in all), not feedparser's dict for
    # each of 100,000 entries (68 MB, and 5 s to build them).
    assert peak < 6 * http.feed_policy().max_bytes
    assert len(entries) == pipeline.MAX_ENTRIES_PER_POLL
    # No dates: the feed's own order, newest first, is kept.
    assert [entry.url for entry in entries[:3]] == [f"{base}/s/0", f"{base}/s/1", f"{base}/s/2"]
    assert server.requested.count("/feeds/100000-entries.xml") == 1
    source.refresh_from_db()
    assert source.is_healthy and not source.last_error


def test_a_poll_takes_the_newest_entries_first(db, trap, monkeypatch):
    base, _ = trap
    monkeypatch.setattr(pipeline, "MAX_ENTRIES_PER_POLL", 2)
    entries = discover(outlet(f"{base}/feeds/unordered.xml"))
    assert [entry.title for entry in entries] == ["Wednesday", "Tuesday"]


# --- Injection: stored as plain text, shown escaped ----------------------------------------


def test_script_and_event_handlers_are_stored_as_plain_text_and_shown_escaped(
    db, gazetteer, trap, client
):
    base, server = trap
    source = outlet(f"{base}/feeds/injection.xml")
    report = ingest_source(source)
    assert report.new_articles == 2, report.error_messages
    for article in Article.objects.all():
        for value in (article.title, article.author, article.text):
            assert_plain(value)
    injected = Article.objects.get(url=f"{base}/articles/injection")
    assert injected.title == "Conte al Napoli: è fatta" and injected.author == "Mario Rossi"
    assert "SCRIPTED" not in injected.text and "SVGTEXT" not in injected.text
    escaped = Article.objects.get(url=f"{base}/articles/escaped-markup")
    assert escaped.title == 'Allegri esonerato: 3 < 4 & "fine"'
    assert escaped.author == "Mario Rossi"
    # The evidence links a real coach; his board and the outlet's page show
    # the headlines escaped, with nothing that runs.
    coach = Coach.objects.get(rumours__evidence__article=escaped)
    pages = [
        client.get(reverse("rumours:coach-detail", args=[coach.slug])),
        client.get(reverse("rumours:source-detail", args=[source.slug])),
    ]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert "Allegri esonerato: 3 &lt; 4 &amp; &quot;fine&quot;" in html
        assert "alert(" not in html and "onerror" not in html
    assert Rumour.objects.filter(coach__full_name="Antonio Conte").exists()


def test_markup_in_a_feed_headline_is_stored_as_plain_text(db, trap):
    base, _ = trap
    source = outlet(f"{base}/feeds/injected.xml")
    report = ingest_source(source)
    assert report.new_articles == 1, report.error_messages
    article = Article.objects.get()
    assert article.title == "Allegri esonerato"  # the page has no headline; the feed's is used
    assert_plain(article.title)


# --- Pages that are no article -------------------------------------------------------------


def test_a_path_forbidden_by_robots_is_never_requested(db, trap):
    base, server = trap
    url = f"{base}/forbidden/article"
    assert fetch_and_store_once(outlet(f"{base}/feeds/good.xml"), url) is None
    assert "robots.txt disallows" in skipped_reason(url)
    assert "/robots.txt" in server.requested and "/forbidden/article" not in server.requested
    assert not Article.objects.exists()


def test_a_javascript_only_page_is_remembered_as_no_article(db, trap):
    base, _ = trap
    url = f"{base}/js-only"
    assert fetch_and_store_once(outlet(f"{base}/feeds/good.xml"), url) is None
    assert "not a news article" in skipped_reason(url)
    assert not Article.objects.exists()


def test_an_empty_page_is_remembered_as_no_article(db, trap):
    base, _ = trap
    url = f"{base}/empty"
    source = outlet(f"{base}/feeds/good.xml")
    with pytest.raises(NotAnArticle):
        pipeline.fetch_and_store(source, url)
    assert fetch_and_store_once(source, url) is None
    assert "not a news article" in skipped_reason(url)
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "path, language, words",
    [
        ("/articles/finnish", "fi", "Juventus on tehnyt päätöksensä: Massimiliano Allegri"),
        ("/articles/japanese", "ja", "クラブはついに決断を下した。"),
    ],
)
def test_a_page_in_an_unsupported_language_is_kept_with_its_language(
    db, gazetteer, trap, path, language, words
):
    base, _ = trap
    source = outlet(f"{base}/feeds/good.xml")
    source.language = "it"
    stored = fetch_and_store_once(source, base + path)
    assert stored.article.language == language  # not the outlet's usual Italian
    assert stored.article.text.startswith(words)
    assert pipeline.extract(stored.article) == 0
    assert not Rumour.objects.exists()

"""The whole pipeline over real HTTP against the mock news site on 127.0.0.1."""

import json
import socket

import pytest
from django.core.cache import cache
from django.core.management import call_command

from rumours.extract.normalize import fold
from rumours.ingest import http
from rumours.ingest.pipeline import IngestReport, fetch_and_store_once, ingest_source, known_urls
from rumours.models import Article, ArticleURL, Evidence, Notification, Rumour, SkippedPage, Source

from .servers import NEWSITE, TrapHandler, serve

CORPUS = {
    row["id"]: row
    for row in map(json.loads, (NEWSITE.parent / "corpus" / "dev.jsonl").read_text().splitlines())
}
MANIFEST = json.loads((NEWSITE / "MANIFEST.json").read_text())


@pytest.fixture(autouse=True)
def fetch_settings(settings):
    settings.BENCHWATCH_ALLOW_PRIVATE_FETCH = True
    settings.BENCHWATCH_HOST_INTERVAL = 0
    settings.BENCHWATCH_FETCH_BACKOFF = 0.01
    settings.BENCHWATCH_READ_TIMEOUT = 1.0
    cache.clear()
    http.use_client(None)


def newsite_sources(base):
    return [
        Source.objects.create(
            name="MercatoWeb",
            slug="mercatoweb",
            language="it",
            kind="rss",
            tier=3,
            feed_url=f"{base}/mercatoweb/rss.xml",
            body_selector="div.entry-content",
        ),
        Source.objects.create(
            name="Gossip Daily",
            slug="gossipdaily",
            language="en",
            kind="atom",
            tier=4,
            feed_url=f"{base}/gossipdaily/atom.xml",
            body_selector="article",
        ),
        Source.objects.create(
            name="DiarioGol",
            slug="diariogol",
            language="es",
            kind="html",
            tier=3,
            feed_url=f"{base}/diariogol/index.html",
            body_selector="section#cuerpo",
        ),
    ]


def ingest_all(sources):
    report = IngestReport()
    for source in sources:
        ingest_source(source, report)
    return report


@pytest.fixture
def ingested(db, gazetteer, newsite):
    base, server = newsite
    sources = newsite_sources(base)
    report = ingest_all(sources)
    return base, server, sources, report


def article_at(base, path):
    return Article.objects.get(url=base + path)


def test_every_manifest_article_is_stored_exactly_once(ingested):
    base, _, _, report = ingested
    assert Article.objects.count() == len(MANIFEST["articles"]) == report.new_articles
    for path in MANIFEST["articles"]:
        assert article_at(base, path)
    assert report.errors == 0, report.error_messages


def test_titles_and_dates_match_the_articles(ingested):
    base = ingested[0]
    for path, corpus_id in MANIFEST["articles"].items():
        article, gold = article_at(base, path), CORPUS[corpus_id]
        assert " ".join(article.title.split()) == " ".join(gold["title"].split()), path
        assert (
            article.published_at.date().isoformat()[: len(gold["published"])] == gold["published"]
        ), path


def test_bodies_are_the_article_text_and_nothing_else(ingested):
    base = ingested[0]
    for path, corpus_id in MANIFEST["articles"].items():
        text, gold = article_at(base, path).text, CORPUS[corpus_id]["text"]
        assert fold(text) == fold(gold), path
        assert "Related stories" not in text


def test_the_windows_1252_page_keeps_its_accents(ingested):
    base = ingested[0]
    path = next(p for p, why in MANIFEST["awkward"].items() if "windows-1252" in why)
    text = article_at(base, path).text
    accented = {
        word
        for word in CORPUS[MANIFEST["articles"][path]]["text"].split()
        if fold(word) != word.lower()
    }
    assert accented and all(word in text for word in accented)


def test_the_broken_html_and_the_oversized_pages_are_parsed(ingested):
    base = ingested[0]
    for path in MANIFEST["awkward"]:
        assert len(article_at(base, path).text) > 500


def test_duplicate_urls_become_alternates_of_one_article(ingested):
    base = ingested[0]
    for path, corpus_id in MANIFEST["duplicates"].items():
        original = next(p for p, i in MANIFEST["articles"].items() if i == corpus_id)
        article = article_at(base, original)
        if "utm_" in path:
            assert not Article.objects.filter(url__contains="utm_").exists()
        else:
            assert ArticleURL.objects.get(url=base + path).article == article


def test_robots_forbidden_pages_are_never_requested(ingested):
    server = ingested[1]
    for path in MANIFEST["robots_disallowed"]:
        assert path not in server.requested


def test_pages_that_are_not_articles_are_not_stored(ingested):
    base, server = ingested[0], ingested[1]
    for path in MANIFEST["not_articles"]:
        assert not Article.objects.filter(url=base + path).exists()
        # Either the index heuristics never followed the link, or the page was
        # read, judged not an article and remembered so it is not read again.
        assert path not in server.requested or SkippedPage.objects.get(url=base + path).is_permanent


def test_a_page_judged_not_an_article_is_remembered_and_not_fetched_again(db, newsite):
    base, server = newsite
    source = Source.objects.create(
        name="Index", slug="index", kind="html", feed_url=f"{base}/diariogol/index.html"
    )
    contact = f"{base}/diariogol/contacto.html"
    assert fetch_and_store_once(source, contact) is None
    assert SkippedPage.objects.get(url=contact).is_permanent
    assert contact not in known_urls([contact])
    assert server.requested.count("/diariogol/contacto.html") == 1


def test_a_second_run_creates_nothing(ingested):
    sources, first = ingested[2], ingested[3]
    counts = [
        model.objects.count() for model in (Article, ArticleURL, Evidence, Rumour, Notification)
    ]
    second = ingest_all(sources)
    assert second.new_articles == second.new_links == 0
    assert counts == [
        model.objects.count() for model in (Article, ArticleURL, Evidence, Rumour, Notification)
    ]
    assert first.new_links == Evidence.objects.count()


def test_every_source_is_healthy_after_a_good_poll(ingested):
    for source in ingested[2]:
        source.refresh_from_db()
        assert source.is_healthy and source.last_success_at and not source.last_error


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    "kind, path, error",
    [
        ("rss", "/500", "HTTP 500"),
        ("rss", "/404", "HTTP 404"),
        ("rss", "/slow", "timed out"),
        ("rss", "/malformed.xml", "feed"),
        ("rss", "/page-not-feed", "HTML page"),
        ("atom", "/image", "image/png"),
    ],
)
def test_a_dead_source_records_its_error_and_the_others_still_ingest(
    db, gazetteer, newsite, kind, path, error, settings
):
    settings.BENCHWATCH_FETCH_ATTEMPTS = 1
    base = newsite[0]
    with serve(TrapHandler) as (trap_base, _):
        dead = Source.objects.create(name="Dead", slug="dead", kind=kind, feed_url=trap_base + path)
        report = ingest_all([dead, *newsite_sources(base)])
    dead.refresh_from_db()
    assert error in dead.last_error
    assert dead.consecutive_failures == 1 and dead.next_poll_at
    assert report.errors == 1
    assert report.new_articles == len(MANIFEST["articles"])


def test_connection_refused_is_recorded(db, settings):
    settings.BENCHWATCH_FETCH_ATTEMPTS = 1
    dead = Source.objects.create(
        name="Gone", slug="gone", feed_url=f"http://127.0.0.1:{closed_port()}/rss"
    )
    report = ingest_all([dead])
    dead.refresh_from_db()
    assert "cannot reach" in dead.last_error and report.errors == 1


def test_repeated_failures_back_off_and_mark_the_source_unhealthy(db, settings):
    settings.BENCHWATCH_FETCH_ATTEMPTS = 1
    with serve(TrapHandler) as (trap_base, _):
        dead = Source.objects.create(
            name="Dead", slug="dead", feed_url=trap_base + "/404", poll_interval=10
        )
        delays = []
        for _ in range(3):
            ingest_all([dead])
            dead.refresh_from_db()
            delays.append((dead.next_poll_at - dead.last_polled_at).total_seconds() / 60)
    assert delays == [20, 40, 80]
    assert not dead.is_healthy


def test_a_source_recovers_by_itself_when_the_outlet_answers(db, gazetteer, newsite, settings):
    base = newsite[0]
    source = newsite_sources(base)[0]
    source.consecutive_failures, source.last_error = 5, "HTTP 500"
    source.save()
    ingest_all([source])
    source.refresh_from_db()
    assert source.is_healthy and source.consecutive_failures == 0


def test_the_ingest_command_prints_a_json_summary(db, gazetteer, newsite, capsys):
    Source.objects.update(is_active=False)  # The real outlets are out of reach here.
    newsite_sources(newsite[0])
    call_command("ingest", "--json")
    summary = json.loads(capsys.readouterr().out)
    assert summary["sources"] == 3
    assert summary["new_articles"] == len(MANIFEST["articles"])
    assert set(summary) == {
        "sources",
        "fetched",
        "new_articles",
        "duplicates",
        "errors",
        "new_links",
    }


def test_the_ingest_command_can_run_one_source(db, gazetteer, newsite, capsys):
    newsite_sources(newsite[0])
    call_command("ingest", "--source", "gossipdaily", "--json")
    summary = json.loads(capsys.readouterr().out)
    assert summary["sources"] == 1
    assert summary["new_articles"] == sum(
        1 for p in MANIFEST["articles"] if p.startswith("/gossipdaily/")
    )


@pytest.mark.parametrize(
    "path, kind",
    [
        ("/mercatoweb/rss.xml", "rss"),
        ("/gossipdaily/atom.xml", "atom"),
        ("/diariogol/index.html", "html"),
    ],
)
def test_add_source_detects_the_kind(db, newsite, path, kind):
    call_command("add_source", newsite[0] + path, "--name", f"Outlet {kind}", "--tier", "2")
    source = Source.objects.get(name=f"Outlet {kind}")
    assert source.kind == kind and source.tier == 2


def test_add_source_refuses_garbage(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a valid"):
        call_command("add_source", "not a url", "--name", "X")

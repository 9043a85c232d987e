"""Celery tasks, run in-process: each one twice creates nothing twice."""

import pytest
from django.utils import timezone

from rumours import tasks
from rumours.ingest import http
from rumours.models import Article, Evidence, Rumour, Source

from .test_ingest_pipeline import MANIFEST, newsite_sources


@pytest.fixture(autouse=True)
def fetching_locally(settings, in_process_tasks):
    settings.BENCHWATCH_ALLOW_PRIVATE_FETCH = True
    settings.BENCHWATCH_HOST_INTERVAL = 0
    http.use_client(None)


def counts():
    return Article.objects.count(), Evidence.objects.count(), Rumour.objects.count()


def test_polling_a_source_twice_stores_its_articles_once(
    db, gazetteer, newsite, django_capture_on_commit_callbacks
):
    source = newsite_sources(newsite[0])[1]
    expected = sum(1 for path in MANIFEST["articles"] if path.startswith("/gossipdaily/"))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.poll_source(source.pk)
    first = counts()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.poll_source(source.pk)
    assert first == counts() and first[0] == expected


def test_fetching_the_same_article_twice_stores_it_once(db, gazetteer, newsite):
    source = newsite_sources(newsite[0])[0]
    url = newsite[0] + next(p for p in MANIFEST["articles"] if p.startswith("/mercatoweb/"))
    first_id = tasks.fetch_article(source.pk, url)
    assert tasks.fetch_article(source.pk, url) is None
    assert Article.objects.get().pk == first_id


def test_extracting_twice_adds_no_evidence(db, gazetteer, newsite):
    source = newsite_sources(newsite[0])[0]
    url = newsite[0] + next(p for p in MANIFEST["articles"] if p.startswith("/mercatoweb/"))
    article_id = tasks.fetch_article(source.pk, url)
    tasks.extract_article(article_id)
    before = counts()
    assert tasks.extract_article(article_id) == 0
    assert counts() == before


def test_tasks_for_deleted_rows_return_quietly(db):
    assert tasks.poll_source(987654) == 0
    assert tasks.fetch_article(987654, "https://example.com/a") is None
    assert tasks.extract_article(987654) == 0


def test_the_sweep_claims_each_due_source_once(db, monkeypatch, django_capture_on_commit_callbacks):
    Source.objects.update(is_active=False)
    due = Source.objects.create(name="Due", slug="due", feed_url="https://due.example/rss")
    Source.objects.create(
        name="Later",
        slug="later",
        feed_url="https://later.example/rss",
        next_poll_at=timezone.now() + timezone.timedelta(hours=1),
    )
    queued = []
    monkeypatch.setattr(
        tasks.poll_source, "apply_async", lambda args, **options: queued.append(args)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.poll_due_sources() == 1
        assert tasks.poll_due_sources() == 0
    assert queued == [(due.pk,)]


def test_articles_whose_extraction_was_lost_are_read_by_the_sweep(
    db, gazetteer, newsite, settings, django_capture_on_commit_callbacks
):
    settings.BENCHWATCH_SWEEP_GRACE = 60
    source = newsite_sources(newsite[0])[0]
    url = newsite[0] + next(p for p in MANIFEST["articles"] if p.startswith("/mercatoweb/"))
    with django_capture_on_commit_callbacks(execute=False):
        article_id = tasks.fetch_article(source.pk, url)  # its extraction never leaves
    assert tasks.extract_missed_articles() == 0  # too recent: its task may still come
    Article.objects.filter(pk=article_id).update(
        fetched_at=timezone.now() - timezone.timedelta(minutes=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.extract_missed_articles() == 1
    assert Article.objects.get(pk=article_id).extracted_at is not None
    assert Evidence.objects.filter(article_id=article_id).exists()
    assert tasks.extract_missed_articles() == 0


def test_a_broker_outage_leaves_the_work_to_the_sweeps(db, monkeypatch, caplog):
    """Publishing to an unreachable broker is logged, never raised into a vote or an article."""
    from kombu.exceptions import OperationalError

    def unreachable(*args, **options):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.extract_article, "apply_async", unreachable)
    assert tasks.publish(tasks.extract_article, (1,)) is False
    assert "left to the sweeps" in caplog.text


def test_a_poll_whose_fetches_were_lost_finds_them_again(
    db, gazetteer, newsite, django_capture_on_commit_callbacks
):
    """The mock site answers If-Modified-Since with 304: the poll after news must not ask."""
    source = newsite_sources(newsite[0])[0]
    with django_capture_on_commit_callbacks(execute=False):  # the fetches never leave
        found = tasks.poll_source(source.pk)
    assert found > 0
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.poll_source(source.pk) == found
    assert Article.objects.count() > 0  # (a copy or two of one article are stored once)
    source.refresh_from_db()
    assert source.last_modified == ""
    # Everything is stored: the next poll reads the feed whole, finds nothing new,
    # and keeps the validators, so the one after asks "modified since?" again.
    assert tasks.poll_source(source.pk) == 0
    source.refresh_from_db()
    assert source.last_modified
    assert tasks.poll_source(source.pk) == 0

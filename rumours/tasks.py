"""Celery tasks: thin wrappers that take ids, call the pipeline, and queue the next step.

The chain is poll_due_sources → poll_source (one per outlet) → fetch_article
(one per new URL) → extract_article. Each is idempotent, acknowledged late
(a killed worker's task runs again) and bounded in time and retries.
"""

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from .ingest import http, pipeline
from .ingest.feeds import FeedError
from .ingest.pages import PageError
from .models import Article, Source

logger = logging.getLogger(__name__)

COMMON = {"acks_late": True, "time_limit": 300, "soft_time_limit": 240}


@shared_task(**COMMON)
def poll_due_sources():
    """Queue one poll per source whose time has come, claiming each so none is queued twice."""
    now = timezone.now()
    queued = 0
    for source in Source.objects.due(now).only("pk", "poll_interval"):
        claimed = (
            Source.objects.due(now)
            .filter(pk=source.pk)
            .update(next_poll_at=now + timezone.timedelta(minutes=source.poll_interval))
        )
        if claimed:
            transaction.on_commit(lambda pk=source.pk: poll_source.delay(pk))
            queued += 1
    return queued


@shared_task(
    autoretry_for=(http.TransientFetchError,),
    retry_backoff=60,
    retry_backoff_max=1800,
    max_retries=3,
    **COMMON,
)
def poll_source(source_id):
    """Read one outlet's feed and queue a fetch for each article not stored yet."""
    source = Source.objects.enabled().filter(pk=source_id).first()
    if source is None:
        return 0  # Deleted or disabled since the task was queued.
    try:
        entries = pipeline.discover(source)
    except http.TransientFetchError:
        raise
    except (http.FetchError, FeedError, PageError) as error:
        logger.warning("poll of %s failed: %s", source.slug, error)
        return 0
    for entry in entries:
        fetch_article.delay_on_commit(source.pk, entry.url, entry.title, entry.published_at)
    return len(entries)


@shared_task(
    autoretry_for=(http.TransientFetchError,),
    retry_backoff=30,
    retry_backoff_max=900,
    max_retries=3,
    **COMMON,
)
def fetch_article(source_id, url, title="", published_at=None):
    """Fetch, parse and store one article; queue its extraction if it is new."""
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        return None
    hint = pipeline.Entry(
        url=url, title=title or "", published_at=pipeline.as_datetime(published_at)
    )
    stored = pipeline.fetch_and_store_once(source, url, hint)
    if stored is None or not stored.created:
        return None
    extract_article.delay_on_commit(stored.article.pk)
    return stored.article.pk


@shared_task(**COMMON)
def extract_article(article_id):
    """Find the links an article reports and record them as rumours and evidence."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return 0
    return pipeline.extract(article)


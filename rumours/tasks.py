"""Celery tasks: thin wrappers that take ids, call the pipeline, and queue the next step.

The chain is poll_due_sources → poll_source (one per outlet) → fetch_article
(one per new URL) → extract_article. Each is idempotent, acknowledged late
(a killed worker's task runs again) and bounded in time and retries.

Alerts: an event queues fan_out_event, which queues deliver_alert_emails
for the fans who want email at once; deliver_waiting_alerts (every few
minutes) sends what waited and the digests that are due.

New evidence and votes queue rescore_rumour through queue_rescore(), once
per burst; a status change it makes queues refresh_track_records for the
outlets involved. sweep_rumours (hourly) lets time act: expiry and decay.
"""

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from . import alerts, track_records
from .ingest import http, pipeline
from .ingest.feeds import FeedError
from .ingest.pages import PageError
from .models import Article, Rumour, RumourEvent, Source, User

logger = logging.getLogger(__name__)

COMMON = {"acks_late": True, "time_limit": 300, "soft_time_limit": 240}
# Whole-table work: every open rumour, every track record.
LONG = {"acks_late": True, "time_limit": 1800, "soft_time_limit": 1700}
# Sending email: a refusal or a dropped connection is retried with backoff;
# the claims in alerts make a retry send only what did not go.
SENDING_EMAIL = {
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff_max": 1800,
    "max_retries": 6,
    **COMMON,
}
# The debounce key outlives the delay by this much, so a lost task cannot
# block a rumour's rescoring for longer.
RESCORE_KEY_SLACK = 600


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
            enqueue(poll_source, source.pk)
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
        enqueue(fetch_article, source.pk, entry.url, entry.title, entry.published_at)
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
    enqueue(extract_article, stored.article.pk)
    return stored.article.pk


@shared_task(**COMMON)
def extract_missed_articles():
    """Queue extraction of every article stored a while ago and never read (every few minutes).

    An article still unread BENCHWATCH_SWEEP_GRACE seconds after it was
    stored lost its extraction task on the way (a worker or the broker went
    down in between).
    """
    grace = timezone.timedelta(seconds=settings.BENCHWATCH_SWEEP_GRACE)
    missed = Article.objects.filter(
        extracted_at=None, fetched_at__lt=timezone.now() - grace
    ).values_list("pk", flat=True)
    for article_id in missed[:5000]:
        enqueue(extract_article, article_id)
    return len(missed[:5000])


@shared_task(**COMMON)
def extract_article(article_id):
    """Find the links an article reports and record them as rumours and evidence."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return 0
    return pipeline.extract(article)


def enqueue(task, *args, countdown: int | None = None) -> None:
    """Queue a task once the transaction commits; if the broker is down, log it and go on.

    Nothing is lost that way: each kind of work queued here is found again
    by a periodic sweep (a rescore by sweep_rumours, a fan-out or an email by
    deliver_waiting_alerts, an extraction by extract_missed_articles, a
    fetch by the next poll, track records nightly), so a Redis outage delays
    work but never fails the vote or the article that asked for it.
    """
    transaction.on_commit(lambda: publish(task, args, countdown))


def publish(task, args, countdown: int | None = None) -> bool:
    """Send a task to the broker now; log and return False if the broker is unreachable."""
    try:
        task.apply_async(args, countdown=countdown)
    except OperationalError as error:
        logger.warning("broker unreachable; %s%r is left to the sweeps: %s", task.name, args, error)
        return False
    return True


def rescore_key(rumour_id: int) -> str:
    return f"rescore:{rumour_id}"


def queue_rescore(rumour_id: int) -> None:
    """Queue one rescore of a rumour after commit, however many events ask for it meanwhile.

    The first event of a burst sets a cache key and queues the task
    BENCHWATCH_RESCORE_DELAY seconds later; the events until it starts find
    the key and add nothing. The task clears the key before it reads, so
    news arriving during the recompute queues another.
    """

    def send():
        delay = settings.BENCHWATCH_RESCORE_DELAY
        key = rescore_key(rumour_id)
        if cache.add(key, True, timeout=delay + RESCORE_KEY_SLACK):
            if not publish(rescore_rumour, (rumour_id,), countdown=delay):
                cache.delete(key)  # So the next event tries again.

    transaction.on_commit(send)


@shared_task(**COMMON)
def rescore_rumour(rumour_id):
    """Settle one rumour's status and recompute its score, buzz and reasons."""
    cache.delete(rescore_key(rumour_id))
    update = Rumour.objects.filter(pk=rumour_id).rescore()
    if update.resolved:
        enqueue(refresh_track_records, sorted(update.resolved))
    return update.changed


@shared_task(**LONG)
def refresh_track_records(rumour_ids=None):
    """Recompute the track records of everyone who reported these rumours (all, with None)."""
    return track_records.refresh(rumour_ids)


@shared_task(**LONG)
def recount_rumours():
    """Mend the stored vote and evidence counters that drifted from the rows; return how many."""
    changed = Rumour.objects.recount()
    if changed:
        logger.warning("Mended the counters of %d rumours", changed)
    return changed


@shared_task(**LONG)
def sweep_rumours():
    """Let time act on every open rumour: expire the stale ones, decay the scores."""
    update = Rumour.objects.open().rescore()
    if update.resolved:
        enqueue(refresh_track_records, sorted(update.resolved))
    return update.changed


# ------------------------------------------------------------------ alerts


@shared_task(**COMMON)
def fan_out_event(event_id):
    """Create every follower's notifications for one event, then queue instant emails in chunks."""
    event = RumourEvent.objects.select_related("rumour").filter(pk=event_id).first()
    if event is None:
        return 0
    result = alerts.fan_out(event)
    for user_ids in alerts.chunks(result.instant_users):
        enqueue(deliver_alert_emails, user_ids)
    return result.followers


@shared_task(retry_backoff=30, **SENDING_EMAIL)
def deliver_alert_emails(user_ids):
    """Send each of these fans' waiting instant alerts, one email per fan (see alerts)."""
    sent = 0
    for user in User.objects.filter(pk__in=user_ids):
        sent += alerts.deliver_email(user)
    return sent


@shared_task(retry_backoff=60, **SENDING_EMAIL)
def send_digest(user_id):
    """Send one fan's daily digest if it is due."""
    user = User.objects.filter(pk=user_id).first()
    return alerts.deliver_digest(user) if user else 0


@shared_task(**COMMON)
def deliver_waiting_alerts():
    """Queue the emails that may go now: held instant alerts and due digests (every few minutes)."""
    instant, digest = alerts.waiting_deliveries()
    for user_ids in alerts.chunks(instant):
        enqueue(deliver_alert_emails, user_ids)
    for user_id in digest:
        enqueue(send_digest, user_id)
    # An event whose fan-out task was lost is fanned out late rather than never.
    for event_id in RumourEvent.objects.stale_fan_outs().values_list("pk", flat=True):
        enqueue(fan_out_event, event_id)
    return len(instant) + len(digest)

"""The ingestion steps, each callable alone: discover, fetch and store, extract.

Celery tasks call one step each; the `ingest` command and the demo run them
in a row. Each step fetches first and writes in a short transaction after,
and each is idempotent: a URL or a text already stored is not stored again,
and evidence is unique per rumour and article.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import alerts
from ..extract import analyse_article
from ..extract.attribution import credited_source_for
from ..models import (
    Article,
    ArticleURL,
    CoachCandidate,
    Rumour,
    RumourEvent,
    SkippedPage,
    Source,
)
from . import http
from .canonical import canonical_url
from .feeds import Entry, FeedError, looks_like_a_feed, parse_feed, parse_index
from .pages import PageError, decode_html, parse_article

logger = logging.getLogger(__name__)

# Articles fetched per poll of one outlet, newest first. A busy outlet posts a
# few dozen between polls; a feed listing hundreds of unseen entries (a new
# source, an archive dump, a hostile feed) would otherwise hold a worker for
# as many polite fetches. The rest stay unseen, so later polls take them.
MAX_ENTRIES_PER_POLL = 100
_UNDATED = datetime.datetime.min.replace(tzinfo=datetime.UTC)


class NotAnArticle(Exception):
    """The page is not a news article (a contact page, an index, an empty shell)."""


@dataclass
class Stored:
    """What storing one fetched page did."""

    article: Article
    created: bool


@dataclass
class IngestReport:
    """Counts for the `ingest` command's summary."""

    sources: int = 0
    fetched: int = 0
    new_articles: int = 0
    duplicates: int = 0
    errors: int = 0
    new_links: int = 0
    error_messages: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "sources": self.sources,
            "fetched": self.fetched,
            "new_articles": self.new_articles,
            "duplicates": self.duplicates,
            "errors": self.errors,
            "new_links": self.new_links,
        }


def known_urls(urls: list[str]) -> set[str]:
    """Return the urls already stored as an article's canonical or alternate URL."""
    if not urls:
        return set()
    stored = set(Article.objects.filter(url__in=urls).values_list("url", flat=True))
    return stored | set(ArticleURL.objects.filter(url__in=urls).values_list("url", flat=True))


def discover(source: Source) -> list[Entry]:
    """Poll a source's feed or index page; return the entries not stored yet, newest first.

    At most MAX_ENTRIES_PER_POLL of them. Records the poll's success or
    failure on the source, then re-raises a failure so a task can retry it.
    """
    try:
        entries = _read_listing(source)
    except (http.FetchError, FeedError, PageError) as error:
        source.record_failure(str(error))
        raise
    if entries is None:
        return []  # Not modified since the last poll.
    urls = [entry.url for entry in entries]
    done = known_urls(urls) | set(
        SkippedPage.objects.filter(url__in=urls, is_permanent=True).values_list("url", flat=True)
    )
    new = [entry for entry in entries if entry.url not in done]
    if new:
        source.forget_validators()  # Until a poll finds nothing new to fetch.
    # Stable: undated entries keep the feed's order, which is newest first.
    new.sort(key=lambda entry: entry.published_at or _UNDATED, reverse=True)
    if len(new) > MAX_ENTRIES_PER_POLL:
        logger.info(
            "%s lists %d new entries; taking the newest %d this poll",
            source.slug,
            len(new),
            MAX_ENTRIES_PER_POLL,
        )
    return new[:MAX_ENTRIES_PER_POLL]


def _read_listing(source: Source) -> list[Entry] | None:
    is_feed = source.kind in (Source.Kind.RSS, Source.Kind.ATOM)
    policy = http.feed_policy() if is_feed else http.page_policy()
    fetched = http.fetch(
        source.feed_url,
        policy,
        etag=source.etag if is_feed else "",
        last_modified=source.last_modified if is_feed else "",
    )
    if fetched.not_modified:
        source.record_success()
        return None
    if is_feed:
        if fetched.content_type in http.HTML_TYPES and not looks_like_a_feed(fetched.body):
            raise FeedError(f"expected a feed at {source.feed_url}, got an HTML page")
        entries = parse_feed(fetched.body, fetched.url)
    else:
        html = decode_html(fetched.body, fetched.charset)
        entries = parse_index(html, fetched.url, source.link_selector)
    source.record_success(etag=fetched.etag, last_modified=fetched.last_modified)
    return entries


def fetch_and_store(source: Source, url: str, hint: Entry | None = None) -> Stored:
    """Fetch one article page, parse it and store it once, whatever URL it came by.

    Raises http.FetchError, PageError or NotAnArticle when there is nothing to store.
    """
    fetched = http.fetch(url, http.page_policy())
    html = decode_html(fetched.body, fetched.charset)
    page = parse_article(
        html,
        fetched.url,
        body_selector=source.body_selector,
        language_hint=source.language,
        published_hint=hint.published_at if hint else None,
    )
    if not page.is_article:
        raise NotAnArticle(f"{fetched.url} is not a news article")
    urls = {canonical_url(url), canonical_url(fetched.url)}
    canonical = page.canonical_url or canonical_url(fetched.url)
    return store_article(
        source,
        canonical,
        urls,
        title=page.title or (hint.title if hint else ""),
        author=page.author,
        published_at=page.published_at or (hint.published_at if hint else None),
        language=page.language or source.language,
        text=page.text,
    )


def fetch_and_store_once(source: Source, url: str, hint: Entry | None = None) -> Stored | None:
    """fetch_and_store, remembering URLs that give no article so polls skip them.

    Returns None for a page that is not an article, forbidden by robots.txt
    or failing for good; re-raises TransientFetchError so a task can retry.
    """
    try:
        stored = fetch_and_store(source, url, hint)
    except http.TransientFetchError as error:
        SkippedPage.record(source, url, str(error), permanent=False)
        raise
    except (NotAnArticle, http.FetchError, PageError) as error:
        SkippedPage.record(source, url, str(error), permanent=True)
        if not isinstance(error, NotAnArticle | http.RobotsDisallowed):
            raise
        return None
    SkippedPage.objects.filter(url=url).delete()
    return stored


def as_datetime(value) -> datetime.datetime | None:
    """Read a datetime that travelled through a task queue as ISO text."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    try:
        return datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def store_article(source: Source, canonical: str, urls: set[str], **fields) -> Stored:
    """Store an article under its canonical URL, or add URLs to the copy already stored.

    The same text under another URL (an AMP copy, a mirror without
    rel=canonical) is the same article: its URL becomes an alternate.
    """
    text = fields["text"]
    fingerprint = Article.fingerprint(text)
    all_urls = {canonical, *urls}
    for _ in range(2):
        existing = _stored_copy(all_urls, fingerprint)
        try:
            with transaction.atomic():
                if existing:
                    _add_alternates(existing, all_urls)
                    return Stored(existing, created=False)
                article = Article.objects.create(
                    source=source,
                    url=canonical,
                    content_hash=fingerprint,
                    title=fields["title"][:500],
                    author=fields.get("author", "")[:200],
                    published_at=fields.get("published_at"),
                    language=fields.get("language", "")[:8],
                    text=text,
                )
                _add_alternates(article, all_urls)
                return Stored(article, created=True)
        except IntegrityError:
            continue  # Another worker stored it a moment ago; look again.
    raise RuntimeError(f"could not store {canonical}")


def _stored_copy(urls: set[str], fingerprint: str) -> Article | None:
    """The article already stored under one of these URLs or with this text, if any.

    Three index lookups in one UNION: OR-ing them in one WHERE (or joining
    the alternates under DISTINCT) makes PostgreSQL read every article,
    which at 300,000 articles costs a quarter of a second or more each time.
    """
    # order_by() drops the models' default ordering, which no part of a
    # compound statement may carry.
    candidates = (
        Article.objects.filter(url__in=urls)
        .order_by()
        .values_list("pk", flat=True)
        .union(
            ArticleURL.objects.filter(url__in=urls).order_by().values_list("article_id", flat=True),
            Article.objects.filter(content_hash=fingerprint)
            .order_by()
            .values_list("pk", flat=True),
        )
    )
    ids = list(candidates)
    return Article.objects.filter(pk__in=ids).order_by("pk").first() if ids else None


def _add_alternates(article: Article, urls: set[str]) -> None:
    for url in sorted(urls - {article.url}):
        ArticleURL.objects.get_or_create(url=url, defaults={"article": article})


def extract(article: Article) -> int:
    """Find the coach-club links an article reports and record them; return how many are new.

    Probable coaches the gazetteer does not know become candidates for
    moderators. Running it again on the same article adds nothing.
    """
    analysis = analyse_article(article.text, title=article.title, language=article.language)
    # An article credits the same outlet in most of its links: look it up once.
    names = {link.credited_to for link in analysis.links if link.credited_to}
    credited = {name: credited_source_for(name) for name in names}
    reports = [
        {
            "coach": link.coach,
            "club": link.club,
            "kind": link.kind,
            "quote": link.evidence[:2000],
            "confidence": link.confidence,
            "credited_to": link.credited_to[:200],
            "credited_source": credited[link.credited_to] if link.credited_to else None,
        }
        for link in analysis.links
    ]
    new = 0
    with transaction.atomic():
        recorded = Rumour.objects.record_article_evidence(article, reports)
        for rumour, kind, created in recorded:
            new += created
            if created:
                rumour.rescore_soon()  # After commit, once per burst of news.
                if kind == Rumour.Kind.DENIAL and rumour.status == Rumour.Status.OPEN:
                    alerts.announce(rumour, RumourEvent.Kind.DENIAL, at=article.published_at)
        if article.extracted_at is None:
            for name, sentence in analysis.unknown_coaches:
                CoachCandidate.note(name, sentence, article)
        Article.objects.filter(pk=article.pk).update(extracted_at=timezone.now())
    return new


def ingest_source(source: Source, report: IngestReport | None = None) -> IngestReport:
    """Run every step for one source, in-process: what `manage.py ingest` and the demo do."""
    report = report or IngestReport()
    report.sources += 1
    try:
        entries = discover(source)
    except (http.FetchError, FeedError, PageError) as error:
        report.errors += 1
        report.error_messages.append(f"{source.slug}: {error}")
        return report
    for entry in entries:
        try:
            stored = fetch_and_store_once(source, entry.url, entry)
        except (http.FetchError, PageError) as error:
            report.errors += 1
            report.error_messages.append(f"{entry.url}: {error}")
            continue
        except Exception as error:  # noqa: BLE001
            # A page that trips a bug must not stop the rest of the batch;
            # Celery isolates tasks the same way.
            logger.exception("unexpected failure on %s", entry.url)
            report.errors += 1
            report.error_messages.append(f"{entry.url}: unexpected {type(error).__name__}: {error}")
            continue
        if stored is None:
            continue
        report.fetched += 1
        if not stored.created:
            report.duplicates += 1
            continue
        report.new_articles += 1
        report.new_links += extract(stored.article)
    return report

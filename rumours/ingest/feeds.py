"""From a fetched feed or index page to the article links it lists.

RSS and Atom go through feedparser; an HTML index page is searched for
article links with the outlet's CSS selector, or with heuristics: links on
the same site whose path looks like a story (several words joined by
hyphens, or a numeric id), outside navigation, headers and footers.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import feedparser
from bs4 import BeautifulSoup
from feedparser.encodings import convert_to_utf8

from .canonical import canonical_url
from .pages import plain_text

MAX_ENTRIES = 500  # A feed listing more is truncated: nobody publishes that much at once.
# An entry's end tag, with or without a namespace prefix (</item>, </atom:entry>).
_ENTRY_END = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_STORY_PATH = re.compile(r"([a-z0-9]+-){3,}[a-z0-9]+|/\d{5,}")
_SKIP_PATH = re.compile(
    r"/(tag|tags|category|categoria|categorie|author|autore|autor|page|pagina|search|cerca|"
    r"buscar|login|signup|account|privacy|cookie|contact|contatti|contacto|about|chi-siamo)(/|$|\.)",
    re.IGNORECASE,
)
_NOT_PAGES = re.compile(
    r"\.(jpg|jpeg|png|gif|webp|svg|pdf|mp4|mp3|zip|xml|rss|css|js)$", re.IGNORECASE
)


class FeedError(ValueError):
    """The body is not a usable feed (malformed XML, or a web page instead of a feed)."""


@dataclass(frozen=True)
class Entry:
    """One article a feed or index page points to."""

    url: str
    title: str = ""
    published_at: datetime.datetime | None = None


def _entry_time(entry) -> datetime.datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.datetime.fromtimestamp(calendar.timegm(parsed), tz=datetime.UTC)


def parse_feed(body: bytes, feed_url: str) -> list[Entry]:
    """Return the entries of an RSS or Atom feed, links resolved against feed_url.

    Raises FeedError for a body that is no feed, and for a feed that declares
    XML entities (see _readable_xml).
    """
    body = _first_entries(_readable_xml(body), MAX_ENTRIES)
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    if parsed.bozo and not parsed.entries:
        raise FeedError(f"not a readable feed: {parsed.get('bozo_exception')!r}")
    if not parsed.version and not parsed.entries:
        raise FeedError("not an RSS or Atom feed")
    entries = []
    seen = set()
    for item in parsed.entries[:MAX_ENTRIES]:
        link = item.get("link") or ""
        if not link:
            alternates = [
                x.get("href") for x in item.get("links", []) if x.get("rel") == "alternate"
            ]
            link = alternates[0] if alternates else ""
        if not link:
            continue
        url = canonical_url(link, feed_url)
        if url in seen or not url.startswith(("http://", "https://")):
            continue
        seen.add(url)
        # The headline stands in for a page that has none, so it gets the
        # same cleaning as a page's: feedparser leaves markup in it.
        entries.append(
            Entry(
                url=url, title=plain_text(item.get("title") or ""), published_at=_entry_time(item)
            )
        )
    if parsed.bozo and not entries:
        # Broken XML that yielded nothing usable is an error, not an empty feed.
        raise FeedError(f"malformed feed: {parsed.get('bozo_exception')!r}")
    return entries


def _readable_xml(body: bytes) -> bytes:
    """Return the feed as feedparser's UTF-8, refusing any that declares XML entities.

    feedparser keeps "safe" entity declarations and, when expat stops at its
    amplification limit, its fallback parser expands them anyway: 13 KB with
    one 10 KB entity used a thousand times became a 10 MB title, and a feed
    under the size cap could take gigabytes (the quadratic blowup; billion
    laughs and external entities are the classic cases). No news feed needs
    its own entities, so a declaration is refused outright. The check runs on
    feedparser's own decoding, which is also what gets parsed: a byte search
    would miss "<!ENTITY" in UTF-16 or EBCDIC.
    """
    data = convert_to_utf8({}, body, {})
    if _ENTITY_DECLARATION.search(data):
        raise FeedError(
            "the feed declares XML entities (<!ENTITY>): refused, as expanding them "
            "can exhaust memory or read local files"
        )
    return data


def _first_entries(data: bytes, limit: int) -> bytes:
    """Cut a feed after its first `limit` entries, before feedparser reads it.

    feedparser builds every entry and cannot stop early: a feed of 100,000
    small entries, 3.4 MB and within the size cap, took it 5 seconds and 68 MB
    to keep 500. Feeds list their newest entries first, so the cut keeps
    those; feedparser reads the cut document with its forgiving parser.
    """
    for count, match in enumerate(_ENTRY_END.finditer(data), start=1):
        if count == limit:
            return data[: match.end()]
    return data


def looks_like_a_feed(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    return head.startswith(b"<?xml") or b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


def parse_index(html: str, page_url: str, link_selector: str = "") -> list[Entry]:
    """Return the article links of an HTML index page on the same site."""
    soup = BeautifulSoup(html, "lxml")
    if link_selector:
        anchors = soup.select(link_selector)
        anchors = [a if a.name == "a" else a.find("a") for a in anchors]
    else:
        for boilerplate in soup.select("nav, header, footer, aside, form, [role=navigation]"):
            boilerplate.decompose()
        anchors = soup.find_all("a")
    host = urlsplit(page_url).hostname
    entries = []
    seen = set()
    for anchor in anchors:
        if anchor is None or not anchor.get("href"):
            continue
        url = canonical_url(urljoin(page_url, anchor["href"]))
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname != host or url in seen:
            continue
        if not link_selector and not _is_story_path(parts.path):
            continue
        seen.add(url)
        entries.append(Entry(url=url, title=plain_text(anchor.get_text(" ", strip=True))))
        if len(entries) >= MAX_ENTRIES:
            break
    return entries


def _is_story_path(path: str) -> bool:
    return (
        bool(_STORY_PATH.search(path))
        and not _SKIP_PATH.search(path)
        and not _NOT_PAGES.search(path)
    )

"""Adding an outlet: validate its URL and find out what kind of feed it serves."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from ..models import Source, free_slug
from . import http
from .feeds import looks_like_a_feed


class SourceError(ValueError):
    """The outlet cannot be added: bad URL, duplicate, or nothing readable there."""


def detect_kind(url: str) -> str:
    """Fetch url once and say whether it serves RSS, Atom or an HTML index page."""
    try:
        fetched = http.fetch(url, http.feed_policy())
    except http.FetchError as error:
        raise SourceError(f"cannot read {url}: {error}") from error
    head = fetched.body[:4096].lower()
    if fetched.content_type == "application/atom+xml" or b"<feed" in head:
        return Source.Kind.ATOM
    if looks_like_a_feed(fetched.body) or fetched.content_type in http.FEED_TYPES:
        if b"<rss" in head or b"<rdf:rdf" in head:
            return Source.Kind.RSS
        raise SourceError(f"{url} is XML but neither RSS nor Atom")
    if fetched.content_type in http.HTML_TYPES:
        return Source.Kind.HTML
    raise SourceError(f"{url} serves {fetched.content_type}, not a feed or a web page")


def add_source(
    url: str,
    *,
    name: str,
    kind: str | None = None,
    tier: int = 3,
    language: str = "",
    link_selector: str = "",
    body_selector: str = "",
) -> Source:
    """Create an outlet; its kind is detected from the URL when not given."""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise SourceError(f"not a valid http(s) URL: {url!r}") from error
    if not name.strip():
        raise SourceError("a source needs a name")
    if tier not in (1, 2, 3, 4):
        raise SourceError("tier must be 1 (most reliable) to 4")
    if Source.objects.filter(feed_url=url).exists():
        raise SourceError(f"a source already reads {url}")
    return Source.objects.create(
        name=name.strip(),
        slug=free_slug(Source, name, "source"),
        domain=(urlsplit(url).hostname or "").removeprefix("www."),
        language=language,
        kind=kind or detect_kind(url),
        feed_url=url,
        tier=tier,
        link_selector=link_selector,
        body_selector=body_selector,
    )

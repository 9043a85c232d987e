"""Speed measurements for `make bench`: extraction and ingestion throughput.

Each function returns plain figures; the `bench` command prints them. Pages
come from the demo snapshot (always present) and, when it is beside the
project, the mock news site, so the figures are reproducible offline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup
from django.conf import settings
from django.db import transaction

from .demo.loading import SITE_DIR
from .ingest.canonical import canonical_url
from .ingest.pages import decode_html, parse_article
from .ingest.pipeline import extract, store_article
from .models import Source

NEWSITE_DIR = Path(settings.BASE_DIR).parent / "shared" / "newsite"


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str = ""


class _Rollback(Exception):
    """Raised to undo what a measurement stored."""


def sample_pages() -> list[tuple[str, bytes]]:
    """Return (url, body) for every recorded article page available."""
    pages = []
    for root in (SITE_DIR, NEWSITE_DIR):
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.html")):
            if "index" in path.name or "contact" in path.name or "private" in path.parts:
                continue
            pages.append((f"https://{path.relative_to(root).as_posix()}", path.read_bytes()))
    return pages


def words(text: str) -> int:
    return len(text.split())


def articles_of_about(target_words: int, rows: list[dict]) -> list[dict]:
    """Join labelled articles of one language, in order, into texts of about target_words.

    The extraction target is stated for articles of about 400 words; the
    labelled ones are shorter, so neighbours are read as one longer story.
    """
    texts, pending, count = [], {}, {}
    for row in rows:
        language = row.get("lang", "")
        pending.setdefault(language, []).append(row)
        count[language] = count.get(language, 0) + words(row["text"])
        if count[language] >= target_words:
            group = pending.pop(language)
            count.pop(language)
            text = "\n\n".join(item["text"] for item in group)
            texts.append({"text": text, "title": group[0].get("title", ""), "lang": language})
    return texts


def bare_parse_speed(pages: list[tuple[str, bytes]], rounds: int = 3) -> float:
    """Pages per second for BeautifulSoup with lxml alone: the yardstick for ingestion."""
    started = time.perf_counter()
    for _ in range(rounds):
        for _, body in pages:
            BeautifulSoup(body, "lxml")
    return rounds * len(pages) / (time.perf_counter() - started)


def ingestion_speed(pages: list[tuple[str, bytes]], rounds: int = 3) -> float:
    """Pages per second through decoding, parsing, storage and extraction (rolled back)."""
    source, _ = Source.objects.get_or_create(
        slug="benchmark-outlet", defaults={"name": "Benchmark outlet", "kind": Source.Kind.NONE}
    )
    elapsed = 0.0
    for _ in range(rounds):
        try:
            with transaction.atomic():
                started = time.perf_counter()
                for url, body in pages:
                    page = parse_article(decode_html(body), url)
                    stored = store_article(
                        source,
                        page.canonical_url or canonical_url(url),
                        {url},
                        title=page.title,
                        author=page.author,
                        published_at=page.published_at,
                        language=page.language,
                        text=page.text,
                    )
                    if stored.created:
                        extract(stored.article)
                elapsed += time.perf_counter() - started
                raise _Rollback
        except _Rollback:
            pass
    source.delete()
    return rounds * len(pages) / elapsed

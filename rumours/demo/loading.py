"""The bundled demo snapshot: sample articles stored in the repository.

They let a machine with no network show populated boards. Each article
carries its labelled coach-club links, which become rumours with the
sentence naming the coach as evidence.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.dateparse import parse_datetime

from .extract.normalize import fold
from .gazetteer.loading import _Loader
from .models import Alias, Article, Rumour, Source

DEMO_DIR = Path(__file__).resolve().parent / "demo"
_SENTENCE_END = re.compile(r"(?<=[.!?»”])\s+(?=[«“\"A-ZÀ-Ý0-9])")


class DemoError(ValueError):
    """The demo snapshot file is malformed."""


@dataclass
class DemoReport:
    articles: int = 0
    new_articles: int = 0
    new_evidence: int = 0
    skipped_links: int = 0


def read_demo_articles(path: Path) -> list[dict]:
    """Read the snapshot's JSON lines, naming the line of any error."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise DemoError(f"{path.name}:{number}: invalid JSON: {error}") from error
        missing = {"url", "source", "title", "text"} - set(row)
        if missing:
            raise DemoError(f"{path.name}:{number}: missing {', '.join(sorted(missing))}")
        rows.append(row)
    return rows


def sentence_naming(text: str, *names: str) -> str:
    """Return the first sentence of text that names all of names (or the first name)."""
    sentences = [
        s.strip() for paragraph in text.split("\n") for s in _SENTENCE_END.split(paragraph)
    ]
    sentences = [s for s in sentences if s]
    folded = [fold(s) for s in sentences]
    wanted = [fold(name) for name in names if name]
    for needles in (wanted, wanted[:1]):
        for sentence, haystack in zip(sentences, folded, strict=True):
            if all(needle in haystack for needle in needles):
                return sentence
    return sentences[0] if sentences else ""


def _find(model_field: str, name: str):
    alias = (
        Alias.objects.filter(folded=fold(name), **{f"{model_field}__isnull": False})
        .select_related(model_field)
        .first()
    )
    return getattr(alias, model_field) if alias else None


def load_demo_snapshot(directory: Path = DEMO_DIR) -> DemoReport:
    """Store the demo outlets, articles and their links; a second run adds nothing."""
    _Loader(update=False).load_sources(directory / "sources.yaml")
    sources = {source.domain: source for source in Source.objects.exclude(domain="")}
    report = DemoReport()
    for row in read_demo_articles(directory / "articles.jsonl"):
        source = sources.get(row["source"])
        if source is None:
            raise DemoError(f"{row.get('id')}: unknown demo outlet {row['source']!r}")
        report.articles += 1
        with transaction.atomic():
            article, created = Article.objects.get_or_create(
                url=row["url"],
                defaults={
                    "source": source,
                    "title": row["title"],
                    "author": row.get("author", ""),
                    "published_at": parse_datetime(row.get("published") or ""),
                    "language": row.get("lang", ""),
                    "text": row["text"],
                    "content_hash": Article.fingerprint(row["text"]),
                },
            )
            report.new_articles += created
            for link in row.get("links", []):
                coach, club = _find("coach", link["coach"]), _find("club", link["club"])
                if coach is None or club is None:
                    report.skipped_links += 1
                    continue
                surname = coach.full_name.split()[-1]
                _, _, new = Rumour.objects.record_evidence(
                    coach=coach,
                    club=club,
                    article=article,
                    kind=link["kind"],
                    quote=sentence_naming(row["text"], surname, club.short_name)[:1000],
                    confidence=1.0,
                )
                report.new_evidence += new
    return report

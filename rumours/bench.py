"""Speed measurements for `make bench`: extraction, ingestion and alert fan-out.

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
from django.contrib.auth.hashers import make_password
from django.db import transaction

from .demo.loading import SITE_DIR
from .ingest.canonical import canonical_url
from .ingest.pages import decode_html, parse_article
from .ingest.pipeline import extract, store_article
from .models import Club, Coach, Follow, Rumour, RumourEvent, Source, User

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


def fan_out_seconds(followers: int = 10_000, instant_share: float = 0.2) -> dict:
    """Time one event's fan-out to `followers` fans: notifications created, emails queued.

    The fans (a fifth of them on instant email) and their follows are
    bulk-inserted first and deleted afterwards. With a broker configured the
    fan-out task runs in this process and queues its email deliveries on the
    real broker, as a worker would; with in-process tasks it times the
    creation alone, since queueing would mean sending.
    """
    from . import alerts, tasks

    tag = f"bench{time.time_ns()}"
    unusable = make_password(None)  # these fans never log in
    coach = Coach.objects.create(full_name=f"Bench Coach {tag}", slug=tag)
    club = Club.objects.create(name=f"Bench Club {tag}", short_name=tag, slug=tag)
    instant_every = max(1, round(1 / instant_share)) if instant_share else 0
    users = User.objects.bulk_create(
        [
            User(
                username=f"{tag}-{index}",
                email=f"{tag}-{index}@example.com",
                password=unusable,
                email_alerts=(
                    User.EmailAlerts.INSTANT
                    if instant_every and index % instant_every == 0
                    else User.EmailAlerts.DIGEST
                ),
            )
            for index in range(followers)
        ],
        batch_size=2000,
    )
    if not users or users[0].pk is None:  # backends that do not return ids
        users = list(User.objects.filter(username__startswith=f"{tag}-"))
    Follow.objects.bulk_create([Follow(user=user, coach=coach) for user in users], batch_size=2000)
    rumour = Rumour.objects.create(coach=coach, club=club, score=55)
    event = RumourEvent.objects.create(rumour=rumour, kind=RumourEvent.Kind.NEW, score=55)
    try:
        started = time.perf_counter()
        if settings.CELERY_TASK_ALWAYS_EAGER:
            result = alerts.fan_out(event)
            queued = 0
        else:
            followers_told = tasks.fan_out_event.apply((event.pk,)).get()
            result = alerts.FanOut(followers=followers_told)
            instant = sum(1 for user in users if user.email_alerts == User.EmailAlerts.INSTANT)
            queued = -(-instant // alerts.DELIVERY_CHUNK)
        elapsed = time.perf_counter() - started
        notifications = event.notifications.count()
    finally:
        User.objects.filter(username__startswith=f"{tag}-").delete()
        coach.delete()
        club.delete()
    return {
        "followers": result.followers,
        "notifications": notifications,
        "queued_tasks": queued,
        "seconds": elapsed,
        "broker": not settings.CELERY_TASK_ALWAYS_EAGER,
    }

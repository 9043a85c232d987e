"""Speed measurements for `make bench`: extraction, ingestion, alert fan-out, queries per page.

Each function returns plain figures; the `bench` command prints them and
writes BENCHMARKS.md (see report_markdown). Pages come from the demo snapshot
(always present) and, when it is beside the project, the mock news site, so
the figures are reproducible offline. The load tests (gunicorn and wrk) are
in loadtest.py; the data set they run on, in synthetic.py.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import django
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from .demo.loading import SITE_DIR
from .extract.normalize import fold
from .ingest.canonical import canonical_url
from .ingest.pages import decode_html, parse_article
from .ingest.pipeline import extract, store_article
from .models import Club, Coach, Evidence, Follow, Rumour, RumourEvent, Source, User, Vote

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


def ingestion_speed(
    pages: list[tuple[str, bytes]], rounds: int = 3, max_seconds: float | None = None
) -> float:
    """Pages per second through decoding, parsing, storage and extraction (rolled back).

    With max_seconds, no round starts once that much time was measured (the
    first always runs): at scale one round can take a minute.
    """
    source, _ = Source.objects.get_or_create(
        slug="benchmark-outlet", defaults={"name": "Benchmark outlet", "kind": Source.Kind.NONE}
    )
    elapsed = 0.0
    done = 0
    for _ in range(rounds):
        if max_seconds is not None and done and elapsed >= max_seconds:
            break
        done += 1
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
    return done * len(pages) / elapsed


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


# ------------------------------------------------------------ pages at scale


@dataclass
class Subjects:
    """What the page measurements look at: the loudest coach and club, and quiet ones."""

    coach: Coach
    coach_evidence: int
    quiet_coach: Coach
    club: Club
    club_evidence: int
    quiet_club: Club
    search: str
    fan: User | None
    rumour: Rumour  # the vote test's: the loudest coach's most voted open rumour
    rumour_votes: int

    def load_pages(self) -> list[tuple[str, str]]:
        """(label, path) of the load test's pages; the trivial view first."""
        return [
            ("trivial view", reverse("healthz")),
            (f"coach board: {self.coach}", self.coach.get_absolute_url()),
            ("home", reverse("rumours:home")),
            (f"club page: {self.club}", self.club.get_absolute_url()),
            (f"search ?q={self.search}", f"{reverse('rumours:search')}?q={self.search}"),
        ]


def choose_subjects() -> Subjects:
    """Pick the most and least discussed coach and club (by evidence), a search and a fan.

    The search is the commonest three-letter start of a word in coaches'
    names ("mar" for Marco, Mario, Martínez): many matches, as fans type.
    The fan voted on the coach's rumours and follows him, so the board
    shows both states.
    """
    by_coach = Evidence.objects.values("rumour__coach").annotate(n=Count("pk"))
    loudest = by_coach.order_by("-n", "rumour__coach").first()
    quietest = by_coach.order_by("n", "rumour__coach").first()
    if loudest is None:
        raise ValueError("no evidence at all: generate the data set first")
    by_club = Evidence.objects.values("rumour__club").annotate(n=Count("pk"))
    loudest_club = by_club.order_by("-n", "rumour__club").first()
    quietest_club = by_club.order_by("n", "rumour__club").first()
    coach = Coach.objects.get(pk=loudest["rumour__coach"])
    starts = Counter(
        word[:3]
        for name in Coach.objects.values_list("full_name", flat=True)
        for word in fold(name).split()
        if len(word) >= 4 and word.isalpha()
    )
    fan = (
        User.objects.filter(
            Exists(Follow.objects.filter(user=OuterRef("pk"), coach=coach)),
            Exists(Vote.objects.filter(user=OuterRef("pk"), rumour__coach=coach)),
        )
        .order_by("pk")
        .first()
    )
    # Only open rumours take votes: the storm goes to the coach's most voted
    # open one (or the site's, should all of his be settled).
    most_voted = Rumour.objects.open().order_by(
        (F("reliable_count") + F("unreliable_count")).desc(), "pk"
    )
    rumour = most_voted.filter(coach=coach).first() or most_voted.first()
    return Subjects(
        coach=coach,
        coach_evidence=loudest["n"],
        quiet_coach=Coach.objects.get(pk=quietest["rumour__coach"]),
        club=Club.objects.get(pk=loudest_club["rumour__club"]),
        club_evidence=loudest_club["n"],
        quiet_club=Club.objects.get(pk=quietest_club["rumour__club"]),
        search=starts.most_common(1)[0][0] if starts else "mar",
        fan=fan,
        rumour=rumour,
        rumour_votes=rumour.reliable_count + rumour.unreliable_count,
    )


@dataclass
class QueryCount:
    """Queries one page costs a visitor and a logged-in fan; the same page with little data."""

    label: str
    path: str
    visitor: int | None
    fan: int | None
    small_path: str = ""
    small_visitor: int | None = None
    small_fan: int | None = None
    slowest: list[tuple[float, str]] = field(default_factory=list)  # (ms, SQL), a visitor's
    # One request in this process (a visitor's; the fan's for alerts): all of it, and SQL.
    request_ms: float = 0.0
    sql_ms: float = 0.0

    @property
    def most(self) -> int:
        return max(n for n in (self.visitor, self.fan) if n is not None)

    @property
    def is_constant(self) -> bool:
        """Whether the page costs what its quiet counterpart costs (True with no counterpart)."""
        pairs = ((self.visitor, self.small_visitor), (self.fan, self.small_fan))
        return all(small is None or big == small for big, small in pairs)


# Counting runs with no cache at all: a visitor's cached page costs no query,
# and the figure that matters is what a page costs when its cache is cold.
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@override_settings(CACHES=NO_CACHE)
def _count_queries(client: Client, path: str) -> tuple[int, list[dict], float]:
    """Return (queries, captured queries, milliseconds) for one uncached GET of path.

    A warm-up GET first, so connection set-up and one-off lookups are not counted.
    """
    secure = settings.SECURE_SSL_REDIRECT
    client.get(path, secure=secure)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(path, secure=secure)
        elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise ValueError(f"{path} answered {response.status_code}")
    return len(captured), captured.captured_queries, elapsed


def _note_timing(row: QueryCount, captured: list[dict], elapsed: float):
    """Keep a request's time, its SQL time and its three slowest queries on row."""
    timed = sorted(
        ((float(query["time"]) * 1000, query["sql"]) for query in captured), reverse=True
    )
    row.slowest = timed[:3]
    row.request_ms = elapsed
    row.sql_ms = sum(milliseconds for milliseconds, _ in timed)


def queries_per_page(subjects: Subjects) -> list[QueryCount]:
    """Count each page's queries in this process, for a visitor and for subjects.fan.

    Boards are also counted for the quietest coach and club: a page whose
    count grows with the data shows it there.
    """
    pages = [
        ("coach board", subjects.coach.get_absolute_url(), subjects.quiet_coach),
        ("home", reverse("rumours:home"), None),
        ("club page", subjects.club.get_absolute_url(), subjects.quiet_club),
        ("search", f"{reverse('rumours:search')}?q={subjects.search}", None),
        ("alerts", reverse("rumours:notifications"), None),
    ]
    counts = []
    # The test client calls itself "testserver".
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        visitor, fan = Client(), Client()
        if subjects.fan is not None:
            fan.force_login(subjects.fan)
        for label, path, quiet in pages:
            is_private = label == "alerts"
            row = QueryCount(label, path, None, None)
            if not is_private:
                row.visitor, captured, elapsed = _count_queries(visitor, path)
                _note_timing(row, captured, elapsed)
            if subjects.fan is not None:
                row.fan, captured, elapsed = _count_queries(fan, path)
                if is_private:
                    _note_timing(row, captured, elapsed)
            if quiet is not None:
                row.small_path = quiet.get_absolute_url()
                row.small_visitor = _count_queries(visitor, row.small_path)[0]
                if subjects.fan is not None:
                    row.small_fan = _count_queries(fan, row.small_path)[0]
            counts.append(row)
    return counts


# ------------------------------------------------------------ the machine


def machine() -> dict[str, str]:
    """Describe where the figures were measured: CPU, cores, memory, services, versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            cursor.execute("SHOW shared_buffers")
            buffers = cursor.fetchone()[0]
        database = f"PostgreSQL {version} (shared_buffers {buffers})"
    else:
        database = f"{connection.vendor} {sqlite3.sqlite_version}"
    cache = "local memory (no REDIS_URL)"
    if settings.REDIS_URL:
        import redis

        try:
            info = redis.Redis.from_url(settings.REDIS_URL).info("server")
            cache = f"Redis {info['redis_version']}"
        except redis.RedisError as error:
            cache = f"Redis (unreachable: {error})"
    from importlib.metadata import version as package_version

    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "OS": platform.platform(),
        "database": database,
        "cache and broker": cache,
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "gunicorn": package_version("gunicorn"),
    }


# ------------------------------------------------------------ the report


@dataclass
class Row:
    """One line of the figures table: what, how much, the target, and whether it is met."""

    figure: str
    value: str
    target: str = ""
    met: bool | None = None  # None: no target

    @property
    def verdict(self) -> str:
        return {True: "met", False: "**missed**", None: ""}[self.met]


def report_markdown(
    *,
    when: str,
    about_machine: dict[str, str],
    data_set: dict[str, tuple[int, int]],
    rows: list[Row],
    notes: list[str],
    slowest: list[QueryCount],
) -> str:
    """Render BENCHMARKS.md: the machine, the data set, the figures, the slowest queries."""
    lines = [
        "# Benchwatch benchmarks",
        "",
        f"Measured {when} by `make bench` (`python manage.py bench`). Every figure below is",
        "measured in the same run; pages and votes through gunicorn (production settings)",
        "under wrk, on PostgreSQL and Redis. Regenerate this file with `make bench`.",
        "",
        "## Machine",
        "",
        *(f"- {name}: {value}" for name, value in about_machine.items()),
        "",
        "## Data set",
        "",
        "| Rows | Total | Synthetic (`rumours/synthetic.py`) |",
        "|---|---:|---:|",
        *(f"| {kind} | {total:,} | {made:,} |" for kind, (total, made) in data_set.items()),
        "",
        "## Figures",
        "",
        "| Figure | Value | Target | |",
        "|---|---|---|---|",
        *(
            f"| {row.figure} | {row.value} | {row.target} | {row.verdict} |".replace(
                " |  |", " | |"
            )
            for row in rows
        ),
        "",
        *(f"- {note}" for note in notes),
        "",
        "## Slowest queries per page",
        "",
        "One request in this process, after a warm-up request (a visitor's; the fan's for",
        "alerts), with no other load: the whole request, the time in SQL, and the three",
        "slowest queries. The rest of a request's time is Python: views and templates.",
        "",
    ]
    for count in slowest:
        lines += [
            f"### {count.label} (`{count.path}`)",
            "",
            f"{count.request_ms:,.0f} ms in all, {count.sql_ms:,.0f} ms of it in SQL.",
            "",
        ]
        for milliseconds, sql in count.slowest:
            shown = sql if len(sql) <= 600 else sql[:600] + " …"
            lines += [f"- {milliseconds:,.1f} ms: `{shown}`"]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"

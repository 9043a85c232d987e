"""Generate a large, realistic data set, so speed is measured at the size the site will reach.

Why: a board that renders in 20 ms over the demo's fifty rumours can take
seconds once its coach has 10,000 pieces of evidence and 30,000 votes, and
only data of the real size and shape shows it (issue 8). This module tops
the real gazetteer up to the issue's counts (3,000 coaches, 600 clubs, 150
outlets, 300,000 articles, 80,000 rumours, 500,000 evidence rows, 50,000
fans, 1,000,000 votes, 200,000 follows), times `scale`, with the skew of
real life: popularity follows a Zipf-like law, so a few coaches carry
thousands of evidence rows and tens of thousands of votes while most have a
handful. Events and site notifications come along, so the alerts pages have
something to show.

Every synthetic row can be told from real data, counted and removed:
coaches, clubs, outlets and fans have slugs or usernames starting "syn-",
articles a "/syn-" URL path, and rumours, evidence, votes, follows, events
and notifications hang off those. Rows go in through PostgreSQL's COPY
(psycopg 3), or bulk_create on other databases (SQLite, in tests), with ids
chosen here so rows can point at each other without being read back.

Faker supplies names (it, en and es locales) and filler sentences; the
sentences that report a link are the evidence quotes, as extraction would
store them. Nothing is fetched or extracted: this is data for measuring.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from itertools import accumulate, islice

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from .extract.gazetteer_index import bump_version
from .extract.normalize import fold
from .models import (
    Alias,
    Article,
    Club,
    Coach,
    CoachingSpell,
    Evidence,
    Follow,
    Notification,
    Rumour,
    RumourEvent,
    Source,
    User,
    Vote,
)

# The data set at scale 1.0: real rows plus synthetic ones.
TARGETS = {
    "coaches": 3_000,
    "clubs": 600,
    "outlets": 150,
    "articles": 300_000,
    "rumours": 80_000,
    "evidence": 500_000,
    "users": 50_000,
    "votes": 1_000_000,
    "follows": 200_000,
}
# At tiny scales over an empty gazetteer, the popularity curves need some
# rows to bend, and 160 rumours need more than six coaches to be unique.
MINIMUMS = {"coaches": 30, "clubs": 30, "outlets": 8, "users": 20}
MODELS = {
    "coaches": Coach,
    "clubs": Club,
    "outlets": Source,
    "articles": Article,
    "rumours": Rumour,
    "evidence": Evidence,
    "users": User,
    "votes": Vote,
    "follows": Follow,
}
MARK = "syn-"
ARTICLE_MARK = "/syn-"
DAYS = 730  # news spread over two years, up to today
ARTICLES_PER_SLOT = 40  # time slots are days at full scale, longer below it
LANGUAGES = ("it", "en", "es")
NAME_LOCALES = {"it": "it_IT", "en": "en_GB", "es": "es_ES"}
# en_GB's lorem is Latin; en_US has English words.
TEXT_LOCALES = {"it": "it_IT", "en": "en_US", "es": "es_ES"}
COUNTRY = {"it": "IT", "en": "GB-ENG", "es": "ES"}
TIME_ZONES = {
    "it": ["Europe/Rome"] * 8 + ["America/New_York", "Europe/Zurich"],
    "en": ["Europe/London"] * 7 + ["America/New_York", "Australia/Sydney", "Asia/Dubai"],
    "es": ["Europe/Madrid"] * 7 + ["America/Argentina/Buenos_Aires", "America/Mexico_City"],
}
LEAGUES = {
    "it": ["Serie C", "Serie D", "Eccellenza"],
    "en": ["League One", "League Two", "National League"],
    "es": ["Primera Federación", "Segunda Federación", "Tercera Federación"],
}
# The big leagues' clubs are discussed most; the rest follow in a long tail.
BIG_LEAGUES = ["Serie A", "Premier League", "La Liga", "Bundesliga", "Ligue 1"]
SECTIONS = {"it": "calcio/mercato", "en": "football/transfers", "es": "futbol/mercado"}

# The sentences that report a link, by language and kind: each is an
# evidence quote and the lead of its article.
LINKS = {
    "en": {
        "rumour": [
            "{club} have made {coach} their first choice to take over the bench.",
            "{coach} is the frontrunner for the {club} job, say sources close to the club.",
            "Talks between {club} and {coach} are said to be at an advanced stage.",
            "{club} held an exploratory meeting with {coach}'s representatives this week.",
            "{coach} is on a shortlist of three drawn up by the {club} board.",
        ],
        "confirmed": [
            "{club} have confirmed {coach} as head coach on a deal until {year}.",
            "It's official: {coach} is the new manager of {club}.",
        ],
        "exit": [
            "{club} have sacked {coach} after a run of poor results.",
            "{coach} has left {club} by mutual consent.",
            "{coach} will not be in charge of {club} next season.",
        ],
        "denial": [
            "{coach} has denied any contact with {club}: 'I am happy where I am.'",
            "Sources at {club} have ruled out a move for {coach}.",
        ],
    },
    "it": {
        "rumour": [
            "Il {club} ha scelto {coach}: è lui il primo nome per la panchina.",
            "{coach} è in pole per la panchina del {club}.",
            "Contatti avviati tra il {club} e l'entourage di {coach}.",
            "Si intensifica la trattativa tra il {club} e {coach}, ora si parla di cifre.",
            "Il {club} sonda {coach} per la prossima stagione.",
        ],
        "confirmed": [
            "Ufficiale: {coach} è il nuovo allenatore del {club}, contratto fino al {year}.",
            "Il {club} ha annunciato {coach} come nuovo tecnico.",
        ],
        "exit": [
            "Il {club} ha esonerato {coach} dopo l'ultima sconfitta.",
            "{coach} lascia il {club}: risoluzione consensuale.",
            "{coach} non sarà più l'allenatore del {club} dalla prossima stagione.",
        ],
        "denial": [
            "{coach} smentisce: 'Nessun contatto con il {club}.'",
            "Dal {club} arriva la smentita su {coach}.",
        ],
    },
    "es": {
        "rumour": [
            "El {club} negocia con {coach} para el banquillo.",
            "{coach} es el favorito para entrenar al {club}.",
            "El {club} ha contactado con el entorno de {coach}.",
            "La directiva del {club} ya ha hablado con {coach}, según fuentes del club.",
            "{coach} está en la lista de candidatos del {club}.",
        ],
        "confirmed": [
            "Oficial: {coach} es el nuevo entrenador del {club} hasta {year}.",
            "El {club} anuncia a {coach} como nuevo técnico.",
        ],
        "exit": [
            "El {club} destituye a {coach} tras la última derrota.",
            "{coach} deja el {club} de mutuo acuerdo.",
            "{coach} no seguirá en el banquillo del {club} la próxima temporada.",
        ],
        "denial": [
            "{coach} niega cualquier contacto con el {club}.",
            "Desde el {club} descartan la llegada de {coach}.",
        ],
    },
}
TITLES = {
    "en": {
        "rumour": ["{coach} in pole for {club} job", "{club} want {coach}: talks under way"],
        "confirmed": ["{club} confirm {coach} as new head coach"],
        "exit": ["{club} part ways with {coach}"],
        "denial": ["{coach} denies {club} talks"],
        "": ["{club}: {coach} speaks ahead of the weekend", "{club} prepare for a busy week"],
    },
    "it": {
        "rumour": ["{club}, è {coach} il nome per la panchina", "{club}, avanza {coach}"],
        "confirmed": ["Ufficiale: {coach} è il nuovo allenatore del {club}"],
        "exit": ["{club}, esonerato {coach}"],
        "denial": ["{coach}: 'Nessun contatto con il {club}'"],
        "": ["{club}, parla {coach} alla vigilia", "{club}, settimana decisiva"],
    },
    "es": {
        "rumour": ["{coach}, favorito para el banquillo del {club}", "El {club} va a por {coach}"],
        "confirmed": ["Oficial: {coach}, nuevo entrenador del {club}"],
        "exit": ["El {club} destituye a {coach}"],
        "denial": ["{coach} niega contactos con el {club}"],
        "": ["{club}: habla {coach} antes del partido", "Semana clave en el {club}"],
    },
}
# Filler that names coaches and clubs without reporting a link between them.
FILLER = {
    "en": [
        "{club} face {other} on Saturday in a game that could shape the season.",
        "{coach} praised the squad's attitude after training on Thursday.",
        "Supporters of {club} are expected to fill the away end.",
        "The board of {club} will meet next week to discuss the budget.",
        "{coach} was asked about the situation at {club} but declined to comment.",
    ],
    "it": [
        "Il {club} affronta il {other} sabato in una gara decisiva per la stagione.",
        "{coach} ha elogiato l'atteggiamento della squadra dopo l'allenamento.",
        "I tifosi del {club} sono attesi in massa in trasferta.",
        "Il consiglio del {club} si riunirà la prossima settimana per il budget.",
        "A {coach} è stato chiesto del {club}, ma non ha voluto commentare.",
    ],
    "es": [
        "El {club} se enfrenta al {other} el sábado en un partido clave.",
        "{coach} elogió la actitud del equipo tras el entrenamiento.",
        "La afición del {club} llenará el sector visitante.",
        "La junta del {club} se reunirá la próxima semana para hablar del presupuesto.",
        "A {coach} le preguntaron por el {club}, pero prefirió no opinar.",
    ],
}
STATUS_REASONS = {
    "happened": "appointment confirmed",
    "did_not_happen": "denied by the club",
    "expired": "no news for 60 days",
}
STAGE_REASONS = {
    "interest": "interest reported",
    "contact": "contact reported",
    "talks": "talks reported",
    "agreement": "agreement reported",
}


def target_counts(scale: float) -> dict[str, int]:
    """Return the row count of each kind the data set has at scale (real rows included)."""
    return {kind: max(MINIMUMS.get(kind, 1), round(n * scale)) for kind, n in TARGETS.items()}


def synthetic_rows() -> dict[str, models.QuerySet]:
    """Return the synthetic rows of each kind, as querysets (for counting or deleting)."""
    synthetic_evidence = Evidence.objects.filter(article__url__contains=ARTICLE_MARK)
    real_evidence = Evidence.objects.exclude(article__url__contains=ARTICLE_MARK)
    return {
        "coaches": Coach.objects.filter(slug__startswith=MARK),
        "clubs": Club.objects.filter(slug__startswith=MARK),
        "outlets": Source.objects.filter(slug__startswith=MARK),
        "articles": Article.objects.filter(url__contains=ARTICLE_MARK),
        # A rumour is synthetic when synthetic articles alone report it.
        "rumours": Rumour.objects.filter(
            Exists(synthetic_evidence.filter(rumour=OuterRef("pk"))),
            ~Exists(real_evidence.filter(rumour=OuterRef("pk"))),
        ),
        "evidence": synthetic_evidence,
        "users": User.objects.filter(username__startswith=MARK),
        "votes": Vote.objects.filter(user__username__startswith=MARK),
        "follows": Follow.objects.filter(user__username__startswith=MARK),
    }


def count_rows() -> dict[str, tuple[int, int]]:
    """Return (all rows, synthetic rows) for each kind."""
    return {
        kind: (MODELS[kind].objects.count(), queryset.count())
        for kind, queryset in synthetic_rows().items()
    }


@dataclass
class Outcome:
    """What generate() did: rows per kind (all, synthetic), seconds, and whether it added any."""

    counts: dict[str, tuple[int, int]]
    seconds: float
    created: bool
    message: str = ""


class ExistingSetMismatch(Exception):
    """A synthetic set of another size is there; replace it rather than mix two scales."""


def generate(
    scale: float = 1.0,
    seed: int = 7,
    *,
    replace: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Outcome:
    """Top the database up to the data set at scale; add nothing if that set is there already.

    With replace, delete the synthetic rows first. Raises ExistingSetMismatch
    when a synthetic set of another scale exists (and replace is off), and
    ValueError for a scale the real rows cannot satisfy.
    """
    started = time.perf_counter()
    say = progress or (lambda message: None)
    if replace:
        removed = delete_synthetic(progress=say)
        say(f"deleted the synthetic set ({sum(removed.values()):,} rows)")
    counts = count_rows()
    targets = target_counts(scale)
    if any(synthetic for _, synthetic in counts.values()):
        expected = {
            kind: max(0, targets[kind] - (total - synthetic))
            for kind, (total, synthetic) in counts.items()
        }
        if all(counts[kind][1] == expected[kind] for kind in ("users", "articles", "rumours")):
            return Outcome(
                counts,
                time.perf_counter() - started,
                created=False,
                message=f"a synthetic set at scale {scale:g} is there already; nothing added",
            )
        raise ExistingSetMismatch(
            f"a synthetic set of another size is there ({counts['users'][1]:,} fans, "
            f"{counts['articles'][1]:,} articles); use --replace to regenerate it"
        )
    wanted = {kind: max(0, targets[kind] - total) for kind, (total, _) in counts.items()}
    with transaction.atomic():
        _Generator(wanted, seed, say).run()
    if connection.vendor == "postgresql":
        vacuum_analyze()
        say(f"  VACUUM ANALYZE ({time.perf_counter() - started:.1f} s since the start)")
    # Coaches, clubs and aliases went in without signals: tell every
    # process's extraction index to rebuild.
    bump_version()
    return Outcome(count_rows(), time.perf_counter() - started, created=True)


def delete_synthetic(progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Delete every synthetic row, children first; return rows deleted per model."""
    say = progress or (lambda message: None)
    removed: dict[str, int] = {}
    rows = synthetic_rows()
    with transaction.atomic():
        # Children before parents, so each delete is one statement rather
        # than Django collecting hundreds of thousands of rows to cascade.
        users = rows["users"]
        steps = [
            ("votes", Vote.objects.filter(user__in=users)),
            ("follows", Follow.objects.filter(user__in=users)),
            ("notifications", Notification.objects.filter(user__in=users)),
            ("rumours", Rumour.objects.filter(pk__in=rows["rumours"].values("pk")).only("pk")),
            ("evidence", rows["evidence"]),
            ("articles", rows["articles"].only("pk")),
            ("users", users.only("pk")),
            ("coaches", rows["coaches"].only("pk")),
            ("clubs", rows["clubs"].only("pk")),
            ("outlets", rows["outlets"].only("pk")),
        ]
        for name, queryset in steps:
            _, per_model = queryset.delete()
            for label, count in per_model.items():
                removed[label] = removed.get(label, 0) + count
            say(f"  deleted synthetic {name}")
    return removed


def vacuum_analyze():
    """Refresh the planner's statistics and the visibility maps of every table loaded.

    A production database has been vacuumed and analysed by autovacuum;
    right after a bulk load it has not, and plans would be misleading.
    """
    # VACUUM cannot run in a transaction (a test's): ANALYZE alone can.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in _Generator.LOADED:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")


# --------------------------------------------------------------- writing


class _Writer:
    """Write rows (tuples in the order of `fields`) to a model's table, fast.

    PostgreSQL: COPY through psycopg 3. Elsewhere: bulk_create in batches
    (there, auto_now fields take the time of insertion). Concrete fields
    not named get their model default, so a field added to a model later
    does not break the generator.
    """

    BATCH = 2000

    def __init__(self):
        self.copy = connection.vendor == "postgresql"

    def write(self, model, fields: Sequence[str], rows: Iterable[tuple]) -> int:
        if self.copy:
            return self._copy(model, fields, rows)
        written = 0
        rows = iter(rows)
        while batch := list(islice(rows, self.BATCH)):
            model.objects.bulk_create(
                [model(**dict(zip(fields, row, strict=True))) for row in batch]
            )
            written += len(batch)
        return written

    def _copy(self, model, fields, rows) -> int:
        from psycopg import sql

        named = [model._meta.get_field(name) for name in fields]
        # The database numbers rows whose ids are not given.
        rest = [
            f
            for f in model._meta.concrete_fields
            if f.attname not in fields and not getattr(f, "db_returning", False)
        ]
        columns = [f.column for f in named + rest]
        defaults = tuple(f.get_default() for f in rest)
        is_json = [isinstance(f, models.JSONField) for f in named + rest]
        json_at = [i for i, flag in enumerate(is_json) if flag]
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(model._meta.db_table),
            sql.SQL(", ").join(sql.Identifier(column) for column in columns),
        )
        written = 0
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                row = row + defaults
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = None if row[i] is None else json.dumps(row[i])
                copy.write_row(row)
                written += 1
        return written


def reset_sequences(model_list):
    """Move each table's id sequence past the ids chosen here (PostgreSQL)."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), model_list):
            cursor.execute(statement)


def next_id(model) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


# --------------------------------------------------------------- shapes


def zipf_weights(n: int, exponent: float) -> list[float]:
    """Weight 1/(rank+1)^exponent for ranks 0..n-1: a few very popular, a long tail."""
    return [1.0 / (rank + 1) ** exponent for rank in range(n)]


def cumulative(weights: Sequence[float]) -> list[float]:
    return list(accumulate(weights))


@dataclass
class _Entity:
    """A coach, club or outlet as the generator needs it: id, name and what it weighs."""

    id: int
    name: str
    weight: float = 1.0
    language: str = "en"
    tier: int = 3
    domain: str = ""


@dataclass
class _Rumour:
    coach: int  # index into the coach list
    club: int
    kind: str
    evidence: list[int] = field(default_factory=list)  # article indices, oldest first
    votes: int = 0
    reliable: int = 0
    weight: float = 1.0


class _Generator:
    """Build the synthetic set in one pass per table; see generate()."""

    LOADED = [
        Club,
        Coach,
        Alias,
        CoachingSpell,
        Source,
        User,
        Article,
        Rumour,
        Evidence,
        Vote,
        Follow,
        RumourEvent,
        Notification,
    ]

    def __init__(self, wanted: dict[str, int], seed: int, say: Callable[[str], None]):
        self.wanted = wanted
        self.rng = random.Random(seed)
        self.say = say
        self.writer = _Writer()
        self.now = timezone.now().replace(microsecond=0)
        self.start = self.now - timedelta(days=DAYS)
        self.names = {}
        self.text = {}
        for index, language in enumerate(LANGUAGES):
            self.names[language] = Faker(NAME_LOCALES[language])
            self.names[language].seed_instance(seed + index)
            self.text[language] = Faker(TEXT_LOCALES[language])
            self.text[language].seed_instance(seed + 10 + index)
        self.folded_names: dict[str, str] = {}
        self.clock = time.perf_counter()

    def step(self, message: str):
        now = time.perf_counter()
        self.say(f"  {message} ({now - self.clock:.1f} s)")
        self.clock = now

    def language(self) -> str:
        return self.rng.choices(LANGUAGES, weights=(4, 4, 3))[0]

    def fold_name(self, name: str) -> str:
        folded = self.folded_names.get(name)
        if folded is None:
            folded = self.folded_names[name] = fold(name)
        return folded

    def run(self):
        self.clubs = self.make_clubs()
        self.coaches = self.make_coaches()
        self.outlets, self.credited = self.make_outlets()
        self.step(
            f"{self.wanted['clubs']:,} clubs, {self.wanted['coaches']:,} coaches, "
            f"{self.wanted['outlets']:,} outlets"
        )
        self.users = self.make_users()
        self.step(f"{len(self.users):,} fans")
        self.plan_articles()
        self.rumours = self.plan_rumours()
        self.plan_evidence()
        # Rumours get their ids as their first article arrives, as in production.
        self.rumours.sort(key=lambda rumour: rumour.evidence[0])
        self.plan_votes()
        self.step(f"planned {len(self.rumours):,} rumours")
        self.write_articles()
        self.step(f"{self.wanted['articles']:,} articles")
        self.write_rumours()
        self.step(f"{len(self.rumours):,} rumours")
        self.write_evidence()
        self.step(f"{self.evidence_written:,} evidence rows")
        self.write_votes()
        self.step(f"{self.votes_written:,} votes")
        self.write_follows()
        self.step(f"{self.follows_written:,} follows")
        self.write_events_and_notifications()
        self.step(f"{self.events_written:,} events, {self.notifications_written:,} notifications")
        if connection.vendor == "postgresql":
            reset_sequences(self.LOADED)

    # ------------------------------------------------------ the gazetteer

    def make_clubs(self) -> list[_Entity]:
        """Real clubs first (big leagues most popular), then synthetic ones in lower leagues."""
        rng = self.rng
        real = list(Club.objects.order_by("pk").values_list("pk", "short_name", "league"))
        rng.shuffle(real)
        real.sort(key=lambda row: BIG_LEAGUES.index(row[2]) if row[2] in BIG_LEAGUES else 9)
        clubs = [_Entity(pk, name) for pk, name, _ in real]
        first = next_id(Club)
        rows, aliases, seen = [], [], {club.name for club in clubs}
        for n in range(self.wanted["clubs"]):
            language = self.language()
            city = self.names[language].city()
            short = {"it": f"{city}", "en": f"{city} Town", "es": f"{city} CF"}[language]
            while short in seen:
                short = f"{short} {rng.choice(['Sporting', 'Atletico', 'United', 'Real'])}"
            seen.add(short)
            name = {
                "it": f"Associazione Calcio {short}",
                "en": f"{short} Football Club",
                "es": f"{short} Club de Fútbol",
            }[language]
            pk = first + n
            rows.append(
                (pk, name, short, f"{MARK}{slugify(short)}-{n}", COUNTRY[language])
                + (rng.choice(LEAGUES[language]), False, None)
            )
            for text in dict.fromkeys([short, name]):
                aliases.append((text, fold(text), "name", None, pk))
            clubs.append(_Entity(pk, short))
        fields = ["id", "name", "short_name", "slug", "country", "league"]
        self.writer.write(Club, [*fields, "is_national_team", "bench_open_since"], rows)
        self.write_aliases(aliases)
        for club, weight in zip(clubs, zipf_weights(len(clubs), 0.8), strict=True):
            club.weight = weight
        return clubs

    def make_coaches(self) -> list[_Entity]:
        """Real coaches first (the most discussed), then synthetic ones, with aliases and spells."""
        rng = self.rng
        real = list(
            Coach.objects.order_by("pk").values_list("pk", "full_name", "current_club__league")
        )
        rng.shuffle(real)
        # The big leagues' coaches are discussed most.
        real.sort(key=lambda row: row[2] not in BIG_LEAGUES)
        coaches = [_Entity(pk, name) for pk, name, _ in real]
        first, rows, aliases, spells = next_id(Coach), [], [], []
        taken = set(Coach.objects.values_list("full_name", flat=True))
        for n in range(self.wanted["coaches"]):
            language = self.language()
            faker = self.names[language]
            name = f"{faker.first_name_male()} {faker.last_name()}"
            while name in taken:
                name = f"{faker.first_name_male()} {faker.last_name()}"
            taken.add(name)
            pk = first + n
            club = rng.choice(self.clubs) if rng.random() < 0.45 else None
            born = rng.randint(1955, 1992)
            rows.append(
                (pk, name, f"{MARK}{slugify(name)}-{n}", COUNTRY[language], born)
                + (faker.city(), club.id if club else None)
            )
            surname = name.split(" ", 1)[1]
            for text in dict.fromkeys([name, surname]):
                aliases.append((text, fold(text), "name", pk, None))
            spells.extend(self.spells_of(pk, club, born))
            coaches.append(_Entity(pk, name))
        fields = ["id", "full_name", "slug", "nationality", "born", "birthplace"]
        self.writer.write(Coach, [*fields, "current_club_id"], rows)
        self.write_aliases(aliases)
        self.writer.write(
            CoachingSpell, ["coach_id", "club_id", "started", "ended", "is_caretaker"], spells
        )
        for coach, weight in zip(coaches, zipf_weights(len(coaches), 1.0), strict=True):
            coach.weight = weight
        return coaches

    def spells_of(self, coach_id: int, current, born: int) -> list[tuple]:
        """A synthetic coach's jobs: up to two past ones, then the current one if he has it."""
        rng, spells = self.rng, []
        year = max(born + 35, 2008)
        for _ in range(rng.randint(0, 2)):
            started = date(year, rng.randint(6, 7), rng.randint(1, 28))
            ended = started + timedelta(days=rng.randint(120, 900))
            if ended >= self.now.date() - timedelta(days=200):
                break
            club = rng.choice(self.clubs)
            if current is None or club.id != current.id:
                spells.append((coach_id, club.id, started, ended, False))
            year = ended.year + 1
        if current is not None:
            started = self.now.date() - timedelta(days=rng.randint(30, 700))
            spells.append((coach_id, current.id, started, None, False))
        return spells

    def write_aliases(self, aliases: list[tuple]):
        self.writer.write(Alias, ["text", "folded", "kind", "coach_id", "club_id"], aliases)

    def make_outlets(self) -> tuple[list[_Entity], list[_Entity]]:
        """Return (outlets that publish articles, outlets and reporters that get credited)."""
        rng = self.rng
        real = list(
            Source.objects.order_by("tier", "pk").values_list(
                "pk", "name", "language", "kind", "tier", "domain", "is_person"
            )
        )
        publishing, credited = [], []
        for pk, name, language, kind, tier, domain, is_person in real:
            entity = _Entity(pk, name, language=language, tier=tier, domain=domain)
            if kind == Source.Kind.NONE or is_person:
                credited.append(entity)
            elif language in LANGUAGES:  # articles are written in it, en and es only
                publishing.append(entity)
        first, rows = next_id(Source), []
        kinds = ["rss"] * 11 + ["atom"] * 2 + ["html"] * 4 + ["none"] * 3
        for n in range(self.wanted["outlets"]):
            language = self.language()
            faker = self.names[language]
            kind = "rss" if n == 0 else rng.choice(kinds)  # one publishes, at least
            is_person = kind == "none" and rng.random() < 0.6
            city = faker.city()
            if is_person:
                name = faker.name()
            else:
                name = {
                    "it": rng.choice(["Il Corriere di {}", "{} Sport", "Calcio {}"]),
                    "en": rng.choice(["The {} Gazette", "{} Evening Post", "{} Football Live"]),
                    "es": rng.choice(["Diario de {}", "{} Deportivo", "Gol {}"]),
                }[language].format(city)
            slug = f"{MARK}{slugify(name)}-{n}"
            domain = f"{slug}.invalid"  # reserved: never resolves, never fetched
            feed_url = {
                "rss": f"https://{domain}/rss.xml",
                "atom": f"https://{domain}/atom.xml",
                "html": f"https://{domain}/{SECTIONS[language]}/",
            }.get(kind, "")
            tier = rng.choices((1, 2, 3, 4), weights=(1, 4, 8, 7))[0]
            pk = first + n
            rows.append(
                (pk, name, slug, domain, language, kind, feed_url, tier, True, is_person)
                + ("article h2 a" if kind == "html" else "", rng.choice((15, 30, 60)))
            )
            entity = _Entity(pk, name, language=language, tier=tier, domain=domain)
            (credited if kind == "none" else publishing).append(entity)
        self.writer.write(
            Source,
            ["id", "name", "slug", "domain", "language", "kind", "feed_url", "tier", "is_active"]
            + ["is_person", "link_selector", "poll_interval"],
            rows,
        )
        if not publishing:
            raise ValueError("no outlet publishes in it, en or es: load the gazetteer first")
        # Better outlets publish more; within a tier, a long tail.
        rng.shuffle(publishing)
        publishing.sort(key=lambda outlet: outlet.tier)
        for outlet, weight in zip(publishing, zipf_weights(len(publishing), 0.7), strict=True):
            outlet.weight = weight
        return publishing, credited or publishing[:1]

    # ------------------------------------------------------------- fans

    def make_users(self) -> list[tuple[int, datetime, float]]:
        """Write the fans; return (id, date joined, activity weight) for each."""
        rng, now = self.rng, self.now
        first, rows, users = next_id(User), [], []
        seconds = sorted(rng.random() * DAYS * 86400 for _ in range(self.wanted["users"]))
        for n, joined_after in enumerate(seconds):
            language = self.language()
            faker = self.names[language]
            first_name, last_name = faker.first_name(), faker.last_name()
            username = f"{MARK}{slugify(first_name)}-{slugify(last_name)}-{n}"
            joined = self.start + timedelta(seconds=joined_after)
            quiet = rng.random() < 0.2
            last_login = now - timedelta(hours=rng.random() * 24 * 90) if n % 3 else None
            rows.append(
                (first + n, make_password(None), username, first_name, last_name)
                + (f"{username}@example.com", rng.random() > 0.02, joined, False, False)
                + (last_login if last_login and last_login > joined else None,)
                + ("it" if language == "it" else "en", rng.choice(TIME_ZONES[language]))
                + (rng.random() > 0.1, rng.choices(("instant", "digest", "off"), (3, 11, 6))[0])
                + (rng.randint(6, 21), clock(23) if quiet else None, clock(7) if quiet else None)
                + (rng.choices((30, 60, 80), (2, 5, 3))[0],)
                + (f"{rng.getrandbits(192):048x}" if rng.random() < 0.05 else None,)
            )
            # Activity: most fans vote a little, a few vote a lot.
            users.append((first + n, joined, math.exp(rng.gauss(0, 1.2))))
        self.writer.write(
            User,
            ["id", "password", "username", "first_name", "last_name", "email", "is_active"]
            + ["date_joined", "is_staff", "is_superuser", "last_login", "language", "time_zone"]
            + ["site_alerts", "email_alerts", "digest_hour", "quiet_from", "quiet_until"]
            + ["alert_threshold", "feed_token"],
            rows,
        )
        return users

    # ------------------------------------------------------------ planning

    def plan_articles(self):
        """Spread the articles over two years in time slots, oldest first, each with an outlet."""
        n = self.wanted["articles"]
        self.slots = max(1, min(DAYS, n // ARTICLES_PER_SLOT))
        self.slot_start = [(slot * n + self.slots - 1) // self.slots for slot in range(self.slots)]
        self.slot_start.append(n)
        span = DAYS * 86400 / max(n, 1)
        rng = self.rng
        self.published = [
            self.start + timedelta(seconds=round((index + rng.random()) * span))
            for index in range(n)
        ]
        weights = cumulative([outlet.weight for outlet in self.outlets])
        self.article_outlet = rng.choices(range(len(self.outlets)), cum_weights=weights, k=n)
        self.first_article = next_id(Article)
        # The first article of the last fortnight: later ones make a rumour's buzz.
        self.recent_from = bisect_left(self.published, self.now - timedelta(days=14))

    def plan_rumours(self) -> list[_Rumour]:
        """Pick unique (coach, club) pairs, popular coaches and clubs far more often."""
        rng, count = self.rng, self.wanted["rumours"]
        coaches, clubs = range(len(self.coaches)), range(len(self.clubs))
        cap = max(1, int(len(self.clubs) * 0.6))  # no coach is linked to every club
        if count > 0.5 * len(self.coaches) * min(cap, len(self.clubs)):
            raise ValueError(
                f"{count:,} rumours need more coaches and clubs than "
                f"{len(self.coaches):,} and {len(self.clubs):,}"
            )
        coach_cum = cumulative([coach.weight**0.55 for coach in self.coaches])
        club_cum = cumulative([club.weight for club in self.clubs])
        pairs: dict[tuple[int, int], None] = {}
        per_coach = [0] * len(self.coaches)
        while len(pairs) < count:
            need = count - len(pairs) + 100
            drawn = zip(
                rng.choices(coaches, cum_weights=coach_cum, k=need),
                rng.choices(clubs, cum_weights=club_cum, k=need),
                strict=True,
            )
            for coach, club in drawn:
                if (coach, club) in pairs or per_coach[coach] >= cap:
                    continue
                pairs[(coach, club)] = None
                per_coach[coach] += 1
                if len(pairs) == count:
                    break
        kinds = ("rumour", "confirmed", "exit", "denial")
        rumours = []
        for coach, club in pairs:
            rumour = _Rumour(coach, club, rng.choices(kinds, weights=(62, 13, 15, 10))[0])
            rumour.weight = (
                self.coaches[coach].weight ** 0.42
                * self.clubs[club].weight ** 0.5
                * math.exp(rng.gauss(0, 0.8))
            )
            rumours.append(rumour)
        return rumours

    def plan_evidence(self):
        """Give each rumour its articles: one at least, the popular ones hundreds, in a window.

        A rumour lives for a few days to a few months; its articles fall in
        that window, never the same article twice.
        """
        rng, rumours, n = self.rng, self.rumours, self.wanted["articles"]
        total = self.wanted["evidence"]
        if rumours and (total < len(rumours) or not n):
            raise ValueError("every rumour needs an evidence row, and each an article")
        counts = [1] * len(rumours)
        extra = total - len(rumours)
        if rumours and extra:
            cum = cumulative([rumour.weight for rumour in rumours])
            for index in rng.choices(range(len(rumours)), cum_weights=cum, k=extra):
                counts[index] += 1
        slots, per_slot = self.slots, max(1.0, n / self.slots)
        for rumour, count in zip(rumours, counts, strict=True):
            count = min(count, n)
            days = math.exp(rng.gauss(math.log(15), 1.0))
            length = max(1, math.ceil(days * slots / DAYS), math.ceil(4 * count / per_slot))
            length = min(length, slots)
            low = rng.randint(0, slots - length)
            high = low + length - 1
            chosen: set[int] = set()
            misses = 0
            while len(chosen) < count:
                slot = rng.randint(low, high)
                first, after = self.slot_start[slot], self.slot_start[slot + 1]
                if after > first:
                    article = rng.randrange(first, after)
                    if article not in chosen:
                        chosen.add(article)
                        continue
                misses += 1
                if misses > 20:  # a crowded window: widen it
                    low, high, misses = max(0, low - 1), min(slots - 1, high + 1), 0
            rumour.evidence = sorted(chosen)

    def plan_votes(self):
        """Decide how many votes each rumour gets (the loud ones most) and how many say reliable."""
        rng, rumours, total = self.rng, self.rumours, self.wanted["votes"]
        if not rumours or not total:
            return
        cap = max(1, int(len(self.users) * 0.6))
        if total > cap * len(rumours):
            raise ValueError(f"{total:,} votes need more than {len(self.users):,} fans")
        weights = [len(rumour.evidence) ** 1.1 * rumour.weight**0.3 for rumour in rumours]
        left = total
        while left:
            cum = cumulative(
                [w if r.votes < cap else 0.0 for w, r in zip(weights, rumours, strict=True)]
            )
            for index in rng.choices(range(len(rumours)), cum_weights=cum, k=left):
                rumour = rumours[index]
                if rumour.votes < cap:
                    rumour.votes += 1
                    left -= 1
        for rumour in rumours:
            share = {"confirmed": 0.85, "exit": 0.75, "denial": 0.3}.get(rumour.kind, 0.55)
            share = min(0.95, max(0.05, rng.gauss(share, 0.12)))
            rumour.reliable = sum(1 for _ in range(rumour.votes) if rng.random() < share)

    # ------------------------------------------------------------ articles

    def write_articles(self):
        """Write each article, its text led by the sentences reporting its links.

        The quotes are kept for the evidence rows. The content hash is the
        fingerprint of the text, built from folded pieces so each name and
        sentence is folded once, not once per article.
        """
        by_article: list[list[int]] = [[] for _ in range(self.wanted["articles"])]
        for index, rumour in enumerate(self.rumours):
            for article in rumour.evidence:
                by_article[article].append(index)
        self.by_article = by_article
        self.quotes: dict[tuple[int, int], str] = {}
        self.evidence_kind: dict[tuple[int, int], str] = {}
        self.assign_evidence_kinds()
        self.writer.write(
            Article,
            ["id", "source_id", "url", "title", "author", "published_at", "fetched_at"]
            + ["language", "text", "content_hash", "extracted_at"],
            self.article_rows(by_article),
        )

    def assign_evidence_kinds(self):
        """Set each evidence row's kind: the newest is the rumour's, earlier ones lead up to it."""
        rng = self.rng
        for index, rumour in enumerate(self.rumours):
            last = len(rumour.evidence) - 1
            for position, article in enumerate(rumour.evidence):
                if rumour.kind == "exit" or position == last:
                    kind = rumour.kind
                elif rumour.kind == "confirmed" and position >= last - rng.randint(0, 2):
                    kind = "confirmed"
                else:
                    kind = "denial" if rng.random() < 0.03 else "rumour"
                self.evidence_kind[(index, article)] = kind

    def article_rows(self, by_article) -> Iterator[tuple]:
        rng, now = self.rng, self.now
        pools = {language: self.sentence_pool(language) for language in LANGUAGES}
        bylines = {
            language: [self.names[language].name() for _ in range(150)] for language in LANGUAGES
        }
        folded_links = {
            language: {kind: [(t, fold(t)) for t in templates] for kind, templates in kinds.items()}
            for language, kinds in LINKS.items()
        }
        folded_filler = {
            language: [(t, fold(t)) for t in templates] for language, templates in FILLER.items()
        }
        coach_cum = cumulative([coach.weight for coach in self.coaches])
        club_cum = cumulative([club.weight for club in self.clubs])
        coach_range, club_range = range(len(self.coaches)), range(len(self.clubs))
        hashes: set[str] = set()
        for index in range(len(by_article)):
            outlet = self.outlets[self.article_outlet[index]]
            language = outlet.language if outlet.language in LANGUAGES else "en"
            published = self.published[index]
            pieces, folded, words = [], [], 0
            title_kind, title_names = "", None
            for rumour_index in by_article[index]:
                rumour = self.rumours[rumour_index]
                coach, club = self.coaches[rumour.coach].name, self.clubs[rumour.club].name
                kind = self.evidence_kind[(rumour_index, index)]
                template, folded_template = rng.choice(folded_links[language][kind])
                year = str(published.year + rng.randint(1, 3))
                sentence = template.format(coach=coach, club=club, year=year)
                pieces.append(sentence)
                folded.append(
                    folded_template.format(
                        coach=self.fold_name(coach), club=self.fold_name(club), year=year
                    )
                )
                words += sentence.count(" ") + 1
                self.quotes[(rumour_index, index)] = sentence
                if title_names is None:
                    title_kind, title_names = kind, (coach, club)
            target = rng.randint(80, 150)
            while words < target:
                if rng.random() < 0.35:
                    template, folded_template = rng.choice(folded_filler[language])
                    coach = self.coaches[rng.choices(coach_range, cum_weights=coach_cum)[0]].name
                    club, other = (
                        self.clubs[i].name
                        for i in rng.choices(club_range, cum_weights=club_cum, k=2)
                    )
                    pieces.append(template.format(coach=coach, club=club, other=other))
                    folded.append(
                        folded_template.format(
                            coach=self.fold_name(coach),
                            club=self.fold_name(club),
                            other=self.fold_name(other),
                        )
                    )
                else:
                    sentence, folded_sentence = rng.choice(pools[language])
                    pieces.append(sentence)
                    folded.append(folded_sentence)
                words += pieces[-1].count(" ") + 1
            content_hash = hashlib.sha256(" ".join(folded).encode()).hexdigest()
            while content_hash in hashes:  # two articles made of the same sentences
                sentence, folded_sentence = rng.choice(pools[language])
                pieces.append(sentence)
                folded.append(folded_sentence)
                content_hash = hashlib.sha256(" ".join(folded).encode()).hexdigest()
            hashes.add(content_hash)
            if title_names is None:
                coach = self.coaches[rng.choices(coach_range, cum_weights=coach_cum)[0]].name
                club = self.clubs[rng.choices(club_range, cum_weights=club_cum)[0]].name
                title_names = (coach, club)
            title = rng.choice(TITLES[language][title_kind]).format(
                coach=title_names[0], club=title_names[1]
            )
            # Paragraphs of two or three sentences; fold() reads any run
            # of whitespace as one space, so the hash above still holds.
            paragraphs, at = [], 0
            while at < len(pieces):
                step = rng.randint(2, 3)
                paragraphs.append(" ".join(pieces[at : at + step]))
                at += step
            fetched = min(now, published + timedelta(minutes=rng.randint(2, 90)))
            host = outlet.domain if outlet.domain.endswith(".invalid") else f"www.{outlet.domain}"
            url = (
                f"https://{host}/{SECTIONS[language]}/{published:%Y/%m/%d}"
                f"{ARTICLE_MARK}{self.first_article + index}-{slugify(title)[:60]}"
            )
            author = rng.choice(bylines[language]) if rng.random() < 0.65 else ""
            yield (
                self.first_article + index,
                outlet.id,
                url,
                title,
                author,
                published,
                fetched,
                language,
                "\n\n".join(paragraphs),
                content_hash,
                fetched + timedelta(seconds=rng.randint(1, 20)),
            )

    def sentence_pool(self, language: str) -> list[tuple[str, str]]:
        """Faker sentences in the language, each with its folded form."""
        faker = self.text[language]
        sentences = [faker.sentence(nb_words=self.rng.randint(8, 18)) for _ in range(2000)]
        return [(sentence, fold(sentence)) for sentence in sentences]

    # ------------------------------------------------------------- rumours

    def write_rumours(self):
        self.first_rumour = next_id(Rumour)
        self.writer.write(
            Rumour,
            ["id", "coach_id", "club_id", "kind", "status", "first_seen_at", "last_seen_at"]
            + ["status_changed_at", "score", "buzz", "stage", "score_reasons", "scored_at"]
            + ["appointed_at", "exited_at"]
            + ["reliable_count", "unreliable_count", "evidence_count", "outlet_count"],
            (self.rumour_row(index, rumour) for index, rumour in enumerate(self.rumours)),
        )

    def rumour_row(self, index: int, rumour: _Rumour) -> tuple:
        """A rumour's row, its status, score and reasons plausible for its evidence and votes."""
        rng, now = self.rng, self.now
        first_seen = self.published[rumour.evidence[0]]
        last_seen = self.published[rumour.evidence[-1]]
        quiet_days = (now - last_seen).days
        status, changed = "open", first_seen
        appointed = exited = None
        if rumour.kind == "confirmed":
            status, changed, appointed = "happened", last_seen, last_seen
        elif rumour.kind == "exit" and quiet_days > 7:
            status, changed, exited = "happened", last_seen, last_seen
        elif rumour.kind == "denial" and quiet_days > 30:
            status, changed = "did_not_happen", last_seen
        elif rumour.kind == "rumour" and quiet_days > 60:
            status, changed = "expired", last_seen + timedelta(days=60)
        outlets = {self.article_outlet[article] for article in rumour.evidence}
        best_tier = min(self.outlets[outlet].tier for outlet in outlets)
        recent = len(rumour.evidence) - bisect_left(rumour.evidence, self.recent_from)
        if status == "happened":
            score = rng.randint(90, 100)
        elif status == "did_not_happen":
            score = rng.randint(3, 25)
        else:
            base = 18 + 11 * math.log2(1 + len(outlets)) + (4 - best_tier) * 5
            score = max(1, min(99, round(base + rng.gauss(0, 8))))
            if status == "expired":
                score = min(score, rng.randint(10, 45))
        scored = status != "open" or rng.random() > 0.05
        buzz = min(100, recent * 4 + rng.randint(0, 6)) if status == "open" else 0
        if rumour.kind == "confirmed":
            stage = "done"
        elif rumour.kind == "rumour":
            stage = ("interest", "contact", "talks", "agreement")[min(3, score // 25)]
        else:
            stage = ""
        reasons = []
        if status in STATUS_REASONS:
            reasons.append(STATUS_REASONS[status])
        articles = len(rumour.evidence)
        reasons.append(
            f"1 tier-{best_tier} outlet"
            if len(outlets) == 1
            else f"{len(outlets)} outlets, tier {best_tier} at best"
        )
        if articles > len(outlets):
            reasons[-1] += f" ({articles} articles)"
        if stage in STAGE_REASONS:
            reasons.append(STAGE_REASONS[stage])
        if rumour.votes:
            share = round(100 * rumour.reliable / rumour.votes)
            reasons.append(f"{share}% of {rumour.votes} fans say reliable")
        return (
            self.first_rumour + index,
            self.coaches[rumour.coach].id,
            self.clubs[rumour.club].id,
            rumour.kind,
            status,
            first_seen,
            last_seen,
            changed,
            score if scored else None,
            buzz,
            stage,
            reasons if scored else [],
            min(now, last_seen + timedelta(minutes=rng.randint(1, 40))) if scored else None,
            appointed,
            exited,
            rumour.reliable,
            rumour.votes - rumour.reliable,
            len(rumour.evidence),
            len(outlets),
        )

    def write_evidence(self):
        self.evidence_written = self.writer.write(
            Evidence,
            ["rumour_id", "article_id", "kind", "quote", "confidence", "credited_to"]
            + ["credited_source_id", "created_at"],
            self.evidence_rows(),
        )
        self.quotes.clear()

    def evidence_rows(self) -> Iterator[tuple]:
        """Evidence in the order ingestion stores it, article by article.

        So each rumour's rows are spread over the table as in production,
        not packed together where counting them would cost a few pages.
        """
        rng, now = self.rng, self.now
        for article, rumour_indices in enumerate(self.by_article):
            for index in rumour_indices:
                credited = rng.choice(self.credited) if rng.random() < 0.12 else None
                yield (
                    self.first_rumour + index,
                    self.first_article + article,
                    self.evidence_kind[(index, article)],
                    self.quotes[(index, article)],
                    round(rng.uniform(0.45, 0.98), 2),
                    credited.name if credited else "",
                    credited.id if credited else None,
                    min(now, self.published[article] + timedelta(minutes=rng.randint(3, 120))),
                )

    # --------------------------------------------------------- fans' rows

    def write_votes(self):
        # In the order they were cast, as in production (see evidence_rows).
        rows = sorted(self.vote_rows(), key=lambda row: row[3])
        self.votes_written = self.writer.write(
            Vote, ["rumour_id", "user_id", "value", "created_at", "updated_at"], rows
        )

    def vote_rows(self) -> Iterator[tuple]:
        """Each rumour's voters, distinct, the active fans far more often, in its lifetime."""
        rng, now, users = self.rng, self.now, self.users
        cum = cumulative([weight for _, _, weight in users])
        everyone = range(len(users))
        for index, rumour in enumerate(self.rumours):
            if not rumour.votes:
                continue
            drawn = dict.fromkeys(rng.choices(everyone, cum_weights=cum, k=rumour.votes * 2))
            voters = list(islice(drawn, rumour.votes))
            if len(voters) < rumour.votes:
                chosen = set(voters)
                for extra in rng.sample(everyone, len(everyone)):
                    if extra not in chosen:
                        voters.append(extra)
                        if len(voters) == rumour.votes:
                            break
            values = ["reliable"] * rumour.reliable + ["unreliable"] * (
                rumour.votes - rumour.reliable
            )
            rng.shuffle(values)
            opened = self.published[rumour.evidence[0]]
            closed = min(now, self.published[rumour.evidence[-1]] + timedelta(days=7))
            window = max(60.0, (closed - opened).total_seconds())
            rumour_id = self.first_rumour + index
            for voter, value in zip(sorted(voters), values, strict=True):
                user_id, joined, _ = users[voter]
                cast = min(now, opened + timedelta(seconds=rng.random() * window))
                if cast < joined:
                    cast = min(now, joined + timedelta(hours=rng.random() * 48))
                changed = cast + timedelta(days=rng.random() * 3) if rng.random() < 0.1 else cast
                yield (rumour_id, user_id, value, cast, min(now, changed))

    def write_follows(self):
        """Follows of coaches (three in four) and of benches, the popular ones most."""
        rng, users, total = self.rng, self.users, self.wanted["follows"]
        user_cum = cumulative([weight for _, _, weight in users])
        coach_cum = cumulative([coach.weight for coach in self.coaches])
        club_cum = cumulative([club.weight for club in self.clubs])
        pairs: dict[tuple[int, int, int], None] = {}
        if users and total > 0.5 * len(users) * (len(self.coaches) + len(self.clubs)):
            raise ValueError(f"{total:,} follows need more than {len(users):,} fans")
        while users and len(pairs) < total:
            need = total - len(pairs) + 100
            fans = rng.choices(range(len(users)), cum_weights=user_cum, k=need)
            coaches = rng.choices(range(len(self.coaches)), cum_weights=coach_cum, k=need)
            clubs = rng.choices(range(len(self.clubs)), cum_weights=club_cum, k=need)
            for fan, coach, club in zip(fans, coaches, clubs, strict=True):
                pair = (fan, coach, -1) if rng.random() < 0.75 else (fan, -1, club)
                pairs[pair] = None
                if len(pairs) == total:
                    break
        self.coach_followers = [(fan, coach) for fan, coach, _ in pairs if coach >= 0]

        rows = sorted(
            (
                (
                    users[fan][0],
                    self.coaches[coach].id if coach >= 0 else None,
                    self.clubs[club].id if club >= 0 else None,
                    users[fan][1] + (self.now - users[fan][1]) * rng.random(),
                )
                for fan, coach, club in pairs
            ),
            key=lambda row: row[3],
        )
        self.follows_written = self.writer.write(
            Follow, ["user_id", "coach_id", "club_id", "created_at"], rows
        )

    def write_events_and_notifications(self):
        """A "new" event per rumour, and the closing one for those that closed; then alerts.

        Notifications: about three for every four coach follows, each on a
        random rumour of the followed coach, most of them read.
        """
        rng, now = self.rng, self.now
        first_event, events, new_event = next_id(RumourEvent), [], {}
        closing = {"confirmed": "appointed", "exit": "exit", "denial": "denial"}
        for index, rumour in enumerate(self.rumours):
            rumour_id = self.first_rumour + index
            first_seen = self.published[rumour.evidence[0]]
            last_seen = self.published[rumour.evidence[-1]]
            kinds = [("new", first_seen)]
            if rumour.kind in closing:
                kinds.append((closing[rumour.kind], last_seen))
            for kind, at in kinds:
                pk = first_event + len(events)
                created = min(now, at + timedelta(minutes=rng.randint(1, 30)))
                events.append((pk, rumour_id, kind, 0, None, at, created, created))
                if kind == "new":
                    new_event[index] = (pk, created)
        self.events_written = self.writer.write(
            RumourEvent,
            ["id", "rumour_id", "kind", "level", "score", "happened_at", "created_at"]
            + ["fanned_out_at"],
            events,
        )
        by_coach: dict[int, list[int]] = {}
        for index, rumour in enumerate(self.rumours):
            by_coach.setdefault(rumour.coach, []).append(index)
        seen: set[tuple[int, int]] = set()

        def rows():
            for fan, coach in self.coach_followers:
                if coach not in by_coach or rng.random() > 0.75:
                    continue
                event, created = new_event[rng.choice(by_coach[coach])]
                if (fan, event) in seen:
                    continue
                seen.add((fan, event))
                told = min(now, created + timedelta(seconds=rng.randint(5, 300)))
                read = told + timedelta(hours=rng.random() * 72) if rng.random() < 0.7 else None
                yield (
                    self.users[fan][0],
                    event,
                    "site",
                    told,
                    read if read and read < now else None,
                )

        self.notifications_written = self.writer.write(
            Notification,
            ["user_id", "event_id", "channel", "created_at", "read_at"],
            sorted(rows(), key=lambda row: row[3]),
        )

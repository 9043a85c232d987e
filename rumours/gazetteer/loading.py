"""Load the gazetteer's data files into the database, idempotently.

Loading adds what is missing and leaves existing rows alone: moderators
edit coaches and clubs in the admin, and the pipeline moves coaches between
clubs, so a re-run must not undo their work. `update=True` overwrites rows
from the files instead.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.text import slugify

from ..extract.normalize import fold
from ..models import Alias, Club, Coach, CoachingSpell, Source
from . import GAZETTEER_DIR

# Aliases written like this are nicknames ("the Red Devils", "i giallorossi",
# "los blancos") rather than names ("Man Utd", "Juve").
_ARTICLES = {
    "the",
    "il",
    "lo",
    "la",
    "i",
    "gli",
    "le",
    "los",
    "las",
    "el",
    "die",
    "der",
    "les",
    "l'",
}


# libyaml's safe loader when PyYAML was built with it: ten times faster.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class GazetteerError(ValueError):
    """A data file is malformed: says which file and which entry."""


@dataclass
class LoadReport:
    """What a load created, per kind of row, and what it could not resolve."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    totals: dict = field(default_factory=dict)
    unresolved_clubs: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))


def read_yaml(path: Path) -> dict:
    """Parse one data file, naming it in any error."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise GazetteerError(f"{path.name}: cannot read: {error}") from error
    if not isinstance(data, dict):
        raise GazetteerError(f"{path.name}: expected a mapping at the top level")
    return data


def alias_kind(text: str) -> str:
    first = text.split(" ", 1)[0].lower()
    if text[:1].islower() or first in _ARTICLES or first.startswith("l'"):
        return Alias.Kind.NICKNAME
    return Alias.Kind.NAME


def parse_partial_date(value, *, end: bool = False) -> datetime.date | None:
    """Read YYYY, YYYY-MM or YYYY-MM-DD; a bare year or month means its first (or last) day."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text)
    if not match:
        raise GazetteerError(f"not a date: {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(part) if part else None for part in match.groups())
    if month is None:
        month = 12 if end else 1
    if day is None:
        if end:
            following = datetime.date(year + month // 12, month % 12 + 1, 1)
            return following - datetime.timedelta(days=1)
        day = 1
    return datetime.date(year, month, day)


class _Loader:
    """Reads the files against an in-memory picture of the tables, then writes in bulk."""

    def __init__(self, update: bool):
        self.update = update
        self.report = LoadReport()
        self.club_index: dict[str, Club] = {}
        self.rows = {
            Club: {club.slug: club for club in Club.objects.all()},
            Coach: {coach.slug: coach for coach in Coach.objects.all()},
            Source: {source.slug: source for source in Source.objects.all()},
        }
        self.alias_keys = {
            (coach_id, club_id, folded)
            for coach_id, club_id, folded in Alias.objects.values_list(
                "coach_id", "club_id", "folded"
            )
        }
        self.spells = {
            (spell.coach_id, spell.club_id, spell.started): spell
            for spell in CoachingSpell.objects.all()
        }
        self.new_aliases: list[Alias] = []

    def upsert(self, model, slug: str, values: dict):
        """Create the row if missing; overwrite its fields only in update mode."""
        label = model._meta.verbose_name_plural
        obj = self.rows[model].get(slug)
        if obj is None:
            obj = model.objects.create(slug=slug, **values)
            self.rows[model][slug] = obj
            self.report.created[label] += 1
        elif self.update:
            self._overwrite(obj, values, label)
        return obj

    def _overwrite(self, obj, values: dict, label: str):
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save(update_fields=changed)
            self.report.updated[label] += 1

    def add_alias(self, text: str, kind: str | None = None, *, coach=None, club=None):
        text = (text or "").strip()
        if not text or len(text) > 120:
            return
        key = (coach.pk if coach else None, club.pk if club else None, fold(text))
        if key in self.alias_keys:
            return
        self.alias_keys.add(key)
        self.new_aliases.append(
            Alias(text=text, folded=key[2], kind=kind or alias_kind(text), coach=coach, club=club)
        )

    def flush_aliases(self):
        if self.new_aliases:
            Alias.objects.bulk_create(self.new_aliases, batch_size=500)
            self.report.created["aliases"] += len(self.new_aliases)
        self.new_aliases = []

    def index_club(self, club: Club, *names: str):
        for name in names:
            if name:
                self.club_index.setdefault(fold(name), club)
                self.club_index.setdefault(fold(slugify(name).replace("-", " ")), club)

    def resolve_club(self, name: str | None, where: str) -> Club | None:
        if not name:
            return None
        club = self.club_index.get(fold(str(name))) or self.club_index.get(
            fold(slugify(str(name)).replace("-", " "))
        )
        if club is None:
            self.report.unresolved_clubs.append(f"{where}: {name}")
        return club

    def load_clubs(self, path: Path):
        data = read_yaml(path)
        entries = data.get("clubs")
        if not isinstance(entries, list):
            raise GazetteerError(f"{path.name}: expected a list under 'clubs'")
        is_national = data.get("league") == "International"
        for number, entry in enumerate(entries, 1):
            if not isinstance(entry, dict) or not entry.get("short_name"):
                raise GazetteerError(f"{path.name}: club #{number} has no short_name")
            short_name = str(entry["short_name"]).strip()
            country = str(entry.get("country") or data.get("country") or "")
            club = self.upsert(
                Club,
                slugify(fold(short_name)),
                {
                    "short_name": short_name,
                    "name": str(entry.get("name") or short_name),
                    "country": country[:6],
                    "league": str(entry.get("league") or data.get("league") or ""),
                    "is_national_team": is_national,
                },
            )
            names = [short_name, str(entry.get("name") or "")]
            aliases = [str(alias) for alias in entry.get("aliases") or []]
            for alias in names + aliases:
                self.add_alias(alias, club=club)
            self.index_club(club, *names, *aliases)

    def index_existing_clubs(self):
        """Let coach files refer to clubs loaded earlier or added in the admin."""
        clubs = {club.pk: club for club in self.rows[Club].values()}
        for club in clubs.values():
            self.index_club(club, club.short_name, club.name, club.slug)
        for club_id, text in Alias.objects.filter(club__isnull=False).values_list(
            "club_id", "text"
        ):
            self.index_club(clubs[club_id], text)

    def load_coaches(self, path: Path):
        data = read_yaml(path)
        entries = data.get("coaches")
        if not isinstance(entries, list):
            raise GazetteerError(f"{path.name}: expected a list under 'coaches'")
        for number, entry in enumerate(entries, 1):
            if not isinstance(entry, dict) or not entry.get("name"):
                raise GazetteerError(f"{path.name}: coach #{number} has no name")
            name = str(entry["name"]).strip()
            where = f"{path.name}: {name}"
            current_club = self.resolve_club(entry.get("current_club"), where)
            coach = self.upsert(
                Coach,
                slugify(fold(name)),
                {
                    "full_name": name,
                    "nationality": str(entry.get("nationality") or "")[:6],
                    "born": entry.get("born") if isinstance(entry.get("born"), int) else None,
                    "birthplace": str(entry.get("birthplace") or ""),
                    "current_club": current_club,
                },
            )
            self.add_alias(name, Alias.Kind.NAME, coach=coach)
            for alias in entry.get("aliases") or []:
                self.add_alias(
                    str(alias), Alias.Kind.NAME if str(alias)[:1].isupper() else None, coach=coach
                )
            for demonym in entry.get("demonyms") or []:
                self.add_alias(str(demonym), Alias.Kind.DEMONYM, coach=coach)
            for spell in entry.get("spells") or []:
                self.load_spell(coach, spell, where)

    def load_spell(self, coach: Coach, spell, where: str):
        if not isinstance(spell, dict):
            raise GazetteerError(f"{where}: a spell must be a mapping, not {spell!r}")
        club = self.resolve_club(spell.get("club"), where)
        if club is None:
            return
        try:
            started = parse_partial_date(spell.get("from"))
            ended = parse_partial_date(spell.get("to"), end=True)
        except GazetteerError as error:
            raise GazetteerError(f"{where}: {error}") from error
        if started and ended and ended < started:
            raise GazetteerError(f"{where}: spell at {club} ends before it starts")
        values = {"ended": ended, "is_caretaker": bool(spell.get("caretaker"))}
        existing = self.spells.get((coach.pk, club.pk, started))
        if existing is None:
            self.spells[(coach.pk, club.pk, started)] = CoachingSpell.objects.create(
                coach=coach, club=club, started=started, **values
            )
            self.report.created["coaching spells"] += 1
        elif self.update:
            self._overwrite(existing, values, "coaching spells")

    def load_sources(self, path: Path):
        data = read_yaml(path)
        entries = data.get("sources")
        if not isinstance(entries, list):
            raise GazetteerError(f"{path.name}: expected a list under 'sources'")
        for number, entry in enumerate(entries, 1):
            if not isinstance(entry, dict) or not entry.get("name"):
                raise GazetteerError(f"{path.name}: source #{number} has no name")
            kind = entry.get("kind", Source.Kind.RSS)
            if kind not in Source.Kind.values:
                raise GazetteerError(f"{path.name}: {entry['name']}: unknown kind {kind!r}")
            tier = entry.get("tier", 3)
            if tier not in (1, 2, 3, 4):
                raise GazetteerError(f"{path.name}: {entry['name']}: tier must be 1 to 4")
            self.upsert(
                Source,
                entry.get("slug") or slugify(entry["name"]),
                {
                    "name": entry["name"],
                    "domain": entry.get("domain", ""),
                    "language": entry.get("language", ""),
                    "kind": kind,
                    "feed_url": entry.get("feed_url", ""),
                    "tier": tier,
                    "link_selector": entry.get("link_selector", ""),
                    "body_selector": entry.get("body_selector", ""),
                    "poll_interval": entry.get("poll_interval", 30),
                    "is_active": entry.get("active", True),
                },
            )


def load_gazetteer(directory: Path = GAZETTEER_DIR, *, update: bool = False) -> LoadReport:
    """Load clubs, then coaches (whose spells name clubs), then sources; one transaction."""
    loader = _Loader(update)
    with transaction.atomic():
        for path in sorted((directory / "clubs").glob("*.yaml")):
            loader.load_clubs(path)
        loader.flush_aliases()
        loader.index_existing_clubs()
        for path in sorted((directory / "coaches").glob("*.yaml")):
            loader.load_coaches(path)
        loader.flush_aliases()
        sources = directory / "sources.yaml"
        if sources.exists():
            loader.load_sources(sources)
    loader.report.totals = {
        "clubs": Club.objects.count(),
        "coaches": Coach.objects.count(),
        "aliases": Alias.objects.count(),
        "spells": CoachingSpell.objects.count(),
        "sources": Source.objects.count(),
    }
    return loader.report

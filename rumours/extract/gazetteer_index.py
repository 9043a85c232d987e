"""The gazetteer as extraction needs it: one automaton of names plus lookup tables.

Built from the database (Coach, Club, Alias, CoachingSpell rows) once per
process and rebuilt when the gazetteer changes. Saving or deleting any of
those rows bumps a counter in Django's cache (shared by every process when
the cache is Redis) and marks this process's copy stale at once; other
processes notice the new counter at their next check, at most
CHECK_INTERVAL seconds later. An approved CoachCandidate becomes Coach and
Alias rows, so it is matched from the next article on.

Besides the names the gazetteer lists, the index derives the forms the
press uses: the surname of a multi-word name ("Gasperini", "ten Hag",
"De Rossi", "García Pimienta"), and nicknames without their article
("dei giallorossi" → "giallorossi") or as adjectives ("il club
rossonero"). A derived surname shared by two coaches is kept as ambiguous
and resolved per article (the coach named in full wins).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..models import Alias, Club, Coach, CoachingSpell
from .automaton import PhraseSets
from .lexicon import all_stopwords, nationality_demonyms
from .normalize import fold

VERSION_KEY = "rumours:extract:gazetteer-version"
CHECK_INTERVAL = 5.0  # seconds between looks at the shared counter

# Articles that open a nickname ("the Red Devils", "i giallorossi").
NICKNAME_ARTICLES = frozenset(
    "the il lo la i gli le l' el los las die der das les o os a as de".split()
)
# Surname particles: "ten Hag", "De Rossi", "van Nistelrooy", "Di Francesco".
PARTICLES = frozenset(
    "de di da del della dei van von der den ten ter te le la dos das do du mac st 't".split()
)


@dataclass(frozen=True)
class NameForm:
    """What a phrase in the automaton stands for."""

    entity: str  # "coach" or "club"
    ids: tuple[int, ...]
    form: str  # full, alias, surname, nickname, core, adjective, nation
    single_token: bool
    common: bool = False  # spelled like a common word: needs more care
    cased: bool = True  # the gazetteer writes it with capitals, so the text must too


@dataclass(frozen=True)
class Spell:
    club_id: int
    started: date | None
    ended: date | None
    caretaker: bool


@dataclass
class CoachInfo:
    coach: Coach
    demonyms: frozenset[str]
    birthplace: str
    spells: tuple[Spell, ...]
    surname: str
    spell_clubs: frozenset[int] = frozenset()  # every club of his spells


@dataclass
class ClubInfo:
    club: Club
    is_national_team: bool
    names: frozenset[str]
    short_name_words: tuple[str, ...] = ()  # folded: "Manchester United" → manchester, united


@dataclass
class GazetteerIndex:
    """Names → coaches and clubs, with what references need to know about them."""

    # Every name form (payload NameForm) and demonym (payload the demonym),
    # found in one pass over an article (see Document.hits).
    phrases: PhraseSets = field(default_factory=lambda: PhraseSets(("name", "demonym")))
    coaches: dict[int, CoachInfo] = field(default_factory=dict)
    clubs: dict[int, ClubInfo] = field(default_factory=dict)
    demonyms: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    birthplaces: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    coach_names: frozenset[str] = frozenset()
    club_names: frozenset[str] = frozenset()
    first_names: frozenset[str] = frozenset()
    version: object = None
    # Built inside a transaction: its rows may yet be rolled back, so links
    # made from it are checked against the database (see links.py).
    provisional: bool = False

    def former_clubs(self, coach_id: int) -> set[int]:
        """Clubs the coach has left (a spell with an end date)."""
        info = self.coaches.get(coach_id)
        return {spell.club_id for spell in info.spells if spell.ended} if info else set()

    def spell_clubs(self, coach_id: int) -> frozenset[int]:
        info = self.coaches.get(coach_id)
        return info.spell_clubs if info else frozenset()


def _tokens(folded: str) -> list[str]:
    return folded.split()


def surname_forms(full_name: str) -> list[str]:
    """Return the short forms the press uses for a coach's folded full name."""
    tokens = _tokens(full_name)
    if len(tokens) < 2:
        return []
    forms = []
    # The surname starts at the first particle after the first name.
    start = len(tokens) - 1
    for index in range(1, len(tokens) - 1):
        if tokens[index] in PARTICLES:
            start = index
            break
    forms.append(" ".join(tokens[start:]))
    if start == len(tokens) - 1 and len(tokens) >= 3:
        # Double surnames and middle names: "García Pimienta", "Sánchez Flores".
        forms.append(" ".join(tokens[-2:]))
    return [form for form in forms if form != full_name]


def adjective_forms(core: str) -> list[str]:
    """Italian colour nicknames as adjectives: giallorossi → giallorosso, giallorossa."""
    if " " in core or len(core) < 6 or not core.endswith("i"):
        return []
    stem = core[:-1]
    if stem.endswith("ch") or stem.endswith("gh"):
        stem = stem[:-1]
        return [stem + "o", stem + "a"]
    return [stem + "o", stem + "a", stem + "e"]


class _Forms:
    """Collects every phrase → (entity, form) → ids while the index is built."""

    def __init__(self) -> None:
        self.ids: dict[str, dict[tuple[str, str], set[int]]] = defaultdict(lambda: defaultdict(set))
        self.uncased: set[str] = set()  # phrases some alias writes all in lowercase
        self.explicit: set[str] = set()  # phrases the gazetteer lists (not derived)

    def add(self, phrase: str, entity: str, form: str, pk: int, *, cased: bool = True) -> None:
        if not phrase:
            return
        self.ids[phrase][(entity, form)].add(pk)
        if not cased:
            self.uncased.add(phrase)
        if form not in ("surname", "core", "adjective"):
            self.explicit.add(phrase)

    def add_alias(self, text: str, entity: str, pk: int, *, national: bool = False) -> None:
        """Register a listed name, and its article-less core if it is a nickname."""
        folded = fold(text)
        tokens = _tokens(folded)
        if not tokens:
            return
        cased = text != text.lower()
        first = tokens[0]
        elided = first.startswith("l'") and len(first) > 2
        # A nickname's article is written in lowercase ("la Dea", "the Blues");
        # a capital makes it part of a name ("La Spezia", "De Rossi").
        if (first in NICKNAME_ARTICLES or elided) and text[:1].islower():
            # "la Vecchia Signora": the whole phrase, and the core after an article.
            self.add(folded, entity, "nickname", pk, cased=cased)
            core = folded[2:].strip() if elided else folded[len(first) :].strip()
            core_text = text.split(" ", 1)[1] if " " in text and not elided else text[2:]
            core_cased = core_text != core_text.lower()
            self.add(core, entity, "core", pk, cased=core_cased)
            for adjective in adjective_forms(core):
                self.add(adjective, entity, "adjective", pk, cased=False)
            return
        if entity == "club" and not cased and _looks_like_nickname(folded):
            # Lowercase club aliases are nicknames ("viola", "bianconeri").
            self.add(folded, entity, "core", pk, cased=False)
            for adjective in adjective_forms(folded):
                self.add(adjective, entity, "adjective", pk, cased=False)
            return
        self.add(folded, entity, "nation" if national else "alias", pk, cased=cased)


def build_index() -> GazetteerIndex:
    """Read the gazetteer tables and compile the name automaton."""
    index = GazetteerIndex()
    stopwords = all_stopwords()
    forms = _Forms()

    # Only the columns extraction reads: the rows stay light in memory, and
    # other fields load on demand for whoever uses a Link's coach or club.
    clubs = {
        club.pk: club
        for club in Club.objects.only(
            "id", "short_name", "name", "slug", "country", "league", "is_national_team"
        )
    }
    coaches = {
        coach.pk: coach
        for coach in Coach.objects.only(
            "id", "full_name", "slug", "nationality", "born", "birthplace", "current_club_id"
        )
    }
    spells: dict[int, list[Spell]] = defaultdict(list)
    for spell in CoachingSpell.objects.all():
        spells[spell.coach_id].append(
            Spell(spell.club_id, spell.started, spell.ended, spell.is_caretaker)
        )
    club_texts: dict[int, set[str]] = defaultdict(set)
    for club in clubs.values():
        club_texts[club.pk].update((club.short_name, club.name))
    coach_demonyms: dict[int, set[str]] = defaultdict(set)
    coach_aliases: dict[int, set[str]] = defaultdict(set)
    for alias in Alias.objects.all():
        if alias.club_id:
            club_texts[alias.club_id].add(alias.text)
        elif alias.kind == Alias.Kind.DEMONYM:
            coach_demonyms[alias.coach_id].add(alias.folded)
        else:
            coach_aliases[alias.coach_id].add(alias.text)

    nationality = nationality_demonyms()
    first_names: set[str] = set()
    for coach in coaches.values():
        full = fold(coach.full_name)
        tokens = _tokens(full)
        if len(tokens) > 1:
            first_names.add(tokens[0])
        demonyms = coach_demonyms[coach.pk] | set(nationality.get(coach.nationality, ()))
        for demonym in demonyms:
            index.demonyms[demonym].add(coach.pk)
        if coach.birthplace:
            index.birthplaces[fold(coach.birthplace)].add(coach.pk)
        short_forms = surname_forms(full)
        index.coaches[coach.pk] = CoachInfo(
            coach=coach,
            demonyms=frozenset(demonyms),
            birthplace=fold(coach.birthplace or ""),
            spells=tuple(sorted(spells[coach.pk], key=lambda s: s.started or date.min)),
            surname=short_forms[0] if short_forms else full,
            spell_clubs=frozenset(spell.club_id for spell in spells[coach.pk]),
        )
        forms.add(full, "coach", "full" if len(tokens) > 1 else "alias", coach.pk)
        for alias in coach_aliases[coach.pk]:
            forms.add_alias(alias, "coach", coach.pk)
        for form in short_forms:
            forms.add(form, "coach", "surname", coach.pk)

    for club in clubs.values():
        national = club.is_national_team
        names = frozenset(fold(text) for text in club_texts[club.pk])
        short_name_words = tuple(fold(club.short_name).split())
        index.clubs[club.pk] = ClubInfo(club, national, names, short_name_words)
        for text in club_texts[club.pk]:
            forms.add_alias(text, "club", club.pk, national=national)

    for phrase, kinds in forms.ids.items():
        single = " " not in phrase
        if ("coach", "full") in kinds:
            kinds.pop(("coach", "alias"), None)
        for (entity, form), ids in kinds.items():
            if form == "surname" and (phrase in forms.explicit or phrase in stopwords):
                continue  # A derived form never shadows a listed name or a common word.
            short = len(phrase) < 4 and phrase in forms.uncased
            if form in ("core", "adjective") and (
                phrase in forms.explicit or phrase in stopwords or short or len(phrase) < 3
            ):
                continue
            payload = NameForm(
                entity,
                tuple(sorted(ids)),
                form,
                single,
                common=single and phrase in stopwords,
                cased=phrase not in forms.uncased,
            )
            index.phrases.add("name", phrase, payload)
    index.coach_names = frozenset(
        phrase for phrase, kinds in forms.ids.items() if any(e == "coach" for e, _ in kinds)
    )
    index.club_names = frozenset(
        phrase for phrase, kinds in forms.ids.items() if any(e == "club" for e, _ in kinds)
    )
    index.first_names = frozenset(first_names)
    for demonym in index.demonyms:
        index.phrases.add("demonym", demonym, demonym)
    index.phrases.compile()
    return index


def _looks_like_nickname(folded: str) -> bool:
    return " " not in folded and folded.isalpha() and len(folded) > 4


# ---------------------------------------------------------------- caching

_lock = threading.Lock()
_state: dict[str, object] = {"index": None, "checked_at": 0.0, "stale": True}


def current_version() -> object:
    """Return the shared gazetteer version counter (created on first use)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY) or 1
    return version


def bump_version() -> None:
    """Mark every process's index stale: this one now, others at their next check."""
    _state["stale"] = True
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def get_index() -> GazetteerIndex:
    """Return the process's index, rebuilding it if the gazetteer changed."""
    index = _state["index"]
    now = time.monotonic()
    if index is not None and not _state["stale"] and now - _state["checked_at"] < CHECK_INTERVAL:
        return index
    with _lock:
        version = current_version()
        index = _state["index"]
        if index is None or _state["stale"] or index.version != version:
            _state["stale"] = False  # Cleared first: a save during the build marks it again.
            index = build_index()
            index.version = version
            index.provisional = connection.in_atomic_block
            _state["index"] = index
        _state["checked_at"] = time.monotonic()
        return index


def clear_index() -> None:
    """Forget the process's index (tests use it between databases)."""
    _state["index"] = None
    _state["stale"] = True


@receiver(post_save, sender=Alias, dispatch_uid="extract-gazetteer-alias-saved")
@receiver(post_delete, sender=Alias, dispatch_uid="extract-gazetteer-alias-deleted")
@receiver(post_save, sender=Coach, dispatch_uid="extract-gazetteer-coach-saved")
@receiver(post_delete, sender=Coach, dispatch_uid="extract-gazetteer-coach-deleted")
@receiver(post_save, sender=Club, dispatch_uid="extract-gazetteer-club-saved")
@receiver(post_delete, sender=Club, dispatch_uid="extract-gazetteer-club-deleted")
@receiver(post_save, sender=CoachingSpell, dispatch_uid="extract-gazetteer-spell-saved")
@receiver(post_delete, sender=CoachingSpell, dispatch_uid="extract-gazetteer-spell-deleted")
def gazetteer_changed(sender, **kwargs) -> None:
    """A name, club, coach or spell changed: the index must be rebuilt."""
    bump_version()

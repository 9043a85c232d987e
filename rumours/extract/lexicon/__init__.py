"""Per-language word lists for link extraction, kept as data beside this file.

Each `<language>.yaml` lists the phrases that signal a kind of coach-club
news (sacking, signing, talks, denial), the words that change their meaning
(negation, hedges, "ex"), and the words used to find references ("il
tecnico", "the club"). `common.yaml` holds what every language shares
(nationalities and their demonyms). Phrases are written as a reader would
write them; the loader folds them and expands a small notation:

    "ha|hanno detto no"      alternatives for one word
    "ha [già] firmato"       an optional word
    "esoner*"                a word prefix: esonerato, esonero, esonerare
    "{dal suo incarico|dalla guida}"   alternatives of several words
    "ha firmato @0.7"        a weight other than the category's default

Why YAML and not code: the lists grow as new outlets are read, and a
moderator or linguist can extend them without touching the matcher.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..automaton import PhraseSets
from ..normalize import fold

LEXICON_DIR = Path(__file__).resolve().parent
LANGUAGES = ("it", "en", "es", "pt", "fr", "de", "ca")

# Cue categories and the weight a phrase gets when it names none.
CATEGORY_WEIGHTS = {
    "exit": 0.85,
    "confirmed": 0.85,
    "rumour": 0.7,
    "denial": 0.85,
    "stay": 0.6,
    "cancel": 0.8,
    "search": 0.5,
    "negation": 1.0,
    "hedge": 1.0,
    "former": 1.0,
    "past": 1.0,
    "since": 1.0,
    "opponent": 1.0,
    "current": 1.0,
    "official": 0.6,
    "announce": 0.6,
    "predecessor": 1.0,
    "not_link": 1.0,
}
LINK_KINDS = ("exit", "confirmed", "rumour", "denial")
# The kinds of phrase a lexicon finds in a text (see Lexicon.phrases).
PHRASE_KINDS = ("cue", "role", "credit_before", "credit_after", "clause_break")
_WEIGHT = re.compile(r"\s*@\s*([01](?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Cue:
    """One lexicon phrase found in a text: its category and weight.

    Flags, written as prefixes in the data files:
    "+" needs_club: counts only with a club of its own clause;
    "<" subject_before: its coach is the one named before it ("succede a
        Ranieri", "lascia il Monza": the coach after it is someone else);
    "=" holds: the clubs of its clause keep the coach ("ha preferito
        rinnovare con l'Ipswich", "no intention of releasing their manager"),
        so the claim is about the bench the article follows.
    """

    category: str
    weight: float
    phrase: str
    needs_club: bool = False
    subject_before: bool = False
    holds: bool = False


@dataclass
class Lexicon:
    """Everything extraction knows about one language."""

    language: str
    stopwords: frozenset[str] = frozenset()
    determiners: frozenset[str] = frozenset()
    name_titles: frozenset[str] = frozenset()
    coach_roles: frozenset[str] = frozenset()
    other_roles: frozenset[str] = frozenset()
    club_words: frozenset[str] = frozenset()
    club_nouns: frozenset[str] = frozenset()
    credit_before: tuple[str, ...] = ()
    credit_after: tuple[str, ...] = ()
    national_team_words: frozenset[str] = frozenset()
    clause_breaks: tuple[str, ...] = ()
    list_joiners: frozenset[str] = frozenset()
    contract_until: frozenset[str] = frozenset()
    place_preps: frozenset[str] = frozenset()
    agent_preps: frozenset[str] = frozenset()
    # Every phrase above, found in one pass (see Document.hits): cues
    # (payload Cue), role and club words (("coach_role" | "other_role" |
    # "club_word", word)), credit phrases and clause breaks (the phrase).
    # Clause breaks are padded with spaces (" che "), so they are found
    # anywhere, not only at word boundaries.
    phrases: PhraseSets = field(
        default_factory=lambda: PhraseSets(PHRASE_KINDS, anywhere=("clause_break",))
    )


_ITEM = re.compile(r"\{[^}]*\}|\[[^\]]*\]|\S+")


def expand(phrase: str) -> list[str]:
    """Expand the alternatives and optional words of one lexicon phrase."""
    options: list[list[str]] = []
    for token in _ITEM.findall(phrase):
        if token.startswith("[") and token.endswith("]"):
            options.append(["", *(part.strip() for part in token[1:-1].split("|"))])
        elif token.startswith("{") and token.endswith("}"):
            options.append([part.strip() for part in token[1:-1].split("|")])
        else:
            options.append(token.split("|"))
    expanded = []
    for combination in itertools.product(*options):
        words = " ".join(word for word in combination if word)
        if words:
            expanded.append(words)
    return expanded


def _fold_padded(phrase: str) -> str:
    """Fold a phrase but keep its leading and trailing spaces."""
    core = phrase.strip()
    if not core:
        return phrase
    left = phrase[: len(phrase) - len(phrase.lstrip())]
    right = phrase[len(phrase.rstrip()) :]
    return f"{' ' if left else ''}{fold(core)}{' ' if right else ''}"


def _fold_phrase(phrase: str) -> tuple[str, bool]:
    prefix = phrase.endswith("*")
    return fold(phrase.rstrip("*")), prefix


def _words(values) -> frozenset[str]:
    found: set[str] = set()
    for value in values or ():
        for variant in expand(str(value)):
            found.add(fold(variant.rstrip("*")))
    return frozenset(found)


@functools.cache
def common_data() -> dict:
    """The shared tables: nationalities, common words of all languages."""
    return yaml.safe_load((LEXICON_DIR / "common.yaml").read_text(encoding="utf-8")) or {}


@functools.cache
def nationality_demonyms() -> dict[str, frozenset[str]]:
    """Map a nationality code (IT, GB-ENG) to its folded demonyms in every language."""
    table = common_data().get("nationalities") or {}
    return {code: _words(words) for code, words in table.items()}


@functools.cache
def all_stopwords() -> frozenset[str]:
    """Function words of every language read: names spelled like them need care."""
    words: set[str] = set(_words(common_data().get("common_words")))
    for language in LANGUAGES:
        words |= get_lexicon(language).stopwords
    return frozenset(words)


@functools.cache
def get_lexicon(language: str) -> Lexicon:
    """Load and compile one language's lexicon (cached for the process)."""
    language = language if language in LANGUAGES else "en"
    path = LEXICON_DIR / f"{language}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    lexicon = Lexicon(
        language=language,
        stopwords=_words(data.get("stopwords")),
        determiners=_words(data.get("determiners")),
        name_titles=_words(data.get("name_titles")),
        coach_roles=_words(data.get("coach_roles")),
        other_roles=_words(data.get("other_roles")),
        club_words=_words(data.get("club_words")),
        club_nouns=_words(data.get("club_nouns")),
        credit_before=tuple(fold(v) for c in data.get("credit_before") or () for v in expand(c)),
        credit_after=tuple(fold(v) for c in data.get("credit_after") or () for v in expand(c)),
        national_team_words=_words(data.get("national_team_words")),
        # Kept verbatim: the spaces around " che " or ", but " are part of the phrase.
        clause_breaks=tuple(_fold_padded(str(c)) for c in data.get("clause_breaks") or ()),
        list_joiners=_words(data.get("list_joiners")),
        contract_until=_words(data.get("contract_until")),
        place_preps=_words(data.get("place_preps")),
        agent_preps=_words(data.get("agent_preps")),
    )
    phrases = lexicon.phrases
    cues = data.get("cues") or {}
    for category, entries in cues.items():
        if category not in CATEGORY_WEIGHTS:
            raise ValueError(f"{path.name}: unknown cue category {category!r}")
        for entry in entries or ():
            _add_cue(phrases, category, str(entry))
    for phrase in lexicon.credit_before:
        phrases.add("credit_before", phrase, phrase)
    for phrase in lexicon.credit_after:
        phrases.add("credit_after", phrase, phrase)
    for phrase in lexicon.clause_breaks:
        phrases.add("clause_break", phrase, phrase)
    for role in lexicon.coach_roles:
        phrases.add("role", role, ("coach_role", role))
    for role in lexicon.other_roles:
        phrases.add("role", role, ("other_role", role))
    for word in lexicon.club_words:
        phrases.add("role", word, ("club_word", word))
    phrases.compile()
    return lexicon


def _add_cue(phrases: PhraseSets, category: str, entry: str) -> None:
    weight = CATEGORY_WEIGHTS[category]
    match = _WEIGHT.search(entry)
    if match:
        weight = float(match.group(1))
        entry = entry[: match.start()]
    entry = entry.strip()
    flags = ""
    while entry[:1] in ("+", "<", "="):
        flags += entry[0]
        entry = entry[1:]
    for variant in expand(entry.strip()):
        phrase, prefix = _fold_phrase(variant)
        cue = Cue(category, weight, phrase, "+" in flags, "<" in flags, "=" in flags)
        phrases.add("cue", phrase, cue, prefix=prefix)


_DETECTION_CACHE: dict[str, frozenset[str]] = {}


def detect_language(text: str, hint: str = "") -> str:
    """Return the language code to use: the hint if known, else the best stopword match."""
    hint = (hint or "").strip().lower()[:2]
    if hint in LANGUAGES:
        return hint
    words = re.findall(r"[a-zà-ÿ']+", text[:4000].lower())
    if not words:
        return "en"
    best, best_score = "en", 0
    for language in LANGUAGES:
        stopwords = _DETECTION_CACHE.get(language)
        if stopwords is None:
            data = yaml.safe_load((LEXICON_DIR / f"{language}.yaml").read_text(encoding="utf-8"))
            stopwords = frozenset(str(w).lower() for w in (data or {}).get("detection") or ())
            _DETECTION_CACHE[language] = stopwords
        score = sum(1 for word in words if word in stopwords)
        if score > best_score:
            best, best_score = language, score
    return best

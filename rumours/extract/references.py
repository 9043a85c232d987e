"""Resolve the ways an article refers back to a coach or a club it has named.

Once a coach is named, the press rarely repeats his name: he becomes "il
tecnico livornese", "l'allenatore di Grugliasco", "l'ex tecnico di Juve e
Inter", "the Portuguese", "the Ipswich boss", "the 39-year-old", "el
técnico". Clubs become "il club", "la società", "the club", "the Lisbon
club". Each such phrase is resolved to an entity the article has already
mentioned, using what the gazetteer knows (nationality and demonyms,
birthplace, past clubs, age); a phrase that fits none is left alone.

Phrases that tie a coach to a club also tell how: "the Brentford boss",
"Leicester City's Enzo Maresca", "il Bologna di Italiano" make that club
the coach's current one; "l'ex tecnico di Juve e Inter", "the former
Chelsea boss" make those clubs his past. Links use both.
"""

from __future__ import annotations

import bisect
import functools
import operator
import re
from dataclasses import dataclass, field

from .document import Document
from .gazetteer_index import NICKNAME_ARTICLES, GazetteerIndex
from .lexicon import nationality_demonyms
from .mentions import Mention

# How far back (in sentences) an unqualified "il tecnico" may look.
BARE_ROLE_REACH = 2
# Words after "the Portuguese" that make it an adjective ("the Portuguese champions").
_ADJECTIVE_HEADS = frozenset(
    """
    champions club side giants league outfit team title coach manager boss international
    press federation media football top capital government national newspaper outlet
    outlets daily tv television radio clubs sides teams fans supporters players player
    striker midfielder defender goalkeeper winger champion cup
    """.split()
)
_FORMER_WORDS = frozenset(["ex", "l'ex", "former", "formerly", "exentrenador", "antiguo", "ancien"])
_NEW_WORDS = frozenset(["nuovo", "new", "nuevo", "novo", "nouvel", "nouveau", "neuer", "nou"])
_INDEFINITE = frozenset(["un", "una", "uno", "a", "an", "unos", "unas", "um", "ein", "eine", "une"])
_AGE = re.compile(r"\b(?:(\d{2})(?:-year-old|enne)|de (\d{2}) anos)\b")
# Where each form of _AGE has a fixed word, and how far its match starts before it.
_AGE_WORDS = (("-year-old", 2), ("enne", 2), (" anos", 5))
_PLAUSIBLE_YEARS = range(2018, 2028)
_start_of = operator.attrgetter("start")
# Articles before a demonym used as a noun: "the Portuguese", "il croato", "l'argentino".
_DEMONYM_ARTICLES = NICKNAME_ARTICLES | {"l'"}


@functools.cache
def _role_determiners(determiners: frozenset[str]) -> frozenset[str]:
    """A language's determiners and the articles every language shares, before a role.

    Cached by the lexicon's (immutable) set, so each article reuses one union.
    """
    return determiners | NICKNAME_ARTICLES | {"l'", "dell'", "all'", "dall'"}


@functools.cache
def _definite_determiners(determiners: frozenset[str]) -> frozenset[str]:
    """_role_determiners without the indefinite articles: "the club", not "a club"."""
    return _role_determiners(determiners) - _INDEFINITE


@dataclass
class Relations:
    """What the article's phrases say about coach-club ties."""

    current: dict[int, set[int]] = field(default_factory=dict)  # coach → his clubs now
    former: dict[int, set[int]] = field(default_factory=dict)  # coach → his past clubs
    # Club mentions (by start) that only describe a coach ("Brentford's Thomas
    # Frank", "Ipswich boss McKenna"): not a bench anyone else is linked to.
    attached: dict[int, int] = field(default_factory=dict)

    def add_current(self, coach: int, club: int) -> None:
        self.current.setdefault(coach, set()).add(club)

    def add_former(self, coach: int, club: int) -> None:
        self.former.setdefault(coach, set()).add(club)

    def is_current(self, coach: int, club: int) -> bool:
        return club in self.current.get(coach, ())

    def is_former(self, coach: int, club: int) -> bool:
        return club in self.former.get(coach, ())


def _before(mentions: list[Mention], position: int) -> list[Mention]:
    """The mentions (sorted by start) that start before a position."""
    return mentions[: bisect.bisect_left(mentions, position, key=_start_of)]


def _recent_coaches(mentions: list[Mention], position: int, sentence: int, reach: int):
    """Coach ids mentioned before a position, most recent first, within reach sentences."""
    seen: list[int] = []
    for mention in reversed(_before(mentions, position)):
        if mention.entity != "coach" or mention.id is None:
            continue
        if reach and sentence - mention.sentence > reach:
            break
        if mention.id not in seen:
            seen.append(mention.id)
    return seen


def _country_of(word: str) -> str | None:
    """'saudi' → SA, 'portoghese' → PT: the country a demonym names, if any."""
    return _countries_by_demonym().get(word)


@functools.cache
def _countries_by_demonym() -> dict[str, str]:
    """Demonym → country code; a demonym of several countries names the first listed."""
    countries: dict[str, str] = {}
    for code, words in nationality_demonyms().items():
        for word in words:
            countries.setdefault(word, code)
    return countries


def _recent_clubs(
    mentions: list[Mention],
    position: int,
    sentence: int,
    excluded: set[int],
    index: GazetteerIndex | None = None,
    country: str | None = None,
) -> list[int]:
    seen: list[int] = []
    for mention in reversed(_before(mentions, position)):
        if mention.entity != "club" or mention.id is None:
            continue
        if sentence - mention.sentence > 3:
            break
        if mention.national or mention.start in excluded:
            continue
        if country and index is not None:
            club_country = index.clubs[mention.id].club.country if mention.id in index.clubs else ""
            if club_country and not club_country.startswith(country[:2]):
                continue
        if mention.id not in seen:
            seen.append(mention.id)
    return seen


def _mention_at(mentions_by_start: dict[int, Mention], position: int) -> Mention | None:
    return mentions_by_start.get(position)


def _next_word_start(document: Document, position: int) -> int | None:
    index = document.word_index_at(position)
    if index >= len(document.words):
        return None
    return document.words[index][0]


def resolve_references(
    document: Document,
    index: GazetteerIndex,
    mentions: list[Mention],
    excluded: set[int] = frozenset(),
) -> tuple[list[Mention], Relations]:
    """Return reference mentions (form "ref…") and the coach-club ties phrases state.

    excluded holds the starts of club mentions that cannot be "the club"
    (opponents in a match report, for instance).
    """
    folded = document.folded
    by_start = {mention.start: mention for mention in mentions}
    by_end = {mention.end: mention for mention in mentions}
    covered = bytearray(len(folded) + 1)  # 1 where a name or a reference already stands
    for mention in mentions:
        covered[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
    relations = Relations()
    references: list[Mention] = []
    _possessive_relations(document, mentions, relations)

    def is_covered(start: int, end: int) -> bool:
        return 1 in covered[start:end]

    def cover(start: int, end: int) -> None:
        covered[start:end] = b"\x01" * (end - start)

    # Roles: "il tecnico livornese", "the Ipswich boss", "l'ex allenatore di Juve e Milan".
    for start, end, payloads in document.hits(document.lexicon.phrases, "role"):
        kinds = {payload[0] for payload in payloads}
        if is_covered(start, end):
            continue
        if "coach_role" in kinds:
            previous = document.previous_words(start, 3)
            reference = _coach_role_reference(
                document, index, mentions, by_start, by_end, relations, start, end, previous
            )
        elif "club_word" in kinds:
            previous = document.previous_words(start, 3)
            reference = _club_word_reference(
                document, index, mentions, by_start, start, end, previous, excluded
            )
        else:
            continue
        if reference is not None:
            references.append(reference)
            cover(reference.start, reference.end)

    # Demonyms and ages on their own: "the Portuguese", "il croato", "the 39-year-old".
    all_known = sorted(mentions + references, key=lambda mention: mention.start)
    for word_start, word_end, payloads in document.hits(index.phrases, "demonym"):
        word = payloads[0]
        if is_covered(word_start, word_end):
            continue
        previous = document.previous_words(word_start, 1)
        if not previous or previous[0] not in _DEMONYM_ARTICLES:
            continue
        following = document.next_words(word_end, 1)
        if following and following[0] in _ADJECTIVE_HEADS:
            continue
        if document.language == "en" and not _capitalised_at(document, word_start):
            continue
        sentence = document.sentence_at(word_start)
        for coach in _recent_coaches(all_known, word_start, sentence, 0):
            if word in index.coaches[coach].demonyms:
                article_start = document.words[document.word_index_at(word_start) - 1][0]
                references.append(
                    Mention(article_start, word_end, "coach", (coach,), "ref-demonym", sentence)
                )
                cover(article_start, word_end)
                break
    for match in _ages(folded):
        if is_covered(match.start(), match.end()):
            continue
        age = int(next(group for group in match.groups() if group))
        sentence = document.sentence_at(match.start())
        for coach in _recent_coaches(all_known, match.start(), sentence, 6):
            born = index.coaches[coach].coach.born
            if born and any(year - born in (age, age + 1) for year in _PLAUSIBLE_YEARS):
                references.append(
                    Mention(match.start(), match.end(), "coach", (coach,), "ref-age", sentence)
                )
                break
    references.sort(key=lambda mention: mention.start)
    return references, relations


def _ages(folded: str) -> list[re.Match]:
    """The matches of _AGE in the text, in order ("39-year-old", "39enne", "de 39 anos").

    Scanning for the pattern itself is slow, while its fixed words are rare
    and quick to find: the pattern is tried only where one of them allows it.
    Two ages never overlap, so this finds what a scan would.
    """
    starts = set()
    for word, lead in _AGE_WORDS:
        position = folded.find(word, lead)
        while position != -1:
            starts.add(position - lead)
            position = folded.find(word, position + 1)
    return [match for start in sorted(starts) if (match := _AGE.match(folded, start))]


def _lowercase_at(document: Document, position: int) -> bool:
    original = document.original_span(position, position + 1)[0]
    return document.text[original : original + 1].islower()


def _capitalised_at(document: Document, position: int) -> bool:
    original = document.original_span(position, position + 1)[0]
    return document.text[original : original + 1].isupper()


def _coach_role_reference(
    document: Document,
    index: GazetteerIndex,
    mentions: list[Mention],
    by_start: dict[int, Mention],
    by_end: dict[int, Mention],
    relations: Relations,
    start: int,
    end: int,
    previous: list[str],
) -> Mention | None:
    lexicon = document.lexicon
    folded = document.folded
    sentence = document.sentence_at(start)
    determiners = _role_determiners(lexicon.determiners)
    former = bool(previous) and (
        previous[-1] in _FORMER_WORDS or folded[max(0, start - 3) : start] == "ex"
    )
    phrase_start = start
    club_before: Mention | None = None
    # "the Ipswich boss", "the former Chelsea boss", "Lens coach Franck Haise".
    before = by_end.get(start - 1)
    if before is not None and before.entity == "club":
        club_before = before
        phrase_start = before.start
        words = document.previous_words(before.start, 2)
        former = former or any(word in _FORMER_WORDS for word in words)
    elif not previous or previous[-1] in _NEW_WORDS:
        return None  # "il nuovo allenatore è Luca Gotti": the name follows.
    elif not (
        previous[-1] in determiners
        or previous[-1] in _FORMER_WORDS
        or folded[max(0, start - 3) : start].endswith("ex")
    ):
        return None
    # What follows the role word.
    following_start = _next_word_start(document, end)
    after = by_start.get(following_start) if following_start is not None else None
    if after is not None and after.entity == "coach":
        # Apposition: "the manager Mikel Arteta", "Lens coach Franck Haise".
        if club_before is not None and after.id is not None and club_before.id is not None:
            if former:
                relations.add_former(after.id, club_before.id)
            else:
                relations.add_current(after.id, club_before.id)
            relations.attached[club_before.start] = after.id
        return None
    if following_start is not None and _capitalised_at(document, following_start) and after is None:
        if document.folded[end:following_start].strip() == "":
            return None  # "il tecnico Mario Rossi": an unknown coach, not a reference.
    constraint_demonym = None
    constraint_place = None
    clubs_after: list[Mention] = []
    phrase_end = end
    following = document.next_words(end, 2)
    if following and following[0] in index.demonyms:
        # "il tecnico croato", "el técnico belga del Burnley".
        constraint_demonym = following[0]
        phrase_end = folded.find(following[0], end) + len(following[0])
        end = phrase_end
        following = document.next_words(end, 2)
    if following and following[0] in (
        "di",
        "de",
        "from",
        "da",
        "of",
        "del",
        "della",
        "dell'",
        "dei",
        "du",
    ):
        # "il tecnico di Grugliasco", "l'ex tecnico di Juventus e Inter".
        position = _next_word_start(document, end)
        position = (
            _next_word_start(document, position + len(following[0]))
            if position is not None
            else None
        )
        while position is not None and position in by_start and by_start[position].entity == "club":
            club = by_start[position]
            clubs_after.append(club)
            phrase_end = club.end
            joiner = document.next_words(club.end, 1)
            if joiner and joiner[0] in lexicon.list_joiners | {",", "and", "e", "y"}:
                position = _next_word_start(document, club.end + 1 + len(joiner[0]))
            else:
                break
        if not clubs_after and len(following) > 1 and following[0] in ("di", "de", "from", "da"):
            if following[1] in index.birthplaces:
                constraint_place = following[1]
                phrase_end = folded.find(following[1], end) + len(following[1])
    qualifying = [club_before] if club_before is not None else clubs_after
    qualifying = [club for club in qualifying if club is not None and club.id is not None]
    candidates = _recent_coaches(
        mentions,
        phrase_start,
        sentence,
        0 if qualifying or constraint_demonym or constraint_place else BARE_ROLE_REACH,
    )
    chosen = None
    for coach in candidates:
        info = index.coaches[coach]
        if constraint_demonym and constraint_demonym not in info.demonyms:
            continue
        if constraint_place and constraint_place != info.birthplace:
            continue
        if qualifying:
            spell_clubs = index.spell_clubs(coach)
            if former and not all(club.id in spell_clubs for club in qualifying):
                continue
            if not former and not any(
                club.id in spell_clubs or relations.is_current(coach, club.id)
                for club in qualifying
            ):
                continue
        chosen = coach
        break
    if (
        chosen is None
        and constraint_place
        and len(index.birthplaces.get(constraint_place, ())) == 1
    ):
        chosen = next(iter(index.birthplaces[constraint_place]))
    if chosen is None:
        return None
    for club in qualifying:
        if former:
            relations.add_former(chosen, club.id)
        else:
            relations.add_current(chosen, club.id)
        relations.attached[club.start] = chosen
    article_start = phrase_start
    if club_before is None and previous:
        words_before = document.words[max(0, document.word_index_at(start) - 1)]
        article_start = words_before[0]
    return Mention(article_start, phrase_end, "coach", (chosen,), "ref-role", sentence)


def _club_word_reference(
    document: Document,
    index: GazetteerIndex,
    mentions: list[Mention],
    by_start: dict[int, Mention],
    start: int,
    end: int,
    previous: list[str],
    excluded: set[int],
) -> Mention | None:
    lexicon = document.lexicon
    if not previous:
        return None
    determiners = _definite_determiners(lexicon.determiners)
    # "il club", "the club", "the Lisbon club", "la società emiliana".
    if previous[-1] not in determiners:
        if len(previous) < 2 or previous[-2] not in determiners or previous[-1] in _INDEFINITE:
            return None
        modifier_start = document.words[document.word_index_at(start) - 1][0]
        if not _capitalised_at(document, modifier_start):
            return None  # "the first team", "the B team": not a club reference.
    if not _lowercase_at(document, start):
        return None  # "Mondiale per Club": part of a name.
    following_start = _next_word_start(document, end)
    if following_start is not None and following_start in by_start:
        following = by_start[following_start]
        if following.entity == "club" and document.folded[end:following_start].strip() == "":
            return None  # "il club rossonero" names the club itself.
    sentence = document.sentence_at(start)
    # "il club", "the club" (bare) usually mean the club the story follows;
    # "the Lisbon club", "the Saudi club", "el club canario" a particular one
    # just named, in the country the modifier says when it names one.
    modifier = "" if previous[-1] in determiners else previous[-1]
    if not modifier and document.language not in ("en", "de"):
        following = document.next_words(end, 1)
        if following and following[0] not in lexicon.stopwords and following[0].isalpha():
            if following_start is not None and not _capitalised_at(document, following_start):
                modifier = following[0]
    country = _country_of(modifier) if modifier else None
    clubs = _recent_clubs(mentions, start, sentence, excluded, index, country)
    if not clubs:
        return None
    phrase_start = document.words[max(0, document.word_index_at(start) - 1)][0]
    form = "ref-club-named" if modifier else "ref-club"
    return Mention(phrase_start, end, "club", (clubs[0],), form, sentence)


def _possessive_relations(document: Document, mentions: list[Mention], relations: Relations):
    """'Brentford's Thomas Frank', 'il Bologna di Italiano': the club is his current one."""
    folded = document.folded
    ordered = sorted(mentions, key=lambda mention: mention.start)
    for club, following in zip(ordered, ordered[1:], strict=False):
        if club.entity != "club" or following.entity != "coach":
            continue
        if club.id is None or following.id is None:
            continue
        between = folded[club.end : following.start].strip()
        if between in ("'s", "'", "di", "de"):
            relations.add_current(following.id, club.id)
            relations.attached[club.start] = following.id

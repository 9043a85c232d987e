"""Find the coaches and clubs an article names, through the forms the press uses.

One automaton pass over the folded text finds every gazetteer phrase; each
hit is then checked the way a reader would check it:

- a name must be written as a name: "Frank" is the coach, "frank" is not;
  a name spelled like a common word ("Como", "Still") does not count at
  the start of a sentence, where every word has a capital;
- a surname right after another first name belongs to someone else
  ("Lorenzo Pellegrini" is not Manuel Pellegrini), and a first name or
  surname followed by another capitalised word is someone else's too
  ("Max Eberl" is not Max Allegri);
- a nickname without its article needs one from the text ("dei
  giallorossi", "the Red Devils"), and a club adjective needs a noun it
  qualifies ("il club rossonero", "la panchina viola");
- a surname two coaches share is resolved to the one the article names in
  full, or dropped.

Italian articulated prepositions ("dell'Atalanta", "alla Juve") and
possessives ("Chelsea's") need no special case: matches are taken at word
boundaries of the folded text, where the apostrophe is a boundary.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections import Counter
from dataclasses import dataclass, field

from .document import Document
from .gazetteer_index import NICKNAME_ARTICLES, GazetteerIndex, NameForm
from .lexicon import Lexicon
from .normalize import fold_word

# Lower wins when two readings of the same words compete.
_FORM_RANK = {
    "full": 0,
    "nickname": 1,
    "alias": 1,
    "nation": 1,
    "surname": 2,
    "core": 3,
    "adjective": 4,
}


@dataclass(slots=True, eq=False)
class Mention:
    """A coach or club named (or referred to) at a span of the folded text.

    Two mentions are the same only if they are the same object: one span of
    a text holds at most one, so comparing fields would say nothing more,
    only more slowly (lists of mentions are searched often).
    """

    start: int
    end: int
    entity: str  # "coach" or "club"
    ids: tuple[int, ...]
    form: str
    sentence: int
    national: bool = False
    id: int | None = field(init=False, default=None)  # the one entity, once unambiguous
    is_reference: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        # Plain attributes, not properties: they are read very often.
        self.id = self.ids[0] if len(self.ids) == 1 else None
        self.is_reference = self.form.startswith("ref")

    def settle(self, pk: int) -> None:
        """Make the mention stand for one entity (a shared surname, "the club")."""
        self.ids = (pk,)
        self.id = pk


def _is_sentence_initial(document: Document, start: int) -> bool:
    index = document.sentence_at(start)
    sentence_start = document.folded_sentence_span(index)[0]
    between = document.folded[sentence_start:start]
    return not between.strip(" \"'«“‘(-–—¿¡")


def _title_case_sentence(document: Document, sentence_index: int) -> bool:
    """English headlines capitalise every word: capitals prove nothing there."""
    cache = document.title_case
    if sentence_index not in cache:
        cache[sentence_index] = _is_title_case(document.sentence_text(sentence_index))
    return cache[sentence_index]


def _is_title_case(text: str) -> bool:
    initials = [word[0] for word in text.split()]
    letters = list(filter(str.isalpha, initials))
    if len(letters) < 4:
        return False
    return sum(map(str.isupper, letters)) / len(letters) > 0.7


def _capitalised(document: Document, start: int, end: int) -> bool:
    original_start, original_end = document.original_span(start, end)
    text = document.text[original_start:original_end]
    return text[:1].isupper() or (len(text) > 1 and text[:2].isupper())


def _has_capital(document: Document, start: int, end: int) -> bool:
    original_start, original_end = document.original_span(start, end)
    return any(map(str.isupper, document.text[original_start:original_end]))


def _word_after(document: Document, end: int) -> tuple[str, bool]:
    """The original word right after a span (one space away) and whether it is capitalised."""
    original = document.original_span(end - 1, end)[1] if end else 0
    text = document.text
    if original >= len(text) or text[original] != " ":
        return "", False
    following = original + 1
    stop = following
    while stop < len(text) and (text[stop].isalpha() or text[stop] in "'’-"):
        stop += 1
    word = text[following:stop]
    return word, bool(word[:1].isupper())


def _word_before(document: Document, start: int) -> tuple[str, bool]:
    """The original word right before a span (one space away) and whether it is capitalised."""
    original = document.original_span(start, start + 1)[0]
    text = document.text
    if original < 2 or text[original - 1] != " ":
        return "", False
    stop = original - 1
    begin = stop
    while begin > 0 and (text[begin - 1].isalpha() or text[begin - 1] in "'’-."):
        begin -= 1
    word = text[begin:stop]
    if word.endswith("."):
        return word, False  # "A. Conte": an initial, or the end of a sentence.
    return word, bool(word[:1].isupper())


def _accept(
    document: Document,
    index: GazetteerIndex,
    start: int,
    end: int,
    name: NameForm,
) -> bool:
    """Decide whether one reading of a phrase found in the text really names its entity."""
    lexicon = document.lexicon
    if name.cased and not _has_capital(document, start, end):
        return False  # The cheapest test first: most hits in prose are common words.

    if name.form in ("core", "adjective"):
        previous = document.previous_words(start, 1)
        previous_word = previous[0] if previous else ""
        if name.entity == "coach":
            # "il Cholo", "lo Special One": a coach's nickname takes a bare article.
            return previous_word in NICKNAME_ARTICLES
        if previous_word in lexicon.coach_roles and document.folded[start:end] in index.demonyms:
            return False  # "il tecnico salentino" is about the coach, not Lecce.
        return (
            previous_word in lexicon.determiners
            or previous_word in NICKNAME_ARTICLES
            or previous_word in lexicon.club_nouns
        )
    if name.form == "nickname":
        return True

    if name.single_token and not _capitalised(document, start, end):
        return False
    if name.common and _is_sentence_initial(document, start):
        return False
    if name.entity == "coach" and _hyphenated(document, start, end):
        return False  # "Sánchez-Pizjuán" is a stadium, not Félix Sánchez.
    if name.entity != "coach" or name.form == "full":
        return True
    if _next_to_another_name(document, lexicon, start, end):
        # Unless the sentence capitalises every word, as English headlines do.
        return _title_case_sentence(document, document.sentence_at(start))
    return True


def _next_to_another_name(document: Document, lexicon: Lexicon, start: int, end: int) -> bool:
    """A short form of a coach's name next to another capitalised word is
    probably part of someone else's name ("Max Eberl", "Lorenzo Pellegrini")."""
    after, after_capital = _word_after(document, end)
    if after_capital and fold_word(after) not in lexicon.stopwords:
        return True
    before, before_capital = _word_before(document, start)
    if before_capital:
        folded_before = fold_word(before)
        if folded_before not in lexicon.name_titles and folded_before not in lexicon.stopwords:
            return True
    return False


def _hyphenated(document: Document, start: int, end: int) -> bool:
    folded = document.folded
    if end + 1 < len(folded) and folded[end] == "-" and folded[end + 1].isalpha():
        return True
    if start > 1 and folded[start - 1] == "-" and folded[start - 2].isalpha():
        return not folded[max(0, start - 4) : start - 1].endswith("ex")
    return False


def find_mentions(document: Document, index: GazetteerIndex) -> list[Mention]:
    """Return the coach and club mentions of a document, in text order, overlaps removed."""
    readings: list[tuple[int, int, int, NameForm]] = [
        (start, end, _FORM_RANK.get(name.form, 5), name)
        for start, end, payloads in document.hits(index.phrases, "name")
        for name in payloads
    ]
    # Longest first, then the better kind of name, then clubs over coaches
    # (a club's alias beats a coach's derived surname). A reading that
    # overlaps one already taken loses whatever it is, so it is not checked.
    readings.sort(key=lambda c: (-(c[1] - c[0]), c[2], c[0], c[3].entity != "club"))
    taken = bytearray(len(document.folded) + 1)
    chosen: list[Mention] = []
    for start, end, _, name in readings:
        if 1 in taken[start:end] or not _accept(document, index, start, end, name):
            continue
        taken[start:end] = b"\x01" * (end - start)
        national = name.entity == "club" and any(
            index.clubs[pk].is_national_team for pk in name.ids if pk in index.clubs
        )
        chosen.append(
            Mention(
                start=start,
                end=end,
                entity=name.entity,
                ids=name.ids,
                form=name.form,
                sentence=document.sentence_at(start),
                national=national,
            )
        )
    chosen.sort(key=lambda mention: mention.start)
    resolved = _resolve_ambiguous(chosen)
    return _add_partial_names(document, index, resolved)


def _resolve_ambiguous(mentions: list[Mention]) -> list[Mention]:
    """Give a shared surname to the coach (or club) the article names unambiguously.

    A club's colour word ("nerazzurri", "gialloblù") counts only when the
    article also names that club: several clubs wear the same colours.
    """
    named = Counter(
        (mention.entity, mention.ids[0]) for mention in mentions if len(mention.ids) == 1
    )
    by_name = Counter(
        (mention.entity, mention.ids[0])
        for mention in mentions
        if len(mention.ids) == 1 and mention.form not in ("core", "adjective")
    )
    resolved = []
    for mention in mentions:
        if mention.entity == "club" and mention.form in ("core", "adjective"):
            if not any(by_name[("club", pk)] for pk in mention.ids):
                continue
        if len(mention.ids) > 1:
            known = [pk for pk in mention.ids if named[(mention.entity, pk)]]
            if len(known) != 1:
                continue
            mention.settle(known[0])
        resolved.append(mention)
    return resolved


_WORD_CHARACTER = re.compile(r"\w")
_start_of = operator.attrgetter("start")
_GENERIC_NAME_WORDS = frozenset(
    """
    football club calcio futbol futebol fussball associazione societa sportiva sociedad deportiva
    athletic atletico olympique racing sporting clube national team nazionale seleccion
    """.split()
)


def _overlaps(mentions: list[Mention], start: int, end: int) -> bool:
    """Whether a span overlaps one of mentions (in text order, not overlapping each other)."""
    before = bisect.bisect_left(mentions, end, key=_start_of)  # the mentions starting before end
    return before > 0 and mentions[before - 1].end > start


def _add_partial_names(
    document: Document, index: GazetteerIndex, mentions: list[Mention]
) -> list[Mention]:
    """Find "United", "Madrid", "Villa" once the article has named the club in full.

    After "Manchester United" the press writes "United"; the word stands for
    the club only when it belongs to exactly one club the article named.
    """
    named = {
        m.ids[0] for m in mentions if m.entity == "club" and len(m.ids) == 1 and not m.national
    }
    if not named:
        return mentions
    owners: dict[str, set[int]] = {}
    for club_id in named:
        info = index.clubs.get(club_id)
        if info is None:
            continue
        # The name headlines use: "Manchester United" gives "United", while
        # "West Ham United" (its full name) does not compete for the word.
        words = info.short_name_words
        if len(words) < 2:
            continue
        for word in words:
            if len(word) >= 4 and word not in _GENERIC_NAME_WORDS and word.isalpha():
                owners.setdefault(word, set()).add(club_id)
    owners = {
        word: clubs
        for word, clubs in owners.items()
        if len(clubs) == 1
        and word not in document.lexicon.stopwords
        and word not in index.coach_names
        and word not in index.first_names
    }
    if not owners:
        return mentions
    present = sorted(word for word in owners if word in document.folded)
    if not present:
        return mentions
    # Usually one or two words ("united"): the pattern is cached by re across
    # articles. The boundary before a word is checked apart, as a leading
    # lookbehind would stop re from skipping ahead to the words' first letters.
    pattern = re.compile(r"(?:" + "|".join(map(re.escape, present)) + r")(?!\w)")
    added = []
    for match in pattern.finditer(document.folded):
        start, end = match.span()
        word = match.group(0)
        if start and _WORD_CHARACTER.match(document.folded, start - 1):
            continue  # Inside a longer word: "reunited".
        if _overlaps(mentions, start, end):
            continue
        if not _capitalised(document, start, end):
            continue
        after, after_capital = _word_after(document, end)
        if after_capital:
            continue  # "United States", "Madrid Open": another name.
        (club_id,) = owners[word]
        added.append(
            Mention(start, end, "club", (club_id,), "partial", document.sentence_at(start))
        )
    return sorted(mentions + added, key=lambda mention: mention.start)

"""From an article to coach-club links: rumour, confirmed, exit or denial.

The steps, each in its own module: mentions.py finds the coaches and clubs
named, references.py resolves "il tecnico livornese" or "the club", the
language's lexicon finds the phrases that report news ("esonerato", "in
talks with", "ha detto no"). This module reads each sentence clause by
clause and asks, for every such phrase, who and which bench it is about:

- the coach is the one named nearest to it in its clause, then in its
  sentence, then (for a sentence that names none: "Ha firmato fino al 2027")
  the one the previous sentence was about;
- the club is the nearest one in the clause that can be the bench in
  question: not an opponent ("contro il Bologna"), not a past club ("l'ex
  tecnico della Juve", "the former Chelsea boss", "in 2021"), not a
  national team unless the article is about that job, not the coach's
  current club for a rumour or a refusal ("Brentford's Thomas Frank is
  wanted by Spurs"); when the coach is the subject, the club after the
  phrase ("vicino al Marsiglia"), when a club is the subject, that club
  ("United have opened talks with Sporting over Amorim"). A sentence that
  names no such club talks about the bench the article is following ("In
  pole c'è Igor Tudor").

Negation drops a claim ("non ha firmato"); a hedge turns a signing into a
rumour ("l'intesa sarebbe già stata raggiunta"); a phrase about the past
("dopo l'esonero", "since leaving", "reduce da") weighs little, so past
spells and background are not links. Each pair then keeps one kind, the
best supported, with its evidence sentence, a confidence and who the
article credits for it.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from ..models import Club, Coach, Source
from .attribution import Credit, find_credits, match_credited_source
from .candidates import find_unknown_coaches
from .document import Document, prepare
from .gazetteer_index import GazetteerIndex, clear_index, get_index
from .lexicon import LINK_KINDS, Cue
from .mentions import Mention, find_mentions
from .references import resolve_references

# A coach in post at a club since before this date is taken to be there
# still when an article links him elsewhere (see _Reader._soft_current).
SETTLED_BEFORE = date(2024, 1, 1)
# A pair becomes a link when its best claim weighs at least this much.
THRESHOLD = 0.5
# When two kinds compete for one pair, the more specific claim gets a head start.
KIND_BONUS = {"denial": 0.12, "confirmed": 0.05, "exit": 0.04, "rumour": 0.0}
# How many words before a phrase a negation, an "after" or an opponent cue may stand.
NEGATION_REACH = 3
ROLE_REACH = 3
# A year, not part of a longer number or a span ("2021", not "2021-22"). The
# digit or dash before it is checked apart (see _Reader._years): a leading
# lookbehind would stop re from skipping ahead to the 1s and 2s.
_YEAR = re.compile(r"(?:19[5-9]\d|20[0-4]\d)(?![\d-])")
_DIGIT_OR_DASH = re.compile(r"[\d-]")
# Clause breaks in the body: punctuation marks, and a dash between spaces.
_PUNCTUATION_MARKS = re.compile(r"[;:()«»“”\"—–]")
_SPACED_DASH = re.compile(r"\s-\s")
# Headlines string clauses together with commas: "Fonseca in pole, Lopetegui va al West Ham".
_TITLE_BREAKS = re.compile(r"[;:,()«»“”\"—–]|\s-\s|\.\s")
_SCORE_BEFORE = re.compile(r"\b\d{1,2}\s?-\s?\d{1,2}\s+(?:\w+\s+){0,2}$")
_LIST_GAP = re.compile(r"^(?:[\s,]|'s|\b(?:and|e|ed|y|o|or|et|und|i|u|ou|oppure)\b)*$")
_LIST_WORDS = frozenset(
    "and e ed y o or et und i u ou oppure nor né plus 's ' the il el la lo le former ex new".split()
)
_start_of = operator.attrgetter("start")
_GAP_SEPARATORS = re.compile(r"[\s,]+")
_PARENTHETICAL = re.compile(r"[—–(][^—–()]*[—–)]")
# A capitalised pair of words: a person's name, unless it is a place or a competition.
_PERSON = re.compile(r"\b([A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+) [A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+")
_NOT_PEOPLE = frozenset(
    """
    champions premier serie europa conference coppa copa super liga la le el the old stamford
    white king san santiago sant saint st new los las real manchester camp carabao fa league
    bundesliga ligue primeira eredivisie world mondiale club nations euro european sky
    """.split()
)
# "Pinamonti del Sassuolo", "Koopmeiners dell'Atalanta": a capitalised name, then "of".
_PLAYER_OF = re.compile(
    r"(?<![.!?]\s)\b[A-ZÀ-Þ][a-zà-ÿ]+ (?:del|della|dello|dell'|dell’|de|do|da|of)\s?$"
)
# How a text must end for _PLAYER_OF to match it: a quick test that spares
# most clubs the (slow, unanchored) search.
_PLAYER_OF_ENDINGS = (" del", " della", " dello", " dell'", " dell’", " de", " do", " da", " of")
# "Brentford forward Yoane Wissa": the club, a role, a name.
_CLUB_PLAYER = re.compile(r"\s+([a-z-]+(?: [a-z-]+)?)\s+[A-ZÀ-Þ][a-zà-ÿ]+ [A-ZÀ-Þ]")
# Auxiliaries that open a finite verb phrase ("ha firmato", "has left").
_AUXILIARY_VERBS = frozenset(
    "ha hanno è sono era has have had is was were will ha han es fue será a est".split()
)
_CONDITIONALS = frozenset(
    ["if", "se", "si", "wenn", "falls", "qualora", "in caso di", "en caso de", "in case", "caso"]
)
_RELATIVE_PRONOUNS = frozenset(
    ["who", "che", "que", "which", "whose", "qui", "quien", "cui", "der", "die"]
)
# Cue categories that own the club named right after them.
_OWNING = frozenset(["exit", "confirmed", "rumour", "denial", "stay"])
# Cue categories that make a sentence worth reading claim by claim.
_READ_CATEGORIES = frozenset(
    ["exit", "confirmed", "rumour", "denial", "official", "search", "cancel"]
)
# Which claims make a club the bench the article follows (lower first).
_TOPIC_RANK = {"search": 0, "exit": 1, "rumour": 2, "denial": 3, "short": 4, "confirmed": 5}
# Cue categories that keep their meaning inside a longer phrase.
_UNPRUNED = frozenset(["predecessor", "stay", "since"])


@dataclass(frozen=True)
class Link:
    """One coach-club link an article reports."""

    coach: Coach
    club: Club
    kind: str  # "rumour" | "confirmed" | "exit" | "denial"
    confidence: float  # 0..1
    evidence: str  # the sentence(s) that report the link, verbatim from the text
    credited_to: str = ""  # who the article says broke it, "" if none
    credited_source: Source | None = None  # the known Source for credited_to, if any


@dataclass(frozen=True)
class Analysis:
    """What an article says: its links, and probable coaches the gazetteer lacks."""

    links: list[Link]
    unknown_coaches: list[tuple[str, str]]  # (name, sentence)


@dataclass(slots=True)
class CueHit:
    """A lexicon phrase found at a span of the folded text (read-only once made).

    Not frozen: a frozen dataclass is several times slower to build, and an
    article has dozens of these.
    """

    start: int
    end: int
    cue: Cue
    clause: int = 0  # in its sentence, set once the sentence's clauses are numbered


@dataclass(slots=True)
class Claim:
    """One phrase's claim about one coach and one club."""

    coach: int
    club: int
    kind: str
    weight: float
    sentence: int
    carried: bool = False  # the coach was not named in the sentence
    source: str = "clause"  # where the club came from: clause, sentence or topic
    phrase: str = ""  # the lexicon phrase behind the claim


@dataclass(slots=True)
class _Sentence:
    index: int
    start: int  # folded span
    end: int
    paragraph: int
    breaks: list[int] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    cues: list[CueHit] = field(default_factory=list)
    years: list[int] | None = None  # folded positions of years, found on first need
    clause_ids: list[int] = field(default_factory=list)  # clause of each segment after a break
    relative: set[int] = field(default_factory=set)  # clauses that are comma-led relative clauses
    by_category: dict[str, list[CueHit]] = field(default_factory=dict)

    def of(self, category: str) -> list[CueHit]:
        """The sentence's cues of a category, in text order."""
        return self.by_category.get(category, [])

    def clause(self, position: int) -> int:
        segment = bisect.bisect_right(self.breaks, position)
        return self.clause_ids[segment - 1] if segment else 0


def _near(cues: list[CueHit], position: int, width: int = 400) -> list[CueHit]:
    """The cues starting within `width` characters before a position (cues are sorted)."""
    if not cues:
        return cues
    low = bisect.bisect_left(cues, position - width, key=_start_of)
    high = bisect.bisect_right(cues, position, key=_start_of)
    return cues[low:high]


def _within(positions: list[int], start: int, end: int) -> list[int]:
    """The sorted positions that fall in [start, end)."""
    return positions[bisect.bisect_left(positions, start) : bisect.bisect_left(positions, end)]


def analyse_article(text: str, title: str = "", language: str = "") -> Analysis:
    """Return the links and unknown-coach candidates an article reports.

    Pure: reads the gazetteer (cached per process), writes nothing.
    """
    text = text if isinstance(text, str) else ""
    title = title if isinstance(title, str) else ""
    if not text.strip() and not title.strip():
        return Analysis(links=[], unknown_coaches=[])
    index = get_index()
    document = prepare(text, title, language if isinstance(language, str) else "")
    return _Reader(document, index).read()


def find_links(text: str, title: str = "", language: str = "") -> list[Link]:
    """Return the coach-club links an article reports (see analyse_article)."""
    return analyse_article(text, title=title, language=language).links


class _Reader:
    """Reads one document; holds what it learns as it goes (the bench followed)."""

    def __init__(self, document: Document, index: GazetteerIndex) -> None:
        self.document = document
        self.index = index
        self.lexicon = document.lexicon
        self.claims: list[Claim] = []
        self.cancels: set[tuple[int, int]] = set()
        self.topic_club: int | None = None
        self.title_topics: dict[int, int | None] = {}
        self.linked_elsewhere: dict[int, set[int]] = defaultdict(
            set
        )  # coach → clubs he is linked to
        self.filled: list[tuple[int, str]] = []
        self._bench_cache: dict[int, bool] = {}
        self._held_cache: dict[int, set[int]] = {}
        self._year_starts: list[int] | None = None
        self._deadlines: dict[int, bool] = {}
        self.topic_sentence = -1
        self.moved: set[int] = set()  # coaches reported as signed somewhere
        # Words that may stand between the names of a list ("X, the Y coach, and Z").
        self.list_words = _LIST_WORDS | self.lexicon.list_joiners | self.lexicon.coach_roles

    # ------------------------------------------------------------ reading

    def read(self) -> Analysis:
        document, index = self.document, self.index
        mentions = find_mentions(document, index)
        cues = self._find_cues()
        self.opponents = self._opponents(mentions, cues)
        past_cues = [hit for hit in cues if hit.cue.category in ("former", "past")]
        pasts = {
            m.start
            for m in mentions
            if m.entity == "club"
            and past_cues
            and self._preceded_by(m.start, _near(past_cues, m.start), ("former", "past"))
        }
        references, self.relations = resolve_references(
            document, index, mentions, self.opponents | pasts
        )
        self.mentions = sorted(mentions + references, key=lambda mention: mention.start)
        self.national_ok = self._national_jobs_in_focus(mentions)
        sentences = self._sentences(self.mentions, cues)
        self._coordinated_with_opponent(sentences)
        self.places = {
            mention.start
            for mention in mentions
            if mention.entity == "club" and self._is_place(mention)
        }
        titles = [sentence for sentence in sentences if document.is_title(sentence.index)]
        self.title_topics = {sentence.index: self._title_topic(sentence) for sentence in titles}
        self.topic_club = next((t for t in self.title_topics.values() if t is not None), None)
        previous: _Sentence | None = None
        for sentence in sentences:
            self._read_sentence(sentence, previous)
            previous = sentence
        credits = find_credits(document, [document.original_span(m.start, m.end) for m in mentions])
        links = self._links(credits)
        unknown = find_unknown_coaches(document, index, mentions)
        return Analysis(links=links, unknown_coaches=unknown)

    def _find_cues(self) -> list[CueHit]:
        # Each span holds one phrase, so sorting spans orders its cues too.
        spans = sorted(
            self.document.hits(self.lexicon.phrases, "cue"),
            key=lambda span: (span[0], -(span[1] - span[0])),
        )
        hits = [(start, end, cue) for start, end, cues in spans for cue in cues]
        # A phrase inside a longer phrase is part of it: "non è più l'allenatore"
        # is one exit claim, not a negation plus a role. Predecessors, stays and
        # "after"s keep their own meaning inside longer phrases.
        kept: list[CueHit] = []
        longest_start, longest_end = -1, -1
        for start, end, cue in hits:
            inside = start >= longest_start and end <= longest_end
            if inside and (start, end) != (longest_start, longest_end):
                if cue.category not in _UNPRUNED:
                    continue
            elif end > longest_end:
                longest_start, longest_end = start, end
            kept.append(CueHit(start, end, cue))
        return kept

    def _opponents(self, mentions: list[Mention], cues: list[CueHit]) -> set[int]:
        """Clubs met on the pitch: 'contro il Bologna', 'defeat by Chelsea', 'l'1-1 con la Roma'."""
        folded = self.document.folded
        opponent_cues = [hit for hit in cues if hit.cue.category == "opponent"]
        opponents = set()
        for mention in mentions:
            if mention.entity != "club":
                continue
            near = _near(opponent_cues, mention.start)
            if self._preceded_by(mention.start, near, ("opponent",)):
                opponents.add(mention.start)
                continue
            window = folded[max(0, mention.start - 30) : mention.start]
            if "-" in window and _SCORE_BEFORE.search(window):
                opponents.add(mention.start)
                continue
            # "dumped out of the Champions League by Arsenal", "eliminati dal Betis".
            if not near:
                continue  # No opponent phrase to take the club from.
            previous = self.document.previous_words(mention.start, 1)
            if previous and previous[0] in self.lexicon.agent_preps:
                sentence = self.document.sentence_at(mention.start)
                start, _ = self.document.folded_sentence_span(sentence)
                if any(
                    hit.cue.category == "opponent" and start <= hit.start < mention.start
                    for hit in near
                ):
                    opponents.add(mention.start)
        return opponents

    def _is_place(self, mention: Mention) -> bool:
        """'a Roma', 'in Madrid': a city, not its club (clubs take articles)."""
        if mention.form not in ("alias", "full", "partial"):
            return False
        if self.document.folded[max(0, mention.start - 1)] != " ":
            return False
        previous = self.document.previous_words(mention.start, 1)
        return bool(previous) and previous[0] in self.lexicon.place_preps

    def _sentences(self, mentions: list[Mention], cues: list[CueHit]) -> list[_Sentence]:
        document = self.document
        result = []
        for number, sentence in enumerate(document.sentences):
            start, end = document.folded_sentence_span(number)
            result.append(_Sentence(number, start, end, sentence.paragraph))
        starts = [sentence.start for sentence in result]
        for mention in mentions:
            result[max(0, bisect.bisect_right(starts, mention.start) - 1)].mentions.append(mention)
        for hit in cues:
            result[max(0, bisect.bisect_right(starts, hit.start) - 1)].cues.append(hit)
        for sentence in result:
            for hit in sentence.cues:
                sentence.by_category.setdefault(hit.cue.category, []).append(hit)
        # Where clauses may break, for _find_clauses; one-character marks
        # are found in one pass over the article.
        clause_breaks = document.hits(self.lexicon.phrases, "clause_break")
        self.phrase_breaks = sorted(start for start, _, _ in clause_breaks)
        self.marks = [match.start() for match in _PUNCTUATION_MARKS.finditer(document.folded)]
        return result

    def _find_clauses(self, sentence: _Sentence) -> None:
        """Split a sentence into clauses, and give each of its cues its clause.

        Only sentences read claim by claim need them (see _read_sentence).
        """
        document = self.document
        folded = document.folded
        start, end = sentence.start, sentence.end
        if document.is_title(sentence.index):
            breaks = {match.start() for match in _TITLE_BREAKS.finditer(folded, start, end)}
        else:
            breaks = set(_within(self.marks, start, end))
            if folded.find("-", start, end) != -1:
                breaks.update(match.start() for match in _SPACED_DASH.finditer(folded, start, end))
        breaks.update(_within(self.phrase_breaks, start, end))
        if breaks:  # else the sentence is one clause, numbered 0
            self._number_clauses(sentence, sorted(breaks))
            for hit in sentence.cues:
                hit.clause = sentence.clause(hit.start)

    def _number_clauses(self, sentence: _Sentence, breaks: list[int]) -> None:
        """Give each stretch between breaks its clause, closing relative clauses.

        In "De Zerbi, che ha salutato il Brighton, è in trattativa con il
        Marsiglia" the relative clause ends at its comma and the main clause
        resumes, so De Zerbi and "in trattativa" share a clause again.
        """
        folded = self.document.folded
        merged: list[int] = []
        for position in breaks:  # ", che" and " che " are one break
            if merged and position - merged[-1] <= 2:
                continue
            merged.append(position)
        breaks = merged
        openers = set()
        for position in breaks:
            if "," in folded[max(0, position - 1) : position + 2]:
                word = folded[position : position + 12].strip(" ,").split(" ", 1)[0]
                if word in _RELATIVE_PRONOUNS:
                    openers.add(position)
        if not openers:  # No relative clause: each break opens the next clause.
            sentence.breaks = breaks
            sentence.clause_ids = list(range(1, len(breaks) + 1))
            return
        closers = set()
        for position in openers:
            comma = folded.find(",", position + 2, sentence.end)
            if comma != -1:
                closers.add(comma)
        every = sorted(set(breaks) | closers)
        ids: list[int] = []
        current, following, stack = 0, 1, []
        for position in every:
            if position in closers and stack and position not in openers:
                current = stack.pop()
            elif position in openers:
                stack.append(current)
                current = following
                following += 1
                sentence.relative.add(current)
            else:
                current = following
                following += 1
            ids.append(current)
        sentence.breaks = every
        sentence.clause_ids = ids

    def _words_between(self, start: int, end: int) -> int:
        return self.document.count_words_between(start, end)

    def _preceded_by(self, position: int, cues, categories, reach=ROLE_REACH) -> bool:
        """Whether a cue of these categories ends at most `reach` words before position."""
        for hit in cues:
            if hit.cue.category not in categories or hit.end > position:
                continue
            if position - hit.end > 80:
                continue
            if self._words_between(hit.end, position) <= reach:
                return True
        return False

    def _national_jobs_in_focus(self, mentions: list[Mention]) -> set[int]:
        """National teams the article is about: in the headline, or its most named club."""
        counts: dict[int, int] = defaultdict(int)
        in_title: set[int] = set()
        for mention in mentions:
            if mention.entity == "club" and mention.id is not None:
                counts[mention.id] += 1
                if mention.national and self.document.is_title(mention.sentence):
                    in_title.add(mention.id)
        if not counts:
            return in_title
        most = max(counts.values())
        leaders = {club for club, count in counts.items() if count == most and count >= 3}
        national = {club for club in leaders if self.index.clubs[club].is_national_team}
        return in_title | (national if len(leaders) == 1 else set())

    def _coordinated_with_opponent(self, sentences: list[_Sentence]) -> None:
        """'contro Bologna e Monza': the second club is an opponent too."""
        if not self.opponents:
            return
        folded = self.document.folded
        for sentence in sentences:
            clubs = [mention for mention in sentence.mentions if mention.entity == "club"]
            for first, second in zip(clubs, clubs[1:], strict=False):
                if first.start in self.opponents and _LIST_GAP.match(
                    folded[first.end : second.start]
                ):
                    self.opponents.add(second.start)

    def _title_topic(self, sentence: _Sentence) -> int | None:
        """'Juve, è finita con Allegri': a headline that opens on a club is about its bench."""
        for mention in sentence.mentions:
            if mention.entity != "club" or mention.id is None:
                continue
            if self._words_between(sentence.start, mention.start) > 2:
                return None
            if mention.start in self.opponents:
                return None
            if not mention.national or mention.id in self.national_ok:
                return mention.id
        return None

    # ------------------------------------------------------------ one sentence

    def _read_sentence(self, sentence: _Sentence, previous: _Sentence | None) -> None:
        document = self.document
        if sentence.paragraph in document.aside_paragraphs:
            return  # "LEGGI ANCHE: ...", "Read more: ...": other stories' headlines.
        clubs_here = [m for m in sentence.mentions if m.entity == "club" and m.id is not None]
        if _READ_CATEGORIES.isdisjoint(sentence.by_category):
            # Nothing is claimed here; only a short sentence about one club can
            # still tell which bench the article follows ("Nice are not hanging about.").
            self._note_short_sentence(sentence, clubs_here, [])
            return
        self._find_clauses(sentence)
        for mention in sentence.mentions:
            if mention.form == "ref-club":
                # "il club", "the club": a club just named in the same sentence,
                # else the bench the article follows.
                held = self._held_clubs(sentence, None, clubs_here)
                earlier = [
                    m
                    for m in sentence.mentions
                    if m.entity == "club"
                    and m.end <= mention.start
                    and m.id is not None
                    and not m.is_reference
                    and m.start not in self.opponents
                    and not m.national
                    and m.start not in held
                    and not self._is_background(m, sentence)
                ]
                if earlier:
                    mention.settle(earlier[-1].id)
                elif self.topic_club is not None:
                    mention.settle(self.topic_club)
        cues = sentence.cues
        clubs = [m for m in sentence.mentions if m.entity == "club" and m.id is not None]
        coaches = [m for m in sentence.mentions if m.entity == "coach" and m.id is not None]
        bound = {m.start for m in coaches if self._bound_elsewhere(m, sentence)}
        free_coaches = [m for m in coaches if m.start not in bound]
        carried = self._carried_coach(sentence, previous, free_coaches)
        clause_categories: dict[int, set[str]] = defaultdict(set)
        for hit in cues:
            clause_categories[hit.clause].add(hit.cue.category)
        topic_candidates: list[tuple[int, str]] = []
        has_confirmed = any(
            (
                hit.cue.category == "confirmed"
                and hit.cue.weight >= 0.7
                or hit.cue.category in ("official", "announce")
            )
            and not self._negated(sentence, hit)
            for hit in cues
        )
        searched: list[tuple[int, str]] = []
        first_claim = len(self.claims)  # the claims this sentence adds come after
        for hit in cues:
            if hit.cue.category == "search":
                self._note_search(sentence, hit, clubs, clause_categories, searched)
        if searched and not document.is_title(sentence.index):
            self.topic_club = searched[0][0]  # "Per il Venezia si apre la caccia al sostituto: ..."
        for hit in cues:
            category = hit.cue.category
            if category == "search":
                continue
            if category == "cancel":
                self._note_cancel(sentence, hit, free_coaches, clubs, carried)
            elif category == "official":
                others = clause_categories[hit.clause] & set(LINK_KINDS)
                if not others:
                    self._claim(
                        sentence,
                        hit,
                        "confirmed",
                        free_coaches,
                        coaches,
                        clubs,
                        carried,
                        clause_categories,
                        topic_candidates,
                        has_confirmed,
                    )
            elif category in LINK_KINDS:
                self._claim(
                    sentence,
                    hit,
                    category,
                    free_coaches,
                    coaches,
                    clubs,
                    carried,
                    clause_categories,
                    topic_candidates,
                    has_confirmed,
                )
        self._drop_topic_guesses(sentence, first_claim)
        if not coaches:
            self._note_short_sentence(sentence, clubs, topic_candidates)
        if self.topic_club is None:
            topic_candidates += [(club, "confirmed") for club, kind in self.filled]
        self.filled = []
        if topic_candidates and not document.is_title(sentence.index):
            # The bench the article follows: one searched for, one just left
            # empty, one linked with candidates. A bench just filled is not it.
            ranked = sorted(topic_candidates, key=lambda item: _TOPIC_RANK.get(item[1], 9))
            if _TOPIC_RANK.get(ranked[0][1], 9) < 9:
                self.topic_club = ranked[0][0]
                self.topic_sentence = sentence.index

    def _note_short_sentence(self, sentence: _Sentence, clubs: list[Mention], candidates) -> None:
        """'Nice are not hanging about.', 'So where do the Reds turn now?': a short
        sentence about one club and no coach turns the story to that club."""
        if candidates or len({c.id for c in clubs}) != 1:
            return
        if any(m.entity == "coach" for m in sentence.mentions):
            return
        club = clubs[0]
        if club.start in self.opponents or club.national:
            return
        if self.document.count_words_between(sentence.start, sentence.end) > 12:
            return
        if not self.document.is_title(sentence.index):
            self.topic_club = club.id
            self.topic_sentence = sentence.index

    def _drop_topic_guesses(self, sentence: _Sentence, first: int) -> None:
        """'il nome caldo è quello di Pioli, che sarebbe vicino a un accordo con la
        Viola': when the sentence says where a rumour points, the followed bench
        was the wrong guess for its other clauses.

        The sentence's claims are self.claims[first:], the last ones made.
        """
        mine = self.claims[first:]
        named = {(c.coach, c.kind): c.club for c in mine if c.source != "topic"}
        if not named:
            return

        def contradicted(claim: Claim) -> bool:
            for kind in (claim.kind, "denial") if claim.kind == "rumour" else (claim.kind,):
                club = named.get((claim.coach, kind))
                if club is not None and club != claim.club:
                    return True
            return False

        self.claims[first:] = [c for c in mine if c.source != "topic" or not contradicted(c)]

    def _bound_elsewhere(self, coach: Mention, sentence: _Sentence) -> bool:
        """A coach named as someone's predecessor, mentor or opponent is not the subject.

        'succede a Ranieri', 'after David Moyes' departure', 'l'ex vice di
        Sarri', 'Mauricio Pochettino's successor', 'contro il Bologna di Italiano'.
        """
        folded = self.document.folded
        for hit in sentence.cues:
            category = hit.cue.category
            if category in ("exit", "confirmed") and hit.start >= coach.end:
                if folded[coach.end : hit.start].strip() in ("'s", "'"):
                    return True  # "Ancelotti's departure": his, not the sentence's subject.
            if category != "predecessor":
                continue
            if hit.end <= coach.start and self._words_between(hit.end, coach.start) <= 2:
                return True
            if (
                hit.start >= coach.end
                and hit.cue.phrase.startswith("'s")
                and hit.start - coach.end <= 1
            ):
                return True
        for club in sentence.mentions:
            if club.entity == "club" and club.start in self.opponents and club.end <= coach.start:
                if folded[club.end : coach.start].strip() in ("di", "de", "'s", "del"):
                    return True
        return False

    def _carried_coach(self, sentence, previous, free_coaches) -> int | None:
        """The coach of the previous sentence, for one that names none ("Ha firmato...")."""
        if free_coaches or previous is None or previous.paragraph != sentence.paragraph:
            return None
        if any(m.entity == "coach" for m in sentence.mentions):
            return None
        earlier = [
            m
            for m in previous.mentions
            if m.entity == "coach" and m.id is not None and not self._bound_elsewhere(m, previous)
        ]
        if not earlier or self._names_someone_else(sentence):
            return None
        return earlier[-1].id

    def _in_other_role(self, coach: Mention) -> bool:
        """'Claudio Ranieri, ora senior advisor': named here in another job."""
        if not self.document.folded[coach.end : coach.end + 2].startswith(","):
            return False
        following = self.document.next_words(coach.end, 4)
        text = " ".join(following)
        return any(
            text.startswith(role) or f" {role}" in text
            for role in self.lexicon.other_roles
            if len(role) > 3
        )

    def _names_someone_else(self, sentence: _Sentence) -> bool:
        """Whether the sentence names a person we do not know ("Romelu Lukaku")."""
        document = self.document
        original_start = document.sentences[sentence.index].start
        original_end = document.sentences[sentence.index].end
        covered = [document.original_span(m.start, m.end) for m in sentence.mentions]
        for match in _PERSON.finditer(document.text, original_start, original_end):
            if match.start() == original_start:
                continue
            if any(start <= match.start() < end for start, end in covered):
                continue
            first = match.group(1).lower()
            if first in self.lexicon.stopwords or first in _NOT_PEOPLE:
                continue
            return True
        return False

    def _note_search(self, sentence, hit, clubs, clause_categories, topic_candidates) -> None:
        clause = hit.clause
        if "past" in clause_categories[clause]:
            return  # "reduce da un'esperienza sulla panchina del Verona"
        in_clause = [club for club in clubs if sentence.clause(club.start) == clause]
        for club in sorted(in_clause or clubs, key=lambda m: abs(m.start - hit.end)):
            if club.start in self.opponents or club.start in self.relations.attached:
                continue
            if club.national and club.id not in self.national_ok:
                continue
            if self._preceded_by(club.start, sentence.cues, ("former", "past")):
                continue
            topic_candidates.append((club.id, "search"))
            return

    def _note_cancel(self, sentence, hit, coaches, clubs, carried) -> None:
        clause = hit.clause
        in_clause = [m for m in coaches if sentence.clause(m.start) == clause] or coaches
        targets = [m.id for m in in_clause] or ([carried] if carried else [])
        club_ids = [m.id for m in clubs if sentence.clause(m.start) == clause]
        if self.topic_club:
            club_ids.append(self.topic_club)
        for coach in targets:
            for club in club_ids:
                self.cancels.add((coach, club))

    def _claim(
        self,
        sentence,
        hit,
        kind,
        coaches,
        all_coaches,
        clubs,
        carried,
        clause_categories,
        topic_candidates,
        has_confirmed,
    ) -> None:
        cue = hit.cue
        clause = hit.clause
        categories = clause_categories[clause]
        weight = cue.weight
        if kind != "denial" and self._negated(sentence, hit):
            return
        if kind == "confirmed" and self._preceded_by(
            hit.start, sentence.of("search"), ("search",), 2
        ):
            return  # "caccia al nuovo tecnico": a search, not a signing.
        hedged = self._hedged(sentence, hit)
        if hedged or (kind == "confirmed" and "rumour" in categories and weight < 0.8):
            if kind == "confirmed":
                # "l'intesa sarebbe già stata raggiunta": a deal said to be near.
                kind, weight = "rumour", max(min(weight, 0.7), 0.55 if hedged else 0.0)
            elif kind == "exit":
                weight *= 0.6 if self._conditional(sentence, hit) else 0.9
        chosen, carried_over, other_clause = self._coaches_for(
            sentence, hit, kind, coaches, all_coaches, carried
        )
        if not chosen:
            return  # No coach to link: the rest of the weighing would be wasted.
        if kind in ("confirmed", "exit") and categories & {"official", "announce"}:
            weight = min(0.97, weight + 0.1)
        after = self._after_something(sentence, hit, has_confirmed)
        if kind in ("exit", "confirmed") and after == "background":
            weight *= 0.5  # "dopo l'esonero", "after his dismissal": background.
        elif kind == "exit" and after == "news":
            weight = max(weight, 0.7)  # "has signed for Brighton after leaving St. Pauli".
        if kind == "exit" and has_confirmed and self._in_relative_clause(sentence, hit):
            weight *= 0.6  # "Postecoglou, who was dismissed by Tottenham in June, has signed...".
        if kind in ("exit", "confirmed") and self._past_in_clause(sentence, hit):
            weight *= 0.55
        if self._past_year_near(sentence, hit):
            weight *= 0.5
        title = self.document.is_title(sentence.index)
        if title:
            weight *= 0.9
        relative = self._in_relative_clause(sentence, hit)
        if (
            kind == "rumour"
            and other_clause
            and any(isinstance(c, Mention) and self._in_other_role(c) for c in chosen)
        ):
            return  # "Ranieri, ora senior advisor della proprietà, che ha seguito la trattativa".
        if kind == "rumour" and any(isinstance(c, Mention) and c.is_reference for c in chosen):
            if self._names_someone_else(sentence):
                return  # "Il primo nome chiesto dall'allenatore è quello di Romelu Lukaku".
        if carried_over:
            if kind == "rumour" or cue.weight < 0.6:
                return
            weight *= 0.85
        elif other_clause:
            weight *= 0.85
        for coach in chosen:
            coach_id = coach.id if isinstance(coach, Mention) else coach
            for club, factor, source in self._clubs_for(
                sentence, hit, kind, coach, coach_id, clubs, title
            ):
                if cue.category == "official" and (
                    carried_over or other_clause or source != "clause"
                ):
                    continue  # "ufficiale" alone needs its coach and club beside it.
                final = weight * factor
                if (
                    isinstance(coach, Mention)
                    and coach.is_reference
                    and not any(m.id == coach.id and not m.is_reference for m in sentence.mentions)
                ):
                    final *= 0.95
                self.claims.append(
                    Claim(
                        coach_id,
                        club,
                        kind,
                        final,
                        sentence.index,
                        carried_over,
                        source,
                        cue.phrase,
                    )
                )
                if kind in ("confirmed", "rumour") and final >= THRESHOLD * 0.8:
                    self.linked_elsewhere[coach_id].add(club)
                if kind == "exit" and self.linked_elsewhere[coach_id] - {club}:
                    continue  # He is moving on: his old bench is not the story.
                if relative:
                    continue  # "Tuchel, who will leave Bayern, is the favourite": an aside.
                if kind == "confirmed":
                    if source != "topic":
                        self.filled.append((club, kind))  # the followed bench only if none yet
                    continue
                if source != "topic" and final >= THRESHOLD * 0.8:
                    topic_candidates.append((club, kind))

    def _hedged(self, sentence: _Sentence, hit: CueHit) -> bool:
        """A conditional before the phrase, or right after it ("l'intesa sarebbe già
        stata raggiunta"); not one that qualifies something later in the clause."""
        clause = hit.clause
        for other in sentence.of("hedge"):
            if other.clause != clause:
                continue
            if other.end <= hit.start or self._words_between(hit.end, other.start) <= 4:
                return True
        return False

    def _conditional(self, sentence: _Sentence, hit: CueHit) -> bool:
        """'si Pellegrini se marcha', 'if he leaves': a departure that is only a case."""
        clause = hit.clause
        return any(
            other.cue.category == "hedge"
            and other.cue.phrase in _CONDITIONALS
            and other.end <= hit.start
            and other.clause == clause
            for other in sentence.of("hedge")
        )

    def _negated(self, sentence: _Sentence, hit: CueHit) -> bool:
        clause = hit.clause
        for other in sentence.of("negation"):
            if other.end > hit.start:
                continue
            if other.clause != clause:
                continue
            if self._words_between(other.end, hit.start) <= NEGATION_REACH:
                return True
        return False

    def _after_something(self, sentence: _Sentence, hit: CueHit, has_confirmed: bool) -> str:
        """'dopo l'esonero di marzo', 'after David Moyes' departure', 'tras la salida'.

        Said of a signing reported in the same sentence ("El relevo llega tras
        la salida de Ancelotti", "after leaving St. Pauli"), the departure is
        part of today's news, unless the sentence dates it ("last summer").
        """
        for other in sentence.of("since"):
            if other.end > hit.start:
                continue
            if len(self.document.words_between(other.end, hit.start)) > 4:
                continue
            dated = any(c.cue.category == "past" for c in sentence.cues) or self._has_year(sentence)
            return "news" if has_confirmed and not dated else "background"
        return ""

    def _has_year(self, sentence: _Sentence) -> bool:
        """Whether the sentence dates something in the past ("in 2021"), not a deadline."""
        return any(not self._deadline(position) for position in self._years(sentence))

    def _years(self, sentence: _Sentence) -> list[int]:
        """Folded positions of the years a sentence names (the article is read once)."""
        if sentence.years is None:
            if self._year_starts is None:
                folded = self.document.folded
                self._year_starts = [
                    match.start()
                    for match in _YEAR.finditer(folded)
                    if not (match.start() and _DIGIT_OR_DASH.match(folded, match.start() - 1))
                ]
            low = bisect.bisect_left(self._year_starts, sentence.start)
            high = bisect.bisect_left(self._year_starts, sentence.end)
            sentence.years = self._year_starts[low:high]
        return sentence.years

    def _deadline(self, position: int) -> bool:
        """'fino al 2027', 'until 2026': a year that ends a contract (cached per year)."""
        known = self._deadlines.get(position)
        if known is None:
            before = self.document.previous_words(position, 3)
            contract = self.lexicon.contract_until
            known = any(word in contract for word in before) or any(
                " ".join(before[i:]) in contract for i in range(len(before))
            )
            self._deadlines[position] = known
        return known

    def _in_relative_clause(self, sentence: _Sentence, hit: CueHit) -> bool:
        """Whether a phrase stands in a comma-led relative clause ("X, who was sacked")
        rather than in what is said ("anunciou que", "said that")."""
        return hit.clause in sentence.relative

    def _past_in_clause(self, sentence: _Sentence, hit: CueHit) -> bool:
        clause = hit.clause
        return any(other.clause == clause for other in sentence.of("past"))

    def _past_year_near(self, sentence: _Sentence, hit: CueHit) -> bool:
        clause = hit.clause
        for position in self._years(sentence):
            if sentence.clause(position) != clause:
                continue
            distance = self._words_between(min(position, hit.end), max(position, hit.start))
            if distance > 6 or self._deadline(position):
                continue
            return True
        return False

    def _coaches_for(self, sentence, hit, kind, coaches, all_coaches, carried):
        """Return (coach mentions or ids, carried over?, from another clause?) for a phrase."""
        clause = hit.clause
        attached = self._attached_coach(sentence, hit, all_coaches, coaches)
        if attached is not None:
            return [attached], False, False
        pool = coaches
        if hit.cue.subject_before:
            pool = [m for m in coaches if m.end <= hit.start]
        in_clause = [m for m in pool if sentence.clause(m.start) == clause]
        candidates = in_clause or pool
        if not candidates:
            if carried is not None and not all_coaches:
                return [carried], True, False
            return [], False, False
        nearest = min(candidates, key=lambda m: (self._distance(m, hit), m.start > hit.start))
        if kind in ("exit", "confirmed"):
            return [nearest], False, not in_clause
        return self._coordinated(nearest, pool, sentence), False, not in_clause

    def _attached_coach(self, sentence: _Sentence, hit: CueHit, coaches: list[Mention], free):
        """The coach a phrase is written onto: "Steijn's dismissal", "l'addio di Pioli",
        "Gasperini, passato alla Roma", "Tuchel, who is departing"."""
        folded = self.document.folded
        for coach in coaches:
            gap = folded[coach.end : hit.start].strip() if coach.end <= hit.start else None
            if gap in ("", "'s", "'"):
                return coach
            if gap is not None and gap.startswith(","):
                words = [word for word in _GAP_SEPARATORS.split(gap) if word]
                finite = hit.cue.phrase.split(" ", 1)[0] in _AUXILIARY_VERBS
                if len(words) <= 3 and (not words or words[0] in _RELATIVE_PRONOUNS):
                    if coach in free or (words and words[0] in _RELATIVE_PRONOUNS) or not finite:
                        # "Gasperini, passato alla Roma"; "Tuchel, who is departing";
                        # not "già vice di Pirlo, ha firmato" (that verb has a subject).
                        return coach
            if coach.start >= hit.end and hit.cue.category == "exit":
                between = folded[hit.end : coach.start].strip()
                if between in ("di", "de", "of", "del", "da"):
                    return coach
        return None

    def _coordinated(
        self, nearest: Mention, pool: list[Mention], sentence: _Sentence
    ) -> list[Mention]:
        """'Leicester City's Enzo Maresca, Ipswich Town's Kieran McKenna and Brentford's
        Thomas Frank': a rumour about one of a list is about all of it."""
        ordered = sorted(
            (m for m in pool if not m.is_reference or m is nearest), key=lambda m: m.start
        )
        position = ordered.index(nearest)
        group = {nearest.id: nearest}
        for step in (-1, 1):
            current = position
            while 0 <= current + step < len(ordered):
                left, right = sorted(
                    (ordered[current], ordered[current + step]), key=lambda m: m.start
                )
                if not self._list_gap(left.end, right.start, sentence):
                    break
                group.setdefault(ordered[current + step].id, ordered[current + step])
                current += step
        return list(group.values())

    def _list_gap(self, start: int, end: int, sentence: _Sentence) -> bool:
        gap = self.document.folded[start:end]
        for mention in sentence.mentions:
            if start <= mention.start and mention.end <= end:
                relative = mention.start - start
                gap = (
                    gap[:relative]
                    + " " * (mention.end - mention.start)
                    + gap[mention.end - start :]
                )
        gap = _PARENTHETICAL.sub(" ", gap)
        words = [word for word in _GAP_SEPARATORS.split(gap) if word]
        if len(words) > 6:
            return False
        return all(word in self.list_words or word in self.index.demonyms for word in words)

    def _distance(self, mention: Mention, hit: CueHit) -> int:
        if mention.end <= hit.start:
            return self._words_between(mention.end, hit.start)
        if mention.start >= hit.end:
            return self._words_between(hit.end, mention.start)
        return 0

    # ------------------------------------------------------------ which club

    def _clubs_for(self, sentence, hit, kind, coach, coach_id, clubs, title):
        """Return [(club id, weight factor, where from)] for a claim (usually one)."""
        holds = self._held_clubs(sentence, hit, clubs)

        def eligible(candidates: list[Mention]) -> list[Mention]:
            return [
                c for c in candidates if self._eligible(c, coach_id, kind, sentence, hit, holds)
            ]

        # The clubs of the phrase's own clause come first: the rest of the
        # sentence is weighed only when they offer none.
        in_clause = eligible([c for c in clubs if sentence.clause(c.start) == hit.clause])
        if kind in ("rumour", "denial"):
            in_clause = self._without_soft_current(in_clause, coach_id)
        if in_clause:
            best = self._pick_club(in_clause, hit, coach, coach_id, kind)
            chosen = [(best.id, 1.0, "clause")]
            if kind in ("rumour", "denial"):
                for other in self._coordinated_clubs(best, in_clause, sentence):
                    chosen.append((other.id, 1.0, "clause"))
            return self._checked_history(chosen, coach_id, kind)
        topic = self.title_topics.get(sentence.index) if title else self.topic_club
        if title and topic is None:
            topic = self._title_searcher(sentence)
        use_topic = (
            topic is not None
            and not hit.cue.needs_club
            and self._topic_eligible(topic, coach_id, kind, clubs, holds)
        )
        # A signing or a departure is about the club its sentence names; a
        # rumour or a refusal without a club of its own, about the bench followed.
        if use_topic and kind in ("rumour", "denial"):
            return self._topic_claim(sentence, topic, title, coach_id, kind)
        if not title:
            others = [
                c
                for c in eligible(clubs)
                if not (kind in ("rumour", "denial") and self._soft_current(c.id, coach_id))
            ]
            if others:
                nearest = min(others, key=lambda c: self._distance(c, hit))
                return self._checked_history([(nearest.id, 0.8, "sentence")], coach_id, kind)
        if use_topic:
            return self._topic_claim(sentence, topic, title, coach_id, kind)
        return []

    def _topic_claim(self, sentence, topic: int, title: bool, coach_id: int, kind: str):
        """The claim that falls to the bench the article follows."""
        # A headline's lead club ("Fiorentina, Pioli in bilico") is named, not guessed.
        factor = 0.95 if title and topic == self.title_topics.get(sentence.index) else 0.85
        return self._checked_history([(topic, factor, "topic")], coach_id, kind)

    def _title_searcher(self, sentence: _Sentence) -> int | None:
        """'Spurs draw up shortlist: Frank, Iraola and Glasner in the frame': in a
        headline, the club of a clause that names a search and no coach."""
        for club in sentence.mentions:
            if club.entity != "club" or club.id is None or club.start in self.opponents:
                continue
            clause = sentence.clause(club.start)
            if any(
                m.entity == "coach" and sentence.clause(m.start) == clause
                for m in sentence.mentions
            ):
                continue
            if any(
                hit.cue.category in ("rumour", "search") and hit.clause == clause
                for hit in sentence.cues
            ):
                return club.id
        return None

    def _held_clubs(self, sentence, hit, clubs) -> set[int]:
        """Clubs a 'stays'/'holds' phrase says keep their coach.

        'resta a Napoli', 'ha preferito rinnovare con l'Ipswich' (the club
        after it), 'Middlesbrough have no intention of releasing their
        manager' (the club acting, before it).
        """
        if sentence.index in self._held_cache:
            return self._held_cache[sentence.index]
        held = set()
        self._held_cache[sentence.index] = held
        for other in sentence.cues:
            if other.cue.category != "stay" and not other.cue.holds:
                continue
            clause = other.clause
            for club in clubs:
                if sentence.clause(club.start) != clause:
                    continue
                if other.end <= club.start:
                    if other.cue.holds or self._words_between(other.end, club.start) <= 4:
                        held.add(club.start)
                elif other.cue.holds and self._opens_clause(club, sentence):
                    held.add(club.start)
        return held

    def _opens_clause(self, club: Mention, sentence: _Sentence) -> bool:
        """Whether no claim comes before the club in its clause: it is the subject."""
        clause = sentence.clause(club.start)
        return not any(
            other.cue.category in LINK_KINDS + ("stay",)
            and other.end <= club.start
            and other.clause == clause
            for other in sentence.cues
        )

    def _is_background(self, club: Mention, sentence: _Sentence) -> bool:
        """'l'ex tecnico di Udinese e Spezia', 'reduce da un anno alla Reggiana'."""
        return (
            self._preceded_by(club.start, sentence.of("former"), ("former",))
            or self._after_past_cue(club, sentence)
            or self._former_by_list(club, sentence)
        )

    def _can_be_bench(self, club: Mention, sentence: _Sentence) -> bool:
        """What rules a club out whatever the claim (cached per mention)."""
        known = self._bench_cache.get(club.start)
        if known is None:
            known = not (
                club.start in self.opponents
                or club.start in self.places
                or (club.national and club.id not in self.national_ok)
                or self._is_background(club, sentence)
                or self._belongs_to_someone(club)
            )
            self._bench_cache[club.start] = known
        return known

    def _eligible(self, club: Mention, coach_id: int, kind: str, sentence, hit, holds) -> bool:
        if not self._can_be_bench(club, sentence):
            return False
        if self._blocked(coach_id, club.id, kind):
            return False
        attached = self.relations.attached.get(club.start)
        if attached is not None and (attached != coach_id or kind != "exit"):
            return False
        if kind in ("rumour", "denial", "confirmed") and club.start in holds:
            return False
        if kind in ("rumour", "denial") and self._preceded_by(
            club.start, sentence.of("current"), ("current",), 1
        ):
            return False
        return self._free_for(club, hit, sentence)

    def _belongs_to_someone(self, club: Mention) -> bool:
        """'Pinamonti del Sassuolo', 'Brentford forward Yoane Wissa': a player's club."""
        document = self.document
        original_start, original_end = document.original_span(club.start, club.end)
        before = document.text[max(0, original_start - 40) : original_start]
        if (
            before.rstrip().endswith(_PLAYER_OF_ENDINGS)
            and _PLAYER_OF.search(before)
            and not self._covered_before(club)
        ):
            return True
        after = document.text[original_end : original_end + 60]
        match = _CLUB_PLAYER.match(after)
        return bool(match and match.group(1).lower() in self.lexicon.other_roles)

    def _covered_before(self, club: Mention) -> bool:
        """Whether the word before 'del X' is a name we know (a coach, a club)."""
        previous_end = self.document.words[max(0, self.document.word_index_at(club.start) - 2)]
        return any(m.start <= previous_end[0] < m.end for m in self.mentions)

    def _after_past_cue(self, club: Mention, sentence: _Sentence) -> bool:
        """'reduce da una stagione difficile alla Reggiana': the rest of the clause is the past."""
        clause = sentence.clause(club.start)
        return any(
            other.end <= club.start and other.clause == clause for other in sentence.of("past")
        )

    def _free_for(self, club: Mention, hit: CueHit, sentence: _Sentence) -> bool:
        """A club right after another phrase belongs to it: in 'ha detto no, scegliendo
        la Roma', Roma is what he chose, not what he refused."""
        low, high = (hit.end, club.start) if club.start >= hit.end else (club.end, hit.start)
        kind = hit.cue.category
        hit_clause = hit.clause
        for other in sentence.cues:
            category = other.cue.category
            if other is hit or category not in _OWNING or other.cue.weight < 0.5:
                continue
            if other.cue.subject_before and not any(
                m.entity == "coach" and m.end <= other.start for m in sentence.mentions
            ):
                continue  # "His decision leaves the Blues free": no one leaves.
            if other.end <= club.start and self._words_between(other.end, club.start) <= 2:
                # "who only recently took over at Crystal Palace": the club is
                # the object of that phrase, whatever comes later.
                if category != kind or other.clause != hit_clause:
                    if other.start != hit.start:
                        return False
            if not low <= other.start <= other.end <= high:
                continue
            if category == kind and other.clause == hit_clause:
                continue
            if club.end <= hit.start and self._opens_clause(club, sentence):
                continue  # The subject does both: "Forest have appointed X, after parting with Y".
            # A move (signing, leaving) or a stay owns the club after it; a
            # refusal owns it against a rumour ("turned down talks with Spurs"
            # keeps Spurs for the refusal).
            if category in ("exit", "confirmed", "stay") or (
                category == "denial" and kind == "rumour"
            ):
                return False
        return True

    def _blocked(self, coach_id: int, club_id: int, kind: str) -> bool:
        """A club the article calls the coach's own is not a bench he is linked to.

        (A past club is background only where it is called past: "l'ex tecnico
        della Juve" does not stop an article about his return to Juventus.)
        """
        return kind in ("rumour", "denial") and self.relations.is_current(coach_id, club_id)

    def _soft_current(self, club_id: int, coach_id: int) -> bool:
        """Whether the gazetteer has the coach settled at this club (in post since
        before SETTLED_BEFORE). A recent job may be the very move an older
        article reports as a rumour, so it proves nothing."""
        info = self.index.coaches.get(coach_id)
        if info is None or info.coach.current_club_id != club_id:
            return False
        starts = [s.started for s in info.spells if s.club_id == club_id and s.ended is None]
        return bool(starts) and all(
            start is not None and start < SETTLED_BEFORE for start in starts
        )

    def _without_soft_current(self, clubs: list[Mention], coach_id: int) -> list[Mention]:
        """For a rumour, a coach's present club (per the gazetteer) is the last choice."""
        others = [club for club in clubs if not self._soft_current(club.id, coach_id)]
        if others or not clubs:
            return others
        return [] if self.topic_club is not None else clubs

    def _topic_eligible(self, topic, coach_id, kind, clubs, holds) -> bool:
        if self._blocked(coach_id, topic, kind):
            return False
        for club in clubs:
            if club.id != topic:
                continue
            if club.start in self.opponents:
                return False
            if kind in ("rumour", "denial", "confirmed") and club.start in holds:
                return False
        if kind in ("rumour", "denial") and self._soft_current(topic, coach_id):
            return False
        return True

    def _checked_history(self, chosen, coach_id: int, kind: str):
        """A coach leaves a club he coaches: check exits against his known spells."""
        if kind != "exit":
            return chosen
        history = {*self.index.spell_clubs(coach_id), *self.relations.current.get(coach_id, ())}
        info = self.index.coaches.get(coach_id)
        if info is not None and info.coach.current_club_id:
            history.add(info.coach.current_club_id)
        if not history:
            return chosen
        # Clubs he never coached cannot be the one he leaves (the gazetteer
        # records past spells as well as the current job).
        return [(club, factor, source) for club, factor, source in chosen if club in history]

    def _former_by_list(self, club: Mention, sentence: _Sentence) -> bool:
        """'l'ex tecnico di Lazio e Marsiglia': a club listed after a past one is past too."""
        formers = sentence.of("former")
        if not formers:
            return False
        clubs = [m for m in sentence.mentions if m.entity == "club" and m.end <= club.start]
        current = club
        for earlier in reversed(clubs):
            if not _LIST_GAP.match(self.document.folded[earlier.end : current.start]):
                return False
            if self._preceded_by(earlier.start, formers, ("former",)):
                return True
            current = earlier
        return False

    def _coordinated_clubs(self, best: Mention, clubs: list[Mention], sentence) -> list[Mention]:
        """'the Liverpool and Bayern Munich jobs': a refusal of both."""
        ordered = sorted(clubs, key=lambda m: m.start)
        position = ordered.index(best)
        found = []
        for step in (-1, 1):
            current = position
            while 0 <= current + step < len(ordered):
                left, right = sorted(
                    (ordered[current], ordered[current + step]), key=lambda m: m.start
                )
                if not _LIST_GAP.match(self.document.folded[left.end : right.start]):
                    break
                found.append(ordered[current + step])
                current += step
        return [club for club in found if club.id != best.id]

    def _pick_club(
        self, candidates: list[Mention], hit: CueHit, coach, coach_id: int, kind: str
    ) -> Mention:
        """The subject acts on the object: 'Conte vicino al Napoli' (the club after),
        'United have opened talks with Sporting over Amorim' (the club before)."""
        coach_position = coach.start if isinstance(coach, Mention) else None
        after = [club for club in candidates if club.start >= hit.end]
        before = [club for club in candidates if club.end <= hit.start]
        history = self.index.spell_clubs(coach_id)

        def rank(club: Mention) -> tuple:
            penalty = 0
            if kind == "confirmed" and self.relations.is_current(coach_id, club.id):
                penalty = 1
            if kind == "exit" and history and club.id not in history:
                penalty = 1
            return (penalty, self._distance(club, hit))

        adjacent = [
            club
            for club in before
            if self.document.folded[club.end : hit.start].strip() in ("", "'s")
        ]
        if adjacent and kind in ("exit", "rumour", "denial"):
            return adjacent[-1]  # "Leverkusen exit", "the Liverpool job".
        if coach_position is not None and coach_position < hit.start and after:
            return min(after, key=rank)
        if coach_position is not None and coach_position >= hit.end and before:
            return min(before, key=rank)
        return min(candidates, key=rank)

    # ------------------------------------------------------------ links

    def _links(self, credits: list[Credit]) -> list[Link]:
        by_pair: dict[tuple[int, int], list[Claim]] = defaultdict(list)
        for claim in self.claims:
            by_pair[(claim.coach, claim.club)].append(claim)
        if by_pair and self.index.provisional:
            by_pair = self._still_in_database(by_pair)
        links = []
        for (coach_id, club_id), claims in by_pair.items():
            if (coach_id, club_id) in self.cancels:
                claims = [claim for claim in claims if claim.kind != "rumour"]
            best_by_kind: dict[str, list[Claim]] = defaultdict(list)
            for claim in claims:
                best_by_kind[claim.kind].append(claim)
            if not best_by_kind:
                continue
            kind = max(
                best_by_kind,
                key=lambda k: max(c.weight for c in best_by_kind[k]) + KIND_BONUS[k],
            )
            supporting = sorted(best_by_kind[kind], key=lambda c: -c.weight)
            top = supporting[0].weight
            if top < THRESHOLD:
                continue
            confidence = 1.0
            for claim in supporting[:3]:
                confidence *= 1 - claim.weight
            confidence = round(min(0.99, 1 - confidence), 3)
            evidence_claim = self._evidence_claim(supporting)
            evidence = self._evidence(evidence_claim)
            credit = self._credit_for(evidence_claim.sentence, credits)
            links.append(
                Link(
                    coach=self.index.coaches[coach_id].coach,
                    club=self.index.clubs[club_id].club,
                    kind=kind,
                    confidence=confidence,
                    evidence=evidence,
                    credited_to=credit,
                    credited_source=match_credited_source(credit) if credit else None,
                )
            )
        links.sort(key=lambda link: (-link.confidence, link.coach.full_name, link.club.short_name))
        return links

    def _still_in_database(self, by_pair: dict) -> dict:
        """Drop pairs whose coach or club a rolled-back transaction took away."""
        coaches = set(
            Coach.objects.filter(pk__in={c for c, _ in by_pair}).values_list("pk", flat=True)
        )
        clubs = set(
            Club.objects.filter(pk__in={c for _, c in by_pair}).values_list("pk", flat=True)
        )
        kept = {
            pair: claims
            for pair, claims in by_pair.items()
            if pair[0] in coaches and pair[1] in clubs
        }
        if len(kept) != len(by_pair):
            clear_index()
        return kept

    def _evidence_claim(self, supporting: list[Claim]) -> Claim:
        body = [claim for claim in supporting if not self.document.is_title(claim.sentence)]
        if body and body[0].weight >= supporting[0].weight - 0.15:
            return body[0]
        return supporting[0]

    def _evidence(self, claim: Claim) -> str:
        document = self.document
        text = document.sentence_text(claim.sentence)
        if claim.carried and claim.sentence > 0:
            previous = document.sentences[claim.sentence - 1]
            current = document.sentences[claim.sentence]
            if previous.paragraph == current.paragraph:
                # The sentence naming the coach, then the one reporting: verbatim.
                text = document.text[previous.start : current.end]
        return text

    def _credit_for(self, sentence: int, credits: list[Credit]) -> str:
        if not credits:
            return ""
        document = self.document
        paragraph = document.sentences[sentence].paragraph
        for credit in credits:
            if credit.sentence == sentence:
                return credit.name
        earlier = [
            credit
            for credit in credits
            if credit.sentence < sentence
            and document.sentences[credit.sentence].paragraph == paragraph
        ]
        if earlier:
            return earlier[-1].name
        if len({credit.name for credit in credits}) == 1:
            return credits[0].name
        return ""

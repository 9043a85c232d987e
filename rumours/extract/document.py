"""An article prepared for extraction: its text, a folded copy, its sentences.

The headline and the body are read as one document (headline first, as its
own paragraph), so a name in the headline helps resolve the body and the
other way round; evidence quoted from the body is still verbatim.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .automaton import Hit, PhraseSets
from .lexicon import Lexicon, detect_language, get_lexicon
from .normalize import fold_with_offsets
from .sentences import Sentence, split_sentences

# Hard limit on what one article may cost: longer bodies are read up to it.
MAX_CHARS = 200_000
# Lines that point to other articles: "LEGGI ANCHE:", "Read more:", "Lee también:".
_ASIDE = re.compile(
    r"\s*(?:leggi anche|leggi pure|potrebbe interessarti|read more|read also|also read|"
    r"related|more:|see also|watch:|lee tambien|te puede interesar|leia tambem|"
    r"a lire aussi|lire aussi|mehr zum thema|llegeix tambe)\b"
)
_WORD = re.compile(r"[^\W_]+(?:'(?=[^\W_]))?|'", re.UNICODE)


@dataclass
class Document:
    """The article as the extraction steps see it."""

    text: str  # headline + blank line + body, as given
    body_start: int  # where the body starts in text
    folded: str  # text folded, one character per character of text where possible
    offsets: list[int] | None  # folded index → text index, None when identical
    sentences: list[Sentence]
    language: str
    lexicon: Lexicon
    title_sentences: int  # how many sentences come from the headline
    sentence_starts: list[int] = field(default_factory=list)
    words: list[tuple[int, int]] = field(default_factory=list)  # folded spans of words
    word_starts: list[int] = field(default_factory=list)
    title_case: dict[int, bool] = field(default_factory=dict)  # per sentence, filled lazily
    # Paragraphs that link to other stories ("LEGGI ANCHE: ...", "Read more: ..."):
    # their headlines are not this article's news.
    aside_paragraphs: frozenset[int] = frozenset()
    _hits: dict[PhraseSets, dict[str, list[Hit]]] = field(default_factory=dict, repr=False)

    def hits(self, phrases: PhraseSets, kind: str) -> list[Hit]:
        """(start, end, payloads) of one kind of phrase in the text, in order of their ends.

        phrases is the lexicon's (cues, role words, credits, clause breaks)
        or the gazetteer's (names, demonyms). Each scans the text once, on
        first use, for all its kinds.
        """
        found = self._hits.get(phrases)
        if found is None:
            found = self._hits[phrases] = phrases.find_all(self.folded)
        return found[kind]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the folded copy back to the text."""
        if self.offsets is None:
            return start, end
        if start >= len(self.offsets):
            return len(self.text), len(self.text)
        last = self.offsets[end - 1] + 1 if end > start else self.offsets[start]
        return self.offsets[start], last

    def folded_position(self, position: int) -> int:
        """Map a position in the text to the folded copy."""
        if self.offsets is None:
            return position
        return bisect.bisect_left(self.offsets, position)

    def sentence_at(self, folded_position: int) -> int:
        """Index of the sentence holding a folded position (the nearest one before it)."""
        position = self.original_span(folded_position, folded_position + 1)[0]
        return max(0, bisect.bisect_right(self.sentence_starts, position) - 1)

    def sentence_text(self, index: int) -> str:
        sentence = self.sentences[index]
        return self.text[sentence.start : sentence.end]

    def folded_sentence_span(self, index: int) -> tuple[int, int]:
        sentence = self.sentences[index]
        return self.folded_position(sentence.start), self.folded_position(sentence.end)

    def is_title(self, sentence_index: int) -> bool:
        return sentence_index < self.title_sentences

    def word_index_at(self, folded_position: int) -> int:
        """Index of the first word starting at or after a folded position."""
        return bisect.bisect_left(self.word_starts, folded_position)

    def count_words_between(self, start: int, end: int) -> int:
        """How many words start at or after start and end by end (folded positions)."""
        if end <= start:
            return 0
        first = bisect.bisect_left(self.word_starts, start)
        last = bisect.bisect_left(self.word_starts, end)
        count = last - first
        if count and self.words[last - 1][1] > end:
            count -= 1  # The last word runs past end.
        return count

    def words_between(self, start: int, end: int) -> list[str]:
        """The folded words lying wholly between two folded positions."""
        first = self.word_index_at(start)
        found = []
        for word_start, word_end in self.words[first:]:
            if word_end > end:
                break
            found.append(self.folded[word_start:word_end])
        return found

    def previous_words(self, position: int, count: int = 3) -> list[str]:
        """Up to count folded words ending before a folded position, nearest last."""
        index = self.word_index_at(position)
        return [self.folded[s:e] for s, e in self.words[max(0, index - count) : index]]

    def next_words(self, position: int, count: int = 3) -> list[str]:
        index = self.word_index_at(position)
        return [self.folded[s:e] for s, e in self.words[index : index + count]]


def document_fold_start(offsets: list[int] | None, position: int) -> int:
    """The folded position of a text position (identity unless folding grew the text)."""
    if offsets is None:
        return position
    return bisect.bisect_left(offsets, position)


def prepare(text: str, title: str = "", language: str = "") -> Document:
    """Fold, split and index an article for the extraction steps."""
    text = (text or "")[:MAX_CHARS]
    title = (title or "")[:2000].replace("\n", " ").strip()
    combined = f"{title}\n\n{text}" if title else text
    body_start = len(title) + 2 if title else 0
    folded, offsets = fold_with_offsets(combined)
    sentences = split_sentences(combined)
    title_sentences = (
        sum(1 for sentence in sentences if sentence.start < body_start) if title else 0
    )
    code = detect_language(f"{title} {text[:3000]}", language)
    words = [match.span() for match in _WORD.finditer(folded)]
    asides = frozenset(
        sentence.paragraph
        for sentence in sentences
        if _ASIDE.match(folded, document_fold_start(offsets, sentence.start))
    )
    return Document(
        text=combined,
        body_start=body_start,
        folded=folded,
        offsets=offsets,
        sentences=sentences,
        language=code,
        lexicon=get_lexicon(code),
        title_sentences=title_sentences,
        sentence_starts=[sentence.start for sentence in sentences],
        words=words,
        word_starts=[start for start, _ in words],
        aside_paragraphs=asides,
    )

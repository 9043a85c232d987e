"""Split article text into sentences, keeping each sentence's place in the text.

Evidence is quoted verbatim, so sentences are spans of the original text,
not cleaned copies. The rules are the usual ones for news prose in the
languages Benchwatch reads: a stop followed by a capital starts a sentence,
unless the stop ends an abbreviation ("St. Pauli", "Mr.", "Sr.") or an
initial ("J. Smith"); a paragraph break always ends one.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Words that end with a full stop without ending the sentence, folded.
ABBREVIATIONS = frozenset(
    """
    st mr mrs ms dr prof sr sra sres srta jr sig sigg dott avv ing ecc etc vs
    no nr n ca approx inc ltd co corp dept est fig gen gov lt col capt sgt rev
    hon pres vol art cap pag pp av sta sto dña dn mons ph
    u.s u.k e.g i.e p.es a.c s.s s.s.c f.c a.s c.f
    """.split()
)

_PARAGRAPH = re.compile(r"\n\s*\n|\r\n\s*\r\n|\n")
# A candidate boundary: terminal punctuation, optional closing quotes or
# brackets, then whitespace, then something that can open a sentence. The
# first stop is written apart ("[.!?…][.!?…]*", not "[.!?…]+") so that re
# can skip ahead to the stops instead of trying a match at every character.
_BOUNDARY = re.compile(
    r"""([.!?…][.!?…]*)(["'»”’)\]]*)(\s+)(?=["'«“‘(\[¿¡\-–—]?\s*[A-ZÀ-ÖØ-Þ0-9ŁŚŻŹĆŃŠŽČŘĐ])"""
)
# Possessive (++): a word that does not reach the stop is given up at once,
# not re-tried one character shorter at a time.
_WORD_BEFORE = re.compile(r"([\w.'’-]++)$")


class Sentence(NamedTuple):
    """A sentence as a span of the text it came from.

    A named tuple rather than a frozen dataclass: as immutable, and several
    times quicker to make, which counts at dozens per article.
    """

    start: int
    end: int
    paragraph: int
    index: int


def _is_abbreviation(text: str, dot: int) -> bool:
    match = _WORD_BEFORE.search(text, max(0, dot - 20), dot)
    if not match:
        return False
    word = match.group(1).strip(".'’-").lower()
    if not word:
        return False
    if len(word) == 1 and word.isalpha():
        return True  # An initial: "J. Smith", "A. Conte".
    return word in ABBREVIATIONS


def split_sentences(text: str, offset: int = 0, first_paragraph: int = 0) -> list[Sentence]:
    """Return the sentences of text as spans (shifted by offset), in order."""
    sentences: list[Sentence] = []
    paragraph = first_paragraph
    position = 0
    for block in _PARAGRAPH.split(text) if "\n" in text else [text]:
        block_start = text.find(block, position) if block else position
        position = block_start + len(block)
        if not block.strip():
            continue
        cursor = 0
        for match in _BOUNDARY.finditer(block):
            if match.group(1) == "." and _is_abbreviation(block, match.start(1)):
                continue
            end = match.end(2)
            _append(sentences, block, block_start + offset, cursor, end, paragraph)
            cursor = match.end(3)
        _append(sentences, block, block_start + offset, cursor, len(block), paragraph)
        paragraph += 1
    return sentences


def _append(sentences: list[Sentence], block: str, base: int, start: int, end: int, paragraph: int):
    while start < end and block[start].isspace():
        start += 1
    while end > start and block[end - 1].isspace():
        end -= 1
    if end > start:
        sentences.append(Sentence(base + start, base + end, paragraph, len(sentences)))

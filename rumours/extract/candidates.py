"""Spot probable coaches the gazetteer does not know yet.

A name right after a coaching role ("il tecnico Mario Rossi", "manager John
Smith", "el entrenador Juan Pérez", "Lens coach Franck Haise") is very
likely a coach. When the gazetteer has no such coach, the name and its
sentence become a CoachCandidate for moderators; once approved it is a Coach
with an Alias, and the matcher finds it in every later article.
"""

from __future__ import annotations

import re

from .document import Document
from .gazetteer_index import GazetteerIndex
from .mentions import Mention
from .normalize import fold

_PARTICLES = frozenset(
    "de di da del della van von der den ten ter le la dos das do du d' mac st".split()
)
_NAME_TOKEN = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
MAX_NAME_WORDS = 4


def _read_name(text: str, position: int) -> tuple[str, int]:
    """Read "Mario Rossi" / "Juan Pérez" / "Erik ten Hag" from position; return it and its end."""
    words: list[str] = []
    end = position
    while len(words) < MAX_NAME_WORDS:
        gap = position
        while gap < len(text) and text[gap] == " ":
            gap += 1
        if words and gap == position:
            break
        match = _NAME_TOKEN.match(text, gap)
        if not match:
            break
        word = match.group(0)
        if word[:1].isupper() and not word.isupper():
            words.append(word)
        elif word.lower() in _PARTICLES and words:
            words.append(word)
        else:
            break
        position = end = match.end()
    while words and words[-1].lower() in _PARTICLES:
        words.pop()
    return " ".join(words), end


def find_unknown_coaches(
    document: Document, index: GazetteerIndex, mentions: list[Mention]
) -> list[tuple[str, str]]:
    """Return (name, sentence) for each probable coach name the gazetteer lacks."""
    lexicon = document.lexicon
    starts = {mention.start for mention in mentions}
    found: dict[str, tuple[str, str]] = {}
    for _start, end, payloads in document.hits(lexicon.phrases, "role"):
        if not any(payload[0] == "coach_role" for payload in payloads):
            continue
        following = document.word_index_at(end)
        if following >= len(document.words):
            continue
        name_start = document.words[following][0]
        if name_start in starts or document.folded[end:name_start].strip():
            continue
        original_start = document.original_span(name_start, name_start + 1)[0]
        name, _ = _read_name(document.text, original_start)
        words = name.split()
        if len(words) < 2:
            continue
        key = fold(name)
        first = fold(words[0])
        if (
            key in index.coach_names
            or key in index.club_names
            or first in lexicon.stopwords
            or any(fold(word) in index.club_names for word in words)
        ):
            continue
        if key not in found:
            found[key] = (name, document.sentence_text(document.sentence_at(name_start)))
    return list(found.values())

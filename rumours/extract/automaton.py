"""Find many fixed phrases in one pass over a folded text (Aho-Corasick).

Names of 500 clubs and 500 coaches, and each language's cue phrases, are
looked up together: one pass per article instead of a loop over names.
pyahocorasick does the work in C when it is installed; a small pure-Python
automaton with the same behaviour stands in when it is not, so a checkout
without the wheel still extracts, only slower.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

try:  # pragma: no cover - which branch runs depends on the environment
    import ahocorasick as _ahocorasick
except ImportError:  # pragma: no cover
    _ahocorasick = None


class _PurePythonAutomaton:
    """The textbook automaton: a trie with failure links, dicts for edges."""

    def __init__(self) -> None:
        self.goto: list[dict[str, int]] = [{}]
        self.fail: list[int] = [0]
        self.output: list[list[tuple[int, Any]]] = [[]]

    def add_word(self, key: str, value: Any) -> None:
        state = 0
        for char in key:
            following = self.goto[state].get(char)
            if following is None:
                following = len(self.goto)
                self.goto[state][char] = following
                self.goto.append({})
                self.fail.append(0)
                self.output.append([])
            state = following
        self.output[state].append((len(key), value))

    def make_automaton(self) -> None:
        queue = deque(self.goto[0].values())
        while queue:
            state = queue.popleft()
            for char, following in self.goto[state].items():
                queue.append(following)
                fallback = self.fail[state]
                while fallback and char not in self.goto[fallback]:
                    fallback = self.fail[fallback]
                target = self.goto[fallback].get(char, 0)
                self.fail[following] = target if target != following else 0
                self.output[following] = self.output[following] + self.output[self.fail[following]]

    def iter(self, text: str) -> Iterator[tuple[int, Any]]:
        state = 0
        goto, fail, output = self.goto, self.fail, self.output
        for index, char in enumerate(text):
            while state and char not in goto[state]:
                state = fail[state]
            state = goto[state].get(char, 0)
            for _, value in output[state]:
                yield index, value


class PhraseAutomaton:
    """Map folded phrases to payloads and find them at word boundaries.

    A phrase added with prefix=True also matches as the start of a longer
    word ("esoner" finds "esonerato", "esonero"), which is how the cue
    lexicons cover inflections without listing every form.
    """

    def __init__(self) -> None:
        self._entries: dict[str, list[list[Any]]] = {}
        self._automaton: Any = None

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, phrase: str, payload: Any, *, prefix: bool = False) -> None:
        if not phrase:
            return
        slots = self._entries.setdefault(phrase, [[], []])
        slots[1 if prefix else 0].append(payload)
        self._automaton = None

    def _build(self) -> Any:
        automaton = _ahocorasick.Automaton() if _ahocorasick else _PurePythonAutomaton()
        for phrase, (exact, prefixed) in self._entries.items():
            automaton.add_word(phrase, (len(phrase), tuple(exact), tuple(prefixed)))
        if self._entries:
            automaton.make_automaton()
        return automaton

    def find_anywhere(self, text: str) -> Iterator[tuple[int, int, tuple[Any, ...]]]:
        """Yield (start, end, payloads) for every occurrence, word boundaries or not."""
        if not self._entries or not text:
            return
        if self._automaton is None:
            self._automaton = self._build()
        for last, (length, exact, prefixed) in self._automaton.iter(text):
            yield last - length + 1, last + 1, exact + prefixed

    def find(self, folded: str) -> Iterator[tuple[int, int, tuple[Any, ...]]]:
        """Yield (start, end, payloads) for each phrase found at word boundaries."""
        if not self._entries or not folded:
            return
        if self._automaton is None:
            self._automaton = self._build()
        size = len(folded)
        for last, (length, exact, prefixed) in self._automaton.iter(folded):
            start, end = last - length + 1, last + 1
            if start > 0 and folded[start - 1].isalnum():
                continue
            if end < size and folded[end].isalnum():
                if prefixed:
                    yield start, end, prefixed
                continue
            if exact and prefixed:
                yield start, end, exact + prefixed
            else:
                yield start, end, exact or prefixed

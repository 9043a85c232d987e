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


def _new_automaton() -> Any:
    return _ahocorasick.Automaton() if _ahocorasick else _PurePythonAutomaton()


Hit = tuple[int, int, tuple[Any, ...]]


class PhraseSets:
    """Map folded phrases of several kinds ("cue", "role", ...) to payloads; find
    them all in one pass over a text.

    Phrases are found at word boundaries. One added with prefix=True also
    matches as the start of a longer word ("esoner" finds "esonerato",
    "esonero"), which is how the cue lexicons cover inflections without
    listing every form. Kinds named in `anywhere` are found inside words
    too, with all their payloads.

    Each kind is found as if it were alone (the same hits, in the same
    order: by end, longest first); one pass serves them all because the pass
    over the text, not the number of phrases, is what an automaton costs.
    """

    def __init__(self, kinds: tuple[str, ...], *, anywhere: tuple[str, ...] = ()) -> None:
        self.kinds = kinds
        self._anywhere = frozenset(anywhere)
        self._entries: dict[str, dict[str, tuple[list[Any], list[Any]]]] = {}
        self._automaton: Any = None

    def add(self, kind: str, phrase: str, payload: Any, *, prefix: bool = False) -> None:
        if not phrase:
            return
        exact, prefixed = self._entries.setdefault(phrase, {}).setdefault(kind, ([], []))
        (prefixed if prefix else exact).append(payload)
        self._automaton = None

    def compile(self) -> None:
        """Build the automaton now, rather than on the first search."""
        if self._automaton is None:
            self._automaton = self._build()

    def _build(self) -> Any:
        automaton = _new_automaton()
        for phrase, kinds in self._entries.items():
            # Per kind, the payloads of a match at word boundaries, of a
            # match that goes on into a longer word, and of one anywhere.
            whole, inside_word, anywhere = [], [], []
            for kind, (exact, prefixed) in kinds.items():
                if kind in self._anywhere:
                    anywhere.append((kind, (*exact, *prefixed)))
                    continue
                whole.append((kind, (*exact, *prefixed)))
                if prefixed:
                    inside_word.append((kind, tuple(prefixed)))
            automaton.add_word(
                phrase, (len(phrase), tuple(whole), tuple(inside_word), tuple(anywhere))
            )
        if self._entries:
            automaton.make_automaton()
        return automaton

    def find_all(self, folded: str) -> dict[str, list[Hit]]:
        """Return {kind: [(start, end, payloads), ...]} for every kind."""
        found: dict[str, list[Hit]] = {kind: [] for kind in self.kinds}
        if not self._entries or not folded:
            return found
        self.compile()
        size = len(folded)
        for last, (length, whole, inside_word, anywhere) in self._automaton.iter(folded):
            start, end = last - length + 1, last + 1
            if anywhere:
                for kind, payloads in anywhere:
                    found[kind].append((start, end, payloads))
            if start and folded[start - 1].isalnum():
                continue
            for kind, payloads in inside_word if end < size and folded[end].isalnum() else whole:
                found[kind].append((start, end, payloads))
        return found


class PhraseAutomaton:
    """Phrases of one kind only: a PhraseSets with a simpler interface."""

    def __init__(self) -> None:
        self._phrases = PhraseSets(("phrase",))

    def add(self, phrase: str, payload: Any, *, prefix: bool = False) -> None:
        self._phrases.add("phrase", phrase, payload, prefix=prefix)

    def find(self, folded: str) -> list[Hit]:
        """Return (start, end, payloads) for each phrase found at word boundaries."""
        return self._phrases.find_all(folded)["phrase"]

"""Fold names and text to one form so "Mourinhò", "MOURINHO" and "mourinho" meet."""

import re
import unicodedata

# Letters that NFKD does not decompose into a base letter plus accent.
_SPECIAL_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "đ": "d",
        "Đ": "d",
        "ı": "i",
        "’": "'",
        "‘": "'",
        "`": "'",
        "´": "'",
    }
)
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Return text lowercased with accents removed and whitespace collapsed.

    Keeps length-changing steps to a minimum so positions stay close to the
    original; callers that need exact offsets use fold_char_by_char.
    """
    text = text.translate(_SPECIAL_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def fold_char_by_char(text: str) -> str:
    """Return a folded copy of text with exactly one output char per input char.

    Used for matching, so a hit at [i:j] in the folded copy is the same span
    in the original text.
    """
    out = []
    for char in text:
        folded = fold(char) if not char.isspace() else " "
        out.append(folded[:1] if folded else " ")
    return "".join(out)


_CHAR_FOLDS: dict[str, str] = {}


def _fold_char(char: str) -> str:
    folded = _CHAR_FOLDS.get(char)
    if folded is None:
        if char.isspace():
            folded = " "
        else:
            # Stray combining marks fold to nothing; keep a space so offsets survive.
            folded = fold(char) or " "
        _CHAR_FOLDS[char] = folded
    return folded


def fold_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """Return (folded, offsets): text folded like fold(), without collapsing spaces.

    offsets[i] is the index in text of the character that produced folded[i];
    it is None when folding kept every character in place (the usual case:
    "ß" or "æ" are what make the folded copy longer), so callers can skip
    the lookup. Unlike fold(), every whitespace character becomes one space
    and nothing is stripped, so a match in the folded copy maps back to the
    original span.
    """
    table = {ord(char): _fold_char(char) for char in set(text)}
    if all(len(piece) == 1 for piece in table.values()):
        return text.translate(table), None
    pieces = [table[ord(char)] for char in text]
    folded = "".join(pieces)
    offsets: list[int] = []
    for index, piece in enumerate(pieces):
        offsets.extend([index] * len(piece))
    return folded, offsets

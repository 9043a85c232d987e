"""Fold names and text to one form so "Mourinhò", "MOURINHO" and "mourinho" meet."""

import functools
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


@functools.lru_cache(maxsize=8192)
def fold_word(word: str) -> str:
    """fold() for a word or short name, remembered: the same words recur in every article."""
    return fold(word)


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


def _fold_char(char: str) -> str:
    if char.isspace():
        return " "
    # Stray combining marks fold to nothing; keep a space so offsets survive.
    return fold(char) or " "


# Code point → folded form, shared by every article, so an article costs one
# str.translate. ASCII is there from the start; other characters are added
# as they are first met (looking for them is cheaper than a set of the text).
_CHAR_FOLDS: dict[int, str] = {code: _fold_char(chr(code)) for code in range(128)}
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


def fold_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """Return (folded, offsets): text folded like fold(), without collapsing spaces.

    offsets[i] is the index in text of the character that produced folded[i];
    it is None when folding kept every character in place (the usual case:
    "ß" or "æ" are what make the folded copy longer), so callers can skip
    the lookup. Unlike fold(), every whitespace character becomes one space
    and nothing is stripped, so a match in the folded copy maps back to the
    original span.
    """
    table = _CHAR_FOLDS
    for char in set(_NOT_ASCII.findall(text)):
        if ord(char) not in table:
            table[ord(char)] = _fold_char(char)
    folded = text.translate(table)
    # Every character folds to at least one, so equal lengths mean one each.
    if len(folded) == len(text):
        return folded, None
    offsets: list[int] = []
    for index, char in enumerate(text):
        offsets.extend([index] * len(table[ord(char)]))
    return folded, offsets

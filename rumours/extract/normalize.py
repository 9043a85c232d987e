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

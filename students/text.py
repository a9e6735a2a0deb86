"""Text rules of the domain: Kazakh sort order, IIN check digit. Pure Python."""

import re

# SPEC §7: Kazakh order differs from code-point order, and the embedded PostgreSQL has no ICU.
KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
_RANK = {letter: i for i, letter in enumerate(KAZAKH_ALPHABET)}


def kazakh_sort_key(text: str) -> str:
    """A string that sorts bytewise (collation "C") in Kazakh alphabetical order.

    Each character becomes three digits: spaces first, then digits, Cyrillic in Kazakh order,
    Latin, anything else last.
    """
    parts = []
    for ch in text.strip().lower():
        if ch.isspace():
            rank = 0
        elif ch.isdigit():
            rank = 10 + int(ch) if ch.isascii() else 990
        elif ch in _RANK:
            rank = 100 + _RANK[ch]
        elif "a" <= ch <= "z":
            rank = 200 + ord(ch) - ord("a")
        else:
            rank = 900 + min(ord(ch) % 89, 89)
        parts.append(f"{rank:03d}")
    return "".join(parts)


_IIN = re.compile(r"^\d{12}$")


def iin_is_valid(iin: str) -> bool:
    """SPEC §7: weights 1..11 over the first 11 digits mod 11; if 10, weights 3..11,1,2;
    if again 10 the IIN is invalid; otherwise it must equal the 12th digit."""
    if not _IIN.match(iin or ""):
        return False
    digits = [int(d) for d in iin]
    check = sum(w * d for w, d in zip(range(1, 12), digits, strict=False)) % 11
    if check == 10:
        weights = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
        check = sum(w * d for w, d in zip(weights, digits, strict=False)) % 11
        if check == 10:
            return False
    return check == digits[11]


_CLASS = re.compile(r"^\s*(\d{1,2})\s*[-\s]?\s*(\S{0,3})\s*$")


def parse_class(text: str) -> tuple[int, str] | None:
    """ "3 Ә", "3Ә", "10-А" → (3, "Ә"); None when it is not a class name."""
    m = _CLASS.match(text or "")
    if not m:
        return None
    grade = int(m.group(1))
    if not 0 <= grade <= 12:
        return None
    return grade, m.group(2).upper()

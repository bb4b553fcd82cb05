"""Dutch postcodes: parse what people type, and tell a typo from a postcode that cannot exist.

Whether a valid postcode is *known* depends on the data, so that check lives in `routing`.
People paste postcodes from mail, Word and web pages: an en dash from autocorrect, a
non-breaking space, an `NL-` prefix. All of that is accepted. Hostile input costs little: the
length is capped before any pattern runs, and the pattern itself has no ambiguous repetition
(each run of spaces can only be matched one way), so it is linear even without the cap.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import PostcodeError
from .i18n import N_

# Spaces as they arrive from other programs (no-break, thin, ideographic, zero-width, BOM) and
# dashes (hyphen, en and em dash, minus sign, fullwidth), shared with the API's pattern.
SPACES = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200E))) + "\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
GAP = 8  # spaces allowed between the parts: the longest accepted text, stripped, is 42 characters
MAX_LENGTH = 64  # so a text longer than this, stripped, cannot be a postcode: no pattern runs on it


def _grammar(digits: str, letters: str) -> str:
    """Optional NL prefix, four digits, optional letters; spaces around, and between the parts
    up to GAP spaces and at most one dash. Each run of spaces follows a fixed token, so no two
    repetitions compete for the same space: the match is linear even without the length cap."""
    space = "[" + "".join(f"\\u{ord(c):04x}" for c in SPACES) + "]"
    dash = "[" + "".join(f"\\u{ord(c):04x}" for c in DASHES) + "]"
    gap = f"{space}{{0,{GAP}}}(?:{dash}{space}{{0,{GAP}}})?"
    return rf"^{space}*(?:[Nn][Ll]{gap})?({digits}){gap}({letters})?{space}*$"


_PATTERN = re.compile(_grammar("[0-9]{4}", "[A-Za-z]{2}"))
# The same text minus what cannot exist (a leading 0; the letters SA, SD, SS): the API's pattern.
VALID_PATTERN = _grammar("[1-9][0-9]{3}", "[A-RT-Za-rt-z][A-Za-z]|[Ss][B-CE-RT-Zb-ce-rt-z]")

# PostNL never issues these letter pairs (they recall the SA, SD and SS of 1940-45).
NEVER_ISSUED_LETTERS = frozenset({"SA", "SD", "SS"})


@dataclass(frozen=True)
class Postcode:
    pc4: str
    letters: str | None = None

    def __str__(self) -> str:
        return self.pc4 + (self.letters or "")

    @property
    def display(self) -> str:
        """The way PostNL writes it: '1234 AB'."""
        return f"{self.pc4} {self.letters}" if self.letters else self.pc4


def parse(text: str | None) -> Postcode:
    """Normalise '1234 ab', ' 1234–AB ', 'NL-1234AB' or '1234' to a Postcode, or raise PostcodeError."""
    text = (text or "").strip(SPACES)
    match = _PATTERN.match(text) if len(text) <= MAX_LENGTH else None
    if not match:
        raise PostcodeError(
            "format", N_("Dit is geen postcode. Een postcode heeft 4 cijfers en vaak 2 letters, zoals 3511 AB."))
    pc4, letters = match.group(1), (match.group(2) or "").upper() or None
    if pc4.startswith("0"):
        raise PostcodeError("impossible", N_("Deze postcode bestaat niet: een postcode begint nooit met een 0."))
    if letters in NEVER_ISSUED_LETTERS:
        raise PostcodeError(
            "impossible", N_("Deze postcode bestaat niet: de letters %(letters)s worden nooit gebruikt."), letters=letters)
    return Postcode(pc4, letters)

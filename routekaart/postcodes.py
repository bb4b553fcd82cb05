"""Dutch postcodes: parse what people type, and tell a typo from a postcode that cannot exist.

Whether a valid postcode is *known* depends on the data, so that check lives in `routing`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _

# Four digits, then optionally two letters; spaces or one dash may sit between or around.
_PATTERN = re.compile(r"^\s*([0-9]{4})\s*-?\s*([A-Za-z]{2})?\s*$")

# PostNL never issues these letter pairs (they recall the SA, SD and SS of 1940-45).
NEVER_ISSUED_LETTERS = frozenset({"SA", "SD", "SS"})


class PostcodeError(ValueError):
    """A postcode that cannot be used; `reason` is 'format' or 'impossible'."""

    code = "invalid_postcode"

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


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
    """Normalise '1234 ab', ' 1234-AB ' or '1234' to a Postcode, or raise PostcodeError."""
    match = _PATTERN.match(text or "")
    if not match:
        raise PostcodeError(
            "format",
            _("Dit is geen postcode. Een postcode heeft 4 cijfers en vaak 2 letters, zoals 3511 AB."),
        )
    pc4, letters = match.group(1), (match.group(2) or "").upper() or None
    if pc4.startswith("0"):
        raise PostcodeError("impossible", _("Deze postcode bestaat niet: een postcode begint nooit met een 0."))
    if letters in NEVER_ISSUED_LETTERS:
        raise PostcodeError(
            "impossible", _("Deze postcode bestaat niet: de letters %(letters)s worden nooit gebruikt.", letters=letters)
        )
    return Postcode(pc4, letters)

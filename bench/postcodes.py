"""Worst parse time for hostile 10,000-character postcodes (issue 11: the old pattern was cubic).

Usage: python bench/postcodes.py
Prints, per hostile input, the slowest of 20 calls (after one warm-up) of `parse`, which caps the
length first, and of the patterns themselves without the cap (the parser's and the API's published
one), and the old pattern on a 400-character input for comparison. On a busy machine the slowest
call includes scheduler noise; the median is printed next to it.
"""
from __future__ import annotations

import re
import statistics
import time

from routekaart.postcodes import _PATTERN, VALID_PATTERN, PostcodeError, parse

LENGTH = 10_000
HOSTILE = {
    "'1234' + spaces + '!'": "1234" + " " * (LENGTH - 5) + "!",
    "'1234' + no-break spaces + 'AB!'": "1234" + "\u00a0" * (LENGTH - 7) + "AB!",
    "'3511AB' + spaces + '!'": "3511AB" + " " * (LENGTH - 7) + "!",
    "'NL' + spaces + '!'": "NL" + " " * (LENGTH - 3) + "!",
    "spaces + '3511 AB' + spaces + '!'": " " * 4_990 + "3511 AB" + " " * 5_002 + "!",
    "'1234' + dashes + 'AB'": "1234" + "-" * (LENGTH - 6) + "AB",
    "'NL' repeated": "NL" * (LENGTH // 2),
    "digits": "1" * LENGTH,
}
OLD = re.compile(r"^\s*([0-9]{4})\s*-?\s*([A-Za-z]{2})?\s*$")


def timings(work, text: str, repeats: int = 20) -> list[float]:
    """Milliseconds per call, after one warm-up call (the first error message loads the translations)."""
    work(text)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work(text)
        times.append((time.perf_counter() - started) * 1000)
    return times


def attempt(text: str) -> None:
    try:
        parse(text)
    except PostcodeError:
        pass


def main() -> None:
    api = re.compile(VALID_PATTERN)
    print(f"{'hostile input (10,000 characters), ms':40} {'parse median/max':>18} {'pattern, no cap':>16}"
          f" {'API pattern':>12}")
    parsed, patterns = [], []
    for label, text in HOSTILE.items():
        assert len(text) == LENGTH, label
        own, ours, published = timings(attempt, text), timings(_PATTERN.match, text), timings(api.match, text)
        parsed += own
        patterns += ours + published
        print(f"{label:40} {statistics.median(own):8.3f} / {max(own):7.3f} {max(ours):16.3f} {max(published):12.3f}")
    print(f"worst parse time: {max(parsed):.3f} ms (median {statistics.median(parsed):.3f} ms); "
          f"worst uncapped pattern: {max(patterns):.3f} ms")
    short = "1234" + " " * 395 + "!"
    print(f"old pattern, '1234' + 395 spaces + '!': {max(timings(OLD.match, short, 3)):.0f} ms (cubic)")


if __name__ == "__main__":
    main()

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routekaart.postcodes import DASHES, GAP, MAX_LENGTH, NEVER_ISSUED_LETTERS, SPACES, Postcode, PostcodeError, parse
from routekaart.web.openapi import POSTCODE_PATTERN

digits = st.integers(1000, 9999).map(str)
letters = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2).filter(
    lambda s: s not in NEVER_ISSUED_LETTERS)
# What arrives from Word, mail and web pages: no-break and thin spaces, en/em dashes, a minus sign.
space = st.sampled_from([" ", "\t", "\u00a0", "\u202f", "\u2009", "\u200b", "\u3000"])
dash = st.sampled_from(["-", "\u2013", "\u2014", "\u2212", "\u2010", "\uff0d"])
gap = st.tuples(st.lists(space, max_size=2), st.one_of(st.just(""), dash), st.lists(space, max_size=2)).map(
    lambda parts: "".join(parts[0]) + parts[1] + ("".join(parts[2]) if parts[1] else ""))
padding = st.lists(space, max_size=3).map("".join)
prefix = st.sampled_from(["", "NL", "NL-", "nl ", "Nl - ", "NL\u2013", "nl\u00a0"])


@given(prefix, digits, gap, letters, padding, st.booleans())
def test_accepts_the_ways_people_write_or_paste_a_postcode(before, pc4, sep, pair, pad, lower):
    typed = pad + before + pc4 + sep + (pair.lower() if lower else pair) + pad
    assert parse(typed) == Postcode(pc4, pair)
    assert str(parse(typed)) == pc4 + pair


@pytest.mark.parametrize("typed", ["1234–AB", "1234—AB", "1234−AB", "NL-3511AB", "nl 3511 ab", "NL3511AB",
                                   "3511\u00a0AB", "\ufeff3511AB\u200b", "NL – 3511 – ab"])
def test_what_dutch_users_paste(typed):
    assert parse(typed).pc4 in ("1234", "3511") and parse(typed).letters == "AB"


@pytest.mark.parametrize("hostile", ["1234" + " " * 10_000 + "!", "1234" + "\u00a0" * 10_000 + "AB!",
                                     "NL" * 5_000, "3511" + "-" * 10_000 + "AB", "1234 AB" * 2_000])
def test_long_hostile_input_is_a_format_error(hostile):
    with pytest.raises(PostcodeError) as error:
        parse(hostile)
    assert error.value.reason == "format"


def test_spaces_around_do_not_count_towards_the_length_cap():
    assert parse(" " * 10_000 + "3511 AB" + "\u00a0" * 10_000) == Postcode("3511", "AB")


@given(digits, padding)
def test_accepts_bare_pc4(pc4, pad):
    assert parse(pad + pc4 + pad) == Postcode(pc4, None)


@given(st.integers(0, 999).map(lambda n: f"{n:04d}"), st.one_of(st.just(""), letters))
def test_leading_zero_is_impossible(pc4, pair):
    with pytest.raises(PostcodeError) as error:
        parse(pc4 + pair)
    assert error.value.reason == "impossible"


@given(digits, st.sampled_from(sorted(NEVER_ISSUED_LETTERS)), st.booleans())
def test_never_issued_letters_are_impossible(pc4, pair, lower):
    with pytest.raises(PostcodeError) as error:
        parse(pc4 + (pair.lower() if lower else pair))
    assert error.value.reason == "impossible"


def _accepted(text: str) -> bool:
    """The accepted language written another way: spaces and dashes made plain first."""
    plain = text.translate({ord(c): " " for c in SPACES} | {ord(c): "-" for c in DASHES}).strip(" ")
    gap = f" {{0,{GAP}}}(- {{0,{GAP}}})?"
    return bool(re.fullmatch(rf"([Nn][Ll]{gap})?[0-9]{{4}}{gap}([A-Za-z]{{2}})?", plain))


typed_text = st.one_of(st.text(max_size=20), st.text(alphabet="0123456789ABSNLnl -\u2013\u00a0\u200bx!", max_size=20))


@given(typed_text.filter(lambda s: not _accepted(s)))
def test_anything_else_is_a_format_error(text):
    with pytest.raises(PostcodeError) as error:
        parse(text)
    assert error.value.reason == "format"
    assert error.value.code == "invalid_postcode"


@given(st.from_regex(rf"([Nn][Ll] {{0,{GAP}}}(- {{0,{GAP}}})?)?[0-9]{{4}} {{0,{GAP}}}(- {{0,{GAP}}})?([A-Za-z]{{2}})?",
                     fullmatch=True), st.sampled_from(SPACES), st.sampled_from(DASHES))
def test_every_text_of_the_accepted_language_parses(plain, other_space, other_dash):
    typed = plain.replace(" ", other_space).replace("-", other_dash)
    pc4 = re.search("[0-9]{4}", plain).group()
    pair = re.sub("[^A-Z]", "", plain.upper().split(pc4, 1)[1]) or None
    try:
        assert parse(typed) == Postcode(pc4, pair)
    except PostcodeError as error:
        assert error.reason == "impossible"


@pytest.mark.parametrize("typed", ["123", "12345", "1234 ABC", "1234A", "AB1234", "", None, "1234 A1", "１２３４AB"])
def test_typical_typos_are_format_errors(typed):
    with pytest.raises(PostcodeError):
        parse(typed)


def test_display_form():
    assert parse("3511ab").display == "3511 AB"
    assert parse("3511").display == "3511"


long_text = st.tuples(st.text(alphabet=" \u00a0", max_size=MAX_LENGTH * 2), typed_text,
                      st.text(alphabet=" \u00a0", max_size=MAX_LENGTH * 2)).map("".join)


@given(st.one_of(typed_text, long_text,
                 st.from_regex(r"\s?(NL)?\s?-?[0-9]{4}\s?[-–]?\s?[A-Za-z]{0,2}\s?", fullmatch=True)))
def test_openapi_pattern_accepts_exactly_what_the_parser_accepts(text):
    try:
        parse(text)
        accepted = True
    except PostcodeError:
        accepted = False
    assert bool(re.match(POSTCODE_PATTERN, text)) == accepted

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routekaart.postcodes import NEVER_ISSUED_LETTERS, Postcode, PostcodeError, parse

digits = st.integers(1000, 9999).map(str)
letters = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2).filter(
    lambda s: s not in NEVER_ISSUED_LETTERS)
separator = st.sampled_from(["", " ", "  ", "-", " - "])
padding = st.sampled_from(["", " ", "\t", "  "])


@given(digits, letters, separator, padding, st.booleans())
def test_accepts_the_ways_people_write_a_postcode(pc4, pair, sep, pad, lower):
    typed = pad + pc4 + sep + (pair.lower() if lower else pair) + pad
    assert parse(typed) == Postcode(pc4, pair)
    assert str(parse(typed)) == pc4 + pair


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


@given(st.text(max_size=20).filter(lambda s: not __import__("re").fullmatch(r"\s*[0-9]{4}\s*-?\s*([A-Za-z]{2})?\s*", s)))
def test_anything_else_is_a_format_error(text):
    with pytest.raises(PostcodeError) as error:
        parse(text)
    assert error.value.reason == "format"
    assert error.value.code == "invalid_postcode"


@pytest.mark.parametrize("typed", ["123", "12345", "1234 ABC", "1234A", "AB1234", "", None, "1234 A1", "１２３４AB"])
def test_typical_typos_are_format_errors(typed):
    with pytest.raises(PostcodeError):
        parse(typed)


def test_display_form():
    assert parse("3511ab").display == "3511 AB"
    assert parse("3511").display == "3511"


@given(st.one_of(st.text(max_size=12), st.from_regex(r"\s?[0-9]{4}\s?-?\s?[A-Za-z]{0,2}\s?", fullmatch=True)))
def test_openapi_pattern_accepts_exactly_what_the_parser_accepts(text):
    import re

    from routekaart.web.openapi import POSTCODE_PATTERN

    try:
        parse(text)
        accepted = True
    except PostcodeError:
        accepted = False
    assert bool(re.match(POSTCODE_PATTERN, text)) == accepted

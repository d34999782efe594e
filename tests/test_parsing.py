"""Unit and property tests for the cell parsers."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rtp_eval import parsing
from rtp_eval.parsing import ParseError

# --- amounts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 394 300,50", Decimal("1394300.50")),
        ("1\u00a0394\u00a0300,50", Decimal("1394300.50")),
        ("1\u202f394\u202f300", Decimal("1394300")),
        ("1.394.300,50", Decimal("1394300.50")),
        ("1.500", Decimal("1500")),
        ("1394300.5", Decimal("1394300.5")),
        ("250 000 kr", Decimal("250000")),
        ("250000 SEK", Decimal("250000")),
        ("250 000:-", Decimal("250000")),
        ("0", Decimal("0")),
        ("-1 000", Decimal("-1000")),
        ("  12,5  ", Decimal("12.5")),
    ],
)
def test_parse_number_swedish_conventions(text: str, expected: Decimal) -> None:
    assert parsing.parse_number(text) == expected


@pytest.mark.parametrize("text", ["", "-", "Uppgift saknas", "UPPGIFT SAKNAS", "  ", None])
def test_missing_markers_are_none(text: str | None) -> None:
    assert parsing.parse_number(text) is None
    assert parsing.parse_amount(text) is None
    assert parsing.normalise_text(text) is None


@pytest.mark.parametrize("text", ["tolv tusen", "1 39 300", "12,5,5", "1e15", "1.394.30", "kr"])
def test_unparseable_numbers_raise(text: str) -> None:
    with pytest.raises(ParseError) as error:
        parsing.parse_number(text)
    assert error.value.code == "unparseable"


def test_parse_amount_rounds_half_up_to_whole_kronor() -> None:
    assert parsing.parse_amount("100,50") == 101
    assert parsing.parse_amount("100,49") == 100
    assert parsing.parse_amount(2.5) == 3
    assert parsing.parse_amount(1_000_000) == 1_000_000


def test_parse_amount_rejects_negative_with_its_own_reason() -> None:
    with pytest.raises(ParseError) as error:
        parsing.parse_amount("-5 000")
    assert error.value.code == "negative_value"


def test_numeric_cells_from_xlsx() -> None:
    assert parsing.parse_amount(1e15) == 10**15
    assert parsing.parse_number(float("nan")) is None
    with pytest.raises(ParseError):
        parsing.parse_number(float("inf"))
    with pytest.raises(ParseError):
        parsing.parse_number(True)


def _swedish(amount: int, separator: str) -> str:
    digits = f"{amount:d}"
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return separator.join(groups)


@given(
    kronor=st.integers(min_value=0, max_value=10**12),
    ore=st.integers(min_value=0, max_value=99),
    separator=st.sampled_from(["", " ", "\u00a0", "."]),
    suffix=st.sampled_from(["", " kr", " SEK", "kr"]),
)
def test_amount_round_trips_any_swedish_spelling(
    kronor: int, ore: int, separator: str, suffix: str
) -> None:
    text = f"{_swedish(kronor, separator)},{ore:02d}{suffix}"
    assert parsing.parse_number(text) == Decimal(kronor) + Decimal(ore) / 100
    expected = kronor + (1 if ore >= 50 else 0)
    assert parsing.parse_amount(text) == expected


@given(st.text(max_size=30))
def test_parse_number_either_parses_or_raises_parse_error(text: str) -> None:
    try:
        result = parsing.parse_number(text)
    except ParseError:
        return
    assert result is None or isinstance(result, Decimal)


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2016-11-01", dt.date(2016, 11, 1)),
        ("2016-11-01 00:00:00", dt.date(2016, 11, 1)),
        ("20161101", dt.date(2016, 11, 1)),
        ("161101", dt.date(2016, 11, 1)),
        (dt.datetime(2016, 11, 1, 13, 5), dt.date(2016, 11, 1)),
        (dt.date(2016, 11, 1), dt.date(2016, 11, 1)),
        (42675, dt.date(2016, 11, 1)),  # Excel serial number
    ],
)
def test_parse_date_formats(value: object, expected: dt.date) -> None:
    assert parsing.parse_date(value) == expected


@pytest.mark.parametrize("text", ["150231", "2015-02-31", "20150229", "161301"])
def test_impossible_dates_are_invalid_date(text: str) -> None:
    with pytest.raises(ParseError) as error:
        parsing.parse_date(text)
    assert error.value.code == "invalid_date"


@pytest.mark.parametrize("text", ["1/11/2016", "2016-1-1", "nov 2016", "16111", "42675.5"])
def test_unparseable_dates(text: str) -> None:
    with pytest.raises(ParseError) as error:
        parsing.parse_date(text)
    assert error.value.code == "unparseable"


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_date_round_trips_all_three_text_formats(day: dt.date) -> None:
    assert parsing.parse_date(day.isoformat()) == day
    assert parsing.parse_date(day.strftime("%Y%m%d")) == day
    assert parsing.parse_date(day.strftime("%y%m%d")) == day


@given(st.text(max_size=20))
def test_parse_date_either_parses_or_raises_parse_error(text: str) -> None:
    try:
        result = parsing.parse_date(text)
    except ParseError:
        return
    assert result is None or isinstance(result, dt.date)


# --- identifiers -----------------------------------------------------------------------------


def _with_check_digit(nine: str) -> str:
    for digit in "0123456789":
        if parsing.luhn_valid(nine + digit):
            return nine + digit
    raise AssertionError("a Luhn check digit always exists")


def test_luhn_known_values() -> None:
    assert parsing.luhn_valid("5560360793")  # a published example organisation number
    assert parsing.luhn_valid("8112189876")  # Skatteverket's example personal number
    assert not parsing.luhn_valid("5560360794")
    assert not parsing.luhn_valid("55603607a3")


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(0, 9))
def test_luhn_detects_any_single_digit_change(nine: str, position: int) -> None:
    valid = _with_check_digit(nine)
    assert parsing.luhn_valid(valid)
    changed = (int(valid[position]) + 1) % 10
    altered = valid[:position] + str(changed) + valid[position + 1 :]
    assert not parsing.luhn_valid(altered)


@pytest.mark.parametrize(
    "text",
    ["556036-0793", "5560360793", "16556036-0793", "165560360793", " 556036 - 0793 "],
)
def test_org_id_spellings_normalise_alike(text: str) -> None:
    spaced = text.replace(" - ", "-")
    assert parsing.parse_org_id(spaced) == "5560360793"


def test_personal_identity_numbers_with_and_without_century() -> None:
    assert parsing.parse_org_id("19811218-9876") == "8112189876"
    assert parsing.parse_org_id("811218-9876") == "8112189876"
    assert parsing.parse_org_id("811218+9876") == "8112189876"


@pytest.mark.parametrize("text", ["556036-0794", "556036", "ABC", "215560360793", "55603607931"])
def test_invalid_org_ids(text: str) -> None:
    with pytest.raises(ParseError) as error:
        parsing.parse_org_id(text)
    assert error.value.code == "invalid_org_id"


# --- codes, headers and other fields ----------------------------------------------------------

LABELS = {"beviljat": "granted", "avslag": "rejected", "kvinna": "woman", "k": "woman"}


def test_codes_match_case_insensitively() -> None:
    assert parsing.parse_code("BEVILJAT", LABELS) == "granted"
    assert parsing.parse_code(" k ", LABELS) == "woman"
    assert parsing.parse_code("Uppgift saknas", LABELS) is None
    with pytest.raises(ParseError) as error:
        parsing.parse_code("Innovationscheck", LABELS)
    assert error.value.code == "unknown_code"


def test_normalise_header() -> None:
    assert parsing.normalise_header("  Sökt   BELOPP ") == "sökt belopp"
    assert parsing.normalise_header("Ärendenummer") == parsing.normalise_header("ärendenummer")
    # Decomposed (NFD) letters as some systems write them match the composed form.
    assert parsing.normalise_header("A\u0308rendenummer") == "ärendenummer"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2", 2), ("2 - Integrerat", 2), ("3 – Huvudsyfte", 3), ("0", 0), (1, 1), (None, None)],
)
def test_equality_assessment(value: object, expected: int | None) -> None:
    assert parsing.parse_assessment(value) == expected


@pytest.mark.parametrize("value", ["5", "x", 4, "12"])
def test_equality_assessment_out_of_range(value: object) -> None:
    with pytest.raises(ParseError):
        parsing.parse_assessment(value)


def test_booleans() -> None:
    assert parsing.parse_boolean("Ja") is True
    assert parsing.parse_boolean("nej") is False
    assert parsing.parse_boolean("") is None
    with pytest.raises(ParseError):
        parsing.parse_boolean("kanske")


def test_percent_count_year_decimal() -> None:
    assert parsing.parse_percent("45 %") == 45.0
    assert parsing.parse_percent("45,5") == 45.5
    with pytest.raises(ParseError):
        parsing.parse_percent("120")
    assert parsing.parse_count("1 200") == 1200
    assert parsing.parse_count(3.0) == 3
    with pytest.raises(ParseError):
        parsing.parse_count("1,5")
    assert parsing.parse_decimal("1,5") == 1.5
    assert parsing.parse_year(1965.0) == 1965
    with pytest.raises(ParseError):
        parsing.parse_year("65")


NAMES = {"östersund": "2380", "åre": "2321"}
COUNTIES = frozenset({"23"})
LISTED = frozenset({"2380", "2321"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2380", "2380"), ("2380 Östersund", "2380"), ("ÅRE", "2321"), (2380, "2380")],
)
def test_municipality(value: object, expected: str) -> None:
    assert parsing.parse_municipality(value, NAMES, COUNTIES, LISTED) == expected


@pytest.mark.parametrize("value", ["2399", "0180", "Stockholm", "238"])
def test_unknown_municipality(value: str) -> None:
    with pytest.raises(ParseError):
        parsing.parse_municipality(value, NAMES, COUNTIES, LISTED)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("56100", "56100"), ("56.10", "5610"), ("56", "56"), ("01.110", "01110"), (56100, "56100")],
)
def test_sni_codes(value: object, expected: str) -> None:
    assert parsing.parse_sni(value, frozenset({"01", "56"})) == expected


@pytest.mark.parametrize("value", ["4", "561000", "5x", "99"])
def test_bad_sni_codes(value: str) -> None:
    with pytest.raises(ParseError):
        parsing.parse_sni(value, frozenset({"01", "56"}))


@pytest.mark.parametrize("value", [math.inf, -math.inf])
def test_infinite_numeric_cells_are_parse_errors(value: float) -> None:
    # An XLSX cell can hold an infinite float; it must be a quarantined value, not a crash.
    for parse in (
        parsing.parse_assessment,
        lambda v: parsing.parse_sni(v, frozenset({"01", "56"})),
        lambda v: parsing.parse_municipality(v, NAMES, COUNTIES, LISTED),
    ):
        with pytest.raises(ParseError):
            parse(value)


# --- cleaning of text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("A\u030are", "Åre"),  # decomposed letters are composed (NFC)
        (" Investeringsstöd\u200b", "Investeringsstöd"),  # zero-width space
        ("\u202eInvesteringsstöd", "Investeringsstöd"),  # right-to-left override
        ("Aktie\ufffebolag", "Aktiebolag"),  # a non-character XML refuses
        ("Aktie\u00adbolag", "Aktiebolag"),  # soft hyphen
        ("Rad ett\r\nrad två\tmed\u00a0tabb", "Rad ett rad två med tabb"),
        ("\x1b[31mröd\x07\x00", "[31mröd"),  # ANSI escape, bell and NUL
        ("a\u200b\u0301", "á"),  # removed before NFC, so the accent still composes
        ("\ufeff\u2066x\u2069", "x"),  # byte-order mark and bidi isolates
        ("  ", ""),
    ],
)
def test_clean_text_examples(raw: str, clean: str) -> None:
    assert parsing.clean_text(raw) == clean


# Every code point, surrogates and non-characters included (st.text() leaves surrogates out).
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()))


@given(ANY_TEXT)
def test_clean_text_is_idempotent_nfc_and_visible(text: str) -> None:
    import unicodedata

    cleaned = parsing.clean_text(text)
    assert parsing.clean_text(cleaned) == cleaned
    assert unicodedata.is_normalized("NFC", cleaned)
    assert not [c for c in cleaned if unicodedata.category(c) in ("Cc", "Cf", "Cs")]
    assert not [c for c in cleaned if parsing.is_noncharacter(c)]
    assert cleaned == cleaned.strip() and "  " not in cleaned
    assert all(c == " " or not c.isspace() for c in cleaned)


@given(ANY_TEXT, st.integers(0, 50))
def test_cut_text_stays_within_the_limit(text: str, limit: int) -> None:
    cut = parsing.cut_text(parsing.clean_text(text), limit)
    assert len(cut) <= limit
    assert parsing.clean_text(text).startswith(cut)


@pytest.mark.parametrize(
    "text",
    ["\u00a0", "\u2060", "\ufeff", "\u061c", "\U000e0001", "\U0001fffe", "\ufdd0", "\x85"],
)
def test_only_whitespace_or_invisible_is_missing(text: str) -> None:
    assert parsing.normalise_text(text) is None


def test_labels_match_case_insensitively_after_cleaning() -> None:
    labels = {parsing.normalise_header("Investeringsstöd"): "investment"}
    for spelling in ("Investeringsstöd", "investeringsstöd", " Investeringsstöd\u200b"):
        assert parsing.parse_code(spelling, labels) == "investment", spelling
    assert parsing.parse_code("INVESTERINGSSTO\u0308D", labels) == "investment"
    assert parsing.normalise_header("Stödtyp\u200b") == parsing.normalise_header("stödtyp")


def test_free_text_is_cleaned_not_refused() -> None:
    assert parsing.parse_text("Projekt\x07 i\u202e länet") == "Projekt i länet"
    assert parsing.parse_text("\u200b") is None


def test_an_identifier_is_kept_exactly_or_refused() -> None:
    assert parsing.parse_identifier(" 2016-0001 ") == "2016-0001"
    assert parsing.parse_identifier("Uppgift saknas") is None
    with pytest.raises(ParseError, match=r"invisible character \(U\+200B\)"):
        parsing.parse_identifier("2016-0001\u200b")
    with pytest.raises(ParseError, match="101 characters, more than the 100 allowed"):
        parsing.parse_identifier("9" * 101, max_chars=100)

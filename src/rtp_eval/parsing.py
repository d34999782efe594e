"""Parsers for single cell values as Swedish exports write them (contract §1.2 and §1.6).

Every parser takes the raw cell (a string from a CSV, or whatever openpyxl returns for an XLSX
cell), returns the parsed value or `None` for a missing value, and raises `ParseError` with a
plain-language reason when the value cannot be understood. They are pure and cheap, so the
validator can apply them to the distinct values of a column only.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

MISSING_TOKENS = frozenset({"", "-", "–", "—", "uppgift saknas"})

_SPACES = "\u00a0\u202f\u2009 "
_CURRENCY_SUFFIX = re.compile(r"\s*(kr\.?|sek|:-)\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?\d+(?:,\d+)?$")
_GROUPED = re.compile(r"^\d{1,3}(?:(?P<sep>[ .])\d{3})(?:(?P=sep)\d{3})*$")
_YYMMDD = re.compile(r"^\d{6}$")
_YYYYMMDD = re.compile(r"^\d{8}$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_ORG_ID_CHARS = re.compile(r"^\d{6}(?:\d{2})?[-+]?\d{4}$")
_ASSESSMENT = re.compile(r"^([0-9])(?:\s*[-–:.]\s*.*|\s+.*)?$", re.DOTALL)
_SNI = re.compile(r"^\d{2}(?:\.?\d{1,3})?$")
# 10**18 kronor or people is beyond any real amount or count (and beyond a 64-bit integer).
_MAX_WHOLE_DIGITS = 18
# Removed from every text cell: control characters (C0 and C1), format characters (zero-width
# spaces and joiners, soft hyphens, bidirectional overrides such as U+202E, byte-order marks) and
# surrogates. They are invisible, can make one label look like another or reorder what a reader
# sees, and several of them are not allowed in XML, so a cell holding one would stop the XLSX
# and HTML writers.
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
# Excel writes these into a cell whose formula failed; they are not the cell's content.
EXCEL_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)


class ParseError(ValueError):
    """A value that cannot be understood; the message is the reason shown to the user.

    `code` names the kind of problem (a quarantine reason code, see `validation.REASONS`).
    """

    def __init__(self, message: str, code: str = "unparseable") -> None:
        super().__init__(message)
        self.code = code


def is_noncharacter(char: str) -> bool:
    """One of the 66 code points Unicode reserves as never being a character (e.g. U+FFFE)."""
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def is_removed(char: str) -> bool:
    """A character `clean_text` drops (whitespace is kept, as a space)."""
    if char.isspace():
        return False
    return unicodedata.category(char) in _REMOVED_CATEGORIES or is_noncharacter(char)


def removed_characters(text: str) -> list[str]:
    """The invisible characters of `text` that `clean_text` removes, in order."""
    if text.isprintable():  # checked in C: no control, format, surrogate or unassigned character
        return []
    return [char for char in text if is_removed(char)]


def clean_text(text: str) -> str:
    """Text as every output can hold it: Unicode NFC, with no control, format, surrogate or
    non-characters, every kind of whitespace (tab, line break, non-breaking space) as one space,
    and trimmed.

    Idempotent. Removal comes before NFC, since a removed zero-width character between a letter
    and its accent would otherwise keep them from composing.
    """
    if _is_clean(text):
        return text
    kept = "".join(" " if char.isspace() else char for char in text if not is_removed(char))
    return " ".join(unicodedata.normalize("NFC", kept).split())


def _is_clean(text: str) -> bool:
    """Already what `clean_text` returns: checked in C, since most cells are (and the import
    cleans every one). A printable string has no control, format, surrogate or unassigned
    character and no whitespace but the plain space."""
    return (
        text.isprintable()
        and not text.startswith(" ")
        and not text.endswith(" ")
        and "  " not in text
        and unicodedata.is_normalized("NFC", text)
    )


def cut_text(text: str, limit: int) -> str:
    """Clean text cut to at most `limit` characters (without a trailing space)."""
    return text[:limit].rstrip()


def normalise_text(value: object) -> str | None:
    """The cell as clean text (`clean_text`), or None when it holds a missing-value marker."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = clean_text(str(value))
    if text.casefold() in MISSING_TOKENS:
        return None
    return text


def parse_text(value: object) -> str | None:
    """A free-text value, cleaned (`clean_text`): invisible characters are removed."""
    return normalise_text(value)


def parse_identifier(value: object, max_chars: int | None = None) -> str | None:
    """An identifier such as a case id: kept exactly, so an invisible character in it is an
    error rather than silently removed (two ids that look alike must be told apart in the
    case system), and so is an id longer than `max_chars`."""
    if isinstance(value, str) and (removed := removed_characters(value)):
        raise ParseError(
            f"the identifier contains an invisible character ({codepoint(removed[0])})"
        )
    text = normalise_text(value)
    if text is not None and max_chars is not None and len(text) > max_chars:
        raise ParseError(
            f"the identifier has {len(text)} characters, more than the {max_chars} allowed"
        )
    return text


def codepoint(char: str) -> str:
    """`U+200B`: how a message names an invisible character."""
    return f"U+{ord(char):04X}"


def normalise_header(header: object) -> str:
    """Key for matching headers and labels: cleaned (`clean_text`), then case-folded, so that
    `Investeringsstöd`, `investeringsstöd` and ` Investeringsstöd\\u200b` are one label."""
    return clean_text("" if header is None else str(header)).casefold()


def parse_number(value: object) -> Decimal | None:
    """A Swedish-formatted number: decimal comma, thousands by space, NBSP or '.', 'kr' suffix.

    A single '.' followed by exactly three digits is read as a thousands separator (Swedish
    usage: `1.500` is one thousand five hundred); any other single '.' is a decimal point, as
    written by systems that export with English conventions.
    """
    if isinstance(value, bool):
        raise ParseError(f"expected a number, found {value!r}")
    if isinstance(value, int):
        return _bounded(Decimal(value), value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            raise ParseError("expected a number, found infinity")
        return _bounded(Decimal(repr(value)), value)
    if isinstance(value, Decimal):
        return _bounded(value, value)
    text = normalise_text(value)
    if text is None:
        return None
    compact = _CURRENCY_SUFFIX.sub("", text)
    sign = ""
    if compact and compact[0] in "+-−":
        sign = "-" if compact[0] in "-−" else ""
        compact = compact[1:].lstrip(_SPACES)
    integer, comma, fraction = compact.partition(",")
    if not comma and integer.count(".") == 1 and not re.search(r"\.\d{3}$", integer):
        integer, _, fraction = integer.partition(".")
        comma = ","
    integer = _ungroup(integer, original=text)
    candidate = f"{integer}{comma}{fraction}"
    if not _NUMBER.match(candidate):
        raise ParseError(f"expected a number (e.g. '1 394 300,50'), found '{shown(text)}'")
    return _bounded(Decimal(sign + candidate.replace(",", ".")), text)


def _bounded(number: Decimal, original: object) -> Decimal:
    """The number, unless it has more whole digits than any amount or count can have."""
    if number.is_finite() and number != 0 and number.adjusted() >= _MAX_WHOLE_DIGITS:
        raise ParseError(
            f"the number is too large to be an amount or a count, found '{shown(original)}'"
        )
    return number


def shown(value: object, limit: int = 60) -> str:
    """A value as quoted in a message: long values are cut, with their length stated."""
    text = str(value)
    if len(text) <= limit:
        return text
    return f"{text[: limit // 2]}… ({len(text)} characters)"


def _ungroup(integer: str, *, original: str) -> str:
    """Remove thousands separators, which must split the digits into groups of three."""
    unified = integer
    for space in _SPACES:
        unified = unified.replace(space, " ")
    if " " not in unified and "." not in unified:
        return unified
    if not _GROUPED.match(unified):
        raise ParseError(f"expected a number (e.g. '1 394 300,50'), found '{original}'")
    return unified.replace(" ", "").replace(".", "")


def round_kronor(amount: Decimal) -> int:
    """Whole kronor, rounding half away from zero as in accounting."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_amount(value: object) -> int | None:
    """A sum of money in whole kronor; negative values are a parse error (amounts are >= 0)."""
    number = parse_number(value)
    if number is None:
        return None
    if number < 0:
        raise ParseError(
            f"amount must not be negative, found '{normalise_text(value)}'", "negative_value"
        )
    return round_kronor(number)


def parse_count(value: object) -> int | None:
    """A whole number of people or units, >= 0."""
    number = parse_number(value)
    if number is None:
        return None
    if number < 0:
        raise ParseError(
            f"expected a count of zero or more, found '{normalise_text(value)}'", "negative_value"
        )
    if number != number.to_integral_value():
        raise ParseError(f"expected a whole number, found '{normalise_text(value)}'")
    return int(number)


def parse_decimal(value: object) -> float | None:
    """A non-negative quantity that may have decimals (expected full-time jobs)."""
    number = parse_number(value)
    if number is None:
        return None
    if number < 0:
        raise ParseError(
            f"expected zero or more, found '{normalise_text(value)}'", "negative_value"
        )
    return float(number)


def parse_percent(value: object) -> float | None:
    """A percentage 0-100, with or without a '%' sign."""
    if isinstance(value, str):
        value = value.strip(_SPACES).removesuffix("%")
    number = parse_number(value)
    if number is None:
        return None
    if not Decimal(0) <= number <= Decimal(100):
        raise ParseError(f"expected a percentage between 0 and 100, found '{value}'")
    return float(number)


def parse_year(value: object) -> int | None:
    """A calendar year written with four digits."""
    number = parse_number(value)
    if number is None:
        return None
    if number != number.to_integral_value() or not 1900 <= number <= 2100:
        raise ParseError(f"expected a four-digit year, found '{normalise_text(value)}'")
    return int(number)


def parse_date(value: object) -> dt.date | None:
    """A date as `2016-11-01`, `20161101`, `161101` (YYMMDD, 20YY) or an Excel date cell."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _excel_serial_date(value)
    text = normalise_text(value)
    if text is None:
        return None
    if match := _ISO_DATE.match(text):
        parts = match.group(1), match.group(2), match.group(3)
    elif _YYYYMMDD.match(text):
        parts = text[:4], text[4:6], text[6:]
    elif _YYMMDD.match(text):
        parts = "20" + text[:2], text[2:4], text[4:]
    else:
        raise ParseError(
            f"expected a date as YYYY-MM-DD, YYYYMMDD or YYMMDD, found '{shown(text)}'"
        )
    year, month, day = (int(p) for p in parts)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ParseError(f"no such date: '{text}'", "invalid_date") from None


def _excel_serial_date(serial: float) -> dt.date:
    """An Excel serial day number (a date cell that lost its date format)."""
    if math.isnan(serial) or not 1 <= serial < 2958466 or serial != int(serial):
        raise ParseError(f"expected a date, found the number {serial!r}")
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_code(value: object, labels: Mapping[str, str]) -> str | None:
    """Map an export label (matched case-insensitively) to its code."""
    text = normalise_text(value)
    if text is None:
        return None
    try:
        return labels[normalise_header(text)]
    except KeyError:
        raise ParseError(f"unknown code '{shown(text)}'", "unknown_code") from None


def parse_boolean(value: object) -> bool | None:
    """Ja/Nej (also J/N, Yes/No, true/false, 1/0)."""
    if isinstance(value, bool):
        return value
    text = normalise_text(value)
    if text is None:
        return None
    key = text.casefold()
    if key in {"ja", "j", "yes", "y", "true", "sant", "1"}:
        return True
    if key in {"nej", "n", "no", "false", "falskt", "0"}:
        return False
    raise ParseError(f"expected Ja or Nej, found '{text}'")


def parse_assessment(value: object) -> int | None:
    """The horizontal-criterion level 0-3, as a digit optionally followed by its label."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and math.isnan(value):
            return None
        level = int(value) if math.isfinite(value) and value == int(value) else -1
    else:
        text = normalise_text(value)
        if text is None:
            return None
        match = _ASSESSMENT.match(text)
        level = int(match.group(1)) if match else -1
    if not 0 <= level <= 3:
        raise ParseError(
            f"expected a level 0-3 (e.g. '2 - Integrerat'), found '{value}'", "unknown_code"
        )
    return level


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check used by Swedish organisation and personal identity numbers."""
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def parse_org_id(value: object) -> str | None:
    """A Swedish organisation or personal identity number, normalised to its 10 digits.

    Accepts `556677-8899`, `5566778899`, `16556677-8899` and personal identity numbers with or
    without century (`19640823-3234`, `640823-3234`, `640823+3234`); the check digit must be
    valid. The 10-digit form makes different spellings of one identifier pseudonymise alike.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:010d}"
    text = normalise_text(value)
    if text is None:
        return None
    compact = "".join(text.split())
    if not _ORG_ID_CHARS.match(compact):
        raise ParseError(
            "expected an organisation or personal identity number (NNNNNN-NNNN)", "invalid_org_id"
        )
    digits = compact.replace("-", "").replace("+", "")
    if len(digits) == 12:
        if digits[:2] not in {"16", "18", "19", "20"}:
            raise ParseError(
                "a 12-digit identity number must start with 16, 18, 19 or 20", "invalid_org_id"
            )
        digits = digits[2:]
    if not luhn_valid(digits):
        raise ParseError(
            "the check digit of the organisation/identity number is wrong", "invalid_org_id"
        )
    return digits


def parse_municipality(
    value: object,
    names: Mapping[str, str],
    county_codes: frozenset[str],
    listed_codes: frozenset[str] = frozenset(),
) -> str | None:
    """A 4-digit municipality code (leading zero may be lost in XLSX) or a municipality name.

    The code must lie in one of the region's counties; where the reference lists the
    municipalities of that county, it must also be one of them.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and (not math.isfinite(value) or value != int(value)):
            raise ParseError(f"expected a municipality code, found {value!r}")
        value = f"{int(value):04d}"
    text = normalise_text(value)
    if text is None:
        return None
    code = text.partition(" ")[0]
    if code.isdigit():
        if len(code) != 4:
            raise ParseError(f"expected a 4-digit municipality code, found '{text}'")
        if code[:2] not in county_codes:
            raise ParseError(
                f"municipality code '{code}' is not in a county of the region", "unknown_code"
            )
        if code not in listed_codes and any(c[:2] == code[:2] for c in listed_codes):
            raise ParseError(f"unknown municipality code '{code}'", "unknown_code")
        return code
    try:
        return names[normalise_header(text)]
    except KeyError:
        raise ParseError(f"unknown municipality '{text}'", "unknown_code") from None


def parse_sni(value: object, divisions: frozenset[str]) -> str | None:
    """An SNI 2007 code (2-5 digits, dots allowed), normalised to its digits."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and (not math.isfinite(value) or value != int(value)):
            raise ParseError(f"expected an SNI code, found {value!r}")
        # A numeric cell loses the leading zero of divisions 01-09; only a lone digit is
        # unambiguous (`1` is division 01), longer numbers are taken as written.
        value = str(int(value)).zfill(2)
    text = normalise_text(value)
    if text is None:
        return None
    if not _SNI.match(text):
        raise ParseError(f"expected an SNI 2007 code of 2-5 digits, found '{text}'")
    digits = text.replace(".", "")
    if digits[:2] not in divisions:
        raise ParseError(f"unknown SNI 2007 division '{digits[:2]}'", "unknown_code")
    return digits

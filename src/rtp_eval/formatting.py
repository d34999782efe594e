"""Swedish number and date formatting for reports (Babel, locale sv_SE)."""

from __future__ import annotations

import datetime as dt
import math
import numbers
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "sv_SE"
SUPPRESSED = ".."


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is _NA


try:
    from pandas import NA as _NA
except ImportError:  # pragma: no cover - pandas is a dependency
    _NA = object()


def to_float(value: object) -> float:
    """A table cell's number (Python, numpy or Decimal, or its text) as a float."""
    if isinstance(value, (numbers.Real, Decimal, str)):
        return float(value)
    raise TypeError(f"not a number: {value!r}")


def _decimal_input(value: object) -> int | float | Decimal | str:
    """What Babel formats, keeping integers whole (numpy's are not Python ints)."""
    if isinstance(value, (int, float, Decimal, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    return to_float(value)


def number(value: object, decimals: int = 0) -> str:
    """`1 394 300` (non-breaking space as thousands separator); `..` for a missing value."""
    if is_missing(value):
        return SUPPRESSED
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(_decimal_input(value), format=pattern, locale=LOCALE)


def kronor(value: object) -> str:
    """`1 394 300 kr`."""
    return SUPPRESSED if is_missing(value) else f"{number(value)}\u00a0kr"


def percent(share: object, decimals: int = 1) -> str:
    """A share 0-1 as `12,5 %`."""
    if is_missing(share):
        return SUPPRESSED
    return f"{number(to_float(share) * 100, decimals)}\u00a0%"


def long_date(value: dt.date) -> str:
    """`28 november 2026`."""
    return format_date(value, format="d MMMM y", locale=LOCALE)

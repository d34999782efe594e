"""Fuzzing the readers and the whole import: a result or the documented InputFileError only.

The number of examples each test ran is printed (`pytest -s`) and recorded as a test property.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from rtp_eval.config import classification_settings, validation_settings
from rtp_eval.errors import InputFileError
from rtp_eval.importing import import_file
from rtp_eval.pseudonymise import DEMO_KEY
from rtp_eval.reading import read_raw_file
from tests.data.bad.make_corpus import B_GOOD, B_HEADER, b_table, csv_text, xlsx_bytes

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    # `counter` is meant to persist across examples: it counts them.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
AS_OF = dt.date(2020, 1, 1)

CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "-",
            "Uppgift saknas",
            "Beviljat",
            "Avslag",
            "Återtaget",
            "Regionalt investeringsstöd",
            "Transportbidrag",
            "556036-0793",
            "5568871239",
            "19811218-9876",
            "556036-0794",
            "2380",
            "Östersund",
            "9999",
            "2016-03-01",
            "160231",
            "20161231",
            "2099-01-01",
            "1 394 300,50 kr",
            "1.500",
            "-5",
            "1e15",
            "9" * 30,
            "Kvinna",
            "M",
            "56.10",
            "=1+1",
            "<script>x</script>",
            '"',
            "\x1b",
            "\x00",
        ]
    ),
    st.text(max_size=30),
    st.integers(-(10**20), 10**20).map(str),
)
XLSX_CELLS = st.one_of(
    CELLS.filter(lambda v: not any(0 < ord(c) < 32 and c not in "\t\n\r" for c in v)).map(
        lambda v: v.replace("\x00", "")
    ),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=True, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2200, 1, 1)),
    st.none(),
)


class Counter:
    def __init__(self, name: str, record_property: Any) -> None:
        self.name, self.record, self.examples, self.errors = name, record_property, 0, 0

    def ran(self, outcome: str) -> None:
        self.examples += 1
        self.errors += outcome == "error"

    def report(self) -> None:
        print(f"\n{self.name}: {self.examples} examples, {self.errors} InputFileError")
        self.record("examples", self.examples)
        assert self.examples > 0


@pytest.fixture
def counter(request: pytest.FixtureRequest, record_property: Any) -> Any:
    found = Counter(request.node.name, record_property)
    yield found
    found.report()


def _import(data: bytes, suffix: str, reference: Any, config: dict[str, Any]) -> str:
    """Import the bytes as business support 2016: 'ok' or 'error' (InputFileError only)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"2016{suffix}"
        path.write_bytes(data)
        try:
            result = import_file(
                path,
                f"data/raw/business_support/2016{suffix}",
                "business_support",
                config["sources"]["business_support"]["columns"],
                reference,
                validation_settings(config, 2016, AS_OF),
                classification_settings(config),
                DEMO_KEY.encode(),
            )
        except InputFileError as error:
            assert error.user_message().startswith("Cannot import file data/raw/")
            return "error"
    quality = result.quality
    assert quality["rows_read"] == (
        quality["rows_accepted"] + quality["rows_quarantined"] + quality["rows_withdrawn"]
    )
    assert len(result.clean) + len(result.quarantine) == quality["rows_read"]
    assert "org_id" not in result.clean.columns
    return "ok"


def _read(data: bytes, suffix: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"2016{suffix}"
        path.write_bytes(data)
        try:
            table = read_raw_file(path, f"2016{suffix}")
        except InputFileError:
            return "error"
    assert len(table.rows) == len(table.row_numbers)
    assert table.row_numbers == sorted(set(table.row_numbers))
    return "ok"


@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_random_bytes_are_read_or_refused(data: bytes, suffix: str, counter: Counter) -> None:
    counter.ran(_read(data, suffix))


REQUIRED_COLUMNS = {
    "Ärendenummer",
    "Beslutsdatum",
    "Stödtyp",
    "Beslut",
    "Beviljat belopp",
    "Organisationsnummer",
    "Kommun",
}
OPTIONAL_COLUMNS = [h for h in B_HEADER if h not in REQUIRED_COLUMNS]
VALID_CSV = csv_text(B_HEADER, B_GOOD).encode("utf-8")


@FUZZ
@given(
    position=st.integers(0, len(VALID_CSV)),
    junk=st.binary(min_size=1, max_size=20),
    cut=st.booleans(),
)
def test_damaged_csv_exports_are_imported_or_refused(
    position: int, junk: bytes, cut: bool, counter: Counter, reference: Any, default_config: Any
) -> None:
    data = VALID_CSV[:position] + (b"" if cut else junk + VALID_CSV[position:])
    counter.ran(_import(data, ".csv", reference, default_config))


@FUZZ
@given(
    header=st.tuples(
        st.permutations(B_HEADER), st.sets(st.sampled_from(OPTIONAL_COLUMNS), max_size=4)
    ).map(lambda drawn: [h for h in drawn[0] if h not in drawn[1]]),
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=20), max_size=8),
    delimiter=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
)
def test_valid_looking_csv_is_imported_or_refused(
    header: list[str],
    rows: list[list[str]],
    delimiter: str,
    encoding: str,
    counter: Counter,
    reference: Any,
    default_config: Any,
) -> None:
    text = csv_text(header, [dict(zip(header, row, strict=False)) for row in rows], delimiter)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    counter.ran(_import(data, ".csv", reference, default_config))


@FUZZ
@given(
    rows=st.lists(st.lists(XLSX_CELLS, min_size=0, max_size=len(B_HEADER)), max_size=6),
    blank_rows=st.integers(0, 2),
)
def test_valid_looking_xlsx_is_imported_or_refused(
    rows: list[list[Any]], blank_rows: int, counter: Counter, reference: Any, default_config: Any
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    for _ in range(blank_rows):
        sheet.append([])
    sheet.append(B_HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    counter.ran(_import(buffer.getvalue(), ".xlsx", reference, default_config))


VALID_XLSX = xlsx_bytes(b_table(B_GOOD))


@FUZZ
@given(
    changes=st.lists(
        st.tuples(st.integers(0, len(VALID_XLSX) - 1), st.integers(0, 255)),
        min_size=1,
        max_size=8,
    ),
    cut=st.one_of(st.none(), st.integers(0, len(VALID_XLSX))),
)
def test_damaged_xlsx_is_imported_or_refused(
    changes: list[tuple[int, int]],
    cut: int | None,
    counter: Counter,
    reference: Any,
    default_config: Any,
) -> None:
    data = bytearray(VALID_XLSX)
    for position, value in changes:
        data[position] = value
    counter.ran(_import(bytes(data[:cut]), ".xlsx", reference, default_config))

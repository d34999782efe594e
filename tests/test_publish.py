"""The publishing bundle: CSV files that open right in Swedish Excel and a workbook that never
fails on text, both with every text cell inert (no formulas), numbers kept as numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from pathlib import Path

import pandas as pd
import pytest

from rtp_eval.errors import PublishError
from rtp_eval.io import read_table, write_csv
from rtp_eval.publish import (
    EXCEL_CELL_LIMIT,
    bundle_csv,
    check_excel_limits,
    workbook_bytes,
    xml_compatible,
)

TIMESTAMP = dt.datetime(2021, 12, 31)
HOSTILE = [
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    '=HYPERLINK("http://example.invalid","klicka")',
    "x;=4+4;",
    "\t=1+1",
    "a\ufffeb\x01c",
]
# A piece a spreadsheet would run: starts with a formula character and is not just a number.
FORMULA = re.compile(r"^\s*[=+\-@\t\r](?![0-9.,]+$)")


def published(tmp_path: Path) -> pd.DataFrame:
    """A published table as the bundle step reads it: written by `write_csv`, typed back."""
    n = len(HOSTILE)
    frame = pd.DataFrame(
        {
            "year": pd.array([2016] * n, dtype="Int64"),
            "support_type": pd.array(HOSTILE, dtype="string"),
            "classification": pd.array(["leadership"] * n, dtype="string"),
            "group": pd.array(["women", "men", "all", "women", "men", "all"], dtype="string"),
            "decisions": pd.array([12, 7, None, 3, 4, 5], dtype="Int64"),
            "approval_rate": pd.array([-0.5, 0.25, None, 1.0, 0.125, 0.0], dtype="Float64"),
            "suppressed": pd.array([False, False, True, False, False, False], dtype="boolean"),
        }
    )
    path = tmp_path / "business_support_by_gender.csv"
    write_csv(frame, path)
    return read_table(path, "business_support_by_gender")


def test_results_tables_keep_the_contract_format_with_text_neutralised(tmp_path: Path) -> None:
    table = published(tmp_path)
    text = (tmp_path / "business_support_by_gender.csv").read_text(encoding="utf-8")
    assert not text.startswith("\ufeff")
    assert text.splitlines()[0].split(",")[:3] == ["year", "support_type", "classification"]
    assert table["approval_rate"].tolist()[:2] == [-0.5, 0.25]
    assert table["decisions"].tolist()[:2] == [12, 7]
    for line in text.splitlines():
        for piece in re.split(r"[;,\t]", line):
            assert not FORMULA.match(piece.strip('"')), (line, piece)


def test_bundle_csv_opens_in_swedish_excel_with_numbers_and_inert_text(tmp_path: Path) -> None:
    text = bundle_csv(published(tmp_path))
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only with a byte order mark
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0] == [
        "year",
        "support_type",
        "classification",
        "group",
        "decisions",
        "approval_rate",
        "suppressed",
    ]
    assert [row[5] for row in rows[1:]] == ["-0,5", "0,25", "", "1", "0,125", "0"]
    assert [row[4] for row in rows[1:]] == ["12", "7", "", "3", "4", "5"]
    assert rows[4][1] == "x;'=4+4;"
    # However a spreadsheet splits the lines (`;` with or without quotes, `,`, tab), no piece
    # is a formula; negative numbers stay numbers.
    for line in text.splitlines():
        for piece in re.split(r"[;,\t]", line):
            assert not FORMULA.match(piece.strip('"')), (line, piece)
    back = pd.read_csv(
        io.StringIO(text.removeprefix("\ufeff")), sep=";", decimal=",", dtype={"year": str}
    )
    assert back["approval_rate"].tolist()[:2] == [-0.5, 0.25]


def test_workbook_never_fails_on_text_and_keeps_numbers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from openpyxl import load_workbook

    table = published(tmp_path)
    with caplog.at_level(logging.WARNING, logger="rtp_eval"):
        data = workbook_bytes({"business_support_by_gender": table}, {}, TIMESTAMP)
    assert any("XLSX" in record.getMessage() for record in caplog.records)
    sheet = load_workbook(io.BytesIO(data))["T01"]
    rows = [[cell for cell in row] for row in sheet.iter_rows(min_row=3)]
    labels = [row[1].value for row in rows]
    assert labels[0] == "'+cmd|' /C calc'!A0"
    assert labels[2].startswith("'=HYPERLINK")
    assert labels[3] == "x;'=4+4;"
    assert labels[5] == "abc"  # U+FFFE and the control character left out
    assert all(row[1].data_type == "s" for row in rows)
    assert [row[5].value for row in rows][:2] == [-0.5, 0.25]
    assert [row[4].value for row in rows][:2] == [12, 7]
    assert rows[2][4].value == ".."  # suppressed


def test_xml_compatible_keeps_ordinary_text() -> None:
    text = "Kvinnor, män & övriga – 50 % \U0001f600\t\n"
    assert xml_compatible(text) == text
    assert xml_compatible("a\ufffe\uffff\x00\x1f\ud800b") == "ab"


@pytest.mark.parametrize("length", [EXCEL_CELL_LIMIT, EXCEL_CELL_LIMIT + 1])
def test_text_too_long_for_excel_stops_the_bundle_with_a_clear_error(length: int) -> None:
    frame = pd.DataFrame(
        {
            "group": pd.array(["women", "x" * length], dtype="string"),
            "decisions": pd.array([1, 2], dtype="Int64"),
        }
    )
    tables = {"t": frame}
    if length <= EXCEL_CELL_LIMIT:
        check_excel_limits(tables)
        workbook_bytes(tables, {}, TIMESTAMP)
        return
    with pytest.raises(PublishError) as error:
        check_excel_limits(tables)
    message = str(error.value)
    assert "Tabellen t" in message and "kolumn group" in message and "rad 3" in message
    assert str(length) in message and "32767" in message.replace("\u00a0", "").replace(" ", "")
    with pytest.raises(PublishError):
        workbook_bytes(tables, {}, TIMESTAMP)


def test_the_apostrophe_counts_towards_the_limit() -> None:
    frame = pd.DataFrame({"group": pd.array(["=" + "x" * (EXCEL_CELL_LIMIT - 1)], "string")})
    with pytest.raises(PublishError):
        check_excel_limits({"t": frame})


def test_bundle_csv_reads_back_as_the_published_table(tmp_path: Path) -> None:
    table = published(tmp_path)
    path = tmp_path / "bundle" / "business_support_by_gender.csv"
    path.parent.mkdir()
    path.write_text(bundle_csv(table), encoding="utf-8")
    pd.testing.assert_frame_equal(read_table(path, "business_support_by_gender"), table)

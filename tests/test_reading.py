"""Reading CSV dialects and XLSX workbooks into raw rows."""

from __future__ import annotations

import codecs
import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from rtp_eval.errors import InputFileError
from rtp_eval.reading import ReadOptions, decode, detect_delimiter, read_raw_file

ROWS = "Ärendenummer;Beslutsdatum;Sökt belopp\nA-1;2016-03-01;1 394 300,50\nA-2;160302;Å\n"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (ROWS.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + ROWS.encode("utf-8"), "utf-8-sig"),
        (ROWS.encode("cp1252"), "cp1252"),
        (ROWS.encode("utf-16"), "utf-16"),
    ],
)
def test_encodings_are_detected(tmp_path: Path, data: bytes, encoding: str) -> None:
    table = read_raw_file(_write(tmp_path, "2016.csv", data), "2016.csv")
    assert table.encoding == encoding
    assert table.header == ["Ärendenummer", "Beslutsdatum", "Sökt belopp"]
    assert table.rows == [["A-1", "2016-03-01", "1 394 300,50"], ["A-2", "160302", "Å"]]
    assert table.row_numbers == [2, 3]


def test_undecodable_bytes_name_the_row(tmp_path: Path) -> None:
    data = b"a;b\n1;2\n" + b"3;\x81\x8d\n"
    with pytest.raises(InputFileError) as error:
        decode(data, "x.csv")
    assert error.value.row == 3
    assert "x.csv" in error.value.user_message()


def test_configured_encoding_wins(tmp_path: Path) -> None:
    path = _write(tmp_path, "2016.csv", ROWS.encode("cp1252"))
    with pytest.raises(InputFileError):
        read_raw_file(path, "2016.csv", ReadOptions(encoding="utf-8"))


@pytest.mark.parametrize(
    ("line", "expected"),
    [("a;b;c", ";"), ("a,b,c", ","), ("a\tb\tc", "\t"), ('"a;x",b,c', ",")],
)
def test_delimiter_detection(line: str, expected: str) -> None:
    assert detect_delimiter(line, "f.csv") == expected


@pytest.mark.parametrize("line", ["abc", "a;b,c"])
def test_ambiguous_or_missing_delimiter_is_an_error(line: str) -> None:
    with pytest.raises(InputFileError):
        detect_delimiter(line, "f.csv")


def test_quoted_fields_with_newlines_keep_spreadsheet_row_numbers(tmp_path: Path) -> None:
    text = 'id,title,amount\n1,"Two\nlines, and ""quotes""",5\n2,plain,6\n'
    table = read_raw_file(_write(tmp_path, "2016.csv", text.encode()), "2016.csv")
    assert table.rows[0][1] == 'Two\nlines, and "quotes"'
    assert table.row_numbers == [2, 3]


def test_blank_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    text = "\n\nid;x\n1;a\n;\n\n2;b\n"
    table = read_raw_file(_write(tmp_path, "2016.csv", text.encode()), "2016.csv")
    assert table.header == ["id", "x"]
    assert table.rows == [["1", "a"], ["2", "b"]]
    assert table.blank_rows_skipped == 2


@pytest.mark.parametrize("data", [b"", b"   \n\n", codecs.BOM_UTF8])
def test_empty_files_are_an_error(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(InputFileError) as error:
        read_raw_file(_write(tmp_path, "2016.csv", data), "2016.csv")
    assert "2016.csv" in error.value.user_message()


def test_unclosed_quote_is_a_clear_error(tmp_path: Path) -> None:
    data = b'id;x\n1;"open\n2;b\n'
    with pytest.raises(InputFileError) as error:
        read_raw_file(_write(tmp_path, "2016.csv", data), "2016.csv")
    assert "CSV" in error.value.problem


def _xlsx(rows: list[list[object]], leading_blank: int = 0, percent_cell: bool = False) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for _ in range(leading_blank):
        sheet.append([])
    for row in rows:
        sheet.append(row)
    if percent_cell:
        sheet.cell(row=leading_blank + 2, column=3).number_format = "0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_header_on_first_non_empty_row(tmp_path: Path) -> None:
    data = _xlsx(
        [["Ärendenummer", "Beslutsdatum", "Andel"], ["A-1", dt.datetime(2016, 3, 1), 0.45]],
        leading_blank=2,
        percent_cell=True,
    )
    table = read_raw_file(_write(tmp_path, "2016.xlsx", data), "2016.xlsx")
    assert table.format == "xlsx"
    assert table.header_row == 3
    assert table.row_numbers == [4]
    assert table.rows[0][1] == dt.datetime(2016, 3, 1)
    assert table.rows[0][2] == "45 %"


def test_corrupt_or_encrypted_xlsx(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as damaged:
        read_raw_file(_write(tmp_path, "2016.xlsx", b"PK\x03\x04garbage"), "2016.xlsx")
    assert "damaged" in damaged.value.problem
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100
    with pytest.raises(InputFileError) as encrypted:
        read_raw_file(_write(tmp_path, "2017.xlsx", ole), "2017.xlsx")
    assert "password" in encrypted.value.problem


def test_workbook_named_csv_and_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputFileError):
        read_raw_file(_write(tmp_path, "2016.csv", _xlsx([["a"], [1]])), "2016.csv")
    with pytest.raises(InputFileError):
        read_raw_file(_write(tmp_path, "2016.txt", b"a;b\n"), "2016.txt")


def test_missing_sheet_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, "2016.xlsx", _xlsx([["a"], [1]]))
    with pytest.raises(InputFileError) as error:
        read_raw_file(path, "2016.xlsx", ReadOptions(sheet="Blad9"))
    assert "Blad9" in error.value.problem


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    import os

    path = _write(tmp_path, "2016.csv", ROWS.encode())
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who can read any file (root)")
        with pytest.raises(InputFileError) as error:
            read_raw_file(path, "2016.csv")
        assert "cannot be opened" in error.value.problem
    finally:
        path.chmod(0o644)


def test_file_that_disappears_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as error:
        read_raw_file(tmp_path / "2016.csv", "2016.csv")
    assert "cannot be opened" in error.value.problem

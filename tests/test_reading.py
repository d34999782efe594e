"""Reading CSV dialects and XLSX workbooks into raw rows."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from rtp_eval.errors import InputFileError
from rtp_eval.reading import (
    HeaderSpec,
    ReadLimits,
    ReadOptions,
    _contains,
    decode,
    detect_delimiter,
    first_long_line,
    read_raw_file,
)

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


# --- the header row: title rows above it, found by its names or set in config ------------------

SPEC = HeaderSpec(
    required={"case_id": ("Ärendenummer", "case_id"), "decision_date": ("Beslutsdatum",)},
    config_key="sources: business_support: columns",
)
TITLE = "Utdrag ur ärendehanteringssystemet, Region Jämtland Härjedalen, 2016-11-01"


def _xlsx_rows(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_two_title_rows(tmp_path: Path) -> None:
    data = _xlsx_rows(
        [
            [TITLE],
            ["Beslutade företagsstöd 2016"],
            ["Ärendenummer", "Beslutsdatum", "Sökt belopp"],
            ["A-1", "2016-03-01", 10],
            [],
            ["A-2", "2016-03-02", 20],
        ]
    )
    table = read_raw_file(_write(tmp_path, "2016.xlsx", data), "2016.xlsx", spec=SPEC)
    assert (table.header_row, table.title_rows) == (3, 2)
    assert table.header == ["Ärendenummer", "Beslutsdatum", "Sökt belopp"]
    assert table.row_numbers == [4, 6] and table.blank_rows_skipped == 1


def test_xlsx_without_title_rows(tmp_path: Path) -> None:
    data = _xlsx_rows([["case_id", "Beslutsdatum"], ["A-1", "2016-03-01"]])
    table = read_raw_file(_write(tmp_path, "2016.xlsx", data), "2016.xlsx", spec=SPEC)
    assert (table.header_row, table.title_rows, table.row_numbers) == (1, 0, [2])


def test_csv_title_row_does_not_decide_the_delimiter(tmp_path: Path) -> None:
    """The title has two commas and no semicolon: the header row decides."""
    data = f"{TITLE}\n\n{ROWS}".encode()
    table = read_raw_file(_write(tmp_path, "2016.csv", data), "2016.csv", spec=SPEC)
    assert (table.header_row, table.title_rows, table.delimiter) == (3, 1, "semicolon")
    assert table.row_numbers == [4, 5]
    assert table.rows[0] == ["A-1", "2016-03-01", "1 394 300,50"]


def test_header_row_setting_overrides_the_search(tmp_path: Path) -> None:
    # Row 2 names the columns too, but the configured row 3 is the header.
    text = f"{TITLE}\nÄrendenummer;Beslutsdatum\n{ROWS}"
    path = _write(tmp_path, "2016.csv", text.encode())
    assert read_raw_file(path, "2016.csv", spec=SPEC).header_row == 2
    table = read_raw_file(path, "2016.csv", ReadOptions(header_row=3), SPEC)
    assert (table.header_row, table.title_rows) == (3, 2)
    assert table.header == ["Ärendenummer", "Beslutsdatum", "Sökt belopp"]
    assert table.row_numbers == [4, 5]
    xlsx = _write(tmp_path, "2017.xlsx", _xlsx_rows([["x"], ["Ärendenummer"], ["A-1"]]))
    table = read_raw_file(xlsx, "2017.xlsx", ReadOptions(header_row=2))
    assert (table.header, table.row_numbers, table.title_rows) == (["Ärendenummer"], [3], 1)


@pytest.mark.parametrize(
    ("header_row", "row", "words"),
    [
        (2, 2, "header row set in config (files: ... header_row) is empty"),
        (9, None, "ends at row 5"),
    ],
)
def test_header_row_setting_on_an_empty_or_missing_row(
    tmp_path: Path, header_row: int, row: int | None, words: str
) -> None:
    path = _write(tmp_path, "2016.csv", f"{TITLE}\n\n{ROWS}".encode())
    with pytest.raises(InputFileError) as error:
        read_raw_file(path, "2016.csv", ReadOptions(header_row=header_row, delimiter=";"), SPEC)
    assert error.value.row == row and words in error.value.problem
    assert "header_row" in (error.value.hint or "")


def test_no_header_among_the_first_20_rows(tmp_path: Path) -> None:
    notes = "".join(f"Anteckning {n};;\n" for n in range(1, 21))
    path = _write(tmp_path, "2016.csv", (notes + ROWS).encode())
    with pytest.raises(InputFileError) as error:
        read_raw_file(path, "2016.csv", spec=SPEC)
    message = error.value.user_message()
    assert message.startswith("Cannot import file 2016.csv: no header row among rows 1-20")
    assert "'Ärendenummer' (case_id), 'Beslutsdatum' (decision_date)" in message
    assert "header_row" in message and "sources: business_support: columns" in message


def test_the_row_closest_to_a_header_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, "2016.xlsx", _xlsx_rows([[TITLE], ["Ärendenummer", "Datum"], ["A"]]))
    with pytest.raises(InputFileError) as error:
        read_raw_file(path, "2016.xlsx", spec=SPEC)
    assert error.value.row == 2
    assert error.value.problem == (
        "no header row among rows 1-3: required column(s) missing: 'Beslutsdatum' "
        "(decision_date) (row 2 comes closest)"
    )


def test_xlsx_with_a_wrong_declared_size_is_read_whole(tmp_path: Path) -> None:
    """Some programs write <dimension ref="A1"/>: every row is read all the same."""
    data = _xlsx_rows([["Ärendenummer", "Beslutsdatum"], ["A-1", "x"], ["A-2", "y"]])
    data = _patch_zip(
        data, "xl/worksheets/sheet1.xml", b'<dimension ref="A1:B3"/>', b'<dimension ref="A1"/>'
    )
    table = read_raw_file(_write(tmp_path, "2016.xlsx", data), "2016.xlsx", spec=SPEC)
    assert table.rows == [["A-1", "x"], ["A-2", "y"]]


def _patch_zip(data: bytes, member: str, old: bytes, new: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == member:
                assert old in content
                content = content.replace(old, new)
            target.writestr(info, content)
    return out.getvalue()


# --- limits ----------------------------------------------------------------------------------


def test_a_file_above_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "2016.csv", ROWS.encode() + b"A-3;2016-03-03;1\n" * 70_000)
    assert path.stat().st_size > 1024 * 1024
    with pytest.raises(InputFileError) as error:
        read_raw_file(path, "2016.csv", limits=ReadLimits(max_file_mb=1))
    assert error.value.problem == "the file is larger than the limit of 1 MB (2 MB)"
    assert "max_file_mb" in (error.value.hint or "")
    assert read_raw_file(path, "2016.csv").rows  # within the default limit


def test_an_xlsx_that_unpacks_beyond_the_limit_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openpyxl

    data = _xlsx_rows([["Ärendenummer", "Beslutsdatum"], ["A-1", "x"]])
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        target.writestr("xl/media/padding.bin", bytes(2 * 1024 * 1024))
    assert len(bomb.getvalue()) < 20_000

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook must not be parsed")

    path = _write(tmp_path, "2016.xlsx", bomb.getvalue())
    with monkeypatch.context() as patched:
        patched.setattr(openpyxl, "load_workbook", no_parsing)
        with pytest.raises(InputFileError) as error:
            read_raw_file(path, "2016.xlsx", limits=ReadLimits(max_xlsx_uncompressed_mb=1))
    assert "unpacks to more than the limit of 1 MB (3 MB)" in error.value.problem
    assert read_raw_file(path, "2016.xlsx").rows == [["A-1", "x"]]


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"", None),
        (b"a" * 10, None),
        (b"a" * 11, 1),
        (b"a" * 10 + b"\n" + b"b" * 10 + b"\n", None),
        (b"a\n" * 30 + b"c" * 11 + b"\nd\n", 31),
        (b"a" * 10 + b"\r\n", 1),  # the carriage return is a byte of the line
    ],
)
def test_first_long_line(data: bytes, line: int | None) -> None:
    assert first_long_line(data, 10) == line


def test_columns_beyond_the_limit_but_empty_do_not_count(tmp_path: Path) -> None:
    text = "Ärendenummer;Beslutsdatum" + ";" * 30 + "\nA-1;x" + ";" * 30 + "\n"
    path = _write(tmp_path, "2016.csv", text.encode())
    limits = ReadLimits(max_columns=5)
    assert read_raw_file(path, "2016.csv", spec=SPEC, limits=limits).row_numbers == [2]
    path.write_bytes((text + "A-2;y" + ";" * 10 + "z\n").encode())
    with pytest.raises(InputFileError) as error:
        read_raw_file(path, "2016.csv", spec=SPEC, limits=limits)
    assert error.value.row == 3 and "12 columns, more than the limit of 5" in error.value.problem


def test_formulas_are_found_across_read_pieces() -> None:
    for cut in range(1, 8):
        text = b"x" * (8 - cut) + b"<f>A1</f>" + b"y" * 8
        assert _contains(io.BytesIO(text), (b"<f>", b"<f "), chunk=8)
    assert not _contains(io.BytesIO(b"<v>1</v>" * 10), (b"<f>", b"<f "), chunk=8)

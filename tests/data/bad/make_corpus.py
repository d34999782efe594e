"""Write the corpus of bad input files, each with its expected outcome beside it.

    python tests/data/bad/make_corpus.py            # rewrite the corpus in this folder

Every case is a raw export for one source and decision year (2016 unless stated) and a
`<name>.expected.yaml` stating what importing it must give: either one clear error naming the
file (and, where it applies, the row and column), or the rows quarantined with their reason and
the reconciliation counts. The expectations are written here by hand, case by case; they are
never computed by running the import. Files that cannot sensibly be written by hand (XLSX with
merged cells or formulas, an OLE container, bytes in several encodings) are built here too, so
that the whole corpus is reproducible; tests/test_bad_inputs.py checks that the committed files
equal a fresh generation.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
XLSX_TIMESTAMP = dt.datetime(2016, 11, 1)
AS_OF_DATE = dt.date(2020, 1, 1)

B_HEADER = [
    "Ärendenummer",
    "Beslutsdatum",
    "Stödtyp",
    "Beslut",
    "Sökt belopp",
    "Beviljat belopp",
    "Organisationsnummer",
    "Kommun",
    "SNI",
    "Företagsform",
    "Insatsområde",
    "VD kön",
    "VD födelseår",
    "Ägare kvinnor",
    "Ägare män",
    "Nya jobb kvinnor",
    "Nya jobb män",
]
P_HEADER = [
    "Ärendenummer",
    "Beslutsdatum",
    "Beslut",
    "Sökt belopp",
    "Beviljat belopp",
    "Kommun",
    "Projektnamn",
    "Projektägare",
    "Organisationsnummer",
    "Organisationstyp",
    "Projektledare kön",
    "Jämställdhetsbedömning",
    "Rutin jämställdhet tillämpad",
    "Projektstart",
    "Projektslut",
]


O_HEADER = [
    "Organisation",
    "Ägarandel (%)",
    "Ägardirektiv jämställdhet",
    "Årsredovisning jämställdhet",
    "Deltagit i dialog",
    "Styrelse kvinnor",
    "Styrelse män",
    "VD kön",
]
EXPORT_TITLE = "Utdrag ur ärendehanteringssystemet, Region Jämtland Härjedalen, 2016-11-01"


def b_row(**changes: Any) -> dict[str, Any]:
    """A valid granted business support case; keyword arguments replace cells by header."""
    row: dict[str, Any] = dict(
        zip(
            B_HEADER,
            [
                "B-1",
                "2016-03-01",
                "Regionalt investeringsstöd",
                "Beviljat",
                "1 000 000",
                "800 000",
                "556036-0793",
                "2380",
                "56.10",
                "Aktiebolag",
                "Innovation och företagande",
                "Kvinna",
                "1975",
                "1",
                "0",
                "2",
                "0",
            ],
            strict=True,
        )
    )
    row.update({_header(key, B_HEADER): value for key, value in changes.items()})
    return row


def p_row(**changes: Any) -> dict[str, Any]:
    """A valid granted project support case; keyword arguments replace cells by header."""
    row: dict[str, Any] = dict(
        zip(
            P_HEADER,
            [
                "P-1",
                "2016-02-02",
                "Beviljat",
                "600 000",
                "500 000",
                "2380",
                "Kompetens i länet",
                "Region Jämtland Härjedalen",
                "212000-2411",
                "Region",
                "Kvinna",
                "2 - Integrerat",
                "Ja",
                "2016-03-01",
                "2018-02-28",
            ],
            strict=True,
        )
    )
    row.update({_header(key, P_HEADER): value for key, value in changes.items()})
    return row


_KEYS = {
    "case": "Ärendenummer",
    "date": "Beslutsdatum",
    "type": "Stödtyp",
    "decision": "Beslut",
    "applied": "Sökt belopp",
    "granted": "Beviljat belopp",
    "org": "Organisationsnummer",
    "municipality": "Kommun",
    "sni": "SNI",
    "form": "Företagsform",
    "area": "Insatsområde",
    "sex": "VD kön",
    "born": "VD födelseår",
    "owners_women": "Ägare kvinnor",
    "title": "Projektnamn",
    "owner_type": "Organisationstyp",
    "owner": "Projektägare",
    "assessment": "Jämställdhetsbedömning",
    "routine": "Rutin jämställdhet tillämpad",
    "start": "Projektstart",
    "end": "Projektslut",
}


def _header(key: str, header: Sequence[str]) -> str:
    name = _KEYS[key]
    assert name in header, (key, header)
    return name


# Three valid business cases (granted, rejected, withdrawn): rows 2-4 of every CSV built on them.
B_GOOD = [
    b_row(),
    b_row(
        case="B-2",
        date="2016-05-12",
        type="Transportbidrag",
        decision="Avslag",
        applied="300 000",
        granted="",
        org="5568871239",
        municipality="2309",
        sni="25110",
        sex="Man",
        born="1962",
    ),
    b_row(
        case="B-3",
        date="2016-09-30",
        type="Investeringsstöd",
        decision="Återtaget",
        applied="100 000",
        granted="",
        org="19811218-9876",
        municipality="Östersund",
        sni="47",
        sex="K",
        born="1981",
    ),
]
P_GOOD = [
    p_row(),
    p_row(
        case="P-2",
        date="2016-06-02",
        decision="Avslag",
        applied="400 000",
        granted="",
        municipality="2321",
        title="Turism",
        owner="Åre kommun",
        assessment="0",
        routine="Nej",
    ),
]


def counts(read: int, accepted: int, quarantined: int, withdrawn: int) -> dict[str, int]:
    return {
        "rows_read": read,
        "rows_accepted": accepted,
        "rows_quarantined": quarantined,
        "rows_withdrawn": withdrawn,
    }


def at_header(row: int, title_rows: int, rows: dict[str, int]) -> dict[str, int]:
    """Counts, and where the header was found below how many title rows."""
    return {**rows, "header_row": row, "title_rows": title_rows}


def b_counts(bad: int) -> dict[str, int]:
    """The three good business rows plus `bad` quarantined ones."""
    return counts(3 + bad, 2, bad, 1)


def p_counts(bad: int, accepted: int = 2) -> dict[str, int]:
    return counts(accepted + bad, accepted, bad, 0)


def q(row: int, column: str, reason_code: str) -> dict[str, Any]:
    return {"row": row, "column": column, "reason_code": reason_code}


def ci(row: int, column: str, issue_code: str) -> dict[str, Any]:
    """A cell issue of a kept row: the cell was blanked, cut, cleaned or recoded."""
    return {"row": row, "column": column, "issue_code": issue_code}


def err(message: str, row: int | None = None, column: str | None = None) -> dict[str, Any]:
    return {"row": row, "column": column, "message_contains": message}


# --- writers ------------------------------------------------------------------------------


def csv_text(
    header: Sequence[str], rows: Sequence[dict[str, Any]], delimiter: str = ";"
) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else row.get(h) for h in header])
    return buffer.getvalue()


def csv_bytes(
    header: Sequence[str],
    rows: Sequence[dict[str, Any]],
    delimiter: str = ";",
    encoding: str = "utf-8",
) -> bytes:
    return csv_text(header, rows, delimiter).encode(encoding)


def xlsx_bytes(
    rows: Sequence[Sequence[Any]],
    *,
    prepare: Callable[[Any], None] | None = None,
    patch: Callable[[str], str] | None = None,
) -> bytes:
    """A one-sheet workbook (deterministic bytes); `patch` rewrites the sheet's XML."""
    from openpyxl import Workbook

    from rtp_eval.io import normalise_xlsx

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Blad1"
    for row in rows:
        sheet.append(list(row))
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula stays text
    if prepare is not None:
        prepare(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = normalise_xlsx(buffer.getvalue(), XLSX_TIMESTAMP)
    if patch is not None:
        data = _patch_sheet(data, patch)
    return data


def _patch_sheet(data: bytes, patch: Callable[[str], str]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                patched = patch(content.decode("utf-8"))
                assert patched != content.decode("utf-8"), "the patch changed nothing"
                content = patched.encode("utf-8")
            target.writestr(info, content)
    return out.getvalue()


def b_table(rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
    return [B_HEADER, *[[row.get(h) for h in B_HEADER] for row in rows]]


# --- the cases ----------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    suffix: str
    data: bytes
    description: str
    expected: dict[str, Any]
    source: str = "business_support"
    year: int = 2016
    settings: dict[str, Any] = field(default_factory=dict)


def cases() -> list[Case]:
    found: list[Case] = []

    def add(
        name: str,
        suffix: str,
        data: bytes,
        description: str,
        *,
        error: dict[str, Any] | None = None,
        quarantine: list[dict[str, Any]] | None = None,
        rows: dict[str, int] | None = None,
        source: str = "business_support",
        settings: dict[str, Any] | None = None,
        cell_issues: list[dict[str, Any]] | None = None,
    ) -> None:
        expected: dict[str, Any] = {}
        if error is not None:
            expected["error"] = error
        else:
            assert quarantine is not None and rows is not None, name
            expected["quarantine"] = quarantine
            expected["counts"] = rows
            if cell_issues:
                expected["cell_issues"] = cell_issues
        found.append(
            Case(name, suffix, data, description, expected, source, settings=settings or {})
        )

    good = csv_text(B_HEADER, B_GOOD)
    good_lines = good.splitlines(keepends=True)

    # --- empty and truncated files -------------------------------------------------------
    add("empty", ".csv", b"", "A file of zero bytes.", error=err("the file is empty"))
    add(
        "whitespace_only",
        ".csv",
        b"  \r\n\t\n\n",
        "Only blanks and line breaks.",
        error=err("the file is empty"),
    )
    add(
        "bom_only",
        ".csv",
        codecs.BOM_UTF8 + b"\r\n",
        "A UTF-8 byte-order mark and a line break, nothing else.",
        error=err("the file is empty"),
    )
    add(
        "delimiters_only",
        ".csv",
        b";;;;\n;;;\n",
        "Rows of empty fields: no header.",
        error=err("the file has no header row"),
    )
    add(
        "header_only",
        ".csv",
        good_lines[0].encode(),
        "The header row and no data: a valid file with nothing to import.",
        quarantine=[],
        rows=counts(0, 0, 0, 0),
    )
    add(
        "truncated_mid_row",
        ".csv",
        (good + "B-4;2016-04-01;Regionalt inv").encode(),
        "The export was cut off in the middle of the last row (no quotes involved).",
        quarantine=[q(5, "", "wrong_field_count")],
        rows=b_counts(1),
    )
    project_good = csv_text(P_HEADER, P_GOOD)
    add(
        "truncated_in_quote",
        ".csv",
        (project_good + 'P-3;2016-07-01;Beviljat;100 000;90 000;2380;"Ett projekt som').encode(),
        "Cut off inside a quoted project title: the quote never closes.",
        error=err("the file is not valid CSV", row=4),
        source="project_support",
    )
    add(
        "truncated_utf8",
        ".csv",
        (good + "B-4;2016-04-01;Transportbidrag;Beviljat;100;100;5560360793;Ö").encode()[:-1],
        "A UTF-8 file cut off in the middle of the two bytes of 'Ö' on its last row.",
        error=err("not valid UTF-8", row=5),
    )

    # --- encodings -----------------------------------------------------------------------
    add(
        "cp1252_semicolon",
        ".csv",
        csv_bytes(B_HEADER, [*B_GOOD, b_row(case="B-4", date="2016-02-31")], encoding="cp1252"),
        "Windows-1252 (Excel on Swedish Windows) with a 31 February.",
        quarantine=[q(5, "Beslutsdatum", "invalid_date")],
        rows=b_counts(1),
    )
    add(
        "utf8_bom_tab",
        ".csv",
        codecs.BOM_UTF8
        + csv_bytes(B_HEADER, [*B_GOOD, b_row(case="B-4", org="556036-0794")], delimiter="\t"),
        "UTF-8 with BOM, tab-separated, with a Luhn-invalid organisation number.",
        quarantine=[q(5, "Organisationsnummer", "invalid_org_id")],
        rows=b_counts(1),
    )
    add(
        "utf16_bom_comma",
        ".csv",
        csv_text(B_HEADER, [*B_GOOD, b_row(case="B-4", type="Innovationscheck")], ",").encode(
            "utf-16"
        ),
        "UTF-16 with BOM (Excel 'Unicode text'), comma-separated, with an unknown support type.",
        quarantine=[q(5, "Stödtyp", "unknown_code")],
        rows=b_counts(1),
    )
    add(
        "utf16_without_bom",
        ".csv",
        good.encode("utf-16-le"),
        "UTF-16 without a byte-order mark: every other byte is zero.",
        error=err("UTF-16 without a byte-order mark"),
    )
    add(
        "mixed_encodings",
        ".csv",
        good.encode("utf-8")
        + csv_text(B_HEADER, [b_row(case="B-4", municipality="Åre")]).splitlines()[1].encode(
            "cp1252"
        )
        + b"\n",
        "Rows in UTF-8 followed by a row in Windows-1252 (two exports pasted together).",
        error=err("not valid UTF-8", row=5),
    )
    add(
        "invalid_bytes",
        ".csv",
        (good_lines[0] + good_lines[1]).encode("cp1252")
        + good_lines[2].encode("cp1252").replace(b"Transportbidrag", b"Transport\x81\x8d"),
        "Bytes that are neither UTF-8 nor Windows-1252 on row 3.",
        error=err("neither UTF-8 nor Windows-1252", row=3),
    )
    add(
        "binary_named_csv",
        ".csv",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(32, 48)),
        "A PNG image saved as .csv.",
        error=err("cannot find a column delimiter", row=1),
    )

    # --- delimiters, quotes and headers ----------------------------------------------------
    add(
        "mixed_delimiters",
        ".csv",
        (good + csv_text(B_HEADER, [b_row(case="B-4")], ",").splitlines()[1] + "\n").encode(),
        "A semicolon file with one row separated by commas.",
        quarantine=[q(5, "", "wrong_field_count")],
        rows=b_counts(1),
    )
    add(
        "ambiguous_delimiter",
        ".csv",
        "Ärendenummer;Beslutsdatum,Stödtyp\nB-1;2016-03-01,Övrigt\n".encode(),
        "The header has one ';' and one ','.",
        error=err("the delimiter is ambiguous", row=1),
    )
    add(
        "no_delimiter",
        ".csv",
        "Ärendenummer\nB-1\nB-2\n".encode(),
        "A single column: no delimiter to find.",
        error=err("cannot find a column delimiter", row=1),
    )
    add(
        "stray_quote",
        ".csv",
        (good + 'B-4;"2016-04-01"x;Övrigt;Beviljat;10;10;5560360793;2380;;;;;;;;;\n').encode(),
        "Text after a closing quote on row 5.",
        error=err("the file is not valid CSV", row=5),
    )
    add(
        "embedded_newlines_quotes",
        ".csv",
        csv_bytes(
            P_HEADER,
            [
                *P_GOOD,
                p_row(case="P-3", title='Två\nrader; med "citat"\r\noch ""dubbla"" tecken'),
                p_row(case="P-4", date="2016-13-01"),
            ],
        ),
        "A quoted title with line breaks, quotes and a delimiter; the row after it keeps its "
        "spreadsheet row number.",
        quarantine=[q(5, "Beslutsdatum", "invalid_date")],
        rows=p_counts(1, accepted=3),
        source="project_support",
    )
    header_dup = B_HEADER[:1] + B_HEADER
    add(
        "duplicated_header",
        ".csv",
        ";".join(header_dup).encode() + b"\n" + b"B-0;" + good_lines[1].encode(),
        "The column Ärendenummer appears twice.",
        error=err("both map to 'case_id'", row=1, column="Ärendenummer"),
    )
    add(
        "duplicated_header_alias",
        ".csv",
        good.replace("Kommun;", "Kommun;municipality_code;", 1)
        .replace("2380;", "2380;2380;", 1)
        .encode(),
        "Kommun and its canonical name municipality_code, both present.",
        error=err("both map to 'municipality_code'", row=1, column="municipality_code"),
    )
    add(
        "missing_required_column",
        ".csv",
        csv_bytes([h for h in B_HEADER if h != "Beslut"], B_GOOD),
        "No Beslut column.",
        error=err("required column(s) missing: 'Beslut' (decision)", row=1),
    )
    add(
        "missing_column_after_blank_lines",
        ".csv",
        b"\n;;\n" + csv_bytes([h for h in B_HEADER if h != "Kommun"], B_GOOD),
        "Two blank lines, then a header without Kommun: the error names the header's row (3).",
        error=err("required column(s) missing: 'Kommun' (municipality_code)", row=3),
    )
    add(
        "wrong_field_count",
        ".csv",
        (
            good
            + csv_text(B_HEADER, [b_row(case="B-4")]).splitlines()[1]
            + ";extra\n"
            + csv_text(B_HEADER, [b_row(case="B-5")]).splitlines()[1]
            + ";;;\n"
        ).encode(),
        "Row 5 has an extra non-empty field (quarantined); row 6 only trailing empty ones (fine).",
        quarantine=[q(5, "", "wrong_field_count")],
        rows=counts(5, 3, 1, 1),
    )
    add(
        "blank_rows",
        ".csv",
        ("\n\n" + good_lines[0] + "\n;;;\n" + "".join(good_lines[1:]) + "\n\n").encode(),
        "Blank lines and rows of empty fields are skipped, not counted as rows.",
        quarantine=[],
        rows=b_counts(0),
    )

    # --- numbers and amounts ----------------------------------------------------------------
    add(
        "numbers_as_text",
        ".csv",
        csv_bytes(
            B_HEADER,
            [
                *B_GOOD,
                b_row(case="B-4", applied="1.394.300,50 kr", granted="1\u00a0000\u00a0000 SEK"),
                b_row(case="B-5", applied="1394300:-", granted="1 394 300,49"),
                b_row(case="B-6", owners_women="två"),
            ],
        ),
        "Swedish number formats are read; a count written as a word is not.",
        quarantine=[q(7, "Ägare kvinnor", "unparseable")],
        rows=counts(6, 4, 1, 1),
    )
    add(
        "negative_amounts",
        ".csv",
        csv_bytes(
            B_HEADER,
            [
                *B_GOOD,
                b_row(case="B-4", applied="-5 000"),
                b_row(case="B-5", granted="\u2212300"),
                b_row(case="B-6", owners_women="-1"),
            ],
        ),
        "Negative amounts (hyphen and Unicode minus) and a negative count.",
        quarantine=[
            q(5, "Sökt belopp", "negative_value"),
            q(6, "Beviljat belopp", "negative_value"),
            q(7, "Ägare kvinnor", "negative_value"),
        ],
        rows=b_counts(3),
    )
    add(
        "absurd_amounts",
        ".csv",
        csv_bytes(
            B_HEADER,
            [
                *B_GOOD,
                b_row(case="B-4", applied="1 000 000 000 000 000"),
                b_row(case="B-5", applied="1e15"),
                b_row(case="B-6", applied="1" * 40),
                b_row(case="B-7", owners_women="9" * 20),
                b_row(case="B-8", applied="9" * 100_000),
            ],
        ),
        "1e15 kronor written out, in exponent form, with 40 digits and 100 000 digits, and a "
        "count too large for any register.",
        quarantine=[
            q(5, "Sökt belopp", "amount_implausible"),
            q(6, "Sökt belopp", "unparseable"),
            q(7, "Sökt belopp", "unparseable"),
            q(8, "Ägare kvinnor", "unparseable"),
            q(9, "Sökt belopp", "unparseable"),
        ],
        rows=b_counts(5),
    )
    add(
        "amount_rules",
        ".csv",
        csv_bytes(
            B_HEADER,
            [
                *B_GOOD,
                b_row(case="B-4", applied="100 000", granted="200 000"),
                b_row(case="B-5", decision="Avslag", granted="50 000"),
                b_row(case="B-6", granted="0"),
                b_row(case="B-7", granted=""),
            ],
        ),
        "Granted above applied, a rejected case with money, a granted case with 0 and with none.",
        quarantine=[
            q(5, "Beviljat belopp", "granted_exceeds_applied"),
            q(6, "Beviljat belopp", "not_granted_with_amount"),
            q(7, "Beviljat belopp", "granted_without_amount"),
            q(8, "Beviljat belopp", "missing_required"),
        ],
        rows=b_counts(4),
    )

    # --- dates ------------------------------------------------------------------------------
    add(
        "impossible_dates",
        ".csv",
        csv_bytes(
            B_HEADER,
            [
                *B_GOOD,
                b_row(case="B-4", date="31 februari 2016"),
                b_row(case="B-5", date="20160231"),
                b_row(case="B-6", date="160231"),
                b_row(case="B-7", date="2016-00-10"),
            ],
        ),
        "31 February in four spellings.",
        quarantine=[
            q(5, "Beslutsdatum", "unparseable"),
            q(6, "Beslutsdatum", "invalid_date"),
            q(7, "Beslutsdatum", "invalid_date"),
            q(8, "Beslutsdatum", "invalid_date"),
        ],
        rows=b_counts(4),
    )
    add(
        "future_and_other_year_dates",
        ".csv",
        csv_bytes(
            B_HEADER,
            [*B_GOOD, b_row(case="B-4", date="2099-01-01"), b_row(case="B-5", date="151231")],
        ),
        f"A decision dated after the as-of date ({AS_OF_DATE}) and one in 2015.",
        quarantine=[
            q(5, "Beslutsdatum", "date_in_future"),
            q(6, "Beslutsdatum", "date_outside_file_year"),
        ],
        rows=b_counts(2),
    )
    add(
        "project_dates",
        ".csv",
        csv_bytes(
            P_HEADER,
            [*P_GOOD, p_row(case="P-3", start="2017-01-01", end="2016-12-31")],
        ),
        "A project that ends before it starts.",
        quarantine=[q(4, "Projektslut", "project_end_before_start")],
        rows=p_counts(1),
        source="project_support",
    )

    # --- codes and identifiers --------------------------------------------------------------
    add(
        "unknown_codes",
        ".csv",
        csv_bytes(
            B_HEADER,
            [
                *B_GOOD,
                b_row(case="B-4", decision="Kanske"),
                b_row(case="B-5", municipality="9999"),
                b_row(case="B-6", municipality="Atlantis"),
                b_row(case="B-7", sni="00"),
                b_row(case="B-8", sex="X"),
            ],
        ),
        "Labels and codes that are in no code list.",
        quarantine=[
            q(5, "Beslut", "unknown_code"),
            q(6, "Kommun", "unknown_code"),
            q(7, "Kommun", "unknown_code"),
            q(8, "SNI", "unknown_code"),
            q(9, "VD kön", "unknown_code"),
        ],
        rows=b_counts(5),
    )
    add(
        "project_codes",
        ".csv",
        csv_bytes(
            P_HEADER,
            [
                *P_GOOD,
                p_row(case="P-3", assessment="5 - Okänt"),
                p_row(case="P-4", routine="Kanske"),
            ],
        ),
        "An equality level outside 0-3 and a routine answer that is neither Ja nor Nej.",
        quarantine=[
            q(4, "Jämställdhetsbedömning", "unknown_code"),
            q(5, "Rutin jämställdhet tillämpad", "unparseable"),
        ],
        rows=p_counts(2),
        source="project_support",
    )
    add(
        "luhn_invalid_identifiers",
        ".csv",
        csv_bytes(
            B_HEADER,
            [
                *B_GOOD,
                b_row(case="B-4", org="556036-0794"),
                b_row(case="B-5", org="21811218-9876"),
                b_row(case="B-6", org="55603607"),
                b_row(case="B-7", org="811218+9876"),
                b_row(case="B-8", org="16556036-0793"),
            ],
        ),
        "Wrong check digit, a wrong century and too few digits; the '+' and '16' forms of valid "
        "numbers are accepted.",
        quarantine=[
            q(5, "Organisationsnummer", "invalid_org_id"),
            q(6, "Organisationsnummer", "invalid_org_id"),
            q(7, "Organisationsnummer", "invalid_org_id"),
        ],
        rows=counts(8, 4, 3, 1),
    )
    add(
        "missing_required_values",
        ".csv",
        csv_bytes(
            B_HEADER,
            [
                *B_GOOD,
                b_row(case="B-4", date="Uppgift saknas"),
                b_row(case="B-5", org=""),
                b_row(case="B-6", municipality="-"),
                b_row(case="", date="2016-04-04"),
            ],
        ),
        "Required values given as 'Uppgift saknas', empty, '-' and an empty case id.",
        quarantine=[
            q(5, "Beslutsdatum", "missing_required"),
            q(6, "Organisationsnummer", "missing_required"),
            q(7, "Kommun", "missing_required"),
            q(8, "Ärendenummer", "missing_required"),
        ],
        rows=b_counts(4),
    )
    add(
        "duplicate_case_id",
        ".csv",
        csv_bytes(B_HEADER, [*B_GOOD, b_row(date="2016-10-10")]),
        "Case B-1 twice.",
        quarantine=[q(5, "Ärendenummer", "duplicate_case_id")],
        rows=b_counts(1),
    )
    add(
        "implausible_birth_years",
        ".csv",
        csv_bytes(
            B_HEADER,
            [*B_GOOD, b_row(case="B-4", born="2015"), b_row(case="B-5", born="19750")],
        ),
        "A CEO born the year before the decision, and a five-digit year.",
        quarantine=[
            q(5, "VD födelseår", "birth_year_implausible"),
            q(6, "VD födelseår", "unparseable"),
        ],
        rows=b_counts(2),
    )

    # --- untrusted text ---------------------------------------------------------------------
    long_text = ("Långt projektnamn " * 6000)[:100_000]
    add(
        "long_fields",
        ".csv",
        csv_bytes(
            P_HEADER,
            [*P_GOOD, p_row(case="P-3", title=long_text), p_row(case="P-4", date="9" * 100_000)],
        ),
        "A 100 000-character title (the row is kept, the title cut to 500 characters and the cut "
        "listed) and a 100 000-character date (quarantined).",
        quarantine=[q(5, "Beslutsdatum", "unparseable")],
        rows=p_counts(1, accepted=3),
        source="project_support",
        cell_issues=[ci(4, "Projektnamn", "too_long")],
    )
    add(
        "long_labels",
        ".csv",
        csv_bytes(
            P_HEADER,
            [
                *P_GOOD,
                p_row(case="P-" + "9" * 200),
                p_row(case="P-4", owner="Stiftelsen " + "x" * 40_000),
                p_row(case="P-5", owner_type="Kommun" * 6_000),
            ],
        ),
        "A 202-character case id (quarantined), a 40 011-character owner name (kept, cut to "
        "300 characters) and a 36 000-character owner type, longer than a spreadsheet cell holds "
        "(an unknown code).",
        quarantine=[q(4, "Ärendenummer", "unparseable"), q(6, "Organisationstyp", "unknown_code")],
        rows=p_counts(2, accepted=3),
        source="project_support",
        cell_issues=[ci(5, "Projektägare", "too_long")],
    )
    add(
        "control_characters",
        ".csv",
        csv_bytes(
            B_HEADER,
            [
                *B_GOOD,
                b_row(case="B-4", form="Aktiebolag\x1b[31m"),
                b_row(case="B-5", area="Tillgänglighet\x07"),
                b_row(case="B-6\x00"),
                b_row(case="B-7", form="Rad ett\nrad två\tmed tabb"),
            ],
        ),
        "An ANSI escape in a free-text field and a bell in a programme area are removed (the rows "
        "are kept and the cells listed); a NUL in a case id quarantines the row; a line break and "
        "a tab inside quotes become spaces.",
        quarantine=[q(7, "Ärendenummer", "unparseable")],
        rows=counts(7, 5, 1, 1),
        cell_issues=[
            ci(5, "Företagsform", "invisible_characters"),
            ci(6, "Insatsområde", "invisible_characters"),
        ],
    )
    add(
        "invisible_characters",
        ".csv",
        csv_bytes(
            B_HEADER,
            [
                *B_GOOD,
                b_row(case="B-4", type=" Investeringsstöd\u200b", form="Aktie\ufffebolag"),
                b_row(case="B-5", type="INVESTERINGSSTÖD", municipality="O\u0308stersund"),
                b_row(case="B-6", area="\u202eInnovation och företagande"),
                b_row(case="B-7\u200b"),
                b_row(case="B-8", decision="Bevilj\u00adat"),
            ],
        ),
        "A zero-width space, a right-to-left override (U+202E), a soft hyphen and the "
        "non-character U+FFFE are removed and listed, a decomposed 'Ö' is composed (NFC), and "
        "labels match in any case; a zero-width space in a case id quarantines the row.",
        quarantine=[q(8, "Ärendenummer", "unparseable")],
        rows=counts(8, 6, 1, 1),
        cell_issues=[
            ci(5, "Stödtyp", "invisible_characters"),
            ci(5, "Företagsform", "invisible_characters"),
            ci(7, "Insatsområde", "invisible_characters"),
            ci(9, "Beslut", "invisible_characters"),
        ],
    )
    add(
        "free_text_programme_area",
        ".csv",
        csv_bytes(
            B_HEADER,
            [
                *B_GOOD,
                b_row(case="B-4", area="Kund Anna Svensson 19640823-3234"),
                b_row(case="B-5", area="innovation och företagande"),
                b_row(case="B-6", area="  KOMPETENSFÖRSÖRJNING "),
                b_row(case="B-7", area="skills_supply"),
                b_row(case="B-8", area="Tillgänglighet\u00a0"),
                b_row(case="B-9", area="Attraktiva  miljöer"),
                b_row(case="B-10", area="Besöksnäring"),
            ],
        ),
        "A programme area holding free text (a customer's name and identity number) and one "
        "not in the region's list are unknown codes, so neither can become a published label; "
        "the configured areas are read in any case and spacing, and as their codes.",
        quarantine=[q(5, "Insatsområde", "unknown_code"), q(11, "Insatsområde", "unknown_code")],
        rows=counts(10, 7, 2, 1),
    )
    add(
        "html_and_script",
        ".csv",
        csv_bytes(
            P_HEADER,
            [
                *P_GOOD,
                p_row(case="P-3", title="<script>alert('x')</script>"),
                p_row(case="P-4", owner='<img src=x onerror="alert(1)">', title="a & b </td>"),
            ],
        ),
        "HTML and JavaScript in text fields: imported as plain text (escaped when published).",
        quarantine=[],
        rows=p_counts(0, accepted=4),
        source="project_support",
    )
    add(
        "spreadsheet_formulas_in_text",
        ".csv",
        csv_bytes(
            B_HEADER,
            [
                *B_GOOD,
                b_row(case="B-4", area='=HYPERLINK("http://example.invalid","klicka")'),
                b_row(case="B-5", form="+cmd|' /C calc'!A0"),
                b_row(case="B-6", form="@SUM(A1:A9)", area="-2+3"),
                b_row(case="B-7", applied="=1+1"),
            ],
        ),
        "Formulas in a free-text field are imported as text (never published); a formula as a "
        "programme area is an unknown code; a formula in an amount is not a number.",
        quarantine=[
            q(5, "Insatsområde", "unknown_code"),
            q(7, "Insatsområde", "unknown_code"),
            q(8, "Sökt belopp", "unparseable"),
        ],
        rows=counts(7, 3, 3, 1),
    )

    # --- XLSX -------------------------------------------------------------------------------
    add(
        "xlsx_named_csv",
        ".csv",
        xlsx_bytes(b_table(B_GOOD)),
        "An Excel workbook saved with the .csv suffix.",
        error=err("the file is an Excel workbook but is named .csv"),
    )
    valid_xlsx = xlsx_bytes(b_table(B_GOOD))
    add(
        "xlsx_truncated",
        ".xlsx",
        valid_xlsx[: len(valid_xlsx) // 2],
        "The second half of the workbook is missing.",
        error=err("the Excel file is damaged or not an .xlsx workbook"),
    )
    add(
        "xlsx_encrypted",
        ".xlsx",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
        + b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o\x00"
        + b"\x00" * 464,
        "An OLE container, as Excel writes a password-protected workbook.",
        error=err("password-protected"),
    )
    add(
        "xlsx_not_a_zip",
        ".xlsx",
        good.encode(),
        "A CSV file renamed to .xlsx.",
        error=err("the Excel file is damaged or not an .xlsx workbook"),
    )
    zip_buffer = io.BytesIO()
    with zipfile.ZipFile(zip_buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("2016.csv", date_time=(2016, 11, 1, 0, 0, 0)), good)
    add(
        "xlsx_zip_without_workbook",
        ".xlsx",
        zip_buffer.getvalue(),
        "A zip archive holding a CSV file, named .xlsx.",
        error=err("the Excel file"),
    )
    add(
        "xlsx_empty_sheet",
        ".xlsx",
        xlsx_bytes([]),
        "A workbook whose first sheet is empty.",
        error=err("the first sheet is empty"),
    )
    add(
        "xlsx_malformed_cell",
        ".xlsx",
        xlsx_bytes(
            b_table([*B_GOOD[:2], b_row(case="B-3", decision="Återtaget", granted="", born=1975)]),
            patch=lambda xml: xml.replace("<v>1975</v>", "<v>nittonhundra</v>", 1),
        ),
        "A numeric cell whose stored value is not a number (a damaged sheet).",
        error=err("the Excel file cannot be read"),
    )
    add(
        "xlsx_malformed_xml",
        ".xlsx",
        xlsx_bytes(b_table(B_GOOD), patch=lambda xml: xml.replace("</sheetData>", "<row>", 1)),
        "The sheet's XML is cut short (unclosed elements).",
        error=err("the Excel file cannot be read"),
    )
    add(
        "xlsx_title_row_merged",
        ".xlsx",
        xlsx_bytes(
            [["Beviljade företagsstöd 2016"], *b_table(B_GOOD)],
            prepare=lambda sheet: sheet.merge_cells("A1:Q1"),
        ),
        "A merged title row above the header: the header is found on row 2 and the title row "
        "is recorded.",
        quarantine=[],
        rows=at_header(2, 1, b_counts(0)),
    )

    def merge_decision(sheet: Any) -> None:
        sheet.merge_cells("D5:D6")

    add(
        "xlsx_merged_cells",
        ".xlsx",
        xlsx_bytes(
            b_table([*B_GOOD, b_row(case="B-4"), b_row(case="B-5", decision="Beviljat")]),
            prepare=merge_decision,
        ),
        "Beslut merged over rows 5-6: only row 5 holds the value, row 6 is quarantined.",
        quarantine=[q(6, "Beslut", "missing_required")],
        rows=counts(5, 3, 1, 1),
    )

    def blank_rows_first(sheet: Any) -> None:
        sheet.insert_rows(1, 2)

    add(
        "xlsx_header_on_row_3",
        ".xlsx",
        xlsx_bytes(b_table([*B_GOOD, b_row(case="B-4", date="2016-02-30")]), prepare=blank_rows_first),
        "Two empty rows above the header; row numbers are the sheet's own.",
        quarantine=[q(7, "Beslutsdatum", "invalid_date")],
        rows=b_counts(1),
    )

    def formulas(sheet: Any) -> None:
        sheet["E5"] = "=F5*1.25"
        sheet["F6"] = "=E6*0.8"

    add(
        "xlsx_formulas_cached",
        ".xlsx",
        xlsx_bytes(
            b_table([*B_GOOD, b_row(case="B-4"), b_row(case="B-5")]),
            prepare=formulas,
            patch=lambda xml: xml.replace(
                "<f>F5*1.25</f><v></v>", "<f>F5*1.25</f><v>1000000</v>"
            ).replace("<f>E6*0.8</f><v></v>", "<f>E6*0.8</f><v>800000</v>"),
        ),
        "Formulas with the values Excel saved: the values are read.",
        quarantine=[],
        rows=counts(5, 4, 0, 1),
    )
    add(
        "xlsx_formulas_without_values",
        ".xlsx",
        xlsx_bytes(
            b_table([*B_GOOD, b_row(case="B-4"), b_row(case="B-5")]), prepare=formulas
        ),
        "Formulas never calculated (written by a program, not saved by Excel): there is no "
        "value to read, so the rows are quarantined rather than read as empty.",
        quarantine=[q(5, "Sökt belopp", "unparseable"), q(6, "Beviljat belopp", "unparseable")],
        rows=b_counts(2),
    )

    def unreadable_project_cells(sheet: Any) -> None:
        sheet["G4"] = '=A4&" projekt"'
        sheet["H5"] = "#N/A"
        sheet["E6"] = "=D6*0.8"

    add(
        "xlsx_unreadable_free_text",
        ".xlsx",
        xlsx_bytes(
            [
                P_HEADER,
                *[[row.get(h) for h in P_HEADER] for row in P_GOOD],
                *[[p_row(case=f"P-{n}").get(h) for h in P_HEADER] for n in (3, 4, 5)],
            ],
            prepare=unreadable_project_cells,
        ),
        "A project title that is a formula never calculated and an owner name holding an Excel "
        "error: neither field feeds a statistic, so the cells are blanked and listed and the "
        "decisions kept; the same kind of formula in the granted amount quarantines its row.",
        quarantine=[q(6, "Beviljat belopp", "unparseable")],
        rows=p_counts(1, accepted=4),
        source="project_support",
        cell_issues=[ci(4, "Projektnamn", "unreadable"), ci(5, "Projektägare", "unreadable")],
    )
    add(
        "xlsx_typed_cells",
        ".xlsx",
        xlsx_bytes(
            b_table(
                [
                    *B_GOOD,
                    b_row(
                        case="B-4",
                        date=dt.datetime(2016, 4, 1),
                        applied=1_000_000,
                        granted=799_999.5,
                        org=5560360793,
                        municipality=2380,
                        sni=5610,
                        born=1975,
                        owners_women=1,
                    ),
                    b_row(case="B-5", date=42461, applied="1 000 000 kr", granted="800 000"),
                    b_row(case="B-6", applied=True),
                    b_row(case="B-7", date=dt.datetime(2099, 1, 1)),
                    b_row(case="B-8", applied=1e15),
                    b_row(case="B-9", applied=1e300),
                ]
            )
        ),
        "Numbers, dates and an Excel serial date are read; a boolean amount, a future date cell "
        "and absurd amounts (1e15 and 1e300) are quarantined.",
        quarantine=[
            q(7, "Sökt belopp", "unparseable"),
            q(8, "Beslutsdatum", "date_in_future"),
            q(9, "Sökt belopp", "amount_implausible"),
            q(10, "Sökt belopp", "unparseable"),
        ],
        rows=counts(9, 4, 4, 1),
    )

    def error_cells(sheet: Any) -> None:
        sheet["E5"] = "#DIV/0!"
        sheet["B6"] = "#N/A"

    add(
        "xlsx_error_cells",
        ".xlsx",
        xlsx_bytes(
            b_table([*B_GOOD, b_row(case="B-4"), b_row(case="B-5")]), prepare=error_cells
        ),
        "Cells holding Excel errors (#DIV/0!, #N/A).",
        quarantine=[q(5, "Sökt belopp", "unparseable"), q(6, "Beslutsdatum", "unparseable")],
        rows=b_counts(2),
    )
    add(
        "xlsx_formulas_as_text",
        ".xlsx",
        xlsx_bytes(
            b_table(
                [
                    *B_GOOD,
                    b_row(case="B-4", form="=HYPERLINK(\"http://example.invalid\",\"x\")"),
                    b_row(case="B-5", form="<b onmouseover=alert(1)>AB</b>"),
                ]
            )
        ),
        "Text cells starting with '=' and holding HTML are imported as text.",
        quarantine=[],
        rows=counts(5, 4, 0, 1),
    )
    add(
        "xlsx_date_out_of_range",
        ".xlsx",
        xlsx_bytes(
            b_table([*B_GOOD, b_row(case="B-4")]),
            prepare=lambda sheet: _set_date_cell(sheet, "B5", 10_000_000_000),
        ),
        "A date-formatted cell whose serial number is far beyond any date Excel can show.",
        quarantine=[q(5, "Beslutsdatum", "unparseable")],
        rows=b_counts(1),
    )

    # --- title rows and the header row (contract §1.2) ---------------------------------------
    bad_date = b_row(case="B-4", date="2016-02-30")
    add(
        "xlsx_title_rows",
        ".xlsx",
        xlsx_bytes(
            [[EXPORT_TITLE], ["Beslutade företagsstöd 2016"], [], *b_table([*B_GOOD, bad_date])]
        ),
        "Two title lines and an empty row above the header (row 4), as an export from the case "
        "system comes; row numbers are the sheet's own.",
        quarantine=[q(8, "Beslutsdatum", "invalid_date")],
        rows=at_header(4, 2, b_counts(1)),
    )
    titled_csv = (EXPORT_TITLE + "\n" + csv_text(B_HEADER, [*B_GOOD, bad_date])).encode()
    add(
        "csv_title_row",
        ".csv",
        titled_csv,
        "A title line with commas above a semicolon header: the header (row 2) decides the "
        "delimiter, and rows keep the file's own numbers.",
        quarantine=[q(6, "Beslutsdatum", "invalid_date")],
        rows=at_header(2, 1, b_counts(1)),
    )
    add(
        "header_row_setting_wrong",
        ".csv",
        titled_csv,
        "The same file with header_row: 1 in config: the setting wins over the search, and the "
        "title row lacks the required columns.",
        error=err("required column(s) missing: 'Ärendenummer' (case_id)", row=1),
        settings={"read_options": {"header_row": 1}},
    )
    notes = "".join(f"Urval {n}: beslutsår 2016, alla stödformer;;;;\n" for n in range(1, 22))
    below_row_20 = (notes + csv_text(B_HEADER, [*B_GOOD, bad_date])).encode()
    add(
        "header_below_row_20",
        ".csv",
        below_row_20,
        "21 lines of notes above the header: no row among the first 20 holds the required "
        "headers.",
        error=err("no header row among rows 1-20: required column(s) missing: 'Ärendenummer'"),
    )
    add(
        "header_row_setting",
        ".csv",
        below_row_20,
        "The same file with header_row: 22 in config: the header is read from there.",
        quarantine=[q(26, "Beslutsdatum", "invalid_date")],
        rows=at_header(22, 21, b_counts(1)),
        settings={"read_options": {"header_row": 22}},
    )

    # --- limits (config limits:, set low here so that the files stay small) -------------------
    add(
        "too_many_columns",
        ".csv",
        good.encode(),
        "A header of 17 columns with limits: max_columns: 10.",
        error=err("the row has 17 columns, more than the limit of 10", row=1),
        settings={"limits": {"max_columns": 10}},
    )
    add(
        "xlsx_too_many_columns",
        ".xlsx",
        xlsx_bytes(
            b_table([*B_GOOD, b_row(case="B-4")]),
            prepare=lambda sheet: sheet.cell(row=5, column=30, value="x"),
        ),
        "A stray cell in column 30 of row 5 with limits: max_columns: 20.",
        error=err("the row has 30 columns, more than the limit of 20", row=5),
        settings={"limits": {"max_columns": 20}},
    )
    add(
        "line_too_long",
        ".csv",
        csv_bytes(P_HEADER, [*P_GOOD, p_row(case="P-3", title="x" * 3000)]),
        "A 3 000-character line (row 4) with limits: max_line_kb: 1.",
        error=err("a line is longer than the limit of 1 KB", row=4),
        settings={"limits": {"max_line_kb": 1}},
        source="project_support",
    )
    add(
        "xlsx_zip_bomb",
        ".xlsx",
        _with_member(xlsx_bytes(b_table(B_GOOD)), "xl/media/image1.bin", bytes(3 * 1024 * 1024)),
        "A workbook with a part that unpacks to 3 MB from a few KB, with limits: "
        "max_xlsx_uncompressed_mb: 1: refused before the workbook is parsed.",
        error=err("the Excel file unpacks to more than the limit of 1 MB (4 MB)"),
        settings={"limits": {"max_xlsx_uncompressed_mb": 1}},
    )

    # --- the owner follow-up is read like the case exports -------------------------------------
    owner_rows = [
        O_HEADER,
        ["Bolaget AB", 100, "Ja", "Nej", "Ja", 3, 4, "Kvinna"],
        ["Förbundet", "12,5", "Nej", "Ja", None, 2, 2, None],
        ["Bolag tre AB", 150, "Ja", "Ja", "Ja", 1, 1, "Man"],
    ]
    add(
        "owner_follow_up_title_rows",
        ".xlsx",
        xlsx_bytes([["Ägaruppföljning 2016"], [], *owner_rows]),
        "An owner follow-up with a title row: its header is found as for the case exports.",
        quarantine=[q(6, "Ägarandel (%)", "unparseable")],
        rows=at_header(3, 1, counts(3, 2, 1, 0)),
        source="owner_follow_up",
    )

    def cover_sheet_first(sheet: Any) -> None:
        data = sheet.parent.create_sheet("Uppföljning")
        for row in owner_rows:
            data.append(row)
        sheet.title = "Information"
        sheet.delete_rows(1, sheet.max_row)
        sheet.append(["Ägaruppföljningen finns på bladet Uppföljning."])

    add(
        "owner_follow_up_sheet_setting",
        ".xlsx",
        xlsx_bytes(owner_rows, prepare=cover_sheet_first),
        "An owner follow-up on its second sheet, named with sheet: in files: (the settings reach "
        "the owner follow-up too).",
        quarantine=[q(4, "Ägarandel (%)", "unparseable")],
        rows=at_header(1, 0, counts(3, 2, 1, 0)),
        source="owner_follow_up",
        settings={"read_options": {"sheet": "Uppföljning"}},
    )
    return found


def _with_member(data: bytes, name: str, content: bytes) -> bytes:
    """The archive with one more part (deterministic: fixed date, deflated)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        member = zipfile.ZipInfo(name, date_time=(2016, 11, 1, 0, 0, 0))
        member.compress_type = zipfile.ZIP_DEFLATED
        target.writestr(member, content)
    return out.getvalue()


def _set_date_cell(sheet: Any, ref: str, serial: float) -> None:
    sheet[ref] = serial
    sheet[ref].number_format = "yyyy-mm-dd"


def expected_document(case: Case) -> dict[str, Any]:
    """The expectation; `settings` are the file's `files:` entry (read_options) and `limits:`."""
    return {
        "description": case.description,
        "source": case.source,
        "year": case.year,
        "as_of_date": AS_OF_DATE.isoformat(),
        **({"settings": case.settings} if case.settings else {}),
        **case.expected,
    }


def render(case: Case) -> dict[str, bytes]:
    """The files of one case: the raw export and its expectation."""
    expected = yaml.safe_dump(
        expected_document(case), allow_unicode=True, sort_keys=False, width=100
    )
    return {
        f"{case.name}{case.suffix}": case.data,
        f"{case.name}.expected.yaml": expected.encode("utf-8"),
    }


def main(out: Path = HERE) -> int:
    names = [case.name for case in cases()]
    assert len(names) == len(set(names)), "case names must be unique"
    for path in out.iterdir():
        if re.match(r".+\.(csv|xlsx|expected\.yaml)$", path.name):
            path.unlink()
    for case in cases():
        for name, data in render(case).items():
            (out / name).write_bytes(data)
    print(f"wrote {len(names)} cases to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

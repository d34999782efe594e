"""Privacy of what is published, checked on the demo build.

- No raw identifier from the inputs (organisation and personal identity numbers, in any spelling)
  and no pseudonym or pseudonymisation key appears in any published file: the tables in
  results/tables/ and everything under reports/ (HTML, CSV, the XLSX's XML parts and the PDF's
  decompressed streams).
- Quarantine files stay under results/quarantine/, with the warning README, and never reach the
  publishing bundle.
- The published tables pass the disclosure rules, re-checked here independently of
  `rtp_eval.disclosure`: no published count of decisions below `min_units`, and along every set
  of rows adding up to an `all` row, never exactly one suppressed part next to a published total.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pikepdf
import pytest
import yaml

from rtp_eval.pseudonymise import DEMO_KEY
from rtp_eval.reading import read_raw_file
from rtp_eval.settings import resolve
from rtp_eval.validation import map_columns

pytestmark = pytest.mark.e2e
EDITION = "2012-2021"
DIMENSIONS = {
    "source",
    "year",
    "period",
    "period_kind",
    "period_from",
    "period_to",
    "support_type",
    "classification",
    "category_type",
    "category",
    "group",
    "area",
    "industry",
    "programme_area",
    "owner_type",
    "equality_assessment",
}
UNIT_COUNTS = ("decisions", "women_decisions", "men_decisions")
ADDITIVE = ("decisions", "amount_granted_sek")


def config(build: Path) -> dict:
    """The build's configuration as its rules saw it (the overlay and every default)."""
    overlay = yaml.safe_load((build / "config" / "config.yaml").read_text(encoding="utf-8"))
    return resolve(overlay, "config/config.yaml")


def raw_identifiers(build: Path) -> set[str]:
    """Every identity number in the raw files, as written there (the org_id column)."""
    found: set[str] = set()
    sources = config(build)["sources"]
    for path in sorted((build / "data" / "raw").glob("*/*")):
        if path.suffix not in (".csv", ".xlsx"):
            continue
        source = path.parent.name
        if source not in sources:
            continue  # owner follow-up files name organisations, with no identity numbers
        table = read_raw_file(path, path.name)
        mapping = map_columns(table.header, sources[source]["columns"], source, path.name)
        position = mapping.positions["org_id"]
        found |= {str(row[position]) for row in table.rows if position < len(row) and row[position]}
    return found


def spellings(identifier: str) -> set[str]:
    """The ways one number can be written: 10 digits, with '-', '+' or a space, with century.

    Forms with century or the '16' prefix contain the 10-digit or dashed form, so searching
    for these finds them too.
    """
    digits = re.sub(r"\D", "", identifier)
    if len(digits) < 10:
        return set()
    ten = digits[-10:]
    forms = {ten, f"{ten[:6]}-{ten[6:]}", f"{ten[:6]}+{ten[6:]}", f"{ten[:6]} {ten[6:]}"}
    forms |= {f"{prefix}{ten}" for prefix in ("16", "19", "20")}
    return forms | {identifier.strip()}


def published_files(build: Path) -> list[Path]:
    files = [p for p in (build / "results" / "tables").rglob("*") if p.is_file()]
    files += [p for p in (build / "reports").rglob("*") if p.is_file()]
    return sorted(files)


def searchable_parts(path: Path) -> Iterator[tuple[str, bytes]]:
    """The file's bytes, plus every part of an XLSX and every decompressed PDF stream."""
    data = path.read_bytes()
    yield path.name, data
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                yield f"{path.name}:{name}", archive.read(name)
    if path.suffix == ".pdf":
        with pikepdf.open(io.BytesIO(data)) as pdf:
            for number, obj in enumerate(pdf.objects):
                if isinstance(obj, pikepdf.Stream):
                    try:
                        yield f"{path.name}:stream {number}", obj.read_bytes()
                    except pikepdf.PdfError:
                        yield f"{path.name}:stream {number} (raw)", obj.read_raw_bytes()
            yield f"{path.name}:metadata", str(pdf.docinfo).encode("utf-8")


@pytest.fixture(scope="module")
def published(demo_build: Path) -> dict[str, bytes]:
    parts = {}
    for path in published_files(demo_build):
        for name, content in searchable_parts(path):
            parts[f"{path.relative_to(demo_build)}|{name}"] = content
    return parts


IDENTIFIER = re.compile(rb"(?=(\d{6}[-+ ]?\d{4}))")  # overlapping: also inside 12-digit forms
HEX20 = re.compile(rb"(?=([0-9a-f]{20}))")


def ten_digit_forms(content: bytes) -> set[str]:
    """Every 10-digit number in the content, also written with '-', '+' or a space, with a
    century or '16' in front, and in UTF-16 (its zero bytes removed)."""
    found = set()
    for text in (content, content.replace(b"\x00", b"")):
        found |= {re.sub(rb"\D", b"", m).decode() for m in IDENTIFIER.findall(text)}
    return found


def test_no_raw_identifier_is_published(demo_build: Path, published: dict[str, bytes]) -> None:
    identifiers = raw_identifiers(demo_build)
    assert len(identifiers) > 100, "the demo data should hold many identity numbers"
    needles = {form for identifier in identifiers for form in spellings(identifier)}
    ten_digits = {n for n in needles if re.fullmatch(r"\d{10}", n)}
    assert any(len(re.sub(r"\D", "", i)) == 12 for i in identifiers), "with century, too"
    found = [
        f"{number} in {name}"
        for name, content in published.items()
        for number in sorted(ten_digit_forms(content) & ten_digits)
    ]
    assert not found, found[:10]
    # The scan itself works: the identifiers are found where they are (the quarantine files).
    quarantine = b"".join(
        p.read_bytes() for p in (demo_build / "results" / "quarantine").rglob("*.csv")
    )
    assert ten_digit_forms(quarantine) & ten_digits
    assert ten_digit_forms("19811218-9876 och 16556036 0793".encode("utf-16-be")) >= {
        "8112189876",
        "5560360793",
    }


def test_no_pseudonym_or_key_is_published(demo_build: Path, published: dict[str, bytes]) -> None:
    pseudonyms: set[str] = set()
    clean = demo_build / "results" / "clean"
    for path in [
        *clean.glob("business_support/*.parquet"),
        *clean.glob("project_support/*.parquet"),
    ]:
        pseudonyms |= set(pd.read_parquet(path, columns=["org_pseudonym"])["org_pseudonym"])
    assert len(pseudonyms) > 100
    found = []
    for name, content in published.items():
        for text in (content, content.replace(b"\x00", b"")):
            tokens = {m.decode() for m in HEX20.findall(text)}
            found += [f"pseudonym {t} in {name}" for t in sorted(tokens & pseudonyms)]
            if DEMO_KEY.encode() in text or DEMO_KEY.encode().hex().encode() in text:
                found.append(f"the pseudonymisation key in {name}")
    assert not found, found[:10]


def test_quarantine_stays_in_results_with_its_warning(demo_build: Path) -> None:
    quarantine = demo_build / "results" / "quarantine"
    readme = (quarantine / "README.md").read_text(encoding="utf-8")
    assert "VARNING" in readme and "never be published" in readme
    raw_files = {
        p.relative_to(demo_build / "data" / "raw").with_suffix("")
        for p in (demo_build / "data" / "raw").glob("*/*.*")
    }
    written = {p.relative_to(quarantine).with_suffix("") for p in quarantine.glob("*/*.csv")}
    assert written == raw_files
    assert sum(len(pd.read_csv(p, dtype=str)) for p in quarantine.glob("*/*.csv")) > 0
    bundle = demo_build / "reports" / EDITION
    tables = {p.name for p in (demo_build / "results" / "tables").glob("*.csv")}
    assert {p.name for p in (bundle / "tabeller").iterdir()} == tables
    for path in published_files(demo_build):
        assert "quarantine" not in path.relative_to(demo_build).parts[:-1], path
        for _, content in searchable_parts(path):
            assert b"raw: " not in content, f"a raw (quarantine) column in {path}"


# --- disclosure, re-checked independently -------------------------------------------------


def published_tables(build: Path) -> dict[str, pd.DataFrame]:
    return {
        path.stem: pd.read_csv(path, dtype=str, keep_default_na=False)
        for path in sorted((build / "results" / "tables").glob("*.csv"))
    }


def threshold_violations(tables: dict[str, pd.DataFrame], min_units: int) -> list[str]:
    """Published unit counts (decisions) between 1 and min_units - 1 (0 discloses no unit)."""
    found = []
    for name, table in tables.items():
        for column in UNIT_COUNTS:
            if column not in table:
                continue
            values = pd.to_numeric(table[column].replace("", None))
            small = table[(values > 0) & (values < min_units)]
            found += [f"{name} row {i + 2}: {column} = {table.at[i, column]}" for i in small.index]
    return found


def recoverable_cells(tables: dict[str, pd.DataFrame]) -> tuple[list[str], int]:
    """Lines with a published total and exactly one suppressed part; and lines checked.

    A line is a set of rows equal in every dimension but one, where that one is `all` in the
    total row and something else in the parts.
    """
    found, checked = [], 0
    for name, table in tables.items():
        dimensions = [c for c in table.columns if c in DIMENSIONS]
        for dimension in dimensions:
            is_total = table[dimension] == "all"
            if not is_total.any():
                continue
            others = [d for d in dimensions if d != dimension]
            key = table[others].agg("|".join, axis=1) if others else pd.Series("", table.index)
            for column in (c for c in ADDITIVE if c in table):
                totals = table.loc[is_total, column].set_axis(key[is_total])
                totals = totals[~totals.index.duplicated(keep=False) & (totals != "")]
                parts = table.loc[~is_total, column]
                part_keys = key[~is_total]
                hidden = (parts == "").groupby(part_keys).sum()
                sums = pd.to_numeric(parts.replace("", "0")).groupby(part_keys).sum()
                for line, total in totals.items():
                    if line not in hidden.index:
                        continue
                    checked += 1
                    if hidden[line] == 1:
                        found.append(f"{name}: {column} along {dimension} at {line}")
                    elif hidden[line] == 0:
                        # The checker's own premise: the parts really add up to the total.
                        assert abs(sums[line] - float(total)) < 1, (name, dimension, column, line)
    return found, checked


def test_published_tables_pass_the_disclosure_rules(demo_build: Path) -> None:
    tables = published_tables(demo_build)
    min_units = config(demo_build)["disclosure"]["min_units"]
    assert min_units == 3
    assert not threshold_violations(tables, min_units)
    found, checked = recoverable_cells(tables)
    assert checked > 100, "the checker must have found lines of parts and totals"
    assert not found, found[:10]


def test_the_independent_checker_finds_planted_violations() -> None:
    table = pd.DataFrame(
        {
            "year": ["2016"] * 3,
            "group": ["women", "men", "all"],
            "decisions": ["", "7", "9"],
            "amount_granted_sek": ["100", "200", "300"],
            "suppressed": ["true", "false", "false"],
        }
    )
    found, checked = recoverable_cells({"t": table})
    assert checked == 2 and found == ["t: decisions along group at 2016"]
    table.loc[0, "decisions"] = "2"
    assert threshold_violations({"t": table}, 3) == ["t row 2: decisions = 2"]

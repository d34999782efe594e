"""Editions: the archive of every published edition and what changed from one to the next.

An edition is one folder below the reports path (`report.edition`, e.g. `reports/2012-2021/`)
holding the report, its PDF and the publishing bundle. Folders of earlier editions stay there
when the configuration moves on to a new edition name, and together they make the archive
(`reports/index.html`).

Order. Editions are ordered by the years their names start with, `first-last` or one year
(`2012-2020` < `2012-2021` < `2012-2021-rattad` < `2013-2021`): the last year first, then the
first year, then the whole name. A name that starts with no year sorts before every dated one.

Revisions. A revision is a published cell of the previous edition whose value is different in
this edition: a late correction in the exports. Only the published files are compared (the
bundles' CSV files), cell by cell, on the catalogue's key columns. A cell counts when
- its table is a case table of the catalogue (`Table.is_case_table`) whose values are not copies
  of another table's (`derived_from`): the same correction is listed once per published cell of
  cases, not again for every table that repeats it;
- its column is an additive measure (kind `count` or `amount`: decisions, grants, kronor, jobs,
  participants). Rates, shares, means, medians and intervals are computed from the additive
  columns of their row and of its total row, which are listed, so they are not listed again;
  model estimates and indicators are recomputed from many cells and are not revisions of one;
- its row (the same key values) is in both editions: rows of a year or period only one edition
  has are new (or gone), not revised;
- it has a value in both editions. A cell suppressed (empty) in either edition is never shown:
  the new value must have passed this edition's disclosure control and audit, and an old value
  shown next to a cell now suppressed would help an intruder narrow it down.
Numbers are compared as the exact decimals the bundle wrote, so a cell differs only when its
published value differs.

Pure functions over frames and text; the Snakemake steps read and write the files.
"""

from __future__ import annotations

import io as text_io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from rtp_eval import formatting
from rtp_eval.catalog import AMOUNT, COUNT, TABLES, Table, swedish_header
from rtp_eval.errors import PublishError
from rtp_eval.io import BYTE_ORDER_MARK, EXCEL_DECIMAL, EXCEL_SEPARATOR, PRIVATE_FOLDERS
from rtp_eval.publish import bundle_csv

# Files an edition folder publishes: the report, its PDF, the bundle (CSV files and workbook)
# and its open-data descriptions; never hidden files (an interrupted write's temporary file).
PUBLISHED_SUFFIXES = frozenset({".html", ".pdf", ".csv", ".xlsx", ".json", ".jsonld"})
REPORT_FILE = "index.html"
PDF_FILE = "rapport.pdf"
WORKBOOK_FILE = "tabeller.xlsx"
BUNDLE_FOLDER = "tabeller"
REVISIONS_PAGE = "revisioner.html"
REVISIONS_CSV = "revisioner.csv"
ARCHIVE_FILE = "index.html"

# The schema's edition names (config.schema.yaml, report.edition).
_EDITION_NAME = re.compile(r"^(?!\.)[A-Za-z0-9_.-]+$")
_EDITION_YEARS = re.compile(r"^(\d{4})(?:-(\d{4}))?(?!\d)")

REVISED_KINDS = (COUNT, AMOUNT)
REVISION_COLUMNS = (
    "edition",
    "previous_edition",
    "table",
    "column",
    "previous_value",
    "new_value",
    "change",
)


def edition_order(name: str) -> tuple[int, int, str]:
    """Sort key of an edition name: its last year, its first year, the name."""
    match = _EDITION_YEARS.match(name)
    if not match:
        return (-1, -1, name)
    first = int(match.group(1))
    last = int(match.group(2) or first)
    return (last, first, name)


def order_editions(names: Iterable[str]) -> list[str]:
    """Edition names, oldest first, each once."""
    return sorted(set(names), key=edition_order)


def discover_editions(reports: Path, current: str) -> list[str]:
    """The current edition and every edition folder below `reports` with a report, oldest first.

    Read when the workflow is loaded: the folders of earlier editions are inputs from outside
    this run, named here so that every rule that reads them declares them.
    """
    found = {current}
    if reports.is_dir():
        found |= {
            folder.name
            for folder in reports.iterdir()
            if folder.is_dir()
            and _EDITION_NAME.match(folder.name)
            and (folder / REPORT_FILE).is_file()
        }
    return order_editions(found)


def previous_edition(editions: Sequence[str], edition: str) -> str | None:
    """The edition before `edition` in `editions` (oldest first), or None for the first."""
    position = list(editions).index(edition)
    return editions[position - 1] if position else None


def is_published_file(relative: Path) -> bool:
    """Whether a file at this path below an edition folder belongs on the website."""
    parts = relative.parts
    return (
        relative.suffix.lower() in PUBLISHED_SUFFIXES
        and not any(part.startswith(".") for part in parts)
        and not PRIVATE_FOLDERS.intersection(parts)
    )


def edition_files_on_disk(folder: Path) -> list[Path]:
    """The published files of an earlier edition's folder (its revision files excepted: those
    are written by this workflow), sorted."""
    if not folder.is_dir():
        return []
    generated = {REVISIONS_PAGE, REVISIONS_CSV}
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and is_published_file(path.relative_to(folder))
        and path.relative_to(folder).as_posix() not in generated
    )


def current_edition_files(outputs: Iterable[str], folder: Path) -> tuple[list[str], list[str]]:
    """The rule outputs below the current edition's folder: (published, not website files).

    Taken from the rules rather than the disk, so that a fresh build publishes what it will write
    and never a file a former run left behind.
    """
    below = sorted({Path(o).as_posix() for o in outputs if Path(o).is_relative_to(folder)})
    published = [o for o in below if is_published_file(Path(o).relative_to(folder))]
    return published, [o for o in below if o not in published]


def revision_files(reports: Path, edition: str) -> list[str]:
    return [(reports / edition / name).as_posix() for name in (REVISIONS_PAGE, REVISIONS_CSV)]


def edition_file_lists(
    editions: Sequence[str], current: str, current_files: Sequence[str], reports: Path
) -> dict[str, list[str]]:
    """Each edition's published files, sorted: the current one's as its rules write them, the
    earlier ones' as their folders hold them, and every edition's revisions."""
    lists = {}
    for edition in editions:
        if edition == current:
            files = list(current_files)
        else:
            files = [p.as_posix() for p in edition_files_on_disk(reports / edition)]
        lists[edition] = sorted({*files, *revision_files(reports, edition)})
    return lists


def bundle_files(edition_files: Mapping[str, Sequence[str]], edition: str | None) -> list[str]:
    """The CSV files of an edition's bundle (none for no edition)."""
    if edition is None:
        return []
    return [
        f
        for f in edition_files[edition]
        if Path(f).parent.name == BUNDLE_FOLDER
        and Path(f).parent.parent.name == edition
        and f.endswith(".csv")
    ]


def site_path(path: str, reports: Path, site: Path) -> str:
    """Where a file below `reports` goes below the website folder `site`."""
    return (site / Path(path).relative_to(reports)).as_posix()


# --- comparing bundles -------------------------------------------------------------------------


def read_bundle_csv(text: str) -> pd.DataFrame:
    """A published CSV file as text cells (empty string where the cell is empty).

    The bundle's format (`;`, decimal comma, byte order mark) or the data contract's (`,`).
    """
    excel = text.startswith(BYTE_ORDER_MARK)
    return pd.read_csv(
        text_io.StringIO(text.removeprefix(BYTE_ORDER_MARK)),
        sep=EXCEL_SEPARATOR if excel else ",",
        dtype=str,
        keep_default_na=False,
    )


def compared_tables() -> list[Table]:
    """The catalogue tables whose cells can be revised (see the module's description)."""
    return [t for t in TABLES.values() if t.is_case_table and not t.derived_from]


def revised_columns(table: Table) -> tuple[str, ...]:
    return table.of_kind(*REVISED_KINDS)


def published_number(text: str) -> Decimal | None:
    """The exact value of a published number (decimal comma or point); None if empty."""
    text = text.strip()
    if not text:
        return None
    try:
        return Decimal(text.replace(EXCEL_DECIMAL, "."))
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class Revision:
    """A published cell whose value changed: its table, row keys, column and both values."""

    table: str
    keys: tuple[tuple[str, str], ...]
    column: str
    previous: Decimal
    value: Decimal

    @property
    def change(self) -> Decimal:
        return self.value - self.previous


def _indexed(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame | None:
    """The frame indexed by its key columns, or None if it lacks them or they repeat."""
    if not set(keys) <= set(frame.columns):
        return None
    indexed = frame.set_index(list(keys))
    return None if indexed.index.has_duplicates else indexed


def table_revisions(table: Table, previous: pd.DataFrame, new: pd.DataFrame) -> list[Revision]:
    """Revised cells of one table: additive cells published in both editions, values changed.

    A table whose keys are missing or repeat in either edition cannot be matched row by row and
    gives none (a bundle of another catalogue version).
    """
    keys = list(table.keys)
    old_rows, new_rows = _indexed(previous, keys), _indexed(new, keys)
    if old_rows is None or new_rows is None:
        return []
    common = old_rows.index.intersection(new_rows.index, sort=False)
    columns = [c for c in revised_columns(table) if c in old_rows.columns and c in new_rows.columns]
    revisions = []
    for row_key in sorted(common):
        row_values = row_key if isinstance(row_key, tuple) else (row_key,)
        for column in columns:
            before = published_number(str(old_rows.at[row_key, column]))
            after = published_number(str(new_rows.at[row_key, column]))
            if before is None or after is None or before == after:
                continue
            revisions.append(
                Revision(
                    table.name, tuple(zip(keys, row_values, strict=True)), column, before, after
                )
            )
    return revisions


def compare_bundles(
    previous: Mapping[str, pd.DataFrame], new: Mapping[str, pd.DataFrame]
) -> list[Revision]:
    """Every revised cell of the tables both bundles publish, in catalogue order."""
    return [
        revision
        for table in compared_tables()
        if table.name in previous and table.name in new
        for revision in table_revisions(table, previous[table.name], new[table.name])
    ]


def revision_key_columns(revisions: Sequence[Revision]) -> list[str]:
    """The key columns of the revised tables, in catalogue order (one CSV column each)."""
    columns: list[str] = []
    for table in compared_tables():
        for key in table.keys:
            if key not in columns:
                columns.append(key)
    used = {key for revision in revisions for key, _ in revision.keys}
    return [c for c in columns if c in used]


def decimal_text(value: Decimal) -> str:
    """A value as the bundle writes it: plain digits, decimal comma, no exponent."""
    return format(value.normalize(), "f").replace(".", EXCEL_DECIMAL)


def revisions_frame(
    revisions: Sequence[Revision], edition: str, previous: str | None
) -> pd.DataFrame:
    """The revisions as a table: editions, table, key columns, column, old and new value, change.

    Key columns a revision's table does not have are empty. Values are text as published.
    """
    keys = revision_key_columns(revisions)
    columns = [*REVISION_COLUMNS[:3], *keys, *REVISION_COLUMNS[3:]]
    rows = []
    for revision in revisions:
        row_keys = dict(revision.keys)
        rows.append(
            [
                edition,
                previous or "",
                revision.table,
                *(row_keys.get(key, "") for key in keys),
                revision.column,
                decimal_text(revision.previous),
                decimal_text(revision.value),
                decimal_text(revision.change),
            ]
        )
    return pd.DataFrame(rows, columns=columns, dtype="string")


def revisions_csv(frame: pd.DataFrame) -> str:
    """The revisions in the bundle's format for Swedish Excel (text neutralised likewise)."""
    return bundle_csv(frame)


# The bundle's tables of cases by decision year: what an edition covers.
YEAR_TABLES = tuple(t.name for t in TABLES.values() if t.is_case_table and "year" in t.columns)


def bundle_years(tables: Mapping[str, pd.DataFrame]) -> list[int]:
    """The decision years the bundle's tables of cases by year show, sorted."""
    years: set[int] = set()
    for name in YEAR_TABLES:
        frame = tables.get(name)
        if frame is not None and "year" in frame.columns:
            years |= {int(y) for y in frame["year"] if str(y).strip().isdigit()}
    return sorted(years)


def site_files(sources: Iterable[Path], reports: Path, site: Path) -> dict[Path, Path]:
    """Each published file below `reports` -> its place below `site` (the same relative path).

    A file outside `reports`, hidden, in a private folder or of a kind not published stops the
    copy: the website folder holds the archive and the editions' files and nothing else.
    """
    copies = {}
    for source in sources:
        if not source.is_relative_to(reports) or not is_published_file(source.relative_to(reports)):
            raise PublishError(
                f"{source} hör inte till webbplatsen: bara rapporter, tabellfiler och sidor "
                f"under {reports} publiceras."
            )
        copies[source] = site / source.relative_to(reports)
    return copies


def remove_other_files(site: Path, keep: set[Path]) -> list[Path]:
    """Delete every file below `site` not in `keep` (a former edition's, a stray one) and the
    folders left empty: the website folder is this workflow's alone. The deleted files, sorted.
    """
    removed = sorted(
        p for p in site.rglob("*") if (p.is_file() or p.is_symlink()) and p not in keep
    )
    for path in removed:
        path.unlink()
    for folder in sorted((p for p in site.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    return removed


# --- pages -------------------------------------------------------------------------------------


def display_number(value: Decimal) -> str:
    """A published value in Swedish notation, with the decimals it was published with."""
    exponent = value.normalize().as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return formatting.number(float(value), decimals)


def signed_number(value: Decimal) -> str:
    text = display_number(abs(value))
    return f"+{text}" if value > 0 else f"\u2212{text}"


@dataclass(frozen=True)
class RevisionRow:
    """One revision as the page shows it."""

    table_title: str
    table: str
    row: str
    column: str
    column_name: str
    previous: str
    value: str
    change: str


def revision_rows(revisions: Sequence[Revision]) -> list[RevisionRow]:
    return [
        RevisionRow(
            table_title=TABLES[r.table].title_sv,
            table=r.table,
            row=", ".join(f"{swedish_header(key)}: {value}" for key, value in r.keys),
            column=swedish_header(r.column),
            column_name=r.column,
            previous=display_number(r.previous),
            value=display_number(r.value),
            change=signed_number(r.change),
        )
        for r in revisions
    ]


@dataclass(frozen=True)
class EditionEntry:
    """One edition in the archive: its files (paths relative to the archive) and what is new."""

    name: str
    years: tuple[int, ...]
    new_years: tuple[int, ...]
    previous: str | None
    revisions: int | None
    report: str | None
    pdf: str | None
    workbook: str | None
    revisions_page: str | None

    @property
    def year_span(self) -> str:
        if not self.years:
            return ""
        first, last = self.years[0], self.years[-1]
        return str(first) if first == last else f"{first}\u2013{last}"


def archive_entries(
    editions: Sequence[str],
    files: Mapping[str, Sequence[str]],
    years: Mapping[str, Sequence[int]],
    revisions: Mapping[str, int],
) -> list[EditionEntry]:
    """The archive's editions, newest first.

    `files`: each edition's published files, relative to its folder; `years`: the decision
    years its bundle shows; `revisions`: its number of revised cells.
    """
    entries = []
    for edition in editions:
        previous = previous_edition(editions, edition)
        own = set(files.get(edition, ()))
        earlier = set(years.get(previous, ())) if previous else set()

        def link(name: str, own: set[str] = own, edition: str = edition) -> str | None:
            return f"{edition}/{name}" if name in own else None

        entries.append(
            EditionEntry(
                name=edition,
                years=tuple(sorted(years.get(edition, ()))),
                new_years=tuple(sorted(set(years.get(edition, ())) - earlier)),
                previous=previous,
                revisions=revisions.get(edition),
                report=link(REPORT_FILE),
                pdf=link(PDF_FILE),
                workbook=link(WORKBOOK_FILE),
                revisions_page=link(REVISIONS_PAGE),
            )
        )
    return entries[::-1]


def render_revisions_page(
    *,
    edition: str,
    previous: str | None,
    revisions: Sequence[Revision],
    title: str,
    region: str,
    demo: bool,
) -> str:
    from rtp_eval.report import environment

    return (
        environment()
        .get_template("revisions.html.j2")
        .render(
            edition=edition,
            previous=previous,
            rows=revision_rows(revisions),
            title=title,
            region=region,
            demo=demo,
            csv_file=REVISIONS_CSV,
        )
    )


def render_archive(*, entries: Sequence[EditionEntry], title: str, region: str, demo: bool) -> str:
    from rtp_eval.report import environment

    return (
        environment()
        .get_template("archive.html.j2")
        .render(entries=entries, title=title, region=region, demo=demo)
    )

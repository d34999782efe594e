"""Writing outputs atomically, byte-stably, safely for spreadsheets and privately where needed.

Every output is written to a temporary file in the same folder and renamed into place, so an
interrupted job never leaves a half-written file that looks finished.

Every CSV this package writes is neutralised for spreadsheets (`neutralise_text`): a text cell
any of whose `;`-, `,`-, tab- or line-separated pieces starts like a formula gets an apostrophe
in front of that piece. Numbers are never touched, so the tables stay machine-readable.

Files under a `quarantine` or `clean` folder (raw identity numbers, row-level data) are private:
the folders are made 0700 and the files 0600 whatever the umask (`private_folder`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

# Folders whose files hold raw identity numbers or row-level data: never world-readable.
PRIVATE_FOLDERS = frozenset({"quarantine", "clean"})
PRIVATE_FOLDER_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
PUBLIC_FILE_MODE = 0o644


def private_folder(path: str | os.PathLike[str]) -> Path | None:
    """The nearest `quarantine` or `clean` folder that the file `path` lies in, else None.

    Only folders below the working directory (the project, where the workflow runs) count when
    the path is inside it, so a project that itself lives in a folder named `clean` does not
    make its published outputs private.
    """
    folder = Path(os.path.abspath(path)).parent
    top = Path.cwd() if folder.is_relative_to(Path.cwd()) else Path(folder.anchor)
    for candidate in (folder, *folder.parents):
        if candidate == top:
            return None
        if candidate.name in PRIVATE_FOLDERS:
            return candidate
    return None


def _make_private_folders(private: Path, folder: Path) -> None:
    """Create `private` and the folders below it down to `folder` as 0700.

    chmod as well as mkdir: Snakemake creates an output's folders (0755 under the usual umask)
    before the job runs, and an unusual umask could narrow mkdir's mode below what we need.
    """
    private.parent.mkdir(parents=True, exist_ok=True)
    below = folder.relative_to(private).parts
    for depth in range(len(below) + 1):
        current = private.joinpath(*below[:depth])
        current.mkdir(mode=PRIVATE_FOLDER_MODE, exist_ok=True)
        os.chmod(current, PRIVATE_FOLDER_MODE)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to `path`; rename it to `path` only if the block succeeds.

    Inside a private folder (`private_folder`) the folders become 0700 and the file 0600;
    elsewhere the file is 0644 (published outputs must be readable by the web server).
    """
    target = Path(path)
    private = private_folder(target)
    if private is None:
        target.parent.mkdir(parents=True, exist_ok=True)
    else:
        _make_private_folders(private, Path(os.path.abspath(target.parent)))
    # A job killed while writing (SIGKILL, power cut) leaves its temporary file behind; only
    # one job writes a given output, so any leftover of this target is stale.
    for stale in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        stale.unlink(missing_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, PUBLIC_FILE_MODE if private is None else PRIVATE_FILE_MODE)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8", newline="\n")


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)


def _format_float(value: float, digits: int) -> str:
    if not np.isfinite(value):
        return ""
    text = np.format_float_positional(
        value, precision=digits, unique=False, fractional=False, trim="-"
    )
    return "0" if text in ("-0", "0") else text


# A spreadsheet runs a cell as a formula (or DDE command) when it starts with one of these;
# tab and CR count because some spreadsheets drop them and then read what follows.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel splits a CSV on its locale's list separator (`;` in Swedish Excel, even for a comma
# file), and a pasted cell on tabs and lines: a formula can start after any of them.
_PIECE = re.compile(r"[^;,\t\r\n]+")
# A piece that is just a number (`-5`, `-1.5`, `+3e2`) or a lone sign (`-`, which exports use
# for a missing value) is data, not a formula: spreadsheets read it as a number or as text.
_PLAIN_NUMBER = re.compile(r"[+-]|[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def _neutralise_piece(piece: str) -> str:
    content = piece.lstrip(" ")  # a leading space does not stop every spreadsheet
    if content.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(content):
        return "'" + piece
    return piece


def neutralise_text(text: str) -> str:
    """`text` with an apostrophe before every piece a spreadsheet could run as a formula.

    Pieces are what lies between `;`, `,`, tabs and line breaks, so `x;=4+4` becomes
    `x;'=4+4` and stays inert however the spreadsheet splits the line. Text that starts with a
    tab or CR gets an apostrophe first. Applying it twice changes nothing more.
    """
    if text.startswith(("\t", "\r")):
        text = "'" + text
    return _PIECE.sub(lambda match: _neutralise_piece(match.group()), text)


def format_for_csv(frame: pd.DataFrame, significant_digits: int = 6) -> pd.DataFrame:
    """Every cell as the text written to CSV: fixed significant digits, true/false, NA empty.

    Text cells and headers are neutralised for spreadsheets (`neutralise_text`); numeric and
    boolean columns are written as numbers and `true`/`false`, untouched.
    """
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_bool_dtype(values.dtype):
            text = values.map(lambda v: "" if pd.isna(v) else ("true" if v else "false"))
        elif pd.api.types.is_integer_dtype(values.dtype):
            text = values.map(lambda v: "" if pd.isna(v) else str(int(v)))
        elif pd.api.types.is_float_dtype(values.dtype):
            numbers = values.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
            text = pd.Series(
                [_format_float(v, significant_digits) for v in numbers], index=frame.index
            )
        else:
            text = values.map(lambda v: "" if pd.isna(v) else neutralise_text(str(v)))
        out[column] = text.astype(object)
    out.columns = [neutralise_text(str(column)) for column in frame.columns]
    return out


# The bundle's CSV files are for Swedish Excel, which opens a file by a double-click as UTF-8
# only if it starts with a byte order mark, and splits it on `;` with `,` as decimal mark.
BYTE_ORDER_MARK = "\ufeff"
EXCEL_SEPARATOR = ";"
EXCEL_DECIMAL = ","


def to_csv_text(frame: pd.DataFrame, significant_digits: int = 6) -> str:
    """UTF-8 CSV as the contract asks: comma, '.' decimals, `true`/`false`, NA as empty.

    Text is neutralised for spreadsheets (see `format_for_csv`): these files are published.
    """
    return format_for_csv(frame, significant_digits).to_csv(index=False, lineterminator="\n")


def write_csv(
    frame: pd.DataFrame, path: str | os.PathLike[str], significant_digits: int = 6
) -> None:
    """Write atomically: a reader never sees half a file, and a failed run leaves no new file."""
    write_text(path, to_csv_text(frame, significant_digits))


def write_json(data: Any, path: str | os.PathLike[str]) -> None:
    write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def write_parquet(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with atomic_path(path) as temporary:
        pq.write_table(table, temporary, compression="zstd")


def read_clean(
    paths: Sequence[str | os.PathLike[str]],
    source: str,
    columns: Sequence[str] | None = None,
    decisions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Clean rows of `source` from its yearly Parquet files, typed as the schema says.

    `columns` limits what is read and `decisions` which rows (e.g. granted cases only), so a
    stage over many years holds only what it uses in memory. No files give an empty frame.
    """
    from rtp_eval import schema

    names = list(columns) if columns is not None else list(schema.clean_columns(source))
    filters = [("decision", "in", list(decisions))] if decisions else None
    frames = [pd.read_parquet(p, columns=names, filters=filters) for p in sorted(map(str, paths))]
    if not frames:
        frames = [pd.DataFrame(columns=names)]
    dtypes = schema.clean_dtypes(source)
    return pd.concat(frames, ignore_index=True).astype({c: dtypes[c] for c in names})


def sha256_file(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def normalise_xlsx(data: bytes, timestamp: dt.datetime) -> bytes:
    """Rewrite an XLSX archive so that it no longer depends on when it was written.

    openpyxl stamps the save time into docProps/core.xml and every zip entry; both are replaced
    by `timestamp`, and entries keep openpyxl's (stable) order.
    """
    stamp = timestamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    rb"\g<1>" + stamp + rb"\g<3>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=timestamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()


def write_import_result(
    clean: pd.DataFrame,
    quarantine: pd.DataFrame,
    quality: dict,
    clean_path: str | os.PathLike[str],
    quarantine_path: str | os.PathLike[str],
    quality_path: str | os.PathLike[str],
) -> None:
    """The three outputs of an import job: clean rows, quarantined rows, quality record."""
    write_parquet(clean, clean_path)
    write_csv(quarantine, quarantine_path)
    write_json(quality, quality_path)


def _is_excel_csv(path: str | os.PathLike[str]) -> bool:
    """Whether the file is in the bundle's format for Excel (it alone starts with a BOM)."""
    with open(path, encoding="utf-8") as handle:
        return handle.read(1) == BYTE_ORDER_MARK


def read_table(path: str | os.PathLike[str], name: str) -> pd.DataFrame:
    """A table of the catalogue as `write_csv` wrote it, typed as the catalogue says.

    Also reads the bundle's CSV files for Excel (`;`, decimal comma, BOM), so that a check of
    what is published can read exactly the published files. Columns outside the catalogue (the
    working columns of a work table) are read as numbers.
    """
    from rtp_eval import catalog

    dtypes = catalog.table(name).dtypes
    excel = _is_excel_csv(path)
    text = pd.read_csv(
        path,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        sep=EXCEL_SEPARATOR if excel else ",",
        encoding="utf-8-sig",
    )
    out = pd.DataFrame(index=text.index)
    for column in text.columns:
        values = text[column]
        dtype = dtypes.get(column, "Float64")
        if dtype == "boolean":
            out[column] = values.str.lower().map({"true": True, "false": False}).astype("boolean")
        elif dtype in ("Int64", "Float64"):
            if excel:
                values = values.str.replace(EXCEL_DECIMAL, ".", regex=False)
            out[column] = pd.to_numeric(values).astype(dtype)
        else:
            out[column] = values.astype("string")
    return out

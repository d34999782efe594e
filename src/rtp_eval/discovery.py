"""Finding the raw files: one per source and decision year, `<source>/<YEAR>.csv|xlsx`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rtp_eval.errors import InputFileError
from rtp_eval.schema import SOURCES

RAW_FILE = re.compile(r"^(?P<year>\d{4})\.(?P<ext>csv|xlsx)$")


@dataclass
class RawFiles:
    files: dict[str, dict[int, Path]]  # source -> year -> path
    ignored: list[Path] = field(default_factory=list)

    def years(self, source: str) -> list[int]:
        return sorted(self.files.get(source, {}))

    def path(self, source: str, year: int) -> Path:
        return self.files[source][year]


def discover_raw_files(raw_dir: Path) -> RawFiles:
    """Every `<source>/<YEAR>.csv|xlsx` below `raw_dir`; two files for one year is an error."""
    files: dict[str, dict[int, Path]] = {source: {} for source in SOURCES}
    ignored: list[Path] = []
    for source in SOURCES:
        folder = raw_dir / source
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or path.name.startswith("~$"):
                continue
            match = RAW_FILE.match(path.name)
            if not match or not path.is_file():
                ignored.append(path)
                continue
            year = int(match.group("year"))
            if year in files[source]:
                raise InputFileError(
                    str(path),
                    f"there are two files for {source} {year}: "
                    f"{files[source][year].name} and {path.name}",
                    hint="Keep one file per source and year in data/raw.",
                )
            files[source][year] = path
    return RawFiles(files, ignored)

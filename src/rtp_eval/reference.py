"""Code lists and classifications shipped in `data/reference/`, plus labels added in config.

Every label that reaches a published table comes from one of these lists: the shipped code lists,
or the region's programme areas (`region.programme_areas` in the config), never from an export.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rtp_eval.errors import ConfigError
from rtp_eval.parsing import normalise_header

# code list name -> file in data/reference/
CODE_LIST_FILES: dict[str, str] = {
    "support_type": "support_types.csv",
    "decision": "decisions.csv",
    "sex": "sexes.csv",
    "birth_background": "birth_backgrounds.csv",
    "owner_type": "owner_types.csv",
}
# Codes the published tables use for a total and for a missing value: no list may use them.
RESERVED_CODES = frozenset({"all", "unknown"})
OTHER_FILES = (
    "municipalities.csv",
    "counties.csv",
    "sni2007_divisions.csv",
    "sni2007_sections.csv",
)


def reference_files(reference_dir: Path) -> list[Path]:
    """Every reference file the import reads (rule inputs, so an edit reruns the import)."""
    names = sorted({*CODE_LIST_FILES.values(), *OTHER_FILES})
    return [reference_dir / name for name in names]


@dataclass(frozen=True)
class Reference:
    """Everything the validator needs to turn labels and codes into canonical values."""

    labels: Mapping[str, Mapping[str, str]]  # code list -> normalised label -> code
    municipality_names: Mapping[str, str]  # normalised name -> 4-digit code
    municipality_counties: Mapping[str, str]  # 4-digit code -> county code
    county_codes: frozenset[str]
    sni_sections: Mapping[str, str]  # 2-digit division -> section letter
    # code list -> the code a label in no list is counted under (instead of quarantine)
    unlisted_codes: Mapping[str, str] = field(default_factory=dict)

    @property
    def sni_divisions(self) -> frozenset[str]:
        return frozenset(self.sni_sections)


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def label_map(rows: list[dict[str, str]]) -> dict[str, str]:
    """Normalised label -> code, from `code`, `label_sv` and the `|`-separated `labels`."""
    mapping: dict[str, str] = {}
    for row in rows:
        code = row["code"]
        names = [code, row.get("label_sv", ""), *row.get("labels", "").split("|")]
        for name in names:
            if name.strip():
                mapping[normalise_header(name)] = code
    return mapping


def programme_area_labels(programme_areas: Mapping[str, str]) -> dict[str, str]:
    """Normalised label -> code of the configured programme areas (code -> Swedish name)."""
    for code in programme_areas:
        if code in RESERVED_CODES:
            raise ConfigError(
                "config",
                f"region.programme_areas.{code}",
                f"'{code}' is reserved (tables use it for totals and missing values)",
            )
    mapping: dict[str, str] = {}
    for code, name in programme_areas.items():
        for label in (code, name):
            key = normalise_header(label)
            if mapping.setdefault(key, code) != code:
                raise ConfigError(
                    "config",
                    f"region.programme_areas.{code}",
                    f"'{label}' is also the name of '{mapping[key]}'",
                )
    return mapping


def unlisted_code_map(
    unlisted: Mapping[str, str], labels: Mapping[str, Mapping[str, str]]
) -> dict[str, str]:
    """Code list -> the configured code for labels in no list; it must be a code of that list."""
    for list_name, code in unlisted.items():
        known_codes = set(labels.get(list_name, {}).values())
        if code not in known_codes:
            raise ConfigError(
                "config",
                f"validation.unlisted_labels.{list_name}",
                f"'{code}' is not a code of {list_name} ({', '.join(sorted(known_codes))})",
            )
    return dict(unlisted)


def load_reference(
    reference_dir: Path,
    extra_labels: Mapping[str, Mapping[str, str]] | None = None,
    region_county_codes: list[str] | None = None,
    programme_areas: Mapping[str, str] | None = None,
    unlisted_labels: Mapping[str, str] | None = None,
) -> Reference:
    """Load the code lists; `extra_labels` (from config) map a region's own labels to codes.

    `programme_areas` is the region's list (code -> Swedish name); without it every programme
    area in an export is an unknown code. `unlisted_labels` names, per code list, the code a
    label in no list is counted under instead of being quarantined.
    """
    labels: dict[str, dict[str, str]] = {}
    for name, file in CODE_LIST_FILES.items():
        labels[name] = label_map(_read_rows(reference_dir / file))
    labels["programme_area"] = programme_area_labels(programme_areas or {})
    for list_name, mapping in (extra_labels or {}).items():
        if list_name not in labels:
            raise ConfigError("config", f"labels.{list_name}", f"no code list named '{list_name}'")
        known_codes = set(labels[list_name].values())
        for label, code in mapping.items():
            if code not in known_codes:
                raise ConfigError(
                    "config",
                    f"labels.{list_name}.{label}",
                    f"'{code}' is not a code of {list_name} ({', '.join(sorted(known_codes))})",
                )
            labels[list_name][normalise_header(label)] = code
    municipalities = _read_rows(reference_dir / "municipalities.csv")
    counties = frozenset(r["county_code"] for r in _read_rows(reference_dir / "counties.csv"))
    if region_county_codes:
        unknown = sorted(set(region_county_codes) - counties)
        if unknown:
            raise ConfigError(
                "config", "region.county_codes", f"unknown county code(s) {', '.join(unknown)}"
            )
        counties = frozenset(region_county_codes)
    return Reference(
        labels=labels,
        municipality_names={
            normalise_header(r["municipality_name"]): r["municipality_code"]
            for r in municipalities
            if r["county_code"] in counties
        },
        municipality_counties={r["municipality_code"]: r["county_code"] for r in municipalities},
        county_codes=counties,
        sni_sections={
            r["division"]: r["section"] for r in _read_rows(reference_dir / "sni2007_divisions.csv")
        },
        unlisted_codes=unlisted_code_map(unlisted_labels or {}, labels),
    )

"""Fictitious national input data of any size, for load tests and the scale benchmarks.

The shipped demo (`rtp_eval.demo`) builds one county case by case, with every quirk of the
real exports spelled out; it is written for realism, not speed. This module draws the same
kind of data for all 21 counties with vectorised numpy, so that a million decisions take
seconds: real county codes, synthetic municipality codes within each county (the real ones in
Jämtland, where the reference list knows them), both sources, the same label variants per
export era as the demo, Swedish number and date formats that vary over the years, missing
values, withdrawn cases and a known number of deliberately bad rows per file.

Every file gets an entry in `SCALE_MANIFEST.json` (rows, withdrawn, planted bad rows) so a
run can be checked: read = accepted + quarantined, and quarantined = planted.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tools.demo import (
    _LABELS,
    EQUALITY_LABELS,
    HEADERS,
    LEGAL_FORMS,
    OWNER_TYPE_LABELS,
    PROGRAMME_AREAS,
    SECTION_WEIGHTS,
    SNI_CODES,
)

NATIONAL_SEED = 20260101

# County code -> (share of decisions, number of municipalities); shares follow the rough size
# of each county's regional support, municipality counts are the real ones.
COUNTIES: dict[str, tuple[float, int]] = {
    "01": (0.10, 26), "03": (0.04, 8), "04": (0.03, 9), "05": (0.05, 13), "06": (0.05, 13),
    "07": (0.03, 8), "08": (0.04, 12), "09": (0.02, 1), "10": (0.02, 5), "12": (0.09, 33),
    "13": (0.03, 6), "14": (0.12, 49), "17": (0.05, 16), "18": (0.03, 12), "19": (0.03, 10),
    "20": (0.05, 15), "21": (0.04, 10), "22": (0.05, 7), "23": (0.05, 8), "24": (0.06, 15),
    "25": (0.07, 14),
}  # fmt: skip

# Municipalities the reference list knows: a county listed there must use its real codes.
KNOWN_MUNICIPALITIES: dict[str, tuple[str, ...]] = {
    "23": ("2303", "2305", "2309", "2313", "2321", "2326", "2361", "2380"),
}

BUSINESS_SHARE = 0.75  # of all decisions; the rest are project support

# Reasons planted in the bad rows, in the order they are cycled through.
BAD_ROW_KINDS: tuple[str, ...] = (
    "invalid_date",
    "negative_value",
    "unknown_code",
    "invalid_org_id",
    "granted_exceeds_applied",
    "missing_required",
)


@dataclass(frozen=True)
class NationalConfig:
    decisions_per_year: int = 8_000
    first_year: int = 2012
    last_year: int = 2021
    seed: int = NATIONAL_SEED
    bad_row_share: float = 0.002

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first_year, self.last_year + 1))


@dataclass(frozen=True)
class ExportStyle:
    """How one year's files are written (varies over the years like real exports)."""

    encoding: str
    delimiter: str
    date_style: str  # iso, yyyymmdd or yymmdd
    thousands: str
    decimals: bool
    missing: str
    era: str


def export_style(year: int) -> ExportStyle:
    """Three export generations, cycling so that every size has all of them."""
    kind = year % 3
    if kind == 0:
        return ExportStyle("cp1252", ";", "yymmdd", " ", False, "-", "early")
    if kind == 1:
        return ExportStyle("utf-8-sig", ";", "iso", "\u00a0", True, "", "middle")
    return ExportStyle("utf-8", "\t", "yyyymmdd", "", False, "", "late")


# --- identifiers -----------------------------------------------------------------------------


def luhn_check_digits(bodies: np.ndarray) -> np.ndarray:
    """Check digits of 9-digit bodies (int64 array), weights 2,1,2,... from the left."""
    digits = (bodies[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    products = digits * np.array([2, 1, 2, 1, 2, 1, 2, 1, 2])
    total = (products - 9 * (products > 9)).sum(axis=1)
    return (10 - total % 10) % 10


def organisation_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Luhn-valid 10-digit organisation numbers (third digit >= 2), as strings `NNNNNN-NNNN`."""
    prefixes = rng.choice(np.array([556, 559, 769, 969]), size=n)
    bodies = prefixes * 1_000_000 + rng.integers(0, 1_000_000, size=n)
    numbers = bodies * 10 + luhn_check_digits(bodies)
    text = pd.Series(numbers).astype(str)
    return (text.str.slice(0, 6) + "-" + text.str.slice(6)).to_numpy()


def municipality_codes(county: str) -> tuple[str, ...]:
    if county in KNOWN_MUNICIPALITIES:
        return KNOWN_MUNICIPALITIES[county]
    count = COUNTIES[county][1]
    return tuple(f"{county}{index:02d}" for index in range(1, count + 1))


# --- drawing decisions -----------------------------------------------------------------------


def _choice(rng: np.random.Generator, options: Sequence[str], weights: Sequence[float], n: int):
    p = np.asarray(weights, dtype=float)
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p / p.sum())]


def _dates(rng: np.random.Generator, year: int, n: int) -> np.ndarray:
    days = pd.date_range(f"{year}-01-02", f"{year}-12-22", freq="B")
    return days[rng.integers(0, len(days), size=n)].to_numpy()


def _places(rng: np.random.Generator, n: int) -> np.ndarray:
    counties = list(COUNTIES)
    shares = np.array([v[0] for v in COUNTIES.values()])
    county = rng.choice(len(counties), size=n, p=shares / shares.sum())
    out = np.empty(n, dtype=object)
    for index, code in enumerate(counties):
        members = county == index
        options = np.asarray(municipality_codes(code), dtype=object)
        # The first municipality of a county (its seat) gets a third of the cases.
        weights = np.full(len(options), 2.0 / max(len(options), 1))
        weights[0] = len(options) / 2 if len(options) > 1 else 1.0
        out[members] = options[
            rng.choice(len(options), size=int(members.sum()), p=weights / weights.sum())
        ]
    return out


def _amounts(rng: np.random.Generator, median: np.ndarray) -> np.ndarray:
    raw = rng.lognormal(np.log(median), 0.8)
    step = np.where(raw >= 100_000, 1000, 100)
    return np.maximum(np.round(raw / step) * step, 1000).astype(np.int64)


def business_decisions(rng: np.random.Generator, year: int, n: int) -> pd.DataFrame:
    """Canonical values of `n` business support decisions in `year` (None = missing)."""
    woman_led = rng.random(n) < 0.27
    foreign = rng.random(n) < np.where(woman_led, 0.12, 0.10)
    age = np.clip(rng.normal(np.where(foreign, 42, 48), 11), 20, 78).astype(int)
    sections_w, sections_m = SECTION_WEIGHTS["woman"], SECTION_WEIGHTS["man"]
    section = np.where(
        woman_led,
        _choice(rng, list(sections_w), list(sections_w.values()), n),
        _choice(rng, list(sections_m), list(sections_m.values()), n),
    )
    sni = np.empty(n, dtype=object)
    for code, options in SNI_CODES.items():
        members = section == code
        sni[members] = np.asarray(options, dtype=object)[
            rng.integers(0, len(options), size=int(members.sum()))
        ]
    support = _choice(
        rng,
        ["investment", "business_development", "transport", "commercial_service", "seed", "other"],
        [0.30, 0.52, 0.06, 0.05, 0.04, 0.03],
        n,
    )
    base = np.select(
        [support == "investment", support == "transport", support == "seed"],
        [600_000, 400_000, 500_000],
        150_000,
    ) * np.where(woman_led, 0.6, 1.0)
    applied = _amounts(rng, base)
    approval = 1 / (1 + np.exp(-(1.1 - 0.25 * woman_led - 0.2 * foreign - 0.2 * (age < 30))))
    outcome = rng.random(n)
    decision = np.where(
        outcome < 0.04, "withdrawn", np.where(rng.random(n) < approval, "granted", "rejected")
    )
    granted_share = rng.uniform(0.5, 1.0, size=n)
    granted = np.where(
        decision == "granted", np.maximum(np.floor(applied * granted_share / 100) * 100, 100), 0
    ).astype(np.int64)
    legal = _choice(rng, LEGAL_FORMS, (0.55, 0.33, 0.08, 0.04), n)
    owners_w = np.where(woman_led, rng.integers(1, 3, n), rng.integers(0, 2, n))
    owners_m = np.where(woman_led, rng.integers(0, 2, n), rng.integers(1, 3, n))
    employees = rng.poisson(np.where(legal == "Enskild firma", 0.5, 8))
    employees_w = rng.binomial(employees, 0.38)
    jobs = np.round(rng.gamma(1.2, 1.2, n) * 2) / 2
    jobs_w = np.round(jobs * rng.uniform(0.2, 0.7, n) * 2) / 2
    jobs_m = np.round((jobs - jobs_w).clip(0) * 2) / 2
    granted_case = decision == "granted"
    frame = pd.DataFrame(
        {
            "decision_date": _dates(rng, year, n),
            "support_type": support,
            "decision": decision,
            "amount_applied_sek": applied,
            "amount_granted_sek": granted,
            "org_id": organisation_numbers(rng, n),
            "municipality_code": _places(rng, n),
            "sni_code": sni,
            "legal_form": legal,
            "programme_area": _choice(rng, PROGRAMME_AREAS, (0.85, 0.07, 0.03, 0.05), n),
            "ceo_sex": np.where(woman_led, "woman", "man"),
            "ceo_birth_year": year - age,
            "ceo_birth_background": np.where(foreign, "foreign_born", "swedish_born"),
            "owners_women": owners_w,
            "owners_men": owners_m,
            "owner_share_women_pct": np.round(100 * owners_w / np.maximum(owners_w + owners_m, 1)),
            "board_women": rng.integers(0, 3, n),
            "board_men": rng.integers(0, 4, n),
            "employees_women": employees_w,
            "employees_men": employees - employees_w,
            "expected_jobs_women": np.where(granted_case, jobs_w, np.nan),
            "expected_jobs_men": np.where(granted_case, jobs_m, np.nan),
            "expected_jobs_foreign_born_women": np.where(granted_case, jobs_w * foreign, np.nan),
            "expected_jobs_foreign_born_men": np.where(granted_case, jobs_m * foreign, np.nan),
        }
    ).astype(object)
    for column, share in (("sni_code", 0.03), ("ceo_birth_background", 0.06), ("ceo_sex", 0.02)):
        frame.loc[rng.random(n) < share, column] = None
    frame.loc[~granted_case, "amount_granted_sek"] = None
    frame.loc[~granted_case, [c for c in frame if c.startswith("expected_jobs")]] = None
    return frame


def project_decisions(rng: np.random.Generator, year: int, n: int) -> pd.DataFrame:
    """Canonical values of `n` project support decisions in `year` (None = missing)."""
    owner_type = _choice(
        rng,
        list(OWNER_TYPE_LABELS),
        (0.30, 0.20, 0.10, 0.12, 0.15, 0.08, 0.05),
        n,
    )
    applied = _amounts(rng, np.full(n, 2_500_000.0))
    level = rng.choice(4, size=n, p=(0.15, 0.45, 0.3, 0.1))
    approval = 1 / (1 + np.exp(-(0.6 + 0.3 * level)))
    decision = np.where(
        rng.random(n) < 0.03, "withdrawn", np.where(rng.random(n) < approval, "granted", "rejected")
    )
    granted = np.where(
        decision == "granted", np.floor(applied * rng.uniform(0.4, 1.0, n) / 1000) * 1000, 0
    ).astype(np.int64)
    start = _dates(rng, year, n) + np.timedelta64(30, "D")
    months = rng.integers(6, 37, size=n).astype("timedelta64[M]").astype("timedelta64[D]")
    frame = pd.DataFrame(
        {
            "decision_date": _dates(rng, year, n),
            "decision": decision,
            "amount_applied_sek": applied,
            "amount_granted_sek": granted,
            "municipality_code": _places(rng, n),
            "programme_area": _choice(rng, PROGRAMME_AREAS, (0.35, 0.25, 0.2, 0.2), n),
            "project_title": pd.Series(rng.integers(1, 10_000, n)).map(
                "Utvecklingsprojekt {}".format
            ),
            "owner_name": pd.Series(rng.integers(1, 3_000, n)).map("Projektägare {}".format),
            "org_id": organisation_numbers(rng, n),
            "owner_type": owner_type,
            "project_manager_sex": np.where(rng.random(n) < 0.55, "woman", "man"),
            "target_women": rng.integers(0, 200, n),
            "target_men": rng.integers(0, 200, n),
            "equality_assessment": level,
            "equality_routine_applied": rng.random(n) < min(0.1 + 0.1 * (year - 2012), 0.95),
            "total_budget_sek": applied * 2,
            "project_start": start,
            "project_end": start + months,
        }
    ).astype(object)
    frame.loc[rng.random(n) < 0.03, "project_manager_sex"] = None
    frame.loc[rng.random(n) < 0.05, "equality_routine_applied"] = None
    frame.loc[decision != "granted", "amount_granted_sek"] = None
    return frame


# --- writing ---------------------------------------------------------------------------------


def _format_dates(values: pd.Series, style: str, missing: str) -> pd.Series:
    pattern = {"iso": "%Y-%m-%d", "yyyymmdd": "%Y%m%d", "yymmdd": "%y%m%d"}[style]
    dates = pd.to_datetime(values)
    return dates.dt.strftime(pattern).fillna(missing)


def _format_amounts(values: pd.Series, style: ExportStyle) -> pd.Series:
    numbers = pd.to_numeric(values)
    text = numbers.map(lambda v: "" if pd.isna(v) else f"{int(v):,}", na_action="ignore")
    text = text.fillna(style.missing).astype(str).str.replace(",", style.thousands, regex=False)
    if style.decimals:
        text = text.where(numbers.isna(), text + ",00")
    return text


def _format_decimals(values: pd.Series, missing: str) -> pd.Series:
    numbers = pd.to_numeric(values)
    text = numbers.map(lambda v: f"{v:.1f}".rstrip("0").rstrip("."), na_action="ignore")
    return text.fillna(missing).astype(str).str.replace(".", ",", regex=False)


def _labels(
    rng: np.random.Generator, codes: pd.Series, code_list: str, era: str, missing: str
) -> pd.Series:
    out = pd.Series(missing, index=codes.index, dtype=object)
    for code, variants in _LABELS[era][code_list].items():
        members = (codes == code).to_numpy()
        names = [name for name, _ in variants]
        out[members] = _choice(rng, names, [w for _, w in variants], int(members.sum()))
    return out


def render(
    frame: pd.DataFrame, source: str, style: ExportStyle, rng: np.random.Generator
) -> pd.DataFrame:
    """Canonical values to export text, column by column."""
    out = pd.DataFrame(index=frame.index)
    code_lists = {
        "support_type": "support_type",
        "decision": "decision",
        "ceo_sex": "sex",
        "project_manager_sex": "sex",
        "ceo_birth_background": "birth_background",
    }
    for column in frame:
        values = frame[column]
        if column in ("decision_date", "project_start", "project_end"):
            out[column] = _format_dates(values, style.date_style, style.missing)
        elif column in ("amount_applied_sek", "amount_granted_sek", "total_budget_sek"):
            out[column] = _format_amounts(values, style)
        elif column in code_lists:
            out[column] = _labels(rng, values, code_lists[column], style.era, style.missing)
        elif column == "owner_type":
            out[column] = values.map(OWNER_TYPE_LABELS)
        elif column == "equality_assessment":
            labelled = values.map(lambda v: f"{v} - {EQUALITY_LABELS[v]}")
            out[column] = labelled.where(rng.random(len(values)) < 0.3, values.astype(str))
        elif column == "equality_routine_applied":
            out[column] = values.map({True: "Ja", False: "Nej"}).fillna(style.missing)
        elif column.startswith("expected_jobs") or column == "owner_share_women_pct":
            out[column] = _format_decimals(values, style.missing)
        else:
            out[column] = values.map(lambda v: style.missing if v is None else str(v))
    return out


def plant_bad_rows(
    text: pd.DataFrame, share: float, rng: np.random.Generator
) -> tuple[np.ndarray, dict[str, int]]:
    """Break a known number of rows, one rule each, in place.

    Returns the positions of the broken rows and how many were planted per reason.
    """
    n_bad = round(len(text) * share)
    rows = np.sort(rng.choice(len(text), size=n_bad, replace=False))
    planted: dict[str, int] = {}
    for index, row in enumerate(rows):
        kind = BAD_ROW_KINDS[index % len(BAD_ROW_KINDS)]
        position = text.index[row]
        if kind == "invalid_date":
            text.loc[position, "decision_date"] = "2015-02-30"
        elif kind == "negative_value":
            text.loc[position, "amount_applied_sek"] = "-5000"
        elif kind == "unknown_code":
            text.loc[position, "decision"] = "Vilande"
        elif kind == "invalid_org_id":
            org = text.loc[position, "org_id"]
            text.loc[position, "org_id"] = org[:-1] + str((int(org[-1]) + 3) % 10)
        elif kind == "granted_exceeds_applied":
            text.loc[position, "decision"] = _LABELS["late"]["decision"]["granted"][0][0]
            text.loc[position, "amount_applied_sek"] = "1000"
            text.loc[position, "amount_granted_sek"] = "900000"
        else:
            text.loc[position, "case_id"] = ""
        planted[kind] = planted.get(kind, 0) + 1
    return rows, planted


def file_bytes(text: pd.DataFrame, source: str, style: ExportStyle) -> bytes:
    headers = HEADERS[source]
    buffer = io.StringIO()
    text.rename(columns=headers).to_csv(
        buffer, sep=style.delimiter, index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL
    )
    return buffer.getvalue().encode(style.encoding)


def generate_file(
    source: str, year: int, n: int, config: NationalConfig
) -> tuple[bytes, dict[str, int]]:
    """One export file and its manifest entry (rows, withdrawn, planted bad rows by reason)."""
    source_index = 0 if source == "business_support" else 1
    rng = np.random.default_rng([config.seed, year, source_index])
    draw = business_decisions if source == "business_support" else project_decisions
    frame = draw(rng, year, n)
    prefix = "RF" if source == "business_support" else "RP"
    case_ids = pd.Series(np.arange(1, n + 1)).map(lambda i: f"{prefix}-{year}-{i:07d}")
    style = export_style(year)
    text = render(frame, source, style, rng)
    text.insert(0, "case_id", case_ids.to_numpy())
    bad, planted = plant_bad_rows(text, config.bad_row_share, rng)
    withdrawn_rows = (frame["decision"] == "withdrawn").to_numpy(dtype=bool, copy=True)
    withdrawn_rows[bad] = False
    withdrawn = int(withdrawn_rows.sum())
    entry = {"rows": n, "withdrawn": withdrawn, "bad_rows": sum(planted.values()), **planted}
    return file_bytes(text, source, style), entry


def decisions_per_source(total: int) -> dict[str, int]:
    business = round(total * BUSINESS_SHARE)
    return {"business_support": business, "project_support": total - business}


def write_national_data(out_dir: Path, config: NationalConfig) -> Mapping[str, dict[str, int]]:
    """Write `<source>/<year>.csv` for every year and both sources, plus the manifest."""
    manifest: dict[str, dict[str, int]] = {}
    for year in config.years:
        for source, n in decisions_per_source(config.decisions_per_year).items():
            content, entry = generate_file(source, year, n, config)
            path = out_dir / source / f"{year}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            manifest[f"{source}/{year}.csv"] = entry
    (out_dir / "SCALE_MANIFEST.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return manifest

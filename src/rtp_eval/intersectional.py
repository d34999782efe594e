"""Intersectional breakdown of business support: strata of sex × birth background × age × area.

Pure functions from the clean business support cases (all years) and the business-leader
baseline to the contract table `intersectional_business_support` (DATA-CONTRACT §2): one row per
pooled period × stratum, with `all` rows for every combination of totals so that disclosure
control can protect each stratum along every line that adds up to a published total.

Choices a reader of the table should know (also stated in the report's method box):
- Strata are the combinations of the configured dimensions (default leadership group, birth
  background, age group and area). A dimension left out of the configuration is `all` in every
  row. Missing values are the stratum value `unknown` and are kept as strata in the table.
- Years are pooled into the configured periods. Disclosure control (`rtp_eval.protection`)
  protects this table together with the gender tables: its group × area margins are their
  cells, and a period that is the union of other periods is their sum.
- `decisions` = granted + rejected, as in the gender tables.
- The shares and indexes are computed from the (published or work) table itself after disclosure
  control, never from the raw cases. A published share therefore only uses published numbers and
  cannot reveal a suppressed cell; where a number it needs is suppressed, it is empty.
  - `share_of_decisions`, `share_of_granted`, `share_of_amount`: the stratum's share of all
    decisions, granted decisions and granted kronor of the period (unknowns included).
  - `decision_representation_index` = share_of_granted / share_of_decisions: above 1, the stratum
    is a larger part of those granted than of those who applied (the decision stage favours it).
  - `representation_index` = share_of_granted_known / baseline_share: the stratum's share of
    granted decisions among decisions whose values are known in the row's dimensions, divided by
    its share of the region's business leaders. Above 1, the programme reaches the stratum more
    than its part of the business leaders. The known total is estimated from the published
    one-dimension `unknown` rows (see `known_total`), assuming a value missing in one dimension
    says nothing about the others; an exact total over the known strata would be a sum of many
    suppressed cells and could reveal them.
  - `amount_representation_index` is the same for granted kronor.
- `baseline_share` comes from `data/reference/business_leaders_baseline.csv` (public statistics,
  not suppressed): business leaders of the stratum over all business leaders in the region, over
  the years of the period present in the file. Strata with an `unknown` value have none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from rtp_eval import catalog
from rtp_eval.breakdown import CATEGORY_ORDER
from rtp_eval.catalog import GRANTED_UNITS, TOTAL, UNITS, top_column
from rtp_eval.cells import (
    UNKNOWN,
    CaseArrays,
    case_measures,
    category,
    category_rank,
    cells_with_totals,
    floats,
    per_cell_sum,
    period_order,
    ratio,
)
from rtp_eval.errors import UserFacingError
from rtp_eval.io import read_clean
from rtp_eval.settings import Disclosure, Intersectional, Statistics, section
from rtp_eval.stats import DEFAULT_CONFIDENCE_LEVEL, wilson_interval

TABLE_NAME = "intersectional_business_support"
# Dimension in the configuration -> (column of the clean table, key column of the output table).
DIMENSIONS: dict[str, tuple[str, str]] = {
    "leadership_group": ("leadership_group", "group"),
    "birth_background": ("ceo_birth_background", "birth_background"),
    "age_group": ("age_group", "age_group"),
    "area": ("area", "area"),
}
KEY_COLUMNS = ("group", "birth_background", "age_group", "area")
DEFAULT_PERIODS: dict[str, tuple[int, int]] = {
    "2012-2015": (2012, 2015),
    "2016-2018": (2016, 2018),
    "2012-2018": (2012, 2018),
}

COLUMNS: tuple[str, ...] = catalog.table("intersectional_business_support").columns
# Shares and indexes computed after disclosure from the table's own published values.
DERIVED_AFTER = (
    "share_of_amount",
    "representation_index",
    "share_of_decisions",
    "share_of_granted",
    "decision_representation_index",
    "share_of_granted_known",
    "amount_representation_index",
)

# Columns from the baseline (public statistics), not from the cases.
BASELINE_ONLY = ("baseline_share", "baseline_business_leaders")

SEX_TO_GROUP = {"woman": "women", "man": "men"}
BASELINE_COLUMNS = ("year", "area", "sex", "birth_background", "age_group", "business_leaders")

CATEGORY_ORDER_INTERSECTIONAL: dict[str, tuple[str, ...]] = {
    "group": CATEGORY_ORDER["group"],
    "birth_background": ("swedish_born", "foreign_born"),
    "age_group": ("<30", "30-49", "50-64", "65+"),
}


@dataclass(frozen=True)
class IntersectionalConfig:
    """Dimensions, pooled periods, disclosure rules and confidence level of the breakdown."""

    dimensions: tuple[str, ...] = tuple(Intersectional.model_construct().dimensions)
    periods: Mapping[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_PERIODS))
    dominance_n: int = Disclosure().dominance_n
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL
    age_labels: tuple[str, ...] = ("<30", "30-49", "50-64", "65+")

    def __post_init__(self) -> None:
        unknown = [d for d in self.dimensions if d not in DIMENSIONS]
        if unknown or not self.dimensions:
            raise ValueError(
                f"intersectional dimensions must be a non-empty subset of {', '.join(DIMENSIONS)}"
                f"; got {', '.join(self.dimensions) or 'none'}"
            )
        if not self.periods:
            raise ValueError("at least one intersectional period is needed")

    @property
    def keys(self) -> tuple[str, ...]:
        """Output key columns that are strata dimensions (the others are always `all`)."""
        return tuple(DIMENSIONS[d][1] for d in self.dimensions)

    @classmethod
    def from_params(
        cls,
        settings: Mapping[str, object] | None,
        disclosure: Mapping[str, object] | None,
        age_labels: Sequence[str] | None = None,
    ) -> IntersectionalConfig:
        strata = section(Intersectional, settings)
        return cls(
            dimensions=tuple(strata.dimensions),
            periods={label: (first, last) for label, (first, last) in strata.periods.items()},
            dominance_n=section(Disclosure, disclosure).dominance_n,
            confidence_level=section(Statistics, disclosure).confidence_level,
            age_labels=tuple(age_labels or cls.age_labels),
        )


# --- cases -----------------------------------------------------------------------------------


# The clean business columns `prepare_cases` reads.
CLEAN_COLUMNS: tuple[str, ...] = (
    "decision",
    "decision_year",
    "org_pseudonym",
    "amount_granted_sek",
    *(column for column, _ in DIMENSIONS.values()),
    "support_type",
    "industry",
)


def read_decided_business(paths: Sequence[str]) -> pd.DataFrame:
    """The clean business cases `prepare_cases` needs: its columns, decided cases only."""
    return read_clean(
        paths, "business_support", columns=CLEAN_COLUMNS, decisions=["granted", "rejected"]
    )


def prepare_cases(clean: pd.DataFrame, config: IntersectionalConfig) -> pd.DataFrame:
    """Decided business support cases with one column per output key and per-case measures.

    Dimensions not in the configuration are `all`. `unit` is the pseudonymised organisation,
    the unit of the disclosure rules.
    """
    decided = clean[clean["decision"].isin(["granted", "rejected"])]
    granted = (decided["decision"] == "granted").to_numpy(dtype=bool)
    cases = pd.DataFrame(index=decided.index)
    cases["year"] = decided["decision_year"].astype("Int64")
    cases["unit"] = decided["org_pseudonym"].astype("string").fillna("").to_numpy()
    cases["granted_flag"] = granted.astype(np.int64)
    amount = decided["amount_granted_sek"].astype("Int64")
    cases["granted_amount"] = amount.where(granted, 0).fillna(0).astype("int64")
    for dimension, (column, key) in DIMENSIONS.items():
        if dimension in config.dimensions:
            cases[key] = category(decided[column])
        else:
            cases[key] = pd.array([TOTAL] * len(decided), dtype="string")
    for column in ("support_type", "industry"):
        cases[column] = category(decided[column]) if column in decided else UNKNOWN
    return cases.reset_index(drop=True)


def period_cases(
    cases: pd.DataFrame, periods: Mapping[str, tuple[int, int]]
) -> dict[str, pd.DataFrame]:
    years = cases["year"]
    return {
        label: cases[(years >= first) & (years <= last)] for label, (first, last) in periods.items()
    }


# --- aggregation -----------------------------------------------------------------------------


def aggregate(cases: pd.DataFrame, config: IntersectionalConfig) -> pd.DataFrame:
    """Unsuppressed counts per period × stratum, with `all` rows for every subset of totals.

    With the organisations per cell and the largest organisations' share of the granted amount,
    which disclosure control needs.
    """
    keys = list(config.keys)
    fixed = [k for k in KEY_COLUMNS if k not in keys]
    frames = []
    for label, data in period_cases(cases, config.periods).items():
        if data.empty:
            continue
        arrays = CaseArrays.of(data, {"amount_granted_sek": "granted_amount"})
        cells = cells_with_totals(
            data.assign(period=label), keys, keys, case_measures(arrays, config.dominance_n)
        )
        for key in fixed:
            cells[key] = TOTAL
        frames.append(cells)
    working = [UNITS, GRANTED_UNITS, top_column("amount_granted_sek")]
    if not frames:
        return pd.DataFrame(columns=["period", *KEY_COLUMNS, "decisions", "granted", *working])
    out = pd.concat(frames, ignore_index=True)
    for key in ("period", *KEY_COLUMNS):
        out[key] = out[key].astype("string")
    for column in ("decisions", "granted", "amount_granted_sek", UNITS, GRANTED_UNITS):
        out[column] = out[column].astype("Int64")
    return out


def add_rates(cells: pd.DataFrame, confidence_level: float) -> pd.DataFrame:
    out = cells.copy()
    decisions = floats(out["decisions"])
    granted = floats(out["granted"])
    out["approval_rate"] = ratio(granted, decisions)
    low, high = wilson_interval(granted, decisions, confidence_level)
    out["approval_rate_ci_low"] = pd.array(low, dtype="Float64")
    out["approval_rate_ci_high"] = pd.array(high, dtype="Float64")
    return out


# --- baseline --------------------------------------------------------------------------------


def read_baseline(path: str | Path) -> pd.DataFrame:
    """The business-leader baseline, checked: columns, codes and non-negative whole counts."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in BASELINE_COLUMNS if c not in frame.columns]
    if missing:
        raise UserFacingError(
            f"{path}: missing column(s) {', '.join(missing)}; "
            f"expected {', '.join(BASELINE_COLUMNS)}"
        )
    frame = frame[list(BASELINE_COLUMNS)].copy()
    bad_sex = sorted(set(frame["sex"]) - set(SEX_TO_GROUP))
    bad_background = sorted(set(frame["birth_background"]) - {"swedish_born", "foreign_born"})
    if bad_sex or bad_background:
        raise UserFacingError(
            f"{path}: unknown code(s) {', '.join(bad_sex + bad_background)}; sex must be "
            "woman/man and birth_background swedish_born/foreign_born"
        )
    duplicated = frame.duplicated(list(BASELINE_COLUMNS[:-1]), keep=False)
    if duplicated.any():
        first = frame.loc[duplicated, list(BASELINE_COLUMNS[:-1])].iloc[0].tolist()
        raise UserFacingError(f"{path}: more than one row for {', '.join(map(str, first))}")
    for column in ("year", "business_leaders"):
        numbers = pd.to_numeric(frame[column], errors="coerce")
        if numbers.isna().any() or (numbers < 0).any() or (numbers % 1 != 0).any():
            raise UserFacingError(f"{path}: column {column} must hold whole numbers >= 0")
        frame[column] = numbers.astype("int64")
    return frame


def baseline_cells(
    baseline: pd.DataFrame, config: IntersectionalConfig, known_areas: Sequence[str] = ()
) -> pd.DataFrame:
    """Business leaders per period × stratum key (with `all` rows), and their share of all."""
    data = baseline.rename(columns={"sex": "group"}).copy()
    data["group"] = data["group"].map(SEX_TO_GROUP)
    unexpected_ages = sorted(set(data["age_group"]) - set(config.age_labels))
    if unexpected_ages:
        raise UserFacingError(
            "business_leaders_baseline.csv: age group(s) "
            f"{', '.join(unexpected_ages)} do not match the configured age groups "
            f"{', '.join(config.age_labels)}"
        )
    if known_areas:
        unexpected = sorted(set(data["area"]) - set(known_areas))
        if unexpected:
            raise UserFacingError(
                "business_leaders_baseline.csv: area(s) "
                f"{', '.join(unexpected)} are not configured areas ({', '.join(known_areas)})"
            )
    keys = list(config.keys)
    frames = []
    for label, (first, last) in config.periods.items():
        rows = data[(data["year"] >= first) & (data["year"] <= last)]
        if rows.empty:
            continue
        leaders = rows["business_leaders"].to_numpy(dtype=np.float64)

        def leader_sums(
            cell: np.ndarray, n_cells: int, leaders: np.ndarray = leaders
        ) -> dict[str, object]:
            return {"business_leaders": per_cell_sum(leaders, cell, n_cells)}

        cells = cells_with_totals(rows.assign(period=label), keys, keys, leader_sums)
        for key in KEY_COLUMNS:
            if key not in keys:
                cells[key] = TOTAL
        cells["baseline_share"] = cells["business_leaders"] / leaders.sum()
        cells["baseline_years"] = rows["year"].nunique()
        frames.append(cells)
    columns = ["period", *KEY_COLUMNS, "business_leaders", "baseline_share", "baseline_years"]
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True)[columns]
    for key in ("period", *KEY_COLUMNS):
        out[key] = out[key].astype("string")
    return out


# --- shares and indexes from a (published or work) table -------------------------------------


def _index(frame: pd.DataFrame, column: str) -> dict[tuple[str, ...], float]:
    keys = frame[["period", *KEY_COLUMNS]].astype(str).itertuples(index=False, name=None)
    return dict(zip(keys, floats(frame[column]), strict=True))


def known_total(values: Mapping[tuple[str, ...], float], period: str, dims: Sequence[str]) -> float:
    """Estimated total of a column over cases whose values in `dims` are all known.

    The period total times, per dimension, the share of it that is not `unknown` (from the
    published one-dimension `unknown` rows), i.e. assuming that a value missing in one dimension
    says nothing about the others. Exact for a single dimension. Computed from published rows
    only, so it cannot reveal a suppressed cell (the exact total over known strata could: it is a
    sum of many small, suppressed cells). A row that does not exist counts 0; NaN when a needed
    row is suppressed.
    """
    grand = values.get((period, *([TOTAL] * len(KEY_COLUMNS))), np.nan)
    if not grand > 0:
        return float("nan")
    known = grand
    for dim in dims:
        key = (period, *(UNKNOWN if k == dim else TOTAL for k in KEY_COLUMNS))
        known *= 1.0 - values.get(key, 0.0) / grand
    return float(known)


def add_shares(
    table: pd.DataFrame, baseline: pd.DataFrame | None, config: IntersectionalConfig
) -> pd.DataFrame:
    """Shares of the period and representation indexes, from the table's own values."""
    out = table.copy()
    for column in (*DERIVED_AFTER, "baseline_share", "baseline_business_leaders"):
        out[column] = pd.array([pd.NA] * len(out), dtype="Float64")
    if out.empty:
        return out
    keys = list(config.keys)
    indexes = {c: _index(out, c) for c in ("decisions", "granted", "amount_granted_sek")}
    for period in out["period"].dropna().unique():
        rows = (out["period"] == period).fillna(False).to_numpy(dtype=bool)
        part = out.loc[rows]
        grand = {
            c: indexes[c].get((period, *([TOTAL] * len(KEY_COLUMNS))), np.nan)
            for c in ("decisions", "granted", "amount_granted_sek")
        }
        out.loc[rows, "share_of_decisions"] = ratio(
            floats(part["decisions"]), np.full(len(part), grand["decisions"])
        )
        out.loc[rows, "share_of_granted"] = ratio(
            floats(part["granted"]), np.full(len(part), grand["granted"])
        )
        out.loc[rows, "share_of_amount"] = ratio(
            floats(part["amount_granted_sek"]), np.full(len(part), grand["amount_granted_sek"])
        )
        specific = part[keys].ne(TOTAL).to_numpy(dtype=bool)
        known_granted = np.full(len(part), np.nan)
        known_amount = np.full(len(part), np.nan)
        cache: dict[tuple[str, ...], tuple[float, float]] = {}
        for index, mask in enumerate(specific):
            dims = tuple(k for k, m in zip(keys, mask, strict=True) if m)
            if dims not in cache:
                cache[dims] = (
                    known_total(indexes["granted"], period, dims),
                    known_total(indexes["amount_granted_sek"], period, dims),
                )
            known_granted[index], known_amount[index] = cache[dims]
        share_known = ratio(floats(part["granted"]), known_granted)
        amount_known = ratio(floats(part["amount_granted_sek"]), known_amount)
        has_unknown = part[keys].eq(UNKNOWN).any(axis=1).to_numpy(dtype=bool)
        share_known[has_unknown] = pd.NA
        amount_known[has_unknown] = pd.NA
        out.loc[rows, "share_of_granted_known"] = share_known
        if baseline is not None and not baseline.empty:
            merged = part[["period", *KEY_COLUMNS]].merge(
                baseline, on=["period", *KEY_COLUMNS], how="left"
            )
            base = floats(merged["baseline_share"])
            out.loc[rows, "baseline_share"] = pd.array(base, dtype="Float64")
            out.loc[rows, "baseline_business_leaders"] = pd.array(
                floats(merged["business_leaders"]), dtype="Float64"
            )
            out.loc[rows, "representation_index"] = ratio(
                share_known.to_numpy(dtype=np.float64, na_value=np.nan), base
            )
            out.loc[rows, "amount_representation_index"] = ratio(
                amount_known.to_numpy(dtype=np.float64, na_value=np.nan), base
            )
    out["decision_representation_index"] = ratio(
        floats(out["share_of_granted"]), floats(out["share_of_decisions"])
    )
    out["baseline_business_leaders"] = out["baseline_business_leaders"].astype("Float64")
    return out


# --- the whole table -------------------------------------------------------------------------


def sort_table(frame: pd.DataFrame, config: IntersectionalConfig) -> pd.DataFrame:
    """Periods in configured order (by first year, then last), then keys in domain order."""
    ranks = pd.DataFrame(index=frame.index)
    ranks["_period"] = category_rank(frame["period"], period_order(config.periods))
    known = {**CATEGORY_ORDER_INTERSECTIONAL, "age_group": tuple(config.age_labels)}
    for key in KEY_COLUMNS:
        ranks[f"_{key}"] = category_rank(frame[key], known.get(key, ()))
    order = ranks.sort_values(list(ranks.columns), kind="stable").index
    return frame.loc[order].reset_index(drop=True)


WORKING_COLUMNS = (UNITS, GRANTED_UNITS, top_column("amount_granted_sek"))


def build_work_table(
    clean: pd.DataFrame, config: IntersectionalConfig | None = None
) -> pd.DataFrame:
    """The unsuppressed strata table with the working columns disclosure control needs."""
    config = config or IntersectionalConfig()
    cells = add_rates(aggregate(prepare_cases(clean, config), config), config.confidence_level)
    cells["suppressed"] = pd.array([False] * len(cells), dtype="boolean")
    counts = [c for c in COLUMNS if c not in DERIVED_AFTER and c not in BASELINE_ONLY]
    return sort_table(cells, config)[[*counts, *WORKING_COLUMNS]]


def finish_table(
    cells: pd.DataFrame,
    clean_areas: Sequence[str],
    baseline: pd.DataFrame | None,
    config: IntersectionalConfig,
) -> pd.DataFrame:
    """The contract table from a (work or protected) strata table: shares and indexes added.

    Shares and indexes come from the table's own values, so a protected input gives a table
    that shows nothing the protection hid.
    """
    base = (
        baseline_cells(baseline, config, clean_areas if "area" in config.dimensions else ())
        if baseline is not None
        else None
    )
    table = add_shares(cells.drop(columns=[c for c in WORKING_COLUMNS if c in cells]), base, config)
    return sort_table(table, config)[list(COLUMNS)]


def table_areas(table: pd.DataFrame) -> list[str]:
    """The areas a strata table shows (what the baseline's areas are checked against)."""
    return sorted(set(table["area"].astype(str)) - {UNKNOWN, TOTAL})

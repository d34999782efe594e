"""Sex-disaggregated breakdowns of decided business and project support (R1 and R2 of 3R).

Pure functions from the clean case tables (all years concatenated) to the contract tables of
DATA-CONTRACT §2 and their variants, unsuppressed: the work tables of `results/work/`, with the
working columns disclosure control needs (organisations per cell, the largest organisations'
shares of each amount). `rtp_eval.protection` turns them into the published tables; the
comparison tables (`approval_rate_difference`, period changes) are then computed from those.

Choices a reader of the tables should know (also stated in the report's method section):
- `decisions` = granted + rejected; withdrawn cases are dropped before anything is counted.
- Amounts, jobs and target groups are summed with missing values left out, so a cell whose
  values are all missing shows 0; `amount_applied_sek` is summed over decisions, everything
  else that measures what was given (granted amount, expected jobs, target groups) over granted
  cases only.
- Means and medians of granted amounts are rounded half up to whole kronor.
- A missing category (programme area, owner type, equality assessment, area, …) is `unknown`.
- Only combinations that occur in the data get a row; a group without decisions has no row.
- Period rows are computed from the cases of the period's years (not by adding year rows), so
  their medians, intervals and organisations are those of the pooled period.
- The tables by programme area, industry and area are published for the configured periods
  only and for all support types (owner types) together: split further by year and support
  type their cells are too small to publish, and hiding them would hide much else.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rtp_eval import catalog
from rtp_eval.catalog import GRANTED_UNITS, TOTAL, UNITS
from rtp_eval.cells import (
    UNKNOWN,
    CaseArrays,
    case_measures,
    category,
    category_rank,
    cells_with_totals,
    floats,
    period_order,
    ratio,
)
from rtp_eval.settings import Disclosure
from rtp_eval.stats import DEFAULT_CONFIDENCE_LEVEL, proportion_difference, wilson_interval

DEFAULT_PERIODS: dict[str, tuple[int, int]] = {"2012-2015": (2012, 2015), "2016-2018": (2016, 2018)}

# Women first, as Swedish sex-disaggregated statistics list them (förordning 2001:100).
GROUP_ORDER = ("women", "men", "mixed", UNKNOWN, TOTAL)
CATEGORY_ORDER: dict[str, tuple[str, ...]] = {
    "group": GROUP_ORDER,
    "classification": ("leadership", "ownership"),
    "support_type": (
        "investment",
        "business_development",
        "transport",
        "commercial_service",
        "seed",
        "other",
    ),
    "owner_type": (
        "municipality",
        "region",
        "state_agency",
        "university",
        "nonprofit",
        "company",
        "other",
    ),
    "equality_assessment": ("0", "1", "2", "3"),
}

BUSINESS_CLASSIFICATIONS: dict[str, str] = {
    "leadership": "leadership_group",
    "ownership": "ownership_group",
}
BUSINESS_DIMENSIONS = catalog.BUSINESS_DIMENSIONS
PROJECT_DIMENSIONS = catalog.PROJECT_DIMENSIONS

BUSINESS_JOBS = (
    "expected_jobs_women",
    "expected_jobs_men",
    "expected_jobs_foreign_born_women",
    "expected_jobs_foreign_born_men",
)
PROJECT_TARGETS = ("target_women", "target_men")
DECISION_SHARE = ("share_of_decisions", "share_of_decisions_ci_low", "share_of_decisions_ci_high")
MAIN_TABLES = (
    "business_support_by_gender",
    "project_support_by_gender",
    "project_support_equality",
)


@dataclass(frozen=True)
class BreakdownConfig:
    """Periods, the dominance rule's n and the confidence level: the breakdown rule's `params`."""

    periods: Mapping[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_PERIODS))
    dominance_n: int = Disclosure().dominance_n
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL

    def __post_init__(self) -> None:
        # A period labelled like a year would be mistaken for that year's rows.
        clashes = [label for label in self.periods if str(label).isdigit()]
        if clashes:
            raise ValueError(f"period labels must not look like a year: {', '.join(clashes)}")
        if self.dominance_n < 1:
            raise ValueError(f"dominance_n must be at least 1, got {self.dominance_n}")

    @classmethod
    def from_params(
        cls, periods: Mapping[str, Sequence[int]] | None, disclosure: Mapping[str, object] | None
    ) -> BreakdownConfig:
        disclosure = dict(disclosure or {})
        parsed = {str(k): (int(v[0]), int(v[1])) for k, v in (periods or DEFAULT_PERIODS).items()}
        for label, (first, last) in parsed.items():
            if first > last:
                raise ValueError(f"period {label!r} starts after it ends: {first} > {last}")
        return cls(
            periods=parsed,
            dominance_n=int(str(disclosure.get("dominance_n", cls.dominance_n))),
            confidence_level=float(
                str(disclosure.get("confidence_level", DEFAULT_CONFIDENCE_LEVEL))
            ),
        )


@dataclass(frozen=True)
class _Spec:
    """How one table is cut: its key columns (after `period`) and which of them have totals.

    `constant`: keys fixed to one value in every row (the dimension tables are for all support
    types); `years`: whether single years are published besides the configured periods.
    """

    name: str
    keys: tuple[str, ...]
    total_dimensions: tuple[str, ...]
    share_dimension: str
    columns: tuple[str, ...]
    years: bool = True
    constant: Mapping[str, str] = field(default_factory=dict)


# --- preparing cases -------------------------------------------------------------------------


def amount_measures(source: str) -> tuple[str, ...]:
    """The additive amounts, jobs and participants of a source (protected like amounts)."""
    extra = BUSINESS_JOBS if source == "business_support" else PROJECT_TARGETS
    return ("amount_applied_sek", "amount_granted_sek", *extra)


def prepare_cases(clean: pd.DataFrame, source: str) -> pd.DataFrame:
    """Decided cases (withdrawn dropped) with category columns filled and per-case measures.

    Measures are prepared so that a plain sum or mean gives the contract definition:
    `granted_amount` is the granted amount of granted cases and missing otherwise (for means
    and medians over granted cases); granted amounts, jobs and targets count for granted cases
    only. `unit` is the pseudonymised organisation: the unit of the disclosure rules.
    """
    decided = clean[clean["decision"].isin(["granted", "rejected"])]
    granted = (decided["decision"] == "granted").to_numpy(dtype=bool)
    cases = pd.DataFrame(index=decided.index)
    cases["year"] = decided["decision_year"].astype("Int64")
    cases["unit"] = decided["org_pseudonym"].astype("string").fillna("").to_numpy()
    cases["granted_flag"] = granted.astype(np.int64)
    cases["amount_applied_sek"] = decided["amount_applied_sek"].astype("Int64")
    amount = decided["amount_granted_sek"].astype("Int64")
    cases["granted_amount"] = amount.where(granted)
    cases["amount_granted_sek"] = amount.where(granted, 0).fillna(0)
    if source == "business_support":
        for group_column in BUSINESS_CLASSIFICATIONS.values():
            cases[group_column] = category(decided[group_column])
        cases["support_type"] = category(decided["support_type"])
        for column in BUSINESS_JOBS:
            cases[column] = decided[column].astype("Float64").where(granted)
        dimensions: tuple[str, ...] = BUSINESS_DIMENSIONS
    elif source == "project_support":
        cases["leadership_group"] = category(decided["leadership_group"])
        cases["owner_type"] = category(decided["owner_type"])
        assessment = decided["equality_assessment"].astype("Int64").astype("string")
        cases["equality_assessment"] = category(assessment)
        for column in PROJECT_TARGETS:
            cases[column] = decided[column].astype("Int64").where(granted)
        routine = decided["equality_routine_applied"].astype("boolean")
        cases["routine_applied"] = routine.fillna(False).astype(np.int64)
        cases["routine_recorded"] = routine.notna().astype(np.int64)
        dimensions = PROJECT_DIMENSIONS
    else:
        raise ValueError(f"unknown source {source!r}")
    for column in dimensions:
        cases[column] = category(decided[column])
    return cases.reset_index(drop=True)


# --- aggregation: per-year cells, and period cells from the pooled cases ----------------------
#
# The years can be computed apart (one job per source and year): `partial_cells` gives the
# cells of each year of the tables that show years, and the narrow case rows of the year.
# `combine` takes the year cells as they are and computes every period cell from the case rows
# of the period's years, so that counts of organisations, the largest organisations' shares and
# medians (none of which add up over years) are those of the pooled period.


def _sum_columns(source: str) -> tuple[str, ...]:
    if source == "business_support":
        return BUSINESS_JOBS
    return (*PROJECT_TARGETS, "routine_applied", "routine_recorded")


def _count_columns(source: str) -> list[str]:
    """The additive columns that are not amounts (counts of the routine)."""
    return [c for c in _sum_columns(source) if c not in amount_measures(source)]


@dataclass(frozen=True)
class _Cut:
    """One block of a table: its spec and, for business tables, one classification."""

    spec: _Spec
    classification: str | None
    group_column: str | None

    @property
    def keys(self) -> list[str]:
        return [k for k in self.spec.keys if k != "classification"]

    def data(self, cases: pd.DataFrame) -> pd.DataFrame:
        data = cases.assign(**self.spec.constant) if self.spec.constant else cases
        if self.group_column is None:
            return data
        return data.assign(group=data[self.group_column])


def _cuts(name: str, source: str) -> list[_Cut]:
    spec = _SPECS[name]
    if source == "business_support":
        return [_Cut(spec, c, column) for c, column in BUSINESS_CLASSIFICATIONS.items()]
    if name == "project_support_equality":
        return [_Cut(spec, None, None)]
    return [_Cut(spec, None, "leadership_group")]


def source_table_names(source: str) -> list[str]:
    """The breakdown tables of one source: its main table and the tables overlapping it."""
    if source == "business_support":
        return [
            "business_support_by_gender",
            *(f"business_support_by_gender_and_{d}" for d in BUSINESS_DIMENSIONS),
        ]
    return [
        "project_support_by_gender",
        *(f"project_support_by_gender_and_{d}" for d in PROJECT_DIMENSIONS),
        "project_support_equality",
    ]


@dataclass(frozen=True)
class Block:
    """One block the tables are aggregated in (for an independent recomputation).

    `group_column` fills `group`; `totals` are the keys that also get `all` rows; `constant`
    keys hold one value in every row; `years`: single years are cells besides the periods.
    """

    table: str
    classification: str | None
    group_column: str | None
    keys: tuple[str, ...]
    totals: tuple[str, ...]
    constant: Mapping[str, str]
    years: bool


def aggregation_plan(source: str) -> list[Block]:
    """Every block the tables of `source` are aggregated in: one per table and classification."""
    return [
        Block(
            name,
            cut.classification,
            cut.group_column,
            tuple(cut.keys),
            cut.spec.total_dimensions,
            cut.spec.constant,
            cut.spec.years,
        )
        for name in source_table_names(source)
        for cut in _cuts(name, source)
    ]


def _case_columns(source: str) -> list[str]:
    """The narrow case rows kept for the periods: categories, unit and measures."""
    if source == "business_support":
        categories = [*BUSINESS_CLASSIFICATIONS.values(), "support_type", *BUSINESS_DIMENSIONS]
    else:
        categories = ["leadership_group", "owner_type", "equality_assessment", *PROJECT_DIMENSIONS]
    measures = ["granted_flag", "granted_amount", *amount_measures(source), *_sum_columns(source)]
    return ["year", "unit", *categories, *dict.fromkeys(measures)]


@dataclass(frozen=True)
class Partial:
    """What one partition (one source, one or more years) contributes to the source's tables.

    `cells`: the cells of every year of the tables that show years (column `table`;
    `classification` for business tables), with every measure. `cases`: the decided cases in
    narrow form (categories, organisation, measures), for the cells of the periods.
    """

    cells: pd.DataFrame
    cases: pd.DataFrame


def _table_cells(
    cases: pd.DataFrame, source: str, names: Sequence[str], top_n: int
) -> pd.DataFrame:
    frames = []
    for name in names:
        for cut in _cuts(name, source):
            data = cut.data(cases)
            arrays = CaseArrays.of(
                data, amount_measures(source), _count_columns(source), "granted_amount"
            )
            cells = cells_with_totals(
                data, cut.keys, cut.spec.total_dimensions, case_measures(arrays, top_n)
            )
            cells["table"] = name
            if cut.classification is not None:
                cells["classification"] = cut.classification
            frames.append(cells)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def partial_cells(clean: pd.DataFrame, source: str, config: BreakdownConfig) -> Partial:
    """The per-year cells and case rows of every breakdown table of `source`."""
    cases = prepare_cases(clean, source)
    yearly = [n for n in source_table_names(source) if _SPECS[n].years]
    cells = _table_cells(
        cases.assign(period=cases["year"].astype("string")), source, yearly, config.dominance_n
    )
    narrow = cases[_case_columns(source)].copy()
    for column in narrow.columns.drop(["year", *_numeric_case_columns(source)]):
        narrow[column] = narrow[column].astype("category")
    return Partial(cells, narrow)


def _numeric_case_columns(source: str) -> list[str]:
    return [
        c
        for c in _case_columns(source)
        if c not in ("year", "unit")
        and c in ("granted_flag", "granted_amount", *amount_measures(source), *_sum_columns(source))
    ]


def combine(
    partials: Sequence[Partial], source: str, config: BreakdownConfig
) -> dict[str, pd.DataFrame]:
    """The unsuppressed work tables of `source` (sorted, with working columns) from partials.

    Each partial must hold whole years: a year's cells are taken as they are.
    """
    seen: set[int] = set()
    for partial in partials:
        years = set(pd.to_numeric(partial.cases["year"]).dropna().astype(int))
        years |= set(
            pd.to_numeric(partial.cells.get("period", pd.Series(dtype="string")))
            .dropna()
            .astype(int)
        )
        if years & seen:
            shared = ", ".join(str(y) for y in sorted(years & seen))
            raise ValueError(f"year(s) {shared} of {source} are in more than one partition")
        seen |= years
    year_cells = (
        pd.concat([p.cells for p in partials if len(p.cells)], ignore_index=True)
        if any(len(p.cells) for p in partials)
        else pd.DataFrame(columns=["table", "period"])
    )
    cases = pd.concat([p.cases for p in partials], ignore_index=True)
    for column in cases.columns.drop(["year", *_numeric_case_columns(source)]):
        cases[column] = cases[column].astype("string")
    case_years = pd.to_numeric(cases["year"]).to_numpy()
    period_frames = []
    for label, (first, last) in config.periods.items():
        in_period = cases[(case_years >= first) & (case_years <= last)]
        if in_period.empty:
            continue
        period_frames.append(
            _table_cells(
                in_period.assign(period=label),
                source,
                source_table_names(source),
                config.dominance_n,
            )
        )
    cells = pd.concat([year_cells, *period_frames], ignore_index=True)
    works = {}
    for name in source_table_names(source):
        spec = _SPECS[name]
        table = catalog.table(name)
        columns = [*spec.columns, *catalog.working_columns(table)]
        of_table = cells[cells["table"] == name] if len(cells) else cells
        if len(of_table):
            derived = _derive(of_table.drop(columns="table"), spec, config)
            work = sort_rows(derived, spec.keys, config.periods)
        else:
            work = pd.DataFrame(columns=columns)
        works[name] = work[columns].reset_index(drop=True)
    return works


def _round_half_up(values: pd.Series) -> pd.Series:
    numbers = values.astype("Float64")
    return np.floor(numbers + 0.5).astype("Int64")


def _total_of(frame: pd.DataFrame, column: str, dimension: str, keys: list[str]) -> np.ndarray:
    """For every row, `column` of the `all` row of `dimension` with the other keys equal."""
    others = [k for k in keys if k != dimension]
    totals = frame.loc[frame[dimension] == TOTAL, [*others, column]]
    totals = totals.rename(columns={column: "_total"})
    return floats(frame[others].merge(totals, on=others, how="left")["_total"])


def _derive(cells: pd.DataFrame, spec: _Spec, config: BreakdownConfig) -> pd.DataFrame:
    confidence_level, periods = config.confidence_level, config.periods
    out = cells.copy()
    keys = ["period", *spec.keys]
    out["mean_granted_sek"] = ratio(
        floats(out["amount_granted_sek"]), floats(out["granted_amounts"])
    )
    decisions = floats(out["decisions"])
    granted = floats(out["granted"])
    out["approval_rate"] = ratio(granted, decisions)
    low, high = wilson_interval(granted, decisions, confidence_level)
    out["approval_rate_ci_low"] = pd.array(low, dtype="Float64")
    out["approval_rate_ci_high"] = pd.array(high, dtype="Float64")
    dimension = spec.share_dimension
    amount = floats(out["amount_granted_sek"])
    out["share_of_amount"] = ratio(amount, _total_of(out, "amount_granted_sek", dimension, keys))
    all_decisions = _total_of(out, "decisions", dimension, keys)
    out["share_of_decisions"] = ratio(decisions, all_decisions)
    if "share_of_decisions_ci_low" in spec.columns:
        low, high = wilson_interval(decisions, all_decisions, confidence_level)
        out["share_of_decisions_ci_low"] = pd.array(low, dtype="Float64")
        out["share_of_decisions_ci_high"] = pd.array(high, dtype="Float64")
    for column in ("mean_granted_sek", "median_granted_sek"):
        out[column] = _round_half_up(out[column])
    for column in ("amount_applied_sek", "amount_granted_sek"):
        out[column] = out[column].astype("Int64")
    for column in (UNITS, GRANTED_UNITS):
        out[column] = out[column].astype("Int64")
    for column in ("decisions", "granted", *PROJECT_TARGETS, "routine_applied", "routine_recorded"):
        if column in out.columns:
            out[column] = out[column].astype("Int64")
    for column in BUSINESS_JOBS:
        if column in out.columns:
            out[column] = out[column].astype("Float64")
    if "women_share_of_expected_jobs" in spec.columns:
        women = out["expected_jobs_women"]
        both = women + out["expected_jobs_men"]
        out["women_share_of_expected_jobs"] = (women / both.where(both > 0)).astype("Float64")
    if "routine_applied_share" in spec.columns:
        recorded = out["routine_recorded"]
        share = out["routine_applied"] / recorded.where(recorded > 0)
        out["routine_applied_share"] = share.astype("Float64")
    is_period = out["period"].isin(list(periods))
    out["period_kind"] = pd.array(np.where(is_period, "period", "year"), dtype="string")
    out["year"] = pd.to_numeric(out["period"].where(~is_period), errors="coerce").astype("Int64")
    out["suppressed"] = pd.array(np.zeros(len(out), dtype=bool), dtype="boolean")
    for column in spec.keys:
        out[column] = out[column].astype("string")
    out["period"] = out["period"].astype("string")
    return out


def sort_rows(
    frame: pd.DataFrame, keys: Sequence[str], periods: Mapping[str, tuple[int, int]]
) -> pd.DataFrame:
    """Years ascending, then the configured periods by first year, then keys in domain order."""
    ranks = pd.DataFrame(index=frame.index)
    period = frame["period"].astype("string")
    ordered = period_order(periods)
    is_period = period.isin(ordered)
    ranks["_kind"] = is_period.astype("int64")
    ranks["_year"] = pd.to_numeric(period.where(~is_period), errors="coerce").fillna(0)
    ranks["_period"] = period.map({p: i for i, p in enumerate(ordered)}).fillna(-1)
    for key in keys:
        ranks[f"_{key}"] = category_rank(frame[key], CATEGORY_ORDER.get(key, ()))
    order = ranks.sort_values(list(ranks.columns), kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def _gender_spec(
    name: str, keys: Sequence[str], totals: Sequence[str], dimension: str | None
) -> _Spec:
    """A by-gender table, or with `dimension` one for the periods and all categories together."""
    table = catalog.table(f"{name}_and_{dimension}" if dimension else name)
    category = keys[0]
    return _Spec(
        name=table.name,
        keys=tuple(k for k in table.keys if k != "period"),
        total_dimensions=table.totals,
        share_dimension="group",
        columns=table.columns,
        years=dimension is None,
        constant={category: TOTAL} if dimension else {},
    )


def _all_specs() -> dict[str, _Spec]:
    specs = [
        _gender_spec("business_support_by_gender", ("support_type",), (), None),
        *(
            _gender_spec("business_support_by_gender", ("support_type",), (), d)
            for d in BUSINESS_DIMENSIONS
        ),
        _gender_spec("project_support_by_gender", ("owner_type",), (), None),
        *(
            _gender_spec("project_support_by_gender", ("owner_type",), (), d)
            for d in PROJECT_DIMENSIONS
        ),
    ]
    equality = catalog.table("project_support_equality")
    specs.append(
        _Spec(
            name=equality.name,
            keys=("equality_assessment",),
            total_dimensions=("equality_assessment",),
            share_dimension="equality_assessment",
            columns=equality.columns,
        )
    )
    return {spec.name: spec for spec in specs}


_SPECS: dict[str, _Spec] = _all_specs()


# --- derived comparison tables ---------------------------------------------------------------

DIFFERENCE_COLUMNS: tuple[str, ...] = catalog.table("approval_rate_difference").columns


def approval_rate_difference(
    table: pd.DataFrame,
    source: str,
    category_type: str,
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
) -> pd.DataFrame:
    """Women's minus men's approval rate per period × category (× classification).

    Newcombe interval and the p-value of the test that belongs to it (p < 1 - confidence level
    exactly when the interval excludes 0). Works on a work or a published table: where either
    sex's counts are suppressed, the comparison is suppressed too, since the difference and the
    other sex's published rate would give the suppressed rate back.
    """
    frame = table.copy()
    if "classification" not in frame.columns:
        frame["classification"] = "project_manager"
    keys = ["period", "classification", category_type]
    columns = [*keys, "year", "period_kind", "decisions", "granted", "approval_rate"]
    women = frame.loc[frame["group"] == "women", columns]
    men = frame.loc[frame["group"] == "men", [*keys, "decisions", "granted", "approval_rate"]]
    pair = women.merge(men, on=keys, how="inner", suffixes=("_women", "_men"))
    counts = ["decisions_women", "granted_women", "decisions_men", "granted_men"]
    hidden = pair[counts].isna().any(axis=1).to_numpy(dtype=bool)
    # Zero counts make the statistics NaN where a side is suppressed, without special cases.
    values = {c: np.where(hidden, 0.0, floats(pair[c])) for c in counts}
    result = proportion_difference(
        values["granted_women"],
        values["decisions_women"],
        values["granted_men"],
        values["decisions_men"],
        confidence_level,
    )
    out = pd.DataFrame(
        {
            "source": source,
            "year": pair["year"].astype("Int64"),
            "period": pair["period"].astype("string"),
            "period_kind": pair["period_kind"].astype("string"),
            "classification": pair["classification"].astype("string"),
            "category_type": category_type,
            "category": pair[category_type].astype("string"),
            "women_decisions": pair["decisions_women"].astype("Int64"),
            "women_granted": pair["granted_women"].astype("Int64"),
            "women_approval_rate": pair["approval_rate_women"].astype("Float64"),
            "men_decisions": pair["decisions_men"].astype("Int64"),
            "men_granted": pair["granted_men"].astype("Int64"),
            "men_approval_rate": pair["approval_rate_men"].astype("Float64"),
            "approval_rate_difference": result.difference,
            "approval_rate_difference_ci_low": result.ci_low,
            "approval_rate_difference_ci_high": result.ci_high,
            "p_value": result.p_value,
        }
    )
    for column in DIFFERENCE_COLUMNS[-5:-1]:
        out[column] = pd.array(out[column], dtype="Float64").astype("Float64")
    out["suppressed"] = pd.array(hidden, dtype="boolean")
    out["source"] = out["source"].astype("string")
    out["category_type"] = out["category_type"].astype("string")
    return out[list(DIFFERENCE_COLUMNS)]


PER_YEAR_MEASURES = ("decisions", "granted", "amount_granted_sek")
CHANGE_MEASURES = ("share_of_amount", "approval_rate")


def period_years(periods: Mapping[str, tuple[int, int]], label: str) -> int:
    """How many decision years the configured period `label` spans (2012-2015: 4)."""
    first, last = periods[label]
    return last - first + 1


def per_year(total: pd.Series, years: int) -> pd.Series:
    """The annual mean of a period total; empty where the total is (a suppressed total)."""
    return (total.astype("Float64") / years).astype("Float64")


def relative_change_pct(first: pd.Series, last: pd.Series) -> pd.Series:
    """Change from `first` to `last` in per cent of `first`; empty where `first` is 0 or empty."""
    before = first.astype("Float64")
    return ((last.astype("Float64") / before.where(before > 0) - 1.0) * 100.0).astype("Float64")


def period_change_columns(keys: Sequence[str]) -> list[str]:
    """The columns of a period change table with these keys, in published order."""
    columns = ["period_from", "period_to", *keys]
    columns += [f"{m}_{s}" for m in CHANGE_MEASURES for s in ("from", "to", "change_pp")]
    columns += ["suppressed", "years_from", "years_to"]
    for measure in PER_YEAR_MEASURES:
        columns += [f"{measure}_from", f"{measure}_to"]
        columns += [f"{measure}_per_year_{s}" for s in ("from", "to", "change_pct")]
    return columns


def period_change(
    table: pd.DataFrame, keys: Sequence[str], periods: Mapping[str, tuple[int, int]]
) -> pd.DataFrame:
    """Changes between consecutive periods: shares and rates in percentage points, and decisions
    and amounts as totals beside their annual means, compared per year.

    One row per pair of consecutive configured periods (ordered by first year) and per cell.
    Periods may differ in length, so totals are not comparable: the annual mean of each total
    (total / years of the period) and its relative change are. Computed from the values of the
    given table only, so a published input gives a table that reveals nothing new: a value is
    empty where a period's value it is computed from is empty.
    """
    ordered = period_order(periods)
    taken = [*keys, *CHANGE_MEASURES, *PER_YEAR_MEASURES, "suppressed"]
    pieces = []
    for start, end in itertools.pairwise(ordered):
        before = table.loc[table["period"] == start, taken]
        after = table.loc[table["period"] == end, taken]
        pair = before.merge(after, on=list(keys), how="outer", suffixes=("_from", "_to"))
        piece = pd.DataFrame({"period_from": start, "period_to": end}, index=pair.index)
        for key in keys:
            piece[key] = pair[key]
        for measure in CHANGE_MEASURES:
            first = pair[f"{measure}_from"].astype("Float64")
            last = pair[f"{measure}_to"].astype("Float64")
            piece[f"{measure}_from"] = first
            piece[f"{measure}_to"] = last
            piece[f"{measure}_change_pp"] = (last - first) * 100.0
        flags = pair[["suppressed_from", "suppressed_to"]].astype("boolean").fillna(False)
        piece["suppressed"] = flags.any(axis=1).astype("boolean")
        years = {"from": period_years(periods, start), "to": period_years(periods, end)}
        for side, count in years.items():
            piece[f"years_{side}"] = pd.array([count] * len(pair), dtype="Int64")
        for measure in PER_YEAR_MEASURES:
            means = {}
            for side, count in years.items():
                total = pair[f"{measure}_{side}"].astype("Int64")
                piece[f"{measure}_{side}"] = total
                means[side] = per_year(total, count)
                whole = catalog.COLUMNS[f"{measure}_per_year_{side}"].dtype == "Int64"
                piece[f"{measure}_per_year_{side}"] = (
                    _round_half_up(means[side]) if whole else means[side]
                )
            # From the exact means: rounding to whole kronor must not move the change.
            piece[f"{measure}_per_year_change_pct"] = relative_change_pct(
                means["from"], means["to"]
            )
        pieces.append(piece)
    columns = period_change_columns(keys)
    if not pieces:
        return pd.DataFrame(columns=columns)
    out = pd.concat(pieces, ignore_index=True)
    out[["period_from", "period_to"]] = out[["period_from", "period_to"]].astype("string")
    # Sorting by the start period orders the pairs as the periods are ordered.
    ranked = sort_rows(out.assign(period=out["period_from"]), list(keys), periods)
    return ranked[columns]


# --- everything ------------------------------------------------------------------------------


def build_work_tables(
    business: pd.DataFrame, project: pd.DataFrame, config: BreakdownConfig | None = None
) -> dict[str, pd.DataFrame]:
    """Every gender work table from the clean business and project frames (all years)."""
    config = config or BreakdownConfig()
    partials = {
        "business_support": [partial_cells(business, "business_support", config)],
        "project_support": [partial_cells(project, "project_support", config)],
    }
    return work_tables_from_partials(partials, config)


def work_tables_from_partials(
    partials: Mapping[str, Sequence[Partial]], config: BreakdownConfig | None = None
) -> dict[str, pd.DataFrame]:
    """Every gender work table from the partials of each source (any partitioning)."""
    config = config or BreakdownConfig()
    works: dict[str, pd.DataFrame] = {}
    for source in ("business_support", "project_support"):
        works |= combine(partials[source], source, config)
    return works


def comparison_tables(
    tables: Mapping[str, pd.DataFrame], config: BreakdownConfig | None = None
) -> dict[str, pd.DataFrame]:
    """The comparison tables computed from published (or work) main tables only."""
    config = config or BreakdownConfig()
    categories = {
        "business_support_by_gender": ("business_support", "support_type"),
        "project_support_by_gender": ("project_support", "owner_type"),
    }
    differences = [
        approval_rate_difference(tables[main], source, category_type, config.confidence_level)
        for main, (source, category_type) in categories.items()
    ]
    out = {"approval_rate_difference": pd.concat(differences, ignore_index=True)}
    for main in MAIN_TABLES:
        keys = list(_SPECS[main].keys)
        out[f"{main}_period_change"] = period_change(tables[main], keys, config.periods)
    return out


def table_names() -> tuple[str, ...]:
    """Names of every gender table: the case tables, then the comparison tables."""
    return (
        *_SPECS,
        "approval_rate_difference",
        *(f"{main}_period_change" for main in MAIN_TABLES),
    )


CASE_TABLES: tuple[str, ...] = tuple(_SPECS)

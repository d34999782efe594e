"""Sex-disaggregated breakdowns of decided business and project support (R1 and R2 of 3R).

Pure functions from the clean case tables (all years concatenated) to the contract tables of
DATA-CONTRACT §2 and their variants. Every table is built twice: an unsuppressed work table for
`results/work/` and a published table with disclosure control applied for `results/tables/`.

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
  their medians and intervals are those of the pooled period.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rtp_eval.disclosure import (
    TOTAL,
    DisclosureResult,
    DisclosureRules,
    Family,
    NestedTotal,
    TableLayout,
    apply_disclosure,
    suppression_flags,
)
from rtp_eval.stats import DEFAULT_CONFIDENCE_LEVEL, proportion_difference, wilson_interval

UNKNOWN = "unknown"
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
BUSINESS_DIMENSIONS = ("programme_area", "industry", "area")
PROJECT_DIMENSIONS = ("programme_area", "area")
TOP_N_COLUMN = "top_n_granted_sek"

BUSINESS_COLUMNS = (
    "year",
    "support_type",
    "classification",
    "group",
    "decisions",
    "granted",
    "approval_rate",
    "approval_rate_ci_low",
    "approval_rate_ci_high",
    "amount_applied_sek",
    "amount_granted_sek",
    "share_of_amount",
    "mean_granted_sek",
    "median_granted_sek",
    "expected_jobs_women",
    "expected_jobs_men",
    "suppressed",
    "period",
    "period_kind",
    "share_of_decisions",
    "share_of_decisions_ci_low",
    "share_of_decisions_ci_high",
    "expected_jobs_foreign_born_women",
    "expected_jobs_foreign_born_men",
    "women_share_of_expected_jobs",
)
PROJECT_COLUMNS = (
    "year",
    "owner_type",
    "group",
    "decisions",
    "granted",
    "approval_rate",
    "approval_rate_ci_low",
    "approval_rate_ci_high",
    "amount_granted_sek",
    "share_of_amount",
    "mean_granted_sek",
    "median_granted_sek",
    "target_women",
    "target_men",
    "suppressed",
    "period",
    "period_kind",
    "amount_applied_sek",
    "share_of_decisions",
    "share_of_decisions_ci_low",
    "share_of_decisions_ci_high",
)
EQUALITY_COLUMNS = (
    "year",
    "equality_assessment",
    "decisions",
    "granted",
    "amount_granted_sek",
    "share_of_amount",
    "routine_applied",
    "suppressed",
    "period",
    "period_kind",
    "approval_rate",
    "approval_rate_ci_low",
    "approval_rate_ci_high",
    "amount_applied_sek",
    "share_of_decisions",
    "routine_recorded",
    "routine_applied_share",
)

BUSINESS_JOBS = (
    "expected_jobs_women",
    "expected_jobs_men",
    "expected_jobs_foreign_born_women",
    "expected_jobs_foreign_born_men",
)
PROJECT_TARGETS = ("target_women", "target_men")

APPROVAL_CI = ("approval_rate", "approval_rate_ci_low", "approval_rate_ci_high")
DECISION_SHARE = ("share_of_decisions", "share_of_decisions_ci_low", "share_of_decisions_ci_high")
AMOUNTS = Family(
    "amounts",
    ("amount_granted_sek", "amount_applied_sek"),
    ("share_of_amount", "mean_granted_sek", "median_granted_sek"),
    dominance=True,
)


@dataclass(frozen=True)
class BreakdownConfig:
    """Periods, disclosure rules and confidence level: the `params` of the breakdown rule."""

    periods: Mapping[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_PERIODS))
    rules: DisclosureRules = field(default_factory=DisclosureRules)
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL

    def __post_init__(self) -> None:
        # A period labelled like a year would be mistaken for that year's rows.
        clashes = [label for label in self.periods if str(label).isdigit()]
        if clashes:
            raise ValueError(f"period labels must not look like a year: {', '.join(clashes)}")

    @classmethod
    def from_params(
        cls, periods: Mapping[str, Sequence[int]] | None, disclosure: Mapping[str, object] | None
    ) -> BreakdownConfig:
        disclosure = dict(disclosure or {})
        parsed = {str(k): (int(v[0]), int(v[1])) for k, v in (periods or DEFAULT_PERIODS).items()}
        for label, (first, last) in parsed.items():
            if first > last:
                raise ValueError(f"period {label!r} starts after it ends: {first} > {last}")
        level = float(disclosure.get("confidence_level", DEFAULT_CONFIDENCE_LEVEL))  # type: ignore[arg-type]
        return cls(
            periods=parsed, rules=DisclosureRules.from_config(disclosure), confidence_level=level
        )


@dataclass(frozen=True)
class Table:
    """One output table: unsuppressed work version, published version and its suppressions."""

    work: pd.DataFrame
    published: pd.DataFrame
    log: pd.DataFrame


@dataclass(frozen=True)
class _Spec:
    """How one table is cut: its key columns (after `period`) and which of them have totals."""

    name: str
    keys: tuple[str, ...]
    total_dimensions: tuple[str, ...]
    share_dimension: str
    columns: tuple[str, ...]
    families: tuple[Family, ...]


# --- preparing cases -------------------------------------------------------------------------


def _category(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.mask(text.isna() | (text == ""), UNKNOWN).astype("string")


def prepare_cases(clean: pd.DataFrame, source: str) -> pd.DataFrame:
    """Decided cases (withdrawn dropped) with category columns filled and per-case measures.

    Measures are prepared so that a plain groupby sum or mean gives the contract definition:
    `granted_amount` is the granted amount of granted cases and missing otherwise (for means
    and medians over granted cases); jobs and targets count for granted cases only.
    """
    decided = clean[clean["decision"].isin(["granted", "rejected"])]
    granted = (decided["decision"] == "granted").to_numpy(dtype=bool)
    cases = pd.DataFrame(index=decided.index)
    cases["year"] = decided["decision_year"].astype("Int64")
    cases["granted_flag"] = granted.astype(np.int64)
    cases["amount_applied_sek"] = decided["amount_applied_sek"].astype("Int64")
    amount = decided["amount_granted_sek"].astype("Int64")
    cases["granted_amount"] = amount.where(granted)
    cases["granted_amount_sum"] = amount.where(granted, 0).fillna(0)
    if source == "business_support":
        for group_column in BUSINESS_CLASSIFICATIONS.values():
            cases[group_column] = _category(decided[group_column])
        cases["support_type"] = _category(decided["support_type"])
        for column in BUSINESS_JOBS:
            cases[column] = decided[column].astype("Float64").where(granted)
        dimensions: tuple[str, ...] = BUSINESS_DIMENSIONS
    elif source == "project_support":
        cases["leadership_group"] = _category(decided["leadership_group"])
        cases["owner_type"] = _category(decided["owner_type"])
        assessment = decided["equality_assessment"].astype("Int64").astype("string")
        cases["equality_assessment"] = _category(assessment)
        for column in PROJECT_TARGETS:
            cases[column] = decided[column].astype("Int64").where(granted)
        routine = decided["equality_routine_applied"].astype("boolean")
        cases["routine_applied"] = routine.fillna(False).astype(np.int64)
        cases["routine_recorded"] = routine.notna().astype(np.int64)
        dimensions = PROJECT_DIMENSIONS
    else:
        raise ValueError(f"unknown source {source!r}")
    for column in dimensions:
        cases[column] = _category(decided[column])
    # Sorting once by granted amount lets every groupby take its n largest grants with head().
    order = np.argsort(-cases["granted_amount_sum"].to_numpy(dtype=np.float64), kind="stable")
    return cases.iloc[order].reset_index(drop=True)


# --- aggregation: per-year partial cells, combined into periods -------------------------------
#
# Every table is aggregated in two steps so that the years can be computed apart (one job per
# source and year) and combined without loading every case at once: `partial_cells` gives the
# cells of each year with additive measures and the n largest grants of each cell; `combine`
# adds years up into the configured periods. The only measure that does not add up is the
# median, so the granted amounts of the period's years are kept in a narrow frame
# (`Partial.amounts`) and the period medians are taken from it.

ADDITIVE_COLUMNS = (
    "decisions",
    "granted",
    "amount_applied_sek",
    "amount_granted_sek",
    "granted_amounts",  # number of known granted amounts, the denominator of the mean
)


def _sum_columns(source: str) -> tuple[str, ...]:
    if source == "business_support":
        return BUSINESS_JOBS
    return (*PROJECT_TARGETS, "routine_applied", "routine_recorded")


def _top_columns(top_n: int) -> list[str]:
    return [f"top_{rank}_granted_sek" for rank in range(1, top_n + 1)]


def _cell_ids(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cell number of every row (cells numbered by first appearance) and each cell's first row."""
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    renumber = np.empty_like(order)
    renumber[order] = np.arange(len(order))
    return renumber[inverse.reshape(-1)], first[order]


def _per_cell_sum(values: np.ndarray, cell: np.ndarray, n_cells: int) -> np.ndarray:
    return np.bincount(cell, weights=values, minlength=n_cells)


def _per_cell_median(values: np.ndarray, cell: np.ndarray, n_cells: int) -> np.ndarray:
    """Median of the known values of each cell (NaN for a cell without any)."""
    known = ~np.isnan(values)
    values, cell = values[known], cell[known]
    counts = np.bincount(cell, minlength=n_cells)
    ordered = values[np.lexsort((values, cell))]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    median = np.full(n_cells, np.nan)
    has = counts > 0
    low = starts[has] + (counts[has] - 1) // 2
    high = starts[has] + counts[has] // 2
    median[has] = (ordered[low] + ordered[high]) / 2
    return median


def _rank_in_cell(cell: np.ndarray, n_cells: int) -> np.ndarray:
    """Position of each row among the rows of its cell, in data order."""
    by_cell = np.argsort(cell, kind="stable")
    sizes = np.bincount(cell, minlength=n_cells)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    rank = np.empty(len(cell), dtype=np.int64)
    rank[by_cell] = np.arange(len(cell)) - starts[cell[by_cell]]
    return rank


@dataclass(frozen=True)
class _CaseArrays:
    """The per-case numbers the cells are computed from, taken out of the frame once."""

    granted_flag: np.ndarray
    amount_applied: np.ndarray
    granted_sum: np.ndarray  # granted amount, 0 for a case without a grant
    granted_amount: np.ndarray  # granted amount, NaN for a case without a grant
    sums: dict[str, np.ndarray]

    @classmethod
    def of(cls, data: pd.DataFrame, sums: Sequence[str]) -> _CaseArrays:
        def column(name: str, missing: float) -> np.ndarray:
            return data[name].to_numpy(dtype=np.float64, na_value=missing)

        return cls(
            granted_flag=column("granted_flag", 0.0),
            amount_applied=column("amount_applied_sek", 0.0),
            granted_sum=column("granted_amount_sum", 0.0),
            granted_amount=column("granted_amount", np.nan),
            sums={name: column(name, 0.0) for name in sums},
        )


def _measures(cases: _CaseArrays, cell: np.ndarray, n_cells: int, top_n: int) -> dict[str, object]:
    """Additive measures, the median and the `top_n` largest grants of every cell."""
    out: dict[str, object] = {"decisions": np.bincount(cell, minlength=n_cells)}
    out["granted"] = _per_cell_sum(cases.granted_flag, cell, n_cells).astype(np.int64)
    for name, values in (
        ("amount_applied_sek", cases.amount_applied),
        ("amount_granted_sek", cases.granted_sum),
    ):
        total = _per_cell_sum(values, cell, n_cells)
        out[name] = pd.array(total.astype(np.int64), dtype="Int64")
    known = (~np.isnan(cases.granted_amount)).astype(np.float64)
    out["granted_amounts"] = _per_cell_sum(known, cell, n_cells).astype(np.int64)
    median = _per_cell_median(cases.granted_amount, cell, n_cells)
    out["median_granted_sek"] = pd.array(median, dtype="Float64")
    for name, values in cases.sums.items():
        out[name] = pd.array(_per_cell_sum(values, cell, n_cells), dtype="Float64")
    # Cases are sorted by granted amount, largest first, so the i-th row of a cell is its i-th
    # largest grant (0 for a case without a grant).
    rank = _rank_in_cell(cell, n_cells)
    for position, name in enumerate(_top_columns(top_n)):
        nth = rank == position
        out[name] = _per_cell_sum(cases.granted_sum[nth], cell[nth], n_cells)
    return out


def _cells_with_totals(
    data: pd.DataFrame,
    keys: Sequence[str],
    total_dimensions: Sequence[str],
    measures: Callable[[np.ndarray, int], dict[str, object]],
) -> pd.DataFrame:
    """Cells for every combination of keys, with `all` rows for each subset of total dimensions.

    `measures(cell, n_cells)` gives the measure columns from each row's cell number. Written
    with numpy rather than pandas groupbys: a year's tables need a hundred or so small
    aggregations, and pandas' per-call overhead was most of their time. The keys are factorised
    once per table block.
    """
    columns = ["period", *keys]
    factorised = {c: pd.factorize(data[c], use_na_sentinel=False) for c in columns}
    blocks = []
    for as_total in itertools.product([False, True], repeat=len(total_dimensions)):
        totals = {d for d, t in zip(total_dimensions, as_total, strict=True) if t}
        key = np.zeros(len(data), dtype=np.int64)
        for column in columns:
            if column not in totals:
                codes, uniques = factorised[column]
                key = key * max(len(uniques), 1) + codes
        cell, first = _cell_ids(key)
        block: dict[str, object] = {}
        for column in columns:
            if column in totals:
                block[column] = pd.array([TOTAL] * len(first), dtype="string")
            else:
                codes, uniques = factorised[column]
                block[column] = pd.array(np.asarray(uniques.take(codes[first])), dtype="string")
        block |= measures(cell, len(first))
        blocks.append(pd.DataFrame(block))
    return pd.concat(blocks, ignore_index=True)


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
        if self.group_column is None:
            return cases
        return cases.assign(group=cases[self.group_column])


def _cuts(name: str, source: str) -> list[_Cut]:
    spec = _SPECS[name]
    if source == "business_support":
        return [_Cut(spec, c, column) for c, column in BUSINESS_CLASSIFICATIONS.items()]
    if name == EQUALITY_SPEC.name:
        return [_Cut(spec, None, None)]
    return [_Cut(spec, None, "leadership_group")]


def source_table_names(source: str) -> list[str]:
    """The breakdown tables of one source: its main table and the tables overlapping it."""
    main = {"business_support": MAIN_TABLES[0], "project_support": MAIN_TABLES[1]}[source]
    return [main, *(o.other for o in _overlaps(main))]


def aggregation_plan(
    source: str,
) -> list[tuple[str, str | None, str | None, tuple[str, ...], tuple[str, ...]]]:
    """Every block the tables of `source` are aggregated in, for an independent recomputation.

    One entry per table and classification: (table, classification, column that fills
    `group`, key columns after `period`, key columns that also get `all` rows).
    """
    return [
        (name, cut.classification, cut.group_column, tuple(cut.keys), cut.spec.total_dimensions)
        for name in source_table_names(source)
        for cut in _cuts(name, source)
    ]


def _amount_columns(source: str) -> list[str]:
    if source == "business_support":
        groups = list(BUSINESS_CLASSIFICATIONS.values())
        return ["year", *groups, "support_type", *BUSINESS_DIMENSIONS, "granted_amount"]
    return ["year", "leadership_group", "owner_type", "equality_assessment",
            *PROJECT_DIMENSIONS, "granted_amount"]  # fmt: skip


@dataclass(frozen=True)
class Partial:
    """What one partition (one source, one or more years) contributes to the source's tables.

    `cells`: the cells of every year and table (column `table`; `classification` for business
    tables), with additive measures, the year's median and the n largest grants of each cell.
    `amounts`: the granted amounts with their categories, for the medians of the periods.
    """

    cells: pd.DataFrame
    amounts: pd.DataFrame


def partial_cells(clean: pd.DataFrame, source: str, config: BreakdownConfig) -> Partial:
    """The per-year cells of every breakdown table of `source` from clean rows of any years."""
    cases = prepare_cases(clean, source)
    cases = cases.assign(period=cases["year"].astype("string"))
    sums = _sum_columns(source)
    top_n = config.rules.dominance_n
    frames = []
    for name in source_table_names(source):
        for cut in _cuts(name, source):
            data = cut.data(cases)
            arrays = _CaseArrays.of(data, sums)
            cells = _cells_with_totals(
                data,
                cut.keys,
                cut.spec.total_dimensions,
                lambda cell, n_cells, arrays=arrays: _measures(arrays, cell, n_cells, top_n),
            )
            cells["table"] = name
            if cut.classification is not None:
                cells["classification"] = cut.classification
            frames.append(cells)
    cells = pd.concat(frames, ignore_index=True)
    granted = cases.loc[cases["granted_flag"] == 1, _amount_columns(source)]
    amounts = granted.dropna(subset=["granted_amount"]).reset_index(drop=True)
    for column in amounts.columns.drop(["year", "granted_amount"]):
        amounts[column] = amounts[column].astype("category")
    return Partial(cells, amounts)


def _largest_sum(year_cells: pd.DataFrame, keys: list[str], top_n: int) -> pd.Series:
    """Sum of the `top_n` largest grants of each cell over all its years' largest grants."""
    columns = _top_columns(top_n)
    long = year_cells[[*keys, *columns]].melt(id_vars=keys, value_name="_amount")
    long = long.sort_values("_amount", ascending=False, kind="stable")
    ranks = long.groupby(keys, sort=False, dropna=False).cumcount()
    largest = long[ranks.to_numpy() < top_n]
    return largest.groupby(keys, sort=False, dropna=False)["_amount"].sum()


def _period_cells(
    year_cells: pd.DataFrame,
    amounts: pd.DataFrame,
    cut: _Cut,
    sums: Sequence[str],
    config: BreakdownConfig,
) -> list[pd.DataFrame]:
    """The cells of every configured period, added up from the cells of its years."""
    keys = ["period", *cut.keys]
    years = pd.to_numeric(year_cells["period"]).to_numpy()
    amount_years = amounts["year"].to_numpy()
    frames = []
    for label, (first, last) in config.periods.items():
        in_period = year_cells[(years >= first) & (years <= last)].assign(period=label)
        if in_period.empty:
            continue
        grouped = in_period.groupby(keys, sort=False, dropna=False)
        cells = grouped[[*ADDITIVE_COLUMNS, *sums]].sum()
        cells[TOP_N_COLUMN] = _largest_sum(in_period, keys, config.rules.dominance_n)
        granted = cut.data(amounts[(amount_years >= first) & (amount_years <= last)])
        values = granted["granted_amount"].to_numpy(dtype=np.float64, na_value=np.nan)
        medians = _cells_with_totals(
            granted.assign(period=label),
            cut.keys,
            cut.spec.total_dimensions,
            lambda cell, n_cells, values=values: {
                "median_granted_sek": _per_cell_median(values, cell, n_cells)
            },
        )
        cells = cells.reset_index()
        cells[keys] = cells[keys].astype("string")
        cells = cells.merge(medians, on=keys, how="left")
        frames.append(cells)
    return frames


def combine(
    partials: Sequence[Partial], source: str, config: BreakdownConfig
) -> dict[str, pd.DataFrame]:
    """The unsuppressed tables of `source` (sorted, contract columns first) from its partials.

    Each partial must hold whole years: a year's cells are taken as they are, not added up.
    """
    seen: set[str] = set()
    for partial in partials:
        years = set(partial.cells["period"].dropna().unique())
        if years & seen:
            shared = ", ".join(sorted(years & seen))
            raise ValueError(f"year(s) {shared} of {source} are in more than one partition")
        seen |= years
    cells = pd.concat([p.cells for p in partials], ignore_index=True)
    amounts = pd.concat([p.amounts for p in partials], ignore_index=True)
    sums = _sum_columns(source)
    top = _top_columns(config.rules.dominance_n)
    measures = [*ADDITIVE_COLUMNS, *sums, "median_granted_sek", *top]
    works = {}
    for name in source_table_names(source):
        spec = _SPECS[name]
        of_table = cells[cells["table"] == name]
        frames = []
        for cut in _cuts(name, source):
            year_cells = of_table
            if cut.classification is not None:
                year_cells = of_table[of_table["classification"] == cut.classification]
            year_cells = year_cells[["period", *cut.keys, *measures]]
            years = year_cells.assign(**{TOP_N_COLUMN: year_cells[top].sum(axis=1)})
            blocks = [years, *_period_cells(year_cells, amounts, cut, sums, config)]
            block = pd.concat(blocks, ignore_index=True).drop(columns=top)
            if cut.classification is not None:
                block["classification"] = cut.classification
            frames.append(block)
        if frames and any(len(f) for f in frames):
            derived = _derive(pd.concat(frames, ignore_index=True), spec, config)
            work = sort_rows(derived, spec.keys, config.periods)
        else:
            work = pd.DataFrame(columns=[*spec.columns, TOP_N_COLUMN])
        works[name] = work[[*spec.columns, TOP_N_COLUMN]]
    return works


def _round_half_up(values: pd.Series) -> pd.Series:
    numbers = values.astype("Float64")
    return np.floor(numbers + 0.5).astype("Int64")


def _floats(values: pd.Series) -> np.ndarray:
    return values.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)


def _total_of(frame: pd.DataFrame, column: str, dimension: str, keys: list[str]) -> np.ndarray:
    """For every row, `column` of the `all` row of `dimension` with the other keys equal."""
    others = [k for k in keys if k != dimension]
    totals = frame.loc[frame[dimension] == TOTAL, [*others, column]]
    totals = totals.rename(columns={column: "_total"})
    return _floats(frame[others].merge(totals, on=others, how="left")["_total"])


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> pd.array:
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.array(np.where(denominator > 0, numerator / denominator, np.nan), dtype="Float64")


def _derive(cells: pd.DataFrame, spec: _Spec, config: BreakdownConfig) -> pd.DataFrame:
    confidence_level, periods = config.confidence_level, config.periods
    out = cells.copy()
    keys = ["period", *spec.keys]
    out["mean_granted_sek"] = _ratio(
        _floats(out["amount_granted_sek"]), _floats(out["granted_amounts"])
    )
    decisions = _floats(out["decisions"])
    granted = _floats(out["granted"])
    out["approval_rate"] = _ratio(granted, decisions)
    low, high = wilson_interval(granted, decisions, confidence_level)
    out["approval_rate_ci_low"] = pd.array(low, dtype="Float64")
    out["approval_rate_ci_high"] = pd.array(high, dtype="Float64")
    dimension = spec.share_dimension
    amount = _floats(out["amount_granted_sek"])
    out["share_of_amount"] = _ratio(amount, _total_of(out, "amount_granted_sek", dimension, keys))
    all_decisions = _total_of(out, "decisions", dimension, keys)
    out["share_of_decisions"] = _ratio(decisions, all_decisions)
    if "share_of_decisions_ci_low" in spec.columns:
        low, high = wilson_interval(decisions, all_decisions, confidence_level)
        out["share_of_decisions_ci_low"] = pd.array(low, dtype="Float64")
        out["share_of_decisions_ci_high"] = pd.array(high, dtype="Float64")
    for column in ("mean_granted_sek", "median_granted_sek"):
        out[column] = _round_half_up(out[column])
    for column in ("amount_applied_sek", "amount_granted_sek", TOP_N_COLUMN):
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


def _rank(values: pd.Series, known: Sequence[str]) -> pd.Series:
    """Sort position: known codes in their order, others alphabetically, then unknown, then all."""
    text = values.astype("string").fillna("")
    others = sorted(set(text) - set(known) - {UNKNOWN, TOTAL})
    order = [*(k for k in known if k not in (UNKNOWN, TOTAL)), *others, UNKNOWN, TOTAL]
    return text.map({v: i for i, v in enumerate(order)}).astype("int64")


def sort_rows(
    frame: pd.DataFrame, keys: Sequence[str], periods: Mapping[str, tuple[int, int]]
) -> pd.DataFrame:
    """Years ascending, then the configured periods by first year, then keys in domain order."""
    ranks = pd.DataFrame(index=frame.index)
    period = frame["period"].astype("string")
    period_order = sorted(periods, key=lambda p: (periods[p][0], periods[p][1], p))
    is_period = period.isin(period_order)
    ranks["_kind"] = is_period.astype("int64")
    ranks["_year"] = pd.to_numeric(period.where(~is_period), errors="coerce").fillna(0)
    ranks["_period"] = period.map({p: i for i, p in enumerate(period_order)}).fillna(-1)
    for key in keys:
        ranks[f"_{key}"] = _rank(frame[key], CATEGORY_ORDER.get(key, ()))
    order = ranks.sort_values(list(ranks.columns), kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def _layout(
    spec: _Spec, periods: Mapping[str, tuple[int, int]], years: Iterable[int]
) -> TableLayout:
    present = sorted({int(y) for y in years})
    nested = tuple(
        NestedTotal("period", label, tuple(str(y) for y in present if first <= y <= last))
        for label, (first, last) in periods.items()
    )
    shares = {"share_of_amount": spec.share_dimension}
    shares |= {c: spec.share_dimension for c in DECISION_SHARE if c in spec.columns}
    return TableLayout(
        keys=("period", *spec.keys),
        total_dimensions=spec.total_dimensions,
        unit_column="decisions",
        families=spec.families,
        nested_totals=nested,
        shares=shares,
        dominance_column=TOP_N_COLUMN,
        dominance_base="amount_granted_sek",
        working_columns=(TOP_N_COLUMN,),
    )


def table_layout(
    name: str, periods: Mapping[str, tuple[int, int]], years: Iterable[int]
) -> TableLayout:
    """The disclosure layout of breakdown table `name` (for checking a published table)."""
    return _layout(_SPECS[name], periods, years)


def _counts_family(spec_columns: Sequence[str], counts: Sequence[str]) -> Family:
    derived = [c for c in (*APPROVAL_CI, *DECISION_SHARE) if c in spec_columns]
    derived += [
        c
        for c in ("women_share_of_expected_jobs", "routine_applied_share", "mean_granted_sek")
        if c in spec_columns
    ]
    return Family("counts", ("decisions", "granted", *counts), tuple(derived))


def _amounts_family(spec_columns: Sequence[str]) -> Family:
    derived = tuple(c for c in AMOUNTS.derived if c in spec_columns)
    return Family(AMOUNTS.name, AMOUNTS.columns, derived, dominance=True)


def _gender_spec(
    name: str,
    base_columns: Sequence[str],
    keys: Sequence[str],
    totals: Sequence[str],
    extra_counts: Sequence[str],
    dimension: str | None,
) -> _Spec:
    """A by-gender table, optionally split further by `dimension` (placed before `group`)."""
    columns, keys, totals = list(base_columns), list(keys), list(totals)
    if dimension:
        columns.insert(columns.index("group"), dimension)
        keys.insert(keys.index("group"), dimension)
        totals.insert(1, dimension)
        name = f"{name}_and_{dimension}"
    return _Spec(
        name=name,
        keys=tuple(keys),
        total_dimensions=tuple(totals),
        share_dimension="group",
        columns=tuple(columns),
        families=(_counts_family(columns, extra_counts), _amounts_family(columns)),
    )


def _business_spec(dimension: str | None = None) -> _Spec:
    return _gender_spec(
        "business_support_by_gender",
        BUSINESS_COLUMNS,
        ("support_type", "classification", "group"),
        ("support_type", "group"),
        BUSINESS_JOBS,
        dimension,
    )


def _project_spec(dimension: str | None = None) -> _Spec:
    return _gender_spec(
        "project_support_by_gender",
        PROJECT_COLUMNS,
        ("owner_type", "group"),
        ("owner_type", "group"),
        PROJECT_TARGETS,
        dimension,
    )


EQUALITY_SPEC = _Spec(
    name="project_support_equality",
    keys=("equality_assessment",),
    total_dimensions=("equality_assessment",),
    share_dimension="equality_assessment",
    columns=EQUALITY_COLUMNS,
    families=(
        _counts_family(EQUALITY_COLUMNS, ("routine_applied", "routine_recorded")),
        _amounts_family(EQUALITY_COLUMNS),
    ),
)


_SPECS: dict[str, _Spec] = {
    s.name: s
    for s in (
        _business_spec(),
        *(_business_spec(d) for d in BUSINESS_DIMENSIONS),
        _project_spec(),
        *(_project_spec(d) for d in PROJECT_DIMENSIONS),
        EQUALITY_SPEC,
    )
}


# --- disclosure across overlapping tables ----------------------------------------------------


@dataclass(frozen=True)
class _Overlap:
    """Table `other` holds the main table's cells where `other_fixed` (and `main_fixed`) hold."""

    other: str
    other_fixed: Mapping[str, str]
    main_fixed: Mapping[str, str] = field(default_factory=dict)


def _overlaps(main: str) -> list[_Overlap]:
    if main == "business_support_by_gender":
        return [_Overlap(f"{main}_and_{d}", {d: TOTAL}) for d in BUSINESS_DIMENSIONS]
    overlaps = [_Overlap(f"{main}_and_{d}", {d: TOTAL}) for d in PROJECT_DIMENSIONS]
    everything = {"owner_type": TOTAL, "group": TOTAL}
    overlaps.append(_Overlap(EQUALITY_SPEC.name, {"equality_assessment": TOTAL}, everything))
    return overlaps


def _select(flags: pd.DataFrame, fixed: Mapping[str, str]) -> pd.DataFrame:
    mask = np.ones(len(flags), dtype=bool)
    for column, value in fixed.items():
        mask &= (flags[column].astype("string") == value).fillna(False).to_numpy(dtype=bool)
    return flags.loc[mask].drop(columns=list(fixed))


def _union(frames: Sequence[pd.DataFrame], keys: list[str], names: Sequence[str]) -> pd.DataFrame:
    stacked = pd.concat(frames, ignore_index=True)
    stacked[list(keys)] = stacked[list(keys)].astype("string")
    return stacked.groupby(keys, dropna=False, sort=True)[list(names)].any().reset_index()


def _suppress_coordinated(
    works: Mapping[str, pd.DataFrame],
    main: str,
    config: BreakdownConfig,
    years: Iterable[int],
) -> dict[str, DisclosureResult]:
    """Suppress a main table and the tables overlapping it until they agree on shared cells.

    A cell suppressed in one table but published in another could otherwise be recovered by
    combining them; the loop only ever adds suppressions, so it ends.
    """
    years = list(years)
    main_layout = _layout(_SPECS[main], config.periods, years)
    main_keys = list(main_layout.keys)
    names = [f.name for f in main_layout.families]
    forced: pd.DataFrame | None = None
    while True:
        results = {main: apply_disclosure(works[main], main_layout, config.rules, forced)}
        main_flags = suppression_flags(results[main].published, main_layout)
        back = [main_flags]
        for overlap in _overlaps(main):
            layout = _layout(_SPECS[overlap.other], config.periods, years)
            shared = _select(main_flags, overlap.main_fixed).assign(**overlap.other_fixed)
            result = apply_disclosure(works[overlap.other], layout, config.rules, shared)
            results[overlap.other] = result
            other_flags = suppression_flags(result.published, layout)
            back.append(_select(other_flags, overlap.other_fixed).assign(**overlap.main_fixed))
        merged = _union(back, main_keys, names)
        current = _union([main_flags], main_keys, names)
        if merged.equals(current):
            return results
        forced = merged


# --- derived comparison tables ---------------------------------------------------------------

DIFFERENCE_COLUMNS = (
    "source",
    "year",
    "period",
    "period_kind",
    "classification",
    "category_type",
    "category",
    "women_decisions",
    "women_granted",
    "women_approval_rate",
    "men_decisions",
    "men_granted",
    "men_approval_rate",
    "approval_rate_difference",
    "approval_rate_difference_ci_low",
    "approval_rate_difference_ci_high",
    "p_value",
    "suppressed",
)


def approval_rate_difference(
    table: pd.DataFrame,
    source: str,
    category_type: str,
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
) -> pd.DataFrame:
    """Women's minus men's approval rate per period × category (× classification).

    Newcombe interval and Fisher p-value. Works on a work or a published table: where either
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
    values = {c: np.where(hidden, 0.0, _floats(pair[c])) for c in counts}
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


def period_change(
    table: pd.DataFrame, keys: Sequence[str], periods: Mapping[str, tuple[int, int]]
) -> pd.DataFrame:
    """Change in share_of_amount and approval_rate (percentage points) between periods.

    One row per pair of consecutive configured periods (ordered by first year) and per cell.
    Computed from the values of the given table only, so a published input gives a table that
    reveals nothing new: a change is empty where either period's value is empty.
    """
    ordered = sorted(periods, key=lambda p: (periods[p][0], periods[p][1], p))
    measures = ["share_of_amount", "approval_rate"]
    pieces = []
    for start, end in itertools.pairwise(ordered):
        before = table.loc[table["period"] == start, [*keys, *measures, "suppressed"]]
        after = table.loc[table["period"] == end, [*keys, *measures, "suppressed"]]
        pair = before.merge(after, on=list(keys), how="outer", suffixes=("_from", "_to"))
        piece = pd.DataFrame({"period_from": start, "period_to": end}, index=pair.index)
        for key in keys:
            piece[key] = pair[key]
        for measure in measures:
            first = pair[f"{measure}_from"].astype("Float64")
            last = pair[f"{measure}_to"].astype("Float64")
            piece[f"{measure}_from"] = first
            piece[f"{measure}_to"] = last
            piece[f"{measure}_change_pp"] = (last - first) * 100.0
        flags = pair[["suppressed_from", "suppressed_to"]].astype("boolean").fillna(False)
        piece["suppressed"] = flags.any(axis=1).astype("boolean")
        pieces.append(piece)
    columns = ["period_from", "period_to", *keys]
    columns += [f"{m}_{s}" for m in measures for s in ("from", "to", "change_pp")]
    columns.append("suppressed")
    if not pieces:
        return pd.DataFrame(columns=columns)
    out = pd.concat(pieces, ignore_index=True)
    out[["period_from", "period_to"]] = out[["period_from", "period_to"]].astype("string")
    # Sorting by the start period orders the pairs as the periods are ordered.
    ranked = sort_rows(out.assign(period=out["period_from"]), list(keys), periods)
    return ranked[columns]


# --- everything ------------------------------------------------------------------------------

MAIN_TABLES = ("business_support_by_gender", "project_support_by_gender", EQUALITY_SPEC.name)


def _published_tables(
    works: Mapping[str, pd.DataFrame], source: str, config: BreakdownConfig
) -> dict[str, Table]:
    """Disclosure control applied to the work tables of one source, coordinated across them."""
    names = source_table_names(source)
    main = names[0]
    years = works[main]["year"].dropna().unique()
    results = _suppress_coordinated(works, main, config, years)
    tables = {}
    for name in names:
        published = results[name].published[list(_SPECS[name].columns)]
        tables[name] = Table(works[name], published, results[name].log)
    return tables


def build_source_tables(
    clean: pd.DataFrame, source: str, config: BreakdownConfig | None = None
) -> dict[str, Table]:
    """The breakdown tables of one source: its main table and the tables overlapping it."""
    config = config or BreakdownConfig()
    works = combine([partial_cells(clean, source, config)], source, config)
    return _published_tables(works, source, config)


def build_tables(
    business: pd.DataFrame, project: pd.DataFrame, config: BreakdownConfig | None = None
) -> dict[str, Table]:
    """Every gender breakdown table from the clean business and project frames (all years)."""
    config = config or BreakdownConfig()
    partials = {
        "business_support": [partial_cells(business, "business_support", config)],
        "project_support": [partial_cells(project, "project_support", config)],
    }
    return build_tables_from_partials(partials, config)


def build_tables_from_partials(
    partials: Mapping[str, Sequence[Partial]], config: BreakdownConfig | None = None
) -> dict[str, Table]:
    """Every gender breakdown table from the partial cells of each source (any partitioning)."""
    config = config or BreakdownConfig()
    tables: dict[str, Table] = {}
    for source in ("business_support", "project_support"):
        works = combine(partials[source], source, config)
        tables |= _published_tables(works, source, config)
    sources = {
        "business_support_by_gender": ("business_support",),
        "project_support_by_gender": ("project_support",),
    }

    categories = {
        "business_support_by_gender": "support_type",
        "project_support_by_gender": "owner_type",
    }
    differences = []
    for main, category in categories.items():
        source = sources[main][0]
        work = approval_rate_difference(
            tables[main].work, source, category, config.confidence_level
        )
        published = approval_rate_difference(
            tables[main].published, source, category, config.confidence_level
        )
        differences.append((work, published))
    tables["approval_rate_difference"] = Table(
        pd.concat([w for w, _ in differences], ignore_index=True),
        pd.concat([p for _, p in differences], ignore_index=True),
        _empty_log(),
    )

    for main in MAIN_TABLES:
        keys = list(_SPECS[main].keys)
        tables[f"{main}_period_change"] = Table(
            period_change(tables[main].work, keys, config.periods),
            period_change(tables[main].published, keys, config.periods),
            _empty_log(),
        )
    return tables


def _empty_log() -> pd.DataFrame:
    return pd.DataFrame(columns=["period", "family", "rule", "columns"])


def suppression_report(tables: Mapping[str, Table]) -> pd.DataFrame:
    """One row per suppressed cell family over all tables, for the quality report."""
    rows = []
    for name, table in tables.items():
        log = table.log
        if log.empty:
            continue
        keys = [c for c in log.columns if c not in ("period", "family", "rule", "columns")]
        cell = log[keys].astype("string").fillna("")
        described = pd.Series("", index=log.index, dtype="string")
        for number, key in enumerate(keys):
            described = described + ("; " if number else "") + f"{key}=" + cell[key]
        rows.append(
            pd.DataFrame(
                {
                    "table": name,
                    "period": log["period"].astype("string"),
                    "cell": described.astype("string"),
                    "family": log["family"].astype("string"),
                    "rule": log["rule"].astype("string"),
                    "columns": log["columns"].astype("string"),
                }
            )
        )
    columns = ["table", "period", "cell", "family", "rule", "columns"]
    if not rows:
        return pd.DataFrame(columns=columns)
    report = pd.concat(rows, ignore_index=True)
    return report.sort_values(columns, kind="stable").reset_index(drop=True)


# --- writing ---------------------------------------------------------------------------------


def table_names() -> tuple[str, ...]:
    """Names of every table `build_tables` returns, in its order (the rule's outputs)."""
    return (
        *_SPECS,
        "approval_rate_difference",
        *(f"{main}_period_change" for main in MAIN_TABLES),
    )

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

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from rtp_eval import catalog, figures, formatting
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
from rtp_eval.outputs import INTERSECTIONAL_FIGURES
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
DEFAULT_DIMENSIONS = tuple(DIMENSIONS)
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

    dimensions: tuple[str, ...] = DEFAULT_DIMENSIONS
    periods: Mapping[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_PERIODS))
    dominance_n: int = 2
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
        settings = dict(settings or {})
        disclosure = dict(disclosure or {})
        periods = settings.get("periods") or DEFAULT_PERIODS
        parsed = {str(k): (int(v[0]), int(v[1])) for k, v in periods.items()}  # type: ignore[union-attr]
        for label, (first, last) in parsed.items():
            if first > last:
                raise ValueError(f"period {label!r} starts after it ends: {first} > {last}")
        level = float(disclosure.get("confidence_level", DEFAULT_CONFIDENCE_LEVEL))  # type: ignore[arg-type]
        return cls(
            dimensions=tuple(settings.get("dimensions") or DEFAULT_DIMENSIONS),  # type: ignore[arg-type]
            periods=parsed,
            dominance_n=int(str(disclosure.get("dominance_n", 2))),
            confidence_level=level,
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
        cells = cells_with_totals(
            rows.assign(period=label),
            keys,
            keys,
            lambda cell, n_cells, leaders=leaders: {
                "business_leaders": per_cell_sum(leaders, cell, n_cells)
            },
        )
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


# The figures order strata as the table does.
_rank = category_rank


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


# --- labels and figures ----------------------------------------------------------------------

VALUE_LABELS_SV: dict[str, dict[str, str]] = {
    "group": {"women": "kvinna som vd", "men": "man som vd", UNKNOWN: "okänt kön på vd"},
    "birth_background": {
        "swedish_born": "inrikes född",
        "foreign_born": "utrikes född",
        UNKNOWN: "okänd födelsebakgrund",
    },
    "age_group": {UNKNOWN: "okänd ålder"},
    "area": {"rest_of_county": "övriga länet", UNKNOWN: "okänt område"},
}


def value_label(key: str, value: str) -> str:
    if value == TOTAL:
        return ""
    known = VALUE_LABELS_SV.get(key, {})
    if value in known:
        return known[value]
    if key == "age_group":
        text = value.replace("-", "–")
        if text.startswith("<"):
            return f"under {text[1:]} år"
        if text.endswith("+"):
            return f"{text[:-1]} år och äldre"
        return f"{text} år"
    return value


def stratum_label_sv(row: Mapping[str, object], keys: Sequence[str] = KEY_COLUMNS) -> str:
    """`Kvinna som vd, utrikes född, under 30 år, Östersund`; `Samtliga` for the total."""
    parts = [value_label(k, str(row[k])) for k in keys]
    text = ", ".join(p for p in parts if p)
    return (text[:1].upper() + text[1:]) if text else "Samtliga"


def finest_rows(table: pd.DataFrame, keys: Sequence[str], period: str) -> pd.DataFrame:
    """The period's rows where every stratum dimension has a value (no `all`)."""
    rows = table[table["period"].astype(str) == period]
    for key in keys:
        rows = rows[rows[key].astype(str) != TOTAL]
    return rows


def approval_figure(
    table: pd.DataFrame,
    strata: pd.DataFrame,
    keys: Sequence[str],
    period: str,
    source: str,
) -> figures.Figure:
    """Dot plot: approval rate per stratum with Wilson intervals, sorted; flagged strata marked."""
    rows = finest_rows(table, keys, period)
    rows = rows[~rows[list(keys)].astype(str).eq(UNKNOWN).any(axis=1)].copy()
    flags = strata[["period", *KEY_COLUMNS, "flagged"]].astype({"period": str})
    rows = rows.merge(flags, on=["period", *KEY_COLUMNS], how="left")
    rows["label"] = [stratum_label_sv(r, keys) for r in rows.to_dict("records")]
    shown = rows[rows["approval_rate"].notna()].sort_values(
        ["approval_rate", "label"], kind="stable"
    )
    hidden = rows[rows["approval_rate"].isna()].sort_values("label", kind="stable")
    overall = table[
        (table["period"].astype(str) == period)
        & table[list(KEY_COLUMNS)].astype(str).eq(TOTAL).all(axis=1)
    ]["approval_rate"]
    figures.configure_matplotlib()
    height = max(2.5, 0.28 * len(shown) + 1.4)
    figure, axes = plt.subplots(figsize=(8, height))
    y = np.arange(len(shown))
    for group in ("women", "men", UNKNOWN):
        mask = (shown["group"].astype(str) == group).to_numpy()
        if "group" not in keys:
            mask = np.ones(len(shown), dtype=bool) if group == "women" else np.zeros_like(mask)
        if not mask.any():
            continue
        style = figures.GROUP_STYLE[group]
        rate = shown["approval_rate"].to_numpy(dtype=float)[mask]
        low = shown["approval_rate_ci_low"].to_numpy(dtype=float)[mask]
        high = shown["approval_rate_ci_high"].to_numpy(dtype=float)[mask]
        axes.errorbar(
            rate,
            y[mask],
            xerr=[rate - low, high - rate],
            fmt=style["marker"],
            color=style["color"],
            capsize=2,
            label=value_label("group", group).capitalize() if "group" in keys else "Stratum",
        )
    flagged = shown["flagged"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    if flagged.any():
        axes.scatter(
            shown["approval_rate"].to_numpy(dtype=float)[flagged],
            y[flagged],
            s=140,
            facecolors="none",
            edgecolors="black",
            linewidths=1.5,
            zorder=3,
            label="Avviker från vad huvudeffekterna förutsäger (utforskande)",
        )
    if len(overall) == 1 and pd.notna(overall.iloc[0]):
        axes.axvline(float(overall.iloc[0]), color="#404040", linestyle="--", linewidth=1)
    labels = [f"{t} *" if f else t for t, f in zip(shown["label"], flagged, strict=True)]
    axes.set_yticks(y, labels, fontsize=8)
    axes.set_xlim(0, 1.02)
    axes.xaxis.set_major_formatter(lambda v, _: f"{v * 100:.0f} %")
    axes.set_xlabel("Beviljade av beslutade ärenden (streckad linje: samtliga)")
    title = f"Beviljandegrad per stratum med 95 % osäkerhetsintervall, {period}"
    axes.set_title(title, loc="left")
    axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08 - 1.2 / height),
                frameon=False, ncols=2)  # fmt: skip
    figures._source_line(axes, source)
    records = []
    for row, flag in [*zip(shown.to_dict("records"), flagged, strict=True)] + [
        (r, False) for r in hidden.to_dict("records")
    ]:
        records.append(
            {
                "stratum": row["label"],
                "beslut": formatting.number(row["decisions"]),
                "beviljandegrad": formatting.percent(row["approval_rate"], 0),
                "95 % intervall, lägre": formatting.percent(row["approval_rate_ci_low"], 0),
                "95 % intervall, övre": formatting.percent(row["approval_rate_ci_high"], 0),
                "avviker i modellen": "ja" if flag else ("..") if row["suppressed"] else "nej",
            }
        )
    data = pd.DataFrame(records)
    lowest = ", ".join(shown["label"].head(3))
    alt = (
        f"Punktdiagram över beviljandegraden för {len(shown)} strata {period}, sorterade från "
        "lägst till högst, med 95 % osäkerhetsintervall. "
        + (f"Lägst beviljandegrad hade: {lowest}. " if len(shown) else "")
        + (
            f"{len(hidden)} strata döljs av röjandeskyddet och visas inte (..): de har för få "
            "företag, eller uppgifterna skulle annars kunna räknas fram ur andra siffror. "
            if len(hidden)
            else ""
        )
        + "Värdena finns i tabellen under diagrammet."
    )
    return figures.Figure(INTERSECTIONAL_FIGURES[0], title, figures.to_svg(figure), alt, data)


def representation_figure(
    table: pd.DataFrame, keys: Sequence[str], period: str, source: str
) -> figures.Figure:
    """Heatmap of representation indexes (against business leaders) per stratum, with numbers."""
    rows = finest_rows(table, keys, period)
    rows = rows[~rows[list(keys)].astype(str).eq(UNKNOWN).any(axis=1)]
    split = max(1, len(keys) // 2)
    row_keys, col_keys = list(keys[:split]), list(keys[split:])
    known = {**CATEGORY_ORDER_INTERSECTIONAL}

    def combos(columns: list[str]) -> list[tuple[str, ...]]:
        if not columns:
            return [()]
        present = rows[columns].astype(str).drop_duplicates()
        frame = present.assign(
            **{f"_{c}": _rank(present[c], known.get(c, ())) for c in columns}
        ).sort_values([f"_{c}" for c in columns])
        return [tuple(v) for v in frame[columns].itertuples(index=False)]

    row_values, col_values = combos(row_keys), combos(col_keys)
    matrix = np.full((len(row_values), len(col_values)), np.nan)
    lookup = {
        tuple(str(r[k]) for k in keys): r["representation_index"] for r in rows.to_dict("records")
    }
    records = []
    for i, rv in enumerate(row_values):
        for j, cv in enumerate(col_values):
            values = dict(zip(row_keys + col_keys, rv + cv, strict=True))
            value = lookup.get(tuple(values[k] for k in keys))
            if value is not None and pd.notna(value):
                matrix[i, j] = float(value)
            records.append(
                {
                    "stratum": stratum_label_sv(values, keys),
                    "representationsindex": formatting.number(value, 2)
                    if value is not None and pd.notna(value)
                    else formatting.SUPPRESSED,
                }
            )
    figures.configure_matplotlib()
    figure, axes = plt.subplots(
        figsize=(max(5.0, 1.35 * len(col_values) + 3.0), max(2.5, 0.6 * len(row_values) + 1.8))
    )
    logs = np.log2(np.clip(matrix, 1 / 8, 8))
    image = axes.imshow(np.ma.masked_invalid(logs), cmap="PuOr", vmin=-2, vmax=2, aspect="auto")
    axes.set_facecolor("#d9d9d9")
    for i in range(len(row_values)):
        for j in range(len(col_values)):
            value = matrix[i, j]
            if np.isnan(value):
                axes.add_patch(
                    plt.Rectangle(
                        (j - 0.5, i - 0.5),
                        1,
                        1,
                        fill=False,
                        hatch="//",
                        edgecolor="#808080",
                        linewidth=0,
                    )
                )
                text, colour = formatting.SUPPRESSED, "black"
            else:
                text = formatting.number(value, 2)
                colour = "white" if abs(np.log2(value)) > 1.2 else "black"
            axes.text(j, i, text, ha="center", va="center", fontsize=8, color=colour)
    axes.set_xticks(
        range(len(col_values)),
        [
            "\n".join(value_label(k, v) for k, v in zip(col_keys, cv, strict=True))
            for cv in col_values
        ],
        fontsize=8,
    )
    axes.set_yticks(
        range(len(row_values)),
        [", ".join(value_label(k, v) for k, v in zip(row_keys, rv, strict=True)).capitalize()
         for rv in row_values],
        fontsize=8,
    )  # fmt: skip
    axes.spines[:].set_visible(False)
    colorbar = figure.colorbar(image, ax=axes, ticks=[-2, -1, 0, 1, 2], shrink=0.8)
    colorbar.ax.set_yticklabels(["0,25", "0,5", "1", "2", "4"])
    colorbar.set_label("Representationsindex (1 = som andelen företagsledare)", fontsize=8)
    title = f"Representationsindex per stratum mot andelen företagsledare, {period}"
    axes.set_title(title, loc="left")
    figures._source_line(axes, source)
    data = pd.DataFrame(records)
    finite = matrix[np.isfinite(matrix)]
    alt = (
        f"Rutnät över representationsindex för {matrix.size} strata {period}: stratumets andel av "
        "de beviljade ärendena delad med dess andel av företagsledarna i regionen. 1 betyder lika "
        "stor andel, under 1 att stratumet nås mindre än sin andel av företagsledarna. "
        + (
            f"Indexen går från {formatting.number(finite.min(), 2)} till "
            f"{formatting.number(finite.max(), 2)}. "
            if finite.size
            else ""
        )
        + f"{int(np.isnan(matrix).sum())} rutor visas inte (..). "
        "Värdena finns i tabellen under diagrammet."
    )
    return figures.Figure(INTERSECTIONAL_FIGURES[1], title, figures.to_svg(figure), alt, data)


def intersectional_figures(
    table: pd.DataFrame, strata: pd.DataFrame, keys: Sequence[str], period: str, source: str
) -> list[figures.Figure]:
    """Both figures, drawn from the published tables only."""
    out = [
        approval_figure(table, strata, keys, period, source),
        representation_figure(table, keys, period, source),
    ]
    assert tuple(f.name for f in out) == INTERSECTIONAL_FIGURES
    return out

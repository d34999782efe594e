"""Section "Intersektionell analys": labels of strata, the two figures, the tables and the
sentences on the models, all from the published tables (the strata table and the model results).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from rtp_eval import formatting, vocabulary
from rtp_eval.catalog import TOTAL
from rtp_eval.cells import UNKNOWN, category_rank
from rtp_eval.charts import GROUP_STYLE, Chart, Grid, Series
from rtp_eval.charts import values as chart_values
from rtp_eval.explore import (
    FigureExplorer,
    figure_explorer,
    period_filter,
    rows_filter,
    with_filters,
)
from rtp_eval.figures import (
    Figure,
    configure_matplotlib,
    draw_source_line,
    nan_list,
    to_svg,
)
from rtp_eval.intersectional import (
    CATEGORY_ORDER_INTERSECTIONAL,
    DIMENSIONS,
    KEY_COLUMNS,
)
from rtp_eval.outputs import INTERSECTIONAL_FIGURES
from rtp_eval.report_content import Cell, ReportTable, TableFilter, number_cell
from rtp_eval.stats import DEFAULT_CONFIDENCE_LEVEL

# --- labels ----------------------------------------------------------------------


def value_label(key: str, value: str) -> str:
    """A stratum value in words (lower case); empty for a total."""
    if value == TOTAL:
        return ""
    known = vocabulary.STRATUM_VALUES.get(key, {})
    if value in known:
        return known[value]
    if key == "age_group":
        return vocabulary.age_group_label(value)
    return value


def stratum_label_sv(row: Mapping[str, object], keys: Sequence[str] = KEY_COLUMNS) -> str:
    """`Kvinna som vd, utrikes född, under 30 år, Östersund`; `Samtliga` for the total."""
    parts = [value_label(k, str(row[k])) for k in keys]
    text = ", ".join(p for p in parts if p)
    return (text[:1].upper() + text[1:]) if text else vocabulary.ALL


def finest_rows(table: pd.DataFrame, keys: Sequence[str], period: str) -> pd.DataFrame:
    """The period's rows where every stratum dimension has a value (no `all`)."""
    rows = table[table["period"].astype(str) == period]
    for key in keys:
        rows = rows[rows[key].astype(str) != TOTAL]
    return rows


# --- figures ---------------------------------------------------------------------------------


def _approval_strata(
    table: pd.DataFrame, strata: pd.DataFrame, keys: Sequence[str], period: str
) -> tuple[pd.DataFrame, pd.DataFrame, float | None]:
    """The period's known strata with a published approval rate (sorted, lowest first, with
    `label` and `flagged`), those without one, and the approval rate of all decisions."""
    rows = finest_rows(table, keys, period)
    rows = rows[~rows[list(keys)].astype(str).eq(UNKNOWN).any(axis=1)].copy()
    flags = strata[["period", *KEY_COLUMNS, "flagged"]].astype({"period": str})
    rows = rows.astype({"period": str}).merge(flags, on=["period", *KEY_COLUMNS], how="left")
    rows["label"] = [stratum_label_sv(r, keys) for r in rows.to_dict("records")]
    rows["flagged"] = rows["flagged"].astype("boolean").fillna(False).astype(bool)
    shown = rows[rows["approval_rate"].notna()].sort_values(
        ["approval_rate", "label"], kind="stable"
    )
    hidden = rows[rows["approval_rate"].isna()].sort_values("label", kind="stable")
    overall = table[
        (table["period"].astype(str) == period)
        & table[list(KEY_COLUMNS)].astype(str).eq(TOTAL).all(axis=1)
    ]["approval_rate"]
    value = float(overall.iloc[0]) if len(overall) == 1 and pd.notna(overall.iloc[0]) else None
    return shown, hidden, value


FLAGGED_LABEL = "Avviker från vad huvudeffekterna förutsäger (utforskande)"


def approval_chart(
    table: pd.DataFrame,
    strata: pd.DataFrame,
    keys: Sequence[str],
    period: str,
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
) -> Chart:
    """Approval rate per stratum with Wilson intervals, sorted; flagged strata marked."""
    level = vocabulary.confidence_text(confidence_level)
    lower, upper = vocabulary.interval_columns(confidence_level)
    shown, hidden, overall = _approval_strata(table, strata, keys, period)
    flagged = shown["flagged"].to_numpy(dtype=bool)
    series = []
    for group in ("women", "men", UNKNOWN):
        mask = (shown["group"].astype(str) == group).to_numpy()
        if "group" not in keys:
            mask = np.ones(len(shown), dtype=bool) if group == "women" else np.zeros_like(mask)
        if not mask.any():
            continue
        label = value_label("group", group).capitalize() if "group" in keys else "Stratum"

        def masked(column: str, mask: np.ndarray = mask) -> tuple[float | None, ...]:
            return tuple(
                v if keep else None
                for v, keep in zip(chart_values(shown[column].tolist()), mask, strict=True)
            )

        texts = tuple(
            f"beviljandegrad {formatting.percent(row['approval_rate'], 0)} "
            f"({level} intervall {formatting.percent(row['approval_rate_ci_low'], 0)}–"
            f"{formatting.percent(row['approval_rate_ci_high'], 0)})"
            + (f". {FLAGGED_LABEL}" if row["flagged"] else "")
            if keep
            else ""
            for row, keep in zip(shown.to_dict("records"), mask, strict=True)
        )
        series.append(
            Series(
                label=label,
                who=label,
                group=group,
                mark="point",
                values=masked("approval_rate"),
                low=masked("approval_rate_ci_low"),
                high=masked("approval_rate_ci_high"),
                texts=texts,
                slot=0,
            )
        )
    records = []
    for row, flag in [*zip(shown.to_dict("records"), flagged, strict=True)] + [
        (r, False) for r in hidden.to_dict("records")
    ]:
        records.append(
            {
                "stratum": row["label"],
                "beslut": formatting.number(row["decisions"]),
                "beviljandegrad": formatting.percent(row["approval_rate"], 0),
                lower: formatting.percent(row["approval_rate_ci_low"], 0),
                upper: formatting.percent(row["approval_rate_ci_high"], 0),
                "avviker i modellen": "ja" if flag else ("..") if row["suppressed"] else "nej",
            }
        )
    lowest = ", ".join(shown["label"].head(3))
    alt = (
        f"Punktdiagram över beviljandegraden för {len(shown)} strata {period}, sorterade från "
        f"lägst till högst, med {level} osäkerhetsintervall. "
        + (f"Lägst beviljandegrad hade: {lowest}. " if len(shown) else "")
        + (
            f"{len(hidden)} strata döljs av röjandeskyddet och visas inte (..): de har för få "
            "företag, eller uppgifterna skulle annars kunna räknas fram ur andra siffror. "
            if len(hidden)
            else ""
        )
        + "Värdena finns i tabellen under diagrammet."
    )
    return Chart(
        name=INTERSECTIONAL_FIGURES[0],
        title=f"Beviljandegrad per stratum med {level} osäkerhetsintervall, {period}",
        alt_text=alt,
        data=pd.DataFrame(records),
        kind="rows",
        categories=tuple(
            f"{t} *" if f else t for t, f in zip(shown["label"], flagged, strict=True)
        ),
        series=tuple(series),
        axis_label="Beviljade av beslutade ärenden (streckad linje: samtliga)",
        value_format="percent",
        axis_max=1.0,
        reference=overall,
        reference_label="Samtliga",
        legend_notes=(f"* {FLAGGED_LABEL}",) if flagged.any() else (),
    )


def approval_figure(
    table: pd.DataFrame,
    strata: pd.DataFrame,
    keys: Sequence[str],
    period: str,
    source: str,
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
) -> Figure:
    """Dot plot: approval rate per stratum with Wilson intervals, sorted; flagged strata marked."""
    chart = approval_chart(table, strata, keys, period, confidence_level)
    shown, _, overall = _approval_strata(table, strata, keys, period)
    configure_matplotlib()
    height = max(2.5, 0.28 * len(shown) + 1.4)
    figure, axes = plt.subplots(figsize=(8, height))
    y = np.arange(len(shown))
    for series in chart.series:
        style = GROUP_STYLE[series.group]
        mask = np.array([v is not None for v in series.values], dtype=bool)
        rate = np.array(nan_list(series.values))[mask]
        low = np.array(nan_list(series.low or ()))[mask]
        high = np.array(nan_list(series.high or ()))[mask]
        axes.errorbar(
            rate,
            y[mask],
            xerr=[rate - low, high - rate],
            fmt=style["marker"],
            color=style["color"],
            capsize=2,
            label=series.label,
        )
    flagged = shown["flagged"].to_numpy(dtype=bool)
    if flagged.any():
        axes.scatter(
            shown["approval_rate"].to_numpy(dtype=float)[flagged],
            y[flagged],
            s=140,
            facecolors="none",
            edgecolors="black",
            linewidths=1.5,
            zorder=3,
            label=FLAGGED_LABEL,
        )
    if overall is not None:
        axes.axvline(overall, color="#404040", linestyle="--", linewidth=1)
    axes.set_yticks(y, list(chart.categories), fontsize=8)
    axes.set_xlim(0, 1.02)
    axes.xaxis.set_major_formatter(lambda v, _: f"{v * 100:.0f} %")
    axes.set_xlabel(chart.axis_label)
    axes.set_title(chart.title, loc="left")
    axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08 - 1.2 / height),
                frameon=False, ncols=2)  # fmt: skip
    draw_source_line(axes, source)
    return Figure(chart.name, chart.title, to_svg(figure), chart.alt_text, chart.data)


def representation_chart(table: pd.DataFrame, keys: Sequence[str], period: str) -> Chart:
    """Representation indexes (against business leaders) per stratum, as a grid."""
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
            **{f"_{c}": category_rank(present[c], known.get(c, ())) for c in columns}
        ).sort_values([f"_{c}" for c in columns])
        return [tuple(v) for v in frame[columns].itertuples(index=False)]

    row_values, col_values = combos(row_keys), combos(col_keys)
    lookup = {
        tuple(str(r[k]) for k in keys): r["representation_index"] for r in rows.to_dict("records")
    }
    matrix: list[tuple[float | None, ...]] = []
    texts: list[tuple[str, ...]] = []
    records = []
    for rv in row_values:
        line: list[float | None] = []
        for cv in col_values:
            values = dict(zip(row_keys + col_keys, rv + cv, strict=True))
            value = lookup.get(tuple(values[k] for k in keys))
            published = value is not None and pd.notna(value)
            line.append(float(str(value)) if published else None)
            records.append(
                {
                    "stratum": stratum_label_sv(values, keys),
                    "representationsindex": formatting.number(value, 2)
                    if published
                    else formatting.SUPPRESSED,
                }
            )
        matrix.append(tuple(line))
        texts.append(tuple(formatting.number(v, 2) if v is not None else ".." for v in line))
    finite = [v for line in matrix for v in line if v is not None]
    cells = len(row_values) * len(col_values)
    alt = (
        f"Rutnät över representationsindex för {cells} strata {period}: stratumets andel av "
        "de beviljade ärendena delad med dess andel av företagsledarna i regionen. 1 betyder lika "
        "stor andel, under 1 att stratumet nås mindre än sin andel av företagsledarna. "
        + (
            f"Indexen går från {formatting.number(min(finite), 2)} till "
            f"{formatting.number(max(finite), 2)}. "
            if finite
            else ""
        )
        + f"{cells - len(finite)} rutor visas inte (..). "
        "Värdena finns i tabellen under diagrammet."
    )
    grid = Grid(
        rows=tuple(
            ", ".join(value_label(k, v) for k, v in zip(row_keys, rv, strict=True)).capitalize()
            for rv in row_values
        ),
        columns=tuple(
            "\n".join(value_label(k, v) for k, v in zip(col_keys, cv, strict=True))
            for cv in col_values
        ),
        values=tuple(matrix),
        texts=tuple(texts),
        legend="Representationsindex (1 = som andelen företagsledare)",
    )
    return Chart(
        name=INTERSECTIONAL_FIGURES[1],
        title=f"Representationsindex per stratum mot andelen företagsledare, {period}",
        alt_text=alt,
        data=pd.DataFrame(records),
        kind="grid",
        grid=grid,
    )


def representation_figure(
    table: pd.DataFrame, keys: Sequence[str], period: str, source: str
) -> Figure:
    """Heatmap of representation indexes (against business leaders) per stratum, with numbers."""
    chart = representation_chart(table, keys, period)
    assert chart.grid is not None
    grid = chart.grid
    matrix = np.array(
        [[np.nan if v is None else v for v in line] for line in grid.values], dtype=float
    ).reshape(len(grid.rows), len(grid.columns))
    configure_matplotlib()
    figure, axes = plt.subplots(
        figsize=(max(5.0, 1.35 * len(grid.columns) + 3.0), max(2.5, 0.6 * len(grid.rows) + 1.8))
    )
    logs = np.log2(np.clip(matrix, 1 / 8, 8))
    image = axes.imshow(np.ma.masked_invalid(logs), cmap="PuOr", vmin=-2, vmax=2, aspect="auto")
    axes.set_facecolor("#d9d9d9")
    for i in range(len(grid.rows)):
        for j in range(len(grid.columns)):
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
                colour = "black"
            else:
                colour = "white" if abs(np.log2(value)) > 1.2 else "black"
            axes.text(j, i, grid.texts[i][j], ha="center", va="center", fontsize=8, color=colour)
    axes.set_xticks(range(len(grid.columns)), list(grid.columns), fontsize=8)
    axes.set_yticks(range(len(grid.rows)), list(grid.rows), fontsize=8)
    axes.spines[:].set_visible(False)
    colorbar = figure.colorbar(image, ax=axes, ticks=[-2, -1, 0, 1, 2], shrink=0.8)
    colorbar.ax.set_yticklabels(["0,25", "0,5", "1", "2", "4"])
    colorbar.set_label(grid.legend, fontsize=8)
    axes.set_title(chart.title, loc="left")
    draw_source_line(axes, source)
    return Figure(chart.name, chart.title, to_svg(figure), chart.alt_text, chart.data)


def intersectional_figures(
    table: pd.DataFrame,
    strata: pd.DataFrame,
    keys: Sequence[str],
    period: str,
    source: str,
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
) -> list[Figure]:
    """Both figures, drawn from the published tables only."""
    out = [
        approval_figure(table, strata, keys, period, source, confidence_level),
        representation_figure(table, keys, period, source),
    ]
    assert tuple(f.name for f in out) == INTERSECTIONAL_FIGURES
    return out


# --- tables and sentences -----------------------------------------------------------------

INTERSECTIONAL_KEYS = ("period", "group", "birth_background", "age_group", "area")


def _share(value: object) -> str:
    return formatting.percent(value, 1)


def _index(value: object) -> str:
    return formatting.number(value, 2)


def intersectional_table(
    table: pd.DataFrame,
    keys: Sequence[str],
    period: str,
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
) -> ReportTable:
    """Every stratum of the model period (all dimensions given), unknown values included."""
    name = "intersectional_business_support"
    rows = []
    for record in finest_rows(table, keys, period).to_dict("records"):

        def cell(column: str, fmt: Any, record: dict[str, Any] = record) -> Cell:
            return number_cell(record, name, INTERSECTIONAL_KEYS, column, fmt)

        rows.append(
            [
                Cell(stratum_label_sv(record, keys)),
                cell("decisions", formatting.number),
                cell("granted", formatting.number),
                cell("approval_rate", _share),
                cell("approval_rate_ci_low", _share),
                cell("approval_rate_ci_high", _share),
                cell("share_of_amount", _share),
                cell("baseline_share", _share),
                cell("representation_index", _index),
                cell("decision_representation_index", _index),
            ]
        )
    return ReportTable(
        id="tabell-intersektionell",
        caption=f"Företagsstöd per stratum (vd:s kön, födelsebakgrund, ålder och område), {period}",
        columns=[
            "Stratum",
            "Beslut",
            "Beviljade",
            "Beviljandegrad",
            *vocabulary.interval_columns(confidence_level),
            "Andel av beviljat belopp",
            "Andel av företagsledarna",
            "Representationsindex",
            "Index för beslutssteget",
        ],
        rows=rows,
        notes=[
            "Representationsindex: stratumets andel av de beviljade ärendena (bland ärenden med "
            "kända uppgifter) delad med dess andel av företagsledarna i regionen. Index för "
            "beslutssteget: andelen av de beviljade delad med andelen av dem som fick beslut; "
            "under 1 betyder att stratumet beviljas mer sällan än genomsnittet."
        ],
    )


def _model_label(record: Mapping[str, Any]) -> str:
    outcome = vocabulary.MODEL_OUTCOMES.get(record["outcome"], record["outcome"])
    return f"{outcome}: {vocabulary.MODELS.get(record['model'], record['model'])}"


def _p_value(value: object) -> str:
    number = formatting.to_float(value)
    return "< 0,001" if number < 0.001 else formatting.number(number, 3)


def intersectional_model_table(summary: pd.DataFrame) -> ReportTable:
    name = "intersectional_model_summary"
    keys = ("period", "outcome", "model")
    rows = []
    notes = []
    for record in summary.to_dict("records"):
        fitted = record["status"] == "fitted"
        status = "skattad" if fitted else f"inte skattad: {record['reason_sv']}"
        if fitted and record.get("boundary") is True:
            status += "; variansen på gränsen 0 (singulär)"
        rows.append(
            [
                Cell(_model_label(record)),
                Cell(status),
                number_cell(record, name, keys, "cases", formatting.number),
                number_cell(record, name, keys, "strata", formatting.number),
                number_cell(record, name, keys, "vpc", _share),
                number_cell(record, name, keys, "lr_p_value", _p_value),
                number_cell(record, name, keys, "pcv", _share),
                number_cell(record, name, keys, "auc", _index),
                number_cell(record, name, keys, "flagged_strata", formatting.number),
            ]
        )
        note = record.get("pcv_note_sv")
        if fitted and isinstance(note, str) and note:
            notes.append(f"PCV, {_model_label(record)}: {note}.")
    return ReportTable(
        id="tabell-maihda",
        caption="Flernivåmodeller av beviljande och beviljat belopp (MAIHDA)",
        columns=[
            "Utfall och modell",
            "Status",
            "Ärenden",
            "Strata",
            "VPC",
            "p-värde, ingen varians mellan strata",
            "PCV",
            "AUC",
            "Avvikande strata",
        ],
        rows=rows,
        text_columns=frozenset({1}),
        notes=[
            "Tomma celler (..) betyder att måttet inte hör till modellen eller att modellen inte "
            "skattades.",
            "p-värdet prövar om variansen mellan strata är 0 med ett kvottest; eftersom 0 är "
            "gränsen för en varians jämförs testvärdet med en blandning till hälften av χ²₀ och "
            "χ²₁.",
            *notes,
            *_sampling_notes(summary),
        ],
    )


def intersectional_variance_table(
    summary: pd.DataFrame, confidence_level: float = DEFAULT_CONFIDENCE_LEVEL
) -> ReportTable:
    """The between-strata variance and VPC of every fitted model, with their intervals."""
    name = "intersectional_model_summary"
    keys = ("period", "outcome", "model")
    fitted = summary[summary["status"] == "fitted"]
    rows = [
        [
            Cell(_model_label(record)),
            Cell(str(record.get("method") or "")),
            *(
                number_cell(record, name, keys, column, fmt)
                for column, fmt in (
                    ("stratum_variance", _variance),
                    ("stratum_variance_ci_low", _variance),
                    ("stratum_variance_ci_high", _variance),
                    ("vpc", _share),
                    ("vpc_ci_low", _share),
                    ("vpc_ci_high", _share),
                    ("lr_statistic", _index),
                )
            ),
        ]
        for record in fitted.to_dict("records")
    ]
    return ReportTable(
        id="tabell-maihda-varians",
        caption=(
            "Variansen mellan strata och VPC med "
            f"{vocabulary.confidence_text(confidence_level)} profilintervall"
        ),
        columns=[
            "Utfall och modell",
            "Skattningsmetod",
            "Varians mellan strata",
            "Intervall, lägre",
            "Intervall, övre",
            "VPC",
            "VPC, lägre",
            "VPC, övre",
            "Kvottest (LR)",
        ],
        rows=rows,
        text_columns=frozenset({1}),
        notes=[
            "Intervallen är profillikelihoodintervall för beviljandemodellerna; för "
            "beloppsmodellerna beräknas inget intervall (..). En varians på gränsen 0 betyder "
            "att data inte visar några skillnader mellan strata utöver slumpen; intervallets "
            "övre gräns visar hur stora skillnader data inte kan utesluta."
        ],
    )


def _variance(value: object) -> str:
    return formatting.number(value, 3)


def _sampling_notes(summary: pd.DataFrame) -> list[str]:
    """A note when the models were fitted on a sample of the largest strata's decisions."""
    if "cases_before_sampling" not in summary.columns:
        return []
    notes = []
    for outcome in ("approval", "amount"):
        rows = summary[summary["outcome"] == outcome]
        counts = rows[["cases", "cases_before_sampling"]].apply(pd.to_numeric).dropna()
        if counts.empty:  # no model, or counts left out by disclosure control
            continue
        cases = int(counts["cases"].max())
        before = int(counts["cases_before_sampling"].max())
        if before > cases:
            label = vocabulary.MODEL_OUTCOMES.get(outcome, outcome)
            notes.append(
                f"{label}: modellerna skattades på {formatting.number(cases)} "
                f"av {formatting.number(before)} ärenden. Strata med fler ärenden än gränsen "
                "representeras av ett slumpmässigt urval (fast startvärde); mindre strata ingår "
                "med alla sina ärenden."
            )
    return notes


def intersectional_flagged_table(
    strata: pd.DataFrame, keys: Sequence[str], confidence_level: float = DEFAULT_CONFIDENCE_LEVEL
) -> ReportTable:
    name = "intersectional_model_strata"
    flagged = strata[strata["flagged"].astype("boolean").fillna(False).to_numpy(dtype=bool)]
    rows = []
    for record in flagged.to_dict("records"):
        rows.append(
            [
                Cell(stratum_label_sv(record, keys)),
                number_cell(record, name, INTERSECTIONAL_KEYS, "predicted_approval", _share),
                number_cell(record, name, INTERSECTIONAL_KEYS, "predicted_approval_ci_low", _share),
                number_cell(
                    record, name, INTERSECTIONAL_KEYS, "predicted_approval_ci_high", _share
                ),
                number_cell(record, name, INTERSECTIONAL_KEYS, "main_effects_approval", _share),
                number_cell(record, name, INTERSECTIONAL_KEYS, "interaction_q_value", _p_value),
            ]
        )
    return ReportTable(
        id="tabell-avvikande-strata",
        caption="Strata vars beviljande avviker från vad huvudeffekterna förutsäger (utforskande)",
        columns=[
            "Stratum",
            "Modellskattad beviljandegrad",
            *vocabulary.interval_columns(confidence_level),
            "Enligt huvudeffekterna",
            "q-värde (Benjamini–Hochberg)",
        ],
        rows=rows,
    )


def _vpc_interval(record: Mapping[str, Any], confidence_level: float) -> str:
    low, high = record.get("vpc_ci_low"), record.get("vpc_ci_high")
    if formatting.is_missing(low) or formatting.is_missing(high):
        return ""
    level = vocabulary.confidence_text(confidence_level)
    return f", {level} intervall {_share(low)}–{_share(high)}"


def _vpc_text(record: Mapping[str, Any], confidence_level: float) -> str:
    return f"VPC {_share(record['vpc'])}{_vpc_interval(record, confidence_level)}"


def _variance_sentence(record: Mapping[str, Any], what: str, confidence_level: float) -> str:
    """Whether the strata differ in `what`, as the test of σ²_u = 0 at the level's
    significance (1 − confidence level) says."""
    p_value = record.get("lr_p_value")
    tested = not formatting.is_missing(p_value)
    if tested and formatting.to_float(p_value) >= 1 - confidence_level:
        boundary = (
            " Variansen mellan strata skattas till 0 (på gränsen)."
            if record.get("boundary") is True
            else ""
        )
        return (
            f"Ingen säker skillnad mellan strata i {what}: kvottestet av att variansen mellan "
            f"strata är 0 ger p = {_p_value(p_value)} "
            f"(modell 1: {_vpc_text(record, confidence_level)})."
            f"{boundary} Den övre gränsen visar hur stora skillnader data inte kan utesluta."
        )
    test = f"; p = {_p_value(p_value)}" if tested else ""
    return (
        f"Skillnader mellan strata står för {_share(record['vpc'])} av variationen i {what} "
        f"(VPC i modell 1{_vpc_interval(record, confidence_level)}{test}); resten är skillnader "
        "mellan ärenden inom samma stratum."
    )


def intersectional_sentences(
    summary: pd.DataFrame, flagged: int, confidence_level: float = DEFAULT_CONFIDENCE_LEVEL
) -> list[str]:
    """The model results in plain Swedish, saying no more than the tests support (tests at
    the significance level 1 − `confidence_level`, intervals at `confidence_level`)."""

    def pick_row(outcome: str, model: str) -> dict[str, Any] | None:
        rows = summary[(summary["outcome"] == outcome) & (summary["model"] == model)]
        return None if rows.empty else rows.iloc[0].to_dict()

    sentences = []
    null, main = pick_row("approval", "null"), pick_row("approval", "main_effects")
    if null is None or null["status"] != "fitted" or main is None:
        reason = null["reason_sv"] if null is not None else "inga ärenden"
        sentences.append(f"Modellen för beviljande skattades inte: {reason}.")
    else:
        sentences.append(_variance_sentence(null, "om en ansökan beviljas", confidence_level))
        if not pd.isna(main["pcv"]):
            singular = (
                " (modell 2 har variansen 0 kvar: en singulär skattning)"
                if main.get("boundary") is True
                else ""
            )
            sentences.append(
                f"Kön, födelsebakgrund, ålder och område var för sig (huvudeffekterna) förklarar "
                f"{_share(main['pcv'])} av skillnaderna mellan strata (PCV){singular}. Det som "
                f"återstår, VPC {_share(main['vpc'])}, är det som bara syns i kombinationerna "
                "(interaktioner)."
            )
        else:
            note = str(main.get("pcv_note_sv") or "kan inte skattas").removeprefix(
                "kan inte skattas: "
            )
            sentences.append(
                "Hur stor del av skillnaderna mellan strata som huvudeffekterna förklarar (PCV) "
                f"kan inte skattas: {note}."
            )
        if not pd.isna(null["auc"]):
            sentences.append(
                f"Strata skiljer {_auc_words(float(null['auc']))} mellan beviljade och avslagna "
                f"ansökningar (AUC {_index(null['auc'])}; 0,5 = inte alls, 1 = helt)."
            )
        sentences.append(
            f"{flagged} stratum avviker tydligt från vad huvudeffekterna förutsäger."
            if flagged == 1
            else f"{flagged} strata avviker tydligt från vad huvudeffekterna förutsäger."
            if flagged
            else "Inget stratum som kan redovisas avviker tydligt från vad huvudeffekterna "
            "förutsäger."
        )
        sensitivity = pick_row("approval", "null_with_unknown")
        if sensitivity is not None and sensitivity["status"] == "fitted":
            sentences.append(
                "Känslighetsanalys: när ärenden med okända uppgifter tas med som egna strata "
                f"blir {_vpc_text(sensitivity, confidence_level)} "
                f"(p = {_p_value(sensitivity['lr_p_value'])})."
            )
    amount_null = pick_row("amount", "null")
    if amount_null is not None and amount_null["status"] == "fitted":
        sentences.append(
            _variance_sentence(amount_null, "beviljat belopp (logaritmerat)", confidence_level)
        )
    elif amount_null is not None:
        sentences.append(
            f"Modellen för beviljat belopp skattades inte: {amount_null['reason_sv']}."
        )
    return sentences


def _auc_words(value: float) -> str:
    if value < 0.6:
        return "knappt alls"
    if value < 0.7:
        return "svagt"
    if value < 0.8:
        return "måttligt"
    return "väl"


STRATUM_FILTER_LABELS: Mapping[str, str] = {
    "group": "Kön på vd",
    "birth_background": "Födelsebakgrund",
    "age_group": "Åldersgrupp",
    "area": "Område",
}


def stratum_filters(rows: pd.DataFrame, keys: Sequence[str]) -> list[TableFilter]:
    """A rows filter per stratum dimension, its values in the strata table's order."""
    filters = []
    for key in keys:
        present = rows[key].astype(str).drop_duplicates()
        ranked = present.iloc[
            np.argsort(category_rank(present, CATEGORY_ORDER_INTERSECTIONAL.get(key, ())),
                       kind="stable")
        ]  # fmt: skip
        options = [(value, value_label(key, value).capitalize()) for value in ranked]
        filters.append(rows_filter(key, STRATUM_FILTER_LABELS.get(key, key), options))
    return filters


def intersectional_figure_explorers(
    table: pd.DataFrame,
    strata: pd.DataFrame,
    keys: Sequence[str],
    period: str,
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
) -> list[FigureExplorer]:
    """Both figures for every published period, as the website edition's filters draw them."""
    by_period = period_filter(sorted(set(table["period"].astype(str))), period)
    out = [
        figure_explorer(
            INTERSECTIONAL_FIGURES[0],
            [by_period],
            lambda period: approval_chart(table, strata, keys, period, confidence_level),
        ),
        figure_explorer(
            INTERSECTIONAL_FIGURES[1],
            [by_period],
            lambda period: representation_chart(table, keys, period),
        ),
    ]
    return out


def intersectional_context(
    table: pd.DataFrame,
    summary: pd.DataFrame,
    strata: pd.DataFrame,
    settings: Mapping[str, Any],
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
) -> dict[str, Any]:
    """Tables, sentences and method facts of the section "Intersektionell analys"."""
    dimensions = list(settings.get("dimensions") or DIMENSIONS)
    keys = [DIMENSIONS[d][1] for d in dimensions]
    model = dict(settings.get("model") or {})
    period = str(model.get("period", "2012-2018"))
    shown = strata[strata["flagged"].astype("boolean").fillna(False).to_numpy(dtype=bool)]
    return {
        "inter": {
            "period": period,
            "keys": keys,
            "periods": list((settings.get("periods") or {period: None}).keys()),
            "dimensions": [vocabulary.DIMENSIONS[d] for d in dimensions],
            "covariates": [vocabulary.COVARIATES.get(c, c) for c in model.get("covariates", [])],
            "model": model,
            "table": with_filters(
                intersectional_table(table, keys, period, confidence_level),
                period_filter(sorted(set(table["period"].astype(str))), period),
                *stratum_filters(finest_rows(table, keys, period), keys),
            ),
            "models": intersectional_model_table(summary),
            "variances": intersectional_variance_table(summary, confidence_level),
            "flagged": intersectional_flagged_table(strata, keys, confidence_level),
            "sentences": intersectional_sentences(summary, len(shown), confidence_level),
        }
    }

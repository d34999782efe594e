"""What the report says: tables and sentences built from the published tables only.

Every number cell carries the table, row key and column it comes from (as `data-` attributes in
the HTML), so a test can check each printed number against `results/tables/`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from rtp_eval import formatting, vocabulary
from rtp_eval.stats import DEFAULT_CONFIDENCE_LEVEL


@dataclass(frozen=True)
class Cell:
    """One table cell; number cells name their source so they can be checked."""

    text: str
    table: str | None = None
    key: str | None = None
    column: str | None = None
    numeric: bool = False
    suppressed: bool = False
    # How the number was written, so the website edition writes other published cells of the
    # same column the same way when a reader filters the table.
    format: Callable[[object], str] | None = field(default=None, compare=False, repr=False)
    # Where the number would come from when its row is not published: (table, key, column).
    intended: tuple[str, str, str] | None = field(default=None, compare=False, repr=False)

    @property
    def source(self) -> tuple[str, str, str] | None:
        """(table, key, column) of the number: where it comes from or would come from."""
        if self.table is not None and self.key is not None and self.column is not None:
            return (self.table, self.key, self.column)
        return self.intended


@dataclass(frozen=True)
class TableFilter:
    """A filter the website edition offers on a table, by one key column of its cells.

    `swap`: every number cell of the table has the same value in `column` (the page's
    `default`); choosing another option shows the published cells with that value instead.
    `rows`: the rows differ in `column`; choosing an option shows only its rows.
    """

    column: str
    label: str
    options: tuple[tuple[str, str], ...]  # (value, label) in display order
    default: str
    mode: Literal["swap", "rows"]


@dataclass
class ReportTable:
    id: str
    caption: str
    columns: list[str]
    rows: list[list[Cell]]
    notes: list[str] = field(default_factory=list)
    text_columns: frozenset[int] = frozenset()  # column positions (after the first) not numeric
    filters: tuple[TableFilter, ...] = ()

    @property
    def has_suppressed(self) -> bool:
        return any(cell.suppressed for row in self.rows for cell in row)


def row_key(row: Mapping[str, object], keys: Sequence[str]) -> str:
    return ";".join(f"{k}={_key_text(row[k])}" for k in keys)


def _key_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def cell_text(row: Mapping[str, object] | None, column: str, fmt: Callable[[object], str]) -> str:
    """A published cell as the report writes it (`..` when hidden or not published)."""
    if row is None:
        return formatting.SUPPRESSED
    value = row[column]
    if value is None or pd.isna(value):
        return formatting.SUPPRESSED
    return fmt(value)


def number_cell(
    row: Mapping[str, object] | None,
    table: str,
    keys: Sequence[str],
    column: str,
    fmt: Callable[[object], str],
    where: Mapping[str, object] | None = None,
) -> Cell:
    """A number from a published table row (`..` when suppressed or missing); `where`, the
    filters that looked for the row, names the cell a missing row would have had."""
    if row is None:
        intended = None if where is None else (table, row_key(where, keys), column)
        return Cell("..", numeric=True, suppressed=True, format=fmt, intended=intended)
    text = cell_text(row, column, fmt)
    return Cell(
        text,
        table=table,
        key=row_key(row, keys),
        column=column,
        numeric=True,
        suppressed=text == formatting.SUPPRESSED,
        format=fmt,
    )


def number_cells(
    row: Mapping[str, object] | None,
    table: str,
    keys: Sequence[str],
    columns: Sequence[tuple[str, Callable[[object], str]]],
    where: Mapping[str, object] | None = None,
) -> list[Cell]:
    """Number cells for several columns of one published row, each with its formatter."""
    return [number_cell(row, table, keys, column, fmt, where) for column, fmt in columns]


def pick(frame: pd.DataFrame, **filters: object) -> dict[str, object] | None:
    """The single row matching `filters`, or None."""
    selected = frame
    for column, value in filters.items():
        selected = selected[selected[column].astype(str) == str(value)]
    if selected.empty:
        return None
    return selected.iloc[0].to_dict()


def periods_in(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(period label, kind) in display order: single years, then pooled periods."""
    rows = frame[["period", "period_kind"]].drop_duplicates()
    years = sorted(rows[rows["period_kind"] == "year"]["period"].astype(str))
    pooled = sorted(rows[rows["period_kind"] == "period"]["period"].astype(str))
    return [(y, "year") for y in years] + [(p, "period") for p in pooled]


BUSINESS_KEYS = ("period", "support_type", "classification", "group")
PROJECT_KEYS = ("period", "owner_type", "group")
OWNERSHIP_COLUMNS = ("women", "mixed", "men")


def representation_table(business: pd.DataFrame) -> ReportTable:
    """R1: decisions and approval by leadership group, per year and period (all support types)."""
    name = "business_support_by_gender"
    rows = []
    for period, _ in periods_in(business):
        cells = [Cell(period)]
        where = {"period": period, "support_type": "all", "classification": "leadership"}
        found = {}
        for group in ("women", "men", "unknown"):
            found[group] = {**where, "group": group}, pick(business, **where, group=group)
        for group in ("women", "men", "unknown"):
            key, row = found[group]
            cells.append(number_cell(row, name, BUSINESS_KEYS, "decisions", formatting.number, key))
        for group, column in (
            ("women", "share_of_decisions"),
            ("women", "approval_rate"),
            ("men", "approval_rate"),
        ):
            key, row = found[group]
            cells.append(number_cell(row, name, BUSINESS_KEYS, column, _pct, key))
        rows.append(cells)
    return ReportTable(
        id="tabell-r1-foretag",
        caption="Beslutade ärenden om företagsstöd efter vd:s kön, per år och period",
        columns=[
            "År/period",
            "Kvinnoledda, ärenden",
            "Mansledda, ärenden",
            "Okänt kön, ärenden",
            "Kvinnoleddas andel av ärendena",
            "Beviljandegrad, kvinnoledda",
            "Beviljandegrad, mansledda",
        ],
        rows=rows,
    )


def approval_difference_table(
    differences: pd.DataFrame, confidence_level: float = DEFAULT_CONFIDENCE_LEVEL
) -> ReportTable:
    """Women-men difference in approval rate with Newcombe interval and the p-value of its test."""
    name = "approval_rate_difference"
    keys = ("source", "period", "classification", "category_type", "category")
    selected = differences[
        (differences["source"] == "business_support")
        & (differences["classification"] == "leadership")
        & (differences["category"] == "all")
    ]
    rows = []
    for period, _ in periods_in(selected):
        row = pick(selected, period=period)
        where = {
            "source": "business_support",
            "period": period,
            "classification": "leadership",
            "category_type": "support_type",
            "category": "all",
        }
        rows.append([Cell(period), *number_cells(row, name, keys, DIFFERENCE_COLUMNS, where)])
    tests = sum(1 for row in rows if not row[-1].suppressed)
    return ReportTable(
        id="tabell-r1-skillnad",
        caption="Skillnad i beviljandegrad mellan kvinnoledda och mansledda företag",
        columns=[
            "År/period",
            "Kvinnoledda",
            "Mansledda",
            "Skillnad, procentenheter",
            *vocabulary.interval_columns(confidence_level),
            "p-värde (test som hör till Newcombes intervall)",
        ],
        rows=rows,
        notes=[
            "Skillnaden är kvinnoleddas minus mansleddas beviljandegrad. Intervallet är "
            "Newcombes intervall för en skillnad mellan två andelar, och p-värdet kommer från "
            "testet som hör till samma intervall: p är under 0,05 precis när intervallet inte "
            "innehåller 0.",
            *multiple_testing_note(tests, significance_level(confidence_level)),
        ],
    )


def significance_level(confidence_level: float) -> float:
    """The significance level that goes with a confidence level (0.95 -> 0.05, not 0.05000…04)."""
    return round(1 - confidence_level, 10)


def multiple_testing_note(tests: int, alpha: float = 0.05) -> list[str]:
    """The warning that goes with many unadjusted p-values (none for fewer than two)."""
    if tests < 2:
        return []
    expected = formatting.number(tests * alpha, 1)
    level = formatting.number(alpha, 2)
    return [
        f"p-värdena är ojusterade, ett per rad. Med {tests} test hamnar i genomsnitt "
        f"{expected} p-värden under {level} enbart av slumpen, även om det inte finns några "
        "verkliga skillnader. Läs dem som en sållning av var det kan finnas skillnader, "
        "inte som bevis."
    ]


def period_comparison_tables(changes: pd.DataFrame) -> list[ReportTable]:
    """R2: decisions and granted amounts per year in periods of different length, by leadership.

    From `business_support_by_gender_period_change` (all support types): the published totals
    beside their annual means, and the change of the mean, one table per pair of periods.
    """
    name = "business_support_by_gender_period_change"
    keys = ("period_from", "period_to", "support_type", "classification", "group")
    selected = changes[
        (changes["support_type"].astype(str) == "all")
        & (changes["classification"].astype(str) == "leadership")
    ]
    tables = []
    for (start, end), pair in selected.groupby(["period_from", "period_to"], sort=False):
        years = {side: _years_text(pair[f"years_{side}"].iloc[0]) for side in ("from", "to")}
        rows = []
        groups = vocabulary.group_labels("leadership", short=True)
        for group, label in [*groups.items(), ("all", vocabulary.ALL)]:
            row = pick(pair, group=group)
            where = {
                "period_from": start,
                "period_to": end,
                "support_type": "all",
                "classification": "leadership",
                "group": group,
            }
            if row is not None:
                rows.append([Cell(label), *number_cells(row, name, keys, PER_YEAR_COLUMNS, where)])
        tables.append(
            ReportTable(
                id=f"tabell-r2-per-ar-{start}-{end}",
                caption=(
                    f"Beviljat belopp och beslutade ärenden per år, {start} och {end}, "
                    "efter vd:s kön (alla stödformer)"
                ),
                columns=[
                    "Grupp",
                    f"Beviljat belopp {start} ({years['from']})",
                    f"Per år {start}",
                    f"Beviljat belopp {end} ({years['to']})",
                    f"Per år {end}",
                    "Förändring per år, %",
                    f"Beslutade ärenden per år {start}",
                    f"Beslutade ärenden per år {end}",
                ],
                rows=rows,
                notes=[
                    "Perioderna är olika långa, så deras totaler går inte att jämföra direkt. "
                    "Medelvärdet per år är periodens total delad med antalet år, och "
                    "förändringen avser medelvärdet per år."
                ],
            )
        )
    return tables


def _years_text(value: object) -> str:
    return f"{int(float(str(value)))} år"


ROUNDING_NOTE = "Andelarna är avrundade och summerar därför inte alltid till 100 %."


def shown_percent(text: str) -> float | None:
    """The number of a printed share (`19,4 %` -> 19.4); None for `..` or other text."""
    compact = text.replace("\u00a0", "").replace(" ", "").replace("−", "-")
    if not compact.endswith("%"):
        return None
    try:
        return float(compact.removesuffix("%").replace(",", "."))
    except ValueError:
        return None


def rounding_note(groups: Sequence[Sequence[str]]) -> list[str]:
    """The rounding note if some group of printed shares that make up a whole does not add up
    to 100 % as printed. A group with a hidden share is left out: it cannot add up anyway."""
    for texts in groups:
        values = [shown_percent(text) for text in texts]
        known = [v for v in values if v is not None]
        if known and len(known) == len(values) and abs(sum(known) - 100.0) > 1e-6:
            return [ROUNDING_NOTE]
    return []


def resources_table(
    business: pd.DataFrame, period: str, support_types: Mapping[str, str]
) -> ReportTable:
    """R2: granted amount, share and typical grant by support type and leadership group."""
    name = "business_support_by_gender"
    rows = []
    for code, label in [*support_types.items(), ("all", vocabulary.ALL_SUPPORT_TYPES)]:
        where = {"period": period, "support_type": code, "classification": "leadership"}
        found = {g: pick(business, **where, group=g) for g in ("women", "men", "all")}
        if all(row is None for row in found.values()):
            continue

        rows.append(
            [
                Cell(label),
                *(
                    number_cell(
                        found[group], name, BUSINESS_KEYS, column, fmt, {**where, "group": group}
                    )
                    for group, column, fmt in RESOURCES_COLUMNS
                ),
            ]
        )
    return ReportTable(
        id=f"tabell-r2-{period}",
        caption=f"Beviljat belopp per stödform och vd:s kön, {period}",
        columns=[
            "Stödform",
            "Beviljat belopp totalt",
            "Kvinnoleddas andel av beloppet",
            "Mansleddas andel av beloppet",
            "Medianbelopp, kvinnoledda",
            "Medianbelopp, mansledda",
        ],
        rows=rows,
    )


def jobs_table(business: pd.DataFrame) -> ReportTable:
    name = "business_support_by_gender"
    rows = []
    for period, _ in periods_in(business):
        where = {
            "period": period,
            "support_type": "all",
            "classification": "leadership",
            "group": "all",
        }
        row = pick(business, **where)
        rows.append([Cell(period), *number_cells(row, name, BUSINESS_KEYS, JOBS_COLUMNS, where)])
    return ReportTable(
        id="tabell-r2-jobb",
        caption="Förväntade nya heltidsjobb i beviljade ärenden, för kvinnor och män",
        columns=[
            "År/period",
            "Kvinnor",
            "Män",
            "Utrikes födda kvinnor",
            "Utrikes födda män",
            "Kvinnors andel",
        ],
        rows=rows,
    )


def project_table(projects: pd.DataFrame) -> ReportTable:
    name = "project_support_by_gender"
    rows = []
    for period, _ in periods_in(projects):
        cells = [Cell(period)]
        for group in ("women", "men"):
            where = {"period": period, "owner_type": "all", "group": group}
            row = pick(projects, **where)
            cells.extend(
                number_cells(
                    row,
                    name,
                    PROJECT_KEYS,
                    (("granted", formatting.number), ("share_of_amount", _pct)),
                    where,
                )
            )
        rows.append(cells)
    return ReportTable(
        id="tabell-r1-projekt",
        caption="Beviljade projekt efter projektledarens kön och andel av beviljade medel",
        columns=[
            "År/period",
            "Kvinnlig projektledare, beviljade",
            "Kvinnlig projektledare, andel av medlen",
            "Manlig projektledare, beviljade",
            "Manlig projektledare, andel av medlen",
        ],
        rows=rows,
    )


def equality_table(equality: pd.DataFrame, period: str) -> ReportTable:
    name = "project_support_equality"
    keys = ("period", "equality_assessment")
    rows = []
    levels = []
    for level, label in vocabulary.EQUALITY_LEVELS.items():
        row = pick(equality, period=period, equality_assessment=level)
        if row is None:
            continue
        levels.append(level)
        rows.append(
            [
                Cell(label),
                number_cell(row, name, keys, "decisions", formatting.number),
                number_cell(row, name, keys, "granted", formatting.number),
                number_cell(row, name, keys, "amount_granted_sek", formatting.kronor),
                number_cell(row, name, keys, "share_of_amount", _pct),
                number_cell(row, name, keys, "routine_applied", formatting.number),
            ]
        )
    # The levels' shares of the amount make up the whole (the last row, `all`).
    level_shares = [row[4].text for row, level in zip(rows, levels, strict=True) if level != "all"]
    return ReportTable(
        id=f"tabell-jamstalldhet-{period}",
        caption=f"Projektbeslut efter jämställdhetsbedömning (horisontellt kriterium), {period}",
        columns=[
            "Bedömning",
            "Beslutade",
            "Beviljade",
            "Beviljat belopp",
            "Andel av beviljat belopp",
            "Beredda med jämställdhetsrutinen",
        ],
        rows=rows,
        notes=rounding_note([level_shares]),
    )


def key_findings(business: pd.DataFrame, projects: pd.DataFrame) -> list[str]:
    """Generated sentences with the key numbers, for every pooled period."""
    sentences = []
    for period, kind in periods_in(business):
        if kind != "period":
            continue
        women = pick(
            business, period=period, support_type="all", classification="leadership", group="women"
        )
        total = pick(
            business, period=period, support_type="all", classification="leadership", group="all"
        )
        men = pick(
            business, period=period, support_type="all", classification="leadership", group="men"
        )
        if not women or not total or _missing(women, "granted") or _missing(total, "granted"):
            sentences.append(
                f"För {period} kan andelarna för kvinnoledda företag inte redovisas "
                "eftersom uppgifterna är för få (..)."
            )
            continue
        granted = formatting.to_float(women["granted"])
        granted_share = granted / formatting.to_float(total["granted"])
        amount = formatting.percent(women["share_of_amount"], 0)
        sentences.append(
            f"Under {period} stod kvinnoledda företag för {formatting.percent(granted_share, 0)} "
            f"av de beviljade ärendena men fick {amount} av det beviljade beloppet."
        )
        if men and not _missing(women, "approval_rate") and not _missing(men, "approval_rate"):
            sentences.append(
                f"Av kvinnoledda företags ansökningar beviljades "
                f"{formatting.percent(women['approval_rate'], 0)}, av mansleddas "
                f"{formatting.percent(men['approval_rate'], 0)} ({period})."
            )
    for period, kind in periods_in(projects):
        if kind != "period":
            continue
        women = pick(projects, period=period, owner_type="all", group="women")
        total = pick(projects, period=period, owner_type="all", group="all")
        if women and total and not _missing(women, "granted") and not _missing(total, "granted"):
            share = formatting.to_float(women["granted"]) / formatting.to_float(total["granted"])
            sentences.append(
                f"Av de beviljade projekten {period} leddes {formatting.percent(share, 0)} "
                "av en kvinna."
            )
    return sentences


def _missing(row: Mapping[str, object], column: str) -> bool:
    value = row[column]
    return value is None or pd.isna(value)


def _pct(value: object) -> str:
    return formatting.percent(value, 1)


def _pp(value: object) -> str:
    return formatting.number(formatting.to_float(value) * 100, 1)


def _one_decimal(value: object) -> str:
    return formatting.number(value, 1)


def _jobs(value: object) -> str:
    return formatting.number(value, 1)


def _p_value(value: object) -> str:
    number = formatting.to_float(value)
    return "< 0,001" if number < 0.001 else formatting.number(number, 3)


def dimension_table(
    frame: pd.DataFrame,
    table: str,
    dimension: str,
    period: str,
    labels: Mapping[str, str],
    caption: str,
    first_column: str,
) -> ReportTable:
    """R3 context: decisions and women-led shares per category of `dimension` in one period."""
    keys = ("period", "support_type", "classification", dimension, "group")
    selected = frame[
        (frame["period"].astype(str) == period)
        & (frame["support_type"] == "all")
        & (frame["classification"] == "leadership")
    ]
    categories = [c for c in labels if c in set(selected[dimension].astype(str))]
    extra = sorted(set(selected[dimension].astype(str)) - set(labels) - {"all"})
    rows = []
    for category in [*categories, *extra, "all"]:
        total = pick(selected, **{dimension: category, "group": "all"})
        women = pick(selected, **{dimension: category, "group": "women"})
        if total is None:
            continue
        where = {
            "period": period,
            "support_type": "all",
            "classification": "leadership",
            dimension: category,
            "group": "women",
        }
        label = vocabulary.ALL if category == "all" else labels.get(category, category)
        rows.append(
            [
                Cell(label),
                number_cell(total, table, keys, "decisions", formatting.number),
                number_cell(total, table, keys, "amount_granted_sek", formatting.kronor),
                number_cell(women, table, keys, "share_of_decisions", _pct, where),
                number_cell(women, table, keys, "share_of_amount", _pct, where),
            ]
        )
    return ReportTable(
        id=f"tabell-{dimension}-{period}",
        caption=caption,
        columns=[
            first_column,
            "Beslutade ärenden",
            "Beviljat belopp",
            "Kvinnoleddas andel av ärendena",
            "Kvinnoleddas andel av beloppet",
        ],
        rows=rows,
    )


def ownership_table(
    business: pd.DataFrame,
    period: str,
    support_types: Mapping[str, str],
    parity_band: Sequence[float] = vocabulary.DEFAULT_PARITY_BAND,
) -> ReportTable:
    """Appendix: granted amount shares by ownership group and support type in one period."""
    name = "business_support_by_gender"
    rows = []
    for code, label in [*support_types.items(), ("all", vocabulary.ALL_SUPPORT_TYPES)]:
        cells = [Cell(label)]
        found = False
        for group in OWNERSHIP_COLUMNS:
            where = {
                "period": period,
                "support_type": code,
                "classification": "ownership",
                "group": group,
            }
            row = pick(business, **where)
            found = found or row is not None
            cells.append(number_cell(row, name, BUSINESS_KEYS, "share_of_amount", _pct, where))
        if found:
            rows.append(cells)
    return ReportTable(
        id=f"tabell-agande-{period}",
        caption=f"Andel av beviljat belopp efter ägande och stödform, {period}",
        columns=[
            "Stödform",
            *(
                vocabulary.group_label("ownership", group, parity_band, short=True)
                for group in OWNERSHIP_COLUMNS
            ),
        ],
        rows=rows,
    )


def owner_type_table(
    projects: pd.DataFrame, period: str, owner_types: Mapping[str, str]
) -> ReportTable:
    """Appendix: project decisions and women's share of project managers by owner type."""
    name = "project_support_by_gender"
    rows = []
    for code, label in [*owner_types.items(), ("all", vocabulary.ALL)]:
        total = pick(projects, period=period, owner_type=code, group="all")
        women = pick(projects, period=period, owner_type=code, group="women")
        if total is None:
            continue
        where = {"period": period, "owner_type": code, "group": "women"}
        rows.append(
            [
                Cell(label),
                number_cell(total, name, PROJECT_KEYS, "decisions", formatting.number),
                number_cell(total, name, PROJECT_KEYS, "amount_granted_sek", formatting.kronor),
                number_cell(women, name, PROJECT_KEYS, "share_of_decisions", _pct, where),
                number_cell(women, name, PROJECT_KEYS, "share_of_amount", _pct, where),
            ]
        )
    return ReportTable(
        id=f"tabell-organisationstyp-{period}",
        caption=f"Projektbeslut efter projektägarens organisationstyp, {period}",
        columns=[
            "Organisationstyp",
            "Beslutade",
            "Beviljat belopp",
            "Kvinnlig projektledare, andel av besluten",
            "Kvinnlig projektledare, andel av medlen",
        ],
        rows=rows,
    )


DIFFERENCE_COLUMNS = (
    ("women_approval_rate", _pct),
    ("men_approval_rate", _pct),
    ("approval_rate_difference", _pp),
    ("approval_rate_difference_ci_low", _pp),
    ("approval_rate_difference_ci_high", _pp),
    ("p_value", _p_value),
)
PER_YEAR_COLUMNS = (
    ("amount_granted_sek_from", formatting.kronor),
    ("amount_granted_sek_per_year_from", formatting.kronor),
    ("amount_granted_sek_to", formatting.kronor),
    ("amount_granted_sek_per_year_to", formatting.kronor),
    ("amount_granted_sek_per_year_change_pct", _one_decimal),
    ("decisions_per_year_from", _one_decimal),
    ("decisions_per_year_to", _one_decimal),
)
RESOURCES_COLUMNS = (
    ("all", "amount_granted_sek", formatting.kronor),
    ("women", "share_of_amount", _pct),
    ("men", "share_of_amount", _pct),
    ("women", "median_granted_sek", formatting.kronor),
    ("men", "median_granted_sek", formatting.kronor),
)
JOBS_COLUMNS = (
    ("expected_jobs_women", _jobs),
    ("expected_jobs_men", _jobs),
    ("expected_jobs_foreign_born_women", _jobs),
    ("expected_jobs_foreign_born_men", _jobs),
    ("women_share_of_expected_jobs", _pct),
)

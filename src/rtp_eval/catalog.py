"""The catalogue of published tables: what each table and each of its columns means.

Every table the workflow publishes (`results/tables/<name>.csv`, the bundle, the report) is
described here once: its key columns and which of them carry `all` totals, the period column,
the case dimension each key stands for, its measures and their kind, dtypes, Swedish title and
headers. Writing, reading, the bundle, the report, disclosure control and the disclosure audit
all take these facts from here, so a table cannot exist outside the catalogue (a test checks
that every file in `results/tables/` is described and has exactly these columns).

How the published cells relate, as a reader of the tables can work out (and the disclosure audit
writes down as an intruder would):
- A row whose key value is `all` in a total key is the sum of the rows with the key's other
  values, all other keys equal. A row that does not exist counts zero.
- A period `first-last` is the sum of its years (and of any set of shorter periods covering it).
- The same cell of cases appears in several tables: a row is the set of decided cases of one
  source, one year or period, and one value of each *case dimension* its keys name; a key at
  `all` names no value. Two rows with the same source, period and dimension values are one cell
  (for example the leadership and ownership rows with `group = all` of one support type).
- Counts and amounts are additive; derived columns (rates, shares, means, medians, intervals)
  are computed from the additive columns of their row (and, for shares, of the total row).

Pure Python: the workflow imports it to name its outputs without loading pandas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

TOTAL = "all"

# Column kinds.
KEY = "key"  # part of the row's identity; a case dimension or a label of the row
PERIOD = "period"  # a decision year ("2014") or a pooled period ("2012-2015")
RESTATED = "restated"  # restates a key in another form (year, period_kind)
COUNT = "count"  # additive count of decisions
AMOUNT = "amount"  # additive kronor, jobs or participants: protected like amounts
DERIVED = "derived"  # computed from additive columns of the row (and of its total row)
COPY = "copy"  # a published derived value of another table, repeated
INDICATOR = "indicator"  # indicator values computed from published cells
STATISTIC = "statistic"  # model estimates, not sums of cases
REFERENCE = "reference"  # public reference statistics (not case data)
FLAG = "flag"  # `suppressed`
INFO = "info"  # descriptive text and file facts


@dataclass(frozen=True)
class Column:
    """One published column: dtype (pandas), Swedish header, kind and what it is made of.

    `inputs`: for a derived column, the additive columns of the same row it is computed from
    (it must be empty whenever any of them is). `share`: the derived column is a share of the
    total row along the table's share key, so it must also be empty when that total is.
    `at_most`: an additive column that can never exceed this other column of the same row.
    `lower`: the least value of an additive column in a published row (1 decision: a row only
    exists for a group with decisions).
    `family`: additive columns published or hidden together in a row (counts, amounts, jobs,
    participants); hidden counts hide every family of the row.
    """

    name: str
    dtype: str
    header_sv: str
    kind: str
    inputs: tuple[str, ...] = ()
    share: bool = False
    at_most: str | None = None
    lower: float = 0.0
    family: str | None = None

    def __post_init__(self) -> None:
        if self.family is None and self.kind in (COUNT, AMOUNT):
            family = "counts" if self.kind == COUNT else _amount_family(self.name)
            object.__setattr__(self, "family", family)


def _amount_family(name: str) -> str:
    if name.startswith("expected_jobs"):
        return "jobs"
    if name.startswith("target_"):
        return "participants"
    return "amounts"


FAMILIES = ("counts", "amounts", "jobs", "participants")


def _columns(*columns: Column) -> Mapping[str, Column]:
    return MappingProxyType({c.name: c for c in columns})


_RATE = ("decisions", "granted")
_SHARE_DECISIONS = ("decisions",)

COLUMNS: Mapping[str, Column] = _columns(
    # keys and periods
    Column("source", "string", "Stödslag", KEY),
    Column("year", "Int64", "År", RESTATED),
    Column("period", "string", "Period", PERIOD),
    Column("period_kind", "string", "Periodtyp", RESTATED),
    Column("period_from", "string", "Från period", PERIOD),
    Column("period_to", "string", "Till period", PERIOD),
    Column("support_type", "string", "Stödform", KEY),
    Column("owner_type", "string", "Organisationstyp", KEY),
    Column("classification", "string", "Indelning", KEY),
    Column("group", "string", "Grupp", KEY),
    Column("programme_area", "string", "Insatsområde", KEY),
    Column("industry", "string", "Bransch (SNI-avdelning)", KEY),
    Column("area", "string", "Område", KEY),
    Column("company_size", "string", "Företagsstorlek (anställda)", KEY),
    Column("equality_assessment", "string", "Jämställdhetsbedömning", KEY),
    Column("birth_background", "string", "Födelsebakgrund", KEY),
    Column("age_group", "string", "Åldersgrupp", KEY),
    Column("category_type", "string", "Kategorityp", KEY),
    Column("category", "string", "Kategori", KEY),
    # additive counts
    Column("decisions", "Int64", "Beslutade ärenden", COUNT, lower=1.0),
    Column("granted", "Int64", "Beviljade ärenden", COUNT, at_most="decisions"),
    Column("routine_recorded", "Int64", "Uppgift om rutin finns", COUNT, at_most="decisions"),
    Column(
        "routine_applied",
        "Int64",
        "Beredda med jämställdhetsrutin",
        COUNT,
        at_most="routine_recorded",
    ),
    Column("women_decisions", "Int64", "Kvinnor: beslutade", COUNT, lower=1.0),
    Column("women_granted", "Int64", "Kvinnor: beviljade", COUNT, at_most="women_decisions"),
    Column("men_decisions", "Int64", "Män: beslutade", COUNT, lower=1.0),
    Column("men_granted", "Int64", "Män: beviljade", COUNT, at_most="men_decisions"),
    # additive amounts, jobs and participants
    Column("amount_applied_sek", "Int64", "Sökt belopp (kr)", AMOUNT),
    Column("amount_granted_sek", "Int64", "Beviljat belopp (kr)", AMOUNT),
    Column("expected_jobs_women", "Float64", "Förväntade nya jobb, kvinnor", AMOUNT),
    Column("expected_jobs_men", "Float64", "Förväntade nya jobb, män", AMOUNT),
    Column(
        "expected_jobs_foreign_born_women",
        "Float64",
        "Förväntade nya jobb, utrikes födda kvinnor",
        AMOUNT,
        at_most="expected_jobs_women",
    ),
    Column(
        "expected_jobs_foreign_born_men",
        "Float64",
        "Förväntade nya jobb, utrikes födda män",
        AMOUNT,
        at_most="expected_jobs_men",
    ),
    Column("target_women", "Int64", "Målgrupp kvinnor", AMOUNT),
    Column("target_men", "Int64", "Målgrupp män", AMOUNT),
    # derived from the row
    Column("approval_rate", "Float64", "Beviljandegrad", DERIVED, _RATE),
    Column("approval_rate_ci_low", "Float64", "Beviljandegrad, nedre gräns", DERIVED, _RATE),
    Column("approval_rate_ci_high", "Float64", "Beviljandegrad, övre gräns", DERIVED, _RATE),
    Column(
        "share_of_amount",
        "Float64",
        "Andel av beviljat belopp",
        DERIVED,
        ("amount_granted_sek",),
        share=True,
    ),
    Column(
        "share_of_decisions",
        "Float64",
        "Andel av beslutade ärenden",
        DERIVED,
        _SHARE_DECISIONS,
        share=True,
    ),
    Column(
        "share_of_decisions_ci_low",
        "Float64",
        "Andel av ärendena, nedre gräns",
        DERIVED,
        _SHARE_DECISIONS,
        share=True,
    ),
    Column(
        "share_of_decisions_ci_high",
        "Float64",
        "Andel av ärendena, övre gräns",
        DERIVED,
        _SHARE_DECISIONS,
        share=True,
    ),
    Column(
        "mean_granted_sek",
        "Int64",
        "Medelbelopp (kr)",
        DERIVED,
        ("amount_granted_sek", "granted"),
    ),
    Column(
        "median_granted_sek",
        "Int64",
        "Medianbelopp (kr)",
        DERIVED,
        ("amount_granted_sek", "granted"),
    ),
    Column(
        "women_share_of_expected_jobs",
        "Float64",
        "Kvinnors andel av förväntade jobb",
        DERIVED,
        ("expected_jobs_women", "expected_jobs_men"),
    ),
    Column(
        "routine_applied_share",
        "Float64",
        "Andel beredda med rutin",
        DERIVED,
        ("routine_applied", "routine_recorded"),
    ),
    Column(
        "women_approval_rate",
        "Float64",
        "Kvinnor: beviljandegrad",
        DERIVED,
        ("women_decisions", "women_granted"),
    ),
    Column(
        "men_approval_rate",
        "Float64",
        "Män: beviljandegrad",
        DERIVED,
        ("men_decisions", "men_granted"),
    ),
    *(
        Column(
            name,
            "Float64",
            header,
            DERIVED,
            ("women_decisions", "women_granted", "men_decisions", "men_granted"),
        )
        for name, header in (
            ("approval_rate_difference", "Skillnad i beviljandegrad (kvinnor − män)"),
            ("approval_rate_difference_ci_low", "Skillnad, nedre gräns"),
            ("approval_rate_difference_ci_high", "Skillnad, övre gräns"),
            ("p_value", "p-värde (test som hör till Newcombes intervall)"),
        )
    ),
    # intersectional shares and indexes, computed from the table's own published values
    Column(
        "share_of_granted",
        "Float64",
        "Andel av beviljade ärenden",
        DERIVED,
        ("granted",),
        share=True,
    ),
    Column(
        "share_of_granted_known",
        "Float64",
        "Andel av beviljade ärenden med kända uppgifter",
        DERIVED,
        ("granted",),
        share=True,
    ),
    Column(
        "decision_representation_index",
        "Float64",
        "Representationsindex (beviljade mot ansökningar)",
        DERIVED,
        ("decisions", "granted"),
        share=True,
    ),
    Column(
        "representation_index",
        "Float64",
        "Representationsindex (mot företagsledare)",
        DERIVED,
        ("granted",),
        share=True,
    ),
    Column(
        "amount_representation_index",
        "Float64",
        "Representationsindex (belopp mot företagsledare)",
        DERIVED,
        ("amount_granted_sek",),
        share=True,
    ),
    Column("baseline_share", "Float64", "Andel av företagsledarna", REFERENCE),
    Column("baseline_business_leaders", "Int64", "Företagsledare (antal)", REFERENCE),
    # period changes: published values of the main tables, repeated
    *(
        Column(f"{measure}{suffix}", "Float64", f"{header}{label}", COPY)
        for measure, header in (
            ("share_of_amount", "Andel av beviljat belopp"),
            ("approval_rate", "Beviljandegrad"),
        )
        for suffix, label in (
            ("_from", " (från)"),
            ("_to", " (till)"),
            ("_change_pp", " (förändring, procentenheter)"),
        )
    ),
    # period changes of totals: the periods' lengths, the published totals repeated, and their
    # annual means (a mean of a published total reveals nothing new; empty where it is empty);
    # means of amounts in whole kronor, like the other amounts
    *(
        Column(f"years_{side}", "Int64", f"Antal år ({label})", RESTATED)
        for side, label in (("from", "från"), ("to", "till"))
    ),
    *(
        column
        for measure, header, unit, mean_dtype in (
            ("decisions", "Beslutade ärenden", "", "Float64"),
            ("granted", "Beviljade ärenden", "", "Float64"),
            ("amount_granted_sek", "Beviljat belopp", " (kr)", "Int64"),
        )
        for column in (
            Column(f"{measure}_from", "Int64", f"{header}{unit} (från)", COPY),
            Column(f"{measure}_to", "Int64", f"{header}{unit} (till)", COPY),
            Column(
                f"{measure}_per_year_from",
                mean_dtype,
                f"{header} per år{unit} (från)",
                DERIVED,
                (f"{measure}_from",),
            ),
            Column(
                f"{measure}_per_year_to",
                mean_dtype,
                f"{header} per år{unit} (till)",
                DERIVED,
                (f"{measure}_to",),
            ),
            Column(
                f"{measure}_per_year_change_pct",
                "Float64",
                f"{header} per år (förändring, %)",
                DERIVED,
                (f"{measure}_from", f"{measure}_to"),
            ),
        )
    ),
    Column("suppressed", "boolean", "Skyddad uppgift", FLAG),
    # import quality
    Column("file", "string", "Fil", KEY),
    Column("sha256", "string", "Kontrollsumma (SHA-256)", INFO),
    Column("rows_read", "Int64", "Inlästa rader", INFO),
    Column("rows_accepted", "Int64", "Godtagna rader", INFO),
    Column("rows_quarantined", "Int64", "Rader i karantän", INFO),
    Column("rows_withdrawn", "Int64", "Återtagna ärenden", INFO),
    Column("format", "string", "Format", INFO),
    Column("encoding", "string", "Teckenkodning", INFO),
    Column("delimiter", "string", "Avgränsare", INFO),
    Column("header_row", "Int64", "Rubrikrad", INFO),
    Column("title_rows", "Int64", "Titelrader ovanför rubrikraden", INFO),
    Column("blank_rows_skipped", "Int64", "Tomma rader", INFO),
    # Counts only: a header is export text and never published (a header could be a name).
    Column("extra_column_count", "Int64", "Okända kolumner (antal)", INFO),
    Column("cells_blanked", "Int64", "Tömda fritextceller", INFO),
    Column("reason_code", "string", "Skälkod", KEY),
    Column("reason_sv", "string", "Skäl", INFO),
    Column("rows", "Int64", "Rader", INFO),
    # indicators
    Column("indicator_id", "string", "Indikator", KEY),
    Column("value", "Float64", "Värde", INDICATOR),
    Column("baseline_value", "Float64", "Utgångsvärde", INDICATOR),
    Column("target_value", "Float64", "Målvärde", INFO),
    Column("target_year", "Int64", "Målår", INFO),
    Column("status", "string", "Status", INDICATOR),
    Column("gap_to_target", "Float64", "Kvar till målet", INDICATOR),
    Column("trend_per_year", "Float64", "Trend per år", INDICATOR),
    Column("name_sv", "string", "Benämning", INFO),
    Column("national_goal", "Int64", "Nationellt delmål", INFO),
    Column("unit", "string", "Enhet", INFO),
    Column("direction", "string", "Riktning", INFO),
    Column("baseline_period", "string", "Utgångsperiod", INFO),
    Column("target_rule", "string", "Målregel", INFO),
    Column("value_ci_low", "Float64", "Värde, nedre gräns", INDICATOR),
    Column("value_ci_high", "Float64", "Värde, övre gräns", INDICATOR),
    Column("gap_ci_low", "Float64", "Kvar till målet, nedre gräns", INDICATOR),
    Column("gap_ci_high", "Float64", "Kvar till målet, övre gräns", INDICATOR),
    Column("interval_method", "string", "Intervallmetod (none = punktjämförelse)", INFO),
    Column("period_role", "string", "Perioden i förhållande till målåret", INFO),
    Column("judgement_period", "string", "Målet bedöms för perioden", INFO),
    # intersectional models
    Column("outcome", "string", "Utfall", KEY),
    Column("model", "string", "Modell", KEY),
    Column("reason", "string", "Skäl (engelska)", INFO),
    Column("cases", "Int64", "Ärenden", STATISTIC),
    Column("cases_before_sampling", "Int64", "Ärenden före urval", STATISTIC),
    Column("strata", "Int64", "Strata", STATISTIC),
    Column("strata_with_min_decisions", "Int64", "Strata med tillräckligt många beslut", STATISTIC),
    Column("stratum_variance", "Float64", "Varians mellan strata", STATISTIC),
    Column("stratum_variance_ci_low", "Float64", "Varians mellan strata, nedre gräns", STATISTIC),
    Column("stratum_variance_ci_high", "Float64", "Varians mellan strata, övre gräns", STATISTIC),
    Column("residual_variance", "Float64", "Residualvarians", STATISTIC),
    Column("vpc_ci_low", "Float64", "VPC, nedre gräns", STATISTIC),
    Column("vpc_ci_high", "Float64", "VPC, övre gräns", STATISTIC),
    Column("lr_statistic", "Float64", "Kvottest av variansen mellan strata (LR)", STATISTIC),
    Column("lr_p_value", "Float64", "Kvottest, p-värde (gränsfallet beaktat)", STATISTIC),
    Column("boundary", "boolean", "Variansen skattad på gränsen 0", STATISTIC),
    Column("pcv_note_sv", "string", "PCV, anmärkning", INFO),
    Column("method", "string", "Skattningsmetod", INFO),
    Column("vpc", "Float64", "VPC", STATISTIC),
    Column("pcv", "Float64", "PCV", STATISTIC),
    Column("auc", "Float64", "AUC", STATISTIC),
    Column("flagged_strata", "Int64", "Utmärkande strata", STATISTIC),
    Column("flagged_strata_suppressed", "Int64", "Utmärkande strata som inte redovisas", STATISTIC),
    Column(
        "excluded_unknown", "Int64", "Ärenden med okända uppgifter (utanför modellen)", STATISTIC
    ),
    Column("covariates", "string", "Kontrollvariabler", INFO),
    Column("predicted_approval", "Float64", "Skattad beviljandegrad", STATISTIC),
    Column(
        "predicted_approval_ci_low", "Float64", "Skattad beviljandegrad, nedre gräns", STATISTIC
    ),
    Column(
        "predicted_approval_ci_high", "Float64", "Skattad beviljandegrad, övre gräns", STATISTIC
    ),
    Column("main_effects_approval", "Float64", "Beviljandegrad enligt huvudeffekterna", STATISTIC),
    Column(
        "main_effects_approval_ci_low", "Float64", "Enligt huvudeffekterna, nedre gräns", STATISTIC
    ),
    Column(
        "main_effects_approval_ci_high", "Float64", "Enligt huvudeffekterna, övre gräns", STATISTIC
    ),
    Column("interaction_logit", "Float64", "Interaktionseffekt (logit)", STATISTIC),
    Column("interaction_logit_sd", "Float64", "Interaktionseffekt, standardavvikelse", STATISTIC),
    Column("interaction_p_value", "Float64", "Interaktion, p-värde", STATISTIC),
    Column(
        "interaction_q_value", "Float64", "Interaktion, q-värde (Benjamini–Hochberg)", STATISTIC
    ),
    Column("flagged", "boolean", "Utmärker sig (explorativt)", STATISTIC),
    Column("predicted_amount_sek", "Float64", "Skattat typiskt belopp (kr)", STATISTIC),
    Column("predicted_amount_ci_low", "Float64", "Skattat belopp, nedre gräns", STATISTIC),
    Column("predicted_amount_ci_high", "Float64", "Skattat belopp, övre gräns", STATISTIC),
    Column("amount_interaction_log", "Float64", "Interaktionseffekt, belopp (log)", STATISTIC),
    Column("amount_interaction_q_value", "Float64", "Interaktion belopp, q-värde", STATISTIC),
    Column("amount_flagged", "boolean", "Belopp utmärker sig (explorativt)", STATISTIC),
    # disclosure audit: counts of cells and interval widths, no values
    Column("table", "string", "Tabell", KEY),
    Column("rule", "string", "Skyddsregel", KEY),
    Column("suppressed_rows", "Int64", "Rader med skyddade uppgifter", INFO),
    Column("suppressed_counts", "Int64", "Skyddade antal beslut", INFO),
    Column("min_count_width", "Float64", "Minsta intervall för skyddade antal", INFO),
    Column("suppressed_amounts", "Int64", "Skyddade belopp", INFO),
    Column("checked_amounts", "Int64", "Belopp med krav på marginal", INFO),
    Column("min_amount_margin_pct", "Float64", "Minsta marginal för skyddade belopp (%)", INFO),
    Column("failures", "Int64", "Uppgifter utan tillräckligt skydd", INFO),
)


@dataclass(frozen=True)
class CellView:
    """How a row maps to a cell of cases: measures renamed and dimension values it fixes.

    A table in wide form (women's and men's counts side by side) has one view per group.
    """

    measures: Mapping[str, str] = field(default_factory=dict)
    fixed: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseSum:
    """A published count that is a sum of cells of another table: a relation a reader can use.

    In the rows of this table matching `where`, `column` equals (`exact`) or is at most the sum
    of `measure` over the cells of `table` in the row's period whose every dimension shown in
    that period is known (neither `all` nor `unknown`): the complete cases a model is fitted on.
    """

    column: str
    where: Mapping[str, str]
    table: str
    measure: str
    exact: bool


@dataclass(frozen=True)
class Table:
    """One published table.

    `keys`: the columns that identify a row (the period column first where there is one).
    `totals`: keys whose value `all` is the sum over the key's other values.
    `dimensions`: key column -> the case dimension it names; `{column}` in a dimension name is
    replaced by that column's value in the row (`{classification}_group`).
    `source`: the case source of every row, or `source_column` naming the column that holds it;
    neither for tables that are not sums of cases.
    `share_key`: the key whose `all` row is the denominator of the table's share columns.
    `share_keys`: the keys set to `all` in the row whose values are the denominators of the
    table's share columns (the group total of a by-gender table, the period total of strata).
    `complete`: the table lists every cell with decisions of each pattern and period it shows,
    so a cell it does not list is zero (false for a table that leaves cells out).
    `derived_from`: the published tables this one is computed from (nothing new is revealed).
    `sums`: counts in this table that are sums of another table's cells.
    """

    name: str
    title_sv: str
    columns: tuple[str, ...]
    keys: tuple[str, ...]
    totals: tuple[str, ...] = ()
    dimensions: Mapping[str, str] = field(default_factory=dict)
    source: str | None = None
    source_column: str | None = None
    views: tuple[CellView, ...] = (CellView(),)
    share_keys: tuple[str, ...] = ()
    complete: bool = True
    derived_from: tuple[str, ...] = ()
    sums: tuple[CaseSum, ...] = ()

    def __post_init__(self) -> None:
        unknown = [c for c in self.columns if c not in COLUMNS]
        missing = [k for k in (*self.keys, *self.totals, *self.dimensions) if k not in self.columns]
        if unknown or missing:
            raise ValueError(f"{self.name}: unknown columns {unknown}, keys not columns {missing}")

    @property
    def is_case_table(self) -> bool:
        """Rows are sums of decided cases: its cells are under disclosure control."""
        return self.source is not None or self.source_column is not None

    def column(self, name: str) -> Column:
        return COLUMNS[name]

    def of_kind(self, *kinds: str) -> tuple[str, ...]:
        return tuple(c for c in self.columns if COLUMNS[c].kind in kinds)

    @property
    def dtypes(self) -> dict[str, str]:
        return {c: COLUMNS[c].dtype for c in self.columns}

    @property
    def headers_sv(self) -> dict[str, str]:
        return {c: COLUMNS[c].header_sv for c in self.columns}

    @property
    def period_column(self) -> str | None:
        return next((c for c in self.keys if COLUMNS[c].kind == PERIOD), None)


# --- the tables --------------------------------------------------------------------------------

_BUSINESS_MEASURES = (
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
_PROJECT_MEASURES = (
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
_EQUALITY_COLUMNS = (
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
_INTERSECTIONAL_COLUMNS = (
    "period",
    "group",
    "birth_background",
    "age_group",
    "area",
    "decisions",
    "granted",
    "approval_rate",
    "approval_rate_ci_low",
    "approval_rate_ci_high",
    "amount_granted_sek",
    "share_of_amount",
    "baseline_share",
    "representation_index",
    "suppressed",
    "share_of_decisions",
    "share_of_granted",
    "decision_representation_index",
    "share_of_granted_known",
    "amount_representation_index",
    "baseline_business_leaders",
)
_DIFFERENCE_COLUMNS = (
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
_CHANGE_MEASURES = (
    "share_of_amount_from",
    "share_of_amount_to",
    "share_of_amount_change_pp",
    "approval_rate_from",
    "approval_rate_to",
    "approval_rate_change_pp",
    "suppressed",
    "years_from",
    "years_to",
    *(
        f"{measure}_{suffix}"
        for measure in ("decisions", "granted", "amount_granted_sek")
        for suffix in ("from", "to", "per_year_from", "per_year_to", "per_year_change_pct")
    ),
)

BUSINESS_DIMENSIONS = ("programme_area", "industry", "area", "company_size")
PROJECT_DIMENSIONS = ("programme_area", "area")


def _by_gender(
    base: str,
    category: str,
    measures: tuple[str, ...],
    titles: Mapping[str | None, str],
    source: str,
    group: str,
) -> list[Table]:
    tables = []
    classified = source == "business_support"
    for dimension in (None, *(BUSINESS_DIMENSIONS if classified else PROJECT_DIMENSIONS)):
        key_columns = [category, *(["classification"] if classified else []), "group"]
        totals = [category, "group"]
        name = base
        if dimension:
            # Published for the periods and all support (owner) types together only.
            key_columns.insert(key_columns.index("group"), dimension)
            totals = [dimension, "group"]
            name = f"{base}_and_{dimension}"
        columns = ["year", *key_columns, *measures]
        dimensions = {category: category, "group": group}
        if dimension:
            dimensions[dimension] = dimension
        tables.append(
            Table(
                name=name,
                title_sv=titles[dimension],
                columns=tuple(columns),
                keys=("period", *key_columns),
                totals=tuple(totals),
                dimensions=dimensions,
                source=source,
                share_keys=("group",),
            )
        )
    return tables


_TABLES: list[Table] = [
    Table(
        name="import_quality",
        title_sv="Inlästa, godtagna och karantänsatta rader per fil",
        columns=(
            "source",
            "file",
            "sha256",
            "rows_read",
            "rows_accepted",
            "rows_quarantined",
            "rows_withdrawn",
            "format",
            "encoding",
            "delimiter",
            "header_row",
            "title_rows",
            "blank_rows_skipped",
            "extra_column_count",
            "cells_blanked",
        ),
        keys=("source", "file"),
    ),
    Table(
        name="import_quarantine_reasons",
        title_sv="Skäl till karantän per fil",
        columns=("source", "file", "reason_code", "reason_sv", "rows"),
        keys=("source", "file", "reason_code"),
    ),
    *_by_gender(
        "business_support_by_gender",
        "support_type",
        _BUSINESS_MEASURES,
        {
            None: "Företagsstöd efter vd:s kön och ägande, per år, period och stödform",
            "programme_area": "Företagsstöd efter kön och insatsområde",
            "industry": "Företagsstöd efter kön och bransch (SNI-avdelning)",
            "area": "Företagsstöd efter kön och område",
            "company_size": "Företagsstöd efter kön och företagsstorlek (antal anställda)",
        },
        "business_support",
        "{classification}_group",
    ),
    *_by_gender(
        "project_support_by_gender",
        "owner_type",
        _PROJECT_MEASURES,
        {
            None: "Projektstöd efter projektledarens kön och organisationstyp",
            "programme_area": "Projektstöd efter kön och insatsområde",
            "area": "Projektstöd efter kön och område",
        },
        "project_support",
        "project_manager_group",
    ),
    Table(
        name="project_support_equality",
        title_sv="Projektbeslut efter jämställdhetsbedömning",
        columns=_EQUALITY_COLUMNS,
        keys=("period", "equality_assessment"),
        totals=("equality_assessment",),
        dimensions={"equality_assessment": "equality_assessment"},
        source="project_support",
        share_keys=("equality_assessment",),
    ),
    Table(
        name="approval_rate_difference",
        title_sv="Skillnad i beviljandegrad mellan kvinnor och män",
        columns=_DIFFERENCE_COLUMNS,
        keys=("source", "period", "classification", "category_type", "category"),
        dimensions={"category": "{category_type}"},
        source_column="source",
        views=(
            CellView(
                {"women_decisions": "decisions", "women_granted": "granted"},
                {"{classification}_group": "women"},
            ),
            CellView(
                {"men_decisions": "decisions", "men_granted": "granted"},
                {"{classification}_group": "men"},
            ),
        ),
        complete=False,
        derived_from=("business_support_by_gender", "project_support_by_gender"),
    ),
    Table(
        name="business_support_by_gender_period_change",
        title_sv="Företagsstöd: förändring mellan perioder",
        columns=(
            "period_from",
            "period_to",
            "support_type",
            "classification",
            "group",
            *_CHANGE_MEASURES,
        ),
        keys=("period_from", "period_to", "support_type", "classification", "group"),
        derived_from=("business_support_by_gender",),
    ),
    Table(
        name="project_support_by_gender_period_change",
        title_sv="Projektstöd: förändring mellan perioder",
        columns=("period_from", "period_to", "owner_type", "group", *_CHANGE_MEASURES),
        keys=("period_from", "period_to", "owner_type", "group"),
        derived_from=("project_support_by_gender",),
    ),
    Table(
        name="project_support_equality_period_change",
        title_sv="Jämställdhetsbedömning: förändring mellan perioder",
        columns=("period_from", "period_to", "equality_assessment", *_CHANGE_MEASURES),
        keys=("period_from", "period_to", "equality_assessment"),
        derived_from=("project_support_equality",),
    ),
    Table(
        name="intersectional_business_support",
        title_sv="Företagsstöd per stratum (kön × födelsebakgrund × ålder × område)",
        columns=_INTERSECTIONAL_COLUMNS,
        keys=("period", "group", "birth_background", "age_group", "area"),
        totals=("group", "birth_background", "age_group", "area"),
        dimensions={
            "group": "leadership_group",
            "birth_background": "birth_background",
            "age_group": "age_group",
            "area": "area",
        },
        source="business_support",
        share_keys=("group", "birth_background", "age_group", "area"),
    ),
    Table(
        name="intersectional_model_summary",
        title_sv="Intersektionella modeller (MAIHDA): sammanfattning",
        columns=(
            "period",
            "outcome",
            "model",
            "status",
            "reason",
            "reason_sv",
            "method",
            "cases",
            "cases_before_sampling",
            "strata",
            "strata_with_min_decisions",
            "stratum_variance",
            "stratum_variance_ci_low",
            "stratum_variance_ci_high",
            "residual_variance",
            "vpc",
            "vpc_ci_low",
            "vpc_ci_high",
            "lr_statistic",
            "lr_p_value",
            "boundary",
            "pcv",
            "pcv_note_sv",
            "auc",
            "flagged_strata",
            "flagged_strata_suppressed",
            "excluded_unknown",
            "covariates",
        ),
        keys=("period", "outcome", "model"),
        sums=(
            # Every decision with each stratum dimension known goes into the approval model;
            # the amount model takes the granted ones with a positive amount.
            CaseSum(
                "cases_before_sampling",
                {"outcome": "approval"},
                "intersectional_business_support",
                "decisions",
                exact=True,
            ),
            CaseSum(
                "cases_before_sampling",
                {"outcome": "amount"},
                "intersectional_business_support",
                "granted",
                exact=False,
            ),
        ),
    ),
    Table(
        name="intersectional_model_strata",
        title_sv="Intersektionella modeller (MAIHDA): skattningar per stratum",
        columns=(
            "period",
            "group",
            "birth_background",
            "age_group",
            "area",
            "predicted_approval",
            "predicted_approval_ci_low",
            "predicted_approval_ci_high",
            "main_effects_approval",
            "main_effects_approval_ci_low",
            "main_effects_approval_ci_high",
            "interaction_logit",
            "interaction_logit_sd",
            "interaction_p_value",
            "interaction_q_value",
            "flagged",
            "predicted_amount_sek",
            "predicted_amount_ci_low",
            "predicted_amount_ci_high",
            "amount_interaction_log",
            "amount_interaction_q_value",
            "amount_flagged",
            "suppressed",
        ),
        keys=("period", "group", "birth_background", "age_group", "area"),
    ),
    Table(
        name="disclosure_audit",
        title_sv="Röjandekontroll: skyddade uppgifter och snävaste intervall som kan räknas fram",
        columns=(
            "table",
            "rule",
            "rows",
            "suppressed_rows",
            "suppressed_counts",
            "min_count_width",
            "suppressed_amounts",
            "checked_amounts",
            "min_amount_margin_pct",
            "failures",
        ),
        keys=("table", "rule"),
    ),
    Table(
        name="indicators",
        title_sv="Måluppfyllelse: indikatorer per år mot utgångsvärde och mål",
        columns=(
            "indicator_id",
            "year",
            "value",
            "baseline_value",
            "target_value",
            "target_year",
            "status",
            "gap_to_target",
            "period",
            "period_kind",
            "trend_per_year",
            "suppressed",
            "name_sv",
            "national_goal",
            "unit",
            "direction",
            "baseline_period",
            "target_rule",
            "value_ci_low",
            "value_ci_high",
            "gap_ci_low",
            "gap_ci_high",
            "interval_method",
            "period_role",
            "judgement_period",
        ),
        keys=("indicator_id", "period"),
    ),
]

TABLES: Mapping[str, Table] = MappingProxyType({t.name: t for t in _TABLES})
PUBLISHED_TABLES: tuple[str, ...] = tuple(TABLES)


# Working columns of a work table, for disclosure control (never published).
UNITS = "units"  # organisations (distinct pseudonymised org_id) with decisions in the cell
GRANTED_UNITS = "granted_units"  # organisations granted in the cell
TOP_PREFIX = "top_"


def top_column(measure: str) -> str:
    """The working column with the sum of the largest organisations' shares of `measure`."""
    return f"{TOP_PREFIX}{measure}"


def working_columns(table: Table) -> tuple[str, ...]:
    """Columns a work table carries for disclosure control besides the published ones."""
    return (UNITS, GRANTED_UNITS, *(top_column(c) for c in table.of_kind(AMOUNT)))


def known_cells(frame: Any, keys: Sequence[str], period_column: str, period: str) -> Any:
    """Rows of `frame` in `period` whose every key shown in that period is known.

    A key that is `all` in every row of the period is not a dimension of the table there.
    """
    rows = frame[period_column].astype("string") == period
    mask = rows.fillna(False)
    for key in keys:
        values = frame.loc[mask, key].astype("string")
        if (values == TOTAL).all():
            continue
        mask &= ~frame[key].astype("string").isin([TOTAL, "unknown"]).fillna(True)
    return mask


def table(name: str) -> Table:
    """The catalogue entry of a published table; a name outside the catalogue is an error."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"{name!r} is not a published table of the catalogue") from None


def swedish_header(column: str) -> str:
    return COLUMNS[column].header_sv if column in COLUMNS else column

"""The words readers see: every Swedish label and recurring phrase of the tables, figures and
report, in one place.

Codes (`women`, `leadership`, `not_met`) are the keys; the values are what a reader sees. Phrases
that state a setting take it as an argument (`confidence_text`, `parity_band_text`), so the
report always says what the configuration did. Table titles and column headers stay in the table
catalogue (`rtp_eval.catalog`), the one home of the published tables; sentences that are said
once stay where they are built.

A plain module rather than a data file: its edits are part of the code fingerprint of exactly the
rules that import it, and the names are checked by the linters and the type checker. A second
language would be a second module with the same names, chosen by a setting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

ALL = "Samtliga"
ALL_SUPPORT_TYPES = "Samtliga stödformer"
NOT_STATED = "Uppgift saknas"
# Under every table with a hidden cell (and under a filtered table that shows one).
SUPPRESSION_NOTE = (
    ".. = uppgiften redovisas inte (röjandeskydd): för få organisationer, ett belopp som "
    "domineras av en eller två organisationer, eller en uppgift som annars skulle kunna "
    "räknas fram ur andra publicerade uppgifter."
)

# --- data quality ----------------------------------------------------------------------------

# Why a raw row was quarantined (`validation.REASONS` and `owner_follow_up.REASONS` in English).
QUARANTINE_REASONS: Mapping[str, str] = {
    "wrong_field_count": "Raden har fel antal fält",
    "missing_required": "Obligatoriskt värde saknas",
    "unparseable": "Värdet kan inte tolkas",
    "invalid_date": "Datumet finns inte",
    "negative_value": "Negativt belopp eller antal",
    "unknown_code": "Okänd kod eller benämning",
    "invalid_org_id": "Felaktigt organisations- eller personnummer",
    "amount_implausible": "Orimligt stort belopp",
    "granted_exceeds_applied": "Beviljat belopp större än sökt",
    "not_granted_with_amount": "Avslaget eller återtaget ärende med beviljat belopp",
    "granted_without_amount": "Beviljat ärende utan belopp",
    "duplicate_case_id": "Ärendenumret förekommer redan i filen",
    "date_outside_file_year": "Beslutsdatum utanför filens år",
    "date_in_future": "Beslutsdatum i framtiden",
    "jobs_subset_exceeds_total": "Fler nya jobb för utrikes födda än totalt",
    "project_end_before_start": "Projektet slutar före start",
    "birth_year_implausible": "Orimligt födelseår",
    "duplicate_organisation": "Organisationen förekommer redan i filen",
}

SOURCES: Mapping[str, str] = {
    "business_support": "Företagsstöd",
    "project_support": "Projektstöd",
    "owner_follow_up": "Ägaruppföljning",
}

# --- settings stated in words ----------------------------------------------------------------

DEFAULT_PARITY_BAND = (40.0, 60.0)


def _percent_number(value: float) -> str:
    return f"{round(value, 6):g}".replace(".", ",")


def confidence_text(confidence_level: float) -> str:
    """The confidence level as the report writes it: 0.95 -> `95 %`."""
    return f"{_percent_number(confidence_level * 100)} %"


def parity_band_text(parity_band: Sequence[float]) -> str:
    """The band of an even gender balance in percent women: (40, 60) -> `40–60 %`."""
    low, high = parity_band
    return f"{_percent_number(float(low))}–{_percent_number(float(high))} %"


def interval_columns(confidence_level: float) -> tuple[str, str]:
    """Headers of an interval's two ends: `95 % intervall, lägre` and `…, övre`."""
    level = confidence_text(confidence_level)
    return f"{level} intervall, lägre", f"{level} intervall, övre"


def figure_source(region: str, demo: bool) -> str:
    """The source line under every figure; demo data say so on every figure."""
    text = f"Källa: {region}, beslutade ärenden om företagsstöd. Bearbetning: rtp-eval."
    return text + " FIKTIVA DATA." if demo else text


# --- gender groups ---------------------------------------------------------------------------

# `{parity}` is the configured band (`parity_band_text`).
_GROUPS: Mapping[str, Mapping[str, str]] = {
    "leadership": {
        "women": "Kvinnoledda företag",
        "men": "Mansledda företag",
        "unknown": "Okänt kön på vd",
    },
    "ownership": {
        "women": "Kvinnoägda företag",
        "men": "Mansägda företag",
        "mixed": "Jämnt ägda företag ({parity})",
        "unknown": "Okänd ägarfördelning",
    },
}
# The same groups where the word "företag" is understood (table rows and columns).
_GROUPS_SHORT: Mapping[str, Mapping[str, str]] = {
    "leadership": {"women": "Kvinnoledda", "men": "Mansledda", "unknown": "Okänt kön på vd"},
    "ownership": {
        "women": "Kvinnoägda",
        "men": "Mansägda",
        "mixed": "Jämnt ägda ({parity})",
        "unknown": "Okänd ägarfördelning",
    },
}
# How a figure's title names the classification: "…, efter vd:s kön".
CLASSIFICATIONS: Mapping[str, str] = {
    "leadership": "efter vd:s kön",
    "ownership": "efter ägande",
}


def group_label(
    classification: str,
    group: str,
    parity_band: Sequence[float] = DEFAULT_PARITY_BAND,
    *,
    short: bool = False,
) -> str:
    """`Kvinnoledda företag`, `Jämnt ägda (40–60 %)`; the code itself when it has no label."""
    labels = (_GROUPS_SHORT if short else _GROUPS).get(classification, {})
    label = labels.get(group, group)
    return label.format(parity=parity_band_text(parity_band))


def group_labels(
    classification: str,
    parity_band: Sequence[float] = DEFAULT_PARITY_BAND,
    *,
    short: bool = False,
) -> dict[str, str]:
    """Every group of a classification with its label, in the vocabulary's order."""
    groups = (_GROUPS_SHORT if short else _GROUPS).get(classification, {})
    return {g: group_label(classification, g, parity_band, short=short) for g in groups}


# --- project support -------------------------------------------------------------------------

EQUALITY_LEVELS: Mapping[str, str] = {
    "0": "0 – inte beaktad",
    "1": "1 – beskriven",
    "2": "2 – integrerad i verksamheten",
    "3": "3 – huvudsyfte",
    "unknown": NOT_STATED,
    "all": ALL,
}

# --- intersectional analysis -----------------------------------------------------------------

# The configured stratum dimensions, as the method box names them.
DIMENSIONS: Mapping[str, str] = {
    "leadership_group": "vd:s kön",
    "birth_background": "vd:s födelsebakgrund",
    "age_group": "vd:s åldersgrupp",
    "area": "område",
}
COVARIATES: Mapping[str, str] = {
    "support_type": "stödform",
    "industry": "bransch (SNI-avdelning)",
}
# Stratum values by key column of the strata table, lower case (they are joined into a label).
STRATUM_VALUES: Mapping[str, Mapping[str, str]] = {
    "group": {"women": "kvinna som vd", "men": "man som vd", "unknown": "okänt kön på vd"},
    "birth_background": {
        "swedish_born": "inrikes född",
        "foreign_born": "utrikes född",
        "unknown": "okänd födelsebakgrund",
    },
    "age_group": {"unknown": "okänd ålder"},
    "area": {"rest_of_county": "övriga länet", "unknown": "okänt område"},
}


def age_group_label(code: str) -> str:
    """`<30` -> `under 30 år`, `30-49` -> `30–49 år`, `65+` -> `65 år och äldre`."""
    text = code.replace("-", "–")
    if text.startswith("<"):
        return f"under {text[1:]} år"
    if text.endswith("+"):
        return f"{text[:-1]} år och äldre"
    return f"{text} år"


MODEL_OUTCOMES: Mapping[str, str] = {"approval": "Beviljande", "amount": "Beviljat belopp (log)"}
MODELS: Mapping[str, str] = {
    "null": "Modell 1: endast strata",
    "main_effects": "Modell 2: strata och huvudeffekter",
    "null_adjusted": "Modell 1, justerad för kontrollvariablerna",
    "main_effects_adjusted": "Modell 2, justerad för kontrollvariablerna",
    "null_with_unknown": "Känslighet: modell 1 med okända uppgifter som egna strata",
}

# --- goal follow-up --------------------------------------------------------------------------

NATIONAL_GOALS: Mapping[int, str] = {
    1: "Delmål 1: En jämn fördelning av makt och inflytande",
    2: "Delmål 2: Ekonomisk jämställdhet",
}


def national_goal(goal: int) -> str:
    return NATIONAL_GOALS.get(goal, f"Delmål {goal}")


# status -> (symbol, text); the symbol repeats the text, so colour is never needed.
GOAL_STATUSES: Mapping[str, tuple[str, str]] = {
    "met": ("✓", "Uppnått"),
    "on_track": ("↗", "På väg"),
    "uncertain": ("≈", "Osäkert"),
    "not_met": ("✗", "Inte uppnått"),
    "not_assessed": ("○", "Bedöms inte"),
    "no_data": ("–", NOT_STATED),
}
# What follows a value of the indicator's unit, and a gap between two such values.
UNIT_SUFFIXES: Mapping[str, str] = {
    "percent": "%",
    "percentage_points": "procentenheter",
    "ratio": "",
}
GAP_UNIT_SUFFIXES: Mapping[str, str] = {
    "percent": "procentenheter",
    "percentage_points": "procentenheter",
}

"""Goal indicator definitions and owner follow-up discovery: what the workflow needs when it
builds its job graph, importable without pandas (see `rtp_eval.indicators` for the rules).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from rtp_eval.config import _explain
from rtp_eval.discovery import DEFAULT_YEARS, discover_source
from rtp_eval.errors import ConfigError

UNITS = ("percent", "percentage_points", "ratio")
DIRECTIONS = ("higher", "lower")
DEFAULT_TREND_YEARS = 3


# Unit sources computed from clean data, with the columns their rows carry.
UNIT_SOURCES: dict[str, tuple[str, ...]] = {
    "supported_firms": (
        "year",
        "support_type",
        "leadership_group",
        "ownership_group",
        "area",
        "industry",
        "firms",
        "employees_women",
        "employees_men",
        "board_women",
        "board_men",
        "ceo_women",
        "ceo_men",
    ),
    "owner_follow_up": (
        "year",
        "organisations",
        "directive_includes_equality",
        "annual_report_reports_equality",
        "took_part_in_dialogues",
        "board_women",
        "board_men",
        "ceo_women",
        "ceo_men",
    ),
}


# --- definitions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """Columns summed over the rows matching the filters."""

    columns: tuple[str, ...]
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Ratio:
    numerator: Part
    denominator: Part

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.numerator.columns, *self.denominator.columns)))


@dataclass(frozen=True)
class Indicator:
    """One indicator as configured (see the module docstring for the rules)."""

    id: str
    name_sv: str
    description_sv: str
    national_goal: int
    source: str
    ratio: Ratio
    minus: Ratio | None
    unit: str
    direction: str
    baseline: tuple[int, int]
    target_year: int
    target_value: float | None = None  # None: the target is to be above the baseline
    evaluation_period: tuple[int, int] | None = None
    # Later years than the target year are judged against the same target.
    target_applies_after: bool = False

    @property
    def scale(self) -> float:
        return 100.0 if self.unit in ("percent", "percentage_points") else 1.0

    @property
    def above_baseline(self) -> bool:
        return self.target_value is None

    @property
    def ratios(self) -> tuple[Ratio, ...]:
        return (self.ratio,) if self.minus is None else (self.ratio, self.minus)


@dataclass(frozen=True)
class GoalSettings:
    indicators: tuple[Indicator, ...]
    trend_years: int = DEFAULT_TREND_YEARS


def period_label(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def _filter_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _filters(raw: Mapping[str, Any] | None) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for column, value in (raw or {}).items():
        values = value if isinstance(value, list) else [value]
        out[str(column)] = tuple(_filter_value(v) for v in values)
    return out


def _part(raw: Mapping[str, Any], common: Mapping[str, tuple[str, ...]]) -> Part:
    return Part(tuple(raw["columns"]), {**common, **_filters(raw.get("filters"))})


def _ratio(raw: Mapping[str, Any], common: Mapping[str, tuple[str, ...]]) -> Ratio:
    return Ratio(_part(raw["numerator"], common), _part(raw["denominator"], common))


def _where(raw: Mapping[str, Any], index: int) -> str:
    ident = raw.get("id") if isinstance(raw, Mapping) else None
    return f"indicators[{ident}]" if isinstance(ident, str) and ident else f"indicators[{index}]"


def load_definitions(
    document: Mapping[str, Any],
    schema_doc: Mapping[str, Any],
    file: str,
    table_sources: Sequence[str] = (),
) -> GoalSettings:
    """Validate the indicator file and build the definitions.

    Errors name the file, the indicator (by its id) and the field: `indicators[<id>].<field>`.
    `table_sources` are the published tables an indicator may read (unchecked when empty).
    """
    if not isinstance(document, Mapping):
        raise ConfigError(file, "(top level)", "the file must hold a mapping with 'indicators'")
    top_schema = copy.deepcopy(dict(schema_doc))
    top_schema["properties"]["indicators"] = {"type": "array"}
    top_error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(top_schema).iter_errors(document)
    )
    if top_error is not None:
        key = ".".join(str(p) for p in top_error.absolute_path) or "(top level)"
        raise ConfigError(file, key, _explain(top_error))
    raw_indicators = document.get("indicators")
    if not isinstance(raw_indicators, list) or not raw_indicators:
        raise ConfigError(file, "indicators", "must be a non-empty list of indicators")
    indicator_schema = {"$defs": schema_doc.get("$defs", {}), **schema_doc["$defs"]["indicator"]}
    item_validator = jsonschema.Draft202012Validator(indicator_schema)
    indicators: list[Indicator] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_indicators):
        where = _where(raw, index)
        error = jsonschema.exceptions.best_match(item_validator.iter_errors(raw))
        if error is not None:
            path = ".".join(str(p) for p in error.absolute_path)
            raise ConfigError(file, f"{where}.{path}" if path else where, _explain(error))
        if raw["id"] in seen:
            raise ConfigError(file, f"{where}.id", f"the id '{raw['id']}' is used twice")
        seen.add(raw["id"])
        indicators.append(_indicator(raw, where, file, table_sources))
    return GoalSettings(tuple(indicators), int(document.get("trend_years", DEFAULT_TREND_YEARS)))


def _indicator(
    raw: Mapping[str, Any], where: str, file: str, table_sources: Sequence[str]
) -> Indicator:
    source = raw["source"]
    if source not in UNIT_SOURCES and table_sources and source not in table_sources:
        known = ", ".join([*sorted(table_sources), *UNIT_SOURCES])
        raise ConfigError(file, f"{where}.source", f"unknown source '{source}'; known: {known}")
    common = _filters(raw.get("filters"))
    measure = raw["measure"]
    ratio = _ratio(measure, common)
    minus = _ratio(measure["minus"], common) if "minus" in measure else None
    unit = raw["unit"]
    if unit == "percentage_points" and minus is None:
        raise ConfigError(
            file,
            f"{where}.unit",
            "'percentage_points' is a difference between two shares: add measure.minus, "
            "or use the unit 'percent'",
        )
    if unit != "percentage_points" and minus is not None:
        raise ConfigError(
            file, f"{where}.unit", "a measure with 'minus' is a difference: use 'percentage_points'"
        )
    if source in UNIT_SOURCES:
        known_columns = set(UNIT_SOURCES[source])
        for name, part in _parts(measure):
            for column in part.get("columns", []):
                if column not in known_columns:
                    raise ConfigError(
                        file,
                        f"{where}.measure.{name}.columns",
                        f"'{column}' is not a column of {source}; columns are: "
                        f"{', '.join(UNIT_SOURCES[source])}",
                    )
            for column in {**raw.get("filters", {}), **part.get("filters", {})}:
                if column not in known_columns:
                    raise ConfigError(
                        file,
                        f"{where}.measure.{name}.filters"
                        if column in part.get("filters", {})
                        else f"{where}.filters",
                        f"'{column}' is not a column of {source}",
                    )
    baseline = (int(raw["baseline"][0]), int(raw["baseline"][1]))
    if baseline[0] > baseline[1]:
        raise ConfigError(file, f"{where}.baseline", "the first year is after the last")
    evaluation = raw.get("evaluation_period")
    if evaluation is not None:
        evaluation = (int(evaluation[0]), int(evaluation[1]))
        if evaluation[0] > evaluation[1]:
            raise ConfigError(
                file, f"{where}.evaluation_period", "the first year is after the last"
            )
    target = raw["target"]
    has_value = "value" in target
    if has_value == bool(target.get("above_baseline", False)):
        raise ConfigError(
            file,
            f"{where}.target",
            "give either 'value' (the level to reach) or 'above_baseline: true', not both",
        )
    if target["year"] < baseline[1]:
        raise ConfigError(
            file, f"{where}.target.year", "the target year is before the end of the baseline"
        )
    return Indicator(
        id=raw["id"],
        name_sv=raw["name_sv"],
        description_sv=raw["description_sv"],
        national_goal=int(raw["national_goal"]),
        source=source,
        ratio=ratio,
        minus=minus,
        unit=unit,
        direction=raw["direction"],
        baseline=baseline,
        target_year=int(target["year"]),
        target_value=float(target["value"]) if has_value else None,
        evaluation_period=evaluation,
        target_applies_after=bool(target.get("applies_after", False)),
    )


def _parts(measure: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    parts = [("numerator", measure["numerator"]), ("denominator", measure["denominator"])]
    if "minus" in measure:
        parts += [
            ("minus.numerator", measure["minus"]["numerator"]),
            ("minus.denominator", measure["minus"]["denominator"]),
        ]
    return parts


# --- owner follow-up files ----------------------------------------------------------------------

OWNER_FOLLOW_UP = "owner_follow_up"


def discover_owner_follow_up(
    raw_dir: Path, years: tuple[int, int] = DEFAULT_YEARS
) -> tuple[dict[int, Path], list[Path]]:
    """`<raw_dir>/owner_follow_up/<YEAR>.csv|xlsx` by year, and the files that do not fit."""
    return discover_source(raw_dir, OWNER_FOLLOW_UP, years)

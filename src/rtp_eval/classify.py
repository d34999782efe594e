"""Derived classifications of contract §1.7, with thresholds from the configuration."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rtp_eval.settings import Classifications

CLASSIFICATION_DEFAULTS = Classifications()

UNKNOWN = "unknown"
SEX_GROUPS = {"woman": "women", "man": "men"}


@dataclass(frozen=True)
class ClassificationSettings:
    """The configuration's `classifications:` (its defaults, as the report's method section
    documents them)."""

    balance_low_pct: float = float(CLASSIFICATION_DEFAULTS.ownership_balance_pct[0])
    balance_high_pct: float = float(CLASSIFICATION_DEFAULTS.ownership_balance_pct[1])
    age_breaks: tuple[int, ...] = tuple(CLASSIFICATION_DEFAULTS.age_breaks)
    company_size_breaks: tuple[int, ...] = tuple(CLASSIFICATION_DEFAULTS.company_size_breaks)
    area_groups: Mapping[str, Sequence[str]] | None = None  # area -> municipality codes
    default_area: str = CLASSIFICATION_DEFAULTS.areas.default


def group_by_sex(sex: pd.Series) -> pd.Series:
    """`woman`/`man` -> `women`/`men`; missing -> `unknown`."""
    return sex.map(SEX_GROUPS).fillna(UNKNOWN).astype("string")


def ownership_group(
    share_women_pct: pd.Series,
    owners_women: pd.Series,
    owners_men: pd.Series,
    low: float,
    high: float,
) -> pd.Series:
    """`women` (> high % women), `men` (< low %), `mixed` (low-high inclusive), `unknown`.

    The stated ownership share wins; owner head counts are used where it is missing.
    """
    owners = owners_women.astype("Float64") + owners_men.astype("Float64")
    from_counts = (owners_women.astype("Float64") * 100 / owners.where(owners > 0)).astype(
        "Float64"
    )
    share = share_women_pct.astype("Float64").fillna(from_counts)
    values = share.to_numpy(dtype=float, na_value=np.nan)
    result = np.select(
        [np.isnan(values), values > high, values < low],
        [UNKNOWN, "women", "men"],
        default="mixed",
    )
    return pd.Series(result, index=share.index, dtype="string")


def age_labels(breaks: Sequence[int]) -> list[str]:
    """`<30`, `30-49`, `50-64`, `65+` for breaks (30, 50, 65)."""
    labels = [f"<{breaks[0]}"]
    labels += [f"{lo}-{hi - 1}" for lo, hi in itertools.pairwise(breaks)]
    labels.append(f"{breaks[-1]}+")
    return labels


def _band(values: pd.Series, breaks: Sequence[int], labels: Sequence[str]) -> pd.Series:
    """The label of the band each value falls in (`labels[i]` from `breaks[i - 1]` up to
    `breaks[i]`); a missing value is `unknown`."""
    numbers = values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    index = np.searchsorted(np.asarray(breaks, dtype=float), numbers, side="right")
    result = np.where(
        np.isnan(numbers),
        UNKNOWN,
        np.asarray(labels, dtype=object)[np.minimum(index, len(labels) - 1)],
    )
    return pd.Series(result, index=values.index, dtype="string")


def age_group(decision_year: pd.Series, birth_year: pd.Series, breaks: Sequence[int]) -> pd.Series:
    """Age at decision (decision year minus birth year) in the configured bands."""
    age = decision_year.astype("Float64") - birth_year.astype("Float64")
    return _band(age, breaks, age_labels(breaks))


def company_size_labels(breaks: Sequence[int]) -> list[str]:
    """`0-9`, `10-49`, `50-249`, `250+` for breaks (10, 50, 250)."""
    bounds = [0, *breaks]
    labels = [f"{lo}-{hi - 1}" for lo, hi in itertools.pairwise(bounds)]
    labels.append(f"{bounds[-1]}+")
    return labels


def company_size(
    employees_women: pd.Series, employees_men: pd.Series, breaks: Sequence[int]
) -> pd.Series:
    """Employees (women plus men) in the configured size bands; `unknown` when either count is
    missing, since half a head count would put a company in too small a band."""
    employees = employees_women.astype("Float64") + employees_men.astype("Float64")
    return _band(employees.where(employees >= 0), breaks, company_size_labels(breaks))


def area(
    municipality_code: pd.Series, groups: Mapping[str, Sequence[str]], default: str
) -> pd.Series:
    """The configured area of each municipality (e.g. Östersund vs the rest of the county)."""
    lookup = {code: name for name, codes in groups.items() for code in codes}
    return municipality_code.map(lookup).fillna(default).astype("string")


def industry(sni_code: pd.Series, sections: Mapping[str, str]) -> pd.Series:
    """SNI 2007 section letter from the division (first two digits)."""
    return sni_code.str.slice(0, 2).map(sections).fillna(UNKNOWN).astype("string")


def classify(
    frame: pd.DataFrame,
    source: str,
    settings: ClassificationSettings,
    sni_sections: Mapping[str, str],
) -> pd.DataFrame:
    """Add the derived classification columns of `source` to an accepted frame."""
    out = frame.copy()
    out["county_code"] = out["municipality_code"].str.slice(0, 2)
    out["area"] = area(out["municipality_code"], settings.area_groups or {}, settings.default_area)
    if source == "business_support":
        out["industry"] = industry(out["sni_code"], sni_sections)
        out["leadership_group"] = group_by_sex(out["ceo_sex"])
        out["ownership_group"] = ownership_group(
            out["owner_share_women_pct"],
            out["owners_women"],
            out["owners_men"],
            settings.balance_low_pct,
            settings.balance_high_pct,
        )
        out["age_group"] = age_group(
            out["decision_year"], out["ceo_birth_year"], settings.age_breaks
        )
        out["company_size"] = company_size(
            out["employees_women"], out["employees_men"], settings.company_size_breaks
        )
    else:
        out["leadership_group"] = group_by_sex(out["project_manager_sex"])
    return out

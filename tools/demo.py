"""Fictitious, deterministic demo input data in the shapes real case-system exports come in.

The demo lets the whole pipeline run (and be tested) without access to real case data. Cases are
drawn from simple models calibrated to published aggregate figures (see `data/raw/README.md`),
then written the way different export years look in practice: several encodings, delimiters,
date and amount notations, label variants, XLSX quirks and a few deliberately broken rows whose
positions are recorded so that the import's quarantine can be checked against them.

Everything is a pure function of a `DemoConfig` (seed included) except `write_demo_data`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import openpyxl

from rtp_eval.io import normalise_xlsx

DEFAULT_SEED = 20161101

Record = dict[str, Any]
Cell = str | int | float | dt.date | None

# ----------------------------------------------------------------------------------------------
# Region


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    owner_name: str  # the municipality as a project owner ("Östersunds kommun")
    weight: float  # share of business support cases located there


@dataclass(frozen=True)
class Region:
    county_code: str
    name: str
    municipalities: tuple[Municipality, ...]
    main_municipality: str  # seat of the region: most cases and the region's own projects
    state_agencies: tuple[str, ...]
    universities: tuple[str, ...]

    def municipality_codes(self) -> tuple[str, ...]:
        return tuple(m.code for m in self.municipalities)

    def municipality_weights(self) -> np.ndarray:
        weights = np.array([m.weight for m in self.municipalities], dtype=float)
        return weights / weights.sum()

    def municipality_name(self, code: str) -> str:
        return next(m.name for m in self.municipalities if m.code == code)


JAMTLAND = Region(
    county_code="23",
    name="Region Jämtland Härjedalen",
    municipalities=(
        Municipality("2303", "Ragunda", "Ragunda kommun", 0.05),
        Municipality("2305", "Bräcke", "Bräcke kommun", 0.05),
        Municipality("2309", "Krokom", "Krokoms kommun", 0.10),
        Municipality("2313", "Strömsund", "Strömsunds kommun", 0.08),
        Municipality("2321", "Åre", "Åre kommun", 0.12),
        Municipality("2326", "Berg", "Bergs kommun", 0.06),
        Municipality("2361", "Härjedalen", "Härjedalens kommun", 0.09),
        Municipality("2380", "Östersund", "Östersunds kommun", 0.45),
    ),
    main_municipality="2380",
    state_agencies=("Länsstyrelsen i Jämtlands län", "Arbetsförmedlingen"),
    universities=("Mittuniversitetet",),
)


@dataclass(frozen=True)
class DemoConfig:
    seed: int = DEFAULT_SEED
    first_year: int = 2012
    last_year: int = 2021
    scale: float = 1.0  # multiplies case counts and money, for load tests
    region: Region = JAMTLAND

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first_year, self.last_year + 1))


# ----------------------------------------------------------------------------------------------
# Export headers (data contract §1.3, §1.4), keyed by canonical field name, in contract order

BUSINESS_HEADERS: dict[str, str] = {
    "case_id": "Ärendenummer",
    "decision_date": "Beslutsdatum",
    "support_type": "Stödtyp",
    "decision": "Beslut",
    "amount_applied_sek": "Sökt belopp",
    "amount_granted_sek": "Beviljat belopp",
    "org_id": "Organisationsnummer",
    "municipality_code": "Kommun",
    "sni_code": "SNI",
    "legal_form": "Företagsform",
    "programme_area": "Insatsområde",
    "ceo_sex": "VD kön",
    "ceo_birth_year": "VD födelseår",
    "ceo_birth_background": "VD födelsebakgrund",
    "owners_women": "Ägare kvinnor",
    "owners_men": "Ägare män",
    "owner_share_women_pct": "Ägarandel kvinnor (%)",
    "board_women": "Styrelse kvinnor",
    "board_men": "Styrelse män",
    "employees_women": "Anställda kvinnor",
    "employees_men": "Anställda män",
    "expected_jobs_women": "Nya jobb kvinnor",
    "expected_jobs_men": "Nya jobb män",
    "expected_jobs_foreign_born_women": "Nya jobb utrikes födda kvinnor",
    "expected_jobs_foreign_born_men": "Nya jobb utrikes födda män",
}

PROJECT_HEADERS: dict[str, str] = {
    "case_id": "Ärendenummer",
    "decision_date": "Beslutsdatum",
    "decision": "Beslut",
    "amount_applied_sek": "Sökt belopp",
    "amount_granted_sek": "Beviljat belopp",
    "municipality_code": "Kommun",
    "programme_area": "Insatsområde",
    "project_title": "Projektnamn",
    "owner_name": "Projektägare",
    "org_id": "Organisationsnummer",
    "owner_type": "Organisationstyp",
    "project_manager_sex": "Projektledare kön",
    "target_women": "Målgrupp kvinnor",
    "target_men": "Målgrupp män",
    "equality_assessment": "Jämställdhetsbedömning",
    "equality_routine_applied": "Rutin jämställdhet tillämpad",
    "total_budget_sek": "Total budget",
    "project_start": "Projektstart",
    "project_end": "Projektslut",
}

HEADERS: dict[str, dict[str, str]] = {
    "business_support": BUSINESS_HEADERS,
    "project_support": PROJECT_HEADERS,
}

_FieldKind = Literal[
    "text", "date", "amount", "count", "decimal", "code", "org_id", "municipality", "sni"
]

_KINDS: dict[str, _FieldKind] = {
    "case_id": "text",
    "decision_date": "date",
    "support_type": "code",
    "decision": "code",
    "amount_applied_sek": "amount",
    "amount_granted_sek": "amount",
    "org_id": "org_id",
    "municipality_code": "municipality",
    "sni_code": "sni",
    "legal_form": "text",
    "programme_area": "text",
    "ceo_sex": "code",
    "ceo_birth_year": "count",
    "ceo_birth_background": "code",
    "owners_women": "count",
    "owners_men": "count",
    "owner_share_women_pct": "decimal",
    "board_women": "count",
    "board_men": "count",
    "employees_women": "count",
    "employees_men": "count",
    "expected_jobs_women": "decimal",
    "expected_jobs_men": "decimal",
    "expected_jobs_foreign_born_women": "decimal",
    "expected_jobs_foreign_born_men": "decimal",
    "project_title": "text",
    "owner_name": "text",
    "owner_type": "code",
    "project_manager_sex": "code",
    "target_women": "count",
    "target_men": "count",
    "equality_assessment": "code",
    "equality_routine_applied": "code",
    "total_budget_sek": "amount",
    "project_start": "date",
    "project_end": "date",
}

# ----------------------------------------------------------------------------------------------
# Identifiers


def luhn_check_digit(digits: str) -> int:
    """Check digit of the Swedish identity number scheme (Luhn, weights 2,1,2,... from the left)."""
    total = 0
    for i, ch in enumerate(digits):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def is_luhn_valid(number: str) -> bool:
    """True for a 10- or 12-digit identity number (separators ignored) with a correct check digit.

    The check covers the last ten digits; a 12-digit form only adds the century.
    """
    digits = re.sub(r"\D", "", number)
    if len(digits) not in (10, 12):
        return False
    last_ten = digits[-10:]
    return luhn_check_digit(last_ten[:9]) == int(last_ten[9])


def organisation_number(rng: np.random.Generator, prefix: str) -> str:
    """A random Luhn-valid 10-digit organisation number starting with `prefix`.

    Organisation numbers have a third digit of at least 2, which keeps them apart from personal
    identity numbers (whose third and fourth digits are a month).
    """
    body = prefix + "".join(str(d) for d in rng.integers(0, 10, size=9 - len(prefix)))
    if int(body[2]) < 2:
        raise ValueError(f"organisation number prefix {prefix!r} gives a third digit below 2")
    return body + str(luhn_check_digit(body))


def personal_identity_number(rng: np.random.Generator, birth_year: int, woman: bool) -> str:
    """A random Luhn-valid personal identity number as 12 digits (YYYYMMDDNNNC).

    The second-to-last digit is even for women and odd for men, as in the real scheme.
    """
    birth = dt.date(birth_year, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365)))
    serial = f"{int(rng.integers(0, 100)):02d}"
    sex_digit = int(rng.choice([0, 2, 4, 6, 8] if woman else [1, 3, 5, 7, 9]))
    body = birth.strftime("%y%m%d") + serial + str(sex_digit)
    return f"{birth.year // 100}" + body + str(luhn_check_digit(body))


def with_wrong_check_digit(digits: str) -> str:
    return digits[:-1] + str((int(digits[-1]) + 3) % 10)


def format_org_id(digits: str, style: Literal["dash", "plain"]) -> str:
    """Write an organisation number (10 digits) or personal identity number (12 digits).

    Organisation numbers: `556123-4567` or `5561234567`; personal identity numbers:
    `YYMMDD-NNNN` or `YYYYMMDDNNNN`.
    """
    if len(digits) == 12:
        return f"{digits[2:8]}-{digits[8:]}" if style == "dash" else digits
    return f"{digits[:6]}-{digits[6:]}" if style == "dash" else digits


# ----------------------------------------------------------------------------------------------
# Small sampling helpers


def _pick(rng: np.random.Generator, options: Sequence[Any], weights: Sequence[float]) -> Any:
    p = np.asarray(weights, dtype=float)
    return options[int(rng.choice(len(options), p=p / p.sum()))]


def _weekday_in_year(rng: np.random.Generator, year: int) -> dt.date:
    start = dt.date(year, 1, 2)
    while True:
        day = start + dt.timedelta(days=int(rng.integers(0, 363)))
        # Decisions are taken on working days; mid-July is the Swedish summer break.
        if day.weekday() < 5 and not (day.month == 7 and day.day < 28):
            return day


def _half_floor(x: float) -> float:
    return math.floor(x * 2) / 2


def round_amount(value: float) -> int:
    """Round an amount the way grants are decided: to the thousand, or hundred when small."""
    step = 1000 if value >= 100_000 else 100
    return int(round(value / step) * step)


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# ----------------------------------------------------------------------------------------------
# Firms (business support applicants)

SNI_CODES: dict[str, tuple[str, ...]] = {
    "A": ("01410", "01500", "02100", "02200", "03220"),
    "C": ("10130", "10711", "16101", "16232", "25110", "28300", "31010", "33120"),
    "D": ("35300",),
    "E": ("38110", "38320"),
    "F": ("41200", "42110", "43210", "43320", "43910"),
    "G": ("45200", "46690", "47111", "47300", "47710", "47640"),
    "H": ("49320", "49410", "52290"),
    "I": ("55101", "55201", "55300", "56100"),
    "J": ("58210", "62010", "63120"),
    "L": ("68201",),
    "M": ("70220", "71121", "73111", "74103"),
    "N": ("77210", "79900", "81210", "82300"),
    "P": ("85592",),
    "Q": ("86230", "86901", "88101"),
    "R": ("90030", "93110", "93290"),
    "S": ("95230", "96021", "96040"),
}

# Women-led firms are more often found in services, men-led in manufacturing, construction,
# transport and primary industries (the industry structure behind the money gap).
SECTION_WEIGHTS: dict[str, dict[str, float]] = {
    "woman": {
        "I": 0.17, "S": 0.14, "G": 0.15, "N": 0.10, "Q": 0.10, "M": 0.07, "C": 0.08, "A": 0.06,
        "J": 0.03, "R": 0.04, "F": 0.02, "H": 0.02, "P": 0.02,
    },
    "man": {
        "C": 0.22, "F": 0.14, "H": 0.10, "A": 0.10, "G": 0.12, "I": 0.08, "M": 0.06, "N": 0.05,
        "J": 0.04, "S": 0.02, "Q": 0.01, "R": 0.02, "D": 0.01, "E": 0.01, "L": 0.02,
    },
}  # fmt: skip

# Share of women among employees by section (for a plausible workforce composition).
EMPLOYEE_WOMEN_SHARE: dict[str, float] = {
    "A": 0.2, "C": 0.22, "D": 0.2, "E": 0.2, "F": 0.08, "G": 0.48, "H": 0.15, "I": 0.6,
    "J": 0.3, "L": 0.4, "M": 0.45, "N": 0.5, "P": 0.7, "Q": 0.82, "R": 0.5, "S": 0.7,
}  # fmt: skip

LEGAL_FORMS: tuple[str, ...] = ("Aktiebolag", "Enskild firma", "Handelsbolag", "Ekonomisk förening")
LEGAL_FORM_WEIGHTS: dict[str, tuple[float, ...]] = {
    "woman": (0.42, 0.48, 0.07, 0.03),
    "man": (0.60, 0.30, 0.07, 0.03),
}
_ORG_PREFIXES: dict[str, tuple[str, ...]] = {
    "Aktiebolag": ("556", "559"),
    "Handelsbolag": ("969", "916"),
    "Ekonomisk förening": ("769", "716"),
}

AGE_GROUPS: tuple[tuple[int, int], ...] = ((20, 29), (30, 49), (50, 64), (65, 75))
# Foreign-born entrepreneurs are younger on average; the mix gives about 8/45/37/10 % overall.
AGE_GROUP_WEIGHTS: dict[bool, tuple[float, ...]] = {
    True: (0.20, 0.52, 0.23, 0.05),
    False: (0.055, 0.455, 0.385, 0.105),
}


@dataclass(frozen=True)
class Firm:
    org_id: str  # 10 digits, or 12 for a sole trader's personal identity number
    legal_form: str
    section: str
    sni: str  # 5 digits
    municipality: str
    ceo_sex: str  # "woman" or "man"
    ceo_birth_year: int
    ceo_foreign_born: bool
    owners_women: int | None
    owners_men: int | None
    owner_share_women_pct: float | None
    board_women: int | None
    board_men: int | None
    employees_women: int
    employees_men: int
    activity: float  # relative propensity to apply (some firms come back every year)


def _owners(
    rng: np.random.Generator, legal_form: str, woman_led: bool
) -> tuple[int | None, int | None, float | None]:
    if legal_form == "Ekonomisk förening":
        return None, None, None
    if legal_form == "Enskild firma":
        return (1, 0, 100.0) if woman_led else (0, 1, 0.0)
    extra = 1 if legal_form == "Handelsbolag" else int(rng.choice([0, 0, 1, 1, 2, 3]))
    women = int(woman_led) + int(rng.binomial(extra, 0.45 if woman_led else 0.25))
    men = 1 + extra - women
    # Limited-company shares are rarely split evenly; the CEO's side usually holds more.
    share = 100.0 * women / (women + men)
    if legal_form == "Aktiebolag" and 0 < women < women + men:
        share = float(np.clip(share + rng.normal(0, 10), 1, 99))
    return women, men, round(share, 1)


def _board(rng: np.random.Generator, legal_form: str, woman_led: bool) -> tuple[int | None, ...]:
    if legal_form in ("Enskild firma", "Handelsbolag"):
        return None, None
    size = int(rng.integers(1, 6)) if legal_form == "Aktiebolag" else int(rng.integers(3, 8))
    others = int(rng.binomial(size - 1, 0.45 if woman_led else 0.22))
    women = others + int(woman_led)
    return women, size - women


def _employees(rng: np.random.Generator, legal_form: str, section: str) -> tuple[int, int]:
    if legal_form == "Enskild firma":
        total = int(rng.choice([0, 0, 0, 1, 1, 2, 3]))
    else:
        total = int(min(180, round(rng.lognormal(math.log(6), 1.0))))
    women = int(rng.binomial(total, EMPLOYEE_WOMEN_SHARE[section]))
    return women, total - women


def generate_firm(rng: np.random.Generator, config: DemoConfig) -> Firm:
    """One applicant firm with a CEO, owners, board and staff."""
    sex = "woman" if rng.random() < 0.3 else "man"
    woman_led = sex == "woman"
    sections = SECTION_WEIGHTS[sex]
    section = _pick(rng, list(sections), list(sections.values()))
    legal_form = _pick(rng, LEGAL_FORMS, LEGAL_FORM_WEIGHTS[sex])
    foreign_born = bool(rng.random() < 0.11)
    # Young foreign-born women are over-sampled (about threefold) so that their stratum is large
    # enough for the planted intersectional effect to show.
    age_weights = list(AGE_GROUP_WEIGHTS[foreign_born])
    if foreign_born and woman_led:
        age_weights[0] *= 3.0
    low, high = _pick(rng, AGE_GROUPS, age_weights)
    # The age group holds around the middle of the period; cases earlier or later shift it.
    middle = (config.first_year + config.last_year) // 2
    anchor_year = middle + int(rng.integers(-2, 3))
    birth_year = anchor_year - int(rng.integers(low, high + 1))
    region = config.region
    municipality = _pick(rng, region.municipality_codes(), region.municipality_weights())
    if legal_form == "Enskild firma":
        org_id = personal_identity_number(rng, birth_year, woman_led)
    else:
        org_id = organisation_number(rng, _pick(rng, _ORG_PREFIXES[legal_form], (0.6, 0.4)))
    owners_women, owners_men, share = _owners(rng, legal_form, woman_led)
    board_women, board_men = _board(rng, legal_form, woman_led)
    employees_women, employees_men = _employees(rng, legal_form, section)
    return Firm(
        org_id=org_id,
        legal_form=legal_form,
        section=section,
        sni=_pick(rng, SNI_CODES[section], [1.0] * len(SNI_CODES[section])),
        municipality=municipality,
        ceo_sex=sex,
        ceo_birth_year=birth_year,
        ceo_foreign_born=foreign_born,
        owners_women=owners_women,
        owners_men=owners_men,
        owner_share_women_pct=share,
        board_women=board_women,
        board_men=board_men,
        employees_women=employees_women,
        employees_men=employees_men,
        activity=float(rng.lognormal(0.0, 0.6)),
    )


def generate_firms(rng: np.random.Generator, config: DemoConfig) -> list[Firm]:
    n_firms = max(20, round(90 * len(config.years) * config.scale))
    firms: list[Firm] = []
    seen: set[str] = set()
    while len(firms) < n_firms:
        firm = generate_firm(rng, config)
        if firm.org_id not in seen:
            seen.add(firm.org_id)
            firms.append(firm)
    return firms


# ----------------------------------------------------------------------------------------------
# Business support cases

SUPPORT_TYPES: tuple[str, ...] = (
    "investment",
    "transport",
    "business_development",
    "commercial_service",
    "seed",
    "other",
)

# Which support a firm applies for depends on its industry: transport grants go to goods
# producers, commercial service support to rural shops and fuel stations.
_SUPPORT_MIX: dict[str, dict[str, float]] = {
    "C": {"investment": 0.26, "transport": 0.50, "business_development": 0.18, "seed": 0.03,
          "other": 0.03},
    "A": {"investment": 0.36, "transport": 0.10, "business_development": 0.48, "other": 0.06},
    "G": {"commercial_service": 0.36, "business_development": 0.40, "investment": 0.17,
          "other": 0.07},
    "J": {"business_development": 0.62, "seed": 0.22, "investment": 0.10, "other": 0.06},
    "M": {"business_development": 0.62, "seed": 0.22, "investment": 0.10, "other": 0.06},
    "default": {"investment": 0.23, "business_development": 0.69, "seed": 0.02, "other": 0.06},
}  # fmt: skip


@dataclass(frozen=True)
class AmountModel:
    median: float
    sigma: float
    low: int
    high: int
    women_factor: float  # women-led firms apply for smaller projects


AMOUNT_MODELS: dict[str, AmountModel] = {
    "investment": AmountModel(1_000_000, 0.7, 200_000, 5_000_000, 0.4),
    "transport": AmountModel(1_400_000, 0.6, 100_000, 3_000_000, 0.8),
    "business_development": AmountModel(85_000, 0.8, 50_000, 1_500_000, 0.75),
    "commercial_service": AmountModel(350_000, 0.5, 50_000, 800_000, 0.9),
    "seed": AmountModel(280_000, 0.4, 100_000, 600_000, 0.9),
    "other": AmountModel(80_000, 0.7, 20_000, 400_000, 0.9),
}

PROGRAMME_AREAS: tuple[str, ...] = (
    "Innovation och företagande",
    "Kompetensförsörjning",
    "Tillgänglighet",
    "Attraktiva miljöer",
)


def approval_probability(
    woman_led: bool, foreign_born: bool, under_30: bool, support_type: str
) -> float:
    """Chance that a business support application is granted.

    Main effects give about 79 % for women-led and 85 % for men-led firms. Young foreign-born
    women get an extra penalty beyond the sum of the main effects: the intersectional pattern
    the MAIHDA analysis is meant to find.
    """
    logit = 1.65
    logit -= 0.28 * woman_led
    logit -= 0.25 * foreign_born
    logit -= 0.3 * under_30
    logit -= 1.6 * (woman_led and foreign_born and under_30)
    logit += {"transport": 0.6, "commercial_service": 0.2, "seed": -0.4}.get(support_type, 0.0)
    return _logistic(logit)


def _expected_jobs(rng: np.random.Generator, firm: Firm) -> dict[str, float]:
    total = _half_floor(rng.gamma(1.3, 1.4) + 0.5)
    staff = firm.employees_women + firm.employees_men
    base_share = (
        firm.employees_women / staff if staff else (0.7 if firm.ceo_sex == "woman" else 0.2)
    )
    women = _half_floor(total * float(np.clip(base_share + rng.normal(0, 0.15), 0, 1)) + 0.25)
    men = max(0.0, total - women)
    return {
        "expected_jobs_women": women,
        "expected_jobs_men": men,
        "expected_jobs_foreign_born_women": _half_floor(women * rng.uniform(0, 0.4)),
        "expected_jobs_foreign_born_men": _half_floor(men * rng.uniform(0, 0.4)),
    }


def _maybe(rng: np.random.Generator, value: Any, missing_share: float) -> Any:
    return None if rng.random() < missing_share else value


def _business_case(
    rng: np.random.Generator, firm: Firm, year: int, decision: str, support_type: str
) -> Record:
    """A case record with canonical field names; amounts are filled in afterwards."""
    age = year - firm.ceo_birth_year
    # Ownership shares were added to the export in 2018.
    share = firm.owner_share_women_pct if year >= 2018 else None
    # Boards have slowly become more mixed since the action plan (goal: more women on boards).
    board_women, board_men = firm.board_women, firm.board_men
    if board_men and year >= 2016 and rng.random() < 0.15:
        board_women, board_men = (board_women or 0) + 1, board_men - 1
    staff_drift = int(rng.integers(-1, 2))
    record: Record = {
        "decision_date": _weekday_in_year(rng, year),
        "support_type": support_type,
        "decision": decision,
        "org_id": firm.org_id,
        "municipality_code": firm.municipality,
        "sni_code": _maybe(rng, firm.sni, 0.05),
        "legal_form": _maybe(rng, firm.legal_form, 0.03),
        "programme_area": _maybe(rng, _pick(rng, PROGRAMME_AREAS, (0.85, 0.07, 0.03, 0.05)), 0.08),
        "ceo_sex": _maybe(rng, firm.ceo_sex, 0.08),
        "ceo_birth_year": _maybe(rng, firm.ceo_birth_year, 0.06),
        "ceo_birth_background": _maybe(
            rng, "foreign_born" if firm.ceo_foreign_born else "swedish_born", 0.08
        ),
        "owners_women": None,
        "owners_men": None,
        "owner_share_women_pct": None,
        "board_women": None,
        "board_men": None,
        "employees_women": None,
        "employees_men": None,
        "_woman_led": firm.ceo_sex == "woman",
        "_under_30": age < 30,
        "_foreign_born": firm.ceo_foreign_born,
    }
    if rng.random() > 0.12:
        record |= {"owners_women": firm.owners_women, "owners_men": firm.owners_men}
        record["owner_share_women_pct"] = _maybe(rng, share, 0.15)
    if rng.random() > 0.2:
        record |= {"board_women": board_women, "board_men": board_men}
    if rng.random() > 0.1:
        record |= {
            "employees_women": max(0, firm.employees_women + staff_drift * (rng.random() < 0.5)),
            "employees_men": max(0, firm.employees_men + staff_drift * (rng.random() < 0.5)),
        }
    return record


def _choose_support_type(rng: np.random.Generator, firm: Firm) -> str:
    mix = _SUPPORT_MIX.get(firm.section, _SUPPORT_MIX["default"])
    return str(_pick(rng, list(mix), list(mix.values())))


def _draw_firms(
    rng: np.random.Generator, firms: Sequence[Firm], year: int, size: int
) -> list[Firm]:
    # Somewhat more women-led firms apply after the action plan started (2016).
    boost = 1.2 if year >= 2016 else 1.0
    weights = np.array([f.activity * (boost if f.ceo_sex == "woman" else 1.0) for f in firms])
    idx = rng.choice(len(firms), size=size, replace=True, p=weights / weights.sum())
    return [firms[int(i)] for i in idx]


def _amount_group(case: Record) -> str:
    return str(case.get("support_type", "project"))


def _assign_amounts(
    rng: np.random.Generator,
    cases: list[Record],
    budgets: dict[str, float],
    models: dict[str, AmountModel],
) -> None:
    """Draw amounts, then scale each group so that its granted money is about its budget.

    Each support type has its own yearly budget frame, so a year with few applications of a
    type gets larger grants rather than a different split of the money.
    """
    raw = []
    for case in cases:
        model = models[_amount_group(case)]
        factor = model.women_factor if case.get("_woman_led") else 1.0
        raw.append(rng.lognormal(math.log(model.median), model.sigma) * factor)
    granted_raw: dict[str, float] = {}
    for value, case in zip(raw, cases, strict=True):
        if case["decision"] == "granted":
            group = _amount_group(case)
            granted_raw[group] = granted_raw.get(group, 0.0) + value
    for value, case in zip(raw, cases, strict=True):
        group = _amount_group(case)
        model = models[group]
        scale = budgets[group] / granted_raw[group] if group in granted_raw else 1.0
        amount = round_amount(float(np.clip(value * scale, model.low, model.high)))
        # Granted often 60-100 % of the applied amount; a third get exactly what they asked for.
        ratio = 1.0 if rng.random() < 0.35 else rng.uniform(0.6, 1.0)
        applied = max(amount, round_amount(amount / ratio))
        case["amount_applied_sek"] = applied
        case["amount_granted_sek"] = amount if case["decision"] == "granted" else None


# Typical split of the yearly business support money (investment support the largest part,
# transport grants second, as in Jämtland's published figures).
BUDGET_SHARES: dict[str, float] = {
    "investment": 0.52,
    "transport": 0.27,
    "business_development": 0.12,
    "commercial_service": 0.04,
    "seed": 0.03,
    "other": 0.02,
}


def business_budgets(rng: np.random.Generator, scale: float) -> dict[str, float]:
    """One year's budget per support type: 68-84 MSEK in total, the split varying by ±15 %."""
    total = rng.uniform(68e6, 84e6) * scale
    return {k: total * share * rng.uniform(0.85, 1.15) for k, share in BUDGET_SHARES.items()}


def _assign_case_ids(rng: np.random.Generator, cases: list[Record], year: int, start: int) -> None:
    cases.sort(key=lambda c: (c["decision_date"], c["org_id"]))
    number = start + int(rng.integers(0, 200))
    for case in cases:
        number += int(rng.integers(1, 4))
        case["case_id"] = f"{year}{number:04d}"


def generate_business_year(
    rng: np.random.Generator, firms: Sequence[Firm], year: int, config: DemoConfig
) -> list[Record]:
    """All decided business support cases of one year, in case-number order."""
    n_decisions = max(5, round(int(rng.integers(165, 236)) * config.scale))
    n_withdrawn = max(1, round(n_decisions * rng.uniform(0.02, 0.04)))
    cases: list[Record] = []
    for firm in _draw_firms(rng, firms, year, n_decisions + n_withdrawn):
        support_type = _choose_support_type(rng, firm)
        under_30 = year - firm.ceo_birth_year < 30
        p = approval_probability(
            firm.ceo_sex == "woman", firm.ceo_foreign_born, under_30, support_type
        )
        decision = "granted" if rng.random() < p else "rejected"
        cases.append(_business_case(rng, firm, year, decision, support_type) | {"_firm": firm})
    for case in cases[n_decisions:]:
        case["decision"] = "withdrawn"
    _assign_amounts(rng, cases, business_budgets(rng, config.scale), AMOUNT_MODELS)
    for case in cases:
        granted_jobs = case["decision"] == "granted" and case["support_type"] in (
            "investment",
            "business_development",
        )
        jobs = _expected_jobs(rng, case["_firm"]) if granted_jobs and rng.random() > 0.08 else {}
        for name in (
            "expected_jobs_women",
            "expected_jobs_men",
            "expected_jobs_foreign_born_women",
            "expected_jobs_foreign_born_men",
        ):
            case[name] = jobs.get(name)
    _assign_case_ids(rng, cases, year, start=100)
    return cases


# ----------------------------------------------------------------------------------------------
# Project owners and project support cases

OWNER_TYPES: tuple[str, ...] = (
    "municipality",
    "region",
    "state_agency",
    "university",
    "nonprofit",
    "company",
    "other",
)
OWNER_TYPE_WEIGHTS: tuple[float, ...] = (0.34, 0.20, 0.07, 0.08, 0.15, 0.10, 0.06)

_NAME_STEMS: tuple[str, ...] = (
    "Fjäll", "Storsjö", "Skogs", "Bygde", "Norr", "Älv", "Myr", "Höglands", "Vildmarks",
    "Gränslands", "Inlands", "Sjöbygds",
)  # fmt: skip
_NONPROFIT_KINDS: tuple[str, ...] = (
    "utvecklingsförening",
    "kulturförening",
    "idrottsallians",
    "företagarförening",
    "hembygdsförening",
)
_COMPANY_KINDS: tuple[str, ...] = ("innovation AB", "utveckling AB", "teknik AB", "konsult AB")
_OTHER_KINDS: tuple[str, ...] = (
    "Stiftelsen {}forskning",
    "Leader {}bygden",
    "{}kooperativet ekonomisk förening",
)


@dataclass(frozen=True)
class ProjectOwner:
    name: str
    owner_type: str
    org_id: str
    municipality: str | None  # home municipality of a municipal owner


def generate_project_owners(rng: np.random.Generator, config: DemoConfig) -> list[ProjectOwner]:
    """The organisations that run projects: public bodies of the region plus invented ones."""
    region = config.region
    owners = [
        ProjectOwner(m.owner_name, "municipality", organisation_number(rng, "212000"), m.code)
        for m in region.municipalities
    ]
    owners.append(ProjectOwner(region.name, "region", organisation_number(rng, "232100"), None))
    owners += [
        ProjectOwner(name, "state_agency", organisation_number(rng, "202100"), None)
        for name in region.state_agencies
    ]
    owners += [
        ProjectOwner(name, "university", organisation_number(rng, "202100"), None)
        for name in region.universities
    ]
    for stem in _NAME_STEMS:
        kind = _pick(rng, _NONPROFIT_KINDS, [1.0] * len(_NONPROFIT_KINDS))
        owners.append(
            ProjectOwner(f"{stem}{kind}", "nonprofit", organisation_number(rng, "802"), None)
        )
    for stem in _NAME_STEMS[::2]:
        kind = _pick(rng, _COMPANY_KINDS, [1.0] * len(_COMPANY_KINDS))
        owners.append(
            ProjectOwner(f"{stem}{kind}", "company", organisation_number(rng, "559"), None)
        )
    for stem in _NAME_STEMS[1::3]:
        pattern = _pick(rng, _OTHER_KINDS, [1.0] * len(_OTHER_KINDS))
        owners.append(
            ProjectOwner(pattern.format(stem), "other", organisation_number(rng, "769"), None)
        )
    return owners


_TITLE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "Innovation och företagande": (
        "Innovationsmiljö för {topic}",
        'Förstudie "{stem}lyftet"',
        "Testbädd för {topic}, etapp {n}",
        "Affärsutveckling inom {topic}",
    ),
    "Kompetensförsörjning": (
        "Kompetenslyft inom {topic}",
        "Validering, vägledning och matchning i {place}",
        'Yrkesutbildning "{stem}vägen", steg {n}',
    ),
    "Tillgänglighet": (
        "Bredband till landsbygden i {place}",
        "Hållbara resor {place}–Östersund",
        "Digital service, {topic} och e-handel",
    ),
    "Attraktiva miljöer": (
        "Levande centrum i {place}",
        'Destinationsutveckling "{stem}leden"',
        "Kultur, natur och {topic} i {place}",
    ),
}
_TITLE_TOPICS: tuple[str, ...] = (
    "vård och omsorg",
    "besöksnäringen",
    "träförädling",
    "lokal mat",
    "vinterturism",
    "skogsbruk",
    "friluftsliv",
    "kulturella och kreativa näringar",
)

EQUALITY_LEVELS: tuple[int, ...] = (0, 1, 2, 3)
EQUALITY_LABELS: dict[int, str] = {
    0: "Ej beaktat",
    1: "Beskrivet",
    2: "Integrerat",
    3: "Huvudsyfte",
}


def _project_title(rng: np.random.Generator, area: str, place: str) -> str:
    template = _pick(rng, _TITLE_TEMPLATES[area], [1.0] * len(_TITLE_TEMPLATES[area]))
    return template.format(
        topic=_pick(rng, _TITLE_TOPICS, [1.0] * len(_TITLE_TOPICS)),
        stem=_pick(rng, _NAME_STEMS, [1.0] * len(_NAME_STEMS)),
        place=place,
        n=int(rng.integers(1, 4)),
    )


def routine_share(year: int) -> float:
    """Share of project cases prepared with the equality routine, introduced in 2016."""
    return 0.1 if year < 2016 else min(0.85, 0.6 + 0.05 * (year - 2016))


def equality_level_weights(year: int) -> tuple[float, ...]:
    return (0.25, 0.40, 0.28, 0.07) if year < 2016 else (0.06, 0.29, 0.50, 0.15)


def project_approval_probability(year: int, equality_level: int | None) -> float:
    """Chance that a project is granted; from 2016 the equality assessment weighs in."""
    logit = 1.35
    if year >= 2016 and equality_level is not None:
        logit += 0.45 * (equality_level - 1.5)
    return _logistic(logit)


PROJECT_AMOUNTS: dict[str, AmountModel] = {
    "project": AmountModel(900_000, 0.7, 100_000, 6_000_000, 1.0),
}


def _project_case(
    rng: np.random.Generator, owner: ProjectOwner, year: int, config: DemoConfig
) -> Record:
    region = config.region
    if owner.municipality is not None:
        municipality = owner.municipality
    elif owner.owner_type == "region" or rng.random() < 0.6:
        municipality = region.main_municipality
    else:
        municipality = _pick(rng, region.municipality_codes(), region.municipality_weights())
    area = _pick(rng, PROGRAMME_AREAS, (0.35, 0.25, 0.2, 0.2))
    level = _pick(rng, EQUALITY_LEVELS, equality_level_weights(year))
    decision_date = _weekday_in_year(rng, year)
    start = decision_date + dt.timedelta(days=int(rng.integers(-60, 91)))
    end = start + dt.timedelta(days=int(rng.integers(180, 1100)))
    participants = int(rng.lognormal(math.log(60), 0.9))
    women = int(rng.binomial(participants, float(np.clip(rng.normal(0.5, 0.15), 0.05, 0.95))))
    has_target = rng.random() < 0.75
    decision = "granted" if rng.random() < project_approval_probability(year, level) else "rejected"
    return {
        "decision_date": decision_date,
        "decision": decision,
        "municipality_code": municipality,
        "programme_area": _maybe(rng, area, 0.03),
        "project_title": _project_title(rng, area, region.municipality_name(municipality)),
        "owner_name": owner.name,
        "org_id": owner.org_id,
        "owner_type": owner.owner_type,
        "project_manager_sex": _maybe(rng, "woman" if rng.random() < 0.55 else "man", 0.05),
        "target_women": women if has_target else None,
        "target_men": participants - women if has_target else None,
        "equality_assessment": _maybe(rng, level, 0.04),
        "equality_routine_applied": _maybe(rng, bool(rng.random() < routine_share(year)), 0.03),
        "project_start": start,
        "project_end": end,
    }


def generate_project_year(
    rng: np.random.Generator, owners: Sequence[ProjectOwner], year: int, config: DemoConfig
) -> list[Record]:
    """All decided project support cases of one year, in case-number order."""
    n_decisions = max(3, round(int(rng.integers(44, 67)) * config.scale))
    n_withdrawn = int(rng.integers(0, 3))
    type_weights = np.array([OWNER_TYPE_WEIGHTS[OWNER_TYPES.index(o.owner_type)] for o in owners])
    # Each owner type's weight is shared among its members.
    counts = {t: sum(o.owner_type == t for o in owners) for t in OWNER_TYPES}
    weights = type_weights / np.array([counts[o.owner_type] for o in owners])
    cases: list[Record] = []
    for _ in range(n_decisions + n_withdrawn):
        owner = owners[int(rng.choice(len(owners), p=weights / weights.sum()))]
        cases.append(_project_case(rng, owner, year, config))
    for case in cases[n_decisions:]:
        case["decision"] = "withdrawn"
    budget = {"project": rng.uniform(44e6, 56e6) * config.scale}
    _assign_amounts(rng, cases, budget, PROJECT_AMOUNTS)
    for case in cases:
        # Regional co-financing covers roughly 35-65 % of a project's budget.
        case["total_budget_sek"] = round_amount(
            case["amount_applied_sek"] / rng.uniform(0.35, 0.65)
        )
    _assign_case_ids(rng, cases, year, start=5000)
    return cases


# ----------------------------------------------------------------------------------------------
# How each export file is written


@dataclass(frozen=True)
class Raw:
    """A cell written exactly as given, bypassing formatting (for the deliberately bad rows)."""

    text: str


@dataclass(frozen=True)
class FileFormat:
    kind: Literal["csv", "xlsx"] = "csv"
    encoding: str = "utf-8"  # "utf-8", "utf-8-sig" (with BOM) or "cp1252"
    delimiter: str = ";"
    quote_all: bool = False
    line_terminator: str = "\r\n"
    date_style: Literal["iso", "yyyymmdd", "yymmdd", "excel"] = "iso"
    thousands: str = " "
    decimals: Literal["never", "sometimes", "always"] = "never"
    suffix: str = ""  # " kr" or " SEK" on a share of the amounts
    suffix_share: float = 0.0
    text_amount_share: float = 0.0  # XLSX: amounts written as text like "250 000 kr"
    missing_tokens: tuple[str, ...] = ("",)
    rejected_granted_as_zero: bool = False
    municipality_as_name: bool = False
    messy_headers: dict[str, str] = field(default_factory=dict)
    shuffle_columns: bool = False
    extra_column: str | None = None
    leading_blank_rows: int = 0
    extra_sheet: bool = False
    era: Literal["early", "middle", "late"] = "early"  # which label variants the system used
    assessment_label_share: float = 0.0
    embedded_newline_title: bool = False

    @property
    def extension(self) -> str:
        return self.kind


def business_format(year: int) -> FileFormat:
    """The export format of a business support file, varying over the years like real exports."""
    if year <= 2015:
        legacy = FileFormat(
            encoding="cp1252",
            date_style="yymmdd",
            decimals="sometimes",
            suffix=" kr",
            suffix_share=0.2,
            missing_tokens=("", "", "-", "Uppgift saknas"),
            era="early",
        )
        tweaks: dict[int, dict[str, Any]] = {
            2013: {
                "messy_headers": {
                    "Beslutsdatum": " beslutsdatum ",
                    "Stödtyp": "STÖDTYP",
                    "Beviljat belopp": "Beviljat Belopp ",
                    "Organisationsnummer": "organisationsnummer",
                }
            },
            2014: {"extra_column": "Handläggare", "rejected_granted_as_zero": True},
        }
        return _replace(legacy, **tweaks.get(year, {}))
    if year <= 2018:
        workbook = FileFormat(kind="xlsx", date_style="excel", text_amount_share=0.03, era="middle")
        tweaks = {
            2017: {"leading_blank_rows": 1, "municipality_as_name": True},
            2018: {"extra_sheet": True, "rejected_granted_as_zero": True},
        }
        return _replace(workbook, **tweaks.get(year, {}))
    modern = FileFormat(encoding="utf-8", line_terminator="\n", thousands="", era="late")
    tweaks = {
        2019: {"suffix": " SEK", "suffix_share": 0.15, "missing_tokens": ("", "", "-")},
        2020: {"date_style": "yyyymmdd", "thousands": ".", "shuffle_columns": True},
    }
    default = {"thousands": "\u00a0", "decimals": "always"}
    return _replace(modern, **tweaks.get(year, default))


def project_format(year: int) -> FileFormat:
    """The export format of a project support file (UTF-8 with BOM, Excel's "CSV UTF-8")."""
    base = FileFormat(encoding="utf-8-sig", era="late" if year >= 2019 else "early")
    tweaks: dict[int, dict[str, Any]] = {
        2013: {"date_style": "yyyymmdd"},
        2014: {"suffix": " kr", "suffix_share": 0.3},
        2015: {"municipality_as_name": True},
        2016: {"embedded_newline_title": True, "assessment_label_share": 0.5},
        2017: {"delimiter": ",", "quote_all": True, "decimals": "always"},
        2018: {
            "messy_headers": {
                "Projektnamn": " projektnamn",
                "Beslut": "BESLUT",
                "Målgrupp kvinnor": "Målgrupp Kvinnor ",
            }
        },
        2019: {"delimiter": "\t", "thousands": ""},
        2020: {"assessment_label_share": 1.0},
        2021: {"thousands": "\u00a0", "assessment_label_share": 0.3},
    }
    return _replace(base, **tweaks.get(year, {}))


_ENCODING_NAMES: dict[str, str] = {
    "cp1252": "Windows-1252",
    "utf-8": "UTF-8 without BOM",
    "utf-8-sig": "UTF-8 with BOM",
}


def describe_format(fmt: FileFormat, year: int) -> list[str]:
    """What a file exercises, in words, for the README."""
    example = dt.date(year, 3, 12)
    if fmt.kind == "xlsx":
        notes = ["XLSX, first sheet", "Excel date cells", "numeric amount cells"]
        if fmt.text_amount_share:
            notes[-1] += ", a few as text (`250 000 kr`)"
    else:
        delimiter = {";": "CSV `;`", ",": "CSV `,`", "\t": "tab-separated"}[fmt.delimiter]
        if fmt.quote_all:
            delimiter += " with every field quoted"
        amount = format_number(1394300.5, fmt.thousands, 2 if fmt.decimals != "never" else 0)
        amount_note = f"amounts `{amount}`".replace("\u00a0", "␣")
        if fmt.thousands == "\u00a0":
            amount_note += " (␣ = non-breaking space)"
        if fmt.decimals == "sometimes":
            amount_note += ", some without decimals"
        if fmt.suffix:
            amount_note += f", some with `{fmt.suffix.strip()}`"
        notes = [
            f"{delimiter}, {_ENCODING_NAMES[fmt.encoding]}",
            f"dates `{format_date(example, fmt.date_style)}`",
            amount_note,
        ]
        if set(fmt.missing_tokens) != {""}:
            shown = " or ".join(
                f"`{m}`" if m else "empty" for m in dict.fromkeys(fmt.missing_tokens)
            )
            notes.append(f"missing values as {shown}")
    flags = (
        (bool(fmt.messy_headers), "header names in varied case with stray whitespace"),
        (fmt.shuffle_columns, "columns in another order"),
        (fmt.extra_column is not None, f"extra column `{fmt.extra_column}`"),
        (fmt.leading_blank_rows > 0, "blank first row, header on row 2"),
        (fmt.extra_sheet, "a second sheet with notes"),
        (fmt.municipality_as_name, "municipality as name (`Åre`)"),
        (fmt.rejected_granted_as_zero, "rejected cases with granted amount `0`"),
        (fmt.embedded_newline_title, "a project title with a line break"),
        (fmt.assessment_label_share > 0, "equality assessment as `2 - Integrerat`"),
    )
    return notes + [text for flag, text in flags if flag]


def _replace(fmt: FileFormat, **changes: Any) -> FileFormat:
    return replace(fmt, **changes)


# Label variants per era (data contract §1.6); the first one is the system's usual label.
_LABELS: dict[str, dict[str, dict[str, tuple[tuple[str, float], ...]]]] = {
    "early": {
        "support_type": {
            "investment": (("Regionalt investeringsstöd", 0.9), ("Investeringsstöd", 0.1)),
            "business_development": (
                ("Regionalt bidrag till företagsutveckling", 0.6),
                ("Företagsutvecklingsstöd", 0.3),
                ("Regionalt företagsstöd", 0.1),
            ),
            "transport": (("Transportbidrag", 1.0),),
            "commercial_service": (("Stöd till kommersiell service", 1.0),),
            "seed": (("Såddfinansiering", 1.0),),
            "other": (("Övrigt", 1.0),),
        },
        "decision": {
            "granted": (("Beviljat", 0.9), ("Bifall", 0.1)),
            "rejected": (("Avslag", 1.0),),
            "withdrawn": (("Återtaget", 0.6), ("Avskrivet", 0.4)),
        },
        "sex": {"woman": (("Kvinna", 1.0),), "man": (("Man", 1.0),)},
        "birth_background": {
            "swedish_born": (("Inrikes född", 1.0),),
            "foreign_born": (("Utrikes född", 1.0),),
        },
    },
    "middle": {
        "support_type": {
            "investment": (("Investeringsstöd", 0.7), ("Regionalt investeringsstöd", 0.3)),
            "business_development": (
                ("Stöd till små och medelstora företag", 0.5),
                ("Främjandestöd", 0.3),
                ("Regionalt företagsstöd", 0.2),
            ),
            "transport": (("Transportstöd", 0.7), ("Transportbidrag", 0.3)),
            "commercial_service": (("Kommersiell service", 1.0),),
            "seed": (("Såddfinansiering", 1.0),),
            "other": (("Övrigt", 1.0),),
        },
        "decision": {
            "granted": (("Bifall", 0.7), ("Beviljat", 0.3)),
            "rejected": (("Avslag", 0.8), ("Avslaget", 0.2)),
            "withdrawn": (("Avskrivet", 1.0),),
        },
        "sex": {"woman": (("K", 1.0),), "man": (("M", 1.0),)},
        "birth_background": {
            "swedish_born": (("Inrikes född", 1.0),),
            "foreign_born": (("Utrikes född", 1.0),),
        },
    },
    "late": {
        "support_type": {
            "investment": (("Regionalt investeringsstöd", 0.6), ("Investeringsstöd", 0.4)),
            "business_development": (
                ("Regionalt företagsstöd", 0.6),
                ("Stöd till små och medelstora företag", 0.4),
            ),
            "transport": (("Transportbidrag", 1.0),),
            "commercial_service": (
                ("Stöd till kommersiell service", 0.5),
                ("Kommersiell service", 0.5),
            ),
            "seed": (("Såddfinansiering", 1.0),),
            "other": (("Övrigt", 1.0),),
        },
        "decision": {
            "granted": (("Beviljad", 0.6), ("Beviljat", 0.4)),
            "rejected": (("Avslaget", 0.6), ("Avslag", 0.4)),
            "withdrawn": (("Återtagen", 1.0),),
        },
        "sex": {
            "woman": (("Kvinna", 0.7), ("K", 0.2), ("Kvinnor", 0.1)),
            "man": (("Man", 0.7), ("M", 0.2), ("Män", 0.1)),
        },
        "birth_background": {
            "swedish_born": (("Född i Sverige", 0.7), ("Inrikes född", 0.3)),
            "foreign_born": (("Född utomlands", 0.7), ("Utrikes född", 0.3)),
        },
    },
}

OWNER_TYPE_LABELS: dict[str, str] = {
    "municipality": "Kommun",
    "region": "Region",
    "state_agency": "Statlig myndighet",
    "university": "Universitet/högskola",
    "nonprofit": "Ideell förening",
    "company": "Företag",
    "other": "Övrigt",
}

_CODE_LISTS: dict[str, str] = {
    "support_type": "support_type",
    "decision": "decision",
    "ceo_sex": "sex",
    "project_manager_sex": "sex",
    "ceo_birth_background": "birth_background",
}

_CASE_OFFICERS: tuple[str, ...] = ("AL", "BK", "CS", "EM", "JN", "KO", "LP", "MH")


def format_number(value: float, thousands: str, decimals: int) -> str:
    """`1394300.5` → `1 394 300,50` with the given thousands separator and decimal comma."""
    sign = "-" if value < 0 else ""
    text = f"{abs(value):,.{decimals}f}"
    whole, _, fraction = text.partition(".")
    whole = whole.replace(",", thousands)
    return sign + whole + ("," + fraction if fraction else "")


def format_decimal(value: float) -> str:
    """Decimal comma without trailing zeros: `1.5` → `1,5`, `2.0` → `2`."""
    return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def format_date(value: dt.date, style: str) -> str:
    return {
        "iso": value.isoformat(),
        "yyyymmdd": value.strftime("%Y%m%d"),
        "yymmdd": value.strftime("%y%m%d"),
    }[style]


def format_sni(code: str, rng: np.random.Generator, era: str) -> str:
    """An SNI code the way different exports write it: `56100`, `56.100`, `56.10`, `5610`, `56`."""
    variants = (code, f"{code[:2]}.{code[2:]}", f"{code[:2]}.{code[2:4]}", code[:4], code[:2])
    weights = {
        "early": (0.8, 0.0, 0.1, 0.05, 0.05),
        "middle": (0.3, 0.3, 0.3, 0.0, 0.1),
        "late": (0.4, 0.0, 0.2, 0.3, 0.1),
    }[era]
    return str(_pick(rng, variants, weights))


def _label(rng: np.random.Generator, era: str, code_list: str, code: str) -> str:
    if code_list == "owner_type":
        return OWNER_TYPE_LABELS[code]
    variants = _LABELS[era][code_list][code]
    return str(_pick(rng, [v[0] for v in variants], [v[1] for v in variants]))


def render_value(
    name: str, value: Any, fmt: FileFormat, rng: np.random.Generator, region: Region
) -> Cell:
    """One cell of an export file from a canonical value."""
    if isinstance(value, Raw):
        return value.text
    if value is None:
        if fmt.kind == "xlsx":
            return None
        return str(_pick(rng, fmt.missing_tokens, [1.0] * len(fmt.missing_tokens)))
    kind = _KINDS[name]
    xlsx = fmt.kind == "xlsx"
    if kind == "date":
        return value if xlsx else format_date(value, fmt.date_style)
    if kind == "amount":
        return _render_amount(name, value, fmt, rng)
    if kind == "count":
        return int(value) if xlsx else str(int(value))
    if kind == "decimal":
        return float(value) if xlsx else format_decimal(float(value))
    if kind == "org_id":
        return format_org_id(value, "dash" if rng.random() < 0.7 else "plain")
    if kind == "municipality":
        return region.municipality_name(value) if fmt.municipality_as_name else value
    if kind == "sni":
        return format_sni(value, rng, fmt.era)
    if name == "equality_assessment":
        if rng.random() < fmt.assessment_label_share:
            return f"{value} - {EQUALITY_LABELS[value]}"
        return str(value)
    if name == "equality_routine_applied":
        return "Ja" if value else "Nej"
    if name == "owner_type":
        return _label(rng, fmt.era, "owner_type", value)
    if kind == "code":
        return _label(rng, fmt.era, _CODE_LISTS[name], value)
    return str(value)


def _render_amount(name: str, value: float, fmt: FileFormat, rng: np.random.Generator) -> Cell:
    if fmt.kind == "xlsx":
        if rng.random() < fmt.text_amount_share:
            return format_number(value, " ", 0) + " kr"
        return int(value)
    decimals = 2 if fmt.decimals == "always" else 0
    if fmt.decimals == "sometimes" and rng.random() < 0.15:
        decimals = 2
        # Only applied amounts carry öre, so granted never exceeds applied after rounding.
        if name == "amount_applied_sek" and rng.random() < 0.3:
            value = value + 0.5
    text = format_number(value, fmt.thousands, decimals)
    if fmt.suffix and rng.random() < fmt.suffix_share:
        text += fmt.suffix
    return text


# ----------------------------------------------------------------------------------------------
# Deliberately bad rows (data contract §1.5)


@dataclass(frozen=True)
class BadRow:
    """A row the import must quarantine: where it is and which rule it breaks."""

    file: str  # relative to the output folder, e.g. "business_support/2015.csv"
    row: int  # spreadsheet row number, header = row 1 (leading blank rows counted)
    column: str  # the contract's export header of the offending column
    rule: str
    value: str  # the offending value as written ("" for empty)
    note: str = ""


@dataclass(frozen=True)
class BadRowPlan:
    source: str
    year: int
    rule: str


# Spread over both sources, several years and all file formats; never more than 3 per file.
BAD_ROW_PLAN: tuple[BadRowPlan, ...] = (
    BadRowPlan("business_support", 2012, "missing_case_id"),
    BadRowPlan("business_support", 2012, "unknown_sex"),
    BadRowPlan("business_support", 2013, "unparseable_amount"),
    BadRowPlan("business_support", 2015, "impossible_date"),
    BadRowPlan("business_support", 2015, "granted_exceeds_applied"),
    BadRowPlan("business_support", 2016, "unknown_support_type"),
    BadRowPlan("business_support", 2017, "duplicate_case_id"),
    BadRowPlan("business_support", 2017, "negative_amount"),
    BadRowPlan("business_support", 2019, "decision_date_outside_file_year"),
    BadRowPlan("business_support", 2019, "invalid_org_id"),
    BadRowPlan("business_support", 2020, "rejected_with_granted_amount"),
    BadRowPlan("business_support", 2021, "unknown_municipality"),
    BadRowPlan("project_support", 2012, "missing_decision_date"),
    BadRowPlan("project_support", 2014, "unknown_decision"),
    BadRowPlan("project_support", 2016, "invalid_equality_assessment"),
    BadRowPlan("project_support", 2016, "project_end_before_start"),
    BadRowPlan("project_support", 2018, "unknown_owner_type"),
    BadRowPlan("project_support", 2020, "unparseable_routine"),
)

RULE_DESCRIPTIONS: dict[str, str] = {
    "missing_case_id": "required case id is empty",
    "missing_decision_date": "required decision date is empty",
    "unparseable_amount": "amount is not a number",
    "granted_exceeds_applied": "granted amount larger than applied amount",
    "rejected_with_granted_amount": "rejected case with a granted amount",
    "duplicate_case_id": "case id already used earlier in the file",
    "decision_date_outside_file_year": "decision date in another year than the file",
    "impossible_date": "date that does not exist",
    "unknown_support_type": "support type label not in the code list",
    "unknown_decision": "decision label not in the code list",
    "invalid_org_id": "organisation number fails the Luhn check",
    "unknown_municipality": "municipality code not in the region",
    "negative_amount": "negative amount",
    "unknown_sex": "sex label not in the code list",
    "invalid_equality_assessment": "equality assessment outside 0-3",
    "project_end_before_start": "project ends before it starts",
    "unknown_owner_type": "owner type label not in the code list",
    "unparseable_routine": "equality routine neither Ja nor Nej",
}


@dataclass(frozen=True)
class _Injection:
    field: str
    eligible: Callable[[Record], bool]
    apply: Callable[[Record, int], Record]  # record, file year -> changed record


def _is_granted(case: Record) -> bool:
    return case["decision"] == "granted"


def _any_case(case: Record) -> bool:
    return case["decision"] != "withdrawn"


_INJECTIONS: dict[str, _Injection] = {
    "missing_case_id": _Injection("case_id", _any_case, lambda c, y: c | {"case_id": Raw("")}),
    "missing_decision_date": _Injection(
        "decision_date", _any_case, lambda c, y: c | {"decision_date": Raw("")}
    ),
    "unparseable_amount": _Injection(
        "amount_granted_sek",
        _is_granted,
        lambda c, y: c | {"amount_granted_sek": Raw("tolv tusen")},
    ),
    "granted_exceeds_applied": _Injection(
        "amount_granted_sek",
        _is_granted,
        lambda c, y: c | {"amount_granted_sek": round_amount(c["amount_applied_sek"] * 1.25)},
    ),
    "rejected_with_granted_amount": _Injection(
        "amount_granted_sek",
        lambda c: c["decision"] == "rejected",
        lambda c, y: c | {"amount_granted_sek": round_amount(c["amount_applied_sek"] * 0.8)},
    ),
    "decision_date_outside_file_year": _Injection(
        "decision_date", _any_case, lambda c, y: c | {"decision_date": dt.date(y - 1, 12, 28)}
    ),
    "impossible_date": _Injection(
        "decision_date", _any_case, lambda c, y: c | {"decision_date": Raw(f"{y % 100:02d}0231")}
    ),
    "unknown_support_type": _Injection(
        "support_type", _any_case, lambda c, y: c | {"support_type": Raw("Innovationscheck")}
    ),
    "unknown_decision": _Injection(
        "decision", _any_case, lambda c, y: c | {"decision": Raw("Vilande")}
    ),
    "invalid_org_id": _Injection(
        "org_id",
        lambda c: _any_case(c) and len(c["org_id"]) == 10,
        lambda c, y: c | {"org_id": with_wrong_check_digit(c["org_id"])},
    ),
    "unknown_municipality": _Injection(
        "municipality_code", _any_case, lambda c, y: c | {"municipality_code": Raw("2399")}
    ),
    "negative_amount": _Injection(
        "amount_granted_sek",
        _is_granted,
        lambda c, y: c | {"amount_granted_sek": -c["amount_granted_sek"]},
    ),
    "unknown_sex": _Injection(
        "ceo_sex", lambda c: _any_case(c) and c["ceo_sex"], lambda c, y: c | {"ceo_sex": Raw("X")}
    ),
    "invalid_equality_assessment": _Injection(
        "equality_assessment", _any_case, lambda c, y: c | {"equality_assessment": Raw("5")}
    ),
    "project_end_before_start": _Injection(
        "project_end",
        _any_case,
        lambda c, y: c | {"project_end": c["project_start"] - dt.timedelta(days=30)},
    ),
    "unknown_owner_type": _Injection(
        "owner_type", _any_case, lambda c, y: c | {"owner_type": Raw("Stiftelse")}
    ),
    "unparseable_routine": _Injection(
        "equality_routine_applied",
        _any_case,
        lambda c, y: c | {"equality_routine_applied": Raw("Kanske")},
    ),
}


def inject_bad_rows(
    rng: np.random.Generator, cases: list[Record], rules: Sequence[str], year: int
) -> tuple[list[Record], list[tuple[int, str, str]]]:
    """Break one distinct, otherwise valid row per rule.

    Returns the changed cases and, per rule, (case index, field, note). Rows stay in place, so a
    case's index fixes its row number in the written file.
    """
    cases = list(cases)
    used: set[int] = set()
    injected: list[tuple[int, str, str]] = []
    # Rows early in the file are left alone so that multi-line fields before them (project
    # titles) shift physical lines against spreadsheet rows.
    candidates = list(range(5, len(cases)))
    for rule in rules:
        if rule == "duplicate_case_id":
            pool = [i for i in candidates if i not in used and _any_case(cases[i])]
            first, second = sorted(int(i) for i in rng.choice(pool, size=2, replace=False))
            cases[second] = cases[second] | {"case_id": cases[first]["case_id"]}
            used |= {first, second}
            injected.append((second, "case_id", f"repeats the case id of row {{row:{first}}}"))
            continue
        injection = _INJECTIONS[rule]
        pool = [i for i in candidates if i not in used and injection.eligible(cases[i])]
        index = int(rng.choice(pool))
        cases[index] = injection.apply(cases[index], year)
        used.add(index)
        injected.append((index, injection.field, ""))
    return cases, injected


# ----------------------------------------------------------------------------------------------
# Writing files


_EMBEDDED_NEWLINE_TITLE = "Jämställd destinationsutveckling\nÅre–Östersund, etapp 1"


def _columns(source: str, fmt: FileFormat, rng: np.random.Generator) -> list[str]:
    """Canonical field names in the file's column order (plus a possible extra column)."""
    columns = list(HEADERS[source])
    if fmt.extra_column:
        columns.insert(4, "_extra")
    if fmt.shuffle_columns:
        columns = [columns[int(i)] for i in rng.permutation(len(columns))]
    return columns


def _header(source: str, column: str, fmt: FileFormat) -> str:
    if column == "_extra":
        return str(fmt.extra_column)
    header = HEADERS[source][column]
    return fmt.messy_headers.get(header, header)


def render_rows(
    source: str,
    cases: Sequence[Record],
    columns: Sequence[str],
    fmt: FileFormat,
    rng: np.random.Generator,
    region: Region,
) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for case in cases:
        row: list[Cell] = []
        for column in columns:
            if column == "_extra":
                row.append(_pick(rng, _CASE_OFFICERS, [1.0] * len(_CASE_OFFICERS)))
                continue
            value = case.get(column)
            if (
                column == "amount_granted_sek"
                and value is None
                and fmt.rejected_granted_as_zero
                and case["decision"] == "rejected"
            ):
                value = 0
            row.append(render_value(column, value, fmt, rng, region))
        rows.append(row)
    return rows


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Cell]], fmt: FileFormat) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=fmt.delimiter,
        quoting=csv.QUOTE_ALL if fmt.quote_all else csv.QUOTE_MINIMAL,
        lineterminator=fmt.line_terminator,
    )
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(fmt.encoding)


FIXED_TIMESTAMP = dt.datetime(2022, 1, 31, 8, 0, 0)


def xlsx_bytes(header: Sequence[str], rows: Sequence[Sequence[Cell]], fmt: FileFormat) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Beslut"
    for _ in range(fmt.leading_blank_rows):
        sheet.append([])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    if fmt.extra_sheet:
        notes = workbook.create_sheet("Information")
        notes.append(["Uttag ur ärendesystemet, beslutade ärenden"])
        notes.append(["Belopp i kronor. Tomma celler: uppgift saknas."])
    workbook.properties.creator = "rtp-eval demo"
    workbook.properties.created = FIXED_TIMESTAMP
    workbook.properties.modified = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    workbook.save(buffer)
    return normalise_xlsx(buffer.getvalue(), FIXED_TIMESTAMP)


@dataclass(frozen=True)
class DemoFile:
    path: str  # relative to the output folder
    content: bytes
    fmt: FileFormat | None = None  # None for the documentation files
    year: int | None = None
    rows: int = 0  # data rows


def build_file(
    source: str,
    year: int,
    cases: list[Record],
    fmt: FileFormat,
    rng: np.random.Generator,
    config: DemoConfig,
) -> tuple[DemoFile, list[BadRow]]:
    """Render one year's cases in `fmt`, with that file's bad rows, and locate them."""
    path = f"{source}/{year}.{fmt.extension}"
    rules = [p.rule for p in BAD_ROW_PLAN if p.source == source and p.year == year]
    cases, injected = inject_bad_rows(rng, cases, rules, year)
    if fmt.embedded_newline_title and len(cases) > 2:
        cases[2] = cases[2] | {"project_title": _EMBEDDED_NEWLINE_TITLE}
    columns = _columns(source, fmt, rng)
    header = [_header(source, c, fmt) for c in columns]
    rows = render_rows(source, cases, columns, fmt, rng, config.region)
    first_data_row = fmt.leading_blank_rows + 2

    def row_number(index: int) -> int:
        return first_data_row + index

    bad_rows = []
    for (index, field_name, note), rule in zip(injected, rules, strict=True):
        value = rows[index][columns.index(field_name)]
        bad_rows.append(
            BadRow(
                file=path,
                row=row_number(index),
                column=HEADERS[source][field_name],
                rule=rule,
                value="" if value is None else str(value),
                note=re.sub(r"\{row:(\d+)\}", lambda m: str(row_number(int(m.group(1)))), note),
            )
        )
    content = xlsx_bytes(header, rows, fmt) if fmt.kind == "xlsx" else csv_bytes(header, rows, fmt)
    return DemoFile(path, content, fmt, year, len(rows)), bad_rows


def _strip_private(cases: list[Record]) -> list[Record]:
    return [{k: v for k, v in c.items() if not k.startswith("_")} for c in cases]


@dataclass(frozen=True)
class DemoData:
    files: tuple[DemoFile, ...]
    bad_rows: tuple[BadRow, ...]
    cases: dict[str, dict[int, list[Record]]]  # source -> year -> canonical records (pre-breakage)


def generate(config: DemoConfig = DemoConfig()) -> DemoData:
    """Generate every demo file in memory. Same config, same bytes."""
    root = np.random.default_rng(config.seed)
    firm_rng, business_rng, owner_rng, project_rng, format_rng = root.spawn(5)
    firms = generate_firms(firm_rng, config)
    owners = generate_project_owners(owner_rng, config)
    cases: dict[str, dict[int, list[Record]]] = {"business_support": {}, "project_support": {}}
    for year in config.years:
        business = generate_business_year(business_rng, firms, year, config)
        cases["business_support"][year] = _strip_private(business)
        cases["project_support"][year] = generate_project_year(project_rng, owners, year, config)
    files: list[DemoFile] = []
    bad_rows: list[BadRow] = []
    for source, format_of in (
        ("business_support", business_format),
        ("project_support", project_format),
    ):
        for year in config.years:
            demo_file, bad = build_file(
                source, year, cases[source][year], format_of(year), format_rng, config
            )
            files.append(demo_file)
            bad_rows += bad
    files += generate_owner_follow_up(root.spawn(1)[0], config)
    # The exports are byte-exact fixtures (CRLF, cp1252, BOMs): git must not convert them.
    files.append(DemoFile(".gitattributes", b"* -text\n"))
    files.append(DemoFile("BAD_ROWS.csv", bad_rows_csv(bad_rows)))
    files.append(DemoFile("BAD_ROWS.md", bad_rows_markdown(bad_rows).encode()))
    files.append(DemoFile("README.md", readme(config, files, bad_rows).encode()))
    return DemoData(tuple(files), tuple(bad_rows), cases)


# ----------------------------------------------------------------------------------------------
# Follow-up of owned companies and member organisations (optional input, from 2016)

OWNER_FOLLOW_UP_FIRST_YEAR = 2016
OWNER_FOLLOW_UP_HEADERS: tuple[str, ...] = (
    "Organisation",
    "Ägarandel (%)",
    "Ägardirektiv jämställdhet",
    "Årsredovisning jämställdhet",
    "Deltagit i dialog",
    "Styrelse kvinnor",
    "Styrelse män",
    "VD kön",
)
# Fictitious organisations: (name, ownership or membership share in percent, board size).
OWNER_ORGANISATIONS: tuple[tuple[str, float, int], ...] = (
    ("Demobolaget Länstrafik AB", 100.0, 7),
    ("Demobolaget Fastigheter AB", 100.0, 5),
    ("Demobolaget Flygplats AB", 51.0, 7),
    ("Demobolaget Science Park AB", 60.0, 6),
    ("Demobolaget Turism AB", 40.0, 8),
    ("Demobolaget Energi AB", 25.0, 7),
    ("Demobolaget Vård och Hälsa AB", 100.0, 5),
    ("Demobolaget Inlandsbanan AB", 5.5, 9),
    ("Demoförbundet Kommunalförbund", 12.5, 9),
    ("Demoförbundet Regionsamverkan", 10.0, 8),
    ("Demoförbundet Turistråd", 33.0, 6),
    ("Demoförbundet Räddningstjänst", 20.0, 7),
)


def generate_owner_follow_up(rng: np.random.Generator, config: DemoConfig) -> list[DemoFile]:
    """One file per year from 2016: the owner directives are revised organisation by
    organisation (most by 2018, a few later), annual reports follow within two years, and
    women's share of the board seats grows slowly."""
    years = [y for y in config.years if y >= OWNER_FOLLOW_UP_FIRST_YEAR]
    if not years:
        return []
    plans = []
    for _name, _share, _board in OWNER_ORGANISATIONS:
        directive_year = int(_pick(rng, (2016, 2017, 2018, 2019, 2020, 2030), (2, 3, 4, 1, 1, 1)))
        report_lag = int(_pick(rng, (0, 1, 2), (3, 5, 2)))
        board_women = int(rng.binomial(_board, 0.33))
        ceo_woman = bool(rng.random() < 0.35)
        plans.append((directive_year, report_lag, board_women, ceo_woman))
    files = []
    women_on_board = [plan[2] for plan in plans]
    for year in years:
        rows = []
        for index, ((name, share, board), (directive_year, lag, _, ceo_woman)) in enumerate(
            zip(OWNER_ORGANISATIONS, plans, strict=True)
        ):
            if year > years[0] and rng.random() < 0.3:
                women_on_board[index] = min(board, women_on_board[index] + 1)
            women_now = women_on_board[index]
            dialogue = rng.random() < (0.6 if year == 2016 else 0.85)
            rows.append(
                [
                    name,
                    format_number(share, " ", 1 if share != int(share) else 0),
                    "Ja" if year >= directive_year else "Nej",
                    "Ja" if year >= directive_year + lag else "Nej",
                    "Ja" if dialogue else "Nej",
                    str(women_now),
                    str(board - women_now),
                    "Kvinna" if ceo_woman else "Man",
                ]
            )
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(
            [list(OWNER_FOLLOW_UP_HEADERS), *rows]
        )
        content = buffer.getvalue().encode("utf-8-sig")
        files.append(DemoFile(f"owner_follow_up/{year}.csv", content, None, year, len(rows)))
    return files


# ----------------------------------------------------------------------------------------------
# Documentation of the generated data

_BAD_ROW_COLUMNS: tuple[str, ...] = ("file", "row", "column", "rule", "value", "note")


def bad_rows_csv(bad_rows: Sequence[BadRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_BAD_ROW_COLUMNS)
    for bad in sorted(bad_rows, key=lambda b: (b.file, b.row)):
        writer.writerow([bad.file, bad.row, bad.column, bad.rule, bad.value, bad.note])
    return buffer.getvalue().encode("utf-8")


def _markdown_cell(text: str) -> str:
    shown = text.replace("\u00a0", "␣").replace("\n", "↵").replace("|", "\\|")
    return f"`{shown}`" if shown else "(empty)"


def _bad_rows_table(bad_rows: Sequence[BadRow]) -> list[str]:
    lines = [
        "| file | row | column | rule | value as written | note |",
        "|---|---:|---|---|---|---|",
    ]
    for bad in sorted(bad_rows, key=lambda b: (b.file, b.row)):
        lines.append(
            f"| {bad.file} | {bad.row} | {bad.column} | `{bad.rule}`: "
            f"{RULE_DESCRIPTIONS[bad.rule]} | {_markdown_cell(bad.value)} | {bad.note} |"
        )
    return lines


def bad_rows_markdown(bad_rows: Sequence[BadRow]) -> str:
    lines = [
        "# Deliberately bad rows in the demo data",
        "",
        "FICTITIOUS DATA. Each row below breaks exactly one row-level rule of the data contract",
        "(§1.5) and must be quarantined by the import; every other row is valid. `row` is the",
        "spreadsheet row number (header = row 1; blank rows above the header count; a quoted",
        "field with a line break stays one row). For a duplicated case id the later row is the bad",
        "one: the first occurrence is valid. The same list is in `BAD_ROWS.csv`.",
        "",
        *_bad_rows_table(bad_rows),
        "",
    ]
    return "\n".join(lines)


_PUBLISHED_FIGURES: tuple[str, ...] = (
    "Nationally, firms with a woman as manager are about 30 % of firms but received about 14 % "
    "of regional investment support (Jämställdhetsmyndigheten).",
    "Nationally 2009–2011, firms run by men were granted 1.4 bn SEK of regional business "
    "support, firms run by women 116 MSEK.",
    "Sole traders 2008–2010: women 23 % of applicants; 79 % of women's and 85 % of men's "
    "applications approved.",
    "Business owners in Sweden 2016: 465 300, 31 % women; about 8 500 in Jämtland.",
    "Jämtland, one year of the late 2010s, granted MSEK: investment support 72.1, promotion "
    "support 5.9, transport support 46.5, commercial service 5.6, project funds 56.7; "
    "regional investment support in Jämtland 2014: 62 MSEK.",
    "Region Jämtland Härjedalen's regional development money at the time: about 114 MSEK a "
    "year, of which about 41 MSEK project co-financing and about 70 MSEK business support; "
    "company-development grants at most 1.5 MSEK over three years.",
)

_TARGETS: tuple[str, ...] = (
    "Business support: 150–250 decisions (granted + rejected) a year plus 2–4 % withdrawn "
    "cases; 60–90 MSEK granted a year, investment support the largest part and transport "
    "grants second, then business development (many small grants), commercial service, seed "
    "financing and other support.",
    "About 30 % of applicants women-led, receiving about 12–20 % of the investment support "
    "through smaller amounts and an industry mix weighted towards services.",
    "Approval about 79 % for women-led and 85 % for men-led firms; young foreign-born women "
    "are approved clearly less often than the main effects alone give (a planted "
    "intersectional effect for the MAIHDA analysis to find; to make the stratum visible at "
    "all, young foreign-born women are over-represented about threefold among CEOs).",
    "CEO sex missing in about 8 % of cases; about 11 % of CEOs foreign-born; CEO age about "
    "8 % under 30, 45 % 30–49, 37 % 50–64, 10 % 65 or older; Östersund about 45 % of cases.",
    "Project support: 40–70 decisions and 40–60 MSEK granted a year; municipalities and the "
    "region the most common owners; about 55 % women project managers; the equality routine "
    "introduced in 2016 (about 10 % of cases before, 60–85 % after) and equality assessments "
    "improving after it.",
)


def readme(config: DemoConfig, files: Sequence[DemoFile], bad_rows: Sequence[BadRow]) -> str:
    data_files = [f for f in files if f.fmt is not None and f.year is not None]
    command = (
        f"python tools/generate_demo_data.py --seed {config.seed} --out data/raw "
        f"--first-year {config.first_year} --last-year {config.last_year}"
    )
    lines = [
        "# Demo input data — FICTITIOUS / PÅHITTADE UPPGIFTER",
        "",
        "**SVENSKA: Alla uppgifter i den här mappen är PÅHITTADE.** De är skapade av",
        f"`tools/generate_demo_data.py` med slumpfrö (seed) {config.seed} och kalibrerade mot",
        "publicerade sammanställningar (se nedan). Organisations- och personnummer är slumpade",
        "nummer som klarar kontrollsiffran (Luhn); likhet med en verklig organisation eller",
        "person är en slump. Inga ärenden, belopp eller personer är verkliga.",
        "",
        "**ENGLISH: All data in this folder are FICTITIOUS.** They were generated by",
        f"`tools/generate_demo_data.py` with seed {config.seed}, calibrated to published",
        "aggregate figures (below). Organisation and personal identity numbers are random",
        "Luhn-valid numbers; any match with a real organisation or person is coincidental.",
        "No case, amount or person is real. Project owners that are public bodies of the",
        "region (its municipalities, the region, state agencies, the university) carry their",
        "real names so that breakdowns by owner look familiar, but every project, amount and",
        "identifier attached to them is invented.",
        "",
        "Regenerate (byte-identical; the tests check that this folder equals a fresh run):",
        "",
        "```",
        command,
        "```",
        "",
        "## Published figures the demo is calibrated to",
        "",
        "As compiled in the project's domain notes:",
        "",
        *[f"- {figure}" for figure in _PUBLISHED_FIGURES],
        "",
        "The generated data aim at:",
        "",
        *[f"- {target}" for target in _TARGETS],
        "",
        "## Files and the export formats they exercise",
        "",
        "One file per source and decision year, as the data contract lays out. `BAD_ROWS.md`,",
        "`BAD_ROWS.csv` and this README are documentation, not input; `.gitattributes` keeps",
        "git from converting line endings, so the files stay byte-identical to a fresh run.",
        "",
        "| file | data rows | format |",
        "|---|---:|---|",
    ]
    for demo_file in data_files:
        assert demo_file.fmt is not None and demo_file.year is not None
        described = "; ".join(describe_format(demo_file.fmt, demo_file.year))
        lines.append(f"| {demo_file.path} | {demo_file.rows} | {described} |")
    lines += [
        "",
        "Across files: label variants of data contract §1.6 are mixed (for example",
        "`Regionalt investeringsstöd` and `Investeringsstöd`; `Beviljat`, `Beviljad`, `Bifall`;",
        "`Avslag`, `Avslaget`; `Kvinna`, `K`, `Man`, `M`); SNI codes are written as `56100`,",
        "`56.100`, `56.10`, `5610` or `56`, about 5 % missing; organisation numbers with or",
        "without a hyphen, and sole traders' personal identity numbers as `YYMMDD-NNNN` or",
        "`YYYYMMDDNNNN`; `Ägarandel kvinnor (%)` is filled from 2018 only; expected new jobs",
        "(`1,5`) only for granted investment and business development cases; project titles",
        "contain quotes and commas. Withdrawn cases (`Återtaget`, `Avskrivet`, `Återtagen`) are",
        "valid rows: the import counts them apart, it does not quarantine them.",
        "",
        *_owner_follow_up_readme(files),
        "## Deliberately bad rows",
        "",
        f"{len(bad_rows)} rows each break one different rule of data contract §1.5 and must be",
        "quarantined; every other row is valid. Row numbers count as a spreadsheet does",
        "(header = row 1, blank rows above the header included, a quoted field with a line",
        "break is one row). For the duplicated case id the later row is the bad one. The same",
        "list is in `BAD_ROWS.md` and, machine-readable, in `BAD_ROWS.csv`.",
        "",
        *_bad_rows_table(bad_rows),
        "",
    ]
    return "\n".join(lines)


def _owner_follow_up_readme(files: Sequence[DemoFile]) -> list[str]:
    owner_files = [f for f in files if f.path.startswith("owner_follow_up/")]
    if not owner_files:
        return []
    lines = [
        "## Follow-up of owned companies and member organisations",
        "",
        "`owner_follow_up/<YEAR>.csv` (optional input, from 2016; UTF-8 with BOM, `;`, CRLF):",
        "one row per fictitious organisation (`Demobolaget …`, `Demoförbundet …`) with its",
        "ownership or membership share, whether its owner directive covers gender equality with",
        "an intersectional perspective, whether its annual report reports the equality work,",
        "whether it took part in the region's dialogues (`Ja`/`Nej`), the women and men on its",
        "board and the CEO's sex. Directives are revised organisation by organisation (most by",
        "2018, a few later); annual reports follow within two years. No row is broken on purpose.",
        "",
        "| file | data rows |",
        "|---|---:|",
        *[f"| {f.path} | {f.rows} |" for f in owner_files],
        "",
    ]
    return lines


def write_demo_data(out_dir: Path, config: DemoConfig = DemoConfig()) -> DemoData:
    """Generate the demo data and write it below `out_dir`, overwriting files of the same name."""
    data = generate(config)
    for demo_file in data.files:
        target = out_dir / demo_file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(demo_file.content)
    return data

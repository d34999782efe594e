"""Names of the workflow's outputs, importable without pandas or matplotlib.

The Snakefile needs these names to build its job graph on every run; keeping them here (and
checking in tests that they match what the code produces) keeps a no-op rerun fast. Table names
come from the catalogue.
"""

from __future__ import annotations

from rtp_eval.catalog import BUSINESS_DIMENSIONS, PROJECT_DIMENSIONS, TABLES

# Case tables of the gender breakdown: built unsuppressed, then protected together.
GENDER_CASE_TABLES: tuple[str, ...] = (
    "business_support_by_gender",
    *(f"business_support_by_gender_and_{d}" for d in BUSINESS_DIMENSIONS),
    "project_support_by_gender",
    *(f"project_support_by_gender_and_{d}" for d in PROJECT_DIMENSIONS),
    "project_support_equality",
)
# Computed from the protected main tables.
GENDER_COMPARISON_TABLES: tuple[str, ...] = (
    "approval_rate_difference",
    "business_support_by_gender_period_change",
    "project_support_by_gender_period_change",
    "project_support_equality_period_change",
)
GENDER_TABLES: tuple[str, ...] = (*GENDER_CASE_TABLES, *GENDER_COMPARISON_TABLES)

GENDER_FIGURES: tuple[str, ...] = (
    "amount_share_leadership",
    "amount_share_ownership",
    "approval_rate_leadership",
    "grant_size_leadership",
    "expected_jobs",
)

STRATA_TABLE = "intersectional_business_support"
INTERSECTIONAL_TABLES: tuple[str, ...] = (
    STRATA_TABLE,
    "intersectional_model_summary",
    "intersectional_model_strata",
)

INTERSECTIONAL_FIGURES: tuple[str, ...] = (
    "intersectional_approval",
    "intersectional_representation",
)

AUDIT_TABLE = "disclosure_audit"
# Every published table, in the order of the bundle.
PUBLISHED_TABLES: tuple[str, ...] = tuple(TABLES)

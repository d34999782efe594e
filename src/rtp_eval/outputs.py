"""Names of the workflow's outputs, importable without pandas or matplotlib.

The Snakefile needs these names to build its job graph on every run; keeping them here (and
checking in tests that they match what the code produces) keeps a no-op rerun fast.
"""

from __future__ import annotations

GENDER_TABLES: tuple[str, ...] = (
    "business_support_by_gender",
    "business_support_by_gender_and_programme_area",
    "business_support_by_gender_and_industry",
    "business_support_by_gender_and_area",
    "project_support_by_gender",
    "project_support_by_gender_and_programme_area",
    "project_support_by_gender_and_area",
    "project_support_equality",
    "approval_rate_difference",
    "business_support_by_gender_period_change",
    "project_support_by_gender_period_change",
    "project_support_equality_period_change",
)

GENDER_FIGURES: tuple[str, ...] = (
    "amount_share_leadership",
    "amount_share_ownership",
    "approval_rate_leadership",
    "grant_size_leadership",
    "expected_jobs",
)

INTERSECTIONAL_TABLES: tuple[str, ...] = (
    "intersectional_business_support",
    "intersectional_model_summary",
    "intersectional_model_strata",
)

INTERSECTIONAL_FIGURES: tuple[str, ...] = (
    "intersectional_approval",
    "intersectional_representation",
)

"""The configuration as the rules and scripts use it: settings objects from its sections, and
the fingerprints of the code and the configuration that the report states.

The keys, their defaults and the check at start-up are in `rtp_eval.settings`.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from rtp_eval.settings import Classifications, Limits, ValidationRules, section

if TYPE_CHECKING:
    # Only the indicators file is checked against a JSON schema (rtp_eval.goals_config); the
    # rule steps that read the settings need not load jsonschema.
    import jsonschema

    from rtp_eval.classify import ClassificationSettings
    from rtp_eval.reading import ReadLimits
    from rtp_eval.validation import ValidationSettings

PACKAGE_DIR = Path(__file__).resolve().parent


def load_schema(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _explain(error: jsonschema.ValidationError) -> str:
    """A short plain-language message for the most relevant schema error (the indicators file)."""
    # The schema node is a mapping for every validator the indicators schema uses.
    node = error.schema if isinstance(error.schema, Mapping) else {}
    if error.validator == "additionalProperties":
        allowed = sorted(node.get("properties", {}))
        instance = error.instance if isinstance(error.instance, Mapping) else {}
        unexpected = sorted(set(instance) - set(allowed))
        hint = f"; allowed keys are: {', '.join(allowed)}" if allowed else ""
        return f"unknown key(s) {', '.join(repr(u) for u in unexpected)}{hint}"
    if error.validator == "required":
        return error.message.replace("is a required property", "is missing")
    if error.validator == "propertyNames":
        return f"{error.instance!r} is not a valid key here ({error.message})"
    if error.validator == "pattern":
        expected = node.get("description", f"pattern {error.validator_value}")
        return f"{error.instance!r} does not have the expected form: {expected}"
    described = node.get("description")
    message = f"{error.message}"
    return f"{message} ({described})" if described else message


def validation_settings(config: Mapping[str, Any], year: int, today: dt.date) -> ValidationSettings:
    from rtp_eval.validation import ValidationSettings

    rules = section(ValidationRules, config.get("validation"))
    as_of = rules.as_of_date
    return ValidationSettings(
        file_year=year,
        as_of_date=dt.date.fromisoformat(as_of) if as_of else today,
        max_amount_sek=rules.max_amount_sek,
        min_ceo_age=rules.min_ceo_age,
        max_ceo_age=rules.max_ceo_age,
    )


def read_limits(config: Mapping[str, Any]) -> ReadLimits:
    """The configured `limits:` on raw files."""
    from rtp_eval.reading import ReadLimits

    limits = section(Limits, config.get("limits"))
    return ReadLimits(
        max_file_mb=limits.max_file_mb,
        max_xlsx_uncompressed_mb=limits.max_xlsx_uncompressed_mb,
        max_columns=limits.max_columns,
        max_line_kb=limits.max_line_kb,
    )


def file_years(config: Mapping[str, Any]) -> tuple[int, int]:
    """The years a raw file may be named after (`limits: file_years`)."""
    first, last = section(Limits, config.get("limits")).file_years
    return first, last


def classification_settings(config: Mapping[str, Any]) -> ClassificationSettings:
    from rtp_eval.classify import ClassificationSettings

    settings = section(Classifications, config.get("classifications"))
    low, high = settings.ownership_balance_pct
    return ClassificationSettings(
        balance_low_pct=float(low),
        balance_high_pct=float(high),
        age_breaks=tuple(settings.age_breaks),
        company_size_breaks=tuple(settings.company_size_breaks),
        area_groups={name: tuple(codes) for name, codes in settings.areas.groups.items()},
        default_area=settings.areas.default,
    )


def package_fingerprint(package_dir: Path = PACKAGE_DIR) -> str:
    """Hash of the package's code and templates: a rule param, so code edits rerun rules."""
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".html", ".css", ".j2", ".js", ".yaml", ".md"}:
            digest.update(path.relative_to(package_dir).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# Package data a module reads at run time: part of its code.
PACKAGE_DATA = {"report.py": ("templates",)}


def module_closure(script: Path, package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """The package's files that `script` imports, directly or through each other.

    Read from the import statements (also those inside functions); the package imports nothing
    dynamically. Each module's package data (`PACKAGE_DATA`) counts as part of it.
    """
    package = package_dir.name
    found = {package_dir / "__init__.py"}
    todo = [script, package_dir / "__init__.py"]
    while todo:
        for name in imported_names(todo.pop().read_text(encoding="utf-8")):
            parts = name.split(".")
            if parts[0] != package or len(parts) < 2:
                continue
            path = package_dir.joinpath(*parts[1:]).with_suffix(".py")
            if path.is_file() and path not in found:
                found.add(path)
                todo.append(path)
    for module, folders in PACKAGE_DATA.items():
        if package_dir / module in found:
            for folder in folders:
                found.update(p for p in (package_dir / folder).rglob("*") if p.is_file())
    return sorted(found)


@functools.lru_cache(maxsize=512)
def imported_names(source: str) -> tuple[str, ...]:
    """Every absolute module name a module's source imports, and each `from m import x` also as
    `m.x` (x may be a submodule). Cached by source text: the workflow fingerprints each of its
    rules at start-up, and most rules share most modules."""
    import ast

    names: list[str] = []
    # Imports are statements: walking statement bodies only skips the expressions, most nodes.
    todo: list[ast.AST] = [ast.parse(source)]
    while todo:
        node = todo.pop()
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            block = getattr(node, field, None)
            if isinstance(block, list):
                todo.extend(block)
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
            names.extend(f"{node.module}.{a.name}" for a in node.names)
    return tuple(names)


def code_fingerprint(script: Path, package_dir: Path = PACKAGE_DIR) -> str:
    """Hash of the package code a rule script runs: a rule param, so that an edit reruns the
    rules that use the edited module and no others (the script itself Snakemake tracks)."""
    digest = hashlib.sha256()
    for path in module_closure(script, package_dir):
        digest.update(path.relative_to(package_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def config_fingerprint(config: Mapping[str, Any]) -> str:
    """SHA-256 of the validated configuration (canonical JSON), stated in the report."""
    import json

    canonical = json.dumps(config, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def source_commit(repository: Path) -> str:
    """The git commit of the workflow's code (`-dirty` if tracked files were edited)."""
    import subprocess

    try:
        result = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=12"],
            cwd=repository,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "okänd (inte en git-arbetskopia)"
    return result.stdout.strip()

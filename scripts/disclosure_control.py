"""Snakemake step: disclosure control over every published case table together.

Reads the unsuppressed work tables of the gender breakdown and of the strata, protects them as
one system with `rtp_eval.protection` (which audits its result until it passes), and writes
what is computed from the protected cells: the published gender tables, the comparison tables
and the strata table with its shares and indexes. Also the primary suppressions (for the audit),
the list of every suppression and whether the models' counts of complete cases may be shown
(rule publish_model_results, which runs once the models are fitted, so that fitting and
protection run side by side).
"""

from pathlib import Path
from typing import Any

from rtp_eval.breakdown import BreakdownConfig, comparison_tables
from rtp_eval.classify import age_labels
from rtp_eval.intersectional import IntersectionalConfig, finish_table, read_baseline, table_areas
from rtp_eval.io import read_table, write_csv, write_json
from rtp_eval.outputs import STRATA_TABLE
from rtp_eval.protection import ProtectionRules, protect
from rtp_eval.runner import log, run_step


def main(snakemake: Any) -> None:
    params = snakemake.params
    rules = ProtectionRules.from_config(params.disclosure)
    config = BreakdownConfig.from_params(params.periods, params.disclosure)
    periods = {**config.periods}
    for label, (first, last) in (params.intersectional.get("periods") or {}).items():
        periods[str(label)] = (int(first), int(last))
    log.info("rules %s; periods %s", rules, periods)
    strata = IntersectionalConfig.from_params(
        params.intersectional, params.disclosure, age_labels(params.age_breaks)
    )
    works = {Path(p).stem: read_table(p, Path(p).stem) for p in snakemake.input.works}
    model_period = (params.intersectional.get("model") or {}).get("period")
    protection = protect(works, periods, rules, model_period, workers=snakemake.threads)
    log.info("%s; audited %d time(s)", protection.stats, protection.rounds)
    outputs = {Path(p).stem: p for p in snakemake.output.tables}
    published = protection.published
    for name, path in outputs.items():
        if name in published and name != STRATA_TABLE:
            write_csv(published[name], path)
    for name, table in comparison_tables(published, config).items():
        write_csv(table, outputs[name])
    for name, frame in published.items():
        log.info(
            "%s: %d rows, %d with suppressed cells",
            name,
            len(frame),
            int(frame["suppressed"].sum()),
        )
    baseline = read_baseline(snakemake.input.baseline)
    areas = table_areas(works[STRATA_TABLE])
    strata_table = finish_table(published[STRATA_TABLE], areas, baseline, strata)
    write_csv(strata_table, outputs[STRATA_TABLE])
    write_csv(
        finish_table(works[STRATA_TABLE], areas, baseline, strata), snakemake.output.strata_work
    )
    hide_counts = STRATA_TABLE in protection.hidden_case_counts
    write_json({"hide_case_counts": hide_counts}, snakemake.output.model_counts)
    log.info("model counts of complete cases %s", "hidden" if hide_counts else "shown")
    write_csv(protection.primaries, snakemake.output.primaries)
    write_csv(protection.log, snakemake.output.suppressions)


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821

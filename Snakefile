# rtp-eval: gender-equality evaluation of a regional growth programme (RTP).
# Run `snakemake --cores 4`; see README.md.

from snakemake.utils import min_version

min_version("9.0")


# The region's own values; every other key defaults from rtp_eval.settings (common.smk).
configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/import.smk"
include: "workflow/rules/gender.smk"
include: "workflow/rules/intersectional.smk"
include: "workflow/rules/disclosure.smk"
include: "workflow/rules/goals.smk"
include: "workflow/rules/report.smk"
# Last: publishing collects what the rules above write into the edition folder.
include: "workflow/rules/publish.smk"


rule all:
    default_target: True
    input:
        rules.combine_import_quality.output,
        rules.release_report.output,
        rules.publish_bundle.output,
        rules.publish_dcat.output,
        rules.disclosure_audit.output,
        rules.intersectional.output,
        rules.indicators.output,

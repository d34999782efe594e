# Publishing: the archive of every edition, each edition's revisions against the one before,
# and the website folder site/ (`snakemake publish`; not part of the default target).
#
# Earlier editions are folders below the reports path that no rule of this run writes. They are
# found once, when the workflow is loaded, and every file of theirs a rule reads is declared as
# its input: a new, changed or removed edition reruns exactly the rules that read it, and a rerun
# with nothing changed plans no job. Included last, so that every rule writing into the current
# edition's folder is known.

import re

from rtp_eval.editions import (
    ARCHIVE_FILE,
    REVISIONS_CSV,
    REVISIONS_PAGE,
    bundle_files,
    current_edition_files,
    discover_editions,
    edition_file_lists,
    previous_edition,
    site_path,
)

SITE = Path("site")
REPORTS_DIR = Path(REPORTS)
EDITIONS = discover_editions(REPORTS_DIR, EDITION)
PREVIOUS_EDITION = {
    edition: previous_edition(EDITIONS, edition) for edition in EDITIONS
}
CURRENT_EDITION_FILES, NOT_WEBSITE_FILES = current_edition_files(
    (
        str(f)
        for rule in workflow.rules
        for f in rule.output
        if not f.contains_wildcard()
    ),
    REPORTS_DIR / EDITION,
)
for not_website_file in NOT_WEBSITE_FILES:
    logger.warning(f"Not published (not a website file): {not_website_file}")
EDITION_FILES = edition_file_lists(
    EDITIONS, EDITION, CURRENT_EDITION_FILES, REPORTS_DIR
)
ARCHIVE = (REPORTS_DIR / ARCHIVE_FILE).as_posix()
# The website: the archive page and every edition's files, at the same places below site/.
WEBSITE_FILES = [f for edition in EDITIONS for f in EDITION_FILES[edition]]


rule edition_revisions:
    input:
        tables=lambda wildcards: bundle_files(EDITION_FILES, wildcards.edition),
        previous_tables=lambda wildcards: bundle_files(
            EDITION_FILES, PREVIOUS_EDITION[wildcards.edition]
        ),
    output:
        html=f"{REPORTS_DIR.as_posix()}/{{edition}}/{REVISIONS_PAGE}",
        csv=f"{REPORTS_DIR.as_posix()}/{{edition}}/{REVISIONS_CSV}",
    log:
        "logs/publish/edition_revisions_{edition}.log",
    benchmark:
        f"{RESULTS}/benchmarks/publish/edition_revisions_{{edition}}.tsv"
    wildcard_constraints:
        edition="|".join(re.escape(edition) for edition in EDITIONS),
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        previous=lambda wildcards: PREVIOUS_EDITION[wildcards.edition],
        report=config["report"],
        region=config["region"]["name"],
        demo=config["demo"],
        code=code_version("edition_revisions.py"),
    script:
        "../../scripts/edition_revisions.py"


rule edition_archive:
    input:
        files=WEBSITE_FILES,
    output:
        html=ARCHIVE,
    log:
        "logs/publish/edition_archive.log",
    benchmark:
        f"{RESULTS}/benchmarks/publish/edition_archive.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        editions=EDITIONS,
        report=config["report"],
        region=config["region"]["name"],
        demo=config["demo"],
        code=code_version("edition_archive.py"),
    script:
        "../../scripts/edition_archive.py"


rule publish:
    input:
        archive=ARCHIVE,
        files=WEBSITE_FILES,
    output:
        archive=site_path(ARCHIVE, REPORTS_DIR, SITE),
        files=[site_path(f, REPORTS_DIR, SITE) for f in WEBSITE_FILES],
    log:
        "logs/publish/publish.log",
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    params:
        code=code_version("publish_site.py"),
    script:
        "../../scripts/publish_site.py"

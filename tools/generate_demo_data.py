"""Write the fictitious demo input data (business and project support exports) to a folder.

python tools/generate_demo_data.py --seed 20161101 --out data/raw
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# Run as a script, the folder on the path is tools/; the generators import each other as the
# package `tools`, which lives in the repository's root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.demo import DEFAULT_SEED, DemoConfig, write_demo_data
from tools.national_demo import NATIONAL_SEED, NationalConfig, write_national_data


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument("--out", type=Path, default=Path("data/raw"), help="output folder")
    parser.add_argument("--first-year", type=int, default=2012, help="first decision year")
    parser.add_argument("--last-year", type=int, default=2021, help="last decision year")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply case counts and money (load tests)"
    )
    parser.add_argument(
        "--national",
        type=int,
        metavar="DECISIONS_PER_YEAR",
        default=None,
        help="write national data for all 21 counties instead (scale benchmarks)",
    )
    args = parser.parse_args(argv)
    if args.first_year > args.last_year:
        parser.error("--first-year must not be after --last-year")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.national is not None:
        national = NationalConfig(
            decisions_per_year=args.national,
            first_year=args.first_year,
            last_year=args.last_year,
            seed=NATIONAL_SEED if args.seed == DEFAULT_SEED else args.seed,
        )
        manifest = write_national_data(args.out, national)
        bad = sum(entry["bad_rows"] for entry in manifest.values())
        print(f"wrote {len(manifest)} national files to {args.out} ({bad} deliberately bad rows)")
        return 0
    config = DemoConfig(
        seed=args.seed, first_year=args.first_year, last_year=args.last_year, scale=args.scale
    )
    data = write_demo_data(args.out, config)
    print(
        f"wrote {len(data.files)} files to {args.out} ({len(data.bad_rows)} deliberately bad rows)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

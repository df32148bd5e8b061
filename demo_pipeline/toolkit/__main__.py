"""`python -m demo_pipeline.toolkit <pipeline.yaml> --date YYYY-MM-DD --workdir build`:
run one pipeline file for one business date and print the rows per stage."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from demo_pipeline.errors import DemoPipelineError
from demo_pipeline.toolkit.runner import run_pipeline_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo_pipeline.toolkit", description=__doc__)
    parser.add_argument("pipeline", type=Path, help="a pipeline file (config/pipelines/*.yaml)")
    parser.add_argument("--date", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--workdir", type=Path, default=Path("build"))
    parser.add_argument("--base-url", help="the API extractor's base URL, replacing the file's")
    args = parser.parse_args(argv)
    try:
        run = run_pipeline_file(args.pipeline, args.date, args.workdir, base_url=args.base_url)
    except DemoPipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    summary = {"extracted": run.extracted, "transformed": run.transformed, "loaded": run.loaded}
    print(json.dumps({"pipeline": run.name, "date": str(run.business_date), **summary}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The child side of `harness.run_job`: `python -m demo_pipeline.bench.worker JOB IN OUT`.

It runs one job function from a benchmark module with the parameters in IN and writes
its JSON-able result to OUT. The parent has already set the thread variables; here we
apply the ones that must be set in code before any engine does work.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

ALLOWED_PACKAGE = "demo_pipeline.bench."


def main(argv: list[str]) -> int:
    job, params_path, out_path = argv
    module_name, _, function_name = job.partition(":")
    if not module_name.startswith(ALLOWED_PACKAGE) or not function_name:
        print(f"job {job!r}: expected 'demo_pipeline.bench.<module>:<function>'", file=sys.stderr)
        return 2
    threads = int(os.environ.get("BENCH_THREADS", "1"))
    params = json.loads(Path(params_path).read_text(encoding="utf-8"))
    function = getattr(importlib.import_module(module_name), function_name)
    result = function(params, threads)
    Path(out_path).write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Structured run logs: one JSON event per line in `<workdir>/logs/<run_id>.jsonl`,
and readable progress on the terminal (rich).

Every event carries the run id; stages add `stage`, `source`/`table`, `rows` and
`duration_s`. Use `RunLog.stage(...)` to time a block.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console

from demo_pipeline.workdir import run_log_file


class RunLog:
    """Append-only JSON-lines log of one run, echoed to the console."""

    def __init__(self, log_dir: Path, run_id: str, *, console: Console | None = None) -> None:
        self.run_id = run_id
        self.path = run_log_file(Path(log_dir), run_id)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.console = console
        self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def event(self, event: str, *, level: str = "info", **fields: Any) -> None:
        record = {
            "ts": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "level": level,
            "run_id": self.run_id,
            "event": event,
            **{k: v for k, v in fields.items() if v is not None},
        }
        self._fh.write(json.dumps(record, default=str) + "\n")
        self._fh.flush()
        if self.console is not None:
            detail = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
            style = {"warning": "yellow", "error": "bold red"}.get(level, "dim")
            self.console.print(f"[{style}]{event}[/] {detail}", highlight=False)

    @contextmanager
    def stage(self, stage: str, **fields: Any) -> Iterator[dict[str, Any]]:
        """Time a stage; the caller may add `rows` etc. to the yielded dict."""
        extra: dict[str, Any] = {}
        start = time.perf_counter()
        self.event("stage.start", stage=stage, **fields)
        try:
            yield extra
        except Exception as exc:
            self.event(
                "stage.failed",
                level="error",
                stage=stage,
                duration_s=round(time.perf_counter() - start, 4),
                error=str(exc),
                **fields,
            )
            raise
        self.event(
            "stage.done",
            stage=stage,
            duration_s=round(time.perf_counter() - start, 4),
            **fields,
            **extra,
        )

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> RunLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

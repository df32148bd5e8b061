"""Everything one benchmark needs to run, handed over by the runner."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from demo_pipeline.bench.harness import ProcessOutcome, run_job

if TYPE_CHECKING:  # benchmark modules are imported by the job processes too: keep them light
    from demo_pipeline.bench.dataset import BenchDataset
    from demo_pipeline.bench.profiles import Profile


@dataclass(frozen=True)
class BenchContext:
    dataset: BenchDataset
    profile: Profile
    threads: int
    scratch: Path  # a folder the benchmark may fill; the runner removes it afterwards

    def job(
        self, job: str, params: dict[str, Any], *, threads: int | None = None
    ) -> ProcessOutcome:
        """Run a job in a fresh process with this run's thread count and timeout."""
        return run_job(
            job,
            params,
            threads=self.threads if threads is None else threads,
            scratch=self.scratch / "jobs",
            timeout_s=self.profile.job_timeout_s,
        )

    def timing_params(self) -> dict[str, Any]:
        return {"warmups": self.profile.warmups, "repetitions": self.profile.repetitions}

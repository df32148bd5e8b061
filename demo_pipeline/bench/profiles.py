"""The three profiles: how much work a `bench` run does.

* quick   - seconds: keeps only the first two business days of the gold tables, the
            `pipeline` benchmark generates and runs a seven-day scale-0.02 estate, and
            `scale_out` builds one scale-0.02 day with Polars only (no JVM); for tests and
            CI. Its figures say nothing about performance; they prove the machinery works.
* default - the workdir's full gold data, 1 warm-up + 5 runs, the `pipeline` benchmark
            at scale 1, and `scale_out` with both engines at scales 0.1, 1 and 10 (Spark
            with both tunings); about 25 minutes on 2 cores, most of it Spark's.
* full    - the same data with more repetitions (tighter medians), the `pipeline`
            benchmark at scales 1 and 10 and `scale_out` up to scale 30, for a quiet
            machine.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from demo_pipeline.config import BenchConfig
from demo_pipeline.errors import BenchmarkError


@dataclass(frozen=True)
class Profile:
    name: str
    warmups: int
    repetitions: int
    memory_repetitions: int  # fresh processes per engine for the peak-RSS job
    max_days: int | None  # keep the first N business days of the data (None = all)
    job_timeout_s: float
    postgres: bool  # try to start a PostgreSQL server
    pipeline_scales: tuple[float, ...]  # estate scales the `pipeline` benchmark generates and runs
    pipeline_days: int | None  # business days of each of those estates (None = the config's)
    scale_out_scales: tuple[float, ...]  # estate scales `scale_out` builds with each engine
    scale_out_days: int  # business days per scale_out estate (an initial load, then changes)
    scale_out_engines: tuple[str, ...]  # scale_out.VARIANTS to run; quick starts no JVM


PROFILES: dict[str, Profile] = {
    "quick": Profile(
        name="quick",
        warmups=1,
        repetitions=2,
        memory_repetitions=1,
        max_days=2,
        job_timeout_s=120,
        postgres=True,
        pipeline_scales=(0.02,),
        # Past day 5, so that memory growth against day 5 is still measured.
        pipeline_days=7,
        scale_out_scales=(0.02,),
        scale_out_days=1,
        scale_out_engines=("polars",),
    ),
    "default": Profile(
        name="default",
        warmups=1,
        repetitions=5,
        memory_repetitions=2,
        max_days=None,
        job_timeout_s=600,
        postgres=True,
        pipeline_scales=(1.0,),
        pipeline_days=None,
        scale_out_scales=(0.1, 1.0, 10.0),
        scale_out_days=2,
        scale_out_engines=("polars", "spark", "spark_throughput"),
    ),
    "full": Profile(
        name="full",
        warmups=2,
        repetitions=10,
        memory_repetitions=5,
        max_days=None,
        job_timeout_s=3600,
        postgres=True,
        pipeline_scales=(1.0, 10.0),
        pipeline_days=None,
        scale_out_scales=(0.1, 1.0, 10.0, 30.0),
        scale_out_days=2,
        scale_out_engines=("polars", "spark", "spark_throughput"),
    ),
}


def get_profile(name: str, bench: BenchConfig) -> Profile:
    """The named profile; unknown names are an error listing the valid ones.

    The default profile takes its warm-ups and repetitions from the config's `bench`
    section, so a reader can ask for more runs without editing code.
    """
    try:
        profile = PROFILES[name]
    except KeyError:
        raise BenchmarkError(
            f"benchmark profile {name!r}: expected one of {', '.join(PROFILES)}"
        ) from None
    if name == "default":
        profile = replace(profile, warmups=bench.warmups, repetitions=bench.repetitions)
    return profile

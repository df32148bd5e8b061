"""The demo's configuration: one YAML file, parsed once into typed, validated models.

Every part of the pipeline receives the `DemoConfig` (or the section it needs) as an
argument. Nothing reads YAML a second time and nothing keeps a module-level config.
Unknown keys are errors, so a typo in the YAML is caught instead of silently ignored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from demo_pipeline.errors import ConfigError

# libyaml's safe loader where PyYAML was built with it (the wheels are): the same
# documents, parsed about seven times faster, which every command pays at start-up.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parent.parent / "config" / "demo.yaml"


# --8<-- [start:strict]
class _Strict(BaseModel):
    """Base for every config section: unknown keys are rejected, models are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    # --8<-- [end:strict]


class EstateConfig(_Strict):
    """Size and shape of the synthetic source estate. Scale 1 is the size of the
    production estate."""

    seed: int = Field(42, ge=0, description="One seed drives every random stream.")
    scale: float = Field(1.0, gt=0, le=1000, description="1 = 10,247 SKUs, 12 warehouses.")
    days: int = Field(30, ge=1, le=366, description="Simulated business days.")
    start_date: dt.date = Field(dt.date(2026, 11, 1), description="First business day.")
    skus_at_scale_1: int = Field(10_247, ge=1)
    warehouses_at_scale_1: int = Field(12, ge=1)
    suppliers_at_scale_1: int = Field(180, ge=1)
    customers_at_scale_1: int = Field(25_000, ge=1)
    orders_per_day_at_scale_1: int = Field(6_000, ge=1)
    peak_day: dt.date | None = Field(
        dt.date(2026, 11, 27), description="A Black-Friday-like demand peak (expected, seasonal)."
    )
    peak_multiplier: float = Field(3.0, ge=1)

    @property
    def end_date(self) -> dt.date:
        return self.start_date + dt.timedelta(days=self.days - 1)

    def business_days(self) -> list[dt.date]:
        return [self.start_date + dt.timedelta(days=i) for i in range(self.days)]

    def scaled(self, at_scale_1: int, minimum: int = 1) -> int:
        """A count at scale 1, scaled linearly and never below `minimum`."""
        return max(minimum, round(at_scale_1 * self.scale))

    @property
    def warehouses(self) -> int:
        # Warehouses scale too, but a retailer with fewer than 2 is not a demo.
        return max(2, round(self.warehouses_at_scale_1 * min(self.scale, 1) ** 0.5))


class ApiSourceConfig(_Strict):
    """The orders REST API that the pipeline starts on 127.0.0.1."""

    page_size: int = Field(500, ge=1, le=10_000)
    slow_response_seconds: float = Field(0.2, ge=0, description="Delay on a 'slow' fault day.")
    retry_after_seconds: int = Field(1, ge=0, description="Retry-After sent with 429/503.")


class ErpSourceConfig(_Strict):
    """The ERP database. SQLite by default; a SQLAlchemy-style URL may point elsewhere."""

    url: str | None = Field(None, description="None = the generated SQLite file.")


class SourcesConfig(_Strict):
    erp: ErpSourceConfig = ErpSourceConfig()
    api: ApiSourceConfig = ApiSourceConfig()


FaultKind = Literal[
    "schema_drift",
    "anomaly_spike",
    "source_outage",
    "transient_errors",
    "slow_responses",
    "late_orders",
    "duplicate_rows",
    "null_keys",
    "negative_quantities",
    "orphan_product_ids",
    "renamed_column",
]


class Scenario(_Strict):
    """One fault injected on a known day: the calendar is the answer key's source."""

    day: int = Field(ge=1, description="1-based day of the simulation.")
    kind: FaultKind
    source: Literal["erp", "api", "workbooks"]
    table: str
    params: dict[str, Any] = Field(default_factory=dict)


class RetryConfig(_Strict):
    """Retries for a flaky source. 1 min / 5 min / 15 min as in production, scaled by `scale`."""

    attempts: int = Field(3, ge=0, le=10, description="Retries after the first try.")
    delays_seconds: list[float] = Field([60, 300, 900])
    delay_scale: float = Field(0.0, ge=0, description="0 = no waiting (demo and tests).")
    jitter_seconds: float = Field(0.0, ge=0)
    timeout_seconds: float = Field(10.0, gt=0)


# --8<-- [start:threshold]
class RuleThreshold(_Strict):
    warn_above_pct: float = Field(0.0, ge=0, le=100)
    fail_above_pct: float = Field(5.0, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> RuleThreshold:
        if self.fail_above_pct < self.warn_above_pct:
            raise ValueError("fail_above_pct must be >= warn_above_pct")
        return self
        # --8<-- [end:threshold]


class AnomalyConfig(_Strict):
    zscore: float = Field(3.0, gt=0)
    iqr_multiplier: float = Field(1.5, gt=0)
    volatility_pct: float = Field(50.0, gt=0)
    baseline_days: int = Field(7, ge=2)


class ContractUpdate(_Strict):
    """A schema contract change a person accepts after a drift alert."""

    table: str
    version: int = Field(ge=1)
    applied_on_day: int = Field(ge=1, description="Run day on which the new contract lands.")


class QualityConfig(_Strict):
    rules: dict[str, RuleThreshold] = Field(default_factory=dict)
    default_rule: RuleThreshold = RuleThreshold()
    halt_on_rule_failure: bool = Field(
        False,
        description=(
            "True: a tier-2 rule failing above its fail threshold halts the table's whole "
            "batch (held in bronze). False (tier 2 as designed: warn, log, quarantine): the "
            "failure is reported, broken rows are quarantined and the good rows load. At "
            "small scales a fixed number of injected bad rows is a large share of a day, so "
            "halting would throw good data away."
        ),
    )
    anomaly: AnomalyConfig = AnomalyConfig()
    contract_updates: list[ContractUpdate] = Field(default_factory=list)
    expected_peaks: list[dt.date] = Field(default_factory=list)


class AlertsConfig(_Strict):
    webhook_url: str | None = Field(None, description="Slack-compatible webhook; None = file.")
    timeout_seconds: float = Field(5.0, gt=0)


class PipelineConfig(_Strict):
    retry: RetryConfig = RetryConfig()


class ScaleOutAssumptions(_Strict):
    """The machine and operation the `scale_out` benchmark extrapolates to: where one
    machine runs out, and how many Spark nodes of the same size would take over."""

    memory_gb: float = Field(64, gt=0, description="RAM of the one machine.")
    cores: int = Field(16, ge=1, description="Its cores (and those of each Spark node).")
    disk_tb: float = Field(4, gt=0, description="Disk for the lake.")
    retention_days: int = Field(365, ge=1, description="Days of data the lake keeps.")
    batch_window_h: float = Field(2, gt=0, description="Hours the daily build may take.")


class BenchConfig(_Strict):
    profile: Literal["quick", "default", "full"] = "default"
    repetitions: int = Field(5, ge=1)
    warmups: int = Field(1, ge=0)
    threads: int = Field(2, ge=1)
    scale_out: ScaleOutAssumptions = ScaleOutAssumptions()


class OutputConfig(_Strict):
    workdir: Path = Path("build")


class SparkConfig(_Strict):
    """Where `engine: spark` runs (`run --spark-master` overrides `master`)."""

    master: str = Field("local[*]", description="local[N], local[*] or spark://host:port.")
    shuffle_partitions: int = Field(4, ge=1, description="Spark SQL shuffle partitions.")
    tuning: Literal["small_batches", "throughput"] = Field(
        "small_batches",
        description="small_batches: the JVM's quick compiler only and no whole-stage code "
        "generation, for the many small jobs of the demo's volumes; throughput: Spark's "
        "defaults, which pay a compile cost per plan and per hot method and win it back on "
        "large batches.",
    )


class DemoConfig(_Strict):
    """The whole demo. `source_path` and `sha256` say which file it came from."""

    estate: EstateConfig = EstateConfig()
    sources: SourcesConfig = SourcesConfig()
    scenarios: list[Scenario] = Field(default_factory=list)
    pipeline: PipelineConfig = PipelineConfig()
    quality: QualityConfig = QualityConfig()
    alerts: AlertsConfig = AlertsConfig()
    bench: BenchConfig = BenchConfig()
    output: OutputConfig = OutputConfig()
    engine: Literal["polars", "spark"] = Field(
        "polars", description="Who computes silver and gold: Polars/DuckDB, or Apache Spark."
    )
    spark: SparkConfig = SparkConfig()
    source_path: Path | None = Field(None, exclude=True)
    sha256: str = Field("", exclude=True)

    @model_validator(mode="after")
    def _scenarios_inside_simulation(self) -> DemoConfig:
        for i, scenario in enumerate(self.scenarios):
            if scenario.day > self.estate.days:
                raise ValueError(
                    f"scenarios.{i}.day is {scenario.day} but the simulation has "
                    f"only {self.estate.days} days"
                )
        return self

    def with_overrides(self, **estate_overrides: Any) -> DemoConfig:
        """A copy with estate fields replaced (the CLI's --seed/--scale/--days).

        Scenarios beyond the new number of days are dropped, so `--days 7`
        still gives a valid calendar.
        """
        overrides = {k: v for k, v in estate_overrides.items() if v is not None}
        if not overrides:
            return self
        estate = self.estate.model_copy(update=overrides)
        data = self.model_dump()
        data["estate"] = estate.model_dump()
        data["scenarios"] = [s for s in data["scenarios"] if s["day"] <= estate.days]
        try:
            new = DemoConfig.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(_describe(exc, self.source_path or Path("<overrides>"))) from None
        return new.model_copy(update={"source_path": self.source_path, "sha256": new.fingerprint()})

    def fingerprint(self) -> str:
        """A hash of the effective configuration (recorded in every run manifest)."""
        payload = self.model_dump_json().encode()
        return hashlib.sha256(payload).hexdigest()


# --8<-- [start:describe]
def _describe(exc: ValidationError, path: Path) -> str:
    """One readable message per problem: file, key, what was expected, what was found."""
    lines = [f"invalid config {path}:"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "<top level>"
        found = err.get("input")
        if err["type"] == "extra_forbidden":
            expected = "no such key (check the spelling)"
        else:
            expected = err["msg"]
        lines.append(f"  key '{key}': expected {expected}; found {found!r}")
    return "\n".join(lines)
    # --8<-- [end:describe]


def load_config(path: Path | str | None = None) -> DemoConfig:
    """Read and validate the YAML config. Raises ConfigError with a clear message."""
    path = Path(path) if path is not None else DEFAULT_CONFIG_PATH
    if not path.is_file():
        raise ConfigError(f"config file {path} not found (expected a YAML file)")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"invalid config {path}: expected UTF-8 text; found byte 0x{exc.object[exc.start]:02x} "
            f"at offset {exc.start} (save the file as UTF-8)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror or exc}") from None
    try:
        raw = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid config {path}: not valid YAML ({exc})") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(
            f"invalid config {path}: expected a mapping at the top level; "
            f"found {type(raw).__name__}"
        )
    try:
        config = DemoConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None
    return config.model_copy(update={"source_path": path, "sha256": config.fingerprint()})

"""One error type per boundary. Messages name the file, table or key, what was
expected and what was found, so that the CLI can print them as they are."""


class DemoPipelineError(Exception):
    """Base of every error the demo raises on purpose."""


class ConfigError(DemoPipelineError):
    """The YAML config is missing, malformed or has an impossible value."""


class SourceError(DemoPipelineError):
    """A source system (ERP database, orders API, workbook) could not be read."""


class QualityError(DemoPipelineError):
    """A business rule failed above its 'fail' threshold, or rows were lost."""


class BenchmarkError(DemoPipelineError):
    """A benchmark produced a wrong answer or could not run."""


class LakeDamaged(DemoPipelineError):
    """A lake or gold file does not match what was written (truncated, corrupt, unreadable)."""

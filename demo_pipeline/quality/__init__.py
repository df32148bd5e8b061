"""Data quality: three tiers of checks, their results as data, and alerts.

- tier 1, schema contracts (blocking): a table whose batch breaks its contract halts;
- tier 2, business rules (warn, log, quarantine): failing rows go to quarantine;
- tier 3, statistical anomalies (flag and alert): the pipeline completes.
"""

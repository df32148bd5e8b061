"""The daily batch: extract -> bronze -> silver -> gold, one run record per business day."""

"""Silver: typed, cleaned, de-duplicated tables (contracts, rules, SCD2, conservation)."""

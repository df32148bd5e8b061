"""The benchmark suite: every performance claim in data/claims.yaml, measured on the demo's own
gold data, with answers cross-checked between engines and the environment recorded.

Entry points: `runner.run_bench` (the `bench` command) and `claims.print_claims` /
`claims.evaluate_claims` (the `claims` command and the site generators).
"""

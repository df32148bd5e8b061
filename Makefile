# Every target documents itself with '##'; `make` alone lists them.
# The first use creates .venv and installs the locked dependencies (the code runs
# from the checkout; it is not installed). Later runs reinstall only when
# pyproject.toml or requirements.lock change.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
WORKDIR ?= build
SCALE  ?= 1
PROFILE ?= default
ENGINE ?= polars
PORT   ?= 8000
CLI    := $(PY) -m demo_pipeline

.DEFAULT_GOAL := help
.PHONY: help install system-deps web lock generate run bench bench-generate claims site serve \
        deploy test test-spark-month test-site audit lint format clean

help: ## List every target with a one-line description
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11+ is required (found $$($(PYTHON) --version)); set PYTHON=python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml requirements.lock | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	@touch $@

install: $(STAMP) system-deps ## Create .venv and install locked dependencies and system tools
	@# The project's bytecode, as pip compiles an installed package's: every command starts
	@# from it, also where PYTHONDONTWRITEBYTECODE keeps Python from caching it (CI, many
	@# containers), which made each `generate` compile ~40 modules first (about 0.05 s).
	@$(PY) -m compileall -q demo_pipeline generators

system-deps: ## Check system tools (graphviz's dot, Java 17 for Spark, Pango for the CV's PDF), installing them with apt-get when possible
	@scripts/ensure-system-deps.sh dot:graphviz java:openjdk-17-jre-headless \
	  lib:libpango-1.0.so.0:libpango-1.0-0 lib:libpangoft2-1.0.so.0:libpangoft2-1.0-0

# The query page's DuckDB-WASM, pinned in web/package-lock.json: installed (and its ES module
# bundled by web/'s `prepare` script) again only when web/package.json or the lock changes.
WEB_STAMP := web/node_modules/.installed

$(WEB_STAMP): web/package.json web/package-lock.json
	@scripts/ensure-system-deps.sh node:nodejs npm:npm
	npm ci --silent --no-audit --no-fund --prefix web
	@touch $@

web: $(WEB_STAMP) ## Install DuckDB-WASM for the "Query the data" page (npm ci --prefix web)

lock: | $(PY) ## Re-resolve dependencies from pyproject.toml into requirements.lock
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet --upgrade pip
	.venv-lock/bin/pip install --quiet '.[bench,site,spark,dev]'
	.venv-lock/bin/pip freeze --exclude demo-pipeline | grep -v '^-e ' > requirements.lock
	rm -rf .venv-lock build/lib

generate: install ## Build the synthetic source estate (SCALE=1 by default)
	$(CLI) generate --scale $(SCALE) --workdir $(WORKDIR)

# `run` needs the estate; the pipeline never generates it. A missing estate is made
# here first; one made with other settings stops `run` with the command to remake it.
ESTATE := $(WORKDIR)/sources/ground_truth.json

$(ESTATE): | $(STAMP)
	$(CLI) generate --scale $(SCALE) --workdir $(WORKDIR)

# `run` exits 3 when a day is partial: the shipped scenario calendar's source outage
# makes one by design, so 3 is accepted here; 1, 2 and 4 (a day failed) stop make.
run: install $(ESTATE) ## Run the 30-day medallion pipeline on the estate (ENGINE=polars|spark; generated first if missing)
	$(CLI) run --scale $(SCALE) --workdir $(WORKDIR) --engine $(ENGINE) || test $$? -eq 3

# `bench` needs the gold layer; the bench never runs the pipeline. Missing gold is built
# here first, by `run`.
GOLD := $(WORKDIR)/gold/parquet/fact_sales.parquet

$(GOLD): | $(STAMP)
	$(MAKE) run

bench: install $(GOLD) ## Run the benchmark suite (PROFILE=quick|default|full; default: about 25 min on 2 cores, Spark included)
	$(CLI) bench --scale $(SCALE) --workdir $(WORKDIR) --profile $(PROFILE)

bench-generate: install ## Measure estate generation throughput and peak memory at scale 1 and 10
	$(PY) -m demo_pipeline.estate.bench_generate --workdir $(WORKDIR)

claims: install ## Judge data/claims.yaml against the benchmarks: claimed vs measured, verdict
	$(CLI) claims --workdir $(WORKDIR)

site: install web ## Build the portfolio site into site/ (pipeline, benchmarks, generators, mkdocs)
	$(PY) -m generators.build_site --workdir $(WORKDIR) --scale $(SCALE)

serve: site ## Preview the site live on http://127.0.0.1:8000 (PORT=8001 for another port)
	$(PY) -m generators.serve --port $(PORT)

deploy: site ## Publish site/ to GitHub Pages with mkdocs gh-deploy
	$(BIN)/mkdocs gh-deploy --force --dirty

# One worker per core (pytest-xdist); --dist loadscope keeps a module's tests on one worker,
# so a module's shared fixture (an estate, a run, a site build) is built once. Fixtures that
# several modules read are built once per run (tests/shared.py), and tests/conftest.py hands
# the modules out longest first, the ones that build those fixtures before the ones that
# read them. The slowest tests are listed at the end: where the suite's time goes, in every
# CI log.
test: install web ## Run the test suite (every core; the browser suite is `make test-site`)
	$(PY) -m pytest -m "not browser" -n auto --dist loadscope --durations=25

test-spark-month: install ## The whole 30-day month on Spark (local[2]) against Polars, every table compared (about 30 min)
	DEMO_SPARK_MONTH=1 $(PY) -m pytest -m spark tests/spark -k whole_month

test-site: install web ## Drive the built site in headless Chromium: pages, links, a11y, budgets
	@scripts/ensure-system-deps.sh chromium:chromium node:nodejs npm:npm
	npm ci --silent --no-audit --no-fund --prefix tests/site
	WORKDIR=$(WORKDIR) $(PY) -m pytest -m browser tests/site

audit: install ## Run Lighthouse over the key pages of the built site
	@scripts/ensure-system-deps.sh chromium:chromium node:nodejs npm:npm
	npm ci --silent --no-audit --no-fund --prefix tests/site
	CHROME_PATH=/usr/bin/chromium $(PY) -m tests.site.lighthouse --workdir $(WORKDIR)

lint: install ## Lint and check formatting with ruff, and the import layers with lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install ## Format the code and apply safe lint fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean: ## Remove build outputs (keeps .venv)
	rm -rf build site .pytest_cache

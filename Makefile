# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

LOCK := requirements.lock
UV_VERSION := 0.13.8

.PHONY: install lock demo test bench clean

# Installs exactly the versions in $(LOCK) (hash-checked), then ClinicWatch itself without
# resolving anything: every machine runs the same numpy/scipy/scikit-learn/Scrapy.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# Refresh the lock from pyproject.toml's ranges (newest versions PyPI has). Run it after editing the
# dependencies in pyproject.toml (tests/test_lockfile.py fails until you do), or to take upgrades.
lock:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	$(BIN)/uv pip compile pyproject.toml --extra test --generate-hashes --universal \
	  --python-version 3.11 --quiet -o $(LOCK)

demo: $(STAMP)  ## crawl the bundled demo web, classify, store, report, print where to look
	$(BIN)/clinicwatch demo

test: $(STAMP)  ## the whole test suite (real HTTP servers on 127.0.0.x, real SQLite, real datasette)
	$(BIN)/python -m pytest -q

# Benchmarks (print figures, assert nothing). Defaults: crawl_speed 2,000 pages on 20 hosts (bare Scrapy
# vs full pipeline), classifier_speed 200 pages x 10 KB per set, recrawl 1,500 pages on 5 hosts crawled
# twice, report_100k a 100,000-page DB, parallel_crawl 20 politeness-bound sites (sequential, local pool,
# 2-worker Dask cluster). Override e.g. `make bench BENCH_CRAWL_ARGS="--pages 500"`.
BENCH_DIR ?= out/bench
BENCH_CRAWL_ARGS ?=
BENCH_CLASSIFIER_ARGS ?=
BENCH_RECRAWL_ARGS ?=
BENCH_REPORT_ARGS ?=
BENCH_PARALLEL_ARGS ?=
BENCHMARKS := crawl_speed classifier_speed recrawl report_100k parallel_crawl

# $(call run_bench,name,args): run benchmarks/name.py, show its output, keep it in $(BENCH_DIR)/name.txt.
define run_bench
	@echo "== $(1) $(2)"
	@{ $(BIN)/python benchmarks/$(1).py $(2) 2>&1; echo $$? > $(BENCH_DIR)/$(1).rc; } | tee $(BENCH_DIR)/$(1).txt; \
	  rc=$$(cat $(BENCH_DIR)/$(1).rc); [ "$$rc" = 0 ] || { echo "benchmarks/$(1).py failed (exit $$rc)"; exit $$rc; }
	@echo
endef

bench: $(STAMP)  ## crawl speed (bare Scrapy vs pipeline), classifier speed, re-crawl cost, 100k-page report, parallel crawls
	@rm -rf $(BENCH_DIR) && mkdir -p $(BENCH_DIR)
	$(call run_bench,crawl_speed,$(BENCH_CRAWL_ARGS))
	$(call run_bench,classifier_speed,$(BENCH_CLASSIFIER_ARGS))
	$(call run_bench,recrawl,$(BENCH_RECRAWL_ARGS))
	$(call run_bench,report_100k,$(BENCH_REPORT_ARGS))
	$(call run_bench,parallel_crawl,$(BENCH_PARALLEL_ARGS))
	@echo "== summary (benchmark.name=value; outputs in $(BENCH_DIR)/)"
	@for b in $(BENCHMARKS); do \
	  awk -v b=$$b 'match($$0, /^[A-Za-z_][A-Za-z0-9_]*=/) { n = substr($$0, 1, RLENGTH - 1); \
	    v = substr($$0, RLENGTH + 1); sub(/  .*/, "", v); print b "." n "=" v }' $(BENCH_DIR)/$$b.txt; \
	done | tee $(BENCH_DIR)/summary.txt
	@echo
	@printf '%-18s %-44s %s\n' benchmark figure value
	@sed 's/\./ /; s/=/ /' $(BENCH_DIR)/summary.txt | while read -r b n v; do printf '%-18s %-44s %s\n' "$$b" "$$n" "$$v"; done

clean:
	rm -rf clinicwatch-demo report .pytest_cache tests/artifacts $(BENCH_DIR)

# Kaifang: `make build` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CATALOG ?= catalog
SITE ?= site

# Browser tests need Debian's chromium, a Chinese font (without one every Chinese character is
# drawn as a box and layout checks measure boxes) and axe-core from npm; installed only when missing.
CHROMIUM ?= /usr/bin/chromium
FONT_ZH := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
AXE := node_modules/axe-core/axe.min.js
NODE_DEPS := node_modules/.kaifang-installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q

.PHONY: build serve audit deploy test lint bench bench-rebuild bench-audit bench-search bench-explorer bench-map bench-deploy bench-reuse bench-import browser-deps deploy-deps clean

build: $(VENV)/.installed $(NODE_DEPS)
	$(BIN)/kaifang build --catalog $(CATALOG) --out $(SITE) --no-record-history  # catalog/history/ is seeded (scripts/seed_demo_history.py); a demo build records nothing

serve: $(VENV)/.installed $(NODE_DEPS)
	$(BIN)/kaifang serve --catalog $(CATALOG) --out $(SITE)

# The audit runs inside every build; this re-runs it on the site already built.
audit: $(VENV)/.installed
	$(BIN)/kaifang audit $(SITE) --catalog $(CATALOG)

# Incremental upload of the built site: make deploy DEST=remote:bucket/path (see README).
deploy: $(VENV)/.installed deploy-deps
	$(BIN)/kaifang deploy $(DEST) --out $(SITE)

test: $(VENV)/.test-installed $(NODE_DEPS) browser-deps deploy-deps
	$(BIN)/pytest

browser-deps: $(CHROMIUM) $(FONT_ZH) $(AXE)

# Deployment (issue 21): tests serve the site with Debian's nginx (and its brotli_static
# module) and Caddy on 127.0.0.1; `kaifang deploy` uses rclone or rsync. Installed only when missing.
NGINX := /usr/sbin/nginx
NGINX_BROTLI := /usr/lib/nginx/modules/ngx_http_brotli_static_module.so
CADDY := /usr/bin/caddy
RCLONE := /usr/bin/rclone
RSYNC := /usr/bin/rsync
deploy-deps: $(NGINX) $(NGINX_BROTLI) $(CADDY) $(RCLONE) $(RSYNC)

$(NGINX):
	$(SUDO) apt-get update -q
	$(APT_INSTALL) nginx

$(NGINX_BROTLI): | $(NGINX)
	$(APT_INSTALL) libnginx-mod-http-brotli-static || { $(SUDO) apt-get update -q && $(APT_INSTALL) libnginx-mod-http-brotli-static; }

$(CADDY) $(RCLONE) $(RSYNC):
	$(APT_INSTALL) $(notdir $@) || { $(SUDO) apt-get update -q && $(APT_INSTALL) $(notdir $@); }

$(CHROMIUM):
	$(SUDO) apt-get update -q
	$(APT_INSTALL) chromium

$(FONT_ZH):
	$(SUDO) apt-get update -q
	$(APT_INSTALL) fonts-wqy-microhei

# The npm packages of package.json: the site's vendored JavaScript (generator/site/vendor.py)
# and axe-core for the tests. npm itself is installed when missing.
$(NODE_DEPS): package.json package-lock.json
	command -v npm >/dev/null || { $(SUDO) apt-get update -q && $(APT_INSTALL) npm; }
	npm ci --no-audit --no-fund
	touch $@

$(AXE): $(NODE_DEPS)

# Scale benchmark (issue 8): builds of 1,000 and 10,000 datasets, 1M/10M-row resources,
# frictionless vs the fast validation path, peak memory. Inputs go to bench/out/.
# BENCH_ARGS=--quick for small sizes, --profile to add a cProfile of a build.
bench: $(VENV)/.bench-installed $(NODE_DEPS)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

$(VENV)/.bench-installed: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	touch $@

# Search benchmark (issue 15): index of 10,000 and 100,000 synthetic datasets, recall and cold queries in headless Chromium.
# Rebuild benchmark (issue 7): full build vs no-change and one-change rebuilds, 1,000 datasets.
bench-rebuild: $(VENV)/.installed $(NODE_DEPS)
	$(BIN)/python -m bench.rebuild_bench

bench-audit: $(VENV)/.installed $(NODE_DEPS)
	$(BIN)/python -m bench.audit_bench

# Deploy benchmark (issue 21): bytes sent by no-change and one-dataset-change deploys.
bench-deploy: $(VENV)/.installed $(NODE_DEPS) deploy-deps
	$(BIN)/python -m bench.deploy_bench $(BENCH_ARGS)

bench-reuse: $(VENV)/.installed $(NODE_DEPS)
	$(BIN)/python -m bench.reuse_bench

# Import of large office files (issue 17): rows/s and peak memory, CSV and XLSX.
bench-import: $(VENV)/.installed
	$(BIN)/python -m bench.import_bench $(BENCH_ARGS)

bench-search: $(VENV)/.test-installed browser-deps
	$(BIN)/python bench/search_bench.py

# Table explorer benchmark (issue 20): a 1M-row resource built, served with Range on
# 127.0.0.1 and opened in headless Chromium: bytes and time to the first 100 rows, to a
# sorted and to a filtered view. BENCH_ARGS="--rows 100000 --runs 1" for a quick check.
bench-explorer: $(VENV)/.bench-installed $(VENV)/.test-installed $(NODE_DEPS) browser-deps
	$(BIN)/python -m bench.explorer_bench $(BENCH_ARGS)

# Map benchmark (issue 20): resources of 5,000 and 50,000 points, built and opened in headless Chromium.
bench-map: $(VENV)/.test-installed $(NODE_DEPS) browser-deps
	$(BIN)/python bench/map_bench.py $(BENCH_ARGS)

lint: $(VENV)/.test-installed
	$(BIN)/ruff check generator tests

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) $(SITE) .pytest_cache node_modules

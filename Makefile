# The two commands a newcomer needs: `make serve` and `make test`.
# Both create the virtual environment in .venv on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# SOURCE_DATE_EPOCH keeps builds byte-for-byte reproducible (sitemap dates, ...): its value
# lives in scripts/policy.py.
export SOURCE_DATE_EPOCH ?= $(shell sed -n 's/^SOURCE_DATE_EPOCH = \([0-9]*\).*/\1/p' scripts/policy.py)
# Material prints an end-of-life banner on every run; README "Dependencies" covers it.
export NO_MKDOCS_2_WARNING := 1
# A clinic's settings file (see clinics/example.yml): `make build CLINIC=clinics/x.yml`.
# Empty builds the neutral guide from mkdocs.yml. A clinic's copy is built from the folder
# scripts/assemble_clinic.py writes (its own pages, without the pages it leaves out).
CLINIC ?=
CONFIG := $(if $(CLINIC),build/$(basename $(notdir $(CLINIC)))/mkdocs.yml,mkdocs.yml)
# Where `make build` writes the site (`make build-all` sets it to sites/<clinic>).
SITE ?= site
# The languages built besides English, each into <site>/<lang>/ after the English: the guide's
# (mkdocs.yml extra.alternate, each from mkdocs.<lang>.yml), or a clinic's `languages` setting
# (each from build/<clinic>/<lang>/mkdocs.yml, assembled by clinic-check). scripts/languages.py
# reads them; `=`, so it runs only when a recipe needs them, after clinic-check.
LANGUAGES = $(shell $(PY) scripts/languages.py $(CLINIC))
LANGUAGE_CONFIG = $(if $(CLINIC),$(dir $(CONFIG))$(1)/mkdocs.yml,mkdocs.$(1).yml)
BUILD_LANGUAGES = $(foreach lang,$(LANGUAGES),$(2) $(BIN)/mkdocs build --strict -f $(call LANGUAGE_CONFIG,$(lang)) -d $(abspath $(1))/$(lang) &&) true

.PHONY: help serve build offline zensical preview check clinic-check generate review-state test bench bench-web clean \
	test-fast new-page sign-off review-report site-build build-all handouts bench-clinics

help:
	@echo "make serve     install, check, and serve the site at http://127.0.0.1:8000"
	@echo "make test      install, then run every test (unit, build, browser)"
	@echo "make test-fast every test that opens no browser (a few minutes)"
	@echo "make build     check, then write the site to site/"
	@echo "               add CLINIC=clinics/example.yml for a clinic's own copy"
	@echo "make build-all every clinic in clinics/ and the neutral guide, in parallel, into sites/"
	@echo "make handouts  build, then print every page to PDF (A4, Letter) into handouts/ [CLINIC=...]"
	@echo "make offline   a copy that works from file:// (no network), zipped: guide-offline.zip"
	@echo "make zensical  build the same sources with Zensical 0.0.73 into site-zensical/"
	@echo "make preview   serve site/ as a host would (security headers, 404); PREFIX=/patient-info/"
	@echo "make check     check the Markdown sources (links, terms, front matter, ...)"
	@echo "make generate  rewrite the files made from data/ (glossary, tooltips, rules, review states)"
	@echo "make bench     time the checker against mkdocs build and lychee"
	@echo "make bench-clinics  build time per clinic for 1, 10 and 50 made-up clinics, in parallel"
	@echo "make bench-web page weight, requests and LCP of every page in Chromium (gzip, phone),"
	@echo "               and Lighthouse's four scores on five pages (needs Node 20+ and npm)"
	@echo "make new-page PAGE=nerve-pain/sleep.md TITLE=\"Sleeping with nerve pain\" [SECTION=...]"
	@echo "               start a page from the template and add it to the navigation"
	@echo "make sign-off PAGE=docs/nerve-pain/causes.md BY=\"Name, role\" [REG=...] [CLINIC=clinics/x.yml]"
	@echo "               record a clinical review (or a clinic's approval) of the page as it is now"
	@echo "make review-report [CLINIC=clinics/x.yml]   every page's review state as CSV: review-report.csv"

$(VENV)/.site: requirements.txt
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test: requirements-test.txt $(VENV)/.site
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

generate: $(VENV)/.site
	$(PY) scripts/generate.py
	$(PY) scripts/reviews.py generate
	$(PY) scripts/translations.py generate

# Each page's review state, for the theme (scripts/reviews.py). Every build writes it
# first, so a page edited after its sign-off always shows "changed since its review".
review-state: $(VENV)/.site
	@$(PY) scripts/reviews.py generate
	@$(PY) scripts/translations.py generate

check: $(VENV)/.site
	$(PY) scripts/check.py

# With CLINIC set, its settings are checked first (types, lengths, numbers, addresses, brand
# colour contrast), before MkDocs or Zensical reads the file: `build`, `serve`, `offline` and
# `zensical` depend on it, so a bad file stops with file:line messages and nothing is built.
# Then its copy is assembled into build/<clinic>/ (one command, whatever the builder), the
# checker checks the clinic's own pages and what leaving out does, and then its approvals:
# with require_local_approval, pages without one stop the build.
clinic-check: $(VENV)/.site
	$(if $(CLINIC),$(PY) scripts/clinic_settings.py $(CLINIC),@true)
	$(if $(CLINIC),$(PY) scripts/assemble_clinic.py $(CLINIC),@true)
	$(if $(CLINIC),$(PY) scripts/check_clinic.py $(CLINIC),@true)
	$(if $(CLINIC),$(PY) scripts/reviews.py clinic-check $(CLINIC),@true)

build: review-state check site-build

# The build of one configuration (CONFIG) into SITE, after the repository-wide steps above
# (review-state, check). It is the one list of the build's steps: `make build` runs it, and
# `make build-all` (scripts/build_all.py) runs it once per clinic, in parallel. Add a build
# step here, one line, and every clinic's build gets it.
site-build: clinic-check
	$(BIN)/mkdocs build --strict -f $(CONFIG) -d $(abspath $(SITE))
	$(call BUILD_LANGUAGES,$(SITE))
	$(PY) scripts/print_qr.py $(SITE)
	$(PY) scripts/content_api.py $(SITE) --config $(CONFIG)
	$(PY) scripts/slim_css.py $(SITE)
	$(PY) scripts/slim_html.py $(SITE)
	$(PY) scripts/security_headers.py $(SITE) --config $(CONFIG) --nginx $(SITE)-headers/nginx.conf

# The neutral guide into sites/guide/ and each clinics/<clinic>.yml into sites/<clinic>/, one
# process per build across the machine's cores; prints a table; a clinic with bad settings
# fails alone. JOBS=4 sets the number of builds at once.
build-all: $(VENV)/.site
	$(PY) scripts/build_all.py $(if $(JOBS),--jobs $(JOBS))

# Every patient page printed to PDF (A4 and Letter) with the clinic's header and QR code,
# into handouts/ with an index page and a zip. For a Zensical build:
# `make zensical` then `.venv/bin/python scripts/handouts.py site-zensical`.
handouts: build
	$(PY) scripts/handouts.py $(SITE) --out handouts

# A copy that works from file:// with search, zipped for a waiting-room tablet.
offline: review-state check clinic-check
	OFFLINE=true $(BIN)/mkdocs build --strict -f $(CONFIG) -d $(CURDIR)/site-offline
	$(call BUILD_LANGUAGES,site-offline,OFFLINE=true)
	$(PY) scripts/print_qr.py site-offline
	$(PY) scripts/content_api.py site-offline --config $(CONFIG)
	$(PY) scripts/slim_css.py site-offline
	$(PY) scripts/slim_html.py site-offline
	rm -f guide-offline.zip
	$(PY) -m zipfile -c guide-offline.zip site-offline/

# The same sources built with Zensical, Material's successor (see HOSTING.md). Zensical
# needs its config in the repository root, so scripts/zensical_config.py writes one.
zensical: $(VENV)/.test review-state clinic-check
	$(PY) scripts/zensical_config.py $(CONFIG) --site-dir site-zensical > .zensical.yml
	$(BIN)/zensical build --strict -f .zensical.yml
	$(foreach lang,$(LANGUAGES),$(PY) scripts/zensical_config.py $(call LANGUAGE_CONFIG,$(lang)) --site-dir site-zensical/$(lang) > .zensical.yml && $(BIN)/zensical build --strict -f .zensical.yml &&) true
	$(PY) scripts/content_api.py site-zensical --config $(CONFIG)
	$(PY) scripts/slim_css.py site-zensical
	$(PY) scripts/slim_html.py site-zensical

# Try the built site as a clinic's server would serve it: `make preview PREFIX=/patient-info/`.
PREFIX ?= /
preview: $(VENV)/.site
	$(PY) scripts/serve_site.py site --prefix $(PREFIX)

serve: review-state check clinic-check
	$(BIN)/mkdocs serve --strict -f $(CONFIG) --dev-addr 127.0.0.1:8000

# The tiers (ARCHITECTURE.md, "Tests"): `make test` runs everything, as CI does (.ci/run);
# `make test-fast` everything that opens no browser (builds included): about 150 s of CPU.
# Tests run in TEST_JOBS processes (pytest-xdist), each test file whole in one of them, so
# a file's shared build and browser are made once. TEST_JOBS=0 runs them in this process.
TEST_JOBS ?= 2
PYTEST := $(PY) -m pytest $(if $(filter 0,$(TEST_JOBS)),,-n $(TEST_JOBS) --dist loadfile)

test: $(VENV)/.test
	$(PYTEST)

test-fast: $(VENV)/.test
	$(PYTEST) -m "not browser"

# The values reach the script through the environment ("$$TITLE"), so quotes and
# apostrophes in a title are safe. SECTION, NAV_TITLE and DESCRIPTION are optional.
new-page: $(VENV)/.site
	@$(PY) scripts/new_page.py --page "$$PAGE" --title "$$TITLE" --section "$$SECTION" \
		--nav-title "$$NAV_TITLE" --description "$$DESCRIPTION"

# Values reach the script through the environment ("$$BY"): quotes in a name are safe.
# REG is an optional registration number; CLINIC records a clinic's own approval.
sign-off: $(VENV)/.site
	@$(PY) scripts/reviews.py sign-off --page "$$PAGE" --by "$$BY" --registration "$$REG" --clinic "$$CLINIC"

review-report: $(VENV)/.site
	$(PY) scripts/reviews.py report --clinic "$$CLINIC"

bench: $(VENV)/.test
	$(PY) scripts/bench.py

# Build time per clinic for 1, 10 and 50 made-up clinics, built in parallel (scripts/build_all.py).
bench-clinics: $(VENV)/.site
	$(PY) scripts/bench_clinics.py

# Builds a fresh site, serves it with gzip and caching headers, loads each page cold and
# warm on an emulated phone (Slow 4G, 4x CPU), then runs Lighthouse 12.2.3 (installed from
# npm into .cache/lighthouse/ on first use; needs Node 20+) on five pages; fails if a page
# is over budget. BENCH_ARGS=--no-lighthouse skips Lighthouse.
bench-web: $(VENV)/.test
	$(PY) scripts/bench_web.py $(BENCH_ARGS)

clean:
	rm -rf site site-offline site-headers site-zensical .zensical.yml guide-offline.zip review-report.csv .pytest_cache \
		.hypothesis handouts sites build

# Two commands for a new user: `make demo` (set up + run the main job) and `make test`.
# Everything else here is what those two are made of.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# The e2e and unit suites also run on PostgreSQL; set TEST_POSTGRES_URL= (empty) to skip that.
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/blogtest
PYTEST := $(PY) -m pytest -p no:cacheprovider -q

# Unit suites: <folder>:<settings module> (one Django deployable each).
UNIT_SUITES := shared/tests:monolith.settings shared/messaging/tests:micro.posts.settings \
	monolith:monolith.settings \
	micro/posts:micro.posts.settings micro/comments:micro.comments.settings \
	micro/moderation:micro.moderation.settings micro/query:micro.query.settings \
	micro/eventbus:micro.eventbus.settings micro/aggregator:micro.aggregator.settings

.PHONY: setup lock demo launch compare compare-quick test-known-gaps test lint unit e2e unit-postgres e2e-postgres reliability-postgres

# Every package pinned with its hashes (pip-tools, pinned in the dev extra): the image
# installs requirements.lock (the deployables' dependencies), `make setup` installs
# requirements-dev.lock (those, the workbench and the dev tools), then the project itself.
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet \
	--generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links

$(VENV)/.installed: pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --require-hashes -r requirements-dev.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $@

setup: $(VENV)/.installed

# Re-pin after editing the dependencies in pyproject.toml (then commit both lock files).
lock:
	$(PIP_COMPILE) --output-file requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra workbench --extra dev --output-file requirements-dev.lock pyproject.toml

demo: setup
	$(PY) manage.py demo

launch: setup
	$(PY) manage.py launch both

compare: setup
	$(PY) manage.py compare

compare-quick: setup
	$(PY) manage.py compare --quick

# The unit suites on SQLite and on PostgreSQL run side by side; the end-to-end suites,
# which launch whole stacks, one after the other.
test: setup lint
	@$(MAKE) --no-print-directory -j2 --output-sync=target unit unit-postgres
	@$(MAKE) --no-print-directory e2e e2e-postgres

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

unit: setup
	@set -e; for suite in $(UNIT_SUITES); do \
		echo "== unit: $${suite%%:*} (SQLite)"; \
		BLOG_VAR_DIR=$$(mktemp -d) $(PYTEST) $${suite%%:*} --ds=$${suite##*:}; \
	done
	@echo "== unit: stacks (the benchmark's pure parts)"
	$(PYTEST) stacks/tests -m "not e2e"

unit-postgres: setup
	@set -e; if [ -z "$(TEST_POSTGRES_URL)" ]; then echo "TEST_POSTGRES_URL is empty: skipping PostgreSQL"; exit 0; fi; \
	for suite in $(UNIT_SUITES); do \
		name=$$(echo $${suite%%:*} | tr '/' '_'); \
		echo "== unit: $${suite%%:*} (PostgreSQL)"; \
		DATABASE_URL=$(TEST_POSTGRES_URL)_unit_$$name $(PYTEST) $${suite%%:*} --ds=$${suite##*:} --create-db; \
	done

e2e: setup
	@echo "== e2e: both stacks, the reliability faults and the benchmark's quick run (SQLite)"
	$(PYTEST) tests stacks/tests/test_compare_command.py

e2e-postgres: setup
	@if [ -z "$(TEST_POSTGRES_URL)" ]; then echo "TEST_POSTGRES_URL is empty: skipping PostgreSQL"; exit 0; fi
	@echo "== e2e: both stacks (PostgreSQL; database-independent checks ran above; the"
	@echo "   reliability faults on PostgreSQL: make reliability-postgres)"
	BLOG_TEST_DATABASE_URL=$(TEST_POSTGRES_URL) $(PYTEST) tests -m "not reliability and not any_database"

test-known-gaps: setup
	$(PYTEST) tests -m known_gap

reliability-postgres: setup
	BLOG_TEST_DATABASE_URL=$(TEST_POSTGRES_URL) $(PYTEST) tests -m "reliability and not known_gap"

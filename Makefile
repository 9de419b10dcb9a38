# `make run` and `make test` set everything up on a fresh machine, then run.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.10
VENV := .venv
BIN := $(VENV)/bin
SPACY_MODEL := build/spacy/clinic_en
MODEL := models/dry-needling.tar.gz
WIDGET := widget/dist/clinic-chat.js
LOGS := var/log

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONWARNINGS := ignore

TRAINING_DATA := config.yml domain.yml $(shell find data -name '*.yml')

.PHONY: help setup run run-scaled shell test check lint format evaluate safety bench profile erase retention export questions staff-user constraints clean

help:
	@echo "make run       set up if needed, then start the assistant (Ctrl-C stops it)"
	@echo "make test      set up if needed, then run the whole test suite"
	@echo "make check     lint and the fast unit tests (no model, no servers; under a minute)"
	@echo "make run-scaled  PostgreSQL + Redis + nginx + 2 Rasa replicas on 127.0.0.1:8080 (docs/scaling.md)"
	@echo "make shell     talk to the assistant in the terminal (rasa shell), for staff"
	@echo "make staff-user NAME=...  create a staff console account (password prompted)"
	@echo "make evaluate  NLU evaluation reports and pictures in reports/"
	@echo "make safety    adversarial screening conversations, writes reports/SAFETY.md"
	@echo "make bench     latency/throughput benchmark, writes reports/BENCHMARK.md"
	@echo "make profile   py-spy profile of the Rasa server under load, writes reports/PROFILE.md"

$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==24.0
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(SPACY_MODEL)/meta.json: $(VENV)/.installed clinic/vocabulary.yml $(wildcard clinic_assistant/nlp/*.py)
	$(BIN)/python -m clinic_assistant.nlp.pipeline $(SPACY_MODEL)

# Retrain only when the training data, config or spaCy pipeline changed.
$(MODEL): $(SPACY_MODEL)/meta.json $(TRAINING_DATA)
	@mkdir -p $(LOGS) models
	@echo "Training the model (about 15 minutes on 2 cores, less when only stories or the domain changed; log in $(LOGS)/train.log)..."
	$(BIN)/rasa train --fixed-model-name dry-needling --out models > $(LOGS)/train.log 2>&1 \
		|| (tail -30 $(LOGS)/train.log; exit 1)

$(WIDGET): widget/package.json widget/package-lock.json $(shell find widget/src -type f 2>/dev/null)
	bash widget/build.sh

setup: $(MODEL) $(WIDGET)

run: setup
	$(BIN)/python scripts/run_assistant.py

run-scaled: setup
	$(BIN)/python scripts/run_scaled.py

shell: setup
	$(BIN)/python scripts/run_assistant.py --shell

test: setup lint
	$(BIN)/python -m pytest

# Before each commit: lint and the tests that need no trained model and no servers
# (markers in pyproject.toml); `make test` runs everything.
check: lint
	$(BIN)/python -m pytest -q -m "not (server or browser or scaled or slow)"

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Reports are generated from a committed state; ALLOW_DIRTY=1 measures uncommitted
# code and marks the report "+uncommitted changes" (measure/common.py).
evaluate: setup
	$(BIN)/python -m measure.evaluate
	$(BIN)/python -m measure.answers

safety: setup
	$(BIN)/python -m tests.safety.report

bench: setup
	$(BIN)/python -m measure.bench

profile: setup
	$(BIN)/python -m measure.profile

# Staff: erase one conversation, or everything older than DAYS (default RETENTION_DAYS, see docs/privacy.md).
erase: $(VENV)/.installed
	@test -n "$(SENDER)" || (echo "usage: make erase SENDER=<conversation id>"; exit 2)
	$(BIN)/python -m clinic_assistant.privacy erase --sender "$(SENDER)"

# Staff: the questions runners left for the clinic; DELETE=<id> removes one.
questions: $(VENV)/.installed
	$(BIN)/python -m clinic_assistant.questions $(if $(DELETE),delete --id $(DELETE),list)

# Staff console (make run serves it on 127.0.0.1:8001): create an account or
# change its password (prompted; CONSOLE_PASSWORD for scripts).
staff-user: $(VENV)/.installed
	@test -n "$(NAME)" || (echo "usage: make staff-user NAME=<name>"; exit 2)
	@$(BIN)/python -m clinic_assistant.console add-user --name "$(NAME)"

retention: $(VENV)/.installed
	$(BIN)/python -m clinic_assistant.privacy retention $(if $(DAYS),--days $(DAYS))

# Staff: a runner's right of access, everything stored for one conversation
# (printed, or written to OUT=<file>, readable only by its owner).
export: $(VENV)/.installed
	@test -n "$(SENDER)" || (echo "usage: make export SENDER=<conversation id> [OUT=<file>]"; exit 2)
	@$(BIN)/python -m clinic_assistant.privacy export --sender "$(SENDER)" $(if $(OUT),--out "$(OUT)")

# Refresh the known-good resolve after changing a pin in requirements.txt.
constraints: $(VENV)/.installed
	$(BIN)/pip freeze --exclude-editable | grep -v '^clinic-assistant' > constraints.txt

clean:
	rm -rf build models var widget/dist widget/node_modules

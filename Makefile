# Every target is idempotent. `install` is re-run only when pyproject.toml changes.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
ARGS    ?=

.PHONY: install quiz test bench lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools
	# torch is pinned to the local CPU wheel; an unpinned torch pulls GBs of CUDA packages.
	$(BIN)/pip install -q "torch==2.13.0"
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

quiz: install
	$(BIN)/quizkit quiz $(ARGS)

test: install
	$(BIN)/python -m pytest -q
	$(BIN)/quizkit dev check

bench: install
	$(BIN)/python benchmarks/run.py $(ARGS)

lint: install
	$(BIN)/ruff check quizkit tests benchmarks
	$(BIN)/mypy quizkit

clean:
	rm -rf $(VENV) build *.egg-info

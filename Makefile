# Every target is idempotent. `install` re-runs only when pyproject.toml or requirements.lock changes.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
LOCK    := requirements.lock
STAMP   := $(VENV)/.installed
ARGS    ?=
# -qq: pip's errors only (this machine's extra indexes make pip warn about every package it looks up)
PIP     := $(BIN)/python -m pip -qq --disable-pip-version-check

.PHONY: install quiz test bench lint lock clean

install: $(STAMP)

# Nothing is resolved here: the lock names every package and its version, and --no-deps installs just those.
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || { echo "==> creating the virtual environment in $(VENV)"; $(PY) -m venv $(VENV); }
	@echo "==> installing $$(grep -c '^[^#]*==' $(LOCK)) locked packages from $(LOCK) (torch is the 2.13.0 CPU build)"
	@$(PIP) install --no-deps "$$(grep '^pip==' $(LOCK))"
	@$(PIP) install --no-deps -r $(LOCK)
	@extra="$$($(BIN)/python tools/lockfile.py extras $(LOCK))"; \
	  if [ -n "$$extra" ]; then echo "==> removing packages the lock does not list: $$extra"; \
	  $(PIP) uninstall -y $$extra; fi
	@echo "==> installing quizkit (editable)"
	@$(PIP) install --no-deps --no-build-isolation -e . 2>&1 | grep -v -e '^\s*$$' || true
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; exit 1; }
	@touch $(STAMP)

# Resolve pyproject.toml afresh in a scratch venv and pin what it got. torch==2.13.0 first, so the local CPU
# wheel is taken and no CUDA build is pulled in.
lock:
	@rm -rf .lock-venv
	@echo "==> resolving pyproject.toml in a scratch venv"
	@$(PY) -m venv .lock-venv
	@.lock-venv/bin/python -m pip -qq install --upgrade pip setuptools wheel
	@.lock-venv/bin/python -m pip -qq install "torch==2.13.0"
	@.lock-venv/bin/python -m pip -qq install ".[dev]"
	@.lock-venv/bin/python tools/lockfile.py write .lock-venv $(LOCK)
	@rm -rf .lock-venv build quizkit.egg-info

quiz: install
	$(BIN)/quizkit quiz $(ARGS)

test: install
	$(BIN)/python -m pytest -q
	$(BIN)/quizkit dev check

bench: install
	$(BIN)/python benchmarks/run.py $(ARGS)

lint: install
	$(BIN)/ruff check quizkit tests benchmarks tools
	$(BIN)/mypy quizkit

clean:
	rm -rf $(VENV) .lock-venv build *.egg-info

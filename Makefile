# Two commands do all set-up: `make report` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV    := $(VENV)/.installed-dev
QUARTER ?= 2022Q2

.PHONY: report test lint lab demo bench clean

# The report needs the package only; the tests, lint and benchmarks add the dev extras.
$(STAMP): pyproject.toml
	@echo "Setting up $(VENV) (first run only; the log is $(VENV)/install.log)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@{ $(BIN)/python -m pip install --disable-pip-version-check --upgrade pip && \
	   $(BIN)/python -m pip install --disable-pip-version-check -e . && \
	   $(BIN)/hcp kernel install; \
	 } > $(VENV)/install.log 2>&1 || { tail -n 40 $(VENV)/install.log; exit 1; }
	@touch $(STAMP)

$(DEV): $(STAMP)
	@echo "Adding the test tools to $(VENV) (first run only; the log is $(VENV)/install.log)"
	@$(BIN)/python -m pip install --disable-pip-version-check -e '.[dev]' \
	   >> $(VENV)/install.log 2>&1 || { tail -n 40 $(VENV)/install.log; exit 1; }
	@touch $(DEV)

report: $(STAMP)
	@$(BIN)/hcp demo --if-missing
	@$(BIN)/hcp run $(QUARTER)

test: $(DEV)
	@$(BIN)/ruff check hcp_lib tests benchmarks
	@$(BIN)/python -m pytest

lint: $(DEV)
	@$(BIN)/ruff check hcp_lib tests benchmarks

demo: $(STAMP)
	@$(BIN)/hcp demo

lab: $(STAMP)
	@$(BIN)/python -m hcp_lib.lab $(LAB_ARGS)

bench: $(DEV)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) reports/20* data/raw data/work

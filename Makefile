# Two commands do all set-up: `make report` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV    := $(VENV)/.installed-dev
QUARTER ?= 2022Q2

.PHONY: report test lint lab demo bench bench-setup clean

# The report needs the package only; the tests, lint and benchmarks add the dev extras, `make lab`
# the lab extra. hcp_lib/bootstrap.py installs with uv when it can, with pip otherwise
# (HCP_INSTALLER=pip forces pip); the venv is made without pip, which uv does not need.
INSTALL := $(BIN)/python -m hcp_lib.bootstrap
LAB     := $(VENV)/.installed-lab

$(STAMP): pyproject.toml
	@echo "Setting up $(VENV) (first run only; the log is $(VENV)/install.log)"
	@test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	@{ $(INSTALL) -e . && $(BIN)/hcp kernel install; \
	 } > $(VENV)/install.log 2>&1 || { tail -n 40 $(VENV)/install.log; exit 1; }
	@touch $(STAMP)

$(DEV): $(STAMP)
	@echo "Adding the test tools to $(VENV) (first run only; the log is $(VENV)/install.log)"
	@$(INSTALL) -e '.[dev]' >> $(VENV)/install.log 2>&1 || { tail -n 40 $(VENV)/install.log; exit 1; }
	@touch $(DEV)

$(LAB): $(STAMP)
	@echo "Adding JupyterLab to $(VENV) (first run only; the log is $(VENV)/install.log)"
	@$(INSTALL) -e '.[lab]' >> $(VENV)/install.log 2>&1 || { tail -n 40 $(VENV)/install.log; exit 1; }
	@touch $(LAB)

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

lab: $(LAB)
	@$(BIN)/python -m hcp_lib.lab $(LAB_ARGS)

# bench_setup.py (make report from a fresh clone, downloading every package) runs on its own
bench: $(DEV)
	@for b in benchmarks/bench_*.py; do [ $$b = benchmarks/bench_setup.py ] && continue; \
	   echo "== $$b"; $(BIN)/python $$b; done

bench-setup:
	@$(PYTHON) benchmarks/bench_setup.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) reports/20* data/raw data/work

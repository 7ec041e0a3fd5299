# Fresh machine: `make demo` (simulate -> train -> export -> score) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.hfm-installed

.PHONY: install demo test bench wheel

$(STAMP): pyproject.toml runtime/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0          # the CPU build; a looser pin pulls CUDA
	$(BIN)/pip install -q -e ./runtime -e '.[dev]'
	touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/hfm-train simulate
	$(BIN)/hfm-train
	$(BIN)/hfm-export
	$(BIN)/hfm-score --top 12

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m pytest benchmarks -q --benchmark-json=benchmarks/results/latest.json

wheel: $(STAMP)
	$(BIN)/pip wheel --no-deps -w artifacts/wheels ./runtime

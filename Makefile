# Two commands for a new machine:  make demo  and  make test  (each sets up .venv itself).
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench validate setup clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || "$$(sh scripts/find-python.sh)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/salesim run scenarios/baseline.yaml --out runs/baseline

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

validate: $(STAMP)
	$(BIN)/salesim validate-facts

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) runs .pytest_cache

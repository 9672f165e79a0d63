# Two commands for a new machine:  make demo  and  make test  (each sets up .venv itself).
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test fast bench validate metrics setup clean chromium

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || "$$(sh scripts/find-python.sh)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dashboard]'
	@touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/salesim compare scenarios/demo/current.yaml scenarios/demo/pressure.yaml scenarios/demo/reformed.yaml \
		--replications 5 --years 2 --workers 2 --out runs/demo --quiet

test: $(STAMP) chromium
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

# The fast lane: everything but whole runs, sweeps, notebooks and the browser (about a minute).
fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q -m "not slow"

# The dashboard's browser test drives Debian's chromium; without apt (or sudo) it is skipped, saying why.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    SUDO=$$([ "$$(id -u)" = 0 ] || echo "sudo -n"); \
	    { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; } \
	      || echo "could not install chromium: the dashboard's browser test will be skipped"; \
	  else echo "no apt-get: the dashboard's browser test will be skipped"; fi; }

validate: $(STAMP)
	$(BIN)/salesim validate-facts

# docs/metrics.md is generated from the code that computes each figure (tests/test_metric_dictionary.py checks it).
metrics: $(STAMP)
	$(BIN)/salesim metrics --markdown > docs/metrics.md

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) runs .pytest_cache

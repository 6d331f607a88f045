# Everything a fresh machine needs: `make test` and `make demo` build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: venv lint typecheck test test-fast demo bench clean browser

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy -p kinerja -p kinerja_bench

# Headless chromium for the portal's browser tests: Debian's package, installed only when
# missing and only when we may (root with apt-get); otherwise those tests skip and say why.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "chromium missing and not root: browser tests will be skipped"; fi

test: lint typecheck browser
	$(BIN)/pytest --durations=20

test-fast: $(STAMP)
	$(BIN)/pytest -x -q -m "not slow and not browser and not prefect"

demo: $(STAMP)
	$(BIN)/kinerja demo

bench: $(STAMP)
	$(BIN)/kinerja bench score --employees 50000

clean:
	rm -rf $(VENV) var out .pytest_cache .mypy_cache .ruff_cache

# make demo  - virtualenv + crawl the bundled demo sites into data/syndicator.db
# make test  - virtualenv + lint + the whole test suite
# make bench - benchmarks under bench/ (see README)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: venv demo test lint bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

demo: venv
	$(BIN)/syndicator demo

lint: venv
	$(BIN)/ruff check .

test: venv lint
	$(BIN)/python -m pytest -q

bench: venv
	$(BIN)/python -m bench.extract

clean:
	rm -rf $(VENV) data/syndicator.db data/syndicator.db-* .pytest_cache

# make demo  - virtualenv + crawl the bundled demo sites and publish to the demo partners
# make test  - virtualenv + lint + the whole test suite (starts a real WordPress on loopback)
# make bench - benchmarks under bench/ (see README)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
WP_HARNESS ?= ../shared/harness/wordpress

.PHONY: venv demo test lint bench wordpress clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

demo: venv
	$(BIN)/syndicator demo

lint: venv
	$(BIN)/ruff check .

# Two real WordPress sites for the tests marked `wordpress`: pretty permalinks on
# 127.0.0.1:8089, plain ones on 127.0.0.1:8090. up.sh installs Debian's packages
# the first time and is idempotent; without the harness those tests skip.
wordpress:
	@if [ -x "$(WP_HARNESS)/up.sh" ] || [ -f "$(WP_HARNESS)/up.sh" ]; then \
	  WP_PORT=8089 bash $(WP_HARNESS)/up.sh >/tmp/syndicator-wp-8089.log 2>&1 \
	    && WP_PORT=8090 WP_PERMALINKS=plain bash $(WP_HARNESS)/up.sh >/tmp/syndicator-wp-8090.log 2>&1 \
	    && echo "real WordPress up on 127.0.0.1:8089 and :8090" \
	    || { echo "WordPress harness failed (see /tmp/syndicator-wp-*.log); its tests will skip"; tail -5 /tmp/syndicator-wp-*.log; }; \
	else echo "no WordPress harness at $(WP_HARNESS); its tests will skip"; fi

test: venv lint wordpress
	$(BIN)/python -m pytest -q

bench: venv
	$(BIN)/python -m bench.extract
	$(BIN)/python -m bench.publish
	$(BIN)/python -m bench.dedup

clean:
	rm -rf $(VENV) data/syndicator.db data/syndicator.db-* data/partners .pytest_cache

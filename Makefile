# make demo  - virtualenv + crawl the bundled demo sites and publish to the demo partners
# make test  - virtualenv + lint + the whole test suite (starts a real WordPress on loopback)
# make test-long - the fuzzing suite with a long, random budget (about an hour)
# make bench - every benchmark under bench/, written to bench/RESULTS.md (see README)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
WP_HARNESS ?= ../shared/harness/wordpress
PEERS_VENV ?= .venv-peers

.PHONY: venv demo test test-long lint bench wordpress chromium redis clean bench-peers

venv: $(VENV)/.installed

# pip is upgraded first: the pip that Python 3.11's venv bundles (23.2) does not
# normalise extras' names, and warns on every install that lxml has no extra
# 'html_clean' (jusText, under trafilatura, asks for it so spelled)
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'pip>=24'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

demo: venv
	$(BIN)/syndicator demo

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

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

# Debian's Chromium, for the browser tests (tests/test_serve_browser.py drives it
# with Playwright; no browser is downloaded). Installed only when missing.
chromium:
	@command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium) \
	  || echo "could not install chromium; the browser tests will skip"

# Debian's redis-server, for the cluster tests (tests/test_cluster.py starts its
# own on a free loopback port) and bench/cluster.py. Installed only when missing.
redis:
	@command -v redis-server >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server)

test: venv lint wordpress chromium redis
	$(BIN)/python -m pytest -q

# tests/test_fuzz.py with hundreds of random hostile worlds instead of make
# test's few fixed ones; FUZZ_EXAMPLES=N sets how many whole runs
test-long: venv
	SYNDICATOR_FUZZ=long $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_fuzz.py

# every benchmark, the peers included; writes bench/RESULTS.md (about 40 minutes)
bench: venv redis $(PEERS_VENV)/.installed
	PEERS_VENV=$(PEERS_VENV) $(BIN)/python -m bench.results

# Syndicator next to news-please and trafilatura's command line (bench/peers.py),
# the peers in their own virtualenv so their pins never meet the project's. pip
# is upgraded first, as for $(VENV).
# tinysegmenter is newspaper4k's optional Japanese tokenizer (pure Python).
$(PEERS_VENV)/.installed:
	test -x $(PEERS_VENV)/bin/python || $(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check 'pip>=24'
	$(PEERS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
	  'news-please>=1.6.16' 'trafilatura>=2.0' 'tinysegmenter>=0.4'
	touch $@

bench-peers: venv $(PEERS_VENV)/.installed
	PEERS_VENV=$(PEERS_VENV) $(BIN)/python -m bench.peers

clean:
	rm -rf $(VENV) data/demo/state .pytest_cache

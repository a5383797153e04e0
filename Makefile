# portfolio: the two commands of the README, plus the benchmark.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app portfolio
PORT   ?= 5000
HOST   ?= 127.0.0.1
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/portfolio_test
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint test-sqlite test-postgres bench install clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

## make run: create .venv, install, migrate, load the referential, seed the demo once, serve.
run: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) referential load
	$(FLASK) demo
	$(FLASK) run --host $(HOST) --port $(PORT)

## make test: install what the tests need and run the whole suite (SQLite, then PostgreSQL).
test: $(VENV)/.test-installed chromium lint test-sqlite test-postgres

chromium:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    (apt-get install -y -qq chromium >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)); \
	  else echo "Chromium is missing: install Debian's 'chromium' package (sudo apt-get install chromium)"; fi; }

lint: $(VENV)/.test-installed
	$(BIN)/ruff check portfolio tests bench

test-sqlite: $(VENV)/.test-installed
	$(BIN)/pytest -q -p no:cacheprovider tests

test-postgres: $(VENV)/.test-installed
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -q -p no:cacheprovider -m "not browser" tests

## make bench: speed and memory figures, printed.
bench: $(VENV)/.test-installed
	$(BIN)/python -m bench

## make translations: extract the messages, bring the French catalog up to date, compile it.
## Translate what `pybabel update` left empty or fuzzy in portfolio/translations/fr, then run it again.
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -c TRANSLATORS: --no-wrap --sort-by-file \
	  --project=portfolio --copyright-holder="DHEC portfolio" -o portfolio/translations/messages.pot .
	$(BIN)/pybabel update -i portfolio/translations/messages.pot -d portfolio/translations -l fr \
	  --no-wrap --ignore-obsolete --previous
	$(BIN)/pybabel compile -d portfolio/translations --statistics

clean:
	rm -rf $(VENV) instance

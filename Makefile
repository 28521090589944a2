# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi

.PHONY: run test lint typecheck pytest translations extract install audit-demo bench bench-tally bench-ties bench-vote bench-mail bench-count bench-map bench-pilotage bench-evaluation bench-digest clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# Each catalogue is compiled when its .po changed: two runs side by side never write the
# same .mo at once.
MO := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

translations: install $(MO)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po
	$(BIN)/pybabel compile --statistics -d translations -D messages -l $*

# Re-extract the messages and merge them into every catalogue (then translate what is new).
extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output --project civic --ignore-dirs=".*" .
	$(BIN)/pybabel update -i translations/messages.pot -d translations -D messages --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python -m civic.core.catalogues

run: translations
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

lint: install
	$(BIN)/ruff check civic tests bench migrations wsgi.py

STRICT := civic/territory/geo.py civic/core/money.py civic/core/clock.py civic/core/permissions.py civic/budget/tally.py civic/budget/pabulib.py \
          civic/budget/phases.py civic/budget/identity.py civic/budget/ballots.py civic/budget/box.py \
          civic/permanence/codes.py civic/ideas/search.py civic/core/catalogues.py civic/map/geometry.py civic/map/geojson.py \
          civic/permanence/schedule.py civic/pilotage/charts.py civic/pilotage/suppression.py \
          civic/pilotage/scope.py civic/pilotage/tables.py civic/pilotage/disclosure.py \
          civic/accounts/passwords.py civic/accounts/throttle.py civic/core/spreadsheet.py \
          civic/pilotage/api_filters.py civic/evaluation/results.py

typecheck: install
	$(BIN)/mypy civic
	$(BIN)/mypy --strict --follow-imports=silent $(STRICT)

pytest: translations
	$(BIN)/pytest

test: lint typecheck pytest

bench: translations
	$(BIN)/python -m bench.pages

$(BIN)/.bench-installed: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

# Whether the time of sign-up, "forgot password" and login answers tells who has an account.
bench-enumeration: translations
	$(BIN)/python -m bench.enumeration

# The steering dashboard on the large demo contract, on SQLite and PostgreSQL (civic_bench_pilotage).
bench-pilotage: translations
	$(BIN)/python -m bench.pilotage

# The evaluation's survey results (while running and published) and its report, with a
# survey of 20 items answered by 5 000 residents on the large demo contract, on SQLite and
# PostgreSQL (civic_bench_evaluation).
bench-evaluation: translations
	$(BIN)/python -m bench.evaluation

# The weekly digest of the large demo contract (20 000 residents, every topic once a week),
# on SQLite and PostgreSQL (civic_bench_digest): time and queries to build and write it.
bench-digest: translations
	$(BIN)/python -m bench.digest

# The disclosure audit of open data on the large demo contract (SQLite in a temporary file):
# every year of its release, every hidden count safe, or the command fails.
AUDIT_DB := $(shell mktemp -u /tmp/civic-audit-XXXXXX).db
audit-demo: translations
	CIVIC_DATABASE_URL=sqlite:///$(AUDIT_DB) $(FLASK) db upgrade
	CIVIC_DATABASE_URL=sqlite:///$(AUDIT_DB) $(FLASK) seed-demo --size large > /dev/null
	CIVIC_DATABASE_URL=sqlite:///$(AUDIT_DB) $(FLASK) pilotage audit --all-years --show 5 || { rm -f $(AUDIT_DB); exit 1; }
	rm -f $(AUDIT_DB)

bench-tally: $(BIN)/.bench-installed
	$(BIN)/python -m bench.tally

# The greedy rule's ties: a pabutools recount with the rule the ballots file states.
bench-ties: $(BIN)/.bench-installed
	$(BIN)/python -m bench.ties

# Concurrent secret votes over HTTP: gunicorn (2 workers) on PostgreSQL (civic_bench).
bench-vote: translations $(BIN)/.bench-installed
	$(BIN)/python -m bench.vote_load

# 1 000 event sign-ups while the mail server is down for 60 s, then every mail once it is back:
# gunicorn (2 workers), a flask worker, an SMTP stub, on PostgreSQL (civic_bench_mail, dropped after).
bench-mail: translations
	$(BIN)/python -m bench.mail_outage

# The count of 60 000 encrypted ballots (decrypt, shuffle, tally), on SQLite and, when it
# answers, PostgreSQL (civic_bench_count, dropped after).
bench-count: translations
	$(BIN)/python -m bench.count

# The quartier map with 50 and 5 000 points: page weight, GeoJSON, drawing in headless Chromium.
bench-map: translations
	$(BIN)/python -m bench.map

clean:
	rm -rf $(VENV) instance

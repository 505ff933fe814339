# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
HOTLINE := $(VENV)/bin/hotline
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint messages translations

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(VENV)/.run-installed: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -e ".[test]"
	touch $@ $(VENV)/.run-installed

translations:
	scripts/system-packages msgfmt=gettext
	cd hotline && ../$(HOTLINE) compilemessages -v0

run: $(VENV)/.run-installed translations
	$(HOTLINE) migrate --noinput -v0
	$(HOTLINE) collectstatic --noinput -v0
	$(HOTLINE) keys generate --if-missing
	$(HOTLINE) portals import hotline/portals/demo/network.yaml
	$(HOTLINE) takedown directory import --if-empty hotline/takedown/demo/directory.yaml
	$(HOTLINE) serve

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check hotline bench
	$(VENV)/bin/mypy hotline

# The whole suite on SQLite, then again on PostgreSQL when DATABASE_URL points at one.
test: $(VENV)/.test-installed translations
	scripts/system-packages msgfmt=gettext /usr/bin/chromium=chromium /usr/bin/prometheus=prometheus
	$(MAKE) --no-print-directory lint
	env -u DATABASE_URL $(VENV)/bin/pytest -q
	case "$$DATABASE_URL" in postgres*) $(VENV)/bin/pytest -q ;; *) echo "DATABASE_URL is not PostgreSQL: skipped the PostgreSQL run" ;; esac

# Update the catalogs after changing user-visible strings.
messages: $(VENV)/.test-installed
	cd hotline && ../$(HOTLINE) makemessages -l fr -l ar -l pt -l sw --no-obsolete --add-location file
	# msgmerge guesses translations of new strings from similar old ones ("fuzzy"); a guess is
	# worse than nothing on a safety page, so guesses are emptied and show up as untranslated.
	for po in hotline/locale/*/LC_MESSAGES/django.po; do msgattrib --clear-fuzzy --empty --no-wrap -o $$po $$po; done

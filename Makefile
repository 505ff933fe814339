# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
HOTLINE := $(VENV)/bin/hotline
export PYTHONDONTWRITEBYTECODE := 1

# Dependencies are installed from the lock files, requirements/run.txt (make run) and
# requirements/test.txt (make test): every package at an exact version with the hashes of its
# files, so pip installs nothing else and nothing altered. `make lock` makes them again from
# pyproject.toml after a dependency is added or changed (a test fails until it is run).
LOCK_TOOL := uv==0.13.9
LOCK := $(VENV)/bin/uv pip compile pyproject.toml --quiet --generate-hashes --universal \
	--python-version 3.11 --custom-compile-command "make lock"
# Progress lines (and bars on a terminal) while installing: the first install takes minutes.
PIP_LOCKED := $(VENV)/bin/pip install --progress-bar on --require-hashes --no-deps

.PHONY: run test lint messages translations lock

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(VENV)/.run-installed: requirements/run.txt pyproject.toml | $(VENV)/bin/python
	@echo "Installing the locked dependencies (requirements/run.txt); the first time takes a few minutes."
	$(PIP_LOCKED) -r requirements/run.txt
	$(VENV)/bin/pip install --no-deps --progress-bar on -e .
	touch $@

$(VENV)/.test-installed: requirements/test.txt pyproject.toml | $(VENV)/bin/python
	@echo "Installing the locked dependencies (requirements/test.txt); the first time takes a few minutes."
	$(PIP_LOCKED) -r requirements/test.txt
	$(VENV)/bin/pip install --no-deps --progress-bar on -e .
	touch $@ $(VENV)/.run-installed

# Make the lock files again from pyproject.toml (versions already locked are kept where they
# still fit; `make lock UPGRADE=1` moves every dependency of a dependency to its newest).
lock: | $(VENV)/bin/python
	$(VENV)/bin/pip install -q $(LOCK_TOOL)
	$(LOCK) $(if $(UPGRADE),--upgrade) -o requirements/run.txt
	$(LOCK) $(if $(UPGRADE),--upgrade) --extra test -o requirements/test.txt
	@echo "Wrote requirements/run.txt and requirements/test.txt: commit them with pyproject.toml."

translations:
	scripts/system-packages msgfmt=gettext
	cd hotline && ../$(HOTLINE) compilemessages -v0

run: $(VENV)/.run-installed translations
	@echo "Bringing the database up to date (hotline migrate)."
	$(HOTLINE) migrate --noinput -v1
	$(HOTLINE) collectstatic --noinput -v0
	$(HOTLINE) keys generate --if-missing
	$(HOTLINE) portals import hotline/portals/demo/network.yaml
	$(HOTLINE) takedown directory import --if-empty hotline/takedown/demo/directory.yaml
	$(HOTLINE) serve

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check hotline bench
	$(VENV)/bin/mypy hotline

# The Noto fonts a cheap Android phone has, for the browser tests and the glyph coverage test
# (hotline/tests/test_glyphs.py); fc-list is fontconfig's.
FONTS := fc-list=fontconfig /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf=fonts-noto-core

# The whole suite on SQLite, then again on PostgreSQL when DATABASE_URL points at one.
test: $(VENV)/.test-installed translations
	scripts/system-packages msgfmt=gettext /usr/bin/chromium=chromium /usr/bin/prometheus=prometheus $(FONTS)
	$(MAKE) --no-print-directory lint
	env -u DATABASE_URL $(VENV)/bin/pytest -q
	case "$$DATABASE_URL" in postgres*) $(VENV)/bin/pytest -q ;; *) echo "DATABASE_URL is not PostgreSQL: skipped the PostgreSQL run" ;; esac

# Update the catalogs after changing user-visible strings. The languages are those with a
# hotline/locale/<code>/language.yaml (English is the source: no catalog); a new one gets its
# catalog here (docs/translations.md: how to add a language).
CATALOG_LANGUAGES := $(filter-out en,$(patsubst hotline/locale/%/language.yaml,%,$(wildcard hotline/locale/*/language.yaml)))
messages: $(VENV)/.test-installed
	# A new language starts from msginit, which knows the plural rule of most languages (check
	# Plural-Forms in the header when it does not: `msgfmt --check` in the tests fails without it).
	for lang in $(CATALOG_LANGUAGES); do po=hotline/locale/$$lang/LC_MESSAGES/django.po; \
	  [ -e $$po ] || { mkdir -p $$(dirname $$po) && printf '%s\n' 'msgid ""' 'msgstr ""' \
	    '"Project-Id-Version: hotline\n"' '"Content-Type: text/plain; charset=UTF-8\n"' \
	    '"Content-Transfer-Encoding: 8bit\n"' > $$po.pot && \
	    msginit --no-translator -l $$lang -i $$po.pot -o $$po && rm $$po.pot; }; done
	cd hotline && ../$(HOTLINE) makemessages $(addprefix -l ,$(CATALOG_LANGUAGES)) --no-obsolete --add-location file
	# msgmerge guesses translations of new strings from similar old ones ("fuzzy"); a guess is
	# worse than nothing on a safety page, so guesses are emptied and show up as untranslated.
	for po in hotline/locale/*/LC_MESSAGES/django.po; do msgattrib --clear-fuzzy --empty --clear-previous --no-wrap -o $$po $$po; done

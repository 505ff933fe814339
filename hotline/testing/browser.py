"""Helpers of the browser tests (Playwright driving Debian's Chromium: see conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page

from hotline.accounts.models import User
from hotline.lib.languages import SOURCE_LANGUAGE, Language, languages

from .base import verified_client

# Every offered language (hotline/locale/*/language.yaml with its catalog): every public page
# is tested in each, so a new language is tested as soon as its files are added.
SHIPPED = list(languages())


def page_languages() -> list[str]:
    """The languages the per-language page checks (axe, 320 px, direction) run in: every
    shipped language in the SQLite run, the first run of `make test`. The PostgreSQL run repeats
    the suite for the database's sake, and a language's pages are the same whichever database
    serves them, so it checks a language of each script family and each direction only."""
    if "sqlite" in settings.DATABASES["default"]["ENGINE"]:
        return SHIPPED
    return sorted({SOURCE_LANGUAGE, *_one_of_each(lambda lang: (lang.script, lang.direction))})


def one_per_script() -> list[str]:
    """A language of each script family the languages' metadata names (Latin, Arabic, and
    Devanagari, Ethiopic… once such a language ships), a translated one where there is."""
    return _one_of_each(lambda lang: lang.script)


def _one_of_each(kind: Callable[[Language], object]) -> list[str]:
    """The first language of each kind by code, a translated one where there is."""
    chosen: dict[object, str] = {}
    for code, language in sorted(languages().items(),
                                 key=lambda item: (item[0] == SOURCE_LANGUAGE, item[0])):
        chosen.setdefault(kind(language), code)
    return sorted(chosen.values())


def new_context(browser: Browser, **options: object) -> BrowserContext:
    options.setdefault("java_script_enabled", False)
    context = browser.new_context(**options)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    return context


def sign_in(context: BrowserContext, site: str, user: User) -> None:
    """The browser becomes this staff member, password and second factor verified (any earlier
    session is dropped first)."""
    context.clear_cookies()
    session = verified_client(user).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session,
                          "url": f"{site}/staff/"}])


def staff_context(browser: Browser, site: str, user: User, **options: object) -> BrowserContext:
    """A new browser context signed in as this staff member (options as new_context's)."""
    context = new_context(browser, **options)
    sign_in(context, site, user)
    return context


class Audit:
    """Runs axe on each page it is shown and keeps every violation for one final assertion."""

    def __init__(self, axe: Axe, page: Page) -> None:
        self.axe, self.page = axe, page
        self.audited: list[str] = []
        self.failures: list[str] = []

    def __call__(self, what: str) -> None:
        results = self.axe.run(self.page)
        self.audited.append(what)
        if results.violations_count:
            self.failures.append(f"== {what} ({self.page.url})\n{results.generate_report()}")

    def assert_clean(self) -> None:
        assert not self.failures, "\n".join(self.failures)

"""Helpers of the browser tests (Playwright driving Debian's Chromium: see conftest.py)."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page

# The languages with shipped catalogs, which every public page is tested in.
SHIPPED = ["en", "fr", "ar", "pt", "sw"]


def new_context(browser: Browser, **options: object) -> BrowserContext:
    options.setdefault("java_script_enabled", False)
    context = browser.new_context(**options)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
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

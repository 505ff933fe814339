"""The figures pages in Chromium: axe finds nothing, in every shipped language and on the
partner dashboard (see hotline/portals/tests/test_browser.py for the set-up)."""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Browser, expect

from hotline.accounts.models import User
from hotline.portals.models import Portal
from hotline.testing.base import load_demo_network, make_user
from hotline.testing.browser import SHIPPED, Audit, new_context, page_languages, sign_in

from .base import seed_case

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def site(live_server, transactional_db) -> str:
    """The demo portals, a portal in every shipped language, and cases in both."""
    load_demo_network()
    portal = Portal.objects.create(code="all", name="All languages", country="GB",
                                   languages=SHIPPED, is_demo=True)
    gm = Portal.objects.get(code="gm")
    now = timezone.now()
    for i in range(30):
        for p in (portal, gm):
            seed_case(p, "en", now - dt.timedelta(days=i * 13 + 1), closed_after=5,
                      verdict="csam", confirmed=i % 2 == 0, removal_hours=3,
                      countries=("NL",), number=i)
    return live_server.url


@pytest.mark.parametrize("lang", page_languages())
def test_axe_finds_nothing_on_the_public_figures(lang: str, site: str, browser: Browser,
                                                 axe: Axe) -> None:
    # JavaScript on only for axe: the page has no script and its CSP forbids any.
    context = new_context(browser, java_script_enabled=True, locale=lang)
    page = context.new_page()
    audit = Audit(axe, page)
    try:
        for path in (f"/all/{lang}/figures/", f"/all/{lang}/figures/?scope=hub"):
            response = page.goto(f"{site}{path}")
            assert response is not None and response.status == 200
            expect(page.locator("html")).to_have_attribute("lang", lang)
            # Two tables, each a chart and its table, or one sentence when every count in it
            # is too small to publish (this seed's months are).
            charts = page.locator("svg[role=img]").count()
            assert charts >= 1
            expect(page.locator("table")).to_have_count(charts)
            expect(page.locator("main section.figures > p").filter(
                has_not=page.locator("a"))).to_have_count(2 - charts)
            audit(path)
        assert context.cookies() == []
        audit.assert_clean()
    finally:
        context.close()


def test_the_public_figures_work_without_javascript(site: str, browser: Browser) -> None:
    context = new_context(browser)
    page = context.new_page()
    try:
        page.goto(f"{site}/gm/en/")
        page.get_by_role("link", name="Figures").click()
        expect(page).to_have_url(f"{site}/gm/en/figures/")
        expect(page.get_by_role("img", name="Per year")).to_be_visible()
        with page.expect_download() as download:
            page.get_by_role("link", name="Download “Per year” as CSV").click()
        assert download.value.suggested_filename == "yearly.csv"
    finally:
        context.close()


def test_axe_finds_nothing_on_the_partner_dashboard(site: str, browser: Browser,
                                                    axe: Axe) -> None:
    partner = make_user("partner@ministry.example.test", User.Role.PARTNER,
                        [Portal.objects.get(code="gm")])
    admin = make_user("admin@hub.example.test", User.Role.ADMIN)
    context = new_context(browser, java_script_enabled=True)
    page = context.new_page()
    audit = Audit(axe, page)
    try:
        for user, paths in [(partner, ["/staff/figures/", "/staff/figures/?days=365"]),
                            (admin, ["/staff/figures/?portal=gm", "/staff/figures/hub/"])]:
            sign_in(context, site, user)
            for path in paths:
                response = page.goto(f"{site}{path}")
                assert response is not None and response.status == 200, path
                expect(page.get_by_role("heading", level=1)).to_be_visible()
                audit(f"{user.role} {path}")
        audit.assert_clean()
    finally:
        context.close()

"""The staff Language page in Chromium: chosen with JavaScript off, axe finds nothing in a
left-to-right and a right-to-left language, and the admin's Languages page too."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from hotline.accounts.models import User
from hotline.testing.base import load_demo_network, make_user
from hotline.testing.browser import Audit, staff_context

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server, transactional_db) -> str:  # type: ignore[no-untyped-def]
    load_demo_network()
    return str(live_server.url)


def test_a_staff_member_switches_to_arabic_and_axe_finds_nothing(site: str,
                                                                 browser: Browser) -> None:
    admin = make_user("admin@hub.example.test", User.Role.ADMIN)
    context = staff_context(browser, site, admin)  # JavaScript off
    page = context.new_page()
    try:
        page.goto(f"{site}/staff/language/")
        page.get_by_label("Language of your staff pages").select_option("ar")
        page.get_by_role("button", name="Save").click()
        html = page.locator("html")
        expect(html).to_have_attribute("lang", "ar")
        expect(html).to_have_attribute("dir", "rtl")
        expect(page.locator("p.ok[role=status]")).to_be_visible()
        admin.refresh_from_db()
        assert admin.language == "ar"
    finally:
        context.close()

    context = staff_context(browser, site, admin, java_script_enabled=True)  # axe is a script
    page = context.new_page()
    audit = Audit(Axe(), page)
    try:
        page.goto(f"{site}/staff/language/")
        audit("language page in Arabic")
        page.goto(f"{site}/staff/admin/portals/portal/languages/")
        expect(page.locator("html")).to_have_attribute("lang", "ar")
        audit("admin languages page in Arabic")
        admin.language = "es"
        admin.save()
        page.goto(f"{site}/staff/language/")
        expect(page.locator("html")).to_have_attribute("dir", "ltr")
        audit("language page in Spanish")
        audit.assert_clean()
    finally:
        context.close()

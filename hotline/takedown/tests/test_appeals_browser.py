"""The appeal pages in Chromium: a senior decides an appeal with the keyboard only, and axe finds
nothing on the queue, the appeal, the lodging form and the takedown page's correction form."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, expect

from hotline.accounts.models import User
from hotline.cases.models import Assessment, Case, url_digest
from hotline.lists.models import UrlListEntry
from hotline.lists.services import url_list_add
from hotline.members.models import Member
from hotline.takedown.models import Appeal, Takedown
from hotline.testing.base import CLASSIFICATION, load_demo_network, make_user
from hotline.testing.browser import Audit, staff_context

pytestmark = pytest.mark.browser
URL = "https://images.example.test/g/1"


@pytest.fixture
def site(live_server, transactional_db) -> str:  # type: ignore[no-untyped-def]
    load_demo_network()
    analyst = make_user("analyst@hub.example.test", User.Role.ANALYST)
    now = timezone.now()
    case = Case.objects.create(
        url=URL, url_sha256=url_digest(URL), host="images.example.test",
        registrable_domain="example.test", status=Case.Status.CLOSED, verdict="csam",
        classification=CLASSIFICATION, confirmed=True, first_reported=now, last_reported=now,
        closed_at=now)
    Assessment.objects.create(case=case, analyst=analyst, kind=Assessment.Kind.INITIAL,
                              verdict="csam", classification=CLASSIFICATION)
    Takedown.objects.create(case=case, confirmed_at=now, state=Takedown.State.ACTIVE)
    url_list_add(case)
    member = Member.objects.create(name="Search engine (test)")
    Appeal.objects.create(case=case, url=URL, member=member,
                          reason="The owner says the picture shows an adult.")
    return str(live_server.url)


def signed_in(browser: Browser, site: str, user: User) -> BrowserContext:
    return staff_context(browser, site, user, java_script_enabled=True)


def test_a_senior_decides_an_appeal_with_the_keyboard(site: str, browser: Browser) -> None:
    senior = make_user("senior2@hub.example.test", User.Role.SENIOR)
    context = signed_in(browser, site, senior)
    page = context.new_page()
    try:
        page.goto(f"{site}/staff/takedown/appeals/")
        page.get_by_role("link", name=str(Appeal.objects.get().pk), exact=True).focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Appeal")
        page.get_by_label("Take it off the list while it is looked at").focus()
        page.keyboard.press("Space")
        page.get_by_label("Why (recorded in the audit log)").fill("Looking at the claim")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(page.locator("#listed")).to_have_text("no")
        assert not UrlListEntry.objects.get().active
        page.screenshot(path="/tmp/appeal-decided.png", full_page=True)
    finally:
        context.close()


def test_axe_finds_nothing_on_the_appeal_pages(site: str, browser: Browser) -> None:
    senior = make_user("senior2@hub.example.test", User.Role.SENIOR)
    context = signed_in(browser, site, senior)
    page = context.new_page()
    audit = Audit(Axe(), page)
    case, appeal = Case.objects.get(), Appeal.objects.get()
    try:
        for path in ("/staff/takedown/appeals/", f"/staff/takedown/appeals/{appeal.pk}/",
                     "/staff/takedown/appeals/new/", f"/staff/takedown/{case.pk}/"):
            response = page.goto(f"{site}{path}")
            assert response is not None and response.status == 200, path
            audit(path)
        page.screenshot(path="/tmp/takedown-correct.png", full_page=True)
        page.goto(f"{site}/staff/takedown/appeals/new/")
        page.get_by_label("Listed web address").fill("https://nowhere.example.test/")
        page.get_by_label("On behalf of (site owner, contact)").fill("Owner")
        page.get_by_label("What they say").fill("Kept text")
        page.get_by_role("button", name="Lodge the appeal").click()
        expect(page.get_by_text("This address is not on the list.")).to_be_visible()
        expect(page.get_by_label("What they say")).to_have_value("Kept text")
        audit("lodging refused")
        audit.assert_clean()
    finally:
        context.close()

"""The reporter's follow-up in a real browser (Debian's Chromium, Playwright, JavaScript off):
the urgent path, and a question an analyst asks from the case page, answered through the
receipt on the status page and read by staff. axe finds nothing on the new pages.

Staff sign in as verified_client does (password and second factor recorded in the session);
the full sign-in is tested in hotline/workbench/tests/test_staff_browser.py.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from hotline.accounts.models import User
from hotline.cases import queue
from hotline.cases.models import Case, Question
from hotline.cases.services import report_intake
from hotline.intake.models import Report
from hotline.portals.models import HelpContact, Portal
from hotline.testing.base import load_demo_network, make_user
from hotline.testing.browser import SHIPPED, Audit, new_context, page_languages
from hotline.testing.browser import staff_context as signed_in_context

pytestmark = pytest.mark.browser

QUESTION = "The link asks for a password: do you know it?"
ANSWER = "It was written under the link."
# Screenshots for a person to look at, when asked for (HOTLINE_SCREENSHOTS=/some/dir).
SHOTS = os.environ.get("HOTLINE_SCREENSHOTS", "")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def site(live_server, transactional_db) -> str:
    load_demo_network()
    return live_server.url


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def staff_context(browser: Browser, site: str, user: User, *, script: bool = False
                  ) -> BrowserContext:
    """A browser signed in as this user, second factor verified (JavaScript off, unless axe
    is to run: it is a script)."""
    return signed_in_context(browser, site, user, locale="en-GB", java_script_enabled=script)


def send_report(page: Page, site: str, lang: str = "en", *, urgent: bool) -> str:
    page.goto(f"{site}/gm/{lang}/report/" if lang == "en" else f"{site}/all/{lang}/report/")
    page.locator("#id_urls").fill("https://images.example.test/gallery/1")
    page.locator("#id_content_kind_0").check()
    if urgent:
        page.locator("#id_urgent").check()
    page.locator("form[method=post] button[type=submit]").click()
    shown = page.locator("p.code[dir=ltr]").inner_text().strip()
    assert re.match(r"^\d{4}( \d{4}){4}$", shown)
    return shown


def test_the_urgent_path(site: str, browser: Browser) -> None:
    context = new_context(browser, locale="en-GB", viewport={"width": 320, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{site}/gm/en/report/")
        urgent = page.get_by_label("A child may be in immediate danger, or the abuse is "
                                   "happening now")
        expect(urgent).not_to_be_checked()
        shot(page, "report-form-320")
        send_report(page, site, urgent=True)
        # The emergency numbers come first: before the receipt code, right under the heading.
        help_box = page.locator("main .urgent-help .danger")
        expect(help_box).to_be_visible()
        calls = help_box.locator("a[href^='tel:']")
        assert calls.count() >= 1
        first_call = calls.first.bounding_box()
        code_box = page.locator("p.code").bounding_box()
        assert first_call and code_box and first_call["y"] < code_box["y"]
        shot(page, "urgent-receipt-320")
        report = Report.objects.get()
        assert report.urgent
        report_intake(report_id=report.pk)
        assert Case.objects.get().priority == queue.URGENT
        assert context.cookies() == []
    finally:
        context.close()


def test_a_question_answered_through_the_receipt_and_read_by_staff(site: str,
                                                                   browser: Browser) -> None:
    analyst = make_user("analyst-browser@hub.example.test", User.Role.ANALYST)
    public = new_context(browser, locale="en-GB")
    page = public.new_page()
    staff = staff_context(browser, site, analyst)
    desk = staff.new_page()
    try:
        code = send_report(page, site, urgent=False)
        report = Report.objects.get()
        report_intake(report_id=report.pk)
        case = Case.objects.get()

        desk.goto(f"{site}/staff/cases/{case.pk}/")
        thread = desk.locator("section.question-thread")
        thread.get_by_label("Question to the reporter").fill(QUESTION)
        thread.get_by_role("button", name="Ask").click()
        expect(desk).to_have_url(re.compile(rf"/staff/cases/{case.pk}/#questions$"))
        expect(desk.locator("section.question-thread")).to_contain_text(QUESTION)

        page.goto(f"{site}/gm/en/status/")
        page.get_by_label("Receipt code").fill(code)
        page.get_by_role("button", name="Check").click()
        questions = page.locator("section.questions")
        expect(questions).to_contain_text(QUESTION)
        questions.get_by_role("button", name="Send answer").click()  # empty: refused
        expect(page.locator(".summary[role=alert]")).to_contain_text(
            "Write your answer before sending it.")
        page.get_by_label("Your answer").fill(ANSWER)
        page.get_by_role("button", name="Send answer").click()
        expect(page.locator("section.questions")).to_contain_text(
            "Thank you: your answer was sent.")
        expect(page.get_by_label("Your answer")).to_have_count(0)
        shot(page, "status-answered")
        assert public.cookies() == []
        assert Question.objects.get().answered_at is not None

        desk.goto(f"{site}/staff/cases/{case.pk}/")
        expect(desk.locator("section.question-thread")).not_to_contain_text(ANSWER)
        desk.get_by_role("button", name="Show the answer (recorded in the audit log)").click()
        expect(desk.locator("section.question-thread")).to_contain_text(ANSWER)
        shot(desk, "case-thread")
    finally:
        public.close()
        staff.close()


@pytest.mark.parametrize("lang", page_languages())
def test_axe_finds_nothing_on_the_follow_up_pages(lang: str, site: str, browser: Browser,
                                                   axe: Axe) -> None:
    portal = Portal.objects.create(code="all", name="All languages", country="GB",
                                   languages=SHIPPED, is_demo=True)
    HelpContact.objects.create(portal=portal, kind=HelpContact.Kind.EMERGENCY, phone="999",
                               label={"en": "Emergency services"}, position=0)
    analyst = make_user("analyst-axe@hub.example.test", User.Role.ANALYST)
    context = new_context(browser, java_script_enabled=True, locale=lang)
    page = context.new_page()
    audit = Audit(axe, page)
    try:
        code = send_report(page, site, lang, urgent=True)
        audit("urgent receipt")
        report = Report.objects.get()
        report_intake(report_id=report.pk)
        Question.objects.create(case=Case.objects.get(), report=report, asked_by=analyst,
                                text=QUESTION)
        page.goto(f"{site}/all/{lang}/status/")
        page.locator("#id_code").fill(code)
        page.locator("form[action$='/status/'] button[type=submit]").click()
        expect(page.locator("section.questions")).to_be_visible()
        audit("status with a question")
        page.locator("section.questions button[type=submit]").click()
        expect(page.locator(".summary")).to_be_visible()
        audit("answer refused")
        page.locator("#answer_answer").fill(ANSWER)
        page.locator("section.questions button[type=submit]").click()
        expect(page.locator("section.questions .notice")).to_be_visible()
        audit("answer sent")
        if lang == "en":
            staff = staff_context(browser, site, analyst, script=True)
            desk = staff.new_page()
            desk_audit = Audit(axe, desk)
            desk.goto(f"{site}/staff/cases/{Case.objects.get().pk}/")
            desk_audit("case page with a question thread")
            staff.close()
            desk_audit.assert_clean()
        audit.assert_clean()
    finally:
        context.close()

"""The public pages in a real browser: Debian's Chromium driven by Playwright.

The pages are used the way a cautious reporter would use them: JavaScript off, no cookies,
keyboard only, a 320 px phone screen, right-to-left scripts. Every public page is checked
with axe in every shipped language.

Nothing is downloaded: the browser is the system's Chromium and axe-core ships inside the
axe-playwright-python wheel.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, BrowserContext, FloatRect, Page, expect

from hotline.cases.progress import ReportStatus
from hotline.intake.models import Report
from hotline.lib import receipts
from hotline.lib.languages import languages
from hotline.portals.models import HelpContact, Partner, Portal
from hotline.testing.base import load_demo_network
from hotline.testing.browser import SHIPPED, Audit, new_context, one_per_script, page_languages

pytestmark = pytest.mark.browser

LANGUAGES = [code for code, _name in settings.LANGUAGES]
CODE_ON_PAGE = re.compile(r"^\d{4}( \d{4}){4}$")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


# --- Browser and server -----------------------------------------------------------------------


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile with JavaScript switched off, like Tor Browser's safest level."""
    context = new_context(browser, locale="en-GB")
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def site(live_server, transactional_db) -> str:
    """The live server's address, with the demo portals gm (en), sn (fr) and km (fr, ar)."""
    load_demo_network()
    return live_server.url


def translated(lang: str, text: str) -> str:
    """The text as the server renders it in lang, whatever state the catalogs are in."""
    with translation.override(lang):
        return gettext(text)


def receipt_code(page: Page) -> str:
    """The code on the receipt page, digits only."""
    shown = page.locator("p.code[dir=ltr]").inner_text().strip()
    assert CODE_ON_PAGE.match(shown), f"unexpected receipt code {shown!r}"
    code = shown.replace(" ", "")
    assert receipts.is_well_formed(code)
    return code


# --- Reporting and checking, end to end -------------------------------------------------------


def test_report_and_check_status_in_english(site: str, context: BrowserContext,
                                            page: Page) -> None:
    page.goto(f"{site}/gm/en/report/")
    expect(page).to_have_title(re.compile(r"^Report a web address"))

    page.get_by_label("Web addresses").fill(
        "https://images.example.test/gallery/1\nhxxp://example[.]test/page"
    )
    page.get_by_label("Videos").check()
    page.get_by_label("Where did you find it? (optional)").fill("A link in a chat group")
    page.get_by_role("button", name="Send report").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your report was sent")
    code = receipt_code(page)
    report = Report.objects.get()
    assert report.portal is not None and report.portal.code == "gm" and report.language == "en"
    assert report.content_kind == "video"
    assert [a.submitted for a in report.addresses.all()] == [
        "https://images.example.test/gallery/1", "hxxp://example[.]test/page"]

    page.get_by_role("link", name="Check the status of a report").click()
    expect(page).to_have_url(f"{site}/gm/en/status/")
    page.get_by_label("Receipt code").fill(code)
    page.get_by_role("button", name="Check").click()

    result = page.get_by_role("status")
    expect(result.get_by_role("heading")).to_have_text("Report found")
    expect(result.locator(".state strong")).to_have_text("Received")
    assert context.cookies() == []


def test_report_and_check_status_in_arabic(site: str, context: BrowserContext,
                                           page: Page) -> None:
    # Arabic text comes from catalogs that may still change: find things by role, id and name.
    page.goto(f"{site}/km/ar/")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    page.locator("main a.button[href='/km/ar/report/']").click()
    expect(page).to_have_url(f"{site}/km/ar/report/")
    expect(html).to_have_attribute("dir", "rtl")

    # A line that is not a web address: the form comes back with a summary of the problem.
    urls = page.locator("textarea#id_urls[name=urls]")
    urls.fill("https://images.example.test/1\njust some words")
    page.locator("#id_content_kind_2[name=content_kind][value=website]").check()
    page.locator("#id_where_found[name=where_found]").fill("رابط في مجموعة دردشة")
    page.locator("#id_description[name=description]").fill("شوهد في ٣ نوفمبر")
    page.locator("form[method=post] button[type=submit]").click()

    summary = page.locator(".summary[role=alert]")
    expect(summary).to_be_visible()
    link = summary.locator("a")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", "#id_urls")
    expect(link).to_contain_text("just some words")
    expect(page.locator("#id_urls")).to_have_attribute("aria-invalid", "true")
    # What was typed is still there.
    expect(urls).to_have_value("https://images.example.test/1\njust some words")
    expect(page.locator("#id_content_kind_2")).to_be_checked()
    expect(page.locator("#id_where_found")).to_have_value("رابط في مجموعة دردشة")
    expect(page.locator("#id_description")).to_have_value("شوهد في ٣ نوفمبر")
    assert Report.objects.count() == 0

    # The link in the summary takes the reporter to the field.
    link.click()
    expect(page.locator("#id_urls")).to_be_focused()

    urls.fill("https://images.example.test/1\nhxxps://files[.]example.test/a")
    page.locator("form[method=post] button[type=submit]").click()
    expect(page.locator(".receipt")).to_be_visible()
    expect(html).to_have_attribute("lang", "ar")
    code = receipt_code(page)
    report = Report.objects.get()
    assert report.portal is not None
    assert (report.portal.code, report.language, report.content_kind) == ("km", "ar", "website")

    page.locator("main a[href='/km/ar/status/']").click()
    expect(page).to_have_url(f"{site}/km/ar/status/")
    # Phones set to Arabic type Arabic-Indic digits; the code is accepted either way.
    page.locator("input#id_code[name=code]").fill(code.translate(ARABIC_INDIC))
    page.locator("form[method=post] button[type=submit]").click()

    result = page.locator(".result[role=status]")
    expect(result.locator("h2")).to_have_text(translated("ar", "Report found"))
    with translation.override("ar"):
        received = str(ReportStatus.RECEIVED.label)
    expect(result.locator(".state strong")).to_have_text(received)
    assert context.cookies() == []


@pytest.mark.parametrize("lang", one_per_script())
def test_report_and_check_status_in_each_script(lang: str, all_languages: str,
                                                browser: Browser) -> None:
    site = all_languages
    context = new_context(browser, locale=lang)  # JavaScript off
    page = context.new_page()
    try:
        page.goto(f"{site}/all/{lang}/")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        page.locator(f"main a.button[href='/all/{lang}/report/']").click()
        expect(page.locator("h1")).to_have_text(translated(lang, "Report a web address"))
        page.locator("#id_urls").fill("https://images.example.test/gallery/7")
        page.locator("#id_content_kind_0").check()
        page.locator("form[method=post] button[type=submit]").click()
        expect(page.locator("h1")).to_have_text(translated(lang, "Thank you: your report was sent"))
        code = receipt_code(page)
        report = Report.objects.get()
        assert report.portal is not None
        assert (report.portal.code, report.language) == ("all", lang)

        page.locator(f"main a[href='/all/{lang}/status/']").click()
        page.locator("#id_code").fill(receipts.group(code))
        page.locator("form[method=post] button[type=submit]").click()
        result = page.locator(".result[role=status]")
        expect(result.locator("h2")).to_have_text(translated(lang, "Report found"))
        with translation.override(lang):
            received = str(ReportStatus.RECEIVED.label)
        expect(result.locator(".state strong")).to_have_text(received)
        assert context.cookies() == []
    finally:
        context.close()


def test_a_language_of_each_script_family_is_chosen() -> None:
    families = {languages()[code].script for code in one_per_script()}
    assert families == {language.script for language in languages().values()}
    assert {"Latin", "Arabic"} <= families


# --- Accessibility ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def all_languages(site: str) -> str:
    """A portal in every shipped language, with help contacts and partners on its landing page."""
    portal = Portal.objects.create(
        code="all", name="All languages", country="GB", languages=SHIPPED, is_demo=True,
        names={"en": "All languages", "fr": "Toutes les langues", "ar": "كل اللغات"},
        intro={"en": "A portal used by the browser tests.",
               "fr": "Un portail pour les tests dans le navigateur."},
    )
    HelpContact.objects.create(portal=portal, kind=HelpContact.Kind.EMERGENCY, phone="999",
                               label={"en": "Emergency services"}, position=0)
    HelpContact.objects.create(
        portal=portal, kind=HelpContact.Kind.CHILD_HELPLINE, phone="0800 1111",
        url="https://helpline.example.test/", label={"en": "Childline", "fr": "Écoute enfance"},
        text={"en": "Free and confidential."}, position=1,
    )
    HelpContact.objects.create(portal=portal, kind=HelpContact.Kind.POLICE,
                               url="https://police.example.test/", position=2)
    Partner.objects.create(portal=portal, name="Example Child Protection Network",
                           url="https://partner.example.test/", position=0)
    Partner.objects.create(portal=portal, name="A partner without a website", position=1)
    return site


def assert_summary_links_reach_fields(page: Page) -> None:
    """Every link in the error summary points at a form control on the page."""
    targets = [page.locator(".summary a").nth(i).get_attribute("href")
               for i in range(page.locator(".summary a").count())]
    assert targets and all(href and href.startswith("#id_") for href in targets), targets
    for href in targets:
        expect(page.locator(f"form {href}:is(input, textarea)")).to_have_count(1)


def test_languages_under_test_are_the_shipped_ones() -> None:
    assert sorted(LANGUAGES) == sorted(SHIPPED)


@pytest.mark.parametrize("lang", page_languages())
def test_axe_finds_nothing_on_any_public_page(lang: str, all_languages: str, browser: Browser,
                                              axe: Axe) -> None:
    site = all_languages
    # axe-core is a script: it cannot run in a page with JavaScript off (its promises never
    # settle). The pages themselves carry no script and their CSP forbids any, so they render
    # the same with JavaScript on; Playwright's evaluate is not bound by the page's CSP.
    context = new_context(browser, java_script_enabled=True, locale=lang)
    page = context.new_page()
    audit = Audit(axe, page)
    try:
        page.goto(f"{site}/")  # in the language of Accept-Language
        expect(page.locator("html")).to_have_attribute("lang", lang)
        audit("list of portals")

        page.goto(f"{site}/all/{lang}/")
        expect(page.locator("html")).to_have_attribute("dir", languages()[lang].direction)
        expect(page.locator(".danger .help li")).to_have_count(3)
        audit("landing page")

        page.goto(f"{site}/all/{lang}/report/")
        audit("report form")

        page.locator("#id_urls").fill("ftp://files.example.test/a\nnot an address")
        page.locator("#id_contact").fill("not an e-mail address")
        page.locator("form[method=post] button[type=submit]").click()
        expect(page.locator(".summary")).to_be_visible()
        expect(page.locator(".summary a")).to_have_count(4)  # two lines, the kind, the e-mail
        assert_summary_links_reach_fields(page)
        audit("report form with errors")

        page.locator("#id_urls").fill("https://example.test/page")
        page.locator("#id_content_kind_0").check()
        page.locator("#id_contact").fill("")
        page.locator("form[method=post] button[type=submit]").click()
        code = receipt_code(page)
        audit("receipt")

        page.goto(f"{site}/all/{lang}/status/")
        audit("status form")

        page.locator("#id_code").fill("12345")
        page.locator("form[method=post] button[type=submit]").click()
        expect(page.locator(".summary")).to_be_visible()
        audit("status form with an error")

        wrong = receipts.new_code()
        while wrong == code:
            wrong = receipts.new_code()
        page.locator("#id_code").fill(receipts.group(wrong))
        page.locator("form[method=post] button[type=submit]").click()
        expect(page.locator(".result h2")).to_have_text(translated(lang, "No report found"))
        audit("status of an unknown code")

        page.locator("#id_code").fill(receipts.group(code))
        page.locator("form[method=post] button[type=submit]").click()
        expect(page.locator(".result h2")).to_have_text(translated(lang, "Report found"))
        audit("status of the report")

        page.goto(f"{site}/all/{lang}/privacy/")
        audit("privacy")

        response = page.goto(f"{site}/all/{lang}/no-such-page/")
        assert response is not None and response.status == 404
        expect(page.locator("html")).to_have_attribute("lang", lang)
        audit("page not found")

        assert len(audit.audited) == 11
        audit.assert_clean()
    finally:
        context.close()


def test_axe_finds_nothing_on_error_pages_outside_a_portal(site: str, browser: Browser,
                                                           axe: Axe) -> None:
    context = new_context(browser, java_script_enabled=True)
    page = context.new_page()
    audit = Audit(axe, page)
    try:
        for path in ("/nowhere/", "/nowhere/en/", "/gm/xx/"):
            response = page.goto(f"{site}{path}")
            assert response is not None and response.status == 404, path
            audit(f"page not found at {path}")
        audit.assert_clean()
    finally:
        context.close()


# --- Nothing from elsewhere -------------------------------------------------------------------


def test_every_request_goes_to_the_site_itself(site: str, browser: Browser) -> None:
    # The CSP would block a request to another origin before it is made, and a blocked request
    # would not show up here: switch it off so that the test checks the pages, not the CSP.
    context = new_context(browser, bypass_csp=True)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    try:
        page.goto(f"{site}/")
        page.goto(f"{site}/gm/")
        expect(page).to_have_url(f"{site}/gm/en/")
        for path in ("/gm/en/report/", "/gm/en/status/", "/gm/en/privacy/", "/km/ar/",
                     "/km/fr/", "/sn/fr/", "/nowhere/"):
            page.goto(f"{site}{path}")

        page.goto(f"{site}/km/ar/report/")
        page.locator("form[method=post] button[type=submit]").click()  # errors
        expect(page.locator(".summary")).to_be_visible()
        page.locator("#id_urls").fill("https://example.test/page")
        page.locator("#id_content_kind_3").check()
        page.locator("form[method=post] button[type=submit]").click()
        code = receipt_code(page)
        page.goto(f"{site}/km/ar/status/")
        page.locator("#id_code").fill(code)
        page.locator("form[method=post] button[type=submit]").click()
        expect(page.locator(".result .state")).to_be_visible()

        origin = urlsplit(site)[:2]
        foreign = [url for url in requests if urlsplit(url)[:2] != origin]
        assert foreign == []
        assert any(urlsplit(url).path == "/static/hotline/public.css" for url in requests)
        assert len(requests) > 15
        assert context.cookies() == []
    finally:
        context.close()


# --- Small screens and the keyboard -----------------------------------------------------------


NARROW = {"width": 320, "height": 640}


def scroll_width(page: Page) -> int:
    # Playwright's evaluate runs even when the page's own JavaScript is off.
    return page.evaluate("document.documentElement.scrollWidth")


def box(page: Page, selector: str) -> FloatRect:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return found


def direction(page: Page, selector: str) -> str:
    return page.locator(selector).first.evaluate("e => getComputedStyle(e).direction")


@pytest.mark.parametrize("lang", page_languages())
def test_every_language_fits_320_pixels_and_runs_its_own_way(lang: str, all_languages: str,
                                                              browser: Browser) -> None:
    """No horizontal scrolling at 320 px; right-to-left languages mirrored, while web addresses
    and receipt codes stay left to right (one browser context, every page of the language)."""
    site, lang_path = all_languages, f"all/{lang}"
    rtl = languages()[lang].bidi
    context = new_context(browser, viewport=NARROW)
    page = context.new_page()
    try:
        wide: dict[str, int] = {}
        for path in ("", "report/", "status/", "privacy/"):
            page.goto(f"{site}/{lang_path}/{path}")
            expect(page.locator("html")).to_have_attribute("dir", "rtl" if rtl else "ltr")
            assert direction(page, "main") == ("rtl" if rtl else "ltr"), path
            wide[path or "landing"] = scroll_width(page)

        # Mirrored: a choice's radio button sits at the start of its line, which is the right
        # in a right-to-left language; the web address field reads left to right anyway.
        page.goto(f"{site}/{lang_path}/report/")
        radio, label = box(page, "#id_content_kind_0"), box(page, "label[for=id_content_kind_0]")
        radio_at_right = radio["x"] + radio["width"] > label["x"] + label["width"] / 2
        assert radio_at_right == rtl, (radio, label)
        assert direction(page, "#id_urls") == "ltr"

        # Error messages quote what was typed: a long address has no place to break.
        page.locator("#id_urls").fill("ftp://" + "averylonghostname" * 5 + ".example.test/")
        page.locator("#id_contact").fill("notanaddress" * 6)
        page.locator("form[method=post] button[type=submit]").click()
        expect(page.locator(".summary")).to_be_visible()
        wide["report with errors"] = scroll_width(page)

        page.locator("#id_urls").fill("https://example.test/" + "a" * 300)
        page.locator("#id_content_kind_1").check()
        page.locator("#id_contact").fill("")
        page.locator("form[method=post] button[type=submit]").click()
        receipt_code(page)
        assert direction(page, "p.code") == "ltr"
        wide["receipt"] = scroll_width(page)

        page.goto(f"{site}/{lang_path}/status/")
        assert direction(page, "#id_code") == "ltr"

        page.goto(f"{site}/{lang_path}/no-such-page/")
        wide["page not found"] = scroll_width(page)

        too_wide = {name: width for name, width in wide.items() if width > NARROW["width"]}
        assert too_wide == {}
    finally:
        context.close()


def test_report_with_the_keyboard_alone_on_a_narrow_screen(site: str, browser: Browser) -> None:
    context = new_context(browser, viewport=NARROW, locale="en-GB")
    page = context.new_page()
    keyboard = page.keyboard

    def focused() -> str:
        return page.evaluate(
            "(() => { const e = document.activeElement;"
            " return e ? (e.id || e.getAttribute('class') || e.tagName) : ''; })()"
        )

    try:
        page.goto(f"{site}/gm/en/report/")
        assert scroll_width(page) <= NARROW["width"]

        keyboard.press("Tab")
        assert focused() == "skip"
        keyboard.press("Enter")  # skip to the content
        keyboard.press("Tab")
        assert focused() == "id_urls"
        keyboard.type("https://images.example.test/gallery/1")
        keyboard.press("Enter")
        keyboard.type("hxxp://example[.]test/page")

        keyboard.press("Tab")
        assert focused() == "id_content_kind_0"
        keyboard.press("Space")
        keyboard.press("ArrowDown")  # moves to and selects the next kind
        assert focused() == "id_content_kind_1"
        expect(page.locator("#id_content_kind_1")).to_be_checked()

        keyboard.press("Tab")  # "a child may be in danger now" is optional: left unticked
        assert focused() == "id_urgent"
        keyboard.press("Tab")
        assert focused() == "id_where_found"
        keyboard.type("A search engine")
        keyboard.press("Tab")
        assert focused() == "id_description"
        keyboard.press("Tab")
        assert focused() == "id_contact"
        keyboard.press("Tab")
        assert focused() == "id_feedback"
        keyboard.press("Tab")  # the hidden trap field for bots is not in the tab order
        assert page.evaluate("document.activeElement.type") == "submit"
        keyboard.press("Enter")

        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Thank you: your report was sent")
        receipt_code(page)
        report = Report.objects.get()
        assert report.content_kind == "video"
        assert report.addresses.count() == 2
        assert report.where_found_sealed is not None and report.description_sealed is None
        assert scroll_width(page) <= NARROW["width"]
        assert context.cookies() == []
    finally:
        context.close()

"""Trust and safety on the public pages, measured in Chromium from the rendered page.

JavaScript is off in the pages, as for a cautious reporter; Playwright's evaluate still runs
in its own world, which is how sizes, computed styles and contrast are read. Every page is
checked on a 320 px phone screen, in a left-to-right and a right-to-left language.

- Call buttons (tel: links at least 44 x 44 px) wherever help is offered, in all five languages.
- Every target at least 44 px high: links that stand alone, buttons, fields, radios (the label
  is the target), language links; a link inside a sentence is part of the text and exempt.
- The focus indicator at least 3:1 against what is behind it.
- axe on the pages this work added or changed.
- The report form on Chromium's emulated slow network (400 kbit/s, 400 ms round trip): what it
  transfers and how many requests it makes. The time it takes is a benchmark, not a test
  (bench/public_pages.py, BENCHMARKS.md).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from hotline.portals.models import HelpContact, Partner, Portal
from hotline.testing.base import load_demo_network
from hotline.testing.browser import SHIPPED, Audit, new_context, page_languages

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 640}
TARGET = 44
# The 2.75rem of the stylesheet is 44 px; allow for rounding of fractional layouts.
TOLERANCE = 0.5
FORM_BUDGET = 14 * 1024  # gzip, HTML + CSS
SLOW_NETWORK = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8,
                "uploadThroughput": 400_000 / 8}


@pytest.fixture
def site(live_server, transactional_db) -> str:
    """The demo portals and a portal in every shipped language, with help and partners."""
    load_demo_network()
    portal = Portal.objects.create(
        code="all", name="All languages", country="GB", languages=SHIPPED, is_demo=True,
        names={"en": "All languages", "fr": "Toutes les langues", "ar": "كل اللغات"},
    )
    HelpContact.objects.create(portal=portal, kind=HelpContact.Kind.EMERGENCY, phone="999",
                               label={"en": "Emergency services"}, position=0)
    HelpContact.objects.create(
        portal=portal, kind=HelpContact.Kind.CHILD_HELPLINE, phone="0800 1111",
        url="https://helpline.example.test/", label={"en": "Childline", "fr": "Écoute enfance"},
        text={"en": "Free and confidential."}, position=1)
    HelpContact.objects.create(portal=portal, kind=HelpContact.Kind.POLICE,
                               url="https://police.example.test/", position=2)
    Partner.objects.create(portal=portal, name="Example Child Protection Network",
                           url="https://partner.example.test/", position=0)
    return str(live_server.url)


@pytest.fixture
def narrow(browser: Browser) -> Iterator[BrowserContext]:
    context = new_context(browser, viewport=NARROW)
    yield context
    context.close()


def send_report(page: Page, site: str, path: str) -> None:
    page.goto(f"{site}{path}report/")
    page.locator("#id_urls").fill("https://example.test/page\nhttps://example.test/other")
    page.locator("#id_content_kind_0").check()
    page.locator("form[method=post] button[type=submit]").click()
    expect(page.locator(".receipt")).to_be_visible()


def visit_every_page(page: Page, site: str, lang: str) -> Iterator[str]:
    """Go to each public page in turn (as a reporter would reach it); yield its name."""
    base = f"/all/{lang}/"
    for name, path in [("list of portals", "/"), ("landing page", base),
                       ("report form", f"{base}report/"), ("status form", f"{base}status/"),
                       ("privacy", f"{base}privacy/"), ("staying safe", f"{base}safety/"),
                       ("figures", f"{base}figures/")]:
        page.goto(f"{site}{path}")
        yield name
    page.goto(f"{site}{base}report/")
    page.locator("#id_urls").fill("ftp://example.test/a\nnot an address")
    page.locator("form[method=post] button[type=submit]").click()
    expect(page.locator(".summary")).to_be_visible()
    yield "report form with errors"
    send_report(page, site, base)
    yield "receipt"
    response = page.goto(f"{site}{base}no-such-page/")
    assert response is not None and response.status == 404
    yield "page not found"


# --- Call buttons -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", page_languages())
def test_call_buttons_wherever_help_is_offered(lang: str, site: str,
                                               narrow: BrowserContext) -> None:
    page = narrow.new_page()

    def assert_call_buttons(where: str) -> None:
        expect(page.locator("html")).to_have_attribute("lang", lang)
        for number, shown in [("999", "999"), ("08001111", "0800 1111")]:
            button = page.locator(f".danger a.call[href='tel:{number}']")
            expect(button).to_have_count(1)
            expect(button).to_be_visible()
            expect(button).to_contain_text(shown)
            box = button.bounding_box()
            assert box is not None
            assert box["width"] >= TARGET - TOLERANCE and box["height"] >= TARGET - TOLERANCE, \
                (where, number, box)
        # The contact without a phone has no call button, only its website.
        expect(page.locator(".danger a.call")).to_have_count(2)

    page.goto(f"{site}/all/{lang}/")
    assert_call_buttons("landing page")
    page.goto(f"{site}/all/{lang}/report/")
    assert_call_buttons("report form")
    send_report(page, site, f"/all/{lang}/")
    assert_call_buttons("receipt")
    page.goto(f"{site}/all/{lang}/no-such-page/")
    assert_call_buttons("page not found")


# --- Target sizes -----------------------------------------------------------------------------

# Every target of the page with its size; a radio's or checkbox's target is its label, a link
# that is part of a sentence (its paragraph or item says more than the link) is marked inline.
TARGETS_JS = """
() => Array.from(document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), textarea, select, [tabindex="0"]'))
  .filter(el => !el.closest('.hp') && !el.classList.contains('skip'))
  .map(el => {
    let target = el;
    if (el.type === 'radio' || el.type === 'checkbox') {
      target = document.querySelector(`label[for="${el.id}"]`) || el;
    }
    const box = target.getBoundingClientRect();
    const parent = el.parentElement;
    const inline = el.tagName === 'A' && ['P', 'LI'].includes(parent.tagName)
      && parent.textContent.trim().length > el.textContent.trim().length;
    return {what: el.outerHTML.slice(0, 100), width: box.width, height: box.height, inline};
  })
"""


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_target_is_at_least_44_pixels_high(lang: str, site: str,
                                                 narrow: BrowserContext) -> None:
    page = narrow.new_page()
    small: list[tuple[str, str, float, float]] = []
    measured = 0
    for name in visit_every_page(page, site, lang):
        for target in page.evaluate(TARGETS_JS):
            if target["inline"]:
                continue
            measured += 1
            if target["height"] < TARGET - TOLERANCE or target["width"] < TARGET - TOLERANCE:
                small.append((name, target["what"], target["width"], target["height"]))
        # The skip link shows only when focused: measure it then.
        page.locator("a.skip").focus()
        box = page.locator("a.skip").bounding_box()
        assert box is not None and box["height"] >= TARGET - TOLERANCE, (name, box)
    assert measured > 100
    assert small == [], "\n".join(map(str, small))


# --- Focus indicator --------------------------------------------------------------------------

# Focus the element, then read its outline and the colour behind the outline: the first
# element under a point on the outline (outside the element), walking up to a background.
FOCUS_JS = """
el => {
  el.scrollIntoView({block: 'center'});
  el.focus();
  const cs = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const ring = (parseFloat(cs.outlineOffset) || 0) + (parseFloat(cs.outlineWidth) || 0) / 2;
  const points = [[box.left + box.width / 2, box.top - ring],
                  [box.left - ring, box.top + box.height / 2],
                  [box.right + ring, box.top + box.height / 2]];
  let behind = null;
  for (const [x, y] of points) {
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
    behind = document.elementsFromPoint(x, y).find(e => e !== el && !el.contains(e));
    if (behind) break;
  }
  let background = 'rgb(255, 255, 255)';
  for (let e = behind; e; e = e.parentElement) {
    const bg = getComputedStyle(e).backgroundColor;
    if (bg && bg !== 'transparent' && !/rgba\\(.*, 0\\)$/.test(bg)) { background = bg; break; }
  }
  return {focused: document.activeElement === el, style: cs.outlineStyle,
          width: parseFloat(cs.outlineWidth) || 0, colour: cs.outlineColor, background,
          what: el.outerHTML.slice(0, 100)};
}
"""
FOCUSABLE = "a[href], button, input:not([type=hidden]), textarea, [tabindex='0']"


def luminance(colour: str) -> float:
    match = re.match(r"rgba?\((\d+), (\d+), (\d+)", colour)
    assert match, colour
    channels = []
    for value in match.groups():
        c = int(value) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_is_measured_as_wcag_says() -> None:
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert round(contrast("rgb(242, 178, 0)", "rgb(255, 255, 255)"), 2) == 1.88  # the old ring


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_focus_indicator_stands_out_from_its_background(lang: str, site: str,
                                                            narrow: BrowserContext) -> None:
    page = narrow.new_page()
    weak: list[tuple[str, dict[str, Any], float]] = []
    measured = 0
    for name in visit_every_page(page, site, lang):
        elements = page.locator(f"{FOCUSABLE}, a.skip")
        for i in range(elements.count()):
            element = elements.nth(i)
            if element.evaluate("el => !!el.closest('.hp')"):
                continue
            ring = element.evaluate(FOCUS_JS)
            assert ring["focused"], (name, ring)
            measured += 1
            ratio = contrast(ring["colour"], ring["background"])
            if ring["style"] == "none" or ring["width"] < 2 or ratio < 3:
                weak.append((name, ring, round(ratio, 2)))
    assert measured > 100
    assert weak == []


# --- The receipt code at 320 px ---------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_receipt_code_never_breaks_inside_a_group(lang: str, site: str,
                                                      narrow: BrowserContext) -> None:
    page = narrow.new_page()
    send_report(page, site, f"/all/{lang}/")
    # The lines the code is laid out on: each group's characters all on one line, and no line
    # left with a single group.
    lines = page.locator("p.code").evaluate("""p => {
      const text = p.firstChild, groups = [];
      let start = 0;
      for (const group of text.textContent.split(' ')) {
        const range = document.createRange();
        range.setStart(text, start);
        range.setEnd(text, start + group.length);
        groups.push(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
        start += group.length + 1;
      }
      return groups;
    }""")
    assert len(lines) == 5
    assert all(len(set(tops)) == 1 for tops in lines), lines
    rows: dict[int, int] = {}
    for tops in lines:
        rows[tops[0]] = rows.get(tops[0], 0) + 1
    assert len(rows) == 1 or min(rows.values()) >= 2, rows
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]


def test_the_code_downloads_as_text_without_javascript(site: str,
                                                       narrow: BrowserContext) -> None:
    page = narrow.new_page()
    send_report(page, site, "/all/fr/")
    shown = page.locator("p.code").inner_text().strip()
    with page.expect_download() as download:
        page.locator(".receipt form button[type=submit]").click()
    assert download.value.suggested_filename == "receipt.txt"
    path = download.value.path()
    text = path.read_text(encoding="utf-8")
    assert shown in text and f"{site}/all/fr/status/" in text
    assert "Toutes les langues" in text
    expect(page.locator("p.code")).to_have_text(shown)  # still on the receipt
    assert narrow.cookies() == []


# --- axe ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("lang", page_languages())
def test_axe_finds_nothing_on_the_pages_of_trust_and_safety(lang: str, site: str,
                                                            browser: Browser, axe: Axe) -> None:
    # axe is a script: JavaScript on for it alone (the pages carry none, their CSP forbids it).
    context = new_context(browser, java_script_enabled=True, locale=lang, viewport=NARROW)
    page = context.new_page()
    audit = Audit(axe, page)
    try:
        for name in visit_every_page(page, site, lang):
            audit(name)
        assert len(audit.audited) == 10
        audit.assert_clean()
    finally:
        context.close()


# --- A slow network -----------------------------------------------------------------------------


def test_the_report_form_is_small_on_a_slow_network(site: str, browser: Browser) -> None:
    context = new_context(browser)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_NETWORK)
    received: list[Any] = []
    page.on("requestfinished", lambda request: received.append(request))
    try:
        for path in ["/gm/en/report/", "/km/ar/report/"]:
            received.clear()
            response = page.goto(f"{site}{path}", wait_until="load")
            assert response is not None and response.ok
            origin = urlsplit(site)[:2]
            assert all(urlsplit(r.url)[:2] == origin for r in received)
            kinds = sorted(urlsplit(r.url).path.rsplit(".", 1)[-1] if "." in
                           urlsplit(r.url).path else "html" for r in received)
            # The page, its stylesheet and at most the icon the browser asks for by itself.
            assert kinds in (["css", "html"], ["css", "html", "ico"]), kinds
            bodies = [r.response().body() for r in received
                      if not r.url.endswith("favicon.ico")]
            compressed = sum(len(gzip.compress(body, 6)) for body in bodies)
            assert compressed <= FORM_BUDGET, (path, compressed)
    finally:
        context.close()

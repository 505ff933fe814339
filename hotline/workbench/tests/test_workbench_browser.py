"""The analyst's workbench in Chromium with JavaScript on, by keyboard only: open the next
case, see blurred greyscale thumbnails (pixels checked), reveal one (audited), grade the items
in bulk, save and next; a known-content case confirmed; the blind second review; the number of
actions each took; axe on the case and review pages.

A page of 20 benign synthetic pictures and a page of 3 pictures a partner bank knows are served
from loopback; nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from hotline.accounts.models import User
from hotline.audit.models import AuditEntry
from hotline.capture.services import case_capture
from hotline.cases.models import Assessment, Case, Verdict
from hotline.lists.models import BankHash, HashBank
from hotline.testing.base import CLASSIFICATION, make_user
from hotline.testing.browser import Audit, new_context, sign_in
from hotline.testing.httpserver import Route, Site, serve
from hotline.testing.images import synthetic_image

from .test_staff_browser import run_worker, site  # noqa: F401 (site: the live server fixture)

pytestmark = pytest.mark.browser
# A case page checks its items against the site before it answers (at most
# VIEWER_TOTAL_SECONDS): on a loaded machine that is more than expect()'s 5 s.
NAVIGATION = 30_000

ITEM_GRADE = {"uk_category": ["b"], "inhope": ["baseline"], "industry": ["A2"],
              "age_band": ["7-10"]}


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def pictures(site: str, settings: Any) -> Any:  # noqa: F811
    """The loopback site: /g/ shows 20 pictures, /k/ shows 3 a partner bank knows."""
    settings.FETCH_ALLOW_NETWORKS = ["127.0.0.1/32"]
    # One thumbnail at a time: the live server's SQLite cannot save sessions concurrently.
    settings.VIEWER_BROWSER_PARALLEL = 1
    loopback = Site()
    gallery = [synthetic_image(seed=100 + n) for n in range(20)]
    known = [synthetic_image(seed=200 + n) for n in range(3)]
    loopback.routes["/g/"] = Route(body=b"<html><body>" + b"".join(
        f'<img src="/g/{n}.png" alt="">'.encode() for n in range(20)) + b"</body></html>")
    loopback.routes["/k/"] = Route(body=b"<html><body>" + b"".join(
        f'<img src="/k/{n}.png" alt="">'.encode() for n in range(3)) + b"</body></html>")
    for n, body in enumerate(gallery):
        loopback.routes[f"/g/{n}.png"] = Route(body=body, content_type="image/png")
    for n, body in enumerate(known):
        loopback.routes[f"/k/{n}.png"] = Route(body=body, content_type="image/png")
    bank = HashBank.objects.create(name="Partner bank", source="a partner hotline")
    for body in known:
        BankHash.objects.create(bank=bank, sha256=hashlib.sha256(body).hexdigest(),
                                classification={**CLASSIFICATION, "uk_category": ["a"]})
    with serve(loopback):
        yield loopback


def earlier_grades(analyst: User) -> None:
    """The analyst graded items alike last week: that grade is quick grade 1."""
    now = timezone.now()
    case = Case.objects.create(url="https://old.example.test/", url_sha256="0" * 64,
                               host="old.example.test", registrable_domain="example.test",
                               status=Case.Status.CLOSED, verdict=Verdict.CSAM,
                               first_reported=now, last_reported=now, closed_at=now)
    Assessment.objects.create(case=case, analyst=analyst, kind="initial", verdict="csam",
                              item_grades={str(n): {"verdict": "csam",
                                                    "classification": ITEM_GRADE}
                                           for n in range(5)})
    Assessment.objects.filter(case=case).update(created=now - timedelta(days=7))


class Keys:
    """The analyst's hands: every key press and click counted."""

    def __init__(self, page: Page) -> None:
        self.page, self.count = page, 0

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += 1


def pixels(page: Page, selector: str) -> dict[str, float]:
    """Greyness and detail of an image as the browser drew it (a canvas of the same origin)."""
    return page.evaluate("""(selector) => {
        const img = document.querySelector(selector);
        const c = document.createElement("canvas");
        c.width = img.naturalWidth; c.height = img.naturalHeight;
        const g = c.getContext("2d"); g.drawImage(img, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data;
        let colour = 0, detail = 0, n = 0;
        for (let y = 0; y < c.height; y++) for (let x = 0; x + 1 < c.width; x++) {
            const i = (y * c.width + x) * 4, j = i + 4;
            colour += Math.abs(d[i] - d[i + 1]) + Math.abs(d[i + 1] - d[i + 2]);
            detail += Math.abs(d[i] - d[j]); n++;
        }
        return {colour: colour / n, detail: detail / n, width: c.width};
    }""", selector)


def settled(page: Page) -> None:
    """Every picture of the grid has arrived (as an analyst waits for them): no request is
    left running when the test moves on."""
    page.wait_for_function("() => [...document.querySelectorAll('.grid img')]"
                           ".every(i => !i.hasAttribute('data-src') && i.complete)",
                           timeout=60_000)


def tab_to(page: Page, selector: str, limit: int = 60) -> int:
    """Tab until the element has focus (keyboard only); the number of presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement === document.querySelector(s)",
                         selector):
            return presses
    raise AssertionError(f"{selector} not reached in {limit} Tab presses")


def test_keyboard_path_blind_review_and_action_counts(site: str, pictures: Site,  # noqa: F811
                                                      browser: Browser, axe: Axe) -> None:
    # A member of the public reports both pages; the worker opens and captures the cases.
    public = new_context(browser)
    reporter = public.new_page()
    reporter.goto(f"{site}/gm/en/report/")
    reporter.get_by_label("Web addresses").fill(f"{pictures.url('/g/')}\n{pictures.url('/k/')}")
    reporter.get_by_label("Images").check()
    reporter.get_by_role("button", name="Send report").click()
    expect(reporter.get_by_role("heading", level=1)).to_have_text(
        "Thank you: your report was sent")
    public.close()
    run_worker()
    gallery, known = (Case.objects.get(url=pictures.url("/g/")),
                      Case.objects.get(url=pictures.url("/k/")))
    for case in (gallery, known):  # the capture worker's job (off in tests: run it here)
        case_capture(case_id=case.pk)
    assert gallery.captures.get().items.exclude(sha256="").count() == 20
    known.refresh_from_db()
    assert known.known_content

    analyst = make_user("analyst.a@hub.example.test", User.Role.ANALYST)
    senior = make_user("senior.b@hub.example.test", User.Role.SENIOR)
    earlier_grades(analyst)
    context = new_context(browser, java_script_enabled=True, locale="en-GB")
    page = context.new_page()
    audit = Audit(axe, page)
    sign_in(context, site, analyst)

    # 1. Open the next case from the queue, by keyboard: the 20-picture page comes first.
    page.goto(f"{site}/staff/cases/")
    tab_to(page, "#start-next")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}/staff/cases/{gallery.pk}/", timeout=NAVIGATION)
    expect(page.locator(".grid .item")).to_have_count(20)
    thumbs = page.locator(".grid img.thumb")
    expect(thumbs).to_have_count(20)
    settled(page)
    assert page.evaluate("() => [...document.querySelectorAll('.grid img.thumb')]"
                         ".every(i => i.naturalWidth > 0)")
    seen = pixels(page, ".grid .item:first-child img")
    assert seen["colour"] == 0, seen  # greyscale
    size = int(seen["width"])
    original = Image.open(io.BytesIO(synthetic_image(seed=100))).convert("L").resize((size, size))
    sharp = float(np.abs(np.diff(np.asarray(original, dtype=np.float64), axis=1)).mean())
    assert seen["detail"] < sharp / 3, (seen, sharp)  # blurred: little detail left
    audit("case page")

    # 2. Reveal the first item (j focuses it, r reveals it): in colour, audited, counted.
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("r")
    first = page.locator(".grid .item").first
    expect(first.locator("img.revealed")).to_have_count(1)
    page.wait_for_function("() => { const i = document.querySelector("
                           "'.grid .item:first-child img.revealed');"
                           " return i && i.complete && i.naturalWidth > 0; }")
    assert pixels(page, ".grid .item:first-child img.revealed")["colour"] > 5
    expect(page.locator("#reveals-session")).to_have_text("1")
    assert AuditEntry.objects.filter(action="item.reveal", actor=analyst).count() == 1

    # 3. Grade all 20 alike and save, counting every key: select all, quick grade 1, the one
    #    required page-level group left (site type), save and next.
    keys = Keys(page)
    keys.press("a")
    keys.press("1")
    keys.press("g")
    expect(page.locator("#id_scheme_site_type_0")).to_be_focused()
    keys.press("Space")
    keys.press("s")
    expect(page).to_have_url(f"{site}/staff/cases/{known.pk}/", timeout=NAVIGATION)
    assert keys.count <= 6, keys.count
    gallery_actions = keys.count
    first_assessment = Assessment.objects.get(case=gallery)
    assert first_assessment.verdict == "csam"
    assert len(first_assessment.item_grades) == 20
    assert all(g["classification"] == ITEM_GRADE for g in first_assessment.item_grades.values())

    # 4. The known-content case came next: pre-graded from the bank; confirmed with one key.
    expect(page.locator(".known-verdict")).to_have_count(3)
    settled(page)
    audit("known case page")
    keys = Keys(page)
    keys.press("s")
    expect(page).to_have_url(f"{site}/staff/cases/", timeout=NAVIGATION)
    assert keys.count <= 2
    known_actions = keys.count
    known_assessment = Assessment.objects.get(case=known)
    assert known_assessment.verdict == "csam" and len(known_assessment.item_grades) == 3
    # The partner bank's pictures were never fetched for the viewer.
    viewer_asked = [path for path, _ in pictures.requests if path.startswith("/k/")]
    assert len(viewer_asked) == 1 + 3  # the capture only: the page and its three pictures

    # 5. The senior reviews the gallery blind, with the bulk grades, then sees the comparison.
    sign_in(context, site, senior)
    page.goto(f"{site}/staff/cases/reviews/")
    tab_to(page, "#start-next")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}/staff/cases/{gallery.pk}/", timeout=NAVIGATION)
    expect(page.locator("#blind-review")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Assessment by")
    settled(page)
    audit("review page")
    page.locator("#select-all").check()
    for code, (value,) in ITEM_GRADE.items():
        page.locator(f"#bulk-{code}").select_option(value)
    page.locator("#bulk-apply").click()
    page.locator("#id_scheme_site_type_0").check()
    page.locator("#save").click()
    expect(page.locator("#comparison")).to_have_text("The review and the assessment agree.",
                                                     timeout=NAVIGATION)
    expect(page.locator("main")).to_contain_text(f"Assessment by {analyst.email}")
    audit("comparison")
    settled(page)
    gallery.refresh_from_db()
    assert gallery.confirmed and gallery.status == Case.Status.CLOSED
    assert json.dumps(gallery.classification, sort_keys=True) == json.dumps(
        {**ITEM_GRADE, "site_type": ["image_host"], "media_type": ["image"]}, sort_keys=True)

    audit.assert_clean()
    context.close()
    print(f"actions after opening: 20-item page {gallery_actions}, known content "
          f"{known_actions}")

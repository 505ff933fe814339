"""The queue and the review list on a 320-pixel screen: the page itself never scrolls sideways;
the wide table scrolls inside its own region, which the keyboard reaches and a screen reader
names after the table."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from hotline.cases.models import Case, url_digest
from hotline.lib.staffaccess import Role
from hotline.testing.base import make_user
from hotline.testing.browser import staff_context

from .test_staff_browser import site  # noqa: F401 (site: the live server fixture)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/staff/cases/", "/staff/cases/reviews/"])
def test_the_lists_fit_a_narrow_screen(site: str, browser: Browser, path: str) -> None:  # noqa: F811
    now = timezone.now()
    url = "https://images.example.test/a/very/long/path/that/does/not/break/anywhere/easily"
    for status in (Case.Status.OPEN, Case.Status.REVIEW):
        Case.objects.create(url=url + status, url_sha256=url_digest(url + status),
                            host="images.example.test", registrable_domain="example.test",
                            status=status, first_reported=now, last_reported=now)
    senior = make_user("narrow@hub.example.test", role=Role.SENIOR)  # sees both lists
    context = staff_context(browser, site, senior, viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(site + path)
    expect(page.locator("table.queue tbody tr")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    region = page.locator(".table-scroll")
    assert page.evaluate("(el) => el.scrollWidth > el.clientWidth", region.element_handle())
    expect(region).to_have_attribute("role", "region")
    caption = page.locator("table.queue caption").inner_text()
    expect(region).to_have_accessible_name(caption)
    region.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # the keyboard scrolls the table, not the page
    expect(region).to_be_focused()
    for _ in range(100):  # a smooth scroll takes a few frames (JavaScript is off in the page)
        if page.evaluate("(el) => el.scrollLeft", region.element_handle()) > 0:
            break
        page.wait_for_timeout(50)
    assert page.evaluate("(el) => el.scrollLeft", region.element_handle()) > 0
    assert page.evaluate("window.scrollX") == 0
    context.close()

"""The staff path in a real browser, end to end, with JavaScript off.

A member of the public reports two addresses; the background worker turns them into cases;
an analyst signs in with password and authenticator app (first enrolling it, then using it),
assesses both cases; a senior analyst gives the second review; the reporter's receipt then
says "Confirmed" (no notice has been sent yet). Along the way: the analyst cannot review their
own work, no staff page
loads anything from anywhere but the hotline itself, and no staff page embeds a reported
address.

The browser is Debian's Chromium driven by Playwright; nothing is downloaded.
"""

from __future__ import annotations

import base64
import re
import signal
import time
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django_otp.oath import hotp
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    expect,
)

from hotline.accounts.models import AuthenticatorApp, User
from hotline.cases.default_schemes import DEFAULT_SCHEMES, PER_ITEM
from hotline.cases.models import Assessment, Case, Scheme, SchemeOption, Verdict
from hotline.intake.models import Report
from hotline.testing.base import load_demo_network

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple 42"
REPORTED = ["https://images.example.test/gallery/1", "http://files.example.test/a"]
REPORTED_HOSTS = ("images.example.test", "files.example.test")
CODE_ON_PAGE = re.compile(r"^\d{4}( \d{4}){4}$")
TOTP_STEP = 30  # what authenticator apps assume (and AuthenticatorApp's default)


# --- Browser and server -----------------------------------------------------------------------


def new_context(browser: Browser) -> BrowserContext:
    """A fresh profile with JavaScript off: staff pages must work without it."""
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    context.set_default_timeout(15_000)
    return context


def ensure_default_schemes() -> None:
    """The schemes the data migration loads: an earlier transactional test may have flushed
    them, and the live server needs a committed copy."""
    for position, (code, name, multiple, required, options) in enumerate(DEFAULT_SCHEMES):
        scheme, created = Scheme.objects.get_or_create(
            code=code, defaults={"name": name, "multiple": multiple, "required": required,
                                 "position": position, "per_item": code in PER_ITEM})
        if created:
            SchemeOption.objects.bulk_create(
                SchemeOption(scheme=scheme, code=option, label=label, position=i)
                for i, (option, label) in enumerate(options))


@pytest.fixture
def site(live_server, transactional_db, settings) -> str:
    load_demo_network()
    ensure_default_schemes()
    # Every CSAM verdict goes to second review; nothing else does (normally 10 %, at random).
    settings.REVIEW_SHARE_CSAM = 1.0
    settings.REVIEW_SHARE_OTHER = 0
    return live_server.url


# --- Staff helpers ----------------------------------------------------------------------------


class Authenticator:
    """An authenticator app: the key typed in from the set-up page, and the codes it shows.

    The device refuses a code for a time step at or before the last one accepted, and accepts
    one step either side of now (AuthenticatorApp.tolerance). So a second sign-in within the same
    30 s uses the next step's code rather than waiting for the clock.
    """

    def __init__(self, key_base32: str) -> None:
        padded = key_base32 + "=" * (-len(key_base32) % 8)
        self.key = base64.b32decode(padded)
        self.last_step: int | None = None

    def code(self) -> str:
        now = int(time.time()) // TOTP_STEP
        step = now if self.last_step is None else max(now, self.last_step + 1)
        assert step <= now + 1, "would need a code more than one step ahead"
        self.last_step = step
        return f"{hotp(self.key, step):06d}"


class _EmbedFinder(HTMLParser):
    EMBEDDING = {"img": "src", "iframe": "src", "frame": "src", "embed": "src",
                 "object": "data", "video": "src", "audio": "src", "source": "src"}

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = self.EMBEDDING.get(tag)
        for name, value in attrs:
            if value is not None and (name == wanted or name == "srcset"):
                self.found.append((tag, value))


class Staff:
    """One staff member's browser profile, watching every request and every page it sees."""

    def __init__(self, browser: Browser, site: str, email: str) -> None:
        self.site = site
        self.email = email
        self.context = new_context(browser)
        self.requests: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.pages_seen = 0

    def look(self) -> Page:
        """Check the page now shown: nothing reported is embedded in it."""
        finder = _EmbedFinder()
        finder.feed(self.page.content())
        for tag, src in finder.found:
            assert not any(host in src for host in REPORTED_HOSTS), (
                f"{self.page.url} embeds a reported address: <{tag} src={src!r}>")
            assert not any(address in src for address in REPORTED), (tag, src)
        self.pages_seen += 1
        return self.page

    def goto(self, path: str, status: int = 200) -> Page:
        response = self.page.goto(f"{self.site}{path}")
        assert response is not None and response.status == status, (path, response)
        return self.look()

    def click(self, locator: Locator) -> Page:
        locator.click()
        self.page.wait_for_load_state()
        return self.look()

    def sign_in_with_password(self) -> None:
        page = self.goto("/staff/login/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        page.get_by_label("E-mail address").fill(self.email)
        page.get_by_label("Password").fill(PASSWORD)
        self.click(page.get_by_role("button", name="Continue"))

    def enrol_totp(self) -> Authenticator:
        """First sign-in: password, then set up the authenticator app; ends on the queue."""
        self.sign_in_with_password()
        page = self.page
        expect(page).to_have_url(re.compile(r"/staff/2fa/setup/"))
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Set up your authenticator app")
        app = Authenticator(page.locator("code#totp-secret").inner_text().replace(" ", ""))
        page.get_by_label("Code from your authenticator app").fill(app.code())
        self.click(page.get_by_role("button", name="Confirm"))
        expect(page).to_have_url(f"{self.site}/staff/cases/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Queue")
        return app

    def sign_in(self, app: Authenticator) -> None:
        """A later sign-in: password, then a code on the verify page; ends on the queue."""
        self.sign_in_with_password()
        page = self.page
        expect(page).to_have_url(re.compile(r"/staff/2fa/\?"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Second factor")
        page.get_by_label("Code from your authenticator app").fill(app.code())
        self.click(page.get_by_role("button", name="Verify"))
        expect(page).to_have_url(f"{self.site}/staff/cases/")

    def sign_out(self) -> None:
        self.click(self.page.get_by_role("button", name="Sign out"))
        expect(self.page).to_have_url(f"{self.site}/staff/login/")
        assert "hotline_staff" not in {c["name"] for c in self.context.cookies()}

    def open_case(self, case: Case) -> Page:
        page = self.page
        self.click(page.get_by_role("link", name=f"#{case.pk}", exact=True))
        expect(page).to_have_url(f"{self.site}/staff/cases/{case.pk}/")
        expect(page.locator("#case-url")).to_have_text(case.url)
        return page

    def claim(self) -> None:
        page = self.page
        self.click(page.locator("button#claim"))
        expect(page.locator("#assess-form")).to_be_visible()

    def save(self, name: str = "Save") -> None:
        self.click(self.page.locator("#assess-form").get_by_role("button", name=name,
                                                                 exact=True))

    def assert_only_own_server_was_asked(self) -> None:
        own = urlsplit(self.site)
        elsewhere = [url for url in self.requests
                     if (urlsplit(url).scheme, urlsplit(url).netloc) != (own.scheme, own.netloc)]
        assert self.requests and elsewhere == []


def receipt_code(page: Page) -> str:
    shown = page.locator("p.code[dir=ltr]").inner_text().strip()
    assert CODE_ON_PAGE.match(shown), f"unexpected receipt code {shown!r}"
    return shown.replace(" ", "")


def run_worker() -> None:
    """The background worker, once through the queue (it installs signal handlers: undo)."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


# --- The test ---------------------------------------------------------------------------------


def test_report_assess_review_and_receipt(site: str, browser: Browser) -> None:
    started = time.monotonic()

    # 1. A member of the public reports two addresses.
    public = new_context(browser)
    reporter = public.new_page()
    reporter.goto(f"{site}/gm/en/report/")
    reporter.get_by_label("Web addresses").fill("\n".join(REPORTED))
    reporter.get_by_label("Images").check()
    reporter.get_by_role("button", name="Send report").click()
    expect(reporter.get_by_role("heading", level=1)).to_have_text(
        "Thank you: your report was sent")
    code = receipt_code(reporter)

    # 2. The worker takes the report in: one case per address.
    report = Report.objects.get()
    assert report.intake_done_at is None
    run_worker()
    report.refresh_from_db()
    assert report.intake_done_at is not None
    first, second = Case.objects.order_by("id")
    assert [first.url, second.url] == REPORTED
    assert {first.status, second.status} == {Case.Status.OPEN}

    # 3. Analyst A enrols an authenticator app on first sign-in, then signs in again with it.
    analyst = User.objects.create_user("analyst.a@hub.example.test", PASSWORD,
                                       role=User.Role.ANALYST)
    a = Staff(browser, site, analyst.email)
    app_a = a.enrol_totp()
    device = AuthenticatorApp.objects.get(user=analyst)
    assert device.confirmed and device.tolerance >= 1
    a.sign_out()
    a.goto("/staff/cases/")  # signed out: back to the sign-in page
    expect(a.page).to_have_url(re.compile(r"/staff/login/\?next="))
    a.sign_in(app_a)
    page = a.page
    queue = page.get_by_role("table")
    expect(queue.locator("caption")).to_have_text("2 cases")
    expect(queue.locator("tbody tr").first).to_contain_text(first.url)

    # 4. A claims the first case and assesses it as CSAM with a full classification...
    a.open_case(first)
    expect(page.locator("#case-status")).to_have_text("Waiting for assessment")
    a.claim()
    page.get_by_role("group", name="Verdict").get_by_label(
        "Child sexual abuse material").check()
    classification = page.locator("#assess-form .schemes")
    groups = classification.locator("fieldset")
    expect(groups).to_have_count(Scheme.objects.filter(enabled=True).count())
    chosen: dict[str, list[str]] = {}
    for i in range(groups.count()):
        option = groups.nth(i).locator("input").first
        option.check()
        name, value = option.get_attribute("name"), option.get_attribute("value")
        assert name and value
        chosen[name.removeprefix("scheme_")] = [value]
    a.save()
    expect(page).to_have_url(f"{site}/staff/cases/")
    expect(page.get_by_role("status")).to_have_text("Saved.")
    first.refresh_from_db()
    assert first.status == Case.Status.REVIEW and first.claimed_by is None
    assert Assessment.objects.get(case=first).classification == chosen
    for scheme in Scheme.objects.filter(enabled=True, required=True):
        assert scheme.code in chosen

    # ...and the second as not illegal, which (with REVIEW_SHARE_OTHER=0) closes it.
    expect(queue.locator("caption")).to_have_text("1 case")
    a.open_case(second)
    a.claim()
    page.get_by_role("group", name="Verdict").get_by_label("Not illegal").check()
    a.save()
    second.refresh_from_db()
    assert second.status == Case.Status.CLOSED and second.verdict == Verdict.NOT_ILLEGAL
    expect(queue.locator("caption")).to_have_text("0 cases")

    # 5. A may not review their own assessment: no link, no page, no claim.
    expect(page.get_by_role("navigation", name="Staff").get_by_role("link")).to_have_text(
        ["Queue", "Takedown", "Security keys", "Language"])
    a.goto("/staff/cases/reviews/", status=403)
    a.goto(f"/staff/cases/{first.pk}/")
    expect(page.locator("#case-status")).to_have_text("Waiting for second review")
    expect(page.locator("button#claim")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("You cannot take this case in its current state.")
    token = page.locator("form.signout input[name=csrfmiddlewaretoken]").get_attribute("value")
    assert token
    response = page.request.post(f"{site}/staff/cases/{first.pk}/claim/",
                                 form={"csrfmiddlewaretoken": token})
    assert response.ok and response.url == f"{site}/staff/cases/{first.pk}/"
    assert "You cannot take this case" in response.text()
    first.refresh_from_db()
    assert first.status == Case.Status.REVIEW and first.claimed_by is None

    # 6. Senior analyst B enrols too, and gives the second review, blind: the same grades,
    #    given without seeing A's; then B sees that the two agree.
    senior = User.objects.create_user("senior.b@hub.example.test", PASSWORD,
                                      role=User.Role.SENIOR)
    b = Staff(browser, site, senior.email)
    b.enrol_totp()
    review_page = b.page
    b.click(review_page.get_by_role("navigation", name="Staff").get_by_role(
        "link", name="Second review"))
    expect(review_page).to_have_url(f"{site}/staff/cases/reviews/")
    expect(review_page.get_by_role("heading", level=1)).to_have_text("Second review")
    expect(review_page.get_by_role("table").locator("caption")).to_have_text("1 case")
    b.open_case(first)
    expect(review_page.locator("#case-status")).to_have_text("Waiting for second review")
    expect(review_page.locator("main")).not_to_contain_text(f"Assessment by {analyst.email}")
    expect(review_page.locator("#blind-review")).to_be_visible()
    b.claim()
    review_page.get_by_role("group", name="Verdict").get_by_label(
        "Child sexual abuse material").check()
    for name, values in chosen.items():
        review_page.locator(f"#assess-form input[name=scheme_{name}][value='{values[0]}']").check()
    b.save("Save and compare")
    expect(review_page).to_have_url(f"{site}/staff/cases/{first.pk}/")
    expect(review_page.get_by_role("status")).to_have_text("Saved.")
    expect(review_page.locator("#comparison")).to_have_text(
        "The review and the assessment agree.")
    expect(review_page.locator("main")).to_contain_text(f"Assessment by {analyst.email}")
    b.goto(f"/staff/cases/{first.pk}/")
    status = review_page.locator("#case-status")
    expect(status).to_contain_text("Assessed")
    expect(status).to_contain_text("(confirmed)")
    expect(status).to_have_text("Assessed: Child sexual abuse material (confirmed)")
    expect(review_page.locator("button#claim")).to_have_count(0)
    first.refresh_from_db()
    assert (first.status, first.verdict, first.confirmed) == (Case.Status.CLOSED,
                                                              Verdict.CSAM, True)
    assert first.classification == chosen

    # 7. The reporter, still without a single cookie, checks the receipt.
    reporter.goto(f"{site}/gm/en/status/")
    reporter.get_by_label("Receipt code").fill(code)
    reporter.get_by_role("button", name="Check").click()
    result = reporter.get_by_role("status")
    expect(result.get_by_role("heading")).to_have_text("Report found")
    # Assessed and confirmed: the takedown has started, but no notice has gone out yet, so the
    # receipt says "Confirmed", not "Action taken" (hotline/cases/progress.py).
    expect(result.locator(".state strong")).to_have_text("Confirmed")
    assert public.cookies() == []

    # 8. Staff browsers only ever asked the hotline itself; every page seen was checked.
    for staff in (a, b):
        staff.assert_only_own_server_was_asked()
        assert staff.pages_seen >= 8
        staff.context.close()
    public.close()
    print(f"staff path took {time.monotonic() - started:.1f} s")

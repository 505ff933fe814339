"""A new staff member's first steps in Chromium (issue 13): the authenticator QR code on the
set-up page decodes, as a phone's camera sees it, to the account's otpauth:// URI; the key is
shown in groups of four; every page on the way, and the staff pages an administrator changed,
has no axe violation.

The QR code is read from a screenshot of the rendered page with zxing-cpp; nothing is
downloaded.
"""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django_otp.oath import totp
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from hotline.accounts.models import AuthenticatorApp, User, WebAuthnCredential
from hotline.accounts.services import setup_link
from hotline.cases import services
from hotline.cases.models import Case
from hotline.testing.base import PASSWORD, load_demo_network, make_user
from hotline.testing.browser import Audit, new_context, sign_in

pytestmark = pytest.mark.browser
SHOTS = Path(tempfile.gettempdir()) / "hotline-onboarding"  # screenshots to look at
SHOTS.mkdir(exist_ok=True)

CLASSIFICATION = {"uk_category": ["c"], "inhope": ["baseline"], "industry": ["B2"],
                  "age_band": ["14-15"], "site_type": ["image_host"], "media_type": ["image"]}


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def site(live_server, transactional_db) -> str:
    load_demo_network()
    from hotline.workbench.tests.test_staff_browser import ensure_default_schemes

    ensure_default_schemes()
    return live_server.url


def code_for(device: AuthenticatorApp) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in_with_password(page: Page, site: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{site}/staff/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def as_verified(page: Page, site: str, user: User) -> None:
    sign_in(page.context, site, user)


def visit(page: Page, site: str, path: str, status: int = 200) -> None:
    response = page.goto(f"{site}{path}")
    assert response is not None and response.status == status, (path, response)


def test_the_qr_code_decodes_to_the_otpauth_uri(site: str, browser: Browser, axe: Axe) -> None:
    make_user("new.analyst@hub.example.test", User.Role.ANALYST)
    context = new_context(browser, java_script_enabled=True, locale="en-GB",
                          viewport={"width": 1280, "height": 900})
    page = context.new_page()
    audit = Audit(axe, page)
    try:
        sign_in_with_password(page, site, "new.analyst@hub.example.test")
        expect(page).to_have_url(re.compile(r"/staff/2fa/setup/"))
        device = AuthenticatorApp.objects.get(user__email="new.analyst@hub.example.test",
                                              confirmed=False)
        qr = page.locator(".qr svg")
        expect(qr).to_be_visible()
        box = qr.bounding_box()
        assert box is not None and box["width"] >= 200 and box["height"] >= 200, box
        # What the camera sees: the element as rendered, quiet zone included.
        shot = Image.open(io.BytesIO(page.locator(".qr").screenshot())).convert("L")
        found = zxingcpp.read_barcodes(shot)
        assert [b.text for b in found] == [device.config_url]
        assert found[0].text.startswith("otpauth://totp/")
        key = page.locator("code#totp-secret").inner_text()
        assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{1,4}", key), key
        assert f"secret={key.replace(' ', '')}" in device.config_url
        page.get_by_text("If scanning does not work").click()
        expect(page.get_by_text("type the key above")).to_be_visible()
        audit("authenticator set-up")
        page.screenshot(path=str(SHOTS / "totp_setup.png"), full_page=True)

        page.get_by_label("Code from your authenticator app").fill("12345")
        page.get_by_role("button", name="Confirm").click()
        expect(page.get_by_text("Enter the 6 digits shown by your app.")).to_have_count(1)
        audit("authenticator set-up with an error")
        page.get_by_label("Code from your authenticator app").fill(code_for(device))
        page.get_by_role("button", name="Confirm").click()
        expect(page).to_have_url(f"{site}/staff/cases/")
        audit("queue")
        visit(page, site, "/staff/cases/reviews/", 403)
        expect(page.get_by_role("heading", level=1)).to_have_text("You may not open this page")
        expect(page.get_by_role("navigation", name="Staff")).to_be_visible()
        audit("staff refusal")
        audit.assert_clean()
    finally:
        context.close()


def test_axe_finds_nothing_on_the_sign_in_steps(site: str, browser: Browser, axe: Axe) -> None:
    senior = make_user("senior@hub.example.test", User.Role.SENIOR)
    AuthenticatorApp.objects.create(user=senior, name="phone", confirmed=True)
    invited = User.objects.create_user("invited@hub.example.test", role=User.Role.ANALYST)
    context = new_context(browser, java_script_enabled=True, locale="en-GB")
    page = context.new_page()
    audit = Audit(axe, page)
    try:
        visit(page, site, "/staff/login/")
        audit("sign-in")
        page.get_by_label("E-mail address").fill(senior.email)
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_text("E-mail address or password is wrong.")).to_have_count(1)
        audit("sign-in with an error")
        sign_in_with_password(page, site, senior.email)
        expect(page.get_by_role("heading", level=1)).to_have_text("Second factor")
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        audit("second factor")
        page.get_by_label("Code from your authenticator app").fill("000000")
        page.get_by_role("button", name="Verify").click()
        expect(page.get_by_text("This code is not right, or has expired.")).to_have_count(1)
        audit("second factor with an error")
        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(f"{site}/staff/login/")

        context.clear_cookies()
        visit(page, site, urlsplit(setup_link(invited)).path)
        expect(page.get_by_role("heading", level=1)).to_have_text("Choose a password")
        page.locator("#id_password").fill("short")
        page.locator("#id_again").fill("short")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_text("This password is too short", exact=False)).to_have_count(1)
        audit("choose a password with an error")
        audit.assert_clean()
    finally:
        context.close()


def test_axe_finds_nothing_on_the_staff_pages_changed(site: str, browser: Browser,
                                                      axe: Axe) -> None:
    analyst = make_user("analyst@hub.example.test", User.Role.ANALYST)
    senior = make_user("senior@hub.example.test", User.Role.SENIOR)
    admin = make_user("admin@hub.example.test", User.Role.ADMIN)
    WebAuthnCredential.objects.create(user=senior, name="Desk key", credential_id=b"d",
                                      public_key=b"p")
    client = Client()
    client.post("/gm/en/report/", {"urls": "https://img.example.test/g/1\n"
                                           "https://img.example.test/g/2",
                                   "content_kind": "image", "where_found": "", "description": "",
                                   "contact": "", "website": ""})
    from hotline.cases.services import report_intake
    from hotline.intake.models import Report

    for report in Report.objects.all():
        report_intake(report_id=report.pk)
    case = Case.objects.order_by("id").first()
    assert case is not None
    services.case_claim(case_id=case.pk, user=analyst)
    services.case_assess(case_id=case.pk, analyst=analyst, verdict="csam",
                         classification=CLASSIFICATION, notes="", dedicated=False)
    context = new_context(browser, java_script_enabled=True, locale="en-GB")
    page = context.new_page()
    audit = Audit(axe, page)
    try:
        as_verified(page, site, senior)
        for name, path in (("queue", "/staff/cases/"),
                           ("search", "/staff/cases/?q=img.example.test&status=all"),
                           ("reviews", "/staff/cases/reviews/"),
                           ("keys", "/staff/2fa/keys/register/")):
            visit(page, site, path)
            audit(path)
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        as_verified(page, site, admin)
        from hotline.portals.models import Portal

        portal = Portal.objects.get(code="sn")
        for path in ("/staff/admin/accounts/user/", "/staff/admin/accounts/user/add/",
                     f"/staff/admin/accounts/user/{senior.pk}/change/",
                     f"/staff/admin/portals/portal/{portal.pk}/change/"):
            visit(page, site, path)
            audit(path)
        page.screenshot(path=str(SHOTS / "portal.png"), full_page=True)
        audit.assert_clean()
    finally:
        context.close()

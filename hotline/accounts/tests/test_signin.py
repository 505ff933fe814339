from __future__ import annotations

import re
from io import StringIO

from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django_otp.oath import totp

from hotline.accounts.models import AuthenticatorApp, User
from hotline.audit.models import AuditEntry
from hotline.testing.base import PASSWORD, StaffTestCase


def code_for(device: AuthenticatorApp, offset: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits,
                 drift=offset)
    return f"{value:06d}"


class SignInTestCase(StaffTestCase):
    def password_step(self, client: Client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        return client.post("/staff/login/", {"email": email, "password": password})

    def test_first_sign_in_enrols_totp_then_reaches_the_queue(self) -> None:
        client = Client()
        r = self.password_step(client, "analyst@hub.example.test")
        self.assertRedirects(r, "/staff/2fa/?next=/staff/", fetch_redirect_response=False)
        r = client.get("/staff/2fa/?next=/staff/")
        self.assertRedirects(r, "/staff/2fa/setup/?next=/staff/", fetch_redirect_response=False)
        page = client.get("/staff/2fa/setup/")
        self.assertContains(page, "<svg")
        secret = re.search(r'id="totp-secret"[^>]*>((?:[A-Z2-7]{4} )+[A-Z2-7]{1,4})<',
                           page.content.decode())
        self.assertIsNotNone(secret)
        device = AuthenticatorApp.objects.get(user=self.analyst, confirmed=False)
        r = client.post("/staff/2fa/setup/", {"token": code_for(device), "next": "/staff/"})
        self.assertRedirects(r, "/staff/", fetch_redirect_response=False)
        self.assertEqual(client.get("/staff/cases/").status_code, 200)
        self.assertTrue(AuthenticatorApp.objects.get(pk=device.pk).confirmed)
        self.assertTrue(AuditEntry.objects.filter(action="2fa.enrol").exists())

    def enrolled(self) -> AuthenticatorApp:
        return AuthenticatorApp.objects.create(user=self.senior, name="app", confirmed=True)

    def test_sign_in_with_password_and_totp(self) -> None:
        device = self.enrolled()
        client = Client()
        self.password_step(client, "SENIOR@hub.example.test")
        self.assertRedirects(client.get("/staff/cases/"), "/staff/2fa/?next=%2Fstaff%2Fcases%2F",
                             fetch_redirect_response=False)
        r = client.post("/staff/2fa/", {"token": code_for(device), "next": "/staff/cases/"})
        self.assertRedirects(r, "/staff/cases/", fetch_redirect_response=False)
        self.assertEqual(client.get("/staff/cases/").status_code, 200)
        self.assertTrue(AuditEntry.objects.filter(action="signin",
                                                  actor_label="senior@hub.example.test").exists())

    def test_an_enrolled_user_cannot_enrol_again_without_the_factor(self) -> None:
        self.enrolled()
        client = Client()
        self.password_step(client, "senior@hub.example.test")
        self.assertRedirects(client.get("/staff/2fa/setup/"), "/staff/2fa/?next=%2Fstaff%2F",
                             fetch_redirect_response=False)

    def test_wrong_codes_and_passwords(self) -> None:
        device = self.enrolled()
        client = Client()
        r = self.password_step(client, "senior@hub.example.test", "wrong password")
        self.assertContains(r, "E-mail address or password is wrong.", status_code=400)
        self.password_step(client, "senior@hub.example.test")
        wrong = "123456" if code_for(device) != "123456" else "654321"
        r = client.post("/staff/2fa/", {"token": wrong})
        self.assertContains(r, "This code is not right", status_code=400)
        self.assertEqual(AuditEntry.objects.filter(action="signin.failed").count(), 2)

    @override_settings(SIGNIN_MAX_FAILURES=3)
    def test_sign_in_is_throttled(self) -> None:
        client = Client()
        for _ in range(3):
            self.password_step(client, "senior@hub.example.test", "wrong password")
        r = self.password_step(client, "senior@hub.example.test")  # right password, too late
        self.assertContains(r, "Too many failed attempts", status_code=429)
        self.assertEqual(client.get("/staff/cases/").status_code, 302)

    def test_the_session_cookie_is_staff_only_and_strict(self) -> None:
        client = Client()
        r = self.password_step(client, "analyst@hub.example.test")
        cookie = r.cookies["hotline_staff"]
        self.assertTrue(cookie["httponly"])
        self.assertEqual(cookie["samesite"], "Strict")
        self.assertEqual(cookie["path"], "/staff/")
        self.assertLessEqual(int(cookie["max-age"]), 30 * 60)

    def test_a_form_without_its_token_gets_the_products_page(self) -> None:
        client = Client(enforce_csrf_checks=True)
        r = self.password_step(client, "analyst@hub.example.test")
        self.assertContains(r, "This request was refused", status_code=403)
        self.assertContains(r, "reload the page", status_code=403)
        self.assertNotContains(r, "CSRF verification failed", status_code=403)
        self.assertFalse(AuditEntry.objects.filter(action="signin").exists())

    def test_sign_out(self) -> None:
        client = self.as_user(self.analyst)
        client.post("/staff/logout/")
        self.assertEqual(client.get("/staff/cases/").status_code, 302)

    def test_the_next_address_stays_on_the_staff_side(self) -> None:
        device = self.enrolled()
        client = Client()
        self.password_step(client, "senior@hub.example.test")
        r = client.post("/staff/2fa/", {"token": code_for(device),
                                        "next": "https://evil.example.test/"})
        self.assertRedirects(r, "/staff/", fetch_redirect_response=False)


class CreateAdminTestCase(StaffTestCase):
    def test_createadmin_prints_a_one_time_link(self) -> None:
        out = StringIO()
        call_command("createadmin", "boss@hub.example.test", stdout=out)
        user = User.objects.get(email="boss@hub.example.test")
        self.assertEqual(user.role, User.Role.ADMIN)
        self.assertFalse(user.has_usable_password())
        link = re.search(r"http://\S+/staff/setup/\S+/", out.getvalue())
        assert link is not None
        path = link.group(0).split("8000", 1)[1]
        client = Client()
        self.assertContains(client.get(path), "Choose a password")
        r = client.post(path, {"password": "short", "again": "short"})
        self.assertEqual(r.status_code, 400)
        r = client.post(path, {"password": PASSWORD, "again": PASSWORD})
        self.assertRedirects(r, "/staff/2fa/setup/", fetch_redirect_response=False)
        # Signed in with the password only: nothing but enrolment is reachable.
        self.assertEqual(client.get("/staff/admin/").status_code, 302)
        self.assertEqual(client.get("/staff/audit/").status_code, 302)
        # The link works once.
        self.assertEqual(Client().get(path).status_code, 410)

    def test_createadmin_refuses_duplicates_and_bad_addresses(self) -> None:
        with self.assertRaisesMessage(CommandError, "already has an account"):
            call_command("createadmin", "analyst@hub.example.test", stdout=StringIO())
        with self.assertRaisesMessage(CommandError, "is not an e-mail address"):
            call_command("createadmin", "not-an-address", stdout=StringIO())

    def test_createadmin_can_invite_other_roles(self) -> None:
        call_command("createadmin", "new@hub.example.test", "--role", "analyst",
                     stdout=StringIO())
        self.assertEqual(User.objects.get(email="new@hub.example.test").role, "analyst")
        self.assertFalse(User.objects.get(email="new@hub.example.test").is_staff)


class SignInPagesTestCase(StaffTestCase):
    """What a new staff member met on the sign-in steps (issue 13)."""

    def enrolled(self) -> AuthenticatorApp:
        return AuthenticatorApp.objects.create(user=self.senior, name="app", confirmed=True)

    def signed_in_with_password(self) -> Client:
        client = Client()
        client.post("/staff/login/", {"email": self.senior.email, "password": PASSWORD})
        return client

    def test_each_error_message_appears_once(self) -> None:
        r = Client().post("/staff/login/", {"email": self.senior.email, "password": "nope"})
        self.assertContains(r, "E-mail address or password is wrong.", count=1, status_code=400)
        device = self.enrolled()
        client = self.signed_in_with_password()
        wrong = "123456" if code_for(device) != "123456" else "654321"
        r = client.post("/staff/2fa/", {"token": wrong})
        self.assertContains(r, "This code is not right", count=1, status_code=400)
        r = client.post("/staff/2fa/", {"token": "12"})
        self.assertContains(r, "Enter the 6 digits", count=1, status_code=400)
        self.analyst.set_unusable_password()
        self.analyst.save()
        setup = Client()
        setup.force_login(self.analyst)
        r = setup.post("/staff/2fa/setup/", {"token": "000000"})
        errors = r.content.decode().count("This code is not right") + \
            r.content.decode().count("Enter the 6 digits")
        self.assertEqual(errors, 1)

    def test_a_right_code_right_after_a_wrong_one_is_accepted(self) -> None:
        device = self.enrolled()
        client = self.signed_in_with_password()
        right = code_for(device)
        wrong = "123456" if right != "123456" else "654321"
        r = client.post("/staff/2fa/", {"token": wrong, "next": "/staff/cases/"})
        self.assertEqual(r.status_code, 400)
        r = client.post("/staff/2fa/", {"token": right, "next": "/staff/cases/"})
        self.assertRedirects(r, "/staff/cases/", fetch_redirect_response=False)
        self.assertEqual(AuditEntry.objects.filter(action="signin.failed").count(), 1)

    def test_the_second_factor_page_has_a_way_to_sign_out(self) -> None:
        self.enrolled()
        client = self.signed_in_with_password()
        page = client.get("/staff/2fa/")
        self.assertContains(page, 'action="/staff/logout/"')
        self.assertContains(page, "Sign out")
        client.post("/staff/logout/")
        self.assertRedirects(client.get("/staff/2fa/"), "/staff/login/?next=%2Fstaff%2F",
                             fetch_redirect_response=False)

    @override_settings(SIGNIN_MAX_FAILURES=3)
    def test_the_failure_that_locks_says_so_at_once(self) -> None:
        client = Client()
        for _ in range(2):
            r = client.post("/staff/login/", {"email": self.senior.email, "password": "no"})
            self.assertContains(r, "password is wrong", status_code=400)
        r = client.post("/staff/login/", {"email": self.senior.email, "password": "no"})
        self.assertContains(r, "Too many failed attempts", count=1, status_code=400)
        self.assertNotContains(r, "password is wrong", status_code=400)

    @override_settings(SIGNIN_MAX_FAILURES=2)
    def test_a_locked_second_factor_says_so_before_the_next_code(self) -> None:
        device = self.enrolled()
        client = self.signed_in_with_password()
        wrong = "123456" if code_for(device) != "123456" else "654321"
        client.post("/staff/2fa/", {"token": wrong})
        r = client.post("/staff/2fa/", {"token": wrong})
        self.assertContains(r, "Too many failed attempts", count=1, status_code=400)
        page = client.get("/staff/2fa/")
        self.assertContains(page, "Too many failed attempts", count=1, status_code=429)
        self.assertNotContains(page, 'name="token"', status_code=429)
        self.assertIn("Retry-After", page)

    def test_createadmin_gives_a_partner_their_portals(self) -> None:
        out = StringIO()
        call_command("createadmin", "p@ministry.example.test", "--role", "partner",
                     "--portal", "gm", "--portal", "sn", stdout=out)
        partner = User.objects.get(email="p@ministry.example.test")
        self.assertEqual(sorted(p.code for p in partner.portals.all()), ["gm", "sn"])
        self.assertIn("for gm, sn", out.getvalue())
        with self.assertRaisesMessage(CommandError, "at least one --portal"):
            call_command("createadmin", "q@ministry.example.test", "--role", "partner",
                         stdout=StringIO())
        with self.assertRaisesMessage(CommandError, "no portal zz"):
            call_command("createadmin", "q@ministry.example.test", "--role", "partner",
                         "--portal", "zz", stdout=StringIO())
        with self.assertRaisesMessage(CommandError, "only partners"):
            call_command("createadmin", "q@hub.example.test", "--portal", "gm",
                         stdout=StringIO())
        self.assertFalse(User.objects.filter(email__startswith="q@").exists())

    def test_set_up_links_follow_port_in_development(self) -> None:
        import subprocess
        import sys

        code = "from django.conf import settings; print(settings.SITE_URL)"
        env = {k: v for k, v in __import__("os").environ.items() if k != "SITE_URL"}
        env.update(PORT="8123", DJANGO_SETTINGS_MODULE="hotline.settings")
        shown = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code],
                               env=env, capture_output=True, text=True, check=True).stdout
        self.assertEqual(shown.strip(), "http://127.0.0.1:8123")
        env["SITE_URL"] = "https://hub.example.test"
        shown = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code],
                               env=env, capture_output=True, text=True, check=True).stdout
        self.assertEqual(shown.strip(), "https://hub.example.test")

"""The steps between the password and the second factor share one guard: nobody reaches them
without the password, and a factor is added only by someone who has none yet or has just
proved one (pages redirect to the right step; the JSON endpoints answer 403)."""

from __future__ import annotations

from django.test import Client

from hotline.accounts.models import AuthenticatorApp
from hotline.testing.base import PASSWORD, StaffTestCase

PAGES = ["/staff/2fa/", "/staff/2fa/setup/", "/staff/2fa/keys/", "/staff/2fa/keys/register/"]
ENDPOINTS = ["/staff/2fa/keys/options/", "/staff/2fa/keys/verify/",
             "/staff/2fa/keys/register/options/", "/staff/2fa/keys/register/verify/"]
ENROLMENT = ["/staff/2fa/setup/", "/staff/2fa/keys/register/"]
ENROLMENT_ENDPOINTS = ["/staff/2fa/keys/register/options/", "/staff/2fa/keys/register/verify/"]


class SecondFactorStepsTestCase(StaffTestCase):
    def password_only(self) -> Client:
        """The analyst after the password step, with an authenticator enrolled earlier."""
        AuthenticatorApp.objects.create(user=self.analyst, name="phone", confirmed=True)
        client = Client()
        r = client.post("/staff/login/", {"email": self.analyst.email, "password": PASSWORD})
        assert r.status_code == 302, r.status_code
        return client

    def test_no_step_without_the_password(self) -> None:
        for path in PAGES:
            r = Client().get(path + "?next=/staff/cases/")
            self.assertEqual(r.status_code, 302, path)
            self.assertTrue(r["Location"].startswith("/staff/login/"), (path, r["Location"]))
            self.assertIn("next=", r["Location"], path)
        for path in ENDPOINTS:
            r = Client().post(path, "{}", content_type="application/json")
            self.assertEqual(r.status_code, 403, path)
            self.assertIn("password", r.json()["error"], path)

    def test_a_password_alone_cannot_add_a_factor(self) -> None:
        client = self.password_only()
        for path in ENROLMENT:
            r = client.get(path)
            self.assertEqual(r.status_code, 302, path)
            self.assertTrue(r["Location"].startswith("/staff/2fa/"), (path, r["Location"]))
            self.assertNotEqual(r["Location"].split("?")[0], path)
        for path in ENROLMENT_ENDPOINTS:
            r = client.post(path, "{}", content_type="application/json")
            self.assertEqual(r.status_code, 403, path)
            self.assertIn("second factor", r.json()["error"], path)

    def test_the_password_step_reaches_the_factor_pages(self) -> None:
        client = self.password_only()
        self.assertEqual(client.get("/staff/2fa/").status_code, 200)

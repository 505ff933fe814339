"""The permission matrix: every staff address, for every role and for strangers."""

from __future__ import annotations

from django.test import Client

from hotline.cases.models import Case
from hotline.testing.base import StaffTestCase

ANON, PASSWORD_ONLY, ANALYST, SENIOR, PARTNER, ADMIN = (
    "anonymous", "password only", "analyst", "senior", "partner", "admin")
ROLES = [ANON, PASSWORD_ONLY, ANALYST, SENIOR, PARTNER, ADMIN]
LOGIN, OK, DENIED, VERIFY = 302, 200, 403, 302


class PermissionMatrixTestCase(StaffTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.report("https://images.example.test/g/1")
        self.case = Case.objects.get()
        self.clients = {
            ANON: Client(),
            PASSWORD_ONLY: Client(),
            ANALYST: self.as_user(self.analyst),
            SENIOR: self.as_user(self.senior),
            PARTNER: self.as_user(self.partner),
            ADMIN: self.as_user(self.admin),
        }
        self.clients[PASSWORD_ONLY].force_login(self.analyst2)

    def matrix(self) -> list[tuple[str, str, dict[str, int]]]:
        c = self.case.pk
        r = self.report_obj_id = Case.objects.get().links.first().report_id  # type: ignore[union-attr]
        everyone_but_partner = {ANALYST: OK, SENIOR: OK, PARTNER: DENIED, ADMIN: OK}
        return [
            ("GET", "/staff/cases/", everyone_but_partner),
            ("GET", f"/staff/cases/{c}/", everyone_but_partner),
            ("GET", "/staff/cases/reviews/", {ANALYST: DENIED, SENIOR: OK, PARTNER: DENIED,
                                              ADMIN: OK}),
            ("POST", f"/staff/cases/{c}/reports/{r}/reveal/", everyone_but_partner),
            ("POST", f"/staff/cases/{c}/claim/", {ANALYST: 302, SENIOR: 302, PARTNER: DENIED,
                                                  ADMIN: 302}),
            ("POST", f"/staff/cases/{c}/release/", {ANALYST: 302, SENIOR: 302, PARTNER: DENIED,
                                                    ADMIN: 302}),
            ("GET", "/staff/audit/", {ANALYST: DENIED, SENIOR: DENIED, PARTNER: DENIED,
                                      ADMIN: OK}),
            ("GET", "/staff/partner/", {ANALYST: DENIED, SENIOR: DENIED, PARTNER: OK,
                                        ADMIN: OK}),
            ("GET", "/staff/admin/", {ANALYST: 302, SENIOR: 302, PARTNER: 302, ADMIN: OK}),
            ("GET", "/staff/admin/cases/case/", {ANALYST: 302, SENIOR: 302, PARTNER: 302,
                                                 ADMIN: OK}),
        ]

    def test_every_cell(self) -> None:
        failures = []
        for method, path, expected in self.matrix():
            for role in ROLES:
                want = expected.get(role, LOGIN)  # strangers are sent to sign in
                client = self.clients[role]
                response = client.get(path) if method == "GET" else client.post(path)
                if response.status_code != want:
                    failures.append(f"{method} {path} as {role}: {response.status_code}, "
                                    f"expected {want}")
                elif role in (ANON, PASSWORD_ONLY):
                    # Strangers end on a sign-in step, never on the page itself.
                    final = client.get(response["Location"], follow=True)
                    landed = final.request["PATH_INFO"]
                    allowed = {ANON: {"/staff/login/"},
                               PASSWORD_ONLY: {"/staff/2fa/", "/staff/2fa/setup/",
                                               "/staff/login/"}}[role]
                    if landed not in allowed or final.status_code != 200:
                        failures.append(f"{method} {path} as {role} ended on {landed}")
        self.assertEqual(failures, [])

    def test_partners_never_see_cases(self) -> None:
        client = self.clients[PARTNER]
        self.assertRedirects(client.get("/staff/"), "/staff/partner/")
        page = client.get("/staff/partner/")
        self.assertContains(page, "The Gambia")
        self.assertNotContains(page, "Senegal")
        self.assertNotContains(page, "images.example.test")

    def test_the_admin_site_sends_strangers_to_the_staff_sign_in(self) -> None:
        r = Client().get("/staff/admin/")
        self.assertEqual(r.status_code, 302)
        self.assertIn("/staff/", r["Location"])


class StaffRefusalPageTestCase(StaffTestCase):
    def test_a_refused_staff_member_gets_a_staff_page_not_the_reporters(self) -> None:
        r = self.as_user(self.analyst).get("/staff/cases/reviews/")
        self.assertContains(r, "You may not open this page", status_code=403)
        self.assertContains(r, "Your role (Analyst) does not include this page",
                            status_code=403)
        self.assertContains(r, "/static/staff/staff.css", status_code=403)
        self.assertContains(r, 'aria-label="Staff"', status_code=403)  # their navigation
        self.assertContains(r, "Sign out", status_code=403)
        self.assertNotContains(r, "All reporting portals", status_code=403)
        self.assertNotContains(r, "public.css", status_code=403)
        r = self.as_user(self.partner).get("/staff/cases/")
        self.assertContains(r, "Your role (Partner)", status_code=403)
        r = self.as_user(self.analyst).get("/staff/audit/")
        self.assertContains(r, "You may not open this page", status_code=403)

    def test_the_public_side_keeps_its_own_page(self) -> None:
        r = self.client.post("/gm/en/")
        self.assertNotContains(r, "staff.css", status_code=r.status_code)

"""Staff pages show decrypted reporter text and case details: no browser or proxy may keep a
copy of any of them."""

from __future__ import annotations

from hotline.cases.models import Case
from hotline.testing.base import StaffTestCase


class StaffResponsesAreNotStoredTest(StaffTestCase):
    def assert_not_stored(self, response, name: str) -> None:  # type: ignore[no-untyped-def]
        directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
        self.assertTrue({"no-store", "private"} <= directives, (name, directives))

    def test_every_kind_of_staff_response_says_no_store_and_private(self) -> None:
        reported = self.report("https://images.example.test/g/1",
                               description="Found via a forum post")
        case = Case.objects.get()
        analyst, admin = self.as_user(self.analyst), self.as_user(self.admin)
        responses = {
            "sign-in page": self.client.get("/staff/login/"),
            "signed-out redirect": self.client.get("/staff/cases/"),
            "queue": analyst.get("/staff/cases/"),
            "case": analyst.get(f"/staff/cases/{case.pk}/"),
            "decrypted reporter text": analyst.post(
                f"/staff/cases/{case.pk}/reports/{reported.pk}/reveal/"),
            "missing case": analyst.get("/staff/cases/99999/"),
            "wrong method": analyst.get(f"/staff/cases/{case.pk}/reports/{reported.pk}/reveal/"),
            "figures CSV": admin.get("/staff/figures/?format=csv&table=weekly"),
            "audit log": admin.get("/staff/audit/"),
            "admin": admin.get("/staff/admin/"),
        }
        self.assertContains(responses["decrypted reporter text"], "Found via a forum post")
        for name, response in responses.items():
            self.assert_not_stored(response, name)

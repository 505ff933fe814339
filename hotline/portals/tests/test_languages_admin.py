"""Administrators see each language's review status and how complete its catalog is."""

from __future__ import annotations

from hotline.testing.base import StaffTestCase


class LanguagesAdminTestCase(StaffTestCase):
    def test_administrators_see_status_and_completeness(self) -> None:
        changelist = self.as_user(self.admin).get("/staff/admin/portals/portal/")
        self.assertContains(changelist, 'href="/staff/admin/portals/portal/languages/"')
        page = self.as_user(self.admin).get("/staff/admin/portals/portal/languages/")
        self.assertEqual(page.status_code, 200)
        spanish = page.content.decode().split("<td>es</td>")[1].split("</tr>")[0]
        self.assertIn("Español", spanish)
        self.assertIn("Draft: needs review by a native speaker", spanish)
        self.assertRegex(spanish, r"complete \((\d+) of \1\)")
        arabic = page.content.decode().split("<td>ar</td>")[1].split("</tr>")[0]
        self.assertIn("right to left", arabic)
        self.assertIn("km", arabic)  # the demo portal that uses it
        english = page.content.decode().split("<td>en</td>")[1].split("</tr>")[0]
        self.assertIn("Source language", english)

    def test_analysts_cannot_open_it(self) -> None:
        page = self.as_user(self.analyst).get("/staff/admin/portals/portal/languages/")
        self.assertIn(page.status_code, {302, 403})

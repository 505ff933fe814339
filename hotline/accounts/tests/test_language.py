"""Each staff member chooses the language of their own staff pages; the public side keeps the
language of its address."""

from __future__ import annotations

from hotline.testing.base import StaffTestCase


class StaffLanguageTestCase(StaffTestCase):
    def test_a_staff_member_chooses_their_language(self) -> None:
        client = self.as_user(self.analyst)
        page = client.get("/staff/language/")
        self.assertContains(page, "Español (Spanish)")
        self.assertContains(page, '<html lang="en" dir="ltr">')
        r = client.post("/staff/language/", {"language": "es"}, follow=True)
        self.assertContains(r, "Sus páginas del personal ya están en este idioma.")
        self.analyst.refresh_from_db()
        self.assertEqual(self.analyst.language, "es")
        queue = client.get("/staff/cases/")
        self.assertContains(queue, '<html lang="es" dir="ltr">')
        self.assertContains(queue, "Cerrar sesión")
        self.assertEqual(queue["Content-Language"], "es")
        # Someone else's pages, and every public page, are not affected.
        other = self.as_user(self.senior).get("/staff/language/")
        self.assertContains(other, "Sign out")
        public = client.get("/gm/en/")
        self.assertContains(public, "If a child is in immediate danger")

    def test_right_to_left_languages_turn_the_staff_pages(self) -> None:
        client = self.as_user(self.admin)
        client.post("/staff/language/", {"language": "ar"})
        self.assertContains(client.get("/staff/language/"), '<html lang="ar" dir="rtl">')
        self.assertContains(client.get("/staff/admin/"), 'lang="ar"')

    def test_an_unknown_language_is_refused_and_nothing_changes(self) -> None:
        client = self.as_user(self.analyst)
        r = client.post("/staff/language/", {"language": "xx"})
        self.assertContains(r, "xx", status_code=400)
        self.assertContains(r, "Select a valid choice", status_code=400)
        self.analyst.refresh_from_db()
        self.assertEqual(self.analyst.language, "")

    def test_a_language_no_longer_offered_falls_back_to_the_hubs(self) -> None:
        self.analyst.language = "qq"
        self.analyst.save()
        self.assertContains(self.as_user(self.analyst).get("/staff/language/"),
                            '<html lang="en" dir="ltr">')

    def test_the_hubs_language_again(self) -> None:
        client = self.as_user(self.analyst)
        client.post("/staff/language/", {"language": "fr"})
        client.post("/staff/language/", {"language": ""})
        self.analyst.refresh_from_db()
        self.assertEqual(self.analyst.language, "")
        self.assertContains(client.get("/staff/language/"), '<html lang="en" dir="ltr">')

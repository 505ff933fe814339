"""The emergency box and its call buttons: on the landing page, the report form (with and
without errors), the receipt and a portal's page-not-found page, in the page's language."""

from __future__ import annotations

from hotline.portals.models import HelpContact
from hotline.testing.base import PublicTestCase


class EmergencyHelpTestCase(PublicTestCase):
    def assertCallButtons(self, r, *numbers: str, status: int = 200) -> None:
        for number in numbers:
            self.assertContains(r, f'<a class="call" href="tel:{number}">', count=1,
                                status_code=status)

    def test_the_landing_page_has_call_buttons(self) -> None:
        self.assertCallButtons(self.client.get("/gm/en/"), "117", "199")

    def test_the_report_form_has_the_portals_numbers(self) -> None:
        # The form's views never passed the numbers: its box said "call" with no number.
        self.assertCallButtons(self.client.get("/gm/en/report/"), "117", "199")
        self.assertCallButtons(self.client.get("/km/ar/report/"), "17", "116")
        r = self.submit(urls="not an address")
        self.assertCallButtons(r, "117", "199", status=400)

    def test_the_receipt_has_call_buttons(self) -> None:
        self.assertCallButtons(self.submit(), "117", "199")

    def test_a_portals_page_not_found_has_its_frame_and_call_buttons(self) -> None:
        r = self.client.get("/km/ar/no-such-page/")
        self.assertCallButtons(r, "17", "116", status=404)
        self.assertContains(r, "خط مساعدة الأطفال", status_code=404)
        self.assertContains(r, 'href="/km/ar/"', status_code=404)
        self.assertContains(r, '<html lang="ar" dir="rtl">', status_code=404)

    def test_pages_outside_a_portal_have_no_portal_numbers(self) -> None:
        for path in ["/zz/en/", "/gm/fr/nothing/", "/nowhere/", "/%00/en/x/", "/GM/en/x/",
                     "/" + "g" * 300 + "/en/x/"]:
            r = self.client.get(path)
            self.assertEqual(r.status_code, 404, path)
            self.assertNotContains(r, 'class="call"', status_code=404)

    def test_a_number_written_with_spaces_and_dashes_calls_the_digits(self) -> None:
        HelpContact.objects.filter(portal=self.gm, phone="199").update(phone="+220 199-00 (free)")
        r = self.client.get("/gm/en/report/")
        self.assertContains(r, '<a class="call" href="tel:+22019900">')
        self.assertContains(r, '<span dir="ltr">+220 199-00 (free)</span>')

    def test_a_contact_without_a_phone_has_no_call_button(self) -> None:
        r = self.client.get("/gm/en/")
        self.assertContains(r, 'href="https://police.gm.example.test/"')
        self.assertContains(r, 'class="call"', count=2)

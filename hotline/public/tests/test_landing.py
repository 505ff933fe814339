from __future__ import annotations

from hotline.portals.models import Portal
from hotline.testing.base import PublicTestCase


class LandingTestCase(PublicTestCase):
    def test_the_portal_address_redirects_to_its_default_language(self) -> None:
        self.assertRedirects(self.client.get("/km/"), "/km/fr/")
        self.assertRedirects(self.client.get("/gm/"), "/gm/en/")

    def test_it_works(self) -> None:
        r = self.client.get("/gm/en/")
        self.assertContains(r, "If a child is in immediate danger")
        self.assertContains(r, 'href="tel:117"')  # the portal's emergency number
        self.assertContains(r, "Child helpline")
        self.assertContains(r, "Never send us images or videos")
        self.assertContains(r, "Never go looking for this material")
        self.assertContains(r, "What happens next")
        self.assertContains(r, "Gambia Child Protection Network (demo)")
        self.assertContains(r, 'href="/gm/en/report/"')

    def test_every_page_has_the_quick_exit(self) -> None:
        for path in ["/", "/gm/en/", "/gm/en/report/", "/gm/en/status/", "/gm/en/privacy/",
                     "/zz/en/"]:
            r = self.client.get(path)
            self.assertContains(r, 'class="exit" href="https://www.wikipedia.org/"',
                                status_code=r.status_code, msg_prefix=path)

    def test_it_marks_demo_portals(self) -> None:
        self.assertContains(self.client.get("/gm/en/"), 'class="demo"')
        Portal.objects.filter(code="gm").update(is_demo=False)
        self.assertNotContains(self.client.get("/gm/en/"), 'class="demo"')

    def test_arabic_is_right_to_left_with_the_portal_texts(self) -> None:
        r = self.client.get("/km/ar/")
        self.assertContains(r, '<html lang="ar" dir="rtl">')
        self.assertContains(r, "خط مساعدة الأطفال")
        self.assertContains(r, 'href="/km/fr/"')  # the other language of the portal
        self.assertEqual(r["Content-Language"], "ar")

    def test_unknown_portal_or_language_is_a_404_page(self) -> None:
        for path in ["/zz/", "/zz/en/", "/gm/fr/", "/gm/xx/", "/km/en/report/"]:
            r = self.client.get(path)
            self.assertEqual(r.status_code, 404, path)
            self.assertContains(r, 'href="/"', status_code=404)
        self.assertContains(self.client.get("/zz/en/"), "Page not found", status_code=404)

    def test_a_disabled_portal_is_a_404(self) -> None:
        Portal.objects.filter(code="gm").update(enabled=False)
        self.assertEqual(self.client.get("/gm/en/").status_code, 404)
        self.assertEqual(self.client.get("/gm/").status_code, 404)

    def test_the_404_page_speaks_the_language_of_the_address(self) -> None:
        r = self.client.get("/zz/fr/")
        self.assertContains(r, '<html lang="fr"', status_code=404)

    def test_it_sends_onion_location_for_a_portal_onion(self) -> None:
        onion = "b" * 56 + ".onion"
        Portal.objects.filter(code="gm").update(onion_address=onion)
        r = self.client.get("/gm/en/privacy/")
        self.assertEqual(r["Onion-Location"], f"http://{onion}/gm/en/privacy/")

    def test_privacy_page_works(self) -> None:
        r = self.client.get("/sn/fr/privacy/")
        self.assertContains(r, '<html lang="fr"')
        self.assertEqual(r.status_code, 200)

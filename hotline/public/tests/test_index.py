from __future__ import annotations

from hotline.portals.models import Portal
from hotline.testing.base import PublicTestCase


class IndexTestCase(PublicTestCase):
    def test_it_lists_enabled_portals_with_their_languages(self) -> None:
        r = self.client.get("/")
        self.assertContains(r, "The Gambia")
        self.assertContains(r, 'href="/km/ar/"')
        self.assertContains(r, 'href="/sn/fr/"')

    def test_it_hides_disabled_portals(self) -> None:
        Portal.objects.filter(code="sn").update(enabled=False)
        r = self.client.get("/")
        self.assertNotContains(r, 'href="/sn/fr/"')

    def test_it_follows_accept_language_without_a_cookie(self) -> None:
        r = self.client.get("/", HTTP_ACCEPT_LANGUAGE="fr-SN,fr;q=0.9")
        self.assertContains(r, '<html lang="fr"')
        self.assertEqual(r.cookies, {})

    def test_a_portal_host_name_leads_to_its_portal(self) -> None:
        Portal.objects.filter(code="gm").update(hostnames=["report.gm.example.test"])
        with self.settings(ALLOWED_HOSTS=["report.gm.example.test"]):
            r = self.client.get("/", HTTP_HOST="report.gm.example.test")
        self.assertRedirects(r, "/gm/", fetch_redirect_response=False)

    def test_it_sends_the_hub_onion_location(self) -> None:
        onion = "a" * 56 + ".onion"
        with self.settings(HUB_ONION_ADDRESS=onion):
            r = self.client.get("/")
        self.assertEqual(r["Onion-Location"], f"http://{onion}/")

    def test_it_names_each_portal_in_its_own_languages(self) -> None:
        # Seen from an English browser, Comoros is still named as its own people write it.
        r = self.client.get("/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(r, '<span lang="fr">Comores</span> · <span lang="ar">جزر القمر</span>',
                            html=False)
        self.assertContains(r, '<span lang="fr">Sénégal</span>')
        self.assertNotContains(r, ">Comoros<")

    def test_head_is_answered_like_get(self) -> None:
        for path in ["/", "/gm/en/", "/gm/en/report/", "/gm/en/status/", "/gm/en/privacy/",
                     "/gm/en/safety/", "/gm/en/figures/", "/favicon.ico"]:
            get, head = self.client.get(path), self.client.head(path)
            self.assertEqual(head.status_code, 200, path)
            self.assertEqual(head["Content-Type"], get["Content-Type"], path)
            self.assertEqual(head.content, b"", path)
        self.assertEqual(self.client.head("/gm/").status_code, 302)

    def test_the_favicon_is_served_by_the_product(self) -> None:
        r = self.client.get("/favicon.ico")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "image/x-icon")
        self.assertTrue(r.content.startswith(b"\x00\x00\x01\x00"))  # an ICO file
        self.assertLess(len(r.content), 2048)
        self.assertIn("max-age", r["Cache-Control"])
        self.assertEqual(r.cookies, {})

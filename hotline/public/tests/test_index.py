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

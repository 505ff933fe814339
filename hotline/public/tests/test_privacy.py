"""The privacy page: who is responsible, what is kept for how long (from the retention
settings), how to reach the hub; in the portal's languages."""

from __future__ import annotations

from django.test import override_settings

from hotline.portals.models import Partner
from hotline.testing.base import PublicTestCase


@override_settings(HUB_NAME="Example Hub", HUB_CONTACT_EMAIL="privacy@hub.example.test",
                   HUB_POSTAL_ADDRESS="1 Example Street\nExample Town",
                   RETENTION_REPORTER_TEXT_DAYS=45, RETENTION_RECEIPT_DAYS=200,
                   RETENTION_REPORT_DAYS=300, RETENTION_BENIGN_HASHES_DAYS=1)
class PrivacyPageTestCase(PublicTestCase):
    def test_it_states_the_periods_of_the_settings(self) -> None:
        r = self.client.get("/gm/en/privacy/")
        self.assertContains(
            r, "your e-mail address, your answers to our questions) is deleted 45 days later.")
        self.assertContains(r, "receipt code is deleted 200 days later")
        self.assertContains(r, "After 300 days, your report keeps only")
        self.assertContains(r, "on the page are deleted 1 day later.")  # singular

    def test_it_says_who_is_responsible_and_how_to_reach_them(self) -> None:
        Partner.objects.create(portal=self.gm, name="Example Child Helpline",
                               url="https://helpline.example.test/")
        r = self.client.get("/gm/en/privacy/")
        self.assertContains(r, "Example Hub runs this portal and is responsible")
        self.assertContains(r, "Example Child Helpline")
        self.assertContains(r, 'href="mailto:privacy@hub.example.test"')
        self.assertContains(r, "1 Example Street<br>Example Town")

    def test_it_is_translated(self) -> None:
        r = self.client.get("/sn/fr/privacy/")
        self.assertContains(r, "supprimé 45 jours plus tard")
        self.assertContains(r, "Example Hub gère ce portail")
        r = self.client.get("/km/ar/privacy/")
        self.assertContains(r, "بعد 45 يومًا")
        self.assertContains(r, "تدير Example Hub هذه البوابة")

"""Portal names and texts are edited in one field per language in the admin, never as JSON."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from hotline.portals.models import HelpContact, Portal
from hotline.testing.base import StaffTestCase

LANGS = [code for code, _name in settings.LANGUAGES]  # the offered languages, in their order


def texts(prefix: str, **given: str) -> dict[str, str]:
    return {f"{prefix}_{i}": given.get(code, "") for i, code in enumerate(LANGS)}


class PortalAdminFormTestCase(StaffTestCase):
    def post_data(self, portal: Portal, **overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": portal.code, "name": portal.name, "country": portal.country,
            "languages": "fr, en", "enabled": "on", "hostnames": "", "onion_address": "",
            **texts("names", en="Senegal", fr="Sénégal", ar="السنغال"),
            **texts("intro", fr="Signalez ici.", en="Report here."),
            "partners-TOTAL_FORMS": "0", "partners-INITIAL_FORMS": "0",
            "partners-MIN_NUM_FORMS": "0", "partners-MAX_NUM_FORMS": "1000",
            "help_contacts-TOTAL_FORMS": "1", "help_contacts-INITIAL_FORMS": "0",
            "help_contacts-MIN_NUM_FORMS": "0", "help_contacts-MAX_NUM_FORMS": "1000",
            "help_contacts-0-kind": "police", "help_contacts-0-phone": "17",
            "help_contacts-0-url": "", "help_contacts-0-position": "0",
            **texts("help_contacts-0-label", en="Police", fr="Police"),
            **texts("help_contacts-0-text"),
        }
        data.update(overrides)
        return data

    def test_the_page_has_one_labelled_field_per_language(self) -> None:
        portal = Portal.objects.get(code="sn")
        page = self.as_user(self.admin).get(f"/staff/admin/portals/portal/{portal.pk}/change/")
        self.assertEqual(page.status_code, 200)
        for i, code in enumerate(LANGS):
            self.assertContains(page, f'<label for="id_names_{i}">')
            self.assertContains(page, f'name="names_{i}"')
            self.assertContains(page, f'({code})</label>')
        self.assertContains(page, "French (fr)</label>")
        self.assertContains(page, 'dir="rtl"')
        # No JSON in any field (text inputs and text areas).
        self.assertNotContains(page, 'value="{&quot;')
        self.assertNotContains(page, '">{&quot;')
        self.assertNotContains(page, 'value="[&quot;')
        self.assertContains(page, 'value="fr, en"' if portal.languages == ["fr", "en"]
                            else 'name="languages"')

    def test_saving_stores_the_texts_per_language(self) -> None:
        portal = Portal.objects.get(code="sn")
        r = self.as_user(self.admin).post(f"/staff/admin/portals/portal/{portal.pk}/change/",
                                          self.post_data(portal))
        self.assertEqual(r.status_code, 302, r.content.decode()[:3000])
        portal.refresh_from_db()
        self.assertEqual(portal.names, {"en": "Senegal", "fr": "Sénégal", "ar": "السنغال"})
        self.assertEqual(portal.intro, {"en": "Report here.", "fr": "Signalez ici."})
        self.assertEqual(portal.languages, ["fr", "en"])
        contact = HelpContact.objects.filter(portal=portal, kind="police").latest("id")
        self.assertEqual(contact.label, {"en": "Police", "fr": "Police"})
        self.assertEqual(contact.text, {})

    def test_bad_languages_are_refused_with_the_form_kept(self) -> None:
        portal = Portal.objects.get(code="sn")
        r = self.as_user(self.admin).post(f"/staff/admin/portals/portal/{portal.pk}/change/",
                                          self.post_data(portal, languages="fr, xx"))
        self.assertContains(r, "Unsupported language(s): xx.")
        self.assertContains(r, 'value="Sénégal"')
        portal.refresh_from_db()
        self.assertNotEqual(portal.languages, ["fr", "xx"])

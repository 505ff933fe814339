"""Staff list and remove their own security keys; never the last second factor."""

from __future__ import annotations

from hotline.accounts.models import AuthenticatorApp, WebAuthnCredential
from hotline.audit.models import AuditEntry
from hotline.testing.base import StaffTestCase

PAGE = "/staff/2fa/keys/register/"


class OwnKeysTestCase(StaffTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.desk = WebAuthnCredential.objects.create(user=self.analyst, name="Desk key",
                                                      credential_id=b"d", public_key=b"p")
        self.spare = WebAuthnCredential.objects.create(user=self.analyst, name="Spare key",
                                                       credential_id=b"s", public_key=b"p")
        self.theirs = WebAuthnCredential.objects.create(user=self.senior, name="Senior key",
                                                        credential_id=b"t", public_key=b"p")
        self.client = self.as_user(self.analyst)

    def remove(self, key: WebAuthnCredential):  # type: ignore[no-untyped-def]
        return self.client.post(f"/staff/2fa/keys/{key.pk}/remove/", follow=True)

    def test_the_page_lists_only_ones_own_keys(self) -> None:
        page = self.client.get(PAGE)
        self.assertContains(page, "Your security keys")
        self.assertContains(page, "Desk key")
        self.assertContains(page, "Spare key")
        self.assertNotContains(page, "Senior key")
        self.assertContains(page, "Remove Desk key (added")

    def test_removing_one_of_several(self) -> None:
        r = self.remove(self.desk)
        self.assertContains(r, "The security key “Desk key” was removed.")
        self.assertNotContains(r, "Desk key</td>")
        self.assertFalse(WebAuthnCredential.objects.filter(pk=self.desk.pk).exists())
        entry = AuditEntry.objects.get(action="2fa.remove")
        self.assertEqual((entry.actor, entry.details["name"], entry.details["own"]),
                         (self.analyst, "Desk key", True))

    def test_the_last_second_factor_stays(self) -> None:
        # Signed in with the spare key, and no authenticator app.
        from django_otp import DEVICE_ID_SESSION_KEY

        session = self.client.session
        session[DEVICE_ID_SESSION_KEY] = self.spare.persistent_id
        session.save()
        AuthenticatorApp.objects.filter(user=self.analyst).delete()
        self.remove(self.desk)
        r = self.remove(self.spare)
        self.assertContains(r, "This is your only second factor")
        self.assertTrue(WebAuthnCredential.objects.filter(pk=self.spare.pk).exists())
        # With an authenticator app besides, the last key may go.
        AuthenticatorApp.objects.create(user=self.analyst, name="app", confirmed=True)
        self.remove(self.spare)
        self.assertFalse(WebAuthnCredential.objects.filter(user=self.analyst).exists())

    def test_nobody_removes_anothers_key(self) -> None:
        self.assertEqual(self.client.post(f"/staff/2fa/keys/{self.theirs.pk}/remove/")
                         .status_code, 404)
        self.assertTrue(WebAuthnCredential.objects.filter(pk=self.theirs.pk).exists())

    def test_only_a_verified_session_posts(self) -> None:
        from django.test import Client

        password_only = Client()
        password_only.force_login(self.analyst)
        r = password_only.post(f"/staff/2fa/keys/{self.desk.pk}/remove/")
        self.assertEqual(r.status_code, 302)
        self.assertEqual(self.client.get(f"/staff/2fa/keys/{self.desk.pk}/remove/").status_code,
                         405)
        self.assertTrue(WebAuthnCredential.objects.filter(pk=self.desk.pk).exists())

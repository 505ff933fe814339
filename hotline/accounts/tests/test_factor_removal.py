"""Removing a lost second factor in the admin: the password stops working and the owner gets a
fresh one-time set-up link by e-mail, so whoever knows the old password cannot enrol a factor
of their own (trust on first use). Audited; if the link cannot be sent, nothing changes."""

from __future__ import annotations

import re
from email.message import Message

from django.test import Client

from hotline.accounts.models import AuthenticatorApp, User, WebAuthnCredential
from hotline.audit.models import AuditEntry
from hotline.testing.base import PASSWORD, StaffTestCase
from hotline.testing.smtp import Mailbox, smtp_server, smtp_settings, unreachable_smtp_settings

NEW_PASSWORD = "a new and long passphrase 77"


class FactorRemovalTestCase(StaffTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.app = AuthenticatorApp.objects.create(user=self.analyst, name="phone",
                                                   confirmed=True)
        self.admin_client = self.as_user(self.admin)

    def password_works(self, password: str = PASSWORD) -> bool:
        r = Client().post("/staff/login/", {"email": self.analyst.email, "password": password})
        return r.status_code == 302

    def link_in(self, message: Message) -> str:
        body = message.get_payload(decode=True)
        assert isinstance(body, bytes)
        found = re.search(r"https?://\S+(/staff/setup/\S+/)", body.decode())
        assert found is not None, body
        return found.group(1)

    def assert_reset_with_a_link_sent(self, box: Mailbox, *, factor_left: bool = False) -> None:
        self.analyst.refresh_from_db()
        self.assertFalse(self.analyst.has_usable_password())
        self.assertFalse(self.password_works())
        [message] = box.messages
        self.assertEqual(message["To"], self.analyst.email)
        link = self.link_in(message)
        client = Client()
        self.assertContains(client.get(link), "Choose a password")
        r = client.post(link, {"password": NEW_PASSWORD, "again": NEW_PASSWORD})
        self.assertRedirects(r, "/staff/2fa/setup/", fetch_redirect_response=False)
        # With no factor left the link's owner enrols one; with one left, they must use it.
        enrol = client.get("/staff/2fa/setup/")
        if factor_left:
            self.assertRedirects(enrol, "/staff/2fa/?next=%2Fstaff%2F",
                                 fetch_redirect_response=False)
        else:
            self.assertEqual(enrol.status_code, 200)
        self.assertEqual(Client().get(link).status_code, 410)  # once only
        reset = AuditEntry.objects.get(action="staff.reset")
        self.assertEqual((reset.actor, reset.object_id), (self.admin, str(self.analyst.pk)))

    def test_removing_an_authenticator_app_sends_a_new_set_up_link(self) -> None:
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            r = self.admin_client.post(
                f"/staff/admin/accounts/authenticatorapp/{self.app.pk}/delete/", {"post": "yes"})
            self.assertEqual(r.status_code, 302)
            self.assertFalse(AuthenticatorApp.objects.filter(pk=self.app.pk).exists())
            self.assert_reset_with_a_link_sent(box)
        removed = AuditEntry.objects.get(action="2fa.remove")
        self.assertEqual((removed.actor, removed.details["factor"]), (self.admin, "totp"))

    def test_removing_a_security_key_sends_a_new_set_up_link(self) -> None:
        self.app.delete()
        key = WebAuthnCredential.objects.create(user=self.analyst, credential_id=b"\x01" * 16,
                                                public_key=b"\x02" * 32, confirmed=True)
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            r = self.admin_client.post(
                f"/staff/admin/accounts/webauthncredential/{key.pk}/delete/", {"post": "yes"})
            self.assertEqual(r.status_code, 302)
            self.assertFalse(WebAuthnCredential.objects.exists())
            self.assert_reset_with_a_link_sent(box)

    def test_removing_several_at_once_resets_each_account(self) -> None:
        other = AuthenticatorApp.objects.create(user=self.senior, name="phone", confirmed=True)
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            r = self.admin_client.post("/staff/admin/accounts/authenticatorapp/", {
                "action": "remove_lost_factors", "_selected_action": [self.app.pk, other.pk]})
            self.assertEqual(r.status_code, 302)
            self.assertEqual(sorted(m["To"] for m in box.messages),
                             [self.analyst.email, self.senior.email])
        self.assertFalse(AuthenticatorApp.objects.filter(pk__in=[self.app.pk, other.pk]).exists())
        self.assertFalse(User.objects.get(pk=self.senior.pk).has_usable_password())
        self.assertEqual(AuditEntry.objects.filter(action="2fa.remove").count(), 2)

    def test_the_plain_delete_action_is_not_offered(self) -> None:
        page = self.admin_client.get("/staff/admin/accounts/authenticatorapp/")
        self.assertNotContains(page, 'value="delete_selected"')
        self.assertContains(page, 'value="remove_lost_factors"')

    def test_if_the_link_cannot_be_sent_nothing_changes(self) -> None:
        with self.settings(**unreachable_smtp_settings()):
            r = self.admin_client.post(
                f"/staff/admin/accounts/authenticatorapp/{self.app.pk}/delete/", {"post": "yes"},
                follow=True)
        self.assertContains(r, "could not be sent")
        self.assertTrue(AuthenticatorApp.objects.filter(pk=self.app.pk).exists())
        self.assertTrue(self.password_works())
        self.assertFalse(AuditEntry.objects.filter(action__in=["2fa.remove",
                                                               "staff.reset"]).exists())

    def test_an_administrator_can_send_a_new_set_up_link(self) -> None:
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            r = self.admin_client.post("/staff/admin/accounts/user/", {
                "action": "send_setup_link", "_selected_action": [self.analyst.pk]})
            self.assertEqual(r.status_code, 302)
            self.assert_reset_with_a_link_sent(box, factor_left=True)
        self.assertTrue(AuthenticatorApp.objects.filter(pk=self.app.pk).exists())

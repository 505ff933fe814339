"""Administrators look after staff accounts (issue 13): adding a member sends the one-time
set-up link and never sets a password; resetting a member's second factor and unlocking an
account are audited; no page of the admin shows an authenticator seed, and every view of a
member's factors is on record."""

from __future__ import annotations

import base64
import re
from binascii import hexlify
from email.message import Message

from django.contrib import admin
from django.test import Client, override_settings

from hotline.accounts.models import AuthenticatorApp, User, WebAuthnCredential
from hotline.audit.models import AuditEntry
from hotline.testing.base import PASSWORD, StaffTestCase
from hotline.testing.smtp import smtp_server, smtp_settings, unreachable_smtp_settings

NEW_PASSWORD = "a new and long passphrase 77"


def link_in(message: Message) -> str:
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    found = re.search(r"https?://\S+(/staff/setup/\S+/)", body.decode())
    assert found is not None, body
    return found.group(1)


class AddStaffTestCase(StaffTestCase):
    def test_adding_a_member_mails_the_set_up_link_and_sets_no_password(self) -> None:
        client = self.as_user(self.admin)
        page = client.get("/staff/admin/accounts/user/add/")
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'type="password"')
        self.assertContains(page, "No password is set here")
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            r = client.post("/staff/admin/accounts/user/add/", {
                "email": "New.Analyst@hub.example.test", "role": "analyst"}, follow=True)
            self.assertContains(r, "set-up link was sent to new.analyst@hub.example.test")
            [message] = box.messages
        user = User.objects.get(email="new.analyst@hub.example.test")
        self.assertFalse(user.has_usable_password())
        self.assertEqual(message["To"], user.email)
        entry = AuditEntry.objects.get(action="staff.invite")
        self.assertEqual((entry.actor, entry.object_id), (self.admin, str(user.pk)))
        link = link_in(message)
        new = Client()
        r = new.post(link, {"password": NEW_PASSWORD, "again": NEW_PASSWORD})
        self.assertRedirects(r, "/staff/2fa/setup/", fetch_redirect_response=False)

    def test_a_partner_gets_portals_at_creation_and_needs_one(self) -> None:
        client = self.as_user(self.admin)
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            r = client.post("/staff/admin/accounts/user/add/", {
                "email": "p2@ministry.example.test", "role": "partner"})
            self.assertContains(r, "choose at least one")
            self.assertFalse(User.objects.filter(email="p2@ministry.example.test").exists())
            r = client.post("/staff/admin/accounts/user/add/", {
                "email": "a2@hub.example.test", "role": "analyst", "portals": [self.gm.pk]})
            self.assertContains(r, "Only partners are tied to portals")
            r = client.post("/staff/admin/accounts/user/add/", {
                "email": "p2@ministry.example.test", "role": "partner",
                "portals": [self.gm.pk]})
            self.assertEqual(r.status_code, 302)
            self.assertEqual(len(box.messages), 1)
        partner = User.objects.get(email="p2@ministry.example.test")
        self.assertEqual(list(partner.portals.all()), [self.gm])

    def test_when_the_link_cannot_be_sent_nobody_is_added(self) -> None:
        client = self.as_user(self.admin)
        with self.settings(**unreachable_smtp_settings()):
            r = client.post("/staff/admin/accounts/user/add/", {
                "email": "lost@hub.example.test", "role": "analyst"}, follow=True)
        self.assertContains(r, "Nothing was saved: the set-up link could not be sent")
        self.assertFalse(User.objects.filter(email="lost@hub.example.test").exists())
        self.assertFalse(AuditEntry.objects.filter(action__in=["staff.invite",
                                                               "admin.add"]).exists())

    def test_when_the_link_cannot_be_sent_the_form_is_shown_again_as_typed(self) -> None:
        client = self.as_user(self.admin)
        with self.settings(**unreachable_smtp_settings()):
            r = client.post("/staff/admin/accounts/user/add/", {
                "email": "p3@ministry.example.test", "role": "partner",
                "portals": [self.gm.pk]})
        self.assertEqual(r.status_code, 200)  # the form again, not a redirect to an empty one
        self.assertContains(r, "Nothing was saved: the set-up link could not be sent")
        page = r.content.decode()
        self.assertIn('value="p3@ministry.example.test"', page)
        self.assertRegex(page, r'<option value="partner" selected>')
        self.assertRegex(page, rf'value="{self.gm.pk}"[^>]*checked')
        self.assertFalse(User.objects.filter(email="p3@ministry.example.test").exists())
        self.assertFalse(AuditEntry.objects.filter(action="staff.invite").exists())
        # The mail works again: the same form, sent as it stands, adds the member.
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            r = client.post("/staff/admin/accounts/user/add/", {
                "email": "p3@ministry.example.test", "role": "partner",
                "portals": [self.gm.pk]})
        self.assertEqual(r.status_code, 302)
        self.assertTrue(User.objects.filter(email="p3@ministry.example.test").exists())

    def test_administrators_never_choose_a_password(self) -> None:
        client = self.as_user(self.admin)
        r = client.get(f"/staff/admin/accounts/user/{self.analyst.pk}/password/")
        self.assertEqual(r.status_code, 403)
        page = client.get(f"/staff/admin/accounts/user/{self.analyst.pk}/change/")
        self.assertNotContains(page, "/password/")


class ResetAndUnlockTestCase(StaffTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.app = AuthenticatorApp.objects.create(user=self.analyst, name="phone",
                                                   confirmed=True)
        self.key = WebAuthnCredential.objects.create(user=self.analyst, name="key",
                                                     credential_id=b"k1", public_key=b"p")
        self.admin_client = self.as_user(self.admin)

    def password_works(self, password: str = PASSWORD) -> bool:
        r = Client().post("/staff/login/", {"email": self.analyst.email, "password": password})
        return r.status_code == 302

    def test_resetting_the_second_factor(self) -> None:
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            r = self.admin_client.post("/staff/admin/accounts/user/", {
                "action": "reset_second_factors", "_selected_action": [self.analyst.pk]},
                follow=True)
            self.assertContains(r, "were removed and a new set-up link was sent")
            [message] = box.messages
        self.assertFalse(AuthenticatorApp.objects.filter(user=self.analyst).exists())
        self.assertFalse(WebAuthnCredential.objects.filter(user=self.analyst).exists())
        # Knowing the old password is not enough to enrol a factor of one's own.
        self.assertFalse(self.password_works())
        entry = AuditEntry.objects.get(action="2fa.reset")
        self.assertEqual((entry.actor, entry.object_id, entry.details["removed"]),
                         (self.admin, str(self.analyst.pk), 2))
        self.assertTrue(AuditEntry.objects.filter(action="staff.reset").exists())
        # The owner starts again from the link: a password, then a new factor.
        client = Client()
        link = link_in(message)
        client.post(link, {"password": NEW_PASSWORD, "again": NEW_PASSWORD})
        self.assertEqual(client.get("/staff/2fa/setup/").status_code, 200)

    def test_a_reset_that_cannot_send_its_link_changes_nothing(self) -> None:
        with self.settings(**unreachable_smtp_settings()):
            r = self.admin_client.post("/staff/admin/accounts/user/", {
                "action": "reset_second_factors", "_selected_action": [self.analyst.pk]},
                follow=True)
        self.assertContains(r, "could not be sent")
        self.assertTrue(AuthenticatorApp.objects.filter(pk=self.app.pk).exists())
        self.assertTrue(self.password_works())
        self.assertFalse(AuditEntry.objects.filter(action="2fa.reset").exists())

    @override_settings(SIGNIN_MAX_FAILURES=2)
    def test_unlocking_an_account(self) -> None:
        # Guesses from many connections put the account itself in backoff.
        for i in range(2 * 4):
            Client(REMOTE_ADDR=f"198.51.100.{i + 1}").post(
                "/staff/login/", {"email": self.analyst.email, "password": "guess"})
        page = self.admin_client.get(f"/staff/admin/accounts/user/{self.analyst.pk}/change/")
        self.assertContains(page, "Locked after failed attempts")
        self.assertFalse(self.password_works())
        r = self.admin_client.post("/staff/admin/accounts/user/", {
            "action": "unlock_accounts", "_selected_action": [self.analyst.pk]}, follow=True)
        self.assertContains(r, "they can sign in again")
        entry = AuditEntry.objects.get(action="staff.unlock")
        self.assertEqual((entry.actor, entry.object_id), (self.admin, str(self.analyst.pk)))
        self.assertTrue(self.password_works())
        page = self.admin_client.get(f"/staff/admin/accounts/user/{self.analyst.pk}/change/")
        self.assertContains(page, "Not locked")


class SeedsAndFactorViewsTestCase(StaffTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.app = AuthenticatorApp.objects.create(user=self.analyst, name="phone",
                                                   confirmed=True)
        self.unconfirmed = AuthenticatorApp.objects.create(user=self.senior, name="new",
                                                           confirmed=False)
        self.key = WebAuthnCredential.objects.create(user=self.analyst, name="key",
                                                     credential_id=b"k1", public_key=b"p")

    def secrets(self) -> list[str]:
        found = []
        for device in (self.app, self.unconfirmed):
            device.refresh_from_db()
            seed = device.bin_key
            found += [hexlify(seed).decode(), base64.b32encode(seed).decode().rstrip("="),
                      device.key, device.config_url]
        return found

    def admin_pages(self) -> list[str]:
        pages = ["/staff/admin/"]
        for model, _model_admin in admin.site._registry.items():
            base = f"/staff/admin/{model._meta.app_label}/{model._meta.model_name}/"
            pages += [base, f"{base}add/"]
            first = model._default_manager.order_by("pk").first()
            if first is not None:
                pages.append(f"{base}{first.pk}/change/")
        for device in (self.app, self.unconfirmed):
            pages.append(f"/staff/admin/accounts/authenticatorapp/{device.pk}/change/")
            pages.append(f"/staff/admin/accounts/authenticatorapp/{device.pk}/delete/")
        pages.append(f"/staff/admin/accounts/user/{self.analyst.pk}/change/")
        pages.append(f"/staff/admin/accounts/user/{self.senior.pk}/change/")
        return pages

    def test_no_admin_page_shows_a_seed(self) -> None:
        client = self.as_user(self.admin)
        secrets = self.secrets()
        seen = 0
        for path in self.admin_pages():
            r = client.get(path)
            self.assertIn(r.status_code, (200, 302, 403), path)
            body = r.content.decode()
            for secret in secrets:
                self.assertNotIn(secret, body, path)
                self.assertNotIn(secret.lower(), body.lower(), path)
            seen += r.status_code == 200
        self.assertGreater(seen, 20)

    def test_every_view_of_a_members_factors_is_audited(self) -> None:
        client = self.as_user(self.admin)
        views = [
            "/staff/admin/accounts/authenticatorapp/",
            f"/staff/admin/accounts/authenticatorapp/{self.app.pk}/change/",
            "/staff/admin/accounts/webauthncredential/",
            f"/staff/admin/accounts/webauthncredential/{self.key.pk}/change/",
            f"/staff/admin/accounts/user/{self.analyst.pk}/change/",
        ]
        for n, path in enumerate(views, start=1):
            self.assertEqual(client.get(path).status_code, 200, path)
            entries = AuditEntry.objects.filter(action="admin.factors.view")
            self.assertEqual(entries.count(), n, path)
            self.assertEqual(entries.order_by("-id").first().actor, self.admin)  # type: ignore[union-attr]
        on_member = AuditEntry.objects.filter(action="admin.factors.view",
                                              object_id=str(self.analyst.pk))
        self.assertEqual(on_member.count(), 3)
        page = client.get(f"/staff/admin/accounts/user/{self.analyst.pk}/change/")
        self.assertContains(page, "Authenticator app: phone (never used)")
        self.assertContains(page, "Security key: key (never used)")

    def test_internal_names_are_not_shown(self) -> None:
        page = self.as_user(self.admin).get("/staff/admin/").content.decode()
        for internal in ("Bank hashs", "OTP_TOTP", "Otp_Totp", "otp_totp", "Totp devices"):
            self.assertNotIn(internal, page)

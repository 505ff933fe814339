"""Authenticator seeds are sealed with TOTP_SEED_KEY, a key kept outside the database: a copy of
the database alone neither shows a seed nor lets anyone make a valid code, and the admin never
shows one. Signing in works as before."""

from __future__ import annotations

import base64
import re

from django.db import connection
from django.test import Client, override_settings
from django_otp.oath import totp

from hotline.accounts.models import AuthenticatorApp
from hotline.testing.base import PASSWORD, StaffTestCase

OTHER_KEY = "another-hub-s-totp-seed-key-" + "k" * 40


def code(seed: bytes, step_offset: int = 0) -> str:
    return f"{totp(seed, step=30, t0=0, digits=6, drift=step_offset):06d}"


class TotpSeedTestCase(StaffTestCase):
    def enrol(self) -> tuple[Client, bytes]:
        """Enrol the analyst's authenticator app through the pages; the seed as the phone
        has it (from the key shown on the set-up page)."""
        client = Client()
        client.post("/staff/login/", {"email": self.analyst.email, "password": PASSWORD})
        page = client.get("/staff/2fa/setup/").content.decode()
        found = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', page)
        assert found is not None
        seed = base64.b32decode(found.group(1).replace(" ", ""))
        r = client.post("/staff/2fa/setup/", {"token": code(seed), "next": "/staff/"})
        self.assertEqual(r.status_code, 302)
        return client, seed

    def stored_keys(self) -> list[str]:
        """What a copy of the database holds in the seed column, read with plain SQL."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT key FROM otp_totp_totpdevice")
            return [row[0] for row in cursor.fetchall()]

    def sign_in(self, token: str) -> int:
        client = Client()
        client.post("/staff/login/", {"email": self.analyst.email, "password": PASSWORD})
        return client.post("/staff/2fa/", {"token": token, "next": "/staff/"}).status_code

    def test_the_database_never_holds_the_seed_in_clear(self) -> None:
        _client, seed = self.enrol()
        [stored] = self.stored_keys()
        for form in (seed.hex(), seed.hex().upper(), base64.b32encode(seed).decode(),
                     base64.b64encode(seed).decode()):
            self.assertNotIn(form, stored)

    def test_signing_in_with_the_app_still_works(self) -> None:
        _client, seed = self.enrol()
        self.assertEqual(self.sign_in(code(seed, 1)), 302)

    def test_a_copy_of_the_database_cannot_make_a_valid_code(self) -> None:
        _client, seed = self.enrol()
        [stored] = self.stored_keys()
        # Whoever holds only the copy takes the column for the seed, as django_otp would.
        try:
            guessed = bytes.fromhex(stored)
        except ValueError:
            guessed = stored.encode()
        self.assertEqual(self.sign_in(code(guessed, 1)), 400)
        # A server with the copy but another key cannot check the real code either.
        with override_settings(TOTP_SEED_KEY=OTHER_KEY):
            self.assertEqual(self.sign_in(code(seed, 1)), 400)
        # With the hub's key the real code works (once django_otp's pause after failures ends).
        AuthenticatorApp.objects.get(user=self.analyst).throttle_reset()
        self.assertEqual(self.sign_in(code(seed, 1)), 302)

    def test_a_seed_moved_to_another_account_does_not_work_there(self) -> None:
        _client, seed = self.enrol()
        client = Client()
        client.post("/staff/login/", {"email": self.senior.email, "password": PASSWORD})
        client.get("/staff/2fa/setup/")
        with connection.cursor() as cursor:
            # With write access to the database, copy the analyst's sealed seed to the senior.
            cursor.execute("UPDATE otp_totp_totpdevice SET key = (SELECT key FROM "
                           "otp_totp_totpdevice WHERE user_id = %s) WHERE user_id = %s",
                           [self.analyst.pk, self.senior.pk])
        r = client.post("/staff/2fa/setup/", {"token": code(seed, 1), "next": "/staff/"})
        self.assertEqual(r.status_code, 400)

    def test_the_admin_never_shows_a_seed(self) -> None:
        _client, seed = self.enrol()
        admin = self.as_user(self.admin)
        seen = ""
        for listing in ("/staff/admin/otp_totp/totpdevice/",
                        "/staff/admin/accounts/authenticatorapp/"):
            r = admin.get(listing)
            if r.status_code != 200:
                continue
            seen += r.content.decode()
            for change in set(re.findall(rf'href="({listing}\d+/change/)"', seen)):
                page = admin.get(change)
                seen += page.content.decode()
                pk = change.rstrip("/").split("/")[-2]
                for extra in ("config/", "qrcode/"):  # django_otp's seed and QR code pages
                    self.assertNotEqual(admin.get(f"{listing}{pk}/{extra}").status_code, 200)
        self.assertIn(self.analyst.email, seen)  # the device is listed
        self.assertNotIn("qrcode", seen)
        for form in (seed.hex(), base64.b32encode(seed).decode(), *self.stored_keys()):
            self.assertNotIn(form, seen)

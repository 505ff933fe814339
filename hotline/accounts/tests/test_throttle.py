"""Sign-in throttling: a connection that keeps failing is locked out of that account, and nobody
else is; guesses spread over many connections meet a slower backoff on the account; refused
attempts are audited, at most once a minute per account, with how many were refused."""

from __future__ import annotations

from typing import Any
from unittest import mock

from django.test import Client, override_settings

from hotline.accounts import throttle
from hotline.accounts.models import AuthenticatorApp
from hotline.audit.models import AuditEntry
from hotline.testing.base import PASSWORD, StaffTestCase

WRONG = "not the password at all"


@override_settings(SIGNIN_MAX_FAILURES=3)
class ThrottleTestCase(StaffTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.now = 1_900_000_000.0
        clock = mock.patch.object(throttle, "_now", side_effect=lambda: self.now)
        clock.start()
        self.addCleanup(clock.stop)

    def connection(self, n: int) -> Client:
        return Client(REMOTE_ADDR=f"192.0.2.{n}")

    def sign_in(self, client: Client, password: str = PASSWORD) -> Any:
        return client.post("/staff/login/", {"email": self.senior.email, "password": password})

    def wrong_passwords(self, client: Client, times: int) -> None:
        for _ in range(times):
            self.assertEqual(self.sign_in(client, WRONG).status_code, 400)

    def test_a_locked_out_connection_does_not_lock_the_staff_member_out_elsewhere(self) -> None:
        attacker = self.connection(66)
        self.wrong_passwords(attacker, 3)
        r = self.sign_in(attacker)
        self.assertContains(r, "Too many failed attempts", status_code=429)
        self.assertEqual(self.sign_in(self.connection(7)).status_code, 302)
        self.assertEqual(r["Retry-After"], str(throttle.WINDOW))
        # Nor does it lock the attacker's connection out of other accounts.
        r = self.connection(66).post("/staff/login/", {"email": self.analyst.email,
                                                       "password": PASSWORD})
        self.assertEqual(r.status_code, 302)

    def test_guesses_from_many_connections_meet_a_slower_backoff_on_the_account(self) -> None:
        # Four connections, each up to its own limit of 3: twelve failures on the account,
        # four times the limit, where the account's backoff begins.
        for n in range(1, 5):
            self.wrong_passwords(self.connection(n), 3)
        r = self.sign_in(self.connection(6))
        self.assertContains(r, "Too many failed attempts on this account", status_code=429)
        self.assertEqual(r["Retry-After"], "1")
        self.now += 1
        self.wrong_passwords(self.connection(6), 1)  # allowed again after 1 s; the next wait is 2 s
        self.now += 1
        self.assertEqual(self.sign_in(self.connection(8)).status_code, 429)
        self.now += 1
        self.assertEqual(self.sign_in(self.connection(8)).status_code, 302)

    def test_the_backoff_is_capped(self) -> None:
        for n in range(1, 24):  # 2 ** 11 s would be past the cap
            self.wrong_passwords(self.connection(n), 1)
            self.now += throttle.BACKOFF_MAX_SECONDS
        self.wrong_passwords(self.connection(24), 1)
        r = self.sign_in(self.connection(99))
        self.assertEqual(r["Retry-After"], str(throttle.BACKOFF_MAX_SECONDS))
        self.now += throttle.BACKOFF_MAX_SECONDS
        self.assertEqual(self.sign_in(self.connection(99)).status_code, 302)

    def test_a_connection_trying_many_accounts_is_stopped(self) -> None:
        spray = self.connection(9)
        for n in range(12):
            r = spray.post("/staff/login/", {"email": f"nobody{n}@hub.example.test",
                                             "password": WRONG})
            self.assertEqual(r.status_code, 400)
        self.assertEqual(self.sign_in(spray).status_code, 429)
        self.assertEqual(self.sign_in(self.connection(10)).status_code, 302)

    def test_refused_attempts_are_audited_without_flooding_the_log(self) -> None:
        attacker = self.connection(66)
        self.wrong_passwords(attacker, 3)
        for _ in range(10):
            self.assertEqual(self.sign_in(attacker).status_code, 429)
        [entry] = AuditEntry.objects.filter(action="signin.refused")
        self.assertEqual((entry.actor_label, entry.details["step"], entry.details["refused"]),
                         (self.senior.email, "password", 1))
        self.now += 61
        self.assertEqual(self.sign_in(attacker).status_code, 429)
        latest = AuditEntry.objects.filter(action="signin.refused").order_by("-id")[0]
        self.assertEqual(latest.details["refused"], 10)  # nine held back, and this one
        self.assertEqual(AuditEntry.objects.filter(action="signin.refused").count(), 2)
        # Nothing in the log tells who the client was.
        self.assertNotIn("192.0.2", str([e.details for e in AuditEntry.objects.all()]))

    def test_wrong_codes_count_per_connection_too(self) -> None:
        AuthenticatorApp.objects.create(user=self.senior, name="app", confirmed=True)
        attacker, owner = self.connection(66), self.connection(7)
        self.assertEqual(self.sign_in(attacker).status_code, 302)  # the password is known
        for _ in range(3):
            self.assertEqual(attacker.post("/staff/2fa/", {"token": "000000"}).status_code, 400)
        self.assertEqual(attacker.post("/staff/2fa/", {"token": "000000"}).status_code, 429)
        self.assertTrue(AuditEntry.objects.filter(action="signin.refused",
                                                  details__step="totp").exists())
        self.assertEqual(self.sign_in(owner).status_code, 302)
        self.assertEqual(owner.post("/staff/2fa/", {"token": "000000"}).status_code, 400)

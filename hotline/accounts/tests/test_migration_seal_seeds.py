"""Authenticator seeds stored in clear by earlier versions are sealed by the migration that
brought sealing, and still make the same codes; going back opens them again."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase
from django_otp.oath import totp

from hotline.accounts.models import AuthenticatorApp

BEFORE = [("accounts", "0001_initial"), ("otp_totp", "0003_add_timestamps")]
SEED = bytes(range(20))


class SealSeedsMigrationTestCase(TransactionTestCase):
    def migrate(self, targets: list[tuple[str, str]]) -> MigrationExecutor:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return MigrationExecutor(connection)

    def leaves(self) -> list[tuple[str, str]]:
        return MigrationExecutor(connection).loader.graph.leaf_nodes()

    def tearDown(self) -> None:
        self.migrate(self.leaves())
        super().tearDown()

    def stored_key(self) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT key FROM otp_totp_totpdevice")
            return str(cursor.fetchone()[0])

    def test_seeds_in_clear_are_sealed_and_still_work(self) -> None:
        old = self.migrate(BEFORE).loader.project_state(BEFORE).apps
        user = old.get_model("accounts", "User").objects.create(
            email="analyst@hub.example.test", role="analyst")
        old.get_model("otp_totp", "TOTPDevice").objects.create(
            user_id=user.pk, name="phone", confirmed=True, key=SEED.hex())

        self.migrate(self.leaves())
        self.assertTrue(self.stored_key().startswith("$tseal1$"))
        self.assertNotIn(SEED.hex(), self.stored_key())
        device = AuthenticatorApp.objects.get()
        self.assertEqual(device.bin_key, SEED)
        self.assertTrue(device.verify_token(totp(SEED, step=30, t0=0, digits=6)))

        self.migrate(BEFORE)
        self.assertEqual(self.stored_key(), SEED.hex())

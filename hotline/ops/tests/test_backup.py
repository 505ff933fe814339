"""`hotline backup` and `hotline restore`, as an operator runs them: back up a database with
reports, cases, audit entries and a staff session; destroy the database; restore; the reports,
cases and audit chain are back (`hotline audit verify`), the sessions are not, and the backup
file holds no key or secret. On the database of the test run (SQLite, or PostgreSQL when
DATABASE_URL points at one), in a database of its own."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import SimpleTestCase

from hotline.testing.processes import ROOT, postgres_url

SEED = """
import json
from django.contrib.sessions.backends.db import SessionStore
from hotline.audit.services import audit_record
from hotline.cases.models import Case
from hotline.cases.services import report_intake
from hotline.intake.models import Report
from hotline.intake.services import report_submit
from hotline.portals.models import Portal
from hotline.testing.base import load_demo_network
load_demo_network()
gm = Portal.objects.get(code="gm")
codes = []
for n in range(3):
    s = report_submit(portal=gm, language="en", content_kind="image",
                      urls=[f"https://backup.example.test/{n}", "https://backup.example.test/x"],
                      description=f"text {n}")
    report_intake(report_id=s.report.pk)
    codes.append(s.receipt_code)
audit_record(actor="test", action="backup.test", count=3)
store = SessionStore(); store["x"] = 1; store.create()
"""
CHECK = """
import json
from django.contrib.sessions.models import Session
from hotline.audit.models import AuditEntry
from hotline.cases.models import Case
from hotline.intake.models import Report
from hotline.intake.services import report_for_receipt
print(json.dumps({"reports": sorted(Report.objects.values_list("pk", flat=True)),
                  "cases": sorted(Case.objects.values_list("url", flat=True)),
                  "sealed": Report.objects.filter(description_sealed__isnull=False).count(),
                  "audit": AuditEntry.objects.count(), "sessions": Session.objects.count(),
                  "receipts": [report_for_receipt(c) is not None for c in CODES]}))
"""


@contextmanager
def sqlite_database() -> Iterator[tuple[str, Callable[[], None]]]:
    with tempfile.TemporaryDirectory(prefix="hotline-test-backup-db-") as tmp:
        path = Path(tmp) / "hotline.sqlite3"

        def destroy() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        yield f"sqlite:///{path}", destroy


@contextmanager
def postgres_database() -> Iterator[tuple[str, Callable[[], None]]]:
    import psycopg

    settings = dict(connection.settings_dict)
    name = f"{settings['NAME']}_backup"[:63]
    admin = postgres_url({**settings, "NAME": "postgres"}).replace("postgres://",
                                                                 "postgresql://", 1)

    def run(statement: str) -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(statement)  # type: ignore[arg-type]

    def destroy() -> None:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        run(f'CREATE DATABASE "{name}"')

    destroy()
    try:
        yield postgres_url({**settings, "NAME": name}), destroy
    finally:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class BackupRestoreTestCase(SimpleTestCase):
    databases = {"default"}

    @contextmanager
    def database(self) -> Iterator[tuple[str, Callable[[], None]]]:
        """A database of this test's own (URL), and a function that destroys it."""
        if connection.vendor == "sqlite":
            with sqlite_database() as made:
                yield made
        else:
            with postgres_database() as made:
                yield made

    def hotline(self, env: dict[str, str], *args: str, ok: bool = True
                ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "hotline.cli", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        if ok:
            self.assertEqual(done.returncode, 0, f"{args}: {done.stdout}\n{done.stderr}")
        return done

    def state(self, env: dict[str, str], check: str) -> dict[str, Any]:
        out = self.hotline(env, "shell", "-c", check).stdout
        return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]

    def test_back_up_destroy_restore(self) -> None:
        with self.database() as (url, destroy), \
                tempfile.TemporaryDirectory(prefix="hotline-test-backup-") as tmp:
            var = Path(tmp) / "var"
            env = {**{k: v for k, v in os.environ.items()
                      if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE",)},
                   "DJANGO_SETTINGS_MODULE": "hotline.testing.settings", "DATABASE_URL": url,
                   "HOTLINE_VAR_DIR": str(var)}
            self.hotline(env, "migrate", "-v0")
            self.hotline(env, "keys", "generate", "--if-missing")
            seeded = self.hotline(env, "shell", "-c", SEED + "print(json.dumps(codes))")
            codes = json.loads(seeded.stdout.strip().splitlines()[-1])
            check = CHECK.replace("CODES", repr(codes))
            before = self.state(env, check)
            self.assertEqual((len(before["reports"]), len(before["cases"]), before["sealed"],
                              before["sessions"], before["receipts"]),
                             (3, 4, 3, 1, [True, True, True]))

            backup = Path(tmp) / "backups" / "hotline.backup"
            done = self.hotline(env, "backup", str(backup))
            self.assertIn("Keys and secrets are not in it", done.stdout)
            self.assertEqual(stat.S_IMODE(backup.stat().st_mode), 0o600)
            self.assertFalse(list(backup.parent.glob(".*partial")))
            data = backup.read_bytes()
            secrets = [f.read_bytes().strip() for f in (var / "secrets").iterdir()]
            secrets.append((var / "keys" / "sealing.key").read_bytes())
            self.assertGreaterEqual(len(secrets), 5)
            for secret in secrets:
                self.assertNotIn(secret, data)
            # An existing file is never overwritten.
            again = self.hotline(env, "backup", str(backup), ok=False)
            self.assertNotEqual(again.returncode, 0)
            self.assertIn("exists already", again.stderr)

            destroy()
            gone = self.hotline(env, "shell", "-c", check, ok=False)
            self.assertNotEqual(gone.returncode, 0)  # no tables any more

            refused = self.hotline(env, "restore", "--noinput", str(Path(tmp) / "nothing"),
                                   ok=False)
            self.assertIn("Nothing restored", refused.stderr)
            done = self.hotline(env, "restore", "--noinput", str(backup))
            self.assertIn("Restored from", done.stdout)
            after = self.state(env, check)
            self.assertEqual(after, {**before, "sessions": 0})
            verified = self.hotline(env, "audit", "verify")
            self.assertIn("Audit log intact", verified.stdout)
            self.hotline(env, "migrate", "--check", "-v0")

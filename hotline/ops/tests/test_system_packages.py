"""scripts/system-packages waits while another install holds the package manager's lock,
instead of failing (a CI run failed on the dpkg lock). apt-get is replaced by a script on PATH
that answers as apt does when the lock is taken: the real one would change the machine."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from hotline.settings import BASE_DIR

SCRIPT = BASE_DIR / "scripts" / "system-packages"
LOCKED = ("E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 "
          "(apt-get)\nE: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), "
          "is another process using it?")


class SystemPackagesTestCase(SimpleTestCase):
    def run_script(self, *, locked_times: int, other_error: bool = False, wait: str = "60"
                   ) -> tuple[subprocess.CompletedProcess[str], list[str]]:
        with tempfile.TemporaryDirectory(prefix="hotline-test-apt-") as tmp:
            log, count = Path(tmp) / "calls", Path(tmp) / "count"
            fake = Path(tmp) / "apt-get"
            fake.write_text(f"""#!/bin/sh
echo "$*" >> {log}
n=$(cat {count} 2>/dev/null || echo 0); echo $((n + 1)) > {count}
if [ "$n" -lt {locked_times} ]; then echo "{LOCKED}" >&2; exit 100; fi
{"echo 'E: Unable to locate package no-such-package' >&2; exit 100" if other_error else ""}
exit 0
""")
            fake.chmod(0o700)
            env = {**os.environ, "PATH": f"{tmp}:{os.environ['PATH']}", "APT_LOCK_POLL": "0.1",
                   "APT_LOCK_WAIT": wait}
            done = subprocess.run([str(SCRIPT), "hotline-no-such-command=no-such-package"],
                                  env=env, capture_output=True, text=True, timeout=120)
            calls = log.read_text().splitlines() if log.exists() else []
        return done, calls

    def test_it_waits_for_the_lock_and_then_installs(self) -> None:
        if os.getuid() != 0:
            self.skipTest("the script uses sudo when not root")
        done, calls = self.run_script(locked_times=3)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("holds the package manager's lock: waiting", done.stderr)
        self.assertEqual(len(calls), 5)  # update: 3 locked, then once; install once
        self.assertTrue(calls[3].endswith("update -q"), calls)
        self.assertIn("install -y -q --no-install-recommends no-such-package", calls[4])
        self.assertTrue(all("DPkg::Lock::Timeout=60" in c for c in calls), calls)

    def test_any_other_failure_is_not_retried(self) -> None:
        if os.getuid() != 0:
            self.skipTest("the script uses sudo when not root")
        done, calls = self.run_script(locked_times=0, other_error=True)
        self.assertNotEqual(done.returncode, 0)
        self.assertEqual(len(calls), 1)
        self.assertNotIn("waiting", done.stderr)

    def test_it_gives_up_after_the_wait(self) -> None:
        if os.getuid() != 0:
            self.skipTest("the script uses sudo when not root")
        done, _calls = self.run_script(locked_times=1000, wait="1")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("giving up (set APT_LOCK_WAIT to wait longer)", done.stderr)

    def test_nothing_is_installed_when_the_commands_are_there(self) -> None:
        done = subprocess.run([str(SCRIPT), "sh=dash"], capture_output=True, text=True,
                              timeout=30)
        self.assertEqual((done.returncode, done.stdout), (0, ""))

"""Reports sent while web and background workers are SIGKILLed: nothing acknowledged is lost.

The small version of bench/fault_kill.py (hotline/testing/faultkill.py has the parts): real
gunicorn, two `hotline worker` and the tick loop against the test database. Needs a database
that other processes can open: runs on PostgreSQL, skipped on SQLite. About a minute.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from django.db import connection
from django.test import TransactionTestCase, override_settings

from hotline.ops.recovery import recovery_sweep
from hotline.testing.base import load_demo_network
from hotline.testing.faultkill import PROBLEMS, Fleet, chaos, send_reports, verify, wait_drained
from hotline.testing.geoip import unused_port
from hotline.testing.processes import worker_env

LIMITS = {"TASK_RUNNING_LIMIT_SECONDS": "5", "INTAKE_RETRY_AFTER_SECONDS": "3"}


class FaultKillTestCase(TransactionTestCase):
    def setUp(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("needs a database shared with other processes (PostgreSQL)")
        load_demo_network()

    @override_settings(**{name: int(value) for name, value in LIMITS.items()})
    def test_acknowledged_reports_survive_killed_processes(self) -> None:
        env = worker_env(REPORT_RATE_LIMIT="1000000", WEB_CONCURRENCY="2", WEB_THREADS="4",
                         CAPTURE_NEW_CASES="0", **LIMITS)
        stop = threading.Event()
        with tempfile.TemporaryDirectory(prefix="fault-kill-") as logs:
            fleet = Fleet(env, unused_port(), tick_seconds=1, log_dir=Path(logs))
            killer = threading.Thread(target=chaos, args=(fleet, stop),
                                      kwargs={"every": (0.5, 1.5)}, daemon=True)
            try:
                fleet.start()
                killer.start()
                load = send_reports(fleet.base, 300, clients=4)
                stop.set()
                killer.join()
                fleet.check_alive()
                wait_drained(timeout=60)
            finally:
                stop.set()
                fleet.stop()
        self.assertEqual(recovery_sweep(), {"tasks_failed": 0, "intake_requeued": 0,
                                            "intake_given_up": 0, "capture_requeued": 0,
                                            "capture_given_up": 0, "trace_requeued": 0,
                                            "trace_given_up": 0})
        figures = verify(load)
        self.assertEqual({k: figures[k] for k in PROBLEMS}, dict.fromkeys(PROBLEMS, 0), figures)
        self.assertGreater(fleet.kills["web"] + fleet.kills["worker"], 5, fleet.kills)
        self.assertGreater(figures["acknowledged"], load.sent // 2, (figures, load.outcomes))
        self.assertNotIn("500", load.outcomes)

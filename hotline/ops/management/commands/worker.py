"""``hotline worker``: runs background tasks from the database queue.

Any number may run at once, on this machine or others sharing the database: each claims a task
atomically before running it. A database outage does not end it: it waits and carries on, so
that `hotline serve` (which stops when one of its processes ends) survives a database restart.
A task cut off mid-run stays RUNNING until the recovery sweep marks it failed
(hotline/ops/recovery.py).
"""

from __future__ import annotations

import logging
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from hotline.ops.heartbeat import Heartbeat

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0


class Command(DatabaseWorkerCommand):
    help = "Run background tasks (any number of workers may run at once)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        # An idle worker looks at the queue every WORKER_INTERVAL seconds (settings.py).
        parser.set_defaults(interval=settings.WORKER_INTERVAL)
        # `--queue capture`: the captures' own queue (settings.TASKS), so a slow site never
        # holds up intake on the default queue.
        parser.add_argument("--queue", dest="queue_name", help="Same as --queue-name.")

    def handle(self, *args: Any, **options: Any) -> None:
        # Seen by /readyz and /metrics (hotline/ops/heartbeat.py); a batch run beats once.
        heartbeat = Heartbeat(options["worker_id"], options["queue_name"])
        if options.get("batch"):
            heartbeat.beat_once()
            self.run_loop(*args, **options)
            return
        heartbeat.start()
        try:
            self.run_loop(*args, **options)
        finally:
            heartbeat.stop()

    def run_loop(self, *args: Any, **options: Any) -> None:
        while True:
            try:
                super().handle(*args, **options)
                return
            except (OperationalError, InterfaceError) as e:
                if options.get("batch"):
                    raise
                log.warning("database unavailable (%s); worker retrying in %.0f s",
                            type(e).__name__, RETRY_SECONDS)
                connections.close_all()
                time.sleep(RETRY_SECONDS)

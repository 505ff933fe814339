"""``hotline tick [--loop SECONDS]``: run every periodic job (hotline/ops/tick.py)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import InterfaceError, OperationalError, close_old_connections, connections

from hotline.ops.tick import tick


class Command(BaseCommand):
    help = ("Run every periodic job once: takedown re-checks, re-sends and escalations, and "
            "the recovery of work lost by killed processes (`--loop N` repeats every N s).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", type=int, default=0, metavar="SECONDS")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            try:
                counts = tick()
            except (OperationalError, InterfaceError) as e:
                if not options["loop"]:
                    raise
                # The database is down or restarting: try again next round instead of exiting
                # (`hotline serve` stops everything when one of its processes ends).
                self.stderr.write(f"database unavailable ({type(e).__name__}); next try in "
                                  f"{options['loop']} s")
                connections.close_all()
                counts = {}
            if any(counts.values()) or not options["loop"]:
                self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
            if not options["loop"]:
                return
            close_old_connections()
            time.sleep(options["loop"])

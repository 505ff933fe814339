from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import InterfaceError, OperationalError, close_old_connections, connections

from hotline.intake.recovery import recovery_sweep
from hotline.takedown.services import takedown_tick


class Command(BaseCommand):
    help = ("Queue due re-checks, re-sends and escalations, and recover work of killed "
            "processes (`tick`; `--loop N` repeats).")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        tick = sub.add_parser("tick", help="Queue what is due, once or every N seconds.")
        tick.add_argument("--loop", type=int, default=0, metavar="SECONDS")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            try:
                counts = {**takedown_tick(), **recovery_sweep()}
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

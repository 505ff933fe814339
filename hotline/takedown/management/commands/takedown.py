from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from hotline.takedown.services import takedown_tick


class Command(BaseCommand):
    help = "Queue due re-checks, re-sends and escalations (`tick`; `--loop N` repeats)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        tick = sub.add_parser("tick", help="Queue what is due, once or every N seconds.")
        tick.add_argument("--loop", type=int, default=0, metavar="SECONDS")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            counts = takedown_tick()
            if any(counts.values()) or not options["loop"]:
                self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
            if not options["loop"]:
                return
            close_old_connections()
            time.sleep(options["loop"])

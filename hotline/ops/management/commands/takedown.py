"""``hotline takedown tick [--loop SECONDS]``: the older name of ``hotline tick``, kept so that
existing deployments and scripts keep working. It runs every periodic job, not only takedown's."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Alias of `hotline tick` (every periodic job)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        tick = sub.add_parser("tick", help="Run every periodic job, once or every N seconds.")
        tick.add_argument("--loop", type=int, default=0, metavar="SECONDS")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("tick", loop=options["loop"], stdout=self.stdout, stderr=self.stderr)

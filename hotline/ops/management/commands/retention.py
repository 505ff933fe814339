"""``hotline retention run [--dry-run]``: delete or anonymise what is past its period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hotline.ops.retention import KINDS, retention_run


class Command(BaseCommand):
    help = ("Delete or anonymise what is past its retention period (README, \"Retention\"); "
            "the tick does this once a day.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Run it now, and print the count of each kind.")
        run.add_argument("--dry-run", action="store_true",
                         help="Count what is due and change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        counts = retention_run(dry_run=dry_run)
        for kind in KINDS:
            days = kind.days()
            period = f"after {days} days" if days is not None else "when expired"
            verb = f"would be {kind.done}" if dry_run else kind.done
            self.stdout.write(f"{kind.name}: {counts[kind.name]} {verb} ({period})")
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")

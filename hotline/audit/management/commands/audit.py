from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.audit.services import audit_verify


class Command(BaseCommand):
    help = "Work with the audit log: `verify` checks the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Report the first broken link of the chain, if any.")

    def handle(self, *args: Any, **options: Any) -> None:
        checked, broken = audit_verify()
        if broken is None:
            self.stdout.write(f"Audit log intact: {checked} entries verified.")
            return
        where = f"entry {broken.entry_id}" if broken.entry_id else "the end of the log"
        raise CommandError(f"Audit log BROKEN at {where}: {broken.problem}. "
                           f"{checked} entries before it are intact.")

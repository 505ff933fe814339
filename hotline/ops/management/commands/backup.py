"""``hotline backup [FILE]``: a consistent backup of the database, keys and secrets left out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hotline.ops.backup import BackupError, backup, default_path


class Command(BaseCommand):
    help = ("Write a consistent backup of the database (mode 0600; default "
            "var/backups/hotline-DATE.sqlite3 or .dump). Keys and secrets are never in it: "
            "back them up apart (README, \"Backups\").")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="Where to write it (new file).")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"] or default_path(timezone.now())
        try:
            written = backup(path.resolve())
        except BackupError as e:
            raise CommandError(f"No backup written: {e}") from None
        size = written.stat().st_size
        self.stdout.write(f"Backup written to {written} ({size:,} bytes, mode 0600). Keys and "
                          "secrets are not in it: keep your copy of them apart.")

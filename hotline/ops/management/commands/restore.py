"""``hotline restore FILE``: replace the whole database by a backup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Replace the whole database by a backup written by `hotline backup`. Stop the "
            "product first; afterwards run `hotline migrate` and `hotline audit verify`.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="Do not ask for confirmation.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if options["interactive"]:
            answer = input(f"Every row of the database will be replaced by {path}. Stop the "
                           "product's processes first. Type 'yes' to continue: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing restored.")
        try:
            restore(path)
        except BackupError as e:
            raise CommandError(f"Nothing restored: {e}") from None
        self.stdout.write(f"Restored from {path}. Next: `hotline migrate` (if this version is "
                          "newer than the backup) and `hotline audit verify`.")

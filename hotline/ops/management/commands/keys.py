from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.lib.sealing import generate_keypair


class Command(BaseCommand):
    help = (
        "Manage the sealing key pair. The public key goes to every web server of the public "
        "side; the private key only to the staff side (see README, Keys)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="Write a new key pair (never overwrites).")
        gen.add_argument("--public", type=Path, default=settings.SEALING_PUBLIC_KEY_FILE)
        gen.add_argument("--private", type=Path, default=settings.SEALING_PRIVATE_KEY_FILE)
        gen.add_argument("--if-missing", action="store_true",
                         help="Do nothing when both files exist already.")

    def handle(self, *args: Any, **options: Any) -> None:
        public, private = options["public"], options["private"]
        if options["if_missing"] and public.exists() and private.exists():
            self.stdout.write(f"Sealing keys already present: {public}")
            return
        try:
            generate_keypair(public, private)
        except FileExistsError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(f"Public key (public web tier):  {public}")
        self.stdout.write(f"Private key (staff side only): {private}")

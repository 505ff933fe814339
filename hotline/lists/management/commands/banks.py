from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.audit.services import audit_record
from hotline.lists.models import HashBank
from hotline.lists.services import BankFileError, bank_export, bank_import


class Command(BaseCommand):
    help = "Hash banks: import a partner's list, export a bank (CSV or JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import hashes into a bank (created if new).")
        imp.add_argument("bank")
        imp.add_argument("file", type=Path)
        imp.add_argument("--source", default="")
        imp.add_argument("--licence", default="")
        exp = sub.add_parser("export", help="Print a bank's hashes.")
        exp.add_argument("bank")
        exp.add_argument("--format", choices=["csv", "json"], default="csv")
        sub.add_parser("list", help="List banks.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            for bank in HashBank.objects.order_by("name"):
                state = "enabled" if bank.enabled else "disabled"
                self.stdout.write(f"{bank.name}\t{bank.kind}\t{state}\t{bank.hashes.count()}")
            return
        if action == "export":
            found = HashBank.objects.filter(name=options["bank"]).first()
            if found is None:
                raise CommandError(f"no bank named {options['bank']!r}")
            audit_record(actor="command line", action="bank.export", obj=found)
            self.stdout.write(bank_export(found, options["format"]), ending="")
            return
        path: Path = options["file"]
        fmt = "json" if path.suffix.lower() == ".json" else "csv"
        try:
            data = path.read_bytes()
        except OSError as e:
            raise CommandError(f"{path} cannot be read: {e.strerror}") from None
        bank, _ = HashBank.objects.get_or_create(name=options["bank"], defaults={
            "source": options["source"], "licence": options["licence"]})
        try:
            count = bank_import(bank, data, fmt)
        except BankFileError as e:
            raise CommandError(f"Nothing was imported: {e}") from None
        audit_record(actor="command line", action="bank.import", obj=bank, count=count)
        self.stdout.write(f"{count} hashes imported into {bank.name}")

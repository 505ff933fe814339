from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.portals.importer import ImportError_, import_portals, load_file
from hotline.portals.models import Portal


class Command(BaseCommand):
    help = "Manage the portal network: import a reviewed YAML/JSON file, or list portals."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Create or update portals from a YAML/JSON file.")
        imp.add_argument("file", type=Path)
        imp.add_argument("--dry-run", action="store_true", help="Check the file, write nothing.")
        sub.add_parser("list", help="List portals.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for p in Portal.objects.all():
                flags = ("" if p.enabled else " [disabled]") + (" [demo]" if p.is_demo else "")
                self.stdout.write(f"{p.code}\t{p.name}\t{','.join(p.languages)}{flags}")
            return
        try:
            loaded = load_file(options["file"])
            result = import_portals(loaded.portals, dry_run=options["dry_run"],
                                    allow_draft_translations=loaded.allow_draft_translations)
        except ImportError_ as e:
            raise CommandError(f"Nothing was imported:\n{e}") from None
        verb = "would be" if options["dry_run"] else "were"
        self.stdout.write(f"{len(result.created)} portal(s) {verb} created: "
                          f"{', '.join(result.created) or '-'}")
        self.stdout.write(f"{len(result.updated)} portal(s) {verb} updated: "
                          f"{', '.join(result.updated) or '-'}")
        if result.unchanged:
            self.stdout.write(f"{len(result.unchanged)} portal(s) unchanged (the file says what "
                              f"the database holds): {', '.join(result.unchanged)}")

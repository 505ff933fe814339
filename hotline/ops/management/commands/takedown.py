"""``hotline takedown``: the takedown directory from a reviewed file, and the older name of
``hotline tick``.

``hotline takedown directory import FILE [--dry-run] [--if-empty]`` and ``… directory list``
work on the directory of partner hotlines and police contacts (hotline/takedown/directory.py;
`make run` loads hotline/takedown/demo/directory.yaml). ``hotline takedown tick [--loop
SECONDS]`` is kept so that existing deployments and scripts keep working: it runs every
periodic job, not only takedown's. Django lets one app only own a command's name, and this
one was here first, so the directory's subcommand lives here too, over the takedown app's
functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.takedown.directory import DirectoryError, directory_import, load_file
from hotline.takedown.models import PartnerHotline, Recipient


class Command(BaseCommand):
    help = "The takedown directory (import, list), and an alias of `hotline tick`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        tick = sub.add_parser("tick", help="Run every periodic job, once or every N seconds.")
        tick.add_argument("--loop", type=int, default=0, metavar="SECONDS")
        directory = sub.add_parser("directory", help="Partner hotlines and police contacts.")
        what = directory.add_subparsers(dest="directory_action", required=True)
        imp = what.add_parser("import", help="Create or update entries from a YAML/JSON file.")
        imp.add_argument("file", type=Path)
        imp.add_argument("--dry-run", action="store_true", help="Check the file, write nothing.")
        imp.add_argument("--if-empty", action="store_true",
                         help="Import only when the directory has no entry at all.")
        what.add_parser("list", help="List the directory.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "tick":
            call_command("tick", loop=options["loop"], stdout=self.stdout, stderr=self.stderr)
        elif options["directory_action"] == "list":
            self._list()
        else:
            self._import(options["file"], dry_run=options["dry_run"],
                         if_empty=options["if_empty"])

    def _list(self) -> None:
        for p in PartnerHotline.objects.all():
            flags = ("" if p.active else " [inactive]") + (" [demo]" if p.demo else "")
            self.stdout.write(f"{p.country}\t{p.name}\t{p.email}{flags}")
        for r in Recipient.objects.all():
            self.stdout.write(f"police\t{r.name}\t{r.email}{' [demo]' if r.demo else ''}")

    def _import(self, path: Path, *, dry_run: bool, if_empty: bool) -> None:
        try:
            result = directory_import(data=load_file(path), dry_run=dry_run, if_empty=if_empty)
        except DirectoryError as e:
            raise CommandError(f"Nothing was imported:\n{e}") from None
        if result.skipped:
            self.stdout.write("The takedown directory is not empty: left as it is.")
            return
        verb = "would be" if dry_run else "were"
        self.stdout.write(f"{len(result.partners)} partner hotline(s) {verb} imported: "
                          f"{', '.join(result.partners) or '-'}")
        self.stdout.write(f"{len(result.police)} police or international contact(s) {verb} "
                          f"imported: {', '.join(result.police) or '-'}")

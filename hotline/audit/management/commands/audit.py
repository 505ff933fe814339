from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hotline.audit.anchors import AnchorFileError, read_anchors
from hotline.audit.models import Break
from hotline.audit.services import (
    ChainBroken,
    audit_anchor,
    audit_anchor_mail,
    audit_checkpoint,
    audit_verify,
)


def _where(broken: Break) -> str:
    return f"entry {broken.entry_id}" if broken.entry_id else "the end of the log"


class Command(BaseCommand):
    help = ("Work with the audit log: `verify` checks the chain against the audit key and "
            "every anchor; `anchor` writes its head outside the database.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Report the first break of the chain, if any.")
        sub.add_parser("anchor", help="Append the verified head (count, hash, time) to "
                                      "AUDIT_ANCHOR_FILE and mail it to AUDIT_ANCHOR_EMAILS.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "anchor":
            self.anchor()
            return
        checked, broken = audit_verify()
        if broken is not None:
            raise CommandError(f"Audit log BROKEN at {_where(broken)}: {broken.problem}. "
                               f"{checked} entries before it are intact.")
        self.stdout.write(f"Audit log intact: {checked} entries verified.")
        self.stdout.write(f"Checked against AUDIT_KEY and {len(read_anchors())} anchors in "
                          f"{settings.AUDIT_ANCHOR_FILE}.")

    def anchor(self) -> None:
        now = timezone.now()
        audit_checkpoint(now=now)  # verify up to the head first: only that is anchored
        try:
            line = audit_anchor(now=now, force=True)
        except ChainBroken as e:
            raise CommandError(f"Audit log BROKEN at {_where(e.broken)}: {e.broken.problem}. "
                               "Nothing was anchored.") from None
        except (OSError, AnchorFileError) as e:
            raise CommandError(f"No anchor written to {settings.AUDIT_ANCHOR_FILE}: {e}") from None
        if line is None:
            self.stdout.write("The audit log is empty: nothing to anchor.")
            return
        self.stdout.write(f"Anchored in {settings.AUDIT_ANCHOR_FILE}: {line.strip()}")
        try:
            sent = audit_anchor_mail(line, now=now)
        except OSError as e:
            raise CommandError(f"The anchor was written but not mailed: {e}") from None
        if sent:
            self.stdout.write(f"Mailed to {', '.join(settings.AUDIT_ANCHOR_EMAILS)}.")

"""Anchors: the chain's head written outside the database, where a database writer cannot reach.

``AUDIT_ANCHOR_FILE`` is append-only: each anchor is one JSON line (time, entry count, the last
entry's id and hash) appended with O_APPEND under an exclusive lock, in a file created 0600 in a
directory created 0700. A copy elsewhere (another machine, the mail to ``AUDIT_ANCHOR_EMAILS``)
is what makes it evidence: ``hotline audit verify`` checks the chain against every line, so
entries rewritten or deleted after an anchor are found even when the rewriter also fixed the
head row.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from .models import Anchor, Position

KIND = "hotline audit anchor"
_HASH = re.compile(r"[0-9a-f]{64}")


class AnchorFileError(Exception):
    """The anchor file cannot be read as anchors: it was damaged or is not one."""


def anchor_line(position: Position, at: datetime) -> str:
    return json.dumps({"kind": KIND, "at": at.isoformat(timespec="seconds"),
                       "count": position.count, "last_id": position.last_id,
                       "head": position.head}, separators=(", ", ": ")) + "\n"


def read_anchors(path: Path | None = None) -> list[Anchor]:
    """Every anchor of the file (none when it does not exist yet); a line that is not an
    anchor raises AnchorFileError, since a damaged file could hide a rewritten history."""
    path = path or settings.AUDIT_ANCHOR_FILE
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    return [_parse(line, number, path) for number, line in enumerate(text.splitlines(), 1)]


def last_anchor(path: Path | None = None) -> Anchor | None:
    """The newest anchor, read from the end of the file only (the tick asks every minute)."""
    path = path or settings.AUDIT_ANCHOR_FILE
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 4096))
            tail = f.read().decode(errors="replace").splitlines()
    except FileNotFoundError:
        return None
    return _parse(tail[-1], 0, path) if tail else None


def _parse(line: str, number: int, path: Path) -> Anchor:
    where = f"line {number} of {path}" if number else f"the last line of {path}"
    try:
        data = json.loads(line)
        ok = (isinstance(data, dict) and data.get("kind") == KIND
              and isinstance(data.get("count"), int) and data["count"] >= 0
              and isinstance(data.get("last_id"), int)
              and isinstance(data.get("head"), str) and _HASH.fullmatch(data["head"])
              and isinstance(data.get("at"), str))
    except ValueError:
        ok = False
    if not ok:
        raise AnchorFileError(f"{where} is not an audit anchor: the anchor file was damaged")
    return Anchor(data["at"], data["count"], data["last_id"], data["head"], f"the anchor of "
                  f"{where}")


@contextmanager
def locked_for_append(path: Path | None = None) -> Iterator[int]:
    """The anchor file opened for appending only, under an exclusive lock (several ticks may
    run on one machine). Its directory is created 0700 and the file 0600 when missing."""
    path = path or settings.AUDIT_ANCHOR_FILE
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # releases the lock


def append(fd: int, line: str) -> None:
    """One write of the whole line (O_APPEND puts it at the end whoever else appends), then
    fsync: an anchor that is not on disk protects nothing."""
    os.write(fd, line.encode())
    os.fsync(fd)


def mail_anchor(line: str, anchor_at: datetime) -> int:
    """Send the anchor line to the configured auditors; how many were sent (0 or 1)."""
    if not settings.AUDIT_ANCHOR_EMAILS:
        return 0
    subject = _("Audit log anchor of %(date)s") % {"date": anchor_at.date().isoformat()}
    body = _("The audit log of %(hub)s had the entries and last hash below at this time. "
             "Keep this message: \"hotline audit verify\" finds any history rewritten before "
             "it when given this line in its anchor file.") % {"hub": settings.HUB_NAME}
    return send_mail(subject, f"{body}\n\n{line}", None, settings.AUDIT_ANCHOR_EMAILS)

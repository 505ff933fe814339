"""Log lines without secrets that travel in addresses.

The one-time set-up link of a new staff account (``/staff/setup/<uid>/<token>/``) lets whoever
holds it choose that person's password until it is used. Its path reaches the web server's
access log and Django's request log (a refused password is a 400, logged with the path while
the link still works), so both pass their records through :class:`RedactSecrets`.
"""

from __future__ import annotations

import logging
import re

# The address of accounts.views.setup (hotline/accounts/urls.py): keep the two in step.
SETUP_LINK = re.compile(r"(/staff/setup/)[^\s\"'?#]+")
REDACTED = r"\1[redacted]/"


def redact(text: str) -> str:
    return SETUP_LINK.sub(REDACTED, text)


class RedactSecrets(logging.Filter):
    """Rewrites a record's message with set-up links removed; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True

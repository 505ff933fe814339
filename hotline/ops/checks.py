"""Deployment checks (`hotline check --deploy`): the product's files are its user's alone.

Settings tighten what the product's own user owns at every start; a file owned by someone else
(a directory made by root, a key copied in by hand) cannot be tightened, so it is named here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


def private_paths() -> list[Path]:
    """var/, the SQLite database with the files beside it, and the sealing private key."""
    paths = [Path(settings.VAR_DIR), Path(settings.SEALING_PRIVATE_KEY_FILE)]
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        paths += [Path(f"{database['NAME']}{suffix}") for suffix in ("", "-wal", "-shm")]
    return paths


@register(Tags.security, deploy=True)
def check_private_files(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    for path in private_paths():
        if path.exists() and path.stat().st_mode & 0o077:
            found.append(Warning(
                f"{path} can be read or changed by other users of this machine "
                f"(mode {path.stat().st_mode & 0o777:o}).",
                hint="Give it to the user that runs hotline, mode 700 for a directory and "
                     "600 for a file (README, Running at scale).",
                id="hotline.W001"))
    return found

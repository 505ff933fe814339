"""Backups of the database, and restoring one (``hotline backup``, ``hotline restore``).

SQLite: the online backup API copies a consistent state page by page while the product keeps
running. PostgreSQL: ``pg_dump -Fc`` (one consistent snapshot), restored by ``pg_restore``.

A backup holds the database only. The keys and secrets under var/ (the sealing key pair, the
audit key, the receipt pepper, the TOTP seed key, SECRET_KEY...) are never in it: whoever has
a backup alone can read no sealed text and forge no audit entry. README ("Backups") says how to
keep those apart. Staff sign-in sessions are left out too (a copy of them would be a way in);
everyone signs in again after a restore.

A backup file is created with mode 0600 and written under a temporary name first, so a backup
that fails half-way leaves no file that looks complete.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

# Tables whose rows stay out of a backup (their structure is kept).
LEFT_OUT = ["django_session"]
POSTGRES_MAJOR_NEEDED = "scripts/system-packages pg_dump=postgresql-client"


class BackupError(Exception):
    pass


def default_path(now: datetime) -> Path:
    suffix = "sqlite3" if connection.vendor == "sqlite" else "dump"
    return Path(settings.VAR_DIR) / "backups" / f"hotline-{now:%Y%m%d-%H%M%S}.{suffix}"


@contextmanager
def _private_file(path: Path) -> Iterator[Path]:
    """A new file beside path with mode 0600, renamed to path once the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists():
        raise BackupError(f"{path} exists already: choose another name")
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        yield partial
        os.chmod(partial, 0o600)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def backup(path: Path) -> Path:
    """Write a consistent backup of the database to path (mode 0600)."""
    with _private_file(path) as partial:
        if connection.vendor == "sqlite":
            _sqlite_backup(partial)
        elif connection.vendor == "postgresql":
            _pg_dump(partial)
        else:
            raise BackupError(f"no backup for a {connection.vendor} database")
    return path


def restore(path: Path) -> None:
    """Replace the whole database by the backup at path."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    if connection.vendor == "sqlite":
        _sqlite_restore(path)
    elif connection.vendor == "postgresql":
        _pg_restore(path)
    else:
        raise BackupError(f"no restore for a {connection.vendor} database")


# --- SQLite ---------------------------------------------------------------------------------

def _sqlite() -> sqlite3.Connection:
    connection.ensure_connection()
    raw: sqlite3.Connection = connection.connection  # type: ignore[assignment]
    return raw


def _sqlite_backup(target: Path) -> None:
    out = sqlite3.connect(target)
    try:
        _sqlite().backup(out)
        for table in LEFT_OUT:
            out.execute(f'DELETE FROM "{table}"')  # noqa: S608 (a constant of this module)
        out.commit()
        out.execute("VACUUM")  # the deleted rows' pages are wiped, not just unlinked
    finally:
        out.close()


def _sqlite_restore(path: Path) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        try:
            found = source.execute("SELECT count(*) FROM django_migrations").fetchone()
        except sqlite3.DatabaseError as e:
            raise BackupError(f"{path} is not a backup of this product's database: {e}") from None
        if not found or not found[0]:
            raise BackupError(f"{path} is not a backup of this product's database")
        source.backup(_sqlite())
    finally:
        source.close()


# --- PostgreSQL -----------------------------------------------------------------------------

def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = {**os.environ, "PGHOST": str(db.get("HOST") or ""), "PGPORT": str(db.get("PORT") or ""),
           "PGUSER": str(db.get("USER") or ""), "PGDATABASE": str(db["NAME"])}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return {k: v for k, v in env.items() if v != "" or not k.startswith("PG")}


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is missing: install PostgreSQL's client programs "
                          f"({POSTGRES_MAJOR_NEEDED})")
    return found


def _major(text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", text)
    if match is None:
        raise BackupError(f"cannot read a PostgreSQL version from {text!r}")
    return int(match.group(1))


def _check_versions(tool: str) -> None:
    """pg_dump must be at least the server's major version (an older one cannot read the
    newer server's catalogs); say so plainly instead of leaving it to pg_dump."""
    version = subprocess.run([tool, "--version"], capture_output=True, text=True,
                             check=True).stdout  # "pg_dump (PostgreSQL) 15.20 (Debian ...)"
    client = _major(version.split("(PostgreSQL)")[-1])
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = _major(cursor.fetchone()[0])
    if client < server:
        raise BackupError(f"{Path(tool).name} {client} is older than the PostgreSQL server "
                          f"({server}): install the client programs of version {server}")


def _run(args: list[str]) -> None:
    done = subprocess.run(args, env=_pg_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _pg_dump(target: Path) -> None:
    tool = _tool("pg_dump")
    _check_versions(tool)
    args: list[Any] = [tool, "--format=custom", "--no-owner", "--no-privileges",
                       f"--file={target}"]
    args += [f"--exclude-table-data={table}" for table in LEFT_OUT]
    _run([str(a) for a in args])


def _pg_restore(path: Path) -> None:
    tool = _tool("pg_restore")
    _check_versions(tool)
    listed = subprocess.run([tool, "--list", str(path)], capture_output=True, text=True)
    if listed.returncode != 0 or "django_migrations" not in listed.stdout:
        raise BackupError(f"{path} is not a backup of this product's database")
    connection.close()  # pg_restore replaces the tables this connection may hold locks on
    _run([tool, "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", f"--dbname={connection.settings_dict['NAME']}",
          str(path)])

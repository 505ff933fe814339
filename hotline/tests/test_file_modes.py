"""The product keeps its data to its own user: var/ is 0700, the SQLite database and the -wal
and -shm files SQLite makes beside it are 0600, whatever the umask of the shell that started
it, and files an earlier version left readable are tightened at the next start."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.test import override_settings

from hotline.ops.checks import check_private_files

ROOT = Path(__file__).resolve().parents[2]
DEMO_NETWORK = ROOT / "hotline" / "portals" / "demo" / "network.yaml"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def hotline(var: Path, *args: str) -> None:
    """Run a product command as `make run` does, from a shell with the usual umask 022."""
    skip = ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update({"DJANGO_SETTINGS_MODULE": "hotline.settings", "HOTLINE_VAR_DIR": str(var),
                "HOTLINE_GENERATE_SECRETS": "1"})
    result = subprocess.run([sys.executable, "-m", "hotline.cli", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300, umask=0o022)
    assert result.returncode == 0, result.stdout + result.stderr


@contextmanager
def held_open(database: Path) -> Iterator[None]:
    """Another connection keeps the database open (as a second process does while the web
    side runs), so that SQLite's -wal and -shm files stay while the product works."""
    old = os.umask(0o022)
    try:
        connection = sqlite3.connect(database)
        connection.execute("SELECT count(*) FROM django_migrations").fetchall()
    finally:
        os.umask(old)
    try:
        yield
    finally:
        connection.close()


def test_the_data_directory_and_database_are_private(tmp_path: Path) -> None:
    var = tmp_path / "var"
    hotline(var, "migrate", "--noinput", "-v0")
    database = var / "hotline.sqlite3"
    assert mode(var) == 0o700
    assert mode(database) == 0o600
    assert {p.name: mode(p) for p in (var / "secrets").iterdir()} == {
        p.name: 0o600 for p in (var / "secrets").iterdir()}
    with held_open(database):
        hotline(var, "portals", "import", str(DEMO_NETWORK))
        for name in ("hotline.sqlite3-wal", "hotline.sqlite3-shm"):
            assert mode(var / name) == 0o600, name


def test_files_an_earlier_version_left_readable_are_tightened(tmp_path: Path) -> None:
    var = tmp_path / "var"
    hotline(var, "migrate", "--noinput", "-v0")
    database = var / "hotline.sqlite3"
    var.chmod(0o755)
    database.chmod(0o644)
    with held_open(database):
        # SQLite gives -wal and -shm the database's own mode: readable by everyone here.
        assert mode(var / "hotline.sqlite3-wal") == 0o644
        hotline(var, "portals", "list")
        assert mode(var) == 0o700
        for path in (database, var / "hotline.sqlite3-wal", var / "hotline.sqlite3-shm"):
            assert mode(path) == 0o600, path.name


def test_check_deploy_names_files_others_can_read(tmp_path: Path) -> None:
    # A directory and a key owned by someone else cannot be tightened by the product: the
    # deployment check names them instead.
    key = tmp_path / "sealing.key"
    key.write_text("not a real key")
    key.chmod(0o644)
    tmp_path.chmod(0o755)
    with override_settings(VAR_DIR=tmp_path, SEALING_PRIVATE_KEY_FILE=key):
        found = {message.msg.split(" ")[0]: message.id for message in check_private_files()}
        assert found == {str(tmp_path): "hotline.W001", str(key): "hotline.W001"}
        tmp_path.chmod(0o700)
        key.chmod(0o600)
        assert check_private_files() == []

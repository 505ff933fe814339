"""The product's real processes for tests and benchmarks: gunicorn, workers, the tick loop.

Started as ``hotline serve`` starts them (same interpreter, same ``gunicorn_conf.py``), with
an environment that points them at the database and ``var/`` directory of the caller.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONF = ROOT / "hotline" / "gunicorn_conf.py"


def postgres_url(db: Mapping[str, Any]) -> str:
    """DATABASE_URL of a Django PostgreSQL connection's settings."""
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(database_url: str = "", **extra: str) -> dict[str, str]:
    """The environment of a process sharing this test run's var/ directory (keys, secrets)
    and its database, or the one at database_url."""
    from django.conf import settings
    from django.db import connection

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update({
        "DJANGO_SETTINGS_MODULE": "hotline.testing.settings",
        "DATABASE_URL": database_url or postgres_url(connection.settings_dict),
        "HOTLINE_VAR_DIR": str(settings.VAR_DIR),
    })
    env.update(extra)
    return env


def hotline(*args: str, env: Mapping[str, str], log: IO[Any] | int = subprocess.DEVNULL
            ) -> subprocess.Popen[bytes]:
    """Start ``hotline ARGS...`` (as ``hotline serve`` starts its worker and tick loop)."""
    return subprocess.Popen([sys.executable, "-m", "hotline.cli", *args], cwd=ROOT, env=dict(env),
                            stdout=log, stderr=subprocess.STDOUT)


def gunicorn(port: int, *, env: Mapping[str, str], log: IO[Any] | int = subprocess.DEVNULL
             ) -> subprocess.Popen[bytes]:
    """Start the web tier on 127.0.0.1:port with the project's gunicorn_conf.py."""
    return subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF),
                             "-b", f"127.0.0.1:{port}"], cwd=ROOT, env=dict(env),
                            stdout=log, stderr=subprocess.STDOUT)


def children(pid: int) -> list[int]:
    """Process ids of the direct children of pid (Linux /proc), e.g. gunicorn's workers."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return sorted(set(found))


def wait_until_serving(url: str, *, timeout: float = 60.0,
                       process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll url until it answers below 500 (or raise TimeoutError)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def stop(processes: Iterable[subprocess.Popen[bytes]], timeout: float = 20.0) -> None:
    """SIGTERM each running process, then SIGKILL what is left after timeout."""
    processes = list(processes)
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for p in processes:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)


def product_settings(env: Mapping[str, str], *names: str) -> dict[str, str]:
    """What settings.py makes of env: the named settings (as text) in a fresh process with
    the production settings module, this environment on top of the caller's."""
    skip = ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in skip}
    code = ("import json; from django.conf import settings as s; "
            f"print(json.dumps({{n: str(getattr(s, n)) for n in {list(names)!r}}}))")
    result = subprocess.run([sys.executable, "-m", "hotline.cli", "shell", "-c", code],
                            cwd=ROOT, env={**base, "DJANGO_SETTINGS_MODULE": "hotline.settings",
                                           **env},
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"settings.py refused {dict(env)}: {result.stderr[-2000:]}")
    values: dict[str, str] = json.loads(result.stdout.strip().splitlines()[-1])
    return values

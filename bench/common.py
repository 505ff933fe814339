"""What the benchmark scripts share: the machine line, BENCHMARKS.md sections, percentiles,
throwaway PostgreSQL databases and helpers for servers started on loopback.

Every script writes one block between ``<!-- marker -->`` and ``<!-- /marker -->`` inside its
own ``## ...`` section of BENCHMARKS.md; a re-run with the same marker replaces its block and
leaves every other block alone.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PG_BASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# Databases that belong to people, not to a benchmark: never created, touched or dropped.
_PROTECTED = re.compile(r"^(test|test_.*|postgres|template\d*)$")


# --- the machine ----------------------------------------------------------------------------

def cpu_model() -> str:
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown CPU"


def ram_gib() -> float:
    with open("/proc/meminfo") as f:
        match = re.search(r"MemTotal:\s+(\d+)", f.read())
    return int(match.group(1)) / 1024**2 if match else 0.0


def cores() -> int:
    return len(os.sched_getaffinity(0))


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def machine() -> dict[str, str]:
    """Cores, CPU model, RAM and Python version, for a script to add its own versions to."""
    return {"nproc": str(cores()), "cpu": cpu_model(), "ram": f"{ram_gib():.1f} GiB",
            "python": platform.python_version()}


def machine_line(*versions: str) -> str:
    """``2 cores, CPU, 23.5 GiB RAM; Python 3.11.7, Django 5.2, ...; load average a b c``."""
    m = machine()
    listed = "".join(f", {v}" for v in versions)
    return (f"{m['nproc']} cores, {m['cpu']}, {m['ram']} RAM; Python {m['python']}{listed}; "
            f"load average {loadavg()}")


def code_version() -> str:
    """The commit measured, and whether hotline/ had uncommitted changes then."""
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                         capture_output=True, text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "hotline"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return f"commit `{rev}`" + (" plus uncommitted changes under `hotline/`" if dirty else "")


def utc_stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def django_version() -> str:
    import django

    return f"Django {django.get_version()}"


def sqlite_version() -> str:
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def postgres_version(url: str) -> str:
    """``PostgreSQL 15.20`` (the server's, asked over the connection)."""
    import psycopg

    with psycopg.connect(_libpq(url)) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return f"PostgreSQL {row[0].split()[0] if row else '?'}"


# --- BENCHMARKS.md --------------------------------------------------------------------------

def write_markdown(path: Path, block: str, marker: str, *, title: str, intro: str,
                   refresh_intro: str | None = None) -> None:
    """Put block (which starts with ``<!-- marker -->``) into the section headed by title.

    The section is created with intro (which starts with title) when missing. A block with the
    same marker is replaced; a new one goes at the end of the section. With refresh_intro
    (a marker prefix such as ``pdq_match``), the text between the title and the first block
    whose marker starts with it is replaced by intro, so the introduction stays current.
    """
    if path.exists():
        text = path.read_text()
    else:  # someone has the file open elsewhere: start from the committed one
        text = subprocess.run(["git", "show", "HEAD:BENCHMARKS.md"], cwd=ROOT,
                              capture_output=True, text=True).stdout or "# Benchmarks\n"
    if title not in text:
        text = text.rstrip("\n") + "\n\n" + intro
    elif refresh_intro is not None:
        start = text.index(title)
        first = text.find(f"<!-- {refresh_intro} ", start)
        nxt = text.find("\n## ", start + len(title))
        stop = first if first >= 0 and (nxt < 0 or first < nxt) else (len(text) if nxt < 0
                                                                       else nxt + 1)
        text = text[:start] + intro.rstrip("\n") + "\n\n" + text[stop:]
    pattern = re.compile(rf"<!-- {re.escape(marker)} -->.*?<!-- /{re.escape(marker)} -->",
                         re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        start = text.index(title)
        nxt = text.find("\n## ", start + len(title))
        end = len(text) if nxt < 0 else nxt
        text = text[:end].rstrip("\n") + "\n\n" + block + "\n" + text[end:]
    path.write_text(text.rstrip("\n") + "\n")


# --- figures --------------------------------------------------------------------------------

def publish(block: str, marker: str, *, markdown: Path, write: bool, title: str,
            intro: str) -> None:
    """Print the block and, unless told not to, put it into BENCHMARKS.md."""
    print()
    print(block)
    if write:
        write_markdown(markdown, block, marker, title=title, intro=intro)
        print(f"\nwrote {markdown}")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linearly interpolated like numpy's default."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def ratio(a: float, b: float) -> str:
    return f"{a / b:,.2f}×" if b else "—"


# --- throwaway PostgreSQL databases ---------------------------------------------------------

def _libpq(url: str) -> str:
    """psycopg wants postgresql:// or a plain conninfo; postgres:// works too, but be exact."""
    return url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") \
        else url


def pg_url(name: str, base: str = PG_BASE_URL) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _refuse_protected(name: str) -> None:
    """A benchmark never creates, touches or drops the databases of people."""
    if _PROTECTED.match(name) or not re.fullmatch(r"[a-z][a-z0-9_]{2,62}", name):
        raise ValueError(f"refusing to use database {name!r} for a benchmark")


def kept_postgres(name: str, base: str = PG_BASE_URL) -> str:
    """The URL of database name, created if missing and never dropped: for a benchmark that
    seeds once and is run again (drop it by hand when done)."""
    import psycopg
    from psycopg import sql

    _refuse_protected(name)
    with psycopg.connect(_libpq(base), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return pg_url(name, base)


@contextmanager
def throwaway_postgres(name: str, base: str = PG_BASE_URL, *, keep: bool = False
                       ) -> Iterator[str]:
    """Create database name (dropping a leftover of an earlier run of the same benchmark),
    yield its URL, and drop it afterwards unless keep. Refuses the databases of people
    (``test``, ``test_*``, ``postgres``, templates)."""
    import psycopg
    from psycopg import sql

    _refuse_protected(name)
    admin = _libpq(base)

    def run(statement: sql.Composable) -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(statement)

    ident = sql.Identifier(name)
    run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
    run(sql.SQL("CREATE DATABASE {}").format(ident))
    try:
        yield pg_url(name, base)
    finally:
        if not keep:
            run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))


# --- servers on loopback --------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 60.0, proc: subprocess.Popen[bytes] | None = None
              ) -> None:
    """Wait until url answers anything at all (the server is up), or raise."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode} before serving")
        try:
            httpx.get(url, timeout=2.0)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def stop(proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """Terminate one process this script started (and wait for it)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def hotline_env(**overrides: str) -> dict[str, str]:
    """The environment of a hotline command started by a benchmark."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",
                                                             "DJANGO_SETTINGS_MODULE")}
    env.update({"PYTHONPATH": str(ROOT), "STATIC_MANIFEST": "0", "DEBUG": "0",
                "PYTHONDONTWRITEBYTECODE": "1"})
    env.update(overrides)
    return env


def hotline(args: Sequence[str], env: dict[str, str], *, quiet: bool = True
            ) -> subprocess.CompletedProcess[str]:
    """Run ``hotline ARGS`` (Django's manage.py plus the product's commands) to completion."""
    import sys

    proc = subprocess.run([sys.executable, "-m", "hotline.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"hotline {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    if not quiet:
        print(proc.stdout, end="")
    return proc

"""A running ``hotline worker`` records a heartbeat, keeps it fresh, and removes it when it
stops; a batch run records one."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update({"DJANGO_SETTINGS_MODULE": "hotline.testing.settings",
                "HOTLINE_VAR_DIR": str(tmp_path),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                "WORKER_HEARTBEAT_SECONDS": "1"})
    return env


def _beats(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db, timeout=20) as conn:
        return conn.execute(
            "SELECT worker_id, queue, seen_at FROM ops_workerheartbeat").fetchall()


def test_a_worker_beats_while_it_runs_and_forgets_itself_when_stopped(tmp_path: Path) -> None:
    env = _env(tmp_path)
    db = tmp_path / "db.sqlite3"
    hotline = [sys.executable, "-m", "hotline.cli"]
    subprocess.run([*hotline, "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=180)
    worker = subprocess.Popen([*hotline, "worker", "--queue", "capture", "--no-startup-delay",
                               "--worker-id", "heart1"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        seen: set[str] = set()
        deadline = time.monotonic() + 60
        while len(seen) < 3 and time.monotonic() < deadline:
            for worker_id, queue, seen_at in _beats(db):
                assert (worker_id, queue) == ("heart1", "capture")
                seen.add(seen_at)
            time.sleep(0.2)
        assert len(seen) >= 3, f"the heartbeat was not renewed: {seen}"
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert _beats(db) == []

    subprocess.run([*hotline, "worker", "--batch", "--no-startup-delay", "--worker-id",
                    "batch1"], env=env, cwd=ROOT, check=True, timeout=120,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert [(w, q) for w, q, _seen in _beats(db)] == [("batch1", "default")]

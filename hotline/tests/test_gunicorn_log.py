"""The production web server's own logs: no client address, user agent or referrer, no
one-time set-up link, and no line for health checks or metric scrapes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gunicorn_logs_no_client_details(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update({
        "DJANGO_SETTINGS_MODULE": "hotline.testing.settings",
        "HOTLINE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TRUSTED_PROXY_COUNT": "1",
    })
    hotline = [sys.executable, "-m", "hotline.cli"]
    subprocess.run([*hotline, "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=120)
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "hotline" / "gunicorn_conf.py"),
             "-b", f"127.0.0.1:{port}"], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        headers = {"User-Agent": "DistinctiveAgent-zq7x", "Referer": "https://zq7x.example.test/",
                   "X-Forwarded-For": "203.0.113.77"}
        for _ in range(100):
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers=headers)
                with urllib.request.urlopen(request, timeout=5) as response:
                    assert response.status == 200
                break
            except OSError:
                time.sleep(0.1)
        # The last one has the shape of a one-time set-up link: its token must not be logged.
        for path in ["/nowhere/en/", "/gm/en/", "/staff/setup/MQ/c8x-zq7x0token0secret/"]:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
            try:
                urllib.request.urlopen(request, timeout=5)
            except urllib.error.HTTPError as e:
                assert e.code == 404
        # Health checks and scrapes are answered but never logged.
        for path in ["/healthz", "/readyz", "/metrics"]:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    assert response.status == 200
            except urllib.error.HTTPError as e:
                assert e.code in (404, 503)  # /metrics refuses this client; /readyz: no worker
    finally:
        server.terminate()
        server.wait(timeout=20)
    text = log.read_text()
    assert '"GET / HTTP/1.1" 200' in text  # the access log is on
    assert '"GET /staff/setup/[redacted]/ HTTP/1.1" 404' in text
    for path in ["/healthz", "/readyz", "/metrics"]:
        assert f"GET {path} " not in text, text
    for marker in ["127.0.0.1 -", "203.0.113.77", "DistinctiveAgent", "zq7x"]:
        assert marker not in text, text

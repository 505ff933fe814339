"""``hotline serve``: the web server (gunicorn), a background worker for each queue (default
and capture) and the tick, together.

Used by ``make run``. At scale, run gunicorn and ``hotline worker`` as separate services
instead (README, "Running at scale").
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from hotline.portals.models import Portal
from hotline.takedown.checks import notices_only_written_to_files


def where_notices_go() -> str:
    """One line for the summary: a developer must know that notices stay on the machine."""
    if notices_only_written_to_files():
        return (f"written as files to {settings.EMAIL_FILE_PATH}/, never sent "
                f"(set EMAIL_HOST to send them)")
    return f"sent by e-mail through {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"


class Command(BaseCommand):
    help = "Serve the web side and run one background worker until interrupted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.SERVE_HOST)
        parser.add_argument("--port", type=int, default=settings.PORT)

    def handle(self, *args: Any, **options: Any) -> None:
        base = f"http://{options['host']}:{options['port']}"
        conf = Path(__file__).resolve().parents[3] / "gunicorn_conf.py"
        processes = [
            subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(conf),
                              "-b", f"{options['host']}:{options['port']}"]),
            subprocess.Popen([sys.executable, "-m", "hotline.cli", "worker"]),
            # Captures on their own queue and worker: a slow site never delays intake.
            subprocess.Popen([sys.executable, "-m", "hotline.cli", "worker", "--queue",
                              "capture"]),
            # Every periodic job (hotline/ops/tick.py), every TICK_SECONDS (60).
            subprocess.Popen([sys.executable, "-m", "hotline.cli", "tick",
                              "--loop", str(settings.TICK_SECONDS)]),
        ]
        self.stdout.write(f"\nPortal network:  {base}/")
        for portal in Portal.objects.filter(enabled=True):
            self.stdout.write(f"  {portal.name:<20} {base}/{portal.code}/")
        self.stdout.write(f"Staff side:      {base}/staff/")
        self.stdout.write("  no accounts exist by default: .venv/bin/hotline createadmin EMAIL "
                          "prints a one-time set-up link")
        self.stdout.write(f"Notices:         {where_notices_go()}")
        self.stdout.write("Press Ctrl-C to stop.\n")

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for p in processes:
                if p.poll() is None:
                    p.terminate()
            for p in processes:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
        failed = [p.args for p in processes if p.returncode not in (0, -signal.SIGTERM, None)]
        if failed:
            sys.exit(1)

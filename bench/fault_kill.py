"""Fault test: 10,000 public reports while web and background workers are SIGKILLed at random.

Creates a throwaway PostgreSQL database (``fault_kill`` by default; never ``test``,
``postgres``, ``template*`` or ``test_*``) on 127.0.0.1, migrates it, imports the demo portals
and makes the sealing keys in a temporary HOTLINE_VAR_DIR. Then runs gunicorn with the
project's ``hotline/gunicorn_conf.py`` (as ``hotline serve`` does) with several workers, two
``hotline worker`` and the ``hotline takedown tick`` loop (which runs the recovery sweep), sends
the reports from several client threads, and meanwhile SIGKILLs a random gunicorn worker (its
master starts another) or a random ``hotline worker`` (started again at once) every few
seconds. After the load it waits until everything is taken in, runs the recovery sweep once
more and checks, against the receipts the clients were shown (found again through their
Argon2id hash): every acknowledged report stored exactly once with the addresses sent, no
report without addresses, every intake finished and every address linked to the case of its
URL, no task left waiting or running. Drops the database and writes a section to
BENCHMARKS.md (between ``<!-- fault-kill -->`` and ``<!-- /fault-kill -->``).

Cost settings for the run: receipts are hashed with Argon2id at time cost 1 and 8 MiB
(production: 3 and 64 MiB), the report rate limit is lifted, and the recovery limits are short
(a task running for 20 s is presumed orphaned; intake is queued again 10 s after arrival) so
that the drain takes seconds, not the production's ten minutes.

    .venv/bin/python bench/fault_kill.py              # about 10 minutes on 2 cores
    .venv/bin/python bench/fault_kill.py --reports 500 --no-write
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (
    ROOT,
    django_version,
    machine_line,
    publish,
    throwaway_postgres,
)

MARKER = "fault-kill"
SECTION_TITLE = "## Fault test: processes killed during submissions"
INTRO = f"""{SECTION_TITLE}

`bench/fault_kill.py` sends public reports to gunicorn (several workers), two `hotline worker`
and the tick loop on a throwaway PostgreSQL database, while SIGKILLing a random web or
background worker every few seconds, then checks every acknowledged receipt against the
database (the parts are in `hotline/testing/faultkill.py`; the suite runs a 300-report version,
`hotline/intake/tests/test_fault_kill.py`). Problems must all be 0.
"""
def prepare(env: dict[str, str]) -> None:
    def hotline(*args: str) -> None:
        subprocess.run([sys.executable, "-m", "hotline.cli", *args], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)

    hotline("migrate", "--noinput", "-v0")
    hotline("portals", "import", "hotline/portals/demo/network.yaml")
    hotline("keys", "generate", "--if-missing")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--web-workers", type=int, default=3)
    ap.add_argument("--web-threads", type=int, default=4)
    ap.add_argument("--task-workers", type=int, default=2)
    ap.add_argument("--kill-every", type=float, nargs=2, default=(2.0, 6.0),
                    metavar=("MIN", "MAX"), help="seconds between kills, uniformly drawn")
    ap.add_argument("--database", default="fault_kill")
    ap.add_argument("--port", type=int, default=0, help="web port (default: a free one)")
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--drain-timeout", type=float, default=900)
    ap.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument("--no-write", action="store_true", help="print only, leave BENCHMARKS.md")
    args = ap.parse_args()
    started = time.monotonic()
    load_before = os.getloadavg()

    var_dir = Path(tempfile.mkdtemp(prefix="fault-kill-"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update({
        "DJANGO_SETTINGS_MODULE": "hotline.settings",
        "HOTLINE_VAR_DIR": str(var_dir), "STATIC_MANIFEST": "0",
        "SECRET_KEY": secrets.token_urlsafe(48), "RECEIPT_PEPPER": secrets.token_urlsafe(48),
        "RECEIPT_ARGON2_TIME_COST": "1", "RECEIPT_ARGON2_MEMORY_KIB": "8192",
        "REPORT_RATE_LIMIT": "1000000000", "CAPTURE_NEW_CASES": "0",
        "WEB_CONCURRENCY": str(args.web_workers), "WEB_THREADS": str(args.web_threads),
        "TASK_RUNNING_LIMIT_SECONDS": "20", "INTAKE_RETRY_AFTER_SECONDS": "10",
        "DATABASE_CONN_MAX_AGE": "60", "LOG_LEVEL": "WARNING",
    })
    with ExitStack() as stack:
        try:  # created here, dropped when the block ends; people's databases are refused
            env["DATABASE_URL"] = stack.enter_context(throwaway_postgres(args.database))
        except ValueError as e:
            ap.error(str(e))
        try:
            prepare(env)
            os.environ.update(env)
            sys.path.insert(0, str(ROOT))
            import django

            django.setup()
            from django.db import connection

            from hotline.ops.recovery import recovery_sweep
            from hotline.testing.faultkill import (
                PROBLEMS,
                Fleet,
                chaos,
                send_reports,
                verify,
                wait_drained,
            )
            from hotline.testing.geoip import unused_port

            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                pg_version = f"PostgreSQL {cursor.fetchone()[0]}"
            fleet = Fleet(env, args.port or unused_port(), task_workers=args.task_workers,
                          tick_seconds=5, log_dir=var_dir)
            stop = threading.Event()
            killer = threading.Thread(target=chaos, args=(fleet, stop), daemon=True,
                                      kwargs={"seed": args.seed, "every": tuple(args.kill_every)})
            try:
                fleet.start()
                killer.start()
                def progress(n: int) -> None:
                    print(f"  {n} sent, kills {dict(fleet.kills)}", flush=True)

                load = send_reports(fleet.base, args.reports, clients=args.clients,
                                    seed=args.seed, progress=progress)
                stop.set()
                killer.join()
                fleet.check_alive()
                print(f"load done in {load.seconds:.0f} s; draining", flush=True)
                drain = wait_drained(timeout=args.drain_timeout)
            finally:
                stop.set()
                fleet.stop()
            sweep = recovery_sweep()
            figures = verify(load)
        finally:
            if "django" in sys.modules:
                from django.db import connections

                connections.close_all()
    total = time.monotonic() - started
    tick_log = (var_dir / "tick.log").read_text(errors="replace")
    swept = {name: sum(int(n) for n in re.findall(rf"{name}=(\d+)", tick_log))
             for name in ("tasks_failed", "intake_requeued")}
    problems = {k: figures[k] for k in PROBLEMS}
    ok = not any(problems.values())

    print(f"outcomes {dict(load.outcomes)}; kills {dict(fleet.kills)}; drain {drain:.1f} s; "
          f"sweeps during the run {swept}; final sweep {sweep}")
    for name, value in figures.items():
        print(f"  {name:32} {value:>8,}")
    print("OK: no problems" if ok else f"PROBLEMS: {problems}")

    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    outcomes = ", ".join(f"{k}: {v:,}" for k, v in sorted(load.outcomes.items()))
    rows = "\n".join(f"| {name.replace('_', ' ')} | {value:,} |"
                     for name, value in figures.items() if name not in PROBLEMS)
    checks = "\n".join(f"| {name.replace('_', ' ')} | {value:,} |"
                       for name, value in problems.items())
    command = " ".join(["bench/fault_kill.py", *sys.argv[1:]])
    every = f"{args.kill_every[0]:g}–{args.kill_every[1]:g}"
    rate = len(load.acknowledged) / load.seconds
    block = f"""<!-- {MARKER} -->
### {args.reports:,} reports, {args.clients} clients, a kill every {every} s ({now})

Command: `.venv/bin/python {command}`
(total wall time {total:.0f} s; the database is created and dropped by the script).
gunicorn {args.web_workers} workers × {args.web_threads} threads, {args.task_workers}
`hotline worker`, tick loop every 5 s; `DATABASE_CONN_MAX_AGE=60`.
Receipts hashed with Argon2id at time cost 1, 8 MiB (production: 3, 64 MiB); rate limit lifted;
`TASK_RUNNING_LIMIT_SECONDS=20`, `INTAKE_RETRY_AFTER_SECONDS=10` (production: 600, 120).

Machine: {machine_line(django_version(), pg_version)}.
Load average {' '.join(f'{x:.2f}' for x in load_before)} at the start,
{' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end (the machine is shared).

- Load: {load.sent:,} reports sent in {load.seconds:.0f} s ({rate:.1f} acknowledged/s).
- Answers: {outcomes}. Transport errors are requests cut off by a killed web worker: no
  receipt was shown (some of them were stored: "stored unacknowledged" below).
- Kills: {fleet.kills['web']} gunicorn workers, {fleet.kills['worker']} `hotline worker`.
- Recovery sweeps during the run: {swept['tasks_failed']} orphaned tasks marked failed,
  {swept['intake_requeued']} intakes queued again (the orphaned ones, and reports stored by a
  web worker killed before it queued their intake).
- Time to drain after the last request: {drain:.1f} s: the backlog of intakes the load left
  (two workers take reports in more slowly than three web workers store them here), and each
  orphaned task waits for the 20 s limit and the next sweep. Final sweep after the drain:
  {sweep}.

| Figure | Count |
|---|---:|
{rows}

| Problem (must be 0) | Count |
|---|---:|
{checks}

Result: {"every acknowledged report stored once, complete and taken in" if ok else "FAILED"}.
<!-- /{MARKER} -->"""
    publish(block, MARKER, markdown=args.markdown, write=not args.no_write,
            title=SECTION_TITLE, intro=INTRO)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of a /metrics scrape (hotline/ops/metrics.py) on a large seeded database.

Seeds N cases with their reports, takedowns and traces as bench/figures.py does, plus one
capture per case (a tenth of them failed, with the fetcher's reasons), one notice per
takedown (some failed), a few thousand task rows and two worker heartbeats, in a throwaway
SQLite file or PostgreSQL database (``--database postgres``: created and dropped), then times
whole scrapes through Django's test client (HTTP handling, middleware, the collector and the
text format) and each part of the collector, against a baseline in the same run: a bare
``SELECT COUNT(*)`` over the cases. Writes a section to BENCHMARKS.md.

    .venv/bin/python bench/metrics_scrape.py --n 1000000
    .venv/bin/python bench/metrics_scrape.py --n 1000000 --database postgres
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (
    django_version,
    kept_postgres,
    machine_line,
    postgres_version,
    publish,
    sqlite_version,
    throwaway_postgres,
)
from bench.figures import best, insert, seed, setup_django

ROOT = Path(__file__).resolve().parent.parent
SECTION_TITLE = "## Metrics: a Prometheus scrape on a large database"
INTRO = f"""{SECTION_TITLE}

`bench/metrics_scrape.py` seeds N cases as `bench/figures.py` does (one report each over 3
years and 5 portals, takedowns for the confirmed ones) plus one capture per case (a tenth
failed), one notice per takedown, a few thousand task rows and two worker heartbeats, then times
whole `GET /metrics` answers through Django's test client and each part of the collector
(`hotline/ops/metrics.py`). Baseline in the same run: a bare `SELECT COUNT(*)` over the cases.
Times are the best of --repeat runs. Target: a scrape under 100 ms at a million cases.
"""
BASELINE_SQL = 'SELECT COUNT(*) FROM "cases_case"'
REASONS = ["dns", "connect", "timeout", "too_large", "protocol", "private_address"]


def seed_more(now: dt.datetime, rng: random.Random) -> dict[str, int]:
    from django.db import connection, transaction
    from django.utils import timezone

    from hotline.capture.models import Capture
    from hotline.cases.models import Case
    from hotline.ops.models import WorkerHeartbeat
    from hotline.takedown.models import Notice, Takedown

    naive = now.replace(tzinfo=None)
    case_ids = list(Case.objects.values_list("pk", flat=True))
    takedown_ids = list(Takedown.objects.values_list("pk", flat=True))
    counts = {}
    with transaction.atomic():
        counts["captures"] = insert(Capture, ["case_id", "url", "fetched_at", "error"], (
            (i, f"https://h{i % 997}.example.test/{i}", naive,
             rng.choice(REASONS) if rng.random() < 0.1 else "") for i in case_ids))
        counts["notices"] = insert(Notice, [
            "id", "takedown_id", "sequence", "kind", "route", "recipient_email", "state"], (
            (f"{i:032x}", i, 1, "first", "notice", "abuse@host.example.test",
             "failed" if rng.random() < 0.02 else "sent") for i in takedown_ids))
    from hotline.cases.tasks import report_intake

    for i in range(3000):  # finished tasks are pruned after days: a few thousand rows remain
        result = report_intake.enqueue(i)
        if i % 10:
            from django_tasks_db.models import DBTaskResult
            DBTaskResult.objects.filter(pk=result.id).update(
                status="FAILED" if i % 97 == 0 else "SUCCESSFUL")
    counts["tasks"] = 3000
    for queue in ("default", "capture"):
        WorkerHeartbeat.objects.create(worker_id=queue, queue=queue, hostname="bench", pid=1,
                                       started_at=timezone.now(), seen_at=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        if connection.vendor == "sqlite":
            # As a running database is: the bulk load moved from the write-ahead log into the
            # database file (SQLite checkpoints on its own after every 1000 pages written).
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="cases (and reports) to seed")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--keep", type=Path, help="seed the SQLite database at this path once and "
                    "keep it for later runs")
    ap.add_argument("--keep-postgres", action="store_true", help="with --database postgres: "
                    "seed database bench_metrics_kept once and keep it for later runs")
    args = ap.parse_args()
    if args.keep_postgres:
        args.database = "postgres"
        with tempfile.TemporaryDirectory(prefix="hotline-bench-metrics-") as tmp:
            run(args, kept_postgres("bench_metrics_kept"), Path(tmp))
        return
    if args.keep:
        args.keep.parent.mkdir(parents=True, exist_ok=True)
        run(args, f"sqlite:///{args.keep}", args.keep.parent)
        return
    with tempfile.TemporaryDirectory(prefix="hotline-bench-metrics-") as tmp:
        if args.database == "postgres":
            with throwaway_postgres("bench_metrics") as url:
                run(args, url, Path(tmp))
        else:
            run(args, f"sqlite:///{Path(tmp) / 'metrics.sqlite3'}", Path(tmp))


def run(args: argparse.Namespace, url: str, tmp: Path) -> None:
    began = time.perf_counter()
    setup_django(url, tmp)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone
    from prometheus_client import generate_latest

    from hotline.cases.models import Case
    from hotline.ops.metrics import HotlineCollector, _registry

    call_command("migrate", verbosity=0)
    now = timezone.now()
    rng = random.Random(args.seed)  # noqa: S311
    t = time.perf_counter()
    # Seeded by an earlier run: count what is there.
    if (args.keep or args.keep_postgres) and Case.objects.exists():
        from hotline.capture.models import Capture
        from hotline.intake.models import Report
        from hotline.takedown.models import Notice, Takedown
        counts = {"reports": Report.objects.count(), "cases": Case.objects.count(),
                  "takedowns": Takedown.objects.count(), "captures": Capture.objects.count(),
                  "notices": Notice.objects.count()}
    else:
        counts = seed(args.n, now, rng)
        counts.update(seed_more(now, rng))
    seeding = time.perf_counter() - t
    print(f"seeded {counts} in {seeding:.1f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            db_mb = cursor.fetchone()[0] / 1e6
        engine = postgres_version(url)
    else:
        db_mb = Path(connection.settings_dict["NAME"]).stat().st_size / 1e6
        engine = sqlite_version()

    def count_cases() -> None:
        with connection.cursor() as cursor:
            cursor.execute(BASELINE_SQL)
            cursor.fetchone()

    client = Client()

    def scrape() -> None:
        response = client.get("/metrics")
        assert response.status_code == 200, response.status_code

    collector = HotlineCollector()
    parts: list[tuple[str, Callable[[], Any]]] = [
        ("reports received by portal (last 24 h)",
         lambda: list(collector._reports(timezone.now()))),
        ("cases: by status, oldest unassessed, time to assessment",
         lambda: list(collector._cases(timezone.now()))),
        ("takedowns and notices by state, time to removal",
         lambda: list(collector._takedowns(timezone.now()))),
        ("outcomes of the last captures", lambda: list(collector._captures())),
        ("task queues, failures, worker heartbeats", lambda: list(collector._tasks(
            timezone.now()))),
        ("text format of everything", lambda: generate_latest(_registry())),
    ]
    scrape()  # warm: URL resolution, imports
    timings = []
    for name, fn in parts:
        timings.append((name, best(fn, args.repeat)))
        print(f"{name}: {timings[-1][1] * 1000:.1f} ms", flush=True)
    whole = best(scrape, args.repeat)
    baseline = best(count_cases, args.repeat)
    print(f"scrape {whole * 1000:.1f} ms, SELECT COUNT(*) {baseline * 1000:.1f} ms", flush=True)
    size = len(client.get("/metrics").content)
    total = time.perf_counter() - began

    rows = "\n".join(f"| {name} | {s * 1000:.1f} |" for name, s in timings)
    marker = f"metrics n={args.n}" + (" postgres" if args.database == "postgres" else "")
    command = (f".venv/bin/python bench/metrics_scrape.py --n {args.n} --repeat {args.repeat} "
               f"--seed {args.seed}" + (" --database postgres" if args.database == "postgres"
                                        else "") + (" --keep FILE" if args.keep else "")
               + (" --keep-postgres" if args.keep_postgres else ""))
    name = "PostgreSQL" if args.database == "postgres" else "SQLite"
    seeded = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in counts.items())
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    verdict = "under" if whole < 0.1 else "OVER"
    kept = " (seeded by an earlier run, then migrated)" if seeding < 1 else ""
    scrape_row = f"**Whole scrape, `GET /metrics` through the test client ({size:,} bytes)**"
    baseline_row = "Baseline: `" + BASELINE_SQL + "`"
    block = f"""<!-- {marker} -->
### {args.n:,} cases, {name} ({stamp})

Command: `{command}` (total wall time {total:.0f} s; seeding {seeding:.0f} s{kept}, database
{db_mb:,.0f} MB).

Machine: {machine_line(django_version(), engine)}.

Seeded rows: {seeded}.

| Part of the collector (best of {args.repeat}) | ms |
|---|---:|
{rows}
| {scrape_row} | **{whole * 1000:.1f}** |
| {baseline_row} | {baseline * 1000:.1f} |

The scrape is {verdict} the 100 ms target; it takes {whole / baseline:.1f}× the bare count of
the cases.
<!-- /{marker} -->"""
    publish(block, marker, markdown=args.markdown, write=not args.no_write,
            title=SECTION_TITLE, intro=INTRO)


if __name__ == "__main__":
    main()

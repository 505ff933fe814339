"""Benchmark of the retention run (hotline/ops/retention.py) on a large seeded database.

Seeds N reports (address, case and case link each) spread over three years, every one with
sealed text, a receipt digest and an address as typed that differs from its canonical form,
in a throwaway SQLite file or PostgreSQL database (``--database postgres``: created and dropped
by the script). The reports are seeded in order of time, so the rows due for each kind are an
id prefix, and the baseline in the same run is the plain SQL that changes exactly those rows
(``UPDATE ... WHERE id <= last due``, no search), timed inside a transaction that is rolled
back. Then the dry run, the real run, and a second run (nothing left: the daily cost) are
timed. Writes a section to BENCHMARKS.md.

    .venv/bin/python bench/retention.py --n 1000000
    .venv/bin/python bench/retention.py --n 1000000 --database postgres
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (
    django_version,
    machine_line,
    postgres_version,
    publish,
    sqlite_version,
    throwaway_postgres,
)
from bench.figures import insert, setup_django

ROOT = Path(__file__).resolve().parent.parent
SECTION_TITLE = "## Retention: the daily run on a large database"
INTRO = f"""{SECTION_TITLE}

`bench/retention.py` seeds N reports (one address, case and case link each) over three years,
each with sealed text, a receipt digest and an address typed differently from its canonical
form; 1 % of the newest have an open case. It times `retention_run` (every kind of
`hotline/ops/retention.py`, key ranges of `RETENTION_BATCH`, default periods) against a
baseline in the same run on the same data: the plain SQL `UPDATE`s that change exactly the
same rows, selected by id range with no search, in one transaction rolled back afterwards.
"""
SECTION = 86400


def seed(n: int, now: dt.datetime) -> dict[str, Any]:
    from django.db import connection, transaction

    from hotline.cases.models import Case, CaseReport
    from hotline.intake.models import Report, ReportedAddress
    from hotline.portals.models import Portal

    portal = Portal.objects.create(code="gm", name="GM", country="GM", languages=["en"])
    naive = now.replace(tzinfo=None)
    span = 3 * 365 * 86400
    opened = n - n // 100  # the newest 1 % are still open
    sealed = bytes(range(80))  # the size of a sealed short text

    def received(i: int) -> dt.datetime:
        return naive - dt.timedelta(seconds=span * (n - i) // n + 2 * SECTION)

    def closed(i: int) -> dt.datetime | None:
        return None if i > opened else received(i) + dt.timedelta(days=1)

    def duration(value: dt.timedelta) -> Any:
        return value if connection.vendor == "postgresql" else int(value.total_seconds() * 1e6)

    counts: dict[str, Any] = {}
    with transaction.atomic():
        counts["reports"] = insert(Report, [
            "id", "portal_id", "language", "content_kind", "where_found_sealed",
            "description_sealed", "contact_sealed", "wants_feedback", "receipt_digest",
            "received_at", "intake_done_at"],
            ((i, portal.pk, "en", "image", sealed, sealed, None, False, f"{i:064x}",
              received(i), received(i)) for i in range(1, n + 1)))
        counts["addresses"] = insert(ReportedAddress, [
            "id", "report_id", "position", "submitted", "canonical_url", "host",
            "registrable_domain"],
            ((i, i, 0, f"HTTPS://h{i % 997}.example.test/{i}?utm=x",
              f"https://h{i % 997}.example.test/{i}", f"h{i % 997}.example.test",
              "example.test") for i in range(1, n + 1)))
        counts["cases"] = insert(Case, [
            "id", "url", "url_sha256", "host", "registrable_domain", "status", "verdict",
            "confirmed", "report_count", "first_reported", "last_reported", "closed_at",
            "time_to_assessment"],
            ((i, f"https://h{i % 997}.example.test/{i}", f"{i:064x}", f"h{i % 997}.example.test",
              "example.test", "closed" if closed(i) else "open",
              "not_illegal" if closed(i) else "", False, 1, received(i), received(i),
              closed(i), duration(dt.timedelta(days=1)) if closed(i) else None)
             for i in range(1, n + 1)))
        counts["case_links"] = insert(CaseReport, [
            "id", "case_id", "report_id", "address_id", "portal_id", "closed_at"],
            ((i, i, i, i, portal.pk, closed(i)) for i in range(1, n + 1)))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    def last_due(days: int) -> int:
        cutoff = naive - dt.timedelta(days=days)
        return max((i for i in range(1, opened + 1) if closed(i) <= cutoff),  # type: ignore
                   default=0)

    counts["due"] = {"text": last_due(90), "year": last_due(365)}
    return counts


def baseline(due: dict[str, int]) -> tuple[float, dict[str, int]]:
    """The same writes as the run, as plain UPDATEs of id ranges; rolled back."""
    from django.db import connection, transaction

    changed = {}
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute('UPDATE "intake_report" SET "where_found_sealed" = NULL, '
                       '"description_sealed" = NULL, "contact_sealed" = NULL, '
                       '"wants_feedback" = %s WHERE "id" <= %s', [False, due["text"]])
        changed["reporter_text"] = cursor.rowcount
        cursor.execute('UPDATE "intake_report" SET "receipt_digest" = NULL WHERE "id" <= %s',
                       [due["year"]])
        changed["receipts"] = cursor.rowcount
        cursor.execute('UPDATE "intake_reportedaddress" SET "submitted" = "canonical_url" '
                       'WHERE "report_id" <= %s', [due["year"]])
        changed["reports"] = cursor.rowcount
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed, changed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="reports to seed")
    ap.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="hotline-bench-retention-") as tmp:
        if args.database == "postgres":
            with throwaway_postgres("bench_retention") as url:
                run(args, url, Path(tmp))
        else:
            run(args, f"sqlite:///{Path(tmp) / 'retention.sqlite3'}", Path(tmp))


def run(args: argparse.Namespace, url: str, tmp: Path) -> None:
    began = time.perf_counter()
    setup_django(url, tmp)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from hotline.ops.retention import retention_run

    call_command("migrate", verbosity=0)
    now = timezone.now()
    t = time.perf_counter()
    counts = seed(args.n, now)
    seeding = time.perf_counter() - t
    print(f"seeded {counts} in {seeding:.1f} s", flush=True)
    engine = postgres_version(url) if connection.vendor == "postgresql" else sqlite_version()

    base, base_changed = baseline(counts["due"])
    print(f"baseline {base:.2f} s {base_changed}", flush=True)
    t = time.perf_counter()
    dry = retention_run(now, dry_run=True)
    dry_s = time.perf_counter() - t
    print(f"dry run {dry_s:.2f} s {dry}", flush=True)
    t = time.perf_counter()
    done = retention_run(now)
    run_s = time.perf_counter() - t
    print(f"run {run_s:.2f} s {done}", flush=True)
    t = time.perf_counter()
    again = retention_run(now)
    again_s = time.perf_counter() - t
    print(f"second run {again_s:.2f} s {again}", flush=True)
    assert dry == done, (dry, done)
    assert done["reporter_text"] == base_changed["reporter_text"], (done, base_changed)
    assert done["receipts"] == base_changed["receipts"], (done, base_changed)
    assert done["reports"] == base_changed["reports"], (done, base_changed)
    assert not any(again.values()), again
    total = time.perf_counter() - began

    marker = f"retention n={args.n}" + (" postgres" if args.database == "postgres" else "")
    command = (f".venv/bin/python bench/retention.py --n {args.n}"
               + (" --database postgres" if args.database == "postgres" else ""))
    name = "PostgreSQL" if args.database == "postgres" else "SQLite"
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    changed = ", ".join(f"{k} {v:,}" for k, v in done.items() if v)
    block = f"""<!-- {marker} -->
### {args.n:,} reports, {name} ({stamp})

Command: `{command}` (total wall time {total:.0f} s; seeding {seeding:.0f} s).

Machine: {machine_line(django_version(), engine)}.

Rows changed by the run: {changed} (key ranges of {settings.RETENTION_BATCH:,}).

| | Time (s) |
|---|---:|
| Baseline: plain `UPDATE`s of the same rows by id range (rolled back) | {base:.2f} |
| `hotline retention run --dry-run` (counts every kind) | {dry_s:.2f} |
| `retention_run`: everything due, every kind | {run_s:.2f} |
| Second run, nothing left to do (what a daily run costs that finds nothing) | {again_s:.2f} |

Ratio run / baseline: {run_s / base:.2f}×. The run finds the rows it changes (every case
link of every report), the baseline is told them.
<!-- /{marker} -->"""
    publish(block, marker, markdown=args.markdown, write=not args.no_write,
            title=SECTION_TITLE, intro=INTRO)


if __name__ == "__main__":
    main()

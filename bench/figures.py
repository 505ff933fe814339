"""Benchmark of the figures queries (hotline.stats.figures) on a large seeded database.

Seeds N cases, each with one report, address and case link (plus takedowns and traces for the
confirmed ones) with raw executemany in a throwaway SQLite file or PostgreSQL database
(``--database postgres``: created and dropped by the script), then times every figure query
and whole dashboards, against two baselines run on the same data in the same process: a plain
``SELECT COUNT(*)`` over the reports, and the period summary computed in Python over every case
row fetched with values_list. Writes a section to BENCHMARKS.md (replaced when re-run with the
same --n).

    .venv/bin/python bench/figures.py --n 1000000
    .venv/bin/python bench/figures.py --n 1000000 --database postgres
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
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

ROOT = Path(__file__).resolve().parent.parent
SECTION_TITLE = "## Figures: aggregate queries on a large database"
INTRO = f"""{SECTION_TITLE}

`bench/figures.py` seeds N cases (one report, reported address and case link each; takedowns
and traces for the confirmed ones) into a throwaway SQLite file or PostgreSQL database with raw
`executemany`, then
times each query of `hotline/stats/figures.py` for all portals and for one portal over the last
365 days, and whole pages (every query behind them). Baselines in the same run: `SELECT
COUNT(*)` over the reports, and the period summary computed in Python over all case rows
fetched with `values_list`. Times are the best of --repeat runs. The public page is timed
with its cache emptied before each run (what the first visitor in a cache window waits), and
cached.
"""
BATCH = 50_000


def setup_django(url: str, var_dir: Path) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("HOTLINE_VAR_DIR", str(var_dir))
    os.environ["STATIC_MANIFEST"] = "0"  # plain static names: nothing is collected
    os.environ["DJANGO_SETTINGS_MODULE"] = "hotline.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def insert(model: Any, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
    """Insert rows with raw executemany; every other column gets its model default."""
    from django.db import connection
    from django.utils import timezone

    fixed: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.column in columns or f.primary_key:  # an unlisted id comes from the database
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = timezone.now().replace(tzinfo=None)
        else:
            value = f.get_db_prep_save(f.get_default(), connection)
        fixed[f.column] = value
    names = columns + list(fixed)
    extra = tuple(fixed.values())
    quoted = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join(["%s"] * len(names))
    # Names come from the models, never from input.
    sql = f'INSERT INTO "{model._meta.db_table}" ({quoted}) VALUES ({marks})'  # noqa: S608
    count = 0
    with connection.cursor() as cursor:
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row + extra)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def seed(n: int, now: dt.datetime, rng: random.Random) -> dict[str, int]:
    from django.db import connection, transaction

    from hotline.cases.models import Case, CaseReport
    from hotline.hosting.models import Trace
    from hotline.intake.models import Report, ReportedAddress
    from hotline.portals.models import Portal
    from hotline.takedown.models import Takedown

    codes = [("gm", "en"), ("sn", "fr"), ("km", "ar"), ("mz", "pt"), ("tz", "sw")]
    portals = [Portal.objects.create(code=c, name=c.upper(), country=c.upper(), languages=[lang])
               for c, lang in codes]
    naive = now.replace(tzinfo=None)
    span = 3 * 365 * 24 * 3600
    verdicts = ["csam"] * 3 + ["not_in_remit", "not_illegal", "unavailable", "duplicate"]
    countries = ["NL", "US", "DE", "FR", "RU", "", "GB"]
    def duration(value: dt.timedelta) -> Any:
        # Django keeps durations as microseconds on SQLite, as intervals on PostgreSQL.
        return value if connection.vendor == "postgresql" else int(
            value.total_seconds() * 1e6)

    cases: list[tuple[Any, ...]] = []
    for i in range(1, n + 1):
        p = rng.randrange(len(portals))
        received = naive - dt.timedelta(seconds=rng.randrange(span))
        closed = None if rng.random() < 0.05 else received + dt.timedelta(
            seconds=rng.randrange(1, 14 * 86400))
        if closed is not None and closed > naive:
            closed = None
        verdict = rng.choice(verdicts) if closed else ""
        confirmed = verdict == "csam" and rng.random() < 0.9
        cases.append((i, p, received, closed, verdict, confirmed))
    counts = {}
    with transaction.atomic():
        counts["reports"] = insert(Report, ["id", "portal_id", "language", "content_kind",
                                            "receipt_digest", "received_at"],
                                   ((i, portals[p].pk, codes[p][1], "image", f"{i:064x}", r)
                                    for i, p, r, *_ in cases))
        counts["addresses"] = insert(ReportedAddress, [
            "id", "report_id", "position", "submitted", "canonical_url", "host",
            "registrable_domain"], ((i, i, 0, f"https://h{i % 997}.example.test/{i}",
                                     f"https://h{i % 997}.example.test/{i}",
                                     f"h{i % 997}.example.test", "example.test")
                                    for i, *_ in cases))
        counts["cases"] = insert(Case, [
            "id", "url", "url_sha256", "host", "registrable_domain", "status", "verdict",
            "confirmed", "report_count", "first_reported", "last_reported", "closed_at",
            "time_to_assessment"],
            ((i, f"https://h{i % 997}.example.test/{i}", f"{i:064x}", f"h{i % 997}.example.test",
              "example.test", "closed" if c else "open", v, k, 1, r, r, c,
              duration(c - r) if c else None)
             for i, _p, r, c, v, k in cases))
        counts["case_links"] = insert(CaseReport, ["id", "case_id", "report_id", "address_id",
                                                   "portal_id", "closed_at"],
                                      ((i, i, i, i, portals[p].pk, c) for i, p, _r, c, *_ in cases))
        confirmed = [(i, c) for i, _p, r, c, _v, k in cases if k]
        removals = []
        for i, c in confirmed:
            removed = c + dt.timedelta(seconds=rng.randrange(600, 10 * 86400))
            removals.append((i, c, removed if removed < naive and rng.random() < 0.9 else None))
        counts["takedowns"] = insert(Takedown, [
            "id", "case_id", "state", "route", "confirmed_at", "removed_at", "time_to_removal"],
            ((i, i, "removed" if rm else rng.choice(["tracing", "active", "no_contact"]),
              "notice", c, rm, duration(rm - c) if rm else None)
             for i, c, rm in removals))
        counts["traces"] = insert(Trace, ["case_id", "at", "country"], (
            (i, c + dt.timedelta(minutes=m), rng.choice(countries))
            for i, c in confirmed for m in range(1 + (i % 3 == 0))))
    with connection.cursor() as cursor:
        # PostgreSQL: VACUUM sets the visibility map, so covering indexes serve index-only scans.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return counts


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def python_summary(period: Any) -> dict[str, Any]:
    """The baseline: the summary of all portals computed in Python over every case row."""
    from hotline.cases.models import Case

    rows = Case.objects.values_list("status", "verdict", "confirmed", "first_reported",
                                    "closed_at")
    done = [(v, k, f, c) for s, v, k, f, c in rows.iterator(chunk_size=20_000)
            if s == "closed" and c is not None and period.start <= c < period.end]
    return {"assessed": len(done), "in_remit": sum(v != "not_in_remit" for v, *_ in done),
            "confirmed": sum(k for _v, k, *_ in done),
            "median_assessment": statistics.median([c - f for *_x, f, c in done])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="cases (and reports) to seed")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20261120)
    ap.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="hotline-bench-figures-") as tmp:
        if args.database == "postgres":
            with throwaway_postgres("bench_figures") as url:
                run(args, url, Path(tmp))
        else:
            run(args, f"sqlite:///{Path(tmp) / 'figures.sqlite3'}", Path(tmp))


def run(args: argparse.Namespace, url: str, tmp: Path) -> None:
    began = time.perf_counter()
    setup_django(url, tmp)
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from hotline.portals.models import Portal
    from hotline.stats import figures, views
    from hotline.stats.figures import Period

    call_command("migrate", verbosity=0)
    now = timezone.now()
    t = time.perf_counter()
    counts = seed(args.n, now, random.Random(args.seed))  # noqa: S311
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

    year = Period(now - dt.timedelta(days=365), now)
    gm = [Portal.objects.get(code="gm")]

    def count_all() -> None:
        with connection.cursor() as cursor:
            cursor.execute('SELECT COUNT(*) FROM "intake_report"')
            cursor.fetchone()

    timings: list[tuple[str, float, float | None]] = []
    runs: list[tuple[str, Callable[[Any], Any]]] = [
        ("summary (8 figures, 2 medians)", lambda p: figures.summary(p, year)),
        ("summary + previous period", lambda p: figures.compare(p, year)),
        ("reports per week", lambda p: figures.received_by("week", p, year)),
        ("reports per month", lambda p: figures.received_by("month", p, year)),
        ("outcomes per year (4 queries)", lambda p: figures.outcomes_by("year", p, year)),
        ("hosting countries (latest trace)", lambda p: figures.hosting_countries(p, year)),
        ("languages", lambda p: figures.languages(p, year)),
    ]
    for name, fn in runs:
        a = best(lambda fn=fn: fn(None), args.repeat)  # type: ignore[misc]
        b = best(lambda fn=fn: fn(gm), args.repeat)  # type: ignore[misc]
        timings.append((name, a, b))
        print(f"{name}: {a:.3f} s all, {b:.3f} s one portal", flush=True)
    timings.append(("queue size and age (hub)", best(lambda: figures.queue(now),
                                                     args.repeat), None))
    timings.append(("takedown pipeline (hub)", best(
        lambda: figures.takedown_pipeline(now), args.repeat), None))
    dash_all = best(lambda: views._staff_tables(None, year, now), args.repeat)
    dash_gm = best(lambda: views._staff_tables(gm, year, now), args.repeat)
    client = Client()
    def page(path: str, fresh: bool) -> Callable[[], Any]:
        def get() -> None:
            if fresh:
                cache.clear()
            assert client.get(path).status_code == 200
        return get

    public = best(page("/gm/en/figures/?scope=hub", True), args.repeat)
    public_gm = best(page("/gm/en/figures/", True), args.repeat)
    cached = best(page("/gm/en/figures/?scope=hub", False), args.repeat)
    cached_gm = best(page("/gm/en/figures/", False), args.repeat)
    connection.close()
    baseline_count = best(count_all, args.repeat)
    summary_db = best(lambda: figures.summary(None, year), args.repeat)
    summary_py = best(lambda: python_summary(year), 1)
    got, want = figures.summary(None, year), python_summary(year)
    assert all(got[k] == want[k] for k in want), (got, want)
    total = time.perf_counter() - began

    rows = "\n".join(f"| {name} | {a:.3f} | {'' if b is None else f'{b:.3f}'} |"
                     for name, a, b in timings)
    marker = f"figures n={args.n}" + (" postgres" if args.database == "postgres" else "")
    command = (f".venv/bin/python bench/figures.py --n {args.n} --repeat {args.repeat} "
               f"--seed {args.seed}" + (" --database postgres" if args.database == "postgres"
                                        else ""))
    name = "PostgreSQL" if args.database == "postgres" else "SQLite"
    seeded = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in counts.items())
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = f"""<!-- {marker} -->
### {args.n:,} cases and reports, {name} ({stamp})

Command: `{command}` (total wall time {total:.0f} s; seeding {seeding:.0f} s, database
{db_mb:,.0f} MB).

Machine: {machine_line(django_version(), engine)}.

Seeded rows: {seeded}; reports spread over 3 years and 5 portals; the period is the last 365
days.

| Query (best of {args.repeat}) | All portals (s) | One portal of five (s) |
|---|---:|---:|
{rows}
| **Partner dashboard, every query** | {dash_all:.3f} | {dash_gm:.3f} |
| **Public figures page (HTTP, rendered, cache emptied)** | {public:.3f} | {public_gm:.3f} |
| **Public figures page (HTTP, cached)** | {cached:.3f} | {cached_gm:.3f} |

Baselines, same data, same run: `SELECT COUNT(*)` over the reports {baseline_count:.3f} s; the
period summary computed in Python over every case row fetched with `values_list` {summary_py:.3f} s
(same answer as the database's). Ratios: summary in the database / in Python
{summary_db / summary_py:.2f}× ({summary_py / summary_db:.1f}× faster); summary / `COUNT(*)`
{summary_db / baseline_count:.1f}×; whole partner dashboard (all portals) / `COUNT(*)`
{dash_all / baseline_count:.1f}×.
<!-- /{marker} -->"""
    publish(block, marker, markdown=args.markdown, write=not args.no_write,
            title=SECTION_TITLE, intro=INTRO)


if __name__ == "__main__":
    main()

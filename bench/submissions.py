"""Benchmark of public report submissions under concurrent load, on PostgreSQL, against a ceiling.

Creates a throwaway PostgreSQL database (``bench_submissions`` by default; never ``test``,
``postgres`` or ``test_*``), migrates it, imports the demo portals and generates the sealing
keys in a temporary HOTLINE_VAR_DIR, then serves the product with gunicorn and the project's
``hotline/gunicorn_conf.py`` (as ``hotline serve`` does), with ``bench/ceiling_settings.py``:
every address of the product plus ``/bench/ceiling/``, a minimal view that INSERTs one row with
raw SQL. An asyncio httpx client keeps N connections busy for a fixed time against the report
form (``POST /<portal>/<lang>/report/``, a fresh URL each time) and against the ceiling, on the
same server in the same run, at production settings. Then, at a fixed request rate (an open
loop: requests go out when due, whatever the answers), the latency of both. Drops the database
at the end and writes a section to BENCHMARKS.md (replaced when re-run with the same
--concurrency, --duration, --rounds and --rate).

    .venv/bin/python bench/submissions.py --concurrency 16 --duration 20 --rate 20
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (
    ROOT,
    code_version,
    django_version,
    free_port,
    hotline,
    hotline_env,
    loadavg,
    machine_line,
    percentile,
    postgres_version,
    publish,
    ratio,
    stop,
    throwaway_postgres,
    utc_stamp,
    wait_http,
)

SECTION_TITLE = "## Public submissions under concurrent load (PostgreSQL, gunicorn)"
INTRO = f"""{SECTION_TITLE}

`bench/submissions.py` serves the product with gunicorn and `hotline/gunicorn_conf.py` on a
throwaway PostgreSQL database (migrated, demo portals imported), and keeps N connections of an
asyncio httpx client busy for a fixed time posting the public report form (one fresh URL per
report: form validation with the canonicaliser, sealing of the optional text, the receipt
hash, the report, its address and its intake task in one transaction, the rendered receipt
page). The ceiling, on the same server in the same run, is `/bench/ceiling/`
(`bench/ceiling_urls.py`): the same middleware and one raw `INSERT` of one row. Blocks before
2026-11-29 hashed receipts with Argon2id (3 passes over 64 MiB, and a reduced cost that was
not a production setting); since then receipts are a keyed HMAC-SHA-256 at production
settings (`hotline/lib/receipts.py`), and a second table gives p50/p99 at a fixed request rate.
"""
# The table of bench/ceiling_urls.py's view (CEILING_TABLE there).
CEILING_DDL = ("CREATE TABLE IF NOT EXISTS bench_ceiling (id bigserial PRIMARY KEY, "
               "payload text NOT NULL, created timestamptz NOT NULL DEFAULT now())")
PORTAL_HEADERS = {"Sec-Fetch-Site": "same-origin"}


@dataclass
class Run:
    label: str
    completed: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    client_cpu: float = 0.0  # CPU seconds of the load generator during the measured window
    round_rates: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies, q) * 1e3


def merge(runs: list[Run]) -> Run:
    """The rounds of one endpoint together: sums, pooled latencies, rates of each round."""
    out = Run(runs[0].label)
    for r in runs:
        out.completed += r.completed
        out.errors.update(r.errors)
        out.latencies.extend(r.latencies)
        out.seconds += r.seconds
        out.client_cpu += r.client_cpu
        out.round_rates.append(r.rate)
    return out


def form_body(i: int, run: str) -> dict[str, str]:
    """A report as the form sends it: one new benign address on a reserved name each time."""
    return {"urls": f"https://Site{i % 97}.example.test:8443/{run}/Page%7E{i}?q={i}&lang=en",
            "content_kind": "image", "where_found": "a search engine", "description": "",
            "contact": "", "website": ""}


async def load(url: str, check: bytes, run_id: str, concurrency: int, warmup: float,
               duration: float, label: str) -> Run:
    """N connections posting back to back for warmup + duration seconds; counts (and takes the
    latency of) every request that finishes inside the measured window, so that slow requests
    started during the warm-up are not left out."""
    import httpx

    result = Run(label)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    counter = iter(range(10**12))
    loop_start = time.perf_counter()
    begin, end = loop_start + warmup, loop_start + warmup + duration
    cpu: dict[str, float] = {}

    async def client_loop(client: httpx.AsyncClient) -> None:
        while True:
            t0 = time.perf_counter()
            if t0 >= end:
                return
            if "begin" not in cpu and t0 >= begin:
                cpu["begin"] = time.process_time()
            try:
                response = await client.post(url, data=form_body(next(counter), run_id),
                                             headers=PORTAL_HEADERS)
                error = "" if response.status_code == 200 and check in response.content \
                    else f"HTTP {response.status_code}"
            except httpx.HTTPError as e:
                error = type(e).__name__
            t1 = time.perf_counter()
            if begin <= t1 <= end:  # finished inside the window, wherever it started
                if error:
                    result.errors[error] += 1
                else:
                    result.completed += 1
                    result.latencies.append(t1 - t0)

    async with httpx.AsyncClient(limits=limits, timeout=120.0) as client:
        await asyncio.gather(*(client_loop(client) for _ in range(concurrency)))
    result.client_cpu = time.process_time() - cpu.get("begin", time.process_time())
    result.seconds = duration
    return result


async def paced(url: str, check: bytes, run_id: str, rate: float, warmup: float,
                duration: float, label: str, connections: int = 64) -> Run:
    """Open loop: one request every 1/rate seconds whatever the answers (at most `connections`
    in flight), for warmup + duration seconds. A latency runs from the moment the request was
    due, not from when a connection was free, so that a server that falls behind shows it
    (no coordinated omission); counts the requests due inside the measured window."""
    import httpx

    result = Run(label)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    start = time.perf_counter() + 0.05
    begin, end = start + warmup, start + warmup + duration
    total = int((warmup + duration) * rate)

    async def one(client: httpx.AsyncClient, i: int, due: float) -> None:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        try:
            response = await client.post(url, data=form_body(i, run_id), headers=PORTAL_HEADERS)
            error = "" if response.status_code == 200 and check in response.content \
                else f"HTTP {response.status_code}"
        except httpx.HTTPError as e:
            error = type(e).__name__
        if begin <= due < end:
            if error:
                result.errors[error] += 1
            else:
                result.completed += 1
                result.latencies.append(time.perf_counter() - due)

    cpu0 = time.process_time()
    async with httpx.AsyncClient(limits=limits, timeout=120.0) as client:
        await asyncio.gather(*(one(client, i, start + i / rate) for i in range(total)))
    result.client_cpu = (time.process_time() - cpu0) * duration / (warmup + duration)
    result.seconds = duration
    return result


def pg_scalar(url: str, query: str) -> Any:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        row = conn.execute(query).fetchone()
    return row[0] if row else None


def serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    conf = ROOT / "hotline" / "gunicorn_conf.py"
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(conf),
                                 "-b", f"127.0.0.1:{port}"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    wait_http(f"http://127.0.0.1:{port}/", 60, proc)
    return proc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--concurrency", type=int, default=16, help="client connections")
    ap.add_argument("--duration", type=float, default=20.0,
                    help="measured seconds per run (one endpoint, one round)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="rounds, each running the ceiling then the report form "
                         "(alternating, so that a change of load hits both)")
    ap.add_argument("--warmup", type=float, default=5.0,
                    help="seconds before each measured run (longer than a request takes)")
    ap.add_argument("--rate", type=float, default=20.0,
                    help="requests per second of the fixed-rate runs (0: none)")
    ap.add_argument("--web-concurrency", type=int, default=None,
                    help="gunicorn workers (default: gunicorn_conf.py's, WEB_CONCURRENCY or 1)")
    ap.add_argument("--web-threads", type=int, default=None,
                    help="threads per worker (default: gunicorn_conf.py's, WEB_THREADS or 8)")
    ap.add_argument("--db-name", default="bench_submissions")
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres",
                    help="server to create the throwaway database on (any database on it)")
    ap.add_argument("--keep-db", action="store_true")
    ap.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument("--no-write", action="store_true", help="print only, leave BENCHMARKS.md")
    args = ap.parse_args()

    began = time.perf_counter()
    load_before = loadavg()
    with tempfile.TemporaryDirectory(prefix="hotline-bench-submissions-") as tmp, \
            throwaway_postgres(args.db_name, args.pg, keep=args.keep_db) as db_url:
        base_env = hotline_env(DATABASE_URL=db_url, HOTLINE_VAR_DIR=tmp,
                               REPORT_RATE_LIMIT="1000000000", LOG_LEVEL="WARNING")
        for name in ("WEB_CONCURRENCY", "WEB_THREADS"):
            value = getattr(args, name.lower())
            if value is not None:
                base_env[name] = str(value)
        hotline(["migrate", "--noinput", "-v0"], base_env)
        hotline(["portals", "import", "hotline/portals/demo/network.yaml"], base_env)
        hotline(["keys", "generate", "--if-missing"], base_env)
        import psycopg

        with psycopg.connect(db_url.replace("postgres://", "postgresql://", 1),
                             autocommit=True) as conn:
            conn.execute(CEILING_DDL)
            row = conn.execute("SELECT code, languages FROM portals_portal WHERE enabled "
                               "ORDER BY id LIMIT 1").fetchone()
        assert row is not None, "no portal imported"
        code, languages = row[0], row[1]
        lang = languages[0] if isinstance(languages, list) else "en"
        pg = postgres_version(db_url)
        workers = base_env.get("WEB_CONCURRENCY", "1")
        threads = base_env.get("WEB_THREADS", "8")
        print(f"portal /{code}/{lang}/, {pg}, gunicorn {workers}×{threads}", flush=True)

        env = dict(base_env, DJANGO_SETTINGS_MODULE="bench.ceiling_settings")
        port = free_port()
        proc = serve(env, port, Path(tmp) / "gunicorn.log")
        rounds: dict[str, list[Run]] = {"ceiling": [], "report": []}
        fixed: dict[str, Run] = {}
        try:
            base = f"http://127.0.0.1:{port}"
            targets = {"ceiling": (f"{base}/bench/ceiling/", b"ok"),
                       "report": (f"{base}/{code}/{lang}/report/", b'class="code"')}
            for k in range(args.rounds):
                for what, (url, check) in targets.items():
                    r = asyncio.run(load(url, check, f"closed{k}", args.concurrency,
                                         args.warmup, args.duration, what))
                    rounds[what].append(r)
                    print(f"round {k + 1}: {what} {r.rate:.1f}/s p50 {r.p(50):.1f} ms "
                          f"p99 {r.p(99):.1f} ms errors {dict(r.errors)}", flush=True)
            if args.rate:
                for what, (url, check) in targets.items():
                    r = asyncio.run(paced(url, check, "paced", args.rate, args.warmup,
                                          args.duration * args.rounds, what))
                    fixed[what] = r
                    print(f"fixed {args.rate:g}/s: {what} p50 {r.p(50):.1f} ms "
                          f"p99 {r.p(99):.1f} ms errors {dict(r.errors)}", flush=True)
        finally:
            stop(proc)
        report, ceiling = merge(rounds["report"]), merge(rounds["ceiling"])
        stored = pg_scalar(db_url, "SELECT count(*) FROM intake_report")
        tasks = pg_scalar(db_url, "SELECT count(*) FROM django_tasks_database_dbtaskresult")
        ceiling_rows = pg_scalar(db_url, "SELECT count(*) FROM bench_ceiling")
    total = time.perf_counter() - began

    marker = (f"submissions concurrency={args.concurrency} duration={args.duration:g} "
              f"rounds={args.rounds} rate={args.rate:g}")
    command = (f".venv/bin/python bench/submissions.py --concurrency {args.concurrency} "
               f"--duration {args.duration:g} --rounds {args.rounds} --warmup {args.warmup:g} "
               f"--rate {args.rate:g}")
    if args.web_concurrency or args.web_threads:
        command += f" --web-concurrency {workers} --web-threads {threads}"

    def row(label: str, r: Run, spread: bool = True) -> str:
        errors = sum(r.errors.values())
        shown = f"{errors}" + (f" ({', '.join(f'{k}: {v}' for k, v in r.errors.items())})"
                               if errors else "")
        span = "–".join(f"{x:,.1f}" for x in (min(r.round_rates), max(r.round_rates))) \
            if spread else "–"
        return (f"| {label} | {r.rate:,.1f} | {span} | {r.p(50):,.1f} | {r.p(99):,.1f} | "
                f"{r.completed:,} | {shown} | {r.client_cpu / r.seconds:.2f} |")

    head = ["| Endpoint | Requests/s | Rounds' range (/s) | p50 (ms) | p99 (ms) | Completed | "
            "Errors | Load generator CPU (cores) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    form_label = f"Report form, `POST /{code}/{lang}/report/`"
    ceiling_label = "Ceiling, `POST /bench/ceiling/` (one raw INSERT)"
    table = "\n".join([*head, row(form_label, report), row(ceiling_label, ceiling)])
    ratios = (f"throughput {ratio(report.rate, ceiling.rate)}, p50 latency "
              f"{ratio(report.p(50), ceiling.p(50))}, p99 latency "
              f"{ratio(report.p(99), ceiling.p(99))}")
    fixed_text = ""
    if fixed:
        paced_table = "\n".join([*head, row(form_label, fixed["report"], spread=False),
                                 row(ceiling_label, fixed["ceiling"], spread=False)])
        fixed_text = f"""
At a fixed rate of {args.rate:g} requests/s (open loop: each request goes out when due,
its latency counted from then; {args.duration * args.rounds:g} s measured per endpoint after
{args.warmup:g} s of warm-up):

{paced_table}

Ratios at {args.rate:g}/s, report form / ceiling: p50 latency
{ratio(fixed["report"].p(50), fixed["ceiling"].p(50))}, p99 latency
{ratio(fixed["report"].p(99), fixed["ceiling"].p(99))}.
"""
    rev = code_version()
    block = f"""<!-- {marker} -->
### {args.concurrency} connections, {args.rounds} × {args.duration:g} s per endpoint, then \
{args.rate:g}/s ({utc_stamp()})

Code: {rev}.
Command: `{command}` (total wall time {total:.0f} s, with set-up and {args.warmup:g} s of
warm-up before each measured run). Receipts: keyed HMAC-SHA-256, production settings (no
receipt cost setting applies any more). Each round runs the ceiling then the report form on
the same server; rates are all completed requests over all measured time, latencies are
pooled over the rounds.

Machine: {machine_line(django_version(), pg)} at the end, {load_before} at the start.
The machine is shared with other engineers running tests, so the figures are noisy:
compare the rows of this block with each other, not with other blocks. The load generator (one
asyncio process, httpx, keep-alive connections) runs on the same 2 cores as gunicorn and
PostgreSQL; its own CPU use is the last column.

Server: gunicorn with `hotline/gunicorn_conf.py` (gthread, {workers} worker × {threads} threads,
access log to a file), `DEBUG=0`, the database connection closed after each request (the
default `DATABASE_CONN_MAX_AGE=0`), `REPORT_RATE_LIMIT=1000000000` (one client address would
otherwise be refused after 20 reports an hour), no background worker (intake tasks are queued,
not run). Each report is one new URL on `*.example.test` with a port, percent-encoding and a
query, `content_kind=image` and a short "where found" (sealed), sent with
`Sec-Fetch-Site: same-origin`; a success is HTTP 200 with the receipt code on the page.

{args.concurrency} connections, back to back:

{table}

Ratios, report form / ceiling on the same server: {ratios}.
{fixed_text}
Stored: {stored:,} reports and {tasks:,} queued intake tasks (every successful post, warm-up
included), {ceiling_rows:,} ceiling rows.
<!-- /{marker} -->"""
    publish(block, marker, markdown=args.markdown, write=not args.no_write,
            title=SECTION_TITLE, intro=INTRO)


if __name__ == "__main__":
    main()

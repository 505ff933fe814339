"""Benchmark of the time from a public report to its case in the analyst queue (embedded setup).

Runs ``hotline serve`` (gunicorn with the project's gunicorn_conf.py, one ``hotline worker``
from django-tasks-db and the takedown tick) on a SQLite file in a temporary directory (migrated,
demo portals imported, sealing keys generated), posts N reports at a modest fixed rate with an
asyncio httpx client (each a fresh URL on ``*.example.test``), and watches the database for each
report's case link (``cases.CaseReport``, which is what puts the case in the queue) with a
read-only SQLite connection polled every few milliseconds. Baselines in the same run: the HTTP
submission alone (until the receipt page), and the worker's polling interval. Writes a section
to BENCHMARKS.md (replaced when re-run with the same --n and --rate).

With ``--captures nxdomain`` (part of the default run) every new case also queues its capture,
as in production, on the same single worker; DNS_RESOLVERS then points at a DNS server on
loopback that answers NXDOMAIN for every name, so each capture ends at the first lookup and
nothing leaves the machine.

    .venv/bin/python bench/intake_latency.py --n 200 --rate 2
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

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
    publish,
    ratio,
    sqlite_version,
    stop,
    utc_stamp,
    wait_http,
)

SECTION_TITLE = "## Intake latency: from a public report to the analyst queue (embedded)"
INTRO = f"""{SECTION_TITLE}

`bench/intake_latency.py` runs `hotline serve` (gunicorn with `hotline/gunicorn_conf.py`, one
`hotline worker` of django-tasks-db and the takedown tick, as `make run` does) on a SQLite file
in a temporary directory, posts reports at a fixed rate with an asyncio httpx client (each one
fresh URL on `*.example.test`, production receipt cost) and watches the database, with a
read-only connection polled every few milliseconds, for each report's case link
(`cases.CaseReport`): from then on the case is in the analyst queue. Baselines in the same
run: the HTTP submission alone (until the receipt page), and the worker's polling interval
(`hotline worker --interval`, default 0.25 s or `WORKER_INTERVAL`, which `hotline serve`
keeps): a worker with nothing to do sleeps that long before it looks again.
"""
WORKER_INTERVAL_S = 0.25  # `hotline worker` default (WORKER_INTERVAL), kept by `hotline serve`


@dataclass
class Sample:
    url: str
    t0: float  # wall clock (time.time) before the POST
    t1: float = 0.0  # after the receipt page
    error: str = ""
    seen: float = 0.0  # when the poller first saw the case link


@dataclass
class Phase:
    mode: str
    samples: list[Sample] = field(default_factory=list)
    timed_out: int = 0
    tasks: dict[str, list[float]] = field(default_factory=dict)  # from DBTaskResult rows
    captures: int = 0
    capture_errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def _epoch(text: str | None) -> float:
    if not text:
        return float("nan")
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.timestamp()


class Poller(threading.Thread):
    """Watch cases_casereport for new rows; note when each submitted address first appears."""

    def __init__(self, db: Path, interval: float) -> None:
        super().__init__(daemon=True)
        self.db, self.interval = db, interval
        self.seen: dict[str, float] = {}
        self.halt = threading.Event()
        self.polls = 0

    def run(self) -> None:
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)
        last = 0
        query = ("SELECT cr.id, a.submitted FROM cases_casereport cr "
                 "JOIN intake_reportedaddress a ON a.id = cr.address_id WHERE cr.id > ? "
                 "ORDER BY cr.id")
        try:
            while not self.halt.is_set():
                try:
                    rows = conn.execute(query, (last,)).fetchall()
                except sqlite3.OperationalError:  # busy or not migrated yet: try again
                    rows = []
                now = time.time()
                self.polls += 1
                for row_id, submitted in rows:
                    self.seen.setdefault(submitted, now)
                    last = max(last, row_id)
                self.halt.wait(self.interval)
        finally:
            conn.close()


async def submit_all(base: str, path: str, n: int, rate: float, mode: str) -> list[Sample]:
    """Open loop: one POST every 1/rate seconds, whatever the answers take."""
    import httpx

    samples: list[Sample] = []

    async def one(client: httpx.AsyncClient, i: int) -> None:
        url = f"https://Intake-{mode}-{i}.example.test/Gallery/{i}?page={i % 7}"
        sample = Sample(url=url, t0=time.time())
        samples.append(sample)
        try:
            response = await client.post(path, data={
                "urls": url, "content_kind": "image", "where_found": "a forum",
                "description": "", "contact": "", "website": ""},
                headers={"Sec-Fetch-Site": "same-origin"})
            if response.status_code not in (200, 302) or b'class="code"' not in response.content:
                sample.error = f"HTTP {response.status_code}"
        except httpx.HTTPError as e:
            sample.error = type(e).__name__
        sample.t1 = time.time()

    async with httpx.AsyncClient(base_url=base, timeout=60.0) as client:
        start = time.perf_counter()
        pending = []
        for i in range(n):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            pending.append(asyncio.create_task(one(client, i)))
        await asyncio.gather(*pending)
    return samples


def task_times(db: Path, since: float) -> tuple[dict[str, list[float]], int, Counter[str]]:
    """Queue wait and run time of the intake and capture tasks enqueued after since."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        rows = conn.execute("SELECT task_path, enqueued_at, started_at, finished_at "
                            "FROM django_tasks_database_dbtaskresult").fetchall()
        captures = conn.execute("SELECT error FROM lists_capture").fetchall()
    finally:
        conn.close()
    out: dict[str, list[float]] = {}
    for path, enq, start, end in rows:
        e, s, f = _epoch(enq), _epoch(start), _epoch(end)
        if e < since:
            continue
        kind = path.rsplit(".", 1)[-1]
        out.setdefault(f"{kind} wait", []).append(s - e)
        out.setdefault(f"{kind} run", []).append(f - s)
    return out, len(captures), Counter(err or "none" for (err,) in captures)


def run_phase(mode: str, args: argparse.Namespace, env: dict[str, str], db: Path, tmp: Path,
              code: str, lang: str) -> Phase:
    phase = Phase(mode)
    with ExitStack() as stack:
        env = dict(env)
        if mode == "off":
            env["CAPTURE_NEW_CASES"] = "0"
        else:
            from hotline.testing.dns import dns_server  # dnslib: a "test" extra

            port = stack.enter_context(dns_server({}))  # an empty zone: NXDOMAIN for all
            env.update(CAPTURE_NEW_CASES="1", DNS_RESOLVERS=f"127.0.0.1:{port}",
                       DNS_TIMEOUT="1")
        web = free_port()
        log = (tmp / f"serve-{mode}.log").open("ab")
        stack.callback(log.close)
        proc = subprocess.Popen([sys.executable, "-m", "hotline.cli", "serve", "--host",
                                 "127.0.0.1", "--port", str(web)], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        stack.callback(stop, proc)
        base = f"http://127.0.0.1:{web}"
        wait_http(f"{base}/", 60, proc)
        time.sleep(2.0)  # let the worker finish its start-up (it sleeps up to 1 s first)
        poller = Poller(db, args.poll_ms / 1e3)
        poller.start()
        since = time.time()
        t = time.perf_counter()
        phase.samples = asyncio.run(submit_all(base, f"/{code}/{lang}/report/", args.n,
                                               args.rate, mode))
        deadline = time.time() + args.timeout
        want = {s.url for s in phase.samples if not s.error}
        while time.time() < deadline and not want <= poller.seen.keys():
            time.sleep(0.05)
        phase.seconds = time.perf_counter() - t
        poller.halt.set()
        poller.join()
        for s in phase.samples:
            s.seen = poller.seen.get(s.url, 0.0)
        phase.timed_out = len(want - poller.seen.keys())
        time.sleep(1.5)  # captures queued by the last cases
    phase.tasks, phase.captures, phase.capture_errors = task_times(db, since)
    return phase


def stats_ms(values: list[float]) -> tuple[float, float, float]:
    return (percentile(values, 50) * 1e3, percentile(values, 99) * 1e3,
            max(values) * 1e3 if values else float("nan"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200, help="reports per phase")
    ap.add_argument("--rate", type=float, default=2.0, help="reports per second (open loop)")
    ap.add_argument("--captures", default="off,nxdomain",
                    help="phases, comma-separated: off (CAPTURE_NEW_CASES=0), nxdomain")
    ap.add_argument("--poll-ms", type=float, default=10.0, help="database poll interval")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="seconds to wait for the last cases after the last report")
    ap.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument("--no-write", action="store_true", help="print only, leave BENCHMARKS.md")
    args = ap.parse_args()

    began = time.perf_counter()
    load_before = loadavg()
    modes = [m.strip() for m in args.captures.split(",") if m.strip()]
    phases: list[Phase] = []
    with tempfile.TemporaryDirectory(prefix="hotline-bench-intake-") as tmpdir:
        tmp = Path(tmpdir)
        db = tmp / "hotline.sqlite3"
        env = hotline_env(DATABASE_URL=f"sqlite:///{db}", HOTLINE_VAR_DIR=str(tmp),
                          REPORT_RATE_LIMIT="1000000000")
        hotline(["migrate", "--noinput", "-v0"], env)
        hotline(["portals", "import", "hotline/portals/demo/network.yaml"], env)
        hotline(["keys", "generate", "--if-missing"], env)
        with sqlite3.connect(db) as conn:
            code, languages = conn.execute("SELECT code, languages FROM portals_portal "
                                           "WHERE enabled ORDER BY id LIMIT 1").fetchone()
        lang = languages.split('"')[1] if '"' in languages else "en"
        for mode in modes:
            phase = run_phase(mode, args, env, db, tmp, code, lang)
            phases.append(phase)
            ok = [s for s in phase.samples if not s.error and s.seen]
            http = [s.t1 - s.t0 for s in ok]
            queue = [s.seen - s.t0 for s in ok]
            print(f"{mode}: {len(ok)} seen, http p50 {percentile(http, 50) * 1e3:.0f} ms, "
                  f"to queue p50 {percentile(queue, 50) * 1e3:.0f} ms p99 "
                  f"{percentile(queue, 99) * 1e3:.0f} ms, timed out {phase.timed_out}, "
                  f"errors {Counter(s.error for s in phase.samples if s.error)}", flush=True)
    total = time.perf_counter() - began

    marker = f"intake_latency n={args.n} rate={args.rate:g}"
    command = (f".venv/bin/python bench/intake_latency.py --n {args.n} --rate {args.rate:g} "
               f"--captures {args.captures} --poll-ms {args.poll_ms:g}")
    names = {"off": "captures off (`CAPTURE_NEW_CASES=0`)",
             "nxdomain": "captures on, each ends at NXDOMAIN (loopback DNS)"}
    lines = ["| Phase | Measure | p50 (ms) | p99 (ms) | max (ms) | Count |",
             "|---|---|---:|---:|---:|---:|"]
    ratios = []
    notes = []
    for phase in phases:
        ok = [s for s in phase.samples if not s.error and s.seen]
        http = [s.t1 - s.t0 for s in ok]
        queue = [s.seen - s.t0 for s in ok]
        after = [s.seen - s.t1 for s in ok]
        name = names.get(phase.mode, phase.mode)
        for label, values in (("**Submission → case in the queue**", queue),
                              ("Baseline: HTTP submission alone (receipt page)", http),
                              ("Receipt page → case in the queue", after)):
            p50, p99, mx = stats_ms(values)
            lines.append(f"| {name} | {label} | {p50:,.0f} | {p99:,.0f} | {mx:,.0f} | "
                         f"{len(values):,} |")
        order = ["intake_report wait", "intake_report run", "capture_case wait",
                 "capture_case run"]
        for key in sorted(phase.tasks, key=lambda k: [*order, k].index(k)):
            what = {"intake_report wait": "intake task: enqueued → started (queue wait)",
                    "intake_report run": "intake task: started → finished",
                    "capture_case wait": "capture task: enqueued → started",
                    "capture_case run": "capture task: started → finished"}.get(key, key)
            p50, p99, mx = stats_ms(phase.tasks[key])
            lines.append(f"| {name} | {what} | {p50:,.0f} | {p99:,.0f} | {mx:,.0f} | "
                         f"{len(phase.tasks[key]):,} |")
        errors = Counter(s.error for s in phase.samples if s.error)
        q50, h50 = percentile(queue, 50), percentile(http, 50)
        ratios.append(f"{name}: submission → queue / HTTP alone {ratio(q50, h50)} at p50, "
                      f"{ratio(percentile(queue, 99), percentile(http, 99))} at p99; "
                      f"receipt page → queue p50 / worker interval "
                      f"{ratio(percentile(after, 50), WORKER_INTERVAL_S)}")
        notes.append(f"{name}: {len(phase.samples):,} posted in {phase.seconds:.0f} s, "
                     f"{sum(errors.values())} failed{f' {dict(errors)}' if errors else ''}, "
                     f"{phase.timed_out} never reached the queue within {args.timeout:g} s"
                     + (f", {phase.captures:,} captures recorded "
                        f"({', '.join(f'{k}: {v}' for k, v in phase.capture_errors.items())})"
                        if phase.mode != "off" else ""))
    table = "\n".join(lines)
    rev = code_version()
    block = f"""<!-- {marker} -->
### {args.n:,} reports at {args.rate:g} per second, SQLite, `hotline serve` ({utc_stamp()})

Command: `{command}` (total wall time {total:.0f} s).
Code: {rev}.

Machine: {machine_line(django_version(), sqlite_version())} at the end, {load_before} at the
start. The machine is shared with another engineer running tests, so the figures are noisy:
compare the rows of this block with each other. The client and the poller run on the same 2
cores as gunicorn (1 worker × 8 threads), the task worker and the takedown tick.

Setup: a SQLite file in a temporary directory (WAL), production receipt cost (Argon2id, 3 passes
over 64 MiB), `REPORT_RATE_LIMIT=1000000000`; reports are posted open-loop every
{1 / args.rate:.2f} s; "in the queue" is the first poll (every {args.poll_ms:g} ms, so up to
that much late) that sees the report's `cases.CaseReport` row. Task times come from
django-tasks-db's `enqueued_at`/`started_at`/`finished_at`.

{table}

Ratios: {'; '.join(ratios)} (worker interval {WORKER_INTERVAL_S:g} s: an idle worker sleeps
that long between looks at the queue, so at this rate a report waits on average about half of
it). {'; '.join(notes)}.
<!-- /{marker} -->"""
    publish(block, marker, markdown=args.markdown, write=not args.no_write,
            title=SECTION_TITLE, intro=INTRO)


if __name__ == "__main__":
    main()

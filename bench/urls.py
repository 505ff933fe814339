"""Benchmark of URL canonicalisation and of URL lookups against a 10-million-entry URL list.

(a) Throughput of ``hotline.lib.urlcanon.canonicalise`` over a generated corpus of benign
addresses on reserved names (``*.example.test``, documentation IPs): mixed case, ports,
percent-encoding, IDNs, queries, fragments, dot segments, no scheme, defanged and wrapped
forms. Baselines in the same process on the same strings: ``ada_url.URL(...).href`` (the
WHATWG parse the canonicaliser is built on) and ``urllib.parse.urlsplit``.

(b) The URL list at N entries (10 million by default): closed, confirmed cases and their
``lists.UrlListEntry`` rows seeded with raw ``executemany`` into a throwaway SQLite file (the
indexes the migrations create are dropped for the load and rebuilt after it). The project has
no server-side "is this URL listed" function: members download the list (or its hashed
variants) and match locally. So this times, through the ORM, the per-URL query the product
does run (intake's ``case_attach``: canonicalise, ``url_digest``, ``Case`` by ``url_sha256``),
the same digest joined to the list entry, and the entry by its URL text (no index: a scan, on a
few queries only), for listed URLs (hits, typed differently from the stored form) and unlisted
ones (misses). Baselines in the same process: membership of the same digests in a Python set,
and primary-key lookups. Writes a section to BENCHMARKS.md (replaced when re-run with the same
--n and --corpus).

    .venv/bin/python bench/urls.py --n 10000000 --corpus 200000
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import re
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (
    ROOT,
    code_version,
    django_version,
    loadavg,
    machine_line,
    percentile,
    postgres_version,
    publish,
    ratio,
    sqlite_version,
    throwaway_postgres,
    utc_stamp,
)

SECTION_TITLE = "## URLs: canonicalisation throughput and lookups on a 10-million-entry list"
INTRO = f"""{SECTION_TITLE}

`bench/urls.py` (a) runs `hotline.lib.urlcanon.canonicalise` over a generated corpus of benign
addresses on reserved names (mixed case, ports, percent-encoding, IDNs, queries, fragments, no
scheme, defanged and wrapped forms), against `ada_url.URL(...).href` and
`urllib.parse.urlsplit` on the same strings in the same process; (b) seeds N confirmed cases
and their URL list entries (`lists.UrlListEntry`) into a throwaway SQLite file (or, with
`--db postgres`, a throwaway PostgreSQL database, loaded with `COPY`) and times per-URL lookups
through the ORM. The project has no server-side "is this URL listed"
function (members download the list or its hashed variants and match locally, README "Lists"),
so (b) measures the per-URL query the product does run, intake's `case_attach` lookup
(`Case` by `url_sha256` of the canonical URL), the same digest joined to the list entry, and
the entry by its URL text, which has no index; baselines: the same digests in a Python `set`,
and primary-key lookups.
"""

TLDS_RESERVED = ["example.test", "shop.example.test", "files.example.test", "example.invalid"]
IDN_LABELS = ["bücher", "пример", "例え", "café", "straße", "ελληνικά", "münchen"]
WORDS = ["gallery", "img", "Photos", "view", "album", "page", "index.html", "a b", "x.php",
         "Caf%C3%A9", "%7Euser", "..", ".", "dl", "thread", "p"]


# --- (a) the corpus ---------------------------------------------------------------------------

def corpus(n: int, rng: random.Random) -> list[str]:
    """n distinct benign addresses, written the many ways people paste them."""
    out = []
    for i in range(n):
        kind = rng.random()
        if kind < 0.06:
            host = f"192.0.2.{i % 254 + 1}"
        elif kind < 0.09:
            host = f"[2001:db8::{i % 65535:x}]"
        elif kind < 0.22:
            host = f"{rng.choice(IDN_LABELS)}{i % 50}.{rng.choice(TLDS_RESERVED)}"
        else:
            sub = rng.choice(["", "www.", "cdn.", "m.", "a.b."])
            host = f"{sub}site{i % 5000}.{rng.choice(TLDS_RESERVED)}"
        if rng.random() < 0.4:  # mixed case
            host = "".join(c.upper() if rng.random() < 0.3 else c for c in host)
        if rng.random() < 0.15:
            host += rng.choice([":8080", ":443", ":80", ":8443", ":3000"])
        path = "/".join(rng.choice(WORDS) for _ in range(rng.randrange(0, 4)))
        path = f"/{path}/{i}" if path else f"/{i}"
        query = ""
        if rng.random() < 0.45:
            query = "?" + "&".join(f"{rng.choice(['q', 'id', 'utm_source', 'Page', 's'])}="
                                   f"{rng.choice(['1', 'abc', '%41%42', 'x%2Fy', 'caf%c3%a9'])}"
                                   for _ in range(rng.randrange(1, 4)))
        frag = "#top" if rng.random() < 0.1 else ""
        scheme = rng.choices(["https://", "http://", "HTTPS://", "", "//", "hxxp://"],
                             [45, 25, 5, 18, 2, 5])[0]
        text = f"{scheme}{host}{path}{query}{frag}"
        if scheme == "hxxp://":
            text = text.replace(".", "[.]", 1)
        wrap = rng.random()
        if wrap < 0.05:
            text = f"<{text}>"
        elif wrap < 0.1:
            text = f"{text}."
        elif wrap < 0.12:
            text = f"  {text}\u200b "
        out.append(text)
    return out


def with_scheme(text: str) -> str:
    """The baseline parsers' input: the same string, with http:// when it has no scheme."""
    text = text.strip().strip("<>").rstrip(".").replace("\u200b", "").strip()
    text = text.replace("hxxp://", "http://").replace("[.]", ".")
    if text.startswith("//"):
        return "http:" + text
    head = text.split("/", 1)[0]
    return text if head.endswith(":") and "." not in head else "http://" + text


def best_rate(fn: Callable[[Sequence[str]], int], items: Sequence[str], repeat: int
              ) -> tuple[float, int]:
    """Best items/s over repeat passes, and what fn counted (failures)."""
    best, counted = float("inf"), 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        counted = fn(items)
        best = min(best, time.perf_counter() - t0)
    return len(items) / best, counted


def part_a(n: int, repeat: int, seed: int) -> list[tuple[str, float, int, str]]:
    from urllib.parse import urlsplit

    from ada_url import URL

    from hotline.lib.urlcanon import InvalidURL, canonicalise, registrable_domain
    from hotline.lists.variants import lookup_keys

    rng = random.Random(seed)  # noqa: S311
    texts = corpus(n, rng)
    schemed = [with_scheme(t) for t in texts]
    canonicalise("https://warm.example.test/")  # loads the public suffix list once
    hosts = []
    for t in texts[: min(n, 50_000)]:
        try:
            hosts.append(canonicalise(t).host)
        except InvalidURL:
            pass

    def canon(items: Sequence[str]) -> int:
        bad = 0
        for t in items:
            try:
                canonicalise(t)
            except InvalidURL:
                bad += 1
        return bad

    def ada(items: Sequence[str]) -> int:
        bad = 0
        for t in items:
            try:
                URL(t).href  # noqa: B018
            except ValueError:
                bad += 1
        return bad

    def split(items: Sequence[str]) -> int:
        bad = 0
        for t in items:
            try:
                urlsplit(t).hostname  # noqa: B018
            except ValueError:
                bad += 1
        return bad

    def domains(items: Sequence[str]) -> int:
        for h in items:
            registrable_domain(h)
        return 0

    def keys(items: Sequence[str]) -> int:
        bad = 0
        for t in items:
            try:
                lookup_keys(t)
            except InvalidURL:
                bad += 1
        return bad

    rows = []
    for label, fn, items, note in (
        ("`canonicalise` (the product's canonicaliser)", canon, texts, "raw corpus"),
        ("Baseline: `ada_url.URL(s).href`", ada, schemed, "corpus with http:// added where "
         "there is no scheme"),
        ("Baseline: `urllib.parse.urlsplit(s).hostname`", split, schemed, "same as ada"),
        ("Part of canonicalise: `registrable_domain(host)` (tldextract)", domains, hosts,
         f"{len(hosts):,} canonical hosts"),
        ("Member side: `lists.variants.lookup_keys` (SHA-256 of every variant)", keys,
         texts[: max(1, n // 10)], f"first {max(1, n // 10):,} of the corpus"),
    ):
        rate, failed = best_rate(fn, items, repeat)
        rows.append((label, rate, failed, note))
        print(f"{label}: {rate:,.0f}/s ({failed} failed)", flush=True)
    return rows


# --- (b) the list -----------------------------------------------------------------------------

def stored_url(i: int) -> str:
    """The canonical URL of list entry i."""
    return f"https://h{i % 100_003}.example.test/p/{i}/page.html"


def typed_url(i: int) -> str:
    """How someone would paste listed URL i: upper case, default port, wrapped."""
    return f"<HTTPS://H{i % 100_003}.Example.TEST:443/p/{i}/page.html#x>"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def seed(path: Path, n: int, batch: int) -> tuple[set[str], dict[str, float]]:
    """Cases and list entries 1..n with raw executemany; the migrations' indexes are dropped
    first and rebuilt after. Returns the set of digests (the baseline) and timings."""
    keys: set[str] = set()
    times: dict[str, float] = {}
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")  # 256 MiB
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL AND "
        "tbl_name IN ('cases_case', 'lists_urllistentry')").fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    case_sql = (
        "INSERT INTO cases_case (id, url, url_sha256, host, registrable_domain, status, "
        "verdict, classification, confirmed, dedicated_site, known_content, report_count, "
        "first_reported, last_reported, closed_at, created) VALUES "
        "(?, ?, ?, ?, 'example.test', 'closed', 'csam', '{}', 1, 0, 0, 1, ?, ?, ?, ?)")
    entry_sql = ("INSERT INTO lists_urllistentry (id, case_id, url, domain, whole_domain, "
                 "active, added_at) VALUES (?, ?, ?, ?, 0, 1, ?)")
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    for start in range(1, n + 1, batch):
        cases, entries = [], []
        for i in range(start, min(n + 1, start + batch)):
            url = stored_url(i)
            digest = sha(url)
            keys.add(digest)
            host = f"h{i % 100_003}.example.test"
            cases.append((i, url, digest, host, now, now, now, now))
            entries.append((i, i, url, host, now))
        conn.executemany(case_sql, cases)
        conn.executemany(entry_sql, entries)
        if start // batch % 20 == 0:
            print(f"  seeded {min(n, start + batch - 1):,} in "
                  f"{time.perf_counter() - t0:.0f} s", flush=True)
    conn.execute("COMMIT")
    times["rows"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _name, sql in indexes:
        conn.execute(sql)
    times["indexes"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    conn.execute("ANALYZE")
    times["analyze"] = time.perf_counter() - t0
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    return keys, times


def seed_postgres(url: str, n: int, batch: int) -> tuple[set[str], dict[str, float]]:
    """The same rows with COPY; indexes that back no constraint are dropped first and rebuilt
    after, and foreign-key triggers are off for the load (session_replication_role=replica:
    the rows are consistent by construction)."""
    import psycopg

    keys: set[str] = set()
    times: dict[str, float] = {}
    now = dt.datetime.now(dt.UTC)
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET maintenance_work_mem = '512MB'")
        indexes = conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename IN "
            "('cases_case', 'lists_urllistentry') AND NOT EXISTS (SELECT 1 FROM pg_constraint "
            "c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || "
            "quote_ident(i.indexname))::regclass)").fetchall()
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        t0 = time.perf_counter()
        case_cols = ("id, url, url_sha256, host, registrable_domain, status, verdict, "
                     "classification, confirmed, dedicated_site, known_content, report_count, "
                     "first_reported, last_reported, closed_at, created")
        with conn.cursor() as cur:
            with cur.copy(f"COPY cases_case ({case_cols}) FROM STDIN") as copy:
                for i in range(1, n + 1):
                    u = stored_url(i)
                    digest = sha(u)
                    keys.add(digest)
                    copy.write_row((i, u, digest, f"h{i % 100_003}.example.test",
                                    "example.test", "closed", "csam", "{}", True, False, False,
                                    1, now, now, now, now))
                    if i % (20 * batch) == 0:
                        print(f"  copied {i:,} cases in {time.perf_counter() - t0:.0f} s",
                              flush=True)
            with cur.copy("COPY lists_urllistentry (id, case_id, url, domain, whole_domain, "
                          "active, added_at) FROM STDIN") as copy:
                for i in range(1, n + 1):
                    copy.write_row((i, i, stored_url(i), f"h{i % 100_003}.example.test",
                                    False, True, now))
        conn.commit()
        times["rows"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _name, sql in indexes:
            conn.execute(sql)
        conn.commit()
        times["indexes"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        conn.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), %s)", [n])
        conn.execute("SELECT setval(pg_get_serial_sequence('lists_urllistentry', 'id'), %s)",
                     [n])
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE cases_case")
        conn.execute("VACUUM ANALYZE lists_urllistentry")
        times["analyze"] = time.perf_counter() - t0
    return keys, times


def timed(fn: Callable[[str], Any], items: Sequence[Any], expect: bool | None
          ) -> tuple[float, float, float, int]:
    """lookups/s over all items, p50 and p99 of one call (µs), and answers that were wrong."""
    lat = []
    wrong = 0
    t_all = time.perf_counter()
    for item in items:
        t0 = time.perf_counter()
        found = fn(item)
        lat.append(time.perf_counter() - t0)
        if expect is not None and bool(found) != expect:
            wrong += 1
    total = time.perf_counter() - t_all
    return len(items) / total, percentile(lat, 50) * 1e6, percentile(lat, 99) * 1e6, wrong


def part_b(n: int, queries: int, scans: int, batch: int, tmp: Path, seed_value: int
           ) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection, reset_queries

    call_command("migrate", verbosity=0)
    connection.close()
    t0 = time.perf_counter()
    if connection.vendor == "sqlite":
        db = Path(connection.settings_dict["NAME"])
        keys, times = seed(db, n, batch)
        size = db.stat().st_size
    else:
        keys, times = seed_postgres(os.environ["DATABASE_URL"], n, batch)
        with connection.cursor() as c:
            c.execute("SELECT pg_database_size(current_database())")
            size = c.fetchone()[0]
    times["total"] = time.perf_counter() - t0
    print(f"seeded {n:,} cases and entries in {times['total']:.0f} s "
          f"({size / 1e9:.2f} GB)", flush=True)

    from hotline.cases.models import Case, url_digest
    from hotline.lib.urlcanon import canonicalise
    from hotline.lists.models import UrlListEntry

    rng = random.Random(seed_value)  # noqa: S311
    hit_ids = [rng.randrange(1, n + 1) for _ in range(queries)]
    hits = [typed_url(i) for i in hit_ids]
    misses = [typed_url(n + 1 + rng.randrange(0, 10 * n)) for _ in range(queries)]

    def intake_lookup(text: str) -> Any:  # hotline.cases.services.case_attach's queries
        digest = url_digest(canonicalise(text).url)
        found = (Case.objects.filter(url_sha256=digest).exclude(status=Case.Status.CLOSED)
                 .first())
        if found is None:
            found = (Case.objects.filter(url_sha256=digest, status=Case.Status.CLOSED)
                     .order_by("-closed_at").first())
        return found

    def listed_by_digest(text: str) -> bool:
        digest = url_digest(canonicalise(text).url)
        return UrlListEntry.objects.filter(active=True, case__url_sha256=digest).exists()

    def listed_by_text(text: str) -> bool:
        return UrlListEntry.objects.filter(active=True, url=canonicalise(text).url).exists()

    def in_set(text: str) -> bool:
        return url_digest(canonicalise(text).url) in keys

    hit_digests = [sha(stored_url(i)) for i in hit_ids]
    miss_digests = [url_digest(canonicalise(t).url) for t in misses]

    def pk_orm(i: int) -> bool:
        return UrlListEntry.objects.filter(pk=i).exists()

    cursor = connection.cursor()

    def pk_raw(i: int) -> bool:
        cursor.execute("SELECT 1 FROM lists_urllistentry WHERE id = %s", [i])
        return cursor.fetchone() is not None

    def digest_raw(d: str) -> bool:
        cursor.execute("SELECT 1 FROM cases_case WHERE url_sha256 = %s LIMIT 1", [d])
        return cursor.fetchone() is not None

    miss_ids = [n + 1 + i for i in range(queries)]
    reset_queries()
    # Warm the page cache and the connection the same way for every method: one pass first.
    for fn, items in ((listed_by_digest, hits[:1000]), (intake_lookup, misses[:1000]),
                      (pk_raw, hit_ids[:1000])):
        for item in items:
            fn(item)
    rows = []
    plan = [
        ("Intake's URL query (`case_attach`): canonicalise, `url_digest`, `Case` by "
         "`url_sha256` (open, then closed)", intake_lookup, hits, misses, queries),
        ("List membership: canonicalise, digest, `UrlListEntry` joined to `Case.url_sha256`, "
         "`.exists()`", listed_by_digest, hits, misses, queries),
        ("List membership by URL text: `UrlListEntry.objects.filter(active=True, url=...)` "
         "(no index on `url`)", listed_by_text, hits[:scans], misses[:scans], scans),
        ("Baseline: canonicalise, digest, Python `set` of the same {n:,} digests", in_set,
         hits, misses, queries),
        ("Baseline: digest in the Python `set` alone", lambda d: d in keys, hit_digests,
         miss_digests, queries),
        ("Baseline: raw SQL `SELECT 1 FROM cases_case WHERE url_sha256 = ?`", digest_raw,
         hit_digests, miss_digests, queries),
        ("Baseline: primary key, raw SQL `SELECT 1 ... WHERE id = ?`", pk_raw, hit_ids,
         miss_ids, queries),
        ("Baseline: primary key, ORM `UrlListEntry.objects.filter(pk=...).exists()`", pk_orm,
         hit_ids, miss_ids, queries),
    ]
    for label, fn, h, m, count in plan:
        label = label.replace("{n:,}", f"{n:,}")
        hit = timed(fn, h[:count], True)
        miss = timed(fn, m[:count], False)
        rows.append((label, count, hit, miss))
        print(f"{label}: hit {hit[0]:,.0f}/s p50 {hit[1]:.0f} µs p99 {hit[2]:.0f} µs; "
              f"miss {miss[0]:,.0f}/s p50 {miss[1]:.0f} µs p99 {miss[2]:.0f} µs; wrong "
              f"{hit[3] + miss[3]}", flush=True)
    cursor.close()
    digest = hit_digests[0]
    plans = {
        "intake, open case": Case.objects.filter(url_sha256=digest).exclude(
            status=Case.Status.CLOSED).order_by("-id")[:1],
        "intake, closed case": Case.objects.filter(
            url_sha256=digest, status=Case.Status.CLOSED).order_by("-closed_at")[:1],
        "list by digest": UrlListEntry.objects.filter(active=True, case__url_sha256=digest),
        "list by URL text": UrlListEntry.objects.filter(active=True, url=stored_url(1)),
    }
    plan_text = {}
    for name, qs in plans.items():
        sql, params = qs.query.sql_with_params()
        explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        with connection.cursor() as c:
            c.execute(explain + sql, params)
            steps = [re.sub(r"\s*\(cost=[^)]*\)", "", str(row[-1])).strip(" ->")
                     for row in c.fetchall()]
            if connection.vendor != "sqlite":  # only the scans: which index, or none
                steps = [x for x in steps if "Scan" in x]
            plan_text[name] = " / ".join(steps)
    return {"rows": rows, "times": times, "size": size, "plan": plan_text}


def rss_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django(path: Path, url: str | None = None) -> None:
    os.environ["DATABASE_URL"] = url or f"sqlite:///{path}"
    os.environ.setdefault("HOTLINE_VAR_DIR", str(path.parent))
    os.environ["STATIC_MANIFEST"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "hotline.settings"
    import django

    django.setup()


def part_a_text(a_rows: list[tuple[str, float, int, str]], corpus_n: int) -> str:
    canon_rate = a_rows[0][1]
    a_lines = ["| (a) Function | Input | URLs/s (best of the passes) | µs per URL | Failed |",
               "|---|---|---:|---:|---:|"]
    for label, rate, failed, note in a_rows:
        a_lines.append(f"| {label} | {note} | {rate:,.0f} | {1e6 / rate:,.1f} | {failed:,} |")
    a_ratio = (f"canonicalise / ada-url parse: {ratio(a_rows[1][1], canon_rate)} slower "
               f"({ratio(canon_rate, a_rows[1][1])} of its throughput); / urlsplit: "
               f"{ratio(a_rows[2][1], canon_rate)} slower")
    table = "\n".join(a_lines)
    return f"""{table}

Ratios: {a_ratio}. The corpus: {corpus_n:,} distinct addresses on `*.example.test`,
`*.example.invalid`, 192.0.2.0/24 and 2001:db8::/32; 13 % IDN hosts, 40 % mixed-case hosts,
15 % with a port, 45 % with a query (percent-encoded parts), 10 % with a fragment, 18 % without a
scheme, 5 % defanged (`hxxp://`, `[.]`), 12 % wrapped or with trailing punctuation or spaces.
The baselines parse the same strings with `http://` added where there is none, the wrapping
and defanging undone beforehand (outside the timing); they do not lower-case percent escapes,
drop fragments and default ports' leftovers, or find the registrable domain."""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=int, default=200_000, help="addresses in part (a)")
    ap.add_argument("--repeat", type=int, default=3, help="passes over the corpus (best kept)")
    ap.add_argument("--n", type=int, default=10_000_000, help="URL list entries in part (b)")
    ap.add_argument("--queries", type=int, default=10_000, help="hits and as many misses")
    ap.add_argument("--scan-queries", type=int, default=3,
                    help="queries for the unindexed lookup by URL text (each scans the table)")
    ap.add_argument("--batch", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--skip-a", action="store_true", help="part (b) only")
    ap.add_argument("--skip-b", action="store_true", help="part (a) only")
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite",
                    help="part (b): a SQLite file in a temporary directory, or a throwaway "
                         "PostgreSQL database (--db-name, dropped at the end)")
    ap.add_argument("--db-name", default="bench_urls")
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres",
                    help="server to create the throwaway database on")
    ap.add_argument("--tmpdir", type=Path, default=None)
    ap.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument("--no-write", action="store_true", help="print only, leave BENCHMARKS.md")
    args = ap.parse_args()

    began = time.perf_counter()
    load_before = loadavg()
    with ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="hotline-bench-urls-",
                                                              dir=args.tmpdir))
        url = None
        if args.db == "postgres" and not args.skip_b:
            url = stack.enter_context(throwaway_postgres(args.db_name, args.pg))
        setup_django(Path(tmp) / "urls.sqlite3", url)
        t0 = time.perf_counter()
        a_rows = [] if args.skip_a else part_a(args.corpus, args.repeat, args.seed)
        a_time = time.perf_counter() - t0
        b = None if args.skip_b else part_b(args.n, args.queries, args.scan_queries,
                                            args.batch, Path(tmp), args.seed)
        from importlib.metadata import version

        versions = (django_version(), postgres_version(url) if url else sqlite_version(),
                    f"ada-url {version('ada-url')}", f"tldextract {version('tldextract')}")
        env = machine_line(*versions)
        if url:
            from django.db import connection

            connection.close()
    total = time.perf_counter() - began

    db_name = "PostgreSQL" if args.db == "postgres" else "SQLite"
    marker = (f"urls db={args.db} n={0 if args.skip_b else args.n} "
              f"corpus={0 if args.skip_a else args.corpus}")
    command = (f".venv/bin/python bench/urls.py --db {args.db} --n {args.n} "
               f"--corpus {args.corpus} --repeat {args.repeat} --queries {args.queries} "
               f"--scan-queries {args.scan_queries} --seed {args.seed}"
               + (" --skip-a" if args.skip_a else "") + (" --skip-b" if args.skip_b else ""))
    a_text = "(a) skipped (--skip-a)."
    if a_rows:
        a_text = part_a_text(a_rows, args.corpus)
    b_text = "(b) skipped (--skip-b)."
    if b is not None:
        t = b["times"]
        b_lines = ["| (b) Lookup | Queries (hit + miss) | Hits/s | Hit p50 (µs) | Hit p99 (µs) "
                   "| Misses/s | Miss p50 (µs) | Miss p99 (µs) | Wrong answers |",
                   "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for label, count, hit, miss in b["rows"]:
            b_lines.append(f"| {label} | {count:,} + {count:,} | {hit[0]:,.0f} | {hit[1]:,.0f} "
                           f"| {hit[2]:,.0f} | {miss[0]:,.0f} | {miss[1]:,.0f} | "
                           f"{miss[2]:,.0f} | {hit[3] + miss[3]} |")
        rows = b["rows"]
        intake, listed, scan, set_full, _set_alone, raw_digest, _pk_raw, pk_orm = rows

        def r(a: Any, c: Any, k: int) -> str:
            return ratio(c[k][1], a[k][1])  # p50 of a / p50 of c

        b_table = "\n".join(b_lines)
        analyze = "VACUUM ANALYZE" if args.db == "postgres" else "ANALYZE"
        b_text = f"""{b_table}

Seeding {args.n:,} closed, confirmed cases and as many active list entries (one URL each,
`https://hN.example.test/p/I/page.html` over 100,003 host names): rows {t['rows']:.0f} s,
rebuilding the migrations' indexes {t['indexes']:.0f} s, `{analyze}` {t['analyze']:.0f} s;
database {b['size'] / 1e9:.2f} GB (it fits in the page cache: the lookups run warm).
Hits are listed URLs typed differently from the stored form (`<HTTPS://H1.Example.TEST:443/…#x>`);
misses are unlisted URLs of the same shape. Ratios of p50 latency, hits (misses): intake's
query / raw digest query {r(raw_digest, intake, 2)} ({r(raw_digest, intake, 3)}); list
membership by digest / Python set with the same canonicalisation
{r(set_full, listed, 2)} ({r(set_full, listed, 3)}); list membership by digest /
ORM primary-key lookup {r(pk_orm, listed, 2)} ({r(pk_orm, listed, 3)}); by URL text
(scan) / by digest {r(listed, scan, 2)} ({r(listed, scan, 3)}). Query plans
({args.db}): {'; '.join(f"{k}: `{v}`" for k, v in b['plan'].items())}."""
    where = (", PostgreSQL in its own processes on the same cores (TCP on loopback)"
             if args.db == "postgres" and b is not None else " (SQLite runs inside it)")
    rev = code_version()
    title = "; ".join(([] if args.skip_a else [f"{args.corpus:,}-address corpus"])
                      + ([] if args.skip_b else [f"{args.n:,} list entries, {db_name}"]))
    block = f"""<!-- {marker} -->
### {title} ({utc_stamp()})

Code: {rev}.
Command: `{command}` (total wall time {total:.0f} s; part (a) {a_time:.0f} s; peak RSS
{rss_peak_mb():,.0f} MB, mostly the Python set of the baseline).

Machine: {env} at the end, {load_before} at the start. The machine is shared with another
engineer running tests, so the figures are noisy: compare the rows of this block with each
other. The benchmark is one single-threaded process{where}.

{a_text}

{b_text}
<!-- /{marker} -->"""
    publish(block, marker, markdown=args.markdown, write=not args.no_write,
            title=SECTION_TITLE, intro=INTRO)


if __name__ == "__main__":
    main()

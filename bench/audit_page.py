"""Benchmark of the audit page (/staff/audit/) on a large audit log.

Seeds N keyed audit entries (a valid HMAC chain, computed here, inserted with raw executemany)
into a throwaway SQLite file or PostgreSQL database (``--database postgres``: created and
dropped by the script), then times the page over HTTP (Django's test client, a verified
administrator, rendered) with the signed checkpoint at the head, some entries behind it, and
absent, against the baseline in the same run: the page as it was before (commit 58984fd),
which walked and re-hashed the whole chain on every view. Also times ``hotline audit verify``'s
full walk and the tick's audit job when nothing is due. Writes a section to BENCHMARKS.md
(replaced when re-run with the same --n and database).

    .venv/bin/python bench/audit_page.py --n 1000000
    .venv/bin/python bench/audit_page.py --n 1000000 --database postgres
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest.mock import patch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (
    PG_BASE_URL,
    code_version,
    django_version,
    loadavg,
    machine_line,
    postgres_version,
    publish,
    ratio,
    sqlite_version,
    throwaway_postgres,
    utc_stamp,
)
from bench.figures import best, setup_django

ROOT = Path(__file__).resolve().parent.parent
SECTION_TITLE = "## Audit page: the chain's state on a large audit log"
INTRO = f"""{SECTION_TITLE}

`bench/audit_page.py` seeds N keyed audit entries (a valid HMAC-SHA-256 chain) into a throwaway
SQLite file or PostgreSQL database, then times `/staff/audit/` over HTTP (Django's test client,
a verified administrator, the whole page rendered) as it is now, reading the signed checkpoint
and verifying only the entries after it (at most 2,000), against the page in the same run with
the chain's state computed as before (commit 58984fd: every view walked and re-hashed the whole
chain, model instance by model instance). Also: the full walk of `hotline audit verify` (key,
head, anchors, checkpoint), and the tick's audit job when nothing is due. Target: the page under
200 ms at a million entries.
"""
BATCH = 20_000
ACTIONS = ["case.view", "case.claim", "case.assess", "report.decrypt", "signin", "audit.view"]


def seed(n: int, start: dt.datetime) -> None:
    """n keyed entries chained from the first, with the head row, in batches."""
    from django.db import connection, transaction

    from hotline.audit.models import GENESIS, AuditEntry, AuditHead, chain_hash, entry_content

    details_field = AuditEntry._meta.get_field("details")
    at_field = AuditEntry._meta.get_field("at")
    sql = ('INSERT INTO "audit_auditentry" ("id", "at", "actor_id", "actor_label", "action", '
           '"object_type", "object_id", "details", "version", "prev_hash", "hash") VALUES '
           "(%s, %s, NULL, %s, %s, %s, %s, %s, 2, %s, %s)")
    prev = GENESIS
    with transaction.atomic(), connection.cursor() as cursor:
        rows: list[tuple[Any, ...]] = []
        for i in range(1, n + 1):
            at = start + dt.timedelta(seconds=i)
            label, action = f"analyst{i % 20}@hub.example.test", ACTIONS[i % len(ACTIONS)]
            details = {"case": i, "portal": "gm"}
            digest = chain_hash(2, prev, entry_content(at, None, label, action, "cases.case",
                                                      str(i), details))
            rows.append((i, at_field.get_db_prep_save(at, connection), label, action,
                         "cases.case", str(i), details_field.get_db_prep_save(details, connection),
                         prev, digest))
            prev = digest
            if len(rows) >= BATCH:
                cursor.executemany(sql, rows)
                rows = []
        if rows:
            cursor.executemany(sql, rows)
        AuditHead.objects.update_or_create(pk=1, defaults={"last_hash": prev, "count": n})
        if connection.vendor == "postgresql":  # ids were given: move the sequence past them
            cursor.execute("SELECT setval(pg_get_serial_sequence('audit_auditentry', 'id'), %s)",
                           [n])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def checkpoint_behind(behind: int | None) -> None:
    """A signed checkpoint `behind` entries before the head, as the tick leaves it (None: no
    checkpoint at all, as before the first tick)."""
    from django.utils import timezone

    from hotline.audit.models import AuditCheckpoint, AuditEntry, AuditHead

    AuditCheckpoint.objects.all().delete()
    if behind is None:
        return
    head = AuditHead.objects.get(pk=1)
    entry = AuditEntry.objects.order_by("-id")[behind]
    now = timezone.now()
    cp = AuditCheckpoint(pk=1, count=head.count - behind, last_id=entry.pk, head=entry.hash,
                         keyed=True, verified_at=now, full_at=now, full_count=head.count - behind)
    cp.sign()
    cp.save()


def full_rehash_as_before() -> tuple[int, Any]:
    """What the audit page did on every view before (audit_verify at commit 58984fd): every
    entry loaded as a model instance, its link checked and its hash computed again."""
    from hotline.audit.models import GENESIS, AuditEntry, AuditHead, Break

    prev, checked = GENESIS, 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != prev:
            return checked, Break(entry.id, "link")
        if entry.compute_hash() != entry.hash:
            return checked, Break(entry.id, "hash")
        prev = entry.hash
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is None or head.last_hash != prev or head.count != checked:
        return checked, Break(None, "end")
    return checked, None


def page_as_before() -> Any:
    from hotline.audit.services import AuditState

    checked, broken = full_rehash_as_before()
    assert broken is None, broken
    return AuditState(checked, None, None, 0, 0, None, checked)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="audit entries to seed")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each page timing (best)")
    ap.add_argument("--baseline-repeat", type=int, default=1,
                    help="runs of the whole-chain timings (best)")
    ap.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--pg", default=PG_BASE_URL, help="PostgreSQL server for --database postgres")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="hotline-bench-audit-") as tmp:
        if args.database == "postgres":
            with throwaway_postgres("bench_audit_page", args.pg) as url:
                run(args, url, Path(tmp))
        else:
            run(args, f"sqlite:///{Path(tmp) / 'audit.sqlite3'}", Path(tmp))


def run(args: argparse.Namespace, url: str, tmp: Path) -> None:
    began, load_before = time.perf_counter(), loadavg()
    setup_django(url, tmp)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from hotline.accounts.models import User
    from hotline.audit.services import PAGE_LIMIT, audit_tick, audit_verify
    from hotline.testing.base import make_user, verified_client

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    seed(args.n, timezone.now() - dt.timedelta(days=400))
    seeding = time.perf_counter() - t
    print(f"seeded {args.n:,} entries in {seeding:.1f} s", flush=True)
    engine = postgres_version(url) if connection.vendor == "postgresql" else sqlite_version()
    client = verified_client(make_user("admin@hub.example.test", User.Role.ADMIN))

    def page() -> None:
        response = client.get("/staff/audit/")
        assert response.status_code == 200 and b"Chain intact" in response.content, response

    pages: list[tuple[str, float]] = []
    for label, behind in [("checkpoint at the head (the tick ran this minute)", 0),
                          ("checkpoint 100 entries behind", 100),
                          (f"checkpoint {PAGE_LIMIT:,} entries behind (the page's limit)",
                           PAGE_LIMIT),
                          ("no checkpoint yet (before the first tick)", None)]:
        checkpoint_behind(behind)
        page()  # warm: templates, sessions, the query plan
        pages.append((label, best(page, args.repeat)))
        print(f"page, {label}: {pages[-1][1] * 1000:.1f} ms", flush=True)

    checkpoint_behind(0)
    with patch("hotline.audit.views.audit_state", page_as_before):
        before = best(page, args.baseline_repeat)
    print(f"page as before (whole chain re-hashed): {before:.2f} s", flush=True)
    rehash = best(full_rehash_as_before, args.baseline_repeat)
    verify = best(audit_verify, args.baseline_repeat)
    print(f"re-hash as before {rehash:.2f} s; audit verify {verify:.2f} s", flush=True)
    settled = timezone.now()
    audit_tick(settled)  # checkpoint the page views, walk in full (it is due), anchor
    idle = best(lambda: audit_tick(settled + dt.timedelta(minutes=1)), args.repeat)
    total = time.perf_counter() - began

    now_best = pages[0][1]
    rows = "\n".join(f"| Audit page, {label} | {value * 1000:,.1f} | {ratio(before, value)} |"
                     for label, value in pages)
    header = (f"| Measured (page: best of {args.repeat}; whole chain: best of "
              f"{args.baseline_repeat}) | ms | Page as before / this |")
    before_ms = f"{before * 1000:,.0f}"
    name = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    marker = f"audit_page n={args.n}" + (" postgres" if name == "PostgreSQL" else "")
    command = (f".venv/bin/python bench/audit_page.py --n {args.n} --repeat {args.repeat} "
               f"--baseline-repeat {args.baseline_repeat}"
               + (" --database postgres" if name == "PostgreSQL" else ""))
    block = f"""<!-- {marker} -->
### {args.n:,} audit entries, {name} ({utc_stamp()})

Command: `{command}` (total wall time {total:.0f} s; seeding {seeding:.0f} s); code at
{code_version()}.

Machine: {machine_line(django_version(), engine)} at the end, {load_before} at the start (the
machine is shared: other people's tests may run on the other core, so timings are noisy).

{header}
|---|---:|---:|
{rows}
| **Baseline: the page, chain state as before (all re-hashed)** | {before_ms} | 1.00× |
| The re-hash as before alone (model instances, every entry) | {rehash * 1000:,.0f} | |
| `hotline audit verify`, full walk (key, head, anchors, checkpoint) | {verify * 1000:,.0f} | |
| The tick's audit job, nothing due | {idle * 1000:,.1f} | |

The page as it is now, with the tick's checkpoint at the head, takes {now_best * 1000:,.1f} ms:
{before / now_best:,.0f}× less than the page as before on the same data in the same run. Its
worst case (2,000 entries to verify past the checkpoint, or no checkpoint yet) is the page's
own limit; a longer backlog is left to the tick and the page says so.
<!-- /{marker} -->"""
    publish(block, marker, markdown=args.markdown, write=not args.no_write,
            title=SECTION_TITLE, intro=INTRO)


if __name__ == "__main__":
    main()

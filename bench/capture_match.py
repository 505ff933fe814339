"""Benchmark: matching the items of one capture against a large hash bank, in a worker.

    .venv/bin/python bench/capture_match.py --n 10000000 --baseline-n 100000

Sets up a throwaway SQLite database and var/ directory, then measures, each in a fresh
subprocess that starts like ``hotline worker`` (Django set up, the product's settings), so
that the peak resident memory (VmHWM) is that worker's:

* **banks** (the product): a partner bank of N random PDQ hashes whose index was built once
  and saved under PDQ_INDEX_DIR, as ``hotline.lists.banks`` does for a bank version; the
  worker loads it (memory-mapped) on first use and matches captures of ``--items`` items
  (``hotline.lists.matching.find_matches``: exact hashes through the database, PDQ through
  the index, a whole capture in one scan), ``--captures`` times, and each item alone.
  Near-duplicates of some items are planted at distances 0, 10, 31 and 32 and must come back
  exactly up to 31.
* **rebuild** (the baseline: the code before this change): every capture read every bank row
  from the database and built a new PDQIndex before searching, here at ``--baseline-n``
  hashes (a 10 M bank would take minutes per capture that way).

The index file of the N-hash bank is written with PDQIndex.save directly (inserting N rows into
SQLite first would only slow the set-up; the file is the one the product builds from rows).
Figures: per item p50/p99, per capture p50, first-capture cost (index load), peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import django_version, machine_line, percentile, publish, ratio

ROOT = Path(__file__).resolve().parent.parent
SECTION_TITLE = "## Capture matching: items against a 10 M-hash bank in a worker"
INTRO = (SECTION_TITLE + "\n\n"
         "`bench/capture_match.py` matches the items of captures against a partner bank in a "
         "process set up like `hotline worker`, the bank's PDQ index built once per bank "
         "version and memory-mapped (`hotline/lists/banks.py`), next to the path before it "
         "(every capture read every bank row and built an index) in the same run.\n")
PLANTED = (0, 10, 31, 32)


def env(var: Path) -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "hotline.settings",
            "HOTLINE_VAR_DIR": str(var), "DATABASE_URL": f"sqlite:///{var / 'bench.sqlite3'}",
            "PYTHONPATH": str(ROOT)}


def setup_django(var: Path) -> None:
    os.environ.update(env(var))
    import django

    django.setup()


def flip(code: bytes, bits: int, rng: np.random.Generator) -> bytes:
    value = bytearray(code)
    for bit in rng.choice(256, size=bits, replace=False):
        value[bit // 8] ^= 1 << (bit % 8)
    return bytes(value)


def prepare(var: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Database, banks and the index file; the items of each capture (hex PDQ hashes)."""
    setup_django(var)
    from django.core.management import call_command

    from hotline.lib.pdqindex import PDQIndex
    from hotline.lists import banks
    from hotline.lists.models import BankHash, HashBank

    call_command("migrate", verbosity=0)
    rng = np.random.default_rng(args.seed)
    big = HashBank.objects.create(name="Partner, large (bench)")
    small = HashBank.objects.create(name="Partner, baseline (bench)")
    codes = rng.integers(0, 256, size=(args.n, 32), dtype=np.uint8)
    queries = [rng.integers(0, 256, size=32, dtype=np.uint8).tobytes()
               for _ in range(args.items)]
    for d, row in zip(PLANTED, range(len(PLANTED)), strict=True):
        codes[1000 + row] = np.frombuffer(flip(queries[row], d, rng), dtype=np.uint8)
    started = time.perf_counter()
    path = banks.index_path(big.pk, big.version)
    path.parent.mkdir(parents=True, exist_ok=True)
    PDQIndex(codes, np.arange(1, args.n + 1, dtype=np.int64)).save(path)
    saved = time.perf_counter() - started
    del codes
    baseline = rng.integers(0, 256, size=(args.baseline_n, 32), dtype=np.uint8)
    BankHash.objects.bulk_create((BankHash(bank=small, pdq=row.tobytes().hex(), pdq_quality=90)
                                  for row in baseline), batch_size=5000)
    return {"big": big.pk, "small": small.pk, "saved_seconds": saved,
            "items": [q.hex() for q in queries]}


def worker(var: Path, kind: str, plan: dict[str, Any], captures: int) -> dict[str, Any]:
    """One measured process: match every capture; timings and peak RSS."""
    setup_django(var)
    from hotline.capture.models import CaptureItem
    from hotline.lists.matching import find_matches
    from hotline.lists.models import HashBank

    bank = HashBank.objects.get(pk=plan["big" if kind == "banks" else "small"])
    items = [CaptureItem(position=i, url="https://bench.example.test/", source="img",
                         status=200, media="image", sha256=f"{i:064x}", pdq=pdq,
                         pdq_quality=100) for i, pdq in enumerate(plan["items"])]
    per_item: list[float] = []
    per_capture: list[float] = []
    found: dict[int, int] = {}
    for _capture in range(captures):
        started = time.perf_counter()
        if kind == "banks":
            # A whole capture at once, as the product matches one (one scan per bank)...
            matches = find_matches(items, [bank])
            for item in items:
                found[item.position] = sum(1 for m in matches if m.item is item)
            per_capture.append(time.perf_counter() - started)
            # ...and each item alone, for the latency of a capture of one item.
            for item in items:
                t = time.perf_counter()
                find_matches([item], [bank])
                per_item.append(time.perf_counter() - t)
            continue
        for item in items:
            t = time.perf_counter()
            found[item.position] = len(old_rebuild_match(item, bank))
            per_item.append(time.perf_counter() - t)
        per_capture.append(time.perf_counter() - started)
    with open("/proc/self/status") as f:
        hwm = next(int(line.split()[1]) for line in f if line.startswith("VmHWM"))
    return {"per_item": per_item, "per_capture": per_capture, "found": found,
            "peak_rss_mb": hwm / 1024}


def old_rebuild_match(item: Any, bank: Any) -> list[tuple[int, int]]:
    """The matching path before this change: every bank row read, an index built, searched."""
    from django.db.models import Q

    from hotline.lib.pdqindex import PDQIndex
    from hotline.lists.models import BankHash

    rows = list(BankHash.objects.filter(bank=bank).exclude(pdq="")
                .filter(Q(pdq_quality__isnull=True) | Q(pdq_quality__gte=50))
                .values_list("id", "pdq"))
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    codes = np.frombuffer(b"".join(bytes.fromhex(r[1]) for r in rows),
                          dtype=np.uint8).reshape(-1, 32)
    index = PDQIndex(codes, ids)
    query = np.frombuffer(bytes.fromhex(item.pdq), dtype=np.uint8).reshape(1, 32)
    return [(int(i), int(d)) for _q, i, d in index.search(query, max_distance=31)]


def run_worker(var: Path, kind: str, plan_file: Path, captures: int) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--worker", kind, "--var", str(var),
                          "--plan", str(plan_file), "--captures", str(captures)],
                         env=env(var), capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.2f} ms"


def report(args: argparse.Namespace, plan: dict[str, Any], ours: dict[str, Any],
           old: dict[str, Any]) -> str:
    ours_item = ours["per_item"][args.items:]  # after the first capture
    old_item = old["per_item"]
    planted_found = [ours["found"][str(i)] for i in range(len(PLANTED))]
    rows = [
        "| path | bank | one item alone p50 | one item alone p99 | capture of "
        f"{args.items} items p50 | per item in a capture | first capture | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        f"| index built once per version, mapped (product) | {args.n:,} | "
        f"{ms(percentile(ours_item, 50))} | {ms(percentile(ours_item, 99))} | "
        f"{ms(percentile(ours['per_capture'][1:], 50))} | "
        f"{ms(percentile(ours['per_capture'][1:], 50) / args.items)} | "
        f"{ms(ours['per_capture'][0])} | {ours['peak_rss_mb']:.0f} MB |",
        f"| rebuild per capture (before) | {args.baseline_n:,} | "
        f"{ms(percentile(old_item, 50))} | {ms(percentile(old_item, 99))} | "
        f"{ms(percentile(old['per_capture'], 50))} | "
        f"{ms(percentile(old['per_capture'], 50) / args.items)} | "
        f"{ms(old['per_capture'][0])} | {old['peak_rss_mb']:.0f} MB |",
    ]
    return "\n".join([
        f"<!-- capture-match n={args.n} -->",
        f"Measured {time.strftime('%Y-%m-%d')} on {machine_line(django_version())}.",
        f"`.venv/bin/python bench/capture_match.py --n {args.n} --baseline-n "
        f"{args.baseline_n} --items {args.items} --captures {args.captures}`; index file "
        f"written in {plan['saved_seconds']:.1f} s.",
        "",
        *rows,
        "",
        f"A capture, matched whole by the product at {args.n:,} hashes, takes "
        f"{ratio(percentile(ours['per_capture'][1:], 50), percentile(old['per_capture'], 50))}"
        f" the time of the old path at {args.baseline_n:,} (p50); one item alone "
        f"{ratio(percentile(ours_item, 50), percentile(old_item, 50))}. Planted neighbours "
        f"at distances {', '.join(map(str, PLANTED))} found: {planted_found} (31 and below: "
        "1 each; 32: none). Peak RSS target: 400 MB.",
        f"<!-- /capture-match n={args.n} -->",
    ])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--n", type=int, default=10_000_000, help="hashes in the large bank")
    ap.add_argument("--baseline-n", type=int, default=100_000,
                    help="hashes for the rebuild-per-capture baseline")
    ap.add_argument("--items", type=int, default=50, help="items per capture")
    ap.add_argument("--captures", type=int, default=10)
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--no-write", action="store_true", help="print only")
    ap.add_argument("--worker", choices=["banks", "rebuild"], help=argparse.SUPPRESS)
    ap.add_argument("--var", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--plan", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        plan = json.loads(args.plan.read_text())
        print(json.dumps(worker(args.var, args.worker, plan, args.captures)))
        return
    with tempfile.TemporaryDirectory(prefix="capture-match-") as tmp:
        var = Path(tmp)
        plan = prepare(var, args)
        plan_file = var / "plan.json"
        plan_file.write_text(json.dumps(plan))
        ours = run_worker(var, "banks", plan_file, args.captures)
        old = run_worker(var, "rebuild", plan_file, max(2, args.captures // 5))
    block = report(args, plan, ours, old)
    publish(block, f"capture-match n={args.n}", markdown=ROOT / "BENCHMARKS.md",
            write=not args.no_write, title=SECTION_TITLE, intro=INTRO)


if __name__ == "__main__":
    main()

"""Benchmark: exact PDQ matching with PDQIndex vs FAISS multi-index hashing (16 x 16 bits).

    .venv/bin/python bench/pdq_match.py --n 10000000 --queries 1000

Generates one seeded bank of random 256-bit hashes with near-duplicates of every query planted
at known distances (some spread evenly over the 16-bit chunks, the worst case for multi-index
hashing), writes it once to a temporary .npy, and measures each index in its own subprocess so
that peak resident memory (VmHWM) belongs to that index alone:

* ours:       hotline.lib.pdqindex.PDQIndex built by streaming the bank file into memory;
* ours-mmap:  the same index saved with PDQIndex.save and opened with PDQIndex.load (mapped);
* faiss:      faiss.IndexBinaryMultiHash(256, 16, 16), nflip = 31 // 16 = 1, range_search with
              radius 32 (FAISS keeps distances < radius) -- what Meta's HMA does
              (python-threatexchange PDQMultiHashIndex, minus its IndexBinaryIDMap2 wrapper).

Recall is measured against the planted truth for every query and against a brute-force scan
(full 256-bit distance of every pair, no filter) for a subset. The figures go to a table on
stdout and to a section of BENCHMARKS.md (replaced when re-run with the same --n/--queries).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import loadavg, machine, write_markdown

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: make `hotline` importable
    sys.path.insert(0, str(ROOT))

MAX_DISTANCE = 31
NHASH, HASH_BITS = 16, 16  # HMA's multi-index configuration
# Planted near-duplicates of each query: (distance, how the flipped bits are placed).
# "spread" puts floor(d/16) or ceil(d/16) flips in every 16-bit chunk: at 31 only one chunk is
# within 1 bit, the single chunk through which multi-index hashing with nflip=1 can find it;
# at 32 every chunk differs in 2 bits. Distances above 31 must not come back.
PLANTS: list[tuple[int, str]] = [
    (0, "random"),
    (1, "random"),
    (10, "random"),
    (20, "random"),
    (31, "random"),
    (31, "spread"),
    (32, "random"),
    (32, "spread"),
    (40, "random"),
]
READ_ROWS = 1 << 20
# Explicit ids for the runs that use them: position + offset, int32 (4 bytes per hash).
ID_OFFSET = 1_000_000_000
SECTION_TITLE = "## PDQ matching: PDQIndex vs FAISS multi-index hashing"


# ------------------------------------------------------------------------------------------
# data


def flip_bits(h: npt.NDArray[np.uint8], bits: npt.NDArray[np.int64]) -> npt.NDArray[np.uint8]:
    out = h.copy()
    for b in bits.tolist():
        out[b // 8] ^= np.uint8(1 << (b % 8))
    return out


def plant_bits(distance: int, how: str, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    if how == "random":
        return rng.choice(256, size=distance, replace=False).astype(np.int64)
    # FAISS reads chunk h as bits 16h..16h+15 of the little-endian code, i.e. bytes 2h, 2h+1.
    per_chunk = np.full(NHASH, distance // NHASH)
    per_chunk[rng.choice(NHASH, size=distance % NHASH, replace=False)] += 1
    bits = [
        h * HASH_BITS + rng.choice(HASH_BITS, size=k, replace=False)
        for h, k in enumerate(per_chunk.tolist())
    ]
    return np.concatenate(bits).astype(np.int64)


def generate(n: int, nq: int, seed: int, data: Path) -> None:
    """Bank (n, 32) uint8, queries (nq, 32) uint8, planted truth: all seeded."""
    if n < nq * len(PLANTS):
        raise SystemExit(f"--n must be at least {nq * len(PLANTS)} to plant every query")
    rng = np.random.default_rng(seed)
    bank = np.frombuffer(rng.bytes(n * 32), dtype=np.uint8).reshape(n, 32).copy()
    queries = np.frombuffer(rng.bytes(nq * 32), dtype=np.uint8).reshape(nq, 32).copy()
    positions = rng.choice(n, size=nq * len(PLANTS), replace=False)
    tq, tpos, tdist, tspread = [], [], [], []
    k = 0
    for qi in range(nq):
        for distance, how in PLANTS:
            pos = int(positions[k])
            k += 1
            bank[pos] = flip_bits(queries[qi], plant_bits(distance, how, rng))
            tq.append(qi)
            tpos.append(pos)
            tdist.append(distance)
            tspread.append(how == "spread")
    np.save(data / "bank.npy", bank)
    np.save(data / "queries.npy", queries)
    np.savez(data / "truth.npz", q=tq, pos=tpos, dist=tdist, spread=tspread)


def iter_rows(path: Path, rows: int) -> Iterator[npt.NDArray[np.uint8]]:
    """Stream a (n, 32) uint8 .npy in chunks with plain reads: unlike a memory map, the pages
    read do not count in this process's resident memory."""
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        assert version == (1, 0)
        shape, _, _ = np.lib.format.read_array_header_1_0(f)
        n = int(shape[0])
        for start in range(0, n, rows):
            count = min(rows, n - start)
            yield np.fromfile(f, dtype=np.uint8, count=count * 32).reshape(count, 32)


def brute_force_truth(
    bank: npt.NDArray[np.uint8], queries: npt.NDArray[np.uint8]
) -> set[tuple[int, int, int]]:
    """Every (query, position, distance) within MAX_DISTANCE: full distance of every pair."""
    from hotline.lib.pdqindex import brute_force

    out: set[tuple[int, int, int]] = set()
    for start in range(0, bank.shape[0], READ_ROWS):
        for qi, pos, d in brute_force(bank[start : start + READ_ROWS], queries, MAX_DISTANCE):
            out.add((qi, pos + start, d))
    return out


# ------------------------------------------------------------------------------------------
# workers (one subprocess each, so that peak RSS is attributable)


def proc_status_mb(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024 / 1e6  # kB (KiB) -> MB (10^6 bytes)
    return float("nan")


def cpu_seconds() -> float:
    """User + system CPU time of this process, all threads (OpenMP and Python alike)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def time_queries(
    search: Any, queries: npt.NDArray[np.uint8], nlat: int, repeat: int, info: dict[str, Any]
) -> tuple[Any, list[float]]:
    """Batch calls over all queries (throughput: best of ``repeat``, since the other core may
    be busy), then one call per query (latency)."""
    search(queries[:1])  # warm-up: first-call costs (imports, page faults, thread start)
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), cpu_seconds()
        batch = search(queries)
        walls.append(time.perf_counter() - t0)
        cpus.append(cpu_seconds() - c0)
    info["batch_s"] = min(walls)
    info["batch_s_median"] = float(np.median(walls))
    info["cpu_ms_per_query"] = min(cpus) / queries.shape[0] * 1e3
    lat = []
    for i in range(min(nlat, queries.shape[0])):
        t0 = time.perf_counter()
        search(queries[i : i + 1])
        lat.append(time.perf_counter() - t0)
    return batch, lat


def worker(kind: str, data: Path, threads: int, nlat: int, repeat: int) -> dict[str, Any]:
    queries = np.load(data / "queries.npy")
    info: dict[str, Any] = {"kind": kind, "threads": threads}
    if kind in ("ours", "ours-ids", "ours-mmap"):
        from hotline.lib.pdqindex import PDQIndex

        info["rss_baseline_mb"] = proc_status_mb("VmRSS")
        offset = 0 if kind == "ours" else ID_OFFSET
        t0 = time.perf_counter()
        if kind == "ours":
            index = PDQIndex.from_hash_file(data / "bank.npy", threads=threads)
        elif kind == "ours-ids":
            n = int(np.load(data / "bank.npy", mmap_mode="r").shape[0])
            # The caller's int32 ids are kept as they are (no copy): 4 bytes per hash.
            ids = np.arange(ID_OFFSET, ID_OFFSET + n, dtype=np.int32)
            index = PDQIndex.from_hash_file(data / "bank.npy", ids=ids, threads=threads)
            del ids
        else:
            index = PDQIndex.load(data / "ours_index.npy", mmap=True, threads=threads)
        info["build_s"] = time.perf_counter() - t0
        info["rss_built_mb"] = proc_status_mb("VmRSS")

        def search(q: npt.NDArray[np.uint8]) -> Any:
            return index.search_arrays(q, MAX_DISTANCE)

        res, lat = time_queries(search, queries, nlat, repeat, info)
        rq, rid, rd = res.query, res.ids - offset, res.distance
        if kind == "ours-ids":
            # For the mapped run, after the peak is read and outside the timings.
            info["rss_peak_mb"] = proc_status_mb("VmHWM")
            index.save(data / "ours_index.npy")
    elif kind == "faiss":
        import faiss

        faiss.omp_set_num_threads(threads)
        info["faiss_version"] = faiss.__version__
        info["rss_baseline_mb"] = proc_status_mb("VmRSS")
        t0 = time.perf_counter()
        mih = faiss.IndexBinaryMultiHash(256, NHASH, HASH_BITS)
        # Pigeonhole: 16 chunks, d <= 31 => some chunk differs in <= 31 // 16 = 1 bit, and FAISS
        # probes every key within nflip bits of the query's chunk (0..nflip flips).
        mih.nflip = MAX_DISTANCE // NHASH
        for chunk in iter_rows(data / "bank.npy", READ_ROWS):  # chunked: no 2nd full copy
            mih.add(chunk)
        info["build_s"] = time.perf_counter() - t0
        info["rss_built_mb"] = proc_status_mb("VmRSS")

        def search(q: npt.NDArray[np.uint8]) -> Any:
            return mih.range_search(q, MAX_DISTANCE + 1)

        (lims, dist, ids), lat = time_queries(search, queries, nlat, repeat, info)
        rq = np.repeat(np.arange(queries.shape[0]), np.diff(lims.astype(np.int64)))
        rid, rd = ids.astype(np.int64), dist.astype(np.int64)
    else:
        raise SystemExit(f"unknown worker {kind}")
    info["latency_ms"] = [x * 1e3 for x in lat]
    info.setdefault("rss_peak_mb", proc_status_mb("VmHWM"))
    np.savez(data / f"result_{kind}.npz", q=rq, id=rid, d=rd)
    return info


def run_worker(kind: str, data: Path, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        kind,
        "--data",
        str(data),
        "--threads",
        str(args.threads),
        "--latency-queries",
        str(args.latency_queries),
        "--repeat",
        str(args.repeat),
    ]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.worker_timeout)
    except subprocess.TimeoutExpired:
        return {"kind": kind, "error": f"did not finish within {args.worker_timeout} s"}
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        why = "killed (out of memory?)" if proc.returncode < 0 else f"exit {proc.returncode}"
        return {"kind": kind, "error": f"{why}: {' | '.join(tail)}"}
    info: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    info["wall_s"] = wall
    return info


# ------------------------------------------------------------------------------------------
# evaluation and report


def evaluate(info: dict[str, Any], data: Path, bf: set[tuple[int, int, int]], nbf: int) -> None:
    if "error" in info:
        return
    res = np.load(data / f"result_{info['kind']}.npz")
    found = set(zip(res["q"].tolist(), res["id"].tolist(), res["d"].tolist(), strict=True))
    truth = np.load(data / "truth.npz")
    planted = list(
        zip(
            truth["q"].tolist(),
            truth["pos"].tolist(),
            truth["dist"].tolist(),
            truth["spread"].tolist(),
            strict=True,
        )
    )
    expected = {(q, p, d) for q, p, d, _ in planted if d <= MAX_DISTANCE}
    spread31 = {(q, p, d) for q, p, d, s in planted if d == MAX_DISTANCE and s}
    too_far = {(q, p) for q, p, d, _ in planted if d > MAX_DISTANCE}
    lat = np.asarray(info["latency_ms"])
    info.update(
        results=len(found),
        recall_planted=len(expected & found) / len(expected),
        missed_planted=len(expected - found),
        recall_spread31=len(spread31 & found) / max(1, len(spread31)),
        beyond_threshold=sum(1 for _, _, d in found if d > MAX_DISTANCE)
        + sum(1 for q, p, _ in found if (q, p) in too_far),
        extra_unplanted=len(found - expected),
        bf_exact=({r for r in found if r[0] < nbf} == bf),
        bf_recall=len(bf & found) / max(1, len(bf)),
        qps=len(np.load(data / "queries.npy")) / info["batch_s"],
        qps_median=len(np.load(data / "queries.npy")) / info["batch_s_median"],
        p50_ms=float(np.percentile(lat, 50)),
        p99_ms=float(np.percentile(lat, 99)),
    )


def fmt(info: dict[str, Any], key: str, spec: str) -> str:
    if "error" in info:
        return "—"
    value = info.get(key)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    return format(value, spec)


ROWS = [
    ("Build / load time (s)", "build_s", ".1f"),
    ("Batch throughput, best of the repeats (queries/s)", "qps", ",.1f"),
    ("Batch throughput, median of the repeats (queries/s)", "qps_median", ",.1f"),
    ("Batch CPU time per query, all threads (ms)", "cpu_ms_per_query", ".2f"),
    ("Latency p50, one query per call (ms)", "p50_ms", ".2f"),
    ("Latency p99, one query per call (ms)", "p99_ms", ".2f"),
    ("Recall, planted matches ≤ 31", "recall_planted", ".4f"),
    ("Recall, planted d = 31 spread over all chunks", "recall_spread31", ".4f"),
    ("Results beyond 31 (must be 0)", "beyond_threshold", "d"),
    ("Results not planted (random pairs ≤ 31)", "extra_unplanted", "d"),
    ("Identical to brute force on the subset", "bf_exact", ""),
    ("Peak RSS, whole process (MB)", "rss_peak_mb", ",.0f"),
    ("RSS after build / load (MB)", "rss_built_mb", ",.0f"),
    ("RSS after imports, before the bank (MB)", "rss_baseline_mb", ",.0f"),
]


def ratio(ours: dict[str, Any], theirs: dict[str, Any], key: str) -> str:
    if "error" in ours or "error" in theirs:
        return "—"
    return f"{ours[key] / theirs[key]:.2f}×"


def report(
    args: argparse.Namespace,
    results: list[dict[str, Any]],
    env: dict[str, str],
    when: str,
    load_before: str,
    load_after: str,
    total_s: float,
) -> str:
    by = {r["kind"]: r for r in results}
    skipped = {"error": "skipped (--skip-ids)"}
    ours, fa = by["ours"], by["faiss"]
    withids, mapped = by.get("ours-ids", skipped), by.get("ours-mmap", skipped)
    columns = (ours, withids, mapped, fa)
    head = (
        "| | PDQIndex, in memory, ids = positions | PDQIndex, in memory, int32 ids "
        "| PDQIndex, loaded file (words 0-1 mapped), int32 ids "
        "| FAISS MIH 16×16, nflip=1 |"
    )
    lines = [head, "|---|---:|---:|---:|---:|"]
    for label, key, spec in ROWS:
        cells = [fmt(x, key, spec) for x in columns]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for r in columns:
        if "error" in r and r is not skipped:
            lines.append(f"\n{r['kind']}: **{r['error']}**")
    cmd = (
        f".venv/bin/python bench/pdq_match.py --n {args.n} --queries {args.queries} "
        f"--threads {args.threads} --seed {args.seed} --repeat {args.repeat}"
    )
    faiss_version = fa.get("faiss_version", "?")
    out = [
        f"<!-- pdq_match n={args.n} queries={args.queries} -->",
        f"### {args.n:,} hashes, {args.queries:,} queries ({when})",
        "",
        f"Command: `{cmd}` (total wall time {total_s:.0f} s). Throughput is all "
        f"{args.queries:,} queries in one call, run {args.repeat} times; latency is one "
        f"call per query for the first {min(args.latency_queries, args.queries):,} queries.",
        "",
        f"Machine: {env['nproc']} cores, {env['cpu']}, {env['ram']} RAM; Python "
        f"{env['python']}, numpy {env['numpy']}, faiss-cpu {faiss_version}. Both indexes "
        f"use {args.threads} threads for the batch (FAISS: OpenMP over queries; PDQIndex: "
        "the bank split between threads); a single-query FAISS call runs on one thread. "
        f"The machine is shared: load average {load_before} at the start, {load_after} at "
        "the end (the other core may be running tests), so wall-clock timings are noisy; "
        "CPU time per query is the steadier comparison of the work each index does.",
        "",
        *lines,
        "",
        "Ratios, PDQIndex (in memory, ids = positions, like FAISS's) / FAISS: "
        f"throughput {ratio(ours, fa, 'qps')} (median runs {ratio(ours, fa, 'qps_median')}), "
        f"CPU per query {ratio(ours, fa, 'cpu_ms_per_query')}, "
        f"p50 latency {ratio(ours, fa, 'p50_ms')}, "
        f"peak memory {ratio(ours, fa, 'rss_peak_mb')}. "
        f"Loaded file with ids / FAISS: throughput {ratio(mapped, fa, 'qps')}, "
        f"peak memory {ratio(mapped, fa, 'rss_peak_mb')}.",
        "",
        f"Each query has {len(PLANTS)} planted near-duplicates at distances "
        f"{', '.join(f'{d}' + (' (spread)' if h == 'spread' else '') for d, h in PLANTS)}; "
        f"the brute-force subset is the first {args.bf_queries} queries over the whole bank. "
        "Peak RSS is VmHWM of the worker process (interpreter, libraries, bank, index, "
        "queries, results); MB = 10^6 bytes. The in-memory int32-ids run holds the ids "
        "(4 bytes per hash) as a numpy array; the loaded run opens the file PDQIndex.save "
        "wrote from it moments before (so from the page cache; load time is the mapping "
        "only), maps words 0-1 of the codes (resident, shared between processes) and reads "
        "words 2-3 and ids of filter survivors with pread (page cache, not RSS).",
        f"<!-- /pdq_match n={args.n} queries={args.queries} -->",
    ]
    return "\n".join(out)


INTRO = f"""{SECTION_TITLE}

Requirement: exact recall (every hash within distance 31, none beyond) on 10 million PDQ
hashes, on the 2-core machine, within 400 MB resident for the whole process, compared on the
same data in the same run with FAISS `IndexBinaryMultiHash(256, 16, 16)` (the configuration of
Meta's HMA, with its `nflip = threshold // 16` and `range_search(radius = threshold + 1)`).

`hotline/lib/pdqindex.py` explains the design. An exact multi-index needs an inverted index on
every 16-bit chunk, at least 16 bits per hash each (FAISS: hash maps of 8-byte ids, 2.8 GB at
10 M), which cannot fit next to the 320 MB of codes. PDQIndex stores the codes column-wise
and scans them in cache-sized blocks with numpy (`bitwise_xor`, `bitwise_count`); the first
128 bits are a lower-bound filter that a random hash passes with probability 2e-9 at 31, and
every survivor is verified on all 256 bits. It is exact for every threshold 0..256, fastest
up to about 45. Built in the process, the index holds all 320 MB of codes; opened with
`PDQIndex.load` (how a worker should serve a large bank), it maps words 0-1 and reads words
2-3 and ids of filter survivors with `pread`, so 160 MB of codes are resident. Ids:
positions cost nothing; explicit int32 ids cost 4 bytes per hash in memory (40 MB at 10 M,
which takes the in-memory process just past 400 MB) and nothing resident when loaded. A
Django worker process is about 75 MB before any bank (these workers: about 33 MB).

_Written by `bench/pdq_match.py`: a run replaces this introduction and its own block (same
`--n` and `--queries`), and leaves the other blocks alone._
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--n", type=int, default=1_000_000, help="hashes in the bank")
    ap.add_argument("--queries", type=int, default=1_000)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--latency-queries", type=int, default=1_000,
                    help="queries timed one per call (the first ones)")
    ap.add_argument("--repeat", type=int, default=3, help="batch runs (best one reported)")
    ap.add_argument("--bf-queries", type=int, default=20,
                    help="queries checked against a brute-force scan of the whole bank")
    ap.add_argument("--worker-timeout", type=float, default=900.0)
    ap.add_argument("--skip-ids", action="store_true",
                    help="skip the runs with explicit ids (in memory, and mapped from a file)")
    ap.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument("--no-write", action="store_true", help="print only, leave BENCHMARKS.md")
    ap.add_argument("--tmpdir", type=Path, default=None)
    ap.add_argument("--worker", choices=["ours", "ours-ids", "ours-mmap", "faiss"],
                    help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        info = worker(args.worker, args.data, args.threads, args.latency_queries, args.repeat)
        print(json.dumps(info))
        return

    start = time.perf_counter()
    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    load_before = loadavg()
    data = Path(tempfile.mkdtemp(prefix="pdq_match_", dir=args.tmpdir))
    try:
        t0 = time.perf_counter()
        generate(args.n, args.queries, args.seed, data)
        print(f"generated {args.n:,} hashes in {time.perf_counter() - t0:.1f} s", flush=True)
        t0 = time.perf_counter()
        bank = np.load(data / "bank.npy", mmap_mode="r")
        queries = np.load(data / "queries.npy")
        nbf = min(args.bf_queries, args.queries)
        bf = brute_force_truth(bank, queries[:nbf])
        del bank
        print(f"brute force on {nbf} queries: {len(bf)} matches, "
              f"{time.perf_counter() - t0:.1f} s", flush=True)
        kinds = ["ours"] + ([] if args.skip_ids else ["ours-ids", "ours-mmap"]) + ["faiss"]
        results = []
        for kind in kinds:
            info = run_worker(kind, data, args)
            evaluate(info, data, bf, nbf)
            shown = {k: v for k, v in info.items() if k != "latency_ms"}
            print(json.dumps(shown), flush=True)
            results.append(info)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    env = {**machine(), "numpy": np.__version__}
    block = report(
        args, results, env, when, load_before, loadavg(), time.perf_counter() - start
    )
    print()
    print(block)
    if not args.no_write:
        write_markdown(args.markdown, block, f"pdq_match n={args.n} queries={args.queries}",
                       title=SECTION_TITLE, intro=INTRO, refresh_intro="pdq_match")
        print(f"\nwrote {args.markdown}")


if __name__ == "__main__":
    main()

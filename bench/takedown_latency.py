"""Benchmarks of issue 14: how fast a confirmation becomes a notice, and a removal "Removed".

Part A (bench/takedown_notices.py): ``hotline serve`` on a SQLite file, real loopback SMTP, DNS
and HTTP servers; N cases confirmed at a fixed rate; from each confirming commit to the SMTP
server accepting the message that names the case. Once with the default grouping window
(NOTICE_GROUP_SECONDS=30) and once without it (0, the baseline), each in a fresh database.

Part B (bench/takedown_removal.py): the real takedown services (the tick, its checks, the
notices and their look just before sending) under a simulated clock against a loopback page
that starts answering 404 at a true removal time T drawn uniformly over 0-72 h after
confirmation; from T to "Removed" (what the receipt says) and the error of the measured time to
removal. Once with the default back-off of re-checks and once with a fixed 15-minute interval
(the baseline), with the same draws.

    .venv/bin/python bench/takedown_latency.py --n 100 --rate 1 --draws 300

Each phase runs in a process of its own (``--child``), which writes its results as JSON.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, loadavg


def child(args: argparse.Namespace) -> None:
    if args.child == "notices":
        from bench.takedown_notices import run_phase

        run_phase(n=args.n, rate=args.rate, group_seconds=args.group_seconds,
                  timeout=args.timeout, out=args.out)
    else:
        from bench.takedown_removal import run_variant

        run_variant(draws=args.draws, hours=args.hours, seed=args.seed,
                    fixed_interval=args.fixed_interval, out=args.out)


def spawn(extra: list[str], tmp: Path, name: str) -> dict[str, Any]:
    out = tmp / f"{name}.json"
    began = time.perf_counter()
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), *extra,
                           "--out", str(out)], cwd=ROOT)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"phase {name} failed ({proc.returncode})")
    data: dict[str, Any] = json.loads(out.read_text())
    data["wall_seconds"] = time.perf_counter() - began
    print(f"{name}: done in {data['wall_seconds']:.0f} s", flush=True)
    return data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--parts", default="a,b", help="a (notices), b (removal), or both")
    ap.add_argument("--n", type=int, default=100, help="part A: cases confirmed per phase")
    ap.add_argument("--rate", type=float, default=1.0, help="part A: confirmations per second")
    ap.add_argument("--groups", default="0,30",
                    help="part A: NOTICE_GROUP_SECONDS of each phase (the default is 30)")
    ap.add_argument("--timeout", type=float, default=240.0,
                    help="part A: seconds to wait for the last notices after confirming")
    ap.add_argument("--draws", type=int, default=300, help="part B: true removal times drawn")
    ap.add_argument("--baseline-draws", type=int, default=30,
                    help="part B: the first draws also run with a fixed 15-minute interval "
                         "(each costs about 150 checks)")
    ap.add_argument("--hours", type=float, default=72.0,
                    help="part B: true removal drawn uniformly over 0..HOURS after confirmation")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument("--no-write", action="store_true", help="print only, leave BENCHMARKS.md")
    # One phase, in a process of its own (used by the run above).
    ap.add_argument("--child", choices=["notices", "removal"], help=argparse.SUPPRESS)
    ap.add_argument("--group-seconds", type=int, default=30, help=argparse.SUPPRESS)
    ap.add_argument("--fixed-interval", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return

    from bench import takedown_report

    parts = {p.strip() for p in args.parts.split(",")}
    load_before = loadavg()
    with tempfile.TemporaryDirectory(prefix="hotline-bench-takedown-out-") as tmpdir:
        tmp = Path(tmpdir)
        if "a" in parts:
            began = time.perf_counter()
            phases = [spawn(["--child", "notices", "--n", str(args.n), "--rate",
                             f"{args.rate:g}", "--group-seconds", g.strip(), "--timeout",
                             f"{args.timeout:g}"], tmp, f"notices-{g.strip()}")
                      for g in args.groups.split(",")]
            takedown_report.publish_notices(phases, args, load_before,
                                            time.perf_counter() - began)
        if "b" in parts:
            began = time.perf_counter()
            common = ["--child", "removal", "--hours", f"{args.hours:g}", "--seed",
                      str(args.seed)]
            variants = [spawn([*common, "--draws", str(args.draws)], tmp, "removal-backoff"),
                        spawn([*common, "--draws", str(args.baseline_draws),
                               "--fixed-interval"], tmp, "removal-fixed")]
            takedown_report.publish_removal(variants, args, loadavg(),
                                            time.perf_counter() - began)


if __name__ == "__main__":
    main()

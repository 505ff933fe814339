"""The figures of bench/takedown_latency.py, as blocks of BENCHMARKS.md."""

from __future__ import annotations

import argparse
import statistics
from typing import Any

from bench.common import (
    code_version,
    django_version,
    machine_line,
    percentile,
    publish,
    ratio,
    sqlite_version,
    utc_stamp,
)

SECTION_TITLE = "## Takedown: from confirmation to the notice, and from removal to \"Removed\""
INTRO = f"""{SECTION_TITLE}

`bench/takedown_latency.py` measures the two promises of issue 14 with the product's own
services and real loopback servers; nothing leaves the machine (reserved names, 127.0.0.1).

*Part A, confirmation → notice accepted* (`bench/takedown_notices.py`): `hotline serve`
(gunicorn, the default and capture workers, the tick every `TICK_SECONDS`) on a SQLite file,
with an aiosmtpd server as `EMAIL_HOST`, a dnslib server as `DNS_RESOLVERS` that maps
`site-N.example.test` to 127.0.0.1 (`FETCH_ALLOW_NETWORKS=127.0.0.1/32`) and an HTTP server
serving each page (a benign page showing one synthetic image). The bench process stores and
takes in one report per page, waits until the serve's capture worker has captured every page
(`CAPTURE_NEW_CASES=1`), then confirms the cases at a fixed rate (claim, assess CSAM, claim,
agree in second review: `hotline.cases.services`) and notes when each confirming transaction
has committed. The SMTP handler notes when it accepted each message and which cases its XARF
reports name. 127.0.0.1 has no country and no RDAP service, so each case takes the fallback
route, the police / international contact of the demo directory
(`hotline/takedown/demo/directory.yaml`): one recipient for all, so the grouping window
(`NOTICE_GROUP_SECONDS`) groups as much as it ever can. The target is the tick interval
plus 5 s (65 s); the baseline, in the same run, is the same with `NOTICE_GROUP_SECONDS=0`.

*Part B, true removal → "Removed"* (`bench/takedown_removal.py`): the takedown services under a
simulated clock (every `django.utils.timezone.now()`, so the task queue's idea of what is due
too), on a Django test database (SQLite in memory), with the default settings
(`RECHECK_FIRST_SECONDS=900` doubling to `RECHECK_MAX_SECONDS=86400`, `REMOVAL_CONFIRMATIONS=2`
at least `REMOVAL_CONFIRM_SECONDS=1800` apart, `RESEND_AFTER_HOURS=24`). Each draw is a page on a
loopback HTTP server (a page graded as a whole, without images: one fetch per check, present
while its body is the one captured, gone on 404), reported, captured and confirmed through the
services (confirmations 37 s of simulated time apart), traced, routed and notified by the real
tasks (run by django-tasks-db's worker code whenever one is due; notices to a loopback SMTP
server); the takedown job of the tick runs every 60 s of simulated time (ticks that would find
nothing due are skipped). The page answers 404 from its true removal time T, drawn uniformly
over 0–72 h after confirmation. Figures: the lag from T to the moment the takedown gets its
removal time (the receipt then says "Removed"), and the error of the measured time to removal
(the first gone check of the streak − T). Baseline in the same run: a fixed 15-minute
interval between checks (`RECHECK_MAX_SECONDS=900`, no back-off), over the first draws of the
same sequence. One thing differs from production, for speed only: the fetcher's TLS context
(certifi's bundle, about 0.1 s of CPU per fetch on this machine, unused for plain HTTP) is
built once instead of at every fetch.
"""


def _seconds_row(label: str, values: list[float], *, extra: str = "") -> str:
    if not values:
        return f"| {label} | — | — | — | 0 |{extra}"
    return (f"| {label} | {percentile(values, 50):,.1f} | {percentile(values, 99):,.1f} | "
            f"{max(values):,.1f} | {len(values):,} |{extra}")


def notice_figures(phase: dict[str, Any]) -> dict[str, Any]:
    """Per case: confirmation → accepted, and its parts, from one phase's results."""
    confirmed = {int(k): v for k, v in phase["confirmed"].items()}
    accepted: dict[int, float] = {}
    for message in sorted(phase["messages"], key=lambda m: m["at"]):
        for case in message["cases"]:
            accepted.setdefault(case, message["at"])
    notices = {int(k): v for k, v in phase["notices"].items()}
    latency = [accepted[c] - t for c, t in confirmed.items() if c in accepted]
    traced = [notices[c]["queued_at"] - t for c, t in confirmed.items() if c in notices]
    window = [n["send_after"] - n["queued_at"] for c, n in notices.items() if c in confirmed]
    sending = [accepted[c] - notices[c]["send_after"] for c in confirmed
               if c in accepted and c in notices]
    sizes = [len(m["cases"]) for m in phase["messages"]]
    # Per message: from its group's send time to the server accepting it, and per address.
    groups = [(m["at"] - notices[m["cases"][0]]["send_after"], len(m["cases"]))
              for m in phase["messages"] if m["cases"] and m["cases"][0] in notices]
    return {"groups": groups, "latency": latency, "traced": traced, "window": window,
            "sending": sending, "sizes": sizes, "accepted": len(accepted),
            "confirmed": len(confirmed),
            "routes": sorted({t["route"] for t in phase["takedowns"].values()}),
            "states": sorted({n["state"] for n in notices.values()})}


def publish_notices(phases: list[dict[str, Any]], args: argparse.Namespace, load_before: str,
                    wall: float) -> None:
    target = None
    lines = ["| `NOTICE_GROUP_SECONDS` | Measure | p50 (s) | p99 (s) | max (s) | Count |",
             "|---|---|---:|---:|---:|---:|"]
    by_group: dict[int, dict[str, Any]] = {}
    notes = []
    for phase in phases:
        g = int(phase["group_seconds"])
        f = notice_figures(phase)
        by_group[g] = f
        target = phase["tick_seconds"] + 5
        for label, key in (("**Confirmation → notice accepted by SMTP**", "latency"),
                           ("confirmation → notice queued (trace and route done)", "traced"),
                           ("notice queued → its group's send time (the window)", "window"),
                           ("send time → accepted (worker pick-up, a look at each address, "
                            "SMTP)", "sending")):
            lines.append(_seconds_row(f"{g} | {label}", f[key]))
        within = sum(1 for v in f["latency"] if v <= target)
        sizes = f["sizes"]
        notes.append(
            f"`NOTICE_GROUP_SECONDS={g}`: {f['confirmed']} cases confirmed in "
            f"{phase['confirming_seconds']:.0f} s, {f['accepted']} named in an accepted "
            f"message ({within} within {target} s, {len(phase['timed_out'])} not within "
            f"{args.timeout:g} s), {len(sizes)} messages for them (addresses per message: "
            f"mean {statistics.fmean(sizes) if sizes else 0:.1f}, max "
            f"{max(sizes) if sizes else 0}); captures {phase['captures_ok']}/"
            f"{phase['captures']} with HTTP 200; routes {', '.join(f['routes'])}; notice states "
            f"{', '.join(f['states'])}")
    ratios = []
    default, base = by_group.get(30), by_group.get(0)
    if default and base:
        d, b = default["latency"], base["latency"]
        ratios.append(
            f"with the 30 s window / without it: "
            f"{ratio(percentile(d, 50), percentile(b, 50))} at p50, "
            f"{ratio(percentile(d, 99), percentile(b, 99))} at p99; "
            f"{len(base['sizes'])} messages without the window, {len(default['sizes'])} with it")
    for g, f in sorted(by_group.items()):
        if target and f["latency"]:
            ratios.append(f"`NOTICE_GROUP_SECONDS={g}`: p99 / target ({target} s) "
                          f"{ratio(percentile(f['latency'], 99), target)}, max / target "
                          f"{ratio(max(f['latency']), target)}")
    verdict = _notice_verdict(by_group, target or 65)
    marker = f"takedown_latency notices n={args.n} rate={args.rate:g}"
    command = (f".venv/bin/python bench/takedown_latency.py --parts a --n {args.n} "
               f"--rate {args.rate:g} --groups {args.groups}")
    heading = (f"### A: {args.n:,} confirmations at {args.rate:g} per second per phase, "
               f"SQLite, `hotline serve` ({utc_stamp()})")
    block = f"""<!-- {marker} -->
{heading}

Command: `{command}` (total wall time {wall:.0f} s; each phase in a fresh database).
Code: {code_version()}.

Machine: {machine_line(django_version(), sqlite_version())} at the end, {load_before} at the
start. The machine is shared with other engineers' test runs, so the figures are noisy: compare
the rows of this block with each other. The bench process (confirmations, SMTP, DNS and HTTP
servers) runs on the same 2 cores as `hotline serve`.

{chr(10).join(lines)}

Ratios: {'; '.join(ratios)}. {'; '.join(notes)}.

{verdict}
<!-- /{marker} -->"""
    publish(block, marker, markdown=args.markdown, write=not args.no_write,
            title=SECTION_TITLE, intro=INTRO)


def _notice_verdict(by_group: dict[int, dict[str, Any]], target: int) -> str:
    default = by_group.get(30)
    if not default or not default["latency"]:
        return "No figures for the default window: see the notes above."
    worst = max(default["latency"])
    met = worst <= target and default["accepted"] == default["confirmed"]
    close = " only just" if met and worst > 0.8 * target else ""
    return (f"The default settings{close} {'meet' if met else 'do not meet'} the target: the "
            f"slowest "
            f"notice was accepted {worst:.1f} s after its confirmation (target {target} s"
            f"{'' if default['accepted'] == default['confirmed'] else ', and some were never'}"
            f"). A notice "
            f"does not wait for the tick: `notice_send` is queued with `run_after` at the end "
            f"of the grouping window and the worker runs it then, so the latency is the trace, "
            f"what is left of the window (up to 30 s for the first address of a group, less for "
            f"later ones) and the sending, which includes one look at every address of the "
            f"group just before the message goes out (so it grows with the group)."
            + _queueing(by_group))


def _queueing(by_group: dict[int, dict[str, Any]]) -> str:
    """The one default worker runs traces and sends in turn: a group's looks hold traces up."""
    default, base = by_group.get(30), by_group.get(0)
    if not default or not base or not default["traced"] or not base["traced"]:
        return ""
    traced, groups = default["traced"], default["groups"]
    if not groups:
        return ""
    per_look = sum(seconds for seconds, _ in groups) / sum(size for _, size in groups)
    return (f" The looks run `NOTICE_LOOK_CONCURRENCY` (4) at a time in the one default "
            f"worker, whose other tasks wait meanwhile: sending a group of up to "
            f"{max(size for _, size in groups)} addresses took up to "
            f"{max(seconds for seconds, _ in groups):.1f} s (about {per_look:.2f} s per "
            f"address: a fetch of the page and of its image, the image's hashes, the check "
            f"recorded), "
            f"and the trace of a case confirmed meanwhile waited for it (confirmation → notice "
            f"queued p99 {percentile(traced, 99):.1f} s with the window, "
            f"{percentile(base['traced'], 99):.1f} s without). At a higher rate of "
            f"confirmations, groups grow towards `NOTICE_GROUP_MAX` (50) and this margin shrinks.")


# --- Part B ------------------------------------------------------------------------------

def removal_figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    done = [r for r in rows if r["removed_seen"] is not None]
    lag = [(r["removed_seen"] - r["true_removal"]) / 3600 for r in done]
    error = [(r["gone_since"] - r["true_removal"]) / 3600 for r in done]
    return {"lag": lag, "error": error, "n": len(rows), "removed": len(done),
            "receipts": sum(1 for r in rows if r["receipt_removed"]),
            "looks": statistics.fmean(r["checks"] for r in rows) if rows else 0.0,
            "presend": statistics.fmean(r["presend_looks"] for r in rows) if rows else 0.0,
            "early": sum(1 for v in error if v < 0)}


def _hours_row(label: str, values: list[float], count: int) -> str:
    if not values:
        return f"| {label} | — | — | — | — | {count} |"
    return (f"| {label} | {percentile(values, 50):,.2f} | {percentile(values, 90):,.2f} | "
            f"{percentile(values, 99):,.2f} | {max(values):,.2f} | {count:,} |")


def publish_removal(variants: list[dict[str, Any]], args: argparse.Namespace, load: str,
                    wall: float) -> None:
    backoff = next(v for v in variants if not v["fixed_interval"])
    fixed = next(v for v in variants if v["fixed_interval"])
    subset = len(fixed["rows"])
    rows = {"all": removal_figures(backoff["rows"]),
            "subset": removal_figures(backoff["rows"][:subset]),
            "fixed": removal_figures(fixed["rows"])}
    names = {"all": f"back-off (default), all {len(backoff['rows'])} draws",
             "subset": f"back-off (default), first {subset} draws",
             "fixed": f"baseline: fixed 15 min, same {subset} draws"}
    lines = ["| Variant | Measure | p50 (h) | p90 (h) | p99 (h) | max (h) | Count |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for key in ("all", "subset", "fixed"):
        f = rows[key]
        lines.append(_hours_row(f"{names[key]} | **true removal → \"Removed\"**", f["lag"],
                                f["removed"]))
        lines.append(_hours_row(f"{names[key]} | measured time to removal − true", f["error"],
                                f["removed"]))
    s, x = rows["subset"], rows["fixed"]
    ratios = (f"back-off / fixed 15 min on the same {subset} draws: lag "
              f"{ratio(percentile(s['lag'], 50), percentile(x['lag'], 50))} at p50, "
              f"{ratio(percentile(s['lag'], 90), percentile(x['lag'], 90))} at p90, "
              f"{ratio(max(s['lag']) if s['lag'] else 0, max(x['lag']) if x['lag'] else 0)} at "
              f"max; looks per address until removal {s['looks']:.1f} vs {x['looks']:.1f} "
              f"({ratio(s['looks'], x['looks'])})")
    notes = []
    for key, v in (("all", backoff), ("fixed", fixed)):
        f = rows[key]
        notes.append(
            f"{names[key]}: {f['removed']}/{f['n']} removed, {f['receipts']} receipts say "
            f"\"Removed\", {f['looks']:.1f} looks per address before removal (of which "
            f"{f['presend']:.1f} just before a notice or re-send), {f['early']} measured "
            f"before T; notices {v['notices']} ({v['notice_kinds']}), {v['messages']} messages "
            f"accepted; {v['simulated_days']:.1f} simulated days in {v['seconds']:.0f} s")
    a = rows["all"]
    verdict = (
        f"With the default back-off the receipt says \"Removed\" a median "
        f"{percentile(a['lag'], 50):.1f} h after the material is truly gone (p90 "
        f"{percentile(a['lag'], 90):.1f} h, max {max(a['lag']) if a['lag'] else 0:.1f} h), and "
        f"the recorded time to removal is late by a median {percentile(a['error'], 50):.1f} h "
        f"({'never early' if not a['early'] else str(a['early']) + ' early'}: a removal is "
        f"dated at the first gone check of its streak). The fixed 15-minute "
        f"interval would say it within "
        f"{max(x['lag']) if x['lag'] else 0:.2f} h at the cost of "
        f"{ratio(x['looks'], s['looks'])} the checks: the back-off trades hours of lag on "
        f"material removed late for far fewer checks. The second, confirming check always "
        f"adds `REMOVAL_CONFIRM_SECONDS` (0.5 h) to the lag.")
    marker = f"takedown_latency removal draws={args.draws} hours={args.hours:g}"
    command = (f".venv/bin/python bench/takedown_latency.py --parts b --draws {args.draws} "
               f"--baseline-draws {args.baseline_draws} --hours {args.hours:g} "
               f"--seed {args.seed}")
    block = f"""<!-- {marker} -->
### B: {args.draws:,} true removal times over 0–{args.hours:g} h, simulated clock ({utc_stamp()})

Command: `{command}` (total wall time {wall:.0f} s).
Code: {code_version()}.

Machine: {machine_line(django_version(), sqlite_version())}. The figures are simulated
hours, so the machine's load does not change them; it only sets how long the run takes.

{chr(10).join(lines)}

Ratios: {ratios}. {'; '.join(notes)}.

{verdict}
<!-- /{marker} -->"""
    publish(block, marker, markdown=args.markdown, write=not args.no_write,
            title=SECTION_TITLE, intro=INTRO)

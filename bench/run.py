"""The benchmark: ircc-watch against urlwatch and changedetection.io on the same local workload.

    python -m bench            # everything (same as python bench/run.py --all), ~25 min
    python -m bench --quick    # fewer watches and repeats, for iteration (~3 min)

It installs the peers (pinned, from PyPI) into bench/.peers, serves 200 watches on 127.0.0.1
(bench/workload.py), charges every tool its whole-process CPU (start-up and children
included), prints medians with min–max and writes every figure to bench/results.json.
A peer that cannot be installed or run here is reported with its error, never estimated.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import ours, peers  # noqa: E402
from bench.measure import machine, run_cpu, summary  # noqa: E402
from bench.workload import Workload  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results.json"
PARTIAL: Path | None = None
TOP: dict[str, Any] = {}


def repeat(times: int, func: Callable[[], tuple[float, float]], before=None) -> dict[str, Any]:
    """``times`` samples of (CPU, wall); ``before`` runs ahead of each sample, unmeasured."""
    cpus, walls = [], []
    for _ in range(times):
        if before is not None:
            before()
        cpu, wall = func()
        cpus.append(cpu)
        walls.append(wall)
    return {"cpu_s": summary(cpus), "wall_s": summary(walls)}


def guarded(results: dict[str, Any], key: str, func: Callable[[], Any]) -> Any:
    """Run one section; a failure is recorded with its error instead of a figure."""
    started = time.monotonic()
    print(f"… {key}", file=sys.stderr, flush=True)
    try:
        results[key] = func()
    except Exception as exc:  # a peer that cannot run here is reported, not faked
        results[key] = {"error": f"{type(exc).__name__}: {exc}"}
        traceback.print_exc()
    print(f"  {key}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    if PARTIAL is not None:  # what is measured so far survives an interrupted run
        PARTIAL.write_text(json.dumps(TOP, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return results[key]


def bench_ircc_watch(workload: Workload, tmp: Path, reps: int) -> dict[str, Any]:
    watches = workload.watches()
    tool = ours.IrccWatch(tmp / "ircc-check", watches)
    out: dict[str, Any] = {}
    out["first"] = repeat(reps, tool.check, before=tool.reset)
    out["unchanged_check"] = repeat(reps, tool.check)
    out["one_watch_check"] = repeat(reps, lambda: tool.check(watches[0][0]))
    # The floor under every cron check: Scrapy started and every URL fetched, nothing stored.
    feeds = {url: workload.feed_etag for _, url, kind in watches if kind != "page"}
    out["fetch_only"] = repeat(reps, lambda: tool.fetch_only(feeds))
    return out


def bench_urlwatch(workload: Workload, tmp: Path, reps: int) -> dict[str, Any]:
    tool = peers.Urlwatch(tmp / "urlwatch", workload.watches())
    out: dict[str, Any] = {"version": peers.URLWATCH}
    out["first"] = repeat(reps, tool.check, before=tool.reset)
    out["unchanged_check"] = repeat(reps, tool.check)
    return out


def bench_changedetection(workload: Workload, tmp: Path, reps: int) -> dict[str, Any]:
    tool = peers.Changedetection(tmp / "changedetection", workload.watches())
    out: dict[str, Any] = {"version": peers.CHANGEDETECTION, "fetcher": "html_requests"}
    batch = tmp / "changedetection" / "batch"
    out["first_batch"] = repeat(reps, lambda: tool.batch_first(batch))
    out["unchanged_batch"] = repeat(reps, lambda: tool.batch_check(batch))
    try:
        first = tool.start_daemon(tmp / "changedetection" / "d", workload)
        out["daemon_first_cpu_s"] = round(first, 3)
        out["daemon_pass"] = repeat(reps, lambda: tool.daemon_pass(workload))
    finally:
        tool.stop_daemon()
    return out


def python_floor(reps: int) -> dict[str, Any]:
    return repeat(reps, lambda: run_cpu([sys.executable, "-c", "pass"])[:2])


def helper_module(name: str, quick: bool) -> dict[str, Any]:
    """bench/parse.py and bench/fanout.py (other parts of the project) expose ``run()``."""
    module = importlib.import_module(f"bench.{name}")
    parameters = inspect.signature(module.run).parameters
    if "quick" in parameters:
        return module.run(quick=quick)
    if quick and "subscribers" in parameters:  # bench/fanout.py: a small fan-out only
        return module.run(subscribers=500, digest_subscribers=0, paid_subscribers=500)
    if quick and "samples" in parameters:  # bench/schedule.py: fewer draws measured
        return module.run(samples=2)
    return module.run()


def has_module(name: str) -> bool:
    return (Path(__file__).resolve().parent / f"{name}.py").exists()


def fmt(section: dict[str, Any] | None, key: str) -> str:
    if not section or "error" in section:
        return "error (see notes)" if section else "—"
    value = section.get(key)
    if not value:
        return "—"
    cpu = value.get("cpu_s", value)
    return f"{cpu['median']:.2f} s ({cpu['min']:.2f}–{cpu['max']:.2f})"


def ratio(a: dict | None, akey: str, b: dict | None, bkey: str) -> float | None:
    try:
        return a[akey]["cpu_s"]["median"] / b[bkey]["cpu_s"]["median"]
    except (KeyError, TypeError, ZeroDivisionError):
        return None


def table(results: dict[str, Any]) -> str:
    me = results.get("ircc_watch")
    uw = results.get("urlwatch")
    cd = results.get("changedetection")
    run = results.get("run_pass")
    inside = {"pass": run} if run and "error" not in run else None
    rows = [
        (
            "first (baseline) `check`",
            fmt(me, "first"),
            fmt(uw, "first"),
            fmt(cd, "first_batch") + " batch",
            ratio(me, "first", uw, "first"),
        ),
        (
            "unchanged `check` (cron)",
            fmt(me, "unchanged_check"),
            fmt(uw, "unchanged_check"),
            fmt(cd, "unchanged_batch") + " batch",
            ratio(me, "unchanged_check", uw, "unchanged_check"),
        ),
        (
            "unchanged pass inside `run`",
            fmt(inside, "pass"),
            "—",
            fmt(cd, "daemon_pass") + " daemon",
            ratio(inside, "pass", uw, "unchanged_check"),
        ),
        ("`check` of one watch", fmt(me, "one_watch_check"), "—", "—", None),
        (
            "the fetcher alone: Scrapy started, every URL fetched, nothing stored",
            fmt(me, "fetch_only"),
            "—",
            "—",
            ratio(me, "fetch_only", uw, "unchanged_check"),
        ),
    ]
    lines = [
        "| pass (CPU s, median (min–max)) | ircc-watch | urlwatch 2.29 "
        "| changedetection.io 0.60.10 | ircc-watch / urlwatch |",
        "|---|---|---|---|---|",
    ]
    for name, a, b, c, r in rows:
        lines.append(f"| {name} | {a} | {b} | {c} | {f'{r:.2f}×' if r is not None else '—'} |")
    floor = results.get("python_floor")
    if floor and "cpu_s" in floor:
        lines.append(f"\n(`python -c pass`: {floor['cpu_s']['median']:.3f} s)")
    return "\n".join(lines)


def _cpu(section: Any, *keys: str) -> float | None:
    try:
        for key in keys:
            section = section[key]
        return float(section["cpu_s"]["median"])
    except (KeyError, TypeError):
        return None


def goals(results: dict[str, Any]) -> list[str]:
    """One sentence per goal of the benchmark issue: met, missed, or not measured (and why)."""
    out: list[str] = []
    uw = _cpu(results, "urlwatch", "unchanged_check")
    uw_first = _cpu(results, "urlwatch", "first")

    def versus(name: str, mine: float | None, peer: float | None, limit: float) -> None:
        if mine is None or peer is None:
            out.append(f"{name} ≤ {limit:g}× urlwatch: not measured.")
            return
        ratio = mine / peer
        verdict = "met" if ratio <= limit else "missed"
        out.append(
            f"{name} ≤ {limit:g}× urlwatch: {verdict} ({mine:.2f} s vs {peer:.2f} s, {ratio:.2f}×)."
        )

    versus("Unchanged pass inside run", _cpu(results, "run_pass"), uw, 0.2)
    versus("Unchanged check (cron)", _cpu(results, "ircc_watch", "unchanged_check"), uw, 1.0)
    versus("First check (cron)", _cpu(results, "ircc_watch", "first"), uw_first, 1.5)
    floor = _cpu(results, "ircc_watch", "fetch_only")
    if floor is not None and uw:
        out.append(
            f"The fetcher alone (Scrapy started, {results.get('watches')} URLs fetched, nothing "
            f"stored): {floor:.2f} s, {floor / uw:.2f}× urlwatch's whole unchanged run"
            + (f" and {floor / uw_first:.2f}× its first run." if uw_first else ".")
        )
    parse = results.get("parse") or {}
    if "changed_page_ms" in parse:
        ms = parse["changed_page_ms"]
        out.append(
            f"Changed canada.ca page < 5 ms median: {'met' if ms < 5 else 'missed'} ({ms:.2f} ms)."
        )
    scaling = {
        int(n): v["cpu_s"]["median"]
        for n, v in (results.get("scaling_run_pass") or {}).items()
        if isinstance(v, dict) and "cpu_s" in v
    }
    if len(scaling) >= 2:
        sizes = sorted(scaling)
        per = [scaling[n] / n * 1000 for n in sizes]
        linear = per[-1] <= per[0] * 1.25
        out.append(
            f"Linear scaling: {'met' if linear else 'missed'} (ms per watch "
            + ", ".join(f"{n}: {p:.2f}" for n, p in zip(sizes, per, strict=True))
            + ")."
        )
    rss = (results.get("rss") or {}).get("rss_kib")
    if rss:
        growth = (rss[-1] - rss[0]) / 1024
        flat = growth <= max(2.0, rss[0] / 1024 * 0.05)
        out.append(
            f"RSS flat: {'met' if flat else 'missed'} ({rss[0] / 1024:.1f} → {rss[-1] / 1024:.1f} "
            f"MiB over {len(rss)} passes of {results['rss']['watches']} watches)."
        )
    size = results.get("size") or {}
    if "ratio" in size:
        out.append(
            f"DB ≤ 10 % of raw bytes: {'met' if size['ratio'] <= 0.10 else 'missed'} "
            f"({size['ratio'] * 100:.1f} % after {size['versions']} versions)."
        )
    fan = results.get("fanout") or {}
    if "fanout_percent_of_allowed_rate" in fan:
        pct = fan["fanout_percent_of_allowed_rate"]
        left = fan.get("fanout_left_unhandled", 0)
        met = pct >= 95 and not left
        out.append(
            f"Fan-out ≥ 95 % of the allowed rate, no 429 left unhandled: "
            f"{'met' if met else 'missed'} ({pct:.1f} % at speed {fan.get('fanout_speed')}, "
            f"{fan.get('fanout_recipients')} recipients, {fan.get('fanout_429s')} 429s answered, "
            f"{left} left unhandled)."
        )
    lat = results.get("latency") or {}
    if "median_s" in lat:
        met = lat["p95_s"] <= lat["goal_s"]
        out.append(
            f"Latency ≤ interval + 1 s: {'met' if met else 'missed'} (median "
            f"{lat['median_s']:.2f} s, p95 {lat['p95_s']:.2f} s, interval {lat['interval_s']:g} s)."
        )
    return out


def report(results: dict[str, Any]) -> str:
    out = [table(results), ""]
    scaling = results.get("scaling_run_pass") or {}
    if scaling and "error" not in scaling:
        parts = []
        for n, v in sorted(scaling.items(), key=lambda item: int(item[0])):
            if "cpu_s" in v:
                cpu = v["cpu_s"]["median"]
                parts.append(f"{n}: {cpu:.2f} s ({cpu / int(n) * 1000:.1f} ms/watch)")
        out.append("unchanged pass inside run, by watches: " + "; ".join(parts))
    rss = results.get("rss")
    if rss and "rss_kib" in rss:
        values = rss["rss_kib"]
        out.append(
            f"RSS over {len(values)} passes of {rss['watches']} watches: "
            f"{values[0] / 1024:.1f} MiB after pass 3, {max(values) / 1024:.1f} MiB max, "
            f"{values[-1] / 1024:.1f} MiB at the end"
        )
    size = results.get("size")
    if size and "ratio" in size:
        out.append(
            f"database after replaying {size['versions']} real feed versions: "
            f"{size['db_bytes'] / 2**20:.1f} MiB for {size['raw_bytes'] / 2**20:.1f} MiB raw "
            f"({size['ratio'] * 100:.1f} %)"
        )
    lat = results.get("latency")
    if lat and "median_s" in lat:
        out.append(
            f"latency page change → message at the fake Bot API ({lat['watches']} watches, "
            f"interval {lat['interval_s']:g} s): median {lat['median_s']:.2f} s, "
            f"p95 {lat['p95_s']:.2f} s (goal ≤ {lat['goal_s']:g} s)"
        )
    schedule = results.get("schedule")
    if schedule and "shipped" in schedule:
        from bench.schedule import report as schedule_report

        out += ["", schedule_report(schedule), ""]
    for key in ("fanout", "parse", "imports"):
        if key in results:
            out.append(f"{key}: {json.dumps(results[key], sort_keys=True)[:600]}")
    out.append("")
    out += goals(results)
    errors = {k: v["error"] for k, v in results.items() if isinstance(v, dict) and "error" in v}
    for key, error in errors.items():
        out.append(f"{key}: NOT MEASURED — {error}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="every section (the default)")
    parser.add_argument("--quick", action="store_true", help="fewer watches and repeats")
    parser.add_argument("--only", nargs="*", help="sections to run (default: all)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--watches", type=int, help="watches in the main workload")
    parser.add_argument("--reps", type=int, help="samples per figure")
    parser.add_argument(
        "--project", type=Path, help="measure the ircc-watch checkout in this folder instead"
    )
    parser.add_argument("--report", type=Path, help="reprint a results.json")
    args = parser.parse_args(argv)
    if args.report:
        print(report(json.loads(args.report.read_text(encoding="utf-8"))))
        return 0
    if args.project:
        ours.PROJECT = args.project.resolve()
    quick = args.quick
    reps = args.reps or (2 if quick else 5)
    n = args.watches or (40 if quick else 200)
    wanted = set(args.only or [])

    def on(name: str) -> bool:
        return not wanted or name in wanted

    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "quick": quick,
        "watches": n,
        "project": str(ours.PROJECT),
    }
    global PARTIAL, TOP
    PARTIAL, TOP = args.output.with_suffix(".partial.json"), results
    with Workload(n).start() as workload, tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if on("floor"):
            guarded(results, "python_floor", lambda: python_floor(reps))
        if on("imports"):
            guarded(results, "imports", ours.import_check)
        if on("ircc"):
            guarded(results, "ircc_watch", lambda: bench_ircc_watch(workload, tmp, reps))
        if on("run"):
            guarded(
                results,
                "run_pass",
                lambda: ours.service_passes(workload, n, reps, 10.0, tmp / "run"),
            )
        if on("urlwatch"):
            guarded(results, "urlwatch", lambda: bench_urlwatch(workload, tmp, reps))
        if on("changedetection"):
            guarded(results, "changedetection", lambda: bench_changedetection(workload, tmp, reps))
        if on("scaling"):
            scaling: dict[str, Any] = {}
            results["scaling_run_pass"] = scaling
            sizes = (20, 40, 100) if quick else (50, 200, 500, 1000)
            for size in sizes:
                workload.n = max(workload.n, size)
                guarded(
                    scaling,
                    str(size),
                    lambda s=size: ours.service_passes(
                        workload, s, 2 if quick else 3, max(10.0, s / 40), tmp / f"scale{s}"
                    ),
                )
            results["scaling_run_pass"] = scaling
        if on("rss"):
            guarded(
                results,
                "rss",
                lambda: ours.service_passes(
                    workload,
                    100 if quick else 500,
                    10 if quick else 100,
                    1.0,
                    tmp / "rss",
                    rss=True,
                    scrapy={"AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8},
                ),
            )
        if on("latency"):
            guarded(
                results,
                "latency",
                lambda: ours.latency(
                    workload,
                    3 if quick else 10,
                    3.0 if quick else 10.0,
                    20 if quick else n,
                    tmp / "latency",
                ),
            )
    if on("size"):
        guarded(results, "size", ours.database_size)
    for name in ("parse", "fanout", "schedule"):
        if on(name) and has_module(name):
            guarded(results, name, lambda m=name: helper_module(m, quick))
    results["machine"]["loadavg_end"] = machine()["loadavg"]
    results["goals"] = goals(results)
    text = report(results)
    print(text)
    results["report"] = text
    args.output.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    PARTIAL.unlink(missing_ok=True)
    print(f"\nwrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

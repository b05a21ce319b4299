"""Soak benchmark: does a long-running ``ircc-watch run`` keep its fds, memory and threads flat?

Runs the real ``ircc-watch run`` subprocess against the local site (tests/fakes/site.py), whose
canada.ca pages differ in bytes on every fetch (a fresh Akamai ``ak.rid``), as the real ones do.

    python bench/soak.py                      # (a) then (b), 30 minutes each
    python bench/soak.py --scenario a --minutes 30
    python bench/soak.py --scenario b --minutes 10 --factor 60

    python bench/soak.py --scenario a --minutes 30 --retention 1h --time-scale 4

(a) 20 watches, every 1 s. (b) 200 watches with the shipped config.toml's kinds and intervals,
each interval divided by ``--factor`` (60: "10m" becomes 10 s, "30m" 30 s). Every ``--sample``
seconds (30) it records the process's open file descriptors (/proc/PID/fd), resident memory,
threads and the database's size (with its WAL, also shown alone), prints a table and the
least-squares slope per hour of each figure after the warm-up, and writes the figures to
bench/soak-results.json.

``--retention`` sets ``keep_fetches`` (retention on; the service prunes at start and every
quarter of it). ``--time-scale S`` runs S times faster than simulated time: the retention is
divided by S while watches keep their 1 s interval, so each real second stands for S seconds
of watches checked every S seconds; "1h" at scale 4 keeps 15 real minutes of fetches.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from settings import load_config, parse_interval  # noqa: E402
from tests.fakes.site import LocalSite  # noqa: E402

RESULTS = ROOT / "bench" / "soak-results.json"
REAL = ROOT / "tests" / "fixtures" / "real"
SYNTHETIC = ROOT / "tests" / "fixtures" / "synthetic"
SEMANTIC = ROOT / "tests" / "fixtures" / "semantic" / "replay"
NOISE = REAL / "canada_ca_html" / "gcweb_noise_only" / "person-gender"
NOISE_PAGES = sorted(NOISE.glob("*.html"))

PTIME = REAL / "processing_times"

# What the local site serves for each kind of the shipped config: real pages and feeds where
# the fixtures have them, the faithful GCWeb pages of tests/fixtures/synthetic otherwise.
BODIES: dict[str, tuple[Path, str, bool]] = {  # kind → (file, content type, bytes vary)
    "ee-rounds": (
        next((REAL / "ee_rounds" / "raw_feed_series1").glob("*.json")),
        "application/json",
        False,
    ),
    "ee-categories": (
        SYNTHETIC / "ee-categories-en" / "2025-12-01T1400Z_before.html",
        "text/html; charset=utf-8",
        True,
    ),
    "page": (NOISE_PAGES[0], "text/html; charset=utf-8", True),
    "events": (
        SYNTHETIC / "events-en" / "2025-11-10T1200Z_before.html",
        "text/html; charset=utf-8",
        True,
    ),
    "atom": (
        sorted((SEMANTIC / "ircc-news").glob("*.atom"))[0],
        "application/atom+xml",
        False,
    ),
    "pnp-updates": (
        SEMANTIC / "oinp-updates" / "2026-04-26T1115Z_before.html",
        "text/html; charset=utf-8",
        True,
    ),
    "iec-pools": (
        SYNTHETIC / "iec-pools" / "2023-02-10T2100Z_v1-baseline.xml",
        "application/xml",
        False,
    ),
    "processing-times": (PTIME / "ptime_en_2025_all_versions.tar.xz", "application/json", False),
}


def body_of(kind: str, url: str) -> tuple[bytes, str, bool]:
    """The bytes served for a watch of ``kind`` (at ``url``), their type, and if they vary."""
    if kind not in BODIES:
        raise SystemExit(f"bench/soak.py has no page for kind {kind!r}: add one to BODIES")
    file, content_type, vary = BODIES[kind]
    if file.name.endswith(".tar.xz"):
        if "non-country" in url:
            file = PTIME / "ptime_non_country_en_2025_all_versions.tar.xz"
        with tarfile.open(file) as tar:
            first = min((m for m in tar.getmembers() if m.isfile()), key=lambda m: m.name)
            return tar.extractfile(first).read(), content_type, vary
    return file.read_bytes(), content_type, vary


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS (KiB) and Threads of a process, from /proc/PID/status."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "Threads"):
            figures[key] = int(value.split()[0])
    return figures


def sample(pid: int, db: Path, started: float, fetches: int) -> dict[str, float]:
    """One row of figures for the running process."""
    status = proc_status(pid)
    wal = Path(f"{db}-wal")
    size = sum(p.stat().st_size for p in (db, wal) if p.exists())
    return {
        "t_s": round(time.monotonic() - started, 1),
        "fds": len(os.listdir(f"/proc/{pid}/fd")),
        "rss_mib": round(status["VmRSS"] / 1024, 1),
        "threads": status["Threads"],
        "db_mib": round(size / 2**20, 2),
        "wal_mib": round(wal.stat().st_size / 2**20, 2) if wal.exists() else 0.0,
        "fetches": fetches,
    }


def slope_per_hour(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of value against time, per hour (time given in seconds)."""
    n = len(points)
    if n < 2:
        return 0.0
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return 0.0
    cov = sum((t - mean_t) * (v - mean_v) for t, v in points)
    return cov / var * 3600


def watch_blocks(scenario: str, site: LocalSite, factor: float) -> tuple[str, int]:
    """The [[watch]] blocks of a scenario's config, and how many watches it has."""
    blocks = []
    if scenario == "a":
        for i in range(20):
            site.set(f"/a{i}.html", NOISE_PAGES[i % len(NOISE_PAGES)].read_bytes(), vary=True)
            blocks.append(
                f'[[watch]]\nname = "a{i}"\nurl = "{site.url(f"/a{i}.html")}"\ninterval = "1s"\n'
            )
        return "".join(blocks), 20
    shipped = load_config(ROOT / "config.toml").watches
    for i in range(200):
        model = shipped[i % len(shipped)]
        body, content_type, vary = body_of(model.kind, model.url)
        path = f"/b{i}"
        site.set(path, body, content_type=content_type, vary=vary)
        seconds = max(1, round(model.interval / factor))
        blocks.append(
            f'[[watch]]\nname = "{model.name}-{i}"\nurl = "{site.url(path)}"\n'
            f'kind = "{model.kind}"\ntopic = "{model.topic}"\nlang = "{model.lang}"\n'
            f'interval = "{seconds}s"\n'
        )
    return "".join(blocks), 200


def soak(
    scenario: str,
    minutes: float,
    every: float,
    factor: float,
    warmup: float,
    retention: float | None = None,
    scale: float = 1.0,
) -> dict:
    """Run one scenario; return its samples and slopes. ``retention`` (simulated seconds)
    turns retention on, ``scale`` divides it (see the module's docstring)."""
    with LocalSite() as site, tempfile.TemporaryDirectory() as tmp:
        blocks, count = watch_blocks(scenario, site, factor)
        config = Path(tmp) / "config.toml"
        keep = f'keep_fetches = "{max(60, round(retention / scale))}s"\n' if retention else ""
        config.write_text(
            '[settings]\ndatabase = "soak.db"\nallowed_domains = ["127.0.0.1"]\n' + keep + blocks,
            encoding="utf-8",
        )
        load_config(config)  # the config must pass config-check before the soak starts
        env = {
            **os.environ,
            "IRCC_WATCH_SCRAPY_SETTINGS": json.dumps({"AUTOTHROTTLE_ENABLED": False}),
        }
        log = Path(tmp) / "run.log"
        with log.open("w") as err:
            process = subprocess.Popen(
                [sys.executable, "-m", "ircc_watch.cli", "--config", str(config), "run"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        started = time.monotonic()
        rows: list[dict[str, float]] = []
        fetches = 0
        title = {"a": "(a) 20 watches every 1 s", "b": f"(b) 200 watches, intervals / {factor:g}"}
        if retention:
            title[scenario] += (
                f", keep_fetches {retention / 3600:g} h simulated at time scale {scale:g}"
                f" ({max(60, round(retention / scale))} s real)"
            )
        print(f"{title[scenario]} for {minutes:g} min, a sample every {every:g} s", flush=True)
        print(
            f"{'t (s)':>7} {'fds':>5} {'RSS MiB':>8} {'threads':>7} {'DB MiB':>7} "
            f"{'of it WAL':>9} {'fetches':>8}"
        )
        try:
            deadline = started + minutes * 60
            next_sample = started + every
            while True:
                now = time.monotonic()
                if now >= next_sample:
                    with site._lock:  # count the fetches, and keep the site's log small
                        fetches += sum(1 for r in site.requests if r["path"] != "/robots.txt")
                        site.requests.clear()
                    if process.poll() is not None:
                        raise SystemExit(f"ircc-watch run exited ({process.returncode}); see {log}")
                    row = sample(process.pid, Path(tmp) / "soak.db", started, fetches)
                    rows.append(row)
                    print(
                        f"{row['t_s']:>7.0f} {row['fds']:>5} {row['rss_mib']:>8.1f} "
                        f"{row['threads']:>7} {row['db_mib']:>7.2f} {row['wal_mib']:>9.2f} "
                        f"{row['fetches']:>8}",
                        flush=True,
                    )
                    next_sample += every
                if now >= deadline:
                    break
                time.sleep(min(1.0, max(0.0, min(next_sample, deadline) - now)))
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                code = process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                code = None
    after = [r for r in rows if r["t_s"] >= warmup * 60] or rows
    slopes = {
        key: round(slope_per_hour([(r["t_s"], r[key]) for r in after]), 3)
        for key in ("fds", "rss_mib", "threads", "db_mib")
    }
    print(
        f"slope per hour after {warmup:g} min of warm-up: fds {slopes['fds']:+.2f}, "
        f"RSS {slopes['rss_mib']:+.2f} MiB, threads {slopes['threads']:+.2f}, "
        f"DB {slopes['db_mib']:+.3f} MiB; exit code after SIGTERM: {code}",
        flush=True,
    )
    return {
        "scenario": title[scenario],
        "watches": count,
        "minutes": minutes,
        "sample_s": every,
        "factor": factor if scenario == "b" else None,
        "retention_s": retention,
        "time_scale": scale,
        "warmup_min": warmup,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "exit_code": code,
        "slope_per_hour": slopes,
        "samples": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=("a", "b", "both"), default="both")
    parser.add_argument("--minutes", type=float, default=30.0, help="length of each scenario")
    parser.add_argument("--sample", type=float, default=30.0, help="seconds between samples")
    parser.add_argument("--factor", type=float, default=60.0, help="(b): intervals divided by")
    parser.add_argument("--warmup", type=float, default=5.0, help="minutes left out of slopes")
    parser.add_argument(
        "--retention", help='keep_fetches in simulated time ("1h"); default: none (30 days)'
    )
    parser.add_argument(
        "--time-scale", type=float, default=1.0, help="simulated seconds per real second"
    )
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    for scenario in ("a", "b") if args.scenario == "both" else (args.scenario,):
        warmup = min(args.warmup, args.minutes * 2 / 3)
        retention = parse_interval(args.retention) if args.retention else None
        figures = soak(
            scenario, args.minutes, args.sample, args.factor, warmup, retention, args.time_scale
        )
        # Read the file again now: the other scenario may have been run meanwhile.
        results = json.loads(args.results.read_text()) if args.results.exists() else {}
        results[scenario + ("-retention" if retention else "")] = figures
        args.results.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

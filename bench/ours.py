"""ircc-watch under the benchmark: `check` as cron runs it, `run` as a service, the database.

Every figure is the whole process (``python -m ircc_watch.cli``, start-up included), run with
the shipped Scrapy settings (robots.txt, AutoThrottle, 2 requests per domain at a time).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.measure import rss_kib, run_cpu, summary, tree_cpu, wait_until
from bench.workload import ROOT, SERIES1, SERIES2, Workload, feed_versions

# The checkout measured and its interpreter (``--project`` points them at another one, to
# measure a fix against the code before it).
PROJECT = ROOT
PYTHON = sys.executable


def compile_project() -> None:
    """Write the checkout's bytecode, as ``pip install`` does for an installed package.

    urlwatch runs from a wheel whose .pyc files pip wrote at install time; an editable checkout
    has none, and with PYTHONDONTWRITEBYTECODE set every ``check`` would compile the project's
    sources again (about 0.05 s of each run). Measuring like against like needs them here too.
    """
    names = ("settings", "ircc_watch", "crawlers", "diffing", "notifier", "storage", "review")
    packages = [str(PROJECT / name) for name in names if (PROJECT / name).is_dir()]
    subprocess.run([PYTHON, "-m", "compileall", "-q", *packages], check=True, capture_output=True)


class IrccWatch:
    """One config and database for ``watches``; ``check`` and ``service`` run the real CLI."""

    def __init__(
        self,
        workdir: Path,
        watches: list[tuple[str, str, str]],
        interval: str = "30m",
        extra: str = "",
    ) -> None:
        self.dir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.db = workdir / "bench.db"
        lines = [
            "[settings]",
            'database = "bench.db"',
            'allowed_domains = ["127.0.0.1"]',
            f'interval = "{interval}"',
        ]
        for name, url, kind in watches:
            lines += ["", "[[watch]]", f'name = "{name}"', f'url = "{url}"', f'kind = "{kind}"']
        self.watches = watches
        self.config = workdir / "config.toml"
        self.config.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
        self.process: subprocess.Popen | None = None
        compile_project()

    def cli(self, *args: str) -> list[str]:
        return [PYTHON, "-m", "ircc_watch.cli", "--config", str(self.config), *args]

    def reset(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.db) + suffix).unlink(missing_ok=True)

    def check(self, *names: str) -> tuple[float, float]:
        """One whole ``ircc-watch check``: (CPU s, wall s)."""
        cpu, wall, code = run_cpu(
            self.cli("check", *names),
            cwd=PROJECT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        if code != 0:
            raise RuntimeError(f"ircc-watch check exited {code}")
        return cpu, wall

    def fetch_only(self, etags: dict[str, str]) -> tuple[float, float]:
        """The fetcher alone over the same watches (bench/fetch_only.py): (CPU s, wall s).
        ``etags`` (URL → ETag) are the validators an unchanged check would send."""
        urls = self.dir / "fetch-only.json"
        rows = [(name, url, etags.get(url)) for name, url, _ in self.watches]
        urls.write_text(json.dumps(rows), encoding="utf-8")
        command = [PYTHON, "-m", "bench.fetch_only", str(urls)]
        cpu, wall, code = run_cpu(
            command, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        if code != 0:
            raise RuntimeError(f"bench.fetch_only exited {code}")
        return cpu, wall

    def start(self, env: dict[str, str] | None = None) -> subprocess.Popen:
        self.process = subprocess.Popen(
            self.cli("run"),
            cwd=PROJECT,
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=open(self.dir / "run.log", "w"),  # noqa: SIM115 (closed with the process)
        )
        return self.process

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self.process = None


def service_passes(
    workload: Workload,
    n: int,
    passes: int,
    interval: float,
    tmp: Path,
    rss: bool = False,
    scrapy: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``ircc-watch run`` over ``n`` watches: CPU of each unchanged pass after the baseline.

    A pass ends when the site has answered ``n`` more page requests; its cost is the whole
    process's CPU from the end of the previous pass to the end of this one (idle time, the
    scheduler and the delivery loop included). ``scrapy`` overrides Scrapy settings through
    IRCC_WATCH_SCRAPY_SETTINGS (the memory run drops AutoThrottle's pauses to pack 100 passes
    into minutes; the CPU figures keep the shipped settings).
    """
    watches = workload.watches(n)
    ours = IrccWatch(tmp, watches, interval=f"{interval:g}s")
    ours.reset()
    start_hits, start_robots = workload.hits, workload.robots_hits
    env = {"IRCC_WATCH_SCRAPY_SETTINGS": json.dumps(scrapy)} if scrapy else None
    process = ours.start(env)
    try:
        # The baseline pass, then one more to warm up (validators, region hashes stored).
        ok = wait_until(lambda: workload.hits - start_hits >= 2 * n, 900, 0.02)
        if not ok:
            raise RuntimeError(f"ircc-watch run did not finish its first passes: {ours.dir}")
        cpus, walls, rss_values = [], [], []
        mark_cpu, mark_time = tree_cpu(process.pid), time.monotonic()
        for k in range(3, passes + 3):
            target = start_hits + k * n
            if not wait_until(lambda t=target: workload.hits >= t, 900, 0.01):
                raise RuntimeError("ircc-watch run stopped fetching")
            cpu, now = tree_cpu(process.pid), time.monotonic()
            cpus.append(cpu - mark_cpu)
            walls.append(now - mark_time)
            if rss:
                rss_values.append(rss_kib(process.pid))
            mark_cpu, mark_time = cpu, now
        robots = workload.robots_hits - start_robots
    finally:
        code = ours.stop()
    result: dict[str, Any] = {
        "watches": n,
        "interval_s": interval,
        "cpu_s": summary(cpus),
        "wall_s": summary(walls),
        "exit_code": code,
        "robots_fetches": robots,
        "scrapy_overrides": scrapy or {},
    }
    if rss:
        result["rss_kib"] = rss_values
    return result


def database_size() -> dict[str, Any]:
    """Replay all 228 real Express Entry feed versions (both archives) into one database."""
    from ircc_watch.pipeline import Pipeline
    from ircc_watch.replay import replay_file
    from settings import load_config
    from storage import watches as watch_rows
    from storage.db import open_db

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        config_path = base / "config.toml"
        config_path.write_text(
            '[settings]\ndatabase = "size.db"\n'
            + "".join(
                f'[[watch]]\nname = "{name}"\nkind = "ee-rounds"\n'
                f'url = "https://www.canada.ca/content/dam/ircc/documents/json/{name}.json"\n'
                for name in ("series1", "series2")
            ),
            encoding="utf-8",
        )
        config = load_config(config_path)
        db = open_db(config.settings.database)
        watch_rows.sync(db, config.watches)
        pipeline = Pipeline(db, config)
        raw = versions = changes = 0
        per_version = []
        for watch, archive in zip(config.watches, (SERIES1, SERIES2), strict=True):
            folder = base / watch.name
            folder.mkdir()
            for name, body in feed_versions(archive):
                path = folder / name
                path.write_bytes(body)
                raw += len(body)
                versions += 1
                start = time.perf_counter()
                changes += len(replay_file(pipeline, watch, path).changes)
                per_version.append((time.perf_counter() - start) * 1000)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.conn.close()
        size = sum(
            Path(str(base / "size.db") + suffix).stat().st_size
            for suffix in ("", "-wal")
            if Path(str(base / "size.db") + suffix).exists()
        )
        tables = table_sizes(base / "size.db")
    return {
        "versions": versions,
        "raw_bytes": raw,
        "db_bytes": size,
        "ratio": round(size / raw, 4),
        "changes": changes,
        "replay_ms_per_version": round(statistics.median(per_version), 1),
        "table_bytes": tables,
    }


def table_sizes(path: Path) -> dict[str, int]:
    """Bytes per table and index (SQLite's dbstat), to see where the space goes."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
    except sqlite3.OperationalError:
        return {}
    finally:
        conn.close()
    return dict(sorted(rows, key=lambda row: -row[1]))


def latency(workload: Workload, samples: int, interval: float, n: int, tmp: Path) -> dict:
    """Seconds from a page change on the local site to its message at the fake Bot API."""
    from tests.fakes.telegram_api import FakeTelegram

    token, chat = "123456:BENCH-TOKEN", 4242
    watches = workload.watches(n)
    name, url, _ = watches[0]
    path = "/" + url.split("/", 3)[3]
    with FakeTelegram(token) as telegram:
        ours = IrccWatch(
            tmp,
            watches,
            interval=f"{interval:g}s",
            extra=(
                f'\n[telegram]\ntoken_env = "BENCH_IRCC_TOKEN"\nbase_url = "{telegram.base_url}"\n'
                f"maintainers = [{chat}]\n"
            ),
        )
        ours.reset()
        start_hits = workload.hits
        ours.start({"BENCH_IRCC_TOKEN": token})
        template = workload.templates[0]
        delays = []
        try:
            if not wait_until(lambda: workload.hits - start_hits >= 2 * n, 600, 0.05):
                raise RuntimeError("ircc-watch run did not finish its baseline")
            for k in range(samples):
                seen = len(telegram.messages_to(chat))
                sentence = f"<p>Benchmark sentence number {k}: applications now close later.</p>"
                body = template.replace(b"</main>", sentence.encode() + b"</main>", 1)
                # Change at a random moment of the interval, as a real edit would arrive.
                time.sleep((k * 0.37 % 1.0) * interval)
                changed = time.time()
                workload.set_page(path, body)
                if not telegram.wait_for(lambda s=seen: len(telegram.messages_to(chat)) > s, 120):
                    raise RuntimeError("no message reached the fake Bot API within 120 s")
                delays.append(time.time() - changed)
        finally:
            ours.stop()
            workload.overrides.clear()
    delays.sort()
    p95 = delays[min(len(delays) - 1, round(0.95 * (len(delays) - 1)))]
    return {
        "interval_s": interval,
        "watches": n,
        "seconds": summary(delays),
        "median_s": round(statistics.median(delays), 3),
        "p95_s": round(p95, 3),
        "goal_s": interval + 1,
    }


def import_check() -> dict[str, Any]:
    """Which heavy packages `check` and `config-check` import (python -X importtime)."""
    heavy = ("telegram", "aiohttp", "tldextract", "apscheduler", "scrapy", "twisted", "bs4")
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.toml"
        # One watch on a closed loopback port: `check` goes through its whole path and fails fast.
        config.write_text(
            '[settings]\ndatabase = "x.db"\nallowed_domains = ["127.0.0.1"]\n'
            '[[watch]]\nname = "closed"\nurl = "http://127.0.0.1:9/"\n',
            encoding="utf-8",
        )
        for command in ("config-check", "check"):
            done = subprocess.run(
                [PYTHON, "-X", "importtime", "-m", "ircc_watch.cli"]
                + ["--config", str(config), command],
                cwd=PROJECT,
                capture_output=True,
                text=True,
            )
            loaded = set()
            total_us = 0
            for line in done.stderr.splitlines():
                if not line.startswith("import time:") or "|" not in line:
                    continue
                parts = line.split("|")
                module = parts[2].strip()
                if module.isidentifier() or "." in module:
                    loaded.add(module.split(".")[0])
                if not parts[2].startswith("  ") and parts[1].strip().isdigit():
                    total_us += int(parts[1].strip())
            out[command] = {
                "heavy_imported": sorted(name for name in heavy if name in loaded),
                "import_ms": round(total_us / 1000, 1),
            }
    return out


def json_dump(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True)

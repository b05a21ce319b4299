"""Benchmarks (python bench/run.py): medians, and ratios against a peer measured in the same run.

1. An unchanged canada.ca page: the region pre-check vs the full parse it lets us skip.
2. The Express Entry feed (780 KB): extract, and a whole replay of 100 real versions.
3. Crawling: repeated in-process crawls (AsyncCrawlerRunner) vs a subprocess per crawl.
4. Memory: peak Python allocation during the replay; the service's resident memory over a
   minute of one-second checks (a process admins leave running for months must not grow).
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawlers.items import Fetch  # noqa: E402
from diffing.extract import extract  # noqa: E402
from diffing.precheck import fingerprint  # noqa: E402
from ircc_watch.config import load_config  # noqa: E402
from ircc_watch.pipeline import Pipeline  # noqa: E402
from ircc_watch.replay import replay_file  # noqa: E402
from storage import watches  # noqa: E402
from storage.db import open_db  # noqa: E402

REAL = ROOT / "tests" / "fixtures" / "real"
PAGE = sorted((REAL / "canada_ca_html" / "gcweb_noise_only" / "person-gender").glob("*.html"))
SERIES1 = REAL / "ee_rounds" / "raw_feed_series1_all_versions.tar.xz"


def median_ms(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_precheck() -> None:
    body = PAGE[1].read_bytes()
    pre = median_ms(lambda: fingerprint("page", body), 200)
    full = median_ms(lambda: extract("page", body), 50)
    print(
        f"unchanged page ({len(body):,} B): region pre-check {pre:.3f} ms, "
        f"full parse {full:.2f} ms, ratio {full / pre:.0f}x"
    )


def unpack(into: Path) -> list[Path]:
    with tarfile.open(SERIES1) as tar:
        tar.extractall(into, filter="data")
    return sorted(into.glob("*.json"))


def write_config(directory: Path) -> Path:
    path = directory / "config.toml"
    path.write_text(
        '[settings]\ndatabase = "bench.db"\n[[watch]]\nname = "ee-rounds"\n'
        'url = "https://www.canada.ca/content/dam/ircc/documents/json/ee_rounds_123_en.json"\n'
        'kind = "ee-rounds"\n',
        encoding="utf-8",
    )
    return path


def bench_feed_and_replay() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        files = unpack(tmp_path / "s1")
        latest = files[-1].read_bytes()
        parse = median_ms(lambda: extract("ee-rounds", latest), 20)
        print(f"EE feed extract ({len(latest):,} B, 438 rounds): median {parse:.1f} ms")

        config = load_config(write_config(tmp_path))
        db = open_db(config.settings.database)
        watches.sync(db, config.watches)
        pipeline = Pipeline(db, config)
        per_version = []
        tracemalloc.start()
        start = time.perf_counter()
        changes = 0
        for path in files:
            t0 = time.perf_counter()
            changes += len(replay_file(pipeline, config.watches[0], path).changes)
            per_version.append((time.perf_counter() - t0) * 1000)
        total = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = Path(config.settings.database).stat().st_size
        raw = sum(p.stat().st_size for p in files)
        print(
            f"replay of {len(files)} real feed versions: {total:.2f} s total, median "
            f"{statistics.median(per_version):.1f} ms per version, {changes} changes; "
            f"peak Python memory {peak / 2**20:.1f} MiB"
        )
        print(
            f"database after replay: {size / 2**20:.1f} MiB for {raw / 2**20:.1f} MiB "
            f"of raw versions ({raw / size:.1f}x smaller)"
        )


CRAWL_SCRIPT = """
import asyncio, sys
sys.path.insert(0, {root!r})
from crawlers.runner import crawl, stop_reactor
from crawlers.spiders.watches import Target
async def main():
    got = []
    await crawl([Target(f"p{{i}}", "{url}" + str(i)) for i in range(5)], got.append,
                user_agent="bench", allowed_domains=["127.0.0.1"],
                overrides={{"AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": False}})
    stop_reactor()
asyncio.run(main())
"""


def bench_crawl() -> None:
    sys.path.insert(0, str(ROOT))
    from crawlers.runner import crawl, stop_reactor
    from crawlers.spiders.watches import Target
    from tests.fakes.site import LocalSite

    with LocalSite() as site:
        for i in range(5):
            site.set(f"/p{i}", PAGE[0].read_bytes())
        url = site.url("/p")

        async def in_process() -> list[float]:
            times = []
            for _ in range(11):
                got: list[Fetch] = []
                start = time.perf_counter()
                await crawl(
                    [Target(f"p{i}", f"{url}{i}") for i in range(5)],
                    got.append,
                    user_agent="bench",
                    allowed_domains=["127.0.0.1"],
                    overrides={"AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": False},
                )
                times.append((time.perf_counter() - start) * 1000)
                assert len(got) == 5
            stop_reactor()
            return times[1:]

        times = asyncio.run(in_process())
        script = CRAWL_SCRIPT.format(root=str(ROOT), url=url)
        sub = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", script], check=True)
            sub.append((time.perf_counter() - start) * 1000)
        inproc, subproc = statistics.median(times), statistics.median(sub)
        print(
            f"crawl of 5 local pages: in-process median {inproc:.0f} ms, subprocess per "
            f"crawl median {subproc:.0f} ms, ratio {subproc / inproc:.0f}x"
        )


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def bench_service_memory(seconds: float = 60.0) -> None:
    import json
    import os
    import signal

    from tests.fakes.site import LocalSite

    pages = [p.read_bytes() for p in PAGE]
    with LocalSite() as site, tempfile.TemporaryDirectory() as tmp:
        watches_toml = ""
        for i in range(5):
            site.set(f"/p{i}.html", pages[0], etag=False)
            watches_toml += (
                f'[[watch]]\nname = "p{i}"\nurl = "{site.url(f"/p{i}.html")}"\ninterval = "1s"\n'
            )
        config = Path(tmp) / "config.toml"
        config.write_text(
            '[settings]\ndatabase = "bench.db"\nallowed_domains = ["127.0.0.1"]\n' + watches_toml,
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "IRCC_WATCH_SCRAPY_SETTINGS": json.dumps({"AUTOTHROTTLE_ENABLED": False}),
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "ircc_watch.cli", "--config", str(config), "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(5)
            start_rss = rss_kib(process.pid)
            start_hits = len([r for r in site.requests if r["path"].endswith(".html")])
            deadline = time.monotonic() + seconds
            turn = 0
            while time.monotonic() < deadline:
                turn += 1
                for i in range(5):  # every fetch differs in bytes, as canada.ca's do
                    site.set(f"/p{i}.html", pages[turn % len(pages)], etag=False)
                time.sleep(1)
            end_rss = rss_kib(process.pid)
            hits = len([r for r in site.requests if r["path"].endswith(".html")]) - start_hits
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    print(
        f"service, 5 watches every 1 s for {seconds:.0f} s ({hits} page fetches, all noise-only): "
        f"RSS {start_rss / 1024:.1f} MiB after warm-up, {end_rss / 1024:.1f} MiB at the end"
    )


if __name__ == "__main__":
    bench_precheck()
    bench_feed_and_replay()
    bench_crawl()
    bench_service_memory()

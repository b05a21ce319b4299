"""Fair shares (issue 16): how long one chat or one host can hold up the others.

Bot: chat B sends /latest while chat A's 150 commands are being answered, through the real
Application against the fake Bot API at Telegram's real rates (1 message a second per chat,
a burst of 3, 30 a second overall): B's wait, from its message to its answer. ``--before``
handles updates one at a time as PTB does by default (what the bot did before).

Crawl: `ircc-watch run` with default crawl settings (DOWNLOAD_TIMEOUT 30 s), a healthy 3 s
watch on 127.0.0.1 and a watch on 127.0.0.2 whose server sends one byte a second, for
``--seconds``: the healthy watch's checks and its longest gap, and the slow watch's failures.

    python bench/fairness.py              # both, about 90 s
    python bench/fairness.py --bot --before
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.db import open_db  # noqa: E402
from tests.conftest import REAL, unpack, write_config  # noqa: E402
from tests.fakes.site import LocalSite  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402

ALICE, BOB = 111, 222


async def bot(flood: int = 150, before: bool = False) -> dict[str, Any]:
    """B's /latest wait alone and during A's flood (seconds)."""
    from telegram.ext import SimpleUpdateProcessor

    import notifier.bot
    from notifier.bot import build_application
    from tests.notifier_support import (
        StorageActions,
        feed_bytes,
        fetch,
        make_config,
        open_database,
        pipeline,
        real_feed,
        running,
        without_newest,
    )

    if before:
        notifier.bot.PerChatUpdates = lambda: SimpleUpdateProcessor(1)  # type: ignore[assignment]
    results: dict[str, Any] = {"fairness_bot_flood": flood, "fairness_bot_before": before}
    with tempfile.TemporaryDirectory() as tmp, FakeTelegram() as fake:
        config = make_config(Path(tmp), base_url=fake.base_url)
        db = open_database(config)
        pipe = pipeline(db, config)
        feed = real_feed()
        pipe.handle(fetch(config, "ee-rounds", feed_bytes(without_newest(feed))))
        pipe.handle(fetch(config, "ee-rounds", feed_bytes(feed)))
        app = build_application(config, db, token=fake.token, actions=StorageActions(db))
        async with running(app):

            async def bob_waits() -> float:
                count = len(fake.messages_to(BOB))
                started = time.monotonic()
                fake.inject_message(BOB, "/latest")
                await fake.wait_for_async(lambda: len(fake.messages_to(BOB)) > count, 600)
                return time.monotonic() - started

            results["fairness_bot_latest_alone_s"] = round(await bob_waits(), 3)
            for _ in range(flood):
                fake.inject_message(ALICE, "/latest")
            await fake.wait_for_async(lambda: fake.messages_to(ALICE), 30)
            results["fairness_bot_latest_during_flood_s"] = round(await bob_waits(), 3)
            results["fairness_bot_flood_answered_meanwhile"] = len(fake.messages_to(ALICE))
            app.update_processor.shutdown_wait = 0.1  # type: ignore[attr-defined]
    return results


class _Trickle(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/robots.txt":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            while not self.server.stopping.wait(1.0):  # type: ignore[attr-defined]
                self.wfile.write(b" ")
                self.wfile.flush()
        except OSError:
            pass

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def crawl(seconds: float = 75.0) -> dict[str, Any]:
    """The healthy 3 s watch's checks while a 1 byte/s host is watched beside it."""
    slow = ThreadingHTTPServer(("127.0.0.2", 0), _Trickle)
    slow.daemon_threads = True
    slow.stopping = threading.Event()  # type: ignore[attr-defined]
    threading.Thread(target=slow.serve_forever, daemon=True).start()
    tmp = Path(tempfile.mkdtemp())
    try:
        with LocalSite() as site:
            versions = unpack(REAL / "ee_rounds" / "raw_feed_series1_all_versions.tar.xz", tmp)
            site.set("/ee.json", versions[0].read_bytes(), content_type="application/json")
            slow_url = f"http://127.0.0.2:{slow.server_address[1]}/slow.html"
            config = write_config(
                tmp,
                [
                    {
                        "name": "healthy",
                        "url": site.url("/ee.json"),
                        "kind": "ee-rounds",
                        "topic": "express-entry",
                        "interval": "3s",
                    },
                    {"name": "slow", "url": slow_url, "topic": "standards", "interval": "3s"},
                ],
                settings={"allowed_domains": ["canada.ca", "127.0.0.1", "127.0.0.2"]},
            )
            process = subprocess.Popen(
                [sys.executable, "-m", "ircc_watch.cli", "--config", str(config), "run"],
                cwd=ROOT,
                env={k: v for k, v in os.environ.items() if k != "IRCC_WATCH_SCRAPY_SETTINGS"},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(seconds)
            process.terminate()
            process.wait(timeout=60)
        db = open_db(tmp / "test.db")
        rows = list(db.query("SELECT watch, fetched_at, outcome, elapsed_ms FROM fetches"))
        stamps = sorted(
            datetime.strptime(r["fetched_at"], "%Y-%m-%dT%H:%M:%SZ").timestamp()
            for r in rows
            if r["watch"] == "healthy"
        )
        gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
        failures = [r for r in rows if r["watch"] == "slow" and r["outcome"] == "error"]
        return {
            "fairness_crawl_seconds": seconds,
            "fairness_crawl_healthy_checks": len(stamps),
            "fairness_crawl_healthy_longest_gap_s": max(gaps) if gaps else None,
            "fairness_crawl_slow_failures": len(failures),
            "fairness_crawl_slow_longest_wait_s": max(
                (r["elapsed_ms"] / 1000 for r in failures), default=None
            ),
        }
    finally:
        slow.stopping.set()  # type: ignore[attr-defined]
        slow.shutdown()
        slow.server_close()
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bot", action="store_true", help="only the bot's part")
    parser.add_argument("--crawl", action="store_true", help="only the crawl's part")
    parser.add_argument("--before", action="store_true", help="bot: one update at a time")
    parser.add_argument("--seconds", type=float, default=75.0, help="crawl: how long to run")
    args = parser.parse_args(argv)
    both = not (args.bot or args.crawl)
    results: dict[str, Any] = {}
    if args.bot or both:
        results |= asyncio.run(bot(before=args.before))
    if args.crawl or both:
        results |= crawl(args.seconds)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

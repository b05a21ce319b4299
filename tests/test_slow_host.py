"""A slow host holds only its own watches (issue 16): `run` with a healthy 1 s watch on
127.0.0.1 and a watch on 127.0.0.2 whose server sends one byte a second, through the real
Scrapy engine. The healthy watch keeps being checked while the slow one is in flight, and the
slow one fails at its own timeout, once per check (no retry), counted as its failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawlers.runner import WatchCrawler
from ircc_watch.checking import FLUSH_AFTER, check
from ircc_watch.pipeline import Pipeline
from settings import load_config
from storage import watches as watch_rows
from storage.db import open_db
from tests.conftest import REAL, unpack, write_config
from tests.test_service import fetch_outcomes, start, stop, wait_until

FAST = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_TIMEOUT": 3}
SLOW_HOST = "127.0.0.2"  # another loopback address: another host, so another download slot


class _Trickle(BaseHTTPRequestHandler):
    """robots.txt at once (404); any other path: headers, then one byte a second."""

    requests = 0

    def do_GET(self) -> None:  # noqa: N802 - name required by BaseHTTPRequestHandler
        if self.path == "/robots.txt":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        type(self).requests += 1
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        with contextlib.suppress(OSError):
            for _ in range(100_000):
                self.wfile.write(b" ")
                self.wfile.flush()
                if self.server.stopping.wait(1.0):  # type: ignore[attr-defined]
                    return

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def slow_server() -> Iterator[str]:
    try:
        server = ThreadingHTTPServer((SLOW_HOST, 0), _Trickle)
    except OSError as exc:
        pytest.skip(f"cannot listen on {SLOW_HOST}: {exc}")
    server.daemon_threads = True
    server.stopping = threading.Event()  # type: ignore[attr-defined]
    _Trickle.requests = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{SLOW_HOST}:{server.server_address[1]}/slow.html"
    finally:
        server.stopping.set()  # type: ignore[attr-defined]
        server.shutdown()
        server.server_close()


def _stamp(value: str) -> float:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").timestamp()


def test_a_host_sending_one_byte_a_second_does_not_hold_other_watches(tmp_path, site, slow_server):
    feed = unpack(REAL / "ee_rounds" / "raw_feed_series1_all_versions.tar.xz", tmp_path / "s1")
    site.set("/ee.json", feed[0].read_bytes(), content_type="application/json")
    config = write_config(
        tmp_path,
        [
            {
                "name": "healthy",
                "url": site.url("/ee.json"),
                "kind": "ee-rounds",
                "topic": "express-entry",
                "interval": "1s",
            },
            {"name": "slow", "url": slow_server, "topic": "standards", "interval": "1s"},
        ],
        settings={"allowed_domains": ["canada.ca", "127.0.0.1", SLOW_HOST]},
    )
    db_path = tmp_path / "test.db"
    process = start(config, tmp_path / "run.log")
    try:
        assert wait_until(lambda: fetch_outcomes(db_path).count("error") >= 2, timeout=90), (
            tmp_path / "run.log"
        ).read_text()
        time.sleep(1)  # the healthy watch's round after the second failure is flushed
    finally:
        assert stop(process) == 0
    db = open_db(db_path)
    rows = list(db.query("SELECT watch, fetched_at, elapsed_ms, outcome, error FROM fetches"))
    rows.sort(key=lambda r: r["fetched_at"])
    slow = [r for r in rows if r["watch"] == "slow"]
    healthy = [_stamp(r["fetched_at"]) for r in rows if r["watch"] == "healthy"]
    failures = [r for r in slow if r["outcome"] == "error"]
    assert len(failures) >= 2 and all(r["error"] == "timeout" for r in failures), slow
    for failure in failures[:2]:
        ended = _stamp(failure["fetched_at"])
        began = ended - failure["elapsed_ms"] / 1000
        during = [t for t in healthy if began + 1 <= t <= ended - 1]
        # The slow fetch lasted its whole timeout (5 s here): the 1 s watch went on meanwhile.
        assert len(during) >= 2, (failure, healthy)
    row = db.execute("SELECT consecutive_failures, last_error FROM watches WHERE name = 'slow'")
    failures_counted, last_error = row.fetchone()
    assert failures_counted >= 2 and "timeout" in last_error.lower()
    # One request per failed check: a timeout is not retried at once (that doubled the hold).
    assert _Trickle.requests <= len(slow) + 1
    assert all(r["outcome"] != "error" for r in rows if r["watch"] == "healthy")
    # The slow watch's round did not keep its healthy fetch's row back until after later
    # rounds' rows: the fetch log is in the order the checks happened.
    logged = [r["fetched_at"] for r in db.query("SELECT fetched_at FROM fetches ORDER BY id")]
    assert logged == sorted(logged)


async def test_a_rounds_quick_checks_are_written_while_its_slow_one_waits(
    tmp_path, site, slow_server
):
    """Two overlapping rounds on one crawler: the first (a quick watch and the slow one) writes
    its quick check's bookkeeping soon after it, not when the slow fetch gives up, so the
    second round reads it and its newer rows are never overwritten by older ones."""
    site.set("/page", b"<html><body><main><h1>T</h1><p>Text.</p></main></body></html>")
    path = write_config(
        tmp_path,
        [
            {"name": "quick", "url": site.url("/page"), "topic": "standards"},
            {"name": "slow", "url": slow_server, "topic": "standards"},
        ],
        settings={"allowed_domains": ["127.0.0.1", SLOW_HOST]},
    )
    config = load_config(path)
    db = open_db(config.settings.database)
    watch_rows.sync(db, config.watches)
    pipeline = Pipeline(db, config)
    quick, slow = config.watch("quick"), config.watch("slow")
    crawler = WatchCrawler(config.settings.user_agent, config.settings.allowed_domains, FAST)
    await crawler.start()

    def logged() -> list[tuple[str, str]]:
        rows = db.query("SELECT watch, outcome FROM fetches ORDER BY id")
        return [(r["watch"], r["outcome"]) for r in rows]

    try:
        await check(db, config, pipeline, [quick], crawler=crawler)  # its baseline
        first = asyncio.create_task(check(db, config, pipeline, [quick, slow], crawler=crawler))
        for _ in range(100):
            await asyncio.sleep(0.05)
            if crawler.in_flight() == ["slow"]:
                break
        assert crawler.in_flight() == ["slow"]
        await asyncio.sleep(FLUSH_AFTER * 3)
        # The quiet check's row (kept for the round's one transaction) is written already.
        assert logged() == [("quick", "baseline"), ("quick", "not_modified")]
        await check(db, config, pipeline, [quick, slow], crawler=crawler)  # slow: in flight
        assert not first.done()
        await first
    finally:
        await crawler.close()
    assert logged() == [
        ("quick", "baseline"),
        ("quick", "not_modified"),
        ("quick", "not_modified"),
        ("slow", "error"),
    ]
    assert _Trickle.requests == 1

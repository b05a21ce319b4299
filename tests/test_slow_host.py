"""A slow host holds only its own watches (issue 16): `run` with a healthy 1 s watch on
127.0.0.1 and a watch on 127.0.0.2 whose server sends one byte a second, through the real
Scrapy engine. The healthy watch keeps being checked while the slow one is in flight, and the
slow one fails at its own timeout, once per check (no retry), counted as its failure.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from storage.db import open_db
from tests.conftest import REAL, unpack, write_config
from tests.test_service import fetch_outcomes, start, stop, wait_until

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

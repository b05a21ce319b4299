"""The benchmark's workload, served on 127.0.0.1: canada.ca pages and Express Entry feed copies.

Of every 20 watches 19 are real GCWeb pages (tests/fixtures/real/canada_ca_html) whose bytes
differ on every fetch as canada.ca's do: the Akamai mPulse script in ``<head>`` carries a new
request id, timestamp and client port each time, while ``<main>`` stays the same. The 20th is
a copy of the real 780 KB Express Entry rounds feed, served with an ETag so that a conditional
GET gets a 304. Every tool in the benchmark fetches exactly these URLs.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "fixtures" / "real"
PAGES = sorted((REAL / "canada_ca_html" / "gcweb_noise_only").rglob("*.html"))
SERIES1 = REAL / "ee_rounds" / "raw_feed_series1_all_versions.tar.xz"
SERIES2 = REAL / "ee_rounds" / "rounds_array_series2_all_versions.tar.xz"
AKAMAI = re.compile(rb'"ak\.rid":"[0-9a-f]+"|"ak\.t":"\d+"|"ak\.cport":\d+')


def feed_versions(archive: Path = SERIES1) -> list[tuple[str, bytes]]:
    """Every version in a fixture archive as (member name, bytes), in name order."""
    with tarfile.open(archive) as tar:
        members = sorted((m for m in tar.getmembers() if m.isfile()), key=lambda m: m.name)
        return [(Path(m.name).name, tar.extractfile(m).read()) for m in members]  # type: ignore[union-attr]


def latest_feed() -> bytes:
    """The newest real Express Entry feed of series 1 (782 KB, 438 rounds)."""
    return feed_versions(SERIES1)[-1][1]


class Workload:
    """``n`` watches on one local server; ``urls()`` lists them as (name, url, kind)."""

    def __init__(self, n: int = 200) -> None:
        self.n = n
        self.templates = [path.read_bytes() for path in PAGES]
        self.feed = latest_feed()
        self.feed_etag = '"' + hashlib.sha256(self.feed).hexdigest()[:16] + '"'
        self.overrides: dict[str, bytes] = {}
        self.hits = 0
        self.robots_hits = 0
        self.served_bytes = 0
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def watches(self, n: int | None = None) -> list[tuple[str, str, str]]:
        """(name, url, kind) of the first ``n`` watches: 19 pages, then one feed, repeated."""
        out = []
        for i in range(n or self.n):
            if i % 20 == 19:
                out.append((f"feed-{i:04d}", self.url(f"/feed/{i:04d}.json"), "ee-rounds"))
            else:
                out.append((f"page-{i:04d}", self.url(f"/page/{i:04d}.html"), "page"))
        return out

    def url(self, path: str) -> str:
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def set_page(self, path: str, body: bytes) -> None:
        """Serve ``body`` (still with a fresh Akamai script each fetch) at ``path``."""
        with self._lock:
            self.overrides[path] = body

    def page_body(self, path: str) -> bytes:
        """A page as canada.ca would send it now: same ``<main>``, new Akamai values."""
        with self._lock:
            base = self.overrides.get(path)
        if base is None:
            index = int(re.sub(r"\D", "", path) or 0)
            base = self.templates[index % len(self.templates)]
        serial = next(self._counter)
        fresh = {
            b'"ak.rid"': f'"ak.rid":"{serial * 2654435761 % 2**32:08x}"'.encode(),
            b'"ak.t"': f'"ak.t":"{1734608671 + serial}"'.encode(),
            b'"ak.cport"': f'"ak.cport":{10000 + serial % 50000}'.encode(),
        }

        def swap(match: re.Match[bytes]) -> bytes:
            return fresh[match.group(0).split(b":")[0]]

        return AKAMAI.sub(swap, base)

    def start(self) -> Workload:
        workload = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                workload._answer(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.request_queue_size = 128
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> Workload:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?")[0]
        headers: dict[str, str] = {}
        status = 200
        if path == "/robots.txt":
            with self._lock:
                self.robots_hits += 1
            body, kind = b"User-agent: *\nAllow: /\n", "text/plain"
        elif path.startswith("/page/"):
            body, kind = self.page_body(path), "text/html; charset=UTF-8"
        elif path.startswith("/feed/"):
            kind = "application/json"
            headers["ETag"] = self.feed_etag
            if handler.headers.get("If-None-Match") == self.feed_etag:
                status, body = 304, b""
            else:
                body = self.feed
        else:
            status, body, kind = 404, b"<html><body><h1>Not found</h1></body></html>", "text/html"
        if path != "/robots.txt":
            with self._lock:
                self.hits += 1
                self.served_bytes += len(body)
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", kind)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if body:
                handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

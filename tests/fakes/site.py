"""A local web site on 127.0.0.1 for tests and benchmarks: swappable pages, ETags, faults.

Real HTTP, so the real Scrapy engine crawls it exactly as it would crawl canada.ca.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Page:
    """What one path answers: a body, or a fault (status, delay, redirect)."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    etag: bool = True
    last_modified: float | None = None
    delay: float = 0.0
    location: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    vary: bool = False  # a fresh Akamai request id on every fetch, as canada.ca's pages have


_AK_RID = re.compile(rb'"ak\.rid":"[0-9a-f]*"')


def varied(body: bytes) -> bytes:
    """``body`` with a new ``ak.rid`` (or, if it has none, a new comment after ``<head>``)."""
    rid = secrets.token_hex(4).encode()
    new, count = _AK_RID.subn(b'"ak.rid":"' + rid + b'"', body, count=1)
    if count:
        return new
    return body.replace(b"<head>", b"<head><!-- ak.rid " + rid + b" -->", 1)


class LocalSite:
    """Serve pages by path; ``set`` swaps one at any time (thread-safe)."""

    def __init__(self, robots: str = "User-agent: *\nAllow: /\n") -> None:
        self.pages: dict[str, Page] = {}
        self.robots = robots
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def set(self, path: str, body: bytes | str = b"", **options: Any) -> None:
        """Serve ``body`` (or a fault described by ``options``) at ``path``."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        with self._lock:
            self.pages[path] = Page(body=body, **options)

    def url(self, path: str) -> str:
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def hits(self, path: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.requests if r["path"] == path]

    def start(self) -> LocalSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                site._answer(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> LocalSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        request = {"path": path, "headers": dict(handler.headers), "at": time.time()}
        with self._lock:
            self.requests.append(request)
            page = self.pages.get(path)
        if path == "/robots.txt" and page is None:
            page = Page(body=self.robots.encode(), content_type="text/plain")
        if page is None:
            page = Page(body=b"<html><body><h1>Not found</h1></body></html>", status=404)
        if page.delay:
            time.sleep(page.delay)
        body = varied(page.body) if page.vary else page.body
        headers = {"Content-Type": page.content_type, **page.headers}
        if page.location:
            headers["Location"] = page.location
        if page.status == 200 and page.etag:
            tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            headers["ETag"] = tag
            if handler.headers.get("If-None-Match") == tag:
                self._send(handler, 304, headers, b"")
                return
        if page.status == 200 and page.last_modified is not None:
            headers["Last-Modified"] = formatdate(page.last_modified, usegmt=True)
        self._send(handler, page.status, headers, body)
        request["served"] = time.time()  # the whole body written

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes
    ) -> None:
        try:
            handler.send_response(status)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if body:
                handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

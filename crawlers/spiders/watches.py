"""One spider for all due watches: fetch each URL once, yield one Fetch per watch."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure

from crawlers.items import Fetch

KEPT_HEADERS = ("etag", "last-modified", "content-type", "retry-after", "location", "date")


@dataclass(frozen=True)
class Target:
    """What the spider needs to fetch one watch: its URL and the validators last seen."""

    watch: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    # follow = "latest": the index page to read first, and the pattern of the pages it links to;
    # the newest of them (by the year in its address) is fetched instead of ``url``.
    index: str | None = None
    pattern: str | None = None
    timeout: float | None = None  # seconds; at most the crawl's DOWNLOAD_TIMEOUT


class WatchSpider(scrapy.Spider):
    """Fetches targets with a conditional GET; no parsing happens here.

    The targets given at creation are fetched at start; a long-lived crawler hands it more
    through ``request_for`` and the engine while the spider stays open.
    """

    name = "watches"

    def __init__(
        self,
        targets: Iterable[Target] = (),
        sink: Callable[[Fetch], None] | None = None,
        allowed_domains: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.targets = list(targets)
        self.sink = sink or (lambda fetch: None)
        self.allowed_domains = list(allowed_domains)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for target in self.targets:
            yield self.request_for(target)

    def request_for(self, target: Target) -> scrapy.Request:
        """The request that starts one target: its index when it follows the newest page,
        else the conditional GET of its page."""
        if target.index and target.pattern:
            meta = {"watch": target.watch, "target": target, "started": time.monotonic()}
            return scrapy.Request(
                target.index,
                callback=self.parse_index,
                errback=self.index_failed,
                meta=meta | self._timeout(target),
            )
        return self.page_request(target)

    def parse_index(self, response: scrapy.http.Response) -> Iterable[scrapy.Request]:
        """The index read: the newest linked page matching the pattern (else the target's)."""
        target: Target = response.meta["target"]
        links = response.css("a::attr(href)").getall() if response.status == 200 else []
        newest = newest_link([response.urljoin(link) for link in links], target.pattern or "")
        if newest is None or newest == target.url:
            yield self.page_request(target)
        else:
            yield self.page_request(Target(target.watch, newest, timeout=target.timeout))

    def index_failed(self, failure: Failure) -> Iterable[scrapy.Request]:
        """An index that cannot be read leaves the watch on its current page."""
        yield self.page_request(failure.request.meta["target"])  # type: ignore[attr-defined]

    def page_request(self, target: Target) -> scrapy.Request:
        """The conditional GET of one target, answered by ``parse`` or ``failed``."""
        headers = {}
        if target.etag:
            headers["If-None-Match"] = target.etag
        if target.last_modified:
            headers["If-Modified-Since"] = target.last_modified
        meta = {"watch": target.watch, "started": time.monotonic()} | self._timeout(target)
        return scrapy.Request(
            target.url,
            headers=headers,
            callback=self.parse,
            errback=self.failed,
            meta=meta,
        )

    def _timeout(self, target: Target) -> dict[str, float]:
        """The request's own download timeout: the target's, capped by the crawl's."""
        if target.timeout is None:
            return {}
        ceiling = self.settings.getfloat("DOWNLOAD_TIMEOUT") if self.settings else 0.0
        return {"download_timeout": min(target.timeout, ceiling or target.timeout)}

    def parse(self, response: scrapy.http.Response) -> Iterable[Fetch]:
        meta = response.meta
        redirects = list(
            zip(meta.get("redirect_reasons", []), meta.get("redirect_urls", []), strict=False)
        )
        headers = {}
        for name in KEPT_HEADERS:
            value = response.headers.get(name)
            if value is not None:
                headers[name] = value.decode("latin-1")
        yield Fetch(
            watch=meta["watch"],
            url=meta.get("redirect_urls", [response.url])[0],
            final_url=response.url,
            status=response.status,
            body=response.body,
            headers=headers,
            elapsed_ms=_elapsed_ms(meta),
            redirects=[(int(reason), url) for reason, url in redirects if str(reason).isdigit()],
        )

    def failed(self, failure: Failure) -> Iterable[Fetch]:
        request = failure.request  # type: ignore[attr-defined]
        error = _cause(failure)
        detail = str(failure.value)[:500] or type(failure.value).__name__
        too_large = _TOO_LARGE.search(str(failure.value))
        if too_large:
            error = "too_large"
            detail = (
                f"{megabytes(int(too_large['size']))}, limit {megabytes(int(too_large['limit']))}"
            )
        elif error == "ignored" and "max redirections" in detail:
            error, detail = _redirects(request.meta.get("redirect_urls", []), request.url)
        yield Fetch(
            watch=request.meta["watch"],
            url=request.meta.get("redirect_urls", [request.url])[0],
            final_url=request.url,
            status=None,
            elapsed_ms=_elapsed_ms(request.meta),
            error=error,
            error_detail=detail,
        )


def newest_link(links: Iterable[str], pattern: str) -> str | None:
    """The link matching ``pattern`` with the latest year in its address ("…/2027-…" over
    "…/2026-…"), or None."""
    matching = {link.split("#")[0] for link in links if re.fullmatch(pattern, link.split("#")[0])}
    if not matching:
        return None
    return max(matching, key=lambda link: (sorted(_YEARS.findall(link), reverse=True), link))


_YEARS = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def megabytes(size: int) -> str:
    """A byte count as people read it: 64523473 → "64.5 MB", 20000000 → "20 MB"."""
    return f"{size / 1e6:.1f}".removesuffix(".0") + " MB"


def _redirects(urls: list[str], last: str) -> tuple[str, str]:
    """A redirect chain that came back to an address it had left ("redirect_loop", "a → b →
    a"), or one too long ("too_many_redirects", its length)."""
    chain = [*urls, last]
    for index, url in enumerate(chain):
        if url in chain[index + 1 :]:
            back = chain.index(url, index + 1)
            return "redirect_loop", " → ".join(chain[index : back + 1])
    return "too_many_redirects", f"{len(chain) - 1} redirects"


# Scrapy's words for a body over DOWNLOAD_MAXSIZE (announced by Content-Length, or received).
_TOO_LARGE = re.compile(
    r"(?:Expected to receive|Received) (?P<size>\d+) bytes which is larger than download max"
    r" size \((?P<limit>\d+)\)"
)


def _elapsed_ms(meta: dict[str, Any]) -> float:
    return round((time.monotonic() - meta.get("started", time.monotonic())) * 1000, 1)


def _cause(failure: Failure) -> str:
    """A short, stable name for why no response came back."""
    if failure.check(DNSLookupError, CannotResolveHostError):
        return "dns"
    if failure.check(TimeoutError, TCPTimedOutError, DownloadTimeoutError):
        return "timeout"
    if failure.check(ConnectionRefusedError, DownloadConnectionRefusedError):
        return "connection"
    if failure.check(IgnoreRequest):
        text = str(failure.value)
        if "robots.txt" in text:
            return "robots"
        if "offsite" in text:
            return "offsite"
        return "ignored"
    name = type(failure.value).__name__.lower()
    if "timeout" in name:
        return "timeout"
    if "connection" in name or "refused" in name or "lost" in name:
        return "connection"
    return "other"

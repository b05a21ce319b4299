"""Runs the watch spider inside the running asyncio loop (no subprocess, no reactor.run)."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from crawlers.items import Fetch
from crawlers.settings import crawl_settings
from crawlers.spiders.watches import Target, WatchSpider

# Scrapy warns of a body over DOWNLOAD_MAXSIZE in its own words ("Expected to receive 64523473
# bytes which is larger than download max size…"); the watch's Fetch says it plainly instead.
logging.getLogger("scrapy.core.downloader.handlers.http11").setLevel(logging.ERROR)


def ensure_reactor() -> None:
    """Install Twisted's asyncio reactor on the running loop and start it, once.

    Must be called from inside the running loop. ``startRunning`` (not ``run``) lets
    asyncio keep driving the loop; without it the first crawl hangs.
    """
    if "twisted.internet.reactor" not in sys.modules:
        # Installing again would build a second reactor whose waker pipe (two file
        # descriptors) is never closed: one install per process, reused by every crawl.
        from twisted.internet import asyncioreactor

        asyncioreactor.install(asyncio.get_running_loop())
    from twisted.internet import reactor

    if not reactor.running:  # type: ignore[attr-defined]
        reactor.startRunning(installSignalHandlers=False)  # type: ignore[attr-defined]


def stop_reactor() -> None:
    """Stop the reactor's thread pool, or the process hangs at exit."""
    from twisted.internet import reactor

    pool = reactor.getThreadPool()  # type: ignore[attr-defined]
    if pool.started:
        pool.stop()


@dataclass
class _InFlight:
    """A target handed to the engine, waiting for its Fetch."""

    target: Target
    sink: Callable[[Fetch], None]
    done: asyncio.Future[None]


class WatchCrawler:
    """One Scrapy crawler whose spider stays open; each ``crawl`` hands it a round of targets.

    ``run`` keeps one for its whole life, so middlewares, extensions and connections are
    built once and robots.txt is fetched once per its expiry, not once per round. Rounds may
    overlap: each waits only for its own targets, so a slow host (which has its own download
    slot) holds only its own watches, and a watch still in flight is not fetched twice.
    """

    def __init__(
        self,
        user_agent: str,
        allowed_domains: Iterable[str],
        overrides: dict[str, Any] | None = None,
    ) -> None:
        self.user_agent = user_agent
        self.allowed_domains = list(allowed_domains)
        self.overrides = dict(overrides or {})
        self._crawler: Any = None
        self._task: asyncio.Task[None] | None = None
        self._opened: asyncio.Event | None = None
        self._pending: dict[str, _InFlight] = {}
        self._offsite_seen = 0
        self._closing = False

    def matches(
        self,
        user_agent: str,
        allowed_domains: Iterable[str],
        overrides: dict[str, Any] | None = None,
    ) -> bool:
        """Whether this crawler was built for these settings (a reload may change them)."""
        return (
            user_agent == self.user_agent
            and list(allowed_domains) == self.allowed_domains
            and dict(overrides or {}) == self.overrides
        )

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Open the spider and keep it open until ``close``."""
        from scrapy import signals
        from scrapy.crawler import AsyncCrawlerRunner

        ensure_reactor()
        self._opened = asyncio.Event()
        runner = AsyncCrawlerRunner(crawl_settings(self.user_agent, **self.overrides))
        self._crawler = runner.create_crawler(WatchSpider)
        # Bound methods: Scrapy's signals hold weak references.
        self._crawler.signals.connect(self._on_opened, signal=signals.spider_opened)
        self._crawler.signals.connect(self._on_idle, signal=signals.spider_idle)
        self._task = runner.crawl(
            self._crawler, sink=self._hand_off, allowed_domains=self.allowed_domains
        )
        opened = asyncio.ensure_future(self._opened.wait())
        await asyncio.wait({opened, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if not self._opened.is_set():
            opened.cancel()
            await self._task  # raises what stopped the crawler from starting
            raise RuntimeError("the crawler stopped before its spider opened")

    async def crawl(self, targets: Iterable[Target], sink: Callable[[Fetch], None]) -> None:
        """Fetch every target once; ``sink`` receives each Fetch as it arrives.

        A target whose watch is still in flight (from an earlier round) is skipped: its
        answer goes to that round. Raises what ``sink`` raised, once the round is over.
        """
        if not self.running:
            raise RuntimeError("the crawler is not running")
        spider = self._crawler.spider
        loop = asyncio.get_running_loop()
        waits = []
        for target in targets:
            if target.watch in self._pending:
                continue
            waiting = _InFlight(target, sink, loop.create_future())
            self._pending[target.watch] = waiting
            waits.append(waiting.done)
            self._crawler.engine.crawl(spider.request_for(target))
        if not waits:
            return
        await asyncio.wait(waits)
        for done in waits:
            if not done.cancelled() and done.exception() is not None:
                raise done.exception()  # type: ignore[misc]

    async def close(self) -> None:
        """Close the spider and wait for the crawler to finish (in-flight fetches end first);
        rounds still waiting for a target the engine dropped end without its Fetch."""
        self._closing = True
        if self._crawler is not None and self.running:
            await self._crawler.stop_async()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        pending, self._pending = self._pending, {}
        for waiting in pending.values():
            if not waiting.done.done():
                waiting.done.set_result(None)

    def in_flight(self) -> list[str]:
        """The watches handed to the engine whose Fetch has not arrived yet."""
        return sorted(self._pending)

    def download_timeout(self) -> float:
        """Seconds a fetch may take before it fails (Scrapy's DOWNLOAD_TIMEOUT)."""
        if self._crawler is None:
            return 0.0
        return self._crawler.settings.getfloat("DOWNLOAD_TIMEOUT")

    def _offsite(self) -> int:
        stats = self._crawler.stats if self._crawler is not None else None
        return (stats.get_value("offsite/filtered") or 0) if stats else 0

    def _on_opened(self, spider: Any) -> None:
        assert self._opened is not None
        self._opened.set()

    def _hand_off(self, fetch: Fetch) -> None:
        waiting = self._pending.pop(fetch.watch, None)
        if waiting is None:
            return
        try:
            waiting.sink(fetch)
        except Exception as exc:
            # The sink turns every fault of one watch into that watch's failure; what it
            # raises (a database that cannot be used) ends the round, raised by ``crawl``.
            if not waiting.done.done():
                waiting.done.set_exception(exc)
            return
        if not waiting.done.done():
            waiting.done.set_result(None)

    def _on_idle(self, spider: Any) -> None:
        from scrapy.exceptions import DontCloseSpider

        if self._pending:
            # Idle with targets unanswered: Scrapy dropped their requests without calling
            # the errback (a redirect to a domain outside allowed_domains); each watch must
            # still hear that its check failed.
            offsite = self._offsite() > self._offsite_seen
            for waiting in list(self._pending.values()):
                target = waiting.target
                self._hand_off(
                    Fetch(
                        watch=target.watch,
                        url=target.url,
                        final_url=target.url,
                        status=None,
                        error="offsite" if offsite else "other",
                        error_detail="redirected to a domain outside allowed_domains"
                        if offsite
                        else "the request was dropped before a response",
                    )
                )
        self._offsite_seen = self._offsite()
        if not self._closing:
            raise DontCloseSpider


async def crawl(
    targets: Iterable[Target],
    sink: Callable[[Fetch], None],
    *,
    user_agent: str,
    allowed_domains: Iterable[str],
    overrides: dict[str, Any] | None = None,
) -> None:
    """Fetch every target once with a crawler of its own (what ``check`` does)."""
    targets = list(targets)
    if not targets:
        return
    crawler = WatchCrawler(user_agent, allowed_domains, overrides)
    await crawler.start()
    try:
        await crawler.crawl(targets, sink)
    finally:
        await crawler.close()

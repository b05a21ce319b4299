"""Runs the watch spider inside the running asyncio loop (no subprocess, no reactor.run)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterable
from typing import Any

from crawlers.items import Fetch
from crawlers.settings import crawl_settings
from crawlers.spiders.watches import Target, WatchSpider


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


async def crawl(
    targets: Iterable[Target],
    sink: Callable[[Fetch], None],
    *,
    user_agent: str,
    allowed_domains: Iterable[str],
    overrides: dict[str, Any] | None = None,
) -> None:
    """Fetch every target once; ``sink`` receives each Fetch as it arrives."""
    from scrapy.crawler import AsyncCrawlerRunner

    targets = list(targets)
    if not targets:
        return
    ensure_reactor()
    answered: set[str] = set()

    def hand_off(fetch: Fetch) -> None:
        answered.add(fetch.watch)
        sink(fetch)

    runner = AsyncCrawlerRunner(crawl_settings(user_agent, **(overrides or {})))
    crawler = runner.create_crawler(WatchSpider)
    await runner.crawl(
        crawler, targets=targets, sink=hand_off, allowed_domains=list(allowed_domains)
    )
    offsite = (crawler.stats.get_value("offsite/filtered") or 0) if crawler.stats else 0
    for target in targets:
        if target.watch not in answered:
            # Scrapy drops a redirect to a domain outside allowed_domains without calling
            # the errback; the watch must still hear that its check failed.
            sink(
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

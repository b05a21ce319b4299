"""One round of checks: crawl the chosen watches once and run each Fetch through the pipeline."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

import sqlite_utils

from crawlers.items import Fetch
from crawlers.runner import WatchCrawler, crawl
from crawlers.settings import watch_timeout
from crawlers.spiders.watches import Target
from ircc_watch.pipeline import Outcome, Pipeline, Prepared
from settings import Config, Watch
from storage import watches as watch_rows
from storage.rounds import RoundWrites

FLUSH_AFTER = 0.5  # seconds without a new Fetch before a round's bookkeeping is written


def targets_for(db: sqlite_utils.Database, chosen: Iterable[Watch]) -> list[Target]:
    """Crawl targets with the validators last stored for each watch; a watch that follows the
    newest page starts from the page it follows now and reads its index first."""
    targets = []
    for watch in chosen:
        row = watch_rows.get(db, watch.name) or {}
        url = (row.get("followed_url") or watch.url) if watch.follow else watch.url
        validators = (row.get("etag"), row.get("last_modified"))
        timeout = watch_timeout(watch.interval)
        targets.append(
            Target(watch.name, url, *validators, watch.index, watch.pattern, timeout=timeout)
        )
    return targets


def page_size_limit(config: Config, overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Scrapy settings for a crawl: ``settings.max_page_size`` as its download limit (a test's
    own overrides win)."""
    return {"DOWNLOAD_MAXSIZE": config.settings.max_page_size, **(overrides or {})}


async def send_due(db: sqlite_utils.Database, config: Config) -> int | None:
    """Send the outbox's due Telegram messages once; None when no token is configured.

    ``ircc-watch check`` run from cron delivers its own alerts this way; anything that fails
    stays in the outbox for the next check or for ``ircc-watch run``.
    """
    token = config.telegram.token() if config.telegram else None
    if not token:
        return None
    import telegram

    from notifier.delivery import Delivery

    options = {"base_url": config.telegram.base_url} if config.telegram.base_url else {}
    async with telegram.Bot(token, **options) as bot:
        return await Delivery(db, config, bot).send_due()


async def check(
    db: sqlite_utils.Database,
    config: Config,
    pipeline: Pipeline,
    chosen: Iterable[Watch],
    crawl_overrides: dict[str, Any] | None = None,
    sink: Callable[[Fetch, Prepared | None], Outcome | None] | None = None,
    crawler: WatchCrawler | None = None,
    read_ahead: bool = False,
) -> list[Outcome]:
    """Fetch the chosen watches once; returns one Outcome per watch, in crawl order.

    ``sink`` replaces ``pipeline.handle`` when the caller wants to look at each Fetch too
    (the service reads Retry-After); it must still call ``pipeline.handle`` with the Fetch
    and what was read ahead, and return its Outcome (or None for a fetch it dropped).
    ``crawler`` is a long-lived crawler to use (the service's); without one, a crawler is
    opened for this round and closed after it. With ``read_ahead`` (the service), each body
    is parsed and diffed in a worker thread first (``Pipeline.prepare``), so the event loop
    stays free; the round ends when every Fetch has been handled.
    """
    handle = sink or (lambda fetch, prepared: pipeline.handle(fetch, prepared=prepared))
    results: list[Outcome | asyncio.Future[Outcome | None] | None] = []
    # The fetch log and watch rows of the round's quiet checks go in one transaction. Rounds
    # of the service's crawler overlap: each Fetch is handled with its own round's writes,
    # written FLUSH_AFTER seconds after the round's last Fetch so far, so a slow straggler
    # never keeps the others' rows back until after a later round's (which would then be
    # overwritten by older values, and read stale validators meanwhile).
    writes = RoundWrites(db)
    loop = asyncio.get_running_loop()
    timer: asyncio.TimerHandle | None = None

    def handled(fetch: Fetch, prepared: Prepared | None) -> Outcome | None:
        nonlocal timer
        pipeline.round = writes
        try:
            return handle(fetch, prepared)
        finally:
            pipeline.round = None
            if timer is not None:
                timer.cancel()
            timer = loop.call_later(FLUSH_AFTER, writes.flush)

    async def read_then_handle(fetch: Fetch) -> Outcome | None:
        return handled(fetch, await pipeline.prepare(fetch))

    def collect(fetch: Fetch) -> None:
        if read_ahead:
            results.append(asyncio.ensure_future(read_then_handle(fetch)))
        else:
            results.append(handled(fetch, None))

    targets = targets_for(db, list(chosen))
    try:
        if crawler is not None:
            await crawler.crawl(targets, collect)
        else:
            await crawl(
                targets,
                collect,
                user_agent=config.settings.user_agent,
                allowed_domains=config.settings.allowed_domains,
                overrides=page_size_limit(config, crawl_overrides),
            )
    finally:
        pending = [r for r in results if isinstance(r, asyncio.Future)]
        done = await asyncio.gather(*pending, return_exceptions=True)
        if timer is not None:
            timer.cancel()
        writes.flush()
    failed = next((e for e in done if isinstance(e, BaseException)), None)
    if failed is not None:
        raise failed
    outcomes = [r.result() if isinstance(r, asyncio.Future) else r for r in results]
    return [outcome for outcome in outcomes if outcome is not None]

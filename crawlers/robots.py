"""robots.txt obeyed by a crawler that stays open for months: each host's file is kept until it
expires (``ROBOTSTXT_MAX_AGE``, 24 hours by default, as RFC 9309 allows), then fetched again.

Scrapy's own middleware keeps the first robots.txt it read for the crawler's whole life.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

DEFAULT_MAX_AGE = 24 * 3600.0


class ExpiringRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's RobotsTxtMiddleware with a maximum age for each host's parsed robots.txt.

    Requests that arrive while a host's robots.txt is being fetched all wait for the one
    download. (Scrapy's own waiters share one Deferred, whose result only the first of
    them receives: the others were let through as if there were no robots.txt.)
    """

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.max_age = crawler.settings.getfloat("ROBOTSTXT_MAX_AGE", DEFAULT_MAX_AGE)
        self._read_at: dict[str, float] = {}
        self._fetching: dict[str, asyncio.Future[Any]] = {}

    async def robot_parser(self, request: Any) -> Any:
        netloc = urlparse_cached(request).netloc
        pending = self._fetching.get(netloc)
        if pending is not None:
            return await asyncio.shield(pending)
        now = time.monotonic()
        parser = self._parsers.get(netloc)
        if netloc in self._parsers and not isinstance(parser, Deferred):
            if now - self._read_at.get(netloc, now) < self.max_age:
                return parser
            del self._parsers[netloc]
        self._read_at[netloc] = now
        future = asyncio.get_running_loop().create_future()
        self._fetching[netloc] = future
        parser = None
        try:
            parser = await super().robot_parser(request)
        finally:
            del self._fetching[netloc]
            future.set_result(parser)
        return parser

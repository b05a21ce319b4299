"""Scrapy settings for the watch crawl: polite, quiet, no cache, no consoles.

Only what a watch needs is loaded: cookies, telnet, remote control, feed export, memory and
log statistics, depth and URL-length checks are off (not even imported), the
generator check that re-parses the spider's source for every response is off, and items go
through the pipeline one at a time.
"""

from __future__ import annotations

from typing import Any

USER_AGENT = "ircc-watch/0.1 (+https://github.com/ircc-watch/ircc-watch)"
MIN_WATCH_TIMEOUT = 5.0  # seconds: no watch gives up on a response sooner


def watch_timeout(interval: float) -> float:
    """How long one check of a watch may wait for its response: half its interval, at least
    MIN_WATCH_TIMEOUT (the crawl's DOWNLOAD_TIMEOUT caps it). A host that answers slowly
    then fails that watch's check in time instead of holding it past its next one."""
    return max(MIN_WATCH_TIMEOUT, interval / 2)


def crawl_settings(user_agent: str = USER_AGENT, **overrides: Any) -> dict[str, Any]:
    """Settings for one crawl; ``overrides`` lets tests shorten delays and timeouts."""
    settings: dict[str, Any] = {
        "BOT_NAME": "ircc-watch",
        "USER_AGENT": user_agent,
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": 8,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": 1.0,
        "AUTOTHROTTLE_MAX_DELAY": 30.0,
        "DOWNLOAD_TIMEOUT": 30,
        "DOWNLOAD_MAXSIZE": 20 * 1024 * 1024,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 1,
        # 429 and 503 are not retried here: the scheduler waits for their Retry-After.
        "RETRY_HTTP_CODES": [500, 502, 504, 522, 524, 408],
        # Scrapy's list without DownloadTimeoutError: a host too slow once is slow again at
        # once; the next scheduled check is its retry (a retry doubled the hold on a slot).
        "RETRY_EXCEPTIONS": [
            "scrapy.exceptions.CannotResolveHostError",
            "scrapy.exceptions.DownloadConnectionRefusedError",
            "scrapy.exceptions.DownloadFailedError",
            "scrapy.exceptions.ResponseDataLossError",
            "twisted.internet.error.ConnectionDone",
            "twisted.internet.error.ConnectError",
            "twisted.internet.error.ConnectionLost",
            "builtins.OSError",
            "scrapy.core.downloader.handlers.http11.TunnelError",
        ],
        "REDIRECT_ENABLED": True,
        "COOKIES_ENABLED": False,
        # Two watches may share a URL; dont_filter is not used because it would also
        # let a redirect leave allowed_domains.
        "DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter",
        "HTTPCACHE_ENABLED": False,
        "HTTPERROR_ALLOW_ALL": True,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "ITEM_PIPELINES": {"crawlers.pipelines.HandOffPipeline": 100},
        # The spider's callbacks are tiny and known: no ast parse of their source per response.
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        # One Fetch per response: 100 would create 100 asyncio tasks for every response.
        "CONCURRENT_ITEMS": 1,
        # The base lists themselves, not overrides set to None: Scrapy imports every key of
        # an override to normalize it, which would load tldextract (cookies) and aiohttp
        # (remote control) for nothing.
        "DOWNLOADER_MIDDLEWARES_BASE": {
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": 50,
            "crawlers.robots.ExpiringRobotsTxtMiddleware": 100,
            "scrapy.downloadermiddlewares.downloadtimeout.DownloadTimeoutMiddleware": 350,
            "scrapy.downloadermiddlewares.defaultheaders.DefaultHeadersMiddleware": 400,
            "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": 500,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": 550,
            "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": 580,
            "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 590,
            "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": 600,
            "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": 750,
        },
        "SPIDER_MIDDLEWARES_BASE": {
            "scrapy.spidermiddlewares.start.StartSpiderMiddleware": 25,
            "scrapy.spidermiddlewares.httperror.HttpErrorMiddleware": 50,
            "scrapy.spidermiddlewares.referer.RefererMiddleware": 700,
        },
        "EXTENSIONS_BASE": {"scrapy.extensions.throttle.AutoThrottle": 0},
        # Watches are http(s) only: Scrapy imports every listed handler to ask whether it is
        # lazy, and the ftp one alone loads Twisted's FTP client.
        "DOWNLOAD_HANDLERS_BASE": {
            "http": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
            "https": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
        },
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    }
    settings.update(overrides)
    return settings

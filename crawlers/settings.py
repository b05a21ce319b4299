"""Scrapy settings for the watch crawl: polite, quiet, no cache, no consoles."""

from __future__ import annotations

from typing import Any

USER_AGENT = "ircc-watch/0.1 (+https://github.com/ircc-watch/ircc-watch)"


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
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    }
    settings.update(overrides)
    return settings

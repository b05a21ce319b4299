"""The fetcher's own floor: start Python, import ircc-watch's crawler and fetch every URL once
with the shipped Scrapy settings (robots.txt, AutoThrottle, 2 per domain, conditional GET),
storing and comparing nothing.

``python -m bench.fetch_only URLS.json`` (a JSON list of [name, url, etag or null]: the ETag a
check would send) exits 0 when every URL answered 200 or 304. Its CPU is what any cron
``check`` costs before ircc-watch does anything of its own; ``python -m bench`` sets it beside
urlwatch's whole run.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

from crawlers.items import Fetch
from crawlers.runner import crawl, stop_reactor
from crawlers.settings import USER_AGENT
from crawlers.spiders.watches import Target


def main(path: str) -> int:
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    targets = [Target(name, url, etag) for name, url, etag in rows]
    hosts = sorted({urlsplit(url).hostname or "" for _, url, _ in rows})
    fetched: list[Fetch] = []
    try:
        asyncio.run(crawl(targets, fetched.append, user_agent=USER_AGENT, allowed_domains=hosts))
    finally:
        stop_reactor()
    answered = sum(1 for fetch in fetched if fetch.status in (200, 304))
    return 0 if answered == len(targets) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))

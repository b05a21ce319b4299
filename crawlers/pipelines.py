"""The only pipeline: hands each Fetch to the rest of the flow (storage, diffing)."""

from __future__ import annotations

from typing import Any

from crawlers.items import Fetch


class HandOffPipeline:
    """Calls the spider's ``sink`` with every Fetch; the sink persists and diffs it."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> HandOffPipeline:
        return cls(crawler)

    def process_item(self, item: Fetch) -> Fetch:
        self.crawler.spider.sink(item)
        return item

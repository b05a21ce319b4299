"""How long an 18 MB page holds the event loop (python bench/big_page.py [MB]).

The service reads each body in a worker thread (``Pipeline.prepare``) and then stores it on
the loop (``Pipeline.handle``). This times both for a baseline and for a changed version of
a canada.ca-like page (sections of long paragraphs): the worker's seconds are seconds the bot
and the review page stay live; the loop's are the longest they wait.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawlers.items import Fetch  # noqa: E402
from diffing.formats import plural  # noqa: E402
from tests.test_big_pages import big_page  # noqa: E402
from tests.unfamiliar_support import OneWatch  # noqa: E402

OLD_FEE = b"</p><ul><li>Fee: $85</li></ul><h2>Requirement 6<"
NEW_FEE = b"</p><ul><li>Fee: $95</li></ul><h2>Requirement 6<"


async def run(megabytes: float) -> list[tuple[str, int, float, float]]:
    """(outcome, changes, seconds in the worker thread, seconds on the loop) per version."""
    first = big_page(megabytes)
    versions = (first, first.replace(OLD_FEE, NEW_FEE))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        watch = OneWatch(Path(folder), "page", "https://www.canada.ca/en/big.html")
        url = watch.config.watches[0].url
        for day, body in enumerate(versions, start=1):
            fetch = Fetch(watch="w", url=url, final_url=url, status=200, body=body)
            now = f"2026-01-0{day}T10:00:00Z"
            started = time.perf_counter()
            prepared = await watch.pipeline.prepare(fetch, now)
            read = time.perf_counter()
            outcome = watch.pipeline.handle(fetch, now, prepared)
            stored = time.perf_counter()
            rows.append((outcome.outcome, len(outcome.changes), read - started, stored - read))
    return rows


def main(argv: list[str]) -> int:
    megabytes = float(argv[0]) if argv else 18.0
    print(f"a {megabytes:g} MB page")
    for outcome, changes, worker, loop in asyncio.run(run(megabytes)):
        told = plural(changes, "change", "changes")
        print(f"{outcome:9} {told}: worker thread {worker:5.2f} s, loop {loop:4.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

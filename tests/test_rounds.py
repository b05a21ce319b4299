"""Rounds inside ``run`` (issue 19): the watches falling due together are checked together.

Each watch's job has its own jitter, so before, nearly every round was one watch, each with its
own reads, its own hand-off to the crawler and its own transaction; an unchanged pass over 200
watches cost 0.53–0.56 s of CPU against 0.46–0.48 s once a round waits ``GATHER_DUE`` for the
others (``python -m bench --only run``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT, write_config
from tests.test_service import FAST_SCRAPY
from tests.unfamiliar_support import gcweb

# The real service and its real scheduler, in a process of its own; ``check_now``, the one
# call a round makes, is wrapped to note the watches each round was given (and still called).
PROBE = """
import asyncio, json, os, signal, sys
from ircc_watch.cli import crawl_overrides_from_env
from ircc_watch.service import Service
from settings import load_config

path, wanted = sys.argv[1], int(sys.argv[2])
rounds = []

async def main():
    service = Service(load_config(path), path, crawl_overrides=crawl_overrides_from_env())
    check_now = service.check_now

    async def noted(names):
        rounds.append(sorted(names))
        if sum(map(len, rounds)) >= wanted:
            os.kill(os.getpid(), signal.SIGTERM)
        return await check_now(names)

    service.check_now = noted
    return await service.run()

code = asyncio.run(main())
print(json.dumps({"code": code, "rounds": rounds}))
"""


def test_watches_falling_due_together_are_checked_in_one_round(tmp_path, site):
    watches = []
    for index in range(8):
        site.set(f"/page-{index}.html", gcweb(f"<h2>Page {index}</h2><p>Text {index}.</p>"))
        watches.append({"name": f"page-{index}", "url": site.url(f"/page-{index}.html")})
    config = write_config(
        tmp_path, [{**watch, "kind": "page", "interval": "2s"} for watch in watches]
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(config), "24"],
        cwd=ROOT,
        env={**os.environ, "IRCC_WATCH_SCRAPY_SETTINGS": FAST_SCRAPY},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["code"] == 0
    rounds = found["rounds"]
    checks = sum(len(names) for names in rounds)
    assert checks >= 24
    # Eight watches due within 0.2 s of each other (10 % jitter on 2 s): about a round each
    # before, one or two rounds a pass now.
    assert checks / len(rounds) >= 3, rounds

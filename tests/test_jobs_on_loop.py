"""Jobs on the loop (issue 16, item 2): the real scheduler inside the real ``run`` prunes.

Before, APScheduler ran the synchronous prune on its thread pool, where the SQLite connection
of the loop's thread cannot be used: the daily retention failed every day and the fetch log
grew forever. The watch jobs called asyncio from that thread pool too: with asyncio's debug
mode on, no check ran at all.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from storage import fetches
from storage.db import open_db
from tests.conftest import ROOT, run_cli, write_config
from tests.test_service import FAST_SCRAPY, stop, wait_until
from tests.unfamiliar_support import gcweb

OLD = "2020-01-01T00:00:00Z"


def add_old_fetches(db_path: Path, count: int) -> None:
    """``count`` fetch log rows from 2020, written by another connection."""
    db = open_db(db_path)
    try:
        for _ in range(count):
            fetches.log(
                db,
                watch="page",
                fetched_at=OLD,
                url="http://127.0.0.1/",
                bytes=0,
                elapsed_ms=0.0,
                outcome="unchanged",
            )
    finally:
        db.conn.close()


def old_fetches(db_path: Path) -> int:
    db = open_db(db_path)
    try:
        query = "SELECT count(*) FROM fetches WHERE fetched_at = ?"
        return db.execute(query, [OLD]).fetchone()[0]
    finally:
        db.conn.close()


def outcomes(db_path: Path) -> list[str]:
    db = open_db(db_path)
    try:
        return [
            row[0] for row in db.execute("SELECT outcome FROM fetches WHERE fetched_at > ?", [OLD])
        ]
    finally:
        db.conn.close()


def test_run_prunes_at_start_and_then_on_the_real_scheduler(tmp_path, site):
    site.set("/page.html", gcweb("<h2>Rules</h2><p>One rule.</p>"), vary=True)
    watch = {"name": "page", "url": site.url("/page.html"), "topic": "general", "interval": "1s"}
    # keep_fetches 1 minute: the retention job runs every 15 s (a quarter of it).
    config = write_config(tmp_path, [watch], settings={"keep_fetches": "1m"})
    db_path = tmp_path / "test.db"
    assert run_cli("--config", str(config), "watches").returncode == 0  # creates the database
    add_old_fetches(db_path, 40)

    env = {**os.environ, "IRCC_WATCH_SCRAPY_SETTINGS": FAST_SCRAPY, "PYTHONASYNCIODEBUG": "1"}
    log = tmp_path / "run.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "ircc_watch.cli", "--config", str(config), "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    try:
        # Retention once at start; and the watch jobs run on the loop (debug mode or not).
        assert wait_until(lambda: "baseline" in outcomes(db_path), timeout=30), log.read_text()
        assert old_fetches(db_path) == 0
        add_old_fetches(db_path, 25)
        assert old_fetches(db_path) == 25
        # The scheduled prune, run by APScheduler inside the service.
        assert wait_until(lambda: old_fetches(db_path) == 0, timeout=40), log.read_text()
        assert len(outcomes(db_path)) > 5  # the watch kept being checked meanwhile
    finally:
        code = stop(process)
    assert code == 0
    text = log.read_text()
    assert "retention: deleted 40 fetch rows" in text
    assert "retention: deleted 25 fetch rows" in text
    assert "Traceback" not in text and "ProgrammingError" not in text
    assert "Non-thread-safe operation" not in text


async def test_every_scheduled_job_is_a_coroutine(tmp_path):
    """APScheduler runs a plain function on its thread pool: none of the service's jobs is one."""
    import asyncio

    from ircc_watch.service import Service
    from settings import load_config

    watches = [
        {"name": name, "url": f"https://www.canada.ca/{name}.html", "topic": "general"}
        for name in ("a", "b")
    ]
    config = load_config(write_config(tmp_path, watches))
    service = Service(config, tmp_path / "config.toml")
    service._schedule_all()
    service._schedule_retention()
    service.scheduler.start(paused=True)
    try:
        jobs = service.scheduler.get_jobs()
        assert len(jobs) == 3
        assert all(asyncio.iscoroutinefunction(job.func) for job in jobs), jobs
    finally:
        service.scheduler.shutdown(wait=False)
        await asyncio.sleep(0)
        service.db.conn.close()

"""One writer per database (issue 16, item 3): a change is told once, whatever runs.

Before, ``run`` plus a cron ``check`` (or two ``run``s) each read a watch's last snapshot
outside their write transaction: 30 versions checked by two processes a moment apart were
announced twice for 4-6 of them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from storage.db import open_db
from storage.lock import DatabaseLock, Locked
from tests.conftest import ROOT, run_cli, write_config
from tests.notifier_support import feed_bytes, fetch, real_feed
from tests.test_service import FAST_SCRAPY, stop, wait_until
from tests.unfamiliar_support import OneWatch

VERSIONS = 30


def versions() -> list[bytes]:
    """The real feed as it was 30 draws ago, then with one more draw each time."""
    feed = real_feed()
    return [
        feed_bytes({**feed, "rounds": feed["rounds"][VERSIONS - k :]}) for k in range(VERSIONS + 1)
    ]


def told(db_path: Path) -> Counter:
    db = open_db(db_path)
    try:
        rows = db.execute("SELECT data FROM changes WHERE kind = 'new_draw'").fetchall()
        return Counter(json.loads(row[0])["number"] for row in rows)
    finally:
        db.conn.close()


def test_two_pipelines_on_one_database_tell_each_change_once(tmp_path):
    """Two connections handle every version at the same moment: the read-compare-store step is
    one transaction holding the write lock, so the second finds the first's snapshot."""
    watch = OneWatch(tmp_path, "ee-rounds", "https://www.canada.ca/ee.json")
    config = watch.config
    bodies = versions()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        from ircc_watch.pipeline import Pipeline

        db = open_db(config.settings.database)
        pipeline = Pipeline(db, config)
        try:
            for index, body in enumerate(bodies):
                barrier.wait(timeout=30)
                pipeline.handle(fetch(config, "w", body), now=f"2026-10-{index + 1:02d}T10:00:00Z")
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
            barrier.abort()
        finally:
            db.conn.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    counts = told(Path(config.settings.database))
    assert len(counts) == VERSIONS
    assert set(counts.values()) == {1}, {n: c for n, c in counts.items() if c > 1}


def start_run(config: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "IRCC_WATCH_SCRAPY_SETTINGS": FAST_SCRAPY}
    return subprocess.Popen(
        [sys.executable, "-m", "ircc_watch.cli", "--config", str(config), "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )


def test_run_and_check_at_once_tell_each_of_30_changes_once(tmp_path, site):
    bodies = versions()
    site.set("/ee.json", bodies[0], content_type="application/json")
    watch = {
        "name": "ee-rounds",
        "url": site.url("/ee.json"),
        "kind": "ee-rounds",
        "topic": "express-entry",
        "interval": "1s",
    }
    config = write_config(tmp_path, [watch])
    db_path = tmp_path / "test.db"
    env = {**os.environ, "IRCC_WATCH_SCRAPY_SETTINGS": FAST_SCRAPY}
    process = start_run(config, tmp_path / "run.log")
    refused = []
    try:
        assert wait_until(lambda: db_path.exists() and told(db_path) == Counter(), timeout=30)
        assert wait_until(lambda: len(site.hits("/ee.json")) >= 1, timeout=30)
        for index, body in enumerate(bodies[1:], start=1):
            site.set("/ee.json", body, content_type="application/json")
            result = run_cli("--config", str(config), "check", env=env, timeout=60)
            refused.append(result)
            assert wait_until(lambda n=index: sum(told(db_path).values()) >= n, timeout=30)
        second = run_cli("--config", str(config), "run", env=env, timeout=60)
    finally:
        assert stop(process) == 0
    counts = told(db_path)
    assert len(counts) == VERSIONS and set(counts.values()) == {1}, counts
    for result in refused:
        assert result.returncode == 2, result.stdout + result.stderr
        assert f"`ircc-watch run` (pid {process.pid}) is watching this database" in result.stderr
        assert "/check NAME" in result.stderr and "Traceback" not in result.stderr
    assert second.returncode == 2
    assert f"`ircc-watch run` (pid {process.pid}) is already watching" in second.stderr


def test_the_lock_is_released_on_exit_and_after_a_crash(tmp_path, site):
    site.set("/ee.json", versions()[0], content_type="application/json")
    watch = {"name": "ee-rounds", "url": site.url("/ee.json"), "kind": "ee-rounds"}
    config = write_config(tmp_path, [{**watch, "topic": "express-entry", "interval": "1s"}])
    db_path = tmp_path / "test.db"
    process = start_run(config, tmp_path / "run.log")
    try:
        assert wait_until(lambda: len(site.hits("/ee.json")) >= 1, timeout=30)
        try:
            DatabaseLock(db_path, "test").acquire()
        except Locked as exc:
            assert exc.pid == process.pid and exc.command == "run"
        else:
            raise AssertionError("the running service does not hold the lock")
    finally:
        process.send_signal(signal.SIGKILL)  # a crash: no clean-up ran
        process.wait(timeout=30)
    with DatabaseLock(db_path, "test"):  # the kernel released it with the process
        pass
    env = {**os.environ, "IRCC_WATCH_SCRAPY_SETTINGS": FAST_SCRAPY}
    result = run_cli("--config", str(config), "check", env=env)
    assert result.returncode == 0, result.stderr

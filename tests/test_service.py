"""`ircc-watch run` as an admin runs it: a real subprocess, the local site, the fake Bot API."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from storage.db import open_db
from tests.conftest import REAL, ROOT, unpack, write_config
from tests.fakes.telegram_api import FakeTelegram

TOKEN = "123456:TEST-TOKEN"
MAINTAINER, ADMIN = 1001, 2002
FAST_SCRAPY = json.dumps({"AUTOTHROTTLE_START_DELAY": 0, "DOWNLOAD_TIMEOUT": 5})


@pytest.fixture
def telegram():
    with FakeTelegram(TOKEN) as fake:
        yield fake


@pytest.fixture
def feed_versions(tmp_path):
    return unpack(REAL / "ee_rounds" / "raw_feed_series1_all_versions.tar.xz", tmp_path / "s1")


def service_config(tmp_path: Path, site, telegram, interval: str = "1s") -> Path:
    return write_config(
        tmp_path,
        [
            {
                "name": "ee-rounds",
                "url": site.url("/ee.json"),
                "kind": "ee-rounds",
                "topic": "express-entry",
                "interval": interval,
            }
        ],
        settings={"failure_threshold": 2},
        extra=f"""
        [telegram]
        token_env = "TEST_IRCC_TOKEN"
        base_url = "{telegram.base_url}"
        maintainers = [{MAINTAINER}]
        admins = [{ADMIN}]
        """,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(config: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "TEST_IRCC_TOKEN": TOKEN, "IRCC_WATCH_SCRAPY_SETTINGS": FAST_SCRAPY}
    return subprocess.Popen(
        [sys.executable, "-m", "ircc_watch.cli", "--config", str(config), "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )


def wait_until(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> int:
    process.send_signal(sig)
    try:
        return process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()


def fetch_outcomes(db_path: Path) -> list[str]:
    if not db_path.exists():
        return []
    db = open_db(db_path)
    try:
        return [row[0] for row in db.execute("SELECT outcome FROM fetches ORDER BY id")]
    finally:
        db.conn.close()


def test_run_detects_a_change_delivers_it_and_stops_cleanly(
    tmp_path, site, telegram, feed_versions
):
    site.set("/ee.json", feed_versions[0].read_bytes(), content_type="application/json")
    config = service_config(tmp_path, site, telegram)
    port = free_port()
    config.write_text(config.read_text() + f'\n[review]\nhost = "127.0.0.1"\nport = {port}\n')
    log = tmp_path / "run.log"
    process = start(config, log)
    try:
        assert wait_until(lambda: "baseline" in fetch_outcomes(tmp_path / "test.db"))
        site.set("/ee.json", feed_versions[2].read_bytes(), content_type="application/json")
        assert telegram.wait_for(lambda: telegram.messages_to(MAINTAINER), timeout=30)
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read().decode()
        assert "Express Entry draw #340" in page
    finally:
        started = time.monotonic()
        code = stop(process)
    assert code == 0
    assert time.monotonic() - started < 25
    (message,) = telegram.messages_to(MAINTAINER)
    assert "#340" in message["text"] and "736" in message["text"]
    text = log.read_text()
    assert "ircc-watch starting" in text and "Telegram token set" in text
    assert TOKEN not in text
    assert "Traceback" not in text


def test_a_failing_site_gives_one_alert_and_one_recovery(tmp_path, site, telegram, feed_versions):
    site.set("/ee.json", feed_versions[0].read_bytes(), content_type="application/json")
    config = service_config(tmp_path, site, telegram)
    process = start(config, tmp_path / "run.log")
    try:
        assert wait_until(lambda: "baseline" in fetch_outcomes(tmp_path / "test.db"))
        site.set("/ee.json", b"<html>Service Unavailable</html>", status=500)
        assert wait_until(
            lambda: fetch_outcomes(tmp_path / "test.db").count("error") >= 4, timeout=60
        )
        site.set("/ee.json", feed_versions[0].read_bytes(), content_type="application/json")
        assert telegram.wait_for(
            lambda: any("recovered" in m["text"] for m in telegram.messages_to(ADMIN)), 60
        )
        time.sleep(2)
    finally:
        assert stop(process) == 0
    texts = [m["text"] for m in telegram.messages_to(ADMIN)]
    assert sum("failing" in t for t in texts) == 1, texts
    assert sum("recovered" in t for t in texts) == 1, texts


def test_sighup_with_a_broken_config_keeps_the_running_one(tmp_path, site, telegram, feed_versions):
    site.set("/ee.json", feed_versions[0].read_bytes(), content_type="application/json")
    config = service_config(tmp_path, site, telegram)
    log = tmp_path / "run.log"
    process = start(config, log)
    try:
        assert wait_until(lambda: "baseline" in fetch_outcomes(tmp_path / "test.db"))
        good = config.read_text()
        config.write_text(good.replace('kind = "ee-rounds"', 'kind = "ee-round"'))
        process.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "config reload refused" in log.read_text())
        before = len(fetch_outcomes(tmp_path / "test.db"))
        assert wait_until(lambda: len(fetch_outcomes(tmp_path / "test.db")) > before + 1)

        site.set("/second.json", feed_versions[1].read_bytes(), content_type="application/json")
        config.write_text(
            good + f'\n[[watch]]\nname = "second"\nurl = "{site.url("/second.json")}"\n'
            'kind = "ee-rounds"\ninterval = "1s"\n'
        )
        process.send_signal(signal.SIGHUP)
        assert wait_until(lambda: site.hits("/second.json"))
    finally:
        assert stop(process, signal.SIGINT) == 0
    text = log.read_text()
    assert 'unknown kind "ee-round"' in text
    assert "config reloaded: 2 watches" in text
    db = open_db(tmp_path / "test.db")
    outcomes = list(db.query("SELECT watch, outcome FROM fetches ORDER BY id"))
    assert outcomes[0] == {"watch": "ee-rounds", "outcome": "baseline"}
    assert {"watch": "second", "outcome": "baseline"} in outcomes


def test_backoff_grows_with_failures_and_honours_retry_after():
    from ircc_watch.service import backoff, retry_after_seconds

    assert [backoff(60, n, 500, None) for n in (1, 2, 3, 4)] == [0, 60, 180, 420]
    assert backoff(3600, 20, 500, None) == 6 * 3600 - 3600
    assert backoff(60, 1, 503, 120) == 120
    assert backoff(60, 1, 429, 30) == 30
    assert backoff(60, 1, 500, 120) == 0
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert retry_after_seconds("soon") is None


def test_json_logs_carry_one_line_per_check(tmp_path, site, telegram, feed_versions):
    site.set("/ee.json", feed_versions[0].read_bytes(), content_type="application/json")
    config = service_config(tmp_path, site, telegram)
    log = tmp_path / "run.log"
    env = {**os.environ, "IRCC_WATCH_SCRAPY_SETTINGS": FAST_SCRAPY}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ircc_watch.cli",
            "--config",
            str(config),
            "--log-format",
            "json",
            "run",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    try:
        assert wait_until(lambda: len(fetch_outcomes(tmp_path / "test.db")) >= 2)
    finally:
        assert stop(process) == 0
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    banner = next(line for line in lines if "ircc-watch starting" in line["message"])
    assert "Telegram token not set" in banner["message"]
    checks = [line for line in lines if line.get("outcome")]
    assert checks[0]["watch"] == "ee-rounds" and checks[0]["outcome"] == "baseline"
    assert checks[0]["status"] == 200 and checks[0]["bytes"] > 500_000
    assert {"ms", "changes", "error"} <= set(checks[0])


def test_an_alert_whose_send_failed_is_delivered_by_the_next_process(
    tmp_path, site, telegram, feed_versions
):
    """check stores the change and tries to send; Telegram fails; run delivers it, once."""
    site.set("/ee.json", feed_versions[0].read_bytes(), content_type="application/json")
    config = service_config(tmp_path, site, telegram, interval="1h")
    env = {**os.environ, "TEST_IRCC_TOKEN": TOKEN, "IRCC_WATCH_SCRAPY_SETTINGS": FAST_SCRAPY}
    cli = [sys.executable, "-m", "ircc_watch.cli", "--config", str(config)]
    baseline = subprocess.run([*cli, "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert "baseline" in baseline.stdout and "sent 0 Telegram messages" in baseline.stdout

    site.set("/ee.json", feed_versions[2].read_bytes(), content_type="application/json")
    telegram.fail_next("sendMessage", 500, "Internal Server Error", count=1)
    changed = subprocess.run([*cli, "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert "[new_draw] Express Entry draw #340" in changed.stdout
    assert "sent 0 Telegram messages" in changed.stdout
    assert telegram.messages_to(MAINTAINER) == []

    process = start(config, tmp_path / "run.log")

    def draws() -> list[dict]:
        return [m for m in telegram.messages_to(MAINTAINER) if "draw #340" in m["text"]]

    try:
        assert telegram.wait_for(draws, timeout=40)
        time.sleep(1.5)
    finally:
        assert stop(process) == 0
    # The draw once, and the pool distribution it came with (a change of its own).
    assert len(draws()) == 1 and len(telegram.messages_to(MAINTAINER)) == 2


def test_sigterm_lets_the_check_in_flight_finish_before_exiting(
    tmp_path, site, telegram, feed_versions
):
    site.set("/ee.json", feed_versions[0].read_bytes(), content_type="application/json", delay=3)
    config = service_config(tmp_path, site, telegram, interval="1h")
    process = start(config, tmp_path / "run.log")
    try:
        assert wait_until(lambda: site.hits("/ee.json"))
    finally:
        assert stop(process) == 0
    assert fetch_outcomes(tmp_path / "test.db") == ["baseline"]
    assert "stopping: waiting for the fetches of ee-rounds" in (tmp_path / "run.log").read_text()

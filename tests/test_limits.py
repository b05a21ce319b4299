"""config-check refuses what cannot run (intervals, Telegram ids, selectors), and what slips
through anyway (a config built without the checks) fails as a check, not as a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace

import pytest

from settings import load_config
from settings.limits import MAX_TELEGRAM_ID
from storage.db import open_db
from tests.conftest import ROOT, run_cli, write_config
from tests.test_service import FAST_SCRAPY, fetch_outcomes, wait_until

PAGE = "<html><head></head><body><main><h1>Rules</h1><p>Apply now.</p></main></body></html>"


def config_check(tmp_path, watch: dict, extra: str = "") -> subprocess.CompletedProcess:
    config = write_config(
        tmp_path, [{"name": "rules", "url": "https://www.canada.ca/en.html", **watch}], extra=extra
    )
    return run_cli("--config", str(config), "config-check")


@pytest.mark.parametrize(
    ("interval", "problem"),
    [
        ("99999999999d", '"99999999999d" is out of range: an interval goes from 1 s to 30 d'),
        ("0.000001s", '"0.000001s" is out of range: an interval goes from 1 s to 30 d'),
        ("31d", '"31d" is out of range'),
        ("9" * 400 + "s", "is out of range"),
        ("soon", '"soon" is not an interval'),
        ("0s", '"0s" must be more than zero'),
    ],
)
def test_config_check_refuses_intervals_the_scheduler_cannot_run(tmp_path, interval, problem):
    done = config_check(tmp_path, {"interval": interval})
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert ':8: [[watch]] "rules" interval: ' in line and problem in line and "Fix: " in line


@pytest.mark.parametrize("interval", ["1s", "30d", "10m", "1.5h"])
def test_intervals_from_one_second_to_thirty_days_pass(tmp_path, interval):
    assert config_check(tmp_path, {"interval": interval}).returncode == 0


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("admins", "99999999999999999999", "99999999999999999999 is not a Telegram user id"),
        ("admins", "-5", "-5 is not a Telegram user id"),
        ("admins", "0", "0 is not a Telegram user id"),
        ("maintainers", "99999999999999999999", "99999999999999999999 is not a Telegram chat id"),
        ("maintainers", str(-(2**63)), f"{-(2**63)} is not a Telegram chat id"),
        ("maintainers", "0", "0 is not a Telegram chat id"),
    ],
)
def test_config_check_refuses_ids_no_telegram_chat_can_have(tmp_path, key, value, problem):
    done = config_check(tmp_path, {}, extra=f"[telegram]\n{key} = [123, {value}]\n")
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert f":9: [telegram] {key}: {problem}" in line and "Fix: " in line


def test_real_user_group_and_channel_ids_pass(tmp_path):
    extra = (
        f"[telegram]\nadmins = [123456789, {MAX_TELEGRAM_ID}]\n"
        "maintainers = [123456789, -987654321, -1001234567890]\n"
    )
    done = config_check(tmp_path, {}, extra=extra)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("selector", ["main >>> div", "[", "##", "p:nth-child(x)"])
def test_config_check_compiles_selectors(tmp_path, selector):
    done = config_check(tmp_path, {"selector": selector})
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert ':8: [[watch]] "rules" selector: ' in line
    assert "is not a valid CSS selector" in line and "Fix: " in line


def test_every_command_loads_the_config_through_the_same_checks(tmp_path):
    config = write_config(
        tmp_path, [{"name": "rules", "url": "https://www.canada.ca/en.html", "interval": "0.5s"}]
    )
    for command in (["check"], ["run"], ["watches"], ["changes"], ["config-check"]):
        done = run_cli("--config", str(config), *command, timeout=60)
        assert done.returncode == 1, command
        assert "out of range" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "test.db").exists()


async def test_a_selector_that_slipped_past_the_checks_fails_the_check_not_the_process(
    tmp_path, site
):
    """A config built without load_config (or a watch from elsewhere) with a broken selector:
    the check records a failure with the reason, stores nothing, and the next watch is fine."""
    from ircc_watch.checking import check
    from ircc_watch.pipeline import Pipeline
    from storage import watches

    site.set("/rules.html", PAGE)
    site.set("/other.html", PAGE)
    path = write_config(
        tmp_path,
        [
            {"name": "rules", "url": site.url("/rules.html")},
            {"name": "other", "url": site.url("/other.html")},
        ],
    )
    config = load_config(path)
    broken = replace(config.watch("rules"), selector="main >>> div")
    config = replace(config, watches=(broken, config.watch("other")))
    db = open_db(config.settings.database)
    watches.sync(db, config.watches)
    outcomes = await check(
        db, config, Pipeline(db, config), config.watches, crawl_overrides={"ROBOTSTXT_OBEY": False}
    )
    by_watch = {o.watch: o for o in outcomes}
    assert by_watch["rules"].outcome == "error"
    assert "invalid selector" in by_watch["rules"].error
    assert by_watch["other"].outcome == "baseline"
    row = watches.get(db, "rules")
    assert row["consecutive_failures"] == 1 and "invalid selector" in row["last_error"]
    assert db.execute("SELECT COUNT(*) FROM snapshots WHERE watch = 'rules'").fetchone() == (0,)


def test_sigterm_exits_within_the_grace_with_one_second_intervals_and_a_slow_page(tmp_path, site):
    site.set("/fast.html", PAGE)
    site.set("/slow.html", PAGE, delay=40)
    config = write_config(
        tmp_path,
        [
            {"name": "fast", "url": site.url("/fast.html"), "interval": "1s"},
            # A 90 s interval gives the slow fetch 45 s before its own timeout (half its
            # interval): it is still in flight when the 20 s grace ends.
            {"name": "slow", "url": site.url("/slow.html"), "interval": "90s"},
        ],
    )
    env = {
        **os.environ,
        "IRCC_WATCH_SCRAPY_SETTINGS": FAST_SCRAPY.replace(
            '"DOWNLOAD_TIMEOUT": 5', '"DOWNLOAD_TIMEOUT": 60'
        ),
    }
    log = tmp_path / "run.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "ircc_watch.cli", "--config", str(config), "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    try:
        assert wait_until(lambda: site.hits("/slow.html"))
        time.sleep(1)
        process.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        code = process.wait(timeout=60)
        waited = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
    assert code == 0
    assert waited < 30, f"exit took {waited:.0f} s after SIGTERM (grace 20 s)"
    assert "Traceback" not in log.read_text()
    # The slow page's fetch, cancelled after the grace, is not a failure of its watch.
    assert "error" not in fetch_outcomes(tmp_path / "test.db")

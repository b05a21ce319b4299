"""The bot token never reaches a log line; a rejected token is one line and exit 2; an
unreachable Bot API never stops the watching. Real subprocesses, the fake Bot API over HTTP."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest

from ircc_watch.cli import JsonFormatter
from ircc_watch.redact import MASK, RedactFilter
from storage.db import open_db
from tests.conftest import ROOT, run_cli, write_config
from tests.fakes.telegram_api import FakeTelegram
from tests.test_service import fetch_outcomes, free_port, stop, wait_until

GOOD = "123456:TEST-GOOD-TOKEN"
# Shaped like a real token (bot id, colon, 35 characters) but not the one the fake accepts.
REJECTED = "7351254906:AAH3kZ0bq-Xy8pL2sT4vW6nM9rQ1cE5dF7g"
MAINTAINER = 1001
FAST = json.dumps({"AUTOTHROTTLE_START_DELAY": 0, "DOWNLOAD_TIMEOUT": 5})
PAGE = "<html><head></head><body><main><h1>Rules</h1><p>{}</p></main></body></html>"


def config_for(tmp_path, site, base_url: str, interval: str = "1s"):
    site.set("/rules.html", PAGE.format("Apply before May 1."))
    return write_config(
        tmp_path,
        [{"name": "rules", "url": site.url("/rules.html"), "interval": interval}],
        extra=f"""
        [telegram]
        token_env = "TEST_IRCC_TOKEN"
        base_url = "{base_url}"
        maintainers = [{MAINTAINER}]
        """,
    )


def env_with(token: str) -> dict[str, str]:
    return {**os.environ, "TEST_IRCC_TOKEN": token, "IRCC_WATCH_SCRAPY_SETTINGS": FAST}


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_run_with_a_rejected_token_says_so_in_one_line_and_exits_2(tmp_path, site, fmt):
    with FakeTelegram(GOOD) as telegram:
        config = config_for(tmp_path, site, telegram.base_url)
        log = tmp_path / "run.log"
        with log.open("w") as err:
            done = subprocess.run(
                [sys.executable, "-m", "ircc_watch.cli", "--config", str(config)]
                + ["--log-format", fmt, "-v", "run"],
                cwd=ROOT,
                env=env_with(REJECTED),
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                timeout=60,
            )
        assert any(r["status"] == 401 for r in telegram.requests)
    text = log.read_text()
    assert done.returncode == 2
    for output in (done.stdout, text):
        assert REJECTED not in output
        assert REJECTED.split(":")[1] not in output
    assert "Traceback" not in text
    lines = text.splitlines()
    rejected = [line for line in lines if "Telegram rejected" in line]
    assert len(rejected) == 1 and "TEST_IRCC_TOKEN" in rejected[0]
    if fmt == "json":
        assert all(json.loads(line) for line in lines)


def test_check_with_a_rejected_token_prints_its_results_then_exits_2(tmp_path, site):
    with FakeTelegram(GOOD) as telegram:
        config = config_for(tmp_path, site, telegram.base_url)
        done = run_cli("--config", str(config), "check", env=env_with(REJECTED))
    assert done.returncode == 2
    assert "rules" in done.stdout and "baseline" in done.stdout
    assert REJECTED not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        line for line in done.stderr.strip().splitlines() if "TEST_IRCC_TOKEN" in line
    ]


def test_check_with_the_bot_api_down_prints_results_and_keeps_the_messages(tmp_path, site):
    config = config_for(tmp_path, site, f"http://127.0.0.1:{free_port()}/bot")
    baseline = run_cli("--config", str(config), "check")  # no token: baseline only
    assert baseline.returncode == 0
    site.set("/rules.html", PAGE.format("Apply before June 1."))
    done = run_cli("--config", str(config), "--log-format", "json", "check", env=env_with(GOOD))
    assert done.returncode == 0, done.stderr
    assert "[rule_change]" in done.stdout
    (line,) = [json.loads(line) for line in done.stderr.splitlines()]
    assert "unreachable" in line["message"] and "1 message stays queued" in line["message"]
    db = open_db(tmp_path / "test.db")
    statuses = [row[0] for row in db.execute("SELECT status FROM deliveries")]
    assert statuses == ["pending"]


def test_run_keeps_watching_while_the_bot_api_is_down_and_delivers_once_it_is_up(tmp_path, site):
    port = free_port()
    config = config_for(tmp_path, site, f"http://127.0.0.1:{port}/bot")
    log = tmp_path / "run.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "ircc_watch.cli", "--config", str(config), "run"],
        cwd=ROOT,
        env=env_with(GOOD),
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    try:
        assert wait_until(lambda: "baseline" in fetch_outcomes(tmp_path / "test.db"))
        site.set("/rules.html", PAGE.format("Apply before June 1."))
        assert wait_until(lambda: "changed" in fetch_outcomes(tmp_path / "test.db"))
        assert process.poll() is None
        watches = run_cli("--config", str(config), "watches")
        assert "telegram: unreachable since" in watches.stdout
        assert "retrying in" in watches.stdout
        with FakeTelegram(GOOD).start(port) as telegram:
            assert telegram.wait_for(lambda: telegram.messages_to(MAINTAINER), timeout=90)
            assert wait_until(
                lambda: "connected" in run_cli("--config", str(config), "watches").stdout
            )
            code = stop(process)
    finally:
        if process.poll() is None:
            process.kill()
    assert code == 0
    text = log.read_text()
    assert "Traceback" not in text and GOOD not in text
    assert "telegram: unreachable since" in text and "reachable again" in text


def test_the_filter_masks_secrets_in_messages_and_tracebacks_in_both_formats():
    secret = "S3cr3t-review-password"
    redact = RedactFilter()
    redact.add([secret, GOOD])
    try:
        raise RuntimeError(f"The token `{GOOD}` was rejected; url /bot{REJECTED}/getMe")
    except RuntimeError:
        record = logging.getLogger("t").makeRecord(
            "t", logging.ERROR, __file__, 1, "login with %s failed", (secret,), sys.exc_info()
        )
    assert redact.filter(record)
    for formatter in (logging.Formatter("%(message)s"), JsonFormatter()):
        out = formatter.format(record)
        assert secret not in out and GOOD not in out and REJECTED not in out
        assert MASK in out and "RuntimeError" in out and "Traceback" in out
    assert "\n" not in JsonFormatter().format(record)


def test_an_uncaught_exception_goes_through_the_filter_as_one_json_line(tmp_path):
    code = (
        "import sys; from ircc_watch.cli import setup_logging; import logging;"
        "setup_logging('json', logging.WARNING);"
        f"raise ValueError('bad token {GOOD}')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "IRCC_WATCH_TELEGRAM_TOKEN": GOOD},
        capture_output=True,
        text=True,
        timeout=60,
    )
    (line,) = done.stderr.splitlines()
    assert GOOD not in line and "ValueError" in json.loads(line)["exception"]


def test_the_secrets_a_config_names_are_masked_from_then_on(tmp_path, monkeypatch):
    from ircc_watch.redact import FILTER, protect_config, secret_env_names
    from settings import load_config

    config = write_config(
        tmp_path,
        [{"name": "rules", "url": "https://www.canada.ca/en.html"}],
        extra="""
        [telegram]
        token_env = "TEST_IRCC_TOKEN"

        [review]
        session_secret_env = "TEST_REVIEW_SESSION"
        reviewers = [{ name = "ana", secret_env = "TEST_REVIEW_ANA" }]
        """,
    )
    loaded = load_config(config)
    assert secret_env_names(loaded) == {"TEST_IRCC_TOKEN", "TEST_REVIEW_SESSION", "TEST_REVIEW_ANA"}
    monkeypatch.setenv("TEST_IRCC_TOKEN", GOOD)
    monkeypatch.setenv("TEST_REVIEW_SESSION", "long-random-session-key")
    monkeypatch.setenv("TEST_REVIEW_ANA", "ana-sign-in-secret")
    protect_config(loaded)
    text = FILTER.redact(f"{GOOD} long-random-session-key ana-sign-in-secret bot{GOOD}")
    assert text == " ".join([MASK] * 3) + f" bot{MASK}"

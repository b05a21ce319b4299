"""The command line as an operator uses it (issue 16, item 8): options after the command,
``--db`` alone, help for every option, a summary line, Ctrl-C, ``forget``."""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from ircc_watch.cli import build_parser
from storage.db import open_db
from tests.conftest import ROOT, run_cli, write_config
from tests.test_service import wait_until
from tests.unfamiliar_support import gcweb

SLOW = json.dumps({"AUTOTHROTTLE_START_DELAY": 0, "DOWNLOAD_TIMEOUT": 20, "RETRY_ENABLED": False})
ENV = {**os.environ, "IRCC_WATCH_SCRAPY_SETTINGS": SLOW}
PAGE = gcweb("<h2>Who can apply</h2><p>Workers with one year of experience.</p>")


def two_watches(tmp_path: Path, site) -> Path:
    site.set("/a.html", PAGE)
    site.set("/b.html", PAGE)
    watches = [
        {"name": name, "url": site.url(f"/{name}.html"), "topic": "general"} for name in ("a", "b")
    ]
    return write_config(tmp_path, watches)


def test_global_options_are_accepted_after_the_command(tmp_path, site):
    config = two_watches(tmp_path, site)
    db = tmp_path / "other.db"
    result = run_cli("check", "a", "--config", str(config), "--db", str(db), "-v", env=ENV)
    assert result.returncode == 0, result.stderr
    assert db.exists() and not (tmp_path / "test.db").exists()
    assert "check a: baseline" in result.stderr  # -v after the command: every check logged
    listed = run_cli("--config", str(config), "watches", "--db", str(db))
    assert listed.returncode == 0 and listed.stdout.count("\n") == 3  # header, a, b


def test_changes_show_and_watches_need_only_the_database(tmp_path, site):
    config = two_watches(tmp_path, site)
    assert run_cli("--config", str(config), "check", env=ENV).returncode == 0
    site.set("/a.html", PAGE.replace("one year", "two years"))
    assert run_cli("--config", str(config), "check", env=ENV).returncode == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()  # no config.toml here
    db = str(tmp_path / "test.db")
    watches = run_cli("watches", "--db", db, cwd=elsewhere)
    assert watches.returncode == 0, watches.stderr
    assert {line.split()[0] for line in watches.stdout.splitlines()[1:]} == {"a", "b"}
    changes = run_cli("changes", "--json", "--db", db, cwd=elsewhere)
    assert changes.returncode == 0, changes.stderr
    (row,) = [json.loads(line) for line in changes.stdout.splitlines()]
    shown = run_cli("show", str(row["id"]), "--db", db, cwd=elsewhere)
    assert shown.returncode == 0 and "two years" in shown.stdout
    missing = run_cli("watches", "--db", str(tmp_path / "typo.db"), cwd=elsewhere)
    assert missing.returncode == 2
    assert "typo.db: no such database" in missing.stderr and "Traceback" not in missing.stderr
    assert not (tmp_path / "typo.db").exists()


def test_every_option_of_every_command_has_a_help_line():
    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    missing = []
    for name, sub in [("", parser), *commands.choices.items()]:
        assert sub.description or sub is parser, name
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            if not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


def test_check_ends_with_one_summary_line(tmp_path, site):
    config = two_watches(tmp_path, site)
    site.set("/b.html", b"gone", status=404)
    result = run_cli("--config", str(config), "check", env=ENV)
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == "2 checked, 0 changed, 1 failed, 0 queued"
    site.set("/a.html", PAGE.replace("one year", "two years"))
    as_json = run_cli("--config", str(config), "check", "--json", env=ENV)
    assert [json.loads(line)["watch"] for line in as_json.stdout.splitlines()] == ["a"]
    assert as_json.stderr.splitlines()[-1] == "2 checked, 1 changed, 1 failed, 0 queued"


def start_check(config: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "ircc_watch.cli", "--config", str(config), "check"],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_ctrl_c_in_check_says_what_it_waits_for_and_a_second_quits_cleanly(tmp_path, site):
    config = two_watches(tmp_path, site)
    site.set("/b.html", PAGE, delay=8)
    process = start_check(config)
    try:
        assert wait_until(lambda: site.hits("/b.html"), timeout=60)
        time.sleep(1)  # a's quick answer is handled; b's takes 8 s
        process.send_signal(signal.SIGINT)
        time.sleep(1)
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert time.monotonic() - started < 5
    waiting = re.search(
        r"Ctrl-C: stopping, waiting for the (fetch|fetches) in flight to end "
        r"\((.*?); at most 20 s\)",
        err,
    )
    assert waiting is not None and waiting.groups() in (("fetch", "b"), ("fetches", "a, b")), err
    assert "Ctrl-C again to quit now." in err and "Ctrl-C again: quitting now." in err
    assert "Task was destroyed" not in err and "Traceback" not in err


def test_one_ctrl_c_in_check_lets_the_fetch_in_flight_end(tmp_path, site):
    config = two_watches(tmp_path, site)
    site.set("/b.html", PAGE, delay=3)
    process = start_check(config)
    try:
        assert wait_until(lambda: site.hits("/b.html"), timeout=60)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert "Ctrl-C: stopping" in err and "Traceback" not in err and "Task was" not in err
    lines = out.splitlines()
    assert any(line.split()[:2] == ["b", "baseline"] for line in lines), out
    assert lines[-1].startswith("2 checked, 0 changed, 0 failed") or lines[-1].endswith(
        "skipped (interrupted)"
    )


def test_forget_purges_a_removed_watch_after_confirmation(tmp_path, site):
    config = two_watches(tmp_path, site)
    for _ in range(2):
        site.set("/b.html", PAGE.replace("one year", f"{time.time()} years"))
        assert run_cli("--config", str(config), "check", env=ENV).returncode == 0
    refused = run_cli("--config", str(config), "forget", "b")
    assert refused.returncode == 2 and "still in" in refused.stderr
    watches = [{"name": "a", "url": site.url("/a.html"), "topic": "general"}]
    write_config(tmp_path, watches)  # b leaves the config

    unconfirmed = subprocess.run(
        [sys.executable, "-m", "ircc_watch.cli", "--config", str(config), "forget", "b"],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    assert unconfirmed.returncode == 2
    assert "forget b: would delete" in unconfirmed.stderr and "--yes" in unconfirmed.stderr
    db = open_db(tmp_path / "test.db")
    assert db.execute("SELECT count(*) FROM snapshots WHERE watch = 'b'").fetchone()[0] == 2
    db.conn.close()

    done = run_cli("--config", str(config), "forget", "b", "--yes")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("forgot b: deleted ")
    db = open_db(tmp_path / "test.db")
    try:
        for table in ("fetches", "snapshots", "records", "changes"):
            assert db.execute(f"SELECT count(*) FROM {table} WHERE watch = 'b'").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM snapshots WHERE watch = 'a'").fetchone()[0] == 1
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.conn.close()
    listed = run_cli("--config", str(config), "watches")
    assert [line.split()[0] for line in listed.stdout.splitlines()[1:]] == ["a"]
    again = run_cli("--config", str(config), "forget", "b", "--yes")
    assert again.returncode == 1 and "no watch named b" in again.stderr


def test_run_logs_its_banner_at_info_and_a_second_ctrl_c_skips_the_grace(tmp_path, site):
    config = two_watches(tmp_path, site)
    text = config.read_text().replace('"general"', '"general"\ninterval = "1s"')
    config.write_text(text)
    log = tmp_path / "run.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "ircc_watch.cli", "--config", str(config), "run"],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    try:
        assert wait_until(lambda: len(site.hits("/b.html")) >= 2, timeout=60)
        site.set("/b.html", PAGE, delay=15)
        hits = len(site.hits("/b.html"))
        assert wait_until(lambda: len(site.hits("/b.html")) > hits, timeout=30)
        process.send_signal(signal.SIGINT)
        assert wait_until(lambda: "stopping: waiting for" in log.read_text(), timeout=10)
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert time.monotonic() - started < 10  # not the 20 s grace
    text = log.read_text()
    assert " INFO ircc_watch.service: ircc-watch starting" in text
    assert (
        "stopping: waiting for the fetches of b, the delivery loop to finish (at most 20 s)" in text
    )
    assert "Ctrl-C again to stop now" in text and "second stop signal" in text
    assert "stopped without waiting for crawl" in text
    assert "Traceback" not in text and "Task was destroyed" not in text

"""Every failure counts (issue 16, item 1): whatever goes wrong with one watch's body is that
watch's failure, counted and shown with a one-line reason; a damaged database stops at once.

Before, an exception while handling a fetch was logged by the crawler with a traceback and
nothing else happened: no failure counted, ``watches`` said ok, ``check`` exited 0.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from pathlib import Path

import pytest

from storage.db import open_db
from tests.conftest import REAL, run_cli, unpack, write_config
from tests.fakes.telegram_api import FakeTelegram
from tests.test_service import FAST_SCRAPY, start, stop, wait_until
from tests.unfamiliar_support import gcweb

TOKEN = "123456:TEST-TOKEN"
ADMIN_EN, ADMIN_FR = 2002, 2003
ENV = {**os.environ, "IRCC_WATCH_SCRAPY_SETTINGS": FAST_SCRAPY}


@pytest.fixture
def feed(tmp_path) -> dict:
    (first,) = [
        p
        for p in unpack(REAL / "ee_rounds" / "raw_feed_series1_all_versions.tar.xz", tmp_path)
        if p.suffix == ".json"
    ][:1]
    return json.loads(first.read_bytes())


def huge_number(feed: dict) -> bytes:
    """The real feed with a 5,000-digit draw size in its newest round."""
    changed = json.loads(json.dumps(feed))
    changed["rounds"][0]["drawSize"] = "9" * 5000
    return json.dumps(changed).encode()


def lone_surrogate(feed: dict) -> bytes:
    """The real feed with a lone surrogate escape (``\\ud800``) in its newest draw's name."""
    changed = json.loads(json.dumps(feed))
    changed["rounds"][0]["drawName"] = "General SURROGATE"
    return json.dumps(changed).encode().replace(b"SURROGATE", b"\\ud800")


DEEP_JSON = b'{"rows": [{"id": "a", "v": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]}"
PAGE = gcweb("<h2>Who can apply</h2><p>Workers with one year of experience.</p>")
DIVS = PAGE.replace("<p>Workers", "<div>" * 1500 + "<p>Workers")
ATOM = (
    '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
    "<title>News</title><entry><id>urn:1</id><title>TITLE</title>"
    '<link href="https://www.canada.ca/en/news/1.html"/>'
    "<updated>2026-01-01T00:00:00Z</updated></entry></feed>"
)


def watches_on(site) -> list[dict]:
    def watch(name: str, path: str, kind: str, **extra: str) -> dict:
        return {"name": name, "url": site.url(path), "kind": kind, "topic": "general", **extra}

    return [
        watch("big-number", "/big.json", "ee-rounds"),
        watch("surrogate", "/surrogate.json", "ee-rounds"),
        watch("deep-json", "/deep.json", "json", records="rows", key="id"),
        watch("divs", "/divs.html", "page"),
        watch("atom-crash", "/news.xml", "atom"),
    ]


def serve(site, feed: dict, faulty: bool) -> None:
    original = json.dumps(feed).encode()
    json_type = {"content_type": "application/json"}
    site.set("/big.json", huge_number(feed) if faulty else original, **json_type)
    site.set("/surrogate.json", lone_surrogate(feed) if faulty else original, **json_type)
    site.set("/deep.json", DEEP_JSON if faulty else b'{"rows": [{"id": "a"}]}', **json_type)
    site.set("/divs.html", DIVS if faulty else PAGE)
    # An entity feedparser turns into a lone surrogate: nothing refuses it before storage,
    # so it is the unexpected exception every check must survive and count.
    title = "&#xD800; new pilot" if faulty else "A pilot"
    site.set("/news.xml", ATOM.replace("TITLE", title), content_type="application/atom+xml")


def lines_by_watch(stdout: str) -> dict[str, str]:
    return {line.split()[0]: line for line in stdout.splitlines() if line and line[0] != " "}


def test_extractor_crashes_are_failures_of_their_watch_through_check(tmp_path, site, feed):
    config = write_config(tmp_path, watches_on(site), settings={"failure_threshold": 2})
    serve(site, feed, faulty=False)
    first = run_cli("--config", str(config), "check", env=ENV)
    assert first.returncode == 0, first.stdout + first.stderr
    serve(site, feed, faulty=True)

    result = run_cli("--config", str(config), "check", env=ENV)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = lines_by_watch(result.stdout)
    assert "error" in lines["big-number"] and "a number of 5,000 digits" in lines["big-number"]
    assert "changed" in lines["surrogate"]  # read safely: the name now ends in U+FFFD
    assert "General \ufffd" in result.stdout
    assert "error" in lines["deep-json"] and "nested too deeply" in lines["deep-json"]
    assert "error" in lines["divs"] and "nested too deeply" in lines["divs"]
    assert "error" in lines["atom-crash"]
    assert "internal error (UnicodeEncodeError: " in lines["atom-crash"]
    assert "1 checked" not in result.stdout

    shown = lines_by_watch(run_cli("--config", str(config), "watches").stdout)
    reasons = {
        "big-number": "a number of 5,000 digits",
        "deep-json": "nested too deeply",
        "divs": "nested too deeply",
        "atom-crash": "internal error (UnicodeEncodeError",
    }
    for name, reason in reasons.items():
        assert "failing" in shown[name] and reason in shown[name], shown[name]
    assert "ok" in shown["surrogate"]

    # The second failure in a row reaches the threshold; the traceback shows only at -v.
    verbose = run_cli("--config", str(config), "-v", "check", env=ENV)
    assert verbose.returncode == 1
    assert "Traceback" in verbose.stderr and "UnicodeEncodeError" in verbose.stderr

    db = open_db(tmp_path / "test.db")
    failing = {
        row["watch"]: json.loads(row["data"])
        for row in db.query("SELECT watch, data FROM changes WHERE kind = 'watch_failing'")
    }
    assert set(failing) == {"big-number", "deep-json", "divs", "atom-crash"}
    assert failing["divs"]["failures"] == 2


def test_a_crash_in_run_reaches_the_admins_after_the_threshold(tmp_path, site, feed):
    with FakeTelegram(TOKEN) as telegram:
        watch = {
            "name": "ee-rounds",
            "url": site.url("/big.json"),
            "kind": "ee-rounds",
            "topic": "express-entry",
            "interval": "1s",
        }
        config = write_config(
            tmp_path,
            [watch],
            settings={"failure_threshold": 2},
            extra=f"""
            [telegram]
            token_env = "TEST_IRCC_TOKEN"
            base_url = "{telegram.base_url}"
            admins = [{ADMIN_EN}, {ADMIN_FR}]
            admin_langs = {{ {ADMIN_FR} = "fr" }}
            """,
        )
        site.set("/big.json", json.dumps(feed).encode(), content_type="application/json")
        log = tmp_path / "run.log"
        process = start(config, log)
        try:
            assert wait_until(lambda: outcomes(tmp_path / "test.db")[:1] == ["baseline"])
            site.set("/big.json", huge_number(feed), content_type="application/json")
            assert telegram.wait_for(lambda: telegram.messages_to(ADMIN_FR), timeout=60)
            assert telegram.wait_for(lambda: telegram.messages_to(ADMIN_EN), timeout=10)
            telegram.inject_message(ADMIN_EN, "/status")
            assert telegram.wait_for(lambda: len(telegram.messages_to(ADMIN_EN)) == 2, 30)
        finally:
            assert stop(process) == 0
        english, status = [m["text"] for m in telegram.messages_to(ADMIN_EN)]
        (french,) = [m["text"] for m in telegram.messages_to(ADMIN_FR)]
    assert "Watch failing: ee-rounds" in english
    assert "2 failures in a row" in english and "a number of 5,000 digits" in english
    # When the trouble began, written out in each admin's language, not as stored.
    assert re.search(r"in a row since [A-Z][a-z]+ \d{1,2}, \d{4}, \d\d:\d\d UTC:", english)
    assert re.search(
        r"de suite depuis \d{1,2}(er)? [a-zéû]+ \d{4} à \d{1,2} h \d\d UTC\u00a0:", french
    )
    assert not re.search(r"\dT\d", english + french)
    assert "ee-rounds: failing x" in status and "a number of 5,000 digits" in status
    assert "Surveillance en échec\u00a0: ee-rounds" in french
    assert "2 échecs de suite" in french and "a number of 5,000 digits" in french
    assert outcomes(tmp_path / "test.db").count("error") >= 2
    assert "Traceback" not in log.read_text()


def outcomes(db_path: Path) -> list[str]:
    if not db_path.exists():
        return []
    db = open_db(db_path)
    try:
        return [row[0] for row in db.execute("SELECT outcome FROM fetches ORDER BY id")]
    except sqlite3.OperationalError:
        return []
    finally:
        db.conn.close()


def damage(db_path: Path, table: str) -> None:
    """Overwrite the first page of ``table`` with garbage, as a failing disk would."""
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
    conn.close()
    with db_path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xa5" * page_size)


def test_a_damaged_database_is_one_clear_line_and_exit_2(tmp_path, site, feed):
    watch = {"name": "ee-rounds", "url": site.url("/ee.json"), "kind": "ee-rounds"}
    config = write_config(tmp_path, [{**watch, "topic": "express-entry"}])
    site.set("/ee.json", json.dumps(feed).encode(), content_type="application/json")
    assert run_cli("--config", str(config), "check", env=ENV).returncode == 0
    damage(tmp_path / "test.db", "snapshots")
    site.set("/ee.json", huge_number(feed)[:-2] + b"]}", content_type="application/json")

    result = run_cli("--config", str(config), "check", env=ENV)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if "test.db" in line]
    assert "database disk image is malformed" in line and "Fix:" in line

    started = time.monotonic()
    log = tmp_path / "run.log"
    process = start(config, log)
    try:
        assert process.wait(timeout=60) == 2
    finally:
        if process.poll() is None:
            process.kill()
    assert time.monotonic() - started < 60
    text = log.read_text()
    assert "database disk image is malformed" in text and "Traceback" not in text

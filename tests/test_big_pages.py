"""Big pages do not freeze the service, and fetch faults are said in plain words.

Before: parsing and diffing ran on the event loop, so an 18 MB page being read made `/latest`
wait for the whole parse (16.9 s) and froze the review page; a page over Scrapy's limit was
reported as "Expected to receive 64523473 bytes which is larger than download max size…",
and a redirect loop as "ignored (max redirections reached)".
"""

from __future__ import annotations

import os
import sqlite3
import time
import urllib.request
from pathlib import Path

import pytest

from settings import ConfigError, load_config
from tests.conftest import run_cli, write_config
from tests.fakes.telegram_api import FakeTelegram
from tests.test_service import (
    FAST_SCRAPY,
    TOKEN,
    free_port,
    service_config,
    start,
    stop,
    wait_until,
)

USER = 4242
ONE = {"name": "one", "url": "https://www.canada.ca/en.html"}


@pytest.fixture
def telegram():
    with FakeTelegram(TOKEN) as fake:
        yield fake


def big_page(megabytes: float) -> bytes:
    """A canada.ca-like page of about ``megabytes`` MB: many sections of long paragraphs."""
    words = "Applicants must meet every requirement of the program before they apply. " * 25
    section = f"<h2>Requirement {{}}</h2><p>{words}</p><ul><li>Fee: $85</li></ul>"
    count = int(megabytes * 1e6 / (len(section) + 4))
    sections = "".join(section.format(i) for i in range(count))
    return (
        '<!DOCTYPE html><html lang="en"><head><title>Big page - Canada.ca</title></head><body>'
        f'<main property="mainContentOfPage"><h1>Big page</h1>{sections}</main></body></html>'
    ).encode()


def page_fetches(db_path: Path) -> list[str]:
    """The outcomes of the big page's fetches, as stored so far."""
    if not db_path.exists():
        return []
    db = sqlite3.connect(db_path, timeout=30)
    try:
        return [row[0] for row in db.execute("SELECT outcome FROM fetches WHERE watch = 'big'")]
    finally:
        db.close()


def test_latest_is_answered_while_an_18_mb_page_is_read(tmp_path, site, telegram):
    """The bot and the review page answer while the page is read: both before its baseline
    is stored (the reading takes seconds; before, they waited for all of it)."""
    body = big_page(18)
    assert 17.5e6 < len(body) < 19e6
    site.set("/big.html", body)
    config = service_config(tmp_path, site, telegram, interval="1h")
    port = free_port()
    text = config.read_text() + (
        f'\n[review]\nhost = "127.0.0.1"\nport = {port}\n'
        f'\n[[watch]]\nname = "big"\nurl = "{site.url("/big.html")}"\nkind = "page"\n'
        'topic = "general"\ninterval = "1h"\n'
    )
    config.write_text(text)
    database = tmp_path / "test.db"
    process = start(config, tmp_path / "run.log")
    try:
        # The whole body has been written to the service: from here on it is being read.
        assert wait_until(lambda: any("served" in h for h in site.hits("/big.html")), 60)
        served = time.monotonic()
        assert page_fetches(database) == []
        telegram.inject_message(USER, "/latest")
        review = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60).status
        assert telegram.wait_for(lambda: telegram.messages_to(USER), timeout=60)
        answered = time.monotonic()
        stored_when_answered = page_fetches(database)
        assert wait_until(lambda: page_fetches(database) == ["baseline"], 120)
        read = time.monotonic()
    finally:
        assert stop(process) == 0
    # The bot answered while the page was still being read (before its baseline was stored).
    timing = (
        f"/latest answered {answered - served:.1f} s after the body arrived, "
        f"the reading took {read - served:.1f} s"
    )
    print(timing)
    assert stored_when_answered == [], timing
    assert review == 200
    assert "Traceback" not in (tmp_path / "run.log").read_text()


def faults_config(tmp_path: Path, site, **settings) -> Path:
    return write_config(
        tmp_path,
        [
            {"name": "big", "url": site.url("/big.html")},
            {"name": "loop", "url": site.url("/a.html")},
        ],
        settings=settings,
    )


def stored_errors(db_path: Path) -> dict[str, str]:
    db = sqlite3.connect(db_path)
    try:
        return dict(db.execute("SELECT watch, error FROM fetches WHERE error IS NOT NULL"))
    finally:
        db.close()


def test_a_page_too_large_and_a_redirect_loop_are_said_in_plain_words(tmp_path, site):
    site.set("/big.html", big_page(3.2))
    site.set("/a.html", b"", status=302, location=site.url("/b.html"))
    site.set("/b.html", b"", status=302, location=site.url("/a.html"))
    config = faults_config(tmp_path, site, max_page_size="1MB")
    env = {**os.environ, "IRCC_WATCH_SCRAPY_SETTINGS": FAST_SCRAPY}
    result = run_cli("--config", str(config), "check", env=env)
    assert result.returncode == 1
    errors = stored_errors(tmp_path / "test.db")
    assert errors["big"] == "page too large (3.2 MB, limit 1 MB)"
    a, b = site.url("/a.html"), site.url("/b.html")
    assert errors["loop"] == f"redirect loop ({a} → {b} → {a})"
    assert "Expected to receive" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_the_default_limit_reads_an_18_mb_page(tmp_path, site):
    site.set("/big.html", big_page(18))
    config = write_config(tmp_path, [{"name": "big", "url": site.url("/big.html")}])
    result = run_cli("--config", str(config), "check", timeout=300)
    assert result.returncode == 0, result.stderr
    assert page_fetches(tmp_path / "test.db") == ["baseline"]


@pytest.mark.parametrize(
    ("value", "size"),
    [("20MB", 20_000_000), ("500 kB", 500_000), ("1GB", 1_000_000_000), (2_000_000, 2_000_000)],
)
def test_max_page_size_is_read(tmp_path, value, size):
    config = write_config(tmp_path, [ONE], settings={"max_page_size": value})
    assert load_config(config).settings.max_page_size == size


@pytest.mark.parametrize("value", ["lots", "5kB", "2GB", 0, "-1MB"])
def test_a_bad_max_page_size_is_refused_with_a_fix(tmp_path, value):
    config = write_config(tmp_path, [ONE], settings={"max_page_size": value})
    with pytest.raises(ConfigError) as refused:
        load_config(config)
    assert "[settings] max_page_size" in str(refused.value)
    assert 'write max_page_size = "20MB"' in str(refused.value)

"""`check` and `config-check` load neither the bot nor the web stack when they do not use them:
importing python-telegram-bot, aiohttp and tldextract was 44 % of an unchanged cron check."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, write_config

HEAVY = ("telegram", "aiohttp", "tldextract", "apscheduler", "review")
PROBE = """
import json, sys
from ircc_watch.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(name for name in {heavy!r} if name in sys.modules)))
"""


def loaded_by(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("command", ["check", "config-check"])
def test_commands_without_a_token_import_no_bot_and_no_web_stack(tmp_path, site, command):
    site.set("/page.html", b"<html><body><main><p>Text.</p></main></body></html>")
    config = write_config(tmp_path, [{"name": "page", "url": site.url("/page.html")}])
    assert loaded_by("--config", str(config), command) == []


# lxml is not among them: Scrapy itself imports it.
PARSERS = ("bs4", "soupsieve", "feedparser")
FEEDS = ROOT / "tests" / "fixtures" / "feeds"
PARSER_PROBE = """
import json, sys
from ircc_watch.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(name for name in {parsers!r} if name in sys.modules)))
"""


def parsers_loaded_by(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PARSER_PROBE.format(parsers=PARSERS), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_an_unchanged_check_imports_no_parser(tmp_path, site):
    """A check that ends at the 304, identical bytes or the region pre-check (most checks)
    never loads BeautifulSoup, soupsieve or feedparser: importing them was about 0.3 s
    of every cron `check`. The first check reads the pages, so it does load them."""
    page = b"<html><body><main><h1>Rounds</h1><p>Text.</p></main></body></html>"
    site.set("/page.html", page)
    site.set("/news.xml", (FEEDS / "alberta-news" / "2025-06-13T2300Z_before.xml").read_bytes())
    config = write_config(
        tmp_path,
        [
            {"name": "page", "url": site.url("/page.html")},
            {"name": "news", "url": site.url("/news.xml"), "kind": "atom"},
        ],
    )
    assert "bs4" in parsers_loaded_by("--config", str(config), "check")
    # Same region, new bytes elsewhere (as canada.ca's Akamai script does on every fetch).
    site.set("/page.html", page.replace(b"<body>", b"<body><script>ak.t=2</script>"))
    assert parsers_loaded_by("--config", str(config), "check") == []

"""`check` and `config-check` load neither the bot nor the web stack when they do not use them:
importing python-telegram-bot, aiohttp and tldextract was 44 % of an unchanged cron check.
matplotlib (about 0.3 s to import) is loaded by a chart only: neither `check` nor the bot's
start, with every command module registered, imports it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, write_config

HEAVY = ("telegram", "aiohttp", "tldextract", "apscheduler", "review", "matplotlib", "numpy")
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


BOT_PROBE = """
import json, sys
from settings import load_config
from notifier.bot import build_application
from storage.db import open_db
config = load_config(sys.argv[1])
app = build_application(config, open_db(config.settings.database), token="1:x", actions=None)
commands = sorted(c for h in app.handlers[0] for c in getattr(h, "commands", ()))
print(json.dumps({"loaded": "matplotlib" in sys.modules, "commands": commands}))
"""


def test_the_bot_starts_without_matplotlib(tmp_path):
    config = write_config(tmp_path, [{"name": "page", "url": "https://www.canada.ca/en.html"}])
    config.write_text(config.read_text() + "\n[telegram]\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", BOT_PROBE, str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["loaded"] is False and "chart" in found["commands"]


def test_storage_hides_numpy_from_sqlite_utils_only():
    """sqlite-utils loads without numpy (its BLAS threads were a sixth of a cron check), and a
    chart drawn later in the same process still imports numpy."""
    probe = (
        "import storage, sys, sqlite_utils.db as d; "
        "print(d.np is None, 'numpy' in sys.modules); import numpy; print(numpy.__name__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.stdout.split() == ["True", "False", "numpy"], done.stderr

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

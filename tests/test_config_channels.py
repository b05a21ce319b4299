"""[[channel]] blocks and [telegram] admin_langs: loaded, or refused with file, line and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from settings import Channel
from tests.test_config import EE_URL, errors, load


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run inside tmp_path, so that "config.toml" is the path as given."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


WATCHES = f"""
[[watch]]
name = "ee"
url = "{EE_URL}"
kind = "ee-rounds"
topic = "express-entry"

[[watch]]
name = "news"
url = "https://www.canada.ca/en/news.html"
topic = "news"
"""


def test_channels_and_admin_languages_load(in_tmp: Path) -> None:
    config = load(
        in_tmp,
        WATCHES
        + """
[telegram]
admins = [500, 501]
admin_langs = { 501 = "fr" }

[[channel]]
chat_id = "@ircc_express_entry"
topics = ["express-entry"]
draw_types = ["cec", "pnp"]

[[channel]]
chat_id = -1001234567890
topics = ["express-entry", "news"]
lang = "fr"
""",
    )
    assert config.channels == (
        Channel("@ircc_express_entry", ("express-entry",), "en", frozenset({"cec", "pnp"})),
        Channel(-1001234567890, ("express-entry", "news"), "fr", None),
    )
    assert config.telegram.admin_lang(501) == "fr" and config.telegram.admin_lang(500) == "en"


def test_bad_channels_are_refused_with_line_and_fix(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        WATCHES
        + """
[telegram]
admins = [500]
admin_langs = { 77 = "fr", 500 = "de" }

[[channel]]
chat_id = "ircc"
topics = ["express-entry"]
colour = "red"

[[channel]]
chat_id = "@ircc_news"
topics = ["immigration"]
lang = "es"
draw_types = ["cec", "rocket"]

[[channel]]
chat_id = "@IRCC_news"
topics = []

[[channel]]
topics = ["news"]
""",
    ) == [
        'config.toml:14: [telegram] admin_langs: "77" is not one of the admins. '
        "Fix: use the user ids listed in admins = [...].",
        'config.toml:14: [telegram] admin_langs: "de" is not a supported language for admin '
        '500. Fix: write 500 = "en" or 500 = "fr".',
        'config.toml:17: [[channel]] #1 chat_id: "ircc" is neither a channel\'s @username nor '
        'its negative numeric id. Fix: write chat_id = "@my_channel" (5 to 32 letters, digits '
        "or _) or chat_id = -1001234567890.",
        'config.toml:19: [[channel]] #1: unknown key "colour". '
        "Fix: remove it, or use one of: chat_id, draw_types, lang, topics.",
        'config.toml:23: [[channel]] "@ircc_news" topics: "immigration" is not the topic of '
        "any watch. Fix: use one of: express-entry, news.",
        'config.toml:24: [[channel]] "@ircc_news" lang: "es" is not a supported language. '
        'Fix: write lang = "en" or lang = "fr".',
        'config.toml:25: [[channel]] "@ircc_news" draw_types: ["rocket"] is not a list of '
        "draw types. Fix: use some of: cec, pnp, fsw, fst, french, stem, healthcare, trades, "
        "education, transport, agriculture, physicians, senior-managers, military, general, "
        "other (or remove the line for every draw).",
        'config.toml:28: [[channel]] "@IRCC_news" chat_id: "@IRCC_news" is already the '
        "channel on line 22. Fix: write each channel once and list all its topics in that block.",
        'config.toml:29: [[channel]] "@IRCC_news" topics: must be a non-empty list of topics, '
        'got []. Fix: write topics = ["express-entry"].',
        'config.toml:31: [[channel]] #4: missing key "chat_id". '
        'Fix: add a line such as chat_id = "@my_channel".',
    ]

"""Provinces as topics and /pnp, through the fake Bot API (PTB polling) and the real pipeline.

Each province is its own topic ("pnp-on", "pnp-pe", "pnp-qc", …) named in both languages in
/start; following "pnp" means every province. /pnp lists the latest draw of each province
the chat follows, in its language. The pages are the real PEI copy and the modelled Ontario
and Québec pages of tests/test_replay_provincial.py and tests/test_provincial_shapes.py.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlite_utils
from telegram.ext import Application

from crawlers.items import Fetch
from notifier.bot import build_application
from notifier.routing import recipients_for
from settings import Config
from storage import subscribers
from tests.fakes.telegram_api import FakeTelegram
from tests.notifier_support import StorageActions, make_config, open_database, pipeline, running
from tests.provincial_support import REAL
from tests.test_replay_provincial import PEI, quebec_page
from tests.unfamiliar_support import provincial

ALICE, BOB, CAROL, DAVE = 111, 222, 333, 444
ONTARIO = "https://www.ontario.ca/page/2026-ontario-immigrant-nominee-program-updates"
QUEBEC = "https://www.quebec.ca/immigration/invitations"
WATCHES = [
    {"name": "oinp", "url": ONTARIO, "kind": "pnp-updates", "topic": "pnp-on"},
    {"name": "pei", "url": PEI, "kind": "pnp-updates", "topic": "pnp-pe"},
    {"name": "quebec", "url": QUEBEC, "kind": "pnp-updates", "topic": "pnp-qc", "lang": "fr"},
]
DOMAINS = ["ontario.ca", "princeedwardisland.ca", "quebec.ca", "127.0.0.1"]
ONTARIO_PAGE = provincial(
    "<h2>Express Entry Human Capital Priorities Stream – June 2, 2026</h2><p>On June 2, 2026, "
    "2,086 notifications of interest were issued to candidates with scores of 490 or more.</p>",
    "2026 Ontario Immigrant Nominee Program updates",
)


@dataclass
class Env:
    fake: FakeTelegram
    config: Config
    db: sqlite_utils.Database
    app: Application

    async def say(self, chat: int, text: str, **kw: Any) -> dict:
        before = len(self.fake.messages_to(chat))
        self.fake.inject_message(chat, text, **kw)
        ok = await self.fake.wait_for_async(
            lambda: len(self.fake.messages_to(chat)) > before, timeout=5
        )
        assert ok, f"no reply to {text!r}"
        return self.fake.messages_to(chat)[before]

    def check(self, watch: str, body: bytes | str) -> list[dict[str, Any]]:
        url = self.config.watch(watch).url
        data = body.encode("utf-8") if isinstance(body, str) else body
        fetch = Fetch(watch=watch, url=url, final_url=url, status=200, body=data)
        return pipeline(self.db, self.config).handle(fetch).changes


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(per_chat_per_second=math.inf, per_group_per_minute=math.inf) as server:
        yield server


@pytest.fixture
async def env(tmp_path, fake) -> AsyncIterator[Env]:
    config = make_config(
        tmp_path,
        base_url=fake.base_url,
        watch_list=WATCHES,
        settings={"allowed_domains": DOMAINS},
    )
    db = open_database(config)
    app = build_application(config, db, token=fake.token, actions=StorageActions(db))
    async with running(app):
        yield Env(fake, config, db, app)


def buttons(message: dict) -> dict[str, str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["callback_data"]: b["text"] for row in rows for b in row}


async def test_start_names_each_province_in_both_languages(env: Env) -> None:
    welcome = await env.say(ALICE, "/start", language_code="fr-CA")
    topics = {k: v for k, v in buttons(welcome).items() if k.startswith("t:")}
    assert topics == {
        "t:pnp": "▫️ Programmes des candidats des provinces (tous)",
        "t:pnp-on": "▫️ Ontario",
        "t:pnp-pe": "▫️ Île-du-Prince-Édouard",
        "t:pnp-qc": "▫️ Québec",
    }
    welcome = await env.say(BOB, "/start", language_code="en")
    assert buttons(welcome)["t:pnp-pe"] == "▫️ Prince Edward Island"
    assert buttons(welcome)["t:pnp"] == "▫️ Provincial nominee programs (all)"


async def test_a_province_reaches_its_followers_and_those_of_pnp_once(env: Env) -> None:
    subscribers.ensure(env.db, ALICE, "en")
    subscribers.ensure(env.db, BOB, "fr")
    subscribers.ensure(env.db, CAROL, "en")
    subscribers.ensure(env.db, DAVE, "en")
    subscribers.subscribe(env.db, ALICE, "pnp-pe")
    subscribers.subscribe(env.db, BOB, "pnp")  # every province
    subscribers.subscribe(env.db, CAROL, "pnp-on")
    subscribers.subscribe(env.db, DAVE, "pnp")
    subscribers.subscribe(env.db, DAVE, "pnp-pe")  # both: still one message
    real = (REAL / "prince-edward-island" / "expression-of-interest-draws.html").read_bytes()
    env.check("pei", real.replace(b"<td>6/18/2026</td>", b"<td>5/30/2026</td>"))
    [change] = env.check("pei", real)
    assert change["topic"] == "pnp-pe" and change["kind"] == "pnp_update"
    chats = [chat for chat, _, role in recipients_for(env.db, env.config, change)]
    assert chats == [ALICE, BOB, DAVE]  # not CAROL (Ontario only)


async def test_pnp_lists_the_latest_draw_of_each_followed_province(env: Env) -> None:
    reply = await env.say(ALICE, "/pnp", language_code="en")
    assert reply["visible_text"] == (
        "You follow no provincial program yet: choose yours with /topics."
    )
    subscribers.ensure(env.db, ALICE, "en")
    subscribers.subscribe(env.db, ALICE, "pnp")
    reply = await env.say(ALICE, "/pnp", language_code="en")
    assert reply["visible_text"] == "No draw is known yet for the provinces you follow."

    env.check("oinp", ONTARIO_PAGE)
    env.check(
        "pei", (REAL / "prince-edward-island" / "expression-of-interest-draws.html").read_bytes()
    )
    older = [("14 mai 2026", "PSTQ", "1 018", "584")]
    env.check("quebec", quebec_page([("2 juin 2026", "PSTQ", "1 245", "577"), *older]))

    reply = await env.say(ALICE, "/pnp", language_code="en")
    assert reply["visible_text"].splitlines() == [
        "Latest provincial nominee draws",
        "Ontario PNP: Express Entry Human Capital Priorities Stream",
        "June 2, 2026: 2,086 invitations, lowest score 490. ↗",
        "Prince Edward Island PNP: Office of Immigration Invitations to Apply",
        "June 18, 2026: 182 invitations. ↗",
        "Quebec PNP: Invitations",
        "June 2, 2026: 1,245 invitations, lowest score 577. ↗",
    ]
    assert [f'<a href="{url}">↗</a>' in reply["text"] for url in (ONTARIO, PEI, QUEBEC)] == [
        True,
        True,
        True,
    ]

    subscribers.unsubscribe(env.db, ALICE, "pnp")
    subscribers.subscribe(env.db, ALICE, "pnp-qc")
    subscribers.set_lang(env.db, ALICE, "fr")
    reply = await env.say(ALICE, "/pnp")
    assert reply["visible_text"].splitlines() == [
        "Dernières invitations des programmes des candidats des provinces",
        "Programme des candidats des provinces (Québec)\u00a0: Invitations",
        "2 juin 2026\u00a0: 1 245 invitations, note minimale 577. ↗",
    ]


async def test_history_of_pnp_is_every_provinces(env: Env) -> None:
    real = (REAL / "prince-edward-island" / "expression-of-interest-draws.html").read_bytes()
    env.check("pei", real.replace(b"<td>6/18/2026</td>", b"<td>5/30/2026</td>"))
    env.check("pei", real)
    reply = await env.say(ALICE, "/history pnp", language_code="en")
    lines = reply["visible_text"].splitlines()
    assert lines[0] == "Latest changes: Provincial nominee programs (all)"
    assert lines[1].endswith("Prince Edward Island PNP: Office of Immigration Invitations to Apply")
    reply = await env.say(ALICE, "/history pnp-on", language_code="en")
    assert reply["visible_text"] == "No changes recorded yet for Ontario."

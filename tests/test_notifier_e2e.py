"""End to end: pages change on the local site → `ircc-watch check` → the bot's subscribers.

The real command crawls 127.0.0.1 in its own process and stores changes with their deliveries;
subscribers sign up through the real bot over the fake Bot API; the delivery loop sends.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from notifier.bot import build_application
from notifier.delivery import Delivery
from storage import changes, deliveries, subscribers
from tests.conftest import FIXTURES, run_cli
from tests.fakes.telegram_api import FakeTelegram
from tests.notifier_support import (
    StorageActions,
    feed_bytes,
    french,
    make_config,
    open_database,
    real_feed,
    running,
    without_newest,
)

IEC = FIXTURES / "synthetic" / "iec-en"
ADMIN, ALICE, BRUNO, CAROL, DAVE, ERIN = 500, 101, 102, 103, 104, 105
MAINTAINER = -1009


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(per_chat_per_second=math.inf, per_group_per_minute=math.inf) as server:
        yield server


def check(config_path) -> None:
    result = run_cli("--config", str(config_path), "check")
    assert result.returncode == 0, result.stdout + result.stderr


async def say(fake: FakeTelegram, chat: int, text: str, **kw) -> dict:
    before = len(fake.messages_to(chat))
    fake.inject_message(chat, text, **kw)
    assert await fake.wait_for_async(lambda: len(fake.messages_to(chat)) > before, timeout=5)
    return fake.messages_to(chat)[-1]


async def test_a_change_on_the_site_reaches_exactly_the_right_subscribers(tmp_path, site, fake):
    feed = real_feed()  # newest: #437 "French-Language proficiency 2026-Version 2", CRS 382
    site.set("/ee_en.json", feed_bytes(without_newest(feed)), content_type="application/json")
    site.set(
        "/ee_fr.json", feed_bytes(french(without_newest(feed))), content_type="application/json"
    )
    before, after = sorted(IEC.glob("*.html"))
    site.set("/iec.html", before.read_bytes())
    watch_list = [
        {"name": "ee-rounds", "url": site.url("/ee_en.json"), "kind": "ee-rounds",
         "topic": "express-entry"},
        {"name": "ee-rounds-fr", "url": site.url("/ee_fr.json"), "kind": "ee-rounds",
         "topic": "express-entry", "lang": "fr"},
        {"name": "iec", "url": site.url("/iec.html"), "topic": "iec"},
    ]  # fmt: skip
    config = make_config(
        tmp_path,
        base_url=fake.base_url,
        maintainers=(MAINTAINER,),
        admins=(ADMIN,),
        watch_list=watch_list,
    )
    check(config.path)  # baselines: no change, no delivery
    db = open_database(config)
    app = build_application(config, db, token=fake.token, actions=StorageActions(db))

    async with running(app):
        welcome = await say(fake, ALICE, "/start")  # English, everything about Express Entry
        fake.inject_callback(ALICE, welcome["message_id"], "t:express-entry")
        await say(fake, BRUNO, "/subscribe express-entry", language_code="fr")  # French
        await say(fake, BRUNO, "/crs 400")  # 382 passes
        await say(fake, CAROL, "/subscribe express-entry")
        picker = await say(fake, CAROL, "/drawtypes")
        fake.inject_callback(CAROL, picker["message_id"], "dt:french")  # no French draws
        await say(fake, DAVE, "/subscribe express-entry")  # will block the bot
        await say(fake, ERIN, "/subscribe iec")
        assert await fake.wait_for_async(
            lambda: (
                subscribers.topics(db, ALICE) == ["express-entry"]
                and "french" not in (subscribers.get(db, CAROL)["draw_types"] or {"french"})
            ),
            timeout=5,
        )
        refusal = await say(fake, ERIN, "/pause iec")
        assert "only the bot's administrators" in refusal["visible_text"]

        site.set("/ee_en.json", feed_bytes(feed), content_type="application/json")
        site.set("/ee_fr.json", feed_bytes(french(feed)), content_type="application/json")
        site.set("/iec.html", after.read_bytes())
        check(config.path)
        fake.block(DAVE)
        seen = {chat: len(fake.messages_to(chat)) for chat in (ALICE, BRUNO, CAROL, DAVE, ERIN)}

        stored = changes.listing(db)
        draws = [c for c in stored if c["kind"] == "new_draw"]
        iec = [c for c in stored if c["watch"] == "iec"]
        assert sorted(c["watch"] for c in draws) == ["ee-rounds", "ee-rounds-fr"]
        assert iec, "the IEC page change was not detected"

        sent = await Delivery(db, config, app.bot, chat_interval=0).send_due()
        assert sent == len(stored) + 2 + len(iec)  # maintainer: all; Alice, Bruno; Erin

        def new(chat: int) -> list[str]:
            return [m["visible_text"] for m in fake.messages_to(chat)[seen[chat] :]]

        [alice] = new(ALICE)
        assert alice.startswith("Express Entry draw #437: French-Language proficiency")
        assert "5,000 invitations" in alice and "382" in alice
        [bruno] = new(BRUNO)
        assert (
            bruno.startswith("Entrée express\u00a0: ronde n° 437") and "5 000 invitations" in bruno
        )
        assert new(CAROL) == []
        assert new(DAVE) == []
        assert subscribers.get(db, DAVE)["active"] == 0
        assert {d["status"] for d in deliveries.for_chat(db, DAVE)} == {"cancelled"}
        assert len(new(ERIN)) == len(iec) and all("Express Entry" not in m for m in new(ERIN))

        to_maintainer = fake.messages_to(MAINTAINER)
        assert len(to_maintainer) == len(stored)
        draw_message = next(m for m in to_maintainer if "#437" in m["visible_text"])
        [[button]] = draw_message["reply_markup"]["inline_keyboard"]
        fake.inject_callback(MAINTAINER, draw_message["message_id"], button["callback_data"],
                             user_id=ADMIN)  # fmt: skip
        change_id = int(button["callback_data"].split(":")[1])
        assert await fake.wait_for_async(
            lambda: changes.get(db, change_id)["reviewed_at"] is not None, timeout=5
        )
        assert changes.get(db, change_id)["reviewed_by"] == f"@user{ADMIN} (telegram {ADMIN})"

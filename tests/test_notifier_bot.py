"""The bot's commands and buttons, driven through the fake Bot API by PTB polling."""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlite_utils
from telegram.ext import Application

from diffing.formats import fmt_moment
from notifier.bot import build_application, publish_commands, update_config
from notifier.delivery import Delivery
from settings import Config
from storage import changes, deliveries, subscribers, watches
from tests.fakes.telegram_api import FakeTelegram
from tests.notifier_support import (
    StorageActions,
    feed_bytes,
    fetch,
    make_config,
    open_database,
    pipeline,
    real_feed,
    running,
    without_newest,
)

ADMIN, ALICE, BOB = 500, 111, 222
GROUP = -1005
MAINTAINERS = (-1003, -1004)


@dataclass
class Env:
    fake: FakeTelegram
    config: Config
    db: sqlite_utils.Database
    actions: StorageActions
    app: Application

    async def say(self, chat: int, text: str, replies: int = 1, **kw: Any) -> list[dict]:
        """Send ``text`` from ``chat``; return the bot's ``replies`` new messages."""
        before = len(self.fake.messages_to(chat))
        self.fake.inject_message(chat, text, **kw)
        ok = await self.fake.wait_for_async(
            lambda: len(self.fake.messages_to(chat)) >= before + replies, timeout=5
        )
        assert ok, f"no reply to {text!r}"
        return self.fake.messages_to(chat)[before:]

    async def tap(self, chat: int, message: dict, data: str, **kw: Any) -> dict:
        """Press a button of a bot message; return the callback answer once given."""
        before = len(self.fake.callback_answers)
        self.fake.inject_callback(chat, message["message_id"], data, **kw)
        ok = await self.fake.wait_for_async(
            lambda: len(self.fake.callback_answers) > before, timeout=5
        )
        assert ok, f"no answer to {data!r}"
        return self.fake.callback_answers[-1]

    async def settle(self) -> None:
        """Let the handler finish what it does after answering (an edit)."""
        count = len(self.fake.requests)
        await self.fake.wait_for_async(lambda: False, timeout=0.15)
        await self.fake.wait_for_async(lambda: len(self.fake.requests) >= count, timeout=1)


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(per_chat_per_second=math.inf, per_group_per_minute=math.inf) as server:
        yield server


@pytest.fixture
async def env(tmp_path, fake) -> AsyncIterator[Env]:
    config = make_config(
        tmp_path, base_url=fake.base_url, maintainers=MAINTAINERS, admins=(ADMIN,), review=True
    )
    db = open_database(config)
    actions = StorageActions(db)
    app = build_application(config, db, token=fake.token, actions=actions)
    async with running(app):
        yield Env(fake, config, db, actions, app)


def buttons(message: dict) -> dict[str, str]:
    """callback_data → label of every button of a message."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["callback_data"]: b["text"] for row in rows for b in row}


async def test_start_chooses_language_and_toggles_topics(env: Env) -> None:
    [welcome] = await env.say(ALICE, "/start", language_code="fr-CA")
    assert welcome["visible_text"].startswith("Bienvenue sur ircc-watch")
    assert subscribers.get(env.db, ALICE)["lang"] == "fr"
    assert buttons(welcome) == {
        "lang:en": "English",
        "lang:fr": "✅ Français",
        "t:express-entry": "▫️ Entrée express",
        "t:iec": "▫️ Expérience internationale Canada",
    }

    answer = await env.tap(ALICE, welcome, "t:express-entry")
    assert answer["text"] == "Vous suivez maintenant Entrée express."
    await env.settle()
    assert subscribers.topics(env.db, ALICE) == ["express-entry"]
    assert buttons(welcome)["t:express-entry"] == "✅ Entrée express"
    # The welcome stays, with what the chat follows and what to do next.
    assert welcome["visible_text"].startswith("Bienvenue sur ircc-watch!")
    assert "Vous suivez\u00a0: Entrée express\n" in welcome["visible_text"]
    assert welcome["visible_text"].endswith("/help toutes les commandes.")

    await env.tap(ALICE, welcome, "lang:en")
    await env.settle()
    assert subscribers.get(env.db, ALICE)["lang"] == "en"
    assert welcome["visible_text"].startswith("Language: English.")
    assert buttons(welcome)["lang:en"] == "✅ English"
    assert buttons(welcome)["t:iec"] == "▫️ International Experience Canada"

    answer = await env.tap(ALICE, welcome, "t:express-entry")
    assert answer["text"] == "You no longer follow Express Entry."
    await env.settle()
    assert subscribers.topics(env.db, ALICE) == []
    assert welcome["visible_text"].endswith("You follow: nothing yet")


async def test_subscriptions_filters_and_mysubs(env: Env) -> None:
    [reply] = await env.say(BOB, "/subscribe express-entry")
    assert reply["visible_text"] == "You now follow Express Entry."
    [reply] = await env.say(BOB, "/subscribe <b>nope")
    assert reply["visible_text"].startswith("Unknown topic <b>nope.")  # escaped, shown as typed
    [reply] = await env.say(BOB, "/crs 480")
    assert subscribers.get(env.db, BOB)["crs_max"] == 480
    [reply] = await env.say(BOB, "/crs lots")
    assert reply["visible_text"].startswith("Usage: /crs N")

    [picker] = await env.say(BOB, "/drawtypes")
    assert buttons(picker)["dt:cec"] == "✅ Canadian Experience Class"
    await env.tap(BOB, picker, "dt:cec")
    await env.settle()
    assert "cec" not in subscribers.get(env.db, BOB)["draw_types"]
    assert buttons(picker)["dt:cec"] == "▫️ Canadian Experience Class"
    await env.tap(BOB, picker, "dt:*")
    await env.settle()
    assert subscribers.get(env.db, BOB)["draw_types"] is None
    await env.tap(BOB, picker, "dt:pnp")
    await env.settle()

    [reply] = await env.say(BOB, "/mysubs")
    text = reply["visible_text"]
    assert "Topics: Express Entry" in text and "draws with a cutoff of at most 480" in text
    assert "Provincial Nominee Program" not in text and "Canadian Experience Class" in text

    [reply] = await env.say(BOB, "/lang fr")
    assert reply["visible_text"] == "Langue\u00a0: français."
    [reply] = await env.say(BOB, "/unsubscribe express-entry")
    assert reply["visible_text"] == "Vous ne suivez plus Entrée express."
    [reply] = await env.say(BOB, "/crs off")
    assert subscribers.get(env.db, BOB)["crs_max"] is None
    [reply] = await env.say(BOB, "/help")
    assert "/drawtypes" in reply["visible_text"] and (
        "Sujets\u00a0: Entrée express, Expérience internationale Canada." in reply["visible_text"]
    )


async def test_latest_draws_and_history_read_storage(env: Env) -> None:
    [reply] = await env.say(ALICE, "/latest")
    assert reply["visible_text"] == "No Express Entry draw is known yet."
    pipe = pipeline(env.db, env.config)
    feed = real_feed()
    pipe.handle(fetch(env.config, "ee-rounds", feed_bytes(without_newest(feed))))
    pipe.handle(fetch(env.config, "ee-rounds", feed_bytes(feed)))

    [reply] = await env.say(ALICE, "/latest")
    text = reply["visible_text"]
    assert "437" in text and "French-Language proficiency 2026-Version 2" in text
    assert "5,000" in text and "382" in text
    [reply] = await env.say(ALICE, "/draws 3")
    lines = reply["visible_text"].splitlines()
    assert lines[0] == "Last 3 Express Entry draws"
    assert [line.split(" · ")[0] for line in lines[1:4]] == ["#437", "#436", "#435"]
    assert lines[4] == "Official page"  # the rounds page, linked
    # One name per draw: the feed's own, as the alerts and /latest say it.
    assert "French-Language proficiency 2026-Version 2" in lines[1] and "CRS 382" in lines[1]

    [reply] = await env.say(ALICE, "/history express-entry")
    lines = reply["visible_text"].splitlines()
    assert lines[0] == "Latest changes: Express Entry" and len(lines) == 2 and "437" in lines[1]
    [reply] = await env.say(ALICE, "/history iec")
    assert reply["visible_text"] == "No changes recorded yet for International Experience Canada."
    [reply] = await env.say(ALICE, "/history")
    assert reply["visible_text"].startswith("Usage: /history TOPIC")


async def test_stop_deletes_the_subscriber_and_its_data(env: Env) -> None:
    await env.say(ALICE, "/subscribe iec")
    await env.say(ALICE, "/crs 470")
    with env.db.atomic():
        changes.insert(
            env.db,
            {
                "watch": "iec",
                "kind": "page_change",
                "topic": "iec",
                "audience": "subscribers",
                "observed_at": "2026-01-15T13:00:00Z",
                "title": "t",
                "summary": "s",
                "lang": "en",
            },
            [(ALICE, "en", "subscriber"), (MAINTAINERS[0], "en", "maintainer")],
        )
    [reply] = await env.say(ALICE, "/stop")
    assert reply["visible_text"].startswith("Done: you are unsubscribed from everything")
    assert subscribers.get(env.db, ALICE) is None
    assert subscribers.topics(env.db, ALICE) == []
    assert deliveries.for_chat(env.db, ALICE) == []
    assert len(deliveries.for_chat(env.db, MAINTAINERS[0])) == 1


async def test_admin_commands_refuse_everyone_else(env: Env) -> None:
    [reply] = await env.say(BOB, "/pause ee-rounds")
    assert reply["visible_text"] == "Sorry, only the bot's administrators can use /pause."
    for command in ("/status", "/check iec", "/resume ee-rounds", "/reload"):
        await env.say(BOB, command)
    assert env.actions.calls == []
    assert watches.get(env.db, "ee-rounds")["paused"] == 0
    [reply] = await env.say(GROUP, "/pause ee-rounds", user_id=BOB, chat_type="group")
    assert env.actions.calls == []  # in a group, the user counts, not the chat

    [reply] = await env.say(ADMIN, "/pause ee-rounds")
    assert reply["visible_text"] == "ee-rounds: paused"
    assert watches.get(env.db, "ee-rounds")["paused"] == 1
    [reply] = await env.say(ADMIN, "/status")
    assert "ee-rounds: paused <ee-rounds>" in reply["visible_text"]  # escaped, shown literally
    [reply] = await env.say(ADMIN, "/check iec")
    assert reply["visible_text"] == "iec: checked, unchanged"
    [reply] = await env.say(ADMIN, "/resume ee-rounds")
    assert watches.get(env.db, "ee-rounds")["paused"] == 0
    [reply] = await env.say(ADMIN, "/check")
    assert reply["visible_text"].startswith("Usage: /check NAME")
    assert env.actions.calls == [
        ("pause", "ee-rounds"),
        ("status",),
        ("check", "iec"),
        ("resume", "ee-rounds"),
    ]


async def test_mark_reviewed_records_who_and_edits_every_copy(env: Env) -> None:
    pipe = pipeline(env.db, env.config)
    feed = real_feed()
    pipe.handle(fetch(env.config, "ee-rounds", feed_bytes(without_newest(feed))))
    [change] = pipe.handle(fetch(env.config, "ee-rounds", feed_bytes(feed))).changes
    delivery = Delivery(env.db, env.config, env.app.bot, chat_interval=0)
    assert await delivery.send_due() == 2
    first, second = (env.fake.messages_to(chat)[0] for chat in MAINTAINERS)
    assert buttons(first) == {f"rv:{change['id']}": "Mark reviewed"}
    env.fake.set_member(MAINTAINERS[0], ALICE, "administrator")
    env.fake.set_member(MAINTAINERS[1], BOB, "creator")

    answer = await env.tap(MAINTAINERS[0], first, f"rv:{change['id']}", user_id=BOB)
    assert answer["text"] == "Only maintainers can review changes."  # BOB is no admin there
    assert changes.get(env.db, change["id"])["reviewed_at"] is None

    answer = await env.tap(MAINTAINERS[0], first, f"rv:{change['id']}", user_id=ALICE)
    assert answer["text"] == "Marked reviewed."
    await env.fake.wait_for_async(lambda: not buttons(first) and not buttons(second), timeout=5)
    stored = changes.get(env.db, change["id"])
    assert stored["reviewed_by"] == f"@user{ALICE} (telegram {ALICE})"
    assert stored["reviewed_at"] and stored["reviewed_at"].endswith("Z")
    assert buttons(first) == {} and buttons(second) == {}
    for copy in (first, second):
        last_line = copy["visible_text"].splitlines()[-1]
        assert (
            last_line == f"Reviewed by @user{ALICE} (telegram {ALICE}) on "
            f"{fmt_moment(stored['reviewed_at'])}."
        )

    answer = await env.tap(MAINTAINERS[1], second, f"rv:{change['id']}", user_id=BOB)
    assert answer["text"].startswith(f"Already reviewed by @user{ALICE}")
    assert changes.get(env.db, change["id"])["reviewed_by"] == stored["reviewed_by"]


async def test_only_maintainers_can_mark_reviewed(env: Env) -> None:
    with env.db.atomic():
        change_id = changes.insert(
            env.db,
            {
                "watch": "iec",
                "kind": "page_change",
                "topic": "iec",
                "audience": "subscribers",
                "observed_at": "2026-01-15T13:00:00Z",
                "title": "t",
                "summary": "s",
                "lang": "en",
            },
        )
    [reply] = await env.say(BOB, "/help")
    answer = await env.tap(BOB, reply, f"rv:{change_id}")  # a forged callback
    assert answer["text"] == "Only maintainers can review changes."
    assert changes.get(env.db, change_id)["reviewed_at"] is None


async def test_a_user_who_writes_again_is_active_again(env: Env) -> None:
    await env.say(ALICE, "/subscribe iec")
    subscribers.deactivate(env.db, ALICE, "Forbidden: bot was blocked by the user")
    await env.say(ALICE, "/mysubs")
    assert subscribers.get(env.db, ALICE)["active"] == 1


async def test_command_menus_in_both_languages_and_for_admins(env: Env) -> None:
    await publish_commands(env.app)
    menus = {
        c.get("language_code") or "": c["commands"] for c in env.fake.commands if not c.get("scope")
    }
    assert set(menus) == {"", "fr"}
    assert [c["command"] for c in menus[""]] == [c["command"] for c in menus["fr"]]
    assert {"start", "drawtypes", "crs", "stop", "export", "why"} <= {
        c["command"] for c in menus[""]
    }
    assert "status" not in {c["command"] for c in menus[""]}
    [admin_menu] = [c for c in env.fake.commands if c.get("scope")]
    assert admin_menu["scope"] == {"type": "chat", "chat_id": ADMIN}
    assert {"status", "check", "reload", "start"} <= {c["command"] for c in admin_menu["commands"]}


async def test_a_reloaded_config_is_used(env: Env, tmp_path) -> None:
    [reply] = await env.say(BOB, "/pause iec")
    assert reply["visible_text"].startswith("Sorry")
    (tmp_path / "reloaded").mkdir()
    reloaded = make_config(tmp_path / "reloaded", admins=(BOB,), base_url=env.fake.base_url)
    update_config(env.app, reloaded)
    [reply] = await env.say(BOB, "/pause iec")
    assert reply["visible_text"] == "iec: paused"


async def test_a_chat_that_blocks_the_bot_before_its_reply_is_deactivated(env: Env) -> None:
    await env.say(ALICE, "/subscribe iec")
    env.fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    env.fake.inject_message(ALICE, "/mysubs")
    assert await env.fake.wait_for_async(
        lambda: subscribers.get(env.db, ALICE)["active"] == 0, timeout=5
    )


# -- issue 8: the bot's defects --------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "hint"),
    [
        ("/crs ²", "Usage: /crs N"),
        ("/crs ٣٠٠", "Usage: /crs N"),
        ("/draws ²", "Usage: /draws N, where N is a number from 1 to 20"),
        ("/history express-entry ²", "Usage: /history TOPIC [N]"),
    ],
)
async def test_numeric_arguments_take_ascii_digits_only(env: Env, command: str, hint: str) -> None:
    await env.say(ALICE, "/crs 470")
    [reply] = await env.say(ALICE, command)
    assert reply["visible_text"].startswith(hint)
    assert subscribers.get(env.db, ALICE)["crs_max"] == 470


async def test_a_huge_argument_is_echoed_cut_to_64_characters(env: Env) -> None:
    [reply] = await env.say(BOB, "/subscribe " + "x" * 4085)
    text = reply["visible_text"]
    assert text.startswith("Unknown topic " + "x" * 63 + "… .") or ("x" * 63 + "…") in text
    assert "x" * 64 not in text and len(text) < 200
    [reply] = await env.say(BOB, "/unsubscribe " + "<&>" * 1000)
    assert reply["visible_text"] == "You did not follow " + "<&>" * 21 + "…."
    [reply] = await env.say(ADMIN, "/pause " + "y" * 5000)
    assert reply["visible_text"] == "no watch " + "y" * 200  # the actions' report, within limits


async def test_in_a_group_only_its_administrators_change_the_subscription(env: Env) -> None:
    env.fake.set_member(GROUP, ADMIN, "administrator")
    say = dict(chat_type="group")
    [reply] = await env.say(GROUP, "/subscribe iec", user_id=BOB, **say)
    assert reply["visible_text"] == (
        "In a group, only the group's administrators can use /subscribe."
    )
    assert subscribers.topics(env.db, GROUP) == []
    [reply] = await env.say(GROUP, "/subscribe iec", user_id=ADMIN, **say)
    assert reply["visible_text"] == "You now follow International Experience Canada."
    [reply] = await env.say(GROUP, "/stop", user_id=BOB, **say)
    assert reply["visible_text"].startswith("In a group, only the group's administrators")
    assert subscribers.topics(env.db, GROUP) == ["iec"]

    [menu] = await env.say(GROUP, "/topics", user_id=BOB, **say)  # reading is for everyone
    answer = await env.tap(GROUP, menu, "t:express-entry", user_id=BOB)
    assert answer["show_alert"] is True
    assert answer["text"] == "In a group, only its administrators can change this."
    assert subscribers.topics(env.db, GROUP) == ["iec"]
    await env.tap(GROUP, menu, "t:express-entry", user_id=ADMIN)
    assert subscribers.topics(env.db, GROUP) == ["express-entry", "iec"]

    env.fake.set_member(GROUP, BOB, "creator")
    [reply] = await env.say(GROUP, "/stop", user_id=BOB, **say)
    assert reply["visible_text"].startswith("Done: you are unsubscribed")
    assert subscribers.get(env.db, GROUP) is None
    checks = [r for r in env.fake.requests if r["method"] == "getChatMember"]
    assert checks and all(r["params"]["chat_id"] == GROUP for r in checks)


async def test_every_callback_is_answered_even_unknown_ones(env: Env) -> None:
    [reply] = await env.say(ALICE, "/help")
    for data in ("zz:1", "t:no-such-topic", "dt:nope", "lang:de", "rv:abc", "m:stop"):
        answer = await env.tap(ALICE, reply, data)
        assert answer["text"], data
    [answer] = [
        a for a in env.fake.callback_answers if a.get("text", "").startswith("This button")
    ][:1]
    assert answer["text"] == "This button is no longer valid. Send /start for a fresh menu."


async def test_an_unknown_command_or_text_gets_a_hint_and_the_menu(env: Env) -> None:
    [reply] = await env.say(ALICE, "/frobnicate")
    assert reply["visible_text"] == "I don't know that command. Try /help, or tap below."
    assert buttons(reply) == {
        "m:topics": "Topics",
        "m:mysubs": "My subscriptions",
        "m:latest": "Latest draw",
        "m:help": "Help",
    }
    [reply] = await env.say(ALICE, "bonjour", language_code="fr")
    assert reply["visible_text"].startswith("Je ne comprends que les commandes.")
    assert buttons(reply)["m:mysubs"] == "Mes abonnements"
    await env.tap(ALICE, reply, "m:topics")
    await env.fake.wait_for_async(lambda: len(env.fake.messages_to(ALICE)) == 3, timeout=5)
    assert env.fake.messages_to(ALICE)[-1]["visible_text"].startswith("Tap a topic")

    before = len(env.fake.messages_to(GROUP))
    env.fake.inject_message(GROUP, "hello everyone", user_id=BOB, chat_type="group")
    env.fake.inject_message(GROUP, "/other_bots_command", user_id=BOB, chat_type="group")
    [reply] = await env.say(GROUP, "/frob@ircc_watch_test_bot", user_id=BOB, chat_type="group")
    assert reply["visible_text"].startswith("I don't know that command.")
    assert len(env.fake.messages_to(GROUP)) == before + 1


async def test_errors_are_logged_with_update_and_chat_ids_only(env: Env, caplog) -> None:
    async def broken() -> str:
        raise RuntimeError("status broke")

    env.actions.status = broken  # type: ignore[method-assign]
    caplog.set_level("ERROR", logger="ircc_watch.bot")
    update_id = env.fake.inject_message(ADMIN, "/status")
    await env.fake.wait_for_async(lambda: len(env.fake.messages_to(ADMIN)) == 1, timeout=5)
    assert env.fake.messages_to(ADMIN)[0]["visible_text"].startswith("Sorry, something went wrong")
    [record] = [r for r in caplog.records if r.name == "ircc_watch.bot"]
    assert record.getMessage() == f"error handling update {update_id} (chat {ADMIN}): RuntimeError"
    logged = caplog.text
    assert (
        f"user{ADMIN}" not in logged
        and f"User {ADMIN}" not in logged
        and "first_name" not in logged
    )


async def test_admin_help_lists_the_admin_commands(env: Env) -> None:
    [reply] = await env.say(BOB, "/help")
    assert "/status" not in reply["visible_text"] and "/crs N – Only draws" in reply["visible_text"]
    assert "Topics: Express Entry, International Experience Canada." in reply["visible_text"]
    [reply] = await env.say(ADMIN, "/help")
    text = reply["visible_text"]
    assert "Admin commands" in text and "/check NAME – Fetch a watch now" in text
    [reply] = await env.say(ADMIN, "/lang fr")
    [reply] = await env.say(ADMIN, "/help")
    assert "Commandes d'administration" in reply["visible_text"]
    assert "/pause NAME – Suspendre une surveillance" in reply["visible_text"]


async def test_export_gives_the_chat_its_data_as_json(env: Env) -> None:
    [reply] = await env.say(BOB, "/export")
    assert reply["visible_text"] == "I keep no data about this chat."
    await env.say(BOB, "/subscribe express-entry")
    await env.say(BOB, "/crs 480")
    env.fake.inject_message(BOB, "/export")
    assert await env.fake.wait_for_async(lambda: len(env.fake.documents) == 1, timeout=5)
    [document] = env.fake.documents
    assert document["filename"] == "ircc-watch-export.json" and document["chat_id"] == BOB
    data = json.loads(document["content"])
    assert data["subscriber"]["chat_id"] == BOB and data["subscriber"]["crs_max"] == 480
    assert data["topics"] == ["express-entry"] and data["deliveries"] == []
    assert document["caption"].endswith("/stop deletes it.")


async def test_why_explains_the_filters_for_recent_draws(env: Env) -> None:
    pipe = pipeline(env.db, env.config)
    feed = real_feed()
    pipe.handle(fetch(env.config, "ee-rounds", feed_bytes(feed)))
    [reply] = await env.say(ALICE, "/why")
    assert reply["visible_text"].splitlines()[0] == (
        "You have no draw filter: every Express Entry draw reaches you."
    )
    await env.say(ALICE, "/crs 400")
    [reply] = await env.say(ALICE, "/why")
    lines = reply["visible_text"].splitlines()
    assert lines[0] == "Your filters: CRS cutoff at most 400."  # no "See /why" in /why
    assert lines[1].startswith("✅ #437") and "CRS 382" in lines[1]
    assert any(line.startswith("🚫 ") for line in lines[2:])
    await env.say(ALICE, "/lang fr")
    [reply] = await env.say(ALICE, "/why")
    assert reply["visible_text"].startswith(
        "Vos filtres\u00a0: note minimale du SCG d'au plus 400."
    )

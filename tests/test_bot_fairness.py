"""One chat's flood of commands never holds up another chat (issue 16), through the fake Bot API
at Telegram's real rates (one message a second per chat, a burst of three)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from notifier.bot import build_application
from notifier.chatorder import PerChatUpdates
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

ALICE, BOB = 111, 222
FLOOD = 150


@pytest.fixture
async def bot(tmp_path) -> AsyncIterator[tuple[FakeTelegram, object]]:
    with FakeTelegram() as fake:
        config = make_config(tmp_path, base_url=fake.base_url)
        db = open_database(config)
        pipe = pipeline(db, config)
        feed = real_feed()
        pipe.handle(fetch(config, "ee-rounds", feed_bytes(without_newest(feed))))
        pipe.handle(fetch(config, "ee-rounds", feed_bytes(feed)))
        app = build_application(config, db, token=fake.token, actions=StorageActions(db))
        async with running(app):
            yield fake, app


async def test_a_flood_from_one_chat_does_not_delay_another_chats_latest(bot):
    fake, app = bot
    fake.inject_message(BOB, "/start", language_code="fr-CA")
    assert await fake.wait_for_async(lambda: fake.messages_to(BOB), timeout=10)
    for _ in range(FLOOD):
        fake.inject_message(ALICE, "/latest")
    assert await fake.wait_for_async(lambda: fake.messages_to(ALICE), timeout=10)
    fake.inject_message(BOB, "/latest", language_code="fr-CA")
    assert await fake.wait_for_async(lambda: len(fake.messages_to(BOB)) == 2, timeout=10), (
        f"Bob's /latest waits behind Alice's flood ({len(fake.messages_to(ALICE))} answered)"
    )
    answered = len(fake.messages_to(ALICE))
    assert answered < 20, answered  # Bob was answered while Alice's flood had barely begun
    bob = fake.messages_to(BOB)[-1]["visible_text"]
    assert "437" in bob and "Entrée express" in bob
    # Alice is answered at her chat's pace, in English, and keeps being answered.
    await asyncio.sleep(2)
    assert len(fake.messages_to(ALICE)) > answered
    texts = {m["visible_text"] for m in fake.messages_to(ALICE)}
    assert len(texts) == 1 and "437" in texts.pop()
    assert not [r for r in fake.rate_limited if r["chat_id"] == BOB]
    app.update_processor.shutdown_wait = 0.1  # the rest of the flood is dropped at the end


async def test_a_chats_commands_are_handled_in_the_order_sent(bot):
    fake, _ = bot
    for command in ("/start", "/lang fr", "/latest", "/lang en", "/latest"):
        fake.inject_message(ALICE, command, language_code="en")
    assert await fake.wait_for_async(lambda: len(fake.messages_to(ALICE)) >= 5, timeout=20)
    texts = [m["visible_text"] for m in fake.messages_to(ALICE)]
    assert "Entrée express" in texts[2] and "Express Entry" in texts[4], texts


def test_updates_beyond_a_chats_queue_are_dropped_not_kept():
    async def scenario() -> tuple[int, int]:
        processor = PerChatUpdates(max_pending=3, shutdown_wait=0.1)
        gate = asyncio.Event()
        ran = []

        async def handle(n: int) -> None:
            await gate.wait()
            ran.append(n)

        from telegram import Chat, Message, Update

        message = Message(1, None, Chat(ALICE, "private"))  # type: ignore[arg-type]
        for n in range(10):
            await processor.process_update(Update(n, message=message), handle(n))
        gate.set()
        await asyncio.sleep(0.05)
        await processor.shutdown()
        return len(ran), len(processor._queues)

    assert asyncio.run(scenario()) == (3, 0)


def test_a_chats_queue_at_shutdown_ends_quietly(tmp_path, site):
    """SIGTERM while a chat's commands wait for their turn: the queue is worked while the bot
    can still answer, then dropped, with no error in the log."""
    from tests.conftest import REAL, unpack
    from tests.test_service import TOKEN, fetch_outcomes, service_config, start, stop, wait_until

    feed = unpack(REAL / "ee_rounds" / "raw_feed_series1_all_versions.tar.xz", tmp_path / "s1")
    site.set("/ee.json", feed[0].read_bytes(), content_type="application/json")
    with FakeTelegram(TOKEN) as telegram:
        config = service_config(tmp_path, site, telegram, interval="1h")
        log = tmp_path / "run.log"
        process = start(config, log)
        try:
            assert wait_until(lambda: "baseline" in fetch_outcomes(tmp_path / "test.db"))
            for _ in range(20):
                telegram.inject_message(ALICE, "/help")
            assert wait_until(lambda: len(telegram.messages_to(ALICE)) >= 3)
        finally:
            code = stop(process)
        answered = len(telegram.messages_to(ALICE))
    assert code == 0
    text = log.read_text()
    assert "Traceback" not in text and "error" not in text.lower(), text[-3000:]
    assert 3 <= answered < 20

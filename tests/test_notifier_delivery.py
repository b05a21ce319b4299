"""The delivery loop against the fake Bot API over real HTTP: once, paced, retried, cancelled."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from telegram.error import ChatMigrated
from telegram.ext import Application

from notifier.bot import build_application
from notifier.delivery import Delivery
from storage import changes, deliveries, subscribers
from storage.db import utcnow
from tests.fakes.telegram_api import FakeTelegram
from tests.notifier_support import StorageActions, make_config, open_database

MAINTAINER = -1002
ALICE, BOB = 111, 222


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(per_chat_per_second=math.inf) as server:
        yield server


@pytest.fixture
def config(tmp_path, fake):
    return make_config(tmp_path, base_url=fake.base_url, maintainers=(MAINTAINER,), review=True)


@pytest.fixture
def db(config):
    return open_database(config)


@pytest.fixture
async def app(config, db, fake) -> AsyncIterator[Application]:
    application = build_application(config, db, token=fake.token, actions=StorageActions(db))
    async with application:
        yield application


def add_change(db, recipients, **fields) -> int:
    row = {
        "watch": "iec",
        "kind": "page_change",
        "topic": "iec",
        "audience": "subscribers",
        "observed_at": "2026-01-15T13:00:00Z",
        "title": "Page changed: iec",
        "summary": "1 line(s) added",
        "data": {"page": "iec", "added": 1, "removed": 0, "excerpt": "+ Quotas <b>open</b> & more"},
        "url": "https://www.canada.ca/en/iec.html",
        "lang": "en",
        "diff": "--- a\n+++ b\n@@ -1 +1 @@\n-Quotas closed\n+Quotas <b>open</b> & more",
        **fields,
    }
    with db.atomic():
        return changes.insert(db, row, recipients)


def shift(stamp: str, seconds: int) -> str:
    moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return (moment + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def statuses(db, change_id) -> dict[int, str]:
    return {d["chat_id"]: d["status"] for d in deliveries.for_change(db, change_id)}


async def test_each_delivery_is_sent_once_in_its_language_and_marked(db, config, app, fake):
    change_id = add_change(
        db,
        [(MAINTAINER, "en", "maintainer"), (ALICE, "fr", "subscriber"), (BOB, "en", "subscriber")],
    )
    delivery = Delivery(db, config, app.bot, chat_interval=0)
    assert await delivery.send_due() == 3
    assert await delivery.send_due() == 0  # nothing is sent twice
    assert statuses(db, change_id) == {MAINTAINER: "sent", ALICE: "sent", BOB: "sent"}

    [alice] = fake.messages_to(ALICE)
    assert alice["parse_mode"] == "HTML" and alice["reply_markup"] is None
    assert alice["visible_text"].startswith("Page modifiée\u00a0: iec")
    assert "Ajouté\u00a0: Quotas <b>open</b> & more" in alice["visible_text"]  # escaped, as is
    [bob] = fake.messages_to(BOB)
    assert bob["visible_text"].startswith("Page changed: iec")
    [maintainer] = fake.messages_to(MAINTAINER)
    assert "-Quotas closed" in maintainer["visible_text"]
    assert f"Review: http://127.0.0.1:8765/changes/{change_id}" in maintainer["visible_text"]
    [[button]] = maintainer["reply_markup"]["inline_keyboard"]
    assert (button["text"], button["callback_data"]) == ("Mark reviewed", f"rv:{change_id}")
    row = next(d for d in deliveries.for_change(db, change_id) if d["chat_id"] == MAINTAINER)
    assert (row["message_id"], row["attempts"], row["parts_sent"]) == (
        maintainer["message_id"],
        1,
        1,
    )


async def test_a_message_over_4096_characters_goes_out_in_parts(db, config, app, fake):
    title = "New rules <for> Canada & you; " * 300  # 9,000 hostile characters
    change_id = add_change(
        db,
        [(ALICE, "en", "subscriber")],
        kind="news",
        data={"title": title, "url": "https://www.canada.ca/news", "published": "2026-01-15"},
    )
    assert await Delivery(db, config, app.bot, chat_interval=0).send_due() == 1
    parts = fake.messages_to(ALICE)
    assert len(parts) == 3
    assert all(len(p["text"]) <= 4096 for p in parts)  # the fake refuses longer ones anyway
    assert title.strip() in "".join(p["visible_text"].replace("\n", "") for p in parts)
    row = deliveries.for_change(db, change_id)[0]
    assert (row["status"], row["parts_sent"], row["message_id"]) == (
        "sent",
        3,
        parts[-1]["message_id"],
    )


async def test_429_is_waited_out_and_resent(db, config, app, fake):
    add_change(db, [(ALICE, "en", "subscriber")])
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    began = time.monotonic()
    assert await Delivery(db, config, app.bot, chat_interval=0).send_due() == 1
    assert time.monotonic() - began >= 1.0  # AIORateLimiter paused, then resent
    assert len(fake.messages_to(ALICE)) == 1


async def test_persistent_429_waits_in_the_queue_without_spinning(db, config, app, fake):
    change_id = add_change(db, [(ALICE, "en", "subscriber")])
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, count=3)
    delivery = Delivery(db, config, app.bot, chat_interval=0)
    now = utcnow()
    assert await delivery.send_due(now) == 0  # three 429s: past AIORateLimiter's two retries
    [row] = deliveries.for_change(db, change_id)
    assert (row["status"], row["next_attempt_at"]) == ("pending", shift(now, 1))
    requests = len(fake.requests)
    assert await delivery.send_due(now) == 0  # not due yet: no request at all
    assert len(fake.requests) == requests
    assert await delivery.send_due(shift(now, 1)) == 1
    assert statuses(db, change_id) == {ALICE: "sent"}


async def test_network_errors_back_off_exponentially(db, config, app, fake):
    change_id = add_change(db, [(ALICE, "en", "subscriber")])
    fake.fail_next("sendMessage", 502, "Bad Gateway", count=2)
    delivery = Delivery(db, config, app.bot, chat_interval=0)
    now = utcnow()
    assert await delivery.send_due(now) == 0
    [row] = deliveries.for_change(db, change_id)
    assert (row["status"], row["attempts"], row["next_attempt_at"]) == ("pending", 1, shift(now, 5))
    assert "Bad Gateway" in row["last_error"]
    assert await delivery.send_due(shift(now, 4)) == 0  # not yet
    assert await delivery.send_due(shift(now, 5)) == 0  # second failure: twice as long
    [row] = deliveries.for_change(db, change_id)
    assert (row["attempts"], row["next_attempt_at"]) == (2, shift(now, 15))
    assert await delivery.send_due(shift(now, 15)) == 1


async def test_a_bot_api_error_quoting_the_token_is_stored_masked(db, config, app, fake):
    """A proxy's error page may quote the request's URL: the token never reaches the database."""
    change_id = add_change(db, [(ALICE, "en", "subscriber")])
    shaped = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
    page = f"Bad Gateway: upstream https://api.telegram.org/bot{fake.token}/sendMessage, {shaped}"
    fake.fail_next("sendMessage", 502, page)
    fake.fail_next("sendMessage", 400, f"Bad Request: /bot{fake.token}/sendMessage refused")
    delivery = Delivery(db, config, app.bot, chat_interval=0)
    now = utcnow()
    assert await delivery.send_due(now) == 0
    [row] = deliveries.for_change(db, change_id)
    assert row["status"] == "pending" and "Bad Gateway: upstream" in row["last_error"]
    assert fake.token not in row["last_error"] and shaped not in row["last_error"]
    assert "/bot[redacted]/sendMessage" in row["last_error"]
    assert await delivery.send_due(shift(now, 5)) == 0
    [row] = deliveries.for_change(db, change_id)
    error = row["last_error"].lower()  # a 400's description is stored lowercased
    assert row["status"] == "failed" and "/bot[redacted]/sendmessage refused" in error
    assert fake.token.lower() not in str(list(db.query("SELECT * FROM deliveries"))).lower()


async def test_an_unreachable_server_is_a_network_error(db, config, fake):
    fake.stop()  # nothing listens on the base_url any more
    app = build_application(config, db, token=fake.token, actions=StorageActions(db))
    add_change(db, [(ALICE, "en", "subscriber")])
    now = utcnow()
    assert await Delivery(db, config, app.bot, chat_interval=0).send_due(now) == 0
    [row] = deliveries.for_chat(db, ALICE)
    assert (row["status"], row["next_attempt_at"]) == ("pending", shift(now, 5))


async def test_a_blocked_user_is_deactivated_and_its_deliveries_cancelled(db, config, app, fake):
    subscribers.ensure(db, ALICE)
    subscribers.subscribe(db, ALICE, "iec")
    first = add_change(db, [(ALICE, "en", "subscriber"), (BOB, "en", "subscriber")])
    second = add_change(db, [(ALICE, "en", "subscriber")])
    fake.block(ALICE)
    assert await Delivery(db, config, app.bot, chat_interval=0).send_due() == 1  # Bob's
    assert statuses(db, first) == {ALICE: "cancelled", BOB: "sent"}
    assert statuses(db, second) == {ALICE: "cancelled"}
    sub = subscribers.get(db, ALICE)
    assert sub["active"] == 0 and "blocked" in sub["deactivated_reason"]
    assert subscribers.following(db, "iec") == []
    assert fake.messages_to(ALICE) == []


async def test_a_400_fails_the_delivery_without_retrying(db, config, app, fake):
    # One chat at a time: with both in one pass, which request meets the fault is a race.
    change_id = add_change(db, [(ALICE, "en", "subscriber")])
    fake.fail_next("sendMessage", 400, "Bad Request: chat not found")
    delivery = Delivery(db, config, app.bot, chat_interval=0)
    assert await delivery.send_due() == 0
    other = add_change(db, [(BOB, "en", "subscriber")])
    assert await delivery.send_due() == 1
    assert await delivery.send_due("2999-01-01T00:00:00Z") == 0
    rows = {d["chat_id"]: d for d in deliveries.for_change(db, change_id)}
    rows |= {d["chat_id"]: d for d in deliveries.for_change(db, other)}
    assert (
        rows[ALICE]["status"] == "failed" and "chat not found" in rows[ALICE]["last_error"].lower()
    )
    assert rows[BOB]["status"] == "sent"


async def test_a_crash_between_send_and_mark_repeats_never_loses(db, config, app, fake):
    change_id = add_change(db, [(ALICE, "en", "subscriber")])
    [row] = deliveries.for_change(db, change_id)
    deliveries.mark_sending(db, row["id"])  # the process died here, the message maybe sent
    delivery = Delivery(db, config, app.bot, chat_interval=0)
    assert await delivery.send_due() == 0  # a running loop does not touch it
    stop = asyncio.Event()
    task = asyncio.create_task(delivery.run(stop, interval=0.05))  # a restart requeues it
    assert await fake.wait_for_async(lambda: len(fake.messages_to(ALICE)) == 1, timeout=5)
    stop.set()
    await asyncio.wait_for(task, 2)
    assert statuses(db, change_id) == {ALICE: "sent"}


async def test_run_paces_each_chat_and_stops_after_the_message_in_flight(db, config, app, fake):
    for _ in range(3):
        add_change(db, [(ALICE, "en", "subscriber")])
    add_change(db, [(BOB, "en", "subscriber")])
    delivery = Delivery(db, config, app.bot, chat_interval=0.3)
    stop = asyncio.Event()
    task = asyncio.create_task(delivery.run(stop, interval=0.05))
    assert await fake.wait_for_async(lambda: len(fake.messages_to(ALICE)) == 2, timeout=5)
    stop.set()
    await asyncio.wait_for(task, 2)
    alice = fake.messages_to(ALICE)
    assert len(alice) == 2  # the third was not started once stop was set
    assert alice[1]["at"] - alice[0]["at"] >= 0.25  # paced per chat
    assert len(fake.messages_to(BOB)) == 1  # other chats are not held up
    assert deliveries.counts(db) == {"sent": 3, "pending": 1}


async def test_without_a_token_alerts_go_to_the_log(db, config, caplog):
    add_change(db, [(ALICE, "en", "subscriber")], title="Page changed: <iec>")
    delivery = Delivery(db, config, None)
    later = add_change(db, [], title="Nobody follows this one")
    with caplog.at_level(logging.WARNING, logger="ircc_watch.delivery"):
        assert await delivery.send_due() == 2
        assert await delivery.send_due() == 0
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 2
    assert "Page changed: <iec>" in logged[0] and "(1 recipients)" in logged[0]
    assert "Nobody follows this one" in logged[1]
    assert deliveries.counts(db) == {"logged": 1}
    assert later


async def test_a_group_turned_supergroup_fails_with_the_new_id(db, config):
    class MigratedBot:  # Telegram answers 400 with migrate_to_chat_id; PTB raises ChatMigrated
        async def send_message(self, *args, **kwargs):
            raise ChatMigrated(-1001234)

    change_id = add_change(db, [(-5, "en", "subscriber")])
    assert await Delivery(db, config, MigratedBot(), chat_interval=0).send_due() == 0
    [row] = deliveries.for_change(db, change_id)
    assert row["status"] == "failed" and "-1001234" in row["last_error"]

"""A Bot API outage: deliveries wait without using up their attempts, and the health says so."""

from __future__ import annotations

import math
from types import SimpleNamespace

from ircc_watch.botlink import TelegramHealth, health_line
from ircc_watch.service import AdminActions
from notifier.bot import build_application
from notifier.delivery import Delivery
from storage import deliveries
from storage.db import utcnow
from tests.fakes.telegram_api import FakeTelegram
from tests.notifier_support import StorageActions, make_config, open_database
from tests.test_notifier_delivery import add_change, shift

ALICE = 111


async def test_an_outage_longer_than_max_attempts_gives_nothing_up(tmp_path):
    with FakeTelegram(per_chat_per_second=math.inf) as fake:
        config = make_config(tmp_path, base_url=fake.base_url)
        db = open_database(config)
        app = build_application(config, db, token=fake.token, actions=StorageActions(db))
        async with app:
            change_id = add_change(db, [(ALICE, "en", "subscriber")])
            health = TelegramHealth(db)
            delivery = Delivery(db, config, app.bot, chat_interval=0, health=health)
            now = utcnow()
            fake.fail_next("sendMessage", 502, "Bad Gateway", count=delivery.max_attempts + 3)
            for turn in range(delivery.max_attempts + 3):
                health.paused_until = 0.0  # as if the wait were over
                assert await delivery.send_due(shift(now, turn * 4000)) == 0
            (row,) = deliveries.for_change(db, change_id)
            assert row["status"] == "pending" and "Bad Gateway" in row["last_error"]
            assert health.state == "unreachable"
            assert health_line(db).startswith("telegram: unreachable since ")
            status = await AdminActions(SimpleNamespace(db=db, config=config)).status()
            assert status.splitlines()[-1].startswith("telegram: unreachable since ")

            health.paused_until = 0.0
            assert await delivery.send_due(shift(now, 90_000)) == 1
            assert [m["chat_id"] for m in fake.sent] == [ALICE]
            assert health.state == "connected"
            assert health_line(db).startswith("telegram: connected since ")


async def test_while_the_wait_runs_nothing_is_sent_and_the_wait_grows(tmp_path):
    config = make_config(tmp_path, base_url="http://127.0.0.1:9/bot")
    db = open_database(config)
    health = TelegramHealth(db)
    assert [health.down("connection refused") for _ in range(3)][0] == 5.0
    assert health.failures == 1  # reports during the wait keep it
    health.paused_until = 0.0
    assert health.down("connection refused") == 10.0
    health.paused_until = 0.0
    assert health.down("connection refused") == 20.0
    assert "retrying in 20 s" in health_line(db)
    delivery = Delivery(db, config, SimpleNamespace(), health=health)
    add_change(db, [(ALICE, "en", "subscriber")])
    assert await delivery.send_due() == 0  # waiting: the bot is not even called

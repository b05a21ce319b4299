"""[telegram] max_in_flight bounds the deliveries under way at once: what a crash can repeat."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator

import pytest
from telegram.ext import Application

from notifier.bot import build_application
from notifier.delivery import Delivery
from settings import ConfigError, load_config
from storage import changes, deliveries
from tests.fakes.telegram_api import FakeTelegram
from tests.notifier_support import StorageActions, make_config, open_database

CHATS = list(range(1001, 1041))


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(per_chat_per_second=math.inf, global_per_second=math.inf) as server:
        yield server


async def sent_with(tmp_path, fake, monkeypatch, max_in_flight: int | None) -> int:
    """Send one change to 40 chats; returns the most deliveries marked 'sending' at once."""
    tmp_path.mkdir()
    config = make_config(tmp_path, base_url=fake.base_url)
    if max_in_flight is not None:
        config = dataclasses.replace(
            config, telegram=dataclasses.replace(config.telegram, max_in_flight=max_in_flight)
        )
    db = open_database(config)
    row = {
        "watch": "iec",
        "kind": "page_change",
        "topic": "iec",
        "audience": "subscribers",
        "observed_at": "2026-01-15T13:00:00Z",
        "title": "Page changed: iec",
        "summary": "1 line(s) added",
        "data": {"page": "iec", "added": 1, "removed": 0, "excerpt": "+ Quotas open"},
        "url": "https://www.canada.ca/en/iec.html",
        "lang": "en",
    }
    with db.atomic():
        changes.insert(db, row, [(chat, "en", "subscriber") for chat in CHATS])
    most = 0
    real_mark = deliveries.start  # marks a claimed row 'sending' as its message leaves

    def counting(database, delivery_id, *lease):
        nonlocal most
        claimed = real_mark(database, delivery_id, *lease)
        under_way = database.execute(
            "SELECT COUNT(*) FROM deliveries WHERE status = 'sending'"
        ).fetchone()[0]
        most = max(most, under_way)
        return claimed

    monkeypatch.setattr(deliveries, "start", counting)
    application: Application = build_application(
        config, db, token=fake.token, actions=StorageActions(db)
    )
    async with application:
        delivery = Delivery(db, config, application.bot, chat_interval=0, rate=0)  # unpaced
        sent = await delivery.send_due()
    assert sent == len(CHATS) and len({m["chat_id"] for m in fake.sent}) == len(CHATS)
    db.conn.close()
    return most


async def test_no_more_deliveries_are_under_way_than_max_in_flight(tmp_path, fake, monkeypatch):
    assert await sent_with(tmp_path / "a", fake, monkeypatch, 3) == 3
    fake.reset()
    assert await sent_with(tmp_path / "b", fake, monkeypatch, None) == 10  # the default


@pytest.mark.parametrize("value", ["0", "101", '"10"', "2.5"])
def test_config_check_refuses_a_max_in_flight_out_of_range(tmp_path, value):
    path = tmp_path / "config.toml"
    path.write_text(
        '[[watch]]\nname = "a"\nurl = "https://www.canada.ca/en.html"\n'
        f"[telegram]\nmax_in_flight = {value}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.errors == [
        f"{path}:5: [telegram] max_in_flight: must be an integer from 1 to 100, got {value}. "
        "Fix: write max_in_flight = 10 (a crash may repeat up to that many messages)."
    ]

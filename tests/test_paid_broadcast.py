"""[telegram] paid_broadcast: subscribers' alerts of the chosen kinds go out with
``allow_paid_broadcast`` (Telegram's 1,000 messages a second, paid in Stars), never more than
the daily cap; everything else, and everything without the setting, goes out as before.

The real pipeline reads a real new draw (and a changed IEC page) into a real database; the real
delivery loop sends through python-telegram-bot to the fake Bot API, which records whether each
message was paid and applies the paid limit instead of the 30 a second.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
import telegram

from notifier.bot import rate_limiter
from notifier.delivery import Delivery
from settings import ConfigError, load_config
from storage import paid, subscribers
from storage.db import utcnow
from tests.conftest import write_config
from tests.fakes.telegram_api import FakeTelegram
from tests.notifier_support import (
    feed_bytes,
    fetch,
    make_config,
    open_database,
    pipeline,
    real_feed,
    with_round,
)

SUBSCRIBERS = [2001, 2002, 2003, 2004, 2005]
MAINTAINER = 90
PAGE = b"<html><body><main><h1>IEC</h1><p>%s</p></main></body></html>"


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(per_chat_per_second=math.inf) as server:
        yield server


async def deliver(tmp_path: Path, fake: FakeTelegram, extra: str) -> list[dict]:
    """A new draw and a changed IEC page for 5 subscribers of both topics and a maintainer,
    sent by the real delivery loop; returns what the fake Bot API received."""
    config = make_config(tmp_path, base_url=fake.base_url, maintainers=(MAINTAINER,), extra=extra)
    db = open_database(config)
    for chat in SUBSCRIBERS:
        subscribers.ensure(db, chat)
        subscribers.subscribe(db, chat, "express-entry")
        subscribers.subscribe(db, chat, "iec")
    flow = pipeline(db, config)
    feed = real_feed()
    flow.handle(fetch(config, "ee-rounds", feed_bytes(feed)))
    flow.handle(fetch(config, "iec", PAGE % b"Quotas are announced in spring."))
    new = with_round(feed, "438", "Canadian Experience Class", 518, 3000, "2026-08-27")
    assert [c["kind"] for c in flow.handle(fetch(config, "ee-rounds", feed_bytes(new))).changes]
    assert flow.handle(fetch(config, "iec", PAGE % b"Quotas open on 3 March.")).changes
    async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
        delivery = Delivery(db, config, bot, chat_interval=0)
        while await delivery.send_due():
            pass
    db.conn.close()
    return list(fake.sent)


def by_kind(sent: list[dict], chats: list[int]) -> tuple[list[dict], list[dict]]:
    """The messages to ``chats``: (those about the new draw, those about the IEC page)."""
    mine = [m for m in sent if m["chat_id"] in chats]
    draws = [m for m in mine if "518" in m["text"]]
    pages = [m for m in mine if "Quotas" in m["text"]]
    assert len(draws) + len(pages) == len(mine)
    return draws, pages


async def test_paid_only_for_the_chosen_kinds_and_only_to_subscribers(tmp_path, fake):
    sent = await deliver(
        tmp_path,
        fake,
        '\npaid_broadcast = true\npaid_broadcast_kinds = ["new_draw"]\n'
        "paid_broadcast_daily_cap = 100\n",
    )
    draws, pages = by_kind(sent, SUBSCRIBERS)
    assert len(draws) == len(pages) == len(SUBSCRIBERS)
    assert all(m["paid"] for m in draws)
    assert not any(m["paid"] for m in pages)
    # The maintainer is told both, never as a paid broadcast.
    told = [m for m in sent if m["chat_id"] == MAINTAINER]
    assert len(told) == 2 and not any(m["paid"] for m in told)
    assert len(fake.paid_messages()) == len(SUBSCRIBERS)


async def test_never_beyond_the_daily_cap(tmp_path, fake):
    sent = await deliver(
        tmp_path,
        fake,
        "\npaid_broadcast = true\npaid_broadcast_daily_cap = 3\n",  # kinds: new draws by default
    )
    draws, pages = by_kind(sent, SUBSCRIBERS)
    # Every subscriber is told the draw: the first three paid, the others at the free rate.
    assert len(draws) == len(SUBSCRIBERS)
    assert sum(m["paid"] for m in draws) == 3
    assert not any(m["paid"] for m in pages)
    config = load_config(tmp_path / "config.toml")
    db = open_database(config)
    assert paid.used(db, utcnow()[:10]) == 3
    db.conn.close()


def test_the_budget_is_per_day_and_never_overdrawn(tmp_path):
    db = open_database(make_config(tmp_path))
    day = utcnow()[:10]
    assert paid.reserve(db, day, 4, 3) and not paid.reserve(db, day, 4, 2)
    assert paid.reserve(db, day, 4, 1) and not paid.reserve(db, day, 4, 1)
    assert paid.reserve(db, "2999-01-01", 4, 4)  # another day, its own budget
    paid.give_back(db, day, 2)
    assert paid.used(db, day) == 2
    db.conn.close()


async def test_without_the_setting_nothing_is_paid(tmp_path, fake):
    sent = await deliver(tmp_path, fake, "")
    draws, pages = by_kind(sent, SUBSCRIBERS)
    assert len(draws) == len(pages) == len(SUBSCRIBERS)
    assert fake.paid_messages() == []
    assert not any("allow_paid_broadcast" in r.get("params", {}) for r in fake.requests)


async def test_the_fake_keeps_paid_broadcasts_out_of_the_free_limit():
    """Telegram: paid broadcasts are outside the 30 a second, within 1,000 a second."""
    with FakeTelegram(global_per_second=2, per_chat_per_second=math.inf, paid_per_second=5) as api:
        async with telegram.Bot(api.token, base_url=api.base_url) as bot:
            for chat in range(3001, 3006):  # five paid at once: within the paid limit
                await bot.send_message(chat, "draw", allow_paid_broadcast=True)
            for chat in range(3001, 3003):  # the free limit is untouched by them
                await bot.send_message(chat, "page")
            with pytest.raises(telegram.error.RetryAfter):
                await bot.send_message(3003, "page")
            with pytest.raises(telegram.error.RetryAfter):
                await bot.send_message(3006, "draw", allow_paid_broadcast=True)
    assert [m["paid"] for m in api.sent] == [True] * 5 + [False] * 2


async def test_ptb_paces_paid_broadcasts_apart():
    """PTB's AIORateLimiter (notifier.bot.rate_limiter) sends paid broadcasts through its own
    1,000-a-second limiter: fifty paid messages are not held to 30 a second."""
    with FakeTelegram(per_chat_per_second=math.inf) as api:
        bot = telegram.ext.ExtBot(api.token, base_url=api.base_url, rate_limiter=rate_limiter())
        async with bot:
            for chat in range(4001, 4051):
                await bot.send_message(chat, "draw", allow_paid_broadcast=True)
    assert len(api.paid_messages()) == 50 and not api.rate_limited


# --- validation: file, line, fix -----------------------------------------------------------


def errors_of(tmp_path: Path, telegram_lines: str) -> list[str]:
    path = write_config(
        tmp_path,
        [{"name": "ee-rounds", "url": "https://www.canada.ca/x.json", "kind": "ee-rounds"}],
        extra="[telegram]\n" + telegram_lines,
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value.errors


def test_paid_broadcast_needs_a_daily_cap(tmp_path):
    [error] = errors_of(tmp_path, "paid_broadcast = true\n")
    assert error.startswith(f"{tmp_path / 'config.toml'}:10: [telegram] paid_broadcast: is on ")
    assert "Fix: add paid_broadcast_daily_cap = 20000" in error


def test_paid_broadcast_settings_are_checked(tmp_path):
    errors = errors_of(
        tmp_path,
        'paid_broadcast = "yes"\n',
    )
    assert errors == [
        f"{tmp_path / 'config.toml'}:10: [telegram] paid_broadcast: must be true or false, got "
        '"yes". Fix: write paid_broadcast = true (without quotes), or remove the line.'
    ]
    errors = errors_of(
        tmp_path,
        'paid_broadcast = true\npaid_broadcast_kinds = ["new_drawz"]\n'
        "paid_broadcast_daily_cap = 0\n",
    )
    assert len(errors) == 2
    assert ':11: [telegram] paid_broadcast_kinds: "new_drawz" is not a kind' in errors[0]
    assert "Fix: use some of: new_draw, draw_corrected" in errors[0]
    assert (
        ":12: [telegram] paid_broadcast_daily_cap: must be an integer from 1 to 1,000,000, "
        "got 0." in errors[1]
    )


def test_paid_broadcast_keys_without_the_switch_are_a_mistake(tmp_path):
    [error] = errors_of(tmp_path, "paid_broadcast_daily_cap = 5000\n")
    assert ":10: [telegram] paid_broadcast_daily_cap: is set but paid_broadcast is not on" in error


def test_paid_broadcast_reaches_the_settings(tmp_path):
    config = make_config(
        tmp_path,
        extra='\npaid_broadcast = true\npaid_broadcast_kinds = ["new_draw", "news"]\n'
        "paid_broadcast_daily_cap = 20000\n",
    )
    assert config.telegram.paid_broadcast_kinds == ("new_draw", "news")
    assert config.telegram.paid_broadcast_daily_cap == 20000
    (tmp_path / "off").mkdir()
    off = make_config(tmp_path / "off")
    assert off.telegram.paid_broadcast_kinds == () and off.telegram.paid_broadcast_daily_cap == 0

"""Channels through the fake Bot API: one post per change, corrections edit the post and reply,
a removed channel reported to admins once (in their language), channel rate limits, /status."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator

import pytest
from telegram import Bot
from telegram.ext import ExtBot

from notifier.bot import build_application, rate_limiter
from notifier.delivery import Delivery
from storage import channels, deliveries
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

EN_CHANNEL, EN_ID = "@ircc_ee_en", -1006
FR_CHANNEL = -1007
ADMIN, ADMIN_FR = 500, 501

CHANNELS = f"""admin_langs = {{ {ADMIN_FR} = "fr" }}

[[channel]]
chat_id = "{EN_CHANNEL}"
topics = ["express-entry"]

[[channel]]
chat_id = {FR_CHANNEL}
topics = ["express-entry"]
lang = "fr"
draw_types = ["pnp"]
"""


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(per_chat_per_second=math.inf, speed=50) as server:
        server.add_channel(EN_CHANNEL, EN_ID)
        yield server


@pytest.fixture
def config(tmp_path, fake):
    return make_config(tmp_path, base_url=fake.base_url, admins=(ADMIN, ADMIN_FR), extra=CHANNELS)


@pytest.fixture
def db(config):
    return open_database(config)


@pytest.fixture
async def app(config, db, fake):
    application = build_application(config, db, token=fake.token, actions=StorageActions(db))
    async with application:
        yield application


def delivery(db, config, app) -> Delivery:
    """Paced as Telegram asks, 50 times faster (the fake runs at speed=50)."""
    return Delivery(db, config, app.bot, chat_interval=1 / 50, group_interval=3 / 50)


def corrected(feed: dict, crs: str) -> dict:
    feed = copy.deepcopy(feed)
    feed["rounds"][0]["drawCRS"] = crs
    return feed


async def test_one_post_per_change_and_a_correction_edits_it_and_replies(db, config, app, fake):
    pipe = pipeline(db, config)
    feed = real_feed()
    pipe.handle(fetch(config, "ee-rounds", feed_bytes(without_newest(feed))))
    pipe.handle(fetch(config, "ee-rounds-fr", feed_bytes(without_newest(feed))))
    [draw] = pipe.handle(fetch(config, "ee-rounds", feed_bytes(feed))).changes
    assert await delivery(db, config, app).send_due() == 1
    [post] = fake.messages_to(EN_ID)
    assert post["visible_text"].startswith("Express Entry draw #437")
    assert "minimum CRS 382" in post["visible_text"]
    assert post["visible_text"].endswith("Official page")
    assert fake.messages_to(FR_CHANNEL) == []  # the French channel takes PNP draws only
    assert channels.get(db, EN_CHANNEL)["posts"] == 1

    [fix] = pipe.handle(fetch(config, "ee-rounds", feed_bytes(corrected(feed, "385")))).changes
    assert fix["kind"] == "draw_corrected" and fix["audience"] == "subscribers"
    assert await delivery(db, config, app).send_due() == 1
    original, reply = fake.messages_to(EN_ID)
    assert original["message_id"] == post["message_id"] and original.get("edited_at")
    assert "minimum CRS 385" in original["visible_text"]
    assert "Corrected by IRCC" in original["visible_text"]
    assert reply["reply_to"] == original["message_id"]
    assert reply["visible_text"].startswith("Express Entry draw #437 corrected")
    assert [d["status"] for d in deliveries.for_change(db, draw["id"])] == ["sent"]


async def test_a_removed_channel_is_reported_to_admins_once_in_their_language(
    db, config, app, fake
):
    pipe = pipeline(db, config)
    feed = real_feed()
    pipe.handle(fetch(config, "ee-rounds", feed_bytes(without_newest(without_newest(feed)))))
    fake.kick(EN_ID)
    pipe.handle(fetch(config, "ee-rounds", feed_bytes(without_newest(feed))))
    pipe.handle(fetch(config, "ee-rounds", feed_bytes(feed)))
    await delivery(db, config, app).send_due()
    await delivery(db, config, app).send_due()
    [to_admin] = fake.messages_to(ADMIN)
    assert to_admin["visible_text"].startswith(f"Channel {EN_CHANNEL} unavailable: Forbidden")
    [to_admin_fr] = fake.messages_to(ADMIN_FR)
    assert to_admin_fr["visible_text"].startswith(f"Canal {EN_CHANNEL} indisponible")
    assert deliveries.counts(db) == {"failed": 2}
    assert channels.get(db, EN_CHANNEL)["removed_at"]

    actions = StorageActions(db)
    application = build_application(config, db, token=fake.token, actions=actions)
    async with running(application):
        before = len(fake.messages_to(ADMIN))
        fake.inject_message(ADMIN, "/status")
        assert await fake.wait_for_async(lambda: len(fake.messages_to(ADMIN)) > before, 5)
    status = fake.messages_to(ADMIN)[-1]["visible_text"]
    assert f"channel {EN_CHANNEL} [express-entry, en]: REMOVED since" in status
    assert f"channel {FR_CHANNEL} [express-entry, fr]: no post yet" in status


async def test_an_unknown_channel_username_is_a_removed_channel(db, config, app, fake):
    fake.reset()  # forgets @ircc_ee_en: "chat not found"
    pipe = pipeline(db, config)
    feed = real_feed()
    pipe.handle(fetch(config, "ee-rounds", feed_bytes(without_newest(feed))))
    pipe.handle(fetch(config, "ee-rounds", feed_bytes(feed)))
    await delivery(db, config, app).send_due()
    assert "chat not found" in channels.get(db, EN_CHANNEL)["last_error"].lower()
    assert len(fake.messages_to(ADMIN)) == 1


async def test_channel_errors_quoting_the_token_are_stored_and_told_masked(db, config, app, fake):
    pipe = pipeline(db, config)
    feed = real_feed()
    pipe.handle(fetch(config, "ee-rounds", feed_bytes(without_newest(without_newest(feed)))))
    pipe.handle(fetch(config, "ee-rounds", feed_bytes(without_newest(feed))))  # one post
    quoted = f"https://api.telegram.org/bot{fake.token}/sendMessage"
    fake.fail_next("sendMessage", 502, f"Bad Gateway: proxy error for {quoted}")
    await delivery(db, config, app).send_due()
    error = channels.get(db, EN_CHANNEL)["last_error"]
    assert "proxy error for https://api.telegram.org/bot[redacted]/sendMessage" in error
    fake.fail_next("sendMessage", 403, f"Forbidden: bot was kicked ({quoted})")
    await delivery(db, config, app).send_due("2999-01-01T00:00:00Z")
    row = channels.get(db, EN_CHANNEL)
    assert row["removed_at"] and "bot was kicked" in row["last_error"]
    stored = str(list(db.query("SELECT * FROM channels"))) + str(
        list(db.query("SELECT * FROM deliveries"))
    )
    assert fake.token not in stored
    told = " ".join(m["visible_text"] for m in fake.messages_to(ADMIN) + fake.messages_to(ADMIN_FR))
    assert "bot was kicked" in told and fake.token not in told


async def test_channel_posts_are_paced_within_the_group_limit(db, config, app, fake):
    """20 a minute per channel, at speed 50: 3/50 s apart; the fake would answer 429 sooner."""
    from tests.test_notifier_delivery import add_change

    for _ in range(25):
        add_change(db, [(EN_CHANNEL, "en", "channel")])
    bot = ExtBot(fake.token, base_url=fake.base_url, rate_limiter=rate_limiter(50))
    async with bot:
        paced = Delivery(db, config, bot, chat_interval=1 / 50, group_interval=3 / 50)
        assert await paced.send_due() == 25
    posts = fake.messages_to(EN_ID)
    assert len(posts) == 25 and fake.rate_limited == []  # the next test shows it would 429


async def test_the_fake_enforces_the_group_limit(db, config, app, fake):
    from tests.test_notifier_delivery import add_change

    for _ in range(60):
        add_change(db, [(EN_CHANNEL, "en", "channel")])
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        unpaced = Delivery(db, config, bot, chat_interval=0, group_interval=0, rate=0)
        await unpaced.send_due()
    assert fake.rate_limited and fake.rate_limited[0]["chat_id"] == EN_ID

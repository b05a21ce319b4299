"""Digests and quiet hours: set through the bot (fake Bot API), timed with a fake clock.

``Delivery.send_due(now)`` takes the time, so a day passes without waiting. The times are in
2027, after any real "now" the rows could be written at.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest

from notifier.bot import build_application
from notifier.delivery import Delivery
from notifier.schedule import hold_until, next_digest, quiet_end
from storage import deliveries, subscribers
from tests.fakes.telegram_api import FakeTelegram
from tests.notifier_support import StorageActions, make_config, open_database, running
from tests.test_notifier_delivery import add_change

ALICE, BOB = 111, 222
DRAW = {"number": "437", "date": "2027-01-15", "name": "Provincial Nominee Program"}


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(per_chat_per_second=math.inf) as server:
        yield server


@pytest.fixture
async def env(tmp_path, fake) -> AsyncIterator[tuple]:
    config = make_config(tmp_path, base_url=fake.base_url)
    db = open_database(config)
    app = build_application(config, db, token=fake.token, actions=StorageActions(db))
    async with running(app):
        yield config, db, app, fake


async def say(fake: FakeTelegram, chat: int, text: str, **kw) -> str:
    before = len(fake.messages_to(chat))
    fake.inject_message(chat, text, **kw)
    assert await fake.wait_for_async(lambda: len(fake.messages_to(chat)) > before, timeout=5)
    return fake.messages_to(chat)[-1]["visible_text"]


def page_change(db, chat: int, title: str, lang: str = "en") -> int:
    return add_change(db, [(chat, lang, "subscriber")], data={"page": title, "added": 1})


def draw_change(db, chat: int, lang: str = "en") -> int:
    data = {**DRAW, "size": 800, "crs": 750}
    return add_change(
        db, [(chat, lang, "subscriber")], watch="ee-rounds", kind="new_draw", data=data
    )


async def test_daily_digest_in_the_subscribers_zone_with_draws_kept_instant(env) -> None:
    config, db, app, fake = env
    assert await say(fake, ALICE, "/tz america/vancouver") == (
        "Every message comes at once. Time zone: America/Vancouver. No quiet hours."
    )
    reply = await say(fake, ALICE, "/digest daily 18:00 keep-draws")
    assert reply.startswith("A digest every day at 18:00. Express Entry draws still come at once.")
    first, second = page_change(db, ALICE, "iec"), page_change(db, ALICE, "gts")
    draw = draw_change(db, ALICE)
    delivery = Delivery(db, config, app.bot, chat_interval=0)
    before = len(fake.messages_to(ALICE))

    assert await delivery.send_due("2027-01-15T20:00:00Z") == 1  # noon in Vancouver
    [instant] = fake.messages_to(ALICE)[before:]
    assert instant["visible_text"].startswith("Express Entry draw #437")
    held = {d["change_id"]: d for d in deliveries.for_chat(db, ALICE)}
    assert held[first]["held_for"] == "digest"
    assert held[first]["next_attempt_at"] == "2027-01-16T02:00:00Z"  # 18:00 PST

    assert await delivery.send_due("2027-01-16T01:59:59Z") == 0
    assert await delivery.send_due("2027-01-16T02:00:00Z") == 1
    digest = fake.messages_to(ALICE)[-1]
    lines = digest["visible_text"].splitlines()
    assert lines[0] == "Your daily digest: 2 changes"
    assert "Page changed: iec" in lines and "Page changed: gts" in lines
    rows = [d for d in deliveries.for_chat(db, ALICE) if d["change_id"] in (first, second)]
    assert {d["status"] for d in rows} == {"sent"}
    assert {d["message_id"] for d in rows} == {digest["message_id"]}  # one message, all marked
    assert len({d["sent_at"] for d in rows}) == 1
    assert await delivery.send_due("2027-01-16T02:00:05Z") == 0  # each once
    assert deliveries.get(db, held[draw]["id"])["status"] == "sent"


async def test_weekly_digest_then_off_sends_what_waited_at_once_in_french(env) -> None:
    config, db, app, fake = env
    await say(fake, BOB, "/lang fr")
    reply = await say(fake, BOB, "/digest weekly fri 09:30")
    assert reply.startswith(
        "Un résumé chaque vendredi à 09:30. Fuseau horaire\u00a0: Canada/Eastern."
    )
    ids = [page_change(db, BOB, "iec", "fr"), draw_change(db, BOB, "fr")]  # draws digested too
    delivery = Delivery(db, config, app.bot, chat_interval=0)
    before = len(fake.messages_to(BOB))
    assert await delivery.send_due("2027-01-13T15:00:00Z") == 0  # a Wednesday
    assert {d["next_attempt_at"] for d in deliveries.for_chat(db, BOB)} == {
        "2027-01-15T14:30:00Z"  # Friday 09:30 EST
    }
    assert await say(fake, BOB, "/digest off") == (
        "Chaque message arrive tout de suite. Fuseau horaire\u00a0: Canada/Eastern. "
        "Pas d'heures de silence."
    )
    assert await delivery.send_due("2027-01-13T15:00:01Z") == 2
    sent = fake.messages_to(BOB)[before + 1 :]
    assert [m["visible_text"].split("\n")[0] for m in sent] == [
        "Page modifiée\u00a0: iec",
        # The English feed's draw named for a French reader: IRCC's French name of its type.
        "Entrée express\u00a0: ronde n° 437 – Programme des candidats des provinces",
    ]
    assert [deliveries.get(db, d["id"])["status"] for d in deliveries.for_chat(db, BOB)] == [
        "sent",
        "sent",
    ]
    assert sorted(d["change_id"] for d in deliveries.for_chat(db, BOB)) == sorted(ids)


async def test_quiet_hours_hold_messages_until_they_end_each_sent_once(env) -> None:
    config, db, app, fake = env
    reply = await say(fake, ALICE, "/quiet 22:00-07:00")
    assert reply.endswith("Quiet hours: 22:00–07:00.")
    assert (await say(fake, ALICE, "/quiet 7h-8h")).startswith("Usage: /quiet 22:00-07:00")
    assert (await say(fake, ALICE, "/quiet ２２:00-07:00")).startswith("Usage: /quiet")
    page_change(db, ALICE, "iec")
    draw_change(db, ALICE)
    delivery = Delivery(db, config, app.bot, chat_interval=0)
    before = len(fake.messages_to(ALICE))
    assert await delivery.send_due("2027-01-15T04:00:00Z") == 0  # 23:00 in Toronto
    assert {d["held_for"] for d in deliveries.for_chat(db, ALICE)} == {"quiet"}
    assert await delivery.send_due("2027-01-15T11:59:59Z") == 0
    assert await delivery.send_due("2027-01-15T12:00:00Z") == 2  # 07:00 in Toronto
    assert await delivery.send_due("2027-01-15T12:00:30Z") == 0
    assert len(fake.messages_to(ALICE)) == before + 2


async def test_a_digest_due_in_quiet_hours_goes_out_at_their_end(env) -> None:
    config, db, app, fake = env
    await say(fake, ALICE, "/digest daily 23:00")
    await say(fake, ALICE, "/quiet 22:00-07:00")
    page_change(db, ALICE, "iec")
    delivery = Delivery(db, config, app.bot, chat_interval=0)
    before = len(fake.messages_to(ALICE))
    assert await delivery.send_due("2027-01-15T15:00:00Z") == 0  # 10:00: held for 23:00
    assert await delivery.send_due("2027-01-16T04:00:00Z") == 0  # 23:00: quiet hours
    [row] = deliveries.for_chat(db, ALICE)[-1:]
    assert (row["held_for"], row["next_attempt_at"]) == ("digest", "2027-01-16T12:00:00Z")
    assert await delivery.send_due("2027-01-16T12:00:00Z") == 1
    [digest] = fake.messages_to(ALICE)[before:]
    assert digest["visible_text"].startswith("Your daily digest: 1 change")


async def test_bad_digest_and_zone_arguments_get_hints(env) -> None:
    config, db, app, fake = env
    assert (await say(fake, ALICE, "/tz Mars/Olympus")).startswith(
        "Unknown time zone Mars/Olympus. Usage: /tz America/Toronto"
    )
    assert (await say(fake, ALICE, "/digest hourly")).startswith("Usage: /digest daily 18:00")
    assert (await say(fake, ALICE, "/digest daily 25:00")).startswith("Usage: /digest")
    assert (await say(fake, ALICE, "/digest")).startswith("Every message comes at once.")
    assert subscribers.get(db, ALICE)["digest"] is None


def test_schedule_across_daylight_saving_and_midnight() -> None:
    sub = {"digest": "daily", "digest_time": "08:00", "tz": "America/Toronto"}
    # 2027-03-14: clocks go forward in Toronto; 08:00 is EDT (UTC-4) from then on.
    assert next_digest(sub, datetime(2027, 3, 13, 14, tzinfo=UTC)) == datetime(
        2027, 3, 14, 12, tzinfo=UTC
    )
    quiet = {"quiet_start": "22:00", "quiet_end": "07:00"}
    assert quiet_end(quiet, datetime(2027, 1, 15, 3, 1, tzinfo=UTC)) == datetime(
        2027, 1, 15, 12, tzinfo=UTC
    )
    assert quiet_end(quiet, datetime(2027, 1, 15, 12, 0, tzinfo=UTC)) is None
    assert hold_until(None, "news", datetime(2027, 1, 15, tzinfo=UTC)) is None


async def test_schedule_commands_answer_in_french(env) -> None:
    config, db, app, fake = env
    await say(fake, BOB, "/lang fr")
    assert await say(fake, BOB, "/tz Europe/Paris") == (
        "Chaque message arrive tout de suite. Fuseau horaire\u00a0: Europe/Paris. "
        "Pas d'heures de silence."
    )
    assert (await say(fake, BOB, "/quiet 23:00-06:30")).endswith(
        "Heures de silence\u00a0: 23:00–06:30."
    )
    reply = await say(fake, BOB, "/digest daily 07:15 keep-draws")
    assert reply.startswith(
        "Un résumé chaque jour à 07:15. Les rondes d'Entrée express arrivent toujours "
        "tout de suite."
    )
    assert (await say(fake, BOB, "/tz Lune/Base")).startswith(
        "Fuseau horaire inconnu\u00a0: Lune/Base."
    )
    assert (await say(fake, BOB, "/quiet 9-5")).startswith("Utilisation\u00a0: /quiet 22:00-07:00")
    assert (await say(fake, BOB, "/digest monthly")).startswith("Utilisation\u00a0: /digest daily")
    sub = subscribers.get(db, BOB)
    assert (sub["tz"], sub["quiet_start"], sub["digest_time"]) == ("Europe/Paris", "23:00", "07:15")


async def test_in_a_group_only_administrators_change_the_schedule_in_french(env) -> None:
    config, db, app, fake = env
    group = -2001
    fake.set_member(group, 7, "administrator")
    await say(fake, group, "/lang fr", user_id=7, chat_type="group")
    reply = await say(fake, group, "/digest daily 18:00", user_id=8, chat_type="group")
    assert reply == "Dans un groupe, seuls les administrateurs du groupe peuvent utiliser /digest."
    assert subscribers.get(db, group)["digest"] is None
    await say(fake, group, "/digest daily 18:00", user_id=7, chat_type="group")
    assert subscribers.get(db, group)["digest"] == "daily"

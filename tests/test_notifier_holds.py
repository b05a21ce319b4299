"""The Release / Discard buttons of a bulk_held alert, over the fake Bot API (issue 10, item 7).

Six real draws arrive in one check (the real feed of 2026-08-20 after a baseline without its
six newest rounds): more than the default bulk_threshold of 5, so they are held. Maintainers
and admins get one message with the buttons; the subscriber gets nothing until a release.
"""

from __future__ import annotations

import copy

from notifier.delivery import Delivery
from storage import deliveries, holds, subscribers
from tests.notifier_support import feed_bytes, fetch, pipeline, real_feed
from tests.test_notifier_bot import ADMIN, ALICE, BOB, MAINTAINERS, Env, buttons, env, fake

__all__ = ["env", "fake"]  # the fixtures, shared with the bot tests


async def held_bulk(env: Env) -> list[dict]:
    """Baseline, then six new draws in one check; sends what is due; returns ADMIN's messages."""
    subscribers.ensure(env.db, ALICE)
    subscribers.subscribe(env.db, ALICE, "express-entry")
    feed = real_feed()
    older = copy.deepcopy(feed)
    older["rounds"] = older["rounds"][6:]
    run = pipeline(env.db, env.config)
    run.handle(fetch(env.config, "ee-rounds", feed_bytes(older)), now="2026-08-20T01:00:00Z")
    outcome = run.handle(
        fetch(env.config, "ee-rounds", feed_bytes(feed)), now="2026-08-20T02:00:00Z"
    )
    # Six draws, and the pool distribution of August 16 that came with #435.
    kinds = [row["kind"] for row in outcome.changes]
    assert kinds == ["new_draw"] * 6 + ["pool_changed", "bulk_held"]
    await Delivery(env.db, env.config, env.app.bot, chat_interval=0).send_due()
    return env.fake.messages_to(ADMIN)


async def test_release_button_queues_and_sends_the_held_draws(env: Env) -> None:
    (message,) = await held_bulk(env)
    assert message["visible_text"].startswith("7 changes held for review on ee-rounds")
    assert buttons(message) == {"hold:r:1": "Release", "hold:d:1": "Discard"}
    for chat in MAINTAINERS:
        (copy_,) = env.fake.messages_to(chat)
        assert set(buttons(copy_)) == {"hold:r:1", "hold:d:1"}
    assert env.fake.messages_to(ALICE) == []

    refused = await env.tap(ADMIN, message, "hold:r:1", user_id=BOB)
    assert refused["show_alert"] and "Only maintainers and admins" in refused["text"]
    assert holds.get(env.db, 1)["status"] == "held"

    answer = await env.tap(ADMIN, message, "hold:r:1")
    assert answer["text"] == (
        f"hold 1 on ee-rounds released by @user{ADMIN} (telegram {ADMIN}): 7 changes, "
        "20 deliveries queued"
    )
    await env.settle()
    edited = env.fake.messages_to(ADMIN)[0]
    assert buttons(edited) == {} and "released by" in edited["visible_text"]
    await Delivery(env.db, env.config, env.app.bot, chat_interval=0).send_due()
    told = [m["visible_text"] for m in env.fake.messages_to(ALICE)]
    assert len(told) == 6 and all(text.startswith("Express Entry draw #") for text in told)

    group_copy = env.fake.messages_to(MAINTAINERS[0])[0]
    again = await env.tap(MAINTAINERS[0], group_copy, "hold:d:1", user_id=ADMIN)
    assert again["text"].startswith("hold 1 was already released on ")


async def test_discard_button_never_sends(env: Env) -> None:
    (message,) = await held_bulk(env)
    answer = await env.tap(ADMIN, message, "hold:d:1")
    assert "7 changes will never be sent" in answer["text"]
    await Delivery(env.db, env.config, env.app.bot, chat_interval=0).send_due()
    assert env.fake.messages_to(ALICE) == []
    assert all(row["role"] != "subscriber" for row in deliveries.for_chat(env.db, ALICE))
    assert holds.get(env.db, 1)["decided_by"] == f"@user{ADMIN} (telegram {ADMIN})"

"""Who gets a change: routing run by the real pipeline, on real feed bytes, in its transaction."""

from __future__ import annotations

import pytest

from notifier.routing import in_language
from storage import deliveries, subscribers
from tests.notifier_support import (
    feed_bytes,
    fetch,
    french,
    make_config,
    open_database,
    pipeline,
    real_feed,
    with_round,
    without_newest,
)

MAINTAINER, ADMIN = -1001, 501


@pytest.fixture
def setup(tmp_path):
    config = make_config(tmp_path, maintainers=(MAINTAINER,), admins=(ADMIN,))
    db = open_database(config)
    return config, db, pipeline(db, config)


def follow(db, chat_id, lang="en", topics=("express-entry",), types=None, crs=None):
    subscribers.ensure(db, chat_id, lang)
    for topic in topics:
        subscribers.subscribe(db, chat_id, topic)
    subscribers.set_draw_types(db, chat_id, types)
    subscribers.set_crs_max(db, chat_id, crs)


def recipients(db, change_id):
    return {(d["chat_id"], d["lang"], d["role"]) for d in deliveries.for_change(db, change_id)}


def test_new_draw_reaches_maintainers_and_the_right_subscribers(setup) -> None:
    config, db, pipe = setup
    feed = real_feed()  # newest: #437, "French-Language proficiency 2026-Version 2", CRS 382
    follow(db, 1)  # everything
    follow(db, 2, lang="fr")  # French: gets the French feed's copy instead
    follow(db, 3, types=["french"], crs=400)
    follow(db, 4, types=["cec", "pnp"])  # filtered out by type
    follow(db, 5, crs=381)  # filtered out by CRS
    follow(db, 6, topics=("iec",))  # another topic
    follow(db, 7)
    subscribers.deactivate(db, 7, "blocked")  # inactive

    pipe.handle(fetch(config, "ee-rounds", feed_bytes(without_newest(feed))))
    outcome = pipe.handle(fetch(config, "ee-rounds", feed_bytes(feed)))
    [change] = outcome.changes
    assert (change["kind"], change["data"]["number"]) == ("new_draw", "437")
    assert recipients(db, change["id"]) == {
        (MAINTAINER, "en", "maintainer"),
        (1, "en", "subscriber"),
        (3, "en", "subscriber"),
    }

    pipe.handle(fetch(config, "ee-rounds-fr", feed_bytes(french(without_newest(feed)))))
    [change_fr] = pipe.handle(fetch(config, "ee-rounds-fr", feed_bytes(french(feed)))).changes
    assert recipients(db, change_fr["id"]) == {
        (MAINTAINER, "en", "maintainer"),
        (2, "fr", "subscriber"),
    }


def test_pages_without_a_french_counterpart_reach_french_subscribers(setup) -> None:
    config, db, _ = setup
    assert in_language(config, "iec", "fr")  # English-only topic
    assert not in_language(config, "ee-rounds", "fr")  # the French feed exists
    assert in_language(config, "ee-rounds-fr", "fr")
    assert in_language(config, "no-longer-configured", "fr")


def test_corrections_use_the_stored_draw_and_its_new_cutoff(setup) -> None:
    config, db, pipe = setup
    feed = with_round(real_feed(), "438", "Canadian Experience Class", 520, 3000, "2026-08-21")
    follow(db, 1, types=["cec"], crs=515)  # 520 is too high for them, until corrected to 510
    follow(db, 2, types=["pnp"])  # not a CEC reader
    pipe.handle(fetch(config, "ee-rounds", feed_bytes(feed)))
    feed["rounds"][0]["drawCRS"] = "510"
    [change] = pipe.handle(fetch(config, "ee-rounds", feed_bytes(feed))).changes
    assert change["kind"] == "draw_corrected" and change["audience"] == "subscribers"
    assert recipients(db, change["id"]) == {
        (MAINTAINER, "en", "maintainer"),
        (1, "en", "subscriber"),
    }


def test_admin_alerts_go_to_admins_and_maintainers_only(setup) -> None:
    config, db, pipe = setup
    follow(db, 1, topics=("iec",))
    failing = None
    for _ in range(config.settings.failure_threshold):
        bad = fetch(config, "iec", b"")
        bad.status, bad.error = None, "timeout"
        failing = pipe.handle(bad)
    [change] = failing.changes
    assert change["kind"] == "watch_failing"
    assert recipients(db, change["id"]) == {
        (MAINTAINER, "en", "maintainer"),
        (ADMIN, "en", "admin"),
    }


def test_no_telegram_section_still_routes_subscribers_only(tmp_path) -> None:
    config = make_config(tmp_path, telegram=False)
    db = open_database(config)
    follow(db, 1)
    pipe = pipeline(db, config)
    feed = real_feed()
    pipe.handle(fetch(config, "ee-rounds", feed_bytes(without_newest(feed))))
    [change] = pipe.handle(fetch(config, "ee-rounds", feed_bytes(feed))).changes
    assert recipients(db, change["id"]) == {(1, "en", "subscriber")}


def test_admin_alerts_come_in_each_admins_language(tmp_path) -> None:
    config = make_config(tmp_path, admins=(ADMIN, 502), extra='admin_langs = { 502 = "fr" }\n')
    db = open_database(config)
    pipe = pipeline(db, config)
    for _ in range(config.settings.failure_threshold):
        bad = fetch(config, "iec", b"")
        bad.status, bad.error = None, "timeout"
        failing = pipe.handle(bad)
    [change] = failing.changes
    assert recipients(db, change["id"]) == {(ADMIN, "en", "admin"), (502, "fr", "admin")}


def test_channels_get_their_topics_draw_types_and_language(tmp_path) -> None:
    extra = (
        '\n[[channel]]\nchat_id = "@ee_all"\ntopics = ["express-entry"]\n'
        '\n[[channel]]\nchat_id = -1009\ntopics = ["express-entry"]\nlang = "fr"\n'
        'draw_types = ["pnp"]\n'
        '\n[[channel]]\nchat_id = "@iec_only"\ntopics = ["iec"]\n'
    )
    config = make_config(tmp_path, extra=extra)
    db = open_database(config)
    pipe = pipeline(db, config)
    feed = real_feed()
    pipe.handle(fetch(config, "ee-rounds", feed_bytes(without_newest(feed))))
    pipe.handle(fetch(config, "ee-rounds-fr", feed_bytes(french(without_newest(feed)))))
    [en] = pipe.handle(fetch(config, "ee-rounds", feed_bytes(feed))).changes
    [fr] = pipe.handle(fetch(config, "ee-rounds-fr", feed_bytes(french(feed)))).changes
    assert recipients(db, en["id"]) == {("@ee_all", "en", "channel")}
    assert recipients(db, fr["id"]) == set()  # #437 is a French-proficiency draw, not PNP
    pnp = with_round(feed, "438", "Provincial Nominee Program", 790, 500, "2026-08-26")
    [fr_pnp] = pipe.handle(fetch(config, "ee-rounds-fr", feed_bytes(french(pnp)))).changes
    assert recipients(db, fr_pnp["id"]) == {(-1009, "fr", "channel")}

"""Subscribers and the outbox's statuses, on a real SQLite file."""

from __future__ import annotations

import sqlite_utils

from settings import Watch
from storage import changes, deliveries, subscribers, watches
from storage.db import migrate, open_db, schema_version
from storage.schema import MIGRATIONS


def _db(tmp_path) -> sqlite_utils.Database:
    db = open_db(tmp_path / "n.db")
    watches.sync(db, [Watch("ee-rounds", "https://www.canada.ca/x.json", "ee-rounds")])
    return db


def _change(db: sqlite_utils.Database, recipients) -> int:
    row = {
        "watch": "ee-rounds",
        "kind": "new_draw",
        "topic": "express-entry",
        "audience": "subscribers",
        "observed_at": "2026-08-20T02:17:00Z",
        "title": "t",
        "summary": "s",
        "data": {"number": "437"},
        "lang": "en",
    }
    with db.atomic():
        return changes.insert(db, row, recipients)


def test_migration_2_upgrades_a_version_1_database(tmp_path) -> None:
    db = sqlite_utils.Database(tmp_path / "old.db")
    db.execute("CREATE TABLE migrations (version INTEGER PRIMARY KEY, applied_at TEXT)")
    version, statements = MIGRATIONS[0]
    for statement in statements:
        db.execute(statement)
    db.execute("INSERT INTO migrations VALUES (1, '2026-01-01T00:00:00Z')")
    assert migrate(db) == [v for v, _ in MIGRATIONS[1:]]
    assert schema_version(db) == MIGRATIONS[-1][0]
    assert "parts_sent" in db["deliveries"].columns_dict


def test_subscriber_lifecycle_and_stop_erases_everything(tmp_path) -> None:
    db = _db(tmp_path)
    sub = subscribers.ensure(db, 11, "fr")
    assert (sub["lang"], sub["active"], sub["draw_types"], sub["crs_max"]) == ("fr", 1, None, None)
    assert subscribers.subscribe(db, 11, "express-entry")
    assert not subscribers.subscribe(db, 11, "express-entry")
    subscribers.set_draw_types(db, 11, ["pnp", "cec", "cec"])
    subscribers.set_crs_max(db, 11, 480)
    [row] = subscribers.following(db, "express-entry")
    assert row["draw_types"] == {"cec", "pnp"} and row["crs_max"] == 480

    assert subscribers.deactivate(db, 11, "blocked")
    assert subscribers.following(db, "express-entry") == []
    assert subscribers.ensure(db, 11)["active"] == 1  # writing to the bot reactivates

    _change(db, [(11, "fr", "subscriber"), (99, "en", "maintainer")])
    subscribers.delete(db, 11)
    assert subscribers.get(db, 11) is None
    assert subscribers.topics(db, 11) == []
    assert deliveries.for_chat(db, 11) == []
    assert len(deliveries.for_chat(db, 99)) == 1  # the maintainer's copy is not theirs to erase


def test_delivery_statuses(tmp_path) -> None:
    db = _db(tmp_path)
    change_id = _change(db, [(1, "en", "subscriber"), (2, "en", "subscriber")])
    first, second = deliveries.for_change(db, change_id)
    assert [d["id"] for d in deliveries.due(db, "2999-01-01T00:00:00Z")] == [
        first["id"],
        second["id"],
    ]
    assert deliveries.due(db, "2000-01-01T00:00:00Z") == []

    deliveries.mark_sending(db, first["id"])
    deliveries.mark_part_sent(db, first["id"], 1, 55)
    assert deliveries.recover(db) == 1  # a crash left it 'sending': queued again, part kept
    row = deliveries.get(db, first["id"])
    assert (row["status"], row["attempts"], row["parts_sent"]) == ("pending", 1, 1)
    deliveries.mark_sent(db, first["id"], 56, 2)
    deliveries.retry_at(db, second["id"], "2030-01-01T00:00:00Z", "NetworkError")
    assert deliveries.counts(db) == {"sent": 1, "pending": 1}
    assert deliveries.cancel_for_chat(db, 2, "blocked") == 1
    assert deliveries.cancel_for_chat(db, 1, "blocked") == 0  # sent stays sent
    assert deliveries.counts(db) == {"sent": 1, "cancelled": 1}

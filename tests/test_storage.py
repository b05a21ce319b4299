"""The SQLite layer on real files: migrations, deduplicated bodies, the outbox transaction."""

from __future__ import annotations

import sqlite3

import pytest

from settings import Watch
from storage import changes, snapshots, watches
from storage.db import migrate, open_db, schema_version
from storage.schema import MIGRATIONS


def test_new_database_gets_every_migration_once(tmp_path):
    db = open_db(tmp_path / "a.db")
    assert schema_version(db) == MIGRATIONS[-1][0]
    assert migrate(db) == []
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {
        "watches",
        "fetches",
        "bodies",
        "snapshots",
        "records",
        "changes",
        "deliveries",
        "subscribers",
        "subscriptions",
    } <= set(db.table_names())


def test_bodies_are_compressed_and_stored_once(tmp_path):
    db = open_db(tmp_path / "a.db")
    body = b"<main>" + b"Express Entry " * 5000 + b"</main>"
    first = snapshots.store_body(db, body)
    second = snapshots.store_body(db, body)
    assert first == second
    size, stored = db.execute("SELECT size, length(compressed) FROM bodies").fetchone()
    assert (size, db.execute("SELECT COUNT(*) FROM bodies").fetchone()[0]) == (len(body), 1)
    assert stored < len(body) / 50
    assert snapshots.load_body(db, first) == body


def test_sync_keeps_history_of_watches_that_leave_the_config(tmp_path):
    db = open_db(tmp_path / "a.db")
    a = Watch(name="a", url="https://www.canada.ca/a.html")
    b = Watch(name="b", url="https://www.canada.ca/b.html")
    watches.sync(db, [a, b])
    watches.update(db, "b", last_ok_at="2026-01-01T00:00:00Z")
    watches.sync(db, [a])
    assert [row["name"] for row in watches.all_rows(db)] == ["a"]
    assert watches.get(db, "b")["last_ok_at"] == "2026-01-01T00:00:00Z"
    watches.sync(db, [a, b])
    assert [row["name"] for row in watches.all_rows(db)] == ["a", "b"]


def test_a_change_and_its_deliveries_commit_or_roll_back_together(tmp_path):
    db = open_db(tmp_path / "a.db")
    watches.sync(db, [Watch(name="a", url="https://www.canada.ca/a.html")])
    row = {
        "watch": "a",
        "kind": "page_change",
        "topic": "general",
        "audience": "subscribers",
        "observed_at": "2026-01-01T00:00:00Z",
        "title": "t",
        "summary": "s",
        "data": {"added": 1},
        "lang": "en",
    }
    with pytest.raises(sqlite3.IntegrityError), db.atomic():
        changes.insert(db, row, [(1, "en", "subscriber")])
        db.execute("INSERT INTO deliveries (change_id) VALUES (NULL)")
    assert db.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0] == 0

    with db.atomic():
        change_id = changes.insert(
            db, row, [(1, "en", "subscriber"), (2, "fr", "subscriber"), (1, "en", "maintainer")]
        )
    chats = [r[0] for r in db.execute("SELECT chat_id FROM deliveries ORDER BY chat_id")]
    assert chats == [1, 2]
    assert changes.get(db, change_id)["data"] == {"added": 1}
    assert changes.mark_reviewed(db, change_id, "alice", "checked")
    assert changes.listing(db, unreviewed=True) == []
    assert not changes.mark_reviewed(db, 999, "alice")


def test_no_write_leaves_a_transaction_open(tmp_path):
    """An implicit transaction left open would swallow every later write of the process."""
    from storage import deliveries

    db = open_db(tmp_path / "a.db")
    watches.sync(db, [Watch(name="a", url="https://www.canada.ca/a.html")])
    row = {
        "watch": "a",
        "kind": "page_change",
        "topic": "general",
        "audience": "subscribers",
        "observed_at": "2026-01-01T00:00:00Z",
        "title": "t",
        "summary": "s",
        "data": {},
        "lang": "en",
    }
    with db.atomic():
        changes.insert(db, row, [(1, "en", "subscriber")])
    deliveries.mark_logged(db, [])
    deliveries.mark_logged(db, [1])
    watches.set_paused(db, "a", True)
    changes.mark_reviewed(db, 1, "ana")
    assert not db.conn.in_transaction


def test_a_migration_applied_meanwhile_by_another_process_is_not_applied_again(
    tmp_path, monkeypatch
):
    """The service and a CLI command may open a new database at the same moment."""
    import sqlite_utils

    import storage.db

    path = tmp_path / "race.db"
    open_db(path)
    real = storage.db.schema_version
    calls = []

    def stale_first_read(db):
        calls.append(1)
        return 0 if len(calls) == 1 else real(db)

    monkeypatch.setattr(storage.db, "schema_version", stale_first_read)
    other = sqlite_utils.Database(path)
    assert migrate(other) == []
    assert not other.conn.in_transaction
    assert real(other) == MIGRATIONS[-1][0]


def test_snapshot_documents_are_stored_compressed_and_read_back_either_way(tmp_path):
    db = open_db(tmp_path / "a.db")
    watches.sync(db, [Watch(name="a", url="https://www.canada.ca/a.html")])
    document = '{"kind": "page", "text": "' + "Express Entry " * 2000 + '"}'
    digest = snapshots.store_body(db, b"<main></main>")
    common = {
        "watch": "a",
        "observed_at": "2026-01-01T00:00:00Z",
        "body_hash": digest,
        "content_hash": "h",
        "content": "",
        "normalizer_version": 2,
    }
    new_id = snapshots.insert(db, document=document, **common)
    stored = db.execute("SELECT length(document) FROM snapshots WHERE id = ?", [new_id])
    assert stored.fetchone()[0] < len(document) / 50
    assert snapshots.document_json(snapshots.get(db, new_id)) == document
    old_id = db["snapshots"].insert({"document": document, **common}).last_pk
    assert snapshots.document_json(snapshots.get(db, old_id)) == document

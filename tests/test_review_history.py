"""Reviews keep their history: a second review adds to the first, never overwrites it."""

from __future__ import annotations

import re

import sqlite_utils

from storage import changes, reviews
from storage.db import migrate, open_db
from storage.schema import MIGRATIONS
from tests.conftest import run_cli
from tests.test_cli import make_history


def test_a_second_cli_review_keeps_the_first_reviewer_and_note(tmp_path):
    config, folder = make_history(tmp_path)
    assert run_cli("--config", str(config), "replay", str(folder)).returncode == 0
    first = run_cli("--config", str(config), "review", "1", "--note", "typo fix", "--by", "ana")
    second = run_cli("--config", str(config), "review", "1", "--note", "again", "--by", "bo")
    assert first.returncode == second.returncode == 0

    shown = run_cli("--config", str(config), "show", "1").stdout
    lines = [line for line in shown.splitlines() if line.startswith("reviewed: ")]
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    assert len(lines) == 2, shown
    assert re.fullmatch(rf"reviewed: {stamp} by ana \(typo fix\)", lines[0])
    assert re.fullmatch(rf"reviewed: {stamp} by bo \(again\)", lines[1])

    db = open_db(tmp_path / "test.db")
    assert [r["reviewed_by"] for r in reviews.history(db, 1)] == ["ana", "bo"]
    assert changes.get(db, 1)["reviewed_by"] == "bo"  # the latest, for lists and the bot


def test_no_review_is_recorded_for_a_missing_change(tmp_path):
    config, folder = make_history(tmp_path)
    run_cli("--config", str(config), "replay", str(folder))
    assert run_cli("--config", str(config), "review", "9", "--by", "ana").returncode == 1
    assert reviews.history(open_db(tmp_path / "test.db"), 9) == []


def test_migration_3_keeps_reviews_made_before_it(tmp_path):
    """A database reviewed under migration 2 keeps that review as the first of its history."""
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    db.execute("CREATE TABLE migrations (version INTEGER PRIMARY KEY, applied_at TEXT)")
    for version, statements in MIGRATIONS:
        if version < 3:
            for statement in statements:
                db.conn.execute(statement)
            db.execute("INSERT INTO migrations VALUES (?, 'then')", [version])
    db.execute(
        "INSERT INTO watches (name, url, kind, topic, lang, interval_s, created_at) "
        "VALUES ('a', 'https://www.canada.ca/a.html', 'page', 'general', 'en', 60, 'then')"
    )
    db.execute(
        "INSERT INTO changes (watch, kind, topic, audience, observed_at, title, summary, data, "
        "lang, reviewed_at, reviewed_by, review_note) VALUES ('a', 'page_change', 'general', "
        "'subscribers', '2025-01-01T00:00:00Z', 't', 's', '{}', 'en', '2025-01-02T00:00:00Z', "
        "'ana', 'old note')"
    )
    db.conn.commit()
    assert 3 in migrate(db)
    assert reviews.history(db, 1) == [
        {"reviewed_at": "2025-01-02T00:00:00Z", "reviewed_by": "ana", "note": "old note"}
    ]

"""Reviews of changes: every review is a row of its own (who, when, note), never overwritten.

The changes table's ``reviewed_at`` / ``reviewed_by`` / ``review_note`` columns hold a copy of
the latest review, written in the same transaction, so lists and filters stay one query.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from storage.db import utcnow


def add(db: sqlite_utils.Database, change_id: int, by: str, note: str | None = None) -> bool:
    """Record one more review of a change; False (and nothing written) if there is no change."""
    now = utcnow()
    with db.atomic():
        cursor = db.execute(
            "UPDATE changes SET reviewed_at = ?, reviewed_by = ?, review_note = ? WHERE id = ?",
            [now, by, note, change_id],
        )
        if cursor.rowcount == 0:
            return False
        db.execute(
            "INSERT INTO reviews (change_id, reviewed_at, reviewed_by, note) VALUES (?, ?, ?, ?)",
            [change_id, now, by, note],
        )
    return True


def history(db: sqlite_utils.Database, change_id: int) -> list[dict[str, Any]]:
    """Every review of a change, oldest first."""
    return list(
        db.query(
            "SELECT reviewed_at, reviewed_by, note FROM reviews WHERE change_id = ? ORDER BY id",
            [change_id],
        )
    )

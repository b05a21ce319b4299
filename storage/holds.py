"""Held bulks of changes: one check's changes kept from subscribers until a person decides.

A hold is ``held`` until it is ``released`` (its changes get their deliveries, queued in the
same transaction) or ``discarded`` (its changes are kept for the record and never sent).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import sqlite_utils

from storage import changes
from storage.db import utcnow

HELD, RELEASED, DISCARDED = "held", "released", "discarded"


def create(db: sqlite_utils.Database, watch: str, count: int, now: str) -> int:
    """A new hold for ``count`` changes of one check; returns its id (call inside atomic)."""
    return (
        db["holds"]
        .insert({"watch": watch, "created_at": now, "status": HELD, "changes": count})
        .last_pk
    )


def get(db: sqlite_utils.Database, hold_id: int) -> dict[str, Any] | None:
    """One hold, or None."""
    rows = list(db.query("SELECT * FROM holds WHERE id = ?", [hold_id]))
    return rows[0] if rows else None


def listing(db: sqlite_utils.Database, status: str | None = None) -> list[dict[str, Any]]:
    """Holds, newest first, optionally only those in one status."""
    if status:
        return list(db.query("SELECT * FROM holds WHERE status = ? ORDER BY id DESC", [status]))
    return list(db.query("SELECT * FROM holds ORDER BY id DESC"))


def held_changes(db: sqlite_utils.Database, hold_id: int) -> list[dict[str, Any]]:
    """The changes of a hold, oldest first, with their data decoded."""
    rows = db.query("SELECT * FROM changes WHERE hold_id = ? ORDER BY id", [hold_id])
    return [{**row, "data": json.loads(row["data"]) if row["data"] else {}} for row in rows]


def decide(
    db: sqlite_utils.Database,
    hold_id: int,
    status: str,
    by: str,
    recipients: Callable[[dict[str, Any]], Iterable[tuple[int, str, str]]] | None = None,
) -> dict[str, Any] | None:
    """Release or discard a hold still held; returns the hold as it was, or None if none.

    Releasing queues one delivery per recipient of each change (``recipients(change)``),
    all in one transaction with the status change. A hold already decided is returned
    unchanged, so the caller can say who decided it and when.
    """
    if status not in (RELEASED, DISCARDED):
        raise ValueError(f"not a decision: {status!r}")
    with db.atomic():
        hold = get(db, hold_id)
        if hold is None or hold["status"] != HELD:
            return hold
        now = utcnow()
        for change in held_changes(db, hold_id):
            if status == RELEASED and recipients is not None:
                changes.add_deliveries(db, change["id"], recipients(change), now)
        db.execute(
            "UPDATE changes SET status = ? WHERE hold_id = ? AND status = ?",
            [status, hold_id, HELD],
        )
        db.execute(
            "UPDATE holds SET status = ?, decided_at = ?, decided_by = ? WHERE id = ?",
            [status, now, by, hold_id],
        )
    return hold


def delivery_count(db: sqlite_utils.Database, hold_id: int) -> int:
    """How many deliveries the changes of a hold have (after a release: how many were queued)."""
    return db.execute(
        "SELECT COUNT(*) FROM deliveries d JOIN changes c ON c.id = d.change_id "
        "WHERE c.hold_id = ?",
        [hold_id],
    ).fetchone()[0]

"""Changes and the outbox: a change and its deliveries are written together."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from storage import reviews
from storage.db import utcnow


def insert(
    db: sqlite_utils.Database, row: dict[str, Any], recipients: Iterable[tuple[int, str, str]] = ()
) -> int:
    """Add a change and one pending delivery per (chat_id, lang, role); returns the change id.

    Call inside the caller's ``db.atomic()`` so the change, its snapshot and its
    deliveries commit together: a crash can then never lose an alert that was due.
    """
    row = dict(row)
    row["data"] = json.dumps(row.get("data", {}), ensure_ascii=False, sort_keys=True)
    change_id = db["changes"].insert(row).last_pk
    add_deliveries(db, change_id, recipients, utcnow())
    return change_id


def add_deliveries(
    db: sqlite_utils.Database,
    change_id: int,
    recipients: Iterable[tuple[int, str, str]],
    now: str,
) -> None:
    """One pending delivery of a change per (chat_id, lang, role), each chat once."""
    seen: set[int] = set()
    for chat_id, lang, role in recipients:
        if chat_id in seen:
            continue
        seen.add(chat_id)
        db["deliveries"].insert(
            {
                "change_id": change_id,
                "chat_id": chat_id,
                "lang": lang,
                "role": role,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    row["data"] = json.loads(row["data"]) if row.get("data") else {}
    return row


def get(db: sqlite_utils.Database, change_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM changes WHERE id = ?", [change_id]))
    return _decode(rows[0]) if rows else None


def listing(
    db: sqlite_utils.Database,
    *,
    unreviewed: bool = False,
    watch: str | None = None,
    topic: str | None = None,
    kind: str | None = None,
    before: int | None = None,
    limit: int = 50,
    topics: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """Changes, newest first, optionally only the unreviewed ones or one watch's/topic's/kind's
    (or those of any of ``topics``).

    ``before`` keeps only ids below it: the next page after a page that ended at that id.
    """
    where, params = [], []
    if unreviewed:
        where.append("reviewed_at IS NULL")
    if watch:
        where.append("watch = ?")
        params.append(watch)
    if topic:
        where.append("topic = ?")
        params.append(topic)
    if topics:
        where.append(f"topic IN ({', '.join('?' for _ in topics)})")
        params.extend(topics)
    if kind:
        where.append("kind = ?")
        params.append(kind)
    if before is not None:
        where.append("id < ?")
        params.append(before)
    sql = "SELECT * FROM changes"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC LIMIT ?"
    params.append(limit)
    return [_decode(row) for row in db.query(sql, params)]


def mark_reviewed(
    db: sqlite_utils.Database, change_id: int, by: str, note: str | None = None
) -> bool:
    """Add a review of a change (who, now, optional note) to its history; False when there is
    no such change. Earlier reviews are kept (see :mod:`storage.reviews`)."""
    return reviews.add(db, change_id, by, note)


def distinct_values(db: sqlite_utils.Database, column: str) -> list[str]:
    """The values of ``watch``, ``kind`` or ``topic`` that occur among changes, sorted.

    What the review page offers in its filters: only values that would match something.
    """
    if column not in ("watch", "kind", "topic"):
        raise ValueError(f"not a change column to list: {column!r}")
    sql = f"SELECT DISTINCT {column} FROM changes ORDER BY {column}"
    return [row[0] for row in db.execute(sql).fetchall()]

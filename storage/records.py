"""Every record ever seen per watch: the memory that makes flip-flops harmless."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils


def known(db: sqlite_utils.Database, watch: str) -> dict[str, dict[str, Any]]:
    """Key → last seen data, for every record the watch has ever had (present or not)."""
    return {
        row[0]: json.loads(row[1])
        for row in db.execute("SELECT key, data FROM records WHERE watch = ?", [watch])
    }


def observe(
    db: sqlite_utils.Database,
    watch: str,
    updated: dict[str, dict[str, Any]],
    vanished: list[str],
    now: str,
) -> None:
    """Remember new, changed or returning records, and mark the ones that just vanished.

    Records present and unchanged only get their ``last_seen_at`` touched, in one statement.
    Call inside ``db.atomic()``: the raw ``executemany`` below does not commit by itself.
    """
    db.execute(
        "UPDATE records SET last_seen_at = ? WHERE watch = ? AND absent_since IS NULL",
        [now, watch],
    )
    rows = [
        {
            "watch": watch,
            "key": key,
            "data": json.dumps(data, ensure_ascii=False, sort_keys=True),
            "first_seen_at": now,
            "last_seen_at": now,
        }
        for key, data in updated.items()
    ]
    db.conn.executemany(
        """INSERT INTO records (watch, key, data, first_seen_at, last_seen_at)
           VALUES (:watch, :key, :data, :first_seen_at, :last_seen_at)
           ON CONFLICT(watch, key) DO UPDATE SET data = excluded.data,
             last_seen_at = excluded.last_seen_at, absent_since = NULL, removal_announced = 0""",
        rows,
    )
    for key in vanished:
        db.execute(
            "UPDATE records SET absent_since = COALESCE(absent_since, ?) "
            "WHERE watch = ? AND key = ?",
            [now, watch, key],
        )


def due_removals(db: sqlite_utils.Database, watch: str, before: str) -> dict[str, dict[str, Any]]:
    """Records absent since at least ``before`` whose removal was not yet announced."""
    return {
        row[0]: json.loads(row[1])
        for row in db.execute(
            """SELECT key, data FROM records WHERE watch = ? AND absent_since IS NOT NULL
               AND absent_since <= ? AND removal_announced = 0""",
            [watch, before],
        )
    }


def mark_removal_announced(db: sqlite_utils.Database, watch: str, keys: list[str]) -> None:
    for key in keys:
        db.execute(
            "UPDATE records SET removal_announced = 1 WHERE watch = ? AND key = ?", [watch, key]
        )


def present(db: sqlite_utils.Database, watch: str, prefix: str | None = None) -> list[str]:
    """Keys of the records the watch has now (not absent), optionally only those with ``prefix``."""
    sql = "SELECT key FROM records WHERE watch = ? AND absent_since IS NULL"
    params: list[Any] = [watch]
    if prefix:
        sql += " AND substr(key, 1, ?) = ?"
        params += [len(prefix), prefix]
    return [row[0] for row in db.execute(sql, params)]


def count(db: sqlite_utils.Database, watch: str) -> int:
    """How many records the watch has ever had."""
    return db.execute("SELECT COUNT(*) FROM records WHERE watch = ?", [watch]).fetchone()[0]

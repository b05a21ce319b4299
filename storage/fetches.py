"""The fetch log: one row per attempt, whatever happened."""

from __future__ import annotations

from typing import Any

import sqlite_utils

COLUMNS = (
    "watch",
    "fetched_at",
    "url",
    "final_url",
    "status",
    "bytes",
    "elapsed_ms",
    "outcome",
    "error",
    "body_hash",
)
INSERT = (
    f"INSERT INTO fetches ({', '.join(COLUMNS)}) "
    f"VALUES ({', '.join(':' + name for name in COLUMNS)})"
)


def _complete(row: dict[str, Any]) -> dict[str, Any]:
    unknown = set(row) - set(COLUMNS)
    if unknown:
        raise ValueError(f"fetches has no column {', '.join(sorted(unknown))}")
    return {name: row.get(name) for name in COLUMNS}


def log(db: sqlite_utils.Database, **row: Any) -> int:
    """Record one fetch attempt; returns its id (one prepared INSERT, no table introspection)."""
    if db.conn.in_transaction:
        return db.conn.execute(INSERT, _complete(row)).lastrowid or 0
    with db.atomic():
        return db.conn.execute(INSERT, _complete(row)).lastrowid or 0


def log_many(db: sqlite_utils.Database, rows: list[dict[str, Any]]) -> None:
    """Record many fetch attempts with one prepared statement; call inside ``db.atomic()``."""
    db.conn.executemany(INSERT, [_complete(row) for row in rows])


def recent(db: sqlite_utils.Database, watch: str, limit: int = 20) -> list[dict[str, Any]]:
    """The latest attempts for a watch, newest first."""
    return list(
        db.query("SELECT * FROM fetches WHERE watch = ? ORDER BY id DESC LIMIT ?", [watch, limit])
    )

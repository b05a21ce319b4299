"""The watches table: configured watches, their validators and their health."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlite_utils

from storage.db import dict_rows, utcnow


def sync(db: sqlite_utils.Database, watches: Iterable[Any]) -> None:
    """Make the table match the config: upsert every watch, mark the others as not configured.

    History of a watch that left the config is kept (its rows stay, ``in_config`` = 0). Rows
    that already match are not written: every cron ``check`` syncs, and the config rarely
    changes (one read of the table instead of a read and an update per watch).
    """
    now = utcnow()
    names = []
    columns = ("url", "kind", "topic", "lang", "interval_s", "selector", "in_config")
    stored = {
        row[0]: tuple(row[1:])
        for row in db.execute(f"SELECT name, {', '.join(columns)} FROM watches").fetchall()
    }
    with db.atomic():
        for watch in watches:
            names.append(watch.name)
            values = {
                "url": watch.url,
                "kind": watch.kind,
                "topic": watch.topic,
                "lang": watch.lang,
                "interval_s": watch.interval,
                "selector": watch.selector,
                "in_config": 1,
            }
            current = stored.get(watch.name)
            if current is None:
                db["watches"].insert({"name": watch.name, "created_at": now, **values})
            elif current != tuple(values[column] for column in columns):
                db["watches"].update(watch.name, values)
        placeholders = ",".join("?" for _ in names) or "''"
        db.execute(f"UPDATE watches SET in_config = 0 WHERE name NOT IN ({placeholders})", names)


def get(db: sqlite_utils.Database, name: str) -> dict[str, Any] | None:
    """One watch row, or None."""
    rows = dict_rows(db, "SELECT * FROM watches WHERE name = ?", [name])
    return rows[0] if rows else None


def all_rows(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every configured watch, by name."""
    return list(db.query("SELECT * FROM watches WHERE in_config = 1 ORDER BY name"))


def state(row: dict[str, Any]) -> str:
    """A watch's health in one word: paused, failing, degraded, ok, or new (never checked).

    Degraded: its structured reading found too little, the page-level reading stands in.
    """
    if row["paused"]:
        return "paused"
    if row["consecutive_failures"]:
        return "failing"
    if row.get("degraded_since"):
        return "degraded"
    return "ok" if row["last_ok_at"] else "new"


def _assignments(columns: tuple[str, ...]) -> str:
    for column in columns:
        if not column.isidentifier():
            raise ValueError(f"not a column name: {column!r}")
    return ", ".join(f"{column} = ?" for column in columns)


def update(db: sqlite_utils.Database, name: str, **values: Any) -> None:
    """Set columns of one watch (a plain UPDATE: no table introspection per call)."""
    if not values:
        return
    statement = f"UPDATE watches SET {_assignments(tuple(values))} WHERE name = ?"
    if db.conn.in_transaction:
        db.conn.execute(statement, [*values.values(), name])
        return
    with db.atomic():
        db.conn.execute(statement, [*values.values(), name])


def update_many(db: sqlite_utils.Database, updates: list[tuple[str, dict[str, Any]]]) -> None:
    """Set columns of many watches, one prepared statement per set of columns; call inside
    ``db.atomic()``."""
    groups: dict[tuple[str, ...], list[list[Any]]] = {}
    for name, values in updates:
        if values:
            groups.setdefault(tuple(values), []).append([*values.values(), name])
    for columns, params in groups.items():
        db.conn.executemany(f"UPDATE watches SET {_assignments(columns)} WHERE name = ?", params)


def set_paused(db: sqlite_utils.Database, name: str, paused: bool) -> bool:
    """Pause or resume a watch; False when there is no such watch."""
    cursor = db.execute("UPDATE watches SET paused = ? WHERE name = ?", [int(paused), name])
    return cursor.rowcount > 0

"""Subscribers' choices for the data kinds: processing-time countries and programs, IEC pools,
and whether the Express Entry pool's distribution is told (``/pool on``, migration 9).

Tables of migration 6. ``/stop`` erases them with the subscriber (storage.subscribers.delete).
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils


def _load(db: sqlite_utils.Database, chat_id: int, column: str) -> set[str]:
    rows = list(db.execute(f"SELECT {column} FROM ptime_prefs WHERE chat_id = ?", [chat_id]))
    return set(json.loads(rows[0][0])) if rows and rows[0][0] else set()


def _store(db: sqlite_utils.Database, chat_id: int, column: str, values: set[str]) -> None:
    db.execute(
        f"INSERT INTO ptime_prefs (chat_id, {column}) VALUES (?, ?) "
        f"ON CONFLICT(chat_id) DO UPDATE SET {column} = excluded.{column}",
        [chat_id, json.dumps(sorted(values)) if values else None],
    )


def countries(db: sqlite_utils.Database, chat_id: int) -> set[str]:
    """The country codes whose processing times the chat follows (empty: none chosen)."""
    return _load(db, chat_id, "countries")


def set_countries(db: sqlite_utils.Database, chat_id: int, codes: set[str]) -> None:
    _store(db, chat_id, "countries", codes)


def min_move(db: sqlite_utils.Database, chat_id: int) -> str | None:
    """The chat's /ptime min setting ("2w", "10%", "0"), None for the default."""
    rows = list(db.execute("SELECT min_move FROM ptime_prefs WHERE chat_id = ?", [chat_id]))
    return rows[0][0] if rows else None


def set_min_move(db: sqlite_utils.Database, chat_id: int, value: str | None) -> None:
    db.execute(
        "INSERT INTO ptime_prefs (chat_id, min_move) VALUES (?, ?) "
        "ON CONFLICT(chat_id) DO UPDATE SET min_move = excluded.min_move",
        [chat_id, value],
    )


def programs(db: sqlite_utils.Database, chat_id: int) -> set[str]:
    """The program groups the chat follows (empty: every group)."""
    return _load(db, chat_id, "programs")


def set_programs(db: sqlite_utils.Database, chat_id: int, groups: set[str]) -> None:
    _store(db, chat_id, "programs", groups)


def pools(db: sqlite_utils.Database, chat_id: int) -> set[tuple[str, str]]:
    """The IEC pools (country code, category) the chat follows."""
    return {
        (row[0], row[1])
        for row in db.execute(
            "SELECT code, category FROM iec_follows WHERE chat_id = ? ORDER BY code, category",
            [chat_id],
        )
    }


def follow_pool(db: sqlite_utils.Database, chat_id: int, code: str, category: str) -> bool:
    """Follow one pool's figures; False if already followed."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO iec_follows (chat_id, code, category) VALUES (?, ?, ?)",
        [chat_id, code.lower(), category.lower()],
    )
    return cursor.rowcount > 0


def clear_pools(db: sqlite_utils.Database, chat_id: int) -> None:
    db.execute("DELETE FROM iec_follows WHERE chat_id = ?", [chat_id])


def pool_alerts(db: sqlite_utils.Database, chat_id: int) -> bool:
    """Whether the chat asked to hear each new pool distribution (``/pool on``)."""
    row = db.execute("SELECT pool_alerts FROM subscribers WHERE chat_id = ?", [chat_id]).fetchone()
    return bool(row and row[0])


def set_pool_alerts(db: sqlite_utils.Database, chat_id: int, on: bool) -> None:
    db.execute("UPDATE subscribers SET pool_alerts = ? WHERE chat_id = ?", [int(on), chat_id])


def export(db: sqlite_utils.Database, chat_id: int) -> dict[str, Any]:
    """What this module keeps about the chat, for /export."""
    return {
        "processing_times": {
            "countries": sorted(countries(db, chat_id)),
            "programs": sorted(programs(db, chat_id)),
        },
        "iec_pools": [list(pool) for pool in sorted(pools(db, chat_id))],
        "pool_alerts": pool_alerts(db, chat_id),
    }


def delete(db: sqlite_utils.Database, chat_id: int) -> None:
    """Everything this module keeps about the chat (part of /stop)."""
    db.execute("DELETE FROM ptime_prefs WHERE chat_id = ?", [chat_id])
    clear_pools(db, chat_id)

"""The fetch log: one row per attempt, whatever happened."""

from __future__ import annotations

from typing import Any

import sqlite_utils


def log(db: sqlite_utils.Database, **row: Any) -> int:
    """Record one fetch attempt; returns its id."""
    return db["fetches"].insert(row).last_pk


def recent(db: sqlite_utils.Database, watch: str, limit: int = 20) -> list[dict[str, Any]]:
    """The latest attempts for a watch, newest first."""
    return list(
        db.query("SELECT * FROM fetches WHERE watch = ? ORDER BY id DESC LIMIT ?", [watch, limit])
    )

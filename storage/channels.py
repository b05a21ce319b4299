"""Telegram channels' health (the channels themselves are configured in config.toml): posts
made, the last error, and whether the bot was removed (reported to admins once)."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from storage.db import utcnow
from storage.masking import mask_tokens


def _ensure(db: sqlite_utils.Database, chat: str) -> None:
    db.execute("INSERT OR IGNORE INTO channels (chat) VALUES (?)", [chat])


def get(db: sqlite_utils.Database, chat: str) -> dict[str, Any] | None:
    """One channel's health row, or None if it never had a post attempted."""
    rows = list(db.query("SELECT * FROM channels WHERE chat = ?", [chat]))
    return rows[0] if rows else None


def record_post(db: sqlite_utils.Database, chat: str) -> None:
    """A post (or edit) went out: the channel works, whatever it did before."""
    with db.atomic():
        _ensure(db, chat)
        db.execute(
            "UPDATE channels SET posts = posts + 1, last_post_at = ?, removed_at = NULL, "
            "removed_reported = 0 WHERE chat = ?",
            [utcnow(), chat],
        )


def record_error(db: sqlite_utils.Database, chat: str, error: str) -> None:
    """A post failed (it will be retried, or it was refused)."""
    with db.atomic():
        _ensure(db, chat)
        db.execute(
            "UPDATE channels SET last_error = ?, last_error_at = ? WHERE chat = ?",
            [mask_tokens(error), utcnow(), chat],
        )


def mark_removed(db: sqlite_utils.Database, chat: str, error: str) -> bool:
    """The bot is no longer in the channel; True the first time (so admins hear it once)."""
    now = utcnow()
    with db.atomic():
        _ensure(db, chat)
        db.execute(
            "UPDATE channels SET last_error = ?, last_error_at = ?, "
            "removed_at = COALESCE(removed_at, ?) WHERE chat = ?",
            [mask_tokens(error), now, now, chat],
        )
        cursor = db.execute(
            "UPDATE channels SET removed_reported = 1 WHERE chat = ? AND removed_reported = 0",
            [chat],
        )
    return cursor.rowcount > 0


def all_rows(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """Every channel's health row, by chat."""
    return {row["chat"]: row for row in db.query("SELECT * FROM channels ORDER BY chat")}

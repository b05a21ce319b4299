"""The outbox's life after its rows are written with their change (see storage.changes.insert).

Statuses: ``pending`` (due at ``next_attempt_at``), ``sending`` (a send is under way; left so by a
crash, it goes back to pending at the next start), ``sent``, ``failed`` (Telegram refused it for
good, or too many attempts), ``cancelled`` (the chat blocked the bot) and ``logged`` (no bot token:
the alert went to the log instead).
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from storage.db import utcnow


def get(db: sqlite_utils.Database, delivery_id: int) -> dict[str, Any] | None:
    """One delivery row, or None."""
    rows = list(db.query("SELECT * FROM deliveries WHERE id = ?", [delivery_id]))
    return rows[0] if rows else None


def due(db: sqlite_utils.Database, now: str, limit: int = 500) -> list[dict[str, Any]]:
    """Pending deliveries whose time has come, oldest first."""
    return list(
        db.query(
            "SELECT * FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ? "
            "ORDER BY id LIMIT ?",
            [now, limit],
        )
    )


def for_change(db: sqlite_utils.Database, change_id: int) -> list[dict[str, Any]]:
    """Every delivery of one change, by id."""
    return list(db.query("SELECT * FROM deliveries WHERE change_id = ? ORDER BY id", [change_id]))


def for_chat(db: sqlite_utils.Database, chat_id: int) -> list[dict[str, Any]]:
    """Every delivery addressed to one chat, by id."""
    return list(db.query("SELECT * FROM deliveries WHERE chat_id = ? ORDER BY id", [chat_id]))


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    """How many deliveries are in each status."""
    return dict(db.execute("SELECT status, COUNT(*) FROM deliveries GROUP BY status").fetchall())


def mark_sending(db: sqlite_utils.Database, delivery_id: int) -> None:
    """Record that a send is starting: committed before the request leaves."""
    db.execute(
        "UPDATE deliveries SET status = 'sending', attempts = attempts + 1 WHERE id = ?",
        [delivery_id],
    )


def mark_part_sent(
    db: sqlite_utils.Database, delivery_id: int, parts_sent: int, message_id: int
) -> None:
    """One part of a split message was accepted; a retry resumes after it."""
    db.execute(
        "UPDATE deliveries SET parts_sent = ?, message_id = ? WHERE id = ?",
        [parts_sent, message_id, delivery_id],
    )


def mark_sent(
    db: sqlite_utils.Database, delivery_id: int, message_id: int | None, parts: int
) -> None:
    """Telegram accepted the (last part of the) message."""
    db.execute(
        "UPDATE deliveries SET status = 'sent', sent_at = ?, message_id = ?, parts_sent = ?, "
        "last_error = NULL WHERE id = ?",
        [utcnow(), message_id, parts, delivery_id],
    )


def retry_at(db: sqlite_utils.Database, delivery_id: int, when: str, error: str) -> None:
    """Put the delivery back in the queue, due at ``when``."""
    db.execute(
        "UPDATE deliveries SET status = 'pending', next_attempt_at = ?, last_error = ? "
        "WHERE id = ?",
        [when, error, delivery_id],
    )


def mark_failed(db: sqlite_utils.Database, delivery_id: int, error: str) -> None:
    """Give up on this delivery for good."""
    db.execute(
        "UPDATE deliveries SET status = 'failed', last_error = ? WHERE id = ?",
        [error, delivery_id],
    )


def mark_logged(db: sqlite_utils.Database, delivery_ids: list[int]) -> None:
    """No bot: these alerts went to the log and will not be sent later.

    ``executemany`` on the raw connection would open an implicit transaction that nothing
    commits; ``atomic`` commits it (or joins the caller's transaction).
    """
    with db.atomic():
        db.conn.executemany(
            "UPDATE deliveries SET status = 'logged', last_error = 'no Telegram token' "
            "WHERE id = ?",
            [(i,) for i in delivery_ids],
        )


def cancel_for_chat(db: sqlite_utils.Database, chat_id: int, reason: str) -> int:
    """Cancel every unsent delivery to a chat (it blocked the bot); returns how many."""
    cursor = db.execute(
        "UPDATE deliveries SET status = 'cancelled', last_error = ? "
        "WHERE chat_id = ? AND status IN ('pending', 'sending')",
        [reason, chat_id],
    )
    return cursor.rowcount


def recover(db: sqlite_utils.Database) -> int:
    """Put back in the queue deliveries a crash left 'sending'; returns how many.

    Their message may or may not have reached Telegram: resending can repeat it, never lose it.
    """
    cursor = db.execute(
        "UPDATE deliveries SET status = 'pending' WHERE status = 'sending'",
    )
    return cursor.rowcount

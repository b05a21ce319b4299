"""Telegram subscribers: language, topics, draw filters, and what /stop erases.

A subscriber is a chat (private chat id, or a group's). ``draw_types`` is stored as a JSON list of
the draw types the subscriber wants, or NULL for "every type, including types IRCC invents
later"; ``crs_max`` NULL means no CRS filter.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from storage import preferences
from storage.db import utcnow


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    raw = row.get("draw_types")
    row["draw_types"] = None if raw is None else set(json.loads(raw))
    return row


def get(db: sqlite_utils.Database, chat_id: int) -> dict[str, Any] | None:
    """One subscriber (``draw_types`` decoded to a set or None), or None."""
    rows = list(db.query("SELECT * FROM subscribers WHERE chat_id = ?", [chat_id]))
    return _decode(rows[0]) if rows else None


def ensure(db: sqlite_utils.Database, chat_id: int, lang: str = "en") -> dict[str, Any]:
    """The subscriber for ``chat_id``, created (in ``lang``) or reactivated if needed.

    A chat that writes to the bot has unblocked it, so an inactive subscriber becomes active.
    """
    with db.atomic():
        row = get(db, chat_id)
        if row is None:
            db["subscribers"].insert({"chat_id": chat_id, "lang": lang, "created_at": utcnow()})
        elif not row["active"]:
            db.execute(
                "UPDATE subscribers SET active = 1, deactivated_at = NULL, "
                "deactivated_reason = NULL WHERE chat_id = ?",
                [chat_id],
            )
    return get(db, chat_id)  # type: ignore[return-value]


def set_lang(db: sqlite_utils.Database, chat_id: int, lang: str) -> None:
    """Change the subscriber's language ("en" or "fr")."""
    db.execute("UPDATE subscribers SET lang = ? WHERE chat_id = ?", [lang, chat_id])


def set_crs_max(db: sqlite_utils.Database, chat_id: int, crs_max: int | None) -> None:
    """Only draws whose cutoff is at most ``crs_max``; None removes the filter."""
    db.execute("UPDATE subscribers SET crs_max = ? WHERE chat_id = ?", [crs_max, chat_id])


def set_draw_types(db: sqlite_utils.Database, chat_id: int, types: Iterable[str] | None) -> None:
    """The draw types the subscriber wants; None means all of them."""
    value = None if types is None else json.dumps(sorted(set(types)))
    db.execute("UPDATE subscribers SET draw_types = ? WHERE chat_id = ?", [value, chat_id])


def topics(db: sqlite_utils.Database, chat_id: int) -> list[str]:
    """The topics the chat follows, sorted."""
    return [
        row[0]
        for row in db.execute(
            "SELECT topic FROM subscriptions WHERE chat_id = ? ORDER BY topic", [chat_id]
        )
    ]


def subscribe(db: sqlite_utils.Database, chat_id: int, topic: str) -> bool:
    """Follow a topic; False if the chat already followed it."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO subscriptions (chat_id, topic) VALUES (?, ?)", [chat_id, topic]
    )
    return cursor.rowcount > 0


def unsubscribe(db: sqlite_utils.Database, chat_id: int, topic: str) -> bool:
    """Stop following a topic; False if the chat did not follow it."""
    cursor = db.execute(
        "DELETE FROM subscriptions WHERE chat_id = ? AND topic = ?", [chat_id, topic]
    )
    return cursor.rowcount > 0


def following(db: sqlite_utils.Database, *topics: str) -> list[dict[str, Any]]:
    """Every active subscriber following one of ``topics``, each once, by chat id."""
    marks = ", ".join("?" for _ in topics)
    rows = db.query(
        f"""SELECT s.* FROM subscribers s WHERE s.active = 1 AND s.chat_id IN
            (SELECT chat_id FROM subscriptions WHERE topic IN ({marks})) ORDER BY s.chat_id""",
        list(topics),
    )
    return [_decode(row) for row in rows]


def export(db: sqlite_utils.Database, chat_id: int) -> dict[str, Any] | None:
    """Everything kept about a chat (/export): its settings, topics and deliveries; or None."""
    sub = get(db, chat_id)
    if sub is None:
        return None
    sub["draw_types"] = None if sub["draw_types"] is None else sorted(sub["draw_types"])
    sent = db.query(
        "SELECT change_id, status, created_at, sent_at FROM deliveries WHERE chat_id = ? "
        "ORDER BY id",
        [chat_id],
    )
    return {
        "subscriber": sub,
        "topics": topics(db, chat_id),
        "deliveries": list(sent),
        **preferences.export(db, chat_id),
    }


def deactivate(db: sqlite_utils.Database, chat_id: int, reason: str) -> bool:
    """Mark the chat inactive (it blocked the bot, was deleted, ...); False if unknown."""
    cursor = db.execute(
        "UPDATE subscribers SET active = 0, deactivated_at = ?, deactivated_reason = ? "
        "WHERE chat_id = ? AND active = 1",
        [utcnow(), reason, chat_id],
    )
    return cursor.rowcount > 0


def delete(db: sqlite_utils.Database, chat_id: int) -> None:
    """Erase the subscriber, its topics and every delivery addressed to it (/stop).

    Deliveries go too: they hold the chat id, and a deleted subscriber must leave no trace.
    Call inside ``db.atomic()`` if the caller does more in the same step.
    """
    db.execute("DELETE FROM subscriptions WHERE chat_id = ?", [chat_id])
    db.execute("DELETE FROM deliveries WHERE chat_id = ? AND role = 'subscriber'", [chat_id])
    preferences.delete(db, chat_id)
    db.execute("DELETE FROM subscribers WHERE chat_id = ?", [chat_id])


def set_digest(
    db: sqlite_utils.Database,
    chat_id: int,
    mode: str | None,
    at: str | None = None,
    day: int | None = None,
    keep_draws: bool = False,
) -> None:
    """``mode`` None (every message at once), "daily" or "weekly", at local time ``at``
    ("HH:MM") on ``day`` (0 Monday … 6 Sunday, weekly only); ``keep_draws``: draws stay instant."""
    db.execute(
        "UPDATE subscribers SET digest = ?, digest_time = ?, digest_day = ?, "
        "digest_keep_draws = ? WHERE chat_id = ?",
        [mode, at, day, int(keep_draws), chat_id],
    )


def set_tz(db: sqlite_utils.Database, chat_id: int, tz: str | None) -> None:
    """The chat's time zone (an IANA name); None: Canada/Eastern."""
    db.execute("UPDATE subscribers SET tz = ? WHERE chat_id = ?", [tz, chat_id])


def set_quiet(db: sqlite_utils.Database, chat_id: int, start: str | None, end: str | None) -> None:
    """Quiet hours from ``start`` to ``end`` ("HH:MM", local; may cross midnight); None: off."""
    db.execute(
        "UPDATE subscribers SET quiet_start = ?, quiet_end = ? WHERE chat_id = ?",
        [start, end, chat_id],
    )

"""The daily budget of paid broadcasts: messages sent with ``allow_paid_broadcast``, which
Telegram charges in Stars, counted per UTC day against ``[telegram] paid_broadcast_daily_cap``.

A message is reserved before it leaves, in one conditional write: of several delivery loops on
one database, never more than the cap go out in a day, whatever happens to them afterwards.
"""

from __future__ import annotations

import sqlite_utils


def reserve(db: sqlite_utils.Database, day: str, cap: int, count: int = 1) -> bool:
    """Take ``count`` paid messages from ``day``'s budget; False (nothing taken) if that would
    pass ``cap``."""
    with db.atomic():
        db.execute("INSERT OR IGNORE INTO paid_broadcasts (day, sent) VALUES (?, 0)", [day])
        cursor = db.execute(
            "UPDATE paid_broadcasts SET sent = sent + ? WHERE day = ? AND sent + ? <= ?",
            [count, day, count, cap],
        )
    return cursor.rowcount > 0


def give_back(db: sqlite_utils.Database, day: str, count: int) -> None:
    """Return reserved messages that never left (Telegram refused them before sending)."""
    with db.atomic():
        db.execute("UPDATE paid_broadcasts SET sent = MAX(0, sent - ?) WHERE day = ?", [count, day])


def used(db: sqlite_utils.Database, day: str) -> int:
    """Paid messages reserved on ``day`` so far."""
    row = db.execute("SELECT sent FROM paid_broadcasts WHERE day = ?", [day]).fetchone()
    return row[0] if row else 0

"""The service's own health, beside the watches': one row per part (today: "telegram").

`ircc-watch run` writes how its Telegram side stands (connected, unreachable since …, token
rejected); `ircc-watch watches` and the admins' /status read it, from another process too.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from storage.db import utcnow


def put(db: sqlite_utils.Database, part: str, state: str) -> None:
    """Record the state of one part of the service (a short sentence), as of now."""
    db.execute(
        "INSERT INTO service_status (part, state, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT(part) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        [part, state, utcnow()],
    )


def get(db: sqlite_utils.Database, part: str) -> dict[str, Any] | None:
    """The last recorded state of one part ({"part", "state", "updated_at"}), or None."""
    rows = list(db.query("SELECT * FROM service_status WHERE part = ?", [part]))
    return rows[0] if rows else None

"""What the review page must remember across restarts: sessions signed out, and Telegram Login
Widget hashes already used (each signs in once). Rows go once they would have expired anyway."""

from __future__ import annotations

import sqlite3

import sqlite_utils


def _forget_expired(db: sqlite_utils.Database, now: float) -> None:
    db.conn.execute("DELETE FROM review_signouts WHERE expires_at <= ?", [now])
    db.conn.execute("DELETE FROM review_login_hashes WHERE expires_at <= ?", [now])


def sign_out(db: sqlite_utils.Database, sid: str, expires_at: float, now: float) -> None:
    """Remember that session ``sid`` was signed out (until ``expires_at``, a Unix time)."""
    with db.atomic():
        _forget_expired(db, now)
        db.conn.execute(
            "INSERT OR REPLACE INTO review_signouts (sid, expires_at) VALUES (?, ?)",
            [sid, expires_at],
        )


def signed_out(db: sqlite_utils.Database, sid: str) -> bool:
    """Whether session ``sid`` was signed out."""
    row = db.conn.execute("SELECT 1 FROM review_signouts WHERE sid = ?", [sid]).fetchone()
    return row is not None


def use_login_hash(db: sqlite_utils.Database, value: str, expires_at: float, now: float) -> bool:
    """Spend a Login Widget hash: True the first time, False if it was used before."""
    with db.atomic():
        _forget_expired(db, now)
        try:
            db.conn.execute(
                "INSERT INTO review_login_hashes (hash, expires_at) VALUES (?, ?)",
                [value, expires_at],
            )
        except sqlite3.IntegrityError:
            return False
    return True

"""Opening the SQLite database: WAL mode, foreign keys, versioned migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from storage.schema import MIGRATIONS

WAL_LIMIT = 4 * 2**20


def utcnow() -> str:
    """The current UTC time as stored everywhere: ISO 8601, seconds, trailing Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dict_rows(db: sqlite_utils.Database, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    """Rows as dicts through a plain cursor: sqlite-utils' ``query`` wraps every read in a
    SAVEPOINT, which on the hot path (every check reads its watch row) cost more than the
    read itself."""
    cursor = db.conn.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database at ``path`` and bring its schema up to date."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.conn.execute("PRAGMA busy_timeout = 5000")
    db.enable_wal()
    # WAL with synchronous=NORMAL: a commit no longer waits for an fsync (about 5 ms here, and
    # a delivery commits twice: at most ~100 messages/s, under Telegram's 30/s only by luck);
    # a killed process still loses nothing. Only a power cut may roll back the last commits
    # (a snapshot with its changes and outbox rows: detected again; a "sent" mark: sent again).
    db.conn.execute("PRAGMA synchronous = NORMAL")
    # The WAL file keeps the size of its largest transaction (a day's prune) unless told: cut it
    # back to about one auto-checkpoint's worth (1,000 pages) each time it is reset.
    db.conn.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT}")
    db.conn.execute("PRAGMA foreign_keys = ON")
    migrate(db)
    return db


def schema_version(db: sqlite_utils.Database) -> int:
    """The highest migration applied, 0 for a new database."""
    if "migrations" not in db.table_names():
        return 0
    row = db.execute("SELECT MAX(version) FROM migrations").fetchone()
    return row[0] or 0


def migrate(db: sqlite_utils.Database) -> list[int]:
    """Apply every migration newer than the database, each in its own transaction.

    Each migration takes the write lock first (BEGIN IMMEDIATE) and reads the version under
    it, so two processes opening a new database at once (the service and a CLI command)
    cannot both apply the same migration.
    """
    db.execute(
        "CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, applied_at TEXT)"
    )
    applied = []
    for version, statements in MIGRATIONS:
        if version <= schema_version(db):
            continue
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            if version > schema_version(db):
                for statement in statements:
                    db.conn.execute(statement)
                db.conn.execute(
                    "INSERT INTO migrations (version, applied_at) VALUES (?, ?)",
                    [version, utcnow()],
                )
                applied.append(version)
            db.conn.execute("COMMIT")
        except BaseException:
            db.conn.execute("ROLLBACK")
            raise
    return applied


@contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction that holds SQLite's write lock from its first read (BEGIN
    IMMEDIATE): what is read in it (a watch's last snapshot) cannot change before what is
    written from it commits. Inside a transaction already, it is that transaction."""
    if db.conn.in_transaction:
        yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        if db.conn.in_transaction:
            db.conn.execute("COMMIT")

"""Snapshots and raw bodies: bodies compressed and stored once per hash."""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

import sqlite_utils


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def store_body(db: sqlite_utils.Database, body: bytes) -> str:
    """Store a raw body (deduplicated by sha256); returns its hash."""
    digest = body_hash(body)
    db.execute(
        "INSERT OR IGNORE INTO bodies (hash, size, compressed) VALUES (?, ?, ?)",
        [digest, len(body), zlib.compress(body, 6)],
    )
    return digest


def load_body(db: sqlite_utils.Database, digest: str) -> bytes:
    """The raw body with this hash."""
    row = db.execute("SELECT compressed FROM bodies WHERE hash = ?", [digest]).fetchone()
    if row is None:
        raise KeyError(digest)
    return zlib.decompress(row[0])


def latest(db: sqlite_utils.Database, watch: str) -> dict[str, Any] | None:
    """The newest snapshot of a watch, or None before its baseline."""
    rows = list(
        db.query("SELECT * FROM snapshots WHERE watch = ? ORDER BY id DESC LIMIT 1", [watch])
    )
    return rows[0] if rows else None


def get(db: sqlite_utils.Database, snapshot_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM snapshots WHERE id = ?", [snapshot_id]))
    return rows[0] if rows else None


def insert(db: sqlite_utils.Database, **row: Any) -> int:
    """Add a snapshot row; returns its id. ``document`` (JSON text) is stored compressed."""
    if isinstance(row.get("document"), str):
        row["document"] = zlib.compress(row["document"].encode("utf-8"), 6)
    return db["snapshots"].insert(row).last_pk


def document_json(row: dict[str, Any]) -> str:
    """A snapshot's Document as JSON text, whether stored compressed or (older rows) as text."""
    stored = row["document"]
    if isinstance(stored, bytes):
        return zlib.decompress(stored).decode("utf-8")
    return stored


def count(db: sqlite_utils.Database, watch: str) -> int:
    return db.execute("SELECT COUNT(*) FROM snapshots WHERE watch = ?", [watch]).fetchone()[0]

"""Snapshots and raw bodies, stored as zstd deltas against a recent version of the same watch.

Successive versions of a page or feed differ in a few lines: each body, Document and content
text is compressed with zstd using an earlier version of the same watch (its "base", a
keyframe stored whole) as a raw-content dictionary, which takes the 780 KB Express Entry feed
to a few hundred bytes a version. A base is referenced by a foreign key (``bodies.base``,
``snapshots.base_id``), so retention never deletes one that a delta still needs; a new
keyframe starts after ``MAX_DELTAS`` deltas or when a delta would not be much smaller than
the whole. Rows written before (zlib bodies and documents, plain content) are read as they are.
"""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

import sqlite_utils
import zstandard

from storage.db import dict_rows

LEVEL = 3
MAX_DELTAS = 50
WHOLE = "zstd"
DELTA = "zstd-delta"


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _compress(data: bytes, base: bytes | None = None) -> bytes:
    if base is None:
        return zstandard.ZstdCompressor(level=LEVEL).compress(data)
    dictionary = zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    return zstandard.ZstdCompressor(level=LEVEL, dict_data=dictionary).compress(data)


def _decompress(data: bytes, base: bytes | None = None) -> bytes:
    if base is None:
        return zstandard.ZstdDecompressor().decompress(data)
    dictionary = zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    return zstandard.ZstdDecompressor(dict_data=dictionary).decompress(data)


def _encode(data: bytes, base: bytes | None) -> tuple[bytes, bool]:
    """(stored bytes, True if a delta): the delta only when it is much smaller than whole."""
    whole = _compress(data)
    if base is None:
        return whole, False
    delta = _compress(data, base)
    return (delta, True) if len(delta) * 4 < len(whole) else (whole, False)


def _keyframe(db: sqlite_utils.Database, watch: str | None) -> tuple[int, str] | None:
    """(snapshot id, body hash) of the watch's current keyframe, if it can take one more delta."""
    if watch is None:
        return None
    last = db.execute(
        "SELECT id, base_id, codec FROM snapshots WHERE watch = ? ORDER BY id DESC LIMIT 1",
        [watch],
    ).fetchone()
    if last is None or last[2] not in (WHOLE, DELTA):
        return None
    base_id = last[1] or last[0]
    row = db.execute(
        "SELECT body_hash, (SELECT COUNT(*) FROM snapshots WHERE base_id = ?) "
        "FROM snapshots WHERE id = ? AND codec = ?",
        [base_id, base_id, WHOLE],
    ).fetchone()
    if row is None or row[1] >= MAX_DELTAS:
        return None
    return base_id, row[0]


def store_body(db: sqlite_utils.Database, body: bytes, watch: str | None = None) -> str:
    """Store a raw body (deduplicated by sha256), as a delta against the body of ``watch``'s
    current keyframe when there is one; returns its hash."""
    digest = body_hash(body)
    if db.execute("SELECT 1 FROM bodies WHERE hash = ?", [digest]).fetchone():
        return digest
    keyframe = _keyframe(db, watch)
    base_hash = None
    base = None
    if keyframe is not None:
        row = db.execute("SELECT codec FROM bodies WHERE hash = ?", [keyframe[1]]).fetchone()
        if row is not None and row[0] == WHOLE:
            base_hash, base = keyframe[1], load_body(db, keyframe[1])
    stored, is_delta = _encode(body, base)
    db.execute(
        "INSERT INTO bodies (hash, size, compressed, codec, base) VALUES (?, ?, ?, ?, ?)",
        [digest, len(body), stored, DELTA if is_delta else WHOLE, base_hash if is_delta else None],
    )
    return digest


def load_body(db: sqlite_utils.Database, digest: str) -> bytes:
    """The raw body with this hash."""
    row = db.execute(
        "SELECT compressed, codec, base FROM bodies WHERE hash = ?", [digest]
    ).fetchone()
    if row is None:
        raise KeyError(digest)
    stored, codec, base = row
    if codec == WHOLE:
        return _decompress(stored)
    if codec == DELTA:
        return _decompress(stored, load_body(db, base))
    return zlib.decompress(stored)


class SnapshotRow(dict):
    """A snapshot row whose ``document`` and ``content`` are decoded on first use (most
    checks only compare hashes)."""

    def __init__(self, db: sqlite_utils.Database, row: dict[str, Any]) -> None:
        self._db = db
        self._stored = {key: row.pop(key, None) for key in ("document", "content")}
        super().__init__(row)

    def __missing__(self, key: str) -> Any:
        if key not in self._stored:
            raise KeyError(key)
        value = _decode_field(self._db, self, key, self._stored[key])
        self[key] = value
        return value


def _decode_field(db: sqlite_utils.Database, row: dict[str, Any], key: str, stored: Any) -> Any:
    codec = row.get("codec")
    if codec == WHOLE:
        return _decompress(stored).decode("utf-8")
    if codec == DELTA:
        base = db.execute(
            f"SELECT {key} FROM snapshots WHERE id = ? AND codec = ?", [row["base_id"], WHOLE]
        ).fetchone()
        return _decompress(stored, _decompress(base[0])).decode("utf-8")
    return stored  # older rows: content as text, document as zlib bytes or text


def _rows(db: sqlite_utils.Database, sql: str, params: list[Any]) -> dict[str, Any] | None:
    rows = dict_rows(db, sql, params)
    return SnapshotRow(db, rows[0]) if rows else None


def latest(db: sqlite_utils.Database, watch: str) -> dict[str, Any] | None:
    """The newest snapshot of a watch, or None before its baseline."""
    return _rows(db, "SELECT * FROM snapshots WHERE watch = ? ORDER BY id DESC LIMIT 1", [watch])


def had_content(db: sqlite_utils.Database, watch: str, content_hash: str, before: int) -> bool:
    """Whether a snapshot of ``watch`` older than id ``before`` had this content hash."""
    found = db.execute(
        "SELECT 1 FROM snapshots WHERE watch = ? AND id < ? AND content_hash = ? LIMIT 1",
        [watch, before, content_hash],
    ).fetchone()
    return found is not None


def get(db: sqlite_utils.Database, snapshot_id: int) -> dict[str, Any] | None:
    return _rows(db, "SELECT * FROM snapshots WHERE id = ?", [snapshot_id])


COLUMNS = (
    "watch",
    "observed_at",
    "body_hash",
    "region_hash",
    "content_hash",
    "content",
    "document",
    "normalizer_version",
    "codec",
    "base_id",
)


def insert(db: sqlite_utils.Database, **row: Any) -> int:
    """Add a snapshot row; returns its id. ``document`` (JSON text) and ``content`` are
    stored compressed, as deltas against the watch's keyframe when there is one."""
    keyframe = _keyframe(db, row.get("watch"))
    base: dict[str, bytes] | None = None
    if keyframe is not None:
        found = db.execute(
            "SELECT document, content FROM snapshots WHERE id = ?", [keyframe[0]]
        ).fetchone()
        base = {"document": _decompress(found[0]), "content": _decompress(found[1])}
    encoded = {}
    for key in ("document", "content"):
        text = row.get(key)
        data = text.encode("utf-8") if isinstance(text, str) else (text or b"")
        encoded[key] = (data, base[key] if base else None)
    # One codec for the row, chosen by the document: both fields deltas, or both whole.
    document, document_base = encoded["document"]
    delta, is_delta = _encode(document, document_base)
    if keyframe is not None and base is not None and is_delta:
        content, content_base = encoded["content"]
        row.update(
            document=delta,
            content=_compress(content, content_base),
            codec=DELTA,
            base_id=keyframe[0],
        )
    else:
        row.update({k: _compress(d) for k, (d, _) in encoded.items()}, codec=WHOLE, base_id=None)
    unknown = set(row) - set(COLUMNS)
    if unknown:
        raise ValueError(f"snapshots has no column {', '.join(sorted(unknown))}")
    names = [name for name in COLUMNS if name in row]
    cursor = db.conn.execute(
        f"INSERT INTO snapshots ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
        [row[name] for name in names],
    )
    return cursor.lastrowid or 0


def document_json(row: dict[str, Any]) -> str:
    """A snapshot's Document as JSON text, whether stored compressed or (older rows) as text."""
    stored = row["document"]
    if isinstance(stored, bytes):
        return zlib.decompress(stored).decode("utf-8")
    return stored


def count(db: sqlite_utils.Database, watch: str) -> int:
    return db.execute("SELECT COUNT(*) FROM snapshots WHERE watch = ?", [watch]).fetchone()[0]


def history(db: sqlite_utils.Database, watch: str) -> list[tuple[str, str]]:
    """(observed_at, Document JSON) of every snapshot of ``watch`` kept, oldest first: the
    series charts draw (a processing time's values, an IEC pool's weeks)."""
    rows = dict_rows(db, "SELECT * FROM snapshots WHERE watch = ? ORDER BY id", [watch])
    return [(row["observed_at"], document_json(SnapshotRow(db, row))) for row in rows]

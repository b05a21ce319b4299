"""Retention: how the database stays bounded over months of checks.

Deleted: fetch log rows older than ``keep_fetches``; snapshots older than ``keep_snapshots``
that nothing points to; raw bodies that no snapshot uses any more. Always kept: each watch's
latest snapshot (the next check diffs against it and may re-normalize its body), every snapshot
a stored row points to (a change's before/after, whatever table a later migration adds: the
foreign keys to ``snapshots`` are read from the schema), and every record, change, review and
delivery. One transaction, so a crash mid-prune leaves the database as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlite_utils


@dataclass(frozen=True)
class Pruned:
    """How many rows one prune deleted, per table."""

    fetches: int = 0
    snapshots: int = 0
    bodies: int = 0

    def total(self) -> int:
        return self.fetches + self.snapshots + self.bodies


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _references(db: sqlite_utils.Database, target: str) -> list[tuple[str, str]]:
    """Every (table, column) that is a foreign key to ``target``."""
    found = []
    for table in db.table_names():
        for row in db.execute(f"PRAGMA foreign_key_list([{table}])").fetchall():
            if row[2] == target:
                found.append((table, row[3]))
    return found


def prune(
    db: sqlite_utils.Database,
    *,
    keep_fetches: float | None,
    keep_snapshots: float | None,
    now: datetime,
) -> Pruned:
    """Apply retention as of ``now`` (aware UTC); ``None`` keeps that table forever."""
    fetches = snapshots = bodies = 0
    with db.atomic():
        if keep_fetches is not None:
            cutoff = _stamp(now - timedelta(seconds=keep_fetches))
            fetches = db.execute("DELETE FROM fetches WHERE fetched_at < ?", [cutoff]).rowcount
        if keep_snapshots is not None:
            cutoff = _stamp(now - timedelta(seconds=keep_snapshots))
            pointed = " ".join(
                f"AND id NOT IN (SELECT [{column}] FROM [{table}] WHERE [{column}] IS NOT NULL)"
                for table, column in _references(db, "snapshots")
            )
            snapshots = db.execute(
                "DELETE FROM snapshots WHERE observed_at < ? "
                "AND id NOT IN (SELECT MAX(id) FROM snapshots GROUP BY watch) " + pointed,
                [cutoff],
            ).rowcount
        bodies = _unused_bodies(db)
    return Pruned(fetches, snapshots, bodies)


def _unused_bodies(db: sqlite_utils.Database) -> int:
    """Delete the raw bodies nothing points to any more (no snapshot, no other body's delta)."""
    used = " ".join(
        f"AND hash NOT IN (SELECT [{column}] FROM [{table}] WHERE [{column}] IS NOT NULL)"
        for table, column in _references(db, "bodies")
    )
    return db.execute(f"DELETE FROM bodies WHERE 1 {used}").rowcount if used else 0


def history(db: sqlite_utils.Database, watch: str) -> dict[str, int]:
    """How many rows of each table belong to ``watch`` (what ``forget`` would delete)."""
    counts = {}
    for table in ("fetches", "snapshots", "records", "changes", "holds"):
        query = f"SELECT COUNT(*) FROM [{table}] WHERE watch = ?"
        counts[table] = db.execute(query, [watch]).fetchone()[0]
    return counts


def forget(db: sqlite_utils.Database, watch: str) -> dict[str, int]:
    """Delete everything of a watch: its row, fetch log, snapshots, records, changes with
    their deliveries and reviews, holds, and the bodies no other watch uses. One transaction.

    Rows of other tables that point to its changes or to the watch (found in the schema's
    foreign keys, so a later migration's table is included) go first.
    """
    counts = history(db, watch)
    with db.atomic():
        changes = "SELECT id FROM changes WHERE watch = ?"
        for table, column in _references(db, "changes"):
            if table != "changes":
                db.execute(f"DELETE FROM [{table}] WHERE [{column}] IN ({changes})", [watch])
        db.execute("UPDATE changes SET hold_id = NULL WHERE watch = ?", [watch])
        for table in ("changes", "holds", "records", "fetches", "snapshots"):
            db.execute(f"DELETE FROM [{table}] WHERE watch = ?", [watch])
        for table, column in _references(db, "watches"):
            db.execute(f"DELETE FROM [{table}] WHERE [{column}] = ?", [watch])
        db.execute("DELETE FROM watches WHERE name = ?", [watch])
        counts["bodies"] = _unused_bodies(db)
    return counts


def row_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Rows per table, for what ``vacuum`` prints."""
    return {
        table: db.execute(f"SELECT COUNT(*) FROM [{table}]").fetchone()[0]
        for table in sorted(db.table_names())
    }


def file_bytes(db: sqlite_utils.Database, path: str | Path) -> int:
    """The database's size on disk once the write-ahead log is folded into it."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    total = 0
    for suffix in ("", "-wal"):
        candidate = Path(f"{path}{suffix}")
        if candidate.exists():
            total += candidate.stat().st_size
    return total


def vacuum(db: sqlite_utils.Database) -> None:
    """Rewrite the file without its free pages (SQLite's VACUUM; needs no open transaction)."""
    db.execute("VACUUM")

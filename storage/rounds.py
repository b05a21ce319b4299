"""The bookkeeping of one crawl round, written in one transaction at the round's end.

Most checks find nothing new; for those, only the fetch log row and the watch's row
(validators, hashes, last check) are written. Buffering them per round turns one
transaction per fetch into one per round, with plain prepared statements (the same text
for every row, so SQLite prepares it once). A crash before the flush only loses the
record of checks that found nothing; anything that raises an alert is written at once.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from storage import fetches, watches


class RoundWrites:
    """Fetch log rows and watch-row updates of one round, kept until ``flush``."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.fetch_rows: list[dict[str, Any]] = []
        self.watch_updates: list[tuple[str, dict[str, Any]]] = []

    def log(self, db: sqlite_utils.Database, **row: Any) -> None:
        """Like ``fetches.log``, written at the flush."""
        self.fetch_rows.append(row)

    def update(self, db: sqlite_utils.Database, name: str, **values: Any) -> None:
        """Like ``watches.update``, written at the flush."""
        self.watch_updates.append((name, values))

    def flush(self) -> None:
        """Write everything kept so far in one transaction (a savepoint inside another)."""
        if not self.fetch_rows and not self.watch_updates:
            return
        rows, updates = self.fetch_rows, self.watch_updates
        self.fetch_rows, self.watch_updates = [], []
        with self.db.atomic():
            fetches.log_many(self.db, rows)
            watches.update_many(self.db, updates)

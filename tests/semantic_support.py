"""Replaying fixture folders through the real pipeline, in-process, into a real SQLite file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ircc_watch.cli import CHANGE_FIELDS
from ircc_watch.pipeline import Outcome, Pipeline
from ircc_watch.replay import replay_file
from settings import load_config
from storage import watches
from storage.db import open_db

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEMANTIC = FIXTURES / "semantic"
SYNTHETIC = FIXTURES / "synthetic"
REAL = FIXTURES / "real"
CONFIG = SEMANTIC / "watches.toml"
UNDATED = "2026-03-01T00:00:00Z"


class Replayer:
    """``ircc-watch replay`` without the subprocess: same Fetches, same pipeline, same rows."""

    def __init__(self, db_path: Path) -> None:
        self.config = load_config(CONFIG, db_path)
        self.db = open_db(self.config.settings.database)
        watches.sync(self.db, self.config.watches)
        self.pipeline = Pipeline(self.db, self.config)
        self.handled: list[Outcome] = []

    def folder(self, folder: Path, watch: str | None = None) -> list[dict[str, Any]]:
        """Replay one watch's folder (named after the watch unless ``watch`` is given)."""
        found = self.config.watch(watch or folder.name)
        rows = []
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            outcome = replay_file(self.pipeline, found, path, UNDATED)
            self.handled.append(outcome)
            rows += [{name: row[name] for name in CHANGE_FIELDS} for row in outcome.changes]
        return rows

    def outcomes(self) -> list[tuple[str, str]]:
        """(watch, outcome) of every fetch handled so far, in order."""
        return [(o.watch, o.outcome) for o in self.handled]


def brief(rows: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(kind, audience, title) of each change row."""
    return [(row["kind"], row["audience"], row["title"]) for row in rows]

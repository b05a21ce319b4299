"""The config as it runs: the configured watches plus the twins their baselines found.

Each HTML watch's newest snapshot keeps the addresses its page names for its language versions
(``Document.meta["twins"]``); :func:`settings.twins.with_twins` turns them into watches.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlite_utils

from settings import Config
from settings.twins import TWIN_KINDS, with_twins
from storage import snapshots


def found_twins(
    db: sqlite_utils.Database, config: Config, names: Iterable[str] | None = None
) -> dict[str, dict[str, str]]:
    """Watch name → {lang: address} as its newest snapshot's page names its versions; only the
    watches in ``names`` when given (each one costs a read and decoding of its snapshot)."""
    found: dict[str, dict[str, str]] = {}
    wanted = set(names) if names is not None else None
    for watch in config.watches:
        if wanted is not None and watch.name not in wanted:
            continue
        if not watch.twin or watch.kind not in TWIN_KINDS:
            continue
        snapshot = snapshots.latest(db, watch.name)
        if snapshot is None:
            continue
        meta: dict[str, Any] = json.loads(snapshots.document_json(snapshot)).get("meta") or {}
        if isinstance(meta.get("twins"), dict):
            found[watch.name] = meta["twins"]
    return found


def with_found_twins(
    config: Config, db: sqlite_utils.Database, names: Iterable[str] | None = None
) -> Config:
    """``config`` with every twin already found (see :mod:`settings.twins`); only those of the
    watches in ``names`` when given."""
    return with_twins(config, found_twins(db, config, names))


def with_twins_on_disk(config: Config) -> Config:
    """``with_found_twins`` for a command that may run before any database exists (none: the
    configured watches only, nothing created)."""
    if not Path(config.settings.database).exists():
        return config
    from storage.db import open_db

    db = open_db(config.settings.database)
    try:
        return with_found_twins(config, db)
    finally:
        db.close()

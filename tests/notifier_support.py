"""Helpers for the notifier tests: configs, real feed bytes, a running bot, admin actions."""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import sqlite_utils
from telegram.ext import Application

from crawlers.items import Fetch
from ircc_watch.pipeline import Pipeline
from notifier.routing import recipients_for
from settings import Config, load_config
from storage import watches
from storage.db import open_db
from tests.conftest import REAL, write_config

FEED = REAL / "ee_rounds" / "raw_feed_series1" / "2026-08-20T0217Z_d5efaf91.json"
FEED_URL = "https://www.canada.ca/content/dam/ircc/documents/json/ee_rounds_123_en.json"
FEED_FR_URL = "https://www.canada.ca/content/dam/ircc/documents/json/ee_rounds_123_fr.json"
IEC_URL = "https://www.canada.ca/en/immigration-refugees-citizenship/services/work-canada/iec.html"

WATCHES = [
    {"name": "ee-rounds", "url": FEED_URL, "kind": "ee-rounds", "topic": "express-entry"},
    {
        "name": "ee-rounds-fr",
        "url": FEED_FR_URL,
        "kind": "ee-rounds",
        "topic": "express-entry",
        "lang": "fr",
    },
    {"name": "iec", "url": IEC_URL, "kind": "page", "topic": "iec"},
]


def make_config(
    directory: Path,
    *,
    base_url: str | None = None,
    maintainers: tuple[int, ...] = (),
    admins: tuple[int, ...] = (),
    review: bool = False,
    telegram: bool = True,
    watch_list: list[dict[str, Any]] | None = None,
    settings: dict[str, Any] | None = None,
    extra: str = "",
) -> Config:
    """Write a config.toml (the real loader validates it) and load it; ``extra`` is appended
    after the [telegram] table (more of its keys, [[channel]] blocks)."""
    more, extra = extra, ""
    if telegram:
        extra += "\n[telegram]\n"
        extra += f"maintainers = {json.dumps(list(maintainers))}\n"
        extra += f"admins = {json.dumps(list(admins))}\n"
        if base_url:
            extra += f"base_url = {json.dumps(base_url)}\n"
    extra += more
    if review:
        extra += '\n[review]\nhost = "127.0.0.1"\nport = 8765\n'
    path = write_config(directory, watch_list or WATCHES, settings, extra)
    return load_config(path)


def open_database(config: Config) -> sqlite_utils.Database:
    """The config's database, with its watches synced, as the CLI and service open it."""
    db = open_db(config.settings.database)
    watches.sync(db, config.watches)
    return db


def real_feed() -> dict[str, Any]:
    """The real rounds feed of 2026-08-20 (438 rounds, newest #437)."""
    return json.loads(FEED.read_bytes())


def feed_bytes(feed: dict[str, Any]) -> bytes:
    return json.dumps(feed, ensure_ascii=False, indent=1).encode("utf-8")


def with_round(
    feed: dict[str, Any], number: str, name: str, crs: int, size: int, date: str
) -> dict[str, Any]:
    """The feed with one more round on top, shaped like the real ones (values are strings)."""
    feed = copy.deepcopy(feed)
    new = dict(feed["rounds"][0])
    new.update(
        drawNumber=number,
        drawName=name,
        drawCRS=str(crs),
        drawSize=f"{size:,}",
        drawDate=date,
        drawDateFull=date,
    )
    feed["rounds"].insert(0, new)
    return feed


def without_newest(feed: dict[str, Any]) -> dict[str, Any]:
    """The feed as it was before its newest round."""
    feed = copy.deepcopy(feed)
    feed["rounds"] = feed["rounds"][1:]
    return feed


def french(feed: dict[str, Any]) -> dict[str, Any]:
    """A French-feed look-alike (synthetic: sizes written "5 000", as the French feed does)."""
    feed = copy.deepcopy(feed)
    for draw in feed["rounds"]:
        draw["drawSize"] = draw["drawSize"].replace(",", " ")
    return feed


def fetch(config: Config, watch: str, body: bytes) -> Fetch:
    """A 200 Fetch of ``watch`` with ``body``, as the crawler would yield it."""
    url = config.watch(watch).url
    return Fetch(watch=watch, url=url, final_url=url, status=200, body=body)


def pipeline(db: sqlite_utils.Database, config: Config) -> Pipeline:
    """The real pipeline, routing through notifier.routing as the CLI and service do."""
    return Pipeline(db, config, recipients=lambda change: recipients_for(db, config, change))


class StorageActions:
    """A small real AdminActions: pause/resume/status on the watches table, checks recorded."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.calls: list[tuple[str, ...]] = []

    async def check(self, name: str) -> str:
        self.calls.append(("check", name))
        return f"{name}: checked, unchanged"

    async def pause(self, name: str) -> str:
        self.calls.append(("pause", name))
        return f"{name}: paused" if watches.set_paused(self.db, name, True) else f"no watch {name}"

    async def resume(self, name: str) -> str:
        self.calls.append(("resume", name))
        ok = watches.set_paused(self.db, name, False)
        return f"{name}: resumed" if ok else f"no watch {name}"

    async def status(self) -> str:
        self.calls.append(("status",))
        rows = watches.all_rows(self.db)
        return "\n".join(
            f"{r['name']}: {'paused' if r['paused'] else 'ok'} <{r['kind']}>" for r in rows
        )

    async def reload(self) -> str:
        self.calls.append(("reload",))
        return "config reloaded"


@contextlib.asynccontextmanager
async def running(app: Application) -> AsyncIterator[Application]:
    """The Application polling the fake server, as the service runs it; stopped afterwards."""
    async with app:
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()

"""The messages of docs/told.md, as the fake Telegram Bot API receives them.

Replays the fixture folders of every change kind through the real pipeline (routing, outbox) and
sends the outbox through the real delivery loop to the fake Bot API, for one English and one
French subscriber of every topic; prints, per change kind, the first message each received.

    python -m tests.told_examples > /tmp/told.md
"""

from __future__ import annotations

import asyncio
import copy
import json
import math
import tempfile
import tomllib
from pathlib import Path

from ircc_watch.replay import replay_file
from notifier import ptime_summary
from notifier.bot import build_application
from notifier.delivery import Delivery
from storage import subscribers
from tests.conftest import FIXTURES, unpack
from tests.fakes.telegram_api import FakeTelegram
from tests.notifier_support import (
    StorageActions,
    feed_bytes,
    fetch,
    make_config,
    open_database,
    pipeline,
    real_feed,
    without_newest,
)
from tests.semantic_support import CONFIG, SYNTHETIC, UNDATED

EN, FR = 1001, 1002
SUMMARY = "weekly processing-times summary"
DOMAINS = ["canada.ca", "welcomebc.ca", "gc.ca"]
FOLDERS = [
    ("iec-en", SYNTHETIC / "iec-en"),
    ("iec-fr", SYNTHETIC / "iec-fr"),
    ("ee-categories-en", SYNTHETIC / "ee-categories-en"),
    ("ee-categories-fr", SYNTHETIC / "ee-categories-fr"),
    ("gts-occupations", SYNTHETIC / "gts-occupations"),
    ("events-en", SYNTHETIC / "events-en"),
    ("events-fr", SYNTHETIC / "events-fr"),
    ("ircc-news", FIXTURES / "semantic" / "replay" / "ircc-news"),
    ("bc-pnp-invitations", FIXTURES / "semantic" / "replay" / "bc-pnp-invitations"),
    ("iec-pools", SYNTHETIC / "iec-pools"),
]
PTIME_URL = "https://www.canada.ca/content/dam/ircc/documents/json/data-ptime-non-country-en.json"


def watches() -> list[dict]:
    data = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    chosen = {name for name, _ in FOLDERS} | {"ee-rounds"}
    out = [w for w in data["watch"] if w["name"] in chosen]
    out.append(
        {"name": "ptime-programs", "url": PTIME_URL, "kind": "processing-times",
         "topic": "processing-times"}
    )  # fmt: skip
    return out


async def collect(directory: Path) -> dict[str, dict[str, str]]:
    told: dict[str, dict[str, str]] = {}
    with FakeTelegram(per_chat_per_second=math.inf, per_group_per_minute=math.inf) as fake:
        config = make_config(
            directory,
            base_url=fake.base_url,
            watch_list=watches(),
            settings={"bulk_threshold": 50, "allowed_domains": DOMAINS},
        )
        db = open_database(config)
        for chat, lang in ((EN, "en"), (FR, "fr")):
            subscribers.ensure(db, chat, lang)
            for topic in config.topics():
                subscribers.subscribe(db, chat, topic)
        pipe = pipeline(db, config)
        app = build_application(config, db, token=fake.token, actions=StorageActions(db))
        async with app:
            delivery = Delivery(db, config, app.bot, chat_interval=0)

            async def send(kinds: list[str]) -> None:
                await delivery.send_due()
                for chat, lang in ((EN, "en"), (FR, "fr")):
                    by_id = {m["message_id"]: m for m in fake.messages_to(chat)}
                    for kind, message_id in db.execute(
                        "SELECT c.kind, d.message_id FROM deliveries d JOIN changes c "
                        "ON c.id = d.change_id WHERE d.chat_id = ? AND d.status = 'sent'",
                        [chat],
                    ).fetchall():
                        if message_id in by_id:
                            text = by_id[message_id]["visible_text"]
                            told.setdefault(kind, {}).setdefault(lang, text)

            for name, folder in FOLDERS:
                watch = config.watch(name)
                for path in sorted(p for p in folder.iterdir() if p.is_file()):
                    outcome = replay_file(pipe, watch, path, UNDATED)
                    await send([c["kind"] for c in outcome.changes])
            feed = real_feed()
            pipe.handle(fetch(config, "ee-rounds", feed_bytes(without_newest(feed))))
            [draw] = pipe.handle(fetch(config, "ee-rounds", feed_bytes(feed))).changes
            await send([draw["kind"]])
            fixed = copy.deepcopy(feed)
            fixed["rounds"][0]["drawCRS"] = "385"
            [fix] = pipe.handle(fetch(config, "ee-rounds", feed_bytes(fixed))).changes
            await send([fix["kind"]])
            archive = FIXTURES / "real" / "processing_times"
            unpack(archive / "ptime_non_country_en_2025_all_versions.tar.xz", directory / "pt")
            files = sorted((directory / "pt" / "ptime-non-country-en").iterdir())[:2]
            for path in files:
                body = json.loads(path.read_text(encoding="utf-8"))
                changes = pipe.handle(
                    fetch(config, "ptime-programs", json.dumps(body).encode())
                ).changes
                await send([c["kind"] for c in changes])
            # The week's small moves, released by the weekly job, go out as one summary.
            seen = {chat: len(fake.messages_to(chat)) for chat in (EN, FR)}
            ptime_summary.release(db)
            await delivery.send_due()
            for chat, lang in ((EN, "en"), (FR, "fr")):
                for message in fake.messages_to(chat)[seen[chat] :]:
                    told.setdefault(SUMMARY, {}).setdefault(lang, message["visible_text"])
    return told


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        told = asyncio.run(collect(Path(tmp)))
    for kind in sorted(told):
        print(f"### {kind}\n")
        for lang in ("en", "fr"):
            if lang in told[kind]:
                print(f"{'English' if lang == 'en' else 'Français'}:\n")
                print("```\n" + told[kind][lang] + "\n```\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

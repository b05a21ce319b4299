"""/ptime and /iec through the fake Bot API (PTB polling), and what the choices route.

The watches hold real processing-times versions (2025-11-27, then 2025-12-04) and the
synthetic IEC history's first two versions, handled by the real pipeline.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from telegram.ext import Application

from notifier.bot import build_application
from notifier.delivery import Delivery
from settings import Config
from storage import preferences, subscribers
from tests.conftest import REAL, ROOT, unpack
from tests.fakes.telegram_api import FakeTelegram
from tests.notifier_support import (
    StorageActions,
    fetch,
    make_config,
    open_database,
    pipeline,
    running,
)

ALICE, BOB, CAROL, DAVE = 111, 222, 333, 444
MAINTAINER = 900  # a private chat: no group pacing in the delivery test
IEC = ROOT / "tests" / "fixtures" / "synthetic" / "iec-pools"
WATCHES = [
    {
        "name": "ptime-programs",
        "kind": "processing-times",
        "topic": "processing-times",
        "url": "https://www.canada.ca/content/dam/ircc/documents/json/data-ptime-non-country-en.json",
    },
    {
        "name": "ptime-countries",
        "kind": "processing-times",
        "topic": "processing-times",
        "url": "https://www.canada.ca/content/dam/ircc/documents/json/data-ptime-en.json",
    },
    {
        "name": "iec-pools",
        "kind": "iec-pools",
        "topic": "iec",
        "url": "https://ircc.canada.ca/english/work/iec/selections.xml",
    },
]


@dataclass
class Env:
    fake: FakeTelegram
    config: Config
    db: sqlite_utils.Database
    versions: dict[str, list[Path]]
    app: Application | None = None

    async def say(self, chat: int, text: str, **kw: Any) -> str:
        """Send ``text`` from ``chat``; the visible text of the bot's reply (every part)."""
        before = len(self.fake.messages_to(chat))
        self.fake.inject_message(chat, text, **kw)
        ok = await self.fake.wait_for_async(
            lambda: len(self.fake.messages_to(chat)) > before, timeout=5
        )
        assert ok, f"no reply to {text!r}"
        count = 0
        while count != len(self.fake.messages_to(chat)):  # a long reply comes in parts
            count = len(self.fake.messages_to(chat))
            await self.fake.wait_for_async(lambda: False, timeout=0.2)
        return "\n".join(m["visible_text"] for m in self.fake.messages_to(chat)[before:])

    def feed(self, watch: str, path: Path, now: str) -> list[dict[str, Any]]:
        body = path.read_bytes()
        return pipeline(self.db, self.config).handle(fetch(self.config, watch, body), now).changes


def version(paths: list[Path], day: str) -> Path:
    return next(p for p in paths if p.name.startswith(day))


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(per_chat_per_second=math.inf, per_group_per_minute=math.inf) as server:
        yield server


@pytest.fixture
async def env(tmp_path, fake) -> AsyncIterator[Env]:
    config = make_config(
        tmp_path, base_url=fake.base_url, maintainers=(MAINTAINER,), watch_list=WATCHES
    )
    db = open_database(config)
    versions = {
        "ptime-programs": unpack(
            REAL / "processing_times" / "ptime_non_country_en_2025_all_versions.tar.xz",
            tmp_path / "programs",
        ),
        "ptime-countries": unpack(
            REAL / "processing_times" / "ptime_en_2025_all_versions.tar.xz", tmp_path / "countries"
        ),
        "iec-pools": sorted(IEC.iterdir()),
    }
    e = Env(fake, config, db, versions)
    e.feed(
        "ptime-programs", version(versions["ptime-programs"], "2025-11-27"), "2025-11-27T02:00:00Z"
    )
    e.feed(
        "ptime-countries",
        version(versions["ptime-countries"], "2025-11-27"),
        "2025-11-27T02:00:00Z",
    )
    e.feed("iec-pools", versions["iec-pools"][0], "2023-02-10T21:00:00Z")
    e.app = build_application(config, db, token=fake.token, actions=StorageActions(db))
    async with running(e.app):
        yield e


async def test_ptime_shows_the_current_times(env: Env) -> None:
    text = await env.say(ALICE, "/ptime")
    assert text.startswith("Processing times (IRCC)")
    assert "IEC work permits: 5 weeks (as of November 26, 2025)" in text
    assert "Federal Skilled Worker (Express Entry): 5 months (as of October 1, 2025)" in text
    assert "Choose: /ptime country IN (or a name), /ptime programs" in text
    french = await env.say(BOB, "/ptime", language_code="fr")
    assert "Permis de travail EIC\u00a0: 5 semaines (au 26 novembre 2025)" in french


async def test_ptime_country_by_code_or_name_in_both_languages(env: Env) -> None:
    assert (
        await env.say(BOB, "/ptime country Inde", language_code="fr") == "Vous suivez\u00a0: Inde"
    )
    assert await env.say(BOB, "/ptime country de") == "Vous suivez\u00a0: Allemagne, Inde"
    assert preferences.countries(env.db, BOB) == {"DE", "IN"}
    assert "processing-times" in subscribers.topics(env.db, BOB)
    text = await env.say(BOB, "/ptime")
    assert "Vos pays" in text
    assert "Inde — Permis de travail (hors du Canada)\u00a0: " in text
    refused = await env.say(ALICE, "/ptime country Narnia")
    assert refused.startswith("No country “Narnia” in IRCC's processing times.")
    assert await env.say(BOB, "/ptime country off") == (
        "Aucun pays choisi\u00a0: les alertes par pays arrivent entières."
    )
    assert preferences.countries(env.db, BOB) == set()


async def test_ptime_programs_lists_and_chooses(env: Env) -> None:
    listing = await env.say(ALICE, "/ptime programs")
    assert listing.startswith("You follow every program.")
    assert "iec – IEC work permits" in listing and "work – Work permit (outside Canada)" in listing
    assert await env.say(ALICE, "/ptime programs iec caregivers") == (
        "You follow: Caregivers, IEC work permits"
    )
    assert preferences.programs(env.db, ALICE) == {"iec", "caregivers"}
    text = await env.say(ALICE, "/ptime")
    assert "IEC work permits: 5 weeks" in text and "Work permit extension" not in text
    bad = await env.say(ALICE, "/ptime programs iec nonsense")
    assert bad == "Unknown program key: nonsense. Send /ptime programs for the list."
    bad = await env.say(ALICE, "/ptime programs iec nonsense other")
    assert bad == "Unknown program keys: nonsense, other. Send /ptime programs for the list."
    assert await env.say(ALICE, "/ptime programs off") == "You follow every program."


async def test_iec_follow_list_and_off(env: Env) -> None:
    assert await env.say(DAVE, "/iec France wh") == (
        "You now follow IEC Working Holiday — France: its invitation figures reach you each week."
    )
    assert await env.say(DAVE, "/iec fr wh") == "You already follow IEC Working Holiday — France."
    assert await env.say(CAROL, "/iec Japon wh", language_code="fr") == (
        "Vous suivez maintenant EIC Vacances-travail — Japon\u00a0: ses chiffres "
        "d’invitations vous "
        "parviennent chaque semaine."
    )
    assert preferences.pools(env.db, DAVE) == {("fr", "wh")}
    assert "iec" in subscribers.topics(env.db, DAVE)
    listing = await env.say(DAVE, "/iec")
    assert listing == (
        "Your IEC pools\nIEC Working Holiday — France: 11,463 invitations, 5,022 candidates, "
        "312 spots left"
    )
    assert (await env.say(DAVE, "/iec Narnia wh")).startswith("No IEC pool “Narnia wh”")
    assert (await env.say(DAVE, "/iec France xx")).startswith("Usage: /iec COUNTRY CATEGORY")
    assert (await env.say(DAVE, "/iec off")).startswith("You follow no IEC pool any more")
    assert preferences.pools(env.db, DAVE) == set()


async def test_choices_route_the_next_week_and_put_a_subscriber_s_country_first(
    env: Env,
) -> None:
    await env.say(ALICE, "/ptime programs iec")  # only IEC work permits
    await env.say(BOB, "/ptime country IN")  # everything, and India's lines first
    await env.say(BOB, "/ptime min 0")  # every move at once, however small
    await env.say(CAROL, "/subscribe iec")  # IEC, no pool chosen
    await env.say(DAVE, "/iec France wh")
    rows = env.feed(
        "ptime-programs",
        version(env.versions["ptime-programs"], "2025-12-04"),
        "2025-12-04T02:00:00Z",
    )
    rows += env.feed(
        "ptime-countries",
        version(env.versions["ptime-countries"], "2025-12-04"),
        "2025-12-04T02:00:00Z",
    )
    rows += env.feed("iec-pools", env.versions["iec-pools"][1], "2023-02-17T21:00:00Z")
    got: Counter[tuple[int, str]] = Counter()
    for row in rows:
        for chat in {
            d["chat_id"]
            for d in env.db.query("SELECT chat_id FROM deliveries WHERE change_id = ?", [row["id"]])
        }:
            got[(chat, row["watch"])] += 1
    programs = sum(1 for r in rows if r["watch"] == "ptime-programs")
    india = [r for r in rows if "IN" in r["data"].get("countries", [])]
    assert got[(ALICE, "ptime-programs")] == 1 and got[(ALICE, "ptime-countries")] == 0
    assert got[(BOB, "ptime-programs")] == programs
    assert got[(BOB, "ptime-countries")] == len(india) > 0
    assert got[(CAROL, "iec-pools")] == 0  # pool figures only to the pool's followers
    assert got[(DAVE, "iec-pools")] == 1
    assert got[(MAINTAINER, "iec-pools")] == 4

    bot = env.fake
    assert env.app is not None
    await Delivery(env.db, env.config, env.app.bot, chat_interval=0).send_due()
    first_india = india[0]
    message = next(
        m for m in bot.messages_to(BOB) if m["visible_text"].startswith(first_india["title"])
    )
    lines = message["visible_text"].splitlines()
    move = next(m for m in first_india["data"]["moves"] if m["country"] == "IN")
    assert lines[1] == f"India: {move['before']} → {move['after']}"
    [dave] = [m for m in bot.messages_to(DAVE) if m["visible_text"].startswith("IEC Working")]
    assert "14,588 invitations (was 11,463)" in dave["visible_text"]


async def test_export_shows_and_stop_erases_the_data_kind_choices(env: Env) -> None:
    await env.say(BOB, "/ptime country IN")
    await env.say(BOB, "/ptime programs work")
    await env.say(BOB, "/iec France wh")
    env.fake.inject_message(BOB, "/export")
    assert await env.fake.wait_for_async(lambda: len(env.fake.documents) == 1, timeout=5)
    data = json.loads(env.fake.documents[0]["content"])
    assert data["processing_times"] == {"countries": ["IN"], "programs": ["work"]}
    assert data["iec_pools"] == [["fr", "wh"]]
    assert set(data["topics"]) == {"iec", "processing-times"}
    await env.say(BOB, "/stop")
    assert preferences.countries(env.db, BOB) == set()
    assert preferences.programs(env.db, BOB) == set()
    assert preferences.pools(env.db, BOB) == set()
    assert list(env.db.query("SELECT * FROM ptime_prefs")) == []

"""Processing times that matter: a move below the subscriber's /ptime min (default: a week or
10 %) is not sent at once but in the weekly summary, one message, biggest moves first, released
by the real APScheduler job; every stored change has a summary."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from notifier import ptime_summary
from notifier.bot import build_application
from notifier.delivery import Delivery
from storage import deliveries
from tests.conftest import REAL, unpack
from tests.fakes.telegram_api import FakeTelegram
from tests.notifier_support import (
    StorageActions,
    fetch,
    make_config,
    open_database,
    pipeline,
    running,
)

URL = "https://www.canada.ca/content/dam/ircc/documents/json/data-ptime-non-country-en.json"
ALICE, BRUNO, CAROL = 401, 402, 403


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(per_chat_per_second=math.inf, per_group_per_minute=math.inf) as server:
        yield server


def first_version(tmp_path) -> dict:
    """IRCC's real programs file of 2025-03-02 (work permit extension 117 days, study permit
    extension 112 days, visitor record 113 days…)."""
    archive = REAL / "processing_times" / "ptime_non_country_en_2025_all_versions.tar.xz"
    unpack(archive, tmp_path / "raw")
    path = sorted((tmp_path / "raw" / "ptime-non-country-en").iterdir())[0]
    return json.loads(path.read_text(encoding="utf-8"))


def body(data: dict, **values: str) -> bytes:
    data = json.loads(json.dumps(data))
    for group, value in values.items():
        data[group][group] = value
    return json.dumps(data).encode("utf-8")


async def ask(fake, chat: int, text: str, **kw) -> str:
    before = len(fake.messages_to(chat))
    fake.inject_message(chat, text, **kw)
    assert await fake.wait_for_async(lambda: len(fake.messages_to(chat)) > before, timeout=5)
    return fake.messages_to(chat)[-1]["visible_text"]


async def test_small_moves_wait_for_the_weekly_summary_released_by_the_scheduler(tmp_path, fake):
    watch = {"name": "ptime-programs", "url": URL, "kind": "processing-times"}
    config = make_config(
        tmp_path, base_url=fake.base_url, watch_list=[{**watch, "topic": "processing-times"}]
    )
    db = open_database(config)
    pipe = pipeline(db, config)
    data = first_version(tmp_path)
    visitor = data["visitor_extension"]["visitor_extension"]
    pipe.handle(fetch(config, "ptime-programs", body(data)))
    app = build_application(config, db, token=fake.token, actions=StorageActions(db))
    async with running(app):
        await ask(fake, ALICE, "/subscribe processing-times")
        await ask(fake, BRUNO, "/subscribe processing-times", language_code="fr")
        await ask(fake, CAROL, "/subscribe processing-times")
        assert await ask(fake, ALICE, "/ptime min") == (
            "Processing-time moves of at least one week or 10 % reach you at once; smaller ones "
            "come in a weekly summary on Mondays. Change it: /ptime min 2w, /ptime min 15%, "
            "/ptime min 0 (every move at once)."
        )
        assert await ask(fake, CAROL, "/ptime min 0") == (
            "Every processing-time move reaches you at once."
        )
        assert (await ask(fake, BRUNO, "/ptime min deux")).startswith(
            "Utilisation\u00a0: /ptime min"
        )
        seen = {chat: len(fake.messages_to(chat)) for chat in (ALICE, BRUNO, CAROL)}

        # Work permit extension 117 → 115 days (2 days, 2 %): small. Study permit extension
        # 112 → 140 days (4 weeks, 25 %): big. Then visitor record 119 → 124 days (5 days).
        moved = pipe.handle(
            fetch(
                config,
                "ptime-programs",
                body(data, work_extension="115 days", study_extension="140 days"),
            )
        ).changes
        pipe.handle(
            fetch(
                config,
                "ptime-programs",
                body(
                    data,
                    work_extension="115 days",
                    study_extension="140 days",
                    visitor_extension="124 days",
                ),
            )
        )
        assert len(moved) == 2 and all(c["summary"] for c in moved)
        delivery = Delivery(db, config, app.bot, chat_interval=0)
        await delivery.send_due()

        def new(chat: int) -> list[str]:
            return [m["visible_text"] for m in fake.messages_to(chat)[seen[chat] :]]

        [alice] = new(ALICE)
        assert alice.startswith(
            "Study permit extension: processing time 112 days → 140 days (IRCC, as of "
            "February 25, 2025)\n28 days longer (+25\u00a0%).\n"
        )
        assert len(new(CAROL)) == 3  # /ptime min 0: every move at once
        assert {d["held_for"] for d in deliveries.for_chat(db, ALICE)} >= {"ptime"}

        # The weekly job, through the real scheduler (a date trigger instead of Mondays).
        scheduler = AsyncIOScheduler(timezone=UTC)
        soon = datetime.now(UTC) + timedelta(seconds=0.3)
        ptime_summary.schedule(scheduler, db, delivery.wake, DateTrigger(run_date=soon))
        scheduler.start()
        try:
            for _ in range(50):
                if not any(d["held_for"] == "ptime" for d in deliveries.for_chat(db, ALICE)):
                    break
                await asyncio.sleep(0.1)
        finally:
            scheduler.shutdown(wait=False)
        await delivery.send_due()

    [summary] = new(ALICE)[1:]
    assert summary.startswith(
        "Processing times this week: 2 moves below your /ptime min, biggest first\n\n"
        "Visitor record (extending a stay): processing time 119 days → 124 days"
    )
    assert summary.index("5 days longer") < summary.index("2 days shorter")
    assert visitor == "119 days"
    [bruno] = new(BRUNO)[1:]
    assert bruno.startswith(
        "Délais de traitement de la semaine\u00a0: 2 variations sous votre /ptime min, "
        "les plus grands d’abord"
    )
    assert "5 jours de plus" in bruno and "2 jours de moins" in bruno
    assert len(new(CAROL)) == 3  # nothing held for Carol, no summary


def test_the_service_schedules_the_summary_weekly():
    trigger = ptime_summary.weekly()
    fields = {field.name: str(field) for field in trigger.fields}
    assert (fields["day_of_week"], fields["hour"], fields["minute"]) == ("mon", "13", "0")

"""The weekly processing-times summary: the small moves of the week, one message per chat.

A processing-time move below a subscriber's ``/ptime min`` (default: less than a week and less
than 10 %) is not sent at once: its delivery waits, held for the summary
(:func:`notifier.datakinds.waits_for_summary`). Each week the scheduler's job releases every such
row into its chat's digest, which the delivery loop sends as one message, the biggest moves
first (:func:`notifier.render.digest`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlite_utils
from apscheduler.triggers.cron import CronTrigger

from storage import deliveries

JOB_ID = "@ptime-summary"  # not a valid watch name, so never a watch's job id


def weekly() -> CronTrigger:
    """Mondays 13:00 UTC (9:00 in Toronto in summer, 8:00 in winter)."""
    return CronTrigger(day_of_week="mon", hour=13, minute=0, timezone=UTC)


def release(db: sqlite_utils.Database, now: datetime | None = None) -> int:
    """Release the week's held moves into their chats' digests, due now."""
    moment = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return deliveries.release_ptime(db, moment)


def schedule(
    scheduler: Any,
    db: sqlite_utils.Database,
    wake: Callable[[], None] | None = None,
    trigger: Any = None,
) -> None:
    """Add the summary job to an APScheduler ``scheduler`` (weekly unless ``trigger`` says
    otherwise); ``wake`` tells the delivery loop to send at once."""

    async def job() -> None:
        # A coroutine: it runs on the loop's thread, which owns the database connection.
        if release(db) and wake is not None:
            wake()

    scheduler.add_job(
        job,
        trigger or weekly(),
        id=JOB_ID,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=6 * 3600,
        replace_existing=True,
    )

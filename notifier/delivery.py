"""The delivery loop: sends what the outbox holds, at Telegram's pace, and marks it.

Guarantee: a delivery is sent once in normal operation. Before a message goes out its row is
marked ``sending`` (and its attempt counted) in a committed write; right after Telegram accepts
it, it is marked ``sent``. A crash between those two writes leaves it ``sending``; the next
:meth:`Delivery.run` puts it back in the queue, so that one message may arrive twice, but no
alert is ever lost. A message split in parts records each part as it is accepted, so a retry
resumes after the last part that went out.

Failures: 429 → AIORateLimiter waits ``retry_after`` and resends; if it still fails, the row
waits ``retry_after`` in the queue. Network errors and 5xx → exponential backoff through
``next_attempt_at``. 403 (blocked, deactivated, kicked) → the subscriber is marked inactive and
every unsent delivery to that chat cancelled. 400 → failed with Telegram's error, not retried.

All database access is short synchronous calls on the event loop's thread, never across an
``await``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils
import telegram
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from ircc_watch.config import Config
from notifier import render
from notifier.cmd_hold import hold_keyboard
from storage import changes, deliveries, subscribers
from storage.db import utcnow

log = logging.getLogger("ircc_watch.delivery")


class Delivery:
    """Sends due deliveries through ``bot``; with no bot, writes each alert to the log."""

    backoff_base = 5.0  # seconds before the first retry after a network error
    backoff_max = 3600.0
    max_attempts = 12  # network failures before a delivery is given up
    batch = 500
    concurrency = 30  # chats served at once; AIORateLimiter keeps the overall rate

    def __init__(
        self,
        db: sqlite_utils.Database,
        config: Config,
        bot: telegram.Bot | None,
        *,
        chat_interval: float = 1.0,
        health: Any = None,
    ) -> None:
        """``chat_interval``: the least time between two messages to the same chat.
        ``health`` (an ircc_watch.botlink.TelegramHealth) is told when the Bot API cannot be
        reached: the loop then waits as it says, and the deliveries keep their attempts."""
        self.db = db
        self.health = health
        self.config = config
        self.bot = bot
        self.chat_interval = chat_interval
        self._chat_ready: dict[int, float] = {}
        self._wake = asyncio.Event()
        self._stop: asyncio.Event | None = None
        row = db.execute("SELECT MAX(id) FROM changes").fetchone()
        self._logged_upto: int = row[0] or 0

    def wake(self) -> None:
        """Ask :meth:`run` to look for due deliveries now rather than at its next tick."""
        self._wake.set()

    async def send_due(self, now: str | None = None) -> int:
        """Send every due delivery once; returns how many went out (or were logged, with no bot).

        ``now`` (stored form, "YYYY-MM-DDTHH:MM:SSZ") picks what is due and dates the retries.
        """
        now = now or utcnow()
        if self.bot is None:
            return self._log_alerts(now)
        if self.health is not None and self.health.waiting() > 0:
            return 0  # the Bot API is unreachable: everything waits, nothing is given up
        rows = deliveries.due(self.db, now, self.batch)
        by_chat: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            by_chat.setdefault(row["chat_id"], []).append(row)
        gate = asyncio.Semaphore(self.concurrency)
        cache: dict[int, dict[str, Any] | None] = {}
        sent = await asyncio.gather(
            *(self._serve_chat(chat, queue, now, gate, cache) for chat, queue in by_chat.items())
        )
        return sum(sent)

    async def run(self, stop: asyncio.Event, interval: float = 1.0) -> None:
        """Send due deliveries every ``interval`` seconds until ``stop`` is set.

        Deliveries a crash left half-sent are queued again first. Once ``stop`` is set, the
        message in flight is finished and marked, and nothing more is started.
        """
        self._stop = stop
        recovered = deliveries.recover(self.db)
        if recovered:
            log.warning("requeued %d deliveries interrupted by a crash (may repeat)", recovered)
        while not stop.is_set():
            try:
                await self.send_due()
            except Exception:
                log.exception("delivery pass failed")
            self._wake.clear()
            waiters = [asyncio.ensure_future(e.wait()) for e in (stop, self._wake)]
            try:
                await asyncio.wait(waiters, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()

    def _stopping(self) -> bool:
        return self._stop is not None and self._stop.is_set()

    async def _serve_chat(
        self,
        chat_id: int,
        queue: list[dict[str, Any]],
        now: str,
        gate: asyncio.Semaphore,
        cache: dict[int, dict[str, Any] | None],
    ) -> int:
        """Send one chat's due deliveries in order, paced; stop at the first that fails."""
        sent = 0
        async with gate:
            for row in queue:
                if self._stopping():
                    break
                if row["change_id"] not in cache:
                    cache[row["change_id"]] = changes.get(self.db, row["change_id"])
                outcome = await self._send(row, cache[row["change_id"]], now)
                sent += outcome == "sent"
                if outcome in ("blocked", "retry", "stopped"):
                    break  # the chat's other deliveries wait their turn (or were cancelled)
        return sent

    async def _pace(self, chat_id: int) -> bool:
        """Wait until the chat may receive another message; False if told to stop meanwhile."""
        delay = self._chat_ready.get(chat_id, 0.0) - time.monotonic()
        if delay > 0:
            if self._stop is None:
                await asyncio.sleep(delay)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), delay)
        self._chat_ready[chat_id] = time.monotonic() + self.chat_interval
        return not self._stopping()

    async def _send(self, row: dict[str, Any], change: dict[str, Any] | None, now: str) -> str:
        """Send one delivery (all its remaining parts); returns what became of it."""
        assert self.bot is not None
        if change is None:
            deliveries.mark_failed(self.db, row["id"], "change not found")
            return "skipped"
        parts = render.alert(change, row["lang"], row["role"], self.config)
        markup = None
        if row["role"] == "maintainer" and not change.get("reviewed_at"):
            markup = render.review_keyboard(change["id"], row["lang"])
        if change["kind"] == "bulk_held" and row["role"] in ("maintainer", "admin"):
            markup = hold_keyboard(self.db, change, row["lang"])
        if not await self._pace(row["chat_id"]):
            return "stopped"  # nothing started: the row stays pending
        deliveries.mark_sending(self.db, row["id"])
        message_id = row.get("message_id")
        first = row.get("parts_sent") or 0
        for index in range(first, len(parts)):
            last = index == len(parts) - 1
            if index > first:
                await self._pace(row["chat_id"])  # the message is in flight: finish it
            try:
                message = await self.bot.send_message(
                    row["chat_id"],
                    parts[index],
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup if last else None,
                    link_preview_options=render.NO_PREVIEW,
                )
            except Forbidden as exc:
                self._blocked(row["chat_id"], str(exc))
                return "blocked"
            except RetryAfter as exc:
                wait = _seconds(exc)
                deliveries.retry_at(
                    self.db, row["id"], _later(now, wait), f"429: retry after {wait:g}s"
                )
                log.warning("chat %s rate limited: retry in %gs", row["chat_id"], wait)
                return "retry"
            except ChatMigrated as exc:
                error = f"group became supergroup {exc.new_chat_id}; /start the bot there"
                deliveries.mark_failed(self.db, row["id"], error)
                log.error("delivery %s to %s: %s", row["id"], row["chat_id"], error)
                return "failed"
            except BadRequest as exc:
                deliveries.mark_failed(self.db, row["id"], f"400: {exc.message}")
                log.error("delivery %s to %s refused: %s", row["id"], row["chat_id"], exc.message)
                return "failed"
            except NetworkError as exc:
                error = f"{type(exc).__name__}: {exc.message}"
                if self.health is None:
                    return self._backoff(row, now, error)
                wait = self.health.down(exc.message)
                deliveries.retry_at(self.db, row["id"], _later(now, wait), error)
                return "retry"
            except TelegramError as exc:
                return self._backoff(row, now, f"{type(exc).__name__}: {exc.message}")
            except Exception as exc:  # never leave a row 'sending' behind while running
                log.exception("delivery %s to %s: unexpected error", row["id"], row["chat_id"])
                return self._backoff(row, now, f"{type(exc).__name__}: {exc}")
            message_id = message.message_id
            if not last:
                deliveries.mark_part_sent(self.db, row["id"], index + 1, message_id)
        deliveries.mark_sent(self.db, row["id"], message_id, len(parts))
        if self.health is not None:
            self.health.up()
        return "sent"

    def _blocked(self, chat_id: int, reason: str) -> None:
        """The chat refuses the bot: deactivate it and cancel what it was still due."""
        with self.db.atomic():
            subscribers.deactivate(self.db, chat_id, reason)
            cancelled = deliveries.cancel_for_chat(self.db, chat_id, f"403: {reason}")
        log.warning(
            "chat %s blocked the bot (%s): %d deliveries cancelled", chat_id, reason, cancelled
        )

    def _backoff(self, row: dict[str, Any], now: str, error: str) -> str:
        """A network error or server fault: retry later, each time waiting twice as long."""
        attempts = (row.get("attempts") or 0) + 1
        if attempts >= self.max_attempts:
            deliveries.mark_failed(
                self.db, row["id"], f"gave up after {attempts} attempts: {error}"
            )
            log.error("delivery %s to %s given up: %s", row["id"], row["chat_id"], error)
            return "failed"
        wait = min(self.backoff_base * 2 ** (attempts - 1), self.backoff_max)
        deliveries.retry_at(self.db, row["id"], _later(now, wait), error)
        log.warning("delivery %s to %s: %s; retry in %gs", row["id"], row["chat_id"], error, wait)
        return "retry"

    def _log_alerts(self, now: str) -> int:
        """No token: log every new change and every due delivery's change once, mark them logged."""
        due = deliveries.due(self.db, now, self.batch)
        ids = {row["change_id"] for row in due}
        ids |= {
            row[0]
            for row in self.db.execute(
                "SELECT id FROM changes WHERE id > ? ORDER BY id", [self._logged_upto]
            )
        }
        for change_id in sorted(ids):
            change = changes.get(self.db, change_id)
            if change is None:
                continue
            recipients = sum(1 for row in due if row["change_id"] == change_id)
            log.warning(
                "alert (no Telegram token): [%s] %s: %s — %s (%d recipients)",
                change["kind"],
                change["watch"],
                change["title"],
                change["summary"].replace("\n", " / "),
                recipients,
            )
            self._logged_upto = max(self._logged_upto, change_id)
        deliveries.mark_logged(self.db, [row["id"] for row in due])
        return len(ids)


def _seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds, whichever form this PTB version gives it in."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    with contextlib.suppress(TypeError, ValueError):
        return float(value)
    return 1.0


def _later(now: str, seconds: float) -> str:
    """``now`` plus ``seconds`` (rounded up to a whole second), in the stored form."""
    moment = datetime.strptime(now, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return (moment + timedelta(seconds=max(1, -(-seconds // 1)))).strftime("%Y-%m-%dT%H:%M:%SZ")

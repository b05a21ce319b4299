"""The delivery loop: sends what the outbox holds, at Telegram's pace, and marks it.

Guarantee: a delivery is sent once in normal operation. Each pass claims the rows it will send
in the next seconds (``claimed``, with this process's lease) in one committed conditional write;
each row is marked ``sending`` just before its message goes out and ``sent`` right after
Telegram accepts it; claimed rows the pass did not reach go back to ``pending``. Of several
delivery loops sharing one database (several processes, several bot tokens), only the one whose
claim succeeded sends a row, and the others take the next rows. A crash leaves rows ``claimed``
(never sent) or ``sending`` (maybe sent): the next start on this host requeues the rows of
processes that no longer run, and any loop takes a row whose lease expired, so that one
message may arrive twice, but no alert is ever lost. A message split in parts records each part
as it is accepted, so a retry resumes after the last part that went out.

Subscribers' settings (notifier.schedule): in quiet hours a row waits for their end; with a
digest it waits for the digest time, when every waiting row of that chat goes out as one
message and all of them are marked sent in one transaction. Channels (role ``channel``) get one
post per change; a ``draw_corrected`` edits the channel's post of that draw and replies to it
with the correction. A channel the bot was removed from (403, chat not found) is reported to
the admins once, in their language.

Paid broadcast ([telegram] paid_broadcast): a subscriber's alert of a chosen kind (a new draw)
goes out with ``allow_paid_broadcast``, paced at up to 1,000 messages a second instead of 30,
while the day's budget lasts: each message is reserved in the database before it leaves
(storage.paid), so no day ever passes paid_broadcast_daily_cap; past it, alerts go out free.

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
import os
import socket
import time
import uuid
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

from diffing.formats import plural
from notifier import datakinds, render, schedule
from notifier.cmd_hold import hold_keyboard
from notifier.i18n import t
from notifier.routing import filter_explanation
from settings import Config
from storage import changes, channels, deliveries, paid, subscribers
from storage.db import utcnow
from storage.masking import mask_tokens

log = logging.getLogger("ircc_watch.delivery")

# The lease owners of this process's delivery loops: a row leased by this pid under another
# owner belongs to an earlier process that had the same pid (a container restarted as pid 1).
_LIVE_OWNERS: set[str] = set()


class Delivery:
    """Sends due deliveries through ``bot``; with no bot, writes each alert to the log."""

    backoff_base = 5.0  # seconds before the first retry after a network error
    backoff_max = 3600.0
    max_attempts = 12  # network failures before a delivery is given up
    batch = 500
    concurrency = 30  # chats served at once; AIORateLimiter keeps the overall rate
    lease_seconds = 120.0  # a claimed row is this process's for so long (renewed per part)
    claim_seconds = 5.0  # a pass claims what it can send in this long at ``rate``

    def __init__(
        self,
        db: sqlite_utils.Database,
        config: Config,
        bot: telegram.Bot | None,
        *,
        chat_interval: float = 1.0,
        group_interval: float = 3.0,
        rate: float = 30.0,
        paid_rate: float = 1000.0,
        health: Any = None,
    ) -> None:
        """``chat_interval``: the least time between two messages to the same private chat;
        ``group_interval``: the same for a group or channel (Telegram: 20 a minute);
        ``rate``: messages a second overall, evenly spaced (Telegram: about 30; PTB's
        AIORateLimiter allows bursts, and a burst that meets a 429 pauses every send);
        ``paid_rate``: the same for paid broadcasts (Telegram: 1,000 a second).
        ``health`` (an ircc_watch.botlink.TelegramHealth) is told when the Bot API cannot be
        reached: the loop then waits as it says, and the deliveries keep their attempts."""
        self.db = db
        self.health = health
        self.config = config
        self.bot = bot
        self.chat_interval = chat_interval
        self.group_interval = group_interval
        self.rate = rate
        self.paid_rate = paid_rate
        self._next_slot = 0.0
        self._next_paid_slot = 0.0
        self._more = False
        self._lines: dict[tuple[int, str], list[str]] = {}
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        _LIVE_OWNERS.add(self.owner)
        self._chat_ready: dict[int | str, float] = {}
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
        cache: dict[int, dict[str, Any] | None] = {}
        self._lines: dict[tuple[int, str], list[str]] = {}
        due = deliveries.due(self.db, now, self.batch)
        rows = self._apply_holds(due, now, cache)
        # Claim what this loop sends in the next few seconds, at once: another delivery loop on
        # this database skips these rows and takes the next ones, so the work divides.
        if self.rate > 0:
            rate = self.paid_rate if self._paid_kinds() else self.rate
            rows = rows[: max(self.concurrency, int(rate * self.claim_seconds))]
        # More is due than this pass takes: the loop starts the next pass at once.
        self._more = len(due) >= self.batch or len(rows) < len(due)
        until = _later(now, self.lease_seconds + len(rows) / max(self.rate, 1.0))
        mine = deliveries.claim(self.db, [row["id"] for row in rows], self.owner, until, now)
        by_chat: dict[int | str, list[dict[str, Any]]] = {}
        for row in rows:
            if row["id"] in mine:
                by_chat.setdefault(row["chat_id"], []).append(row)
        telegram = self.config.telegram
        gate = asyncio.Semaphore(telegram.max_in_flight if telegram else self.concurrency)
        try:
            sent = await asyncio.gather(
                *(
                    self._serve_chat(chat, queue, now, gate, cache)
                    for chat, queue in by_chat.items()
                )
            )
        finally:
            deliveries.release(self.db, sorted(mine), self.owner)  # those never attempted
        return sum(sent)

    def _change(self, change_id: int, cache: dict[int, dict[str, Any] | None]) -> Any:
        if change_id not in cache:
            cache[change_id] = changes.get(self.db, change_id)
        return cache[change_id]

    def _apply_holds(
        self, rows: list[dict[str, Any]], now: str, cache: dict[int, dict[str, Any] | None]
    ) -> list[dict[str, Any]]:
        """Hold the subscribers' rows that must wait (quiet hours, digests); return the rest.

        A digest row whose time has come stays, marked, to go out in its chat's digest.
        """
        moment = schedule.parse_stamp(now)
        prefs: dict[int | str, dict[str, Any] | None] = {}
        holds: list[tuple[int, str, str]] = []
        ready: list[dict[str, Any]] = []
        for row in rows:
            if row["role"] != "subscriber":
                ready.append(row)
                continue
            chat = row["chat_id"]
            if chat not in prefs:
                prefs[chat] = subscribers.get(self.db, chat)
            change = self._change(row["change_id"], cache)
            kind = change["kind"] if change else ""
            digest_due = row.get("held_for") == "digest"
            if not digest_due and change and datakinds.waits_for_summary(self.db, chat, change):
                holds.append((row["id"], deliveries.PTIME_HELD, "ptime"))
                continue
            held = schedule.hold_until(prefs[chat], kind, moment, digest_due)
            if held is not None and schedule.stamp(held[0]) > now:
                holds.append((row["id"], schedule.stamp(held[0]), held[1]))
            else:
                ready.append(row)
        if holds:
            deliveries.hold(self.db, holds)
        return ready

    async def run(self, stop: asyncio.Event, interval: float = 1.0) -> None:
        """Send due deliveries every ``interval`` seconds until ``stop`` is set.

        Deliveries a crash left half-sent are queued again first. Once ``stop`` is set, the
        message in flight is finished and marked, and nothing more is started.
        """
        self._stop = stop
        recovered = deliveries.recover(self.db, self._dead_owners())
        if recovered:
            log.warning("requeued %d deliveries interrupted by a crash (may repeat)", recovered)
        while not stop.is_set():
            try:
                await self.send_due()
            except Exception:
                log.exception("delivery pass failed")
                self._more = False
            if self._more and self._paid_kinds():
                continue  # a paid broadcast keeps its 1,000 a second across passes
            self._wake.clear()
            waiters = [asyncio.ensure_future(e.wait()) for e in (stop, self._wake)]
            try:
                await asyncio.wait(waiters, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()

    def _dead_owners(self) -> list[str]:
        """Lease owners on this host whose process no longer runs (crashed or killed)."""
        host = socket.gethostname()
        dead = []
        for owner in deliveries.lease_owners(self.db):
            parts = owner.rsplit(":", 2)
            if len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
                continue
            pid = int(parts[1])
            if pid == os.getpid():
                if owner not in _LIVE_OWNERS:
                    dead.append(owner)  # an earlier process that had our pid
                continue  # another loop of this very process: alive, its lease stands
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                dead.append(owner)
            except PermissionError:
                continue
        return dead

    def _stopping(self) -> bool:
        return self._stop is not None and self._stop.is_set()

    async def _serve_chat(
        self,
        chat_id: int | str,
        queue: list[dict[str, Any]],
        now: str,
        gate: asyncio.Semaphore,
        cache: dict[int, dict[str, Any] | None],
    ) -> int:
        """Send one chat's due deliveries in order, paced; stop at the first that fails.

        Rows whose digest time came go out first, together, as one digest.
        """
        sent = 0
        async with gate:
            if any(row.get("held_for") == "digest" for row in queue):
                outcome = await self._send_digest(chat_id, now, cache)
                sent += outcome == "sent"
                if outcome != "sent":
                    return sent
                queue = [row for row in queue if row.get("held_for") != "digest"]
            for row in queue:
                if self._stopping():
                    break
                outcome = await self._send(row, self._change(row["change_id"], cache), now)
                sent += outcome == "sent"
                if outcome in ("blocked", "retry", "stopped"):
                    break  # the chat's other deliveries wait their turn (or were cancelled)
        return sent

    def _interval(self, chat_id: int | str) -> float:
        group = isinstance(chat_id, str) or chat_id < 0
        return self.group_interval if group else self.chat_interval

    async def _wait(self, delay: float) -> None:
        if delay <= 0:
            return
        if self._stop is None:
            await asyncio.sleep(delay)
        else:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)

    async def _pace(self, chat_id: int | str, paid_send: bool = False) -> bool:
        """Wait until the chat may receive another message and the next overall slot has come
        (sends evenly spaced at ``rate``, paid broadcasts at ``paid_rate``); False if told to
        stop meanwhile."""
        await self._wait(self._chat_ready.get(chat_id, 0.0) - time.monotonic())
        now = time.monotonic()
        self._chat_ready[chat_id] = now + self._interval(chat_id)
        if paid_send and self.paid_rate > 0 and not self._stopping():
            slot = max(now, self._next_paid_slot)
            self._next_paid_slot = slot + 1 / self.paid_rate
            await self._wait(slot - now)
        elif self.rate > 0 and not self._stopping():
            slot = max(now, self._next_slot)
            self._next_slot = slot + 1 / self.rate
            await self._wait(slot - now)
        return not self._stopping()

    def _paid_kinds(self) -> tuple[str, ...]:
        """The change kinds sent as paid broadcasts (none unless [telegram] paid_broadcast)."""
        telegram = self.config.telegram
        return telegram.paid_broadcast_kinds if telegram else ()

    def _refund(self, day: str | None, count: int) -> None:
        """Give back paid messages reserved for parts that never left."""
        if day is not None and count > 0:
            paid.give_back(self.db, day, count)

    def _reserve_paid(self, row: dict[str, Any], change: dict[str, Any], count: int) -> str | None:
        """The UTC day whose paid budget now holds ``count`` messages of this delivery, or None
        (sent free): not a subscriber's alert of a chosen kind, or the day's cap is reached."""
        if row["role"] != "subscriber" or change["kind"] not in self._paid_kinds():
            return None
        assert self.config.telegram is not None
        day = utcnow()[:10]
        if paid.reserve(self.db, day, self.config.telegram.paid_broadcast_daily_cap, count):
            return day
        return None

    def _lease(self, now: str) -> str:
        return _later(now, self.lease_seconds)

    def _parts(self, row: dict[str, Any], change: dict[str, Any]) -> list[str]:
        filters, lead = None, None
        if row["role"] == "subscriber":
            sub = subscribers.get(self.db, row["chat_id"])
            filters = filter_explanation(sub, row["lang"]) if sub else None
            lead = datakinds.lead_lines(self.db, row["chat_id"], change, row["lang"])
        return render.alert(change, row["lang"], row["role"], self.config, filters, lead)

    async def _send(self, row: dict[str, Any], change: dict[str, Any] | None, now: str) -> str:
        """Send one delivery (all its remaining parts); returns what became of it."""
        assert self.bot is not None
        if change is None:
            deliveries.mark_failed(self.db, row["id"], "change not found")
            return "skipped"
        if row["role"] == "channel" and change["kind"] == "draw_corrected":
            return await self._send_correction(row, change, now)
        parts = self._parts(row, change)
        markup = None
        if row["role"] == "maintainer" and not change.get("reviewed_at"):
            markup = render.review_keyboard(change["id"], row["lang"])
        if change["kind"] == "bulk_held" and row["role"] in ("maintainer", "admin"):
            markup = hold_keyboard(self.db, change, row["lang"])
        first = row.get("parts_sent") or 0
        paid_day = self._reserve_paid(row, change, len(parts) - first)
        if not await self._pace(row["chat_id"], paid_day is not None):
            self._refund(paid_day, len(parts) - first)
            return "stopped"  # nothing started: the row goes back to pending
        if not deliveries.start(self.db, row["id"], self.owner, self._lease(utcnow())):
            self._refund(paid_day, len(parts) - first)
            return "taken"  # our lease ran out meanwhile and another loop took the row
        message_id = row.get("message_id")
        for index in range(first, len(parts)):
            last = index == len(parts) - 1
            if index > first:
                # The message is in flight: finish it.
                await self._pace(row["chat_id"], paid_day is not None)
            try:
                message = await self.bot.send_message(
                    row["chat_id"],
                    parts[index],
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup if last else None,
                    link_preview_options=render.NO_PREVIEW,
                    allow_paid_broadcast=True if paid_day is not None else None,
                )
            except Forbidden as exc:
                # Refused: these parts were not sent, so not paid for.
                self._refund(paid_day, len(parts) - index)
                if row["role"] == "channel":
                    return await self._channel_gone(row, str(exc))
                self._blocked(row["chat_id"], str(exc))
                return "blocked"
            except RetryAfter as exc:
                self._refund(paid_day, len(parts) - index)
                wait = _seconds(exc)
                deliveries.retry_at(
                    self.db, row["id"], _later(now, wait), f"429: retry after {wait:g}s"
                )
                log.warning("chat %s rate limited: retry in %gs", row["chat_id"], wait)
                return "retry"
            except ChatMigrated as exc:
                self._refund(paid_day, len(parts) - index)
                error = f"group became supergroup {exc.new_chat_id}; /start the bot there"
                deliveries.mark_failed(self.db, row["id"], error)
                log.error("delivery %s to %s: %s", row["id"], row["chat_id"], error)
                return "failed"
            except BadRequest as exc:
                self._refund(paid_day, len(parts) - index)
                if row["role"] == "channel" and "chat not found" in exc.message.lower():
                    return await self._channel_gone(row, exc.message)
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
                deliveries.mark_part_sent(
                    self.db, row["id"], index + 1, message_id, self._lease(utcnow())
                )
        deliveries.mark_sent(self.db, row["id"], message_id, len(parts))
        if self.health is not None:
            self.health.up()
        if row["role"] == "channel":
            channels.record_post(self.db, str(row["chat_id"]))
        return "sent"

    async def _send_digest(
        self, chat_id: int | str, now: str, cache: dict[int, dict[str, Any] | None]
    ) -> str:
        """Every row waiting for this chat's digest, as one message; all marked sent at once."""
        assert self.bot is not None
        rows = [
            r
            for r in deliveries.digest_rows(self.db, chat_id, self.owner)
            if r["next_attempt_at"] <= now
        ]
        items = [self._change(r["change_id"], cache) for r in rows]
        if not rows:
            return "skipped"
        sub = subscribers.get(self.db, chat_id) or {}
        lang = rows[-1]["lang"] if not sub else sub["lang"]
        parts = render.digest(
            [c for c in items if c], lang, self.config, sub.get("digest") or "", self._lines
        )
        if not await self._pace(chat_id):
            return "stopped"
        ids = [r["id"] for r in rows]
        if not deliveries.claim_digest(self.db, ids, self.owner, self._lease(now), now):
            return "taken"
        message_id = None
        try:
            for index, part in enumerate(parts):
                if index:
                    await self._pace(chat_id)
                message = await self.bot.send_message(
                    chat_id, part, parse_mode=ParseMode.HTML, link_preview_options=render.NO_PREVIEW
                )
                message_id = message.message_id
        except Forbidden as exc:
            self._blocked(chat_id, str(exc))
            return "blocked"
        except TelegramError as exc:
            wait = _seconds(exc) if isinstance(exc, RetryAfter) else self.backoff_base
            with self.db.atomic():
                for row in rows:
                    deliveries.retry_at(self.db, row["id"], _later(now, wait), str(exc))
                deliveries.hold(self.db, [(r["id"], _later(now, wait), "digest") for r in rows])
            log.warning("digest to %s failed (%s): retry in %gs", chat_id, exc, wait)
            return "retry"
        deliveries.mark_digest_sent(self.db, ids, message_id)
        log.info("digest of %s sent to %s", plural(len(ids), "change", "changes"), chat_id)
        return "sent"

    async def _send_correction(self, row: dict[str, Any], change: dict[str, Any], now: str) -> str:
        """A draw corrected: edit the channel's post of that draw, then reply with the fix."""
        assert self.bot is not None
        data = change.get("data") or {}
        number = str(data.get("number", ""))
        original_id = deliveries.original_post(self.db, row["chat_id"], change["watch"], number)
        original = None
        if original_id is not None:
            original = next(
                (
                    changes.get(self.db, d["change_id"])
                    for d in deliveries.for_chat(self.db, row["chat_id"])
                    if d["message_id"] == original_id and d["status"] == "sent"
                ),
                None,
            )
        if not await self._pace(row["chat_id"]):
            return "stopped"
        if not deliveries.start(self.db, row["id"], self.owner, self._lease(utcnow())):
            return "taken"
        parts = self._parts(row, change)
        try:
            if original is not None and original_id is not None:
                text = render.corrected_post(original, change, row["lang"], self.config)
                with contextlib.suppress(BadRequest):  # already edited: "message is not modified"
                    await self.bot.edit_message_text(
                        text,
                        chat_id=row["chat_id"],
                        message_id=original_id,
                        parse_mode=ParseMode.HTML,
                        link_preview_options=render.NO_PREVIEW,
                    )
                await self._pace(row["chat_id"])
            message = await self.bot.send_message(
                row["chat_id"],
                parts[0],
                parse_mode=ParseMode.HTML,
                link_preview_options=render.NO_PREVIEW,
                reply_parameters=(
                    telegram.ReplyParameters(original_id, allow_sending_without_reply=True)
                    if original_id is not None
                    else None
                ),
            )
        except Forbidden as exc:
            return await self._channel_gone(row, str(exc))
        except TelegramError as exc:
            return self._backoff(row, now, f"{type(exc).__name__}: {exc.message}")
        deliveries.mark_sent(self.db, row["id"], message.message_id, 1)
        channels.record_post(self.db, str(row["chat_id"]))
        return "sent"

    async def _channel_gone(self, row: dict[str, Any], reason: str) -> str:
        """The bot is not (or no longer) in the channel: fail the post, tell admins once."""
        chat, reason = str(row["chat_id"]), mask_tokens(reason)
        deliveries.mark_failed(self.db, row["id"], f"channel unavailable: {reason}")
        first = channels.mark_removed(self.db, chat, reason)
        log.error("channel %s unavailable: %s", chat, reason)
        if first:
            await self._tell_admins("channel_removed", chat=chat, error=reason)
        return "failed"

    async def _tell_admins(self, key: str, **values: Any) -> None:
        """A short note to every admin, in their language (it is not a change: no outbox row)."""
        assert self.bot is not None
        telegram_settings = self.config.telegram
        if telegram_settings is None:
            return
        escaped = {k: render.escape(v) for k, v in values.items()}
        for admin in telegram_settings.admins:
            text = t(telegram_settings.admin_lang(admin), key, **escaped)
            await self._pace(admin)
            try:
                await self.bot.send_message(admin, text, parse_mode=ParseMode.HTML)
            except TelegramError as exc:
                log.error("could not tell admin %s: %s", admin, exc)

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
        if row["role"] == "channel":
            channels.record_error(self.db, str(row["chat_id"]), error)
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
            if change is None or change.get("status") == "held":
                continue  # a held change is logged when its hold is released (its rows are due)
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

"""The Telegram side of ``ircc-watch run``: start the bot, keep retrying while the Bot API is
unreachable, and record how it stands — never stopping the watching meanwhile.

A token Telegram rejects is a configuration error (:class:`TokenRejected`, exit 2); a Bot API
that cannot be reached is an outage: the bot start and the delivery loop retry with backoff
(5 s doubling up to 5 minutes), and the state ("telegram: unreachable since …, retrying in
40 s") goes to the ``service_status`` table, which ``watches`` and ``/status`` show.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import sqlite_utils
from telegram.error import BadRequest, InvalidToken, NetworkError

from storage import status
from storage.db import utcnow

log = logging.getLogger("ircc_watch.telegram")

PART = "telegram"
RETRY_FIRST = 5.0
RETRY_MAX = 300.0


class TokenRejected(Exception):
    """Telegram refused the bot token (401): the operator must fix the environment variable."""

    def __init__(self, token_env: str) -> None:
        self.token_env = token_env
        super().__init__(token_rejected_message(token_env))


def token_rejected_message(token_env: str) -> str:
    """The one line a rejected token gets: which variable, and what to do."""
    return (
        f"Telegram rejected the bot token in the environment variable {token_env} (401 "
        f"Unauthorized). Fix: put the token @BotFather gave you in {token_env}, or unset it "
        "to run without Telegram."
    )


def is_unreachable(exc: BaseException) -> bool:
    """True for a Bot API that cannot be reached (connection error, timeout, 5xx).

    python-telegram-bot raises NetworkError for those; BadRequest (a 400) is a subclass of
    it but means Telegram answered and refused one message.
    """
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)


def describe(exc: BaseException) -> str:
    """A short reason for the log and the health line (no traceback, no URL)."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:160]


class TelegramHealth:
    """How the Bot API stands, as the bot start and the delivery loop see it."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.state = "starting"
        self.since: str | None = None
        self.failures = 0
        self.paused_until = 0.0  # time.monotonic() before which nothing is sent

    def waiting(self) -> float:
        """Seconds left before the next attempt (0 when sending may go on)."""
        return max(0.0, self.paused_until - time.monotonic())

    def retry_in(self) -> float:
        """Seconds before the next attempt after ``failures`` failures in a row."""
        return min(RETRY_FIRST * 2 ** max(self.failures - 1, 0), RETRY_MAX)

    def up(self) -> None:
        """The Bot API answered."""
        if self.state == "connected":
            return
        if self.since is not None:
            log.warning("telegram: reachable again (unreachable since %s)", self.since)
        self.state, self.since, self.failures = "connected", utcnow(), 0
        self._store()

    def down(self, reason: str, retry_in: float | None = None) -> float:
        """The Bot API could not be reached; returns the seconds to wait before retrying.

        Reports that arrive while already waiting (the poller and the delivery loop both
        notice an outage) keep the current wait.
        """
        left = self.waiting()
        if self.state == "unreachable" and left > 0:
            return left
        self.failures += 1
        wait = self.retry_in() if retry_in is None else retry_in
        if self.state != "unreachable":
            self.state, self.since = "unreachable", utcnow()
        log.warning(
            "telegram: unreachable since %s (%s), retrying in %.0f s; watching goes on, "
            "messages stay queued",
            self.since,
            reason,
            wait,
        )
        self.paused_until = time.monotonic() + wait
        self._store(wait)
        return wait

    def rejected(self, token_env: str) -> None:
        self.state, self.since = "rejected", utcnow()
        self._store()
        log.critical(token_rejected_message(token_env))

    def text(self, wait: float | None = None) -> str:
        """The health line: "telegram: connected since …", "… unreachable since …"."""
        if self.state == "unreachable":
            retry = f", retrying in {wait:.0f} s" if wait is not None else ", retrying"
            return f"telegram: unreachable since {self.since}{retry}"
        if self.state == "rejected":
            return f"telegram: token rejected at {self.since}"
        if self.state == "connected":
            return f"telegram: connected since {self.since}"
        return f"telegram: {self.state}"

    def _store(self, wait: float | None = None) -> None:
        status.put(self.db, PART, self.text(wait))


def health_line(db: sqlite_utils.Database) -> str | None:
    """The last recorded Telegram state with its date, for ``watches`` and ``/status``."""
    row = status.get(db, PART)
    if row is None:
        return None
    return f"{row['state']} (as of {row['updated_at']})"


async def probe_while_down(bot: Any, health: TelegramHealth, stopping: asyncio.Event) -> None:
    """While the Bot API is unreachable, ask it getMe each time the wait is over.

    The poller and the delivery loop report an outage; this tells when it has ended even
    if nothing is due to be sent.
    """
    while not stopping.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), max(1.0, health.waiting()))
        if stopping.is_set() or health.state != "unreachable" or health.waiting() > 0:
            continue
        try:
            await bot.get_me()
        except Exception as exc:
            if not is_unreachable(exc):
                log.warning("telegram: getMe failed: %s", describe(exc))
            health.down(describe(exc))
        else:
            health.up()


async def keep_starting(
    start: Callable[[], Awaitable[Any]],
    health: TelegramHealth,
    token_env: str,
    stopping: asyncio.Event,
) -> bool:
    """Call ``start`` until it succeeds or ``stopping`` is set; True once started.

    An unreachable Bot API is retried with backoff; a rejected token raises TokenRejected.
    """
    while not stopping.is_set():
        try:
            await start()
        except InvalidToken:
            health.rejected(token_env)
            raise TokenRejected(token_env) from None
        except Exception as exc:
            if not is_unreachable(exc):
                raise
            wait = health.down(describe(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), wait)
            continue
        health.up()
        return True
    return False

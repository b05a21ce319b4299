"""Updates handled one chat at a time, many chats at once.

PTB handles updates one after another by default: a chat sending 150 commands, each answered at
Telegram's one message a second per chat, held every other chat's answer for minutes. Here each
chat has its own queue, worked in order (a chat's commands never overtake each other), and the
queues of different chats run side by side. A chat with more than ``max_pending`` updates
waiting has the excess dropped (logged): a flood costs its sender, not memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger("ircc_watch.bot")

MAX_PENDING = 200  # per chat; 200 commands is over three minutes of answers at Telegram's pace
SHUTDOWN_WAIT = 5.0  # seconds for the queues to finish at shutdown (the default)


def chat_key(update: object) -> int | None:
    """The chat an update belongs to (its sender when it has no chat; None for neither)."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


class PerChatUpdates(BaseUpdateProcessor):
    """An update processor: in order within a chat, concurrent across chats."""

    def __init__(
        self,
        max_pending: int = MAX_PENDING,
        max_concurrent_updates: int = 256,
        shutdown_wait: float = SHUTDOWN_WAIT,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.max_pending = max_pending
        self.shutdown_wait = shutdown_wait
        self._queues: dict[int | None, deque[Awaitable[Any]]] = {}
        self._workers: dict[int | None, asyncio.Task[None]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Queue the update's handling behind its chat's earlier ones; return at once."""
        key = chat_key(update)
        queue = self._queues.setdefault(key, deque())
        if len(queue) >= self.max_pending:
            _close(coroutine)
            log.warning("chat %s sends faster than it can be answered: an update dropped", key)
            return
        queue.append(coroutine)
        if key not in self._workers:
            self._workers[key] = asyncio.create_task(self._work(key), name=f"chat-{key}")

    async def _work(self, key: int | None) -> None:
        queue = self._queues[key]
        try:
            while queue:
                try:
                    await queue.popleft()
                except Exception:  # PTB handles handler errors itself; this is a last resort
                    log.exception("handling an update of chat %s failed", key)
        finally:
            self._workers.pop(key, None)
            if not queue:
                self._queues.pop(key, None)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Let the queues finish for a few seconds, then drop what is left."""
        workers = list(self._workers.values())
        if workers:
            await asyncio.wait(workers, timeout=self.shutdown_wait)
        for worker in list(self._workers.values()):
            worker.cancel()
        if workers:
            await asyncio.gather(*workers, return_exceptions=True)
        for queue in self._queues.values():
            while queue:
                _close(queue.popleft())
        self._queues.clear()


def _close(coroutine: Awaitable[Any]) -> None:
    """Discard an update's handling that will never run (no 'never awaited' warning)."""
    if isinstance(coroutine, Coroutine):
        coroutine.close()

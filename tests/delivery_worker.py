"""A delivery loop in its own process, for the lease test: ``python -m tests.delivery_worker
CONFIG``. It sends until the outbox holds nothing pending or being sent, then prints how many
messages it sent itself and exits."""

from __future__ import annotations

import asyncio
import sys

import telegram

from notifier.delivery import Delivery
from settings import load_config
from storage import deliveries
from storage.db import open_db


async def main(config_path: str) -> int:
    config = load_config(config_path)
    db = open_db(config.settings.database)
    token = config.telegram.token()
    async with telegram.Bot(token, base_url=config.telegram.base_url) as bot:
        delivery = Delivery(db, config, bot, chat_interval=0)
        stop = asyncio.Event()
        sent = 0
        original = delivery.send_due

        async def counting(now: str | None = None) -> int:
            nonlocal sent
            count = await original(now)
            sent += count
            return count

        delivery.send_due = counting  # type: ignore[method-assign]
        task = asyncio.create_task(delivery.run(stop, interval=0.02))
        while True:
            await asyncio.sleep(0.05)
            left = deliveries.counts(db)
            if not any(left.get(status) for status in ("pending", "claimed", "sending")):
                break
        stop.set()
        await task
    print(sent, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))

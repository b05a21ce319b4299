"""Fan-out benchmark: one change to N subscribers and C channels, and a day of digests, through
the real pipeline, routing, outbox and delivery loop, against the fake Bot API over real HTTP.

The fake (tests/fakes/telegram_api.py, in its own process, as Telegram is) enforces Telegram's
limits (about 30 messages/s overall, 1/s per private chat, 20/min per group or channel, answering
429 with retry_after). To finish in minutes, the whole run is
compressed in time by ``--speed``: the fake multiplies every limit by it and the bot's own
pacing (PTB's AIORateLimiter and the delivery loop's per-chat spacing) is scaled the same way,
so "% of the allowed rate" compares like with like; at --speed 1 it is Telegram's real pace.

    python bench/fanout.py                      # 10,000 subscribers + 5 channels, speed 4
    python bench/fanout.py --subscribers 2000 --speed 2

A third scenario sends the same draw with ``[telegram] paid_broadcast`` on: subscribers' new
draws go out with ``allow_paid_broadcast`` (Telegram's 1,000 messages a second, paid in Stars).
It runs at Telegram's real pace (speed 1): PTB's limiter for paid broadcasts is not scaled.

``run(...) -> dict`` returns the figures (every key contains "fanout") for bench/run.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import json
import logging
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram.ext import ExtBot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from crawlers.items import Fetch  # noqa: E402
from ircc_watch.pipeline import Pipeline  # noqa: E402
from notifier.bot import rate_limiter  # noqa: E402
from notifier.delivery import Delivery  # noqa: E402
from notifier.routing import recipients_for  # noqa: E402
from settings import load_config  # noqa: E402
from storage import changes, deliveries, watches  # noqa: E402
from storage.db import open_db  # noqa: E402
from tests.fakes.telegram_api import DEFAULT_TOKEN  # noqa: E402

FEED = ROOT / "tests" / "fixtures" / "real" / "ee_rounds" / "raw_feed_series1"
FEED_FILE = FEED / "2026-08-20T0217Z_d5efaf91.json"
FEED_URL = "https://www.canada.ca/content/dam/ircc/documents/json/ee_rounds_123_en.json"
FIRST_CHAT = 10_000_000
GLOBAL_RATE = 30.0  # Telegram's broadcast limit, messages per second


def _config(folder: Path, base_url: str, channels: int, paid: bool = False) -> Any:
    lines = [
        "[settings]",
        'database = "fanout.db"',
        'allowed_domains = ["canada.ca"]',
        "",
        "[telegram]",
        "admins = [42]",
        f'base_url = "{base_url}"',
        *(["paid_broadcast = true", "paid_broadcast_daily_cap = 100000"] if paid else []),
        "",
        "[[watch]]",
        'name = "ee-rounds"',
        f'url = "{FEED_URL}"',
        'kind = "ee-rounds"',
        'topic = "express-entry"',
        "",
        "[[watch]]",
        'name = "iec"',
        'url = "https://www.canada.ca/en/immigration-refugees-citizenship/services/work-canada/iec.html"',
        'topic = "iec"',
    ]
    for index in range(channels):
        lines += [
            "",
            "[[channel]]",
            f'chat_id = "@bench_channel_{index}"',
            'topics = ["express-entry"]',
            f'lang = "{"fr" if index % 2 else "en"}"',
        ]
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_config(path)


def _subscribe(db: Any, count: int, topic: str, digest: str | None = None) -> list[int]:
    """``count`` subscribers following ``topic`` (one transaction), half of them in French."""
    chats = list(range(FIRST_CHAT, FIRST_CHAT + count))
    now = "2026-01-01T00:00:00Z"
    with db.atomic():
        db.conn.executemany(
            "INSERT OR IGNORE INTO subscribers (chat_id, lang, created_at, digest, digest_time) "
            "VALUES (?, ?, ?, ?, ?)",
            [(c, "fr" if c % 2 else "en", now, digest, "18:00") for c in chats],
        )
        db.conn.executemany(
            "INSERT OR IGNORE INTO subscriptions (chat_id, topic) VALUES (?, ?)",
            [(c, topic) for c in chats],
        )
    return chats


def _feed_versions() -> tuple[bytes, bytes]:
    feed = json.loads(FEED_FILE.read_bytes())
    older = copy.deepcopy(feed)
    older["rounds"] = older["rounds"][1:]
    return json.dumps(older).encode(), json.dumps(feed).encode()


class RemoteFake:
    """The fake Bot API in a subprocess, driven through its control API."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.token = DEFAULT_TOKEN
        self.root = base_url.rsplit("/bot", 1)[0]

    def _call(self, action: str, payload: dict | None = None) -> Any:
        data = json.dumps(payload or {}).encode()
        request = urllib.request.Request(f"{self.root}/_fake/{action}", data=data)
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def add_channel(self, username: str, chat_id: int) -> None:
        self._call("add_channel", {"username": username, "chat_id": chat_id})

    @property
    def sent(self) -> list[dict[str, Any]]:
        return self._call("sent")

    @property
    def rate_limited(self) -> list[dict[str, Any]]:
        return self._call("rate_limited")


@contextlib.contextmanager
def fake_server(speed: float) -> Iterator[RemoteFake]:
    """``python -m tests.fakes.telegram_api --port 0 --speed SPEED``, stopped afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.telegram_api", "--port", "0", "--speed", str(speed)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = process.stdout.readline().strip()
        process.stdout.readline()  # the token line
        yield RemoteFake(base_url)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _bot(fake: RemoteFake, speed: float) -> ExtBot:
    """A bot as the service builds one (a pool of connections, PTB's rate limiter), scaled."""
    return ExtBot(
        fake.token,
        base_url=fake.base_url,
        rate_limiter=rate_limiter(speed),
        request=HTTPXRequest(connection_pool_size=64),
    )


async def _drain(delivery: Delivery, db: Any, timeout: float) -> None:
    """Run the delivery loop until nothing is pending or being sent."""
    stop = asyncio.Event()
    task = asyncio.create_task(delivery.run(stop, interval=0.05))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        left = deliveries.counts(db)
        if not any(left.get(status) for status in ("pending", "claimed", "sending")):
            break
    stop.set()
    await task


async def _one_change(
    folder: Path, subscribers: int, channels: int, speed: float, paid: bool = False
) -> dict:
    """One new draw to every subscriber and channel; how fast, how many 429s, how long.
    ``paid``: with [telegram] paid_broadcast on (keys then start with "fanout_paid_")."""
    with fake_server(speed) as fake:
        for index in range(channels):
            fake.add_channel(f"@bench_channel_{index}", -1_001_000_000_000 - index)
        config = _config(folder, fake.base_url, channels, paid)
        db = open_db(config.settings.database)
        watches.sync(db, config.watches)
        _subscribe(db, subscribers, "express-entry")
        pipeline = Pipeline(
            db, config, recipients=lambda change: recipients_for(db, config, change)
        )
        older, newer = _feed_versions()
        for body in (older, newer):
            pipeline.handle(
                Fetch(watch="ee-rounds", url=FEED_URL, final_url=FEED_URL, status=200, body=body)
            )
        queued = sum(deliveries.counts(db).values())
        bot = _bot(fake, speed)
        async with bot:
            delivery = Delivery(
                db, config, bot, chat_interval=1 / speed, group_interval=3 / speed, rate=30 * speed
            )
            start = time.time()
            await _drain(delivery, db, timeout=3 * queued / (GLOBAL_RATE * speed) + 60)
            done = time.time()
        messages = fake.sent
        rate_limited = fake.rate_limited
        sent = sorted(m["at"] for m in messages)
        channel_ids = {-1_001_000_000_000 - i for i in range(channels)}
        channel_at = [m["at"] for m in messages if m["chat_id"] in channel_ids]
        subscriber_at = [m["at"] for m in messages if m["chat_id"] >= FIRST_CHAT]
        counts = deliveries.counts(db)
        span = sent[-1] - sent[0] if len(sent) > 1 else 0.0
        rate = (len(sent) - 1) / span if span else 0.0
        allowed = GLOBAL_RATE * speed
        if paid:
            return {
                "fanout_paid_recipients": queued,
                "fanout_paid_messages": len(sent),
                "fanout_paid_sent_as_paid": sum(1 for m in messages if m.get("paid")),
                "fanout_paid_messages_per_s_sustained": round(rate, 1),
                "fanout_paid_429s": len(rate_limited),
                "fanout_paid_left_unhandled": queued - counts.get("sent", 0),
                "fanout_paid_duplicates": len(sent) - len({m["chat_id"] for m in messages}),
                "fanout_paid_last_subscriber_s": round(max(subscriber_at) - start, 1),
                "fanout_paid_drained_s": round(done - start, 1),
                "fanout_paid_speed": speed,
            }
        return {
            "fanout_recipients": queued,
            "fanout_messages": len(sent),
            "fanout_messages_per_s_sustained": round(rate, 1),
            "fanout_percent_of_allowed_rate": round(100 * rate / allowed, 1),
            "fanout_429s": len(rate_limited),
            "fanout_left_unhandled": queued - counts.get("sent", 0),
            "fanout_duplicates": len(sent) - len({m["chat_id"] for m in messages}),
            "fanout_channel_posts_s": round(max(channel_at) - start, 2) if channel_at else None,
            "fanout_last_subscriber_s": round(max(subscriber_at) - start, 1),
            "fanout_last_subscriber_s_at_real_speed": round((max(subscriber_at) - start) * speed),
        }


async def _digest_day(folder: Path, subscribers: int, changes_per_day: int, speed: float) -> dict:
    """A day of changes to digest subscribers: held as they come, then one digest each."""
    day = datetime(2027, 1, 15, 13, tzinfo=UTC)  # 08:00 in Toronto; digests at 18:00
    with fake_server(speed) as fake:
        config = _config(folder, fake.base_url, 0)
        db = open_db(config.settings.database)
        watches.sync(db, config.watches)
        _subscribe(db, subscribers, "iec", digest="daily")
        bot = _bot(fake, speed)
        async with bot:
            delivery = Delivery(
                db, config, bot, chat_interval=1 / speed, group_interval=3 / speed, rate=30 * speed
            )
            hold_seconds = 0.0
            for index in range(changes_per_day):
                row = {
                    "watch": "iec",
                    "kind": "page_change",
                    "topic": "iec",
                    "audience": "subscribers",
                    "observed_at": "2027-01-15T13:00:00Z",
                    "title": f"Page changed: iec ({index + 1})",
                    "summary": "1 line(s) added",
                    "data": {"page": "iec", "added": 1, "removed": 0, "excerpt": f"+ line {index}"},
                    "url": "https://www.canada.ca/en/iec.html",
                    "lang": "en",
                }
                with db.atomic():
                    changes.insert(db, row, recipients_for(db, config, row))
                db.execute(
                    "UPDATE deliveries SET next_attempt_at = ? WHERE held_for IS NULL "
                    "AND status = 'pending'",
                    ["2027-01-15T13:00:00Z"],
                )
                now = (day + timedelta(minutes=40 * index)).strftime("%Y-%m-%dT%H:%M:%SZ")
                start = time.perf_counter()
                while await delivery.send_due(now) or deliveries.due(db, now, 1):
                    pass
                hold_seconds += time.perf_counter() - start
            held = deliveries.counts(db).get("pending", 0)
            # 18:00 in Toronto is 23:00 UTC: every subscriber's digest time
            start = time.time()
            passes = 0
            moment = datetime(2027, 1, 15, 23, tzinfo=UTC)
            while True:  # the clock runs on from 18:00, so a retry comes due as it would
                left = deliveries.counts(db)
                if not any(left.get(status) for status in ("pending", "claimed", "sending")):
                    break
                now = (moment + timedelta(seconds=time.time() - start)).strftime(
                    "%Y-%m-%dT%H:%M:%SZ"
                )
                if not await delivery.send_due(now):
                    await asyncio.sleep(0.05)
                passes += 1
            elapsed = time.time() - start
        messages = fake.sent
        rate_limited = fake.rate_limited
        sent = sorted(m["at"] for m in messages)
        span = sent[-1] - sent[0] if len(sent) > 1 else 0.0
        rate = (len(sent) - 1) / span if span else 0.0
        size = max(len(m["text"]) for m in messages) if messages else 0
        return {
            "fanout_digest_subscribers": subscribers,
            "fanout_digest_changes_in_day": changes_per_day,
            "fanout_digest_rows_held": held,
            "fanout_digest_hold_s": round(hold_seconds, 2),
            "fanout_digest_messages": len(messages),
            "fanout_digest_rows_sent": deliveries.counts(db).get("sent", 0),
            "fanout_digest_send_s": round(elapsed, 1),
            "fanout_digest_messages_per_s": round(rate, 1),
            "fanout_digest_percent_of_allowed_rate": round(100 * rate / (GLOBAL_RATE * speed), 1),
            "fanout_digest_429s": len(rate_limited),
            "fanout_digest_largest_chars": size,
            "fanout_digest_passes": passes,
        }


def run(
    subscribers: int = 10_000,
    channels: int = 5,
    speed: float = 4.0,
    digest_subscribers: int = 10_000,
    changes_per_day: int = 12,
    paid_subscribers: int = 10_000,
) -> dict:
    """Every scenario; every key of the result contains "fanout"."""
    logging.getLogger("ircc_watch").setLevel(logging.ERROR)
    figures: dict[str, Any] = {"fanout_speed": speed}
    if subscribers:
        with tempfile.TemporaryDirectory() as one:
            figures |= asyncio.run(_one_change(Path(one), subscribers, channels, speed))
    if paid_subscribers:
        with tempfile.TemporaryDirectory() as three:
            figures |= asyncio.run(
                _one_change(Path(three), paid_subscribers, channels, 1.0, paid=True)
            )
    if digest_subscribers:
        with tempfile.TemporaryDirectory() as two:
            figures |= asyncio.run(
                _digest_day(Path(two), digest_subscribers, changes_per_day, speed)
            )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=5)
    parser.add_argument("--speed", type=float, default=4.0, help="time-compression factor")
    parser.add_argument("--digest-subscribers", type=int, default=10_000)
    parser.add_argument("--changes-per-day", type=int, default=12)
    parser.add_argument("--paid-subscribers", type=int, default=10_000)
    args = parser.parse_args()
    figures = run(
        args.subscribers,
        args.channels,
        args.speed,
        args.digest_subscribers,
        args.changes_per_day,
        args.paid_subscribers,
    )
    width = max(len(key) for key in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()

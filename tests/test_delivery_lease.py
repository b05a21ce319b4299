"""Two delivery processes on one database never send the same row: each row is claimed with a
lease in one conditional write. Real processes, a real SQLite file, the fake Bot API."""

from __future__ import annotations

import math
import os
import subprocess
import sys

from storage import changes, deliveries
from tests.conftest import ROOT
from tests.fakes.telegram_api import FakeTelegram
from tests.notifier_support import make_config, open_database

CHATS = 400


def test_two_processes_share_the_outbox_and_send_each_row_once(tmp_path) -> None:
    with FakeTelegram(global_per_second=math.inf, per_chat_per_second=math.inf) as fake:
        config = make_config(tmp_path, base_url=fake.base_url)
        db = open_database(config)
        row = {
            "watch": "iec",
            "kind": "page_change",
            "topic": "iec",
            "audience": "subscribers",
            "observed_at": "2026-01-15T13:00:00Z",
            "title": "Page changed: iec",
            "summary": "1 line(s) added",
            "data": {"page": "iec", "added": 1, "removed": 0},
            "url": "https://www.canada.ca/en/iec.html",
            "lang": "en",
        }
        with db.atomic():
            changes.insert(db, row, [(1000 + i, "en", "subscriber") for i in range(CHATS)])
        env = {**os.environ, "IRCC_WATCH_TELEGRAM_TOKEN": fake.token}
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.delivery_worker", str(config.path)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [worker.communicate(timeout=120) for worker in workers]
        assert [worker.returncode for worker in workers] == [0, 0], outputs
        per_process = [int(out.strip()) for out, _ in outputs]
        received = {}
        for message in fake.sent:
            received[message["chat_id"]] = received.get(message["chat_id"], 0) + 1
    assert len(received) == CHATS and set(received.values()) == {1}  # nobody got it twice
    assert sum(per_process) == CHATS and min(per_process) > 0  # both processes sent
    assert deliveries.counts(db) == {"sent": CHATS}


def test_a_crashed_processes_rows_wait_for_its_lease_others_are_left_alone(tmp_path) -> None:
    config = make_config(tmp_path)
    db = open_database(config)
    row = {
        "watch": "iec",
        "kind": "page_change",
        "topic": "iec",
        "audience": "subscribers",
        "observed_at": "2026-01-15T13:00:00Z",
        "title": "t",
        "summary": "s",
        "lang": "en",
    }
    with db.atomic():
        changes.insert(db, row, [(1, "en", "subscriber"), (2, "en", "subscriber")])
    first, second = deliveries.for_change(db, 1)
    live = f"otherhost:{os.getpid()}:abcd"
    assert deliveries.mark_sending(
        db, first["id"], live, "2030-01-01T00:00:10Z", "2030-01-01T00:00:00Z"
    )
    assert not deliveries.mark_sending(
        db, first["id"], "me", "2030-01-01T00:01:00Z", "2030-01-01T00:00:05Z"
    )
    assert deliveries.due(db, "2030-01-01T00:00:05Z") == [deliveries.get(db, second["id"])]
    assert deliveries.recover(db, [], "2030-01-01T00:00:05Z") == 0  # a live lease stands
    # Past its lease the row is due again, for anyone: the owner died mid-send.
    assert [r["id"] for r in deliveries.due(db, "2030-01-01T00:00:11Z")] == [
        first["id"],
        second["id"],
    ]
    assert deliveries.mark_sending(
        db, first["id"], "me", "2030-01-01T00:02:00Z", "2030-01-01T00:00:11Z"
    )
    assert deliveries.recover(db, ["me"], "2030-01-01T00:00:12Z") == 1  # known dead: requeued

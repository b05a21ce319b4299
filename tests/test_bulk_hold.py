"""Bulk hold (issue 10, item 7): one check's flood is held, then released or discarded.

Real data: the real feed of 2025-03-16 (340 rounds) as the baseline, then the real feed of
2026-08-20 (438 rounds) — 98 real draws arriving in one check, as after a long outage, and
the pool distribution they carry (one pool_changed).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.conftest import REAL, run_cli, unpack
from tests.test_guards_ee_rounds import EE_URL, FEED, SUBSCRIBER, setup

SERIES1 = REAL / "ee_rounds" / "raw_feed_series1_all_versions.tar.xz"


def outage(tmp_path: Path) -> tuple[Path, Path]:
    """A replay folder: the oldest real version of series 1, then the newest."""
    members = unpack(SERIES1, tmp_path / "all")
    config, folder = setup(tmp_path, {})
    (folder / "ee-rounds" / "2026-08-20T0217Z_real.json").unlink()
    oldest = members[0]
    (folder / "ee-rounds" / oldest.name).write_bytes(oldest.read_bytes())
    (folder / "ee-rounds" / "2026-08-20T0217Z_d5efaf91.json").write_bytes(FEED.read_bytes())
    return config, folder


def cli(config: Path, *args: str):
    return run_cli("--config", str(config), *args)


def delivery_roles(tmp_path: Path) -> dict[str, int]:
    with sqlite3.connect(tmp_path / "test.db") as conn:
        return dict(conn.execute("SELECT role, COUNT(*) FROM deliveries GROUP BY role").fetchall())


def test_98_new_draws_in_one_check_are_held_with_one_message(tmp_path):
    config, folder = outage(tmp_path)
    result = cli(config, "replay", str(folder))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    held = [row for row in rows if row.get("held")]
    assert len(held) == 99 and {row["kind"] for row in held} == {"new_draw", "pool_changed"}
    assert {row["hold"] for row in held} == {1}
    (alert,) = [row for row in rows if not row.get("held")]
    assert alert["kind"] == "bulk_held" and alert["audience"] == "admins"
    assert alert["title"] == "99 changes held for review on ee-rounds"
    assert alert["data"]["counts"] == {"new_draw": 98, "pool_changed": 1}
    assert [e["title"] for e in alert["data"]["examples"]] == [
        "Express Entry draw #340: Provincial Nominee Program",
        "Express Entry draw #341: French language proficiency (Version 1)",
        "Express Entry draw #342: Provincial Nominee Program",
    ]
    assert "ircc-watch release 1" in alert["summary"]
    assert delivery_roles(tmp_path) == {"admin": 1, "maintainer": 1}

    listed = [json.loads(line) for line in cli(config, "changes", "--json").stdout.splitlines()]
    assert sum(1 for row in listed if row.get("held")) == 49  # the default page of 50
    text = cli(config, "changes", "--limit", "2").stdout
    assert "[held, hold 1]" in text


def test_release_queues_the_deliveries_once(tmp_path):
    config, folder = outage(tmp_path)
    cli(config, "replay", str(folder))
    result = cli(config, "release", "1", "--by", "ana")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "hold 1 on ee-rounds released by ana: 99 changes, 197 deliveries queued"
    )
    # The pool change goes to maintainers only: the subscriber did not ask (/pool on).
    assert delivery_roles(tmp_path) == {"admin": 1, "maintainer": 100, "subscriber": 98}
    with sqlite3.connect(tmp_path / "test.db") as conn:
        chats = {row[0] for row in conn.execute("SELECT chat_id FROM deliveries")}
        statuses = conn.execute("SELECT DISTINCT status FROM changes WHERE hold_id = 1").fetchall()
    assert SUBSCRIBER in chats and statuses == [("released",)]
    again = cli(config, "release", "1")
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr.startswith("hold 1 was already released on ") and "by ana" in again.stderr
    assert delivery_roles(tmp_path)["subscriber"] == 98
    row = json.loads(cli(config, "changes", "--json", "--limit", "2").stdout.splitlines()[1])
    assert row["held"] is False and row["status"] == "released"


def test_discard_never_sends_and_cannot_be_released_after(tmp_path):
    config, folder = outage(tmp_path)
    cli(config, "replay", str(folder))
    result = cli(config, "discard", "1", "--by", "ana")
    assert result.returncode == 0, result.stderr
    assert "99 changes will never be sent" in result.stdout
    late = cli(config, "release", "1")
    assert late.returncode == 1 and "already discarded" in late.stderr
    assert delivery_roles(tmp_path) == {"admin": 1, "maintainer": 1}
    missing = cli(config, "release", "7")
    assert missing.returncode == 1 and missing.stderr.strip() == "no hold with id 7"


def test_removals_count_in_the_check_that_announces_them(tmp_path):
    data = json.loads(FEED.read_bytes())
    data["rounds"] = data["rounds"][:300]
    shorter = json.dumps(data).encode()
    config, folder = setup(
        tmp_path,
        {
            "2026-08-20T0300Z_shorter.json": shorter,
            "2026-08-21T0400Z_shorter.json": shorter,
        },
    )
    result = cli(config, "replay", str(folder))
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 139 and rows[-1]["kind"] == "bulk_held"
    assert rows[-1]["observed_at"] == "2026-08-21T04:00:00Z"
    assert rows[-1]["data"]["counts"] == {"draw_corrected": 138}
    assert all(row["held"] and row["data"]["removed"] for row in rows[:-1])
    assert delivery_roles(tmp_path) == {"admin": 1, "maintainer": 1}


def test_config_check_names_a_bad_bulk_threshold(tmp_path):
    config, _ = setup(tmp_path, {})
    text = config.read_text().replace("[settings]", "[settings]\nbulk_threshold = 0", 1)
    config.write_text(text)
    result = cli(config, "config-check")
    assert result.returncode == 1
    assert "bulk_threshold: must be an integer of at least 1, got 0" in result.stderr
    assert EE_URL not in result.stderr


async def test_without_a_token_held_changes_are_logged_only_once_released(tmp_path, caplog):
    from notifier.delivery import Delivery
    from settings import load_config
    from storage.db import open_db

    config, folder = outage(tmp_path)
    loaded = load_config(config)
    db = open_db(loaded.settings.database)
    logger = Delivery(db, loaded, None)
    assert cli(config, "replay", str(folder)).returncode == 0
    with caplog.at_level("WARNING", logger="ircc_watch"):
        await logger.send_due()
    alerts = [
        r.getMessage() for r in caplog.records if "alert (no Telegram token)" in r.getMessage()
    ]
    assert len(alerts) == 1 and "[bulk_held]" in alerts[0]
    caplog.clear()
    assert cli(config, "release", "1").returncode == 0
    with caplog.at_level("WARNING", logger="ircc_watch"):
        await logger.send_due()
    alerts = [
        r.getMessage() for r in caplog.records if "alert (no Telegram token)" in r.getMessage()
    ]
    assert len(alerts) == 99 and sum("[new_draw]" in alert for alert in alerts) == 98
    assert sum("[pool_changed]" in alert for alert in alerts) == 1
    db.conn.close()

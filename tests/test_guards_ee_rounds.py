"""Format changes of the real Express Entry feed never reach subscribers (issue 10, items 2, 7).

Each case starts from the real feed of 2026-08-20 (438 rounds) as the baseline, then replays
a changed copy through the real command into a real database that has a subscriber to the
topic, an admin and a maintainer: a renamed field, the rename reverted, ``drawSize`` renamed,
every ``drawName`` respelled, the feed cut to one round. Not one subscriber delivery may be
queued; admins or maintainers get one message.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from storage import subscribers
from storage.db import open_db
from tests.conftest import REAL, run_cli, write_config

EE_URL = "https://www.canada.ca/content/dam/ircc/documents/json/ee_rounds_123_en.json"
FEED = REAL / "ee_rounds" / "raw_feed_series1" / "2026-08-20T0217Z_d5efaf91.json"
SUBSCRIBER, ADMIN, MAINTAINER = 501, 11, -100


def setup(tmp_path: Path, versions: dict[str, bytes]) -> tuple[Path, Path]:
    """A config with one ee-rounds watch, a database with one subscriber, a replay folder."""
    config = write_config(
        tmp_path,
        [{"name": "ee-rounds", "url": EE_URL, "kind": "ee-rounds", "topic": "express-entry"}],
        extra=f"""
        [telegram]
        admins = [{ADMIN}]
        maintainers = [{MAINTAINER}]
        """,
    )
    db = open_db(tmp_path / "test.db")
    subscribers.ensure(db, SUBSCRIBER)
    subscribers.subscribe(db, SUBSCRIBER, "express-entry")
    db.conn.close()
    folder = tmp_path / "replay" / "ee-rounds"
    folder.mkdir(parents=True)
    (folder / "2026-08-20T0217Z_real.json").write_bytes(FEED.read_bytes())
    for name, body in versions.items():
        (folder / name).write_bytes(body)
    return config, tmp_path / "replay"


def replay(config: Path, folder: Path) -> list[dict]:
    result = run_cli("--config", str(config), "replay", str(folder))
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def deliveries(tmp_path: Path) -> list[tuple[str, str]]:
    """(change kind, role) of every delivery queued."""
    with sqlite3.connect(tmp_path / "test.db") as conn:
        return conn.execute(
            "SELECT c.kind, d.role FROM deliveries d JOIN changes c ON c.id = d.change_id "
            "ORDER BY d.id"
        ).fetchall()


def renamed(old: str, new: str) -> bytes:
    return FEED.read_bytes().replace(f'"{old}":'.encode(), f'"{new}":'.encode())


def three_times(stamp: str, body: bytes) -> dict[str, bytes]:
    """The same body on three checks in a row: enough for the usual failing threshold."""
    return {f"2026-08-20T{stamp}{minute}Z_changed.json": body for minute in ("10", "20", "30")}


def test_renamed_cutoff_field_is_a_content_fault_naming_it(tmp_path):
    config, folder = setup(tmp_path, three_times("03", renamed("drawCRS", "drawCrsScore")))
    changes = replay(config, folder)
    assert [(c["kind"], c["audience"]) for c in changes] == [("watch_failing", "admins")]
    reason = changes[0]["data"]["reason"]
    assert reason == (
        "schema changed: drawCRS (lowest CRS score invited) missing in 438 of 438 round records"
    )
    assert set(deliveries(tmp_path)) == {
        ("watch_failing", "admin"),
        ("watch_failing", "maintainer"),
    }


def test_rename_reverted_tells_admins_the_watch_recovered_and_nothing_else(tmp_path):
    versions = three_times("03", renamed("drawCRS", "drawCrsScore"))
    versions["2026-08-20T0400Z_reverted.json"] = FEED.read_bytes()
    config, folder = setup(tmp_path, versions)
    changes = replay(config, folder)
    assert [c["kind"] for c in changes] == ["watch_failing", "watch_recovered"]
    assert {role for _, role in deliveries(tmp_path)} == {"admin", "maintainer"}


def test_renamed_size_field_is_a_content_fault(tmp_path):
    config, folder = setup(tmp_path, three_times("03", renamed("drawSize", "drawSizeTotal")))
    changes = replay(config, folder)
    assert [c["kind"] for c in changes] == ["watch_failing"]
    assert "drawSize (invitations issued) missing in 438 of 438" in changes[0]["data"]["reason"]
    assert all(role != "subscriber" for _, role in deliveries(tmp_path))


def test_every_draw_name_respelled_is_one_held_bulk(tmp_path):
    body = re.sub(
        rb'"drawName":(\s*)"([^"]*)"',
        lambda m: b'"drawName":' + m.group(1) + b'"' + m.group(2).upper() + b'"',
        FEED.read_bytes(),
    )
    config, folder = setup(tmp_path, {"2026-08-20T0310Z_respelled.json": body})
    changes = replay(config, folder)
    held = [c for c in changes if c.get("held")]
    assert len(held) == 438 and {c["kind"] for c in held} == {"draw_corrected"}
    (alert,) = [c for c in changes if not c.get("held")]
    assert alert["kind"] == "bulk_held" and alert["audience"] == "admins"
    assert alert["title"] == "438 changes held for review on ee-rounds"
    assert alert["data"]["counts"] == {"draw_corrected": 438}
    assert len(alert["data"]["examples"]) == 3
    assert deliveries(tmp_path) == [("bulk_held", "maintainer"), ("bulk_held", "admin")]


def test_feed_cut_to_one_round_never_announces_437_removals(tmp_path):
    data = json.loads(FEED.read_bytes())
    data["rounds"] = data["rounds"][:1]
    cut = json.dumps(data).encode()
    versions = three_times("03", cut)
    # A day later the removals would be due: the cut feed must still announce nothing.
    versions["2026-08-21T0500Z_still-cut.json"] = cut
    versions["2026-08-22T0500Z_still-cut.json"] = cut
    config, folder = setup(tmp_path, versions)
    changes = replay(config, folder)
    assert [c["kind"] for c in changes] == ["watch_failing"]
    assert changes[0]["data"]["reason"] == "1 round record found, the last good reading had 438"
    assert all(role != "subscriber" for _, role in deliveries(tmp_path))

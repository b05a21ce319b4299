"""Retention: old fetch rows, unused old snapshots and their bodies go; history never does."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from crawlers.items import Fetch
from ircc_watch.pipeline import Pipeline
from settings import ConfigError, load_config
from storage import retention, watches
from storage.db import open_db
from tests.conftest import run_cli, write_config

URL = "https://www.canada.ca/en/immigration-refugees-citizenship/services/work-canada/iec.html"
START = datetime(2025, 1, 1, tzinfo=UTC)
HTML = (
    '<!DOCTYPE html><html lang="en"><head><title>IEC</title></head><body>'
    '<main property="mainContentOfPage"><h1>International Experience Canada</h1>'
    "<h2>Eligibility</h2><p>You must be between 18 and 35 years old.</p>"
    "<h2>Rounds</h2><p>{rounds}</p></main></body></html>"
)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def simulate(tmp_path, days: int = 500, version_every: int = 50):
    """A watch checked every 6 hours for ``days`` days through the real pipeline; its page
    gains a sentence every ``version_every`` days. Returns (config, db)."""
    config = load_config(write_config(tmp_path, [{"name": "iec", "url": URL, "topic": "iec"}]))
    db = open_db(config.settings.database)
    watches.sync(db, config.watches)
    pipeline = Pipeline(db, config)
    rounds = "Round 1 is open."
    for step in range(days * 4):
        moment = START + timedelta(hours=6 * step)
        if step and step % (version_every * 4) == 0:
            rounds += f" Round {step // (version_every * 4) + 1} is open."
        body = HTML.format(rounds=rounds).encode()
        pipeline.handle(Fetch("iec", URL, URL, 200, body), now=stamp(moment))
    return config, db


def count(db, table: str) -> int:
    return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_prune_keeps_history_and_what_changes_point_to(tmp_path):
    config, db = simulate(tmp_path)
    end = START + timedelta(days=500)
    assert count(db, "fetches") == 2000 and count(db, "snapshots") == 10
    changes_before = db.execute("SELECT * FROM changes ORDER BY id").fetchall()
    records_before = db.execute("SELECT * FROM records ORDER BY key").fetchall()
    assert len(changes_before) == 9
    # Snapshots that no change points to: an old one, as a normalizer change would leave.
    orphan = db.execute(
        "INSERT INTO snapshots (id, watch, observed_at, body_hash, content_hash, content, "
        "document, normalizer_version) SELECT 0, watch, '2025-01-02T00:00:00Z', body_hash, "
        "'x', content, document, normalizer_version FROM snapshots WHERE id = 1"
    ).lastrowid
    db.execute("INSERT INTO bodies (hash, size, compressed) VALUES ('unused', 1, x'00')")

    pruned = retention.prune(db, keep_fetches=30 * 86400, keep_snapshots=365 * 86400, now=end)

    assert pruned.fetches == 2000 - 30 * 4
    cutoff = stamp(end - timedelta(days=30))
    assert db.execute("SELECT MIN(fetched_at) FROM fetches").fetchone()[0] >= cutoff
    assert (
        pruned.snapshots == 1
        and not db.execute("SELECT 1 FROM snapshots WHERE id = ?", [orphan]).fetchone()
    )
    assert pruned.bodies == 1
    assert db.execute("SELECT * FROM changes ORDER BY id").fetchall() == changes_before
    assert db.execute("SELECT * FROM records ORDER BY key").fetchall() == records_before
    for snapshot_id, previous_id in db.execute(
        "SELECT snapshot_id, previous_snapshot_id FROM changes"
    ):
        assert db.execute("SELECT 1 FROM snapshots WHERE id = ?", [snapshot_id]).fetchone()
        assert db.execute("SELECT 1 FROM snapshots WHERE id = ?", [previous_id]).fetchone()
    assert (
        db.execute(
            "SELECT COUNT(*) FROM snapshots s LEFT JOIN bodies b ON b.hash = s.body_hash "
            "WHERE b.hash IS NULL"
        ).fetchone()[0]
        == 0
    )
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert retention.prune(db, keep_fetches=None, keep_snapshots=None, now=end).total() == 0


def test_the_latest_snapshot_of_each_watch_is_kept_however_old(tmp_path):
    config, db = simulate(tmp_path, days=20, version_every=1000)  # a baseline, then nothing
    assert count(db, "snapshots") == 1
    later = START + timedelta(days=3000)
    pruned = retention.prune(db, keep_fetches=86400, keep_snapshots=86400, now=later)
    assert pruned.snapshots == 0 and pruned.bodies == 0 and pruned.fetches == 80
    assert count(db, "snapshots") == 1 and count(db, "bodies") == 1
    # The next check still diffs against it: an edit is a change, the same page is not.
    pipeline = Pipeline(db, config)
    body = HTML.format(rounds="Round 1 is open. Round 2 is open.").encode()
    outcome = pipeline.handle(Fetch("iec", URL, URL, 200, body), now=stamp(later))
    assert outcome.outcome == "changed" and len(outcome.changes) == 1


def test_vacuum_applies_retention_and_prints_what_it_freed(tmp_path):
    config, db = simulate(tmp_path)
    db.conn.close()
    path = tmp_path / "config.toml"
    path.write_text(
        path.read_text().replace("[settings]", '[settings]\nkeep_fetches = "1d"'), encoding="utf-8"
    )
    result = run_cli("--config", str(path), "vacuum")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "retention: keep_fetches 1d, keep_snapshots 365d"
    # The simulation ended in 2026; today every fetch of it is older than a day.
    assert lines[1].split() == ["fetches", "2,000", "rows", "→", "0", "(2,000", "deleted)"]
    # Every snapshot is the before or after of a change: all kept, whatever their age.
    assert lines[2].split() == ["snapshots", "10", "rows", "→", "10", "(0", "deleted)"]
    assert lines[3].split()[0] == "bodies"
    before, after = (int(n.replace(",", "")) for n in lines[4].split()[1:5:3])
    assert lines[4].startswith("database: ") and after < before
    assert lines[4].endswith(f"(freed {before - after:,} B)")
    db = open_db(tmp_path / "test.db")
    assert count(db, "changes") == 9 and db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("value", ['"30s"', '"ever"', "30", '"0d"', '"36501d"'])
def test_config_check_refuses_a_retention_that_makes_no_sense(tmp_path, value):
    path = write_config(tmp_path, [{"name": "a", "url": URL}])
    path.write_text(
        path.read_text().replace("[settings]", f"[settings]\nkeep_snapshots = {value}"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    (message,) = info.value.errors
    assert message == (
        f"{path}:2: [settings] keep_snapshots: {value} is not a retention period from 1 minute "
        'to 100 years. Fix: write keep_snapshots = "365d" (a number and a unit, at least "1m"), '
        'or "forever".'
    )


def test_retention_settings_default_to_30_and_365_days_or_forever(tmp_path):
    config = load_config(write_config(tmp_path, [{"name": "a", "url": URL}]))
    assert config.settings.keep_fetches == 30 * 86400
    assert config.settings.keep_snapshots == 365 * 86400
    path = write_config(
        tmp_path, [{"name": "a", "url": URL}], {"keep_fetches": "7d", "keep_snapshots": "forever"}
    )
    config = load_config(path, database=tmp_path / "other.db")  # --db keeps the rest
    assert config.settings.keep_fetches == 7 * 86400 and config.settings.keep_snapshots is None


async def test_run_prunes_once_a_day_and_a_reload_keeps_that_job(tmp_path):
    from ircc_watch.service import RETENTION_JOB, Service

    config, db = simulate(tmp_path, days=100)
    db.conn.close()
    service = Service(config, tmp_path / "config.toml")
    service._schedule_all()
    service._schedule_retention()
    service.scheduler.start(paused=True)
    try:
        job = service.scheduler.get_job(RETENTION_JOB)
        assert job.trigger.interval == timedelta(days=1)
        await service.reload()
        job = service.scheduler.get_job(RETENTION_JOB)
        assert job is not None
        await job.func()  # what the scheduler runs each day
        assert count(service.db, "fetches") == 0  # every simulated fetch is months old
        assert count(service.db, "changes") == 1
    finally:
        service.scheduler.shutdown(wait=False)
        await asyncio.sleep(0)
        service.db.conn.close()


def test_after_a_prune_every_kept_snapshot_and_body_still_decodes(tmp_path):
    """Bodies and snapshots may be deltas against a keyframe: a prune must keep what they need."""
    from storage import snapshots

    config, db = simulate(tmp_path, days=400, version_every=5)  # 80 versions, deltas and bases
    db.execute("DELETE FROM changes WHERE id % 4 != 0")  # fewer pointers: more to prune
    pruned = retention.prune(
        db, keep_fetches=86400, keep_snapshots=30 * 86400, now=START + timedelta(days=400)
    )
    assert pruned.snapshots > 0 and pruned.bodies > 0
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    for (snapshot_id,) in db.execute("SELECT id FROM snapshots").fetchall():
        row = snapshots.get(db, snapshot_id)
        assert snapshots.document_json(row).startswith("{")
        assert snapshots.load_body(db, row["body_hash"]).startswith(b"<!DOCTYPE html>")
    again = retention.prune(
        db, keep_fetches=86400, keep_snapshots=30 * 86400, now=START + timedelta(days=400)
    )
    assert again.snapshots == 0  # a base freed by the first pass goes in the next one at most

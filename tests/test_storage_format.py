"""Bodies and snapshots as zstd deltas against a keyframe of the same watch: exact round trips,
a database far smaller than the raw versions, and retention never breaks a delta's base."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from diffing.extract import extract
from ircc_watch.pipeline import Pipeline
from ircc_watch.replay import replay_file
from settings import load_config
from storage import retention, snapshots, watches
from storage.db import open_db
from tests.conftest import REAL, unpack, write_config

FEED = "https://www.canada.ca/content/dam/ircc/documents/json/ee_rounds_123_en.json"


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("s1")
    return unpack(REAL / "ee_rounds" / "raw_feed_series1_all_versions.tar.xz", folder)[:30]


def replayed(tmp_path, versions):
    config = load_config(
        write_config(tmp_path, [{"name": "ee-rounds", "url": FEED, "kind": "ee-rounds"}])
    )
    db = open_db(config.settings.database)
    watches.sync(db, config.watches)
    pipeline = Pipeline(db, config)
    for path in versions:
        replay_file(pipeline, config.watches[0], path)
    return config, db


def test_every_version_reads_back_byte_exact_and_most_are_deltas(tmp_path, versions):
    _, db = replayed(tmp_path, versions)
    rows = db.execute("SELECT hash, codec, base FROM bodies").fetchall()
    by_hash = {snapshots.body_hash(p.read_bytes()): p.read_bytes() for p in versions}
    for digest, _, _ in rows:
        assert snapshots.load_body(db, digest) == by_hash[digest]
    codecs = [codec for _, codec, _ in rows]
    assert codecs[0] == "zstd" and codecs.count("zstd-delta") >= len(codecs) - 2
    # Depth one: every base is stored whole.
    bases = {base for _, codec, base in rows if codec == "zstd-delta"}
    assert all(dict((h, c) for h, c, _ in rows)[base] == "zstd" for base in bases)
    ids = [row[0] for row in db.execute("SELECT id FROM snapshots ORDER BY id")]
    for snapshot_id in ids:
        row = snapshots.get(db, snapshot_id)
        body = snapshots.load_body(db, row["body_hash"])
        document = extract("ee-rounds", body)
        assert snapshots.document_json(row) == document.to_json()
        assert row["content"] == document.text


def test_the_database_is_under_a_tenth_of_the_raw_versions(tmp_path, versions):
    config, db = replayed(tmp_path, versions)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    size = Path(config.settings.database).stat().st_size
    raw = sum(p.stat().st_size for p in versions)
    # zlib per version (the old format) took 16 % of the raw bytes; deltas take under 10 %.
    assert size < raw * 0.10, (size, raw)


def test_retention_keeps_every_base_a_delta_needs(tmp_path, versions):
    _, db = replayed(tmp_path, versions)
    keyframe = db.execute("SELECT MIN(id) FROM snapshots").fetchone()[0]
    # Make every snapshot old and unreferenced by changes: only what deltas need may stay.
    db.execute("UPDATE changes SET snapshot_id = NULL, previous_snapshot_id = NULL")
    db.conn.commit()
    later = datetime(2100, 1, 1, tzinfo=UTC)
    retention.prune(
        db, keep_fetches=None, keep_snapshots=timedelta(days=1).total_seconds(), now=later
    )
    left = [row[0] for row in db.execute("SELECT id FROM snapshots ORDER BY id")]
    assert keyframe in left
    for snapshot_id in left:
        row = snapshots.get(db, snapshot_id)
        assert snapshots.load_body(db, row["body_hash"])
        assert snapshots.document_json(row)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_rows_written_by_the_older_format_still_read(tmp_path):
    db = open_db(tmp_path / "old.db")
    db.execute(
        "INSERT INTO bodies (hash, size, compressed) VALUES (?, ?, ?)",
        ["h", 5, zlib.compress(b"hello")],
    )
    db.execute(
        "INSERT INTO watches (name, url, kind, topic, lang, interval_s, created_at) "
        "VALUES ('w', 'u', 'page', 't', 'en', 60, 'x')"
    )
    db.execute(
        "INSERT INTO snapshots (watch, observed_at, body_hash, content_hash, content, document,"
        " normalizer_version) VALUES ('w', 'x', 'h', 'c', 'plain text', ?, 1)",
        [zlib.compress(b'{"kind": "page"}')],
    )
    db.conn.commit()
    assert snapshots.load_body(db, "h") == b"hello"
    row = snapshots.latest(db, "w")
    assert row["content"] == "plain text"
    assert snapshots.document_json(row) == '{"kind": "page"}'
    # The next snapshot of that watch starts a keyframe of the new format.
    snapshots.store_body(db, b"hello again", "w")
    new_id = snapshots.insert(
        db,
        watch="w",
        observed_at="y",
        body_hash=snapshots.body_hash(b"hello again"),
        content_hash="d",
        content="more text",
        document='{"kind": "page", "x": 1}',
        normalizer_version=1,
    )
    assert snapshots.get(db, new_id)["content"] == "more text"
    assert snapshots.get(db, new_id)["codec"] == "zstd"

"""`ircc-watch replay` tells what it skipped and never re-announces (issue 10, item 8)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import REAL, run_cli, unpack, write_config

EE_URL = "https://www.canada.ca/content/dam/ircc/documents/json/ee_rounds_123_en.json"
SERIES2 = REAL / "ee_rounds" / "rounds_array_series2_all_versions.tar.xz"
FIRST = ("2026-01-05T1744Z_a3982038.json", "2026-01-07T1720Z_a451375d.json")
LATER = ("2026-01-20T1658Z_8ce46b43.json", "2026-01-21T1833Z_9010cf98.json")


def folder_of(tmp_path: Path, name: str, members: tuple[str, ...]) -> Path:
    """A replay folder ``name`` holding the given real versions of the rounds feed."""
    everything = tmp_path / "all"
    if not everything.exists():
        unpack(SERIES2, everything)
    folder = tmp_path / name / "ee-rounds"
    folder.mkdir(parents=True)
    for member in members:
        shutil.copy(everything / member, folder / member)
    return folder.parent


def config_for(tmp_path: Path) -> Path:
    watch = {"name": "ee-rounds", "url": EE_URL, "kind": "ee-rounds", "topic": "express-entry"}
    return write_config(tmp_path, [watch])


def replay(config: Path, folder: Path, *extra: str):
    return run_cli("--config", str(config), "replay", str(folder), *extra)


def test_failed_files_are_named_on_stderr_and_counted(tmp_path):
    folder = folder_of(tmp_path, "replay", FIRST)
    (folder / "ee-rounds" / "2026-01-06T0000Z_broken.json").write_text('{"rounds": [', "utf-8")
    (folder / "ee-rounds" / "2026-01-06T0100Z_empty.json").write_bytes(b"")
    result = replay(config_for(tmp_path), folder)
    assert result.returncode == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["data"]["number"] for row in rows] == ["390"]
    assert result.stderr.splitlines() == [
        "replay: ee-rounds/2026-01-06T0000Z_broken.json: not the rounds feed: invalid JSON "
        "(Expecting value, line 1)",
        "replay: ee-rounds/2026-01-06T0100Z_empty.json: empty body",
        "replay: 4 files, 1 change, 2 failed",
    ]


def test_second_replay_is_refused_unless_appending(tmp_path):
    config = config_for(tmp_path)
    first = replay(config, folder_of(tmp_path, "first", FIRST))
    assert first.returncode == 0 and len(first.stdout.splitlines()) == 1
    again = replay(config, tmp_path / "first")
    assert again.returncode == 2 and again.stdout == ""
    (line,) = again.stderr.splitlines()
    assert "already has snapshots of ee-rounds (2 snapshots)" in line
    assert "pass --append" in line
    later = replay(config, folder_of(tmp_path, "later", LATER), "--append")
    assert later.returncode == 0, later.stderr
    rows = [json.loads(row) for row in later.stdout.splitlines()]
    numbers = [row["data"]["number"] for row in rows if row["kind"] == "new_draw"]
    assert numbers == ["391", "392"]
    # Draw #391 brought the pool distribution of January 19, 2026.
    assert [row["kind"] for row in rows].count("pool_changed") == 1
    assert later.stderr.splitlines()[-1] == "replay: 2 files, 3 changes, 0 failed"

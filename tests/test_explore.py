"""docs/datasette-metadata.json (the optional ``[explore]`` extra, docs/explore.md): its tables
exist, personal data is never served, and each canned query runs on a real database built by
replay and returns what the database holds. The SQL is run here with sqlite3, as Datasette runs
it; Datasette itself is not needed by the test suite."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections import Counter

import pytest

from storage.db import open_db
from storage.schema import MIGRATIONS
from tests.conftest import FIXTURES, REAL, ROOT, run_cli, unpack, write_config

METADATA = ROOT / "docs" / "datasette-metadata.json"
EE_URL = "https://www.canada.ca/content/dam/ircc/documents/json/ee_rounds_123_en.json"
CATEGORIES_URL = (
    "https://www.canada.ca/en/immigration-refugees-citizenship/services/immigrate-canada/"
    "express-entry/submit-profile/rounds-invitations/category-based-selection.html"
)
PERSONAL = ("subscribers", "subscriptions", "deliveries", "ptime_prefs", "iec_follows")


def metadata() -> dict:
    return json.loads(METADATA.read_text(encoding="utf-8"))["databases"]["ircc-watch"]


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> sqlite3.Connection:
    """The real rounds feed's 100 versions and the category page's versions (synthetic GCWeb
    pages: new categories, a STEM swap, a removal the next day) replayed by the real command."""
    root = tmp_path_factory.mktemp("explore")
    replay = root / "replay"
    unpack(REAL / "ee_rounds" / "raw_feed_series1_all_versions.tar.xz", replay / "ee-rounds")
    categories = replay / "ee-categories-en"
    shutil.copytree(FIXTURES / "synthetic" / "ee-categories-en", categories)
    for page in (FIXTURES / "semantic" / "next-day" / "ee-categories-en").iterdir():
        shutil.copy(page, categories / page.name)
    config = write_config(
        root,
        [
            {"name": "ee-rounds", "url": EE_URL, "kind": "ee-rounds", "topic": "express-entry"},
            {
                "name": "ee-categories-en",
                "url": CATEGORIES_URL,
                "kind": "ee-categories",
                "topic": "express-entry",
            },
        ],
    )
    result = run_cli("--config", str(config), "replay", str(replay))
    assert result.returncode == 0, result.stderr
    connection = sqlite3.connect(root / "test.db")
    connection.row_factory = sqlite3.Row
    yield connection
    connection.close()


def query(db: sqlite3.Connection, canned_name: str, **params: str) -> list[dict]:
    canned = metadata()["queries"][canned_name]
    assert set(canned["params"]) == set(params)
    assert set(re.findall(r":(\w+)", canned["sql"])) == set(params)
    return [dict(row) for row in db.execute(canned["sql"], params)]


def test_every_table_named_exists_and_personal_data_is_never_served(tmp_path) -> None:
    db = open_db(tmp_path / "fresh.db")
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    db.conn.close()
    named = metadata()["tables"]
    created = {
        match
        for _, statements in MIGRATIONS
        for statement in statements
        for match in re.findall(r"CREATE TABLE (\w+)", statement)
    }
    assert set(named) <= tables and created <= set(named)
    for table in PERSONAL:
        assert named[table]["allow"] is False, table
    assert metadata()["allow_sql"] is False  # no arbitrary SQL: it could read them anyway


def test_draws_are_the_stored_rounds(database) -> None:
    rows = query(database, "draws", watch="ee-rounds", name="")
    assert len(rows) == 438  # every round of the feed of 2026-08-20, 91a and 91b included
    assert rows[0] == {
        "number": "437",
        "date": "2026-08-19",
        "name": "French-Language proficiency 2026-Version 2",
        "invitations": 5000,
        "crs_cutoff": 382,
        "first_seen_at": "2026-08-20T02:17:00Z",
    }
    cec = query(database, "draws", watch="ee-rounds", name="Canadian Experience Class")
    assert {row["name"] for row in cec} == {"Canadian Experience Class"}


def test_draws_by_type_adds_up_to_every_draw(database) -> None:
    rows = query(database, "draws_by_type", watch="ee-rounds")
    stored = [
        json.loads(row[0])
        for row in database.execute("SELECT data FROM records WHERE watch = 'ee-rounds'")
    ]
    assert sum(row["draws"] for row in rows) == len(stored) == 438
    assert {row["name"]: row["draws"] for row in rows} == Counter(d["name"] for d in stored)
    cec = next(row for row in rows if row["name"] == "Canadian Experience Class")
    assert (cec["latest_cutoff"], cec["latest_draw"]) == (523, "2026-08-18")


def test_pool_distributions_newest_first(database) -> None:
    rows = query(database, "pool_distributions", watch="ee-rounds")
    assert rows[0]["as_on"] == "August 16, 2026" and rows[0]["total"] == "226,859"
    assert rows[1]["as_on"] == "August 3, 2026" and rows[1]["total"] == "229,100"


def test_category_occupations_over_time(database) -> None:
    rows = query(database, "category_occupations", category="")
    told = [
        dict(row)
        for row in database.execute(
            "SELECT id, kind FROM changes WHERE kind IN "
            "('new_category', 'occupations_changed', 'category_removed') ORDER BY observed_at, id"
        )
    ]
    assert [(r["id"], r["kind"]) for r in rows] == [(t["id"], t["kind"]) for t in told]
    assert {r["kind"] for r in rows} == {"new_category", "occupations_changed", "category_removed"}
    stem = query(database, "category_occupations", category="STEM")
    assert stem and all("STEM" in row["category"] for row in stem)
    changed = next(row for row in stem if row["kind"] == "occupations_changed")
    assert changed["added"] or changed["removed"]


def test_every_change_of_a_watch(database) -> None:
    rows = query(database, "watch_changes", watch="ee-rounds")
    assert Counter(row["kind"] for row in rows) == {"new_draw": 98, "pool_changed": 39}
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)

"""Replaying the real Express Entry feed histories: one alert per real draw, nothing else."""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest

from tests.conftest import REAL, run_cli, unpack, write_config

EE_URL = "https://www.canada.ca/content/dam/ircc/documents/json/ee_rounds_123_en.json"


def replay_series(tmp_path, archive: str) -> list[dict]:
    unpack(REAL / "ee_rounds" / archive, tmp_path / "replay" / "ee-rounds")
    config = write_config(
        tmp_path,
        [
            {"name": "ee-rounds", "url": EE_URL, "kind": "ee-rounds", "topic": "express-entry"},
        ],
    )
    result = run_cli("--config", str(config), "replay", str(tmp_path / "replay"))
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def index(name: str) -> list[dict]:
    with open(REAL / "ee_rounds" / name, newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.fixture(scope="module")
def series1(tmp_path_factory) -> list[dict]:
    return replay_series(tmp_path_factory.mktemp("s1"), "raw_feed_series1_all_versions.tar.xz")


@pytest.fixture(scope="module")
def series2(tmp_path_factory) -> list[dict]:
    return replay_series(tmp_path_factory.mktemp("s2"), "rounds_array_series2_all_versions.tar.xz")


def test_series1_one_new_draw_per_draw_that_appeared(series1):
    versions = index("raw_feed_series1_all_versions.index.tsv")
    assert len(versions) == 100
    appeared = int(versions[-1]["n_rounds"]) - int(versions[0]["n_rounds"])
    assert appeared == 98
    # Each new pool distribution is one pool_changed besides (tests/test_pool.py).
    assert Counter(change["kind"] for change in series1) == {"new_draw": 98, "pool_changed": 39}
    numbers = [change["data"]["number"] for change in series1 if change["kind"] == "new_draw"]
    assert len(set(numbers)) == 98
    assert all(change["audience"] == "subscribers" for change in series1)


def test_series1_draw_values_are_parsed_from_the_feed_strings(series1):
    draws = [change for change in series1 if change["kind"] == "new_draw"]
    by_number = {change["data"]["number"]: change for change in draws}
    last = by_number["437"]
    assert last["data"] == {
        "number": "437",
        "date": "2026-08-19",
        "date_full": "August 19, 2026",
        "name": "French-Language proficiency 2026-Version 2",
        "size": 5000,
        "crs": 382,
    }
    assert last["observed_at"] == "2026-08-20T02:17:00Z"
    assert last["title"] == "Express Entry draw #437: French-Language proficiency 2026-Version 2"
    assert last["summary"] == "5,000 invitations, minimum CRS 382 (August 19, 2026)."
    first = draws[0]
    assert first["data"] == {
        "number": "340",
        "date": "2025-03-17",
        "date_full": "March 17, 2025",
        "name": "Provincial Nominee Program",
        "size": 536,
        "crs": 736,
    }
    assert first["observed_at"] == "2025-03-18T02:24:00Z"
    assert first["topic"] == "express-entry" and first["watch"] == "ee-rounds"


def test_series1_reindented_versions_only_announce_the_added_round(series1):
    observed = {
        change["observed_at"]: change["data"]["number"]
        for change in series1
        if change["kind"] == "new_draw"
    }
    assert observed["2026-01-06T02:57:00Z"] == "389"
    assert observed["2026-06-23T05:02:00Z"] == "419"
    assert observed["2026-07-07T04:53:00Z"] == "423"


def test_series2_flip_flops_and_retraction_are_not_announced_twice(series2):
    kinds = Counter(change["kind"] for change in series2)
    assert kinds == {"new_draw": 113, "draw_corrected": 1, "pool_changed": 51}
    numbers = [c["data"]["number"] for c in series2 if c["kind"] == "new_draw"]
    assert len(numbers) == len(set(numbers))
    assert numbers.count("324") == 1 and numbers.count("336") == 1


def test_series2_silent_cutoff_correction_goes_to_maintainers(series2):
    (corrected,) = [c for c in series2 if c["kind"] == "draw_corrected"]
    assert corrected["audience"] == "maintainers"
    assert corrected["observed_at"] == "2025-02-13T20:12:00Z"
    assert corrected["data"] == {
        "number": "335",
        "changes": {
            "cutoff": ["November 14, 2025 at 02:52:14 UTC", "November 14, 2024 at 02:52:14 UTC"]
        },
    }

"""Replaying IRCC's real 2025 processing-times files through `ircc-watch replay`.

The expectations are computed here from the raw JSON of every saved version (not from our
extractor), so the test checks that every real value change is told with its old and new
value, once, and that nothing else is.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from diffing.extract.processing_times import extract
from diffing.kinds import KINDS, is_bulk, schema_problem
from tests.conftest import REAL, run_cli, unpack, write_config

ARCHIVES = REAL / "processing_times"
PROGRAMS_URL = (
    "https://www.canada.ca/content/dam/ircc/documents/json/data-ptime-non-country-en.json"
)
COUNTRIES_URL = "https://www.canada.ca/content/dam/ircc/documents/json/data-ptime-en.json"
WATCHES = [
    {
        "name": "ptime-programs",
        "url": PROGRAMS_URL,
        "kind": "processing-times",
        "topic": "processing-times",
    },
    {
        "name": "ptime-countries",
        "url": COUNTRIES_URL,
        "kind": "processing-times",
        "topic": "processing-times",
    },
]


def versions(tmp_path: Path) -> dict[str, list[Path]]:
    """Both archives unpacked into a replay folder named after the watches."""
    out = {}
    for archive, folder, watch in (
        ("ptime_non_country_en_2025_all_versions.tar.xz", "ptime-non-country-en", "ptime-programs"),
        ("ptime_en_2025_all_versions.tar.xz", "ptime-en", "ptime-countries"),
    ):
        unpack(ARCHIVES / archive, tmp_path / "raw")
        shutil.move(tmp_path / "raw" / folder, tmp_path / "replay" / watch)
        out[watch] = sorted((tmp_path / "replay" / watch).iterdir())
    return out


def replay(tmp_path: Path, folder: Path) -> list[dict]:
    config = write_config(tmp_path, WATCHES)
    result = run_cli("--config", str(config), "replay", str(folder))
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def flat(path: Path) -> dict[tuple, str]:
    """Every processing-time value of a saved version, keyed (program, [country]), dates out."""
    data = json.loads(path.read_bytes().decode("utf-8-sig"))
    values: dict[tuple, str] = {}
    for group, entries in data.items():
        if group == "default-update":
            continue
        for name, value in entries.items():
            if name == "lastupdated":
                continue
            if isinstance(value, dict):
                for part, text in value.items():
                    values[(f"{group}.{part}", name)] = text
            elif name.isupper() and len(name) == 2:
                values[(group, name)] = value
            else:
                values[(name,)] = value
    return values


def real_moves(paths: list[Path]) -> dict[str, set[tuple]]:
    """observed_at → {(program, [country,] before, after)} against each value's last seen one."""
    last: dict[tuple, str] = {}
    out: dict[str, set[tuple]] = {}
    for index, path in enumerate(paths):
        values = flat(path)
        stamp = path.name[:10] + "T" + path.name[11:13] + ":" + path.name[13:15] + ":00Z"
        if index:
            out[stamp] = {
                (*key, last.get(key), value)
                for key, value in values.items()
                if last.get(key) != value
            }
        last.update(values)
    return out


def told_moves(rows: list[dict], watch: str) -> dict[str, set[tuple]]:
    out: dict[str, set[tuple]] = {}
    for row in rows:
        if row["watch"] != watch:
            continue
        for move in row["data"]["moves"]:
            key = (move["program"], move["country"]) if "country" in move else (move["program"],)
            out.setdefault(row["observed_at"], set()).add((*key, move["before"], move["after"]))
    return out


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ptime")
    paths = versions(tmp)
    return paths, replay(tmp, tmp / "replay")


def test_every_real_value_change_is_told_with_its_old_and_new_value(history):
    paths, rows = history
    assert {row["kind"] for row in rows} == {"processing_time_changed"}
    assert all(row["audience"] == "subscribers" for row in rows)
    for watch in ("ptime-programs", "ptime-countries"):
        expected = {k: v for k, v in real_moves(paths[watch]).items() if v}
        assert told_moves(rows, watch) == expected


def test_date_only_versions_tell_nothing(history):
    paths, rows = history
    programs = paths["ptime-programs"]
    told = {row["observed_at"] for row in rows if row["watch"] == "ptime-programs"}
    moves = real_moves(programs)
    date_only = [stamp for stamp, changed in moves.items() if not changed]
    # 2025-08-23: only default-update.lastupdated moved (August 20 → August 22).
    assert "2025-08-23T01:42:00Z" in date_only
    assert not told & set(date_only)


def test_reindented_file_gives_the_same_records(tmp_path):
    paths = unpack(ARCHIVES / "ptime_non_country_en_2025_all_versions.tar.xz", tmp_path)
    compact = next(p for p in paths if p.name.startswith("2025-12-04"))
    indented = next(p for p in paths if p.name.startswith("2025-12-11"))
    # The server re-indented the file on 2025-12-11 (2,461 → 3,100 bytes), CRLF kept.
    assert len(indented.read_bytes()) > len(compact.read_bytes()) + 500
    assert b"\r\n" in indented.read_bytes()
    data = json.loads(indented.read_bytes().decode("utf-8-sig"))
    flattened = json.dumps(data, separators=(",", ":")).encode()
    assert extract(flattened).content_hash() == extract(indented.read_bytes()).content_hash()


def test_caregiver_keys_missing_for_a_week_are_neither_removed_nor_new(history):
    _, rows = history
    caregivers = [
        r for r in rows if r["watch"] == "ptime-programs" and r["data"]["group"] == "caregivers"
    ]
    dec = {r["observed_at"][:10]: r for r in caregivers if r["observed_at"] >= "2025-12-04"}
    # December 4: the two PR keys vanish; only the real moves of the other two are told.
    assert {m["program"] for m in dec["2025-12-04"]["data"]["moves"]} == {
        "childcare",
        "supportworker",
    }
    # December 11: they are back, told as the value changes they are, never as new.
    back = dec["2025-12-11"]["data"]["moves"]
    assert {(m["program"], m["before"], m["after"]) for m in back} == {
        ("childcare_pr", "25 months", "28 months"),
        ("supportworker_pr", "19 months", "20 months"),
    }
    assert all(m["after"] is not None for r in caregivers for m in r["data"]["moves"])
    assert dec["2025-12-11"]["title"] == (
        "Caregivers: 2 programs moved (IRCC, as of December 10, 2025)"
    )


def test_country_file_gives_at_most_one_change_per_program_per_version(history):
    paths, rows = history
    per_version = Counter(r["observed_at"] for r in rows if r["watch"] == "ptime-countries")
    programs = len(json.loads(paths["ptime-countries"][0].read_bytes().decode("utf-8-sig")))
    assert programs == 8
    assert max(per_version.values()) <= programs
    # Every one of the 42 later versions moved something; about 250 values a week.
    assert len(per_version) == len(paths["ptime-countries"]) - 1
    for row in rows:
        if row["watch"] == "ptime-countries":
            groups = {m["program"].split(".")[0] for m in row["data"]["moves"]}
            assert groups == {row["data"]["group"]}


def test_program_file_gives_at_most_one_change_per_group(history):
    _, rows = history
    per_group = Counter(
        (r["observed_at"], r["data"]["group"]) for r in rows if r["watch"] == "ptime-programs"
    )
    assert set(per_group.values()) == {1}


def test_messages_name_the_program_and_the_date(history):
    _, rows = history
    iec = [r for r in rows if r["watch"] == "ptime-programs" and r["data"]["group"] == "iec"]
    december = next(r for r in iec if r["observed_at"].startswith("2025-12-04"))
    assert december["title"] == (
        "IEC work permits: processing time 5 weeks → 4 weeks (IRCC, as of December 3, 2025)"
    )
    assert december["data"]["program"] == "iec"
    assert (december["data"]["before"], december["data"]["after"]) == ("5 weeks", "4 weeks")
    assert december["data"]["as_of"] == "December 3, 2025"
    # A monthly (_flpt) program is dated by its own monthly update.
    fsw = next(r for r in rows if r["data"]["group"] == "fsw_ee_flpt")
    assert fsw["data"]["as_of"] == "March 4, 2025"
    work = next(
        r
        for r in rows
        if r["watch"] == "ptime-countries"
        and r["data"]["group"] == "work"
        and r["observed_at"].startswith("2025-12-04")
    )
    assert work["title"].startswith("Work permit (outside Canada): ")
    assert "countries moved (IRCC, as of December 3, 2025)" in work["title"]
    assert work["summary"].startswith("Largest: ")


def test_a_key_gone_for_good_is_told_once_after_the_grace(tmp_path):
    paths = versions(tmp_path)["ptime-programs"]
    folder = tmp_path / "gone" / "ptime-programs"
    folder.mkdir(parents=True)
    kept = [p for p in paths if "2025-11-20" <= p.name[:10] <= "2025-12-04"]
    for path in kept:
        shutil.copy(path, folder / path.name)
    # The December 4 file, seen again by later checks: the two keys stay missing.
    last = kept[-1].read_bytes()
    for stamp in ("2025-12-10T0000Z", "2025-12-15T0000Z", "2025-12-20T0000Z"):
        (folder / f"{stamp}_again.json").write_bytes(last)
    rows = replay(tmp_path, tmp_path / "gone")
    gone = [r for r in rows if any(m["after"] is None for m in r["data"]["moves"])]
    assert len(gone) == 1
    assert gone[0]["observed_at"] == "2025-12-15T00:00:00Z"
    assert gone[0]["title"] == "Caregivers: 2 programs moved"
    assert gone[0]["summary"].splitlines() == [
        "Home Child Care Provider (permanent residence): no longer listed (was 25 months)",
        "Home Support Worker (permanent residence): no longer listed (was 19 months)",
    ]


def test_routine_weekly_movement_never_trips_the_bulk_hold_or_the_schema_guard(history):
    paths, rows = history
    spec = KINDS["processing-times"]
    for watch, files in paths.items():
        moves = real_moves(files)
        for path in files:
            document = extract(path.read_bytes())
            assert schema_problem(spec, document.records) is None
        known = len(extract(files[0].read_bytes()).records)
        for stamp, moved in moves.items():
            told = sum(1 for r in rows if r["watch"] == watch and r["observed_at"] == stamp)
            # Every value that moved is a touched record, and so is the dates record.
            assert not is_bulk(spec, told, len(moved) + 1, known, threshold=5), (watch, stamp)
    # A rewrite of every value at once is not routine.
    assert is_bulk(spec, 8, known, known, threshold=5)

"""Replaying the synthetic IEC selections.xml history (tests/fixtures/synthetic/iec-pools,
described in tests/fixtures/synthetic/NOTES.md) through `ircc-watch replay`."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest

from diffing.document import ContentError
from diffing.extract.iec_pools import extract, number
from diffing.kinds import KINDS, schema_problem
from diffing.messages import describe
from tests.conftest import ROOT, run_cli

FOLDER = ROOT / "tests" / "fixtures" / "synthetic" / "iec-pools"
CONFIG = ROOT / "tests" / "fixtures" / "datakinds.toml"
VERSIONS = sorted(FOLDER.iterdir())


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("iec")
    shutil.copytree(FOLDER, tmp / "replay" / "iec-pools")
    result = run_cli(
        "--config", str(CONFIG), "--db", str(tmp / "iec.db"), "replay", str(tmp / "replay")
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def by(rows, kind, day):
    return [r for r in rows if r["kind"] == kind and r["observed_at"].startswith(day)]


def test_the_versions_are_written_as_the_real_file_is():
    assert len(VERSIONS) >= 5
    for path in VERSIONS:
        body = path.read_bytes()
        assert b"\r\n" in body and b"\n" not in body.replace(b"\r\n", b"")
        assert b"<![CDATA[" in body and b"&nbsp;" in body
    assert b'"11,463"' not in VERSIONS[0].read_bytes()
    assert b"<![CDATA[11,463]]>" in VERSIONS[0].read_bytes()
    assert b"<![CDATA[Unlimited]]>" in VERSIONS[0].read_bytes()
    assert b"\r\n\r\n" in VERSIONS[1].read_bytes()


def test_numbers_are_parsed_and_words_kept():
    records = extract(VERSIONS[0].read_bytes()).records
    france = records["fr/wh"]
    assert (france["invitations"], france["candidates"], france["spots"]) == (11463, 5022, 312)
    assert france["quota"] == 7000 and france["chances"] == 3
    assert france["location"] == "France" and france["second"] == "To be announced"
    australia = records["au/wh"]
    assert australia["quota"] == "Unlimited" and australia["spots"] == "Unlimited"
    assert records["as-of"] == {"chancesdate": "February 10, 2023"}
    assert number("1 234") == 1234 and number("") is None and number("To be announced")
    assert schema_problem(KINDS["iec-pools"], records) is None


def test_blank_lines_alone_change_nothing():
    last, blank = VERSIONS[-2], VERSIONS[-1]
    assert last.read_bytes() != blank.read_bytes()
    assert extract(last.read_bytes()).content_hash() == extract(blank.read_bytes()).content_hash()


def test_every_change_is_told_once_with_the_right_numbers(rows):
    assert Counter(r["observed_at"][:10] for r in rows) == {
        "2023-02-17": 4,
        "2023-02-24": 4,
        "2023-03-03": 3,
        "2023-03-10": 3,
    }
    (france,) = [r for r in by(rows, "iec_pool_changed", "2023-02-17") if r["data"]["code"] == "fr"]
    assert france["title"] == "IEC Working Holiday — France"
    assert france["summary"] == (
        "14,588 invitations (was 11,463), 4,255 candidates in the pool (was 5,022), "
        "0 spots left (was 312); chances of selection 3 (as of February 17, 2023)"
    )
    assert france["data"]["changes"] == {
        "invitations": [11463, 14588],
        "candidates": [5022, 4255],
        "spots": [312, 0],
    }
    assert france["data"]["category"] == "wh" and france["data"]["as_of"] == "February 17, 2023"
    australia = next(r for r in rows if r["data"].get("code") == "au")
    assert australia["data"]["changes"] == {
        "invitations": [9212, 10870],
        "candidates": [1844, 1502],
    }
    assert "Unlimited spots left" in australia["summary"]


def test_quota_round_date_and_new_pool_are_their_own_kinds_for_every_iec_subscriber(rows):
    (quotas,) = by(rows, "iec_quota_changed", "2023-02-24")
    assert quotas["title"] == "IEC: quotas changed for 2 pools"
    assert quotas["summary"].splitlines() == [
        "IEC Working Holiday — Korea, Republic of: quota 4,000 → 6,500",
        "IEC Working Holiday — United Kingdom: quota 8,000 → 10,000",
    ]
    (greece,) = by(rows, "iec_quota_changed", "2023-03-10")
    assert greece["title"] == "IEC Working Holiday — Greece: quota 400 → 540"
    (dates,) = by(rows, "iec_round_date_changed", "")
    assert dates["title"] == (
        "IEC Young Professionals — France: final round August 4, 2023 (was To be announced)"
    )
    assert dates["data"]["rounds"][0]["field"] == "second"
    (added,) = by(rows, "iec_pool_added", "")
    assert added["title"] == "New pool: IEC Young Professionals — Greece (quota 160)"
    assert {r["topic"] for r in rows} == {"iec"}
    assert {r["audience"] for r in rows} == {"subscribers"}


def test_french_messages():
    data = {
        "code": "fr",
        "category": "wh",
        "location": "France",
        "invitations": 14588,
        "candidates": 4255,
        "spots": 0,
        "chances": 3,
        "as_of": "February 17, 2023",
        "changes": {"invitations": [11463, 14588]},
    }
    assert describe("iec_pool_changed", data, "fr") == (
        "EIC Vacances-travail — France",
        "14 588 invitations (auparavant 11 463), 4 255 candidats dans le bassin, "
        "0 places restantes; chances de sélection 3 (au 17 février 2023)",
    )
    quota = {
        "quotas": [
            {
                "code": "kr",
                "category": "wh",
                "location": "Korea, Republic of",
                "before": 4000,
                "after": 6500,
            }
        ]
    }
    assert describe("iec_quota_changed", quota, "fr")[0] == (
        "EIC Vacances-travail — Corée du Sud\u00a0: quota 4 000 → 6 500"
    )


@pytest.mark.parametrize("body", [b"", b"<html><body>Maintenance</body></html>", b"<temp><country"])
def test_not_the_pools_file_is_a_fault(body):
    with pytest.raises(ContentError):
        extract(body)


def test_any_other_pool_field_reaches_maintainers():
    from diffing.classify import WatchInfo, classify
    from diffing.diff import diff_documents

    old = extract(VERSIONS[0].read_bytes())
    body = VERSIONS[0].read_bytes().replace(b'location="Korea, Republic of"', b'location="Korea"')
    new = extract(body)
    diff = diff_documents(old.text, new.text, old.records, new.records, old.records)
    (change,) = classify(WatchInfo("iec-pools", "iec-pools", "iec"), diff)
    assert (change.kind, change.audience) == ("iec_pool_changed", "maintainers")
    assert change.data["changes"] == {"location": ["Korea, Republic of", "Korea"]}
    assert describe(change.kind, change.data) == (
        "IEC Working Holiday — Korea",
        "location: Korea, Republic of → Korea",
    )

"""Readable names for every key of every saved processing-times version, in both languages."""

from __future__ import annotations

import json

import pytest

from diffing import ptime_names
from diffing.datamessages import ircc_date, ircc_value
from diffing.extract.processing_times import extract
from diffing.messages import describe
from tests.conftest import REAL, unpack

ARCHIVES = sorted((REAL / "processing_times").glob("*.tar.xz"))


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("names")
    paths = [path for archive in ARCHIVES for path in unpack(archive, tmp / archive.stem)]
    assert len(paths) == 46 + 43
    return [(path, json.loads(path.read_bytes().decode("utf-8-sig"))) for path in paths]


def test_every_program_and_group_key_has_a_name_in_english_and_french(documents):
    keys: set[str] = set()
    countries: set[str] = set()
    for path, data in documents:
        for record in extract(path.read_bytes()).records.values():
            if "program" in record:
                keys |= {record["group"], record["program"]}
                countries |= {record["country"]} if "country" in record else set()
        keys |= {group for group in data if group != "default-update"}
    assert len(keys) > 60
    missing = sorted(key for key in keys if not ptime_names.known(key))
    assert missing == []
    for key in keys:
        en, fr = ptime_names.name(key, "en"), ptime_names.name(key, "fr")
        assert en != key and fr != key and en != fr
    assert len(countries) == 212
    unnamed = [c for c in countries if ptime_names.country_name(c) == c]
    assert unnamed == []
    assert all(ptime_names.country_name(c, "fr") != c for c in countries)


def test_an_unknown_key_is_named_by_its_key():
    assert ptime_names.name("brand_new_program", "fr") == "brand_new_program"
    assert ptime_names.country_name("QQ") == "QQ"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("IN", "IN"),
        ("in", "IN"),
        ("India", "IN"),
        ("inde", "IN"),
        ("Côte d'Ivoire", "CI"),
        ("cote d ivoire", "CI"),
        ("Allemagne", "DE"),
        ("West Bank", "WB"),
        ("Philipp", "PH"),
        ("Nowhere", None),
        ("", None),
    ],
)
def test_find_country_takes_codes_and_names_in_both_languages(text, code):
    assert ptime_names.find_country(text) == code


def test_find_country_can_be_limited_to_the_file_s_codes():
    assert ptime_names.find_country("France", {"FR", "IN"}) == "FR"
    assert ptime_names.find_country("Canada", {"FR", "IN"}) is None


def test_french_messages_translate_ircc_s_english_values():
    assert ircc_value("5 weeks", "fr") == "5 semaines"
    assert ircc_value("1 week", "fr") == "1 semaine"
    assert ircc_value("Part 1: 4 months", "fr") == "Partie 1 : 4 mois"
    assert ircc_value("Not enough data", "fr") == "Données insuffisantes"
    assert ircc_date("December 3, 2025", "fr") == "3 décembre 2025"
    assert ircc_date("August 07, 2026", "en") == "August 7, 2026"
    data = {
        "group": "iec",
        "program": "iec",
        "before": "5 weeks",
        "after": "4 weeks",
        "as_of": "December 3, 2025",
        "moves": [{"program": "iec", "before": "5 weeks", "after": "4 weeks"}],
    }
    assert describe("processing_time_changed", data, "fr") == (
        "Permis de travail EIC\u00a0: délai de traitement 5 semaines → 4 semaines "
        "(IRCC, au 3 décembre 2025)",
        "1 semaine de moins (−20\u00a0%).",
    )
    assert describe("processing_time_changed", data, "en")[0] == (
        "IEC work permits: processing time 5 weeks → 4 weeks (IRCC, as of December 3, 2025)"
    )


def test_a_program_that_appears_is_told_as_newly_listed(documents):
    from diffing.classify import WatchInfo, classify
    from diffing.diff import diff_documents

    path = next(p for p, _ in documents if "non_country" in str(p))
    old = extract(path.read_bytes())
    data = json.loads(path.read_bytes().decode("utf-8-sig"))
    data["iec"]["iec_next"] = "3 weeks"
    new = extract(json.dumps(data).encode())
    diff = diff_documents(old.text, new.text, old.records, new.records, old.records)
    (change,) = classify(WatchInfo("ptime-programs", "processing-times"), diff)
    assert change.data["moves"] == [{"program": "iec_next", "before": None, "after": "3 weeks"}]
    title, _ = describe(change.kind, change.data)
    assert title.startswith("iec_next: now listed, 3 weeks (IRCC, as of ")

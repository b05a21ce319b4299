"""The drawName → draw type mapping, against every distinct name in the real rounds feed."""

from __future__ import annotations

import json

import pytest

from notifier.drawtypes import DRAW_TYPES, draw_type, normalize_name
from tests.conftest import REAL

FEED = REAL / "ee_rounds" / "raw_feed_series1" / "2026-08-20T0217Z_d5efaf91.json"

# Every distinct drawName of the real feed of 2026-08-20 (438 rounds), and its type.
REAL_NAMES = {
    "Agriculture and agri-food occupations (Version 1)": "agriculture",
    "Canadian Experience Class": "cec",
    "Education occupations (Version 1)": "education",
    "Federal Skilled Trades": "fst",
    "Federal Skilled Worker": "fsw",
    "French language proficiency (Version 1)": "french",
    "French-Language proficiency 2026-Version 2": "french",
    "General": "general",
    "Healthcare and Social Services Occupations, 2026-Version 3": "healthcare",
    "Healthcare and social services occupations (Version 2)": "healthcare",
    "Healthcare occupations (Version 1)": "healthcare",
    "No Program Specified": "general",
    "Physicians with Canadian Work Experience, 2026-Version 1": "physicians",
    "Provincial Nominee Program": "pnp",
    "STEM occupations (Version 1)": "stem",
    "Senior managers with Canadian Work Experience, 2026-Version 1": "senior-managers",
    "Skilled Military Recruits, 2026-Version 1": "military",
    "Trade occupations (Version 1)": "trades",
    "Trade occupations (Version 2)": "trades",
    "Trades Occupations, 2026-Version 3": "trades",
    "Transport Occupations, 2026-Version 2": "transport",
    "Transport occupations (Version 1)": "transport",
}


def test_every_real_draw_name_has_its_type() -> None:
    rounds = json.loads(FEED.read_bytes())["rounds"]
    names = {r["drawName"] for r in rounds}
    assert names == set(REAL_NAMES), "the fixture's names changed: update REAL_NAMES"
    assert {name: draw_type(name) for name in names} == REAL_NAMES
    assert "other" not in {draw_type(r["drawName"]) for r in rounds}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # The yearly renaming the issue names, and spellings IRCC might use next.
        ("STEM, 2026-Version 1", "stem"),
        ("STEM occupations – Version 4", "stem"),
        ("Canadian Experience Class (Version 2)", "cec"),
        ("  french-language PROFICIENCY 2027-Version 1 ", "french"),
        ("Federal Skilled Trades Program", "fst"),
        ("Federal Skilled Worker Program", "fsw"),
        ("Trades occupations, 2027-Version 1", "trades"),
        # French-feed wording (synthetic: no French feed copy is in the fixtures).
        ("Expérience canadienne", "cec"),
        ("Programme des candidats des provinces", "pnp"),
        ("Connaissance du français, 2026-Version 2", "french"),
        ("Aucun programme spécifié", "general"),
        ("Métiers spécialisés (fédéral)", "fst"),
        ("Professions de la santé et des services sociaux (Version 2)", "healthcare"),
        # Unknown categories are kept, as "other", never dropped.
        ("Something entirely new, 2027-Version 1", "other"),
        ("", "other"),
        (None, "other"),
    ],
)
def test_renamed_and_unknown_names(name: str | None, expected: str) -> None:
    assert draw_type(name) == expected


def test_stem_is_a_word_not_a_substring() -> None:
    assert draw_type("Systems engineering occupations") == "other"


def test_normalize_drops_versions_and_years() -> None:
    assert normalize_name("STEM, 2026-Version 1") == normalize_name("STEM (Version 1)") == "stem"


def test_every_type_is_listed() -> None:
    assert len(DRAW_TYPES) == len(set(DRAW_TYPES))
    assert set(REAL_NAMES.values()) <= set(DRAW_TYPES)

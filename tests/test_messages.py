"""Titles and summaries of every semantic change kind, in English and French, from the records."""

from __future__ import annotations

import pytest

from diffing.messages import describe, fmt_int, fmt_range

STEM = "STEM (science, technology, engineering and math) occupations"
CASES = [
    (
        "new_category",
        {
            "name": "Transport occupations",
            "occupations": [
                {"noc": "72600", "title": "Air pilots, flight engineers and flying instructors"},
                {"noc": "73300", "title": "Transport truck drivers"},
            ],
        },
        (
            "New Express Entry category: Transport occupations",
            "2 eligible occupations: 72600 Air pilots, flight engineers and flying instructors; "
            "73300 Transport truck drivers",
        ),
        (
            "Nouvelle catégorie d’Entrée express\u00a0: Transport occupations",
            "2 professions admissibles\u00a0: 72600 Air pilots, flight engineers and flying "
            "instructors; 73300 Transport truck drivers",
        ),
    ),
    (
        "new_category",
        {"name": "French-language proficiency", "occupations": []},
        (
            "New Express Entry category: French-language proficiency",
            "A category without an occupation list.",
        ),
        (
            "Nouvelle catégorie d’Entrée express\u00a0: French-language proficiency",
            "Catégorie sans liste de professions.",
        ),
    ),
    (
        "category_removed",
        {"name": "Agriculture and agri-food occupations", "occupations": []},
        (
            "Express Entry category removed: Agriculture and agri-food occupations",
            "It is no longer listed among the categories for rounds.",
        ),
        (
            "Catégorie d’Entrée express retirée\u00a0: Agriculture and agri-food occupations",
            "Elle ne figure plus parmi les catégories des rondes.",
        ),
    ),
    (
        "occupations_changed",
        {
            "category": STEM,
            "added": [{"noc": "21321", "title": "Industrial and manufacturing engineers"}],
            "removed": [],
        },
        (
            f"Express Entry category changed: {STEM}",
            "Added: 21321 Industrial and manufacturing engineers",
        ),
        (
            f"Catégorie d’Entrée express modifiée\u00a0: {STEM}",
            "Ajout\u00a0: 21321 Industrial and manufacturing engineers",
        ),
    ),
    (
        "rule_change",
        {
            "page": "IEC",
            "section": "Young Professionals",
            "before": "You need 6 months of work experience.",
            "after": "You need one year of work experience.",
            "url": "https://www.canada.ca/iec.html",
        },
        (
            "Rule changed: IEC – Young Professionals",
            "Before: You need 6 months of work experience.\n"
            "After: You need one year of work experience.",
        ),
        (
            "Règle modifiée\u00a0: IEC – Young Professionals",
            "Avant\u00a0: You need 6 months of work experience.\n"
            "Après\u00a0: You need one year of work experience.",
        ),
    ),
    (
        "rule_change",
        {"page": "Fees", "section": "Fees", "before": "", "after": "- a new $85 fee\n- and more"},
        ("Rule changed: Fees", "Added: a new $85 fee\nAdded: and more"),
        ("Règle modifiée\u00a0: Fees", "Ajouté\u00a0: a new $85 fee\nAjouté\u00a0: and more"),
    ),
    (
        "page_change",
        {
            "page": "iec-en",
            "sections": ["Dependants"],
            "added": 1,
            "removed": 1,
            "excerpt": "+ Their applications are assessed separately.\n- We look separately.",
        },
        (
            "Page changed: iec-en",
            "Dependants\nAdded: Their applications are assessed separately.\n"
            "Removed: We look separately.",
        ),
        (
            "Page modifiée\u00a0: iec-en",
            "Dependants\nAjouté\u00a0: Their applications are assessed separately.\n"
            "Retiré\u00a0: We look separately.",
        ),
    ),
    (
        "row_added",
        {
            "table": "Global Talent Occupations List",
            "columns": ["NOC code", "Occupation", "Minimum wage floor"],
            "rows": [["21220", "Cybersecurity specialists", "$80,000"]],
        },
        (
            "Global Talent Occupations List: added “21220 Cybersecurity specialists”",
            "Minimum wage floor: $80,000",
        ),
        (
            "Global Talent Occupations List\u00a0: ajout de «\u202f21220 Cybersecurity "
            "specialists\u202f»",
            "Minimum wage floor: $80,000",
        ),
    ),
    (
        "row_removed",
        {
            "table": "Results",
            "columns": [],
            "rows": [["Number of Invitations Issued", "231"], ["Lowest EOI Score", "90"]],
        },
        (
            "Results: 2 rows removed",
            "Number of Invitations Issued 231; Lowest EOI Score 90",
        ),
        (
            "Results\u00a0: retrait de 2 lignes",
            "Number of Invitations Issued 231; Lowest EOI Score 90",
        ),
    ),
    (
        "new_event",
        {
            "title": "Destination Canada Forum Mobilité – Paris",
            "date": "2026-03-20",
            "end": "2026-03-21",
            "place": "Paris, France",
            "link": "https://example.org/paris",
        },
        (
            "New recruitment event: Destination Canada Forum Mobilité – Paris",
            "March 20–21, 2026, Paris, France\nhttps://example.org/paris",
        ),
        (
            "Nouvel événement de recrutement\u00a0: Destination Canada Forum Mobilité – Paris",
            "20–21 mars 2026, Paris, France\nhttps://example.org/paris",
        ),
    ),
    (
        "pnp_update",
        {
            "province": "British Columbia",
            "date": "2026-06-18",
            "headline": "Skills Immigration: Innovate: High Economic Impact",
            "invitations": 1279,
            "score": 136,
        },
        (
            "British Columbia PNP: Skills Immigration: Innovate: High Economic Impact",
            "June 18, 2026: 1,279 invitations, lowest score 136.",
        ),
        (
            "Programme des candidats des provinces (Colombie-Britannique)\u00a0: Skills "
            "Immigration: "
            "Innovate: High Economic Impact",
            "18 juin 2026\u00a0: 1 279 invitations, note minimale 136.",
        ),
    ),
    (
        "pnp_update",
        {
            "province": "Alberta",
            "date": "2026-05-01",
            "headline": "Worker EOI fee",
            "invitations": None,
            "score": None,
        },
        ("Alberta PNP: Worker EOI fee", "May 1, 2026."),
        ("Programme des candidats des provinces (Alberta)\u00a0: Worker EOI fee", "1er mai 2026."),
    ),
    (
        "news",
        {
            "title": "Canada expands online passport renewal",
            "url": "https://www.canada.ca/news.html",
            "published": "2026-07-28T14:12:00-04:00",
        },
        (
            "IRCC news: Canada expands online passport renewal",
            "July 28, 2026\nhttps://www.canada.ca/news.html",
        ),
        (
            "Nouvelles d'IRCC\u00a0: Canada expands online passport renewal",
            "28 juillet 2026\nhttps://www.canada.ca/news.html",
        ),
    ),
]


@pytest.mark.parametrize(("kind", "data", "english", "french"), CASES)
def test_each_kind_in_english_and_french(kind, data, english, french):
    assert describe(kind, data, "en") == english
    assert describe(kind, data, "fr") == french


@pytest.mark.parametrize(("kind", "data", "english", "french"), CASES)
def test_summaries_are_one_to_three_lines(kind, data, english, french):
    for _, summary in (english, french):
        assert 1 <= len(summary.splitlines()) <= 3


def test_numbers_and_date_ranges_per_language():
    assert (fmt_int(5000, "en"), fmt_int(5000, "fr")) == ("5,000", "5 000")
    assert fmt_range("2026-03-30", "2026-04-02", "en") == "March 30, 2026 – April 2, 2026"
    assert fmt_range("2026-03-30", "2026-04-02", "fr") == "30 mars 2026 – 2 avril 2026"
    assert fmt_range("2026-03-20", None, "fr") == "20 mars 2026"


def test_long_occupation_lists_are_cut_with_a_count():
    occupations = [{"noc": f"7230{i}", "title": f"Trade {i}"} for i in range(6)]
    _, summary = describe("new_category", {"name": "Trades", "occupations": occupations})
    assert summary == (
        "6 eligible occupations: 72300 Trade 0; 72301 Trade 1; 72302 Trade 2; 72303 Trade 3 (+2)"
    )


def test_french_spacing_changes_only_the_spaces_french_typography_asks_for():
    from diffing.formats import french_spacing

    assert french_spacing("Page modifiée : x ; y ! z ? « a »") == (
        "Page modifiée\u00a0: x\u202f; y\u202f! z\u202f? «\u202fa\u202f»"
    )
    # A URL, a time, HTML markup and text written without a space are left as they are.
    text = '<a href="https://www.canada.ca/fr.html?x=1">Page officielle</a> à 13:00, n°1: ok?'
    assert french_spacing(text) == text
    assert french_spacing('<i title="a : b">Usage : /tz</i>') == (
        '<i title="a : b">Usage\u00a0: /tz</i>'
    )
    assert french_spacing(french_spacing("Avant : a")) == "Avant\u00a0: a"


def test_admin_alerts_write_out_when_a_trouble_began_and_their_plurals():
    data = {"watch": "ee-rounds", "failures": 1, "since": "2026-12-06T04:24:56Z", "reason": "x"}
    assert describe("watch_failing", data, "en") == (
        "Watch failing: ee-rounds",
        "1 failure in a row since December 6, 2026, 04:24 UTC: x",
    )
    assert describe("watch_failing", {**data, "failures": 3}, "fr") == (
        "Surveillance en échec\u00a0: ee-rounds",
        "3 échecs de suite depuis 6 décembre 2026 à 4 h 24 UTC\u00a0: x",
    )
    assert describe("watch_recovered", data, "en")[1] == (
        "Working again after 1 failure (since December 6, 2026, 04:24 UTC)."
    )
    assert describe("extractor_degraded", {**data, "missing": "m"}, "fr")[1].startswith(
        "Depuis 6 décembre 2026 à 4 h 24 UTC\u00a0: m."
    )

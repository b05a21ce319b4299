"""Extractors for the semantic kinds, on bytes and strings: dates, sentences, tables, records."""

from __future__ import annotations

import json

import pytest

from diffing.dates import find_dates, leading_date
from diffing.document import ContentError
from diffing.extract import extract
from diffing.extract.atom import entry_aliases, entry_key
from diffing.extract.ee_categories import category_key
from diffing.extract.pnp_updates import invitations_in, score_in
from diffing.extract.structure import masked
from diffing.messages import describe
from diffing.sentences import is_rule_change, pair_edits, salient, split_sentences
from tests.semantic_support import REAL, SEMANTIC, SYNTHETIC

NEWS = "https://www.canada.ca/en/immigration-refugees-citizenship/news/2026/06/"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("June 18, 2026", [("2026-06-18", None)]),
        ("Last updated: June 18 , 2026", [("2026-06-18", None)]),
        ("March 20 to 21, 2026", [("2026-03-20", "2026-03-21")]),
        ("March 30 to April 2, 2026", [("2026-03-30", "2026-04-02")]),
        ("Les 20 et 21 mars 2026 à Paris", [("2026-03-20", "2026-03-21")]),
        ("du 2 au 4 février 2026", [("2026-02-02", "2026-02-04")]),
        ("1er mai 2026", [("2026-05-01", None)]),
        ("Sept. 19, 2018 and 2026-06-18", [("2018-09-19", None), ("2026-06-18", None)]),
        ("primary 12 2020; you may 3 times", []),
    ],
)
def test_dates_in_english_and_french(text, expected):
    assert [(start, end) for start, end, _ in find_dates(text)] == expected


def test_a_heading_without_year_takes_the_page_year():
    assert leading_date("March 16", 2026) == ("2026-03-16", None)
    assert leading_date("March 16") is None
    assert leading_date("Regulatory changes on March 16, 2026") is None


def test_sentences_and_the_figures_they_commit_to():
    assert split_sentences(
        "Apply online, e.g. on the portal. Then wait. 2 weeks later, check."
    ) == [
        "Apply online, e.g. on the portal.",
        "Then wait.",
        "2 weeks later, check.",
    ]
    assert salient("at least 6 months of continuous work experience") == ["6", "month"]
    assert salient("at least one year (12 months) of paid work") == ["1", "year", "12", "month"]
    assert salient("Vous devez payer 5 000 $ pendant un an.") == ["5000", "$", "1", "year"]
    assert salient("un permis de travail et une offre d’emploi") == []


@pytest.mark.parametrize(
    ("before", "after", "rule"),
    [
        ("You need 6 months of work.", "You need one year of work.", True),
        ("The fee is $179.", "The fee is $184.", True),
        ("It takes effect on September 27, 2024.", "It takes effect on April 1, 2025.", True),
        ("We’ll look at it separately.", "It is assessed separately.", False),
        ("- 6.1 For interpretation", "- 6.1 For questions about the interpretation", False),
        (None, "- have a job offer", True),
        ("- have a job offer", None, True),
        (None, "A new paragraph.", False),
    ],
)
def test_what_counts_as_a_rule_change(before, after, rule):
    assert is_rule_change(before, after) is rule


def test_edited_sentences_pair_up_wherever_they_moved():
    old = ["Intro stays.", "You need 6 months of work.", "Old remark here."]
    new = ["Intro stays.", "A brand new sentence.", "You need 12 months of work."]
    assert pair_edits(old, new) == [
        ("You need 6 months of work.", "You need 12 months of work."),
        ("Old remark here.", None),
        (None, "A brand new sentence."),
    ]


def test_keys_survive_date_and_wording_edits():
    assert masked("Application Intake Thresholds as of April 3, 2017") == masked(
        "Application Intake Thresholds as of October 16, 2018"
    )
    assert category_key("STEM (science, technology, engineering and math) occupations") == "stem"
    assert category_key("Healthcare and social services occupations") == category_key(
        "Healthcare and social services"
    )


def test_page_sections_and_table_rows_of_the_gts_list():
    body = (SYNTHETIC / "gts-occupations" / "2026-03-02T1400Z_after.html").read_bytes()
    doc = extract("page", body)
    assert doc.records["row:global-talent-occupations-list:21211"] == {
        "section": "Global Talent Occupations List",
        "table": "Global Talent Occupations List",
        "columns": ["NOC code", "Occupation", "Minimum wage floor"],
        "cells": ["21211", "Data scientists", "$80,000 or prevailing wage, whichever is higher"],
        "page": "Program requirements for the Global Talent Stream",
    }
    assert len([k for k in doc.records if k.startswith("row:")]) == 17
    assert doc.records["section:processing-fee"]["sentences"] == [
        "You must pay $1,000 for each position requested to cover the cost of processing your "
        "Labour Market Impact Assessment (LMIA) application."
    ]


def test_unclosed_strong_on_saskatchewan_pages_keeps_headings_and_lists():
    folder = REAL / "provincial" / "sk_sinp" / "occupations-in-demand"
    body = (folder / "2017-04-10T1002Z_c9a48255.htm").read_bytes()
    doc = extract("page", body, selector="#a-main-content")
    eligibility = doc.records["section:eligibility"]
    assert eligibility["section"] == "Eligibility"
    assert eligibility["sentences"][1] == (
        "- Score a minimum of 60 points out of 100 on the SINP point assessment grid;"
    )


def test_saskatchewan_object_moved_page_is_a_content_error():
    folder = REAL / "provincial" / "sk_sinp" / "maximum-number-of-sinp-applications"
    with pytest.raises(ContentError, match="content region missing"):
        extract("page", (folder / "2017-05-15T0154Z_9e21b2ba.htm").read_bytes(), selector="main")
    with pytest.raises(ContentError, match="error page: <title>Object moved"):
        extract("page", (folder / "2017-05-15T0154Z_9e21b2ba.htm").read_bytes())


def test_truncated_body_is_refused():
    with pytest.raises(ContentError, match="truncated body"):
        extract("page", (SYNTHETIC / "faults" / "truncated-iec-en.html").read_bytes())


def test_categories_with_occupations_in_french():
    body = (SYNTHETIC / "ee-categories-fr" / "2025-12-01T1400Z_before.html").read_bytes()
    doc = extract("ee-categories", body)
    categories = {k: v for k, v in doc.records.items() if k.startswith("category:")}
    assert list(categories) == [
        "category:competence-linguistique-en-francais",
        "category:des-soins-de-sante-et-des-services-sociaux",
        "category:en-sciences-technologie-ingenierie-et-mathematiques",
        "category:metiers",
        "category:en-agriculture-et-en-agroalimentaire",
        "category:en-education",
    ]
    agriculture = categories["category:en-agriculture-et-en-agroalimentaire"]
    assert agriculture["name"] == "Professions en agriculture et en agroalimentaire"
    assert list(agriculture["occupations"]) == ["80020", "80021", "82030"]
    assert agriculture["requirements"][0] == "Pour être admissible, vous devez :"
    # The list of category names is told as categories, not as section sentences.
    chosen = doc.records["section:categories-choisies-pour-n"]
    assert chosen["sentences"] == [
        "Les catégories suivantes ont été choisies pour les rondes d’invitations en 2025 :"
    ]


def test_a_page_without_categories_is_refused_as_ee_categories():
    with pytest.raises(ContentError, match="no categories"):
        extract(
            "ee-categories", (SYNTHETIC / "iec-en" / "2025-11-20T0900Z_before.html").read_bytes()
        )


def test_events_keyed_by_date_and_place():
    body = (SYNTHETIC / "events-en" / "2025-11-10T1200Z_before.html").read_bytes()
    doc = extract("events", body)
    assert list(doc.records) == [
        "event:2025-11-24:rabat-morocco",
        "event:2026-02-02:online",
        "event:2026-02-09:tunis-tunisia",
    ]
    assert doc.records["event:2026-02-02:online"] == {
        "title": "Destination Canada Mobility Forum – Online",
        "date": "2026-02-02",
        "end": "2026-02-04",
        "when": "February 2 to 4, 2026",
        "place": "Online",
        "link": "https://www.destination-canada-forum-mobilite.ca/en/online-2026",
    }


def test_pnp_figures_in_english_prose():
    assert (
        invitations_in("On April 22, 2026, we issued 674 invitations ... and 244 invitations")
        == 918
    )
    assert invitations_in("issued invitations to apply to 484 candidates who will") == 484
    assert invitations_in("we issued 1,635 invitations to apply") == 1635
    assert invitations_in("Eligible profiles must have been created by April 21, 2026") is None
    assert score_in("a score of 57 and above ... a score of 81 and above") == 57
    assert score_in("A minimum score of 138 points (232 candidates).") == 138


def test_pnp_entries_of_the_three_layouts():
    folder = SEMANTIC / "replay"
    ontario = extract(
        "pnp-updates",
        (folder / "oinp-updates" / "2026-06-19T2216Z_saved.html").read_bytes(),
        url="https://www.ontario.ca/page/2026-ontario-immigrant-nominee-program-updates",
    ).records
    assert len(ontario) == 28
    assert ontario["2026-04-22:masters-and-phd-graduate-streams-candidates-invited"] == {
        "date": "2026-04-22",
        "headline": "Masters and PhD Graduate streams: candidates invited",
        "invitations": 918,
        "score": 56,
        "province": "Ontario",
    }
    assert "2026-03-16:regulatory-changes-to-the-ontario-immigrant-nominee-program" in ontario
    bc = extract(
        "pnp-updates",
        (folder / "bc-pnp-invitations" / "2026-06-03T0149Z_before.html").read_bytes(),
        url="https://www.welcomebc.ca/immigrate-to-b-c/about-the-bc-provincial-nominee-program/invitations-to-apply",
    ).records
    veterinary = bc["2026-06-02:skills-immigration-care-veterinary-care"]
    assert (veterinary["invitations"], veterinary["score"]) == (6, 92)
    regional = bc["2026-06-02:entrepreneur-immigration-regional"]
    assert (regional["invitations"], regional["score"]) == (None, 117)
    april = bc[
        "2026-04-22:on-n-n-n-the-bc-pnp-issued-invitations-to-apply-to-n-candidates-who-will-create-"
    ]
    assert (april["invitations"], april["score"]) == (484, 138)
    alberta = extract(
        "pnp-updates",
        (folder / "aaip-updates" / "2026-05-20T1500Z_before.html").read_bytes(),
        url="https://www.alberta.ca/aaip-updates",
    ).records
    assert alberta["2026-04-07:worker-expression-of-interest-fee"]["headline"] == (
        "Worker Expression of Interest fee"
    )
    assert len(alberta) == 37


def test_news_keys_ignore_copies_and_slug_punctuation():
    original = {"url": NEWS + "ottawa-ceremony.html", "title": "Minister to attend a ceremony"}
    copy = {"url": NEWS + "ottawa-ceremony0.html", "title": "Minister to attend a ceremony"}
    hyphen = {"url": NEWS + "indo-pacific-ties.html", "title": "Indo-Pacific ties"}
    joined = {"url": NEWS + "indopacific-ties.html", "title": "Indo-Pacific ties"}
    assert entry_key(original) == entry_key(copy)
    assert entry_key(hyphen) == entry_key(joined)
    renamed = {"url": NEWS + "minister-attends-ceremony.html", "title": original["title"]}
    assert entry_key(renamed) != entry_key(original)
    assert entry_aliases(renamed) == entry_aliases(original)


def test_a_feed_listing_a_release_twice_keeps_the_original_address():
    entries = "".join(
        f"<entry><title>Same title</title><link href='{NEWS}{slug}'/>"
        "<updated>2026-06-04T10:00:00-04:00</updated></entry>"
        for slug in ("saint-pierre0.html", "saint-pierre.html")
    )
    feed = f"<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>{entries}</feed>"
    (record,) = extract("atom", feed.encode()).records.values()
    assert record["url"] == NEWS + "saint-pierre.html"
    assert record["published"] == "2026-06-04T10:00:00-04:00"


def test_the_french_rounds_feed_reads_spaced_thousands():
    feed = {
        "rounds": [
            {
                "drawNumber": "437",
                "drawDate": "2026-08-19",
                "drawName": "Métiers",
                "drawSize": "5\u00a0000",
                "drawCRS": "1 024",
            }
        ]
    }
    record = extract("ee-rounds", json.dumps(feed, ensure_ascii=False).encode()).records["437"]
    assert (record["size"], record["crs"]) == (5000, 1024)
    assert describe("new_draw", record, "fr") == (
        "Entrée express\u00a0: ronde n° 437 – Métiers",
        "5 000 invitations, note minimale du SCG 1 024 (19 août 2026).",
    )

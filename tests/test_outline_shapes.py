"""Outline shapes nobody on the team wrote, through replay: pseudo-headings and inserted blocks.

Pseudo-headings: a category titled by a paragraph that is only bold text before its list
(``<p><strong>STEM occupations</strong></p><ul>…``), or by ``<p class="h3">`` / ``<div
class="h4">``. Before, every such block was read as part of the ``<h2>`` above it: a new
category came as "Express Entry category changed: Eligible categories — Added: 31100 …"
plus a page_change, and a removed category was never told.

Inserted blocks: in the page-level reading, dated sections are keyed by their heading with
its figures masked, all the same key; a new one on top shifted every other by one: "Rule
changed — Before: Invitations du 14 mai 2026 … After: Invitations du 2 juin 2026 …" for each,
plus a page_change. Now a section keeps its identity by its own heading.

The pages are synthetic, in the GCWeb template (tests/unfamiliar_support.gcweb), written to
files named by their observation time and replayed as ``ircc-watch replay`` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ircc_watch.replay import replay_file
from tests.unfamiliar_support import OneWatch, gcweb

EN = "https://www.canada.ca/en/immigration-refugees-citizenship/services/immigrate-canada/express-entry/submit-profile/rounds-invitations/category-based-selection.html"
FR = "https://www.canada.ca/fr/immigration-refugies-citoyennete/services/immigrer-canada/entree-express/soumettre-profil/rondes-invitations/selection-fondee-categories.html"

TITLES = {
    "bold": "<p><strong>{}</strong></p>",
    "p.h3": '<p class="h3">{}</p>',
    "div.h4": '<div class="h4">{}</div>',
}
CATEGORIES = {
    "STEM occupations": [("21211", "Data scientists"), ("21231", "Software engineers")],
    "Healthcare and social services occupations": [
        ("31102", "General practitioners and family physicians"),
        ("31301", "Registered nurses and registered psychiatric nurses"),
    ],
    "Trade occupations": [("72310", "Carpenters"), ("72106", "Welders")],
}
PHYSICIANS = [("31100", "Specialists in clinical and laboratory medicine"), ("31101", "Surgeons")]


class Replay:
    """Saved versions of one watch, replayed in order into a real SQLite file."""

    def __init__(self, tmp_path: Path, kind: str, url: str, lang: str = "en") -> None:
        self.watch = OneWatch(tmp_path, kind, url, lang=lang)
        self.folder = tmp_path / "w"
        self.folder.mkdir()

    def version(self, at: str, html: str) -> list[dict[str, Any]]:
        """Save ``html`` as the version observed ``at`` ("2026-01-02T1000Z") and replay it."""
        path = self.folder / f"{at}_version.html"
        path.write_text(html, encoding="utf-8")
        outcome = replay_file(self.watch.pipeline, self.watch.config.watches[0], path)
        assert outcome.error is None
        return outcome.changes


def told(rows: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(row["kind"], row["audience"], row["title"]) for row in rows]


def category_page(style: str, categories: dict[str, list[tuple[str, str]]]) -> str:
    title = TITLES[style]
    body = (
        "<h1>Express Entry: Category-based selection</h1>"
        "<p>We may invite candidates in these categories.</p><h2>Eligible categories</h2>"
    )
    for name, occupations in categories.items():
        items = "".join(f"<li>{job} (NOC {noc})</li>" for noc, job in occupations)
        body += title.format(name) + f"<ul>{items}</ul>"
    return gcweb(body + "<h2>How to apply</h2><p>Create your Express Entry profile.</p>")


@pytest.mark.parametrize("style", list(TITLES))
def test_categories_titled_by_pseudo_headings(tmp_path, style):
    replay = Replay(tmp_path, "ee-categories", EN)
    assert replay.version("2026-02-01T1000Z", category_page(style, CATEGORIES)) == []
    added = {**CATEGORIES, "Physicians with Canadian work experience": PHYSICIANS}
    rows = replay.version("2026-02-02T1000Z", category_page(style, added))
    assert told(rows) == [
        (
            "new_category",
            "subscribers",
            "New Express Entry category: Physicians with Canadian work experience",
        )
    ]
    assert [o["noc"] for o in rows[0]["data"]["occupations"]] == ["31100", "31101"]
    grown = {**added, "STEM occupations": [*CATEGORIES["STEM occupations"], ("21220", "Cyber")]}
    rows = replay.version("2026-02-03T1000Z", category_page(style, grown))
    assert told(rows) == [
        ("occupations_changed", "subscribers", "Express Entry category changed: STEM occupations")
    ]
    assert rows[0]["summary"] == "Added: 21220 Cyber"
    fewer = {name: jobs for name, jobs in grown.items() if name != "Trade occupations"}
    assert replay.version("2026-02-04T1000Z", category_page(style, fewer)) == []
    rows = replay.version("2026-02-05T1100Z", category_page(style, fewer))
    assert told(rows) == [
        ("category_removed", "subscribers", "Express Entry category removed: Trade occupations")
    ]


def test_a_french_category_titled_in_bold_is_told_in_french(tmp_path):
    replay = Replay(tmp_path, "ee-categories", FR, lang="fr")
    page = (
        "<h1>Entrée express : sélection fondée sur des catégories</h1><h2>Catégories</h2>"
        "<p><strong>Professions dans les domaines des STIM</strong></p>"
        "<ul><li>Scientifiques des données (CNP 21211)</li></ul>"
    )
    new = "<p><b>Professions des métiers</b></p><ul><li>Charpentiers (CNP 72310)</li></ul>"
    replay.version("2026-02-01T1000Z", gcweb(page, lang="fr"))
    rows = replay.version("2026-02-02T1000Z", gcweb(page + new, lang="fr"))
    assert told(rows) == [
        (
            "new_category",
            "subscribers",
            "Nouvelle catégorie d’Entrée express\u00a0: Professions des métiers",
        )
    ]


def test_a_bold_sentence_inside_text_is_no_heading(tmp_path):
    replay = Replay(tmp_path, "page", EN)
    page = "<h1>Program</h1><h2>Fees</h2><p><strong>Fees are not refundable.</strong></p>{}"
    replay.version("2026-02-01T1000Z", gcweb(page.format("<ul><li>Fee: $85</li></ul>")))
    rows = replay.version("2026-02-02T1000Z", gcweb(page.format("<ul><li>Fee: $100</li></ul>")))
    assert [(row["kind"], row["data"]["section"]) for row in rows] == [("rule_change", "Fees")]


def draw(day: int, month: str, invitations: str, score: int) -> str:
    return (
        f"<h2>Invitations du {day} {month} 2026</h2>"
        f"<p>Nombre d'invitations : {invitations}.</p><p>Score minimal : {score}.</p>"
    )


DRAWS = [
    draw(14, "mai", "1 245", 577),
    draw(30, "avril", "1 100", 560),
    draw(16, "avril", "980", 549),
]
NEW = draw(2, "juin", "2 086", 490)


@pytest.mark.parametrize(
    ("kind", "where"),
    [
        ("page", 0),
        ("page", 1),
        ("page", 3),
        ("events", 0),  # degraded: read at page level, as every fallback is
    ],
)
def test_a_dated_block_inserted_among_similar_ones_is_one_addition(tmp_path, kind, where):
    replay = Replay(tmp_path, kind, "https://www.canada.ca/fr/rondes.html", lang="fr")
    replay.version("2026-06-01T1000Z", gcweb("<h1>Rondes</h1>" + "".join(DRAWS), lang="fr"))
    draws = [*DRAWS[:where], NEW, *DRAWS[where:]]
    rows = replay.version("2026-06-03T1000Z", gcweb("<h1>Rondes</h1>" + "".join(draws), lang="fr"))
    assert told(rows) == [("page_change", "subscribers", "Page modifiée\u00a0: Program page")]
    assert rows[0]["data"]["sections"] == ["Invitations du 2 juin 2026"]
    assert rows[0]["data"]["removed"] == 0


def test_a_second_dated_block_keeps_the_first_one_and_nothing_is_removed_later(tmp_path):
    """The lone dated section was keyed with its date masked; once a second one appears both
    are keyed by their own heading: the first keeps its identity and its old key is settled,
    never announced as a vanished section."""
    replay = Replay(tmp_path, "page", "https://www.canada.ca/fr/rondes.html", lang="fr")
    replay.version("2026-06-01T1000Z", gcweb("<h1>Rondes</h1>" + DRAWS[0], lang="fr"))
    rows = replay.version("2026-06-03T1000Z", gcweb("<h1>Rondes</h1>" + NEW + DRAWS[0], lang="fr"))
    assert [row["data"]["sections"] for row in rows] == [["Invitations du 2 juin 2026"]]
    assert (
        replay.version("2026-06-09T1000Z", gcweb("<h1>Rondes</h1>" + NEW + DRAWS[0], lang="fr"))
        == []
    )
    corrected = draw(2, "juin", "2 086", 491)
    rows = replay.version(
        "2026-06-10T1000Z", gcweb("<h1>Rondes</h1>" + corrected + DRAWS[0], lang="fr")
    )
    assert [(row["kind"], row["summary"]) for row in rows] == [
        (
            "rule_change",
            "Avant\u00a0: Score minimal\u00a0: 490.\nAprès\u00a0: Score minimal\u00a0: 491.",
        )
    ]


def test_a_lone_dated_heading_edited_is_the_same_section(tmp_path):
    replay = Replay(tmp_path, "page", "https://www.canada.ca/en/intake.html")
    page = "<h1>Intake</h1><h2>Application intake as of {}</h2><p>We accept {} applications.</p>"
    replay.version("2026-06-01T1000Z", gcweb(page.format("April 3, 2026", "500")))
    rows = replay.version("2026-06-02T1000Z", gcweb(page.format("June 2, 2026", "600")))
    assert [row["kind"] for row in rows] == ["rule_change"]
    assert rows[0]["data"]["section"] == "Application intake as of June 2, 2026"

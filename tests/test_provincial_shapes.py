"""Provincial entries in other shapes (issue 20, item 3), through the real pipeline.

A headline followed by its date, French date phrases ("Invitations du 2 juin 2026", "Tirage
du …"), figures under labels ("Lowest score invited: 490", "Score minimal : 577", "Nombre
d'invitations : 1 245") or inside a sentence, numeric dates in the page's order, a "Total"
row and a "Published date:" stamp. Before: each page had no dated entry, so it was
"degraded" (admins alerted, the page read section by section) and a draw reached
subscribers as "Rule changed" messages, or lost its score.
"""

from __future__ import annotations

import pytest

from diffing.dates import find_dates, numeric_order
from diffing.messages import describe
from diffing.stamps import is_date_stamp
from tests.unfamiliar_support import OneWatch, provincial

ONTARIO = "https://www.ontario.ca/page/2026-ontario-immigrant-nominee-program-updates"
QUEBEC = "https://www.quebec.ca/immigration/invitations"
PEI = "https://www.princeedwardisland.ca/en/information/office-of-immigration/eoi-draws"


def told(tmp_path, url: str, before: str, after: str, lang: str = "en") -> list[dict]:
    watch = OneWatch(tmp_path, "pnp-updates", url, topic="pnp", lang=lang)
    first = watch.check(before)
    assert (first.outcome, first.changes) == ("baseline", [])  # not degraded
    return watch.check(after).changes


def one(changes: list[dict]) -> dict:
    assert [(c["kind"], c["audience"]) for c in changes] == [("pnp_update", "subscribers")]
    return changes[0]


OLDER_EN = (
    "<h2>Express Entry French-Speaking Skilled Worker Stream – May 14, 2026</h2>"
    "<p>Lowest score invited: 420</p><p>Number of invitations issued: 310</p>"
)


@pytest.mark.parametrize(
    ("newer", "invitations", "score"),
    [
        (
            "<h2>Express Entry Human Capital Priorities Stream – June 2, 2026</h2><p>On June 2, "
            "2026, 2,086 notifications of interest were issued to candidates with scores of 490 "
            "or more.</p>",
            2086,
            490,
        ),
        (
            "<h2>Express Entry Human Capital Priorities Stream – June 2, 2026</h2>"
            "<ul><li>Lowest score invited: 490</li><li>Invitations issued: 2,086</li></ul>",
            2086,
            490,
        ),
    ],
    ids=["in-sentence", "labelled"],
)
def test_headline_followed_by_its_date(tmp_path, newer, invitations, score):
    page = provincial(OLDER_EN, "2026 OINP updates")
    after = provincial(newer + OLDER_EN, "2026 OINP updates")
    change = one(told(tmp_path, ONTARIO, page, after))
    assert change["title"] == "Ontario PNP: Express Entry Human Capital Priorities Stream"
    assert change["summary"] == f"June 2, 2026: {invitations:,} invitations, lowest score {score}."
    assert describe("pnp_update", change["data"], "fr")[1].startswith(
        "2 juin 2026\u00a0: 2 086 invitations, note minimale 490."
    )


def quebec(sections: str) -> str:
    return (
        '<!DOCTYPE html><html lang="fr"><head><title>Invitations – Québec.ca</title></head>'
        f'<body><main id="main"><h1>Invitations</h1>{sections}</main></body></html>'
    )


@pytest.mark.parametrize("phrase", ["Invitations du", "Tirage du"])
def test_french_date_phrase_and_labelled_figures(tmp_path, phrase):
    older = (
        f"<h2>{phrase} 14 mai 2026</h2><ul><li>Nombre d'invitations : 1 018</li>"
        "<li>Score minimal : 584</li></ul>"
    )
    newer = (
        f"<h2>{phrase} 2 juin 2026</h2><p>Programme de sélection des travailleurs qualifiés</p>"
        "<ul><li>Nombre d'invitations : 1 245</li><li>Score minimal : 577</li></ul>"
    )
    change = one(told(tmp_path, QUEBEC, quebec(older), quebec(newer + older), "fr"))
    assert change["data"]["date"] == "2026-06-02"
    assert (change["data"]["invitations"], change["data"]["score"]) == (1245, 577)
    assert change["summary"] == "2 juin 2026\u00a0: 1 245 invitations, note minimale 577."
    assert describe("pnp_update", change["data"], "en")[1].startswith(
        "June 2, 2026: 1,245 invitations, lowest score 577."
    )


def draws_table(rows: list[tuple[str, str, str]], total: str, published: str) -> str:
    body = "".join(f"<tr><td>{d}</td><td>{n}</td><td>{s}</td></tr>" for d, n, s in rows)
    return provincial(
        f"<p>Published date: {published}</p><h2>Expression of Interest draws</h2><table>"
        "<thead><tr><th>Invitation Date</th><th>Invitations</th><th>Minimum points</th></tr>"
        f"</thead><tbody>{body}<tr><td><strong>Total</strong></td><td>{total}</td><td></td>"
        "</tr></tbody></table>",
        "Expression of Interest Draws",
    )


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        (["5/21/2026", "4/16/2026"], "6/18/2026"),  # month first, as PEI writes them
        (["21/05/2026", "16/04/2026"], "18/06/2026"),  # day first: 21 and 16 prove it
        (["2026-05-21", "2026-04-16"], "2026-06-18"),
    ],
    ids=["month-first", "day-first", "iso"],
)
def test_numeric_dates_total_row_and_published_date(tmp_path, older, newer):
    rows = [(older[0], "113", "62"), (older[1], "127", "60")]
    before = draws_table(rows, "240", "May 21, 2026")
    after = draws_table([(newer, "182", "65"), *rows], "422", "June 18, 2026")
    change = one(told(tmp_path, PEI, before, after))
    assert change["data"]["date"] == "2026-06-18"
    assert change["summary"] == "June 18, 2026: 182 invitations, lowest score 65."


def test_numeric_order_is_proved_by_the_pages_own_dates():
    assert numeric_order("6/18/2026 5/21/2026") == "mdy"
    assert numeric_order("05/06/2026 18/06/2026") == "dmy"
    assert numeric_order("05/06/2026") == "mdy"
    assert find_dates("05/06/2026", order="dmy")[0][0] == "2026-06-05"
    assert find_dates("version 1/2/3 of 12/2026") == []


def test_published_date_is_a_page_stamp():
    assert is_date_stamp("Published date: June 18, 2026")
    assert is_date_stamp("Date de publication\u00a0: 18 juin 2026")
    assert not is_date_stamp("Published 6 new draws on June 1, 2026")

"""Each province's draws page, a real copy replayed through the real pipeline (real SQLite).

Each page is checked against itself with its newest entry taken out: exactly that entry is
told, once, with its date, stream, invitations and score. Sources are in
tests/fixtures/real/MANIFEST.md ("Provincial draw pages"); Ontario, British Columbia and
Alberta are replayed in tests/test_replay_semantic.py. Where a copy is markdown, the page is
rebuilt from it (tests/provincial_support.py); where none exists, the page is modelled on
what the province publishes and the test says so.
"""

from __future__ import annotations

from typing import Any

from diffing.messages import describe
from tests.provincial_support import REAL, markdown_html, markdown_page, read_markdown
from tests.unfamiliar_support import OneWatch, provincial

PEI = (
    "https://www.princeedwardisland.ca/en/information/office-of-immigration/"
    "expression-of-interest-draws"
)
SASKATCHEWAN = (
    "https://www.saskatchewan.ca/residents/moving-to-saskatchewan/immigrating-to-saskatchewan/"
    "saskatchewan-immigrant-nominee-program/maximum-number-of-sinp-applications"
)
NEWFOUNDLAND = "https://www.gov.nl.ca/immigration/invitations-to-apply-updates/"
NEW_BRUNSWICK = (
    "https://www2.gnb.ca/content/gnb/en/corporate/promo/immigration/immigrating-to-nb/"
    "invitations-to-apply.html"
)
NOVA_SCOTIA = "https://liveinnovascotia.com/eoi-selection"
MANITOBA = "https://immigratemanitoba.com/draws/"
QUEBEC = (
    "https://www.quebec.ca/immigration/travailleurs-qualifies/programme-selection/"
    "invitations-presenter-demande"
)
NWT = "https://www.immigratenwt.ca/immigrate-here"
YUKON = "https://yukon.ca/en/immigration/yukon-nominee-program-foreign-workers"


def replay(tmp_path, url: str, before: str | bytes, after: str | bytes, **fields: str) -> list:
    """What the check of ``after`` told, once ``before`` is the baseline (one watch)."""
    watch = OneWatch(tmp_path, fields.pop("kind", "pnp-updates"), url, topic="pnp", **fields)
    first = watch.check(before)
    assert (first.outcome, first.changes) == ("baseline", [])
    return watch.check(after).changes


def only_update(changes: list[dict[str, Any]]) -> dict[str, Any]:
    """The one change told: a pnp_update for subscribers; its data without the link."""
    assert [(c["kind"], c["audience"]) for c in changes] == [("pnp_update", "subscribers")]
    data = dict(changes[0]["data"])
    assert data.pop("url")
    return data


def test_prince_edward_island_numeric_dates_total_row_and_published_date(tmp_path):
    """The real table writes dates month first (6/18/2026), ends with a "Total" row and sits
    under "Published date: June 18, 2026". Before: no dated entry (the page was "degraded"),
    and one draw reached subscribers as three messages (the stamp, the row, the Total)."""
    real = (REAL / "prince-edward-island" / "expression-of-interest-draws.html").read_bytes()
    newest = (
        b"<tr>\n<td>6/18/2026</td>\n<td>0</td>\n<td>-</td>\n<td>182</td>\n<td>182</td>\n</tr>\n"
    )
    before = real
    for old, new in [
        (newest, b""),
        (b'rowspan="6"', b'rowspan="5"'),
        (b"<strong>658</strong>", b"<strong>476</strong>"),
        (b"June 18, 2026", b"May 21, 2026"),
    ]:
        assert old in before
        before = before.replace(old, new)
    told = replay(tmp_path, PEI, before, real)
    assert only_update(told) == {
        "province": "Prince Edward Island",
        "date": "2026-06-18",
        "headline": "Office of Immigration Invitations to Apply",
        "invitations": 182,
        "score": None,
    }
    assert told[0]["summary"] == "June 18, 2026: 182 invitations."
    assert describe("pnp_update", told[0]["data"], "fr") == (
        "Programme des candidats des provinces (Île-du-Prince-Édouard)\u00a0: "
        "Office of Immigration Invitations to Apply",
        "18 juin 2026\u00a0: 182 invitations.",
    )


def test_saskatchewan_selection_results_headline_then_date(tmp_path):
    """Two real consecutive versions (2018): "Entrepreneur EOI Selection Results on July 18,
    2018" became "… on September 19, 2018", its figures in label/value rows."""
    folder = REAL / "saskatchewan"
    before, after = sorted(folder.iterdir())
    told = replay(tmp_path, SASKATCHEWAN, before.read_bytes(), after.read_bytes())
    assert only_update(told) == {
        "province": "Saskatchewan",
        "date": "2018-09-19",
        "headline": "Entrepreneur EOI Selection Results",
        "invitations": 71,
        "score": 110,
    }
    assert told[0]["summary"] == "September 19, 2018: 71 invitations, lowest score 110."


def test_newfoundland_and_labrador_newest_row_at_the_bottom(tmp_path):
    title, lines = read_markdown(REAL / "newfoundland-labrador" / "invitations-to-apply-updates.md")
    newest = "| June 10, 2026 | 108 | NLPNP – 89, AIP – 19 |"
    earlier = [line for line in lines if line != newest]
    earlier = [line.replace("June 10, 2026*", "May 28, 2026*") for line in earlier]
    assert len(earlier) == len(lines) - 1
    told = replay(
        tmp_path, NEWFOUNDLAND, markdown_page(earlier, title), markdown_page(lines, title)
    )
    assert only_update(told) == {
        "province": "Newfoundland and Labrador",
        "date": "2026-06-10",
        "headline": "NLPNP – 89, AIP – 19",
        "invitations": 108,
        "score": None,
    }


def test_new_brunswick_label_value_tables_one_per_draw(tmp_path):
    """Each draw is a table of "Date of draw | June 4, 2026", "Pathways | …", "Invitations
    issued | 75" under a bold line naming the stream; several draws share June 3."""
    title, lines = read_markdown(REAL / "new-brunswick" / "invitations-to-apply.md")
    start = lines.index("**New Brunswick Express Entry stream**")
    end = lines.index("**New Brunswick Strategic Initiative**")
    earlier = lines[:start] + lines[end:]
    told = replay(
        tmp_path, NEW_BRUNSWICK, markdown_page(earlier, title), markdown_page(lines, title)
    )
    assert only_update(told) == {
        "province": "New Brunswick",
        "date": "2026-06-04",
        "headline": "New Brunswick Express Entry stream: Employment in New Brunswick",
        "invitations": 75,
        "score": None,
    }


def test_nova_scotia_a_month_filled_in(tmp_path):
    """Selections by month ("April 2026 | 161"), months to come written "TBD"."""
    title, lines = read_markdown(REAL / "nova-scotia" / "eoi-selection.md")
    earlier = [
        line.replace("| April 2026 | 161 |", "| April 2026 | TBD |").replace(
            "May 21, 2026", "April 16, 2026"
        )
        for line in lines
    ]
    assert earlier != lines
    told = replay(tmp_path, NOVA_SCOTIA, markdown_page(earlier, title), markdown_page(lines, title))
    assert only_update(told) == {
        "province": "Nova Scotia",
        "date": "2026-04",
        "headline": "EOI Selection",
        "invitations": 161,
        "score": None,
    }
    assert told[0]["summary"] == "April 2026: 161 invitations."


def manitoba_draw(name: str, day: str) -> str:
    """A real draw post's text under its title and "Posted on" line, as immigratemanitoba.com's
    posts carry it ("Posted on February 24, 2023 by Manitoba Immigration Pathways", as the
    copies in fcg/vac show)."""
    _, lines = read_markdown(REAL / "manitoba" / name)
    number = name.rsplit("-", 1)[1].removesuffix(".md")
    title = f"Expression of Interest Draw #{number}"
    posted = f"<p>Posted on {day} by Manitoba Immigration Pathways</p>"
    return f"<h2>{title}</h2>{posted}{markdown_html(lines)}"


def test_manitoba_draw_with_its_stream_and_letters_of_advice(tmp_path):
    """Real text of draws #272 and #273; the copy keeps no post date (only the month, in the
    post's address, 2026/06), so the days here are placeholders."""
    older = manitoba_draw("expression-of-interest-draw-272.md", "June 5, 2026")
    newer = manitoba_draw("expression-of-interest-draw-273.md", "June 19, 2026")
    title = "Expression of Interest (EOI) Draws"
    told = replay(tmp_path, MANITOBA, provincial(older, title), provincial(newer + older, title))
    assert only_update(told) == {
        "province": "Manitoba",
        "date": "2026-06-19",
        "headline": "Expression of Interest Draw #273: Skilled Worker Stream",
        "invitations": 124,
        "score": None,
    }


def quebec_page(draws: list[tuple[str, str, str, str]]) -> str:
    """Modelled (no public copy found): Québec's invitations, each under "Invitations du …"
    with its figures under labels, in French."""
    parts = "".join(
        f"<h2>Invitations du {day}</h2><ul><li>Programme : {program}</li>"
        f"<li>Nombre d'invitations : {count}</li><li>Score minimal : {score}</li></ul>"
        for day, program, count, score in draws
    )
    return (
        '<!DOCTYPE html><html lang="fr"><head><title>Invitations – Québec.ca</title></head>'
        f'<body><main id="main"><h1>Invitations à présenter une demande</h1>{parts}</main>'
        "</body></html>"
    )


def test_quebec_arrima_invitations_in_french(tmp_path):
    pstq = "Programme de sélection des travailleurs qualifiés"
    older = [("14 mai 2026", pstq, "1 018", "584")]
    newer = [("2 juin 2026", pstq, "1 245", "577")] + older
    told = replay(tmp_path, QUEBEC, quebec_page(older), quebec_page(newer), lang="fr")
    assert only_update(told) == {
        "province": "Quebec",
        "date": "2026-06-02",
        "headline": "Invitations",
        "invitations": 1245,
        "score": 577,
    }
    assert told[0]["summary"] == "2 juin 2026\u00a0: 1 245 invitations, note minimale 577."


def test_northwest_territories_intake_notice_is_told(tmp_path):
    """The NWT publishes no draws: its page's notices (the 2025 intake closed) are the news."""
    title, lines = read_markdown(REAL / "northwest-territories" / "immigrate-here.md")
    earlier = [line for line in lines if not line.startswith(">")]
    told = replay(
        tmp_path, NWT, markdown_page(earlier, title), markdown_page(lines, title), kind="page"
    )
    assert [c["audience"] for c in told] == ["subscribers"]
    assert "closed its 2025 intake" in told[0]["summary"]


def test_yukon_intake_notice_is_told(tmp_path):
    """Modelled: the only public copy of the Yukon Nominee Program page keeps no text (see
    the MANIFEST); yukon.ca announces intakes as a notice at the top of the page."""
    body = (
        "<p>The Yukon Nominee Program helps Yukon employers hire foreign nationals.</p>"
        "<h2>Who can apply</h2><p>Employers in Yukon with a full-time job offer.</p>"
    )
    notice = (
        "<h2>Intake</h2><p>The 2026 intake for the Skilled Worker and Critical Impact Worker "
        "streams opens on January 15, 2026 and closes when 50 applications are received.</p>"
    )
    title = "Yukon Nominee Program (foreign workers)"
    told = replay(
        tmp_path, YUKON, provincial(body, title), provincial(notice + body, title), kind="page"
    )
    assert [c["audience"] for c in told] == ["subscribers"]
    assert "2026 intake" in told[0]["summary"]

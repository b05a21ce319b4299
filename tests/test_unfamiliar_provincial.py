"""Provincial draw pages in layouts the team had not seen, through the real pipeline.

Manitoba titles each draw by its number ("EOI Draw #262") and puts the date in a first
"Date:" line, with one sub-heading per stream and "Number of Letters of Advice to Apply
issued: 48" / "Ranking score of lowest-ranked candidate: 764" as its figures: before the
date-field rule the page had no dated entry, so it was read section by section and a new
draw reached subscribers as "Rule changed … Before: EOI Draw #262 … After: EOI Draw #263".
"""

from __future__ import annotations

from diffing.messages import describe
from tests.unfamiliar_support import OneWatch, provincial

MANITOBA = "https://immigratemanitoba.com/notices/eoi-draws/"


def mpnp_draw(number: int, day: str, streams: list[tuple[str, int, int | None]]) -> str:
    parts = [f"<h2>EOI Draw #{number}</h2><p><strong>Date:</strong> {day}</p>"]
    for stream, letters, score in streams:
        figures = f"<li>Number of Letters of Advice to Apply issued: {letters}</li>"
        if score is not None:
            figures += f"<li>Ranking score of lowest-ranked candidate invited: {score}</li>"
        parts.append(f"<h3>{stream}</h3><ul>{figures}</ul>")
    parts.append("<p>Candidates invited must have a valid Express Entry ID.</p>")
    return "".join(parts)


DRAW_262 = mpnp_draw(
    262,
    "January 9, 2026",
    [("Skilled Workers in Manitoba", 48, 764), ("International Education Stream", 12, None)],
)
DRAW_263 = mpnp_draw(
    263,
    "January 23, 2026",
    [("Skilled Workers in Manitoba", 152, 528), ("Skilled Workers Overseas", 14, 611)],
)


def test_a_new_manitoba_draw_is_one_update_per_stream_with_its_figures(tmp_path):
    watch = OneWatch(tmp_path, "pnp-updates", MANITOBA, topic="pnp")
    first = watch.check(provincial(DRAW_262, "EOI Draws"))
    assert (first.outcome, first.changes) == ("baseline", [])  # no extractor_degraded
    told = watch.check(provincial(DRAW_263 + DRAW_262, "EOI Draws")).changes
    assert [(c["kind"], c["audience"], c["title"], c["summary"]) for c in told] == [
        (
            "pnp_update",
            "subscribers",
            "Manitoba PNP: EOI Draw #263: Skilled Workers in Manitoba",
            "January 23, 2026: 152 invitations, lowest score 528.",
        ),
        (
            "pnp_update",
            "subscribers",
            "Manitoba PNP: EOI Draw #263: Skilled Workers Overseas",
            "January 23, 2026: 14 invitations, lowest score 611.",
        ),
    ]


def test_a_draw_without_streams_is_one_update(tmp_path):
    single = (
        "<h2>EOI Draw #264</h2><p>Date: February 6, 2026</p><p>Number of Letters of Advice "
        "to Apply issued: 37</p><p>Ranking score of lowest-ranked candidate invited: 690</p>"
    )
    watch = OneWatch(tmp_path, "pnp-updates", MANITOBA, topic="pnp")
    watch.check(provincial(DRAW_262, "EOI Draws"))
    (told,) = watch.check(provincial(single + DRAW_262, "EOI Draws")).changes
    assert told["title"] == "Manitoba PNP: EOI Draw #264"
    assert told["data"]["invitations"] == 37 and told["data"]["score"] == 690


def test_a_province_the_watch_does_not_know_is_not_a_blank_in_the_title():
    data = {"province": "", "date": "2026-01-23", "headline": "Draw 12", "invitations": 5}
    assert describe("pnp_update", data, "en")[0] == "Provincial Nominee Program: Draw 12"
    assert (
        describe("pnp_update", data, "fr")[0]
        == "Programme des candidats des provinces\u00a0: Draw 12"
    )
    data["province"] = "Quebec"
    assert describe("pnp_update", data, "fr")[0].startswith(
        "Programme des candidats des provinces (Québec)"
    )


def quebec(rows: list[tuple[str, str, str, str]]) -> str:
    """Québec's invitations table: the date column says "invitation", the program comes last."""
    cells = "".join(
        f"<tr><td>{a}</td><td>{b}</td><td>{c}</td><td>{d}</td></tr>" for a, b, c, d in rows
    )
    return (
        '<!DOCTYPE html><html lang="fr"><head><title>Invitations – Québec.ca</title></head><body>'
        '<header>Québec.ca</header><main id="main"><h1>Résultats des invitations</h1>'
        "<h2>Invitations en 2026</h2><table><thead><tr><th>Date de l'invitation</th>"
        "<th>Nombre d'invitations</th><th>Score minimal</th><th>Programme</th></tr></thead>"
        f"<tbody>{cells}</tbody></table></main><footer>Québec</footer></body></html>"
    )


def test_a_table_whose_program_is_its_last_column(tmp_path):
    """Before: the headline was the count ("1 018") and the invitations were not read."""
    pstq = "Programme de sélection des travailleurs qualifiés"
    rows = [("15 janvier 2026", "1 203", "590", f"{pstq} – Volet 1")]
    url = "https://www.quebec.ca/immigration/invitations"
    watch = OneWatch(tmp_path, "pnp-updates", url, topic="pnp", lang="fr")
    watch.check(quebec(rows))
    (told,) = watch.check(
        quebec([("22 janvier 2026", "1 018", "584", f"{pstq} – Volet 2")] + rows)
    ).changes
    assert (
        told["title"] == f"Programme des candidats des provinces (Québec)\u00a0: {pstq} – Volet 2"
    )
    assert (told["data"]["invitations"], told["data"]["score"]) == (1018, 584)

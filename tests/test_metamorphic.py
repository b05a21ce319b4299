"""Metamorphic tests: the same content in any GCWeb layout gives the same records and changes.

For each structured HTML kind (``ee-categories``, ``events``, ``pnp-updates``) the same
content is rendered by ``tests/layouts.py`` as a table, a bulleted list, ``<h2>`` sections,
``<h3>`` sections under an ``<h2>``, a WET accordion, GCWeb panels, cards, a definition
list and WET tabs (categories also as one table with a category column), in English and
French, with the entries in any order, in or out of a
grid, with any whitespace between tags. Every rendering must give the records of the
table rendering, and the same edit (a new category, new occupations, a new event, a new
provincial draw) must give the same subscriber changes in every layout. Provincial draws are
also drawn in the shapes provinces use (``render_shape``): a date before or after the
headline, a date phrase ("Invitations du 2 juin 2026", "Draw held on …"), numeric dates
(6/2/2026 month first in English, 2/6/2026 day first in French, 2026-06-02), label/value
tables ("Date of draw | …"), and figures in a sentence, in-sentence ("2,086 notifications of
interest … scores of 490 or more") or under labels ("Lowest score invited: 490", "Score
minimal : 577", "Nombre d'invitations : 1 245"); a new draw at the top, middle or bottom.
Blocks may also be titled by pseudo-headings (``<p class="h3">``, ``<div class="h4">``, and
for categories a paragraph that is only bold text before its list or table); a new category
and, in the page-level reading, a new dated section are inserted at the top, in the middle
or at the bottom, and are one addition wherever they land.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from diffing.classify import SUBSCRIBERS, WatchInfo, classify
from diffing.diff import diff_documents
from diffing.extract import extract
from tests.layouts import BOLD, CONTAINERS, LAYOUTS, Style, esc, group, items_list, page
from tests.semantic_support import Replayer

EXAMPLES = settings(max_examples=12, deadline=None)

# ---------------------------------------------------------------- ee-categories

CATEGORIES = {
    "en": [
        (
            "STEM (science, technology, engineering and math) occupations",
            {"21211": "Data scientists", "21231": "Software engineers and designers"},
        ),
        (
            "Healthcare and social services occupations",
            {
                "31102": "General practitioners and family physicians",
                "31301": "Registered nurses and registered psychiatric nurses",
            },
        ),
        (
            "Trade occupations",
            {"72310": "Carpenters", "72200": "Electricians (except industrial and power system)"},
        ),
        ("Education occupations", {"41220": "Secondary school teachers"}),
    ],
    "fr": [
        (
            "Professions en sciences, technologie, ingénierie et mathématiques (STIM)",
            {
                "21211": "Scientifiques des données",
                "21231": "Ingénieurs/ingénieures et concepteurs/conceptrices en logiciel",
            },
        ),
        (
            "Professions des soins de santé et des services sociaux",
            {
                "31102": "Omnipraticiens/omnipraticiennes et médecins en médecine familiale",
                "31301": "Infirmiers autorisés/infirmières autorisées",
            },
        ),
        ("Métiers", {"72310": "Charpentiers-menuisiers/charpentières-menuisières"}),
        ("Professions en éducation", {"41220": "Enseignants/enseignantes au niveau secondaire"}),
    ],
}
NEW_CATEGORY = {
    "en": ("Transport occupations", {"73300": "Transport truck drivers"}),
    "fr": (
        "Professions du transport",
        {"73300": "Conducteurs/conductrices de camions de transport"},
    ),
}
CATEGORY_TEXT = {
    "en": (
        "Categories chosen for 2026",
        "The following categories were chosen for rounds of invitations in 2026:",
        "Eligible occupations",
        "Occupation",
        "2021 NOC code",
    ),
    "fr": (
        "Catégories choisies pour 2026",
        "Les catégories suivantes ont été choisies pour les rondes d’invitations en 2026 :",
        "Professions admissibles",
        "Profession",
        "Code de la CNP 2021",
    ),
}


def _occupation(code: str, title: str, style: Style) -> str:
    label = "NOC" if style.lang == "en" else "CNP"
    form = style.variant % 3
    if form == 0:
        return esc(f"{title} ({label} {code})")
    if form == 1:
        return esc(f"{code} – {title}")
    return esc(f"{label} {code}: {title}")


def _occupation_table(name: str | None, occupations: dict[str, str], style: Style) -> str:
    gap = style.gap
    _, _, _, occupation, code = CATEGORY_TEXT[style.lang]
    flipped = style.variant % 2 == 1
    head = [code, occupation] if flipped else [occupation, code]
    rows = [[c, t] if flipped else [t, c] for c, t in occupations.items()]
    caption = f"<caption>{esc(name)}</caption>" if name else ""
    anchor = f' id="{_anchor(name)}"' if name else ""
    return (
        f'<table class="table table-striped"{anchor}>{gap}{caption}<thead><tr>'
        + "".join(f'<th scope="col">{esc(h)}</th>' for h in head)
        + f"</tr></thead>{gap}<tbody>"
        + gap.join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
        + f"</tbody>{gap}</table>"
    )


def _category_column_table(categories: list[tuple[str, dict[str, str]]], style: Style) -> str:
    """One table for every category: a Category column (spanning its rows, or repeated)."""
    gap = style.gap
    _, _, _, occupation, code = CATEGORY_TEXT[style.lang]
    category = "Category" if style.lang == "en" else "Catégorie"
    rows = []
    for name, occupations in categories:
        for index, (noc, title) in enumerate(occupations.items()):
            if style.variant % 4 == 3:
                first = (
                    f'<th scope="row" rowspan="{len(occupations)}">{esc(name)}</th>'
                    if index == 0
                    else ""
                )
            else:
                first = f"<td>{esc(name)}</td>"
            rows.append(f"<tr>{first}<td>{esc(title)}</td><td>{esc(noc)}</td></tr>")
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in (category, occupation, code))
    return (
        f'<table class="table table-bordered">{gap}<thead><tr>{head}</tr></thead>{gap}<tbody>'
        + gap.join(rows)
        + f"</tbody>{gap}</table>"
    )


def _anchor(name: str) -> str:
    return "c-" + "".join(ch for ch in name.lower() if ch.isalnum())[:24]


def render_categories(categories: list[tuple[str, dict[str, str]]], style: Style) -> str:
    """The category-based selection page's content in ``style.layout``."""
    gap = style.gap
    heading, intro, _, _, _ = CATEGORY_TEXT[style.lang]
    linked = style.variant % 2 == 0
    names = items_list(
        [
            f'<a href="#{_anchor(name)}">{esc(name)}</a>' if linked else esc(name)
            for name, _ in categories
        ],
        style,
    )
    layout = style.layout
    if layout == "table" and style.variant % 2:
        body = _category_column_table(categories, style)
    elif layout == "table":
        body = gap.join(_occupation_table(name, occ, style) for name, occ in categories)
    elif layout == "list":
        body = (
            f"<ul>{gap}"
            + gap.join(
                f'<li id="{_anchor(name)}">{esc(name)}{gap}'
                + items_list([_occupation(c, t, style) for c, t in occ.items()], style)
                + "</li>"
                for name, occ in categories
            )
            + f"{gap}</ul>"
        )
    elif layout == "dl":
        body = (
            f'<dl class="dl-horizontal">{gap}'
            + gap.join(
                f'<dt id="{_anchor(name)}">{esc(name)}</dt>'
                + "".join(f"<dd>{_occupation(c, t, style)}</dd>" for c, t in occ.items())
                for name, occ in categories
            )
            + f"{gap}</dl>"
        )
    else:
        render = CONTAINERS[layout]
        parts = []
        for name, occ in categories:
            if style.variant % 4 == 3:
                inner = _occupation_table(None, occ, style)
            else:
                inner = items_list([_occupation(c, t, style) for c, t in occ.items()], style)
            parts.append(render(name, _anchor(name), inner, style))
        body = group(layout, parts, style, heading)
    lead = f'<h2 id="categories">{esc(heading)}</h2>{gap}<p>{esc(intro)}</p>{gap}{names}'
    content = f"{lead}{gap}{body}"
    outro = (
        "<h2>Results of past rounds</h2><p>See the results of past rounds.</p>"
        if style.lang == "en"
        else "<h2>Résultats des rondes précédentes</h2><p>Consultez les résultats.</p>"
    )
    title = (
        "Express Entry rounds of invitations: Category-based selection"
        if style.lang == "en"
        else "Rondes d’invitations d’Entrée express : Sélection fondée sur les catégories"
    )
    return page(f"{content}{gap}{outro}", style, title)


def _own(records: dict[str, dict[str, Any]], prefix: str) -> dict[str, dict[str, Any]]:
    return {key: value for key, value in records.items() if key.startswith(prefix)}


def _subscriber_changes(kind: str, before: bytes, after: bytes) -> list[tuple[str, Any, Any]]:
    old, new = extract(kind, before), extract(kind, after)
    diff = diff_documents(old.text, new.text, old.records, new.records, dict(old.records))
    changes = classify(WatchInfo("w", kind), diff)
    return sorted(
        (change.kind, change.key, change.data)
        for change in changes
        if change.audience == SUBSCRIBERS
    )


styles = st.builds(
    Style,
    layout=st.sampled_from(LAYOUTS),
    lang=st.sampled_from(["en", "fr"]),
    grid=st.booleans(),
    gap=st.sampled_from(["\n", "", "\n    ", " \t", "\r\n  "]),
    variant=st.integers(min_value=0, max_value=11),
)


# Categories are lists or tables under their titles: a bold paragraph may title them too.
category_styles = st.builds(
    Style,
    layout=st.sampled_from([*LAYOUTS, BOLD]),
    lang=st.sampled_from(["en", "fr"]),
    grid=st.booleans(),
    gap=st.sampled_from(["\n", "", "\n    ", " \t", "\r\n  "]),
    variant=st.integers(min_value=0, max_value=11),
)


def _reference(render, content, lang: str) -> bytes:
    return render(content, Style("table", lang)).encode()


@EXAMPLES
@given(style=category_styles, order=st.permutations(range(4)))
def test_every_layout_gives_the_same_categories(style, order):
    categories = [CATEGORIES[style.lang][i] for i in order]
    expected = _own(
        extract("ee-categories", _reference(render_categories, categories, style.lang)).records,
        "category:",
    )
    assert len(expected) == 4
    html = render_categories(categories, style).encode()
    document = extract("ee-categories", html)
    assert _own(document.records, "category:") == expected
    chosen = [k for k in document.records if k.startswith("section:categor")]
    assert [document.records[k]["sentences"] for k in chosen] == [[CATEGORY_TEXT[style.lang][1]]]


@EXAMPLES
@given(
    style=category_styles,
    edit=st.sampled_from(["add-category", "change-occupations"]),
    where=st.sampled_from([0, 2, 4]),
)
def test_the_same_category_edit_gives_the_same_changes_in_every_layout(style, edit, where):
    before = list(CATEGORIES[style.lang])
    if edit == "add-category":
        after = [*before[:where], NEW_CATEGORY[style.lang], *before[where:]]
    else:
        name, occupations = before[0]
        changed = {k: v for k, v in occupations.items() if k != "21231"}
        changed["21220"] = "Cybersecurity specialists" if style.lang == "en" else "Spécialistes"
        after = [(name, changed), *before[1:]]
    expected = _subscriber_changes(
        "ee-categories",
        _reference(render_categories, before, style.lang),
        _reference(render_categories, after, style.lang),
    )
    assert [kind for kind, _, _ in expected] == (
        ["new_category"] if edit == "add-category" else ["occupations_changed"]
    )
    got = _subscriber_changes(
        "ee-categories",
        render_categories(before, style).encode(),
        render_categories(after, style).encode(),
    )
    assert got == expected


# ---------------------------------------------------------------- events

LINK = "https://www.destination-canada-forum-mobilite.ca/{lang}/{slug}"
EVENTS = {
    "en": [
        (
            "Destination Canada Forum Mobilité – Paris",
            "March 20 to 21, 2026",
            "Paris, France",
            "paris-2026",
        ),
        (
            "Destination Canada Mobility Forum – Online",
            "February 2 to 4, 2026",
            "Online",
            "online-2026",
        ),
        ("Information session for candidates", "November 24, 2025", "Rabat, Morocco", "rabat-2025"),
    ],
    "fr": [
        (
            "Destination Canada Forum Mobilité – Paris",
            "20 et 21 mars 2026",
            "Paris, France",
            "paris-2026",
        ),
        (
            "Destination Canada Forum Mobilité – En ligne",
            "2 au 4 février 2026",
            "En ligne",
            "en-ligne-2026",
        ),
        (
            "Séance d’information pour les candidats",
            "24 novembre 2025",
            "Rabat, Maroc",
            "rabat-2025",
        ),
    ],
}
NEW_EVENT = {
    "en": ("Destination Canada Forum Mobilité – Dakar", "May 12, 2026", "Dakar, Senegal", "dakar"),
    "fr": ("Destination Canada Forum Mobilité – Dakar", "12 mai 2026", "Dakar, Sénégal", "dakar"),
}
EVENT_TEXT = {
    "en": {
        "title": "Recruitment events abroad: Meet employers from Canada",
        "upcoming": "Upcoming events",
        "intro": "You must register before the event. Space is limited.",
        "columns": ["Event", "Date", "Location", "Registration"],
        "date": "Date:",
        "place": "Location:",
        "register": "Register",
    },
    "fr": {
        "title": "Événements de recrutement à l’étranger : Rencontrez des employeurs du Canada",
        "upcoming": "Événements à venir",
        "intro": "Vous devez vous inscrire avant l’événement. Les places sont limitées.",
        "columns": ["Événement", "Date", "Lieu", "Inscription"],
        "date": "Date :",
        "place": "Lieu :",
        "register": "Inscrivez-vous",
    },
}


def render_events(events: list[tuple[str, str, str, str]], style: Style) -> str:
    """The recruitment events page's content in ``style.layout``."""
    gap = style.gap
    text = EVENT_TEXT[style.lang]
    href = [LINK.format(lang=style.lang, slug=slug) for *_, slug in events]
    register = [f'<a href="{h}">{esc(text["register"])}</a>' for h in href]
    layout = style.layout
    if layout == "table":
        body = (
            f'<div class="table-responsive"><table class="table table-striped">{gap}<thead><tr>'
            + "".join(f'<th scope="col">{esc(c)}</th>' for c in text["columns"])
            + f"</tr></thead>{gap}<tbody>"
            + gap.join(
                f"<tr><td>{esc(title)}</td><td>{esc(when)}</td><td>{esc(place)}</td>"
                f"<td>{reg}</td></tr>"
                for (title, when, place, _), reg in zip(events, register, strict=True)
            )
            + f"</tbody>{gap}</table></div>"
        )
    elif layout == "list":
        body = items_list(
            [
                f'<a href="{h}">{esc(title)}</a> – {esc(when)} – {esc(place)}'
                for (title, when, place, _), h in zip(events, href, strict=True)
            ],
            style,
        )
    elif layout == "dl":
        body = (
            f"<dl>{gap}"
            + gap.join(
                f"<dt>{esc(title)}</dt><dd>{esc(text['date'])} {esc(when)}</dd>"
                f"<dd>{esc(text['place'])} {esc(place)}</dd><dd>{reg}</dd>"
                for (title, when, place, _), reg in zip(events, register, strict=True)
            )
            + f"{gap}</dl>"
        )
    else:
        render = CONTAINERS[layout]
        parts = []
        for (title, when, place, slug), reg in zip(events, register, strict=True):
            if style.variant % 2:
                inner = f"<p>{esc(when)}, {esc(place)}</p>{gap}<p>{reg}</p>"
            else:
                inner = (
                    f"<p>{esc(text['date'])} {esc(when)}</p>{gap}"
                    f"<p>{esc(text['place'])} {esc(place)}</p>{gap}<p>{reg}</p>"
                )
            parts.append(render(title, f"e-{slug}", inner, style))
        body = group(layout, parts, style, text["upcoming"])
    content = (
        f'<h2 id="upcoming">{esc(text["upcoming"])}</h2>{gap}<p>{esc(text["intro"])}</p>{gap}{body}'
    )
    return page(content, style, text["title"])


@EXAMPLES
@given(style=styles, order=st.permutations(range(3)))
def test_every_layout_gives_the_same_events(style, order):
    events = [EVENTS[style.lang][i] for i in order]
    expected = extract("events", _reference(render_events, events, style.lang)).records
    assert len(expected) == 3
    assert extract("events", render_events(events, style).encode()).records == expected


@EXAMPLES
@given(style=styles)
def test_a_new_event_gives_the_same_change_in_every_layout(style):
    before = list(EVENTS[style.lang])
    after = [NEW_EVENT[style.lang], *before]
    expected = _subscriber_changes(
        "events",
        _reference(render_events, before, style.lang),
        _reference(render_events, after, style.lang),
    )
    assert [kind for kind, _, _ in expected] == ["new_event"]
    got = _subscriber_changes(
        "events", render_events(before, style).encode(), render_events(after, style).encode()
    )
    assert got == expected


# ---------------------------------------------------------------- pnp-updates

DRAWS = {
    "en": [
        ("June 2, 2026", "Express Entry", 45, 90),
        ("May 20, 2026", "International Student", 120, 75),
        ("May 6, 2026", "Skilled Worker", 250, 81),
    ],
    "fr": [
        ("2 juin 2026", "Entrée express", 45, 90),
        ("20 mai 2026", "Étudiant étranger", 120, 75),
        ("6 mai 2026", "Travailleur qualifié", 250, 81),
    ],
}
NEW_DRAW = {
    "en": ("June 16, 2026", "Entrepreneur", 12, 118),
    "fr": ("16 juin 2026", "Entrepreneur", 12, 118),
}
DRAW_TEXT = {
    "en": {
        "title": "2026 Provincial Nominee Program updates",
        "heading": "Invitations to apply",
        "columns": ["Date", "Stream", "Invitations", "Minimum score"],
        "body": "We issued {n} invitations to candidates with a score of {s} and above.",
    },
    "fr": {
        "title": "Mises à jour 2026 du Programme des candidats de la province",
        "heading": "Invitations à présenter une demande",
        "columns": ["Date", "Volet", "Invitations", "Note minimale"],
        "body": "Nous avons envoyé {n} invitations aux candidats ayant une note minimale de {s}.",
    },
}


def render_draws(draws: list[tuple[str, str, int, int]], style: Style) -> str:
    """A provincial nominee program's updates page in ``style.layout``."""
    gap = style.gap
    text = DRAW_TEXT[style.lang]
    layout = style.layout

    def body(n: int, s: int) -> str:
        return esc(text["body"].format(n=n, s=s))

    if layout == "table":
        content = (
            f'<table class="table">{gap}<thead><tr>'
            + "".join(f"<th>{esc(c)}</th>" for c in text["columns"])
            + f"</tr></thead>{gap}<tbody>"
            + gap.join(
                f"<tr><td>{esc(d)}</td><td>{esc(k)}</td><td>{n}</td><td>{s}</td></tr>"
                for d, k, n, s in draws
            )
            + f"</tbody>{gap}</table>"
        )
    elif layout == "list":
        content = items_list(
            [f"{esc(d)}: <strong>{esc(k)}</strong>. {body(n, s)}" for d, k, n, s in draws], style
        )
    elif layout == "h2":
        content = gap.join(
            f"<h2>{esc(d)}</h2>{gap}<h3>{esc(k)}</h3>{gap}<p>{body(n, s)}</p>"
            for d, k, n, s in draws
        )
    elif layout == "h3":
        content = gap.join(
            f"<h3>{esc(d)}</h3>{gap}<h4>{esc(k)}</h4>{gap}<p>{body(n, s)}</p>"
            for d, k, n, s in draws
        )
    elif layout == "dl":
        content = (
            f"<dl>{gap}"
            + gap.join(f"<dt>{esc(d)}</dt><dd>{esc(k)}: {body(n, s)}</dd>" for d, k, n, s in draws)
            + f"{gap}</dl>"
        )
    elif layout == "panels":
        content = gap.join(
            CONTAINERS["panels"](d, f"d{i}", f"<h4>{esc(k)}</h4>{gap}<p>{body(n, s)}</p>", style)
            for i, (d, k, n, s) in enumerate(draws)
        )
    else:
        render = CONTAINERS[layout]
        parts = [
            render(f"{d}: {k}", f"d{i}", f"<p>{body(n, s)}</p>", style)
            for i, (d, k, n, s) in enumerate(draws)
        ]
        content = group(layout, parts, style, text["heading"])
    heading = f"<h2>{esc(text['heading'])}</h2>" if layout != "h2" else ""
    return page(f"{heading}{gap}{content}", style, text["title"])


def _pnp(html: bytes) -> dict[str, dict[str, Any]]:
    return extract("pnp-updates", html, url="https://www.welcomebc.ca/updates").records


@EXAMPLES
@given(style=styles, order=st.permutations(range(3)))
def test_every_layout_gives_the_same_provincial_entries(style, order):
    draws = [DRAWS[style.lang][i] for i in order]
    expected = _pnp(_reference(render_draws, draws, style.lang))
    assert len(expected) == 3
    assert all(r["invitations"] and r["score"] for r in expected.values())
    assert _pnp(render_draws(draws, style).encode()) == expected


# Provincial shapes (issue 20): how provinces title a draw and state its figures. A shape's
# headline may differ from the table's (a page that titles draws "Invitations du 2 juin 2026"
# has no stream in its title), so shapes are compared on what a draw is: its date, its
# invitations and its lowest score.
TITLE_SHAPES = ("date-first", "date-after", "phrase", "numeric", "iso", "record-table")
FIGURE_SHAPES = ("sentence", "in-sentence", "labelled")
PHRASES = {"en": ("Invitations issued on", "Draw held on"), "fr": ("Invitations du", "Tirage du")}
FIGURES = {
    "en": {
        "in-sentence": "{n} notifications of interest were issued to candidates with scores of "
        "{s} or more.",
        "labelled": "<ul><li>Lowest score invited: {s}</li>"
        "<li>Number of invitations: {n}</li></ul>",
    },
    "fr": {
        "in-sentence": "{n} invitations ont été envoyées aux candidats ayant un score de {s} ou "
        "plus.",
        "labelled": "<ul><li>Score minimal : {s}</li><li>Nombre d'invitations : {n}</li></ul>",
    },
}


def _numeric(day: str, lang: str, iso: bool = False) -> str:
    """ "June 2, 2026" → "6/2/2026" (English pages, month first), "2/6/2026" (French, day
    first: "20/5/2026" on the same page proves it) or "2026-06-02"."""
    from diffing.dates import first_date

    found = first_date(day)
    assert found is not None
    year, month, date = found[0].split("-")
    if iso:
        return found[0]
    return (
        f"{int(month)}/{int(date)}/{year}" if lang == "en" else f"{int(date)}/{int(month)}/{year}"
    )


def render_shape(
    draws: list[tuple[str, str, int, int]], style: Style, title: str, figures: str
) -> str:
    """The draws with each titled in shape ``title`` and its figures stated as ``figures``."""
    gap, lang = style.gap, style.lang
    text = DRAW_TEXT[lang]
    parts = []
    for day, kind, n, s in draws:
        if figures == "sentence":
            body = f"<p>{esc(text['body'].format(n=n, s=s))}</p>"
        elif figures == "labelled":
            body = FIGURES[lang][figures].format(n=f"{n:,}".replace(",", "\u00a0"), s=s)
        else:
            body = f"<p>{esc(FIGURES[lang][figures].format(n=n, s=s))}</p>"
        if title == "record-table":
            label = ("Date of draw", "Stream", "Invitations issued", "Minimum score")
            if lang == "fr":
                label = ("Date du tirage", "Volet", "Nombre d'invitations", "Score minimal")
            rows = zip(label, (day, kind, str(n), str(s)), strict=True)
            cells = "".join(f"<tr><th>{esc(a)}</th><td>{esc(b)}</td></tr>" for a, b in rows)
            parts.append(f"<p><strong>{esc(kind)}</strong></p>{gap}<table>{cells}</table>")
            continue
        heading = {
            "date-first": f"{day}: {kind}",
            "date-after": f"{kind} – {day}",
            "phrase": f"{PHRASES[lang][n % 2]} {day}",
            "numeric": f"{kind} – {_numeric(day, lang)}",
            "iso": f"{_numeric(day, lang, iso=True)}: {kind}",
        }[title]
        parts.append(f"<h3>{esc(heading)}</h3>{gap}<p>{esc(kind)}</p>{gap}{body}")
    content = gap.join(parts)
    return page(f"<h2>{esc(text['heading'])}</h2>{gap}{content}", style, text["title"])


def _facts(records: dict[str, dict[str, Any]]) -> list[tuple[str, int, int]]:
    return sorted((r["date"], r["invitations"], r["score"]) for r in records.values())


@EXAMPLES
@given(
    style=styles,
    order=st.permutations(range(3)),
    title=st.sampled_from(TITLE_SHAPES),
    figures=st.sampled_from(FIGURE_SHAPES),
)
def test_every_provincial_shape_gives_the_same_draws(style, order, title, figures):
    draws = [DRAWS[style.lang][i] for i in order]
    expected = _facts(_pnp(_reference(render_draws, draws, style.lang)))
    assert _facts(_pnp(render_shape(draws, style, title, figures).encode())) == expected


@EXAMPLES
@given(
    style=styles,
    title=st.sampled_from(TITLE_SHAPES),
    figures=st.sampled_from(FIGURE_SHAPES),
    where=st.sampled_from(["top", "middle", "bottom"]),
)
def test_a_new_draw_in_any_provincial_shape_is_one_update(style, title, figures, where):
    before = list(DRAWS[style.lang])
    at = {"top": 0, "middle": 1, "bottom": len(before)}[where]
    after = [*before[:at], NEW_DRAW[style.lang], *before[at:]]
    got = _subscriber_changes(
        "pnp-updates",
        render_shape(before, style, title, figures).encode(),
        render_shape(after, style, title, figures).encode(),
    )
    new_day, _, n, s = NEW_DRAW[style.lang]
    assert [(kind, data["invitations"], data["score"]) for kind, _, data in got] == [
        ("pnp_update", n, s)
    ]
    assert got[0][2]["date"] == "2026-06-16"


@EXAMPLES
@given(style=styles)
def test_a_new_provincial_draw_gives_the_same_change_in_every_layout(style):
    before = list(DRAWS[style.lang])
    after = [NEW_DRAW[style.lang], *before]
    expected = _subscriber_changes(
        "pnp-updates",
        _reference(render_draws, before, style.lang),
        _reference(render_draws, after, style.lang),
    )
    assert [kind for kind, _, _ in expected] == ["pnp_update"]
    got = _subscriber_changes(
        "pnp-updates", render_draws(before, style).encode(), render_draws(after, style).encode()
    )
    assert got == expected


def test_accordion_categories_and_card_events_through_the_pipeline(tmp_path):
    """Issue 10's pages: categories in accordions, events as cards, replayed into SQLite."""
    replay = Replayer(tmp_path / "layouts.db")
    pages = {
        "ee-categories-en": (
            render_categories(CATEGORIES["en"], Style("accordion")),
            render_categories([*CATEGORIES["en"], NEW_CATEGORY["en"]], Style("accordion")),
        ),
        "events-fr": (
            render_events(EVENTS["fr"], Style("cards", "fr", grid=True)),
            render_events([NEW_EVENT["fr"], *EVENTS["fr"]], Style("cards", "fr", grid=True)),
        ),
    }
    rows = []
    for watch, (before, after) in pages.items():
        folder = tmp_path / watch
        folder.mkdir()
        (folder / "2026-03-01T1200Z_before.html").write_text(before, encoding="utf-8")
        (folder / "2026-03-02T1200Z_after.html").write_text(after, encoding="utf-8")
        rows += replay.folder(folder)
    assert [(row["kind"], row["audience"], row["title"]) for row in rows] == [
        ("new_category", "subscribers", "New Express Entry category: Transport occupations"),
        (
            "new_event",
            "subscribers",
            "Nouvel événement de recrutement\u00a0: Destination Canada Forum Mobilité – Dakar",
        ),
    ]
    assert rows[1]["summary"].startswith("12 mai 2026, Dakar, Sénégal")


# ---------------------------------------------------------------- page-level reading

SECTIONS = {
    "en": [
        ("Invitations issued on May 14, 2026", "1,245 invitations. Lowest score: 577."),
        ("Invitations issued on April 30, 2026", "1,100 invitations. Lowest score: 560."),
        ("Invitations issued on April 16, 2026", "980 invitations. Lowest score: 549."),
    ],
    "fr": [
        ("Invitations du 14 mai 2026", "Nombre d'invitations : 1 245. Score minimal : 577."),
        ("Invitations du 30 avril 2026", "Nombre d'invitations : 1 100. Score minimal : 560."),
        ("Invitations du 16 avril 2026", "Nombre d'invitations : 980. Score minimal : 549."),
    ],
}
NEW_SECTION = {
    "en": ("Invitations issued on June 2, 2026", "2,086 invitations. Lowest score: 490."),
    "fr": ("Invitations du 2 juin 2026", "Nombre d'invitations : 2 086. Score minimal : 490."),
}
# The layouts whose titles the page-level reading sees as headings.
HEADED = ("h2", "h3", "p.h3", "div.h4")


def render_sections(sections: list[tuple[str, str]], style: Style) -> str:
    render = CONTAINERS[style.layout]
    parts = [
        render(title, f"s{i}", f"<p>{esc(text)}</p>", style)
        for i, (title, text) in enumerate(sections)
    ]
    title = "Rounds of invitations" if style.lang == "en" else "Rondes d’invitations"
    return page(style.gap.join(parts), style, title)


@EXAMPLES
@given(
    style=st.builds(
        Style,
        layout=st.sampled_from(HEADED),
        lang=st.sampled_from(["en", "fr"]),
        grid=st.booleans(),
        gap=st.sampled_from(["\n", "", "\n    ", " \t"]),
        variant=st.integers(min_value=0, max_value=11),
    ),
    where=st.sampled_from([0, 1, 3]),
)
def test_a_dated_section_inserted_anywhere_is_one_addition(style, where):
    before = list(SECTIONS[style.lang])
    after = [*before[:where], NEW_SECTION[style.lang], *before[where:]]
    changes = _subscriber_changes(
        "page", render_sections(before, style).encode(), render_sections(after, style).encode()
    )
    assert [(kind, data["sections"]) for kind, _, data in changes] == [
        ("page_change", [NEW_SECTION[style.lang][0]])
    ]

"""One content, many markups: GCWeb page layouts for the metamorphic tests of the extractors.

Each ``render_*`` function writes the same records (categories, events, provincial draws)
in one of the layouts that GCWeb / WET document and canada.ca pages use:

- a table (``table.table`` with a ``<caption>`` or ``<thead>`` header row);
- a bulleted list (``ul`` / ``ul.list-unstyled``), nested when an entry lists things;
- ``<h2>`` sections, or ``<h3>`` sections under an ``<h2>``;
- an accordion: WET's ``div.wb-accordion`` of ``details.acc-group`` with a
  ``summary.wb-toggle.tgl-tab`` and a ``div.tgl-panel``;
- panels (``section.panel.panel-default`` > ``header.panel-heading`` > ``.panel-title``,
  then ``div.panel-body``) and cards (``div.card`` > ``.card-body`` > ``.card-title``);
- a definition list (``dl`` / ``dl.dl-horizontal``: ``dt`` then its ``dd``);
- tabs: WET's ``div.wb-tabs`` > ``div.tabpanels`` > ``details`` (the no-script markup);
- pseudo-headings: ``<p class="h3">`` or ``<div class="h4">`` before the block, and (for
  blocks that are a list or a table, ``BOLD``) a paragraph that is only bold text;

inside the GCWeb page chrome (header, menu, breadcrumb, ``<main property="mainContentOfPage">``,
the ``mwsgeneric-base-html`` wrapper, ``div.row`` / ``div.col-*`` grids, the "Date modified"
``dl#wb-dtmd``, footer), with the whitespace between tags chosen by the caller.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

LAYOUTS = (
    "table",
    "list",
    "h2",
    "h3",
    "accordion",
    "panels",
    "cards",
    "dl",
    "tabs",
    "p.h3",
    "div.h4",
)
# A block titled by a bold paragraph: only before a list or a table (what it titles).
BOLD = "bold"


@dataclass(frozen=True)
class Style:
    """How one rendering differs from another besides its layout."""

    layout: str
    lang: str = "en"
    grid: bool = False
    gap: str = "\n"
    variant: int = 0


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def page(body: str, style: Style, title: str) -> str:
    """A whole GCWeb page around ``body`` (the content of <main> after its <h1>)."""
    gap = style.gap
    lang = style.lang
    if style.grid:
        body = f'<div class="row">{gap}<div class="col-md-12">{gap}{body}{gap}</div>{gap}</div>'
    modified = "Date modified:" if lang == "en" else "Date de modification :"
    return gap.join(
        [
            "<!DOCTYPE html>",
            f'<html class="no-js" lang="{lang}" dir="ltr">',
            f'<head><meta charset="utf-8"><title>{esc(title)} - Canada.ca</title>',
            '<meta name="dcterms.modified" content="2026-03-02">',
            '<script>window.BOOMR_config={"ak.t":"1700000000"};</script></head>',
            '<body vocab="http://schema.org/" typeof="WebPage">',
            '<nav><ul id="wb-tphp"><li class="wb-slc"><a class="wb-sl" href="#wb-cont">'
            "Skip to main content</a></li></ul></nav>",
            '<header><div id="wb-bnr" class="container"><section id="wb-lng"><h2 '
            'class="wb-inv">Language selection</h2><ul class="list-inline"><li><a lang="fr" '
            'href="/fr.html">Français</a></li></ul></section></div>',
            '<nav id="wb-bc" property="breadcrumb"><h2>You are here:</h2><div class="container">'
            '<ol class="breadcrumb"><li><a href="/en.html">Canada.ca</a></li></ol></div></nav>'
            "</header>",
            '<main property="mainContentOfPage" resource="#wb-main" typeof="WebPageElement" '
            'class="container">',
            f'<h1 property="name" id="wb-cont">{esc(title)}</h1>',
            f'<div class="mwsgeneric-base-html parbase section">{gap}{body}{gap}</div>',
            '<section class="pagedetails"><dl id="wb-dtmd"><dt>'
            f'{modified}</dt><dd><time property="dateModified">2026-03-02</time></dd></dl>'
            "</section>",
            "</main>",
            '<footer id="wb-info"><div class="gc-main-footer"><h2>About this site</h2>'
            "<ul><li>All contacts</li></ul></div></footer>",
            "</body>",
            "</html>",
        ]
    )


# Titled containers, one function per layout: (title, id, inner HTML) → HTML.
def _section(level: int) -> Callable[[str, str, str, Style], str]:
    def render(title: str, anchor: str, inner: str, style: Style) -> str:
        gap = style.gap
        if style.variant % 2:
            heading = f"<h{level}>{esc(title)}</h{level}>"
            return f'<section id="{anchor}">{gap}{heading}{gap}{inner}{gap}</section>'
        return f'<h{level} id="{anchor}">{esc(title)}</h{level}>{gap}{inner}'

    return render


def _pseudo(tag: str, level: int) -> Callable[[str, str, str, Style], str]:
    def render(title: str, anchor: str, inner: str, style: Style) -> str:
        return f'<{tag} class="h{level}" id="{anchor}">{esc(title)}</{tag}>{style.gap}{inner}'

    return render


def _bold(title: str, anchor: str, inner: str, style: Style) -> str:
    strong = "strong" if style.variant % 2 == 0 else "b"
    return f'<p id="{anchor}"><{strong}>{esc(title)}</{strong}></p>{style.gap}{inner}'


def _accordion(title: str, anchor: str, inner: str, style: Style) -> str:
    gap = style.gap
    return (
        f'<details class="acc-group" id="{anchor}">{gap}<summary class="wb-toggle tgl-tab" '
        'data-toggle=\'{"parent": ".wb-accordion", "group": ".acc-group"}\'>'
        f'{esc(title)}</summary>{gap}<div class="tgl-panel">{gap}{inner}{gap}</div>{gap}</details>'
    )


def _panel(title: str, anchor: str, inner: str, style: Style) -> str:
    gap = style.gap
    return (
        f'<section class="panel panel-default" id="{anchor}">{gap}<header class="panel-heading">'
        f'<h3 class="panel-title">{esc(title)}</h3></header>{gap}<div class="panel-body">{gap}'
        f"{inner}{gap}</div>{gap}</section>"
    )


def _card(title: str, anchor: str, inner: str, style: Style) -> str:
    gap = style.gap
    return (
        f'<div class="card" id="{anchor}">{gap}<div class="card-body">{gap}<h3 class="card-title">'
        f"{esc(title)}</h3>{gap}{inner}{gap}</div>{gap}</div>"
    )


def _tab(title: str, anchor: str, inner: str, style: Style) -> str:
    gap = style.gap
    return f'<details id="{anchor}">{gap}<summary>{esc(title)}</summary>{gap}{inner}{gap}</details>'


CONTAINERS: dict[str, Callable[[str, str, str, Style], str]] = {
    "h2": _section(2),
    "h3": _section(3),
    "accordion": _accordion,
    "panels": _panel,
    "cards": _card,
    "tabs": _tab,
    "p.h3": _pseudo("p", 3),
    "div.h4": _pseudo("div", 4),
    BOLD: _bold,
}


def group(layout: str, parts: list[str], style: Style, heading: str) -> str:
    """The containers of one layout, wrapped as GCWeb wraps them."""
    gap = style.gap
    joined = gap.join(parts)
    if layout == "accordion":
        return f'<div class="wb-accordion">{gap}{joined}{gap}</div>'
    if layout == "tabs":
        return (
            f'<div class="wb-tabs">{gap}<div class="tabpanels">{gap}{joined}{gap}</div>{gap}</div>'
        )
    if layout == "cards" and style.grid:
        return gap.join(f'<div class="col-md-4">{part}</div>' for part in parts)
    return joined


def items_list(texts: list[str], style: Style) -> str:
    gap = style.gap
    css = ' class="list-unstyled"' if style.variant % 3 == 2 else ""
    return f"<ul{css}>{gap}" + gap.join(f"<li>{t}</li>" for t in texts) + f"{gap}</ul>"

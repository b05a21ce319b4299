"""Kind ``pnp-updates``: a provincial nominee program's updates page → one record per dated entry.

The page is read as a block tree (``blocks``). A provincial entry is a dated block with
its text and figures, whatever the markup:

- a block titled by a date (a heading, an accordion, a panel or card title, a ``<dt>``)
  holds one entry per sub-block ("April 23, 2026" then one sub-heading per draw, as
  ontario.ca writes it), one per list item, or one for its text (welcomebc.ca);
- a block titled "date: headline" is one entry (alberta.ca's accordions);
- a table whose first column is a date gives one entry per date and draw type
  (welcomebc.ca's invitations tables, where one date spans several rows);
- a list item that starts with "date: headline".

Each entry: province, date (ISO), headline, invitations and the lowest score invited,
when the text states them. Keys are the date plus the headline with its figures masked,
so a corrected number does not make an entry new.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from bs4 import Tag

from diffing.dates import date_spans, find_dates, first_date, fold, leading_date
from diffing.document import ContentError, Document
from diffing.extract.blocks import Block, build
from diffing.extract.structure import masked, slug
from diffing.extract.tables import parse_table
from diffing.normalize import read_region, region_meta, to_lines
from diffing.sentences import split_sentences
from diffing.textutil import parse_int, squash

PROVINCES = {
    "ontario.ca": "Ontario",
    "welcomebc.ca": "British Columbia",
    "alberta.ca": "Alberta",
    "saskatchewan.ca": "Saskatchewan",
    "immigratemanitoba.com": "Manitoba",
    "gov.mb.ca": "Manitoba",
    "quebec.ca": "Quebec",
    "novascotiaimmigration.com": "Nova Scotia",
    "welcomenb.ca": "New Brunswick",
    "princeedwardisland.ca": "Prince Edward Island",
    "gov.nl.ca": "Newfoundland and Labrador",
}
_INVITATIONS = (
    re.compile(r"(\d[\d,\u00a0\u202f ]*)\s+invitations", re.I),
    re.compile(r"invitations to apply to (\d[\d,\u00a0\u202f ]*)\s+candidates", re.I),
    # immigratemanitoba.com: "Number of Letters of Advice to Apply issued: 48".
    re.compile(r"(?:letters of advice to apply|invitations)(?: issued)?\s*:\s*(\d[\d,]*)", re.I),
)
_SCORE = re.compile(
    r"(?:score|note|pointage)\s+(?:minimale?\s+)?(?:of|de)\s+(\d+)|(\d+)\s+points"
    r"|lowest[- ]ranked candidate(?: invited)?\s*:\s*(\d+)",
    re.I,
)
# "Date: January 9, 2026" opening a block titled "EOI Draw #262" (immigratemanitoba.com).
_DATE_FIELD = re.compile(r"^(?:draw )?date(?: of (?:the )?draw)?\s*:\s*(.+)$", re.I)
_FIGURE = re.compile(r"\d[\d,\u00a0\u202f ]*")
# "Express Entry: we issued 45 invitations …": a short lead without figures is the headline.
_LEAD = re.compile(r"^([^:\d]{3,60}?)\s*:\s+(.+)$", re.S)
# Headings over a draws table that name no program ("Invitations to apply", "Tirages").
_GENERIC_HEADING = re.compile(
    r"^(?:latest |recent |past )?(?:invitations?(?: to apply)?|draws?|results?|rounds?"
    r"|tirages?|resultats?|invitations a presenter une demande)(?: in \d{4}| en \d{4})?$"
)
_MAX_HEADLINE = 160


def extract(
    body: bytes, *, selector: str | None = None, url: str = "", region: str | None = None
) -> Document:
    """Every dated entry on the page as a record keyed by date and masked headline."""
    found = read_region(body, selector, region)
    root = found.root
    lines = to_lines(root)
    province = province_for(url)
    year = _title_year(found.title, lines)
    tree = build(root)
    entries = table_entries(root, year) + block_entries(tree, year) + list_entries(root, year)
    records: dict[str, dict[str, Any]] = {}
    for entry in entries:
        entry["province"] = province
        key = f"{entry['date']}:{masked(entry['headline'])[:80]}"
        kept = records.get(key)
        if kept is None or (kept["invitations"] is None and entry["invitations"] is not None):
            records[key] = entry
    if not records:
        raise ContentError("no dated entries", "the page lists no update with a date")
    return Document(
        kind="pnp-updates",
        text="\n".join(lines),
        records=dict(sorted(records.items())),
        meta=region_meta(found),
    )


def province_for(url: str) -> str:
    """The province a page belongs to, from its host ("www.alberta.ca" → "Alberta")."""
    host = urlsplit(url).hostname or ""
    for domain, name in PROVINCES.items():
        if host == domain or host.endswith("." + domain):
            return name
    return ""


def entry(date: str, headline: str, body: str) -> dict[str, Any]:
    """An entry record; invitations and score are read from the headline and body."""
    text = f"{headline} {body}"
    return {
        "date": date,
        "headline": _shorten(headline),
        "invitations": invitations_in(text),
        "score": score_in(text),
    }


def invitations_in(text: str) -> int | None:
    """Total invitations stated in ``text`` ("issued 674 … and 244 invitations" → 918)."""
    total, found = 0, False
    for pattern in _INVITATIONS:
        for match in pattern.finditer(text):
            value = parse_int(match.group(1))
            if value:
                total, found = total + value, True
        if found:
            return total
    return None


def score_in(text: str) -> int | None:
    """The lowest score stated in ``text`` ("a score of 57 and above" … "81" → 57)."""
    scores = [int(a or b or c) for a, b, c in _SCORE.findall(text)]
    return min(scores) if scores else None


def block_entries(tree: Block, year: int | None) -> list[dict[str, Any]]:
    """Entries of the blocks titled by a date, in page order (a year carries forward)."""
    found: list[dict[str, Any]] = []
    for block in tree.walk():
        if block.source == "root" or not block.title:
            continue
        dated = _dated_title(block.title, year)
        if dated is None:
            found.extend(_date_field_entries(block, year))
            continue
        day, headline = dated
        year = int(day[:4])
        if headline:
            found.append(entry(day, headline, _text(block)))
        else:
            found.extend(_dated_block_entries(day, block))
    return found


def _dated_title(title: str, year: int | None) -> tuple[str, str] | None:
    """(ISO date, headline) for "April 7, 2026: Worker fee"; (date, "") for "April 23, 2026"."""
    spans = date_spans(title, year)
    if not spans or spans[0][2][0] > 4:
        return None
    rest = title[spans[0][2][1] :].strip()
    if not rest:
        return spans[0][0], ""
    if rest[0] in ":–—-" and len(title) <= _MAX_HEADLINE:
        return spans[0][0], rest[1:].strip()
    return (spans[0][0], "") if len(title) <= 40 else None


def _date_field_entries(block: Block, year: int | None) -> list[dict[str, Any]]:
    """A block titled by its draw ("EOI Draw #262") whose first line is "Date: …": one entry
    per sub-block ("EOI Draw #262: Skilled Workers in Manitoba"), or one for its text."""
    field = _DATE_FIELD.match(block.items[0].text) if block.items else None
    day = leading_date(field.group(1), year) if field else None
    if day is None:
        return []
    headed = [child for child in block.children if child.title and child.source != "caption"]
    if headed:
        return [entry(day[0], f"{block.title}: {c.title}", _text(c)) for c in headed]
    return [entry(day[0], block.title, " ".join(item.text for item in block.items[1:]))]


def _dated_block_entries(date: str, block: Block) -> list[dict[str, Any]]:
    headed = [child for child in block.children if child.title and child.source != "caption"]
    if headed:
        return [entry(date, child.title, _text(child)) for child in headed]
    items = [item for item in block.items if item.kind != "row"]
    if items and all(item.kind == "li" for item in items):
        return [entry(date, item.text, "") for item in items]
    if not items:
        return []
    lead = _LEAD.match(items[0].text)
    if lead:
        rest = " ".join([lead.group(2), *(item.text for item in items[1:])])
        return [entry(date, lead.group(1), rest)]
    sentences = split_sentences(" ".join(item.text for item in items))
    return [entry(date, sentences[0], " ".join(sentences[1:]))]


def _text(block: Block) -> str:
    return " ".join(item.text for item in block.all_items())


def table_entries(root: Tag, year: int | None) -> list[dict[str, Any]]:
    """Entries from tables whose first column is a date; rows sharing a date and a type merge."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for tag in root.find_all("table"):
        table = parse_table(tag)
        if not table.columns or "date" not in table.columns[0].lower():
            continue
        heading_tag = tag.find_previous(["h2", "h3"])
        heading = squash(heading_tag.get_text(" ")) if heading_tag else ""
        # The date column may say "invitation" too ("Date de l'invitation"): look after it.
        count_column = _column_after_date(table, "invitation")
        score_column = _column_after_date(table, "score", "note", "pointage")
        figures = (count_column, score_column)
        kind_column = next((i for i in range(1, len(table.columns)) if i not in figures), 1)
        for row in table.rows:
            day = first_date(row[0].text, year)
            if day is None or len(row) < 2:
                continue
            kind = row[kind_column if kind_column < len(row) else 1].text
            program = _program(heading)
            headline = f"{program}: {kind}" if program else kind
            record = found.setdefault(
                (day[0], slug(headline)),
                {"date": day[0], "headline": headline, "invitations": None, "score": None},
            )
            count = _cell_number(row, count_column, skip_spanned=True)
            if count is not None:
                record["invitations"] = (record["invitations"] or 0) + count
            score = _cell_number(row, score_column, skip_spanned=False)
            if score is not None:
                record["score"] = score if record["score"] is None else min(record["score"], score)
    return list(found.values())


def list_entries(root: Tag, year: int | None) -> list[dict[str, Any]]:
    """Entries from list items that start with "date: headline" (their bold lead is the headline).

    Accordion summaries and other titles of that form are blocks (``block_entries``).
    """
    found: list[dict[str, Any]] = []
    for tag in root.find_all("li"):
        if tag.find(["summary", "ul", "ol"]) is not None:
            continue
        label = squash(tag.get_text(" "))
        day = leading_date(label, year)
        if day is None or ":" not in label[:40]:
            continue
        headline = label.split(":", 1)[1].strip()
        bold = tag.find(["strong", "b"])
        lead = squash(bold.get_text(" ")) if bold else ""
        if lead and lead in headline:
            body = headline.split(lead, 1)[1].strip(" .:–—")
            headline = lead
        else:
            sentences = split_sentences(headline)
            headline, body = sentences[0], " ".join(sentences[1:])
        found.append(entry(day[0], headline, body))
    return found


def _column_after_date(table: Any, *words: str) -> int | None:
    """The first column after the date column whose header mentions one of ``words``."""
    for index, name in enumerate(table.columns[1:], start=1):
        if any(word in name.lower() for word in words):
            return index
    return None


def _cell_number(row: list, column: int | None, *, skip_spanned: bool) -> int | None:
    if column is None or column >= len(row):
        return None
    cell = row[column]
    if skip_spanned and cell.spanned:
        return None
    text = cell.text.strip()
    return parse_int(text) if _FIGURE.fullmatch(text) else None


def _program(heading: str) -> str:
    """ "Skills Immigration invitations" → "Skills Immigration"; a generic heading → ""."""
    if _GENERIC_HEADING.match(fold(heading)):
        return ""
    return re.sub(r"\s+invitations?$", "", heading, flags=re.I).strip()


def _title_year(title: str, lines: list[str]) -> int | None:
    for text in [title, *lines[:3]]:
        match = re.search(r"\b(20\d\d)\b", text)
        if match:
            return int(match.group(1))
    dates = find_dates(" ".join(lines[:50]))
    return int(dates[0][0][:4]) if dates else None


def _shorten(text: str) -> str:
    text = squash(text)
    return text if len(text) <= _MAX_HEADLINE else text[: _MAX_HEADLINE - 1].rstrip() + "…"

"""Kind ``pnp-updates``: a provincial nominee program's updates page → one record per dated entry.

The page is read as a block tree (``blocks``). A provincial entry is a dated block with
its text and figures, whatever the markup:

- a block titled by a date (a heading, an accordion, a panel or card title, a ``<dt>``)
  holds one entry per sub-block ("April 23, 2026" then one sub-heading per draw, as
  ontario.ca writes it), one per list item, or one for its text (welcomebc.ca);
- a block titled "date: headline" is one entry (alberta.ca's accordions), and so is one titled
  by a headline followed by its date ("Express Entry Human Capital Priorities Stream – June 2,
  2026", "Invitations du 2 juin 2026", "Entrepreneur EOI Selection Results on September 19,
  2018");
- a table whose first column is a date gives one entry per date and draw type
  (welcomebc.ca's invitations tables, where one date spans several rows; two rows of one date
  and type that each state their own count are two draws, named by their selection factor);
  numeric dates are read in the page's order ("6/18/2026" on princeedwardisland.ca), and a
  "Total" row is the table's sum, not an entry;
- a table of label/value rows ("Date of draw | June 4, 2026", "Invitations issued | 75", as
  New Brunswick publishes each draw) is one entry, titled by what precedes it;
- a list item that starts with "date: headline".

Each entry: province, date (ISO), headline, invitations and the lowest score invited,
when the text states them — in a sentence ("2,086 notifications of interest were issued to
candidates with scores of 490 or more") or under a label ("Lowest score invited: 490",
"Score minimal : 577", "Nombre d'invitations : 1 245"). Keys are the date plus the headline
with its figures masked, so a corrected number does not make an entry new.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from bs4 import Tag

from diffing.dates import (
    MONTH_FIRST,
    date_spans,
    find_dates,
    first_date,
    fold,
    leading_date,
    month_number,
    numeric_order,
)
from diffing.document import ContentError, Document
from diffing.extract.blocks import Block, build
from diffing.extract.structure import masked
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
    "liveinnovascotia.com": "Nova Scotia",
    "welcomenb.ca": "New Brunswick",
    "gnb.ca": "New Brunswick",
    "princeedwardisland.ca": "Prince Edward Island",
    "gov.nl.ca": "Newfoundland and Labrador",
    "yukon.ca": "Yukon",
    "immigratenwt.ca": "Northwest Territories",
}
_NUMBER = r"(\d{1,3}(?:[,\u00a0\u202f ]\d{3})+|\d+)"
_INVITATIONS = (
    # A number after a label's colon is that label's ("Lowest score: 490 Invitations …").
    re.compile(
        r"(?<![:|] )(?<![\d:|])" + _NUMBER + r"\s+(?:invitations|notifications of interest)\b", re.I
    ),
    re.compile(r"invitations to apply to " + _NUMBER + r"\s+candidates", re.I),
    # "Number of Letters of Advice to Apply issued: 48" (immigratemanitoba.com), "Invitations
    # issued 75", "Applications selected 97" (New Brunswick), "Number of Invitations Issued 71"
    # (saskatchewan.ca), "Nombre d'invitations : 1 245".
    re.compile(
        r"(?:letters of advice to apply|invitations(?: to apply)?|notifications of interest"
        r"|applications selected|nombre d['\u2019]invitations)"
        r"(?: issued| sent| envoy[ée]es| [ée]mises)?\s*[:|]?\s*" + _NUMBER + r"(?![\d/])",
        re.I,
    ),
)
_SCORES = (
    re.compile(r"(?:score|note|pointage)s?\s+(?:minimale?\s+)?(?:of|de)\s+(\d+)", re.I),
    re.compile(r"(\d+)\s+points", re.I),
    re.compile(r"lowest[- ]ranked candidate(?: invited)?\s*:\s*(\d+)", re.I),
    # "Lowest score invited: 490", "Lowest EOI Score 110", "Minimum score: 81".
    re.compile(r"(?:lowest|minimum|cut-?off)(?: [\w-]+)? score(?: invited)?\s*[:|]?\s*(\d+)", re.I),
    # "Score minimal : 577", "Note minimale : 590".
    re.compile(r"(?:score|note|pointage) minima(?:l|le)\s*[:|]?\s*(\d+)", re.I),
)
# "Date: January 9, 2026" opening a block titled "EOI Draw #262" (immigratemanitoba.com), or
# the post's own line, "Posted on June 19, 2026 by Manitoba Immigration Pathways" / "Publié le …".
_DATE_FIELD = re.compile(
    r"^(?:(?:draw )?date(?: of (?:the )?draw)?\s*:|(?:posted|published) on|publi[ée]e? le)\s*(.+)$",
    re.I,
)
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
    order = numeric_order("\n".join(lines))
    tree = build(root)
    entries = (
        table_entries(root, year, order)
        + record_table_entries(root, year, order)
        + block_entries(tree, year, order)
        + list_entries(root, year, order)
    )
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
    scores = [int(value) for pattern in _SCORES for value in pattern.findall(text)]
    return min(scores) if scores else None


def block_entries(tree: Block, year: int | None, order: str = MONTH_FIRST) -> list[dict[str, Any]]:
    """Entries of the blocks titled by a date, in page order (a year carries forward).

    The blocks under a dated block are its own entries' text, not entries of their own.
    """
    found: list[dict[str, Any]] = []

    def visit(block: Block, year: int | None) -> int | None:
        for child in block.children:
            year = read(child, year)
        return year

    def read(block: Block, year: int | None) -> int | None:
        if not block.title:
            return visit(block, year)
        dated = _dated_title(block.title, year, order)
        if dated is None:
            fields = _date_field_entries(block, year, order)
            found.extend(fields)
            return year if fields else visit(block, year)
        day, headline = dated
        if headline:
            found.append(entry(day, headline, _text(block)))
        else:
            found.extend(_dated_block_entries(day, block))
        return int(day[:4])

    visit(tree, year)
    return found


def _dated_title(title: str, year: int | None, order: str = MONTH_FIRST) -> tuple[str, str] | None:
    """(ISO date, headline) for "April 7, 2026: Worker fee" and for "Worker fee – April 7, 2026";
    (date, "") for "April 23, 2026"."""
    spans = date_spans(title, year, order)
    if not spans:
        return None
    if spans[0][2][0] > 4:
        return _trailing_date(title, spans[-1])
    rest = title[spans[0][2][1] :].strip()
    if not rest:
        return spans[0][0], ""
    if rest[0] in ":–—-" and len(title) <= _MAX_HEADLINE:
        return spans[0][0], rest[1:].strip()
    return (spans[0][0], "") if len(title) <= 40 else None


# What may join a headline to the date that ends it: "– ", ": ", " on ", " du ", " held ".
_BEFORE_DATE = re.compile(
    r"(?:\s*[:–—,-]|\s+(?:on|of|as of|held on|du|le|au|en date du))\s*$", re.I
)


def _trailing_date(
    title: str, span: tuple[str, str | None, tuple[int, int]]
) -> tuple[str, str] | None:
    """(date, headline) for a title that ends with a full date after its headline."""
    start, end = span[2]
    if title[end:].strip(" .)") or not re.search(r"(?:19|20)\d\d", title[start:end]):
        return None
    head = title[:start]
    joined = _BEFORE_DATE.search(head)
    if len(title) > _MAX_HEADLINE or not (joined or head.endswith(" ")):
        return None
    headline = head[: joined.start()] if joined else head
    headline = headline.strip(" (:–—,-")
    return (span[0], headline) if len(headline) >= 3 else None


def _date_field_entries(
    block: Block, year: int | None, order: str = MONTH_FIRST
) -> list[dict[str, Any]]:
    """A block titled by its draw ("EOI Draw #262") whose first line is "Date: …": one entry
    per sub-block ("EOI Draw #262: Skilled Workers in Manitoba"), or one for its text."""
    first = block.items[0] if block.items else None
    field = _DATE_FIELD.match(first.text) if first and first.kind != "row" else None
    day = leading_date(field.group(1), year, order) if field else None
    if day is None:
        return []
    headed = _headed(block)
    if headed:
        return [entry(day[0], f"{block.title}: {c.title}", _text(c)) for c in headed]
    return [entry(day[0], block.title, " ".join(item.text for item in block.items[1:]))]


# Sub-blocks that are a draw's notes, not a stream of it (Manitoba's "Notes" under each draw).
_NOTES = re.compile(r"^(?:notes?|remarques?|footnotes?|important)$")


def _headed(block: Block) -> list[Block]:
    return [
        child
        for child in block.children
        if child.title and child.source != "caption" and not _NOTES.match(fold(child.title))
    ]


def _dated_block_entries(date: str, block: Block) -> list[dict[str, Any]]:
    headed = _headed(block)
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


def table_entries(root: Tag, year: int | None, order: str = MONTH_FIRST) -> list[dict[str, Any]]:
    """Entries from tables whose first column is a date, one per date and draw type.

    Rows of one date and type merge (a row without figures continues the one above), unless
    two of them state their own count: then each is its own draw, named by its selection
    factor (BC's wage-based and points-based rows of one date), never their sum.
    """
    found: list[dict[str, Any]] = []
    for tag in root.find_all("table"):
        table = parse_table(tag)
        if not table.columns and _dated_rows(table, year, order):
            # No header (Nova Scotia's "January 2026 | 363"): a date, then its count.
            width = max(len(row) for row in table.rows)
            table.columns = ["Date", "Number of invitations"] + [""] * (width - 2)
        if not table.columns or "date" not in fold(table.columns[0]):
            continue
        program = _program(_heading_before(tag))
        score_column = _column_after_date(table, *_SCORE_WORDS)
        count_column = _count_column(table, score_column)
        kind_column = _kind_column(table, (count_column, score_column))
        used = (0, count_column, score_column, kind_column)
        factor_column = next(
            (i for i in range(1, len(table.columns)) if i not in used and _wordy(table, i)), None
        )
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for row in table.rows:
            if len(row) < 2 or _TOTAL.match(fold(row[0].text)):
                continue
            day = _row_date(row[0].text, year, order)
            if day is None:
                continue
            kind = _cell(row, kind_column)
            count = _cell_number(row, count_column, skip_spanned=True)
            score = _cell_number(row, score_column, skip_spanned=False)
            if count is None and score is None and not kind:
                continue  # a month to come ("May 2026 | TBD"): nothing to tell yet
            parts = groups.setdefault((day, kind), [])
            if parts and count is None:
                part = parts[-1]
                if score is not None:
                    part["score"] = score if part["score"] is None else min(part["score"], score)
                continue
            factor = _cell(row, factor_column)
            parts.append({"count": count, "score": score, "factor": factor})
        for (day, kind), parts in groups.items():
            name = kind or program or _heading_before(tag, ("h1",))
            if kind and program:
                name = f"{program}: {kind}"
            for part in parts:
                headline = name
                if len(parts) > 1 and part["factor"]:
                    headline = f"{name} ({_shorten(part['factor'])})"
                found.append(
                    {
                        "date": day,
                        "headline": _shorten(headline),
                        "invitations": part["count"],
                        "score": part["score"],
                    }
                )
    return found


_TOTAL = re.compile(r"^(?:grand )?totals?\b|^total\b")
_SCORE_WORDS = (r"\bscore", r"\bnote\b", "pointage", "threshold", "seuil", r"\bpoints?\b")
_KIND_WORDS = ("type", "stream", "volet", "program", "category", "categorie", "pathway", "draw")
_RECORD_DATE = re.compile(
    r"^date(?: of (?:the )?(?:draw|selection|invitations?|round))?$"
    r"|^date (?:du tirage|de l.invitation)"
)
_RECORD_NAME = re.compile(r"^(?:pathways?|streams?|volets?|categor(?:y|ies)|categories?)$")


def record_table_entries(
    root: Tag, year: int | None, order: str = MONTH_FIRST
) -> list[dict[str, Any]]:
    """One entry per table of label/value rows ("Date of draw | June 4, 2026", "Invitations
    issued | 75"), titled by the heading or bold line before it and its "Pathways" row."""
    found: list[dict[str, Any]] = []
    for tag in root.find_all("table"):
        table = parse_table(tag)
        pairs = [table.columns] if len(table.columns) == 2 else []
        pairs += [[cell.text for cell in row] for row in table.rows if len(row) == 2]
        fields = {fold(label).strip(" :"): value for label, value in pairs}
        day = next(
            (
                first_date(value, year, order)
                for label, value in fields.items()
                if _RECORD_DATE.match(label)
            ),
            None,
        )
        if day is None:
            continue
        title = _heading_before(tag, ("h2", "h3", "h4", "h5", "strong", "b"))
        kind = next((v for label, v in fields.items() if _RECORD_NAME.match(label)), "")
        headline = f"{title}: {kind}" if title and kind else (title or kind)
        text = " ".join(f"{label} {value}" for label, value in pairs)
        found.append(
            {
                "date": day[0],
                "headline": _shorten(headline),
                "invitations": invitations_in(text),
                "score": score_in(text),
            }
        )
    return found


_MONTH_YEAR = re.compile(r"^([a-z]+)\.?\s+((?:19|20)\d\d)$")


def _row_date(text: str, year: int | None, order: str) -> str | None:
    """A row's date (ISO), or its month ("April 2026" → "2026-04") when it is a monthly total."""
    day = first_date(text, year, order)
    if day is not None:
        return day[0]
    month = _MONTH_YEAR.match(fold(text).strip())
    number = month_number(month.group(1)) if month else None
    return f"{month.group(2)}-{number:02d}" if month and number else None


def _dated_rows(table: Any, year: int | None, order: str) -> bool:
    """Whether every row of a header-less table starts with a date or a month."""
    return bool(table.rows) and all(
        len(row) >= 2 and _row_date(row[0].text, year, order) for row in table.rows
    )


def _heading_before(tag: Tag, names: tuple[str, ...] = ("h2", "h3")) -> str:
    previous = tag.find_previous(list(names))
    return squash(previous.get_text(" ")) if previous else ""


def _count_column(table: Any, score_column: int | None) -> int | None:
    """The column of a draw's invitations: a total if the table has one, else the first count."""
    candidates = [
        index
        for index, name in enumerate(table.columns[1:], start=1)
        if index != score_column
        and re.search(r"invitation|\bitas?\b|number|nombre|selected|letters", fold(name))
        and not re.search(r"\btype\b", fold(name))
    ]
    totals = [index for index in candidates if "total" in fold(table.columns[index])]
    return (totals or candidates or [None])[0]


def _kind_column(table: Any, figures: tuple[int | None, ...]) -> int | None:
    """The column naming each row's draw: by its header, else a column of short texts."""
    others = [i for i in range(1, len(table.columns)) if i not in figures]
    named = [i for i in others if any(word in fold(table.columns[i]) for word in _KIND_WORDS)]
    if named:
        return named[0]
    return next((i for i in others if _short_text(table, i)), None)


def _short_text(table: Any, column: int) -> bool:
    """Whether a column holds short words (a name, a note), not figures or paragraphs."""
    texts = [row[column].text for row in table.rows if column < len(row) and row[column].text]
    return bool(texts) and all(
        len(text) <= 80 and not _FIGURE.fullmatch(text) and text not in ("-", "–") for text in texts
    )


def _wordy(table: Any, column: int) -> bool:
    """Whether a column holds words (a selection factor), not only figures."""
    texts = [row[column].text for row in table.rows if column < len(row) and row[column].text]
    return any(not _FIGURE.fullmatch(text) and len(text) > 3 for text in texts)


def _cell(row: list, column: int | None) -> str:
    return row[column].text if column is not None and column < len(row) else ""


def list_entries(root: Tag, year: int | None, order: str = MONTH_FIRST) -> list[dict[str, Any]]:
    """Entries from list items that start with "date: headline" (their bold lead is the headline).

    Accordion summaries and other titles of that form are blocks (``block_entries``).
    """
    found: list[dict[str, Any]] = []
    for tag in root.find_all("li"):
        if tag.find(["summary", "ul", "ol"]) is not None:
            continue
        label = squash(tag.get_text(" "))
        day = leading_date(label, year, order)
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
    """The first column after the date column whose header matches one of ``words``."""
    for index, name in enumerate(table.columns[1:], start=1):
        if any(re.search(word, fold(name)) for word in words):
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

"""Kind ``pnp-updates``: a provincial nominee program's updates page → one record per dated entry.

Three layouts occur on the pages we watch, often on one page:

- date headings with the entries under them (ontario.ca: "April 23, 2026" then one
  sub-heading per draw; welcomebc.ca: "April 22, 2026" then a paragraph);
- tables whose first column is a date (welcomebc.ca's invitations tables, where one
  date spans several rows);
- list items or accordion summaries that start with "date: headline" (alberta.ca).

Each entry: province, date (ISO), headline, invitations and the lowest score invited,
when the text states them. Keys are the date plus the headline with its figures masked,
so a corrected number does not make an entry new.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from bs4 import Tag

from diffing.dates import find_dates, first_date, leading_date
from diffing.document import ContentError, Document
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
}
_HEADING = re.compile(r"^(#{1,6}) (.*)$")
_INVITATIONS = (
    re.compile(r"(\d[\d,\u00a0\u202f ]*)\s+invitations", re.I),
    re.compile(r"invitations to apply to (\d[\d,\u00a0\u202f ]*)\s+candidates", re.I),
)
_SCORE = re.compile(
    r"(?:score|note|pointage)\s+(?:minimale?\s+)?(?:of|de)\s+(\d+)|(\d+)\s+points", re.I
)
_FIGURE = re.compile(r"\d[\d,\u00a0\u202f ]*")
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
    entries = table_entries(root, year) + heading_entries(lines, year) + list_entries(root, year)
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
    scores = [int(a or b) for a, b in _SCORE.findall(text)]
    return min(scores) if scores else None


def heading_entries(lines: list[str], year: int | None) -> list[dict[str, Any]]:
    """Entries under headings that are dates, one per sub-heading or per section."""
    found: list[dict[str, Any]] = []
    index = 0
    while index < len(lines):
        match = _HEADING.match(lines[index])
        day = leading_date(match.group(2), year) if match else None
        if not match or day is None or len(match.group(2)) > 40:
            index += 1
            continue
        level = len(match.group(1))
        end = index + 1
        while end < len(lines):
            sub = _HEADING.match(lines[end])
            if sub and len(sub.group(1)) <= level:
                break
            end += 1
        found.extend(_section_entries(day[0], lines[index + 1 : end]))
        year = int(day[0][:4])
        index = end
    return found


def _section_entries(date: str, lines: list[str]) -> list[dict[str, Any]]:
    headed: list[tuple[str, list[str]]] = []
    loose: list[str] = []
    for line in lines:
        match = _HEADING.match(line)
        if match:
            headed.append((match.group(2), []))
        elif headed:
            headed[-1][1].append(line)
        else:
            loose.append(line)
    if headed:
        return [entry(date, title, " ".join(body)) for title, body in headed]
    if loose and all(line.lstrip().startswith("- ") for line in loose):
        return [entry(date, line.lstrip()[2:], "") for line in loose]
    if not loose:
        return []
    sentences = split_sentences(" ".join(loose))
    return [entry(date, sentences[0], " ".join(sentences[1:]))]


def table_entries(root: Tag, year: int | None) -> list[dict[str, Any]]:
    """Entries from tables whose first column is a date; rows sharing a date and a type merge."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for tag in root.find_all("table"):
        table = parse_table(tag)
        if not table.columns or "date" not in table.columns[0].lower():
            continue
        heading_tag = tag.find_previous(["h2", "h3"])
        heading = squash(heading_tag.get_text(" ")) if heading_tag else ""
        count_column = table.column("invitation")
        score_column = table.column("score")
        for row in table.rows:
            day = first_date(row[0].text, year)
            if day is None or len(row) < 2:
                continue
            kind = row[1].text
            headline = f"{_program(heading)}: {kind}" if heading else kind
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
    """Entries from list items and accordion summaries that start with "date: headline"."""
    found: list[dict[str, Any]] = []
    for tag in root.find_all(["summary", "li"]):
        if tag.name == "li" and tag.find("summary") is not None:
            continue
        label = squash(tag.get_text(" "))
        day = leading_date(label, year)
        if day is None or ":" not in label[:40]:
            continue
        headline = label.split(":", 1)[1].strip()
        body = ""
        if tag.name == "summary" and tag.parent is not None:
            body = squash(tag.parent.get_text(" "))[len(label) :].strip()
        elif tag.name == "li":
            bold = tag.find(["strong", "b"])
            lead = squash(bold.get_text(" ")) if bold else ""
            if lead and lead in headline:
                body = headline.split(lead, 1)[1].strip()
                headline = lead
            else:
                sentences = split_sentences(headline)
                headline, body = sentences[0], " ".join(sentences[1:])
        found.append(entry(day[0], headline, body))
    return found


def _cell_number(row: list, column: int | None, *, skip_spanned: bool) -> int | None:
    if column is None or column >= len(row):
        return None
    cell = row[column]
    if skip_spanned and cell.spanned:
        return None
    text = cell.text.strip()
    return parse_int(text) if _FIGURE.fullmatch(text) else None


def _program(heading: str) -> str:
    """ "Skills Immigration invitations" → "Skills Immigration"."""
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

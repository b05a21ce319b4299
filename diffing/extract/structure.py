"""A content region as keyed records: one per section (its sentences) and one per table row.

Keys must survive editorial edits, so a section is keyed by its heading with the figures
masked ("Application Intake Thresholds as of April 3, 2017" and "… as of April 2, 2018"
are the same section) — unless several headings of the page differ only by their figures
(dated draws): those are keyed by their own words. A table row is keyed by its table and
first column (or its NOC code).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from bs4 import Tag

from diffing.dates import fold
from diffing.extract.tables import Table, noc_code, parse_table
from diffing.recordkeys import ROW_PREFIX, SECTION_PREFIX
from diffing.sentences import LIST_MARK, split_sentences

HEADING_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_HEADING_LINE = re.compile(r"^(#{1,6}) (.*)$")
_MONTHS = (
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre"
)
_FIGURES = re.compile(rf"\b(?:{_MONTHS})\b|\d+(?:[.,]\d+)*")


def slug(text: str) -> str:
    """Lowercase, accent-free words joined by dashes: a key part that ignores punctuation."""
    return "-".join(re.findall(r"[a-z0-9]+", fold(text)))


def masked(text: str) -> str:
    """``slug`` with months and numbers replaced by "n", for keys that survive date edits."""
    return slug(_FIGURES.sub(" n ", fold(text)))


def page_name(title: str) -> str:
    """A page's own name from its <title>: "IEC - Canada.ca" → "IEC"."""
    for separator in (" | ", " - ", " – "):
        title = title.split(separator)[0]
    return title.strip()


def own_title(lines: list[str]) -> str:
    """The page's own <h1> ("# Find out if you’re eligible"), as its readers see it named."""
    return next((line[2:].strip() for line in lines if line.startswith("# ")), "")


def section_records(
    lines: list[str], skip: set[str] | None = None, first_heading: str = ""
) -> dict[str, dict[str, Any]]:
    """Sections of readable ``lines`` (``normalize.to_lines`` output) as records.

    Table rows ("| … |" lines) and the lines in ``skip`` (table captions) are left out:
    rows are records of their own. Lines before any heading belong to ``first_heading``.
    """
    skip = skip or set()
    sections: list[tuple[str, list[str], list[str]]] = []
    heading, sentences = first_heading, []
    opened = False
    # The headings above the current one, by level; the page's <h1> is its title, not a place.
    above: dict[int, str] = {}

    def close() -> None:
        if sentences or (heading and opened):
            path = [above[level] for level in sorted(above) if level > 1]
            sections.append((heading, path, list(sentences)))

    for line in lines:
        match = _HEADING_LINE.match(line)
        if match:
            close()
            heading, sentences, opened = match.group(2).strip(), [], True
            level = len(match.group(1))
            above = {lvl: name for lvl, name in above.items() if lvl < level}
            above[level] = heading
            continue
        text = line.strip()
        if text.startswith("|") or text in skip:
            continue
        if text.startswith(LIST_MARK):
            sentences.append(text)
        else:
            sentences.extend(split_sentences(text))
    close()
    return _keyed(sections)


def _keyed(sections: list[tuple[str, list[str], list[str]]]) -> dict[str, dict[str, Any]]:
    """Sections keyed by their heading with its figures masked, so a heading's date edit keeps
    the section; but headings that differ only by their figures ("Invitations du 2 juin
    2026" over "Invitations du 14 mai 2026") are keyed by their own words: a new dated
    section on top is one new section, not every section shifted by one."""
    families = Counter(masked(heading) for heading, _, _ in sections)
    records: dict[str, dict[str, Any]] = {}
    for heading, path, sentences in sections:
        family = masked(heading)
        own = family if families[family] == 1 else slug(heading)
        key = _unique(records, SECTION_PREFIX + own)
        records[key] = {"section": heading, "path": path, "sentences": sentences}
    return records


def table_records(root: Tag) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """Every table row in ``root`` as a record, and the captions (to keep out of sections)."""
    records: dict[str, dict[str, Any]] = {}
    captions: set[str] = set()
    for tag in root.find_all("table"):
        if tag.find_parent("table") is not None:
            continue
        table = parse_table(tag)
        if table.caption:
            captions.add(table.caption)
        heading_tag = tag.find_previous(HEADING_TAGS)
        heading = heading_tag.get_text(" ", strip=True) if heading_tag else ""
        table_id = masked(table.caption) or masked(heading) or masked(" ".join(table.columns))
        for row in table.rows:
            key_text = row_key(table, [cell.text for cell in row])
            if not key_text:
                continue
            key = _unique(records, f"{ROW_PREFIX}{table_id}:{key_text}")
            records[key] = {
                "section": " ".join(heading.split()),
                "table": table.caption or " ".join(heading.split()),
                "columns": table.columns,
                "cells": [cell.text for cell in row],
            }
    return records, captions


def row_key(table: Table, cells: list[str]) -> str:
    """A row's identity: its NOC code when the table has a NOC column, else its first cell."""
    noc_column = table.column("noc", "cnp")
    if noc_column is not None and noc_column < len(cells):
        code = noc_code(cells[noc_column])
        if code:
            return code
    return slug(cells[0]) if cells else ""


def _unique(records: dict[str, Any], key: str) -> str:
    if key not in records:
        return key
    number = 2
    while f"{key}#{number}" in records:
        number += 1
    return f"{key}#{number}"

"""Kind ``ee-categories``: Express Entry's category-based selection page → a record per category.

A category is a block the page's own list of categories links to ("#stem"), or, on a page
without such a list, an ``<h3>`` block. Its record holds its name, its eligible occupations
(NOC code → title, from the table in its block) and its eligibility requirements. The
rest of the page becomes section records as for kind ``page``, without the category
blocks and without the list of category names (those changes are told as categories).

Categories are keyed by their name without parentheses and generic words
("STEM (science, …) occupations" → "stem"), so a reworded name keeps its key.
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import Tag

from diffing.document import ContentError, Document
from diffing.extract.structure import HEADING_TAGS, page_name, section_records, slug
from diffing.extract.tables import noc_code, parse_table
from diffing.normalize import read_region, region_meta, to_lines
from diffing.sentences import LIST_MARK, split_sentences
from diffing.textutil import squash

CATEGORY_PREFIX = "category:"
_GENERIC = {"occupations", "occupation", "professions", "profession", "category", "categorie"}


def extract(
    body: bytes, *, selector: str | None = None, url: str = "", region: str | None = None
) -> Document:
    """Categories (name, occupations, requirements) plus the page's other sections."""
    found = read_region(body, selector, region)
    root = found.root
    lines = to_lines(root)
    records: dict[str, dict[str, Any]] = {}
    names: set[str] = set()
    for heading, block in category_blocks(root):
        name = squash(heading.get_text(" "))
        names.add(name)
        records[CATEGORY_PREFIX + category_key(name)] = {
            "name": name,
            "occupations": occupations(block),
            "requirements": requirements(block, heading),
        }
    if not records:
        raise ContentError("no categories", "no category blocks on the page")
    page = page_name(found.title)
    for key, section in section_records(lines, first_heading=page).items():
        if section["section"] in names:
            continue
        kept = [s for s in section["sentences"] if s.removeprefix(LIST_MARK) not in names]
        records[key] = {"section": section["section"], "sentences": kept, "page": page}
    return Document(
        kind="ee-categories",
        text="\n".join(lines),
        records=records,
        meta=region_meta(found),
    )


def category_key(name: str) -> str:
    """ "STEM (science, technology, engineering and math) occupations" → "stem"."""
    words = slug(re.sub(r"\([^)]*\)", " ", name)).split("-")
    kept = [word for word in words if word not in _GENERIC]
    return "-".join(kept or words)


def category_blocks(root: Tag) -> list[tuple[Tag, list[Tag]]]:
    """(heading, block elements) for every category, in page order.

    Without a linked list of categories, every ``<h3>`` block counts, provided at least one
    of them lists occupations (so that an unrelated page is not read as categories).
    """
    blocks: list[tuple[Tag, list[Tag]]] = []
    seen: set[int] = set()
    for link in root.select('li a[href^="#"]'):
        target = root.find(id=link["href"][1:])
        if not isinstance(target, Tag) or id(target) in seen:
            continue
        block = _block(target)
        if block:
            seen.add(id(target))
            blocks.append(block)
    if blocks:
        return blocks
    for heading in root.find_all("h3"):
        block = _block(heading)
        if block:
            blocks.append(block)
    return blocks if any(occupations(block) for _, block in blocks) else []


def _block(target: Tag) -> tuple[Tag, list[Tag]] | None:
    """A category's heading and content, whether the anchor is a container or a heading."""
    if target.name in HEADING_TAGS:
        level = HEADING_TAGS.index(target.name)
        content = []
        for sibling in target.find_next_siblings():
            if sibling.name in HEADING_TAGS and HEADING_TAGS.index(sibling.name) <= level:
                break
            content.append(sibling)
        return target, content
    heading = target.find(HEADING_TAGS)
    if heading is None:
        return None
    return heading, [target]


def occupations(block: list[Tag]) -> dict[str, str]:
    """NOC code → occupation title, from the tables in the block."""
    found: dict[str, str] = {}
    for part in block:
        tables = [part] if part.name == "table" else part.find_all("table")
        for tag in tables:
            table = parse_table(tag)
            code_column = table.column("noc", "cnp")
            if code_column is None:
                continue
            title_column = 0 if code_column != 0 else 1
            for row in table.rows:
                code = noc_code(row[code_column].text) if code_column < len(row) else None
                if code and title_column < len(row):
                    found[code] = row[title_column].text
    return dict(sorted(found.items()))


def requirements(block: list[Tag], heading: Tag) -> list[str]:
    """The block's eligibility text: paragraphs as sentences, list items marked "- "."""
    found: list[str] = []
    for part in block:
        for tag in [part, *part.find_all(["p", "li"])]:
            if tag is heading or tag.name not in ("p", "li"):
                continue
            if tag.find_parent(["table", "details"]) is not None:
                continue
            text = squash(tag.get_text(" "))
            if not text:
                continue
            if tag.name == "li":
                found.append(LIST_MARK + text)
            else:
                found.extend(split_sentences(text))
    return found

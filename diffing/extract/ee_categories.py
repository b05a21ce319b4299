"""Kind ``ee-categories``: Express Entry's category-based selection page → a record per category.

The page is read as a block tree (``blocks``), whatever its markup. A category is a titled
block that lists NOC codes — in a table's NOC column, in list items, or in text such as
"Data scientists (NOC 21211)" / "(CNP 21211)" — the nearest block around the codes whose
title is not a generic "Eligible occupations" label; or a block that the page's own list
of categories names (by a link to it or by its title). Its record holds its name, its
eligible occupations (NOC code → title) and its eligibility requirements. The rest of the
page becomes section records as for kind ``page``, without the category blocks and the
list of names (those changes are told as categories).

Categories are keyed by their name without parentheses and generic words
("STEM (science, …) occupations" → "stem"), so a reworded name keeps its key.
"""

from __future__ import annotations

import re
from typing import Any

from diffing.dates import fold
from diffing.document import ContentError, Document
from diffing.extract.blocks import Block, Item, build
from diffing.extract.structure import page_name, section_records, slug
from diffing.normalize import read_region, region_meta, to_lines
from diffing.recordkeys import CATEGORY_PREFIX
from diffing.sentences import LIST_MARK, split_sentences

_GENERIC = {"occupations", "occupation", "professions", "profession", "category", "categorie"}
# "(NOC 21211)", "CNP 21211", "NOC: 21211", "NOC 2021 code 21211", "(21211)", "21211 – Title".
_NOC_TEXT = re.compile(
    r"\(?\s*\b(?:NOC|CNP)\b(?:\s*2021)?(?:\s*(?:code|TEER))?\s*[:#]?\s*(?P<a>\d{5})\b\s*\)?"
    r"|\((?P<b>\d{5})\)"
    r"|^\s*(?P<c>\d{5})\s*(?:[–—:-]|\s(?=[A-Za-zÀ-ÿ]))\s*",
    re.I,
)
# Titles of occupation lists inside a category ("Eligible occupations: STEM …").
_LIST_TITLE = re.compile(
    r"^(?:eligible occupations|occupations eligible|list of (?:eligible )?occupations"
    r"|professions admissibles|liste des professions|emplois admissibles)\b"
    r"|^(?:noc|cnp|occupations|professions)$",
)


def extract(
    body: bytes, *, selector: str | None = None, url: str = "", region: str | None = None
) -> Document:
    """Categories (name, occupations, requirements) plus the page's other sections."""
    found = read_region(body, selector, region)
    root = found.root
    lines = to_lines(root)
    tree = build(root)
    blocks = category_blocks(tree)
    tables = category_tables(tree)
    if not blocks and not tables:
        raise ContentError("no categories", "no category blocks on the page")
    records: dict[str, dict[str, Any]] = {}
    names: set[str] = set()
    for name, found_occupations in tables.items():
        names.add(name)
        records.setdefault(
            CATEGORY_PREFIX + category_key(name),
            {
                "name": name,
                "occupations": dict(sorted(found_occupations.items())),
                "requirements": [],
            },
        )
    for block in blocks:
        names.add(block.title)
        key = CATEGORY_PREFIX + category_key(block.title)
        if key in records:
            continue
        records[key] = {
            "name": block.title,
            "occupations": occupations(block),
            "requirements": requirements(block),
        }
    for block in blocks:
        for node in block.all_nodes():
            node.extract()
    for item in tree.all_items():
        if _category_column(item) is not None and item.table.element is not None:
            item.table.element.extract()
    page = page_name(found.title)
    for key, section in section_records(to_lines(root), first_heading=page).items():
        if section["section"] in names:
            continue
        kept = [s for s in section["sentences"] if s.removeprefix(LIST_MARK) not in names]
        records[key] = {"section": section["section"], "sentences": kept, "page": page}
    return Document(
        kind="ee-categories", text="\n".join(lines), records=records, meta=region_meta(found)
    )


def category_key(name: str) -> str:
    """ "STEM (science, technology, engineering and math) occupations" → "stem"."""
    words = slug(re.sub(r"\([^)]*\)", " ", name)).split("-")
    kept = [word for word in words if word not in _GENERIC]
    return "-".join(kept or words)


def category_tables(tree: Block) -> dict[str, dict[str, str]]:
    """Categories of tables with a category column: name → {NOC code: occupation title}."""
    found: dict[str, dict[str, str]] = {}
    for item in tree.all_items():
        column = _category_column(item)
        noc = noc_of(item) if column is not None else None
        if noc is None or column is None or column >= len(item.cells):
            continue
        name = item.cells[column].text
        if name:
            found.setdefault(name, {}).setdefault(*noc)
    return found


def _category_column(item: Item) -> int | None:
    """The category column of a row's table that also has a NOC column, else None."""
    if item.kind != "row" or item.table is None or item.table.column("noc", "cnp") is None:
        return None
    return item.table.column("categor", "catégor")


def noc_of(item: Item) -> tuple[str, str] | None:
    """(NOC code, occupation title) when ``item`` names an occupation, else None."""
    if item.kind == "row":
        table = item.table
        column = table.column("noc", "cnp") if table is not None else None
        cells = [cell.text for cell in item.cells]
        if column is None:
            column = next((i for i, text in enumerate(cells) if re.fullmatch(r"\d{5}", text)), None)
        if column is None or column >= len(cells):
            return None
        match = re.search(r"\b\d{5}\b", cells[column])
        if not match:
            return None
        taken = {column, table.column("categor", "catégor") if table is not None else None}
        title_column = next((i for i in range(len(cells)) if i not in taken), None)
        return match.group(0), cells[title_column] if title_column is not None else ""
    match = _NOC_TEXT.search(item.text)
    if not match:
        return None
    code = match["a"] or match["b"] or match["c"]
    title = " ".join((item.text[: match.start()] + " " + item.text[match.end() :]).split())
    title = title.strip(" –—-:,;")
    while title.endswith("(") or title.count("(") > title.count(")") and title.endswith(" ("):
        title = title[:-1].rstrip(" –—-:,;")
    return code, title


def is_list_title(title: str) -> bool:
    """Whether a block title names a list of occupations rather than a category."""
    return bool(_LIST_TITLE.match(fold(title).strip()))


def category_blocks(tree: Block) -> list[Block]:
    """Every category block, in page order (see the module docstring)."""
    owners: list[Block] = []
    for block in tree.walk():
        if block.source == "root" or not any(
            noc_of(item) for item in block.items if _category_column(item) is None
        ):
            continue
        owner = _named(block)
        if owner is not None and owner not in owners:
            owners.append(owner)
    # A category whose sub-block lists codes too (a TEER table under an <h4>) stays one.
    owners = [b for b in owners if not any(a in owners for a in b.ancestors())]
    chosen = set(map(id, owners)) | set(map(id, _named_by_lists(tree, owners)))
    return [block for block in tree.walk() if id(block) in chosen]


def _named(block: Block) -> Block | None:
    for candidate in (block, *block.ancestors()):
        if candidate.source == "root":
            return None
        if candidate.title and not is_list_title(candidate.title):
            return candidate
    return None


def _named_by_lists(tree: Block, owners: list[Block]) -> list[Block]:
    """Blocks named by a list of the page's that speaks of categories and names an owner."""
    by_id = {anchor: block for block in tree.walk() for anchor in block.ids}
    by_title: dict[str, Block] = {}
    for block in tree.walk():
        if block.title and block.source != "root":
            by_title.setdefault(fold(block.title), block)
    found: list[Block] = []
    for block in tree.walk():
        named: list[Block] = []
        for item in block.items:
            if item.kind != "li":
                continue
            target = next(
                (
                    by_id[link[1:]]
                    for link in item.links
                    if link.startswith("#") and link[1:] in by_id
                ),
                None,
            ) or by_title.get(fold(item.text))
            if target is not None and target is not block and target not in named:
                named.append(target)
        speaks = "categor" in fold(block.title) or any(
            "categor" in fold(item.text) for item in block.items if item.kind == "p"
        )
        if len(named) >= 2 and speaks and any(target in owners for target in named):
            found.extend(target for target in named if target not in found)
    return found


def occupations(block: Block) -> dict[str, str]:
    """NOC code → occupation title, from every item in the block."""
    found: dict[str, str] = {}
    for item in block.all_items():
        noc = noc_of(item)
        if noc is not None:
            found.setdefault(*noc)
    return dict(sorted(found.items()))


def requirements(block: Block) -> list[str]:
    """The block's eligibility text: paragraphs as sentences, list items marked "- ".

    Table rows, occupations and the content of occupation lists are left out.
    """
    found: list[str] = []
    for sub in block.walk():
        if sub is not block and any(
            is_list_title(b.title) for b in (sub, *sub.ancestors()) if b is not block
        ):
            continue
        if sub is not block and sub.source == "caption":
            continue
        for item in sub.items:
            if item.kind == "row" or noc_of(item) is not None:
                continue
            if item.kind == "li":
                found.append(LIST_MARK + item.text)
            else:
                found.extend(split_sentences(item.text))
    return found

"""The outline of an HTML content region as a tree of titled blocks, whatever the markup.

A block has a title and content. Titles come from headings of any level (and the
pseudo-headings of ``diffing.headings``: a bold paragraph before its list or table,
``<p class="h3">``), ``<details>`` /
``<summary>``, GCWeb panels (``.panel-title``), cards (``.card-title``), tab panels (the
tab that names them), definition-list terms (``<dt>``), table captions, and list items
that hold a nested list. Content is paragraphs, list items and table rows (``Item``).
Plain wrappers (``div.container``, ``section``, ``div.row``/``col``) are transparent:
headings inside them continue the outline around them. The extractors of the structured
kinds find their records in this tree by content (NOC codes, dates, figures), so the
same content reads the same in a table, a list, sections, accordions, panels or cards.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from bs4 import NavigableString, Tag

from diffing.extract.tables import Cell, Table, cell_text, parse_table
from diffing.headings import pseudo_level
from diffing.textutil import squash

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_PARAGRAPHS = {"p", "blockquote", "address", "pre", "figcaption"}
_LISTS = {"ul", "ol"}
_NESTED = frozenset({"ul", "ol", "table", "dl"})
_BLOCK_LEVEL = frozenset(
    set(HEADINGS)
    | _PARAGRAPHS
    | _LISTS
    | {"table", "dl", "details", "div", "section", "article", "aside", "figure", "header"}
    | {"footer", "form", "fieldset", "main", "li", "dt", "dd", "tr", "summary"}
)
_STRUCTURE = frozenset({"details", "table", *HEADINGS})
_PANEL = {"panel", "card"}
_PANEL_TITLES = ("panel-title", "card-title")
_PANEL_HEADERS = ("panel-heading", "card-header")
# <dt> texts that label a field of one thing ("Date:", "Lieu :") rather than title a block.
FIELD_LABELS = {
    "date",
    "dates",
    "when",
    "time",
    "location",
    "place",
    "where",
    "venue",
    "city",
    "link",
    "registration",
    "register",
    "quand",
    "heure",
    "lieu",
    "endroit",
    "ville",
    "ou",
    "où",
    "lien",
    "inscription",
    "invitations",
    "score",
    "note",
    "noc",
    "cnp",
    "noc code",
    "code de la cnp",
    "stream",
    "volet",
}


@dataclass
class Item:
    """One piece of content: a paragraph ("p"), a list item ("li") or a table row ("row")."""

    kind: str
    text: str
    links: list[str] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    table: Table | None = None


@dataclass
class Block:
    """A titled part of the page: its own content (``items``) and its sub-blocks."""

    title: str
    source: str
    items: list[Item] = field(default_factory=list)
    children: list[Block] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    title_links: list[str] = field(default_factory=list)
    nodes: list[Tag] = field(default_factory=list)
    parent: Block | None = field(default=None, repr=False)

    def walk(self) -> Iterator[Block]:
        """This block and every block under it, in page order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def all_items(self) -> Iterator[Item]:
        """The items of this block and of every block under it, in page order."""
        yield from self.items
        for child in self.children:
            yield from child.all_items()

    def ancestors(self) -> Iterator[Block]:
        """The blocks around this one, nearest first."""
        block = self.parent
        while block is not None:
            yield block
            block = block.parent

    def all_nodes(self) -> list[Tag]:
        """The elements this block and its sub-blocks span (to take them out of the page)."""
        return [node for block in self.walk() for node in block.nodes]

    def add(self, child: Block) -> Block:
        child.parent = self
        self.children.append(child)
        return child


def build(root: Tag) -> Block:
    """The block tree of a content region (noise already stripped)."""
    tabs = {
        link["href"][1:]: squash(link.get_text(" "))
        for link in root.find_all("a", href=True)
        if link["href"].startswith("#") and len(link["href"]) > 1
    }
    top = Block("", "root")
    _Builder(tabs).fill(root, [(0, top)])
    return top


def label_of(text: str) -> str:
    """A field label's plain name: "Location :" → "location"."""
    return squash(text).rstrip(" :：").strip().lower()


class _Builder:
    def __init__(self, tabs: dict[str, str]) -> None:
        self.tabs = tabs

    def fill(self, node: Tag, stack: list[tuple[int, Block]], skip: Tag | None = None) -> None:
        """Read ``node``'s children into the block on top of ``stack`` (headings push)."""
        loose: list[str] = []
        links: list[str] = []

        def flush() -> None:
            text = squash(" ".join(loose))
            if text:
                stack[-1][1].items.append(Item("p", text, list(links)))
            loose.clear()
            links.clear()

        pending_ids = {node["id"]} if node.get("id") and stack[-1][1].source != "root" else set()
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:
                    loose.append(str(child))
                continue
            if not isinstance(child, Tag) or child is skip:
                continue
            name = child.name
            if name == "br":
                flush()
                continue
            level = HEADINGS.get(name) or pseudo_level(child)
            if name not in _BLOCK_LEVEL and not _holds(child, _BLOCK_LEVEL):
                loose.append(child.get_text(" "))
                links.extend(a["href"] for a in _links(child))
                continue
            flush()
            current = stack[-1][1]
            if level:
                while len(stack) > 1 and stack[-1][0] >= level:
                    stack.pop()
                block = stack[-1][1].add(
                    Block(
                        squash(child.get_text(" ")),
                        name if name in HEADINGS else f"h{min(level, 6)}",
                        ids=_ids(child) | pending_ids,
                        title_links=[a["href"] for a in _links(child)],
                        nodes=[child],
                    )
                )
                pending_ids = set()
                stack.append((level, block))
                continue
            pending_ids = set()
            titled = self.container(child)
            if titled is not None:
                block, title_node = titled
                current.add(block)
                block.nodes.append(child)
                self.fill(child, [(0, block)], skip=title_node)
                continue
            current.nodes.append(child)
            if name in _LISTS:
                self.list_items(child, current)
            elif name == "table":
                self.table(child, current)
            elif name == "dl":
                self.definitions(child, current)
            elif name in _PARAGRAPHS or name in ("dt", "dd"):
                self.paragraph(child, current)
            elif name == "li":
                self.list_item(child, current)
            elif name == "tr":
                current.items.append(_row_item(child))
            else:
                self.fill(child, stack)
        flush()

    def container(self, tag: Tag) -> tuple[Block, Tag | None] | None:
        """A titled container (details, panel, card, tab panel) as a new block, or None."""
        name = tag.name
        classes = set(tag.get("class") or [])
        if name == "details":
            summary = tag.find("summary", recursive=False)
            title = squash(summary.get_text(" ")) if summary else ""
            links = [a["href"] for a in _links(summary)] if summary else []
            return Block(title, "details", ids=_ids(tag), title_links=links), summary
        if classes & _PANEL:
            heading = _panel_title(tag)
            if heading is None:
                return None
            source = "panel" if "panel" in classes else "card"
            block = Block(
                squash(heading.get_text(" ")),
                source,
                ids=_ids(tag) | _ids(heading),
                title_links=[a["href"] for a in _links(heading)],
            )
            return block, _outermost_title(tag, heading)
        if tag.get("role") == "tabpanel" and tag.get("id"):
            labelled = tag.get("aria-labelledby")
            title = self.tabs.get(tag["id"], "")
            if labelled:
                label = tag.find_parent("html")
                found = label.find(id=labelled) if label is not None else None
                title = squash(found.get_text(" ")) if isinstance(found, Tag) else title
            if title:
                return Block(title, "tab", ids=_ids(tag)), None
        return None

    def list_items(self, tag: Tag, current: Block) -> None:
        for child in tag.find_all("li", recursive=False):
            self.list_item(child, current)

    def list_item(self, tag: Tag, current: Block) -> None:
        nested = [c for c in tag.children if isinstance(c, Tag) and c.name in _LISTS | {"dl"}]
        own = _own_text(tag, nested)
        links = _hrefs(tag, skip=nested)
        if not nested:
            if _holds(tag, _STRUCTURE):
                self.fill(tag, [(0, current)])
            elif own:
                current.items.append(Item("li", own, links))
            return
        if not own:
            for sub in nested:
                self._nested(sub, current)
            return
        block = current.add(Block(own, "li", ids=_ids(tag), title_links=links, nodes=[tag]))
        for sub in nested:
            self._nested(sub, block)

    def table(self, tag: Tag, current: Block) -> None:
        table = parse_table(tag)
        rows = [
            Item("row", " | ".join(c.text for c in cells), [c.link for c in cells if c.link], cells)
            for cells in table.rows
        ]
        for row in rows:
            row.table = table
        if table.caption:
            current.add(Block(table.caption, "caption", rows, ids=_ids(tag), nodes=[tag]))
        else:
            current.items.extend(rows)

    def definitions(self, tag: Tag, current: Block) -> None:
        """``<dt>`` titles the ``<dd>``s after it; a field label ("Date") makes an item."""
        term: Block | None = None
        label: str | None = None
        for child in _terms(tag):
            text = squash(child.get_text(" "))
            if child.name == "dt":
                if label_of(text) in FIELD_LABELS:
                    label, term = text.rstrip(" :："), None
                else:
                    label = None
                    term = current.add(
                        Block(text, "dt", ids=_ids(child), title_links=_hrefs(child))
                    )
                    term.nodes.append(child)
                continue
            target = term or current
            if label is not None and term is None:
                target.items.append(Item("p", f"{label}: {text}", _hrefs(child)))
                continue
            if term is not None:
                term.nodes.append(child)
            if _holds(child, _BLOCK_LEVEL):
                self.fill(child, [(0, target)])
            elif text:
                target.items.append(Item("p", text, _hrefs(child)))

    def paragraph(self, tag: Tag, current: Block) -> None:
        nested = [c for c in tag.children if isinstance(c, Tag) and c.name in _NESTED]
        if nested:
            own = _own_text(tag, nested)
            if own:
                current.items.append(Item("p", own, _hrefs(tag)))
            for sub in nested:
                self._nested(sub, current)
            return
        text = squash(tag.get_text(" "))
        if text:
            current.items.append(Item("p", text, _hrefs(tag)))

    def _nested(self, tag: Tag, current: Block) -> None:
        if tag.name in _LISTS:
            self.list_items(tag, current)
        elif tag.name == "table":
            self.table(tag, current)
        else:
            self.definitions(tag, current)


def _row_item(tr: Tag) -> Item:
    cells = [Cell(cell_text(td)) for td in tr.find_all(["td", "th"], recursive=False)]
    return Item("row", " | ".join(c.text for c in cells), _hrefs(tr), cells)


def _panel_title(tag: Tag) -> Tag | None:
    for name in _PANEL_TITLES:
        found = tag.find(class_=name)
        if isinstance(found, Tag):
            return found
    header = next((tag.find(class_=name) for name in _PANEL_HEADERS if tag.find(class_=name)), None)
    if isinstance(header, Tag):
        return header.find(list(HEADINGS)) or header
    return tag.find(list(HEADINGS))


def _outermost_title(container: Tag, title: Tag) -> Tag:
    """The direct child of ``container`` that holds its title (a panel's header, say)."""
    node = title
    while node.parent is not None and node.parent is not container:
        node = node.parent
    if node.find(["p", "ul", "ol", "table", "dl"]) is not None and node is not title:
        return title
    return node


def _own_text(tag: Tag, nested: list[Tag]) -> str:
    parts: list[str] = []
    _strings(tag, parts, {id(n) for n in nested})
    return squash(" ".join(parts))


def _strings(node: Tag, parts: list[str], skip: set[int]) -> None:
    for child in node.children:
        if type(child) is NavigableString:
            parts.append(str(child))
        elif isinstance(child, Tag) and id(child) not in skip:
            _strings(child, parts, skip)


def _holds(tag: Tag, names: frozenset[str]) -> bool:
    """Whether an element named in ``names`` sits anywhere inside ``tag``."""
    return any(isinstance(d, Tag) and d.name in names for d in tag.descendants)


def _terms(dl: Tag) -> Iterator[Tag]:
    """The ``<dt>`` and ``<dd>`` of a list, also when grouped in ``<div>``s (HTML allows it)."""
    for child in dl.children:
        if isinstance(child, Tag):
            if child.name in ("dt", "dd"):
                yield child
            elif child.name == "div":
                yield from _terms(child)


def _ids(tag: Tag | None) -> set[str]:
    return {tag["id"]} if isinstance(tag, Tag) and tag.get("id") else set()


def _links(tag: Tag | None, skip: list[Tag] | None = None) -> list[Tag]:
    if not isinstance(tag, Tag):
        return []
    found = [tag] if tag.name == "a" and tag.get("href") else []
    _anchors(tag, found, {id(n) for n in skip or ()})
    return found


def _anchors(node: Tag, found: list[Tag], skip: set[int]) -> None:
    for child in node.children:
        if isinstance(child, Tag) and id(child) not in skip:
            if child.name == "a" and child.get("href"):
                found.append(child)
            _anchors(child, found, skip)


def _hrefs(tag: Tag, skip: list[Tag] | None = None) -> list[str]:
    return [a["href"] for a in _links(tag, skip)]

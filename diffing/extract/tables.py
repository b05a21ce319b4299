"""HTML tables as header names and rows of cells, with rowspan and colspan laid out.

A cell that continues a rowspan from the row above is marked ``spanned`` so that a reader
summing a column (invitations per draw date) can skip the copies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bs4 import NavigableString, Tag

from diffing.textutil import squash

_NOC = re.compile(r"\b\d{5}\b")


@dataclass
class Cell:
    text: str
    link: str = ""
    spanned: bool = False


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    element: Tag | None = field(default=None, repr=False, compare=False)

    def column(self, *words: str) -> int | None:
        """Index of the first column whose header mentions one of ``words`` (case-folded)."""
        for index, name in enumerate(self.columns):
            lowered = name.lower()
            if any(word in lowered for word in words):
                return index
        return None


def cell_text(tag: Tag) -> str:
    """A cell's text as read, hidden helper text (".wb-inv") left out."""
    parts: list[str] = []
    _visible_strings(tag, parts)
    return squash(" ".join(parts))


def _visible_strings(node: Tag, parts: list[str]) -> None:
    for child in node.children:
        if isinstance(child, NavigableString):
            parts.append(str(child))
        elif isinstance(child, Tag) and "wb-inv" not in (child.get("class") or ()):
            _visible_strings(child, parts)


def parse_table(table: Tag) -> Table:
    """Caption, header names and body rows of ``table`` (nested tables are not descended)."""
    caption_tag = next(_children(table, ("caption",)), None) or table.find("caption")
    caption = cell_text(caption_tag) if caption_tag else ""
    rows: list[tuple[Tag, bool]] = []
    _rows(table, rows, in_head=False)
    grid = _layout([tr for tr, _ in rows])
    header_rows = 0
    for tr, in_head in rows:
        cells = list(_children(tr, _CELLS))
        if in_head or (header_rows == 0 and cells and all(_header_cell(c) for c in cells)):
            header_rows += 1
            continue
        break
    columns = [cell.text for cell in grid[header_rows - 1]] if header_rows else []
    body = [row for row in grid[header_rows:] if any(cell.text for cell in row)]
    return Table(caption=caption, columns=columns, rows=body, element=table)


_CELLS = ("td", "th")


def _children(tag: Tag, names: tuple[str, ...]):
    return (c for c in tag.children if isinstance(c, Tag) and c.name in names)


def _rows(node: Tag, rows: list[tuple[Tag, bool]], in_head: bool) -> None:
    """The table's rows in order, with whether each sits in <thead>; nested tables skipped."""
    for child in node.children:
        if not isinstance(child, Tag) or child.name == "table":
            continue
        if child.name == "tr":
            rows.append((child, in_head))
        else:
            _rows(child, rows, in_head or child.name == "thead")


def _header_cell(cell: Tag) -> bool:
    """A <th>, or a <td> whose whole text is bold and not a figure (tables built without <th>)."""
    if cell.name == "th":
        return True
    text = squash(cell.get_text(" "))
    if not text or re.fullmatch(r"[\d\s,.$%*]+", text):
        return False
    for piece in cell.descendants:
        if isinstance(piece, NavigableString) and piece.strip() and not _bold(piece, cell):
            return False
    return True


def _bold(piece: object, cell: Tag) -> bool:
    for parent in piece.parents:  # type: ignore[attr-defined]
        if parent is cell:
            return False
        if parent.name in ("strong", "b"):
            return True
    return False


def _layout(rows: list[Tag]) -> list[list[Cell]]:
    """The rows of a table as a rectangular grid, spans filled in."""
    pending: dict[int, tuple[Cell, int]] = {}
    grid: list[list[Cell]] = []
    for tr in rows:
        out: list[Cell] = []
        column = 0
        cells = _children(tr, _CELLS)
        while True:
            if column in pending:
                cell, left = pending[column]
                out.append(Cell(cell.text, cell.link, spanned=True))
                if left <= 1:
                    del pending[column]
                else:
                    pending[column] = (cell, left - 1)
                column += 1
                continue
            tag = next(cells, None)
            if tag is None:
                break
            link = next(
                (
                    a
                    for a in tag.descendants
                    if isinstance(a, Tag) and a.name == "a" and a.get("href")
                ),
                None,
            )
            cell = Cell(cell_text(tag), link["href"] if link else "")
            rowspan = _span(tag.get("rowspan"))
            for _ in range(_span(tag.get("colspan"))):
                out.append(cell)
                if rowspan > 1:
                    pending[column] = (cell, rowspan - 1)
                column += 1
        while column in pending:
            cell, left = pending.pop(column)
            out.append(Cell(cell.text, cell.link, spanned=True))
            if left > 1:
                pending[column] = (cell, left - 1)
            column += 1
        grid.append(out)
    return grid


def _span(value: object) -> int:
    try:
        return max(1, min(int(str(value)), 100))
    except (TypeError, ValueError):
        return 1


def noc_code(text: str) -> str | None:
    """The five-digit NOC 2021 code in ``text``, if any."""
    match = _NOC.search(text)
    return match.group(0) if match else None

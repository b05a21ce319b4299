"""Real provincial draw pages for replay tests: the copies in tests/fixtures/real/provincial.

Most public copies are a crawler's markdown conversion (zhizhunbao/pnp-job-tracker, see the
MANIFEST); ``markdown_page`` turns one back into the HTML of a site without ``<main>``
(headings, paragraphs, bold, links, lists, quotes, tables), as the team's other semantic
fixtures do (tests/fixtures/semantic/NOTES.md). A table whose first row is data (Nova
Scotia's month table has no header; the markdown made its first row one) is written without
a header row.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from diffing.dates import first_date
from tests.unfamiliar_support import provincial

REAL = Path(__file__).resolve().parent / "fixtures" / "real" / "provincial"
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.*?)\*\*")
_MONTH_YEAR = re.compile(r"^[A-Z][a-z]+ \d{4}$")


def read_markdown(path: Path) -> tuple[str, list[str]]:
    """(page name, body lines) of a crawler's markdown copy: the name is its title without the
    site's suffix ("EOI Selection | Live in NS" → "EOI Selection")."""
    text = path.read_text(encoding="utf-8")
    front, body = text[4:].split("\n---\n", 1)
    title = re.search(r'^title: "(.*)"$', front, re.M)
    name = re.split(r" [|-] ", title.group(1))[0] if title else ""
    return name, body.splitlines()


def markdown_page(lines: list[str], title: str) -> str:
    """The page whose markdown is ``lines``, in a provincial site's template."""
    return provincial(markdown_html(lines), title)


def markdown_html(lines: list[str]) -> str:
    out: list[str] = []
    para: list[str] = []
    index = 0

    def flush() -> None:
        if para:
            out.append(f"<p>{inline(' '.join(para))}</p>")
            para.clear()

    while index < len(lines):
        line = lines[index].strip()
        heading = re.match(r"^(#{1,6}) (.*)$", line)
        if line.startswith("|"):
            flush()
            rows = []
            while index < len(lines) and lines[index].strip().startswith("|"):
                rows.append(lines[index].strip())
                index += 1
            out.append(_table(rows))
            continue
        if line.startswith(("- ", ">")) or re.match(r"^\d+\. ", line):
            flush()
            tag = "blockquote" if line.startswith(">") else "ol" if line[0].isdigit() else "ul"
            items = []
            while index < len(lines) and lines[index].strip()[:1] in ("-", ">", *"0123456789"):
                items.append(re.sub(r"^(?:- |> ?|\d+\. )", "", lines[index].strip()))
                index += 1
            if tag == "blockquote":
                out.append("<blockquote>" + "".join(f"<p>{inline(i)}</p>" for i in items if i))
                out.append("</blockquote>")
            else:
                out.append(
                    f"<{tag}>" + "".join(f"<li>{inline(i)}</li>" for i in items) + f"</{tag}>"
                )
            continue
        if heading:
            flush()
            level = len(heading.group(1))
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif line == "---":
            flush()
            out.append("<hr>")
        elif not line or line.startswith("!["):
            flush()
        else:
            para.append(line)
        index += 1
    flush()
    return "\n".join(out)


def inline(text: str) -> str:
    """Escape, then turn [text](url) and **bold** into HTML."""
    out, last = [], 0
    for match in _LINK.finditer(text):
        out.append(html.escape(text[last : match.start()], quote=False))
        label = html.escape(match.group(1), quote=False)
        out.append(f'<a href="{html.escape(match.group(2))}">{label}</a>')
        last = match.end()
    out.append(html.escape(text[last:], quote=False))
    return _BOLD.sub(r"<strong>\1</strong>", "".join(out)).replace("*", "")


def _table(rows: list[str]) -> str:
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
    header, body = cells[0], cells[2:]
    first = header[0]
    headerless = bool(first_date(first)) or bool(_MONTH_YEAR.match(first))
    head = (
        ""
        if headerless
        else ("<thead><tr>" + "".join(f"<th>{inline(c)}</th>" for c in header) + "</tr></thead>")
    )
    data = ([header] if headerless else []) + body
    tbody = "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in r) + "</tr>" for r in data)
    return f"<table>{head}<tbody>{tbody}</tbody></table>"

"""canada.ca HTML → the main content region as readable lines, with the noise removed.

GCWeb pages put the content in ``<main property="mainContentOfPage">``; everything
else (header, menus, footer, the Akamai mPulse script that changes on every fetch) is
noise, and so are the "Date modified" block and the page-feedback widget inside main.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag

from diffing.document import ContentError
from diffing.textutil import squash

NORMALIZER_VERSION = 2

NOISE_SELECTORS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "#wb-dtmd",
    ".pagedetails",
    ".gc-pg-hlpfl",
    ".wb-share",
    "[data-ajax-replace]",
    "nav",
    "#wb-lng",
    "#wb-bc",
    ".gc-subway",
)

BLOCKS = {"p", "li", "dt", "dd", "caption", "figcaption", "summary", "blockquote", "pre", "address"}
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
CONTAINERS = {
    "ul",
    "ol",
    "dl",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "div",
    "section",
    "article",
    "details",
    "aside",
    "figure",
    "header",
    "footer",
    "main",
    "form",
    "fieldset",
}
# Any of these inside an inline element (an unclosed <strong> wrapping half a page, as
# saskatchewan.ca serves) means the element must be walked as a container, not flattened.
BLOCK_LEVEL = sorted(BLOCKS | CONTAINERS | set(HEADINGS) | {"tr"})

ERROR_PAGE_PATTERNS = (
    re.compile(
        r"\b(?:site|page|website) (?:is )?(?:currently )?(?:under|down for) maintenance", re.I
    ),
    re.compile(r"\bcurrently (?:performing|undergoing) (?:scheduled )?maintenance", re.I),
    re.compile(r"\bAccess Denied\b.*\bReference #", re.I | re.S),
    re.compile(r"<title>\s*Object moved\s*</title>", re.I),
    re.compile(r"We couldn.t find that Web page|Nous ne pouvons trouver cette page Web", re.I),
    re.compile(r"\bService Unavailable\b", re.I),
    re.compile(r"\bmaintenance (?:en cours|planifiée)\b", re.I),
)

_MAIN_OPEN = re.compile(rb"<main\b", re.I)
_MAIN_CLOSE = re.compile(rb"</main\s*>", re.I)


@dataclass
class Region:
    """The content region of a page and a few facts from its head."""

    root: Tag
    title: str
    modified: str | None
    lang: str | None


def region_fingerprint(body: bytes) -> str | None:
    """Hash of the bytes between ``<main`` and ``</main>``, found without parsing.

    Most checks find nothing new, yet canada.ca HTML differs on every fetch (the Akamai
    script); this cheap hash lets an unchanged page skip the full parse.
    """
    start = _MAIN_OPEN.search(body)
    if not start:
        return None
    end = _MAIN_CLOSE.search(body, start.end())
    if not end:
        return None
    return hashlib.sha256(body[start.start() : end.end()]).hexdigest()


def looks_like_error_page(text: str) -> str | None:
    """The matched phrase when a body reads like an error, block or maintenance page."""
    head = text[:20000]
    for pattern in ERROR_PAGE_PATTERNS:
        match = pattern.search(head)
        if match:
            return squash(match.group(0))[:80]
    return None


def looks_truncated(html: str) -> bool:
    """A document that opens <html> but never closes it was cut off in transit."""
    return "<html" in html[:4000].lower() and "</html" not in html[-4000:].lower()


def find_region(html: str, selector: str | None = None) -> Region:
    """Parse ``html`` and return its content region, or raise ContentError."""
    if not html.strip():
        raise ContentError("empty body")
    if looks_truncated(html):
        raise ContentError("truncated body", "the document ends before </html>")
    soup = BeautifulSoup(html, "lxml")
    if selector:
        root = soup.select_one(selector)
        if root is None:
            raise ContentError("content region missing", f"nothing matches selector {selector!r}")
    else:
        root = (
            soup.find("main", attrs={"property": "mainContentOfPage"})
            or soup.find("main")
            or soup.find(attrs={"role": "main"})
        )
        if root is None:
            problem = looks_like_error_page(html)
            if problem:
                raise ContentError("error page", problem)
            raise ContentError("content region missing", "no <main> element")
    problem = looks_like_error_page(root.get_text(" "))
    if problem:
        raise ContentError("error page", problem)
    title_tag = soup.find("title")
    modified = soup.find("meta", attrs={"name": "dcterms.modified"})
    time_tag = soup.select_one("#wb-dtmd time")
    html_tag = soup.find("html")
    return Region(
        root=root,
        title=squash(title_tag.get_text()) if title_tag else "",
        modified=(modified.get("content") if modified else None)
        or (squash(time_tag.get_text()) if time_tag else None),
        lang=html_tag.get("lang") if isinstance(html_tag, Tag) else None,
    )


def strip_noise(root: Tag) -> Tag:
    """Remove scripts, widgets and the "Date modified" block from the region, in place."""
    for selector in NOISE_SELECTORS:
        for tag in root.select(selector):
            tag.decompose()
    return root


def to_lines(root: Tag) -> list[str]:
    """Readable lines: "## Heading", "- list item", "| cell | cell |", paragraphs as is."""
    lines: list[str] = []
    _walk(root, lines, depth=0)
    return [line for line in lines if line.strip()]


def _walk(node: Tag, lines: list[str], depth: int) -> None:
    buffer: list[str] = []

    def flush() -> None:
        text = squash(" ".join(buffer))
        if text:
            lines.append(text)
        buffer.clear()

    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:
                buffer.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name in HEADINGS:
            flush()
            heading = squash(inline_text(child))
            if heading:
                lines.append("#" * HEADINGS[name] + " " + heading)
        elif name == "tr":
            flush()
            cells = [squash(c.get_text(" ")) for c in child.find_all(["th", "td"], recursive=False)]
            lines.append("| " + " | ".join(cells) + " |")
        elif name == "li":
            flush()
            own, nested = _split_nested(child)
            lines.append("  " * depth + "- " + own)
            for sub in nested:
                _walk(sub, lines, depth + 1)
        elif name in BLOCKS:
            flush()
            own, nested = _split_nested(child)
            if own:
                lines.append(own)
            for sub in nested:
                _walk(sub, lines, depth)
        elif name == "br":
            flush()
        elif name in CONTAINERS or child.find(BLOCK_LEVEL) is not None:
            flush()
            _walk(child, lines, depth)
        else:
            buffer.append(inline_text(child))
    flush()


def _split_nested(tag: Tag) -> tuple[str, list[Tag]]:
    """A block's own text, and the nested lists or tables that get lines of their own."""
    nested = [c for c in tag.find_all(["ul", "ol", "table", "dl"], recursive=False)]
    parts = []
    for child in tag.children:
        if child in nested:
            continue
        if isinstance(child, Tag):
            text = inline_text(child)
            parts.append(f" {text} " if child.name in BLOCK_LEVEL else text)
        else:
            parts.append(str(child))
    return squash("".join(parts)), nested


def inline_text(tag: Tag) -> str:
    """Text of an inline element as a reader sees it: no spaces invented, <br> as a space."""
    for br in tag.find_all("br"):
        br.replace_with(" ")
    return tag.get_text()

"""canada.ca HTML → the main content region as readable lines, with the noise removed.

GCWeb pages put the content in ``<main property="mainContentOfPage">``; everything
else (header, menus, footer, the Akamai mPulse script that changes on every fetch) is
noise, and so are the "Date modified" block and the page-feedback widget inside main.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from html import unescape
from typing import Any

import soupsieve
from bs4 import BeautifulSoup, NavigableString, Tag

from diffing.document import ContentError
from diffing.headings import pseudo_level
from diffing.region import LABELS, LEGACY, locate
from diffing.stamps import is_date_stamp
from diffing.textutil import decode, squash
from diffing.twins import twin_links
from diffing.version import NORMALIZER_VERSION  # noqa: F401 (re-exported: its home before)

# Noise inside a content region, matched in one walk of the tree (the selectors
# "script", "#wb-dtmd", ".gc-subway", "[data-ajax-replace]", … by tag, id, class, attribute).
NOISE_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "svg", "nav"})
NOISE_IDS = frozenset({"wb-dtmd", "wb-lng", "wb-bc"})
NOISE_CLASSES = frozenset({"pagedetails", "gc-pg-hlpfl", "wb-share", "gc-subway"})
NOISE_ATTRIBUTES = ("data-ajax-replace",)

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

# Every ERROR_PAGE_PATTERNS match contains one of these (a cheap test before the regexes).
_ERROR_WORDS = (
    "maintenance",
    "access denied",
    "object moved",
    "find that web",
    "trouver cette page",
    "unavailable",
)
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


@dataclass
class Region:
    """The content region of a page, the rule that found it, and a few facts from its head."""

    root: Tag
    title: str
    modified: str | None
    lang: str | None
    rule: str = "gcweb-main"
    twins: dict[str, str] = field(default_factory=dict)  # see diffing.twins


def looks_like_error_page(text: str) -> str | None:
    """The matched phrase when a body reads like an error, block or maintenance page."""
    head = text[:20000]
    lowered = head.lower()
    if not any(word in lowered for word in _ERROR_WORDS):
        return None
    for pattern in ERROR_PAGE_PATTERNS:
        match = pattern.search(head)
        if match:
            return squash(match.group(0))[:80]
    return None


def looks_truncated(html: str) -> bool:
    """A document that opens <html> but never closes it was cut off in transit."""
    return "<html" in html[:4000].lower() and "</html" not in html[-4000:].lower()


def find_region(html: str, selector: str | None = None, rule: str | None = None) -> Region:
    """Return the content region of ``html`` (only it is parsed), or raise ContentError.

    ``selector`` (a watch's CSS selector) wins; else ``rule`` (the baseline's rule, see
    ``diffing.region``) is the only one tried; else the first rule that matches is used
    and recorded in ``Region.rule``.
    """
    if not html.strip():
        raise ContentError("empty body")
    if looks_truncated(html):
        raise ContentError("truncated body", "the document ends before </html>")
    if selector:
        soup = BeautifulSoup(html, "lxml")
        try:
            root = _compiled(selector).select_one(soup)
        except soupsieve.SelectorSyntaxError as exc:  # config-check refuses it, a DB may not
            detail = f"{selector!r}: {str(exc).splitlines()[0]}"
            raise ContentError("invalid selector", detail) from None
        if root is None:
            raise ContentError("content region missing", f"nothing matches selector {selector!r}")
        head = html
        used = "selector"
    else:
        span = locate(html, rule)
        if span is None:
            problem = looks_like_error_page(html)
            if problem:
                raise ContentError("error page", problem)
            if html.lstrip()[:1] in ("{", "["):
                raise ContentError("not HTML", "the body is JSON: watch it with kind json")
            if rule is None:
                detail = "no <main> element and no <body>"
            elif rule == LEGACY:
                detail = "no <main> element"
            else:
                detail = f"no {LABELS[rule]} (the region this watch's baseline used)"
            raise ContentError("content region missing", detail)
        head = html[: span.start]
        used = span.rule
        soup = BeautifulSoup(html[span.start : span.end], "lxml")
        root = soup.body if span.tag == "body" else soup.find(span.tag)
        if root is None:
            raise ContentError("content region missing", f"no {LABELS[span.rule]}")
        if span.tag == "body":
            problem = looks_like_error_page(html)
            if problem:
                raise ContentError("error page", problem)
            root = body_content(root)
    problem = looks_like_error_page(root.get_text(" "))
    if problem:
        raise ContentError("error page", problem)
    modified = _head_meta(head, "dcterms.modified")
    if modified is None:
        time_tag = _compiled("#wb-dtmd time").select_one(root) or (
            _compiled("#wb-dtmd time").select_one(soup) if selector else None
        )
        modified = squash(time_tag.get_text()) if time_tag else None
    return Region(
        root=root,
        title=_head_title(head),
        modified=modified,
        lang=_html_lang(head),
        rule=used,
        twins=twin_links(head),
    )


_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)
_META = re.compile(r"<meta\b[^>]*>", re.I)
_HTML_TAG = re.compile(r"<html\b[^>]*>", re.I)
_ATTRS = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))")


@functools.lru_cache(maxsize=256)
def _compiled(selector: str) -> soupsieve.SoupSieve:
    """A CSS selector compiled once per process, when first used: compiling the first one
    builds soupsieve's own patterns (about 0.1 s), which a check that parses nothing skips."""
    return soupsieve.compile(selector)


def _attrs(tag: str) -> dict[str, str]:
    return {name.lower(): unescape(a or b or c) for name, a, b, c in _ATTRS.findall(tag)}


def _head_title(head: str) -> str:
    match = _TITLE.search(head)
    return squash(unescape(re.sub(r"<[^>]+>", "", match.group(1)))) if match else ""


def _head_meta(head: str, name: str) -> str | None:
    for tag in _META.findall(head):
        attrs = _attrs(tag)
        if attrs.get("name") == name and "content" in attrs:
            return attrs["content"]
    return None


def _html_lang(head: str) -> str | None:
    match = _HTML_TAG.search(head)
    return _attrs(match.group(0)).get("lang") if match else None


# A page read as a whole <body>: the site's chrome is not content.
_CHROME = {"header", "footer", "nav", "aside"}
_CHROME_ROLES = {"banner", "navigation", "contentinfo", "complementary", "search"}
_KEEPS_CHROME = {"article", "section", "details"}
_KEEPS_CHROME_CLASSES = {"panel", "card"}


def body_content(body: Tag) -> Tag:
    """A page's ``<body>`` without its chrome, narrowed to the part around its ``<h1>``.

    Header, navigation, footer, asides and forms go (a form that wraps the whole page,
    as ASP.NET sites do, is unwrapped instead); then, when the page has an ``<h1>``, the
    closest element around it that holds at least half of the remaining text is the
    region, which leaves out site banners and feedback boxes beside the content.
    """
    for tag in body.find_all(_is_chrome):
        if tag.parent is not None:
            tag.decompose()
    for form in body.find_all("form"):
        if form.find("h1") is not None or form.find(["h2", "h3"]) is not None:
            form.unwrap()
        else:
            form.decompose()
    heading = body.find("h1")
    if heading is None:
        return body
    total = len(squash(body.get_text(" ")))
    for parent in heading.parents:
        if parent is body:
            break
        if len(squash(parent.get_text(" "))) * 2 >= total:
            return parent
    return body


def _is_chrome(tag: Tag) -> bool:
    if tag.name in ("script", "style", "noscript", "template"):
        return True
    classes = tag.get("class") or []
    if tag.name not in _CHROME and tag.get("role") not in _CHROME_ROLES:
        return "breadcrumb" in classes or "skip" in classes
    # A <header> or <footer> of an article, a section or a panel is part of that content.
    return not any(
        parent.name in _KEEPS_CHROME or _KEEPS_CHROME_CLASSES & set(parent.get("class") or [])
        for parent in tag.parents
    )


def strip_noise(root: Tag) -> Tag:
    """Remove scripts, widgets and the "Date modified" block from the region, in place."""
    found: list[Tag] = []
    _collect_noise(root, found)
    for tag in found:
        tag.decompose()
    return root


def _collect_noise(node: Tag, found: list[Tag]) -> None:
    for child in node.children:
        if not isinstance(child, Tag):
            continue
        attrs = child.attrs
        if (
            child.name in NOISE_TAGS
            or attrs.get("id") in NOISE_IDS
            or ("class" in attrs and not NOISE_CLASSES.isdisjoint(attrs["class"]))
            or any(name in attrs for name in NOISE_ATTRIBUTES)
        ):
            found.append(child)
        else:
            _collect_noise(child, found)


def to_lines(root: Tag) -> list[str]:
    """Readable lines: "## Heading", "- list item", "| cell | cell |", paragraphs as is."""
    lines: list[str] = []
    _walk(root, lines, depth=0)
    return [line for line in lines if line.strip() and not is_date_stamp(line)]


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
        level = HEADINGS.get(name) or pseudo_level(child)
        if level:
            flush()
            heading = squash(inline_text(child))
            if heading:
                lines.append("#" * min(level, 6) + " " + heading)
        elif name == "tr":
            flush()
            cells = [
                squash(c.get_text(" "))
                for c in child.children
                if isinstance(c, Tag) and c.name in ("th", "td")
            ]
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
        elif name in CONTAINERS or _holds_blocks(child):
            flush()
            _walk(child, lines, depth)
        else:
            buffer.append(inline_text(child))
    flush()


def _split_nested(tag: Tag) -> tuple[str, list[Tag]]:
    """A block's own text, and the nested lists or tables that get lines of their own."""
    nested = [c for c in tag.children if isinstance(c, Tag) and c.name in _NESTED]
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
    parts: list[str] = []
    _inline(tag, parts)
    return "".join(parts)


def _inline(node: Tag, parts: list[str]) -> None:
    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child) is NavigableString or child.__class__.__name__ in _TEXTUAL:
                parts.append(str(child))
        elif isinstance(child, Tag):
            if child.name == "br":
                parts.append(" ")
            else:
                _inline(child, parts)


_NESTED = frozenset({"ul", "ol", "table", "dl"})
_BLOCK_SET = frozenset(BLOCK_LEVEL)
# get_text() keeps plain strings and CDATA; comments, doctypes and declarations are not text.
_TEXTUAL = frozenset({"CData"})


def _holds_blocks(tag: Tag) -> bool:
    """Whether a block-level element sits anywhere inside ``tag`` (an unclosed <strong>)."""
    return any(isinstance(d, Tag) and d.name in _BLOCK_SET for d in tag.descendants)


def read_region(body: bytes, selector: str | None = None, rule: str | None = None) -> Region:
    """``find_region`` on a fetched body, with the noise already stripped from the region."""
    region = find_region(decode(body), selector, rule)
    strip_noise(region.root)
    return region


def region_meta(region: Region) -> dict[str, Any]:
    """The facts a Document keeps about its page: title, date modified, language, region rule.

    ``region`` is the rule the pipeline hands back on the next fetch, so that the region
    chosen at the baseline is kept.
    """
    return {
        "title": region.title,
        "modified": region.modified,
        "lang": region.lang,
        "region": region.rule,
        "twins": region.twins,
    }

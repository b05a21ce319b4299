"""Which part of an HTML page is its content: the region rules, found in the raw text.

The rules are tried in order — canada.ca's ``<main property="mainContentOfPage">``, any
``<main>``, ``[role=main]``, ``<article>``, ``#content``, and last the ``<body>`` (whose
header, navigation, footer, asides, scripts and forms the normalizer removes). The rule
the baseline used is stored with the snapshot and kept: a later fetch that lacks that
region is a fault, never a silent switch to a wider region. The region's text is found
with regular expressions and balanced tags, without parsing, so the pre-check can hash
it and the parser only has to build the region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import AnyStr

RULES = ("gcweb-main", "main", "role-main", "article", "content", "body")
# Snapshots stored before the rule was recorded were read by the first three rules only.
LEGACY = "main-any"
ALIASES = {LEGACY: RULES[:3]}
LABELS = {
    "gcweb-main": '<main property="mainContentOfPage">',
    "main": "<main> element",
    "role-main": 'element with role="main"',
    "article": "<article> element",
    "content": 'element with id="content"',
    "body": "<body> element",
    LEGACY: "<main> element",
}

_ATTR = r"(?<![\w-]){name}\s*=\s*([\"']?){value}\b[^>]*>"
_OPENERS = {
    "gcweb-main": r"<(main)\b[^>]*" + _ATTR.format(name="property", value="mainContentOfPage"),
    "main": r"<(main)\b[^>]*>",
    "role-main": r"<([a-z][a-z0-9]*)\b[^>]*" + _ATTR.format(name="role", value="main"),
    "article": r"<(article)\b[^>]*>",
    "content": r"<([a-z][a-z0-9]*)\b[^>]*(?<![\w-])id\s*=\s*([\"']?)content(?=[\"'\s/>])[^>]*>",
    "body": r"<(body)\b[^>]*>",
}
_VOLATILE = (
    r"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->"
    r"|<input\b[^>]*(?<![\w-])type\s*=\s*[\"']?hidden[^>]*>"
)


def _compile(pattern: str) -> tuple[re.Pattern[str], re.Pattern[bytes]]:
    flags = re.I | re.S
    return re.compile(pattern, flags), re.compile(pattern.encode(), flags)


_OPEN = {rule: _compile(pattern) for rule, pattern in _OPENERS.items()}
_STRIP = _compile(_VOLATILE)
_TAGS: dict[str, tuple[re.Pattern[str], re.Pattern[bytes]]] = {}


@dataclass(frozen=True)
class Span:
    """Where a rule's region sits in the page text: ``[start, end)``, and its tag name."""

    rule: str
    tag: str
    start: int
    end: int


def _pick(pair: tuple[re.Pattern[str], re.Pattern[bytes]], data: str | bytes) -> re.Pattern:
    return pair[1] if isinstance(data, bytes) else pair[0]


def _tag_pattern(tag: str) -> tuple[re.Pattern[str], re.Pattern[bytes]]:
    if tag not in _TAGS:
        _TAGS[tag] = _compile(rf"<(/?){re.escape(tag)}\b[^>]*>")
    return _TAGS[tag]


def _span(data: AnyStr, rule: str) -> Span | None:
    opened = _pick(_OPEN[rule], data).search(data)
    if opened is None:
        return None
    tag = opened.group(1)
    name = tag.decode("ascii", "replace") if isinstance(tag, bytes) else tag
    depth = 1
    for match in _pick(_tag_pattern(name.lower()), data).finditer(data, opened.end()):
        if match.group(0).endswith(b"/>" if isinstance(data, bytes) else "/>"):
            continue
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return Span(rule, name.lower(), opened.start(), match.end())
    # An unclosed region runs to the end of the document, as a browser reads it.
    return Span(rule, name.lower(), opened.start(), len(data))


def locate(data: AnyStr, rule: str | None = None) -> Span | None:
    """The region of ``data`` under ``rule`` (or the first rule that matches when None)."""
    for candidate in ALIASES.get(rule, (rule,)) if rule else RULES:
        if candidate not in _OPEN:
            raise ValueError(f"unknown region rule {candidate!r}")
        found = _span(data, candidate)
        if found is not None:
            return found
    return None


def region_bytes(body: bytes, rule: str | None = None) -> bytes | None:
    """The bytes that hold the content under ``rule``, volatile parts removed for ``body``.

    A whole ``<body>`` carries scripts, hidden form state (ASP.NET's ``__VIEWSTATE``) and
    comments that change on every fetch; none of them is content.
    """
    found = locate(body, rule)
    if found is None:
        return None
    chunk = body[found.start : found.end]
    if found.rule == "body":
        chunk = _STRIP[1].sub(b"", chunk)
    return chunk


def baseline_rule(meta: dict | None) -> str | None:
    """The rule to keep for a watch whose last Document has ``meta`` (None: no snapshot yet).

    Documents stored before rules were recorded were read from a ``<main>``: they keep
    that (LEGACY). A watch read through its CSS selector records no rule of its own.
    """
    if meta is None:
        return None
    rule = meta.get("region")
    if rule is None:
        return LEGACY
    return rule if rule in _OPEN or rule in ALIASES else None

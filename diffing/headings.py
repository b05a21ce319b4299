"""Pseudo-headings: elements that title a block without being ``<h1>``…``<h6>``.

Sites title blocks with a paragraph that is only bold text followed by its list or table
(``<p><strong>STEM occupations</strong></p><ul>…``), or with heading classes on a paragraph
or a ``<div>`` (``<p class="h3">``, ``<div class="h4">``). Read as plain paragraphs, every
such block joins the one before it: a new category is told as "changed", a removed one
never. Both the outline (``diffing.extract.blocks``) and the page-level lines
(``diffing.normalize.to_lines``) read them as headings.
"""

from __future__ import annotations

import re

from bs4 import NavigableString, Tag

# A bold paragraph titles what follows it only when that is a list, a table or a definition
# list (or a wrapper holding a table), and it is short: a title, not a bold sentence.
BOLD_LEVEL = 7
MAX_TITLE_CHARS = 120
_HEADING_CLASS = re.compile(r"^h([1-6])$")
_FOLLOWERS = frozenset({"ul", "ol", "table", "dl"})
_BOLD = frozenset({"strong", "b"})
_BLOCK_CHILDREN = frozenset({"p", "div", "ul", "ol", "table", "dl", "section", "details", "li"})


def pseudo_level(tag: Tag) -> int | None:
    """The heading level ``tag`` stands for (1–6 for a heading class, 7 for a bold
    paragraph: below any real heading), or None when it is not a pseudo-heading."""
    if tag.name not in ("p", "div"):
        return None
    for name in tag.get("class") or ():
        match = _HEADING_CLASS.match(name)
        if match and not any(
            isinstance(c, Tag) and c.name in _BLOCK_CHILDREN for c in tag.descendants
        ):
            return int(match.group(1)) if _text(tag) else None
    if tag.name == "p" and _only_bold(tag) and _titles_what_follows(tag):
        return BOLD_LEVEL
    return None


def _text(tag: Tag) -> str:
    return " ".join(tag.get_text(" ").split())


def _only_bold(tag: Tag) -> bool:
    """Whether every bit of the paragraph's text sits inside ``<strong>`` or ``<b>``."""
    text = _text(tag)
    if not text or len(text) > MAX_TITLE_CHARS or text.endswith((".", ";", ",")):
        return False
    for child in tag.children:
        if isinstance(child, NavigableString):
            if type(child) is NavigableString and child.strip():
                return False
        elif isinstance(child, Tag) and child.name not in _BOLD and child.name != "br":
            if child.name == "a" and all(
                isinstance(c, Tag) and c.name in _BOLD or not str(c).strip() for c in child.children
            ):
                continue
            return False
    return True


def _titles_what_follows(tag: Tag) -> bool:
    """Whether the next element after the paragraph is a list, a table or a table wrapper."""
    following = tag.find_next_sibling()
    if not isinstance(following, Tag):
        return False
    if following.name in _FOLLOWERS:
        return True
    return following.name == "div" and following.find("table") is not None

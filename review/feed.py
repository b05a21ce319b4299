"""The Atom 1.0 feed of changes, built with ElementTree so every text and attribute is escaped.

Entry ids are tag: URIs made of the change id and its observation date only, so they stay the
same whatever address the page is served at.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

ATOM_NS = "http://www.w3.org/2005/Atom"
TAG_AUTHORITY = "ircc-watch"
GENERATOR = "ircc-watch review"

# Characters XML 1.0 forbids even escaped (most C0 controls): dropped, or the feed won't parse.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: Any) -> str:
    """``text`` as a string that XML 1.0 can carry."""
    return _NOT_XML.sub("", "" if text is None else str(text))


def entry_id(change: dict[str, Any]) -> str:
    """The permanent tag: URI of a change, e.g. ``tag:ircc-watch,2025-03-18:change/2``."""
    return f"tag:{TAG_AUTHORITY},{change['observed_at'][:10]}:change/{change['id']}"


def feed_id(query: str = "") -> str:
    """The tag: URI of the feed; each filtered feed (``query``) is a feed of its own."""
    return f"tag:{TAG_AUTHORITY},2025:changes" + (f"?{query}" if query else "")


def is_web_url(url: str | None) -> bool:
    """True for http(s) URLs: the only ones worth linking (never ``javascript:``)."""
    return bool(url) and urlsplit(url).scheme.lower() in ("http", "https")


def atom(
    changes: Iterable[dict[str, Any]],
    *,
    site: str,
    self_url: str,
    list_url: str,
    query: str = "",
    title: str = "ircc-watch changes",
    now: str,
) -> bytes:
    """The feed document (UTF-8) for ``changes``, newest first.

    ``site`` is the absolute address of the review page's root, without a trailing slash;
    ``now`` is the feed's ``updated`` when there is no entry to take it from.
    """
    changes = list(changes)
    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    _text(feed, "id", feed_id(query))
    _text(feed, "title", title)
    _text(feed, "updated", max((c["observed_at"] for c in changes), default=now))
    ET.SubElement(
        feed, "link", {"rel": "self", "type": "application/atom+xml", "href": clean(self_url)}
    )
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": clean(list_url)})
    author = ET.SubElement(feed, "author")
    _text(author, "name", "ircc-watch")
    _text(feed, "generator", GENERATOR)
    for change in changes:
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", entry_id(change))
        _text(entry, "title", change["title"])
        _text(entry, "updated", change["observed_at"])
        _text(entry, "published", change["observed_at"])
        ET.SubElement(
            entry,
            "link",
            {"rel": "alternate", "type": "text/html", "href": f"{site}/changes/{change['id']}"},
        )
        if is_web_url(change.get("url")):
            ET.SubElement(entry, "link", {"rel": "related", "href": clean(change["url"])})
        ET.SubElement(entry, "category", {"term": clean(change["kind"])})
        ET.SubElement(
            entry, "category", {"term": clean(change["watch"]), "scheme": f"{site}/?watch="}
        )
        _text(entry, "summary", change["summary"])
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _text(parent: ET.Element, tag: str, text: Any) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = clean(text)
    return element

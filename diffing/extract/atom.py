"""Kind ``atom``: an Atom feed (the IRCC news feed, or any other) → one record per entry.

The feed-level ``<updated>`` changes on every build and means nothing; entries are keyed
by a canonical form of their link so that a slug edit or a stray trailing "0" in the URL
does not make an old release look new.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from diffing.document import ContentError, Document
from diffing.textutil import squash

ATOM = "{http://www.w3.org/2005/Atom}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def extract(body: bytes, *, selector: str | None = None, url: str = "") -> Document:
    """Entries as records: title, url, published, updated, summary."""
    if not body.strip():
        raise ContentError("empty body")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ContentError("not an Atom feed", f"invalid XML ({exc})") from exc
    if root.tag != f"{ATOM}feed":
        raise ContentError("not an Atom feed", f"root element is <{etree.QName(root).localname}>")
    records: dict[str, dict[str, Any]] = {}
    for entry in root.iter(f"{ATOM}entry"):
        record = entry_record(entry)
        records.setdefault(entry_key(record), record)
    lines = [f"{r['published'][:10]} {r['title']} <{r['url']}>" for r in records.values()]
    title = squash(root.findtext(f"{ATOM}title") or "")
    return Document(kind="atom", text="\n".join(lines), records=records, meta={"title": title})


def entry_record(entry: etree._Element) -> dict[str, Any]:
    """The fields of one entry that a reader cares about."""
    link = ""
    for candidate in entry.findall(f"{ATOM}link"):
        if candidate.get("rel", "alternate") == "alternate":
            link = candidate.get("href", "")
            break
    return {
        "id": squash(entry.findtext(f"{ATOM}id") or ""),
        "title": squash(entry.findtext(f"{ATOM}title") or ""),
        "url": link.strip(),
        "published": squash(entry.findtext(f"{ATOM}published") or ""),
        "updated": squash(entry.findtext(f"{ATOM}updated") or ""),
        "summary": squash(re.sub(r"<[^>]+>", " ", entry.findtext(f"{ATOM}summary") or ""))[:500],
    }


def entry_key(record: dict[str, Any]) -> str:
    """A key that survives slug edits and a trailing "0" added to the file name.

    canada.ca news URLs end in ``/news/YYYY/MM/<slug>.html``; the month folder plus the
    published date plus the title's first words identify a release better than the slug.
    """
    url = record.get("url") or record.get("id") or ""
    parts = urlsplit(url)
    path = re.sub(r"0?\.html?$", "", parts.path.rstrip("/"))
    folder, _, slug = path.rpartition("/")
    if re.search(r"/news/\d{4}/\d{2}$", folder):
        words = re.findall(r"[a-z0-9]+", (record.get("title") or slug).lower())[:6]
        return f"{parts.netloc}{folder}/{record.get('published', '')[:10]}/{'-'.join(words)}"
    return record.get("id") or f"{parts.netloc}{path}"

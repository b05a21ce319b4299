"""Kind ``atom``: an Atom feed (the IRCC news feed, or any other) → one record per entry.

The feed-level ``<updated>`` changes on every build and means nothing. A canada.ca news
release is keyed by its month folder and its slug with the punctuation and a trailing "0"
dropped, and also known by its title (an alias): so "…-saint-pierre-et-miquelon0.html",
"…indopacific…" / "…indo-pacific…" and a slug rewritten under the same title are not new.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from diffing.dates import fold
from diffing.document import ContentError, Document
from diffing.textutil import squash

ATOM = "{http://www.w3.org/2005/Atom}"
_NEWS_PATH = re.compile(r"(?P<folder>/news/\d{4}/\d{2})/(?P<slug>[^/]+?)0?\.html?$")
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
        key = entry_key(record)
        record["aliases"] = entry_aliases(record)
        twin = key if key in records else _twin(records, record["aliases"])
        if twin is None:
            records[key] = record
        elif _looks_like_copy(records[twin]["url"]) and not _looks_like_copy(record["url"]):
            records[twin] = record
    lines = [f"{r['published'][:10]} {r['title']} <{r['url']}>" for r in records.values()]
    title = squash(root.findtext(f"{ATOM}title") or "")
    return Document(kind="atom", text="\n".join(lines), records=records, meta={"title": title})


def _twin(records: dict[str, dict[str, Any]], aliases: list[str]) -> str | None:
    """The key of an entry already read that shares one of ``aliases``."""
    wanted = set(aliases)
    return next((key for key, r in records.items() if wanted & set(r["aliases"])), None)


def _looks_like_copy(url: str) -> bool:
    """canada.ca republishes a release as "<slug>0.html": prefer the original address."""
    return bool(re.search(r"0\.html?$", url))


def entry_record(entry: etree._Element) -> dict[str, Any]:
    """The fields of one entry that a reader cares about."""
    link = ""
    for candidate in entry.findall(f"{ATOM}link"):
        if candidate.get("rel", "alternate") == "alternate":
            link = candidate.get("href", "")
            break
    updated = squash(entry.findtext(f"{ATOM}updated") or "")
    return {
        "id": squash(entry.findtext(f"{ATOM}id") or ""),
        "title": squash(entry.findtext(f"{ATOM}title") or ""),
        "url": link.strip(),
        "published": squash(entry.findtext(f"{ATOM}published") or "") or updated,
        "updated": updated,
        "summary": squash(re.sub(r"<[^>]+>", " ", entry.findtext(f"{ATOM}summary") or ""))[:500],
    }


def entry_key(record: dict[str, Any]) -> str:
    """A key that survives slug punctuation edits and a trailing "0" added to the file name.

    canada.ca news URLs end in ``/news/YYYY/MM/<slug>.html``: the key is the host, the
    month folder and the slug's letters and digits. Other feeds keep the entry's id.
    """
    parts = urlsplit(record.get("url") or record.get("id") or "")
    match = _NEWS_PATH.search(parts.path)
    if match:
        slug = re.sub(r"[^a-z0-9]", "", match["slug"].lower())
        return f"{parts.netloc}{match['folder']}/{slug}"
    return record.get("id") or f"{parts.netloc}{parts.path}"


def entry_aliases(record: dict[str, Any]) -> list[str]:
    """Other identities of a news release: its month folder and its title's words."""
    parts = urlsplit(record.get("url") or "")
    match = _NEWS_PATH.search(parts.path)
    words = re.findall(r"[a-z0-9]+", fold(record.get("title") or ""))
    if not match or not words:
        return []
    return [f"title:{parts.netloc}{match['folder']}/{'-'.join(words)}"]

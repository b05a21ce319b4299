"""Kind ``atom`` (also named ``feed``): an Atom, RSS 2.0 or RDF feed → one record per entry.

Feeds are read with feedparser, which knows the three formats and their many variants.
The feed-level ``<updated>`` / ``<lastBuildDate>`` changes on every build and means
nothing. An entry is keyed by its id (RSS ``<guid>``, RDF ``rdf:about``), then its link
with its query (``.cfm?xID=…``, ``?p=123`` name different entries; tracking parameters such
as ``utm_*`` do not), then its content (title, description, date). A canada.ca news
release is keyed by its month folder and its slug with the punctuation and a trailing "0"
dropped, and also known by its title (an alias): so
"…-saint-pierre-et-miquelon0.html", "…indopacific…" / "…indo-pacific…" and a slug
rewritten under the same title are not new.
"""

from __future__ import annotations

import hashlib
import re
import time
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import feedparser

from diffing.dates import fold
from diffing.document import ContentError, Document
from diffing.textutil import as_utf8, squash

_NEWS_PATH = re.compile(r"(?P<folder>/(?:news|nouvelles)/\d{4}/\d{2})/(?P<slug>[^/]+?)0?\.html?$")
# A feed ends with its root's closing tag (comments and whitespace may follow).
_CLOSED = re.compile(rb"</(?:[\w.-]+:)?(?:feed|rss|RDF)\s*>(?:\s|<!--.*?-->)*$", re.S)
_TAG = re.compile(r"<[^>]+>")
# Query parameters that say where a reader came from, not which entry it is.
_TRACKING = re.compile(
    r"(?:utm_\w*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|igshid|mc_cid|mc_eid|_ga|_gl)",
    re.I,
)
HEADLINE_CHARS = 100


def extract(body: bytes, *, selector: str | None = None, url: str = "") -> Document:
    """Entries as records: id, title, url, published, updated, summary."""
    if not body.strip():
        raise ContentError("empty body")
    # Decoded here as written (a stray byte repaired alone), so feedparser never switches the
    # whole feed to Windows-1252.
    text = as_utf8(body)
    parsed = feedparser.parse(text, response_headers={"content-location": url} if url else None)
    if not parsed.version:
        if re.search(rb"<html\b", body[:2000], re.I):
            raise ContentError("not a feed", "an HTML page: watch it with kind page")
        problem = parsed.get("bozo_exception")
        detail = f"invalid XML ({problem})" if problem else "no Atom, RSS or RDF root element"
        raise ContentError("not a feed", detail)
    if not _CLOSED.search(text[-4096:]):
        # feedparser reads what it can of a cut-off feed: a half entry would be news. Judged
        # on the decoded text: a UTF-16 or UTF-32 feed's closing tag is not ASCII bytes.
        raise ContentError("truncated body", "the feed ends before its closing root tag")
    feed_name = _text(parsed.feed.get("title", ""))
    records: dict[str, dict[str, Any]] = {}
    for entry in parsed.entries:
        record = entry_record(entry)
        key = entry_key(record)
        if not key:
            continue
        record["feed"] = feed_name
        record["aliases"] = entry_aliases(record)
        twin = key if key in records else _twin(records, record["aliases"])
        if twin is None:
            records[key] = record
        elif _looks_like_copy(records[twin]["url"]) and not _looks_like_copy(record["url"]):
            records[twin] = record
    if parsed.entries and not records:
        count = len(parsed.entries)
        detail = f"none of its {count} entries has a title, a description, a date, an id or a link"
        raise ContentError("no entries", detail)
    lines = [f"{r['published'][:10]} {r['title']} <{r['url']}>" for r in records.values()]
    return Document(
        kind="atom",
        text="\n".join(lines),
        records=records,
        meta={"title": feed_name, "format": parsed.version},
    )


def _twin(records: dict[str, dict[str, Any]], aliases: list[str]) -> str | None:
    """The key of an entry already read that shares one of ``aliases``."""
    wanted = set(aliases)
    return next((key for key, r in records.items() if wanted & set(r["aliases"])), None)


def _looks_like_copy(url: str) -> bool:
    """canada.ca republishes a release as "<slug>0.html": prefer the original address."""
    return bool(re.search(r"0\.html?$", url))


def entry_record(entry: Any) -> dict[str, Any]:
    """The fields of one entry that a reader cares about (feedparser's entry in, a dict out).

    Dates stay as the feed writes them when they are ISO (Atom); RFC 822 dates (RSS) are
    turned into ISO UTC so that every feed's records sort and print alike.
    An item may have a description and no title (RSS 2.0 asks for one of the two): it is
    titled by its description's first words.
    """
    updated = _date(entry, "updated")
    summary = _text(entry.get("summary", ""))
    return {
        "id": squash(entry.get("id", "")),
        "title": _text(entry.get("title", "")) or _headline(summary),
        "url": (entry.get("link") or "").strip(),
        "published": _date(entry, "published") or updated,
        "updated": updated,
        "summary": summary[:500],
    }


def _headline(text: str) -> str:
    """The first words of a description, cut at a word, as a title."""
    if len(text) <= HEADLINE_CHARS:
        return text
    return text[:HEADLINE_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def _text(value: str) -> str:
    return squash(unescape(_TAG.sub(" ", value)))


def _date(entry: Any, name: str) -> str:
    # dict.get: feedparser's own get() answers "updated" with the published date (and warns).
    raw = squash(dict.get(entry, name) or "")
    if not raw or re.match(r"\d{4}-\d{2}-\d{2}", raw):
        return raw
    parsed = dict.get(entry, f"{name}_parsed")
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed) if parsed else raw


def entry_key(record: dict[str, Any]) -> str:
    """A key that survives slug punctuation edits and a trailing "0" added to the file name.

    canada.ca news URLs end in ``/news/YYYY/MM/<slug>.html``: the key is the host, the
    month folder and the slug's letters and digits. Other feeds keep the entry's id, else
    its link with its query (tracking parameters dropped: ``utm_*``, ``fbclid``…), else its
    content: "content:" and a hash of its title, description and date. An empty entry has
    no key.
    """
    parts = urlsplit(record.get("url") or record.get("id") or "")
    match = _NEWS_PATH.search(parts.path)
    if match:
        slug = re.sub(r"[^a-z0-9]", "", match["slug"].lower())
        return f"{parts.netloc}{match['folder']}/{slug}"
    if record.get("id"):
        return record["id"]
    if parts.netloc or parts.path:
        query = _identity_query(parts.query)
        return f"{parts.netloc}{parts.path}" + (f"?{query}" if query else "")
    content = [record.get(name) or "" for name in ("title", "summary", "published")]
    if not any(content):
        return ""
    digest = hashlib.sha256("\n".join(content).encode("utf-8")).hexdigest()
    return f"content:{digest[:16]}"


def _identity_query(query: str) -> str:
    """The query's parameters that name the entry, in their order (tracking ones dropped)."""
    kept = [
        part for part in query.split("&") if part and not _TRACKING.fullmatch(part.split("=")[0])
    ]
    return "&".join(kept)


def entry_aliases(record: dict[str, Any]) -> list[str]:
    """Other identities of a news release: its month folder and its title's words."""
    parts = urlsplit(record.get("url") or "")
    match = _NEWS_PATH.search(parts.path)
    words = re.findall(r"[a-z0-9]+", fold(record.get("title") or ""))
    if not match or not words:
        return []
    return [f"title:{parts.netloc}{match['folder']}/{'-'.join(words)}"]

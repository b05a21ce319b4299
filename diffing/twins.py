"""A canada.ca page's twin in the other official language, as the page itself names it.

Every canada.ca page names its twin twice: ``<link rel="alternate" hreflang="fr" href="…">`` in
its ``<head>`` and the language toggle ``<a lang="fr" href="/fr/…">`` in its header. Read from
the HTML before the content region (no parse), the addresses as written (a toggle's are
relative: the caller resolves them against the page's address).
"""

from __future__ import annotations

import html
import re

LANGS = ("en", "fr")
_LINK = re.compile(r"<link\b[^>]*>", re.I)
_ANCHOR = re.compile(r"<a\b[^>]*>", re.I)
_ATTRS = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))")


def _attrs(tag: str) -> dict[str, str]:
    return {
        m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "").strip()
        for m in _ATTRS.finditer(tag)
    }


def twin_links(head: str) -> dict[str, str]:
    """{"fr": address, "en": address} as the page names its language versions: the
    ``hreflang`` alternates first, else the language toggle."""
    found: dict[str, str] = {}
    for tag in _LINK.findall(head):
        attrs = _attrs(tag)
        rel = attrs.get("rel", "").lower().split()
        lang = attrs.get("hreflang", "").lower()[:2]
        if "alternate" in rel and lang in LANGS and attrs.get("href"):
            found.setdefault(lang, attrs["href"])
    for tag in _ANCHOR.findall(head):
        attrs = _attrs(tag)
        lang = attrs.get("lang", "").lower()[:2]
        if lang in LANGS and attrs.get("href") and not attrs["href"].startswith("#"):
            found.setdefault(lang, attrs["href"])
    return found

"""Lines that only say when the page was last updated: not content, in English and French.

canada.ca keeps its "Date modified" in ``#wb-dtmd`` (removed as noise), but provincial
sites write it in the content itself: "Updated: January 12, 2026" under ontario.ca's
title, "Page last updated: 2026-01-12" at the foot of a page, "Dernière mise à jour :
12 janvier 2026", "Published date: June 18, 2026" over Prince Edward Island's draws. A
line that is such a label and a date (and perhaps a time) and nothing else changes on every
republication; read as content, it told subscribers "Rule changed".
"""

from __future__ import annotations

import re

from diffing.dates import date_spans, fold

_LABEL = re.compile(
    r"^(?:(?:this )?page )?(?:was )?(?:last )?(?:updated|modified|reviewed|revised|published)"
    r"(?: date)?(?: on| le)?"
    r"|^date (?:published|de publication)|^publie(?:e)? le"
    r"|^date (?:last )?(?:modified|updated|de (?:la )?(?:derniere )?(?:modification|mise a jour))"
    r"|^(?:derniere )?mise a jour(?: le)?|^(?:page )?(?:mise? a jour|modifiee?|revisee?)(?: le)?"
)
# What may stand beside the date: separators and a time ("at 10:30 a.m.", "à 14 h 30").
_REST = re.compile(r"^[\s:.,;–—|()-]*(?:(?:at|a)\s+)?[\d\s:.hapmAPM]*[\s.,;)]*$")


_WORDS = ("updat", "modif", "mise", "mis ", "revis", "review", "publi")


def is_date_stamp(line: str) -> bool:
    """Whether a readable line is only "last updated" and a date ("- Updated: May 1, 2026")."""
    if len(line) > 90 or not any(word in line[:40].lower() for word in _WORDS):
        return False
    text = fold(line.lstrip("#- ").strip()).lower()
    label = _LABEL.match(text)
    if label is None:
        return False
    rest = text[label.end() :]
    spans = date_spans(rest)
    if len(spans) != 1:
        return False
    start, end = spans[0][2]
    return bool(_REST.match(rest[:start])) and bool(_REST.match(rest[end:]))

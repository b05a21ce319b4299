"""The one place that turns the rounds feed's ``drawName`` into a draw type people filter on.

IRCC renames its categories every year ("STEM occupations (Version 1)" became "STEM,
2026-Version 1"; "French language proficiency (Version 1)" became "French-Language proficiency
2026-Version 2"), so names are matched on keywords after the version and year noise is dropped,
never on exact strings. A name no rule knows maps to ``other``, which subscribers can filter on
like any type, so a new category is never silently lost.
"""

from __future__ import annotations

import re
import unicodedata

from settings.vocabulary import DRAW_TYPES

__all__ = ["DRAW_TYPES", "draw_type", "normalize_name"]


# First match wins: the more specific names come before the ones they contain
# ("Federal Skilled Trades" before "trades", "Physicians with Canadian Work Experience"
# before "Canadian Experience Class"). English and French feed wording alike.
_RULES: tuple[tuple[str, str], ...] = (
    ("physicians", r"\bphysician|\bmedecin"),
    ("senior-managers", r"\bsenior manager|\bcadres? superieur|\bgestionnaires? superieur"),
    ("military", r"\bmilitar|\barmed forces|\bforces armees"),
    ("fst", r"\bfederal skilled trade|\bmetiers specialises \(?federal|\bpmsf\b|\bfst\b"),
    ("fsw", r"\bfederal skilled worker|\btravailleurs qualifies \(?federal|\bptqf\b|\bfsw\b"),
    ("french", r"\bfrench|\bfrancais|\bfrancophone"),
    ("stem", r"\bstem\b|\bscience, technology|\bsciences, (de la )?technologie"),
    ("healthcare", r"\bhealth|\bsante\b|\bsoins de sante"),
    ("trades", r"\btrades?\b|\bmetiers?\b"),
    ("education", r"\beducation|\benseignement"),
    ("transport", r"\btransport"),
    ("agriculture", r"\bagricultur|\bagroaliment|\bagri-food"),
    ("cec", r"\bcanadian experience class|\bexperience canadienne|\bcec\b"),
    ("pnp", r"\bprovincial nominee|\bcandidats des provinces|\bpcp\b|\bpnp\b"),
    ("general", r"\bno program specified|\baucun programme|^general$|^generale?$|^all programs"),
)
_COMPILED = tuple((kind, re.compile(pattern)) for kind, pattern in _RULES)

# "(Version 1)", ", 2026-Version 1", "2026-Version 2", "– version 3", "2026" ...
_NOISE = re.compile(r"\(?\s*\b(?:\d{4}\s*[-–]\s*)?version\s*\d+\s*\)?|\b(?:19|20)\d{2}\b")


def normalize_name(name: str) -> str:
    """Lowercase, accents and version/year noise removed, spaces squashed."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("\u2019", "'").replace("-", " ")
    text = _NOISE.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip(" ,;:-")
    return text


def draw_type(name: str | None) -> str:
    """The draw type (one of :data:`DRAW_TYPES`) for a feed ``drawName``."""
    text = normalize_name(name or "")
    if not text:
        return "other"
    for kind, pattern in _COMPILED:
        if pattern.search(text):
            return kind
    return "other"

"""Prefixes of the record keys the extractors write and classification reads.

They live apart from the extractors so that classifying imports no HTML parser.
"""

from __future__ import annotations

CATEGORY_PREFIX = "category:"
EVENT_PREFIX = "event:"
SECTION_PREFIX = "section:"
ROW_PREFIX = "row:"

"""The version of the normalizer's reading, stored with every snapshot.

Apart from ``diffing.normalize`` so that a check that ends at the pre-check, which compares it,
imports no HTML parser.
"""

from __future__ import annotations

# Bumped when a reading changes: the pipeline then re-reads the previous raw body before
# diffing (3: content-region rules, block-tree extractors, feedparser feeds; 4: "last
# updated" lines dropped, see diffing.stamps; 5: feed entries keyed with their query or
# their content, pseudo-headings title blocks).
NORMALIZER_VERSION = 5

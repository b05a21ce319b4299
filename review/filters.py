"""The list and feed filters (unreviewed, watch, kind, paging) read from and written to a query."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

_TRUE = ("1", "true", "yes", "on")
_MAX_VALUE = 200
# SQLite integers are 64-bit: a longer number would raise instead of matching nothing.
_MAX_ID_DIGITS = 18


@dataclass(frozen=True)
class Filters:
    """Which changes to show: only unreviewed ones, one watch, one kind, ids below ``before``."""

    unreviewed: bool = False
    watch: str | None = None
    kind: str | None = None
    before: int | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Filters:
        """Read the filters from a request's query; malformed values are ignored, not errors."""
        before = query.get("before", "")
        return cls(
            unreviewed=query.get("unreviewed", "").strip().lower() in _TRUE,
            watch=query.get("watch", "").strip()[:_MAX_VALUE] or None,
            kind=query.get("kind", "").strip()[:_MAX_VALUE] or None,
            before=int(before) if _is_id(before) else None,
        )

    def query(self, *, paging: bool = True) -> str:
        """The canonical query string for these filters ("" when there are none)."""
        params: list[tuple[str, str]] = []
        if self.unreviewed:
            params.append(("unreviewed", "1"))
        if self.watch:
            params.append(("watch", self.watch))
        if self.kind:
            params.append(("kind", self.kind))
        if paging and self.before is not None:
            params.append(("before", str(self.before)))
        return urlencode(params)

    def but(self, **changes: object) -> Filters:
        """A copy with some filters changed (e.g. the next page's ``before``)."""
        return replace(self, **changes)

    def describe(self) -> str:
        """A sentence naming the active filters, for the page's caption and feed title."""
        parts = ["Unreviewed changes" if self.unreviewed else "All changes"]
        if self.kind:
            parts.append(f"of kind {self.kind}")
        if self.watch:
            parts.append(f"from watch {self.watch}")
        if self.before is not None:
            parts.append(f"older than #{self.before}")
        return " ".join(parts)


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= _MAX_ID_DIGITS

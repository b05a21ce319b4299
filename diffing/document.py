"""The value every extractor returns and every diff compares."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any


class ContentError(Exception):
    """The body is not the content we watch (error page, maintenance, redesign, bad JSON).

    Such a fetch counts as a failure: no snapshot, no change, history untouched.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class Document:
    """Normalized content: readable ``text`` for line diffs, keyed ``records`` for record diffs.

    ``meta`` holds facts about the page that are not content (title, date modified, language).
    """

    kind: str
    text: str
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    _hash: str | None = field(default=None, init=False, repr=False, compare=False)
    _json: str | None = field(default=None, init=False, repr=False, compare=False)

    def content_hash(self) -> str:
        """Hash of what matters (text and records, not meta): equal hashes mean no change.

        Computed once: a Document is not modified after extraction.
        """
        if self._hash is None:
            payload = json.dumps([self.text, self.records], sort_keys=True, ensure_ascii=False)
            self._hash = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        return self._hash

    def to_json(self) -> str:
        """The Document as stored in its snapshot; computed once, like ``content_hash`` (a big
        page's is then written ahead, off the event loop)."""
        if self._json is None:
            self._json = json.dumps(
                {"kind": self.kind, "text": self.text, "records": self.records, "meta": self.meta},
                ensure_ascii=False,
                sort_keys=True,
            )
        return self._json

    @classmethod
    def from_json(cls, text: str) -> Document:
        data = json.loads(text)
        return cls(data["kind"], data["text"], data.get("records", {}), data.get("meta", {}))

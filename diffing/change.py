"""What classification produces: a :class:`Change` for an audience, about a :class:`WatchInfo`.

Kept apart from :mod:`diffing.classify` so that the kinds' own modules (:mod:`diffing.datakinds`)
build changes without importing the classifier that registers them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SUBSCRIBERS, MAINTAINERS, ADMINS = "subscribers", "maintainers", "admins"


@dataclass
class Change:
    """One classified change; ``data`` is what messages and filters are built from."""

    kind: str
    audience: str
    data: dict[str, Any] = field(default_factory=dict)
    key: str | None = None


@dataclass(frozen=True)
class WatchInfo:
    """The facts about a watch that classification needs (no config object, no I/O)."""

    name: str
    kind: str
    topic: str = "general"
    lang: str = "en"
    url: str = ""

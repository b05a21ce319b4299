"""The one item the spider yields: what happened when a watch's URL was fetched."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Fetch:
    """One fetch attempt of one watch, successful or not.

    ``error`` is a short cause ("timeout", "dns", "connection", "robots", "offsite", "other")
    when no HTTP response arrived; HTTP error statuses arrive as ``status`` with a body.
    """

    watch: str
    url: str
    final_url: str
    status: int | None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    elapsed_ms: float = 0.0
    error: str | None = None
    error_detail: str | None = None
    redirects: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when a usable 200-class body (or a 304) came back."""
        return (
            self.error is None
            and self.status is not None
            and (200 <= self.status < 300 or self.status == 304)
        )

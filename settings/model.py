"""The validated configuration: what every layer reads, as plain frozen dataclasses.

This package is the ground floor: every other package of ircc-watch may import it, and it imports
none of them. Loading and validation live beside it (:mod:`settings.load` and one module per
section of config.toml).
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from settings.channels import Channel
from settings.review import ReviewSettings
from settings.vocabulary import DRAW_TYPES, KIND_ALIASES, KINDS, LANGS

__all__ = ["DRAW_TYPES", "KIND_ALIASES", "KINDS", "LANGS"]

UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
INTERVAL_RE = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
DEFAULT_DATABASE = "ircc-watch.db"
DEFAULT_USER_AGENT = "ircc-watch/0.1 (+https://github.com/ircc-watch/ircc-watch)"


def parse_interval(text: str) -> float:
    """Turn ``"30s"``, ``"10m"``, ``"1h"`` or ``"1d"`` into seconds.

    Raises ValueError for anything else, including zero: a watch must wait between checks.
    """
    if not isinstance(text, str):
        raise ValueError(f"not an interval: {text!r}")
    match = INTERVAL_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not an interval: {text!r}")
    seconds = float(match.group(1)) * UNITS[match.group(2)]
    if seconds <= 0:
        raise ValueError(f"interval must be more than zero: {text!r}")
    return seconds


def domain_allowed(host: str, allowed: Sequence[str]) -> bool:
    """Say whether ``host`` is one of ``allowed`` or a subdomain of one.

    ``www.canada.ca`` is allowed by ``canada.ca`` but ``evilcanada.ca`` is not. IP addresses
    must match an entry exactly (``127.0.0.1`` is not a "subdomain" of ``0.0.1``).
    """
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        is_ip = False
    else:
        is_ip = True
    for entry in allowed:
        domain = entry.strip().lower().strip(".")
        if not domain:
            continue
        if host == domain or (not is_ip and host.endswith("." + domain)):
            return True
    return False


@dataclass(frozen=True)
class Watch:
    """One page or feed to check, and how to read it."""

    name: str
    url: str
    kind: str = "page"
    topic: str = "general"
    lang: str = "en"
    interval: float = 1800.0
    selector: str | None = None
    records: str | None = None  # kind "json": JMESPath selecting the records
    key: str | None = None  # kind "json": the field that names a record
    # follow = "latest": the page moves (a new one each year); ``index`` links to the newest,
    # whose address matches ``pattern`` (a regular expression).
    follow: str | None = None
    index: str | None = None
    pattern: str | None = None
    # Watch the page's twin in the other official language too, once its baseline names it
    # (settings.twins); ``twin_of`` names the configured watch a found twin belongs to.
    twin: bool = True
    twin_of: str | None = None


DEFAULT_MAX_PAGE_SIZE = 20_000_000
SIZE_UNITS = {"b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3}


@dataclass(frozen=True)
class Settings:
    """The ``[settings]`` table: where the database lives and how to fetch."""

    database: Path
    interval: float = 1800.0
    user_agent: str = DEFAULT_USER_AGENT
    allowed_domains: tuple[str, ...] = ("canada.ca",)
    failure_threshold: int = 3
    # More subscriber changes than this from one check of one watch → held for review.
    bulk_threshold: int = 5
    # Retention in seconds (None: keep forever); see storage/retention.py.
    keep_fetches: float | None = 30 * 86400.0
    keep_snapshots: float | None = 365 * 86400.0
    # A response larger than this (bytes) is not read: "page too large (64.5 MB, limit 20 MB)".
    max_page_size: int = DEFAULT_MAX_PAGE_SIZE


@dataclass(frozen=True)
class TelegramSettings:
    """The ``[telegram]`` table. The token itself never lives in the file."""

    token_env: str = "IRCC_WATCH_TELEGRAM_TOKEN"
    admins: tuple[int, ...] = ()
    maintainers: tuple[int, ...] = ()
    base_url: str | None = None
    admin_langs: tuple[tuple[int, str], ...] = ()
    # Deliveries sent at once: after a crash, at most this many messages may arrive twice.
    max_in_flight: int = 10
    # Subscriber alerts of these kinds go out with allow_paid_broadcast (up to 1,000 messages
    # a second, paid in Telegram Stars), at most paid_broadcast_daily_cap of them a UTC day;
    # an empty tuple (paid_broadcast off) sends everything at the free 30 a second.
    paid_broadcast_kinds: tuple[str, ...] = ()
    paid_broadcast_daily_cap: int = 0

    def admin_lang(self, user_id: int) -> str:
        """The language of an admin's alerts (``admin_langs``; English by default)."""
        return dict(self.admin_langs).get(user_id, "en")

    def token(self) -> str | None:
        """Return the bot token from the environment variable named by ``token_env``."""
        return os.environ.get(self.token_env) or None


@dataclass(frozen=True)
class Config:
    """A validated configuration."""

    path: Path
    settings: Settings
    watches: tuple[Watch, ...]
    telegram: TelegramSettings | None = None
    review: ReviewSettings | None = None
    channels: tuple[Channel, ...] = ()

    def watch(self, name: str) -> Watch:
        """Return the watch called ``name``; KeyError if there is none."""
        for watch in self.watches:
            if watch.name == name:
                return watch
        raise KeyError(name)

    def topics(self) -> list[str]:
        """Return the topics people can subscribe to, sorted, each once: the watches' topics and
        the family each belongs to ("pnp" for "pnp-on", "pnp-bc", …)."""
        return subscribable(watch.topic for watch in self.watches)


def topic_family(topic: str) -> tuple[str, ...]:
    """The topics whose followers hear about a change of ``topic``: itself and its family
    ("pnp-on" → ("pnp-on", "pnp"): following "pnp" means every province)."""
    family, _, rest = topic.partition("-")
    return (topic, family) if family == "pnp" and rest else (topic,)


def subscribable(topics: Iterable[str]) -> list[str]:
    """``topics`` and their families, sorted, each once."""
    return sorted({name for topic in topics for name in topic_family(topic)})


class ConfigError(Exception):
    """An invalid configuration. Carries every problem found, one line each."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))

    def __str__(self) -> str:
        return "\n".join(self.errors)

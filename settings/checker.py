"""The validator's notebook: every problem of config.toml with its line and a one-line fix.

Each section of the file is checked by its own module (:mod:`settings.general`,
:mod:`settings.telegram`, :mod:`settings.watches`, :mod:`settings.channels`,
:mod:`settings.review`); they all report through one :class:`Checker` so that config-check lists
every problem at once, in file order.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from settings import limits
from settings.model import INTERVAL_RE, parse_interval
from settings.toml_lines import Locator, TomlPath

INTERVAL_FIX = 'write a number and a unit, such as "30s", "10m", "1h" or "1d"'


class Checker:
    """Collects problems found while validating parsed TOML, each with its line."""

    def __init__(self, shown: str, locator: Locator) -> None:
        self.shown = shown
        self.locator = locator
        self.errors: list[tuple[int, str]] = []
        # False once allowed_domains is found wrong: checking URLs against it would only add noise.
        self.domains_ok = True

    def messages(self) -> list[str]:
        """The problems in file order."""
        ordered = sorted(enumerate(self.errors), key=lambda item: (item[1][0], item[0]))
        return [message for _, (_, message) in ordered]

    def error(self, path: TomlPath, where: str, problem: str, fix: str) -> None:
        """Record one problem, located at ``path``."""
        line = self.locator.line(path)
        self.errors.append((line, f"{self.shown}:{line}: {where}: {problem}. Fix: {fix}."))

    def unknown_keys(
        self, table: dict[str, Any], path: TomlPath, where: str, known: Sequence[str]
    ) -> None:
        """Report the keys of ``table`` that are not in ``known``."""
        for key in table:
            if key not in known:
                self.error(
                    (*path, key),
                    where,
                    f"unknown key {show(key)}",
                    f"remove it, or use one of: {', '.join(known)}",
                )

    def string(
        self, table: dict[str, Any], path: TomlPath, where: str, key: str, example: str
    ) -> str | None:
        """Return ``table[key]`` if it is a non-empty string, else report it and return None."""
        value = table[key]
        if isinstance(value, str) and value.strip():
            return value
        got = "an empty string" if isinstance(value, str) else show(value)
        self.error(
            (*path, key),
            f"{where} {key}",
            f"must be a non-empty string, got {got}",
            f"write {key} = {show(example)}",
        )
        return None

    def interval(self, table: dict[str, Any], path: TomlPath, where: str) -> float | None:
        """Return ``table["interval"]`` in seconds (1 s to 30 d), or report it and return None."""
        value = table["interval"]
        try:
            seconds = parse_interval(value)
        except ValueError:
            pass
        else:
            problem = limits.interval_problem(seconds)
            if problem is None:
                return seconds
            self.error(
                (*path, "interval"),
                f"{where} interval",
                f"{show(value)} {problem}",
                'write an interval from "1s" to "30d", such as "10m"',
            )
            return None
        if isinstance(value, str) and INTERVAL_RE.fullmatch(value.strip()):
            problem = f"{show(value)} must be more than zero"
        else:
            problem = f"{show(value)} is not an interval"
        self.error((*path, "interval"), f"{where} interval", problem, INTERVAL_FIX)
        return None

    def section(self, data: dict[str, Any], name: str) -> dict[str, Any] | None:
        """Return the ``[name]`` table, or report it if it is something else."""
        value = data.get(name)
        if value is None or isinstance(value, dict):
            return value
        self.error(
            (name,),
            f"[{name}]",
            f"must be a table, got {show(value)}",
            f"write it as a [{name}] section with one key = value per line",
        )
        return None


def show(value: Any) -> str:
    """Show a TOML value the way it was probably written."""
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def is_int(value: Any) -> bool:
    """True for TOML integers (``bool`` is a subclass of ``int`` in Python)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_ip(text: str) -> bool:
    """True if ``text`` is an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def url_problem(url: str) -> str | None:
    """Say what is wrong with ``url`` as an address to fetch, or None if nothing."""
    if any(c.isspace() for c in url):
        return "contains spaces"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "is not an http or https URL"
    if not parts.hostname:
        return "has no host"
    if port == 0:
        return "has port 0"
    return None

"""The ``[settings]`` table: where the database lives, how often and how politely to fetch,
how long to keep history."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from settings.checker import Checker, is_int, is_ip, show
from settings.model import (
    DEFAULT_DATABASE,
    DEFAULT_USER_AGENT,
    INTERVAL_RE,
    SIZE_UNITS,
    UNITS,
    Settings,
)
from settings.toml_lines import TomlPath

SETTINGS_KEYS = (
    "allowed_domains",
    "bulk_threshold",
    "database",
    "failure_threshold",
    "interval",
    "keep_fetches",
    "keep_snapshots",
    "max_page_size",
    "user_agent",
)
_DOMAIN_RE = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")


def check_settings(checker: Checker, table: dict[str, Any], base: Path) -> Settings:
    """Validate ``[settings]``; every key is optional, and a bad value falls back to its
    default so that the watches can still be checked against the rest."""
    where = "[settings]"
    path: TomlPath = ("settings",)
    checker.unknown_keys(table, path, where, SETTINGS_KEYS)
    database = base / DEFAULT_DATABASE
    if "database" in table:
        value = checker.string(table, path, where, "database", DEFAULT_DATABASE)
        if value is not None:
            database = (base / Path(value).expanduser()).resolve()
    interval = 1800.0
    if "interval" in table:
        interval = checker.interval(table, path, where) or interval
    user_agent = DEFAULT_USER_AGENT
    if "user_agent" in table:
        user_agent = checker.string(table, path, where, "user_agent", DEFAULT_USER_AGENT) or ""
    allowed: tuple[str, ...] = ("canada.ca",)
    if "allowed_domains" in table:
        errors = len(checker.errors)
        allowed = _allowed_domains(checker, table["allowed_domains"], path)
        checker.domains_ok = len(checker.errors) == errors
    threshold = 3
    if "failure_threshold" in table:
        value = table["failure_threshold"]
        if is_int(value) and value >= 1:
            threshold = value
        else:
            checker.error(
                (*path, "failure_threshold"),
                f"{where} failure_threshold",
                f"must be an integer of at least 1, got {show(value)}",
                "write failure_threshold = 3",
            )
    bulk = 5
    if "bulk_threshold" in table:
        value = table["bulk_threshold"]
        if is_int(value) and value >= 1:
            bulk = value
        else:
            checker.error(
                (*path, "bulk_threshold"),
                f"{where} bulk_threshold",
                f"must be an integer of at least 1, got {show(value)}",
                "write bulk_threshold = 5",
            )
    keep = {
        key: _keep(checker, table, path, where, key, default)
        for key, default in (("keep_fetches", "30d"), ("keep_snapshots", "365d"))
        if key in table
    }
    size = (
        _page_size(checker, table["max_page_size"], path, where)
        if "max_page_size" in table
        else None
    )
    sized = {"max_page_size": size} if size is not None else {}
    return Settings(database, interval, user_agent, allowed, threshold, bulk, **keep, **sized)


# "20MB", "500 kB", "1GB"; a bare integer is a number of bytes.
_SIZE_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmg]?b)", re.I)
MIN_PAGE_SIZE, MAX_PAGE_SIZE = 10_000, 1_000_000_000


def _page_size(checker: Checker, value: Any, path: TomlPath, where: str) -> int | None:
    """The largest response read, in bytes: from 10 kB to 1 GB."""
    size = None
    if is_int(value):
        size = value
    elif isinstance(value, str) and (match := _SIZE_RE.fullmatch(value.strip())):
        size = int(float(match.group(1)) * SIZE_UNITS[match.group(2).lower()])
    if size is not None and MIN_PAGE_SIZE <= size <= MAX_PAGE_SIZE:
        return size
    checker.error(
        (*path, "max_page_size"),
        f"{where} max_page_size",
        f"{show(value)} is not a size from 10 kB to 1 GB",
        'write max_page_size = "20MB" (a number and kB, MB or GB)',
    )
    return None


def _keep(
    checker: Checker, table: dict[str, Any], path: TomlPath, where: str, key: str, example: str
) -> float | None:
    """A retention period: from 1 minute to 100 years, or "forever" (None)."""
    value = table[key]
    if value == "forever":
        return None
    match = INTERVAL_RE.fullmatch(value.strip()) if isinstance(value, str) else None
    seconds = float(match.group(1)) * UNITS[match.group(2)] if match else 0.0
    if 60 <= seconds <= 36500 * 86400:
        return seconds
    checker.error(
        (*path, key),
        f"{where} {key}",
        f"{show(value)} is not a retention period from 1 minute to 100 years",
        f'write {key} = "{example}" (a number and a unit, at least "1m"), or "forever"',
    )
    return getattr(Settings, key)


def _allowed_domains(checker: Checker, value: Any, path: TomlPath) -> tuple[str, ...]:
    """Validate ``settings.allowed_domains``: a list of bare domain names or IP addresses."""
    where = "[settings] allowed_domains"
    key_path = (*path, "allowed_domains")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        checker.error(
            key_path,
            where,
            f"must be a list of strings, got {show(value)}",
            'write allowed_domains = ["canada.ca"]',
        )
        return ()
    domains: list[str] = []
    for entry in value:
        domain = entry.strip().lower()
        if _DOMAIN_RE.fullmatch(domain) or is_ip(domain):
            domains.append(domain)
        else:
            checker.error(
                key_path,
                where,
                f"{show(entry)} is not a domain name",
                'write the bare domain, such as "canada.ca" (no scheme, path or port)',
            )
    return tuple(domains)

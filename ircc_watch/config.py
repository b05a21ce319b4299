"""Load and validate ``config.toml``.

The configuration is checked as a whole: every problem is collected and reported at once, each
with the file, the line, the table and key it concerns, and a one-line fix, so that
``ircc-watch config-check`` can say exactly what is wrong in one go. ``tomllib`` gives no line
numbers for values, so a small scanner (:class:`_Locator`) finds them in the text.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import json
import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jmespath
from jmespath.exceptions import IncompleteExpressionError, JMESPathError

from ircc_watch import limits
from ircc_watch.config_channels import Channel, check_admin_langs, check_channels
from ircc_watch.review_settings import Reviewer, ReviewSettings, check_review_table

__all__ = [
    "KINDS",
    "LANGS",
    "Channel",
    "Config",
    "ConfigError",
    "ReviewSettings",
    "Reviewer",
    "Settings",
    "TelegramSettings",
    "Watch",
    "domain_allowed",
    "load_config",
    "parse_interval",
]

KINDS = (
    "page",
    "ee-rounds",
    "ee-categories",
    "events",
    "atom",
    "pnp-updates",
    "processing-times",
    "iec-pools",
    "json",
)
# Other names of a kind: kind "feed" is kind "atom" (Atom, RSS 2.0 and RDF).
KIND_ALIASES = {"feed": "atom"}
LANGS = ("en", "fr")

# Kinds whose content is JSON or XML: a CSS selector means nothing there.
_NO_SELECTOR_KINDS = ("ee-rounds", "atom", "processing-times", "iec-pools", "json")

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_INTERVAL_RE = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
_ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOMAIN_RE = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
_TOML_POS_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END_RE = re.compile(r"\s*\(at end of document\)\s*$")

_DEFAULT_DATABASE = "ircc-watch.db"
_DEFAULT_USER_AGENT = "ircc-watch/0.1 (+https://github.com/ircc-watch/ircc-watch)"
_INTERVAL_FIX = 'write a number and a unit, such as "30s", "10m", "1h" or "1d"'

_TABLES = ("settings", "telegram", "review", "watch", "channel")
_TABLES_SHOWN = "[settings], [telegram], [review], [[watch]], [[channel]]"
_SETTINGS_KEYS = (
    "allowed_domains",
    "bulk_threshold",
    "database",
    "failure_threshold",
    "interval",
    "keep_fetches",
    "keep_snapshots",
    "user_agent",
)
_TELEGRAM_KEYS = (
    "admin_langs",
    "admins",
    "base_url",
    "maintainers",
    "max_in_flight",
    "token_env",
)
_WATCH_KEYS = ("interval", "key", "kind", "lang", "name", "records", "selector", "topic", "url")


def parse_interval(text: str) -> float:
    """Turn ``"30s"``, ``"10m"``, ``"1h"`` or ``"1d"`` into seconds.

    Raises ValueError for anything else, including zero: a watch must wait between checks.
    """
    if not isinstance(text, str):
        raise ValueError(f"not an interval: {text!r}")
    match = _INTERVAL_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not an interval: {text!r}")
    seconds = float(match.group(1)) * _UNITS[match.group(2)]
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


@dataclass(frozen=True)
class Settings:
    """The ``[settings]`` table: where the database lives and how to fetch."""

    database: Path
    interval: float = 1800.0
    user_agent: str = _DEFAULT_USER_AGENT
    allowed_domains: tuple[str, ...] = ("canada.ca",)
    failure_threshold: int = 3
    # More subscriber changes than this from one check of one watch → held for review.
    bulk_threshold: int = 5
    # Retention in seconds (None: keep forever); see storage/retention.py.
    keep_fetches: float | None = 30 * 86400.0
    keep_snapshots: float | None = 365 * 86400.0


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
        """Return the topics people can subscribe to, sorted, each once."""
        return sorted({watch.topic for watch in self.watches})


class ConfigError(Exception):
    """An invalid configuration. Carries every problem found, one line each."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))

    def __str__(self) -> str:
        return "\n".join(self.errors)


def load_config(path: str | Path, database: str | Path | None = None) -> Config:
    """Read, validate and return the configuration at ``path``.

    ``database`` (the command line's ``--db``) replaces ``settings.database`` and is taken
    relative to the current directory, as command-line paths are. Raises ConfigError listing
    every problem found.
    """
    shown = str(path)
    file = Path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            [
                f"{shown}: file not found. Fix: copy the config.toml shipped with ircc-watch "
                f"to {shown} and edit it, or pass --config with the right path."
            ]
        ) from None
    except IsADirectoryError:
        raise ConfigError(
            [f"{shown}: is a folder, not a file. Fix: pass --config with the path of config.toml."]
        ) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(
            [f"{shown}: cannot be read ({reason}). Fix: check the file's path and permissions."]
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            [
                f"{shown}:{line}: TOML syntax: the file is not valid UTF-8. "
                "Fix: save the file as UTF-8."
            ]
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([_syntax_error(shown, text, exc)]) from None

    base = file.resolve().parent
    checker = _Checker(shown, _Locator(text))
    config = checker.check(data, base, file.resolve())
    if checker.errors:
        raise ConfigError(checker.messages())
    assert config is not None
    if database is not None:
        db_path = (Path.cwd() / Path(database).expanduser()).resolve()
        config = _replace_database(config, db_path)
    return config


def _replace_database(config: Config, database: Path) -> Config:
    """Return ``config`` with another database path."""
    settings = dataclasses.replace(config.settings, database=database)
    return dataclasses.replace(config, settings=settings)


def _syntax_error(shown: str, text: str, exc: tomllib.TOMLDecodeError) -> str:
    """Turn a TOMLDecodeError into a message in the usual form."""
    message = str(exc)
    match = _TOML_POS_RE.search(message)
    if match is not None:
        line = int(match.group(1))
        problem = f"{message[: match.start()]} (column {match.group(2)})"
    else:
        line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
        problem = _TOML_END_RE.sub(" (at the end of the file)", message)
    problem = problem[:1].lower() + problem[1:]
    if "overwrite" in problem:
        fix = "a key or table is written twice: keep only one of them"
    else:
        fix = "check the quotes, brackets and commas on that line"
    return f"{shown}:{line}: TOML syntax: {problem}. Fix: {fix}."


def _show(value: Any) -> str:
    """Show a TOML value the way it was probably written."""
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def _is_int(value: Any) -> bool:
    """True for TOML integers (``bool`` is a subclass of ``int`` in Python)."""
    return isinstance(value, int) and not isinstance(value, bool)


_Path = tuple[str | int, ...]


class _Locator:
    """Find the line on which a table or key was written.

    Paths are tuples such as ``("settings", "interval")`` or ``("watch", 2, "url")`` (the third
    ``[[watch]]`` block). The text has already been parsed by tomllib, so it is valid TOML; the
    scanner only tracks strings and brackets so that the inside of a multi-line array or string
    is never mistaken for a key.
    """

    def __init__(self, text: str) -> None:
        self.lines: dict[_Path, int] = {}
        self._counts: dict[_Path, int] = {}
        # Errors here mean a scanner bug: keep the lines found so far rather than fail the load.
        with contextlib.suppress(ValueError, IndexError, tomllib.TOMLDecodeError):
            self._scan(text)

    def line(self, path: _Path) -> int:
        """Return the line of ``path``, or of its nearest written parent, or 1."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1

    def _record(self, path: _Path, number: int) -> None:
        for end in range(1, len(path) + 1):
            self.lines.setdefault(path[:end], number)

    def _resolve(self, keys: Sequence[str]) -> _Path:
        """Insert the current index after each array-of-tables name in ``keys``."""
        path: list[str | int] = []
        for key in keys:
            path.append(key)
            count = self._counts.get(tuple(path))
            if count is not None:
                path.append(count - 1)
        return tuple(path)

    def _scan(self, text: str) -> None:
        table: _Path = ()
        mode: str | None = None
        depth = 0
        for number, line in enumerate(text.splitlines(), start=1):
            start = 0
            if mode is None and depth == 0:
                stripped = line.lstrip()
                offset = len(line) - len(stripped)
                if stripped.startswith("[["):
                    keys, _ = _read_key(stripped, 2)
                    parent = self._resolve(keys[:-1]) + (keys[-1],)
                    index = self._counts.get(parent, 0)
                    self._counts[parent] = index + 1
                    table = (*parent, index)
                    self._record(table, number)
                    continue
                if stripped.startswith("["):
                    keys, _ = _read_key(stripped, 1)
                    table = self._resolve(keys)
                    self._record(table, number)
                    continue
                if stripped and not stripped.startswith("#"):
                    keys, end = _read_key(stripped, 0)
                    self._record(table + tuple(keys), number)
                    start = offset + stripped.index("=", end) + 1
                else:
                    continue
            mode, depth = _scan_value(line, start, mode, depth)


def _read_key(text: str, i: int) -> tuple[list[str], int]:
    """Read a possibly dotted, possibly quoted TOML key starting at ``text[i]``."""
    keys: list[str] = []
    n = len(text)
    while True:
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            keys.append(tomllib.loads(f"k = {text[i : j + 1]}")["k"])
            i = j + 1
        elif i < n and text[i] == "'":
            j = text.index("'", i + 1)
            keys.append(text[i + 1 : j])
            i = j + 1
        else:
            j = i
            while j < n and (text[j].isalnum() or text[j] in "_-"):
                j += 1
            keys.append(text[i:j])
            i = j
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == ".":
            i += 1
            continue
        return keys, i


def _scan_value(line: str, i: int, mode: str | None, depth: int) -> tuple[str | None, int]:
    """Follow strings and brackets through one line of a value; return the state at its end."""
    n = len(line)
    while i < n:
        if mode == '"""':
            if line[i] == "\\":
                i += 2
                continue
            if line.startswith('"""', i):
                i += 3
                while i < n and line[i] == '"':
                    i += 1
                mode = None
                continue
            i += 1
            continue
        if mode == "'''":
            if line.startswith("'''", i):
                i += 3
                while i < n and line[i] == "'":
                    i += 1
                mode = None
                continue
            i += 1
            continue
        c = line[i]
        if c == "#":
            break
        if line.startswith('"""', i) or line.startswith("'''", i):
            mode = line[i : i + 3]
            i += 3
        elif c == '"':
            i += 1
            while i < n and line[i] != '"':
                i += 2 if line[i] == "\\" else 1
            i += 1
        elif c == "'":
            end = line.find("'", i + 1)
            i = n if end < 0 else end + 1
        elif c in "[{":
            depth += 1
            i += 1
        elif c in "]}":
            depth -= 1
            i += 1
        else:
            i += 1
    return mode, depth


class _Checker:
    """Validate parsed TOML, collecting every problem with its line."""

    def __init__(self, shown: str, locator: _Locator) -> None:
        self.shown = shown
        self.locator = locator
        self.errors: list[tuple[int, str]] = []
        # False once allowed_domains is found wrong: checking URLs against it would only add noise.
        self.domains_ok = True

    def messages(self) -> list[str]:
        """The problems in file order."""
        ordered = sorted(enumerate(self.errors), key=lambda item: (item[1][0], item[0]))
        return [message for _, (_, message) in ordered]

    def error(self, path: _Path, where: str, problem: str, fix: str) -> None:
        """Record one problem, located at ``path``."""
        line = self.locator.line(path)
        self.errors.append((line, f"{self.shown}:{line}: {where}: {problem}. Fix: {fix}."))

    def unknown_keys(
        self, table: dict[str, Any], path: _Path, where: str, known: Sequence[str]
    ) -> None:
        """Report the keys of ``table`` that are not in ``known``."""
        for key in table:
            if key not in known:
                self.error(
                    (*path, key),
                    where,
                    f"unknown key {_show(key)}",
                    f"remove it, or use one of: {', '.join(known)}",
                )

    def string(
        self, table: dict[str, Any], path: _Path, where: str, key: str, example: str
    ) -> str | None:
        """Return ``table[key]`` if it is a non-empty string, else report it and return None."""
        value = table[key]
        if isinstance(value, str) and value.strip():
            return value
        got = "an empty string" if isinstance(value, str) else _show(value)
        self.error(
            (*path, key),
            f"{where} {key}",
            f"must be a non-empty string, got {got}",
            f"write {key} = {_show(example)}",
        )
        return None

    def interval(self, table: dict[str, Any], path: _Path, where: str) -> float | None:
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
                f"{_show(value)} {problem}",
                'write an interval from "1s" to "30d", such as "10m"',
            )
            return None
        if isinstance(value, str) and _INTERVAL_RE.fullmatch(value.strip()):
            problem = f"{_show(value)} must be more than zero"
        else:
            problem = f"{_show(value)} is not an interval"
        self.error((*path, "interval"), f"{where} interval", problem, _INTERVAL_FIX)
        return None

    def section(self, data: dict[str, Any], name: str) -> dict[str, Any] | None:
        """Return the ``[name]`` table, or report it if it is something else."""
        value = data.get(name)
        if value is None or isinstance(value, dict):
            return value
        self.error(
            (name,),
            f"[{name}]",
            f"must be a table, got {_show(value)}",
            f"write it as a [{name}] section with one key = value per line",
        )
        return None

    def check(self, data: dict[str, Any], base: Path, path: Path) -> Config | None:
        """Validate everything; return the Config if no problem was found."""
        for key, value in data.items():
            if key in _TABLES:
                continue
            if isinstance(value, dict):
                where, problem = f"[{key}]", "unknown table"
            elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                where, problem = f"[[{key}]]", "unknown table"
            else:
                where, problem = "top level", f"unknown key {_show(key)}"
            self.error(
                (key,),
                where,
                problem,
                f"remove it, or put it under one of: {_TABLES_SHOWN}",
            )
        settings = self.settings(self.section(data, "settings") or {}, base)
        telegram_table = self.section(data, "telegram")
        telegram = None if telegram_table is None else self.telegram(telegram_table)
        review_table = self.section(data, "review")
        review = None if review_table is None else self.review(review_table, data)
        watches = self.watches(data, settings)
        channels = check_channels(self, data, sorted({w.topic for w in watches}))
        if self.errors:
            return None
        return Config(path, settings, watches, telegram, review, channels)

    def settings(self, table: dict[str, Any], base: Path) -> Settings:
        """Validate ``[settings]``; every key is optional, and a bad value falls back to its
        default so that the watches can still be checked against the rest."""
        where = "[settings]"
        path: _Path = ("settings",)
        self.unknown_keys(table, path, where, _SETTINGS_KEYS)
        database = base / _DEFAULT_DATABASE
        if "database" in table:
            value = self.string(table, path, where, "database", _DEFAULT_DATABASE)
            if value is not None:
                database = (base / Path(value).expanduser()).resolve()
        interval = 1800.0
        if "interval" in table:
            interval = self.interval(table, path, where) or interval
        user_agent = _DEFAULT_USER_AGENT
        if "user_agent" in table:
            user_agent = self.string(table, path, where, "user_agent", _DEFAULT_USER_AGENT) or ""
        allowed: tuple[str, ...] = ("canada.ca",)
        if "allowed_domains" in table:
            errors = len(self.errors)
            allowed = self.allowed_domains(table["allowed_domains"], path)
            self.domains_ok = len(self.errors) == errors
        threshold = 3
        if "failure_threshold" in table:
            value = table["failure_threshold"]
            if _is_int(value) and value >= 1:
                threshold = value
            else:
                self.error(
                    (*path, "failure_threshold"),
                    f"{where} failure_threshold",
                    f"must be an integer of at least 1, got {_show(value)}",
                    "write failure_threshold = 3",
                )
        bulk = 5
        if "bulk_threshold" in table:
            value = table["bulk_threshold"]
            if _is_int(value) and value >= 1:
                bulk = value
            else:
                self.error(
                    (*path, "bulk_threshold"),
                    f"{where} bulk_threshold",
                    f"must be an integer of at least 1, got {_show(value)}",
                    "write bulk_threshold = 5",
                )
        keep = {
            key: self.keep(table, path, where, key, default)
            for key, default in (("keep_fetches", "30d"), ("keep_snapshots", "365d"))
            if key in table
        }
        return Settings(database, interval, user_agent, allowed, threshold, bulk, **keep)

    def keep(
        self, table: dict[str, Any], path: _Path, where: str, key: str, example: str
    ) -> float | None:
        """A retention period: from 1 day to 100 years, or "forever" (None)."""
        value = table[key]
        if value == "forever":
            return None
        match = _INTERVAL_RE.fullmatch(value.strip()) if isinstance(value, str) else None
        seconds = float(match.group(1)) * _UNITS[match.group(2)] if match else 0.0
        if 86400 <= seconds <= 36500 * 86400:
            return seconds
        self.error(
            (*path, key),
            f"{where} {key}",
            f"{_show(value)} is not a retention period from 1 day to 100 years",
            f'write {key} = "{example}" (a number and a unit, at least "1d"), or "forever"',
        )
        return getattr(Settings, key)

    def allowed_domains(self, value: Any, path: _Path) -> tuple[str, ...]:
        """Validate ``settings.allowed_domains``: a list of bare domain names or IP addresses."""
        where = "[settings] allowed_domains"
        key_path = (*path, "allowed_domains")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(
                key_path,
                where,
                f"must be a list of strings, got {_show(value)}",
                'write allowed_domains = ["canada.ca"]',
            )
            return ()
        domains: list[str] = []
        for entry in value:
            domain = entry.strip().lower()
            if _DOMAIN_RE.fullmatch(domain) or _is_ip(domain):
                domains.append(domain)
            else:
                self.error(
                    key_path,
                    where,
                    f"{_show(entry)} is not a domain name",
                    'write the bare domain, such as "canada.ca" (no scheme, path or port)',
                )
        return tuple(domains)

    def int_list(self, table: dict[str, Any], key: str, what: str) -> tuple[int, ...]:
        """Validate a ``[telegram]`` list of integer ids, each in Telegram's range."""
        value = table[key]
        if isinstance(value, list) and all(_is_int(v) for v in value):
            check = limits.user_id_problem if key == "admins" else limits.chat_id_problem
            problems = [problem for v in value if (problem := check(v)) is not None]
            for problem in problems:
                self.error(
                    ("telegram", key),
                    f"[telegram] {key}",
                    problem,
                    "write the numeric id Telegram gives (a user's id for admins, a chat's id "
                    "for maintainers, such as 123456789 or -1001234567890)",
                )
            return () if problems else tuple(value)
        self.error(
            ("telegram", key),
            f"[telegram] {key}",
            f"must be a list of integers ({what}), got {_show(value)}",
            f"write {key} = [123456789], without quotes around the numbers",
        )
        return ()

    def telegram(self, table: dict[str, Any]) -> TelegramSettings | None:
        """Validate ``[telegram]``, refusing any secret written in the file."""
        where = "[telegram]"
        path: _Path = ("telegram",)
        errors = len(self.errors)
        token_env = TelegramSettings.token_env
        if "token_env" in table:
            value = table["token_env"]
            if isinstance(value, str) and _ENV_NAME_RE.fullmatch(value):
                token_env = value
            else:
                # Never echo the value: it may well be the token itself.
                self.error(
                    (*path, "token_env"),
                    f"{where} token_env",
                    "must be the name of an environment variable (letters, digits and "
                    "underscores), not the token itself",
                    f'write token_env = "{TelegramSettings.token_env}" and put the token '
                    "in that environment variable",
                )
        for key in table:
            if key not in _TELEGRAM_KEYS and "token" in key.lower():
                # Never echo the value: it is a secret.
                self.error(
                    (*path, key),
                    f"{where} {key}",
                    "the bot token must not be written in the config file",
                    f"remove the {key} line and put the token in the environment variable "
                    f"{token_env} (named by token_env)",
                )
            elif key not in _TELEGRAM_KEYS:
                self.error(
                    (*path, key),
                    where,
                    f"unknown key {_show(key)}",
                    f"remove it, or use one of: {', '.join(_TELEGRAM_KEYS)}",
                )
        admins = self.int_list(table, "admins", "Telegram user ids") if "admins" in table else ()
        maintainers = (
            self.int_list(table, "maintainers", "Telegram chat ids")
            if "maintainers" in table
            else ()
        )
        base_url = None
        if "base_url" in table:
            value = table["base_url"]
            if isinstance(value, str) and _url_problem(value) is None:
                base_url = value
            else:
                self.error(
                    (*path, "base_url"),
                    f"{where} base_url",
                    f"{_show(value)} is not an http or https URL",
                    'write the Bot API server\'s address, such as "http://127.0.0.1:8081/bot", '
                    "or remove the line to use Telegram's own",
                )
        admin_langs = check_admin_langs(self, table, admins)
        in_flight = TelegramSettings.max_in_flight
        if "max_in_flight" in table:
            value = table["max_in_flight"]
            if _is_int(value) and 1 <= value <= 100:
                in_flight = value
            else:
                self.error(
                    (*path, "max_in_flight"),
                    f"{where} max_in_flight",
                    f"must be an integer from 1 to 100, got {_show(value)}",
                    "write max_in_flight = 10 (a crash may repeat up to that many messages)",
                )
        if len(self.errors) > errors:
            return None
        return TelegramSettings(
            token_env, admins, maintainers, base_url, admin_langs, max_in_flight=in_flight
        )

    def review(self, table: dict[str, Any], data: dict[str, Any]) -> ReviewSettings | None:
        """Validate ``[review]`` (see :mod:`ircc_watch.review_settings`)."""
        return check_review_table(self, table, data)

    def watches(self, data: dict[str, Any], settings: Settings) -> tuple[Watch, ...]:
        """Validate every ``[[watch]]`` block and the uniqueness of their names."""
        blocks = data.get("watch")
        if blocks is None or blocks == []:
            self.error(
                (),
                "[[watch]]",
                "no watch is configured",
                "add at least one [[watch]] block with a name and a url",
            )
            return ()
        if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
            self.error(
                ("watch",),
                "[[watch]]",
                "watches must be [[watch]] blocks",
                "write each watch as a [[watch]] header followed by its keys, one per line",
            )
            return ()
        watches: list[Watch] = []
        seen: dict[str, int] = {}
        for index, block in enumerate(blocks):
            watch = self.watch(block, index, settings)
            name = block.get("name")
            if isinstance(name, str) and _NAME_RE.fullmatch(name):
                name_line = self.locator.line(("watch", index, "name"))
                if name in seen:
                    self.error(
                        ("watch", index, "name"),
                        f"[[watch]] {_show(name)} name",
                        f"{_show(name)} is already the name of the watch on line {seen[name]}",
                        "give each watch its own name",
                    )
                else:
                    seen[name] = name_line
            if watch is not None:
                watches.append(watch)
        return tuple(watches)

    def watch(self, block: dict[str, Any], index: int, settings: Settings) -> Watch | None:
        """Validate one ``[[watch]]`` block."""
        path: _Path = ("watch", index)
        name = block.get("name")
        if isinstance(name, str) and _NAME_RE.fullmatch(name):
            where = f"[[watch]] {_show(name)}"
        else:
            where = f"[[watch]] #{index + 1}"
        errors = len(self.errors)
        self.unknown_keys(block, path, where, _WATCH_KEYS)

        for key, example in (("name", "ee-rounds"), ("url", "https://www.canada.ca/en.html")):
            if key not in block:
                self.error(
                    path,
                    where,
                    f"missing key {_show(key)}",
                    f"add a line such as {key} = {_show(example)}",
                )
        if "name" in block:
            value = self.string(block, path, where, "name", "ee-rounds")
            if value is not None and not _NAME_RE.fullmatch(value):
                self.error(
                    (*path, "name"),
                    f"{where} name",
                    f"{_show(value)} is not a valid name",
                    "use lowercase letters, digits and dashes, starting with a letter or digit, "
                    'such as "ee-rounds"',
                )
        url = None
        if "url" in block:
            url = self.string(block, path, where, "url", "https://www.canada.ca/en.html")
            if url is not None:
                url = self.url(url, path, where, settings)

        kind = "page"
        if "kind" in block:
            value = block["kind"]
            value = KIND_ALIASES.get(value, value) if isinstance(value, str) else value
            if value in KINDS:
                kind = value
            else:
                self.error(
                    (*path, "kind"),
                    f"{where} kind",
                    f"unknown kind {_show(value)}",
                    f"use one of: {', '.join(KINDS)}",
                )
                kind = ""
        topic = "general"
        if "topic" in block:
            value = block["topic"]
            if isinstance(value, str) and _NAME_RE.fullmatch(value):
                topic = value
            else:
                self.error(
                    (*path, "topic"),
                    f"{where} topic",
                    f"{_show(value)} is not a valid topic",
                    'use lowercase letters, digits and dashes, such as "express-entry"',
                )
        lang = "en"
        if "lang" in block:
            value = block["lang"]
            if value in LANGS:
                lang = value
            else:
                self.error(
                    (*path, "lang"),
                    f"{where} lang",
                    f"{_show(value)} is not a supported language",
                    'use "en" or "fr"',
                )
        interval = settings.interval
        if "interval" in block:
            interval = self.interval(block, path, where) or interval
        selector = None
        if "selector" in block:
            selector = self.string(block, path, where, "selector", "main")
            if selector is not None and kind in _NO_SELECTOR_KINDS:
                self.error(
                    (*path, "selector"),
                    f"{where} selector",
                    f'a CSS selector does not apply to kind "{kind}"',
                    'remove the selector line, or use kind "page"',
                )
            elif selector is not None and (problem := limits.selector_problem(selector)):
                self.error(
                    (*path, "selector"),
                    f"{where} selector",
                    f"{_show(selector)} {problem}",
                    'write a CSS selector such as "main", "#wb-cont" or "main .mwsgeneric"',
                )
        records, key = self.json_keys(block, path, where, kind)
        if len(self.errors) > errors or not isinstance(name, str) or url is None:
            return None
        return Watch(name, url, kind, topic, lang, interval, selector, records, key)

    def json_keys(
        self, block: dict[str, Any], path: _Path, where: str, kind: str
    ) -> tuple[str | None, str | None]:
        """Validate ``records`` (a JMESPath that compiles) and ``key``: kind "json" only."""
        records = key = None
        for name in ("records", "key"):
            if name in block and kind != "json":
                self.error(
                    (*path, name),
                    f"{where} {name}",
                    f'"{name}" applies to kind "json" only',
                    f'remove the {name} line, or use kind = "json"',
                )
        if kind != "json":
            return None, None
        if "records" not in block:
            self.error(
                path,
                where,
                'kind "json" needs a "records" expression',
                'add a line such as records = "rounds[]" (a JMESPath)',
            )
        else:
            records = self.string(block, path, where, "records", "rounds[]")
            if records is not None:
                try:
                    jmespath.compile(records)
                except JMESPathError as exc:
                    reason = _jmespath_problem(exc)
                    self.error(
                        (*path, "records"),
                        f"{where} records",
                        f"{_show(records)} is not a valid JMESPath ({reason})",
                        'write a JMESPath such as "rounds[]" or "data.items[*]"',
                    )
                    records = None
        if "key" in block:
            key = self.string(block, path, where, "key", "drawNumber")
        return records, key

    def url(self, url: str, path: _Path, where: str, settings: Settings) -> str | None:
        """Validate a watch's URL and its host against ``settings.allowed_domains``."""
        problem = _url_problem(url)
        if problem is not None:
            self.error(
                (*path, "url"),
                f"{where} url",
                f"{_show(url)} {problem}",
                'write a full address, such as "https://www.canada.ca/en/....html"',
            )
            return None
        if not self.domains_ok:
            return url
        host = urlsplit(url).hostname or ""
        if not domain_allowed(host, settings.allowed_domains):
            allowed = ", ".join(settings.allowed_domains) or "none"
            self.error(
                (*path, "url"),
                f"{where} url",
                f"host {_show(host)} is not in settings.allowed_domains ({allowed})",
                f"add {_show(host)} to allowed_domains in [settings], "
                "or watch an address on an allowed domain",
            )
            return None
        return url


def _jmespath_problem(exc: JMESPathError) -> str:
    """The parser's complaint in one line: "ends too early", or what it met at which column."""
    if isinstance(exc, IncompleteExpressionError):
        return "the expression ends too early"
    first = str(exc).strip().splitlines()[0]
    return first.removeprefix("Invalid jmespath expression: ").removesuffix(", for expression:")


def _is_ip(text: str) -> bool:
    """True if ``text`` is an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _url_problem(url: str) -> str | None:
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

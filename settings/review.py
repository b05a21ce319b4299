"""The ``[review]`` table: where the review page listens, who may sign in, and how it is read.

Validated here, for :mod:`settings.load`, with the same messages (file, line, fix). Two rules
keep a page from being exposed by mistake: the host must resolve, and a host that is not a
loopback address is accepted only when a way to sign in is configured.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import socket
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

_KEYS = (
    "host",
    "port",
    "public_read",
    "public_url",
    "reviewers",
    "session_secret_env",
    "telegram_login",
)
_ENV_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
_BOT_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")
_PREFIX_RE = re.compile(r"(/[A-Za-z0-9._~-]+)*")
_REVIEWERS_EXAMPLE = 'reviewers = [{ name = "ana", secret_env = "IRCC_WATCH_REVIEW_ANA" }]'


@dataclass(frozen=True)
class Reviewer:
    """A maintainer who signs in to the review page with the secret held in ``secret_env``."""

    name: str
    secret_env: str

    def secret(self) -> str | None:
        """The sign-in secret from the environment (None when the variable is unset or empty)."""
        return os.environ.get(self.secret_env) or None


@dataclass(frozen=True)
class ReviewSettings:
    """The ``[review]`` table.

    ``public_read``: None means "not written": the page is readable without signing in only when
    no way to sign in is configured (then it can only listen on loopback and accepts no write).
    """

    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None
    public_read: bool | None = None
    reviewers: tuple[Reviewer, ...] = ()
    telegram_login: str | None = None
    session_secret_env: str | None = None

    @property
    def sign_in(self) -> bool:
        """True when maintainers have a way to sign in (secrets or Telegram's Login Widget)."""
        return bool(self.reviewers or self.telegram_login)

    @property
    def readable_without_login(self) -> bool:
        """Whether a visitor who has not signed in may read the changes and the feed."""
        if self.public_read is None:
            return not self.sign_in
        return self.public_read

    def session_secret(self) -> str | None:
        """The key that signs session cookies, from ``session_secret_env`` (None: one per run)."""
        if not self.session_secret_env:
            return None
        return os.environ.get(self.session_secret_env) or None


class _Checker(Protocol):
    def error(self, path: tuple, where: str, problem: str, fix: str) -> None: ...

    def unknown_keys(self, table: dict, path: tuple, where: str, known: Any) -> None: ...

    def string(
        self, table: dict, path: tuple, where: str, key: str, example: str
    ) -> str | None: ...

    errors: list


def _show(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def resolve(host: str) -> list[str] | str:
    """The addresses ``host`` resolves to, or the resolver's reason when it does not."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return sorted({info[4][0] for info in infos})


def is_loopback(addresses: list[str]) -> bool:
    """True when every address is a loopback one (127.0.0.0/8, ::1)."""
    try:
        return bool(addresses) and all(
            ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses
        )
    except ValueError:
        return False


def check_review_table(
    checker: _Checker, table: dict[str, Any], data: dict[str, Any]
) -> ReviewSettings | None:
    """Validate ``[review]`` (``data`` is the whole file, for rules across tables)."""
    where = "[review]"
    path: tuple = ("review",)
    errors = len(checker.errors)
    checker.unknown_keys(table, path, where, _KEYS)
    host = ReviewSettings.host
    if "host" in table:
        host = checker.string(table, path, where, "host", "127.0.0.1") or host
    port = ReviewSettings.port
    if "port" in table:
        value = table["port"]
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535:
            port = value
        else:
            checker.error(
                (*path, "port"),
                f"{where} port",
                f"must be an integer from 1 to 65535, got {_show(value)}",
                "write port = 8080",
            )
    public_url = _public_url(checker, table, path, where)
    public_read = None
    if "public_read" in table:
        if isinstance(table["public_read"], bool):
            public_read = table["public_read"]
        else:
            checker.error(
                (*path, "public_read"),
                f"{where} public_read",
                f"must be true or false, got {_show(table['public_read'])}",
                "write public_read = false (only signed-in maintainers read the page) or true",
            )
    reviewers = _reviewers(checker, table, path, where)
    telegram_login = _telegram_login(checker, table, path, where, data, public_url)
    session_env = None
    if "session_secret_env" in table:
        value = table["session_secret_env"]
        if isinstance(value, str) and _ENV_RE.fullmatch(value):
            session_env = value
        else:
            checker.error(  # never echo the value: it may be the secret itself
                (*path, "session_secret_env"),
                f"{where} session_secret_env",
                "must be the name of an environment variable, not the secret itself",
                'write session_secret_env = "IRCC_WATCH_REVIEW_SESSION" and put a long random '
                "string in that variable",
            )
    settings = ReviewSettings(
        host, port, public_url, public_read, reviewers, telegram_login, session_env
    )
    if len(checker.errors) > errors:
        return None
    _check_exposure(checker, settings, table, path, where)
    if public_read is False and not settings.sign_in:
        checker.error(
            (*path, "public_read"),
            f"{where} public_read",
            "is false but no way to sign in is configured, so nobody could read the page",
            f"add {_REVIEWERS_EXAMPLE}, or remove public_read",
        )
    if len(checker.errors) > errors:
        return None
    return settings


def _check_exposure(
    checker: _Checker, settings: ReviewSettings, table: dict, path: tuple, where: str
) -> None:
    """The host must resolve; a non-loopback one only with a way to sign in."""
    addresses = resolve(settings.host)
    if isinstance(addresses, str):
        checker.error(
            (*path, "host"),
            f"{where} host",
            f"{_show(settings.host)} does not resolve ({addresses})",
            'write an address of this machine, such as "127.0.0.1", or a name that resolves',
        )
        return
    if not is_loopback(addresses) and not settings.sign_in:
        checker.error(
            (*path, "host"),
            f"{where} host",
            f"{_show(settings.host)} is reachable from other machines but no way to sign in "
            "is configured, so anyone could read the page",
            f'write host = "127.0.0.1", or add {_REVIEWERS_EXAMPLE} (the secret in that '
            "environment variable)",
        )


def _public_url(checker: _Checker, table: dict, path: tuple, where: str) -> str | None:
    if "public_url" not in table:
        return None
    value = table["public_url"]
    problem = None
    if not isinstance(value, str):
        problem = f"must be a string, got {_show(value)}"
    else:
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError for a bad port
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            problem = f"{_show(value)} is not an http or https URL"
        elif parts.query or parts.fragment or not _PREFIX_RE.fullmatch(parts.path.rstrip("/")):
            problem = f"{_show(value)} must be a plain address (no query, no odd characters)"
    if problem is None:
        return value.rstrip("/")
    checker.error(
        (*path, "public_url"),
        f"{where} public_url",
        problem,
        'write the address people open, such as "https://review.example.org" '
        '(or "https://example.org/ircc-watch" behind a reverse proxy)',
    )
    return None


def _reviewers(checker: _Checker, table: dict, path: tuple, where: str) -> tuple[Reviewer, ...]:
    if "reviewers" not in table:
        return ()
    value = table["reviewers"]
    key_path = (*path, "reviewers")
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        checker.error(
            key_path,
            f"{where} reviewers",
            "must be a list of { name, secret_env } tables",
            f"write {_REVIEWERS_EXAMPLE}",
        )
        return ()
    found: list[Reviewer] = []
    names: set[str] = set()
    for entry in value:
        unknown = sorted(set(entry) - {"name", "secret_env"})
        name, env = entry.get("name"), entry.get("secret_env")
        if unknown or "secret" in entry:
            checker.error(  # never echo the values: one may be a secret
                key_path,
                f"{where} reviewers",
                f"unknown key {_show(unknown[0])} (a reviewer has only name and secret_env; "
                "the secret itself never goes in the file)",
                f"write {_REVIEWERS_EXAMPLE}",
            )
        elif not isinstance(name, str) or not _NAME_RE.fullmatch(name):
            checker.error(
                key_path,
                f"{where} reviewers",
                f"{_show(name)} is not a valid reviewer name",
                'use up to 40 letters, digits, dots, dashes or underscores, such as "ana"',
            )
        elif name in names:
            checker.error(
                key_path,
                f"{where} reviewers",
                f"{_show(name)} is listed twice",
                "give each reviewer one entry",
            )
        elif not isinstance(env, str) or not _ENV_RE.fullmatch(env):
            checker.error(
                key_path,
                f"{where} reviewers",
                f"reviewer {_show(name)}: secret_env must be the name of an environment "
                "variable, not the secret itself",
                f"write {_REVIEWERS_EXAMPLE}",
            )
        else:
            names.add(name)
            found.append(Reviewer(name, env))
    return tuple(found)


def _telegram_login(
    checker: _Checker, table: dict, path: tuple, where: str, data: dict, public_url: str | None
) -> str | None:
    if "telegram_login" not in table:
        return None
    value = table["telegram_login"]
    key_path = (*path, "telegram_login")
    if not isinstance(value, str) or not _BOT_RE.fullmatch(value.lstrip("@")):
        checker.error(
            key_path,
            f"{where} telegram_login",
            f"must be the bot's username, got {_show(value)}",
            'write telegram_login = "ircc_watch_bot" (the bot whose token is in [telegram])',
        )
        return None
    telegram = data.get("telegram")
    who = (
        telegram.get("admins") or telegram.get("maintainers")
        if isinstance(telegram, dict)
        else None
    )
    if not who:
        checker.error(
            key_path,
            f"{where} telegram_login",
            "needs a [telegram] section with admins or maintainers: only they may sign in",
            "add your Telegram user id to [telegram] admins, or remove telegram_login",
        )
        return None
    if public_url is None:
        checker.error(
            key_path,
            f"{where} telegram_login",
            "needs public_url: Telegram sends the sign-in back to that address",
            'add public_url = "https://review.example.org" (the domain set with /setdomain)',
        )
        return None
    return value.lstrip("@")

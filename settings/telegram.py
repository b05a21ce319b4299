"""The ``[telegram]`` table: which environment variable holds the token, who the admins and
maintainers are. A secret written in the file is refused without being echoed."""

from __future__ import annotations

import re
from typing import Any

from settings import limits
from settings.channels import check_admin_langs
from settings.checker import Checker, is_int, show, url_problem
from settings.model import TelegramSettings
from settings.toml_lines import TomlPath
from settings.vocabulary import SUBSCRIBER_CHANGE_KINDS

TELEGRAM_KEYS = (
    "admin_langs",
    "admins",
    "base_url",
    "maintainers",
    "max_in_flight",
    "paid_broadcast",
    "paid_broadcast_daily_cap",
    "paid_broadcast_kinds",
    "token_env",
)
# The largest daily cap accepted: a mistyped extra digit should not spend a fortune in Stars.
MAX_PAID_DAILY_CAP = 1_000_000
_ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _int_list(checker: Checker, table: dict[str, Any], key: str, what: str) -> tuple[int, ...]:
    """Validate a ``[telegram]`` list of integer ids, each in Telegram's range."""
    value = table[key]
    if isinstance(value, list) and all(is_int(v) for v in value):
        check = limits.user_id_problem if key == "admins" else limits.chat_id_problem
        problems = [problem for v in value if (problem := check(v)) is not None]
        for problem in problems:
            checker.error(
                ("telegram", key),
                f"[telegram] {key}",
                problem,
                "write the numeric id Telegram gives (a user's id for admins, a chat's id "
                "for maintainers, such as 123456789 or -1001234567890)",
            )
        return () if problems else tuple(value)
    checker.error(
        ("telegram", key),
        f"[telegram] {key}",
        f"must be a list of integers ({what}), got {show(value)}",
        f"write {key} = [123456789], without quotes around the numbers",
    )
    return ()


def check_telegram(checker: Checker, table: dict[str, Any]) -> TelegramSettings | None:
    """Validate ``[telegram]``, refusing any secret written in the file."""
    where = "[telegram]"
    path: TomlPath = ("telegram",)
    errors = len(checker.errors)
    token_env = TelegramSettings.token_env
    if "token_env" in table:
        value = table["token_env"]
        if isinstance(value, str) and _ENV_NAME_RE.fullmatch(value):
            token_env = value
        else:
            # Never echo the value: it may well be the token itchecker.
            checker.error(
                (*path, "token_env"),
                f"{where} token_env",
                "must be the name of an environment variable (letters, digits and "
                "underscores), not the token itself",
                f'write token_env = "{TelegramSettings.token_env}" and put the token '
                "in that environment variable",
            )
    for key in table:
        if key not in TELEGRAM_KEYS and "token" in key.lower():
            # Never echo the value: it is a secret.
            checker.error(
                (*path, key),
                f"{where} {key}",
                "the bot token must not be written in the config file",
                f"remove the {key} line and put the token in the environment variable "
                f"{token_env} (named by token_env)",
            )
        elif key not in TELEGRAM_KEYS:
            checker.error(
                (*path, key),
                where,
                f"unknown key {show(key)}",
                f"remove it, or use one of: {', '.join(TELEGRAM_KEYS)}",
            )
    admins = _int_list(checker, table, "admins", "Telegram user ids") if "admins" in table else ()
    maintainers = (
        _int_list(checker, table, "maintainers", "Telegram chat ids")
        if "maintainers" in table
        else ()
    )
    base_url = None
    if "base_url" in table:
        value = table["base_url"]
        if isinstance(value, str) and url_problem(value) is None:
            base_url = value
        else:
            checker.error(
                (*path, "base_url"),
                f"{where} base_url",
                f"{show(value)} is not an http or https URL",
                'write the Bot API server\'s address, such as "http://127.0.0.1:8081/bot", '
                "or remove the line to use Telegram's own",
            )
    admin_langs = check_admin_langs(checker, table, admins)
    in_flight = TelegramSettings.max_in_flight
    if "max_in_flight" in table:
        value = table["max_in_flight"]
        if is_int(value) and 1 <= value <= 100:
            in_flight = value
        else:
            checker.error(
                (*path, "max_in_flight"),
                f"{where} max_in_flight",
                f"must be an integer from 1 to 100, got {show(value)}",
                "write max_in_flight = 10 (a crash may repeat up to that many messages)",
            )
    paid_kinds, paid_cap = _paid_broadcast(checker, table)
    if len(checker.errors) > errors:
        return None
    return TelegramSettings(
        token_env,
        admins,
        maintainers,
        base_url,
        admin_langs,
        max_in_flight=in_flight,
        paid_broadcast_kinds=paid_kinds,
        paid_broadcast_daily_cap=paid_cap,
    )


def _paid_broadcast(checker: Checker, table: dict[str, Any]) -> tuple[tuple[str, ...], int]:
    """``paid_broadcast``, its kinds (default: new draws) and its daily cap (required: every
    paid message costs Telegram Stars). Off, the other two keys are refused as a mistake."""
    where, path = "[telegram]", ("telegram",)
    enabled = table.get("paid_broadcast", False)
    if not isinstance(enabled, bool):
        checker.error(
            (*path, "paid_broadcast"),
            f"{where} paid_broadcast",
            f"must be true or false, got {show(enabled)}",
            "write paid_broadcast = true (without quotes), or remove the line",
        )
        return (), 0
    if not enabled:
        for key in ("paid_broadcast_kinds", "paid_broadcast_daily_cap"):
            if key in table:
                checker.error(
                    (*path, key),
                    f"{where} {key}",
                    "is set but paid_broadcast is not on, so it would do nothing",
                    "add paid_broadcast = true to send these alerts as paid broadcasts, "
                    f"or remove the {key} line",
                )
        return (), 0
    kinds: tuple[str, ...] = ("new_draw",)
    if "paid_broadcast_kinds" in table:
        value = table["paid_broadcast_kinds"]
        if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            checker.error(
                (*path, "paid_broadcast_kinds"),
                f"{where} paid_broadcast_kinds",
                f"must be a non-empty list of change kinds, got {show(value)}",
                'write paid_broadcast_kinds = ["new_draw"]',
            )
            kinds = ()
        else:
            unknown = [v for v in value if v not in SUBSCRIBER_CHANGE_KINDS]
            for name in unknown:
                checker.error(
                    (*path, "paid_broadcast_kinds"),
                    f"{where} paid_broadcast_kinds",
                    f"{show(name)} is not a kind of change subscribers are told",
                    f"use some of: {', '.join(SUBSCRIBER_CHANGE_KINDS)}",
                )
            kinds = tuple(dict.fromkeys(value)) if not unknown else ()
    cap = 0
    value = table.get("paid_broadcast_daily_cap")
    if value is None:
        checker.error(
            (*path, "paid_broadcast"),
            f"{where} paid_broadcast",
            "is on without paid_broadcast_daily_cap: every paid message costs Telegram Stars",
            "add paid_broadcast_daily_cap = 20000 (paid messages a day, counted from 00:00 "
            "UTC; past it alerts go out at the free 30 a second)",
        )
    elif is_int(value) and 1 <= value <= MAX_PAID_DAILY_CAP:
        cap = value
    else:
        checker.error(
            (*path, "paid_broadcast_daily_cap"),
            f"{where} paid_broadcast_daily_cap",
            f"must be an integer from 1 to {MAX_PAID_DAILY_CAP:,}, got {show(value)}",
            "write paid_broadcast_daily_cap = 20000 (paid messages a day, counted from 00:00 UTC)",
        )
    return kinds, cap

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

TELEGRAM_KEYS = (
    "admin_langs",
    "admins",
    "base_url",
    "maintainers",
    "max_in_flight",
    "token_env",
)
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
    if len(checker.errors) > errors:
        return None
    return TelegramSettings(
        token_env, admins, maintainers, base_url, admin_langs, max_in_flight=in_flight
    )

"""Read config.toml, check it as a whole and return a :class:`~settings.model.Config`.

Every problem is collected and reported at once, each with the file, the line, the table and key
it concerns, and a one-line fix, so that ``ircc-watch config-check`` says exactly what is wrong in
one go.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path
from typing import Any

from settings.channels import check_channels
from settings.checker import Checker, show
from settings.general import check_settings
from settings.model import Config, ConfigError, subscribable
from settings.review import check_review_table
from settings.telegram import check_telegram
from settings.toml_lines import Locator
from settings.watches import check_watches

TABLES = ("settings", "telegram", "review", "watch", "channel")
TABLES_SHOWN = "[settings], [telegram], [review], [[watch]], [[channel]]"
_TOML_POS_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END_RE = re.compile(r"\s*\(at end of document\)\s*$")


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
    checker = Checker(shown, Locator(text))
    config = validate(checker, data, base, file.resolve())
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


def validate(checker: Checker, data: dict[str, Any], base: Path, path: Path) -> Config | None:
    """Validate everything; return the Config if no problem was found."""
    for key, value in data.items():
        if key in TABLES:
            continue
        if isinstance(value, dict):
            where, problem = f"[{key}]", "unknown table"
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            where, problem = f"[[{key}]]", "unknown table"
        else:
            where, problem = "top level", f"unknown key {show(key)}"
        checker.error(
            (key,),
            where,
            problem,
            f"remove it, or put it under one of: {TABLES_SHOWN}",
        )
    settings = check_settings(checker, checker.section(data, "settings") or {}, base)
    telegram_table = checker.section(data, "telegram")
    telegram = None if telegram_table is None else check_telegram(checker, telegram_table)
    review_table = checker.section(data, "review")
    review = None if review_table is None else check_review_table(checker, review_table, data)
    watches = check_watches(checker, data, settings)
    channels = check_channels(checker, data, subscribable(w.topic for w in watches))
    if checker.errors:
        return None
    return Config(path, settings, watches, telegram, review, channels)

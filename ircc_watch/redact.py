"""Keep secrets out of the logs: a logging filter that masks them in every record.

The bot token (and any other secret the config names by environment variable) must never
appear in a log line, whatever the format, including exception messages and tracebacks:
python-telegram-bot, for one, writes the rejected token into ``InvalidToken``'s message, and
httpx puts it in every request URL. The filter renders each record's message, exception and
stack text itself, masks every known secret (as written, and URL-encoded), and hands the
formatter only the masked text. Bot tokens are also masked by their shape, even unknown ones.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import traceback
from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from typing import Any
from urllib.parse import quote

from storage.masking import MASK, mask_tokens

MIN_SECRET = 6  # shorter values would mask ordinary words and numbers

# Environment variables that hold secrets by their name, whatever the config says.
_SECRET_NAME_RE = re.compile(r"^IRCC_WATCH_.*(TOKEN|SECRET|PASSWORD|KEY)", re.IGNORECASE)


class RedactFilter(logging.Filter):
    """Mask secrets in a record's message, exception text and stack text (always passes)."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None

    def add(self, values: Iterable[str | None]) -> None:
        """Mask these values from now on (empty and very short values are ignored)."""
        with self._lock:
            for value in values:
                if value and len(value) >= MIN_SECRET:
                    self._secrets.update({value, quote(value, safe=""), quote(value)})
            ordered = sorted(self._secrets, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced by :data:`MASK`."""
        pattern = self._pattern
        if pattern is not None:
            text = pattern.sub(MASK, text)
        return mask_tokens(text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: show it raw rather than lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            record.fields = {
                k: self.redact(v) if isinstance(v, str) else v for k, v in extra.items()
            }
        return True


FILTER = RedactFilter()


def secret_env_names(config: Any) -> set[str]:
    """Names of the environment variables a config says hold secrets.

    Every field of the config's tables whose name ends in ``_env`` (such as ``token_env``,
    a reviewer's ``secret_env``, the review page's ``session_secret_env``) names one, or a
    list of them (a mapping's values, too); lists of tables are searched as well.
    """
    names: set[str] = set()

    def visit(obj: Any, depth: int) -> None:
        if depth > 3 or obj is None or not is_dataclass(obj):
            return
        for field in fields(obj):
            value = getattr(obj, field.name, None)
            if field.name.endswith(("_env", "_envs")):
                if isinstance(value, str):
                    names.add(value)
                elif isinstance(value, dict):
                    names.update(v for v in value.values() if isinstance(v, str))
                elif isinstance(value, list | tuple):
                    names.update(v for v in value if isinstance(v, str))
            elif is_dataclass(value):
                visit(value, depth + 1)
            elif isinstance(value, list | tuple):  # e.g. the review page's reviewers
                for item in value:
                    visit(item, depth + 1)

    visit(config, 0)
    return names


def protect_environment() -> None:
    """Mask the values of environment variables whose names say they are secrets."""
    FILTER.add(value for name, value in os.environ.items() if _SECRET_NAME_RE.match(name))


def protect_config(config: Any) -> None:
    """Mask every secret the config names (the bot token first of all)."""
    FILTER.add(os.environ.get(name) for name in secret_env_names(config))


def install(handler: logging.Handler) -> None:
    """Put the filter on ``handler`` and route uncaught exceptions through the logs.

    Uncaught exceptions (main thread and other threads) and warnings would otherwise be
    printed straight to stderr, unmasked and, under ``--log-format json``, not as JSON.
    """
    protect_environment()
    handler.addFilter(FILTER)
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_thread_uncaught


def _log_uncaught(kind: type[BaseException], value: BaseException, tb: Any) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    logging.getLogger("ircc_watch").critical("unexpected error", exc_info=(kind, value, tb))


def _log_thread_uncaught(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    logging.getLogger("ircc_watch").error(
        "unexpected error in thread %s",
        name,
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),  # type: ignore[arg-type]
    )

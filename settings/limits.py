"""What a config value must be for the service to run it, beyond its type.

config-check refuses a config that would crash or stall later: an interval the scheduler
cannot take (or one so short no check ever finishes), a Telegram id no chat can have (and that
SQLite's INTEGER cannot store: every change would then fail to store), a CSS selector the
parser cannot compile. Each function returns what is wrong, or None.
"""

from __future__ import annotations

import math
import warnings

MIN_INTERVAL = 1.0  # seconds
MAX_INTERVAL = 30 * 86400.0
# Telegram: user and chat ids "have at most 52 significant bits" (Bot API, User.id, Chat.id);
# channels and supergroups are negative (-100…). Both fit SQLite's 64-bit INTEGER.
MAX_TELEGRAM_ID = 2**52 - 1


def interval_problem(seconds: float) -> str | None:
    """Say why an interval (already in seconds) cannot be used, or None."""
    if not math.isfinite(seconds) or not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        return "is out of range: an interval goes from 1 s to 30 d"
    return None


def user_id_problem(value: int) -> str | None:
    """Say why ``value`` cannot be a Telegram user id (admins), or None."""
    if 1 <= value <= MAX_TELEGRAM_ID:
        return None
    return f"{value} is not a Telegram user id (user ids are positive, at most {MAX_TELEGRAM_ID})"


def chat_id_problem(value: int) -> str | None:
    """Say why ``value`` cannot be a Telegram chat id (maintainers), or None.

    Private chats have the user's (positive) id; groups are negative, supergroups and channels
    are -100 followed by digits.
    """
    if value != 0 and abs(value) <= MAX_TELEGRAM_ID:
        return None
    return (
        f"{value} is not a Telegram chat id (chat ids are non-zero, from -{MAX_TELEGRAM_ID} "
        f"to {MAX_TELEGRAM_ID})"
    )


def selector_problem(selector: str) -> str | None:
    """Say why ``selector`` does not compile as CSS (with soupsieve, as the parser uses it).

    soupsieve is imported here, not at the top: a config without selectors never loads it.
    """
    import soupsieve

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # deprecations such as :contains still work
            soupsieve.compile(selector)
    except soupsieve.SelectorSyntaxError as exc:
        return f"is not a valid CSS selector ({str(exc).splitlines()[0]})"
    return None

"""Bot tokens out of stored text: Bot API error bodies (a proxy's error page may quote the
request's ``/bot<TOKEN>/`` URL) are kept in the database, which backups and `watches` show."""

from __future__ import annotations

import re

MASK = "[redacted]"

# A Telegram bot token: the bot's id, a colon, 35 characters of base64url.
BOT_TOKEN_RE = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}")
# Whatever follows /bot in a Bot API URL, whatever its length, colon URL-encoded or not.
_BOT_PATH_RE = re.compile(r"(?<=/bot)\d+(?::|%3[Aa])[^/\s\"'<>?#&]+", re.IGNORECASE)


def mask_tokens(text: str) -> str:
    """``text`` with every bot token (in a Bot API URL, or by its shape) replaced by MASK."""
    return BOT_TOKEN_RE.sub(MASK, _BOT_PATH_RE.sub(MASK, text))

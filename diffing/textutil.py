"""Small text helpers shared by the extractors: decoding, whitespace, numbers."""

from __future__ import annotations

import re
import unicodedata


def decode(body: bytes) -> str:
    """Decode a body whose charset may be undeclared: UTF-8 first, then Windows-1252."""
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def squash(text: str) -> str:
    """Collapse runs of whitespace (including no-break spaces) into single spaces."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def parse_int(text: str | int | None) -> int | None:
    """Parse "5,000", "5 000" (any space) or "5000" into 5000; None when there are no digits."""
    if text is None:
        return None
    if isinstance(text, int):
        return text
    digits = re.sub(r"[^\d]", "", str(text))
    return int(digits) if digits else None

"""Small text helpers shared by the extractors: decoding, whitespace, numbers."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from diffing.document import ContentError


def decode(body: bytes) -> str:
    """Decode a body whose charset may be undeclared: UTF-8 first, then Windows-1252."""
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def load_json(body: bytes, reason: str) -> Any:
    """The parsed JSON body, or ContentError(``reason``) naming the JSON error and its line.

    An empty body is its own fault ("empty body"): a cut connection, not a format change.
    """
    text = decode(body).strip()
    if not text:
        raise ContentError("empty body")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContentError(reason, f"invalid JSON ({exc.msg}, line {exc.lineno})") from exc


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

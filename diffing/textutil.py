"""Small text helpers shared by the extractors: decoding, whitespace, numbers."""

from __future__ import annotations

import codecs
import json
import math
import re
import unicodedata
from typing import Any

from diffing.document import ContentError

# A charset declared inside the body: an XML declaration or an HTML <meta> (either form).
_DECLARED = re.compile(
    rb"""<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']"""
    rb"""|<meta\b[^>]*?\bcharset\s*=\s*["']?([A-Za-z0-9._:-]+)""",
    re.I,
)
# What a browser reads these labels as (WHATWG Encoding): Latin-1 and ASCII are Windows-1252.
_AS_WINDOWS_1252 = frozenset({"latin-1", "iso8859-1", "ascii", "cp1252"})
# Declared in a body that is ASCII-compatible, a UTF-16/32 label is a mistake: read UTF-8.
_NOT_IN_ASCII_BYTES = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32"})
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Without a BOM, a UTF-16 or UTF-32 document is told by how its first "<" is written
# (XML 1.0, Appendix F): what the declared charset cannot say, as it is not in ASCII bytes.
_WIDE_STARTS = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)
# JSON numbers longer than this are refused: Python's int() refuses 4,301 digits anyway,
# and no count, score or date IRCC publishes comes near.
MAX_DIGITS = 100
_SURROGATE = re.compile("[\ud800-\udfff]")


def _stray_byte(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: each byte that is not UTF-8 is read as Windows-1252 (one by one)."""
    assert isinstance(exc, UnicodeDecodeError)
    chunk = exc.object[exc.start : exc.end]
    text = "".join(_one_byte(bytes([b])) for b in chunk)
    return text, exc.end


def _one_byte(byte: bytes) -> str:
    try:
        return byte.decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: a browser reads them so too
        return byte.decode("latin-1")


codecs.register_error("ircc-stray-cp1252", _stray_byte)


def declared_charset(body: bytes) -> str | None:
    """The codec name the body declares for itself (XML declaration or <meta>), or None."""
    match = _DECLARED.search(body[:4096])
    if match is None:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii")
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode(body: bytes, charset: str | None = None) -> str:
    """Decode a body as written: a BOM, else UTF-16/32 told by its first "<", else the
    declared charset, else UTF-8.

    UTF-8 is read with a per-byte repair: a stray Windows-1252 byte (an "é" pasted from
    Word) becomes its own character, and the rest of the page stays UTF-8. Switching the
    whole page to Windows-1252 would turn every "é" into "Ã©" and be told as a change.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace")
    for start, name in _WIDE_STARTS:
        if body.startswith(start):
            return body.decode(name, errors="replace")
    name = charset or declared_charset(body)
    if name in _AS_WINDOWS_1252:
        return body.decode("cp1252", errors="ircc-stray-cp1252")
    if name is not None and name not in _NOT_IN_ASCII_BYTES and name != "utf-8":
        try:
            return body.decode(name, errors="replace")
        except LookupError:
            pass
    return body.decode("utf-8", errors="ircc-stray-cp1252")


def as_utf8(body: bytes) -> bytes:
    """The body decoded as written (see ``decode``) and encoded as UTF-8, its XML declaration
    saying so: what feedparser and XML parsers are given, so they never guess a charset."""
    text = decode(body)
    text = re.sub(
        r"""^(\s*<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""", r"\1\2utf-8\2", text, count=1
    )
    return text.encode("utf-8", errors="replace")


def load_json(body: bytes, reason: str) -> Any:
    """The parsed JSON body, or ContentError(``reason``) naming the JSON error and its line.

    An empty body is its own fault ("empty body"): a cut connection, not a format change.
    Inputs that would break a reader are read safely or refused: NaN and Infinity are kept
    as the words they are (NaN never equals itself, and JSON cannot print it), a number
    of more than MAX_DIGITS digits or nesting deeper than Python can follow is a fault, and
    a lone UTF-16 surrogate (``\\ud800``) becomes U+FFFD.
    """
    text = decode(body).strip()
    if not text:
        raise ContentError("empty body")
    try:
        data = json.loads(text, parse_int=_json_int, parse_float=_json_float, parse_constant=str)
    except json.JSONDecodeError as exc:
        raise ContentError(reason, f"invalid JSON ({exc.msg}, line {exc.lineno})") from exc
    except RecursionError as exc:
        raise ContentError(reason, "invalid JSON (nested too deeply)") from exc
    if "\\u" in text and re.search(r"\\u[dD][89a-fA-F]", text):
        data = _without_surrogates(data)
    return data


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ContentError("implausible number", f"a number of {len(text):,} digits")
    return int(text)


def _json_float(text: str) -> float | str:
    if len(text) > MAX_DIGITS * 4:
        raise ContentError("implausible number", f"a number of {len(text):,} characters")
    value = float(text)
    return value if math.isfinite(value) else text


def _without_surrogates(data: Any) -> Any:
    """``data`` with every lone surrogate in its strings and keys replaced by U+FFFD."""

    def clean(value: Any) -> Any:
        return _SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value

    root = [data]
    stack: list[list[Any] | dict[str, Any]] = [root]
    while stack:
        container = stack.pop()
        if isinstance(container, dict):
            items = list(container.items())
            container.clear()
            for key, value in items:
                container[clean(key)] = clean(value)
                if isinstance(value, dict | list):
                    stack.append(value)
        else:
            for index, value in enumerate(container):
                container[index] = clean(value)
                if isinstance(value, dict | list):
                    stack.append(value)
    return root[0]


def squash(text: str) -> str:
    """Collapse runs of whitespace (including no-break spaces) into single spaces."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def parse_int(text: str | int | None) -> int | None:
    """Parse "5,000", "5 000" (any space) or "5000" into 5000; None when there are no digits.

    More than MAX_DIGITS digits is a content fault, not a number to tell.
    """
    if text is None:
        return None
    if isinstance(text, int):
        return text
    digits = re.sub(r"[^\d]", "", str(text))
    if len(digits) > MAX_DIGITS:
        raise ContentError("implausible number", f"a number of {len(digits):,} digits")
    return int(digits) if digits else None

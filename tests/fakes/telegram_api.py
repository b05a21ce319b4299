"""A fake Telegram Bot API server speaking real HTTP on 127.0.0.1.

Point python-telegram-bot at it with ``ApplicationBuilder().token(fake.token)
.base_url(fake.base_url)`` (or ``Bot(fake.token, base_url=fake.base_url)``). PTB appends the
token and then ``/method`` to the base URL, so requests arrive as ``POST /bot<token>/<method>``.
Parameters are accepted as form-encoded bodies (what PTB sends), multipart bodies, JSON bodies
and query strings. Responses, error codes and descriptions follow the real Bot API, including
rate limits (429 with ``retry_after``), blocked chats (403), HTML entity parsing (400) and the
4,096-character limit. Channels can be addressed by ``@username``
(:meth:`FakeTelegram.add_channel`), a chat the bot was removed from answers 403
(:meth:`FakeTelegram.kick`), group members have a status for getChatMember
(:meth:`FakeTelegram.set_member`), sendDocument keeps the file, and sendPhoto keeps
the image within Telegram's photo limits (10 MB, 1,024-character caption).

Rate limits (global ~30/s, 1/s per private chat, 20/min per group or channel) can be run
faster by a time-scale factor ``speed``: every rate is multiplied by it, so a benchmark sees
Telegram's behaviour compressed in time (``retry_after`` stays whole real seconds). A
sendMessage with ``allow_paid_broadcast`` is outside the 30/s limit and within its own, 1,000
messages a second (Telegram charges Stars for each); the per-chat limits still apply, and each
message records whether it was paid (``paid``, counted in ``paid_messages``).

Run standalone with ``python -m tests.fakes.telegram_api --port 8081``: it prints its base URL
and serves until Ctrl-C. A small control API (``/_fake/...``, see ``_Handler``) lets another
process inject updates and read what was sent.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import email.parser
import email.policy
import itertools
import json
import logging
import math
import re
import socket
import socketserver
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["DEFAULT_TOKEN", "FakeTelegram", "HtmlParseError", "parse_html"]

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456:TEST-TOKEN"
MAX_TEXT_LENGTH = 4096
PHOTO_MAX_BYTES = 10 * 1024 * 1024  # sendPhoto: a photo uploaded of at most 10 MB
CAPTION_MAX = 1024
MAX_CALLBACK_DATA_BYTES = 64
# A send that would be within the limits this many seconds later is accepted: requests paced
# by the client reach the server with some jitter, and Telegram is not that exact either.
RATE_LIMIT_JITTER = 0.1

# Parameters that stay strings when they arrive form-encoded; everything else is JSON-decoded
# when possible (PTB form-encodes ints as "42" and objects as JSON text).
_STRING_PARAMS = frozenset(
    {
        "text",
        "parse_mode",
        "callback_query_id",
        "url",
        "language_code",
        "inline_message_id",
        "caption",
        "business_connection_id",
        "message_effect_id",
        "secret_token",
        "name",
        "description",
        "short_description",
        "data",
        "filename",
    }
)

# Actions an inline keyboard button may carry; a button with none of them is a "text button".
_BUTTON_ACTIONS = frozenset(
    {
        "callback_data",
        "url",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_BAD_CALLBACK = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)


class _ApiError(Exception):
    """An error response of the Bot API."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


# --------------------------------------------------------------------------------------------
# HTML parse mode
# --------------------------------------------------------------------------------------------


class HtmlParseError(ValueError):
    """Text rejected by :func:`parse_html`; the message is what follows "can't parse entities: "."""


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_SPACE = " \t\n\r\f\v"
_NAME_TOKEN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the HTML entity at ``text[pos]`` ("&"), returning (character, end) or None."""
    match = _ENTITY_RE.match(text, pos)
    if match is None:
        return None
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        if char is None:
            return None
    else:
        code = int(decimal) if decimal is not None else int(hexadecimal, 16)
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    return char, match.end()


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (visible text, message entities) the way the Bot API does.

    Error messages and byte offsets follow Telegram's. Stricter than Telegram in one respect:
    a bare "&" (or an unsupported named entity such as "&nbsp;", or an entity without its ";"),
    which Telegram would show literally, is rejected, as is a bare "<" inside an attribute value.
    Entity offsets and lengths are in UTF-16 code units, as in the Bot API.
    """
    out: list[str] = []
    utf16 = 0
    stack: list[tuple[str, str, int]] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(text)

    def offset(pos: int) -> int:
        return len(text[:pos].encode("utf-8", "surrogatepass"))

    def entity_at(pos: int) -> tuple[str, int]:
        decoded = _decode_entity(text, pos)
        if decoded is None:
            raise HtmlParseError(
                f'Unsupported HTML entity or unescaped "&" at byte offset {offset(pos)}'
            )
        return decoded

    while i < n:
        char = text[i]
        if char == "&":
            decoded_char, i = entity_at(i)
            out.append(decoded_char)
            utf16 += _utf16_len(decoded_char)
            continue
        if char != "<":
            out.append(char)
            utf16 += 2 if ord(char) > 0xFFFF else 1
            i += 1
            continue
        begin = i
        if text.startswith("</", i):
            if not stack:
                raise HtmlParseError(f"Unexpected end tag at byte offset {offset(begin)}")
            j = i + 2
            while j < n and text[j] not in _SPACE and text[j] != ">":
                j += 1
            end_name = text[i + 2 : j].lower()
            while j < n and text[j] in _SPACE:
                j += 1
            if j >= n or text[j] != ">":
                raise HtmlParseError(f"Unclosed end tag at byte offset {offset(begin)}")
            tag, argument, start = stack.pop()
            if end_name and end_name != tag:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {offset(begin)}, "
                    f'expected "</{tag}>", found "</{end_name}>"'
                )
            _close_entity(entities, tag, argument, start, utf16)
            i = j + 1
            continue

        j = i + 1
        while j < n and text[j] not in _SPACE and text[j] != ">":
            j += 1
        if j >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {offset(begin)}")
        tag = text[i + 1 : j].lower()
        if tag not in _HTML_TAGS:
            raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {offset(begin)}')
        argument = ""
        while True:
            while j < n and text[j] in _SPACE:
                j += 1
            if j >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {offset(begin)}")
            if text[j] == ">":
                break
            name_start = j
            while j < n and text[j] not in _SPACE and text[j] not in "=>":
                j += 1
            attribute = text[name_start:j].lower()
            if not attribute:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {offset(begin)}'
                )
            while j < n and text[j] in _SPACE:
                j += 1
            if j >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {offset(begin)}")
            if text[j] != "=":
                if tag == "blockquote" and attribute == "expandable":
                    argument = "expandable"
                    continue
                raise HtmlParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {offset(begin)}'
                )
            j += 1
            while j < n and text[j] in _SPACE:
                j += 1
            if j >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {offset(begin)}")
            if text[j] in "\"'":
                quote = text[j]
                j += 1
                value_chars: list[str] = []
                while j < n and text[j] != quote:
                    if text[j] == "&":
                        decoded_char, j = entity_at(j)
                        value_chars.append(decoded_char)
                        continue
                    if text[j] == "<":
                        raise HtmlParseError(
                            f'Unescaped "<" in an attribute of the tag "{tag}" '
                            f"at byte offset {offset(j)}"
                        )
                    value_chars.append(text[j])
                    j += 1
                if j >= n:
                    raise HtmlParseError(f"Unclosed start tag at byte offset {offset(begin)}")
                j += 1
                value = "".join(value_chars)
            else:
                token_start = j
                while j < n and text[j] in _NAME_TOKEN:
                    j += 1
                if j >= n:
                    raise HtmlParseError(f"Unclosed start tag at byte offset {offset(begin)}")
                if text[j] not in _SPACE and text[j] != ">":
                    raise HtmlParseError(
                        f"Unexpected end of name token at byte offset {offset(token_start)}"
                    )
                value = text[token_start:j]
            if tag == "a" and attribute == "href":
                argument = value
            elif tag == "code" and attribute == "class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif tag == "span" and attribute == "class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif tag == "tg-emoji" and attribute == "emoji-id":
                argument = value
            elif tag == "blockquote" and attribute == "expandable":
                argument = "expandable"
        if tag == "span" and argument != "spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {offset(begin)}'
            )
        if tag == "tg-emoji" and not (argument.isdigit() and int(argument) > 0):
            raise HtmlParseError("Invalid custom emoji identifier specified")
        stack.append((tag, argument, utf16))
        i = j + 1

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close_entity(
    entities: list[dict[str, Any]], tag: str, argument: str, start: int, end: int
) -> None:
    length = end - start
    if length <= 0:
        return
    entity: dict[str, Any] = {"type": _HTML_TAGS[tag], "offset": start, "length": length}
    if tag == "a":
        if not argument:
            return
        entity["url"] = argument
    elif tag == "code" and argument:
        entity["language"] = argument
    elif tag == "pre":
        inner = entities[-1] if entities else None
        if (
            inner is not None
            and inner["type"] == "code"
            and (inner["offset"], inner["length"]) == (start, length)
        ):
            entities.pop()
            if "language" in inner:
                entity["language"] = inner["language"]
    elif tag == "blockquote" and argument:
        entity["type"] = "expandable_blockquote"
    elif tag == "tg-emoji":
        entity["custom_emoji_id"] = argument
    entities.append(entity)


# --------------------------------------------------------------------------------------------
# Rate limits
# --------------------------------------------------------------------------------------------


class _TokenBucket:
    """``capacity`` sends at once, refilled at ``rate`` per second (infinite rate: no limit)."""

    def __init__(self, capacity: float, rate: float, now: float, jitter: float) -> None:
        self.capacity = max(capacity, 1.0)
        self.rate = rate
        self.jitter = jitter
        self.tokens = self.capacity
        self.updated = now

    def wait(self, now: float) -> float:
        """Seconds until one send is allowed (0 when allowed now)."""
        if math.isinf(self.rate):
            return 0.0
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.rate <= 0:
            return 0.0 if self.tokens >= 1.0 else math.inf
        return max(0.0, (1.0 - self.tokens) / self.rate - self.jitter)

    def take(self) -> None:
        if not math.isinf(self.rate):
            self.tokens -= 1.0


class _RateLimiter:
    """Telegram's broadcast limits as token buckets.

    Overall: ``global_per_second`` per second with a burst of as many; a private chat (positive
    id): ``per_chat_per_second`` with a burst of ``chat_burst``; a group (negative id):
    ``per_group_per_minute`` per minute with a burst of as many. ``speed`` multiplies every rate
    (the bursts stay; the jitter tolerance stays in real seconds). A client pacing itself with a
    leaky bucket at these rates (PTB's ``AIORateLimiter``) never sees a 429: a send is accepted
    up to ``RATE_LIMIT_JITTER`` seconds early.
    """

    def __init__(
        self,
        global_per_second: float,
        per_chat_per_second: float,
        per_group_per_minute: float,
        chat_burst: int,
        speed: float = 1.0,
        paid_per_second: float = 1000,
    ) -> None:
        self.speed = speed
        self.paid_per_second = paid_per_second
        self.jitter = RATE_LIMIT_JITTER  # real seconds: transport jitter is not compressed
        self.global_per_second = global_per_second
        self.per_chat_per_second = per_chat_per_second
        self.per_group_per_minute = per_group_per_minute
        self.chat_burst = chat_burst
        self.reset()

    def reset(self) -> None:
        self._global = _TokenBucket(
            self.global_per_second, self.global_per_second * self.speed, 0.0, self.jitter
        )
        self._paid = _TokenBucket(
            self.paid_per_second, self.paid_per_second * self.speed, 0.0, self.jitter
        )
        self._chats: dict[int, _TokenBucket] = {}

    def _chat_bucket(self, chat_id: int, now: float) -> _TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if chat_id > 0:
                bucket = _TokenBucket(
                    self.chat_burst, self.per_chat_per_second * self.speed, now, self.jitter
                )
            else:
                per_minute = self.per_group_per_minute
                bucket = _TokenBucket(per_minute, per_minute * self.speed / 60.0, now, self.jitter)
            self._chats[chat_id] = bucket
        return bucket

    def acquire(self, chat_id: int, now: float, paid: bool = False) -> int | None:
        """Record one send to ``chat_id`` and return None, or return retry_after seconds.

        A paid broadcast draws on the paid bucket (1,000 a second) instead of the overall one.
        """
        chat = self._chat_bucket(chat_id, now)
        overall = self._paid if paid else self._global
        wait = max(overall.wait(now), chat.wait(now))
        if wait > 0:
            return max(1, math.ceil(wait)) if math.isfinite(wait) else 3600
        overall.take()
        chat.take()
        return None


# --------------------------------------------------------------------------------------------
# The fake server
# --------------------------------------------------------------------------------------------


class FakeTelegram:
    """An in-process fake of the Telegram Bot API, served over real HTTP on 127.0.0.1.

    Public lists (``requests``, ``sent``, ``callback_answers``, ``commands``) are appended to
    from server threads under a lock; read them directly or through the helpers. Pass
    ``math.inf`` as a rate to disable that limit.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        global_per_second: float = 30,
        per_chat_per_second: float = 1,
        per_group_per_minute: float = 20,
        chat_burst: int = 3,
        speed: float = 1.0,
        paid_per_second: float = 1000,
    ) -> None:
        """``speed``: multiply every rate limit by this (a benchmark compressed in time);
        ``paid_per_second``: the limit of sends with ``allow_paid_broadcast``."""
        self.token = token
        self.speed = speed
        bot_id = token.split(":", 1)[0]
        self.bot_user: dict[str, Any] = {
            "id": int(bot_id) if bot_id.isdigit() else 123456,
            "is_bot": True,
            "first_name": "ircc-watch test bot",
            "username": "ircc_watch_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.requests: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.commands: list[dict[str, Any]] = []
        self.documents: list[dict[str, Any]] = []
        self.photos: list[dict[str, Any]] = []
        self.rate_limited: list[dict[str, Any]] = []

        self._lock = threading.RLock()
        self._local = threading.local()
        self._cond = threading.Condition(self._lock)
        self._limiter = _RateLimiter(
            global_per_second,
            per_chat_per_second,
            per_group_per_minute,
            chat_burst,
            speed,
            paid_per_second,
        )
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._poll_generation = 0
        self._methods: dict[str, tuple[str, Callable[[dict[str, Any]], Any]]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "logOut": self._ok,
                "close": self._ok,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "getUpdates": self._get_updates,
                "sendMessage": self._send_message,
                "sendDocument": self._send_document,
                "sendPhoto": self._send_photo,
                "getChatMember": self._get_chat_member,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "answerCallbackQuery": self._answer_callback_query,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
            }.items()
        }
        self._reset_state()

    def _reset_state(self) -> None:
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._updates: list[dict[str, Any]] = []
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._next_message_id: dict[int, int] = {}
        self._blocked: set[int] = set()
        self._kicked: set[int] = set()
        self._usernames: dict[str, int] = {}
        self._members: dict[tuple[int, int], str] = {}
        self._failures: dict[str, deque[list[Any]]] = {}
        self._pending_callbacks: set[str] = set()
        self._my_commands: dict[str, list[dict[str, Any]]] = {}
        self._limiter.reset()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, port: int = 0) -> FakeTelegram:
        """Bind 127.0.0.1:``port`` (0 picks a free port), serve in a daemon thread, return self."""
        if self._server is not None:
            raise RuntimeError("FakeTelegram is already started")
        self._stopping = False
        self._server = _Server(("127.0.0.1", port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-telegram:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake pending long polls and drop open connections."""
        server = self._server
        if server is None:
            return
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeTelegram:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        if self._server is None:
            raise RuntimeError("FakeTelegram is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """What to pass as PTB's ``base_url``: ``http://127.0.0.1:PORT/bot``."""
        return f"http://127.0.0.1:{self.port}/bot"

    def reset(self) -> None:
        """Forget all recorded calls, messages, updates, blocks, faults and rate-limit state."""
        with self._cond:
            for recorded in (
                self.requests,
                self.sent,
                self.callback_answers,
                self.commands,
                self.documents,
                self.photos,
                self.rate_limited,
            ):
                recorded.clear()
            self._reset_state()
            self._cond.notify_all()

    # -- helpers for tests -------------------------------------------------------------------

    def paid_messages(self) -> list[dict[str, Any]]:
        """Every message sent with ``allow_paid_broadcast`` (each one costs Stars), in order."""
        with self._lock:
            return [record for record in self.sent if record.get("paid")]

    def messages_to(self, chat_id: int) -> list[dict[str, Any]]:
        """Every message successfully sent to ``chat_id``, oldest first (edits applied)."""
        with self._lock:
            return [m for m in self.sent if m["chat_id"] == chat_id]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Poll ``predicate`` until it is true (True) or ``timeout`` seconds pass (False).

        This blocks the calling thread: inside a running event loop (where PTB itself runs),
        use ``await fake.wait_for_async(...)`` instead; calling this there raises RuntimeError.
        """
        if predicate():
            return True
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError(
                "wait_for() would block the running event loop; "
                "use `await fake.wait_for_async(...)` instead"
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(0.005)
            if predicate():
                return True
        return False

    async def wait_for_async(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Like :meth:`wait_for`, but awaits ``asyncio.sleep`` so the event loop keeps running."""
        deadline = time.monotonic() + timeout
        while True:
            if predicate():
                return True
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.005)

    def inject_update(self, update: dict[str, Any]) -> int:
        """Queue a raw Update (without ``update_id``) for getUpdates; return its update_id."""
        with self._cond:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, **update})
            self._cond.notify_all()
        return update_id

    def inject_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        language_code: str = "en",
        chat_type: str = "private",
    ) -> int:
        """Queue an Update with a Message from a user; return its update_id.

        ``user_id`` defaults to ``chat_id`` in private chats and 1 elsewhere. A private chat that
        was blocked is unblocked (a user must unblock a bot to write to it).
        """
        if user_id is None:
            user_id = chat_id if chat_type == "private" else 1
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": "Test",
            "last_name": f"User {user_id}",
            "username": f"user{user_id}",
        }
        if language_code:
            user["language_code"] = language_code
        with self._cond:
            if chat_type == "private":
                self._blocked.discard(chat_id)
            message: dict[str, Any] = {
                "message_id": self._new_message_id(chat_id),
                "from": user,
                "chat": self._chat(chat_id, chat_type),
                "date": int(time.time()),
                "text": text,
            }
            if text.startswith("/"):
                command = re.split(r"\s", text, maxsplit=1)[0]
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
                ]
            self._messages[(chat_id, message["message_id"])] = {"tg": message, "record": None}
            return self.inject_update({"message": message})

    def inject_callback(
        self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None
    ) -> int:
        """Queue an Update with a CallbackQuery pressed on a bot message; return its update_id."""
        with self._cond:
            stored = self._messages.get((chat_id, message_id))
            if stored is None or stored["record"] is None:
                raise ValueError(f"no message {message_id} sent by the bot to chat {chat_id}")
            message = json.loads(json.dumps(stored["tg"]))
            if user_id is None:
                user_id = chat_id if message["chat"]["type"] == "private" else 1
            query_id = str(next(self._callback_ids))
            self._pending_callbacks.add(query_id)
            query = {
                "id": query_id,
                "from": {
                    "id": user_id,
                    "is_bot": False,
                    "first_name": "Test",
                    "last_name": f"User {user_id}",
                    "username": f"user{user_id}",
                    "language_code": "en",
                },
                "message": message,
                "chat_instance": str(abs(chat_id) * 7919),
                "data": data,
            }
            return self.inject_update({"callback_query": query})

    def block(self, chat_id: int) -> None:
        """Make sends and edits to ``chat_id`` fail with 403 "bot was blocked by the user"."""
        with self._lock:
            self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """Undo :meth:`block`."""
        with self._lock:
            self._blocked.discard(chat_id)

    def add_channel(self, username: str, chat_id: int) -> None:
        """Make ``@username`` name the channel ``chat_id`` (a negative -100… id)."""
        with self._lock:
            self._usernames[username.lstrip("@").lower()] = chat_id

    def kick(self, chat_id: int) -> None:
        """The bot was removed from the group or channel: sends fail with 403."""
        with self._lock:
            self._kicked.add(chat_id)

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """The status getChatMember reports: "creator", "administrator", "member", "left"."""
        with self._lock:
            self._members[(chat_id, user_id)] = status

    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail with this error (queued in order)."""
        with self._lock:
            queue = self._failures.setdefault(method.lower(), deque())
            queue.append([status, description, retry_after, count])

    # -- HTTP entry point --------------------------------------------------------------------

    def _handle_http(
        self,
        path: str,
        query: str,
        content_type: str,
        body: bytes,
        connected: Callable[[], bool] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        at = time.time()
        self._local.connected = connected
        match = re.fullmatch(r"/bot([^/]*)/([^/]*)", path)
        method = match.group(2) if match else path
        params: dict[str, Any] = {}
        try:
            params = _decode_params(query, content_type, body)
            if match is None:
                raise _ApiError(404, "Not Found")
            if match.group(1) != self.token:
                raise _ApiError(401, "Unauthorized")
            entry = self._methods.get(method.lower())
            if entry is None:
                raise _ApiError(404, "Not Found")
            method, handler = entry
            self._injected_failure(method)
            status, payload = 200, {"ok": True, "result": handler(params)}
        except _ApiError as error:
            status, payload = error.status, error.payload()
        with self._lock:
            self.requests.append(
                {
                    "method": method,
                    "params": params,
                    "status": status,
                    "at": at,
                    "response": payload,
                }
            )
        log.debug("%s %s -> %s", method, params, status)
        return status, payload

    def _injected_failure(self, method: str) -> None:
        with self._lock:
            queue = self._failures.get(method.lower())
            if not queue:
                return
            failure = queue[0]
            failure[3] -= 1
            if failure[3] <= 0:
                queue.popleft()
        raise _ApiError(failure[0], failure[1], failure[2])

    # -- methods -----------------------------------------------------------------------------

    def _ok(self, params: dict[str, Any]) -> bool:
        return True

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return dict(self.bot_user)

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates") in (True, "true", "True", 1):
            with self._cond:
                self._updates.clear()
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            pending = len(self._updates)
        return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = _int_param(params, "offset", 0)
        limit = min(max(_int_param(params, "limit", 100), 1), 100)
        try:
            timeout = max(float(params.get("timeout") or 0), 0.0)
        except (TypeError, ValueError):
            raise _ApiError(400, "Bad Request: invalid timeout specified") from None
        allowed = params.get("allowed_updates")
        connected = getattr(self._local, "connected", None)
        deadline = time.monotonic() + timeout
        with self._cond:
            self._poll_generation += 1
            generation = self._poll_generation
            self._cond.notify_all()
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:
                self._updates = self._updates[offset:]
            if isinstance(allowed, list) and allowed:
                self._updates = [u for u in self._updates if _update_type(u) in allowed]
            while True:
                if generation != self._poll_generation:
                    if connected is not None and not connected():
                        raise _ApiError(499, "Client Closed Request")
                    raise _ApiError(409, _CONFLICT)
                if self._updates or self._stopping:
                    return json.loads(json.dumps(self._updates[:limit]))
                if connected is not None and not connected():
                    raise _ApiError(499, "Client Closed Request")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._cond.wait(remaining if connected is None else min(remaining, 0.05))

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        text, entities, parse_mode = _message_text(params)
        markup = _reply_markup(params.get("reply_markup"))
        paid = params.get("allow_paid_broadcast") in (True, "true", "True", 1)
        with self._lock:
            retry_after = self._limiter.acquire(chat_id, time.monotonic(), paid)
            if retry_after is not None:
                self.rate_limited.append(
                    {"chat_id": chat_id, "retry_after": retry_after, "at": time.time()}
                )
                raise _ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
            message_id = self._new_message_id(chat_id)
            message: dict[str, Any] = {
                "message_id": message_id,
                "from": {
                    key: self.bot_user[key] for key in ("id", "is_bot", "first_name", "username")
                },
                "chat": self._chat(chat_id),
                "date": int(time.time()),
                "text": text,
            }
            if entities:
                message["entities"] = entities
            if markup is not None and "inline_keyboard" in markup:
                message["reply_markup"] = markup
            record = {
                "message_id": message_id,
                "chat_id": chat_id,
                "text": params["text"],
                "parse_mode": parse_mode,
                "reply_markup": markup,
                "at": time.time(),
                "visible_text": text,
                "reply_to": _reply_to(params),
                "paid": paid,
            }
            self._messages[(chat_id, message_id)] = {"tg": message, "record": record}
            self.sent.append(record)
            return json.loads(json.dumps(message))

    def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        document = params.get("document")
        if not isinstance(document, dict) or "content" not in document:
            raise _ApiError(400, "Bad Request: there is no document in the request")
        caption = str(params.get("caption") or "")
        if len(caption) > 1024:
            raise _ApiError(400, "Bad Request: message caption is too long")
        with self._lock:
            retry_after = self._limiter.acquire(chat_id, time.monotonic())
            if retry_after is not None:
                raise _ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
            message_id = self._new_message_id(chat_id)
            message = {
                "message_id": message_id,
                "from": {
                    key: self.bot_user[key] for key in ("id", "is_bot", "first_name", "username")
                },
                "chat": self._chat(chat_id),
                "date": int(time.time()),
                "document": {
                    "file_id": f"doc{message_id}",
                    "file_unique_id": f"udoc{message_id}",
                    "file_name": document["filename"],
                    "file_size": document["size"],
                },
                "caption": caption,
            }
            self.documents.append(
                {
                    "chat_id": chat_id,
                    "message_id": message_id,
                    "filename": document["filename"],
                    "content": document["content"],
                    "caption": caption,
                }
            )
            return json.loads(json.dumps(message))

    def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        """sendPhoto with Telegram's limits: an uploaded PNG or JPEG of at most 10 MB, width and
        height adding up to at most 10,000 px in a ratio of at most 20, a caption of at most
        1,024 characters once its HTML is parsed. Photos are kept in :attr:`photos`."""
        chat_id = self._chat_id(params)
        photo = params.get("photo")
        if not isinstance(photo, dict) or "b64" not in photo:
            raise _ApiError(400, "Bad Request: there is no photo in the request")
        data = base64.b64decode(photo["b64"])
        if len(data) > PHOTO_MAX_BYTES:
            raise _ApiError(400, "Bad Request: file is too big")
        size = _image_size(data)
        if size is None:
            raise _ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        width, height = size
        if width + height > 10_000 or max(width, height) > 20 * min(width, height):
            raise _ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
        raw_caption = str(params.get("caption") or "")
        parse_mode = params.get("parse_mode")
        caption = parse_html(raw_caption)[0] if parse_mode == "HTML" else raw_caption
        if _utf16_len(caption) > CAPTION_MAX:
            raise _ApiError(400, "Bad Request: message caption is too long")
        with self._lock:
            retry_after = self._limiter.acquire(chat_id, time.monotonic())
            if retry_after is not None:
                raise _ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
            message_id = self._new_message_id(chat_id)
            message = {
                "message_id": message_id,
                "from": {
                    key: self.bot_user[key] for key in ("id", "is_bot", "first_name", "username")
                },
                "chat": self._chat(chat_id),
                "date": int(time.time()),
                "photo": [
                    {
                        "file_id": f"photo{message_id}",
                        "file_unique_id": f"uphoto{message_id}",
                        "width": width,
                        "height": height,
                        "file_size": len(data),
                    }
                ],
                "caption": caption,
            }
            self.photos.append(
                {
                    "chat_id": chat_id,
                    "message_id": message_id,
                    "data": data,
                    "width": width,
                    "height": height,
                    "caption": raw_caption,
                    "visible_caption": caption,
                    "parse_mode": parse_mode,
                }
            )
            return json.loads(json.dumps(message))

    def photos_to(self, chat_id: int) -> list[dict[str, Any]]:
        """Every photo sent to ``chat_id``, oldest first."""
        with self._lock:
            return [p for p in self.photos if p["chat_id"] == chat_id]

    def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        user_id = _int_param(params, "user_id", 0)
        if user_id <= 0:
            raise _ApiError(400, "Bad Request: invalid user_id specified")
        with self._lock:
            default = "member" if chat_id < 0 else ("member" if user_id == chat_id else "left")
            status = self._members.get((chat_id, user_id), default)
        user = {"id": user_id, "is_bot": False, "first_name": "Test", "username": f"user{user_id}"}
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": True,
                    "can_restrict_members": True,
                    "can_promote_members": False,
                    "can_change_info": True,
                    "can_invite_users": True,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                }
            )
        return member

    def _stored_bot_message(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("inline_message_id"):
            raise _ApiError(400, "Bad Request: message to edit not found")
        chat_id = self._chat_id(params)
        message_id = _int_param(params, "message_id", 0)
        stored = self._messages.get((chat_id, message_id))
        if stored is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if stored["record"] is None:
            raise _ApiError(400, "Bad Request: message can't be edited")
        return stored

    def _apply_edit(
        self,
        stored: dict[str, Any],
        text: str,
        entities: list[dict[str, Any]],
        markup: dict[str, Any] | None,
        record_changes: dict[str, Any],
    ) -> dict[str, Any]:
        message = stored["tg"]
        inline = markup if markup is not None and "inline_keyboard" in markup else None
        if (
            message["text"] == text
            and message.get("entities", []) == entities
            and message.get("reply_markup") == inline
        ):
            raise _ApiError(400, _NOT_MODIFIED)
        message["text"] = text
        message.pop("entities", None)
        message.pop("reply_markup", None)
        if entities:
            message["entities"] = entities
        if inline is not None:
            message["reply_markup"] = inline
        message["edit_date"] = int(time.time())
        stored["record"].update(record_changes, reply_markup=inline, edited_at=time.time())
        return json.loads(json.dumps(message))

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        text, entities, parse_mode = _message_text(params)
        markup = _reply_markup(params.get("reply_markup"))
        with self._lock:
            stored = self._stored_bot_message(params)
            changes = {"text": params["text"], "parse_mode": parse_mode, "visible_text": text}
            return self._apply_edit(stored, text, entities, markup, changes)

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        markup = _reply_markup(params.get("reply_markup"))
        with self._lock:
            stored = self._stored_bot_message(params)
            message = stored["tg"]
            return self._apply_edit(
                stored, message["text"], message.get("entities", []), markup, {}
            )

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        with self._lock:
            if query_id not in self._pending_callbacks:
                raise _ApiError(400, _BAD_CALLBACK)
            if len(str(params.get("text") or "")) > 200:
                raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
            self._pending_callbacks.discard(query_id)
            self.callback_answers.append({**params, "at": time.time()})
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> str:
        scope = params.get("scope") or {"type": "default"}
        if isinstance(scope, str):
            try:
                scope = json.loads(scope)
            except ValueError:
                raise _ApiError(
                    400, "Bad Request: can't parse BotCommandScope JSON object"
                ) from None
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if isinstance(commands, str):
            try:
                commands = json.loads(commands)
            except ValueError:
                commands = None
        if not isinstance(commands, list):
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise _ApiError(400, "Bad Request: too many commands specified")
        for command in commands:
            if not isinstance(command, dict) or not re.fullmatch(
                r"[a-z0-9_]{1,32}", str(command.get("command", ""))
            ):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params)
        with self._lock:
            self._my_commands[key] = commands
            self.commands.append({**params, "commands": commands, "at": time.time()})
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        key = self._commands_key(params)
        with self._lock:
            return list(self._my_commands.get(key, []))

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        key = self._commands_key(params)
        with self._lock:
            self._my_commands.pop(key, None)
        return True

    # -- small helpers -----------------------------------------------------------------------

    def _chat_id(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            with self._lock:
                resolved = self._usernames.get(chat_id[1:].lower())
            if resolved is None:
                raise _ApiError(400, "Bad Request: chat not found")
            chat_id = resolved
        if isinstance(chat_id, bool) or not isinstance(chat_id, int) or chat_id == 0:
            raise _ApiError(400, "Bad Request: chat not found")
        with self._lock:
            if chat_id in self._blocked:
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
            if chat_id in self._kicked:
                kind = "channel" if chat_id in self._usernames.values() else "group"
                raise _ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        return chat_id

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _chat(self, chat_id: int, chat_type: str | None = None) -> dict[str, Any]:
        usernames = {v: k for k, v in self._usernames.items()}
        if chat_type is None and chat_id in usernames:
            return {
                "id": chat_id,
                "type": "channel",
                "title": f"Test channel {chat_id}",
                "username": usernames[chat_id],
            }
        if chat_type is None:
            if chat_id > 0:
                chat_type = "private"
            elif chat_id <= -1_000_000_000_000:
                chat_type = "supergroup"
            else:
                chat_type = "group"
        if chat_type == "private":
            return {"id": chat_id, "type": "private", "first_name": "Test"}
        return {"id": chat_id, "type": chat_type, "title": f"Test chat {chat_id}"}


def _reply_to(params: dict[str, Any]) -> int | None:
    """The message a send replies to (``reply_parameters`` or ``reply_to_message_id``)."""
    reply = params.get("reply_parameters")
    if isinstance(reply, str):
        with contextlib.suppress(ValueError):
            reply = json.loads(reply)
    if isinstance(reply, dict) and isinstance(reply.get("message_id"), int):
        return reply["message_id"]
    value = params.get("reply_to_message_id")
    return value if isinstance(value, int) else None


def _update_type(update: dict[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


def _int_param(params: dict[str, Any], name: str, default: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _ApiError(400, f"Bad Request: invalid {name} specified") from None


def _message_text(params: dict[str, Any]) -> tuple[str, list[dict[str, Any]], str | None]:
    """Validate ``text``/``parse_mode``; return (visible text, entities, parse_mode)."""
    raw = params.get("text")
    if raw is None or raw == "":
        raise _ApiError(400, "Bad Request: message text is empty")
    raw = str(raw)
    params["text"] = raw
    parse_mode = params.get("parse_mode") or None
    entities: list[dict[str, Any]] = []
    if parse_mode is None:
        text = raw
        given = params.get("entities")
        if isinstance(given, list):
            entities = given
    elif str(parse_mode).lower() == "html":
        try:
            text, entities = parse_html(raw)
        except HtmlParseError as error:
            raise _ApiError(400, f"Bad Request: can't parse entities: {error}") from None
    elif str(parse_mode).lower() in ("markdown", "markdownv2"):
        text = raw
    else:
        raise _ApiError(400, "Bad Request: unsupported parse_mode")
    if not text.strip():
        raise _ApiError(400, "Bad Request: message text is empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise _ApiError(400, "Bad Request: message is too long")
    return text, entities, parse_mode


def _reply_markup(value: Any) -> dict[str, Any] | None:
    """Decode and validate a reply_markup parameter (inline keyboards checked like Telegram)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    if not isinstance(value, dict):
        raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in value:
        return value
    rows = value["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _ApiError(400, "Bad Request: can't parse inline keyboard button: expected an Array")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise _ApiError(
                    400, "Bad Request: can't parse inline keyboard button: Text must be a String"
                )
            if not _BUTTON_ACTIONS.intersection(button):
                raise _ApiError(
                    400,
                    "Bad Request: can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard",
                )
            if "callback_data" in button:
                size = len(str(button["callback_data"]).encode("utf-8"))
                if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                    raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if "url" in button and not re.match(r"(?i)(https?|tg)://\S", str(button["url"])):
                raise _ApiError(
                    400,
                    f"Bad Request: inline keyboard button URL '{button['url']}' is invalid: "
                    "Wrong HTTP URL",
                )
    return value


def _coerce(name: str, value: str) -> Any:
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG or baseline/progressive JPEG, None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if not data.startswith(b"\xff\xd8"):
        return None
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            return None
        marker, length = data[pos + 1], int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            height = int.from_bytes(data[pos + 5 : pos + 7], "big")
            return int.from_bytes(data[pos + 7 : pos + 9], "big"), height
        pos += 2 + length
    return None


def _decode_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Merge query-string and body parameters (JSON, form-encoded or multipart)."""
    params: dict[str, Any] = {k: _coerce(k, v) for k, v in parse_qsl(query, True)}
    media_type = content_type.split(";", 1)[0].strip().lower()
    if not body.strip():
        return params
    if media_type == "application/json":
        try:
            decoded = json.loads(body)
        except ValueError:
            raise _ApiError(400, "Bad Request: can't parse JSON encoded request body") from None
        if not isinstance(decoded, dict):
            raise _ApiError(400, "Bad Request: can't parse JSON encoded request body")
        params.update(decoded)
    elif media_type == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not name:
                continue
            payload = part.get_payload(decode=True) or b""
            if part.get_filename():
                params[str(name)] = {
                    "filename": part.get_filename(),
                    "size": len(payload),
                    "content": payload.decode("utf-8", "replace"),
                    "b64": base64.b64encode(payload).decode("ascii"),
                }
            else:
                charset = part.get_content_charset() or "utf-8"
                params[str(name)] = _coerce(str(name), payload.decode(charset, "replace"))
    else:
        text = body.decode("utf-8", "replace")
        params.update({k: _coerce(k, v) for k, v in parse_qsl(text, True)})
    return params


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    """Bot API requests (``/bot<token>/<method>``) plus a control API for other processes.

    Control API (JSON in, JSON out): ``GET /_fake/sent``, ``GET /_fake/requests``,
    ``GET /_fake/rate_limited``, ``POST /_fake/inject_message``, ``/_fake/inject_callback``,
    ``/_fake/block``, ``/_fake/unblock``, ``/_fake/fail_next``, ``/_fake/reset``,
    ``/_fake/add_channel``, ``/_fake/kick``, ``/_fake/set_member`` with the keyword arguments of
    the matching :class:`FakeTelegram` method as a JSON object.
    """

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: _Server

    def do_POST(self) -> None:  # noqa: N802 - name required by BaseHTTPRequestHandler
        """Serve one request."""
        try:
            body = self._read_body()
        except (OSError, ValueError):
            self.close_connection = True
            return
        parts = urlsplit(self.path)
        if parts.path.startswith("/_fake/"):
            status, payload = self._control(parts.path[len("/_fake/") :], body)
        else:
            status, payload = self.server.fake._handle_http(
                parts.path,
                parts.query,
                self.headers.get("Content-Type", ""),
                body,
                self._client_connected,
            )
        self._reply(status, payload)

    do_GET = do_POST

    def _client_connected(self) -> bool:
        """Whether the client still holds the connection open (peeks without blocking)."""
        if not hasattr(socket, "MSG_DONTWAIT"):
            return True
        try:
            data = self.connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            return True
        except OSError:
            return False
        return bool(data)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _control(self, action: str, body: bytes) -> tuple[int, Any]:
        fake = self.server.fake
        try:
            kwargs = json.loads(body) if body.strip() else {}
            if action == "sent":
                return 200, list(fake.sent)
            if action == "requests":
                return 200, list(fake.requests)
            if action == "rate_limited":
                return 200, list(fake.rate_limited)
            calls: dict[str, Callable[..., Any]] = {
                "inject_message": fake.inject_message,
                "inject_callback": fake.inject_callback,
                "block": fake.block,
                "unblock": fake.unblock,
                "fail_next": fake.fail_next,
                "reset": fake.reset,
                "add_channel": fake.add_channel,
                "kick": fake.kick,
                "set_member": fake.set_member,
            }
            if action not in calls:
                return 404, {"ok": False, "error": f"unknown control action {action!r}"}
            return 200, {"ok": True, "result": calls[action](**kwargs)}
        except (TypeError, ValueError) as error:
            return 400, {"ok": False, "error": str(error)}

    def _reply(self, status: int, payload: Any) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Route the stdlib access log to this module's logger (debug level)."""
        log.debug("%s - " + format, self.address_string(), *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: FakeTelegram) -> None:
        self.fake = fake
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind() does a reverse DNS lookup (socket.getfqdn); skip it.
        socketserver.TCPServer.server_bind(self)
        self.server_name = "127.0.0.1"
        self.server_port = int(self.server_address[1])

    def finish_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        try:
            super().finish_request(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.discard(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


def main(argv: list[str] | None = None) -> None:
    """Run the fake server from the command line until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=8081, help="TCP port (0 picks a free one)")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--global-per-second", type=float, default=30)
    parser.add_argument("--per-chat-per-second", type=float, default=1)
    parser.add_argument("--per-group-per-minute", type=float, default=20)
    parser.add_argument("--chat-burst", type=int, default=3)
    parser.add_argument("--speed", type=float, default=1.0, help="multiply every rate limit")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(message)s",
    )
    fake = FakeTelegram(
        args.token,
        global_per_second=args.global_per_second,
        per_chat_per_second=args.per_chat_per_second,
        per_group_per_minute=args.per_group_per_minute,
        chat_burst=args.chat_burst,
        speed=args.speed,
    ).start(args.port)
    print(fake.base_url, flush=True)
    print(f"token: {fake.token}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()

"""The fake Telegram Bot API server, driven by the real python-telegram-bot over real HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
import math
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from tests.fakes.telegram_api import FakeTelegram, HtmlParseError, _RateLimiter, parse_html

CHAT = 4242


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's future RetryAfter.retry_after type; without it PTB 22.8 warns."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture(scope="module")
def server() -> Iterator[FakeTelegram]:
    with FakeTelegram() as shared:
        yield shared


@pytest.fixture
def fake(server: FakeTelegram) -> FakeTelegram:
    server.reset()
    return server


@pytest.fixture(scope="module")
async def bot(server: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(server.token, base_url=server.base_url) as client:
        yield client


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d.title(), callback_data=d) for d in data]])


def post(url: str, body: bytes, content_type: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, body, {"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


# -- sending -----------------------------------------------------------------------------------


async def test_bot_sends_message_and_fake_records_it(fake: FakeTelegram, bot: Bot) -> None:
    message = await bot.send_message(CHAT, "New draw #291", reply_markup=keyboard("unsubscribe"))

    assert message.message_id == 1
    assert message.chat.id == CHAT
    assert message.from_user is not None and message.from_user.username == "ircc_watch_test_bot"
    assert message.reply_markup == keyboard("unsubscribe")
    [sent] = fake.messages_to(CHAT)
    assert sent["text"] == "New draw #291"
    assert sent["message_id"] == 1 and sent["chat_id"] == CHAT and sent["parse_mode"] is None
    assert sent["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "unsubscribe"
    [request] = fake.requests
    assert request["method"] == "sendMessage" and request["status"] == 200
    assert request["params"]["chat_id"] == CHAT  # form-encoded "4242" decoded to an int


async def test_message_ids_increase_per_chat(fake: FakeTelegram, bot: Bot) -> None:
    ids = [(await bot.send_message(chat, "x")).message_id for chat in (1, 1, 2, 1)]
    assert ids == [1, 2, 1, 3]
    assert [m["message_id"] for m in fake.messages_to(1)] == [1, 2, 3]


async def test_json_form_and_multipart_bodies_are_accepted(fake: FakeTelegram) -> None:
    url = f"{fake.base_url}{fake.token}/sendMessage"
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    body = json.dumps({"chat_id": 7, "text": "json", "reply_markup": markup}).encode()
    assert post(url, body, "application/json")[0] == 200
    async with httpx.AsyncClient() as client:
        form = await client.post(url, data={"chat_id": "7", "text": "123"})
        multipart = await client.post(
            url, data={"chat_id": "7", "text": "multi"}, files={"doc": ("a.txt", b"abc")}
        )
        query = await client.get(f"{fake.base_url}{fake.token}/getMe?x=1")
    assert form.status_code == multipart.status_code == query.status_code == 200
    assert [m["text"] for m in fake.messages_to(7)] == ["json", "123", "multi"]
    assert fake.messages_to(7)[0]["reply_markup"] == markup
    assert fake.requests[2]["params"]["doc"] == {
        "filename": "a.txt",
        "size": 3,
        "content": "abc",
        "b64": "YWJj",  # the bytes as sent (sendPhoto reads the image from them)
    }


async def test_token_placeholder_in_base_url(fake: FakeTelegram) -> None:
    base = f"http://127.0.0.1:{fake.port}/bot{{token}}"
    async with Bot(fake.token, base_url=base) as client:
        assert (await client.get_me()).first_name == "ircc-watch test bot"


async def test_wrong_token_and_unknown_method(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=fake.base_url):
            pass
    status, body = post(f"{fake.base_url}{fake.token}/sendPigeon", b"", "application/json")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    assert [r["status"] for r in fake.requests[-2:]] == [401, 404]


# -- polling -----------------------------------------------------------------------------------


async def test_application_polls_and_answers_start_and_callback(fake: FakeTelegram) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_html(
            "<b>Welcome</b>, choose a topic", reply_markup=keyboard("express-entry")
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer(f"Subscribed to {query.data}")
        await query.edit_message_text(f"Subscribed to <i>{query.data}</i>", parse_mode="HTML")

    app: Application = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.updater.start_polling(poll_interval=0, timeout=5)
        await app.start()
        fake.inject_message(CHAT, "/start", language_code="fr")
        assert await fake.wait_for_async(lambda: len(fake.messages_to(CHAT)) == 1, timeout=5)
        [welcome] = fake.messages_to(CHAT)
        assert welcome["message_id"] == 2  # the user's /start took message_id 1
        assert welcome["visible_text"] == "Welcome, choose a topic"

        fake.inject_callback(CHAT, welcome["message_id"], "express-entry")
        assert await fake.wait_for_async(lambda: "edited_at" in welcome, timeout=5)
        began = time.monotonic()
        await app.updater.stop()
        await app.stop()
        assert time.monotonic() - began < 1

    assert fake.callback_answers[0]["text"] == "Subscribed to express-entry"
    assert welcome["text"] == "Subscribed to <i>express-entry</i>"
    assert welcome["reply_markup"] is None  # editing text without a keyboard removes it
    polls = [r for r in fake.requests if r["method"] == "getUpdates"]
    assert polls[0]["params"] == {"offset": 0, "timeout": 5}
    # stop() cancels the pending long poll (recorded as 499 once the fake sees the socket close)
    # and then calls getUpdates once more with timeout 0 to confirm what it has read
    assert {"offset": 3, "timeout": 0} in [p["params"] for p in polls]
    assert [p["status"] for p in polls].count(499) == 1
    assert all(p["status"] in (200, 499) for p in polls)
    assert fake.requests[1]["method"] == "deleteWebhook"


async def test_get_updates_long_polls_and_honours_offset(fake: FakeTelegram, bot: Bot) -> None:
    began = time.monotonic()
    assert await bot.get_updates(timeout=dt.timedelta(seconds=0.3)) == ()
    assert 0.25 < time.monotonic() - began < 0.8

    waiting = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    began = time.monotonic()
    first = fake.inject_message(CHAT, "hello")
    [update] = await waiting
    assert time.monotonic() - began < 0.5  # woken by the injection, not the timeout
    assert update.update_id == first and update.message is not None

    second = fake.inject_message(CHAT, "/help me")
    assert [u.update_id for u in await bot.get_updates(limit=1)] == [first]
    [update] = await bot.get_updates(offset=second)
    assert update.message is not None and update.message.text == "/help me"
    assert update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/help")
    assert await bot.get_updates(offset=second + 1) == ()


async def test_inject_callback_needs_a_bot_message(fake: FakeTelegram) -> None:
    fake.inject_message(CHAT, "hi")
    with pytest.raises(ValueError):
        fake.inject_callback(CHAT, 1, "x")


# -- limits and faults -------------------------------------------------------------------------


async def test_per_chat_rate_limit_returns_429(fake: FakeTelegram, bot: Bot) -> None:
    for _ in range(3):  # the burst
        await bot.send_message(CHAT, "ok")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(CHAT, "too fast")
    assert caught.value.retry_after.total_seconds() >= 1
    response = fake.requests[-1]["response"]
    assert fake.requests[-1]["status"] == 429
    assert response["description"] == "Too Many Requests: retry after 1"
    assert response["parameters"] == {"retry_after": 1}
    await bot.send_message(CHAT + 1, "another chat is fine")
    assert len(fake.messages_to(CHAT)) == 3


async def test_global_and_group_rate_limits() -> None:
    limits = {"global_per_second": 3, "per_chat_per_second": math.inf, "per_group_per_minute": 2}
    with FakeTelegram(**limits) as fake:
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            await bot.send_message(-100, "g1")
            await bot.send_message(-100, "g2")
            with pytest.raises(RetryAfter):
                await bot.send_message(-100, "g3")
            # 2 a minute: one more every 30 s once the burst is spent
            assert fake.requests[-1]["response"]["parameters"]["retry_after"] == 30
            await bot.send_message(1, "p1")
            with pytest.raises(RetryAfter):
                await bot.send_message(2, "p2")


async def test_blocked_chat_is_forbidden(fake: FakeTelegram, bot: Bot) -> None:
    fake.block(CHAT)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "hello")
    assert fake.requests[-1]["status"] == 403
    fake.inject_message(CHAT, "/start")  # writing to the bot again means it was unblocked
    await bot.send_message(CHAT, "hello")


async def test_fail_next_injects_faults(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("sendMessage", 500, "Internal Server Error", count=2)
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(CHAT, "x")
    with pytest.raises(RetryAfter):
        await bot.send_message(CHAT, "x")
    await bot.send_message(CHAT, "x")
    assert [r["status"] for r in fake.requests] == [500, 500, 429, 200]


@pytest.mark.parametrize("chat_id", [0, None])
async def test_missing_chat_is_not_found(fake: FakeTelegram, chat_id: int | None) -> None:
    body = json.dumps({"chat_id": chat_id, "text": "x"}).encode()
    status, response = post(f"{fake.base_url}{fake.token}/sendMessage", body, "application/json")
    assert (status, response["description"]) == (400, "Bad Request: chat not found")


# -- text validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "CRS < 500",
        "AT&T",
        "&nbsp;",
        "<b>unclosed",
        "<b><i>crossed</b></i>",
        "</b>",
        "<div>x</div>",
        "<br/>",
        '<span class="x">x</span>',
        "<a href=http://x>x</a>",
    ],
)
async def test_bad_html_is_rejected(bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(CHAT, text, parse_mode=ParseMode.HTML)


async def test_valid_nested_html_with_escaped_page_text(fake: FakeTelegram, bot: Bot) -> None:
    page = 'Draw #291: CRS <531> & "Canadian Experience Class" 🇨🇦'
    url = "https://www.canada.ca/en?a=1&b=2"
    text = (
        f"<b>New draw</b>\n<blockquote expandable><i>{html.escape(page)}</i> "
        f'<a href="{html.escape(url)}"><u>details</u></a></blockquote>\n'
        '<pre><code class="language-json">{&quot;crs&quot;: 531}</code></pre> &#127809;'
    )
    message = await bot.send_message(CHAT, text, parse_mode=ParseMode.HTML)
    assert message.text == f'New draw\n{page} details\n{{"crs": 531}} 🍁'
    kinds = {e.type: e for e in message.entities}
    assert kinds["text_link"].url == url
    assert kinds["pre"].language == "json"
    assert message.parse_entity(kinds["italic"]) == page
    assert message.parse_entity(kinds["underline"]) == "details"
    assert "expandable_blockquote" in kinds
    assert fake.sent[0]["text"] == text


async def test_length_is_counted_after_parsing(bot: Bot) -> None:
    await bot.send_message(CHAT, "<b>" + "a" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    await bot.send_message(CHAT + 1, "&lt;" * 4096, parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(CHAT + 2, "a" * 4097)
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(CHAT + 2, "<i>" + "a" * 4097 + "</i>", parse_mode="HTML")


@pytest.mark.parametrize(("text", "mode"), [("", None), ("<b></b>", "HTML"), ("  \n", None)])
async def test_empty_text_is_rejected(bot: Bot, text: str, mode: str | None) -> None:
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(CHAT, text, parse_mode=mode)


async def test_callback_data_over_64_bytes_is_rejected(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "x", reply_markup=keyboard("é" * 33))


def test_parse_html_entities_use_utf16_offsets() -> None:
    text, entities = parse_html("🇨🇦 <b>CRS</b> <tg-spoiler>531</tg-spoiler>")
    assert text == "🇨🇦 CRS 531"
    assert entities == [
        {"type": "bold", "offset": 5, "length": 3},
        {"type": "spoiler", "offset": 9, "length": 3},
    ]
    with pytest.raises(HtmlParseError, match='Unsupported start tag "p" at byte offset 9'):
        parse_html("🇨🇦 <p>")


# -- edits and commands ------------------------------------------------------------------------


async def test_edits(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "v1", reply_markup=keyboard("a"))
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("v2", chat_id=CHAT, message_id=99)
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("v1", chat_id=CHAT, message_id=1, reply_markup=keyboard("a"))
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_reply_markup(CHAT, 1, reply_markup=keyboard("a"))
    await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=keyboard("b"))
    edited = await bot.edit_message_text("<b>v2</b>", CHAT, sent.message_id, parse_mode="HTML")
    assert edited.text == "v2" and edited.reply_markup is None
    [record] = fake.messages_to(CHAT)
    assert (record["text"], record["parse_mode"], record["reply_markup"]) == (
        "<b>v2</b>",
        "HTML",
        None,
    )
    assert [r["status"] for r in fake.requests if r["method"].startswith("edit")] == [
        400,
        400,
        400,
        200,
        200,
    ]


async def test_answering_an_unknown_callback_fails(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query("nope")


async def test_commands_round_trip(fake: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Subscribe"), ("stop", "Unsubscribe")])
    await bot.set_my_commands([("start", "S'abonner")], language_code="fr")
    assert [c.command for c in await bot.get_my_commands()] == ["start", "stop"]
    assert [c.description for c in await bot.get_my_commands(language_code="fr")] == ["S'abonner"]
    assert fake.commands[1]["language_code"] == "fr"
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Start!", "bad")])
    assert await bot.log_out() is True and await bot.close() is True


# -- standalone --------------------------------------------------------------------------------


def test_standalone_server_with_control_api_stops_on_ctrl_c() -> None:
    root = Path(__file__).resolve().parents[1]
    command = [sys.executable, "-m", "tests.fakes.telegram_api", "--port", "0"]
    with subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/bot")
            token = process.stdout.readline().split(": ", 1)[1].strip()
            with urllib.request.urlopen(f"{base_url}{token}/getMe", timeout=5) as response:
                assert json.load(response)["result"]["username"] == "ircc_watch_test_bot"
            control = f"{base_url.removesuffix('/bot')}/_fake/inject_message"
            body = json.dumps({"chat_id": 5, "text": "/start"}).encode()
            assert post(control, body, "application/json") == (200, {"ok": True, "result": 1})
            with urllib.request.urlopen(f"{base_url}{token}/getUpdates", timeout=5) as response:
                assert json.load(response)["result"][0]["message"]["text"] == "/start"
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=5) == 0
        finally:
            process.kill()


def test_speed_compresses_the_limits_in_time() -> None:
    """Rates are multiplied by ``speed``, bursts stay, and the 0.1 s jitter tolerance stays in
    real seconds; read on the limiter's own clock, so the machine's load cannot change the
    verdict."""
    now = 1000.0
    fast = _RateLimiter(3, math.inf, 20, 1, speed=20)  # 60 a second
    # The burst of 3, plus 0.1 s of jitter at 60 a second: 6 more at the same instant.
    assert [fast.acquire(chat, now) for chat in range(1, 10)] == [None] * 9
    assert fast.acquire(10, now) == 1  # too fast: 429, retry_after rounded up to 1 s
    assert fast.acquire(10, now + 2 / 60) is None  # a token every 1/60 s
    normal = _RateLimiter(3, math.inf, 20, 1)
    assert [normal.acquire(chat, now) for chat in (1, 2, 3)] == [None, None, None]
    assert normal.acquire(4, now) == 1
    assert normal.acquire(4, now + 2 / 60) == 1  # at speed 1 that is far too soon
    assert normal.acquire(4, now + 1 / 3) is None


async def test_channels_members_kicks_and_documents(fake: FakeTelegram, bot: Bot) -> None:
    fake.add_channel("@news_channel", -1001)
    message = await bot.send_message("@news_channel", "post")
    assert message.chat.type == "channel" and message.chat.username == "news_channel"
    assert fake.messages_to(-1001)[0]["text"] == "post"
    edited = await bot.edit_message_text("post, edited", chat_id="@news_channel", message_id=1)
    assert edited.text == "post, edited"
    reply = await bot.send_message(-1001, "reply", reply_to_message_id=1)
    assert fake.messages_to(-1001)[-1]["reply_to"] == 1 and reply.message_id == 2
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message("@no_such_channel", "x")
    fake.kick(-1001)
    with pytest.raises(Forbidden, match="bot is not a member of the channel chat"):
        await bot.send_message("@news_channel", "x")

    fake.set_member(-5, 7, "administrator")
    fake.set_member(-5, 8, "creator")
    assert (await bot.get_chat_member(-5, 7)).status == "administrator"
    assert (await bot.get_chat_member(-5, 8)).status == "creator"
    assert (await bot.get_chat_member(-5, 9)).status == "member"

    await bot.send_document(CHAT, b'{"a": 1}', filename="x.json", caption="data")
    assert fake.documents[0]["content"] == '{"a": 1}' and fake.documents[0]["caption"] == "data"

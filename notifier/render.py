"""Telegram HTML for alerts and listings: escaped, and split at Telegram's 4,096-character limit.

Everything that came from the web (titles, summaries, diff lines, draw names) goes through
:func:`escape`, so Telegram's "can't parse entities" cannot happen. Messages are built as lines
that each open and close their own tags; :func:`split` cuts between lines, so no part ever
holds half a tag, and a single line too long for a message is cut before escaping, so no part
holds half an entity. Lengths are counted in UTF-16 code units of the HTML source, which is
never less than what Telegram counts (the visible text after parsing).
"""

from __future__ import annotations

import html
import re
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions

from diffing.durations import change_size
from diffing.formats import fmt_moment, french_spacing
from diffing.messages import clean, describe, draw_date, fmt_int, plural
from diffing.official import ROUNDS_PAGE
from diffing.wordmarks import DEL_CLOSE, DEL_OPEN, INS_CLOSE, INS_OPEN
from notifier import datakinds
from notifier.drawtypes import draw_type
from notifier.i18n import draw_type_label, t
from settings import Config

LIMIT = 4096
DIFF_LINES = 12
DIFF_LINE_CHARS = 200
REVIEW_PREFIX = "rv:"
_DRAW_KINDS = ("new_draw", "draw_corrected")
# Link previews off: alerts carry their own summary.
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_OUR_TAGS = re.compile(r"</?(?:b|i|s|u|code)>")
# The marks around changed words (diffing.wordmarks) as Telegram tags: removed words struck
# through, added words in bold.
_MARK_TAGS = {DEL_OPEN: "<s>", DEL_CLOSE: "</s>", INS_OPEN: "<b>", INS_CLOSE: "</b>"}
_CLOSING = {DEL_OPEN: DEL_CLOSE, INS_OPEN: INS_CLOSE}


def escape(text: Any) -> str:
    """Text for Telegram HTML: ``&``, ``<`` and ``>`` escaped."""
    return html.escape(str(text), quote=False)


def escape_attr(text: Any) -> str:
    """Text for a double-quoted HTML attribute."""
    return html.escape(str(text), quote=True)


def plain(text: str) -> str:
    """One of our HTML strings as plain text (for callback answers, which take no HTML)."""
    return html.unescape(_OUR_TAGS.sub("", text))


def size(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def text_lines(text: str, template: str = "{}", limit: int = LIMIT) -> list[str]:
    """Plain ``text`` as escaped HTML lines, each wrapped by ``template`` and within ``limit``."""
    budget = limit - size(template.format("")) - 2 * len("</s>")
    out: list[str] = []
    for raw in text.splitlines() or [""]:
        out += [template.format(chunk) for chunk in _marked(_chop(raw, budget))]
    return out


def _marked(chunks: list[str]) -> list[str]:
    """Escaped chunks with the change marks turned into tags, each chunk closing the tags it
    opened and reopening those still open (a line cut inside a marked run)."""
    out: list[str] = []
    opened = ""
    for chunk in chunks:
        text = _MARK_TAGS[opened] if opened else ""
        for char in chunk:
            if char in _MARK_TAGS:
                opened = char if char in _CLOSING else ""
                text += _MARK_TAGS[char]
            else:
                text += char
        if opened:
            text += _MARK_TAGS[_CLOSING[opened]]
        out.append(text)
    return out


def _chop(raw: str, budget: int) -> list[str]:
    """Escape ``raw``, cutting it (at a space when one is near) into pieces within ``budget``."""
    escaped = escape(raw)
    if size(escaped) <= budget:
        return [escaped]
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    last_space = -1
    for char in raw:
        piece = escape(char)
        if used + size(piece) > budget:
            if last_space > len(current) // 2:
                keep, rest = current[: last_space + 1], current[last_space + 1 :]
            else:
                keep, rest = current, []
            pieces.append("".join(keep))
            current, used = rest, sum(size(p) for p in rest)
            last_space = -1
        current.append(piece)
        used += size(piece)
        if char.isspace():
            last_space = len(current) - 1
    if current:
        pieces.append("".join(current))
    return pieces


def split(lines: list[str], limit: int = LIMIT) -> list[str]:
    """Join self-contained HTML lines into messages of at most ``limit``, cutting between lines."""
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for line in lines:
        extra = size(line) + (1 if current else 0)
        if current and used + extra > limit:
            parts.append("\n".join(current))
            current, used, extra = [], 0, size(line)
        current.append(line)
        used += extra
    if current:
        parts.append("\n".join(current))
    return [part.strip("\n") for part in parts if part.strip()]


def typeset(parts: list[str], lang: str) -> list[str]:
    """Message parts with French typography's spaces when they are French
    (diffing.formats.french_spacing); English parts as they are."""
    return [french_spacing(part) for part in parts] if lang == "fr" else parts


def link(url: str, label: str) -> str:
    """An HTML link with an escaped address and label."""
    return f'<a href="{escape_attr(url)}">{escape(label)}</a>'


def review_url(config: Config, change_id: int) -> str | None:
    """The review page of a change, once the review page is configured."""
    if config.review is None:
        return None
    return f"http://{config.review.host}:{config.review.port}/changes/{change_id}"


def diff_excerpt(diff: str | None, lines: int = DIFF_LINES) -> list[str]:
    """The first changed lines of a unified diff ("+"/"-", no file headers), shortened."""
    out: list[str] = []
    changed = [
        line
        for line in (diff or "").splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    for line in changed[:lines]:
        out.append(line if len(line) <= DIFF_LINE_CHARS else line[: DIFF_LINE_CHARS - 1] + "…")
    if len(changed) > lines:
        out.append(f"… (+{len(changed) - lines})")
    return out


def official_url(change: dict[str, Any], config: Config, lang: str) -> str | None:
    """The official page a reader should open for this change.

    A draw's watch reads the rounds JSON feed: readers get the rounds page in their language.
    A news entry links to the entry itself; every other change to the page it was seen on.
    """
    data = change.get("data") or {}
    kind = _watch_kind(config, change["watch"])
    if kind == "ee-rounds" or change["kind"] in _DRAW_KINDS:
        return ROUNDS_PAGE.get(lang, ROUNDS_PAGE["en"])
    page = datakinds.official_page(kind, lang)
    if page:
        return page
    for key in ("url", "link"):
        value = data.get(key)
        if isinstance(value, str) and value.startswith(("https://", "http://")):
            return value
    return change.get("url")


def change_diff(change: dict[str, Any]) -> list[str]:
    """The "+"/"-" lines of THIS change (not of the whole check that found it).

    Field corrections show each field old → new, sentence changes their before and after;
    a page change (which is the page's whole diff) keeps the stored unified diff.
    """
    data = change.get("data") or {}
    lines: list[str] = []
    if isinstance(data.get("changes"), dict):
        for field, pair in sorted(data["changes"].items()):
            if isinstance(pair, list) and len(pair) == 2:
                lines += [f"- {field}: {pair[0]}", f"+ {field}: {pair[1]}"]
    elif "before" in data or "after" in data:
        lines += _heading_lines(data)
        before, after = str(data.get("before") or ""), str(data.get("after") or "")
        lines += [f"- {clean(line)}" for line in before.splitlines() if clean(line)]
        lines += [f"+ {clean(line)}" for line in after.splitlines() if clean(line)]
    elif change["kind"] == "page_change" and data.get("edits"):
        section = None
        for edit in data["edits"]:
            if edit.get("section") and edit["section"] != section:
                section = edit["section"]
                lines.append(f"@ {section}")
            lines += _heading_lines(edit)
            lines += [f"- {clean(edit['before'])}"] if edit.get("before") else []
            lines += [f"+ {clean(edit['after'])}"] if edit.get("after") else []
    elif change["kind"] == "page_change":
        return diff_excerpt(change.get("diff"))
    else:
        sign = "-" if change["kind"].endswith("_removed") else "+"
        for key, value in sorted(data.items()):
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                lines.append(f"{sign} {key}: {value}")
            elif isinstance(value, list):
                mark = "-" if key == "removed" else "+" if key == "added" else sign
                lines += [f"{mark} {key}: {_item(item)}" for item in value]
    out = [
        line if len(line) <= DIFF_LINE_CHARS else line[: DIFF_LINE_CHARS - 1] + "…"
        for line in lines
    ]
    if len(out) > DIFF_LINES:
        out = [*out[:DIFF_LINES], f"… (+{len(out) - DIFF_LINES})"]
    return out


def _heading_lines(edit: dict[str, Any]) -> list[str]:
    """A renamed section's old and new heading, as a maintainer's diff shows them."""
    if not edit.get("renamed_from"):
        return []
    new = edit.get("renamed_to") or str(edit.get("section") or "").split(" › ")[-1]
    return [f"- heading: {edit['renamed_from']}", f"+ heading: {new}"]


def _item(item: Any) -> str:
    """One element of a change's list as a maintainer reads it: an occupation "21211 Data
    scientists", a table row's cells, an event's title."""
    if isinstance(item, dict):
        if "noc" in item:
            return f"{item['noc']} {item.get('title', '')}".strip()
        named = [str(item[k]) for k in ("title", "name", "program", "date") if item.get(k)]
        return " · ".join(named) or ", ".join(f"{k}={v}" for k, v in sorted(item.items()))
    if isinstance(item, list | tuple):
        return " · ".join(str(cell) for cell in item if cell not in (None, ""))
    return str(item)


def alert(
    change: dict[str, Any],
    lang: str,
    role: str,
    config: Config,
    filters: str | None = None,
    lead: list[str] | None = None,
) -> list[str]:
    """The message parts announcing ``change`` to a recipient with this language and role.

    ``lead``: plain lines of the recipient's own that come right after the title (a
    subscriber's countries in a processing-times alert).

    Subscribers and channels get the title, the summary, and a link to the official page (the
    rounds page for draws); for a draw, ``filters`` (the subscriber's "Your filters" line) is
    added. Maintainers also get where it came from, the diff of this change and, when the
    review page is configured, a link to it.
    """
    title, summary = describe(change["kind"], _named(change, config, lang), lang, marked=True)
    lines = text_lines(title, "<b>{}</b>")
    for line in lead or ():
        lines += text_lines(line)
    if summary:
        lines += text_lines(summary)
    if filters and change["kind"] in _DRAW_KINDS:
        lines += text_lines(filters, "<i>{}</i>")
    url = official_url(change, config, lang)
    if url:
        lines.append(link(url, t(lang, "source_link")))
    if role == "maintainer":
        meta = (
            f"{change['watch']} · {change['kind']} · {change['audience']} · {change['observed_at']}"
        )
        lines += ["", *text_lines(meta, "<i>{}</i>")]
        excerpt = change_diff(change)
        if excerpt:
            lines += [line for raw in excerpt for line in text_lines(raw, "<code>{}</code>")]
        url = review_url(config, change["id"])
        if url:
            # Plain text, not a link: Telegram refuses some local addresses in links.
            lines += text_lines(f"{t(lang, 'review_link')}: {url}")
        if change.get("reviewed_at"):
            lines += text_lines(
                t(
                    lang,
                    "reviewed_line",
                    by=change["reviewed_by"],
                    at=fmt_moment(change["reviewed_at"], lang),
                )
            )
    return typeset(split(lines), lang)


def review_keyboard(change_id: int, lang: str) -> InlineKeyboardMarkup:
    """The maintainers' "Mark reviewed" button."""
    button = InlineKeyboardButton(
        t(lang, "mark_reviewed"), callback_data=f"{REVIEW_PREFIX}{change_id}"
    )
    return InlineKeyboardMarkup([[button]])


def draw_name(name: str | None, lang: str, feed_lang: str | None) -> str:
    """The one name a draw has for a ``lang`` reader, wherever it is shown (alerts, channels,
    /latest, /draws): IRCC's own ``drawName`` when the feed is in the reader's language, else
    the name of its type in the reader's language (the feed's name for a type we don't know)."""
    if (feed_lang or "en") == lang and name:
        return name
    kind = draw_type(name)
    return name or "" if kind == "other" else draw_type_label(lang, kind)


def _feed_lang(config: Config, watch: str) -> str | None:
    try:
        return config.watch(watch).lang
    except KeyError:
        return None


def _named(change: dict[str, Any], config: Config, lang: str) -> dict[str, Any]:
    """A draw change's data with the draw named for a ``lang`` reader (see :func:`draw_name`)."""
    data = change.get("data") or {}
    if change["kind"] not in _DRAW_KINDS or not data.get("name"):
        return data
    return {**data, "name": draw_name(data["name"], lang, _feed_lang(config, change["watch"]))}


def draw_lines(records: list[dict[str, Any]], lang: str, feed_lang: str | None = None) -> list[str]:
    """One compact escaped line per draw: number, date, name, size, cutoff."""
    return [
        escape(
            t(
                lang,
                "draw_line",
                number=r.get("number", "?"),
                date=draw_date(r, lang),
                type=draw_name(r.get("name"), lang, feed_lang),
                size=fmt_int(r.get("size"), lang),
                crs=fmt_int(r.get("crs"), lang),
            )
        )
        for r in records
    ]


def draw_detail(record: dict[str, Any], lang: str, feed_lang: str | None = None) -> list[str]:
    """A draw in full, as a new-draw alert says it; the programs line only when it says more
    than the draw's name, in the reader's language."""
    named = {**record, "name": draw_name(record.get("name"), lang, feed_lang)}
    title, summary = describe("new_draw", named, lang)
    lines = text_lines(title, "<b>{}</b>") + text_lines(summary)
    programs = record.get("programs") or ""
    if programs and (feed_lang or "en") == lang and _differs(programs, named["name"]):
        lines += text_lines(programs, "<i>{}</i>")
    return lines


def _differs(programs: str, name: str) -> bool:
    """Whether a draw's programs line names something its title does not."""
    simple = [" ".join(re.findall(r"\w+", text.lower())) for text in (programs, name)]
    return simple[0] not in simple[1] and simple[1] not in simple[0]


def _watch_kind(config: Config, name: str) -> str | None:
    try:
        return config.watch(name).kind
    except KeyError:
        return None


def digest(
    items: list[dict[str, Any]],
    lang: str,
    config: Config,
    mode: str,
    cache: dict[tuple[int, str], list[str]] | None = None,
) -> list[str]:
    """One message gathering ``items`` (changes): a header, then each title, summary and link.

    ``cache`` keeps each change's lines per language: thousands of digests share changes. A
    digest of processing-time moves alone is the weekly processing-times summary: the biggest
    moves first.
    """
    if items and all(c["kind"] == "processing_time_changed" for c in items):
        items = sorted(items, key=_move_size, reverse=True)
        header = t(lang, "ptime_summary", n=len(items), moves=_moves(len(items), lang))
    else:
        key = "digest_weekly" if mode == "weekly" else "digest_daily"
        header = t(lang, key, changes=_changes(len(items), lang))
    lines = [header]
    cache = {} if cache is None else cache
    for change in items:
        key = (change["id"], lang)
        if key not in cache:
            data = _named(change, config, lang)
            title, summary = describe(change["kind"], data, lang, marked=True)
            entry = ["", *text_lines(title, "<b>{}</b>")]
            if summary:
                entry += text_lines(summary)
            url = official_url(change, config, lang)
            if url:
                entry.append(link(url, t(lang, "source_link")))
            cache[key] = entry
        lines += cache[key]
    return typeset(split(lines), lang)


def _move_size(change: dict[str, Any]) -> float:
    """The largest move of a processing-time change, in days (a word moving ranks first)."""
    data = change.get("data") or {}
    sizes = [change_size(m.get("before"), m.get("after")) for m in data.get("moves") or [data]]
    return max((size if size >= 0 else float("inf")) for size in sizes) if sizes else 0.0


def _moves(n: int, lang: str) -> str:
    return (
        plural(n, "variation", "variations", "fr") if lang == "fr" else plural(n, "move", "moves")
    )


def _changes(n: int, lang: str) -> str:
    if lang == "fr":
        return plural(n, "changement", "changements", "fr")
    return plural(n, "change", "changes")


def corrected_post(
    original: dict[str, Any], correction: dict[str, Any], lang: str, config: Config
) -> str:
    """A channel's draw announcement rewritten with the corrected figures (for editMessageText).

    The fields IRCC corrected replace the announced ones; a line says what changed.
    """
    data = dict(_named(original, config, lang))
    fields = (correction.get("data") or {}).get("changes") or {}
    for field, pair in fields.items():
        if isinstance(pair, list) and len(pair) == 2:
            data[field] = pair[1]
    title, summary = describe("new_draw", data, lang)
    _, what = describe(correction["kind"], correction.get("data") or {}, lang)
    lines = text_lines(title, "<b>{}</b>") + text_lines(summary)
    lines += text_lines(t(lang, "corrected_line", what=what), "<i>{}</i>")
    url = official_url(original, config, lang)
    if url:
        lines.append(link(url, t(lang, "source_link")))
    return typeset(split(lines), lang)[0]

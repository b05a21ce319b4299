"""The review page's HTML: the layout, the changes list, one change, errors, and the stylesheet.

Plain server-rendered HTML, no script. Every value that came from the web or a user passes
through :func:`html.escape` here; only fragments built in this package are inserted raw.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from diffing.official import DRAW_KINDS, rounds_page
from review.feed import is_web_url
from review.filters import Filters
from review.sidediff import side_by_side

NOTE_MAX = 2000
NAME_MAX = 100


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the signed-in maintainer's name (None for a visitor) and the session's
    CSRF token, which every form the page shows must carry."""

    user: str | None = None
    csrf_token: str = ""
    sign_in: bool = False  # whether the page offers a way to sign in at all


def post_form(action: str, viewer: Viewer, fields: str, button: str, css: str = "") -> str:
    """A POST form carrying the session's CSRF token; ``fields`` is trusted markup."""
    klass = f' class="{escape(css)}"' if css else ""
    return (
        f'<form{klass} method="post" action="{escape(action)}">'
        f'<input type="hidden" name="csrf_token" value="{escape(viewer.csrf_token)}">'
        f'{fields}<button type="submit">{escape(button)}</button></form>'
    )


CSS = """
:root { color-scheme: light; --fg: #1b1b1b; --muted: #555; --line: #d0d4d9; --accent: #1a4f8b;
  --del-bg: #fde8e8; --del-mark: #f6b9b9; --ins-bg: #e3f5e6; --ins-mark: #a8dcb1; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: #fff; }
header.site { background: #26374a; color: #fff; padding: .6rem 1.5rem; display: flex;
  gap: 1.5rem; align-items: baseline; flex-wrap: wrap; }
header.site a { color: #fff; }
header.site .name { font-weight: 700; font-size: 1.1rem; text-decoration: none; }
header.site .who { margin-left: auto; display: flex; gap: .75rem; align-items: baseline; }
header.site .who form { display: inline; }
header.site .who button { padding: .1rem .6rem; background: transparent; border-color: #fff; }
main { padding: 1rem 1.5rem 3rem; max-width: 110rem; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible,
textarea:focus-visible { outline: 3px solid #f90; outline-offset: 2px; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); }
form.filters { display: flex; flex-wrap: wrap; gap: .75rem 1.25rem; align-items: end;
  margin-bottom: 1rem; padding: .75rem; background: #f5f6f7; border: 1px solid var(--line); }
form.filters label { display: flex; flex-direction: column; font-size: .9rem; }
form.filters label.check { flex-direction: row; gap: .4rem; align-items: center; }
select, input, textarea, button { font: inherit; }
select, input[type=text], textarea { padding: .25rem .4rem; border: 1px solid #888;
  border-radius: 3px; }
button { padding: .35rem 1rem; border: 1px solid #1a4f8b; background: #1a4f8b; color: #fff;
  border-radius: 3px; cursor: pointer; }
table { border-collapse: collapse; }
table.changes { width: 100%; }
table.changes th, table.changes td { text-align: left; padding: .35rem .5rem;
  border-bottom: 1px solid var(--line); vertical-align: top; }
table.changes tbody tr:hover { background: #f5f8fc; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
td.num, th.num { font-variant-numeric: tabular-nums; }
time, td.key { white-space: nowrap; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 3px; font-size: .85rem;
  border: 1px solid; white-space: nowrap; }
.badge.done { color: #175c26; border-color: #6fb57e; background: #ecf7ee; }
.badge.todo { color: #7a4a00; border-color: #d9a441; background: #fff6e0; }
.pager { display: flex; gap: 1.5rem; margin-top: 1rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dl.meta dt { font-weight: 600; color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.summary { white-space: pre-wrap; overflow-wrap: anywhere; background: #f5f6f7;
  padding: .75rem; border-left: 4px solid #26374a; margin: 0; }
table.data th { text-align: left; padding: .2rem 1rem .2rem 0; vertical-align: top; }
table.data td { padding: .2rem 0; white-space: pre-wrap; overflow-wrap: anywhere; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
table.diff { width: 100%; table-layout: fixed; font: 13px/1.45 ui-monospace, "DejaVu Sans Mono",
  Menlo, Consolas, monospace; border: 1px solid var(--line); }
table.diff col.num { width: 3.5rem; }
table.diff caption { font: 600 .95rem system-ui, sans-serif; }
table.diff th { background: #eef0f2; text-align: left; padding: .3rem .5rem;
  font-family: system-ui, sans-serif; font-size: .9rem; border-bottom: 1px solid var(--line); }
table.diff td { padding: 0 .5rem; white-space: pre-wrap; overflow-wrap: anywhere;
  vertical-align: top; }
table.diff td.num { color: #767676; text-align: right; user-select: none;
  border-right: 1px solid var(--line); }
table.diff td.del { background: var(--del-bg); }
table.diff td.ins { background: var(--ins-bg); }
table.diff td.empty { background: #f3f3f3; }
table.diff del { background: var(--del-mark); text-decoration: line-through; }
table.diff ins { background: var(--ins-mark); text-decoration: none; }
table.diff tr.hunk th { background: #f3f0e4; text-align: left; padding: .3em .5em; }
.status.flash { font-size: 1.1em; margin-bottom: 1em; }
table.diff tr.skip td { background: #eef3f9; color: var(--muted); text-align: center;
  font-family: system-ui, sans-serif; font-style: italic; padding: .2rem; }
.status { padding: .6rem .8rem; border-radius: 3px; border: 1px solid; }
.status.done { color: #175c26; border-color: #6fb57e; background: #ecf7ee; }
.status.todo { color: #7a4a00; border-color: #d9a441; background: #fff6e0; }
blockquote { margin: .5rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
form.review { display: grid; gap: .4rem; max-width: 40rem; margin-top: 1rem; }
form.review label { font-weight: 600; }
form.review button { justify-self: start; margin-top: .4rem; }
form.login { display: grid; gap: .4rem; max-width: 24rem; }
form.login button { justify-self: start; margin-top: .4rem; }
ol.reviews { padding-left: 1.25rem; }
ol.reviews li { margin-bottom: .5rem; }
.hint { color: var(--muted); font-size: .9rem; }
details { margin-top: 1rem; }
figure.chart { margin: 1rem 0; } figure.chart img { max-width: 100%; height: auto; }
figure.chart figcaption { color: var(--muted); font-size: .9rem; }
"""

ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" rx="3" fill="#26374a"/>'
    '<path d="M4 8.5l2.5 2.5L12 5" stroke="#fff" stroke-width="2" fill="none"/></svg>'
)


def layout(
    title: str,
    body: str,
    *,
    prefix: str,
    feed_href: str | None = None,
    viewer: Viewer | None = None,
) -> str:
    """A whole HTML document around ``body`` (trusted markup); ``title`` is escaped."""
    viewer = viewer or Viewer()
    feed_link = (
        f'<link rel="alternate" type="application/atom+xml" title="Changes (Atom)" '
        f'href="{escape(feed_href)}">'
        if feed_href
        else ""
    )
    if viewer.user:
        who = (
            f'<div class="who"><span>Signed in as <strong>{escape(viewer.user)}</strong></span>'
            f"{post_form(f'{prefix}/logout', viewer, '', 'Sign out')}</div>"
        )
    elif viewer.sign_in:
        who = f'<div class="who"><a href="{prefix}/login">Sign in</a></div>'
    else:
        who = ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="same-origin">'
        f"<title>{escape(title)} · ircc-watch review</title>"
        f'<link rel="icon" type="image/svg+xml" href="{prefix}/favicon.svg">'
        f'<link rel="stylesheet" href="{prefix}/style.css">{feed_link}</head><body>'
        '<header class="site">'
        f'<a class="name" href="{prefix}/">ircc-watch review</a>'
        f'<nav aria-label="Main"><a href="{prefix}/">All changes</a> · '
        f'<a href="{prefix}/?unreviewed=1">Unreviewed</a> · '
        f'<a href="{prefix}/feed.atom">Atom feed</a></nav>{who}</header>'
        f"<main>{body}</main></body></html>"
    )


def list_page(
    rows: Sequence[dict[str, Any]],
    *,
    filters: Filters,
    watches: Sequence[str],
    kinds: Sequence[str],
    prefix: str,
    page_size: int,
    viewer: Viewer | None = None,
    charts: str = "",
) -> str:
    """The changes list with its filter form and paging links; ``charts`` (review.charts) is
    the markup of the charts of the one watch listed, shown after the list."""
    query = filters.query(paging=False)
    feed_href = f"{prefix}/feed.atom" + (f"?{query}" if query else "")
    body = [
        "<h1>Changes</h1>",
        _filter_form(filters, watches, kinds, prefix),
        f'<p><a href="{escape(feed_href)}">Atom feed of these changes</a></p>',
    ]
    if rows:
        body.append(
            '<table class="changes">'
            f"<caption>{escape(filters.describe())}, newest first</caption>"
            '<thead><tr><th scope="col" class="num">ID</th><th scope="col">Observed</th>'
            '<th scope="col">Watch</th><th scope="col">Kind</th><th scope="col">Title</th>'
            '<th scope="col">Review</th></tr></thead><tbody>'
        )
        body.extend(_list_row(row, filters, prefix) for row in rows)
        body.append("</tbody></table>")
    else:
        body.append(f"<p>No changes: {escape(filters.describe().lower())}.</p>")
    pager = []
    if filters.before is not None:
        pager.append(f'<a href="{prefix}/{_q(filters.but(before=None))}">Newest changes</a>')
    if len(rows) >= page_size:
        older = filters.but(before=rows[-1]["id"])
        pager.append(f'<a href="{prefix}/{_q(older)}">Older changes</a>')
    if pager:
        body.append(f'<nav class="pager" aria-label="Pages">{"".join(pager)}</nav>')
    body.append(charts)
    return layout("Changes", "".join(body), prefix=prefix, feed_href=feed_href, viewer=viewer)


def change_page(
    change: dict[str, Any],
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    history: Sequence[dict[str, Any]],
    prefix: str,
    viewer: Viewer,
    next_unreviewed: int | None,
    full: bool,
    hold: str = "",
    charts: str = "",
    told: dict[str, dict[str, int]] | None = None,
    just_reviewed: bool = False,
) -> str:
    """One change: its facts, who was told, data, side-by-side diff (each hunk under its
    section's heading), every review so far and the form.

    ``hold`` is the markup of the held bulk the change is in (review.holds.section), if any;
    ``told`` the change's deliveries per role and state (storage.deliveries.told);
    ``just_reviewed``: the page right after "Mark reviewed", which says so at the top.
    """
    cid = change["id"]
    confirmation = (
        '<div class="status done flash" role="alert" id="reviewed">'
        f"<strong>✓ Marked reviewed.</strong> Change #{cid} is reviewed"
        + (f" by {escape(history[-1]['reviewed_by'])}" if history else "")
        + ".</div>"
        if just_reviewed
        else ""
    )
    body = [
        f'<p><a href="{prefix}/">← All changes</a></p>',
        confirmation,
        f"<h1>{escape(change['title'])}</h1>",
        '<dl class="meta">',
        f"<dt>Change</dt><dd>#{cid}</dd>",
        f"<dt>Observed</dt><dd>{_time(change['observed_at'])}</dd>",
        f'<dt>Watch</dt><dd><a href="{prefix}/{_q(Filters(watch=change["watch"]))}">'
        f"{escape(change['watch'])}</a></dd>",
        f'<dt>Kind</dt><dd><a href="{prefix}/{_q(Filters(kind=change["kind"]))}">'
        f"{escape(change['kind'])}</a></dd>",
        f"<dt>Topic</dt><dd>{escape(change['topic'])}</dd>",
        f"<dt>Audience</dt><dd>{escape(change['audience'])}</dd>",
        f"<dt>Language</dt><dd>{escape(change['lang'])}</dd>",
        f"<dt>Official page</dt><dd>{_live_link(official_page(change))}</dd>",
        "</dl>",
        '<h2 id="summary">Summary</h2>',
        f'<p class="summary">{escape(change["summary"])}</p>',
        _told_section(told),
    ]
    if change["data"]:
        body.append('<h2 id="data">Data</h2>')
        body.append(_data_table(change["data"]))
    body.append('<h2 id="diff">What changed</h2>')
    body.append(_diff_section(change, before, after, prefix, full))
    body.append(hold)
    body.append(charts)
    body.append(_review_section(change, history, prefix, viewer, next_unreviewed))
    return layout(f"#{cid} {change['title']}", "".join(body), prefix=prefix, viewer=viewer)


def error_page(
    status: int, heading: str, message: str, *, prefix: str, viewer: Viewer | None = None
) -> str:
    """A short page explaining what went wrong and where to go next."""
    body = (
        f"<h1>{escape(heading)}</h1><p>{escape(message)}</p>"
        f'<p><a href="{prefix}/">Back to the changes</a></p>'
    )
    return layout(f"{status} {heading}", body, prefix=prefix, viewer=viewer)


def login_page(
    *,
    prefix: str,
    token: str,
    names: Sequence[str],
    message: str,
    next_path: str,
    telegram_bot: str | None,
    telegram_auth_url: str | None,
    viewer: Viewer,
) -> str:
    """The sign-in page: name and secret, and Telegram's Login Widget when configured."""
    body = ["<h1>Sign in</h1>"]
    if message:
        body.append(f'<p class="status todo" role="alert">{escape(message)}</p>')
    if viewer.user:
        body.append(f"<p>You are signed in as <strong>{escape(viewer.user)}</strong>.</p>")
    if names:
        options = "".join(f'<option value="{escape(n)}">{escape(n)}</option>' for n in names)
        fields = (
            f'<input type="hidden" name="next" value="{escape(next_path)}">'
            f'<label for="name">Name</label><select id="name" name="name">{options}</select>'
            '<label for="secret">Secret</label>'
            '<input type="password" id="secret" name="secret" required '
            'autocomplete="current-password">'
        )
        body.append(post_form(f"{prefix}/login", Viewer(None, token), fields, "Sign in", "login"))
    if telegram_bot and telegram_auth_url:
        body.append(
            "<h2>With Telegram</h2>"
            '<script async src="https://telegram.org/js/telegram-widget.js?22" '
            f'data-telegram-login="{escape(telegram_bot)}" data-size="large" '
            f'data-auth-url="{escape(telegram_auth_url)}"></script>'
        )
    if not names and not telegram_bot:
        body.append("<p>No way to sign in is configured: see [review] reviewers in the config.</p>")
    return layout("Sign in", "".join(body), prefix=prefix, viewer=viewer)


def _q(filters: Filters) -> str:
    query = filters.query()
    return escape(f"?{query}") if query else ""


def _when(value: str) -> str:
    """A stored UTC time ("2025-03-18T02:24:37Z") as people read it: "2025-03-18 02:24 UTC"."""
    if len(value) >= 16 and value[10] == "T":
        return f"{value[:10]} {value[11:16]} UTC"
    return value


def _time(value: str | None) -> str:
    if not value:
        return "—"
    return f'<time datetime="{escape(value)}">{escape(_when(value))}</time>'


def _filter_form(
    filters: Filters, watches: Sequence[str], kinds: Sequence[str], prefix: str
) -> str:
    checked = " checked" if filters.unreviewed else ""
    return (
        f'<form class="filters" method="get" action="{prefix}/" aria-label="Filter changes">'
        f'<label class="check"><input type="checkbox" name="unreviewed" value="1"{checked}>'
        "Unreviewed only</label>"
        f"<label>Watch{_select('watch', watches, filters.watch, 'Any watch')}</label>"
        f"<label>Kind{_select('kind', kinds, filters.kind, 'Any kind')}</label>"
        f'<button type="submit">Filter</button> <a href="{prefix}/">Clear filters</a></form>'
    )


def _select(name: str, options: Sequence[str], current: str | None, any_label: str) -> str:
    values = list(options)
    if current and current not in values:
        values.append(current)
    items = [f'<option value="">{escape(any_label)}</option>']
    for value in values:
        selected = " selected" if value == current else ""
        items.append(f'<option value="{escape(value)}"{selected}>{escape(value)}</option>')
    return f'<select name="{name}">{"".join(items)}</select>'


def _list_row(row: dict[str, Any], filters: Filters, prefix: str) -> str:
    href = f"{prefix}/changes/{row['id']}"
    if row["reviewed_at"]:
        by = escape(row["reviewed_by"] or "")
        review = f'<span class="badge done">Reviewed</span> <span class="hint">by {by}</span>'
    else:
        review = '<span class="badge todo">Not reviewed</span>'
    return (
        f'<tr><td class="num"><a href="{href}">{row["id"]}</a></td>'
        f"<td>{_time(row['observed_at'])}</td>"
        f'<td class="key"><a href="{prefix}/{_q(filters.but(watch=row["watch"], before=None))}">'
        f"{escape(row['watch'])}</a></td>"
        f'<td class="key"><a href="{prefix}/{_q(filters.but(kind=row["kind"], before=None))}">'
        f"{escape(row['kind'])}</a></td>"
        f'<td><a href="{href}">{escape(row["title"])}</a></td>'
        f"<td>{review}</td></tr>"
    )


ROLES = (
    ("subscriber", "Subscribers"),
    ("channel", "Channels"),
    ("maintainer", "Maintainers"),
    ("admin", "Admins"),
)
STATES = (("sent", "Sent"), ("queued", "Queued"), ("held", "Held"), ("failed", "Failed"))


def official_page(change: dict[str, Any]) -> str | None:
    """The page a reader opens for this change: the rounds page for a draw (its watch reads
    the JSON feed behind it), else the page the change was seen on."""
    if change["kind"] in DRAW_KINDS:
        return rounds_page(change.get("lang") or "en")
    return change.get("url")


def _told_section(told: dict[str, dict[str, int]] | None) -> str:
    """How many chats the change went to, per role, and how their messages stand."""
    if told is None:
        return ""
    head = "".join(f'<th scope="col">{label}</th>' for _, label in STATES)
    rows = []
    for role, label in ROLES:
        counts = told.get(role) or {}
        if not counts:
            continue
        cells = "".join(f"<td>{counts.get(state, 0)}</td>" for state, _ in STATES)
        rows.append(f'<tr><th scope="row">{label}</th>{cells}</tr>')
    if not rows:
        return '<h2 id="told">Who was told</h2><p>Nobody: no delivery was queued.</p>'
    return (
        '<h2 id="told">Who was told</h2><table class="data told">'
        "<caption>Deliveries of this change per recipient kind</caption>"
        f'<thead><tr><th scope="col">To</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _live_link(url: str | None) -> str:
    if not url:
        return "—"
    if not is_web_url(url):
        return escape(url)
    return f'<a href="{escape(url)}" rel="noopener noreferrer">{escape(url)}</a>'


def _data_table(data: dict[str, Any]) -> str:
    rows = []
    for key, value in data.items():
        if isinstance(value, str):
            shown = escape(value)
        elif isinstance(value, int | float | bool) or value is None:
            shown = escape(json.dumps(value))
        else:
            shown = f"<pre>{escape(json.dumps(value, ensure_ascii=False, indent=2))}</pre>"
        rows.append(f'<tr><th scope="row">{escape(str(key))}</th><td>{shown}</td></tr>')
    return f'<table class="data"><tbody>{"".join(rows)}</tbody></table>'


def _diff_section(
    change: dict[str, Any],
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    prefix: str,
    full: bool,
) -> str:
    parts = []
    if before is not None and after is not None:
        href = f"{prefix}/changes/{change['id']}" + ("" if full else "?context=all")
        toggle = "Show only the changed lines" if full else "Show the whole text"
        parts.append(f'<p><a href="{href}#diff">{toggle}</a></p>')
        parts.append(
            side_by_side(
                before["content"],
                after["content"],
                context=None if full else 3,
                before_label=_snapshot_label("Before", before),
                after_label=_snapshot_label("After", after),
                caption="Normalized page text, previous snapshot beside the new one",
            )
        )
    else:
        parts.append(
            "<p>No side-by-side diff: this change has no pair of snapshots to compare "
            "(a watch's health, or a record that disappeared).</p>"
        )
    if change.get("diff"):
        parts.append(
            "<details><summary>Unified diff, as stored</summary>"
            f"<pre>{escape(change['diff'])}</pre></details>"
        )
    return "".join(parts)


def _snapshot_label(side: str, snapshot: dict[str, Any]) -> str:
    return f"{side}: snapshot #{snapshot['id']}, {_when(snapshot['observed_at'])}"


def _review_section(
    change: dict[str, Any],
    history: Sequence[dict[str, Any]],
    prefix: str,
    viewer: Viewer,
    next_unreviewed: int | None,
) -> str:
    cid = change["id"]
    if history:
        items = []
        for review in history:
            who, when = escape(review["reviewed_by"]), _time(review["reviewed_at"])
            item = f"<li>Reviewed by {who} on {when}."
            if review["note"]:
                item += f"<blockquote>{escape(review['note'])}</blockquote>"
            items.append(item + "</li>")
        latest = history[-1]
        status = (
            f'<div class="status done" role="status"><strong>Reviewed</strong> by '
            f"{escape(latest['reviewed_by'])} on {_time(latest['reviewed_at'])}."
        )
        if latest["note"]:
            status += f"<blockquote>{escape(latest['note'])}</blockquote>"
        status += "</div>"
        status += (
            f'<h3>Review history ({len(history)})</h3><ol class="reviews">{"".join(items)}</ol>'
        )
        button = "Add a review"
    else:
        status = '<div class="status todo" role="status"><strong>Not reviewed yet.</strong></div>'
        button = "Mark reviewed"
    following = ""
    if next_unreviewed is not None and next_unreviewed != cid:
        following = (
            f'<p><a href="{prefix}/changes/{next_unreviewed}">Newest unreviewed change '
            f"(#{next_unreviewed})</a></p>"
        )
    if viewer.user:
        fields = (
            f'<p class="hint">Reviewing as <strong>{escape(viewer.user)}</strong>.</p>'
            '<label for="note">Note <span class="hint">(optional)</span></label>'
            f'<textarea id="note" name="note" rows="3" maxlength="{NOTE_MAX}"></textarea>'
        )
        form = post_form(f"{prefix}/changes/{cid}/review", viewer, fields, button, "review")
    elif viewer.sign_in:
        form = (
            f'<p><a href="{prefix}/login?next={prefix}/changes/{cid}">Sign in</a> '
            "to review this change.</p>"
        )
    else:
        form = (
            '<p class="hint">No sign-in is configured for this page: review with '
            "<code>ircc-watch review</code> or the button in Telegram.</p>"
        )
    return f'<h2 id="review">Review</h2>{status}{form}{following}'

"""The review page's part of a held bulk: which hold a change is in, and its Release / Discard.

A change is in a hold when it was held (``hold_id``) or when it is the ``bulk_held`` alert that
announced one (``data.hold``). The forms post to ``/holds/{id}/release`` or ``/discard``, behind
the page's sign-in and CSRF guard, and do what ``ircc-watch release`` / ``discard`` do.
"""

from __future__ import annotations

from html import escape
from typing import Any

from diffing.formats import fmt_moment, plural
from review.pages import Viewer, post_form
from storage import holds


def hold_of(change: dict[str, Any]) -> int | None:
    """The id of the hold a change belongs to or announces, if any."""
    if change.get("hold_id"):
        return int(change["hold_id"])
    hold = (change.get("data") or {}).get("hold")
    if change.get("kind") == "bulk_held" and isinstance(hold, int):
        return hold
    return None


def section(hold: dict[str, Any] | None, prefix: str, viewer: Viewer, change_id: int) -> str:
    """The "Held for review" part of a change's page: the hold's state and, if held, the forms."""
    if hold is None:
        return ""
    hid = int(hold["id"])
    count = int(hold["changes"])
    heading = f'<h2 id="hold">Held for review (hold {hid})</h2>'
    if hold["status"] != holds.HELD:
        return (
            f'{heading}<div class="status done" role="status"><strong>'
            f"{escape(hold['status'].capitalize())}</strong> by {escape(hold['decided_by'] or '')}"
            f" on {escape(fmt_moment(hold['decided_at']))}: {plural(count, 'change', 'changes')}."
            "</div>"
        )
    status = (
        f'{heading}<div class="status todo" role="status"><strong>'
        f"{plural(count, 'change', 'changes')} of one check of "
        f"{escape(hold['watch'])} are held</strong>: nobody has been told. Release sends them to "
        "their subscribers; Discard means they are never sent.</div>"
    )
    if not viewer.user:
        return status + (
            '<p class="hint">Sign in to release or discard them, or use '
            f"<code>ircc-watch release {hid}</code> / <code>ircc-watch discard {hid}</code>.</p>"
        )
    back = f'<input type="hidden" name="change" value="{change_id}">'
    release = post_form(f"{prefix}/holds/{hid}/release", viewer, back, "Release", "hold")
    discard = post_form(f"{prefix}/holds/{hid}/discard", viewer, back, "Discard", "hold")
    return status + release + discard

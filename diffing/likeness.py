"""Whether a new reading of an HTML page is still that page, or something served in its place.

Sites answer 200 with pages that are not the content: a firewall's "Request Rejected", a
bot challenge ("Just a moment…"), a "Sorry, something went wrong" or maintenance notice in
the site's own template. No list of phrases knows them all, but they share a shape: a short
text that keeps almost none of the lines the page had. Such a reading is a fault (admins
hear after the failure threshold), never a change for subscribers; a real edit, even a large
one, keeps the page's other lines or its own title (a season closed: "# Rounds of
invitations" and one sentence), and a page that grows is never refused.
"""

from __future__ import annotations

# Below this much text in the last reading there is too little to judge by.
MIN_PREVIOUS_CHARS = 200
MIN_PREVIOUS_LINES = 4
# A shorter reading that keeps less than this share of the last reading's lines is not the page.
MAX_KEPT_SHARE = 0.1


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def unrelated_page(previous: str, current: str) -> str | None:
    """The reason ``current`` (a page's readable lines) is not the page ``previous`` was.

    None when it is: the last reading was too short to judge, the new one is not shorter,
    keeps the page's ``<h1>`` ("# Title" line), or keeps at least a tenth of its lines.
    """
    old = set(_lines(previous))
    if len(previous) < MIN_PREVIOUS_CHARS or len(old) < MIN_PREVIOUS_LINES:
        return None
    if len(current) >= len(previous):
        return None
    new = _lines(current)
    if any(line.startswith("# ") for line in old.intersection(new)):
        return None  # the page's own <h1> is there: a page cut short is still the page
    kept = len(old.intersection(new))
    if kept >= len(old) * MAX_KEPT_SHARE:
        return None
    shown = new[0].lstrip("#").strip()[:80] if new else "an empty page"
    return (
        f"not the watched page: “{shown}” keeps {kept} of the {len(old)} lines "
        "of the last reading (an error, challenge or maintenance page?)"
    )

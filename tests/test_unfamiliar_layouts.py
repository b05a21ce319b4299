"""Format-only changes on unfamiliar pages tell nobody; the real edit beside them is told.

Provincial sites write "Updated: January 12, 2026" in the content itself (ontario.ca under
its title, others at the page's foot, "Dernière mise à jour : …" in French): before
diffing.stamps each republication told subscribers "Rule changed — Before: Updated: January
10, 2026 After: Updated: January 12, 2026".
"""

from __future__ import annotations

import pytest

from diffing.stamps import is_date_stamp
from tests.unfamiliar_support import OneWatch, gcweb, provincial

ONTARIO = "https://www.ontario.ca/page/oinp-employer-job-offer-foreign-worker-stream"
RULES = (
    "<h2>Eligibility</h2><p>You need a full-time job offer from an Ontario employer.</p>"
    "<p>You must have 2 years of work experience.</p><h2>How to apply</h2>"
    "<ol><li>Register an expression of interest.</li><li>Wait for an invitation.</li></ol>"
)
STAMPS = {
    "ontario-top": ('<p class="updated">Updated: {}</p>', "January 10, 2026", "January 12, 2026"),
    "foot": ("<p>Page last updated: {}</p>", "January 10, 2026", "2026-01-12"),
    "french": ("<p>Dernière mise à jour : {}</p>", "10 janvier 2026", "12 janvier 2026"),
    "time": ("<p><em>Last modified on {}</em></p>", "Jan. 10, 2026 at 9:15 a.m.", "Jan. 12, 2026"),
}


@pytest.mark.parametrize("name", sorted(STAMPS))
def test_a_last_updated_line_in_the_content_is_not_a_change(tmp_path, name):
    stamp, old, new = STAMPS[name]
    at_top = name != "foot"

    def page(day: str, rules: str = RULES) -> str:
        content = stamp.format(day) + rules if at_top else rules + stamp.format(day)
        return provincial(content, "Employer job offer: foreign worker stream")

    watch = OneWatch(tmp_path, "page", ONTARIO, topic="pnp")
    watch.check(page(old))
    assert watch.told(page(new)) == []
    edited = RULES.replace("2 years", "1 year")
    (told,) = watch.check(page(old, edited)).changes
    assert told["kind"] == "rule_change" and "After: You must have 1 year" in told["summary"]


def test_a_gcweb_page_that_says_when_it_was_updated(tmp_path):
    watch = OneWatch(tmp_path, "page", "https://www.canada.ca/en/iec.html", topic="iec")
    watch.check(gcweb("<p>This page was last updated on January 10, 2026.</p>" + RULES))
    later = gcweb(
        "<p>This page was last updated on January 12, 2026.</p>" + RULES, modified="2026-01-12"
    )
    assert watch.told(later) == []


def test_format_changes_tell_nobody(tmp_path):
    """Date modified, whitespace and attributes, re-ordered sections, a cookie banner."""
    watch = OneWatch(tmp_path, "page", ONTARIO, topic="pnp")
    watch.check(provincial(RULES, "Stream"))
    respaced = RULES.replace("<p>", '<p class="mrgn-tp-md" data-x="1">\n   ').replace(
        "</h2>", " </h2>\n\n"
    )
    halves = RULES.split("<h2>How to apply</h2>")
    reordered = "<h2>How to apply</h2>" + halves[1] + halves[0]
    banner = (
        '<div class="cookie-consent"><p>This site uses cookies.</p><button>Accept</button></div>'
    )
    for body in [
        provincial(respaced, "Stream"),
        provincial(reordered, "Stream"),
        provincial(RULES, "Stream", before_content=banner),
    ]:
        assert watch.told(body) == []
    assert watch.subscriber_rows() == []


def test_stamp_lines():
    assert is_date_stamp("Updated: January 12, 2026")
    assert is_date_stamp("- Date de modification : 2026-01-12")
    assert is_date_stamp("Mis à jour le 12 janvier 2026")
    assert not is_date_stamp("Updated: the program now needs 2 years of work from May 1, 2026")
    assert not is_date_stamp("Applications received after January 12, 2026 will be returned.")
    assert not is_date_stamp("Updated eligibility rules take effect on January 12, 2026")
    assert not is_date_stamp("Updated: January 12, 2026 and March 3, 2026")


def tab(name: str, body: str, opened: bool = False) -> str:
    return f"<details{' open' if opened else ''}><summary>{name}</summary>{body}</details>"


WORKING_HOLIDAY = "<p>Age limit: 18 to 35.</p><dl><dt>Fee</dt><dd>$179</dd></dl>"
YOUNG_PROFESSIONALS = "<p>You need a job offer.</p><dl><dt>Fee</dt><dd>$179</dd></dl>"


def tabs(*panels: str) -> str:
    """WET tabs: details in div.wb-tabs > div.tabpanels, no headings of their own."""
    return gcweb(f'<div class="wb-tabs"><div class="tabpanels">{"".join(panels)}</div></div>')


def test_re_ordered_tabs_and_panels_tell_nobody(tmp_path):
    """Before: moving a tab first told subscribers "6 line(s) added, 6 line(s) removed"."""
    watch = OneWatch(tmp_path, "page", "https://www.canada.ca/en/iec.html", topic="iec")
    wh = tab("Working holiday", WORKING_HOLIDAY, opened=True)
    yp = tab("Young professionals", YOUNG_PROFESSIONALS)
    watch.check(tabs(wh, yp))
    assert watch.told(tabs(yp, wh)) == []
    items = ["<li>Create a profile.</li>", "<li>Get your documents.</li>", "<li>Pay the fee.</li>"]
    watch.check(gcweb(f"<ul>{''.join(items)}</ul>"))
    assert watch.told(gcweb(f"<ul>{''.join(reversed(items))}</ul>")) == []
    # A real edit inside a moved tab is still told.
    edited = tab("Working holiday", WORKING_HOLIDAY.replace("18 to 35", "18 to 30"))
    watch.check(tabs(wh, yp))
    (told,) = watch.check(tabs(yp, edited)).changes
    assert told["kind"] == "rule_change" and "Age limit: 18 to 30." in told["summary"]


def test_typography_re_rendered_tells_nobody(tmp_path):
    """Straight quotes become curly, a dash changes, a space becomes non-breaking."""
    plain = (
        "<h2>Who can apply</h2><p>You can't apply if you're already in Canada &ndash; see the"
        ' "exceptions" below.</p><p>The fee is $1,365 per adult.</p>'
    )
    curly = (
        plain.replace("can't", "can’t")
        .replace("you're", "you’re")
        .replace('"exceptions"', "“exceptions”")
        .replace("&ndash;", "—")
        .replace("$1,365 per", "$1,365&nbsp;per")
    )
    watch = OneWatch(tmp_path, "page", "https://www.canada.ca/en/x.html", topic="general")
    watch.check(gcweb(plain))
    assert watch.told(gcweb(curly)) == []
    (told,) = watch.check(gcweb(curly.replace("$1,365", "$1,525"))).changes
    assert told["kind"] == "rule_change" and "$1,525" in told["summary"]

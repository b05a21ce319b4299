"""Pages served with 200 that are not the watched page: never a change for subscribers.

A provincial site without <main> is read as its <body>, so a firewall's "Request Rejected",
a bot challenge or a "something went wrong" page in the site's template is a whole new
reading. Before diffing.likeness each one reached subscribers as a page_change (and the real
page's return as another one, or as "4 rows added").
"""

from __future__ import annotations

import json

import pytest

from diffing.likeness import unrelated_page
from tests.conftest import run_cli, write_config
from tests.unfamiliar_support import OneWatch, gcweb, provincial

BC_URL = "https://www.welcomebc.ca/immigrate-to-b-c/about-the-bc-pnp/invitations-to-apply"

ROWS = """<tr><td rowspan="2">January 14, 2026</td><td>Skilled Worker</td><td>118</td>
<td>55</td></tr>
<tr><td>Health Authority</td><td>90</td><td>39</td></tr>
<tr><td>January 7, 2026</td><td>Tech</td><td>120</td><td>60</td></tr>"""
NEW_ROW = (
    "<tr><td>January 21, 2026</td><td>Entry Level and Semi-Skilled</td><td>85</td><td>22</td></tr>"
)


def bc_page(rows: str = ROWS) -> str:
    table = (
        '<p>B.C. regularly invites candidates to apply.</p><table class="table table-striped">'
        "<caption>Invitations to apply</caption><thead><tr><th>Date</th><th>Stream</th>"
        f"<th>Minimum score</th><th>Invitations</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    return provincial(table, "Invitations to apply")


# What a site answers with 200 when it will not serve the page.
NOT_THE_PAGE = {
    "f5-rejected": (
        "<html><head><title>Request Rejected</title></head><body>The requested URL was "
        "rejected. Please consult with your administrator.<br><br>Your support ID is: "
        '14477186730528913046<br><br><a href="javascript:history.back();">[Go Back]</a>'
        "</body></html>"
    ),
    "challenge": (
        '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body>'
        '<div class="main-wrapper" role="main"><div class="main-content"><h1 class="zone-name-'
        'title h1">www.welcomebc.ca</h1><h2>Checking if the site connection is secure</h2>'
        "<p>www.welcomebc.ca needs to review the security of your connection before "
        "proceeding.</p></div></div></body></html>"
    ),
    "template-error": provincial(
        "<p>The page you requested is temporarily unavailable. Please try again later.</p>",
        "Sorry, something went wrong",
    ),
}


@pytest.mark.parametrize("kind", ["page", "pnp-updates"])
@pytest.mark.parametrize("name", sorted(NOT_THE_PAGE))
def test_a_page_served_in_place_of_the_content_is_a_fault(tmp_path, kind, name):
    watch = OneWatch(tmp_path, kind, BC_URL, topic="pnp")
    assert watch.told(bc_page()) == []
    outcome = watch.check(NOT_THE_PAGE[name])
    assert outcome.outcome == "error" and outcome.changes == []
    assert outcome.error.startswith("not the watched page: ")
    # The real page comes back with a new draw: told once, and nothing else.
    back = watch.check(bc_page(NEW_ROW + ROWS))
    assert back.outcome == "changed"
    assert [row["kind"] for row in watch.subscriber_rows()] == [
        "pnp_update" if kind == "pnp-updates" else "row_added"
    ]
    assert "Entry Level and Semi-Skilled" in watch.subscriber_rows()[0]["title"]


def test_three_in_a_row_tell_admins_what_was_served(tmp_path):
    watch = OneWatch(tmp_path, "pnp-updates", BC_URL, topic="pnp")
    watch.check(bc_page())
    for _ in range(3):
        outcome = watch.check(NOT_THE_PAGE["f5-rejected"])
    (alert,) = outcome.changes
    assert alert["kind"] == "watch_failing" and alert["audience"] == "admins"
    assert "“The requested URL was rejected." in alert["summary"]
    assert watch.subscriber_rows() == []


def test_a_real_edit_that_rewrites_most_of_a_page_is_still_told(tmp_path):
    """Half the lines replaced, the page shorter: still the page (a tenth of it is kept)."""
    sections = "".join(
        f"<h2>Step {n}</h2><p>Read the instructions for step {n} of the application.</p>"
        for n in range(1, 6)
    )
    watch = OneWatch(tmp_path, "page", "https://www.canada.ca/en/x.html", topic="iec")
    watch.check(gcweb(sections))
    shorter = "<h2>Step 1</h2><p>Apply online through your IRCC secure account.</p>"
    told = watch.told(gcweb(shorter))
    assert told and all(audience != "admins" for _, audience in told)


def test_likeness_rules():
    page = "\n".join(f"line {n} of the program page, long enough to count" for n in range(10))
    assert unrelated_page(page, "## Request Rejected\nYour support ID is: 1") is not None
    assert unrelated_page(page, page + "\nA new line") is None  # a page that grows
    assert unrelated_page(page, "\n".join(page.splitlines()[:2])) is None  # a fifth kept
    assert unrelated_page("## Short\nA few words", "## Other") is None  # too little to judge


def test_check_end_to_end_keeps_a_rejected_request_from_subscribers(tmp_path, site):
    site.set("/bc.html", bc_page(), etag=False)
    watch = {"name": "bc-pnp", "url": site.url("/bc.html"), "kind": "pnp-updates", "topic": "pnp"}
    config = write_config(tmp_path, [watch])
    args = ["--config", str(config), "check", "--json"]
    assert run_cli(*args).returncode == 0
    site.set("/bc.html", NOT_THE_PAGE["f5-rejected"], etag=False)
    failed = run_cli(*args)
    assert failed.returncode == 1 and failed.stdout == "" and "Traceback" not in failed.stderr
    site.set("/bc.html", bc_page(NEW_ROW + ROWS), etag=False)
    back = run_cli(*args)
    assert back.returncode == 0, back.stderr
    changes = [json.loads(line) for line in back.stdout.splitlines()]
    assert [(c["kind"], c["data"]["invitations"]) for c in changes] == [("pnp_update", 22)]


def test_a_page_cut_down_to_one_notice_under_its_own_title_is_told(tmp_path):
    """IRCC empties a page at a season's end: same <h1>, one sentence left. That is news."""
    rounds = "".join(
        f"<h2>Round {n}</h2><p>Invitations were sent to {n * 100} candidates on May {n}.</p>"
        for n in range(1, 6)
    )
    watch = OneWatch(tmp_path, "page", "https://www.canada.ca/en/iec/rounds.html", topic="iec")
    watch.check(gcweb(rounds, title="IEC rounds of invitations"))
    closed = gcweb("<p>The 2026 season is closed.</p>", title="IEC rounds of invitations")
    told = watch.check(closed)
    assert told.outcome == "changed"
    assert [row["kind"] for row in watch.subscriber_rows()] == ["page_change"]

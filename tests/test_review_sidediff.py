"""The side-by-side diff table: pairing, collapsing, word highlights, escaping."""

from __future__ import annotations

import re

from review.sidediff import INTRALINE_MAX_CHARS, side_by_side

LINES = [f"line {n}" for n in range(1, 21)]


def cells(table: str) -> list[tuple[str, str, str, str]]:
    """Each row's (old number, old html, new number, new html); collapsed rows as ("…", text)."""
    rows = []
    for row in re.findall(r"<tr(?: class=\"skip\")?>(.*?)</tr>", table.split("<tbody>")[1]):
        found = re.findall(r"<td[^>]*>(.*?)</td>", row)
        rows.append(tuple(found) if len(found) == 4 else ("…", found[0], "", ""))
    return rows


def test_unchanged_runs_collapse_to_a_count_around_the_context():
    after = LINES[:9] + ["line ten"] + LINES[10:]
    rows = cells(side_by_side("\n".join(LINES), "\n".join(after), context=2))
    assert rows[0] == ("…", "7 unchanged lines not shown", "", "")
    assert rows[1] == ("8", "line 8", "8", "line 8")
    assert rows[3] == ("10", "line <del>10</del>", "10", "line <ins>ten</ins>")
    assert rows[-1] == ("…", "8 unchanged lines not shown", "", "")
    assert len(rows) == 7


def test_additions_and_removals_leave_the_other_side_empty():
    after = ["new first"] + LINES[:5] + LINES[6:8]
    rows = cells(side_by_side("\n".join(LINES[:8]), "\n".join(after), context=None))
    assert rows[0] == ("", "", "1", "<ins>new first</ins>")
    assert ("6", "<del>line 6</del>", "", "") in rows
    assert all(row[0] != "…" for row in rows)


def test_identical_texts_say_so():
    table = side_by_side("a\nb", "a\nb")
    assert "No difference in the text (2 lines)." in table


def test_everything_is_escaped_including_labels():
    table = side_by_side(
        "<b>bold</b> & co",
        '<script>alert("x")</script>',
        before_label="<i>before</i>",
        caption="a & b",
    )
    assert "<script>" not in table and "<b>" not in table and "<i>" not in table
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in table
    assert "&lt;i&gt;before&lt;/i&gt;" in table and "<caption>a &amp; b</caption>" in table


def test_very_long_changed_lines_are_highlighted_whole():
    old, new = "a " * INTRALINE_MAX_CHARS, "b " * INTRALINE_MAX_CHARS
    rows = cells(side_by_side(old, new))
    assert rows == [("1", f"<del>{old}</del>", "1", f"<ins>{new}</ins>")]

"""A side-by-side diff of two texts as an accessible HTML table, every line escaped.

Built from difflib's opcodes rather than ``difflib.HtmlDiff`` so the markup is ours: a
caption, real column headers, ``<del>``/``<ins>`` for what changed (not colour alone), words
highlighted inside a changed line, and long runs of unchanged lines collapsed.
"""

from __future__ import annotations

import difflib
import re
from html import escape

# Word-level highlighting inside a changed line is skipped for very long lines: it costs
# quadratic time and a whole-line highlight says as much there.
INTRALINE_MAX_CHARS = 2000
# When less than this share of the characters is common to both lines, word highlights would
# be confetti: the whole lines are marked instead.
INTRALINE_MIN_RATIO = 0.5
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")


def side_by_side(
    before: str,
    after: str,
    *,
    context: int | None = 3,
    before_label: str = "Before",
    after_label: str = "After",
    caption: str = "Side-by-side diff",
) -> str:
    """The HTML table comparing ``before`` and ``after`` line by line.

    ``context`` is how many unchanged lines to keep around each change (the rest are collapsed
    into one row saying how many were skipped); ``None`` shows every line.
    """
    old, new = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(None, old, new)
    opcodes = matcher.get_opcodes()
    rows: list[str] = []
    if all(tag == "equal" for tag, *_ in opcodes):
        plural = "s" if len(old) != 1 else ""
        rows.append(
            f'<tr class="skip"><td colspan="4">No difference in the text ({len(old)} line{plural}).'
            "</td></tr>"
        )
    else:
        groups = [opcodes] if context is None else list(matcher.get_grouped_opcodes(context))
        shown_old = 0
        for group in groups:
            if group[0][1] > shown_old:
                rows.append(_skip_row(group[0][1] - shown_old))
            first = next((op for op in group if op[0] != "equal"), group[0])
            where = heading_path(new, first[3]) if context is not None else ""
            if where:
                rows.append(
                    f'<tr class="hunk"><th colspan="4" scope="rowgroup">{escape(where)}</th></tr>'
                )
            for tag, i1, i2, j1, j2 in group:
                rows.extend(_rows(tag, old, new, i1, i2, j1, j2))
            shown_old = group[-1][2]
        if len(old) > shown_old:
            rows.append(_skip_row(len(old) - shown_old))
    return (
        '<table class="diff">'
        f"<caption>{escape(caption)}</caption>"
        '<colgroup><col class="num"><col class="text"><col class="num"><col class="text">'
        "</colgroup>"
        "<thead><tr>"
        f'<th scope="col" colspan="2">{escape(before_label)}</th>'
        f'<th scope="col" colspan="2">{escape(after_label)}</th>'
        "</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


_HEADING = re.compile(r"^(#{1,6}) (.*)$")


def heading_path(lines: list[str], upto: int) -> str:
    """The section a hunk starting at line ``upto`` sits in, as a path of the headings above it
    ("Categories › Working Holiday"; the page's own # title left out), "" before any heading."""
    above: dict[int, str] = {}
    for line in lines[: upto + 1]:
        match = _HEADING.match(line)
        if match:
            level = len(match.group(1))
            above = {lvl: name for lvl, name in above.items() if lvl < level}
            above[level] = match.group(2).strip()
    path = [above[level] for level in sorted(above) if level > 1]
    return " › ".join(path) or (above.get(1) or "")


def _rows(
    tag: str, old: list[str], new: list[str], i1: int, i2: int, j1: int, j2: int
) -> list[str]:
    if tag == "equal":
        return [
            _row(i1 + k + 1, escape(old[i1 + k]), "same", j1 + k + 1, escape(new[j1 + k]), "same")
            for k in range(i2 - i1)
        ]
    rows = []
    for k in range(max(i2 - i1, j2 - j1)):
        has_old, has_new = i1 + k < i2, j1 + k < j2
        if has_old and has_new:
            left, right = _intraline(old[i1 + k], new[j1 + k])
        else:
            left = f"<del>{escape(old[i1 + k])}</del>" if has_old else ""
            right = f"<ins>{escape(new[j1 + k])}</ins>" if has_new else ""
        rows.append(
            _row(
                i1 + k + 1 if has_old else None,
                left,
                "del" if has_old else "empty",
                j1 + k + 1 if has_new else None,
                right,
                "ins" if has_new else "empty",
            )
        )
    return rows


def _intraline(a: str, b: str) -> tuple[str, str]:
    """Both sides of a changed line with the changed words wrapped in del/ins."""
    if len(a) > INTRALINE_MAX_CHARS or len(b) > INTRALINE_MAX_CHARS:
        return f"<del>{escape(a)}</del>", f"<ins>{escape(b)}</ins>"
    ta, tb = _TOKENS.findall(a), _TOKENS.findall(b)
    matcher = difflib.SequenceMatcher(None, ta, tb)
    kept = sum(len("".join(ta[m.a : m.a + m.size])) for m in matcher.get_matching_blocks())
    if 2 * kept < INTRALINE_MIN_RATIO * (len(a) + len(b)):
        return f"<del>{escape(a)}</del>", f"<ins>{escape(b)}</ins>"
    left, right = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old_part, new_part = escape("".join(ta[i1:i2])), escape("".join(tb[j1:j2]))
        if tag == "equal":
            left.append(old_part)
            right.append(new_part)
            continue
        if old_part:
            left.append(f"<del>{old_part}</del>")
        if new_part:
            right.append(f"<ins>{new_part}</ins>")
    return "".join(left), "".join(right)


def _row(
    old_no: int | None,
    old_html: str,
    old_class: str,
    new_no: int | None,
    new_html: str,
    new_class: str,
) -> str:
    return (
        f'<tr><td class="num">{old_no or ""}</td><td class="{old_class}">{old_html}</td>'
        f'<td class="num">{new_no or ""}</td><td class="{new_class}">{new_html}</td></tr>'
    )


def _skip_row(count: int) -> str:
    plural = "s" if count != 1 else ""
    return f'<tr class="skip"><td colspan="4">{count} unchanged line{plural} not shown</td></tr>'

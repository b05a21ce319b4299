"""Which words of an edited sentence changed, marked so a message can show them.

Marks are four private-use characters, not HTML: ``diffing`` writes plain text, and whoever
puts it in HTML (notifier.render) escapes the text first, then turns each mark into a tag
(removed words struck through, added words in bold). Plain-text readers get the marks
stripped (:func:`strip_marks`).
"""

from __future__ import annotations

import difflib
import re

DEL_OPEN, DEL_CLOSE, INS_OPEN, INS_CLOSE = "\ue000", "\ue001", "\ue002", "\ue003"
MARKS = DEL_OPEN + DEL_CLOSE + INS_OPEN + INS_CLOSE
_TOKENS = re.compile(r"\s+|[^\s]+")


def mark_words(before: str, after: str) -> tuple[str, str]:
    """``before`` with its removed words marked, ``after`` with its added words marked.

    Words are compared whole (punctuation attached), so "institution" → "institution in your
    home country" marks " in your home country" only.
    """
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    out_old: list[str] = []
    out_new: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out_old += old[i1:i2]
            out_new += new[j1:j2]
            continue
        if i2 > i1:
            out_old.append(_wrap(old[i1:i2], DEL_OPEN, DEL_CLOSE))
        if j2 > j1:
            out_new.append(_wrap(new[j1:j2], INS_OPEN, INS_CLOSE))
    return _joined("".join(out_old), DEL_OPEN, DEL_CLOSE), _joined(
        "".join(out_new), INS_OPEN, INS_CLOSE
    )


def _joined(text: str, opening: str, closing: str) -> str:
    """Marked runs separated by spaces only, as one run ("<s>6 months</s>", not two)."""
    return re.sub(f"{closing}(\\s+){opening}", r"\1", text)


def _wrap(tokens: list[str], opening: str, closing: str) -> str:
    """The tokens inside the marks, with leading and trailing spaces left outside."""
    text = "".join(tokens)
    core = text.strip()
    if not core:
        return text
    start = text.index(core)
    return f"{text[:start]}{opening}{core}{closing}{text[start + len(core) :]}"


def strip_marks(text: str) -> str:
    """``text`` without marks, for plain-text readers (the CLI, the feed, stored summaries)."""
    return text.translate({ord(mark): None for mark in MARKS})

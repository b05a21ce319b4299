"""Sentences: splitting paragraphs, pairing edited sentences, spotting rule-bearing edits.

A "rule change" is an edit that changes what a sentence commits to: a number, a duration,
an amount of money, a date, or an item of a list of requirements. "At least 6 months of
work experience" → "at least one year of work experience" is one; a reworded sentence with
the same figures is not.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter

from diffing.dates import fold, month_number

LIST_MARK = "- "
PAIRING_RATIO = 0.5

_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "st.", "no.", "mr.", "mrs.", "dr.", "p. ex.", "c.-à-d.")
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”»)]?\s+(?=[\"“«(]?[A-ZÀ-ÖØ-Þ0-9])")
_TOKEN = re.compile(
    r"\$|€|%|\d[\d,.\u00a0\u202f ]*\d|\d|[a-zà-öø-ÿ]+",
    re.I,
)
NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "eighteen": 18,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "hundred": 100,
    "thousand": 1000,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "quinze": 15,
    "dix-huit": 18,
    "vingt": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
    "cent": 100,
    "mille": 1000,
}
UNITS = {
    "day": "day",
    "days": "day",
    "jour": "day",
    "jours": "day",
    "week": "week",
    "weeks": "week",
    "semaine": "week",
    "semaines": "week",
    "month": "month",
    "months": "month",
    "mois": "month",
    "year": "year",
    "years": "year",
    "an": "year",
    "ans": "year",
    "annee": "year",
    "annees": "year",
    "hour": "hour",
    "hours": "hour",
    "heure": "hour",
    "heures": "hour",
    "dollar": "$",
    "dollars": "$",
    "percent": "%",
}
_ARTICLES = {"one", "un", "une"}
_NOT_MONTHS = {"may", "mai", "mar", "jun", "jan", "sept", "sep"}


def split_sentences(text: str) -> list[str]:
    """A paragraph as sentences; abbreviations such as "e.g." do not end one."""
    protected = text
    for abbreviation in _ABBREVIATIONS:
        protected = re.sub(
            re.escape(abbreviation), abbreviation.replace(".", "\x00"), protected, flags=re.I
        )
    parts = _BOUNDARY.split(protected)
    return [part.replace("\x00", ".").strip() for part in parts if part.strip()]


def salient(sentence: str) -> list[str]:
    """The figures a sentence commits to: numbers, units, money and percent signs, months.

    "one", "un" and "une" count only before a unit ("one year", "un an"): elsewhere they are
    articles or pronouns, and rewording around them is not a rule change.
    """
    raws = _TOKEN.findall(sentence)
    words = [fold(raw) for raw in raws]
    tokens: list[str] = []
    for index, (raw, word) in enumerate(zip(raws, words, strict=True)):
        following = words[index + 1] if index + 1 < len(words) else ""
        if raw[0].isdigit():
            tokens.append(re.sub(r"[,\u00a0\u202f ]", "", raw).rstrip("."))
        elif raw in ("$", "€", "%"):
            tokens.append(raw)
        elif word in NUMBER_WORDS and (word not in _ARTICLES or following in UNITS):
            tokens.append(str(NUMBER_WORDS[word]))
        elif word in UNITS:
            tokens.append(UNITS[word])
        elif word not in _NOT_MONTHS and month_number(word):
            tokens.append(f"month{month_number(word)}")
    return tokens


def is_list_item(sentence: str) -> bool:
    return sentence.startswith(LIST_MARK)


def is_rule_change(before: str | None, after: str | None) -> bool:
    """True when an edit changes a figure, or adds or removes an item of a list.

    Rewording a list item without touching its figures is an editorial change.
    """
    if before is None or after is None:
        return is_list_item(before or after or "")
    return salient(before) != salient(after)


def similarity(a: str, b: str) -> float:
    """Word-level likeness of two sentences, 0 to 1."""
    return difflib.SequenceMatcher(None, a.lower().split(), b.lower().split()).ratio()


def pair_edits(old: list[str], new: list[str]) -> list[tuple[str | None, str | None]]:
    """What changed between two lists of sentences, as (before, after) pairs.

    An edited sentence comes as (old, new); a removed one as (old, None); an added one as
    (None, new). Sentences are paired when they read alike, whatever their positions.
    """
    edits: list[tuple[str | None, str | None]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed, added = list(old[i1:i2]), list(new[j1:j2])
        for before in list(removed):
            best = max(added, key=lambda after: similarity(before, after), default=None)
            if best is not None and similarity(before, best) >= PAIRING_RATIO:
                edits.append((before, best))
                removed.remove(before)
                added.remove(best)
        edits.extend((before, None) for before in removed)
        edits.extend((None, after) for after in added)
    return _without_moves(edits)


# Typography a re-render may change without changing a word: curly or straight quotes,
# dashes, non-breaking spaces.
_TYPOGRAPHY = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2011": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
    }
)


def same_words(before: str | None, after: str | None) -> bool:
    """Whether two sentences read the same but for typography ("can't" / "can’t", "–" / "—")."""
    if before is None or after is None:
        return before == after
    return _canonical(before) == _canonical(after)


def canonical(text: str) -> str:
    """A sentence reduced to its words (typography folded), for comparing sentences."""
    return _canonical(text)


def _canonical(text: str) -> str:
    return re.sub(r"\s*([-\"'])\s*", r"\1", " ".join(text.translate(_TYPOGRAPHY).split()))


def _without_moves(
    edits: list[tuple[str | None, str | None]],
) -> list[tuple[str | None, str | None]]:
    """The edits less sentences that only moved (removed here, added as written there) or
    only changed typography: re-ordered tabs, panels or list items, "can't" re-rendered as
    "can’t", say nothing new; then moved edits are paired."""
    removed = Counter(_canonical(b) for b, a in edits if a is None and b is not None)
    added = Counter(_canonical(a) for b, a in edits if b is None and a is not None)
    moved = removed & added
    kept: list[tuple[str | None, str | None]] = []
    gone, came = Counter(moved), Counter(moved)
    for before, after in edits:
        if same_words(before, after):
            continue
        if after is None and before is not None and gone[_canonical(before)]:
            gone[_canonical(before)] -= 1
            continue
        if before is None and after is not None and came[_canonical(after)]:
            came[_canonical(after)] -= 1
            continue
        kept.append((before, after))
    return _pair_across(kept)


def _pair_across(
    edits: list[tuple[str | None, str | None]],
) -> list[tuple[str | None, str | None]]:
    """Pair a removed sentence with an added one that reads alike in another place (a tab
    moved and edited): the edit is then seen as one, as it would be where it stood."""
    added = [after for before, after in edits if before is None]
    paired: dict[str, str] = {}
    for before, after in edits:
        if after is not None or not added:
            continue
        best = max(added, key=lambda candidate: similarity(before, candidate))
        if similarity(before, best) >= PAIRING_RATIO:
            paired[before] = best
            added.remove(best)
    if not paired:
        return edits
    taken = list(paired.values())
    result: list[tuple[str | None, str | None]] = []
    for before, after in edits:
        if after is None and before in paired:
            result.append((before, paired.pop(before)))
        elif before is None and after in taken:
            taken.remove(after)
        else:
            result.append((before, after))
    return result

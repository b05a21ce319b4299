"""Turning a Diff into named changes (the DESIGN.md change records), per watch kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from diffing.diff import Diff

SUBSCRIBERS, MAINTAINERS, ADMINS = "subscribers", "maintainers", "admins"
EXCERPT_LINES = 3
EXCERPT_CHARS = 300

# Fields that may change without the record changing in a way anyone should hear about.
IGNORED_FIELDS: dict[str, set[str]] = {
    "atom": {"updated", "summary", "id", "published"},
}


@dataclass
class Change:
    """One classified change; ``data`` is what messages and filters are built from."""

    kind: str
    audience: str
    data: dict[str, Any] = field(default_factory=dict)
    key: str | None = None


@dataclass(frozen=True)
class WatchInfo:
    """The facts about a watch that classification needs (no config object, no I/O)."""

    name: str
    kind: str
    topic: str = "general"
    lang: str = "en"
    url: str = ""


def classify(watch: WatchInfo, diff: Diff) -> list[Change]:
    """Named changes for ``diff``; an empty list when nothing worth telling changed."""
    classifier = CLASSIFIERS.get(watch.kind, _page)
    return classifier(watch, diff)


def removals(watch: WatchInfo, records: dict[str, dict[str, Any]]) -> list[Change]:
    """Changes for records whose disappearance has persisted past the grace period."""
    changes = []
    for key, record in records.items():
        if watch.kind == "ee-rounds":
            changes.append(
                Change(
                    "draw_corrected",
                    MAINTAINERS,
                    {
                        "number": record.get("number", key),
                        "removed": True,
                        "name": record.get("name", ""),
                    },
                    key,
                )
            )
        elif watch.kind == "atom":
            continue
        else:
            changes.append(
                Change(
                    "page_change",
                    MAINTAINERS,
                    {"page": watch.name, "added": 0, "removed": 1, "excerpt": f"- {key}"},
                    key,
                )
            )
    return changes


def significant(kind: str, changes: dict[str, tuple]) -> dict[str, tuple]:
    """Drop the field changes that the kind ignores."""
    ignored = IGNORED_FIELDS.get(kind, set())
    return {name: values for name, values in changes.items() if name not in ignored}


def excerpt(diff: Diff) -> str:
    """A few changed lines, "+ added" and "- removed", short enough for a message."""
    lines = [f"+ {line}" for line in diff.lines_added[:EXCERPT_LINES]]
    lines += [f"- {line}" for line in diff.lines_removed[: max(1, EXCERPT_LINES - len(lines))]]
    text = "\n".join(lines)
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def page_change(watch: WatchInfo, diff: Diff, audience: str = SUBSCRIBERS) -> Change:
    return Change(
        "page_change",
        audience,
        {
            "page": watch.name,
            "added": len(diff.lines_added),
            "removed": len(diff.lines_removed),
            "excerpt": excerpt(diff),
        },
    )


def _ee_rounds(watch: WatchInfo, diff: Diff) -> list[Change]:
    changes = []
    for key, record in sorted(diff.added.items(), key=lambda item: _draw_order(item[0])):
        changes.append(
            Change(
                "new_draw",
                SUBSCRIBERS,
                {
                    "number": record["number"],
                    "date": record["date"],
                    "name": record["name"],
                    "size": record["size"],
                    "crs": record["crs"],
                },
                key,
            )
        )
    for key, fields in sorted(diff.changed.items(), key=lambda item: _draw_order(item[0])):
        fields = {name: list(values) for name, values in fields.items()}
        audience = SUBSCRIBERS if {"crs", "size"} & set(fields) else MAINTAINERS
        changes.append(Change("draw_corrected", audience, {"number": key, "changes": fields}, key))
    return changes


def _draw_order(number: str) -> tuple[int, str]:
    digits = "".join(ch for ch in number if ch.isdigit())
    return (int(digits) if digits else 0, number)


def _atom(watch: WatchInfo, diff: Diff) -> list[Change]:
    changes = [
        Change(
            "news",
            SUBSCRIBERS,
            {"title": r["title"], "url": r["url"], "published": r["published"]},
            key,
        )
        for key, r in diff.added.items()
    ]
    for key, fields in diff.changed.items():
        fields = significant("atom", fields)
        if fields:
            changes.append(
                Change(
                    "page_change",
                    MAINTAINERS,
                    {
                        "page": watch.name,
                        "added": 1,
                        "removed": 1,
                        "excerpt": "\n".join(
                            f"{name}: {old} → {new}" for name, (old, new) in fields.items()
                        ),
                    },
                    key,
                )
            )
    return changes


def _page(watch: WatchInfo, diff: Diff) -> list[Change]:
    if not (diff.lines_added or diff.lines_removed):
        return []
    return [page_change(watch, diff)]


CLASSIFIERS: dict[str, Callable[[WatchInfo, Diff], list[Change]]] = {
    "ee-rounds": _ee_rounds,
    "atom": _atom,
    "page": _page,
}

"""The ``[[watch]]`` blocks: each page or feed to check, its kind, topic, language, interval."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import jmespath
from jmespath.exceptions import IncompleteExpressionError, JMESPathError

from settings import limits
from settings.checker import Checker, show, url_problem
from settings.model import KIND_ALIASES, KINDS, LANGS, Settings, Watch, domain_allowed
from settings.toml_lines import TomlPath

WATCH_KEYS = (
    "follow",
    "index",
    "interval",
    "key",
    "kind",
    "lang",
    "name",
    "pattern",
    "records",
    "selector",
    "topic",
    "twin",
    "url",
)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
NAME_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
# Kinds whose content is JSON or XML: a CSS selector means nothing there.
_NO_SELECTOR_KINDS = ("ee-rounds", "atom", "processing-times", "iec-pools", "json")


def check_watches(checker: Checker, data: dict[str, Any], settings: Settings) -> tuple[Watch, ...]:
    """Validate every ``[[watch]]`` block and the uniqueness of their names."""
    blocks = data.get("watch")
    if blocks is None or blocks == []:
        checker.error(
            (),
            "[[watch]]",
            "no watch is configured",
            "add at least one [[watch]] block with a name and a url",
        )
        return ()
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        checker.error(
            ("watch",),
            "[[watch]]",
            "watches must be [[watch]] blocks",
            "write each watch as a [[watch]] header followed by its keys, one per line",
        )
        return ()
    watches: list[Watch] = []
    seen: dict[str, int] = {}
    for index, block in enumerate(blocks):
        watch = _watch(checker, block, index, settings)
        name = block.get("name")
        if isinstance(name, str) and NAME_RE.fullmatch(name):
            name_line = checker.locator.line(("watch", index, "name"))
            if name in seen:
                checker.error(
                    ("watch", index, "name"),
                    f"[[watch]] {show(name)} name",
                    f"{show(name)} is already the name of the watch on line {seen[name]}",
                    "give each watch its own name",
                )
            else:
                seen[name] = name_line
        if watch is not None:
            watches.append(watch)
    return tuple(watches)


def _watch(checker: Checker, block: dict[str, Any], index: int, settings: Settings) -> Watch | None:
    """Validate one ``[[watch]]`` block."""
    path: TomlPath = ("watch", index)
    name = block.get("name")
    if isinstance(name, str) and NAME_RE.fullmatch(name):
        where = f"[[watch]] {show(name)}"
    else:
        where = f"[[watch]] #{index + 1}"
    errors = len(checker.errors)
    checker.unknown_keys(block, path, where, WATCH_KEYS)

    for key, example in (("name", "ee-rounds"), ("url", "https://www.canada.ca/en.html")):
        if key not in block:
            checker.error(
                path,
                where,
                f"missing key {show(key)}",
                f"add a line such as {key} = {show(example)}",
            )
    if "name" in block:
        value = checker.string(block, path, where, "name", "ee-rounds")
        if value is not None and not NAME_RE.fullmatch(value):
            checker.error(
                (*path, "name"),
                f"{where} name",
                f"{show(value)} is not a valid name",
                "use lowercase letters, digits and dashes, starting with a letter or digit, "
                'such as "ee-rounds"',
            )
    url = None
    if "url" in block:
        url = checker.string(block, path, where, "url", "https://www.canada.ca/en.html")
        if url is not None:
            url = _url(checker, url, path, where, settings)

    kind = "page"
    if "kind" in block:
        value = block["kind"]
        value = KIND_ALIASES.get(value, value) if isinstance(value, str) else value
        if value in KINDS:
            kind = value
        else:
            checker.error(
                (*path, "kind"),
                f"{where} kind",
                f"unknown kind {show(value)}",
                f"use one of: {', '.join(KINDS)}",
            )
            kind = ""
    topic = "general"
    if "topic" in block:
        value = block["topic"]
        if isinstance(value, str) and NAME_RE.fullmatch(value):
            topic = value
        else:
            checker.error(
                (*path, "topic"),
                f"{where} topic",
                f"{show(value)} is not a valid topic",
                'use lowercase letters, digits and dashes, such as "express-entry"',
            )
    lang = "en"
    if "lang" in block:
        value = block["lang"]
        if value in LANGS:
            lang = value
        else:
            checker.error(
                (*path, "lang"),
                f"{where} lang",
                f"{show(value)} is not a supported language",
                'use "en" or "fr"',
            )
    interval = settings.interval
    if "interval" in block:
        interval = checker.interval(block, path, where) or interval
    selector = None
    if "selector" in block:
        selector = checker.string(block, path, where, "selector", "main")
        if selector is not None and kind in _NO_SELECTOR_KINDS:
            checker.error(
                (*path, "selector"),
                f"{where} selector",
                f'a CSS selector does not apply to kind "{kind}"',
                'remove the selector line, or use kind "page"',
            )
        elif selector is not None and (problem := limits.selector_problem(selector)):
            checker.error(
                (*path, "selector"),
                f"{where} selector",
                f"{show(selector)} {problem}",
                'write a CSS selector such as "main", "#wb-cont" or "main .mwsgeneric"',
            )
    records, key = _json_keys(checker, block, path, where, kind)
    follow, index, pattern = _follow(checker, block, path, where, settings, url)
    twin = block.get("twin", True)
    if not isinstance(twin, bool):
        checker.error(
            (*path, "twin"),
            f"{where} twin",
            f"must be true or false, got {show(twin)}",
            "write twin = false to watch this page in its own language only",
        )
    if len(checker.errors) > errors or not isinstance(name, str) or url is None:
        return None
    return Watch(
        name,
        url,
        kind,
        topic,
        lang,
        interval,
        selector,
        records,
        key,
        follow,
        index,
        pattern,
        twin=twin,
    )


def year_pattern(url: str) -> str | None:
    r"""The addresses of the same page in other years: ``url`` with its year as ``\d{4}``."""
    parts = _YEAR.split(url)
    return r"\d{4}".join(re.escape(part) for part in parts) if len(parts) == 2 else None


def _follow(
    checker: Checker,
    block: dict[str, Any],
    path: TomlPath,
    where: str,
    settings: Settings,
    url: str | None,
) -> tuple[str | None, str | None, str | None]:
    """Validate ``follow = "latest"`` with its ``index`` page and address ``pattern``."""
    if "follow" not in block:
        for name in ("index", "pattern"):
            if name in block:
                checker.error(
                    (*path, name),
                    f"{where} {name}",
                    f'"{name}" applies to a watch with follow = "latest" only',
                    f'add follow = "latest", or remove the {name} line',
                )
        return None, None, None
    if block["follow"] != "latest":
        checker.error(
            (*path, "follow"),
            f"{where} follow",
            f"{show(block['follow'])} is not a way to follow",
            'write follow = "latest" (the newest page the index links to), or remove the line',
        )
        return None, None, None
    index = None
    if "index" not in block:
        checker.error(
            path,
            where,
            'follow = "latest" needs the "index" page that links to the newest page',
            'add a line such as index = "https://www.ontario.ca/page/ontario-immigrant-nominee-'
            'program-oinp"',
        )
    else:
        index = checker.string(block, path, where, "index", "https://www.ontario.ca/page/updates")
        if index is not None:
            index = _url(checker, index, path, where, settings, key="index")
    pattern = None
    if "pattern" in block:
        pattern = checker.string(block, path, where, "pattern", r"/page/\d{4}-updates$")
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                checker.error(
                    (*path, "pattern"),
                    f"{where} pattern",
                    f"{show(pattern)} is not a valid regular expression ({exc})",
                    r'write a pattern such as "/page/\d{4}-ontario-immigrant-nominee-program-'
                    r'updates$"',
                )
                pattern = None
    elif url is not None:
        pattern = year_pattern(url)
        if pattern is None:
            checker.error(
                (*path, "follow"),
                f"{where} follow",
                "the url has no year to tell the newest page by, and no pattern is given",
                r'add pattern = "…\d{4}…", a regular expression matching the pages\' addresses',
            )
    return "latest", index, pattern


def _json_keys(
    checker: Checker, block: dict[str, Any], path: TomlPath, where: str, kind: str
) -> tuple[str | None, str | None]:
    """Validate ``records`` (a JMESPath that compiles) and ``key``: kind "json" only."""
    records = key = None
    for name in ("records", "key"):
        if name in block and kind != "json":
            checker.error(
                (*path, name),
                f"{where} {name}",
                f'"{name}" applies to kind "json" only',
                f'remove the {name} line, or use kind = "json"',
            )
    if kind != "json":
        return None, None
    if "records" not in block:
        checker.error(
            path,
            where,
            'kind "json" needs a "records" expression',
            'add a line such as records = "rounds[]" (a JMESPath)',
        )
    else:
        records = checker.string(block, path, where, "records", "rounds[]")
        if records is not None:
            try:
                jmespath.compile(records)
            except JMESPathError as exc:
                reason = _jmespath_problem(exc)
                checker.error(
                    (*path, "records"),
                    f"{where} records",
                    f"{show(records)} is not a valid JMESPath ({reason})",
                    'write a JMESPath such as "rounds[]" or "data.items[*]"',
                )
                records = None
    if "key" in block:
        key = checker.string(block, path, where, "key", "drawNumber")
    return records, key


def _url(
    checker: Checker, url: str, path: TomlPath, where: str, settings: Settings, key: str = "url"
) -> str | None:
    """Validate a watch's URL (or its ``index``) and its host against
    ``settings.allowed_domains``."""
    problem = url_problem(url)
    if problem is not None:
        checker.error(
            (*path, key),
            f"{where} {key}",
            f"{show(url)} {problem}",
            'write a full address, such as "https://www.canada.ca/en/....html"',
        )
        return None
    if not checker.domains_ok:
        return url
    host = urlsplit(url).hostname or ""
    if not domain_allowed(host, settings.allowed_domains):
        allowed = ", ".join(settings.allowed_domains) or "none"
        checker.error(
            (*path, key),
            f"{where} {key}",
            f"host {show(host)} is not in settings.allowed_domains ({allowed})",
            f"add {show(host)} to allowed_domains in [settings], "
            "or watch an address on an allowed domain",
        )
        return None
    return url


def _jmespath_problem(exc: JMESPathError) -> str:
    """The parser's complaint in one line: "ends too early", or what it met at which column."""
    if isinstance(exc, IncompleteExpressionError):
        return "the expression ends too early"
    first = str(exc).strip().splitlines()[0]
    return first.removeprefix("Invalid jmespath expression: ").removesuffix(", for expression:")

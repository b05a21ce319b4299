"""Both official languages from one ``[[watch]]``: the twins its pages name, watched too.

A canada.ca page names its twin in the other official language (see ``diffing.twins``); once a
watch's baseline has read that address, the watch's twin is one more watch, derived here from
the configured one: same kind, topic, interval and selector, the other language, named after it
("iec" → "iec-fr", "gts-en" → "gts-fr"). ``twin = false`` on a watch turns it off; a twin
already configured by hand (a watch with that address) is never added twice, and a twin on
another site than the page's (or outside allowed_domains) is never followed.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urljoin, urlsplit

from settings.model import Config, Watch, domain_allowed

# The kinds whose pages are HTML and name their twin (feeds and data files do not).
TWIN_KINDS = ("page", "ee-categories", "events")
OTHER = {"en": "fr", "fr": "en"}


def twin_name(name: str, lang: str) -> str:
    """The name of a watch's twin in ``lang``: "iec" → "iec-fr", "gts-en" → "gts-fr"."""
    for suffix in ("-en", "-fr"):
        if name.endswith(suffix):
            return name[: -len(suffix)] + f"-{lang}"
    return f"{name}-{lang}"


def with_twins(config: Config, found: dict[str, dict[str, str]]) -> Config:
    """``config`` with the twin of every watch whose pages named one (``found``: watch name →
    {lang: address as written}), unless turned off, already watched, or not allowed."""
    candidates: list[tuple[Watch, str, str, str]] = []
    for watch in config.watches:
        if watch.name not in found:
            continue
        other = OTHER.get(watch.lang)
        href = (found.get(watch.name) or {}).get(other or "")
        if not (
            watch.twin
            and watch.twin_of is None
            and watch.kind in TWIN_KINDS
            and watch.follow is None  # a page that moves yearly: its twin would not follow
            and href
        ):
            continue
        url = urljoin(watch.url, href)
        parts = urlsplit(url)
        if (
            parts.scheme not in ("http", "https")
            or parts.hostname != urlsplit(watch.url).hostname
            or not domain_allowed(parts.hostname or "", config.settings.allowed_domains)
        ):
            continue
        candidates.append((watch, other or "", url, twin_name(watch.name, other or "")))
    if not candidates:  # the common case, without reading every watch's address
        return config
    taken = {_plain(watch.url) for watch in config.watches}
    names = {watch.name for watch in config.watches}
    twins: list[Watch] = []
    for watch, other, url, name in candidates:
        if _plain(url) in taken or name in names:
            continue
        twins.append(replace(watch, name=name, url=url, lang=other, twin=False, twin_of=watch.name))
        taken.add(_plain(url))
        names.add(name)
    if not twins:
        return config
    return replace(config, watches=(*config.watches, *twins))


def twin_of(config: Config, name: str) -> Watch | None:
    """The watch paired with ``name`` as its twin (either way), or None."""
    try:
        watch = config.watch(name)
    except KeyError:
        return None
    for other in config.watches:
        if other.twin_of == name or (watch.twin_of and other.name == watch.twin_of):
            return other
    return None


def _plain(url: str) -> str:
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}{parts.path.rstrip('/')}"

"""Unfamiliar pages through the real pipeline: one watch, versions in order, a real SQLite file.

The pages are synthetic, written from what the sites publish (GCWeb/WET templates, provincial
sites without ``<main>``, firewall and challenge pages); see tests/test_unfamiliar_*.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crawlers.items import Fetch
from ircc_watch.pipeline import Outcome, Pipeline
from settings import load_config
from storage import watches
from storage.db import open_db

DOMAINS = [
    "canada.ca",
    "welcomebc.ca",
    "ontario.ca",
    "alberta.ca",
    "immigratemanitoba.com",
    "quebec.ca",
    "saskatchewan.ca",
    "princeedwardisland.ca",
    "gov.nl.ca",
    "gnb.ca",
    "liveinnovascotia.com",
    "immigratenwt.ca",
    "yukon.ca",
    "127.0.0.1",
]


class OneWatch:
    """A config with one watch ``w`` of ``kind`` and a pipeline over a fresh database."""

    def __init__(self, directory: Path, kind: str, url: str, **fields: str) -> None:
        entries = {"name": "w", "url": url, "kind": kind, "topic": "general", **fields}
        lines = ["[settings]", 'database = "t.db"', f"allowed_domains = {json.dumps(DOMAINS)}"]
        lines += ["", "[[watch]]"] + [f"{k} = {json.dumps(v)}" for k, v in entries.items()]
        path = directory / "config.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.config = load_config(path, directory / "t.db")
        self.db = open_db(self.config.settings.database)
        watches.sync(self.db, self.config.watches)
        self.pipeline = Pipeline(self.db, self.config)
        self.day = 0

    def check(self, body: str | bytes, at: str | None = None) -> Outcome:
        """One 200 response with ``body`` observed ``at``, or a day after the previous one."""
        self.day += 1
        watch = self.config.watches[0]
        data = body.encode("utf-8") if isinstance(body, str) else body
        fetch = Fetch(watch="w", url=watch.url, final_url=watch.url, status=200, body=data)
        return self.pipeline.handle(fetch, now=at or f"2026-01-{self.day:02d}T10:00:00Z")

    def told(self, body: str | bytes, at: str | None = None) -> list[tuple[str, str]]:
        """(kind, audience) of what one check with ``body`` stored."""
        return [(row["kind"], row["audience"]) for row in self.check(body, at).changes]

    def subscriber_rows(self) -> list[dict[str, Any]]:
        """Every stored change meant for subscribers, oldest first."""
        return [
            dict(row)
            for row in self.db.query(
                "SELECT kind, title, summary, status FROM changes "
                "WHERE audience = 'subscribers' ORDER BY id"
            )
        ]


def gcweb(
    main: str, title: str = "Program page", lang: str = "en", modified: str = "2026-01-10"
) -> str:
    """A canada.ca page in the GCWeb template around ``main`` (the content of its <main>)."""
    return f"""<!DOCTYPE html><html lang="{lang}" class="no-js"><head><meta charset="utf-8">
<title>{title} - Canada.ca</title><meta name="dcterms.modified" content="{modified}">
<script>window.adobeDataLayer = {{"ak.rid":"1f2e"}};</script></head>
<body vocab="http://schema.org/" typeof="WebPage">
<nav><ul id="wb-tphp"><li class="wb-slc">
<a class="wb-sl" href="#wb-cont">Skip to main content</a></li></ul></nav>
<header><div id="wb-bnr" class="container"><div class="row"><div class="brand col-xs-9">
<a href="/en.html">Government of Canada</a></div></div></div>
<nav id="wb-bc" property="breadcrumb"><div class="container"><ol class="breadcrumb"><li>
<a href="/en.html">Canada.ca</a></li></ol></div></nav></header>
<main property="mainContentOfPage" resource="#wb-main" class="container" typeof="WebPageElement">
<h1 property="name" id="wb-cont">{title}</h1>
{main}
<section class="pagedetails"><div class="row"><div class="col-sm-6 col-md-5 col-lg-4">
<a class="btn btn-default" href="/report">Report a problem on this page</a></div></div>
<dl id="wb-dtmd"><dt>Date modified:</dt><dd><time property="dateModified">{modified}</time>
</dd></dl></section>
</main>
<footer id="wb-info"><div class="gc-contextual"><p>Immigration and citizenship</p></div>
</footer></body></html>"""


def provincial(content: str, title: str, before_content: str = "") -> str:
    """A provincial site's page with no <main>: header, menu, content beside a sidebar, footer."""
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title></head>
<body class="page-template">{before_content}
<header class="site-header"><a class="logo" href="/">Home</a><form class="search">
<input name="q"></form></header>
<nav class="main-menu"><ul><li><a href="/immigrate">Immigrate</a></li><li>
<a href="/work">Work</a></li></ul></nav>
<div class="container"><div class="row"><div class="col-md-9 page-content"><h1>{title}</h1>
{content}
</div><div class="col-md-3 sidebar"><p>Related links</p></div></div></div>
<footer class="site-footer"><p>Copyright Province</p></footer></body></html>"""

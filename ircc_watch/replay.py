"""Saved versions through the pipeline, exactly as fetched bodies: what `replay` is built on."""

from __future__ import annotations

import re
from pathlib import Path

from crawlers.items import Fetch
from ircc_watch.pipeline import Outcome, Pipeline
from settings import Watch
from storage.db import utcnow

OBSERVED_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2})(\d{2})Z")


def observed_at(name: str) -> str | None:
    """The UTC time a saved file's name starts with ("2025-03-16T2124Z_…"), as stored."""
    match = OBSERVED_PREFIX.match(name)
    if not match:
        return None
    day, hour, minute = match.groups()
    return f"{day}T{hour}:{minute}:00Z"


def replay_file(
    pipeline: Pipeline, watch: Watch, path: Path, default_time: str | None = None
) -> Outcome:
    """Handle one saved version as a 200 response for ``watch``, observed when its name says."""
    fetch = Fetch(
        watch=watch.name, url=watch.url, final_url=watch.url, status=200, body=path.read_bytes()
    )
    return pipeline.handle(fetch, now=observed_at(path.name) or default_time or utcnow())

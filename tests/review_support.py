"""Helpers for the review page tests: a real database made by replaying real fixture files.

``build_history`` replays the first versions of the real Express Entry feed archive and a real
canada.ca page (with two edits, the second one carrying hostile text) through the real
``ircc-watch replay``; ``add_hostile_change`` adds a change whose every field is hostile.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

from settings import Reviewer, ReviewSettings
from storage import changes
from storage.db import open_db
from tests.conftest import REAL, run_cli, unpack, write_config

EE_URL = "https://www.canada.ca/content/dam/ircc/documents/json/ee_rounds_123_en.json"
DTF_URL = "https://www.canada.ca/en/government/data-reference-standard-date-time-format.html"
NOISE = REAL / "canada_ca_html" / "gcweb_noise_only" / "date-time-format"
EE_VERSIONS = 6
HOSTILE = '<script>alert(1)</script> & "double" \'single\' "><img src=x onerror=alert(2)>'
ORIGINAL_LINE = "6.1 For interpretation"
EDITED_LINE = "6.1 For questions about the interpretation"


def _escaped(text: str) -> str:
    """``text`` as it sits in the page's HTML source (so the page shows it literally)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _without_distribution(body: bytes) -> bytes:
    data = json.loads(body)
    for draw in data["rounds"] if isinstance(data, dict) else data:
        for name in [n for n in draw if n.startswith("dd") or n == "drawDistributionAsOn"]:
            del draw[name]
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def build_history(directory: Path) -> Path:
    """Replay the fixtures into ``directory``/test.db and return the database's path.

    Changes, oldest id first: 1 dtf page_change (real edit), 2 dtf page_change (hostile edit),
    then 3..6 ee-rounds new_draw (draws #340..#343), since replay takes folders in name order.
    """
    replay = directory / "replay"
    ee = replay / "ee-rounds"
    ee.mkdir(parents=True)
    members = unpack(
        REAL / "ee_rounds" / "raw_feed_series1_all_versions.tar.xz", directory / "archive"
    )
    for member in members[:EE_VERSIONS]:
        # Without the pool distribution fields, so the history keeps one change per draw
        # (each new distribution is a pool_changed of its own: tests/test_pool.py).
        (ee / member.name).write_bytes(_without_distribution(member.read_bytes()))
    dtf = replay / "dtf"
    dtf.mkdir()
    versions = sorted(NOISE.glob("*.html"))
    shutil.copy(versions[0], dtf / versions[0].name)
    edited = versions[1].read_text(encoding="utf-8").replace(ORIGINAL_LINE, EDITED_LINE)
    (dtf / "2025-02-01T1200Z_edited.html").write_text(edited, encoding="utf-8")
    hostile = (
        versions[2]
        .read_text(encoding="utf-8")
        .replace(ORIGINAL_LINE, f"6.1 For {_escaped(HOSTILE)} questions about the interpretation")
    )
    (dtf / "2025-02-02T1200Z_hostile.html").write_text(hostile, encoding="utf-8")
    config = write_config(
        directory,
        [
            {"name": "dtf", "url": DTF_URL, "topic": "standards"},
            {"name": "ee-rounds", "url": EE_URL, "kind": "ee-rounds", "topic": "express-entry"},
        ],
    )
    result = run_cli("--config", str(config), "replay", str(replay))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 6, result.stdout
    return directory / "test.db"


def copy_db(template: Path, directory: Path) -> Path:
    """A private copy of the replayed database, so each test may write to it."""
    target = directory / "review.db"
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{template}{suffix}")
        if source.exists():
            shutil.copy(source, Path(f"{target}{suffix}"))
    return target


def add_hostile_change(db_path: Path) -> int:
    """Add a change whose title, summary, data and url are hostile; returns its id.

    It points at the hostile edit's real snapshots, so its diff carries hostile lines too.
    """
    db = open_db(db_path)
    hostile_source = db.execute(
        "SELECT snapshot_id, previous_snapshot_id FROM changes WHERE id = 2"
    ).fetchone()
    with db.atomic():
        change_id = changes.insert(
            db,
            {
                "watch": "dtf",
                "kind": "rule_change",
                "topic": "standards",
                "audience": "subscribers",
                "observed_at": "2025-02-03T12:00:00Z",
                "title": f"Title {HOSTILE}",
                "summary": f"Summary {HOSTILE}\nsecond line",
                "data": {"section": HOSTILE, "before": [HOSTILE], "after": {"x": HOSTILE}},
                "url": "javascript:alert(3)",
                "lang": "en",
                "snapshot_id": hostile_source[0],
                "previous_snapshot_id": hostile_source[1],
                "diff": f"--- before\n+++ after\n+{HOSTILE}",
            },
        )
    db.conn.close()
    return change_id


class TagCollector(HTMLParser):
    """Every start tag and its attributes, as a browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> TagCollector:
    """Parse an HTML page with the standard library's parser."""
    collector = TagCollector()
    collector.feed(text)
    collector.close()
    return collector


def assert_inert(page: str) -> None:
    """No script, image, handler attribute or javascript: link made it into ``page`` as markup.

    The one image allowed is the page's own chart of a watch (``/charts/WATCH/NAME.svg``).
    """
    parsed = parse_html(page)
    for tag, attrs in parsed.tags:
        if tag == "img" and _CHART_SRC.fullmatch(attrs.get("src") or ""):
            assert set(attrs) == {"src", "alt", "width", "height"}, attrs
            continue
        assert tag not in ("script", "img", "iframe", "object", "embed"), (tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, attrs)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, attrs)


_CHART_SRC = re.compile(r"(/[a-z-]+)*/charts/[a-z0-9-]+/(cutoffs|pool|ptime|iec)\.svg")
ANA_SECRET = "correct horse battery staple"
ANA_ENV = "IRCC_WATCH_TEST_REVIEW_ANA"
_TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def review_settings(**overrides) -> ReviewSettings:
    """[review] settings with one maintainer, "ana", whose secret is in ANA_ENV."""
    return ReviewSettings(reviewers=(Reviewer("ana", ANA_ENV),), **overrides)


def csrf_token(page: str) -> str:
    """The CSRF token of the first form on ``page``."""
    return _TOKEN_RE.search(page).group(1)


async def sign_in(client, name: str = "ana", secret: str = ANA_SECRET, origin: str = ""):
    """Sign in through the real login form, as a browser would (Origin included)."""
    page = await (await client.get("/login")).text()
    origin = origin or str(client.make_url("")).rstrip("/")
    return await client.post(
        "/login",
        data={"csrf_token": csrf_token(page), "name": name, "secret": secret},
        headers={"Origin": origin},
        allow_redirects=False,
    )

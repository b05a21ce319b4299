"""Charts from real stored history: each one's plotted series equals the stored records, each is
sent as a photo within Telegram's limits with a caption in the reader's language, and the review
page shows them as SVG beside a watch's history."""

from __future__ import annotations

import math
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime

import matplotlib.dates as mdates
import pytest
import sqlite_utils
from aiohttp.test_utils import TestClient, TestServer

from charts import draw
from charts.pick import Refusal, choose
from diffing import pool
from diffing.durations import days
from diffing.extract.iec_pools import extract as iec_extract
from diffing.extract.processing_times import as_of
from diffing.extract.processing_times import extract as ptime_extract
from notifier.bot import build_application
from notifier.drawtypes import draw_type
from review.app import create_app
from settings import load_config
from storage import records
from storage.db import open_db
from tests.conftest import REAL, ROOT, run_cli, unpack, write_config
from tests.fakes.telegram_api import FakeTelegram
from tests.notifier_support import StorageActions, make_config, open_database, running
from tests.review_support import ANA_ENV, ANA_SECRET, review_settings, sign_in

EE_URL = "https://www.canada.ca/content/dam/ircc/documents/json/ee_rounds_123_en.json"
PTIME_URL = "https://www.canada.ca/content/dam/ircc/documents/json/data-ptime-non-country-en.json"
IEC_URL = "https://ircc.canada.ca/english/work/iec/selections.xml"
IEC_SYNTHETIC = ROOT / "tests" / "fixtures" / "synthetic" / "iec-pools"
WATCHES = [
    {"name": "ee-rounds", "url": EE_URL, "kind": "ee-rounds", "topic": "express-entry"},
    {"name": "ptime-programs", "url": PTIME_URL, "kind": "processing-times", "topic": "ptime"},
    {"name": "iec-pools", "url": IEC_URL, "kind": "iec-pools", "topic": "iec"},
]
ALICE = 111


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> dict:
    """A database replayed from the real rounds feed (its 100 versions of 2025–2026), the real
    2025 processing-times file (46 versions) and the synthetic IEC season (6 versions)."""
    root = tmp_path_factory.mktemp("charts")
    replay = root / "replay"
    unpack(REAL / "ee_rounds" / "raw_feed_series1_all_versions.tar.xz", replay / "ee-rounds")
    ptime = unpack(
        REAL / "processing_times" / "ptime_non_country_en_2025_all_versions.tar.xz", root / "pt"
    )
    (replay / "ptime-programs").mkdir()
    for path in ptime:
        shutil.copy(path, replay / "ptime-programs" / path.name)
    shutil.copytree(IEC_SYNTHETIC, replay / "iec-pools")
    config = write_config(root, WATCHES)
    result = run_cli("--config", str(config), "replay", str(replay))
    assert result.returncode == 0, result.stderr
    return {"config": config, "db": root / "test.db", "ptime": ptime, "root": root}


@pytest.fixture
def db(history) -> Iterator[sqlite_utils.Database]:
    database = open_db(history["db"])
    yield database
    database.conn.close()


def watches(history) -> list:
    return load_config(history["config"]).watches


def stored_draws(db: sqlite_utils.Database) -> list[dict]:
    return list(records.known(db, "ee-rounds").values())


def line_points(figure, gid: str) -> list[tuple[date, float]]:
    (line,) = [line for ax in figure.axes for line in ax.get_lines() if line.get_gid() == gid]
    return [(mdates.num2date(x).date(), y) for x, y in line.get_xydata()]


def test_cutoffs_chart_plots_the_stored_draws_of_the_last_12_months(history, db) -> None:
    chart = choose(db, watches(history), [], "en", score=472)
    figure = chart.build()
    draws = stored_draws(db)
    newest = max(date.fromisoformat(d["date"]) for d in draws)
    expected: dict[str, list] = {}
    for record in sorted(draws, key=lambda d: (d["date"], int(d["number"].rstrip("ab")))):
        day = date.fromisoformat(record["date"])
        if (newest - day).days < 365:
            expected.setdefault(draw_type(record["name"]), []).append((day, record["crs"]))
    plotted = {
        line.get_gid()[5:]: line_points(figure, line.get_gid())
        for line in figure.axes[0].get_lines()
        if (line.get_gid() or "").startswith("type:")
    }
    assert plotted == expected
    assert sum(len(v) for v in plotted.values()) == 75
    (score,) = [line for line in figure.axes[0].get_lines() if line.get_gid() == "score"]
    assert set(score.get_ydata()) == {472}
    assert chart.caption.splitlines()[0] == (
        "CRS cut-offs of 75 draws, September 2, 2025 to August 19, 2026."
    )
    cec = [crs for day, crs in expected["cec"]]
    assert (
        f"Canadian Experience Class: lowest {min(cec)}, highest {max(cec)}, last {cec[-1]} "
        "(August 18, 2026)" in chart.caption
    )
    assert chart.caption.endswith("Dashed line: your score, 472.")


def test_pool_chart_plots_the_stored_distributions_now_and_four_weeks_before(history, db) -> None:
    chart = choose(db, watches(history), ["pool"], "fr")
    figure = chart.build()
    newest = max(stored_draws(db), key=lambda d: (d["date"], int(d["number"].rstrip("ab"))))
    fields = newest["fields"]
    assert fields["drawDistributionAsOn"] == "August 16, 2026"
    # Four weeks before August 16: the distribution of July 19, 2026, which round #427 carries.
    before = records.known(db, "ee-rounds")["427"]["fields"]
    assert before["drawDistributionAsOn"] == "July 19, 2026"
    now, earlier = figure.axes[0].containers
    assert (now.get_label(), earlier.get_label()) == ("16 août 2026", "19 juill. 2026")
    now_bars, before_bars = ([int(bar.get_width()) for bar in c] for c in (now, earlier))
    labels = [tick.get_text() for tick in figure.axes[0].get_yticklabels()]
    bands = [name for name, low, high in pool.BANDS if f"{low}–{high}" in labels]
    assert len(bands) == len(labels) == 15
    assert now_bars == [int(fields[b].replace(",", "")) for b in bands]
    assert before_bars == [int(before[b].replace(",", "")) for b in bands]
    assert sum(now_bars) == int(fields["dd18"].replace(",", "")) == 226_859
    assert chart.caption == (
        "Bassin d’Entrée express au 16 août 2026\u00a0: 226 859 candidats. Quatre semaines "
        "plus tôt "
        "(19 juillet 2026)\u00a0: 231 533. Plus petite tranche 601–1200\u00a0: 439; plus "
        "grande 351–400\u00a0: "
        "48 600."
    )


def test_ptime_chart_plots_each_weekly_value_of_the_real_files(history, db) -> None:
    chart = choose(db, watches(history), ["ptime", "iec"], "en")
    figure = chart.build()
    expected: dict[date, float] = {}
    for path in history["ptime"]:
        document = ptime_extract(path.read_bytes())
        record = document.records["iec/iec"]
        stamp = as_of(document.records["as-of"]["dates"], "iec", "iec")
        expected[datetime.strptime(stamp, "%B %d, %Y").date()] = days(record["value"]) / 7
    assert line_points(figure, "ptime") == sorted(expected.items())
    assert len(expected) == 43
    assert chart.caption == (
        "IEC work permits: last 5 weeks (as of December 23, 2025); lowest 2 weeks (February 25, "
        "2025), highest 7 weeks (October 20, 2025); 43 updates since February 25, 2025."
    )
    french = choose(db, watches(history), ["ptime", "iec"], "fr")
    assert french.caption.startswith(
        "Permis de travail EIC\u00a0: dernier délai 5 semaines (au 23 décembre 2025); le "
        "plus court "
        "2 semaines (25 février 2025)"
    )


def test_iec_chart_plots_the_pools_weekly_figures(history, db) -> None:
    chart = choose(db, watches(history), ["iec", "France", "wh"], "en")
    figure = chart.build()
    expected_invitations, expected_chances = [], []
    for path in sorted(IEC_SYNTHETIC.iterdir()):
        document = iec_extract(path.read_bytes())
        day = datetime.strptime(document.records["as-of"]["chancesdate"], "%B %d, %Y").date()
        pool_record = document.records["fr/wh"]
        if expected_invitations and expected_invitations[-1][0] == day:
            expected_invitations.pop()
            expected_chances.pop()
        expected_invitations.append((day, pool_record["invitations"]))
        expected_chances.append((day, pool_record["chances"]))
    assert line_points(figure, "invitations") == expected_invitations
    assert line_points(figure, "chances") == expected_chances
    assert chart.caption.startswith("IEC Working Holiday — France: invitations to date 14,588")
    assert isinstance(choose(db, watches(history), ["iec", "Atlantis", "wh"], "en"), Refusal)
    assert choose(db, watches(history), ["iec", "France"], "en") == Refusal("usage")


def test_every_chart_renders_a_png_and_an_svg(history, db) -> None:
    for args in ([], ["pool"], ["ptime", "iec"], ["iec", "France", "wh"]):
        chart = choose(db, watches(history), args, "en", score=472)
        png = chart.render("png")
        assert png.startswith(b"\x89PNG") and len(png) < 10 * 1024 * 1024
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert (width, height) == (960, 540)
        svg = chart.render("svg")
        assert b"<svg" in svg and b"<script" not in svg
        assert chart.render("png") == png  # no date or version stamped: same data, same bytes


def test_axis_numbers_and_months_follow_the_language() -> None:
    assert draw.number(18657, "en") == "18,657"
    assert draw.number(18657, "fr") == "18\u00a0657"
    assert draw.day_label(date(2026, 8, 16), "fr") == "août 2026"
    assert draw.day_label(date(2026, 8, 16), "en") == "Aug 2026"


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(per_chat_per_second=math.inf, per_group_per_minute=math.inf) as server:
        yield server


@pytest.fixture
async def bot(history, fake, tmp_path) -> AsyncIterator[sqlite_utils.Database]:
    config = make_config(tmp_path, base_url=fake.base_url, watch_list=WATCHES)
    shutil.copy(history["db"], config.settings.database)
    database = open_database(config)
    app = build_application(config, database, token=fake.token, actions=StorageActions(database))
    async with running(app):
        yield database
    database.conn.close()


async def ask(fake: FakeTelegram, text: str) -> dict:
    """Send ``text``; the photo (or message) the bot answers with."""
    photos, messages = len(fake.photos_to(ALICE)), len(fake.messages_to(ALICE))
    fake.inject_message(ALICE, text)
    assert await fake.wait_for_async(
        lambda: len(fake.photos_to(ALICE)) > photos or len(fake.messages_to(ALICE)) > messages,
        timeout=20,
    )
    if len(fake.photos_to(ALICE)) > photos:
        return fake.photos_to(ALICE)[-1]
    return fake.messages_to(ALICE)[-1]


async def test_chart_commands_send_photos_with_captions_in_both_languages(bot, fake) -> None:
    await ask(fake, "/crs 472")
    photo = await ask(fake, "/chart")
    assert photo["data"].startswith(b"\x89PNG") and (photo["width"], photo["height"]) == (960, 540)
    assert photo["visible_caption"].endswith("Dashed line: your score, 472.")
    assert len(photo["visible_caption"]) <= 1024
    photo = await ask(fake, "/chart pool")
    assert photo["visible_caption"].startswith("Express Entry pool as of August 16, 2026")
    photo = await ask(fake, "/chart ptime iec")
    assert photo["visible_caption"].startswith("IEC work permits: last 5 weeks")
    photo = await ask(fake, "/chart iec France wh")
    assert photo["visible_caption"].startswith("IEC Working Holiday — France")
    await ask(fake, "/lang fr")
    photo = await ask(fake, "/chart")
    assert photo["visible_caption"].startswith("Notes minimales du SCG de 75 rondes")
    assert photo["visible_caption"].endswith("Ligne pointillée\u00a0: votre note, 472.")
    reply = await ask(fake, "/chart <b>nope")
    assert reply["visible_text"].startswith("Usage\u00a0: /chart")
    reply = await ask(fake, "/chart ptime <i>x")
    assert reply["visible_text"].startswith("Aucun programme ni bassin «\u202f<i>x\u202f»")


async def test_fake_telegram_refuses_what_telegram_refuses(fake) -> None:
    from telegram import Bot
    from telegram.error import BadRequest

    bot = Bot(fake.token, base_url=fake.base_url)
    png = (ROOT / "docs" / "charts" / "pool.png").read_bytes()
    async with bot:
        await bot.send_photo(ALICE, png, caption="x" * 1024)
        with pytest.raises(BadRequest, match="(?i)caption is too long"):
            await bot.send_photo(ALICE, png, caption="x" * 1025)
        with pytest.raises(BadRequest, match="(?i)image_process_failed"):
            await bot.send_photo(ALICE, b"not an image", caption="x")
        with pytest.raises(BadRequest, match="(?i)file is too big"):
            await bot.send_photo(ALICE, png + b"\0" * (10 * 1024 * 1024), caption="x")
    assert len(fake.photos_to(ALICE)) == 1


async def test_review_page_shows_the_charts_beside_a_watchs_history(
    history, db, monkeypatch
) -> None:
    monkeypatch.setenv(ANA_ENV, ANA_SECRET)
    async with TestClient(TestServer(create_app(db, review=review_settings()))) as client:
        assert (await sign_in(client)).status == 303
        page = await (await client.get("/?watch=ee-rounds")).text()
        assert '<h2 id="charts">Charts of ee-rounds</h2>' in page
        assert '<img src="/charts/ee-rounds/cutoffs.svg" alt="CRS cut-offs of 75 draws' in page
        assert '<img src="/charts/ee-rounds/pool.svg"' in page
        assert "<figcaption>Express Entry pool as of August 16, 2026: 226,859" in page
        response = await client.get("/charts/ee-rounds/pool.svg")
        assert response.status == 200 and response.content_type == "image/svg+xml"
        assert b"<svg" in await response.read()
        (change_id,) = db.execute(
            "SELECT MAX(id) FROM changes WHERE watch = 'ptime-programs' "
            "AND kind = 'processing_time_changed'"
        ).fetchone()
        page = await (await client.get(f"/changes/{change_id}")).text()
        assert '<img src="/charts/ptime-programs/ptime.svg"' in page
        page = await (await client.get("/?watch=iec-pools")).text()
        assert '<img src="/charts/iec-pools/iec.svg"' in page
        assert (await client.get("/charts/iec-pools/pool.svg")).status == 404
        assert (await client.get("/charts/nothing/pool.svg")).status == 404
        assert "Charts of" not in await (await client.get("/")).text()


def test_the_chart_command_writes_the_file_and_prints_its_caption(history, tmp_path) -> None:
    out = tmp_path / "pool.svg"
    args = ("--config", str(history["config"]), "chart", "pool", "--lang", "fr", "--out", str(out))
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "Bassin d’Entrée express au 16 août 2026\u00a0: 226 859 candidats."
    )
    assert out.read_bytes().startswith(b"<?xml") and b"<svg" in out.read_bytes()
    bad = run_cli("--config", str(history["config"]), "chart", "--out", str(tmp_path / "x.gif"))
    assert bad.returncode == 2 and bad.stderr.strip().endswith(
        "must end in .png or .svg, got x.gif"
    )
    none = run_cli(
        "--config", str(history["config"]), "chart", "ptime", "nothing", "--out", str(out)
    )
    assert none.returncode == 2 and "no chart for ptime nothing: unknown nothing" in none.stderr

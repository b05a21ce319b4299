"""The Express Entry pool distribution: read from every real round, told once per new one (only
to who asked, /pool on), a wrong one a fault; /crs N and /why N from the latest real feed."""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import AsyncIterator, Iterator

import pytest

from diffing import pool
from diffing.extract.ee_rounds import extract
from diffing.messages import describe
from notifier.bot import build_application
from notifier.delivery import Delivery
from storage import changes, deliveries, preferences, subscribers
from tests.conftest import REAL, run_cli, unpack, write_config
from tests.fakes.telegram_api import FakeTelegram
from tests.notifier_support import (
    StorageActions,
    feed_bytes,
    fetch,
    french,
    make_config,
    open_database,
    pipeline,
    real_feed,
    running,
    with_round,
)

EE_URL = "https://www.canada.ca/content/dam/ircc/documents/json/ee_rounds_123_en.json"
SERIES = ("raw_feed_series1_all_versions.tar.xz", "rounds_array_series2_all_versions.tar.xz")
ALICE, BOB, CAROL = 111, 222, 333
# The rounds page's labels, written out independently of diffing.pool.
LABELS = {
    "dd1": (601, 1200),
    "dd2": (501, 600),
    "dd4": (491, 500),
    "dd5": (481, 490),
    "dd6": (471, 480),
    "dd7": (461, 470),
    "dd8": (451, 460),
    "dd10": (441, 450),
    "dd11": (431, 440),
    "dd12": (421, 430),
    "dd13": (411, 420),
    "dd14": (401, 410),
    "dd15": (351, 400),
    "dd16": (301, 350),
    "dd17": (0, 300),
}


def number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> list:
    root = tmp_path_factory.mktemp("versions")
    files = []
    for archive in SERIES:
        files += unpack(REAL / "ee_rounds" / archive, root / archive)
    return files


def test_every_real_round_has_a_distribution_that_adds_up(versions) -> None:
    rounds = 0
    for path in versions:
        document = extract(path.read_bytes())
        for record in document.records.values():
            distribution = pool.read(record)
            assert distribution is not None, (path.name, record["number"])
            raw = record["fields"]
            assert distribution.total == number(raw["dd18"])
            assert sum(distribution.counts[b] for b in pool.MAIN) == distribution.total
            assert distribution.as_on  # "August 16, 2026" → 2026-08-16
            rounds += 1
        assert pool.problem(document.records) is None, path.name
    assert len(versions) == 228 and rounds > 80_000


def test_round_247s_inconsistent_split_is_not_used() -> None:
    """IRCC's round 247 (April 26, 2023): 451–500 is 55,867, its five parts add to 55,687."""
    record = extract(feed_bytes(real_feed())).records["247"]
    distribution = pool.read(record)
    assert distribution.counts["dd3"] == 55_867
    assert sum(distribution.counts[f"dd{i}"] for i in range(4, 9)) == 55_687
    assert "dd3" in distribution.finest() and "dd4" not in distribution.finest()


def replay(tmp_path, archive: str) -> list[dict]:
    unpack(REAL / "ee_rounds" / archive, tmp_path / "replay" / "ee-rounds")
    config = write_config(
        tmp_path,
        [{"name": "ee-rounds", "url": EE_URL, "kind": "ee-rounds", "topic": "express-entry"}],
    )
    result = run_cli("--config", str(config), "replay", str(tmp_path / "replay"))
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def newest_distributions(archive: str, tmp_path) -> list[tuple[str, dict]]:
    """(version, newest round's distribution figures) of every version, from the raw JSON."""
    out = []
    for path in unpack(REAL / "ee_rounds" / archive, tmp_path / "raw"):
        data = json.loads(path.read_bytes())
        rounds = data["rounds"] if isinstance(data, dict) else data
        newest = max(rounds, key=lambda r: (r["drawDate"], int(re.sub(r"\D", "", r["drawNumber"]))))
        out.append((path.name, {k: number(v) for k, v in newest.items() if re.match(r"dd\d", k)}))
    return out


@pytest.mark.parametrize("archive", SERIES)
def test_a_new_distribution_is_told_once(tmp_path, archive) -> None:
    found = replay(tmp_path, archive)
    told = [c for c in found if c["kind"] == "pool_changed"]
    # Expected: each time the newest round's figures differ from the version before's
    # (the first version is the baseline; a re-dated copy of the same figures is not news,
    # nor is a stale copy that briefly lost the newest round).
    expected, seen, last = [], set(), None
    for name, figures in newest_distributions(archive, tmp_path):
        key = tuple(sorted(figures.items()))
        if last is not None and key != last and key not in seen:
            expected.append((name[:10], figures["dd18"]))
        seen.add(key)
        last = key
    assert [(c["observed_at"][:10], c["data"]["total"]) for c in told] == expected
    assert len(told) == (39 if archive == SERIES[0] else 51)
    assert len({c["data"]["as_on"] for c in told}) == len(told)
    assert all(c["audience"] == "subscribers" for c in told)
    last = told[-1]
    if archive == SERIES[0]:
        assert last["title"] == "Express Entry pool: 226,859 candidates as of August 16, 2026"
        assert last["summary"] == (
            "Score bands that moved most: 351–400: 48,600 (−1,507); 501–600: 18,657 (−1,048); "
            "471–480: 16,626 (+258). Total before: 229,100."
        )


def test_pool_changed_in_french() -> None:
    data = {
        "as_on": "2026-08-16",
        "total": 226_859,
        "total_before": 229_100,
        "moves": [{"label": "351–400", "before": 50_107, "after": 48_600}],
    }
    title, summary = describe("pool_changed", data, "fr")
    assert title == "Bassin d'Entrée express\u00a0: 226 859 candidats au 16 août 2026"
    assert summary == (
        "Plus grands écarts par tranche du SCG\u00a0: 351–400\u00a0: 48 600 (−1 507). Total "
        "précédent\u00a0: 229 100."
    )


def test_bands_not_summing_to_the_total_are_a_fault_not_news(tmp_path) -> None:
    config = make_config(tmp_path)
    db = open_database(config)
    pipe = pipeline(db, config)
    feed = real_feed()
    pipe.handle(fetch(config, "ee-rounds", feed_bytes(feed)))
    newer = with_round(feed, "438", "Canadian Experience Class", 515, 3000, "2026-08-26")
    newer["rounds"][0]["dd2"] = "19,657"  # one band moved, the total left as it was
    outcome = pipe.handle(fetch(config, "ee-rounds", feed_bytes(newer)))
    assert outcome.outcome == "error"
    assert outcome.error == (
        "schema changed: pool distribution: round 438: the score bands sum to 227,859, "
        "its total dd18 is 226,859"
    )
    assert changes.listing(db, limit=10) == []  # neither the draw nor the pool told


def french_pool(feed: dict) -> dict:
    """A French-feed look-alike (synthetic): numbers written "18 657" and the distribution's
    date "16 août 2026", as the French rounds page writes them."""
    feed = french(feed)
    months = {"July": "juillet", "August": "août"}
    for draw in feed["rounds"]:
        for name in [n for n in draw if re.fullmatch(r"dd\d+", n)]:
            draw[name] = draw[name].replace(",", " ")
        month, day, year = draw["drawDistributionAsOn"].replace(",", "").split()
        if month in months:
            draw["drawDistributionAsOn"] = f"{day} {months[month]} {year}"
    return feed


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(per_chat_per_second=math.inf, per_group_per_minute=math.inf) as server:
        yield server


@pytest.fixture
async def bot(tmp_path, fake) -> AsyncIterator[tuple]:
    config = make_config(tmp_path, base_url=fake.base_url)
    db = open_database(config)
    app = build_application(config, db, token=fake.token, actions=StorageActions(db))
    async with running(app):
        yield config, db, app


async def say(fake: FakeTelegram, chat: int, text: str, **kw) -> str:
    before = len(fake.messages_to(chat))
    fake.inject_message(chat, text, **kw)
    assert await fake.wait_for_async(lambda: len(fake.messages_to(chat)) > before, timeout=5)
    return fake.messages_to(chat)[before]["visible_text"]


async def test_pool_on_gets_the_new_distribution_others_do_not(bot, fake) -> None:
    config, db, app = bot
    await say(fake, ALICE, "/subscribe express-entry")
    reply = await say(fake, BOB, "/pool on")
    assert reply.startswith("You will hear about each new pool distribution")
    assert preferences.pool_alerts(db, BOB) and subscribers.topics(db, BOB) == ["express-entry"]
    reply = await say(fake, CAROL, "/pool on", language_code="fr")
    assert reply.startswith("Vous serez prévenu de chaque nouvelle répartition du bassin")
    pipe = pipeline(db, config)
    feed = real_feed()
    older = copy.deepcopy(feed)
    older["rounds"] = older["rounds"][3:]  # the feed of August 5: #434, pool of August 3
    pipe.handle(fetch(config, "ee-rounds", feed_bytes(older)))
    pipe.handle(fetch(config, "ee-rounds", feed_bytes(feed)))  # +#435–437, pool of August 16
    pipe.handle(fetch(config, "ee-rounds-fr", feed_bytes(french_pool(older))))
    pipe.handle(fetch(config, "ee-rounds-fr", feed_bytes(french_pool(feed))))
    found = changes.listing(db, limit=20)
    pools = {c["watch"]: c for c in found if c["kind"] == "pool_changed"}
    assert len(pools) == 2 and pools["ee-rounds"]["data"]["number"] == "437"
    assert pools["ee-rounds-fr"]["data"]["as_on"] == "2026-08-16"  # read from "16 août 2026"
    assert pools["ee-rounds-fr"]["data"]["total"] == 226_859  # read from "226 859"
    chats = {row["chat_id"] for row in deliveries.for_change(db, pools["ee-rounds"]["id"])}
    assert chats == {BOB}  # each reader from the feed in their language
    chats = {row["chat_id"] for row in deliveries.for_change(db, pools["ee-rounds-fr"]["id"])}
    assert chats == {CAROL}
    await Delivery(db, config, app.bot, chat_interval=0).send_due()
    told = [m["visible_text"] for m in fake.messages_to(BOB) if "pool:" in m["visible_text"]]
    assert len(told) == 1 and told[0].startswith(
        "Express Entry pool: 226,859 candidates as of August 16, 2026\n"
        "Score bands that moved most: 351–400: 48,600 (−1,507); 501–600: 18,657 (−1,048); "
        "471–480: 16,626 (+258). Total before: 229,100."
    )
    french = [m["visible_text"] for m in fake.messages_to(CAROL) if "Bassin" in m["visible_text"]]
    assert len(french) == 1 and french[0].startswith(
        "Bassin d'Entrée express\u00a0: 226 859 candidats au 16 août 2026\n"
        "Plus grands écarts par tranche du SCG\u00a0: 351–400\u00a0: 48 600 (−1 507)"
    )
    assert not any("pool" in m["visible_text"] for m in fake.messages_to(ALICE))
    reply = await say(fake, BOB, "/pool off")
    assert reply == "You will no longer hear about new pool distributions."
    assert not preferences.pool_alerts(db, BOB)


async def test_pool_shows_the_bands_in_both_languages(bot, fake) -> None:
    config, db, _ = bot
    pipeline(db, config).handle(fetch(config, "ee-rounds", feed_bytes(real_feed())))
    text = await say(fake, ALICE, "/pool")
    lines = text.splitlines()
    assert lines[0] == "Express Entry pool as of August 16, 2026: 226,859 candidates"
    assert lines[1] == "601–1200: 439 (0%)" and lines[2] == "501–600: 18,657 (8%)"
    await say(fake, ALICE, "/lang fr")
    text = await say(fake, ALICE, "/pool")
    assert (
        text.splitlines()[0] == "Bassin d’Entrée express au 16 août 2026\u00a0: 226 859 candidats"
    )
    assert text.splitlines()[2] == "501–600\u00a0: 18 657 (8\u00a0%)"


def recomputed_range(feed: dict, score: int) -> tuple[int, int]:
    """Candidates above ``score`` from the newest round's raw bands: those of the bands wholly
    above it, and that plus the band it falls in."""
    newest = feed["rounds"][0]
    low = high = 0
    for name, (bottom, top) in LABELS.items():
        count = number(newest[name])
        if bottom > score:
            low += count
            high += count
        elif bottom <= score < top:
            high += count
    return low, high


async def test_crs_472_on_the_latest_real_feed(bot, fake) -> None:
    config, db, _ = bot
    feed = real_feed()
    pipeline(db, config).handle(fetch(config, "ee-rounds", feed_bytes(feed)))
    low, high = recomputed_range(feed, 472)
    assert (low, high) == (45_077, 61_703)
    text = await say(fake, ALICE, "/crs 472")
    lines = text.splitlines()
    assert lines[0] == "You will only hear about draws whose CRS cutoff is at most 472."
    assert lines[2] == (
        "Where a CRS score of 472 stands in the Express Entry pool of August 16, 2026 "
        "(226,859 candidates):"
    )
    assert (
        lines[3] == f"Above you: between {low:,} and {high:,} candidates (20% to 27% of the pool)."
    )
    assert lines[4].startswith("45,077 have 481 or more; the 16,626 of the 471–480 band")
    assert lines[5] == "Would 472 have been invited? The last 10 draws of each type you follow:"
    by_type = {line.split(":")[0][2:]: line for line in lines[6:]}
    # Recomputed from the feed: the last 10 Canadian Experience Class draws and their cut-offs.
    cec = [r for r in feed["rounds"] if r["drawName"] == "Canadian Experience Class"][:10]
    passed = sum(1 for r in cec if int(r["drawCRS"]) <= 472)
    cutoffs = [int(r["drawCRS"]) for r in cec]
    assert by_type["Canadian Experience Class"].startswith(
        f"• Canadian Experience Class: passed {passed} of 10 "
        f"(cut-offs {min(cutoffs)} to {max(cutoffs)}; last {cutoffs[0]},"
    )
    await say(fake, ALICE, "/lang fr")
    text = await say(fake, ALICE, "/crs 472")
    assert (
        "Au-dessus de vous\u00a0: entre 45 077 et 61 703 candidats (20\u00a0% à 27\u00a0% du "
        "bassin)." in text
    )


async def test_crs_at_the_top_of_a_band_is_exact(bot, fake) -> None:
    config, db, _ = bot
    feed = real_feed()
    pipeline(db, config).handle(fetch(config, "ee-rounds", feed_bytes(feed)))
    low, high = recomputed_range(feed, 500)
    assert low == high == 439 + 18_657
    text = await say(fake, ALICE, "/crs 500")
    assert "Above you: 19,096 candidates (8% of the pool), all with 501 or more." in text


async def test_why_explains_a_filtered_draw(bot, fake) -> None:
    config, db, _ = bot
    feed = real_feed()
    pipeline(db, config).handle(fetch(config, "ee-rounds", feed_bytes(feed)))
    await say(fake, ALICE, "/crs 400")
    text = await say(fake, ALICE, "/why")
    lines = text.splitlines()
    filtered = [i for i, line in enumerate(lines) if line.startswith("🚫 ")]
    assert filtered
    first = lines[filtered[0]]
    crs = number(first.rsplit("CRS", 1)[1])
    assert lines[filtered[0] + 1] == f"↳ its cut-off {crs} is {crs - 400} above your 400"
    draw = first.split(" · ")[0][3:]
    text = await say(fake, ALICE, f"/why {draw}")
    lines = text.splitlines()
    assert lines[1] == f"Your 400 is {crs - 400} below it: the draw was filtered out."
    record = next(r for r in feed["rounds"] if r["drawNumber"] == draw.lstrip("#"))
    low, high = recomputed_range({"rounds": [record]}, 400)
    assert lines[2].endswith(f"between {low:,} and {high:,} candidates were above 400.")
    await say(fake, ALICE, "/lang fr")
    text = await say(fake, ALICE, f"/why {draw}")
    assert f"Votre 400 est {crs - 400} points en dessous\u00a0: la ronde a été filtrée." in text
    text = await say(fake, ALICE, "/why 99999")
    assert text == "Aucune ronde no 99999 dans le fil."

"""Both official languages from one [[watch]]: the twin a page names is found at its baseline and
watched too; each subscriber is told each change from the page in their language, and a French
reader whose page lags gets the French change when it lands, not the English one first."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from diffing.twins import twin_links
from ircc_watch.twinning import with_found_twins
from notifier.bot import build_application
from notifier.delivery import Delivery
from settings import load_config
from storage import changes
from tests.conftest import FIXTURES, REAL, ROOT, run_cli
from tests.fakes.telegram_api import FakeTelegram
from tests.notifier_support import StorageActions, make_config, open_database, running

IEC_EN = sorted((FIXTURES / "synthetic" / "iec-en").glob("*.html"))[0]
IEC_FR = sorted((FIXTURES / "synthetic" / "iec-fr").glob("*.html"))[0]
EN_HREF = "https://www.canada.ca/en/immigration-refugees-citizenship/services/work-canada/iec/eligibility.html"
FR_HREF = "https://www.canada.ca/fr/immigration-refugies-citoyennete/services/travailler-canada/eic/admissibilite.html"
ALICE, BRUNO = 301, 302
EN_SENTENCE = (
    "have a valid passport for the length of your stay in Canada",
    "have a valid passport for the length of your stay in Canada and 6 months after",
)
FR_SENTENCE = ("avoir un passeport valide pour toute la durée de votre séjour au Canada",
               "avoir un passeport valide pour toute la durée de votre séjour au Canada "
               "et 6 mois après")  # fmt: skip


def page(path: Path, site, edit: tuple[str, str] | None = None) -> bytes:
    """A synthetic IEC page whose language links point at the local site."""
    text = path.read_text(encoding="utf-8")
    text = text.replace(EN_HREF, site.url("/en/iec.html")).replace(
        FR_HREF, site.url("/fr/eic.html")
    )
    if edit is not None:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1])
    return text.encode("utf-8")


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(per_chat_per_second=math.inf, per_group_per_minute=math.inf) as server:
        yield server


def cli(config, *args: str) -> str:
    result = run_cli("--config", str(config.path), *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_a_page_names_its_twin_in_its_head_and_its_language_toggle():
    real = REAL / "canada_ca_html" / "gcweb_noise_only" / "person-gender"
    text = sorted(real.glob("*.html"))[0].read_text(encoding="utf-8")
    links = twin_links(text)
    assert links["fr"].startswith("https://www.canada.ca/fr/gouvernement/systeme/")
    assert links["en"].startswith("https://www.canada.ca/en/government/system/")
    # Without the <link hreflang> alternates, the toggle's relative address is read.
    head = text.split("<body", 1)[0]
    toggle_only = text.replace(head, head.replace("hreflang", "data-x"))
    assert twin_links(toggle_only)["fr"].startswith("/fr/gouvernement/systeme/")


async def test_one_entry_watches_both_languages_and_each_reader_hears_their_page(
    tmp_path, site, fake
):
    site.set("/en/iec.html", page(IEC_EN, site))
    site.set("/fr/eic.html", page(IEC_FR, site))
    config = make_config(
        tmp_path,
        base_url=fake.base_url,
        watch_list=[{"name": "iec", "url": site.url("/en/iec.html"), "topic": "iec"}],
    )
    assert "  iec: its French twin is looked for at its first check" in cli(config, "config-check")
    first = cli(config, "check")
    assert [line.split()[:2] for line in first.splitlines() if line.startswith("iec")] == [
        ["iec", "baseline"],
        ["iec-fr", "baseline"],
    ]
    checked = cli(config, "config-check")
    assert f"  iec: French twin watched as iec-fr ({site.url('/fr/eic.html')})" in checked
    listing = cli(config, "watches")
    assert [line.split()[0] for line in listing.splitlines()[1:3]] == ["iec", "iec-fr"]
    assert "iec-fr: the French twin of iec, named by its page" in listing

    db = open_database(config)
    running_config = with_found_twins(config, db)
    app = build_application(running_config, db, token=fake.token, actions=StorageActions(db))
    async with running(app):
        for chat, kw in ((ALICE, {}), (BRUNO, {"language_code": "fr"})):
            before = len(fake.messages_to(chat))
            fake.inject_message(chat, "/subscribe iec", **kw)
            assert await fake.wait_for_async(lambda c=chat, b=before: len(fake.messages_to(c)) > b)
        seen = {chat: len(fake.messages_to(chat)) for chat in (ALICE, BRUNO)}

        # IRCC edits the English page; the French one lags.
        site.set("/en/iec.html", page(IEC_EN, site, EN_SENTENCE))
        cli(config, "check")
        await Delivery(db, running_config, app.bot, chat_interval=0).send_due()
        alice = [m["visible_text"] for m in fake.messages_to(ALICE)[seen[ALICE] :]]
        assert len(alice) == 1 and "and 6 months after" in alice[0]
        assert alice[0].startswith(
            "Rule changed: Find out if you’re eligible – General requirements"
        )
        assert fake.messages_to(BRUNO)[seen[BRUNO] :] == []  # not the English page's change

        # The French page catches up: the French reader is told now, from the French page.
        site.set("/fr/eic.html", page(IEC_FR, site, FR_SENTENCE))
        cli(config, "check")
        await Delivery(db, running_config, app.bot, chat_interval=0).send_due()
        [bruno] = [m for m in fake.messages_to(BRUNO)[seen[BRUNO] :]]
        assert bruno["visible_text"] == (
            "Règle modifiée\u00a0: Vérifiez si vous êtes admissible – Exigences générales\n"
            f"Avant\u00a0: {FR_SENTENCE[0]}\n"
            f"Après\u00a0: {FR_SENTENCE[1]}\n"
            "Page officielle"
        )
        assert "<b>et 6 mois après</b>" in bruno["text"]
        assert f'href="{site.url("/fr/eic.html")}"' in bruno["text"]
        assert len(fake.messages_to(ALICE)[seen[ALICE] :]) == 1  # not the French one again
    assert {c["watch"] for c in changes.listing(db)} == {"iec", "iec-fr"}


def test_twin_false_keeps_a_watch_to_its_own_language(tmp_path, site):
    site.set("/en/iec.html", page(IEC_EN, site))
    site.set("/fr/eic.html", page(IEC_FR, site))
    watch = {"name": "iec", "url": site.url("/en/iec.html"), "topic": "iec", "twin": False}
    config = make_config(tmp_path, telegram=False, watch_list=[watch])
    output = cli(config, "check")
    assert "iec-fr" not in output
    assert "  iec: twin = false, its French twin is not watched" in cli(config, "config-check")
    assert "iec-fr" not in cli(config, "watches")


def test_the_shipped_config_gets_the_twins_without_new_entries():
    config = load_config(ROOT / "config.toml", ":memory:")
    shipped = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
    assert not any("twin" in block for block in shipped["watch"])  # nothing to add: on by default
    pages = [w for w in config.watches if w.kind in ("page", "ee-categories", "events")]
    english = [w for w in pages if w.lang == "en"]
    assert {"iec", "ee-categories", "gts", "cusma-professionals"} <= {w.name for w in english}
    assert all(w.twin for w in english)
    from settings.twins import with_twins

    found = {"iec": {"en": EN_HREF, "fr": FR_HREF}, "iec-pools": {"fr": FR_HREF}}
    grown = with_twins(config, found)
    assert grown.watch("iec-fr").url == FR_HREF and grown.watch("iec-fr").twin_of == "iec"
    assert grown.watch("iec-fr").topic == "iec" and grown.watch("iec-fr").lang == "fr"
    assert len(grown.watches) == len(config.watches) + 1  # a data file names no twin


def test_the_running_service_watches_the_twin_its_baseline_found(tmp_path, site):
    from tests.fakes.telegram_api import FakeTelegram
    from tests.test_service import (
        ADMIN,
        MAINTAINER,
        TOKEN,
        fetch_outcomes,
        start,
        stop,
        wait_until,
    )

    site.set("/en/iec.html", page(IEC_EN, site))
    site.set("/fr/eic.html", page(IEC_FR, site))
    with FakeTelegram(TOKEN) as telegram:
        config = tmp_path / "config.toml"
        config.write_text(
            "[settings]\n"
            'database = "test.db"\n'
            'allowed_domains = ["127.0.0.1"]\n\n'
            "[[watch]]\n"
            'name = "iec"\n'
            f'url = "{site.url("/en/iec.html")}"\n'
            'topic = "iec"\n'
            'interval = "1s"\n\n'
            "[telegram]\n"
            'token_env = "TEST_IRCC_TOKEN"\n'
            f'base_url = "{telegram.base_url}"\n'
            f"maintainers = [{MAINTAINER}]\n"
            f"admins = [{ADMIN}]\n",
            encoding="utf-8",
        )
        process = start(config, tmp_path / "run.log")
        try:
            db_path = tmp_path / "test.db"
            assert wait_until(lambda: fetch_outcomes(db_path).count("baseline") == 2)
            telegram.inject_message(ADMIN, "/status")
            assert telegram.wait_for(lambda: telegram.messages_to(ADMIN), timeout=20)
            status = telegram.messages_to(ADMIN)[-1]["visible_text"]
        finally:
            assert stop(process) == 0
    lines = status.splitlines()
    assert any(line.startswith("iec: ") for line in lines)
    assert any(line.startswith("iec-fr: ") and line.endswith("twin of iec") for line in lines)

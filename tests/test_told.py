"""What a subscriber reads, as the fake Bot API received it, in English and French: the page's
own title, the section path, the edited sentence before and after with the changed words
marked, never an unchanged line as added, no "(s)" plurals, no list markers."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator

import pytest

from notifier.bot import build_application
from notifier.delivery import Delivery
from notifier.render import ROUNDS_PAGE
from tests.conftest import FIXTURES
from tests.fakes.telegram_api import FakeTelegram
from tests.notifier_support import (
    FEED_FR_URL,
    FEED_URL,
    StorageActions,
    feed_bytes,
    fetch,
    make_config,
    open_database,
    pipeline,
    real_feed,
    running,
    with_round,
    without_newest,
)

IEC_EN = sorted((FIXTURES / "synthetic" / "iec-en").glob("*.html"))[0]
IEC_FR = sorted((FIXTURES / "synthetic" / "iec-fr").glob("*.html"))[0]
EN_URL = "https://www.canada.ca/en/immigration-refugees-citizenship/services/work-canada/iec/eligibility.html"
FR_URL = "https://www.canada.ca/fr/immigration-refugies-citoyennete/services/travailler-canada/eic/admissibilite.html"
ALICE, BRUNO, MAINTAINER = 201, 202, -3001

# The IEC case of issue 21: the co-op heading renamed and one requirement edited under it.
EN_EDIT = (
    (
        '<h3 id="coop">International Co-op (Internship)</h3>',
        '<h3 id="coop">International Co-op &lt;Internship&gt; &amp; stage</h3>',
    ),
    (
        "<li>are a student registered at a post-secondary institution</li>",
        "<li>are a student registered at a post-secondary institution in your home country</li>",
    ),
)
FR_EDIT = (
    (
        '<h3 id="stage">Stage coop international</h3>',
        '<h3 id="stage">Stage coop &lt;international&gt; &amp; co</h3>',
    ),
    (
        "<li>êtes un étudiant inscrit dans un établissement d’enseignement postsecondaire</li>",
        "<li>êtes un étudiant inscrit dans un établissement d’enseignement postsecondaire "
        "de votre pays d’origine</li>",
    ),
)


def edited(path, edits) -> bytes:
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    return text.encode("utf-8")


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(per_chat_per_second=math.inf, per_group_per_minute=math.inf) as server:
        yield server


def iec_config(tmp_path, fake, **watch):
    watches = [
        {"name": "iec", "url": EN_URL, "topic": "iec", **watch},
        {"name": "iec-fr", "url": FR_URL, "topic": "iec", "lang": "fr"},
    ]
    return make_config(
        tmp_path, base_url=fake.base_url, maintainers=(MAINTAINER,), watch_list=watches
    )


async def subscribe(fake, app, chat: int, text: str, **kw) -> None:
    before = len(fake.messages_to(chat))
    fake.inject_message(chat, text, **kw)
    assert await fake.wait_for_async(lambda: len(fake.messages_to(chat)) > before, timeout=5)


async def iec_read_and_followed(tmp_path, fake):
    """The IEC page and its French twin read once; Alice (English) and Bruno (French) follow
    them. Returns the config, the database, the pipeline and the bot's application."""
    config = iec_config(tmp_path, fake)
    db = open_database(config)
    pipe = pipeline(db, config)
    pipe.handle(fetch(config, "iec", IEC_EN.read_bytes()))
    pipe.handle(fetch(config, "iec-fr", IEC_FR.read_bytes()))
    app = build_application(config, db, token=fake.token, actions=StorageActions(db))
    async with running(app):
        await subscribe(fake, app, ALICE, "/subscribe iec")
        await subscribe(fake, app, BRUNO, "/subscribe iec", language_code="fr")
    return config, db, pipe, app


async def edit_and_send(config, db, pipe, app, en_edits, fr_edits) -> tuple[dict, dict]:
    """Both pages checked again with their edits, then what is due sent. Returns the English
    and the French change."""
    [en] = pipe.handle(fetch(config, "iec", edited(IEC_EN, en_edits))).changes
    [fr] = pipe.handle(fetch(config, "iec-fr", edited(IEC_FR, fr_edits))).changes
    async with app:
        await Delivery(db, config, app.bot, chat_interval=0).send_due()
    return en, fr


async def test_a_renamed_heading_and_an_edited_requirement_read_as_an_edit(tmp_path, fake):
    config, db, pipe, app = await iec_read_and_followed(tmp_path, fake)
    seen = {chat: len(fake.messages_to(chat)) for chat in (ALICE, BRUNO)}
    en, fr = await edit_and_send(config, db, pipe, app, EN_EDIT, FR_EDIT)
    assert (en["kind"], fr["kind"]) == ("page_change", "page_change")

    [alice] = fake.messages_to(ALICE)[seen[ALICE] :]
    assert alice["visible_text"] == (
        "Page changed: Find out if you’re eligible\n"
        "Categories › International Co-op <Internship> & stage\n"
        "Section renamed, formerly “International Co-op (Internship)”\n"
        "Before: are a student registered at a post-secondary institution\n"
        "After: are a student registered at a post-secondary institution in your home country\n"
        "Official page"
    )
    assert (
        "After: are a student registered at a post-secondary institution "
        "<b>in your home country</b>"
    ) in alice["text"]
    assert "International Co-op &lt;Internship&gt; &amp; stage" in alice["text"]
    [bruno] = fake.messages_to(BRUNO)[seen[BRUNO] :]
    assert bruno["visible_text"] == (
        "Page modifiée\u00a0: Vérifiez si vous êtes admissible\n"
        "Catégories › Stage coop <international> & co\n"
        "Section renommée, auparavant «\u202fStage coop international\u202f»\n"
        "Avant\u00a0: êtes un étudiant inscrit dans un établissement d’enseignement "
        "postsecondaire\n"
        "Après\u00a0: êtes un étudiant inscrit dans un établissement d’enseignement postsecondaire "
        "de votre pays d’origine\n"
        "Page officielle"
    )
    assert "<b>de votre pays d’origine</b>" in bruno["text"]
    for message in (alice, bruno):
        text = message["visible_text"]
        assert "(s)" not in text and "+ " not in text and "- " not in text
        assert "The International Co-op" not in text  # unchanged: never shown as added
        assert "iec" not in text.split("\n")[0]  # the page's own title, not the watch name


async def test_a_heading_renamed_with_its_text_unchanged_is_told(tmp_path, fake):
    """A section renamed and nothing else: one message to each subscriber naming the page, the
    section's place and its old and new heading; maintainers get the heading's diff. Before,
    the renamed section was paired with its old self and, no sentence having changed, nobody
    was told anything."""
    config, db, pipe, app = await iec_read_and_followed(tmp_path, fake)
    seen = {chat: len(fake.messages_to(chat)) for chat in (ALICE, BRUNO, MAINTAINER)}
    en_rename = (
        (
            '<h3 id="coop">International Co-op (Internship)</h3>',
            '<h3 id="coop">Co-op internships abroad</h3>',
        ),
    )
    fr_rename = (
        (
            '<h3 id="stage">Stage coop international</h3>',
            '<h3 id="stage">Stages coop à l’étranger</h3>',
        ),
    )
    en, fr = await edit_and_send(config, db, pipe, app, en_rename, fr_rename)
    assert (en["kind"], fr["kind"]) == ("page_change", "page_change")

    [alice] = fake.messages_to(ALICE)[seen[ALICE] :]
    assert alice["visible_text"] == (
        "Page changed: Find out if you’re eligible\n"
        "Categories › Co-op internships abroad\n"
        "Section renamed, formerly “International Co-op (Internship)”\n"
        "Official page"
    )
    [bruno] = fake.messages_to(BRUNO)[seen[BRUNO] :]
    assert bruno["visible_text"] == (
        "Page modifiée\u00a0: Vérifiez si vous êtes admissible\n"
        "Catégories › Stages coop à l’étranger\n"
        "Section renommée, auparavant «\u202fStage coop international\u202f»\n"
        "Page officielle"
    )
    told = "\n".join(m["visible_text"] for m in fake.messages_to(MAINTAINER)[seen[MAINTAINER] :])
    assert (
        "- heading: International Co-op (Internship)\n+ heading: Co-op internships abroad" in told
    )
    assert "- heading: Stage coop international\n+ heading: Stages coop à l’étranger" in told


def test_a_maintainers_diff_names_what_was_added_or_removed():
    from notifier.render import change_diff

    occupations = {
        "kind": "occupations_changed",
        "data": {
            "category": "STEM occupations",
            "added": [{"noc": "21321", "title": "Industrial and manufacturing engineers"}],
            "removed": [{"noc": "21211", "title": "Data scientists"}],
        },
    }
    lines = change_diff(occupations)
    assert "+ added: 21321 Industrial and manufacturing engineers" in lines
    assert "- removed: 21211 Data scientists" in lines
    rows = {
        "kind": "row_removed",
        "data": {"table": "Results", "rows": [["Lowest EOI Score", "90"]]},
    }
    assert "- rows: Lowest EOI Score · 90" in change_diff(rows)
    assert not any("item(s)" in line for line in lines + change_diff(rows))


def french_feed(feed: dict) -> dict:
    """The French feed as IRCC publishes it: draws named in French, thousands spaced
    (synthetic: no real copy of the French feed is kept)."""
    names = {
        "Canadian Experience Class": "Catégorie de l’expérience canadienne",
        "Provincial Nominee Program": "Programme des candidats des provinces",
    }
    feed = copy.deepcopy(feed)
    for draw in feed["rounds"]:
        draw["drawName"] = names.get(draw["drawName"], draw["drawName"])
        draw["drawText2"] = names.get(draw["drawText2"], draw["drawText2"])
        draw["drawSize"] = draw["drawSize"].replace(",", " ")
    return feed


def draws_config(tmp_path, fake):
    watches = [
        {"name": "ee-rounds", "url": FEED_URL, "kind": "ee-rounds", "topic": "express-entry"},
        {
            "name": "ee-rounds-fr",
            "url": FEED_FR_URL,
            "kind": "ee-rounds",
            "topic": "express-entry",
            "lang": "fr",
        },
    ]
    return make_config(
        tmp_path, base_url=fake.base_url, maintainers=(MAINTAINER,), watch_list=watches
    )


async def ask(fake, chat: int, text: str, **kw) -> dict:
    before = len(fake.messages_to(chat))
    fake.inject_message(chat, text, **kw)
    assert await fake.wait_for_async(lambda: len(fake.messages_to(chat)) > before, timeout=5)
    return fake.messages_to(chat)[-1]


async def test_one_name_per_draw_per_language_everywhere_with_the_rounds_page(tmp_path, fake):
    config = draws_config(tmp_path, fake)
    db = open_database(config)
    pipe = pipeline(db, config)
    feed = real_feed()
    older = without_newest(without_newest(feed))  # newest then: #435
    pipe.handle(fetch(config, "ee-rounds", feed_bytes(older)))
    pipe.handle(fetch(config, "ee-rounds-fr", feed_bytes(french_feed(older))))
    app = build_application(config, db, token=fake.token, actions=StorageActions(db))
    async with running(app):
        await ask(fake, ALICE, "/subscribe express-entry")
        await ask(fake, BRUNO, "/subscribe express-entry", language_code="fr")
        seen = {chat: len(fake.messages_to(chat)) for chat in (ALICE, BRUNO)}
        # #436 is a Canadian Experience Class round, its drawText2 the same words.
        pipe.handle(fetch(config, "ee-rounds", feed_bytes(without_newest(feed))))
        pipe.handle(fetch(config, "ee-rounds-fr", feed_bytes(french_feed(without_newest(feed)))))
        await Delivery(db, config, app.bot, chat_interval=0).send_due()
        [alice] = fake.messages_to(ALICE)[seen[ALICE] :]
        [bruno] = fake.messages_to(BRUNO)[seen[BRUNO] :]
        latest_en = await ask(fake, ALICE, "/latest")
        draws_en = await ask(fake, ALICE, "/draws 1")
        latest_fr = await ask(fake, BRUNO, "/latest")
        draws_fr = await ask(fake, BRUNO, "/draws 1")

    assert alice["visible_text"].startswith(
        "Express Entry draw #436: Canadian Experience Class\n"
        "1,000 invitations, minimum CRS 523 (August 18, 2026).\n"
    )
    assert bruno["visible_text"].startswith(
        "Entrée express\u00a0: ronde n° 436 – Catégorie de l’expérience canadienne\n"
        "1 000 invitations, note minimale du SCG 523 (18 août 2026).\n"
    )
    assert latest_en["visible_text"] == (
        "Express Entry draw #436: Canadian Experience Class\n"
        "1,000 invitations, minimum CRS 523 (August 18, 2026).\n"
        "Official page"
    )  # the draw type once, not again as its programs line
    assert latest_fr["visible_text"] == (
        "Entrée express\u00a0: ronde n° 436 – Catégorie de l’expérience canadienne\n"
        "1 000 invitations, note minimale du SCG 523 (18 août 2026).\n"
        "Page officielle"
    )
    assert draws_en["visible_text"].splitlines()[1] == (
        "#436 · August 18, 2026 · Canadian Experience Class · 1,000 · CRS 523"
    )
    assert draws_fr["visible_text"].splitlines()[1] == (
        "n° 436 · 18 août 2026 · Catégorie de l’expérience canadienne · 1 000 · SCG 523"
    )
    for message, lang in ((latest_en, "en"), (draws_en, "en"), (latest_fr, "fr"), (draws_fr, "fr")):
        assert f'<a href="{ROUNDS_PAGE[lang]}">' in message["text"]
    for message in (bruno, latest_fr, draws_fr):
        assert "CRS" not in message["visible_text"] and " no " not in message["visible_text"]


async def test_a_day_first_draw_date_is_told_from_the_full_date_and_maintainers_told(
    tmp_path, fake
):
    config = draws_config(tmp_path, fake)
    db = open_database(config)
    pipe = pipeline(db, config)
    feed = real_feed()
    pipe.handle(fetch(config, "ee-rounds", feed_bytes(feed)))
    pipe.handle(fetch(config, "ee-rounds-fr", feed_bytes(french_feed(feed))))
    app = build_application(config, db, token=fake.token, actions=StorageActions(db))
    async with running(app):
        await ask(fake, ALICE, "/subscribe express-entry")
        await ask(fake, BRUNO, "/subscribe express-entry", language_code="fr")
        seen = {chat: len(fake.messages_to(chat)) for chat in (ALICE, BRUNO, MAINTAINER)}
        # IRCC's real slip: drawDate "12-04-2023" (day first), drawDateFull "April 12, 2023".
        slip = with_round(feed, "438", "Canadian Experience Class", 521, 3500, "12-04-2023")
        slip["rounds"][0]["drawDateFull"] = "April 12, 2023"
        unreadable = with_round(slip, "439", "Canadian Experience Class", 520, 3000, "13-04-2023")
        unreadable["rounds"][0]["drawDateFull"] = "13/04/2023"
        pipe.handle(fetch(config, "ee-rounds", feed_bytes(unreadable)))
        pipe.handle(fetch(config, "ee-rounds-fr", feed_bytes(french_feed(unreadable))))
        await Delivery(db, config, app.bot, chat_interval=0).send_due()
        alice = [m["visible_text"] for m in fake.messages_to(ALICE)[seen[ALICE] :]]
        bruno = [m["visible_text"] for m in fake.messages_to(BRUNO)[seen[BRUNO] :]]
        told = [m["visible_text"] for m in fake.messages_to(MAINTAINER)[seen[MAINTAINER] :]]
    assert "3,500 invitations, minimum CRS 521 (April 12, 2023)." in alice[0]
    assert "3 500 invitations, note minimale du SCG 521 (12 avril 2023)." in bruno[0]
    assert "3,000 invitations, minimum CRS 520 (13-04-2023 (13/04/2023))." in alice[1]
    assert "(12-04-2023)" not in "\n".join(alice + bruno)
    assert any(
        "drawDate '12-04-2023' is not ISO; the day told is drawDateFull's 'April 12, 2023'" in m
        for m in told
    )
    assert any("no unambiguous date" in m and "13-04-2023" in m for m in told)


async def test_tz_alone_gives_its_usage(tmp_path, fake):
    config = draws_config(tmp_path, fake)
    db = open_database(config)
    app = build_application(config, db, token=fake.token, actions=StorageActions(db))
    async with running(app):
        en = await ask(fake, ALICE, "/tz")
        fr = await ask(fake, BRUNO, "/tz", language_code="fr")
    assert en["visible_text"] == "Usage: /tz America/Toronto (an IANA zone name)"
    assert fr["visible_text"] == "Utilisation\u00a0: /tz America/Toronto (un nom IANA)"


def test_a_maintainers_diff_shows_list_items_without_their_marker():
    from notifier.render import change_diff

    rule = {
        "kind": "rule_change",
        "data": {"before": "- be between 18 and 30", "after": "- be between 18 and 35"},
    }
    assert change_diff(rule) == ["- be between 18 and 30", "+ be between 18 and 35"]


def test_a_feed_entry_s_field_change_keeps_its_summary():
    from diffing.messages import describe

    data = {"page": "ircc-news", "added": 1, "removed": 1, "excerpt": "url: …/a.html → …/a0.html"}
    assert describe("page_change", data, "en") == (
        "Page changed: ircc-news",
        "url: …/a.html → …/a0.html",
    )

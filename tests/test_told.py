"""What a subscriber reads, as the fake Bot API received it, in English and French: the page's
own title, the section path, the edited sentence before and after with the changed words
marked, never an unchanged line as added, no "(s)" plurals, no list markers."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from notifier.bot import build_application
from notifier.delivery import Delivery
from tests.conftest import FIXTURES
from tests.fakes.telegram_api import FakeTelegram
from tests.notifier_support import (
    StorageActions,
    fetch,
    make_config,
    open_database,
    pipeline,
    running,
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


async def test_a_renamed_heading_and_an_edited_requirement_read_as_an_edit(tmp_path, fake):
    config = iec_config(tmp_path, fake)
    db = open_database(config)
    pipe = pipeline(db, config)
    pipe.handle(fetch(config, "iec", IEC_EN.read_bytes()))
    pipe.handle(fetch(config, "iec-fr", IEC_FR.read_bytes()))
    app = build_application(config, db, token=fake.token, actions=StorageActions(db))
    async with running(app):
        await subscribe(fake, app, ALICE, "/subscribe iec")
        await subscribe(fake, app, BRUNO, "/subscribe iec", language_code="fr")
    seen = {chat: len(fake.messages_to(chat)) for chat in (ALICE, BRUNO)}
    [en] = pipe.handle(fetch(config, "iec", edited(IEC_EN, EN_EDIT))).changes
    [fr] = pipe.handle(fetch(config, "iec-fr", edited(IEC_FR, FR_EDIT))).changes
    assert (en["kind"], fr["kind"]) == ("page_change", "page_change")
    async with app:
        await Delivery(db, config, app.bot, chat_interval=0).send_due()

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
        "Page modifiée : Vérifiez si vous êtes admissible\n"
        "Catégories › Stage coop <international> & co\n"
        "Section renommée, auparavant « Stage coop international »\n"
        "Avant : êtes un étudiant inscrit dans un établissement d’enseignement postsecondaire\n"
        "Après : êtes un étudiant inscrit dans un établissement d’enseignement postsecondaire "
        "de votre pays d’origine\n"
        "Page officielle"
    )
    assert "<b>de votre pays d’origine</b>" in bruno["text"]
    for message in (alice, bruno):
        text = message["visible_text"]
        assert "(s)" not in text and "+ " not in text and "- " not in text
        assert "The International Co-op" not in text  # unchanged: never shown as added
        assert "iec" not in text.split("\n")[0]  # the page's own title, not the watch name


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

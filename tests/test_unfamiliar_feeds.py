"""Feeds nobody on the team has watched: IRCC's news in French, a feed cut off in transit.

feedparser reads what it can of a truncated feed, so before the closing-tag check a cut-off
copy gave a half entry with no <id>: keyed by its link instead, it was "news" again. The
French feed's addresses (/nouvelles/) did not get the slug rules of the English ones, so a
release republished as "…0.html" was announced twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unfamiliar_support import OneWatch

FEED_URL = (
    "https://api.io.canada.ca/io-server/gc/news/fr/v2?dept=departmentofcitizenshipandimmigration"
)
NEWS = "https://www.canada.ca/fr/immigration-refugies-citoyennete/nouvelles/2026/01/"
MANITOBA = Path(__file__).parent / "fixtures" / "feeds" / "manitoba-feed"


def entry(title: str, slug: str, day: str) -> str:
    return (
        f'<entry><title type="html">{title}</title><link href="{NEWS}{slug}.html" '
        f'rel="alternate"/><id>{NEWS}{slug}.html</id><updated>2026-01-{day}T10:00:00-05:00'
        f"</updated><published>2026-01-{day}T10:00:00-05:00</published><summary type="
        f'"html">&lt;p&gt;{title}&lt;/p&gt;</summary></entry>'
    )


def feed(*entries: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
        'xml:lang="fr"><title>Nouvelles – Immigration, Réfugiés et Citoyenneté Canada</title>'
        f"<id>{FEED_URL}</id><updated>2026-01-12T09:00:00-05:00</updated>{''.join(entries)}"
        "</feed>\n"
    )


OLD = [
    entry("Le Canada accueille des étudiants étrangers", "canada-accueille-etudiants", "08"),
    entry("Mise à jour sur les niveaux d&#8217;immigration", "mise-a-jour-niveaux", "05"),
]
NEW = entry("Nouvelle voie pour les travailleurs de la santé", "nouvelle-voie-sante", "12")


def test_a_french_release_is_told_once_and_its_republication_is_not_new(tmp_path):
    watch = OneWatch(tmp_path, "atom", FEED_URL, topic="news", lang="fr")
    watch.check(feed(*OLD))
    (told,) = watch.check(feed(NEW, *OLD)).changes
    assert told["kind"] == "news" and told["title"].startswith(
        "Nouvelles d'IRCC\u00a0: Nouvelle voie"
    )
    republished = NEW.replace("nouvelle-voie-sante.html", "nouvelle-voie-sante0.html")
    assert all(audience == "maintainers" for _, audience in watch.told(feed(republished, *OLD)))
    assert len(watch.subscriber_rows()) == 1


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95])
def test_a_truncated_french_feed_is_a_fault(tmp_path, cut):
    watch = OneWatch(tmp_path, "atom", FEED_URL, topic="news", lang="fr")
    watch.check(feed(NEW, *OLD))
    body = feed(NEW, *OLD)
    outcome = watch.check(body[: int(len(body) * cut)])
    assert outcome.outcome == "error" and outcome.error.startswith("truncated body")
    assert watch.told(feed(NEW, *OLD)) == [] and watch.subscriber_rows() == []


def test_a_truncated_rss_feed_is_a_fault(tmp_path):
    """The WordPress RSS 2.0 feed of tests/fixtures/feeds, cut inside an item's <guid>."""
    versions = sorted(MANITOBA.iterdir())
    watch = OneWatch(tmp_path, "atom", "https://immigratemanitoba.com/feed/", topic="pnp")
    watch.check(versions[0].read_bytes())
    body = versions[-1].read_bytes()
    cut = body.index(b"</guid>") - 3
    outcome = watch.check(body[:cut])
    assert (outcome.outcome, outcome.changes) == ("error", [])
    assert "truncated body" in outcome.error


def test_a_feed_with_a_comment_after_its_root_is_read(tmp_path):
    watch = OneWatch(tmp_path, "atom", FEED_URL, topic="news", lang="fr")
    assert watch.check(feed(*OLD) + "<!-- served by cache 12 -->\n\n").outcome == "baseline"

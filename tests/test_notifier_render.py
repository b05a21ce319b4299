"""Alert rendering: escaping hostile page text, splitting at 4,096, maintainers' extras.

Every part is checked with the fake server's parser, which follows Telegram's HTML rules.
"""

from __future__ import annotations

import pytest

from notifier import render
from notifier.keyboards import toggle_draw_type
from tests.fakes.telegram_api import parse_html
from tests.notifier_support import make_config

HOSTILE = '<script>alert("x")</script> Fees & charges <b>unclosed &amp; </i> done'


def change(**overrides):
    row = {
        "id": 7,
        "watch": "iec",
        "kind": "page_change",
        "topic": "iec",
        "audience": "subscribers",
        "observed_at": "2026-01-15T13:00:00Z",
        "title": "unused: rendered again per language",
        "summary": "",
        "data": {"page": "iec", "added": 1, "removed": 1, "excerpt": f"+ {HOSTILE}"},
        "url": "https://www.canada.ca/en/iec.html?a=1&b=<2>",
        "lang": "en",
        "diff": f"--- a\n+++ b\n@@ -1 +1 @@\n-old & <i>\n+ {HOSTILE}\n",
        "reviewed_at": None,
        "reviewed_by": None,
    }
    row.update(overrides)
    return row


@pytest.fixture
def config(tmp_path):
    return make_config(tmp_path, review=True)


def visible(parts: list[str]) -> str:
    return "\n".join(parse_html(part)[0] for part in parts)


def test_hostile_page_text_is_escaped_and_shown_literally(config) -> None:
    for role in ("subscriber", "maintainer"):
        parts = render.alert(change(), "en", role, config)
        assert len(parts) == 1
        text = visible(parts)  # raises HtmlParseError if Telegram would refuse it
        assert HOSTILE in text
        assert "<script>" not in parts[0] and "&lt;script&gt;" in parts[0]
        assert "Fees &amp; charges" in parts[0] and "&amp;amp;" in parts[0]


def test_subscriber_and_maintainer_messages(config) -> None:
    [subscriber] = render.alert(change(), "fr", "subscriber", config)
    assert visible([subscriber]).startswith("Page modifiée\u00a0: iec")
    assert (
        '<a href="https://www.canada.ca/en/iec.html?a=1&amp;b=&lt;2&gt;">Page officielle</a>'
        in subscriber
    )
    assert "Review" not in subscriber and "@@" not in subscriber

    [maintainer] = render.alert(change(), "en", "maintainer", config)
    text = visible([maintainer])
    assert "iec · page_change · subscribers · 2026-01-15T13:00:00Z" in text
    assert "-old & <i>" in text and f"+ {HOSTILE}" in text  # the diff excerpt, escaped
    assert "Review: http://127.0.0.1:8765/changes/7" in text
    assert "+++" not in text and "@@" not in text


def test_review_link_only_when_the_review_page_is_configured(tmp_path) -> None:
    config = make_config(tmp_path, review=False)
    [maintainer] = render.alert(change(), "en", "maintainer", config)
    assert "/changes/" not in maintainer


def test_draws_link_the_official_rounds_page_not_the_feed(config) -> None:
    draw = change(
        watch="ee-rounds",
        kind="new_draw",
        data={"number": "437", "name": "STEM", "size": 5000, "crs": 382, "date": "2026-08-19"},
        url="https://www.canada.ca/x.json",
    )
    [part] = render.alert(draw, "fr", "subscriber", config)
    text = visible([part])
    assert "437" in text and "5 000" in text and "382" in text and "août" in text
    assert "x.json" not in part  # the JSON feed is no page for people
    assert part.endswith(f'<a href="{render.ROUNDS_PAGE["fr"]}">Page officielle</a>')
    [part] = render.alert(draw, "en", "subscriber", config, "Your filters: CRS cutoff at most 400.")
    lines = visible([part]).splitlines()
    assert lines[-2:] == ["Your filters: CRS cutoff at most 400.", "Official page"]
    assert "rounds-invitations.html" in part
    news = change(watch="ircc-news", kind="news", data={"title": "T", "url": "https://n.example/a"})
    [part] = render.alert(news, "en", "subscriber", config, "Your filters: x")
    assert part.endswith('<a href="https://n.example/a">Official page</a>')
    assert "Your filters" not in part  # only draws are filtered


def test_maintainers_see_the_diff_of_that_change_only(config) -> None:
    snapshot_diff = "--- a\n+++ b\n" + "\n".join(f"+ round {i}" for i in range(30))
    correction = change(
        watch="ee-rounds",
        kind="draw_corrected",
        audience="maintainers",
        data={"number": "335", "changes": {"crs": [480, 482]}},
        diff=snapshot_diff,
    )
    [part] = render.alert(correction, "en", "maintainer", config)
    text = visible([part])
    assert "- crs: 480" in text and "+ crs: 482" in text
    assert "+ round" not in text  # the other records of the same check are not repeated
    rule = change(kind="rule_change", data={"section": "S", "before": "Old.", "after": "New."})
    text = visible(render.alert({**rule, "diff": snapshot_diff}, "en", "maintainer", config))
    assert "- Old." in text and "+ New." in text and "+ round" not in text


def test_long_messages_split_on_line_boundaries() -> None:
    text = "\n".join(f"line {i:04d} & <tag> " + "x" * 60 for i in range(200))  # ~17,000 chars
    parts = render.split(render.text_lines(text))
    assert len(parts) >= 4
    assert all(render.size(part) <= 4096 for part in parts)
    assert all(part.startswith("line ") for part in parts)  # each part starts on a line
    assert visible(parts) == text  # nothing cut, nothing lost, order kept


def test_an_alert_longer_than_a_message_is_split(config) -> None:
    title = "Ministerial instructions <amended> & " * 200  # a hostile 7,400-character title
    news = change(watch="ircc-news", kind="news", data={"title": title, "url": "https://x"})
    parts = render.alert(news, "en", "maintainer", config)
    assert len(parts) >= 2 and all(render.size(part) <= 4096 for part in parts)
    assert title.strip() in visible(parts).replace("\n", "")


def test_a_single_line_longer_than_a_message_is_cut_between_entities() -> None:
    text = "& " * 3000 + "<end>"  # 6,005 characters, escaped to 17,005
    lines = render.text_lines(text, "<b>{}</b>")
    parts = render.split(lines)
    assert len(parts) > 1 and all(render.size(part) <= 4096 for part in parts)
    assert "".join(parse_html(part)[0] for part in parts) == text


def test_split_skips_blank_parts_and_keeps_order() -> None:
    assert render.split(["", "a", "", "b", ""], limit=3) == ["a", "b"]
    assert render.split([]) == []


def test_diff_excerpt_keeps_the_first_changed_lines() -> None:
    diff = "--- a\n+++ b\n@@ -1,20 +1,20 @@\n" + "\n".join(f"+added {i}" for i in range(20))
    excerpt = render.diff_excerpt(diff, lines=3)
    assert excerpt == ["+added 0", "+added 1", "+added 2", "… (+17)"]
    assert render.diff_excerpt(None) == []


def test_draw_type_toggles() -> None:
    assert toggle_draw_type(None, "cec") == toggle_draw_type(None, "cec")
    assert "cec" not in toggle_draw_type(None, "cec")
    assert toggle_draw_type(toggle_draw_type(None, "cec"), "cec") is None  # all again
    assert toggle_draw_type({"pnp"}, "pnp") == set()
    assert toggle_draw_type({"pnp"}, "*") is None

"""JSON shapes a newcomer watches with kind json and no ``key``.

Before: list records were named by their positions, so one draw added at the top of a list
told subscribers that every other draw had "changed" (id: 1 → 3, date: … → …).
"""

from __future__ import annotations

import json

from diffing.extract.json_records import identifying_field
from tests.unfamiliar_support import OneWatch

DRAWS = [
    {"drawNumber": "2", "date": "2026-01-12", "invited": 600},
    {"drawNumber": "1", "date": "2026-01-05", "invited": 500},
]


def test_a_record_added_at_the_top_of_an_unkeyed_list_is_one_change(tmp_path):
    watch = OneWatch(tmp_path, "json", "https://www.canada.ca/data.json", records="data[]")
    watch.check(json.dumps({"data": DRAWS}))
    newest = {"drawNumber": "3", "date": "2026-01-19", "invited": 700}
    told = watch.check(json.dumps({"data": [newest, *DRAWS]}, indent=2)).changes
    assert [(c["kind"], c["title"]) for c in told] == [("json_record_added", "w: new record 3")]
    assert watch.told(json.dumps({"data": list(reversed([newest, *DRAWS]))})) == []


def test_which_field_names_a_record():
    assert identifying_field(DRAWS) == "drawNumber"
    assert identifying_field([{"id": 1}, {"id": 1}]) is None  # not distinct
    assert identifying_field([{"title": "a"}, {"title": "b"}]) is None  # not id-like
    assert identifying_field([{"code": "IN", "v": 1}, {"code": "FR", "v": 2}]) == "code"
    assert identifying_field([{"id": True}, {"id": False}]) is None

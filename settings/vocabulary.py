"""The names a config value may take: kinds of watch, languages, Express Entry draw types."""

KINDS = (
    "page",
    "ee-rounds",
    "ee-categories",
    "events",
    "atom",
    "pnp-updates",
    "processing-times",
    "iec-pools",
    "json",
)
# Other names of a kind: kind "feed" is kind "atom" (Atom, RSS 2.0 and RDF).
KIND_ALIASES = {"feed": "atom"}
LANGS = ("en", "fr")
# The kinds of change a subscriber can be told, the names [telegram] paid_broadcast_kinds takes.
SUBSCRIBER_CHANGE_KINDS = (
    "new_draw",
    "draw_corrected",
    "new_category",
    "category_removed",
    "occupations_changed",
    "rule_change",
    "new_event",
    "news",
    "page_change",
    "pnp_update",
    "row_added",
    "row_removed",
    "processing_time_changed",
    "iec_pool_added",
    "iec_pool_changed",
    "iec_pool_removed",
    "json_record_added",
    "json_record_changed",
    "json_record_removed",
    "pool_changed",
)
# Express Entry draw types people filter on, in the order /drawtypes shows them
# (notifier.drawtypes maps a draw's name to one of them).
DRAW_TYPES: tuple[str, ...] = (
    "cec",
    "pnp",
    "fsw",
    "fst",
    "french",
    "stem",
    "healthcare",
    "trades",
    "education",
    "transport",
    "agriculture",
    "physicians",
    "senior-managers",
    "military",
    "general",
    "other",
)

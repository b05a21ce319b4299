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

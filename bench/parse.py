"""Parsing speed (python bench/parse.py): a changed page parsed, diffed and classified.

A real canada.ca page (29.5 KB, tests/fixtures/real/canada_ca_html) with one paragraph
added in its <main>, and the synthetic GCWeb pages of the structured kinds, each read
with the rule its baseline chose and diffed against the previous version's Document
(as the pipeline does after its pre-check found the region changed). Beside them, in the
same run, what each parsing step buys: building a tree of the whole page vs of its
content region only, and removing the noise with one walk vs one ``select()`` per noise
selector. ``run()`` returns every figure (CPU milliseconds, medians) for ``bench/run.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from diffing.classify import WatchInfo, classify  # noqa: E402
from diffing.diff import diff_documents  # noqa: E402
from diffing.extract import extract  # noqa: E402
from diffing.normalize import strip_noise  # noqa: E402
from diffing.region import locate  # noqa: E402
from diffing.textutil import decode  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
PAGE = sorted(
    (FIXTURES / "real" / "canada_ca_html" / "gcweb_noise_only" / "person-gender").glob("*.html")
)
SYNTHETIC = FIXTURES / "synthetic"
STRUCTURED = {
    "ee-categories": SYNTHETIC / "ee-categories-en",
    "events": SYNTHETIC / "events-en",
}
PNP = FIXTURES / "semantic" / "replay" / "bc-pnp-invitations"
# The noise selectors that strip_noise matched one select() at a time before it walked once.
OLD_NOISE_SELECTORS = (
    "script", "style", "noscript", "template", "iframe", "svg", "#wb-dtmd", ".pagedetails",
    ".gc-pg-hlpfl", ".wb-share", "[data-ajax-replace]", "nav", "#wb-lng", "#wb-bc", ".gc-subway",
)  # fmt: skip


def median_ms(func: Callable[[], object], repeat: int) -> float:
    """Median CPU time of ``func`` in milliseconds over ``repeat`` runs (after one warm-up).

    CPU time, not wall time: on a machine shared with other work, the wall clock also
    counts the time the process waited for a core.
    """
    func()
    times = []
    for _ in range(repeat):
        start = time.process_time()
        func()
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def changed_check(kind: str, before: bytes, after: bytes, url: str = "") -> Callable[[], object]:
    """One changed fetch as the pipeline handles it: extract, diff, classify."""
    previous = extract(kind, before, url=url)
    rule = previous.meta.get("region")
    info = WatchInfo("bench", kind, url=url)

    def check() -> object:
        document = extract(kind, after, url=url, region=rule)
        diff = diff_documents(
            previous.text, document.text, previous.records, document.records, previous.records
        )
        return classify(info, diff)

    return check


def run(quick: bool = False, repeat: int = 50) -> dict[str, float]:
    """Every figure of this benchmark, in milliseconds (medians of ``repeat`` runs, 10 if quick)."""
    repeat = 10 if quick else repeat
    before = PAGE[0].read_bytes()
    after = (
        PAGE[1]
        .read_bytes()
        .replace(b"</main>", b"<p>A paragraph added to see a changed page.</p></main>", 1)
    )
    html = decode(after)
    span = locate(html)
    region = html[span.start : span.end]
    figures = {
        "page_bytes": float(len(after)),
        "region_bytes": float(len(region)),
        "changed_page_ms": median_ms(changed_check("page", before, after), repeat),
        "tree_whole_page_ms": median_ms(lambda: BeautifulSoup(html, "lxml"), repeat),
        "tree_region_only_ms": median_ms(lambda: BeautifulSoup(region, "lxml"), repeat),
        "noise_one_walk_ms": median_ms(
            lambda: strip_noise(BeautifulSoup(region, "lxml").main), repeat
        ),
        "noise_per_selector_ms": median_ms(
            lambda: _old_strip(BeautifulSoup(region, "lxml").main), repeat
        ),
    }
    for kind, folder in STRUCTURED.items():
        first, second = sorted(folder.glob("*.html"))[:2]
        figures[f"changed_{kind}_ms"] = median_ms(
            changed_check(kind, first.read_bytes(), second.read_bytes()), repeat
        )
    first, second = sorted(PNP.glob("*.html"))[:2]
    figures["changed_pnp-updates_ms"] = median_ms(
        changed_check(
            "pnp-updates", first.read_bytes(), second.read_bytes(), "https://www.welcomebc.ca/"
        ),
        repeat,
    )
    return figures


def _old_strip(root: object) -> object:
    for selector in OLD_NOISE_SELECTORS:
        for tag in root.select(selector):  # type: ignore[attr-defined]
            tag.decompose()
    return root


def main() -> None:
    """Print the figures of ``run()``."""
    f = run()
    print(
        f"changed canada.ca page ({f['page_bytes']:,.0f} B, region {f['region_bytes']:,.0f} B): "
        f"parsed, diffed and classified in {f['changed_page_ms']:.2f} ms (median)"
    )
    whole, region = f["tree_whole_page_ms"], f["tree_region_only_ms"]
    print(
        f"  tree of the whole page {whole:.2f} ms, of the region only {region:.2f} ms "
        f"({whole / region:.1f}x)"
    )
    print(
        f"  region tree + noise removed: one walk {f['noise_one_walk_ms']:.2f} ms, "
        f"one select() per selector {f['noise_per_selector_ms']:.2f} ms"
    )
    print(
        "changed structured pages: "
        + ", ".join(
            f"{kind} {f[f'changed_{kind}_ms']:.2f} ms" for kind in (*STRUCTURED, "pnp-updates")
        )
    )


if __name__ == "__main__":
    main()

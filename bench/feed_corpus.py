"""Kind ``atom`` on feedparser's whole test corpus (python bench/feed_corpus.py [DIR]).

DIR is a checkout (or ``git archive``) of https://github.com/kurtmckee/feedparser's
``tests/`` folder; by default the mirror the search tools fetch,
/work/.mirror/kurtmckee+feedparser/repo, exported to a temporary folder. Absent, the bench
says so and stops: the corpus is not part of this repository (13 of its files are, in
tests/fixtures/feedparser). Each feed is read as a baseline would read it: extracted, then
judged by the kind's guards. Prints how many feeds are read (with entries, or with none),
refused by the schema guard, or faults, by reason; counts go in docs/kinds.md.
"""

from __future__ import annotations

import collections
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from diffing.document import ContentError  # noqa: E402
from diffing.extract import extract  # noqa: E402
from diffing.kinds import reading_problem, spec_for  # noqa: E402

MIRROR = Path("/work/.mirror/kurtmckee+feedparser/repo")


def survey(folder: Path) -> collections.Counter[str]:
    """Outcome → number of feeds, for every ``*.xml`` file under ``folder``."""
    counts: collections.Counter[str] = collections.Counter()
    spec = spec_for("atom")
    for path in sorted(folder.rglob("*.xml")):
        try:
            document = extract("atom", path.read_bytes())
        except ContentError as exc:
            counts[f"fault: {exc.reason}"] += 1
            continue
        problem = reading_problem(spec, document.records, 0)
        if problem:
            counts[f"refused: {problem.split(' missing')[0]}"] += 1
        elif document.records:
            counts["read, with entries"] += 1
        else:
            counts["read, no entries in the feed"] += 1
    return counts


def main(argv: list[str]) -> int:
    if argv:
        return _report(Path(argv[0]))
    if not MIRROR.exists():
        print(f"feedparser's corpus not found (no {MIRROR}); pass its tests/ folder")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(MIRROR), "archive", "HEAD", "tests"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        return _report(Path(tmp) / "tests")


def _report(folder: Path) -> int:
    counts = survey(folder)
    print(f"{sum(counts.values())} feeds under {folder}")
    for outcome, count in sorted(counts.items(), key=lambda item: -item[1]):
        print(f"{count:6d}  {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The house's floors: settings at the bottom, ircc_watch on top, and no import circles.

Checked twice: in a fresh interpreter (what importing a package really loads) and from the
source (every ``import`` statement, including those inside functions).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "settings",
    "crawlers",
    "diffing",
    "storage",
    "charts",
    "notifier",
    "review",
    "ircc_watch",
)


def _modules(package: str) -> list[str]:
    names = []
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _loaded_after_importing(package: str) -> set[str]:
    """The project packages a fresh interpreter holds after importing every module of one."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {_modules(package)!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(PACKAGES)!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout))


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every project module a source file imports, at any depth of the file
    (``from package import module`` counts as importing the module, not the package)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
    return found & modules


def _graph() -> dict[str, set[str]]:
    modules = {m for package in PACKAGES for m in _modules(package)}
    graph: dict[str, set[str]] = {}
    for module in modules:
        parts = module.split(".")
        path = ROOT.joinpath(*parts).with_suffix(".py")
        if not path.exists():
            path = ROOT.joinpath(*parts, "__init__.py")
        graph[module] = _imports(path, modules) - {module}
    return graph


def test_settings_imports_no_other_project_package() -> None:
    assert _loaded_after_importing("settings") == {"settings"}


def test_no_package_imports_the_wiring() -> None:
    for package in ("crawlers", "diffing", "storage", "charts", "notifier", "review"):
        assert "ircc_watch" not in _loaded_after_importing(package), package
    # From the source too, imports inside functions included.
    for module, imported in _graph().items():
        if not module.startswith("ircc_watch"):
            assert not {m for m in imported if m.startswith("ircc_watch")}, module


def test_lower_floors_import_no_upper_floor() -> None:
    above = {
        "crawlers": {"notifier", "review", "charts"},
        "diffing": {"crawlers", "storage", "notifier", "review", "charts"},
        "storage": {"crawlers", "diffing", "notifier", "review", "charts"},
    }
    for module, imported in _graph().items():
        top = module.split(".")[0]
        assert not {m.split(".")[0] for m in imported} & above.get(top, set()), module


def test_no_import_circles() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycle = stack[stack.index(target) :] + [target]
                raise AssertionError("import circle: " + " → ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)

"""The package's layering, read from every module's imports (see docs/architecture.md).

Imports point downward only; a module may use its own layer and any below it. This one test
replaces the per-module copies the suite used to have, and covers modules added later too:
a new top-level module must be given a layer here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import newsarc

PACKAGE = Path(newsarc.__file__).parent

LAYERS: dict[str, int] = {
    # the model and what it needs: no I/O beyond the standard library
    "errors": 0, "model": 0, "results": 0, "textsafe": 0, "urls": 0, "timestamps": 0, "htmltext": 0,
    "entities": 0, "otherfields": 0, "userdirs": 0, "slotted": 0, "forked": 0,
    "dates": 1, "safewrite": 1,
    "records": 2,
    "parsing": 3, "query": 3,
    "index": 4,
    "archive": 5, "spelling": 5, "refreshing": 5,
    "render": 6, "exporters": 6, "importing": 6, "watching": 6,
    "cli": 7,
    "launch": 8, "warmserver": 8, "__main__": 8,
    "__init__": 0,  # newsarc/__init__.py holds the version only
}  # fmt: skip
ONLY_IN = {
    "click": {"cli"},
    "rich": {"cli", "render"},
    "sqlite3": {"index"},
    "psycopg": {"index"},
}
SEES_ONLY = {
    # render builds renderables from model and result objects: never the archive or an index
    "render": {"model", "results", "textsafe", "htmltext", "entities", "otherfields", "errors"},
    # exporters write what they are given: never the archive, an index or rich
    "exporters": {"model", "results", "records", "errors", "textsafe", "htmltext", "entities", "urls", "safewrite",
                  "parsing", "slotted"},
    # the query language is pure: text in, a syntax tree out
    "query": {"errors", "dates", "timestamps", "slotted"},
}
"""Layers narrower than their place in LAYERS allows."""


def _modules() -> Iterator[Path]:
    yield from sorted(PACKAGE.rglob("*.py"))


def _top(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imports(path: Path) -> Iterator[tuple[int, str, bool]]:
    """(line, imported top-level name, inside newsarc) for each import of the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    depth = len(path.relative_to(PACKAGE).parts) - 1  # how many folders below newsarc/
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.name.split(".")
                if name[0] == "newsarc":
                    yield node.lineno, name[1] if len(name) > 1 else "__init__", True
                else:
                    yield node.lineno, name[0], False
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                name = (node.module or "").split(".")
                if name[0] == "newsarc":
                    yield node.lineno, name[1] if len(name) > 1 else "__init__", True
                else:
                    yield node.lineno, name[0], False
            elif node.level > depth:  # reaches newsarc/ itself or above: `from .. import x`
                parts = (node.module or "").split(".")
                if parts[0]:
                    yield node.lineno, parts[0], True
                else:  # `from . import name`: a module, or a name of newsarc/__init__.py
                    for alias in node.names:
                        target = PACKAGE / alias.name
                        is_module = target.is_dir() or target.with_suffix(".py").is_file()
                        yield node.lineno, alias.name if is_module else "__init__", True
            elif depth and node.level <= depth:
                yield node.lineno, _top(path), True  # inside its own package


@pytest.mark.parametrize("path", list(_modules()), ids=lambda path: path.relative_to(PACKAGE).as_posix())
def test_every_import_points_down(path: Path) -> None:
    layer_name = _top(path)
    assert layer_name in LAYERS, f"{layer_name} has no layer: add it to LAYERS (and docs/architecture.md)"
    wrong = []
    for line, name, internal in _imports(path):
        if internal:
            if name not in LAYERS:
                wrong.append(f"line {line}: {name} has no layer")
            elif LAYERS[name] > LAYERS[layer_name]:
                wrong.append(f"line {line}: imports {name} (layer {LAYERS[name]}) "
                             f"from layer {LAYERS[layer_name]}")
            elif layer_name in SEES_ONLY and name not in SEES_ONLY[layer_name] | {layer_name}:
                seen = sorted(SEES_ONLY[layer_name])
                wrong.append(f"line {line}: {layer_name} imports {name}; it sees only {seen}")
        elif name in ONLY_IN and layer_name not in ONLY_IN[name]:
            wrong.append(f"line {line}: imports {name}, which only {sorted(ONLY_IN[name])} may")
    assert not wrong, "\n".join(wrong)


def test_every_layer_exists() -> None:
    """A layer that was renamed or removed leaves a stale entry: keep LAYERS true."""
    present = {_top(path) for path in _modules()}
    assert set(LAYERS) <= present


@pytest.mark.parametrize("path", list(_modules()), ids=lambda path: path.relative_to(PACKAGE).as_posix())
def test_modules_and_functions_stay_readable_at_once(path: Path) -> None:
    """style.md: split a module past about 400 lines; a function fits on one screen (60 lines)."""
    source = path.read_text(encoding="utf-8")
    assert source.count("\n") <= 400, f"{path.name} has {source.count(chr(10))} lines: split it"
    long_functions = [
        f"{node.name} (line {node.lineno}) has {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno
        and node.end_lineno - node.lineno + 1 > 60
    ]
    assert not long_functions

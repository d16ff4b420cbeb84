"""The benchmark reports keep what they did not write (no timing checked)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


targets = _load("newsarc_bench_targets_test", BENCHMARKS / "targets.py")
run = _load("newsarc_bench_run_test", BENCHMARKS / "run.py")

OLD = """# newsarc benchmarks

## Machine

- old machine

## 100,000 articles

old table

## Search quality (known-item, ../shared/corpus)

Hand-written findings.

## Freshness targets (issue 14)

<!-- targets: begin (written by benchmarks/targets.py; edit outside these marks) -->
old ratios
<!-- targets: end -->

After the marks: a closing note.
"""


def test_run_keeps_the_sections_it_did_not_write(tmp_path: Path) -> None:
    report = tmp_path / "benchmarks.md"
    report.write_text(OLD, encoding="utf-8")
    kept = run.kept_sections(OLD, ["# newsarc benchmarks", "", "## Machine", "", "- new machine",
                                   "## 25,000 articles"])
    assert "old machine" not in kept and "old table" not in kept
    assert "Hand-written findings." in kept and "old ratios" in kept and "a closing note" in kept
    assert kept.index("Search quality") < kept.index("Freshness targets")


def test_targets_replace_only_their_region(tmp_path: Path) -> None:
    report = tmp_path / "benchmarks.md"
    report.write_text(OLD, encoding="utf-8")
    targets.write_region(report, ["| new ratios |"])
    text = report.read_text(encoding="utf-8")
    assert "| new ratios |" in text and "old ratios" not in text
    assert text.replace("| new ratios |", "old ratios").replace("\n\nold ratios\n\n", "\nold ratios\n") == OLD
    empty = tmp_path / "new.md"
    targets.write_region(empty, ["| first |"])
    assert "## Freshness targets (issue 14)" in empty.read_text(encoding="utf-8")


def test_own_import_time_counts_the_self_times_of_newsarc_modules_only() -> None:
    report = "\n".join([
        "import time: self [us] | cumulative | imported package",
        "import time:      1200 |       1200 |     click.core",
        "import time:       300 |        300 |   __editable___newsarc_0_1_0_finder",
        "import time:      2500 |       2500 |       newsarc.model",
        "import time:       500 |       3000 |     newsarc.records",
        "import time:       100 |       4300 | newsarc",
        "import time:       900 |        900 | newsarcade",
        "an unrelated line on stderr",
    ])
    assert targets.own_import_ms(report) == 3.1

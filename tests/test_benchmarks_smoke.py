"""The benchmark tooling: the generator, the alternatives and run.py's smoke mode (no timing checked)."""

from __future__ import annotations

import argparse
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from newsarc.archive import load_archive

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
COUNT = 200
SEED = 7


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


run = _load("newsarc_bench_run", BENCHMARKS / "run.py")
generate = run.generate
pyyaml_filter = _load("newsarc_bench_pyyaml_filter", BENCHMARKS / "alternatives" / "pyyaml_filter.py")


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("bench") / "archive"
    return root, generate.generate(root, COUNT, SEED)


@pytest.fixture(scope="module")
def parsed(archive: tuple[Path, dict]):
    return load_archive(archive[0])


def _name(article) -> str:
    return article.path if article.index is None else f"{article.path}#{article.index}"


# --- the generator ----------------------------------------------------------------------------


def test_the_same_seed_gives_byte_identical_files(archive: tuple[Path, dict], tmp_path: Path) -> None:
    root, manifest = archive
    again = generate.generate(tmp_path / "again", COUNT, SEED)
    assert _files(tmp_path / "again") == _files(root)
    assert {**again, "seconds": 0} == {**manifest, "seconds": 0}


def test_another_seed_gives_another_archive(archive: tuple[Path, dict], tmp_path: Path) -> None:
    generate.generate(tmp_path / "other", COUNT, SEED + 1)
    assert _files(tmp_path / "other") != _files(archive[0])


def test_every_kind_of_file_is_there(archive: tuple[Path, dict]) -> None:
    root, manifest = archive
    kinds = manifest["kinds"]
    assert kinds["broken"] == 3 and kinds["json_pages"] >= 1 and kinds["plain_text"] >= 1
    assert kinds["front_matter"] + kinds["plain_text"] + kinds["json_records"] + kinds["broken"] == COUNT
    assert manifest["files"] == len(_files(root)) == COUNT - kinds["json_records"] + kinds["json_pages"]
    suffixes = {path.suffix for path in root.iterdir()}
    assert suffixes == {".md", ".txt", ".json"}
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\d-[a-z0-9-]+\.(md|txt|json)", path.name) for path in root.iterdir()
    )
    assert {item["kind"] for item in manifest["broken"]} == {"unclosed", "bad-yaml", "empty"}


def test_newsarc_reads_every_article_and_reports_exactly_the_broken_files(
    archive: tuple[Path, dict], parsed
) -> None:
    _, manifest = archive
    broken = {item["path"] for item in manifest["broken"]}
    assert len(parsed.articles) == manifest["articles"] == COUNT - len(broken)
    assert sorted(problem.path for problem in parsed.problems) == sorted(broken)


def test_articles_have_the_shapes_of_the_real_files(parsed) -> None:
    articles = parsed.articles
    front_matter = [article for article in articles if article.path.endswith(".md")]
    assert all(1 <= len(article.topics) <= 4 for article in front_matter)
    assert all(
        re.fullmatch(r"[A-Za-z0-9+/]+=*;[A-Za-z0-9+/]{22}==", article.secured) for article in front_matter
    )
    assert all(325 <= len(article.secured) <= 561 for article in front_matter)
    assert all(len(article.images) <= 1 for article in articles)
    related = [article for article in front_matter if article.related]
    assert 0.2 < len(related) / len(front_matter) < 0.4
    assert all(1 <= len(article.related) <= 10 for article in related)
    assert any(article.heat == -1 for article in articles) and any(
        article.quality is None for article in articles
    )
    years = {article.published.year for article in articles if article.published}
    assert years <= set(range(2014, 2026)) and len(years) >= 8
    assert len({article.provider_domain for article in articles}) > 50


def test_files_are_mostly_two_to_five_kilobytes(archive: tuple[Path, dict]) -> None:
    sizes = [len(data) for data in _files(archive[0]).values() if data]
    in_range = [size for size in sizes if 2000 <= size <= 5300]
    assert len(in_range) / len(sizes) > 0.8
    assert 2500 < sum(sizes) / len(sizes) < 4500


def test_each_rare_word_is_in_exactly_the_files_the_manifest_names(archive: tuple[Path, dict]) -> None:
    root, manifest = archive
    files = _files(root)
    assert set(manifest["rare_words"]) == set(generate.RARE_WORDS)
    for word, expected in manifest["rare_words"].items():
        found = sorted(path for path, data in files.items() if word.encode() in data.lower())
        assert found == sorted(expected)
        assert len(expected) == generate.RARE_WORDS[word]


def test_touching_changes_the_excerpt_of_k_files_by_a_word(
    archive: tuple[Path, dict], tmp_path: Path
) -> None:
    root = tmp_path / "touched"
    generate.generate(root, COUNT, SEED)
    before = _files(root)
    touched = generate.touch_files(root, 10, seed=3)
    after = _files(root)
    changed = [path for path in before if before[path] != after[path]]
    assert len(touched) == len(changed) == 10
    assert all(len(after[path]) - len(before[path]) == len(" updated") for path in changed)
    result = load_archive(root)
    assert len(result.articles) == archive[1]["articles"]
    touched_names = {path.relative_to(root).as_posix() for path in touched}
    excerpts = {article.path: article.excerpt for article in result.articles if article.path in touched_names}
    assert all(excerpt.endswith(" updated") for excerpt in excerpts.values())


def test_nested_puts_files_in_year_folders(tmp_path: Path) -> None:
    manifest = generate.generate(tmp_path / "nested", 120, SEED, nested=True)
    folders = {path.name for path in (tmp_path / "nested").iterdir()}
    assert folders and all(re.fullmatch(r"20(1[4-9]|2[0-4])", name) for name in folders)
    assert len(load_archive(tmp_path / "nested").articles) == manifest["articles"]


def test_the_command_line_writes_the_manifest_beside_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "generate.py"), "--count", "60", "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "zyxquorp" in result.stdout
    assert generate.read_manifest(out)["count"] == 60
    refused = subprocess.run(
        [sys.executable, str(BENCHMARKS / "generate.py"), "--count", "60", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0 and "--force" in refused.stderr


# --- the alternatives -------------------------------------------------------------------------


def _pyyaml_names(root: Path, **options: str | None) -> set[str]:
    namespace = argparse.Namespace(provider=None, topic=None, word=None, date=None)
    for key, value in options.items():
        setattr(namespace, key, value)
    keep = pyyaml_filter.make_filter(namespace)
    return {name for name, record in pyyaml_filter.iter_articles(str(root)) if keep(record)}


def test_pyyaml_provider_filter_finds_the_articles_newsarc_parses(archive: tuple[Path, dict], parsed) -> None:
    root, manifest = archive
    provider = manifest["top_providers"][0][0]
    expected = {
        _name(article)
        for article in parsed.articles
        if provider in ((article.provider_domain or "").lower(), (article.provider_name or "").lower())
    }
    assert len(expected) > 5
    assert _pyyaml_names(root, provider=provider) == expected


def test_pyyaml_topic_and_date_filters_agree_with_newsarc(archive: tuple[Path, dict], parsed) -> None:
    root, _ = archive
    topic = "automation"
    expected_topic = {_name(a) for a in parsed.articles if topic in (t.lower() for t in a.topics)}
    assert expected_topic and _pyyaml_names(root, topic=topic) == expected_topic
    expected_dates = {
        _name(a)
        for a in parsed.articles
        if a.published and (2019, 1) <= (a.published.year, a.published.month) <= (2019, 6)
    }
    assert expected_dates and _pyyaml_names(root, date="2019-01..2019-06") == expected_dates


def test_pyyaml_word_filter_finds_the_rare_word(archive: tuple[Path, dict]) -> None:
    root, manifest = archive
    assert {name for name in _pyyaml_names(root, word="ZYXQUORP")} == set(manifest["rare_words"]["zyxquorp"])


def test_pyyaml_script_and_loader_run_as_scripts(archive: tuple[Path, dict]) -> None:
    root, _ = archive
    alternatives = BENCHMARKS / "alternatives"
    found = subprocess.run(
        [sys.executable, str(alternatives / "pyyaml_filter.py"), str(root), "--word", "zyxquorp"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(found.stdout.splitlines()) == generate.RARE_WORDS["zyxquorp"]
    lines = subprocess.run(
        [sys.executable, str(alternatives / "to_jsonl.py"), str(root)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    front_matter_and_pages = archive[1]["articles"] - archive[1]["kinds"]["plain_text"]
    assert len(lines) == front_matter_and_pages


# --- run.py -----------------------------------------------------------------------------------


def test_every_command_of_the_table_can_be_filled_in() -> None:
    names = (
        "newsarc",
        "python",
        "alternatives",
        "archive",
        "db",
        "alt_db",
        "export",
        "provider",
        "provider_line",
        "topic",
        "topic_line",
        "rare",
        "common",
        "phrase",
        "phrase_text",
        "id",
        "rg",
        "sqlite_utils",
    )
    values = dict.fromkeys(names, "X")
    for command in run.COMMANDS:
        assert command.tool in run.TOOLS
        run.to_argv(command.template.format(**values))
        command.question.format(provider="p", topic="t")


def _missing_newsarc_commands() -> list[str]:
    """The newsarc subcommands (and --fresh) run.py uses that the installed CLI lacks."""
    program = run.newsarc_program()
    if program is None:
        return ["newsarc"]
    needed = set()
    for command in run.COMMANDS:
        if command.tool == "newsarc":
            words = command.template.replace(run.NEWSARC, "").split()
            needed.add(next(word for word in words if not word.startswith("--")))
    probes = {name: [*program, name, "--help"] for name in sorted(needed)}
    probes["--fresh=dirs"] = [*program, "--fresh=dirs", "--help"]
    return [
        name for name, argv in probes.items() if subprocess.run(argv, capture_output=True).returncode != 0
    ]


_MISSING = _missing_newsarc_commands()


@pytest.mark.skipif(bool(_MISSING), reason=f"the newsarc CLI lacks: {', '.join(_MISSING)}")
def test_run_py_smoke_mode_passes() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--smoke"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "report: " in result.stderr


def test_run_py_smoke_mode_runs_the_alternatives_today(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--smoke", "--tools", "rg,pyyaml,sqlite-utils"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = Path(result.stderr.rsplit("report: ", 1)[1].split()[0])
    text = report.read_text(encoding="utf-8")
    report.unlink()
    assert "## 200 articles" in text and "| list provider:" in text and "## Versions" in text
    assert "| pyyaml |" in text


def test_run_py_smoke_mode_fails_when_a_newsarc_command_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "newsarc"
    broken.write_text("#!/bin/sh\necho 'newsarc: no such command' >&2\nexit 2\n")
    broken.chmod(0o755)
    monkeypatch.setattr(run, "newsarc_program", lambda: [str(broken)])
    monkeypatch.setattr(run, "COMMANDS", [c for c in run.COMMANDS if c.tool == "newsarc"][:2])
    assert run.main(["--smoke", "--tools", "newsarc"]) == 1
    err = capsys.readouterr().err
    Path(err.rsplit("report: ", 1)[1].split()[0]).unlink()
    assert f"FAILED (newsarc: {run.BUILD}): {broken} --archive" in err
    assert "exit 2: newsarc: no such command" in err
    assert "skipped (the index build failed)" in err


# --- quality.py -------------------------------------------------------------------------------

quality = _load("newsarc_bench_quality", BENCHMARKS / "quality.py")

_CJK_ARTICLE = """---
title: "商汤科技 files for a listing in Hong Kong"
excerpt: "The artificial intelligence company behind face recognition cameras plans an offering."
publishedDateTime: 2021-12-01T08:00:00Z
provider:
  name: Fixture News
  domain: fixture.example
topics:
  - AI
---
A body that says nothing more.
"""


@pytest.fixture(scope="module")
def quality_archive(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    """The five seeds plus one article with Han text, so every query set has queries."""
    root = tmp_path_factory.mktemp("quality") / "archive"
    root.mkdir()
    for path in seeds_dir.iterdir():
        (root / path.name).write_bytes(path.read_bytes())
    (root / "2021-12-01-cjk.md").write_text(_CJK_ARTICLE, encoding="utf-8")
    return root


def _table_rows(text: str) -> dict[str, list[str]]:
    rows = [line.strip("|").split("|") for line in text.splitlines() if line.startswith("| ")]
    return {cells[0].strip(): [cell.strip() for cell in cells[1:]] for cells in rows[1:]}


def test_quality_swaps_number_and_drops_one_letter_not_the_first() -> None:
    swaps = {"investors": "investor", "market": "markets", "company": "companies",
             "companies": "company", "business": "businesses", "boxes": "box", "status": "statuses"}
    assert {word: quality.swap_number(word) for word in swaps} == swaps
    for seed in range(20):
        words = quality.drop_letter(("ping", "capturing", "fortune"), quality.random.Random(seed))
        assert words is not None and words[0] == "ping" and words[2] == "fortune"
        assert len(words[1]) == len("capturing") - 1 and words[1][0] == "c"
    assert quality.drop_letter(("ai", "chip"), quality.random.Random(1)) is None


def test_quality_report_has_every_set_and_engine_with_figures_in_0_1(
    quality_archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "quality.md"
    assert quality.main([str(quality_archive), "--seed", "3", "--report", str(report)]) == 0
    out = capsys.readouterr().out
    assert "6 articles; 1 with Han, Kana or Hangul text" in out
    rows = _table_rows(out)
    assert list(rows) == list(quality.QUERY_SETS)
    for name, cells in rows.items():
        assert int(cells[0]) > 0, name
        figures = [float(cell) for cell in cells[1:]]
        assert len(figures) == 2 * len(quality.ENGINES) and all(0 <= f <= 1 for f in figures), (name, cells)
    # The words as written find their article for every engine on these six articles.
    assert all(float(cell) > 0.5 for cell in rows[quality.SET_TITLE][1::2])
    written = report.read_text(encoding="utf-8")
    assert written.startswith(f"Command: `python benchmarks/quality.py {quality_archive} --seed 3 --report")
    assert out in written


def test_quality_queries_depend_on_the_seed_and_the_article_only(quality_archive: Path) -> None:
    documents = quality.load_documents(quality_archive)

    def drawn(documents: list, seed: int) -> dict[str, list]:
        sets = quality.build_query_sets(documents, seed)
        return {name: sorted((item.target, item.words) for item in items) for name, items in sets.items()}

    assert drawn(list(reversed(documents)), 5) == drawn(documents, 5)
    cjk = {words[0] for _, words in drawn(documents, 5)[quality.SET_CJK_TWO]}
    assert cjk == {"商汤", "汤科", "科技"}

"""What a command loads before it answers: piped and JSON output never import rich,
a command whose index is fresh never imports the parsers (PyYAML behind them), and a
`--fresh none` search imports only what answering it takes (issue 14: newsarc's own
imports under 40 ms)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Runs newsarc's main() with stdout piped, then says on stderr which modules it loaded
# and which patterns re compiled (re keeps every pattern it compiles in re._cache).
_WRAPPER = (
    "import sys, json, re\n"
    "from newsarc.cli import main\n"
    "try:\n"
    "    code = main(sys.argv[1:])\n"
    "finally:\n"
    "    patterns = sorted({key[1] for key in re._cache if isinstance(key[1], str)})\n"
    "    sys.stderr.write('\\nPATTERNS ' + json.dumps(patterns) + '\\n')\n"
    "    sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)) + '\\n')\n"
    "sys.exit(code)\n"
)


def _modules_loaded(args: list[str], env_dir: Path) -> tuple[int, str, set[str]]:
    code, output, modules, _ = _loaded(args, env_dir)
    return code, output, modules


def _loaded(args: list[str], env_dir: Path) -> tuple[int, str, set[str], list[str]]:
    """Exit code, stdout, the modules loaded and the patterns compiled by one command."""
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *args], capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(env_dir), "XDG_CACHE_HOME": str(env_dir / "cache"),
             "XDG_CONFIG_HOME": str(env_dir / "config"), "NO_COLOR": "1"},
    )
    modules = done.stderr.rsplit("MODULES ", 1)[1]
    patterns = done.stderr.rsplit("PATTERNS ", 1)[1].split("\n", 1)[0]
    return done.returncode, done.stdout, set(json.loads(modules)), json.loads(patterns)


@pytest.fixture()
def archive(tmp_path: Path, seeds_dir: Path) -> list[str]:
    folder = tmp_path / "archive"
    shutil.copytree(seeds_dir, folder)
    return ["--archive", str(folder), "--index", str(tmp_path / "index.sqlite")]


COMMANDS = [
    ["search", "sensetime"],
    ["search", "--json", "sensetime"],
    ["list", "provider:scmp.com"],
    ["stats", "--by", "provider"],
    ["show", "--json", "7e1e"],
    ["dupes", "--json"],
    ["fields"],
    ["index", "--json"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: " ".join(command))
def test_piped_commands_never_import_rich(archive: list[str], tmp_path: Path, command: list[str]) -> None:
    code, output, modules = _modules_loaded([*archive, *command], tmp_path)
    assert code == (1 if command[0] == "dupes" else 0)  # the seeds hold no duplicates
    assert output.strip() or command[0] == "dupes", "the command answered on stdout"
    assert not {name for name in modules if name == "rich" or name.startswith("rich.")}


def test_fresh_index_skips_the_parsers(archive: list[str], tmp_path: Path) -> None:
    code, _, modules = _modules_loaded([*archive, "index"], tmp_path)  # builds it: parses
    assert code == 0 and "yaml" in modules
    code, output, modules = _modules_loaded([*archive, "search", "--json", "sensetime"], tmp_path)
    assert code == 0 and "SenseTime" in output
    assert "yaml" not in modules and "newsarc.parsing.frontmatter" not in modules


def test_every_command_is_found_and_search_loads_only_its_own(archive: list[str], tmp_path: Path) -> None:
    from newsarc.cli import app, browse, report, transfer, watch

    defined = {command.name for module in (browse, report, transfer, watch) for command in module.COMMANDS}
    assert defined == set(app.COMMAND_MODULES)
    for name in defined:
        assert app.cli.get_command(None, name).name == name  # type: ignore[arg-type, union-attr]
    code, _, modules = _modules_loaded([*archive, "search", "--json", "sensetime"], tmp_path)
    assert code == 0
    assert "newsarc.cli.browse" in modules
    assert not {"newsarc.cli.transfer", "newsarc.cli.report", "newsarc.cli.watch"} & modules


# What a `--fresh none` search must not load: the walk and the parsers (it looks at no
# file), the watcher's handshake (socket, signal), the TOML reader (no config file),
# OpenSSL (the index is named), the suggestions of a mistyped option, the HTML entity
# table (no text read holds a character reference), platformdirs (XDG on Linux), and
# the date rules (the query has no date, and the index's dates are all in the aggregators'
# form), and dataclasses: the model, the results and the query tree are slotted records, as
# @dataclass would compile their methods at every start (issue 14: own imports under 40 ms).
NOT_FOR_AN_INDEX_AS_IT_IS = {
    "newsarc.parsing", "newsarc.parsing.walk", "newsarc.index.walkdiff", "newsarc.index.sqlite.refresh",
    "newsarc.index.sqlite.shards", "newsarc.index.sqlite.heartbeat", "socket", "tomllib", "hashlib",
    "difflib", "html.entities", "platformdirs", "newsarc.dates", "newsarc.timestamps", "dataclasses",
}  # fmt: skip
# A seed whose related item's excerpt is mojibake (repaired as it is read, by ftfy, which
# loads hashlib) is left out of the answer.
AS_IT_IS = ["--fresh", "none", "search", "--json", "ipo", "-provider:scmp.com"]


def test_a_search_of_the_index_as_it_is_loads_neither_the_walk_nor_the_unused(
        archive: list[str], tmp_path: Path) -> None:
    assert _modules_loaded([*archive, "index"], tmp_path)[0] == 0
    code, output, modules = _modules_loaded([*archive, *AS_IT_IS], tmp_path)
    assert code == 0 and "SenseTime" in output
    assert not NOT_FOR_AN_INDEX_AS_IT_IS & modules
    assert not {"newsarc.cli.report", "newsarc.cli.transfer", "rich"} & modules


def test_an_index_as_it_is_reports_what_its_refresh_would(archive: list[str], tmp_path: Path) -> None:
    """`--fresh none` answers without the refresh module: its report must still be the one
    `Refresh` gives for mode "none" (the counts the last refresh stored)."""
    from newsarc.archive import Archive
    from newsarc.index.sqlite.refresh import Refresh
    from newsarc.slotted import replace

    folder, index = Path(archive[1]), Path(archive[3])
    (folder / "broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    Archive.open(folder, index=index).close()
    with Archive.open(folder, index=index, fresh="none") as opened:
        fast = opened.report
        slow = Refresh(opened.index.connection, folder).refresh(mode="none")  # type: ignore[attr-defined]
    assert (fast.unchanged, fast.articles, fast.problems, fast.skipped) == (6, 5, 1, 0)
    assert replace(fast, seconds=0.0) == replace(slow, seconds=0.0)


# Patterns of ranges over scripts that ASCII text never needs: the CJK runs of the index,
# the unspaced scripts of typo rescue, and the date forms the index's ISO dates are not.
def _compiled_only_when_needed() -> list[str]:
    from newsarc import spelling, textsafe, timestamps
    from newsarc.index.sqlite import cjk

    patterns = [cjk._RUN, spelling._UNSPACED, timestamps._NATURAL, timestamps._NO_YEAR, timestamps._TIME_ONLY,
                textsafe._UNSAFE_CHARACTER, textsafe._ESCAPE_SEQUENCE]
    return [getattr(pattern, "pattern", pattern) for pattern in patterns]  # a source, compiled or not


def test_a_search_of_ascii_words_compiles_no_pattern_only_other_text_needs(
        archive: list[str], tmp_path: Path) -> None:
    assert _modules_loaded([*archive, "index"], tmp_path)[0] == 0
    code, output, _, patterns = _loaded([*archive, *AS_IT_IS], tmp_path)
    assert code == 0 and "SenseTime" in output
    assert not set(_compiled_only_when_needed()) & set(patterns)
    code, output, _, patterns = _loaded([*archive, "--fresh", "none", "search", "--json", "商汤"], tmp_path)
    assert code in (0, 1) and _compiled_only_when_needed()[0] in patterns  # a CJK word does need it


@pytest.mark.parametrize("variables", [
    {"XDG_CONFIG_HOME": "/somewhere/config", "XDG_CACHE_HOME": "/somewhere/cache", "HOME": "/home/reader"},
    {"HOME": "/home/reader"},
    {"HOME": "/home/reader/", "XDG_CONFIG_HOME": "", "XDG_CACHE_HOME": ""},
    {"HOME": "/home/reader", "XDG_CONFIG_HOME": "relative/config", "XDG_CACHE_HOME": " /space"},
    {"HOME": "relative-home"},
], ids=["xdg", "home", "empty-xdg", "relative-xdg", "relative-home"])
def test_the_user_folders_are_where_platformdirs_puts_them(monkeypatch: pytest.MonkeyPatch,
                                                           variables: dict[str, str]) -> None:
    platformdirs = pytest.importorskip("platformdirs")
    from newsarc import userdirs

    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "HOME", "ANDROID_DATA"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert userdirs.config_folder() == Path(platformdirs.user_config_dir("newsarc"))
    assert userdirs.cache_folder() == Path(platformdirs.user_cache_dir("newsarc"))


def test_a_search_with_no_folder_changed_under_fresh_dirs_loads_no_walk(archive: list[str],
                                                                         tmp_path: Path) -> None:
    # `--fresh dirs` compares folder times only: with none moved it walks nothing, so the
    # walk, the diff and the parsers are not loaded (nor socket, for the watcher's heartbeat).
    assert _modules_loaded([*archive, "index"], tmp_path)[0] == 0
    code, output, modules = _modules_loaded([*archive, "--fresh", "dirs", *AS_IT_IS[2:]], tmp_path)
    assert code == 0 and "SenseTime" in output
    assert not {"newsarc.parsing.walk", "newsarc.index.walkdiff", "newsarc.parsing.yamlload", "socket"} & modules
    folder = Path(archive[1])
    (folder / "added.md").write_text("---\ntitle: An IPO added\n---\n", encoding="utf-8")
    code, output, modules = _modules_loaded([*archive, "--fresh", "dirs", *AS_IT_IS[2:]], tmp_path)
    assert code == 0 and "An IPO added" in output and "newsarc.parsing.walk" in modules

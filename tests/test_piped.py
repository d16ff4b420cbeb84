"""The piped path (cli/piped.py): a piped `search` or `list` answered without click
writes exactly what the click path writes, ends with the same code, and every other
command line is left to click before anything is written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsarc.cli import main as click_main
from newsarc.cli.piped import read_command, run_piped

pytestmark = pytest.mark.usefixtures("isolated_environment")


@pytest.fixture()
def archive(tmp_path: Path, seeds_dir: Path, good_dir: Path, bad_dir: Path) -> list[str]:
    """Seeds, the good fixtures and one bad file, indexed once (so no answer below
    carries the first build's notices)."""
    folder = tmp_path / "archive"
    shutil.copytree(seeds_dir, folder)
    shutil.copytree(good_dir, folder / "good")
    shutil.copy(bad_dir / "broken-yaml-unclosed-quote.md", folder)
    options = ["--archive", str(folder), "--index", str(tmp_path / "index.sqlite")]
    assert click_main([*options, "-q", "index"]) == 0
    return options


def _answers(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[tuple[int, str, str], ...]:
    """(code, stdout, stderr) of the piped path, then of the click path."""
    capsys.readouterr()
    piped = run_piped(argv)
    assert piped is not None, f"the piped path declined {argv}"
    first = capsys.readouterr()
    through_click = click_main(argv)
    second = capsys.readouterr()
    return (piped, first.out, first.err), (through_click, second.out, second.err)


TAKEN = [
    ["search", "sensetime"],
    ["search", "sensetime", "--limit", "1", "--json"],
    ["--fresh", "none", "search", "sensetime", "-n", "2"],
    ["search", "investor"],  # stemmed matches past the exact ones
    ["search", "sensetme"],  # rescued: the notice on stderr
    ["search", "zzznomatchzz"],
    ["-q", "search", "zzznomatchzz"],
    ["search", "title:("],  # a query that does not parse: one line, exit 2
    ["search", "@nosuch"],  # no such saved query
    ["list"],
    ["list", "provider:scmp.com", "--limit", "2", "--fresh", "dirs"],
    ["list", "--limit", "0"],
    ["--strict", "list", "sensetime"],  # the archive has a problem file: exit 1
    ["search", "sensetime", "--fresh", "none", "-q", "--limit", "1"],  # global options after the command
    ["--quiet", "--no-pager", "list", "-n", "3", "--json"],
    ["--no-cache", "search", "sensetime"],  # an index in memory: built for the run, with its notices
]


@pytest.mark.parametrize("command", TAKEN, ids=" ".join)
def test_piped_answers_as_click_does(archive: list[str], command: list[str],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    piped, through_click = _answers([*archive, *command], capsys)
    assert piped == through_click


def test_piped_answers_are_real_answers(archive: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    piped, _ = _answers([*archive, "search", "sensetime", "--json"], capsys)
    code, out, _ = piped
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and records and all("sensetime" in json.dumps(record).lower() for record in records)
    (code, out, err), _ = _answers([*archive, "search", "zzznomatchzz"], capsys)
    assert (code, out) == (1, "") and "no articles match" in err


def test_saved_queries_and_a_broken_config(archive: list[str], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "newsarc.toml"
    config.write_text('[queries]\nsense = "sensetime OR megvii"\n', encoding="utf-8")
    monkeypatch.setenv("NEWSARC_CONFIG", str(config))
    piped, through_click = _answers([*archive, "search", "@sense"], capsys)
    assert piped == through_click and piped[0] == 0
    config.write_text("[queries\n", encoding="utf-8")
    capsys.readouterr()
    assert run_piped([*archive, "search", "@sense"]) is None  # click tells what is wrong with it
    assert capsys.readouterr() == ("", "")


DECLINED = [
    ["search", "sensetime", "--limti", "5"],  # a typo of an option: click reports it
    ["search", "-hsbc", "sensetime"],  # an exclusion: click's argument sorting reads it
    ["search"],
    ["search", "x", "--limit=5"],
    ["search", "x", "--limit", "-1"],
    ["search", "x", "--limit", "two"],
    ["search", "x", "--limit", "1", "--limit", "2"],
    ["--fresh", "sometimes", "search", "x"],
    ["--json", "search", "x"],
    ["--archive"],
    ["--debug", "search", "x"],
    ["search", "x", "--format", "csv"],
    ["list", "--fields", "id"],
    ["show", "x"],
    ["stats"],
    ["search", "x\udcff"],  # not UTF-8
    ["search", ""],
    [],
]


@pytest.mark.parametrize("command", DECLINED, ids=repr)
def test_other_command_lines_are_left_to_click(archive: list[str], command: list[str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert read_command(command) is None
    capsys.readouterr()
    assert run_piped([*archive, *command]) is None
    assert capsys.readouterr() == ("", "")


def test_settings_from_the_environment_and_the_config_file(archive: list[str], tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "newsarc.toml"
    config.write_text(f'archive = "{tmp_path / "elsewhere"}"\nlimit = 1\nfresh = "none"\n', encoding="utf-8")
    monkeypatch.setenv("NEWSARC_CONFIG", str(config))
    monkeypatch.setenv("NEWSARC_ARCHIVE", archive[1])
    monkeypatch.setenv("NEWSARC_INDEX", archive[3])
    piped, through_click = _answers(["search", "sensetime"], capsys)
    assert piped == through_click and piped[0] == 0 and piped[1].count("\n") > 1  # limit is for terminals
    monkeypatch.delenv("NEWSARC_ARCHIVE")  # the config file's archive, which is not there
    piped, through_click = _answers(["--index", archive[3], "search", "sensetime"], capsys)
    assert piped == through_click and piped[0] == 2 and "elsewhere" in piped[2]


def test_shell_completion_is_left_to_click(archive: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_NEWSARC_COMPLETE", "bash_source")
    assert run_piped([*archive, "search", "sensetime"]) is None


def test_a_terminal_is_left_to_click(archive: list[str], monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert run_piped([*archive, "search", "sensetime"]) is None
    assert capsys.readouterr() == ("", "")


_LAUNCH = (
    "import sys, json\n"
    "from newsarc.launch import main\n"
    "sys.argv[0] = 'newsarc'\n"
    "code = main()\n"
    "sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)) + '\\n')\n"
    "sys.exit(code)\n"
)


_CLICK = "import sys\nfrom newsarc.cli import main\nsys.exit(main(sys.argv[1:]))\n"


def test_the_console_script_answers_a_pipe_without_click(archive: list[str], tmp_path: Path) -> None:
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"),
                   "XDG_CONFIG_HOME": str(tmp_path / "config"), "NEWSARC_WARM": "0"}
    arguments = [*archive, "--fresh", "none", "search", "sensetime", "--limit", "3"]
    launched = subprocess.run([sys.executable, "-c", _LAUNCH, *arguments], capture_output=True, text=True,
                              env=environment, timeout=120)
    through_click = subprocess.run([sys.executable, "-c", _CLICK, *arguments], capture_output=True, text=True,
                                   env=environment, timeout=120)
    errors, loaded = launched.stderr.rsplit("\nMODULES ", 1)
    modules = set(json.loads(loaded))
    assert launched.returncode == 0 and launched.stdout.count("\n") == 3
    assert (launched.stdout, errors, launched.returncode) == \
        (through_click.stdout, through_click.stderr, through_click.returncode)
    assert "click" not in modules and "rich" not in modules


@pytest.mark.parametrize("closed", [1, 2], ids=["stdout", "stderr"])
def test_a_closed_standard_stream_ends_as_through_click(archive: list[str], tmp_path: Path, closed: int) -> None:
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"),
                   "XDG_CONFIG_HOME": str(tmp_path / "config"), "NEWSARC_WARM": "0"}
    arguments = [*archive, "search", "sensetime"]
    ends = []
    for program in (_LAUNCH.replace("sys.stderr.write", "0 and sys.stderr.write"), _CLICK):
        done = subprocess.run([sys.executable, "-c", program, *arguments], capture_output=True, text=True,
                              env=environment, timeout=120, preexec_fn=lambda: os.close(closed))
        ends.append((done.returncode, done.stdout if closed == 2 else done.stderr))
    assert ends[0] == ends[1] and ends[0][0] != 0

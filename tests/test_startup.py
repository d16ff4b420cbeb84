"""What a command loads before it answers: piped and JSON output never import rich,
and a command whose index is fresh never imports the parsers (PyYAML behind them)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Runs newsarc's main() with stdout piped, then says on stderr which modules it loaded.
_WRAPPER = (
    "import sys, json\n"
    "from newsarc.cli import main\n"
    "try:\n"
    "    code = main(sys.argv[1:])\n"
    "finally:\n"
    "    sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)) + '\\n')\n"
    "sys.exit(code)\n"
)


def _modules_loaded(args: list[str], env_dir: Path) -> tuple[int, str, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *args], capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(env_dir), "XDG_CACHE_HOME": str(env_dir / "cache"),
             "XDG_CONFIG_HOME": str(env_dir / "config"), "NO_COLOR": "1"},
    )
    line = done.stderr.rsplit("MODULES ", 1)[1]
    return done.returncode, done.stdout, set(json.loads(line))


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

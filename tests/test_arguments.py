"""The command line means what was typed (README, "Argument rules" and "Exit codes").

Negated terms are query words in every query command, an unknown option is an error
with a hint, global options work after the command, and every mistake on the command
line is one line with exit 0, 1, 2 or 130: never a traceback, never exit 70.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsarc.cli import cli, main
from newsarc.parsing import article_id
from newsarc.query import query_source

PIPE = {"stdout_tty": False, "stderr_tty": False}
TERMINAL = {"stdout_tty": True, "stderr_tty": False, "width": 100}


pytestmark = pytest.mark.usefixtures("isolated_environment")


def run(seeds_dir: Path, *args: str, terminal: bool = False, archive: Path | None = None) -> Result:
    return CliRunner().invoke(cli, ["--archive", str(archive or seeds_dir), "--no-cache", *args],
                              obj=TERMINAL if terminal else PIPE)


def ids(result: Result) -> list[str]:
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


# --- negated terms are query words ------------------------------------------------------------

NEGATED = ["-hsbc", "-ipo", "-heat:>60", "-path:000*", "-has:images", "-published:yes",
           "-provider:scmp.com", "-date:2021-12", "-quality:<50"]


@pytest.mark.parametrize("negated", NEGATED)
def test_a_negated_term_excludes_in_list(seeds_dir: Path, negated: str) -> None:
    typed = run(seeds_dir, "list", negated)
    separated = run(seeds_dir, "list", "--", negated)
    assert (typed.exit_code, typed.stderr) == (separated.exit_code, separated.stderr) == (0, "")
    assert ids(typed) == ids(separated)
    assert 0 < len(ids(typed)) < 5  # it excluded something, and not everything


@pytest.mark.parametrize(
    "command",
    [["search", "sensetime"], ["stats"], ["dupes"], ["export", "-f", "paths"], ["list", "--format", "csv"]],
)
@pytest.mark.parametrize("negated", ["-hsbc", "-sensetime", "-heat:>60", "-has:images", "-published:yes"])
def test_a_negated_term_is_a_query_word_in_every_query_command(seeds_dir: Path, command: list[str],
                                                                negated: str) -> None:
    typed = run(seeds_dir, *command, negated)
    separated = run(seeds_dir, *command, "--", negated)
    assert "Usage:" not in typed.stdout + typed.stderr
    assert (typed.exit_code, typed.stdout) == (separated.exit_code, separated.stdout)
    assert typed.stderr == separated.stderr
    assert typed.exit_code in (0, 1)


def test_n_is_the_limit_only_before_a_number(seeds_dir: Path) -> None:
    assert len(ids(run(seeds_dir, "list", "-n", "2"))) == 2
    assert len(ids(run(seeds_dir, "list", "sensetime", "-n", "1"))) == 1
    # Not before a number, or written together, it is a query word: the exclusion of "n", "n5", "qn1".
    for words in (["-n5"], ["-qn1"], ["-n", "sensetime"]):
        result = run(seeds_dir, "list", *words)
        assert (result.exit_code, result.stderr, len(ids(result))) == (0, "", 5), words


def test_one_quoted_string_parses_like_the_same_words(seeds_dir: Path) -> None:
    quoted = run(seeds_dir, "list", "sensetime -provider:scmp.com")
    separated = run(seeds_dir, "list", "--", "sensetime", "-provider:scmp.com")
    assert len(ids(separated)) == 3
    assert ids(quoted) == ids(separated)
    assert ids(run(seeds_dir, "list", "sensetime provider:scmp.com")) == ids(
        run(seeds_dir, "list", "sensetime", "provider:scmp.com"))
    assert query_source(["sensetime -provider:scmp.com"]) == "sensetime -provider:scmp.com"
    assert query_source(["hong kong"]) == '"hong kong"'  # no query syntax: still a phrase


# --- unknown options -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--colr"], "no such option --colr (did you mean --color?)"),
        (["list", "--limt", "5"], "no such option --limt (did you mean --limit?)"),
        (["search", "ipo", "--jsn"], "no such option --jsn (did you mean --json?)"),
        (["stats", "--bye", "topic"], "no such option --bye (did you mean --by?)"),
        (["export", "--formt", "csv"], "no such option --formt (did you mean --format?)"),
        (["show", "7e1e", "--no-pagr"], "no such option --no-pagr (did you mean --no-pager?)"),
        (["--colr", "list"], "no such option --colr (did you mean --color?)"),
        (["list", "--zzzzzz"], "no such option --zzzzzz (see `newsarc list --help`)"),
    ],
)
@pytest.mark.parametrize("terminal", [False, True])
def test_an_unknown_option_is_an_error_with_a_hint(seeds_dir: Path, args: list[str], message: str,
                                                    terminal: bool) -> None:
    result = run(seeds_dir, *args, terminal=terminal)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"newsarc: error: {message}\n")


def test_other_usage_errors_are_one_line(seeds_dir: Path) -> None:
    for args in (["stats", "--by", "weather"], ["lst"], ["list", "--limit"]):
        result = run(seeds_dir, *args)
        assert result.exit_code == 2, args
        assert result.stderr.startswith("newsarc: error: ") and result.stderr.count("\n") == 1, result.stderr


def test_a_file_name_that_starts_with_a_dash_follows_double_dash(tmp_path: Path, seeds_dir: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    shutil.copy(seeds_dir / "000_9d4cac1fec7e3850.txt", archive / "-x.txt")
    assert ids(run(seeds_dir, "show", "--", "-x.txt", archive=archive)) == [article_id("-x.txt")]
    result = run(seeds_dir, "show", "-x.txt", archive=archive)
    assert result.exit_code == 2
    assert result.stderr == ("newsarc: error: no such option -x.txt "
                             "(write `-- -x.txt` for an argument that starts with -)\n")


# --- global options after the command ---------------------------------------------------------


def test_global_options_work_after_the_command(tmp_path: Path, seeds_dir: Path) -> None:
    coloured = run(seeds_dir, "list", "--color", "always", terminal=True)
    plain = run(seeds_dir, "list", "--color", "never", terminal=True)
    assert coloured.exit_code == plain.exit_code == 0
    assert "\x1b[" in coloured.stdout and "\x1b[" not in plain.stdout
    for args in (["show", "7e1e", "--no-pager"], ["stats", "--no-pager"], ["list", "--fresh", "none"],
                 ["list", "--strict"], ["related", "7e1e", "--debug"]):
        result = run(seeds_dir, *args)
        assert (result.exit_code, result.stderr) == (0, ""), args
    assert run(seeds_dir, "check").stderr != ""
    for quiet in ("--quiet", "-q"):
        assert run(seeds_dir, "check", quiet).stderr == ""
    elsewhere = CliRunner().invoke(cli, ["list", "--archive", str(seeds_dir), "--no-cache"], obj=PIPE)
    assert len(ids(elsewhere)) == 5
    index = tmp_path / "here.sqlite"
    built = CliRunner().invoke(cli, ["index", "--json", "--archive", str(seeds_dir), "--index", str(index)],
                               obj=PIPE)
    assert json.loads(built.stdout)["index"] == str(index)
    assert "newsarc" in run(seeds_dir, "list", "--version").stdout


def test_after_double_dash_everything_is_a_query_word(seeds_dir: Path) -> None:
    result = run(seeds_dir, "list", "--", "--color")
    assert (result.exit_code, result.stdout) == (1, "")


# --- --fields ---------------------------------------------------------------------------------


def test_fields_are_honoured_by_csv_tsv_and_json_lines(seeds_dir: Path) -> None:
    csv_rows = run(seeds_dir, "list", "--format", "csv", "--fields", "id,title").stdout.splitlines()
    assert csv_rows[0] == "id,title" and len(csv_rows) == 6
    tsv_rows = run(seeds_dir, "list", "--format", "tsv", "--fields", "id,date").stdout.splitlines()
    assert tsv_rows[0] == "id\tpublished"
    for extra in ([], ["--json"]):
        lines = run(seeds_dir, "list", "--fields", "id,date", *extra).stdout.splitlines()
        records = [json.loads(line) for line in lines]
        assert len(records) == 5 and all(list(record) == ["id", "date"] for record in records)
    for args in (["--fields", "id,nope"], ["--format", "csv", "--fields", "nope"],
                 ["--format", "html", "--fields", "id"]):
        assert run(seeds_dir, "list", *args).exit_code == 2, args


# --- exit codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["list"], ["search"], ["stats"], ["dupes"], ["export", "-f", "jsonl"], ["list", "--format", "csv"]],
)
@pytest.mark.parametrize("terminal", [False, True])
def test_no_match_exits_1_wherever_stdout_goes(seeds_dir: Path, command: list[str], terminal: bool) -> None:
    assert run(seeds_dir, *command, "nosuchword", terminal=terminal).exit_code == 1


def test_an_ambiguous_id_prefix_is_a_usage_error(tmp_path: Path, seeds_dir: Path) -> None:
    seen: dict[str, str] = {}
    for number in range(100_000):
        second = f"copy-{number}.txt"
        prefix = article_id(second)[:4]
        if prefix in seen:
            break
        seen[prefix] = second
    archive = tmp_path / "archive"
    archive.mkdir()
    for name in (seen[prefix], second):
        shutil.copy(seeds_dir / "000_9d4cac1fec7e3850.txt", archive / name)
    for command in ("show", "related"):
        result = run(seeds_dir, command, prefix, archive=archive)
        assert result.exit_code == 2
        assert result.stderr.startswith(f"newsarc: error: '{prefix}' matches 2 articles")
        assert result.stderr.count("\n") == 1
    assert run(seeds_dir, "show", "ffffffff").exit_code == 1


def test_a_query_is_read_before_the_archive(tmp_path: Path, seeds_dir: Path) -> None:
    for command in (["list"], ["search"], ["stats"], ["dupes"], ["export", "--format", "jsonl"]):
        result = run(seeds_dir, *command, "provder:x", archive=tmp_path / "missing")
        assert result.exit_code == 2
        assert "did you mean `provider:`?" in result.stderr, command


def newsarc(*args: str | bytes, **options: object) -> subprocess.CompletedProcess[bytes]:
    """newsarc as a process, so the arguments can be any bytes, as a shell passes them."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE} | options
    return subprocess.run([sys.executable, "-m", "newsarc", *args], check=False, **streams)  # type: ignore[call-overload]


def one_line(process: subprocess.CompletedProcess[bytes]) -> str:
    text = process.stderr.decode("utf-8", "replace")
    assert text.count("\n") == 1 and "Traceback" not in text and "internal error" not in text, text
    return text


@pytest.mark.parametrize(
    "args",
    [[b"show", b"\xff"], [b"list", b"--topic", b"caf\xe9"], [b"list", b"id:\xff"], [b"search", b"\xfe\xff"]],
)
def test_invalid_utf8_arguments_are_usage_errors(seeds_dir: Path, args: list[bytes]) -> None:
    process = newsarc("--archive", str(seeds_dir), "--no-cache", *args)
    assert process.returncode == 2
    assert "is not valid UTF-8" in one_line(process)


def test_a_file_name_option_may_hold_any_bytes(tmp_path: Path, seeds_dir: Path) -> None:
    folder = os.fsencode(tmp_path) + b"/caf\xe9"
    os.mkdir(folder)
    shutil.copy(seeds_dir / "000_9d4cac1fec7e3850.txt", os.fsdecode(folder))
    process = newsarc(b"--archive", folder, b"--no-cache", b"list")
    assert (process.returncode, process.stderr) == (0, b"")
    assert len(process.stdout.splitlines()) == 1


def test_a_long_show_argument_is_no_match(seeds_dir: Path) -> None:
    process = newsarc("--archive", str(seeds_dir), "--no-cache", "show", "a" * 300)
    assert process.returncode == 1
    assert one_line(process).startswith("newsarc: no article matches 'aaaa")


def test_a_nul_in_a_query_is_a_usage_error(seeds_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["list", "a\x00b"], ["list", "--provider", "a\x00b"], ["show", "7e1e\x00"]):
        assert main(["--archive", str(seeds_dir), "--no-cache", *args]) == 2
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and "holds a NUL character" in error


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("command", [["list"], ["list", "--format", "csv"], ["show", "7e1e"], ["stats"]])
def test_a_full_disk_on_stdout_is_one_line(seeds_dir: Path, command: list[str]) -> None:
    with open("/dev/full", "w") as full:
        process = newsarc("--archive", str(seeds_dir), "--no-cache", *command, stdout=full)
    assert process.returncode == 2
    assert one_line(process) == "newsarc: error: cannot write the output: No space left on device\n"


# --- the pager --------------------------------------------------------------------------------


def paged_less_variable(seeds_dir: Path, tmp_path: Path, less: str | None, rows: int = 5,
                        arguments: tuple[str, ...] = ("stats", "--by", "topic")) -> str | None:
    """Run `stats --by topic` on a terminal of `rows` rows; the pager records the LESS it
    was given (None: no pager ran)."""
    import fcntl
    import pty
    import struct
    import termios

    record = tmp_path / "less.txt"
    pager = tmp_path / "pager.py"
    pager.write_text(f"import os, sys\nopen({str(record)!r}, 'w').write(os.environ.get('LESS', '<unset>'))\n"
                     "sys.stdin.read()\n", encoding="utf-8")
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("LESS", "MANPAGER", "LV")}
    environment |= {"PAGER": f"{sys.executable} {pager}", "TERM": "xterm"}
    if less is not None:
        environment["LESS"] = less
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, 100 if rows else 0, 0, 0))
    command = [sys.executable, "-m", "newsarc", "--archive", str(seeds_dir), "--no-cache", *arguments]
    process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, env=environment)
    os.close(slave)
    try:
        while os.read(master, 4096):
            pass
    except OSError:  # the terminal closed with the process
        pass
    finally:
        os.close(master)
    assert process.wait(timeout=120) == 0
    return record.read_text(encoding="utf-8") if record.exists() else None


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_the_pager_gets_less_frx_unless_the_user_set_less(seeds_dir: Path, tmp_path: Path) -> None:
    assert paged_less_variable(seeds_dir, tmp_path, None) == "FRX"
    assert paged_less_variable(seeds_dir, tmp_path, "-S") == "-S"


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_terminal_that_reports_no_size_is_not_paged(seeds_dir: Path, tmp_path: Path) -> None:
    # `script` and some CI terminals report 0x0: less -F could not tell a short answer fits.
    # `show` of an article with its related items runs far past the 25 rows assumed then.
    assert paged_less_variable(seeds_dir, tmp_path, None, rows=0, arguments=("show", "da4b")) is None
    assert paged_less_variable(seeds_dir, tmp_path, None, rows=5, arguments=("show", "da4b")) == "FRX"


# --- completion -------------------------------------------------------------------------------


def test_completion_uses_the_given_index_as_it_is(tmp_path: Path, seeds_dir: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from click.shell_completion import ShellComplete

    archive = tmp_path / "archive"
    shutil.copytree(seeds_dir, archive)
    index = tmp_path / "mine.sqlite"
    built = CliRunner().invoke(cli, ["--archive", str(archive), "--index", str(index), "index"], obj=PIPE)
    assert built.exit_code == 0
    (archive / "new.md").write_text("---\ntitle: New\nprovider: {name: Sample, domain: sample.org}\n---\n",
                                    encoding="utf-8")

    def complete(*words: str) -> list[str]:
        completer = ShellComplete(cli, {}, "newsarc", "_NEWSARC_COMPLETE")
        return [item.value for item in completer.get_completions(list(words[:-1]), words[-1])]

    offered = complete("--archive", str(archive), "--index", str(index), "list", "provider:s")
    assert offered == ["provider:scmp.com"]  # the index as it was: no refresh on a Tab
    assert not (tmp_path / "cache").exists()  # and no other index was built

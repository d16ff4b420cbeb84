"""`export --format paths` names each file exactly: `| xargs rm` hits the file listed, no other.

Piped, a name is its bytes as the file system holds them (spaces, a leading space,
tabs, ESC, bytes that are not UTF-8); `-0` ends each with NUL and names each file
once. On a terminal, names are quoted as a POSIX shell reads them back, and the
shell really does read them back to the same bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarc.cli import cli
from newsarc.exporters.paths import shell_quote

# file name (bytes) -> what a terminal shows
NAMES: dict[bytes, str] = {
    b"a  b.md": "'a  b.md'",
    b"a b.md": "'a b.md'",
    b" leading.md": "' leading.md'",
    b"tab\there.md": "$'tab\\there.md'",
    b"esc\x1b[31m.md": "$'esc\\e[31m.md'",
    b"it's.md": "'it'\\''s.md'",
    b"bidi\xe2\x80\xaegpj.md": "$'bidi\\xe2\\x80\\xaegpj.md'",
    b"caf\xc3\xa9.md": "'caf\xe9.md'",  # valid UTF-8: shown as the letter
    b"caf\xe9.md": "$'caf\\xe9.md'",  # Latin-1 bytes, not UTF-8: shown as the byte
    b"plain-name_1.md": "plain-name_1.md",
    b"sub dir/inner.md": "'sub dir/inner.md'",
}
NEWLINE_NAME = b"new\nline.md"
# What a name mangled by the old output would hit instead: `a  b.md` -> `a b.md`, `caf\xe9.md` -> `café.md`.
KEPT = {b"a b.md", b"caf\xc3\xa9.md"}


def _article(title: str) -> bytes:
    return f"---\ntitle: {json.dumps(title)}\npublishedDateTime: 2021-11-05T10:00:00Z\n---\nBody.\n".encode()


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    (root / "sub dir").mkdir(parents=True)
    for number, name in enumerate([*NAMES, NEWLINE_NAME]):
        with open(os.path.join(os.fsencode(root), name), "wb") as handle:
            handle.write(_article(f"{'Keep' if name in KEPT else 'Remove'} {number}"))
    page = [{"title": "Record one", "webUrl": "https://x.example/1"}, {"title": "Record two"}]
    (root / "page.json").write_text(json.dumps(page))
    return root


def _export(archive: Path, *args: str, tty: bool) -> bytes:
    result = CliRunner().invoke(
        cli,
        ["--archive", str(archive), "--no-cache", "export", "--format", "paths", *args],
        obj={"stdout_tty": tty, "stderr_tty": False},
    )
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_piped_names_are_the_exact_bytes_of_each_file(archive: Path) -> None:
    lines = _export(archive, tty=False).split(b"\n")
    for name in NAMES:
        assert name in lines, name
        assert (archive / os.fsdecode(name)).is_file()  # the name printed is a real file
    assert b"page.json#1" in lines and b"page.json#2" in lines
    assert NEWLINE_NAME in _export(archive, tty=False)


def test_null_separated_names_each_file_once_exactly(archive: Path) -> None:
    names = _export(archive, "-0", tty=False).split(b"\0")
    assert names[-1] == b""
    assert sorted(names[:-1]) == sorted([*NAMES, NEWLINE_NAME, b"page.json"])
    assert _export(archive, "--null", tty=False) == b"\0".join(names)


def test_xargs_0_removes_exactly_the_files_listed(archive: Path) -> None:
    if shutil.which("xargs") is None:
        pytest.skip("no xargs")
    listed = _export(archive, "-0", "title:remove", tty=False)
    subprocess.run(["xargs", "-0", "rm", "--"], input=listed, cwd=archive, check=True, timeout=60)
    assert sorted(os.listdir(os.fsencode(archive))) == sorted([*KEPT, b"page.json", b"sub dir"])
    assert os.listdir(archive / "sub dir") == []


def test_a_terminal_shows_each_name_quoted_for_the_shell(archive: Path) -> None:
    shown = _export(archive, tty=True).decode("utf-8").splitlines()
    for name, quoted in NAMES.items():
        assert quoted in shown, (name, shown)
    assert "$'new\\nline.md'" in shown
    assert "page.json#1" in shown
    assert not any(ord(character) < 0x20 or 0x7F <= ord(character) < 0xA0 for character in "".join(shown))


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_the_shell_reads_each_quoted_name_back_to_its_bytes() -> None:
    names = [
        *NAMES,
        NEWLINE_NAME,
        b"",
        b"~home",
        b"#hash",
        b"$(touch x)",
        b"a\\b",
        b"\xff\xfe",
        b"\xf0\x9f\x98\x80",
        b"\xc2\x85nel",
        "\u3000wide space".encode(),
    ]
    script = "printf '%s\\0' " + " ".join(shell_quote(name) for name in names)
    for locale in ("C", "C.UTF-8"):  # whatever the reader's locale
        environment = os.environ | {"LC_ALL": locale}
        printed = subprocess.run(
            ["bash", "-c", script], capture_output=True, check=True, timeout=60, env=environment
        ).stdout
        assert printed.split(b"\0")[:-1] == names, locale


def test_null_applies_to_paths_only(archive: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["--archive", str(archive), "--no-cache", "export", "--format", "csv", "-0"],
        obj={"stdout_tty": False},
    )
    assert result.exit_code == 2
    assert "applies to paths" in result.output

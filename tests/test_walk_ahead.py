"""A full refresh whose walk runs ahead of the question (issue 14): while a child
process walks the archive, the command answers from the index as it is, and keeps the
answer only when the walk finds the index current. Every change made before the
command starts must still be in what it prints: pages, streams, counts, a lookup that
fails, a spelling rescue; and nothing is told twice or left running.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsarc.archive import Archive
from newsarc.cli import cli
from newsarc.index.sqlite import refresh, walkahead
from newsarc.parsing import walk

NOW = datetime(2021, 12, 20, 12, 0, tzinfo=timezone.utc)
PIPE = {"stdout_tty": False, "stderr_tty": False, "now": NOW, "local_zone": timezone.utc}
TERMINAL = {**PIPE, "stdout_tty": True, "width": 120}

pytestmark = pytest.mark.usefixtures("isolated_environment")


def _write(root: Path, name: str, title: str, body: str = "Body text.", day: int = 1) -> Path:
    path = root / f"{name}.md"
    path.write_text(f"---\ntitle: {title}\nprovider: {{name: Example News, domain: example.org}}\n"
                    f"publishedDateTime: 2021-11-{day:02d}T10:00:00Z\n---\n{body}\n", encoding="utf-8")
    return path


@pytest.fixture()
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "archive"
    root.mkdir()
    for number in range(6):
        _write(root, f"story-{number}", f"Harbour story {number}", "The harbour reopened.", number + 1)
    for number in range(5):
        _write(root, f"fish-{number}", f"Fish report {number}", "A zebrafish was studied.", number + 10)
    monkeypatch.setattr(walkahead, "AHEAD_FILES", 0)  # a walk ahead even for a few files
    monkeypatch.setattr(walk, "LISTING_MARGIN_NS", 0)  # listings made just now may vouch
    return root


@pytest.fixture()
def refreshes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The refreshes this process ran itself (a walk that ran ahead and held runs none)."""
    calls: list[str] = []
    real = refresh.Refresh.refresh

    def counting(self: refresh.Refresh, **options: object) -> object:
        calls.append(str(options.get("mode")))
        return real(self, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(refresh.Refresh, "refresh", counting)
    return calls


def run(archive: Path, *args: str, terminal: bool = False) -> Result:
    arguments = ["--archive", str(archive), "--index", str(archive.parent / "index.sqlite"),
                 "--color", "never", *args]
    return CliRunner().invoke(cli, arguments, obj=TERMINAL if terminal else PIPE)


def _built(archive: Path) -> None:
    assert run(archive, "index").exit_code == 0
    assert run(archive, "index").exit_code == 0  # the second walk stores a fingerprint that vouches


def _titles(result: Result) -> list[str]:
    return sorted(json.loads(line)["title"] for line in result.stdout.splitlines())


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_unchanged_archive_is_answered_while_the_walk_runs(archive: Path, refreshes: list[str]) -> None:
    _built(archive)
    refreshes.clear()
    searched = run(archive, "search", "harbour", "--json")
    as_it_is = run(archive, "--fresh", "none", "search", "harbour", "--json")
    assert searched.exit_code == 0, searched.output
    assert searched.stdout == as_it_is.stdout
    assert len(searched.stdout.splitlines()) == 6
    assert refreshes == []  # the walk ahead held: no refresh in this process


@pytest.mark.parametrize("command", [
    ("search", "harbour", "--json"), ("search", "harbour", "--format", "paths"), ("list", "--json"),
    ("export", "--format", "jsonl"), ("stats", "--json"), ("search", "harbour"),
])
def test_an_edit_made_before_the_command_is_in_its_answer(archive: Path, refreshes: list[str],
                                                          command: tuple[str, ...]) -> None:
    _built(archive)
    before = run(archive, *command, terminal=command == ("search", "harbour"))
    _edit(archive / "story-2.md", "Harbour story 2", "Airport story 2")
    (archive / "story-3.md").unlink()
    _write(archive, "story-9", "Harbour story 9", "The harbour reopened.", 28)
    _write(archive, "story-10", "Harbour story 10", "The harbour reopened.", 29)
    refreshes.clear()
    after = run(archive, *command, terminal=command == ("search", "harbour"))
    assert after.exit_code == 0, after.output
    fresh = run(archive, "--fresh", "none", *command, terminal=command == ("search", "harbour"))
    assert after.stdout == fresh.stdout != before.stdout
    assert refreshes == ["full"]  # the walk ahead found the change; the command refreshed, then answered
    assert "Harbour story 3" not in after.stdout and "story-3" not in after.stdout


def test_an_article_added_or_removed_before_show_is_found_or_not(archive: Path) -> None:
    _built(archive)
    gone_id = json.loads(run(archive, "search", "Harbour story 4", "--json").stdout.splitlines()[0])["id"]
    (archive / "story-4.md").unlink()
    shown = run(archive, "show", gone_id, "--json")
    assert shown.exit_code != 0
    assert "no article matches" in shown.stderr
    _write(archive, "story-new", "Lighthouse story", "A lighthouse.", 27)
    with Archive.open(archive, index=archive.parent / "index.sqlite", fresh="none") as opened:
        assert not [article for article in opened.iter_articles(_query("lighthouse"))]
    new_id = _new_id(archive)
    shown = run(archive, "show", new_id, "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["title"] == "Lighthouse story"


def _query(text: str):  # type: ignore[no-untyped-def]
    from newsarc.query import parse_query

    return parse_query(text, NOW)


def _new_id(archive: Path) -> str:
    """The id the new article gets, from an index of its own (ids depend on the file only)."""
    other = archive.parent / "other.sqlite"
    with Archive.open(archive, index=other) as opened:
        return next(article.id for article in opened.iter_articles(_query("lighthouse")))


def test_a_word_the_change_took_away_is_rescued_with_its_notice(archive: Path) -> None:
    _built(archive)
    for number in range(5):
        _edit(archive / f"fish-{number}.md", "zebrafish", "zebrafsh")
    searched = run(archive, "search", "zebrafish", "--json")
    assert searched.exit_code == 0, searched.output
    assert 'no match for "zebrafish"; showing results for "zebrafsh"' in searched.stderr
    assert _titles(searched) == [f"Fish report {number}" for number in range(5)]


def test_the_refresh_is_told_once_when_the_walk_found_changes(archive: Path) -> None:
    _built(archive)
    (archive / "broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    searched = run(archive, "search", "harbour", "--json")
    assert searched.exit_code == 0, searched.output
    assert searched.stderr.count("problem(s) in the archive") == 1
    strict = run(archive, "--strict", "search", "harbour", "--json")
    assert strict.exit_code != 0
    assert "problem(s) in the archive (--strict)" in strict.stderr


def test_no_child_is_left_when_the_command_asks_nothing(archive: Path) -> None:
    _built(archive)
    opened = Archive.open(archive, index=archive.parent / "index.sqlite", deferred=True)
    ahead = opened.index._walk_ahead  # type: ignore[attr-defined]
    assert ahead is not None
    pid = ahead.child.pid
    opened.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # killed and reaped


def test_without_a_child_the_refresh_walks_here(archive: Path, refreshes: list[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _built(archive)
    _edit(archive / "story-1.md", "Harbour story 1", "Airport story 1")

    def refused() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refused)
    refreshes.clear()
    searched = run(archive, "search", "airport", "--json")
    assert searched.exit_code == 0, searched.output
    assert _titles(searched) == ["Airport story 1"]
    assert refreshes == ["full"]

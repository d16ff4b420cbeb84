"""The walk trusts a folder's remembered listing only while the folder is unchanged,
and still sees every in-place edit (every file is stat'ed each time)."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsarc.parsing import walk
from newsarc.parsing.walk import Listing, scan_archive


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    (root / "2021").mkdir(parents=True)
    for name in ("a.md", "b.txt", "2021/c.md", "README.md", "picture.png"):
        (root / name).write_text(f"---\ntitle: {name}\n---\n", encoding="utf-8")
    return root


@pytest.fixture()
def listed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts folder listings; trusts listings at once (no two-second margin)."""
    calls = [0]
    real_scandir = os.scandir

    def counting_scandir(path: int) -> os._ScandirIterator[str]:  # type: ignore[name-defined]
        calls[0] += 1
        return real_scandir(path)

    monkeypatch.setattr(walk.os, "scandir", counting_scandir)
    monkeypatch.setattr(walk, "LISTING_MARGIN_NS", 0)
    return calls


def _scan(root: Path, known: dict[str, Listing]) -> tuple[dict[str, tuple[int, ...]], dict[str, Listing]]:
    listings: dict[str, Listing] = {}
    return scan_archive(root, [], listings=listings, known_listings=known), listings


def test_unchanged_folders_are_not_listed_again(archive: Path, listed: list[int]) -> None:
    first, listings = _scan(archive, {})
    # README.md is reported too, to be counted as skipped; the picture is not even walked
    assert sorted(first) == ["2021/c.md", "README.md", "a.md", "b.txt"] and listed[0] == 2
    again, _ = _scan(archive, listings)
    assert again == first and listed[0] == 2


def test_a_changed_folder_is_listed_again(archive: Path, listed: list[int]) -> None:
    _, listings = _scan(archive, {})
    (archive / "2021" / "new.md").write_text("---\ntitle: new\n---\n", encoding="utf-8")
    os.rename(archive / "a.md", archive / "renamed.md")
    (archive / "b.txt").unlink()
    found, _ = _scan(archive, listings)
    assert sorted(found) == ["2021/c.md", "2021/new.md", "README.md", "renamed.md"]
    assert listed[0] == 4  # both folders again


def test_an_edit_in_place_is_seen_in_a_trusted_folder(archive: Path, listed: list[int]) -> None:
    first, listings = _scan(archive, {})
    target = archive / "2021" / "c.md"
    before = target.stat()
    target.write_text("---\ntitle: c.mX\n---\n", encoding="utf-8")  # same size
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime set back, as touch -r does
    found, _ = _scan(archive, listings)
    assert listed[0] == 2  # no folder listed again ...
    assert found["2021/c.md"] != first["2021/c.md"]  # ... and the edit is seen (its change time)


def test_a_folder_changed_just_before_its_listing_is_not_remembered(archive: Path) -> None:
    # With the real margin, a folder changed in the last two seconds could still gain a
    # name in the same clock tick as its listing: that listing is never trusted.
    listings: dict[str, Listing] = {}
    scan_archive(archive, [], listings=listings)
    assert listings == {}


def test_a_link_that_comes_to_point_at_a_folder_is_followed(archive: Path, listed: list[int]) -> None:
    (archive / "later").symlink_to(archive.parent / "elsewhere")
    _, listings = _scan(archive, {})
    (archive.parent / "elsewhere").mkdir()
    (archive.parent / "elsewhere" / "d.md").write_text("---\ntitle: d\n---\n", encoding="utf-8")
    found, _ = _scan(archive, listings)
    assert "later/d.md" in found


def test_every_command_sees_changes_when_listings_are_trusted(archive: Path, tmp_path: Path,
                                                              listed: list[int]) -> None:
    from newsarc.archive import Archive
    from newsarc.query import parse_query

    everything = parse_query("", datetime(2024, 1, 1, tzinfo=timezone.utc))

    def titles() -> list[str]:
        with Archive.open(archive, index=tmp_path / "index.sqlite") as opened:
            return sorted(article.title for article in opened.iter_articles(everything))

    assert titles() == ["2021/c.md", "a.md", "b.txt"]
    assert titles() == ["2021/c.md", "a.md", "b.txt"] and listed[0] == 2  # the second walk listed nothing
    (archive / "a.md").write_text("---\ntitle: edited\n---\n", encoding="utf-8")
    (archive / "2021" / "new.md").write_text("---\ntitle: added\n---\n", encoding="utf-8")
    assert titles() == ["2021/c.md", "added", "b.txt", "edited"]


def test_listings_kept_under_other_classification_rules_are_ignored(archive: Path, tmp_path: Path,
                                                                   listed: list[int],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from newsarc.archive import Archive

    index = tmp_path / "index.sqlite"
    Archive.open(archive, index=index).close()
    Archive.open(archive, index=index).close()
    assert listed[0] == 2  # the second walk trusted the first one's listings
    monkeypatch.setattr(walk, "CLASSIFICATION_VERSION", walk.CLASSIFICATION_VERSION + 1)
    Archive.open(archive, index=index).close()
    assert listed[0] == 4  # new rules: every folder listed again

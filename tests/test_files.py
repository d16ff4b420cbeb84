"""Finding article files in an archive folder, and the ids articles get from where they are."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from newsarc.archive import load_archive
from newsarc.errors import ArchiveError
from newsarc.model import Problem
from newsarc.parsing import is_article_name, walk_archive

ARTICLE = '---\ntitle: "{title}"\npublishedDateTime: 2021-12-13T03:22:00Z\n---\n'
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def write(root: Path, relative: str, content: str | bytes | None = None) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if content is None:
        content = ARTICLE.format(title=relative)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def walked(root: Path) -> list[str]:
    problems: list[Problem] = []
    paths = [found.path for found in walk_archive(root, problems)]
    assert problems == []
    return paths


def test_articles_in_nested_folders_are_found_and_the_rest_skipped(tmp_path: Path) -> None:
    for relative in (
        "top.md",
        "2021/12/deep.md",
        "2021/12/13/deeper.txt",
        "pages/page.json",
        "pages/lines.jsonl",
        "no-extension",
        "Notes.MD",
    ):
        write(tmp_path, relative)
    for relative in (
        ".hidden/secret.md",  # hidden folder
        ".git/HEAD",
        ".git/objects/ab/cdef",
        "sub/.git/config",
        "node_modules/pkg/readme.md",
        "__pycache__/x.md",
        ".DS_Store",  # hidden file
    ):
        write(tmp_path, relative)
    # Text files that are not articles: walked, so that the index counts them as skipped
    # (and sees them change), but never read as articles.
    not_articles = (
        "draft.md~",  # editor backup
        "README.md",
        "README",
        "LICENSE",
        "license.txt",
        "CONTRIBUTING.md",
        "CODE_OF_CONDUCT.md",
        "sub/CHANGELOG.md",
    )
    for relative in not_articles:
        write(tmp_path, relative)
    for relative in (
        "assets/logo.png",
        "img/photo.JPG",
        "img/anim.gif",
        "img/icon.svg",
        "paper.pdf",
    ):
        write(tmp_path, relative, PNG)
    write(tmp_path, "site.css", PNG)  # a name that is read only when it opens with front matter
    articles = [
        "2021/12/13/deeper.txt",
        "2021/12/deep.md",
        "Notes.MD",
        "no-extension",
        "pages/lines.jsonl",
        "pages/page.json",
        "top.md",
    ]
    assert walked(tmp_path) == sorted([*articles, *not_articles, "site.css"])
    loaded = load_archive(tmp_path)
    assert sorted(article.path for article in loaded.articles) == articles
    assert loaded.problems == []


def test_found_files_carry_their_size_and_a_readable_location(tmp_path: Path) -> None:
    path = write(tmp_path, "a/b.md", "---\ntitle: x\n---\n")
    (found,) = walk_archive(tmp_path)
    assert found.path == "a/b.md"
    assert found.size == 17
    assert Path(found.file_path).resolve() == path.resolve()
    assert found.mtime_ns == path.stat().st_mtime_ns


@pytest.mark.parametrize(
    ("name", "is_article"),
    [
        ("2021-12-13-story.md", True),
        ("story.txt", True),
        ("page.json", True),
        ("story", True),
        ("readme.md", False),
        ("Readme.txt", False),
        ("LICENCE", False),
        ("cover.jpeg", False),
        ("clip.mp4", False),
        ("config.yml", False),
        (".hidden.md", False),
        ("story.md~", False),
    ],
)
def test_article_names(name: str, is_article: bool) -> None:
    assert is_article_name(name) is is_article


def test_a_folder_link_loop_ends_and_lists_each_file_once(tmp_path: Path) -> None:
    write(tmp_path, "a/one.md")
    write(tmp_path, "a/b/two.md")
    os.symlink(tmp_path / "a", tmp_path / "a" / "b" / "loop")
    os.symlink(tmp_path, tmp_path / "a" / "root")
    os.symlink(".", tmp_path / "here")
    assert walked(tmp_path) == ["a/b/two.md", "a/one.md"]


def test_links_to_folders_outside_and_to_files_are_followed(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    outside = tmp_path / "outside"
    write(archive, "inside.md")
    write(outside, "shared/elsewhere.md")
    os.symlink(outside / "shared", archive / "linked")
    os.symlink(outside / "shared" / "elsewhere.md", archive / "file-link.md")
    os.symlink(tmp_path / "missing.md", archive / "dangling.md")  # nothing to read: skipped
    assert walked(archive) == ["file-link.md", "inside.md", "linked/elsewhere.md"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a user whom permissions can stop")
def test_an_unreadable_folder_is_reported_and_skipped(tmp_path: Path) -> None:
    write(tmp_path, "ok.md")
    locked = tmp_path / "locked"
    write(tmp_path, "locked/hidden-from-us.md")
    locked.chmod(0)
    try:
        problems: list[Problem] = []
        paths = [found.path for found in walk_archive(tmp_path, problems)]
    finally:
        locked.chmod(0o755)
    assert paths == ["ok.md"]
    assert [(problem.path, problem.message) for problem in problems] == [
        ("locked", "cannot read folder: Permission denied")
    ]


def test_ids_are_stable_across_loads_and_distinct_across_files(tmp_path: Path, seeds_dir: Path) -> None:
    shutil.copytree(seeds_dir, tmp_path / "seeds")
    write(tmp_path, "nested/folder/story.md")
    write(tmp_path, "lines.jsonl", '{"title": "one"}\n{"title": "two"}\n{"title": "three"}\n')
    write(tmp_path, "page.json", '{"value": [{"title": "a"}, {"title": "b"}]}')

    first = load_archive(tmp_path)
    second = load_archive(tmp_path)
    assert first.problems == [] == second.problems
    assert len(first.articles) == 5 + 1 + 3 + 2
    assert [(article.path, article.index, article.id) for article in first.articles] == [
        (article.path, article.index, article.id) for article in second.articles
    ]
    ids = [article.id for article in first.articles]
    assert len(set(ids)) == len(ids)
    assert all(len(article_id) == 16 for article_id in ids)


def test_ids_follow_the_path_inside_the_archive_not_where_the_archive_is(
    tmp_path: Path, seeds_dir: Path
) -> None:
    shutil.copytree(seeds_dir, tmp_path / "here" / "seeds")
    shutil.copytree(seeds_dir, tmp_path / "moved" / "elsewhere" / "seeds")
    here = {article.path: article.id for article in load_archive(tmp_path / "here").articles}
    moved = {article.path: article.id for article in load_archive(tmp_path / "moved" / "elsewhere").articles}
    assert here == moved
    assert len(here) == 5


def test_renaming_a_file_changes_only_its_id(tmp_path: Path) -> None:
    write(tmp_path, "a.md")
    write(tmp_path, "b.md")
    before = {article.path: article.id for article in load_archive(tmp_path).articles}
    (tmp_path / "b.md").rename(tmp_path / "c.md")
    after = {article.path: article.id for article in load_archive(tmp_path).articles}
    assert after["a.md"] == before["a.md"]
    assert after["c.md"] not in before.values()


def test_loading_a_missing_folder_is_an_archive_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="no archive folder"):
        load_archive(tmp_path / "nowhere")

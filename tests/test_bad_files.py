"""Hand-made bad files (tests/data/bad): each gives exactly one clear problem, never a crash."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import yaml

from newsarc.archive import load_archive
from newsarc.parsing import parse_bytes, parse_file, yamlload

# file -> (line, message, articles still read from it)
EXPECTED = {
    "binary-png-header.md": (None, "binary file, not an article (it contains NUL bytes)", 0),
    "broken-yaml-unclosed-quote.md": (
        6,
        "invalid YAML: found unexpected end of stream (while scanning a quoted scalar started on line 3)",
        0,
    ),
    "control-character-in-title.md": (
        3,
        "invalid YAML: character #x001b: control characters are not allowed",
        0,
    ),
    "date-epoch-out-of-range.json": (None, "'publishedDateTime' is out of the range of dates: 1e+300", 0),
    "date-day-month-ambiguous.md": (
        5,
        "'publishedDateTime' could be 2021-05-06 or 2021-06-05 (day and month in either order): '5/6/2021'",
        0,
    ),
    "date-impossible.md": (5, "'publishedDateTime' is not a date: '2021-13-45T25:61:00Z'", 0),
    "date-is-words.md": (5, "'publishedDateTime' is not a date: 'sometime soon'", 0),
    "date-time-without-date.md": (5, "'publishedDateTime' has a time but no date: '10:00'", 0),
    "date-unknown-zone.md": (
        5,
        "'publishedDateTime' has the time zone 'IST', which has no one offset newsarc knows: "
        "'Tue, 14 Dec 2021 08:00:00 IST'",
        0,
    ),
    "deeply-nested-lists.md": (5, "'notes' is nested more than 32 levels deep", 0),
    "empty.md": (None, "empty file", 0),
    "front-matter-is-a-list.md": (2, "an article must be a mapping of keys, got a list", 0),
    "front-matter-is-a-string.md": (
        2,
        "an article must be a mapping of keys, got the text 'Just a sentence between the delimiters, '",
        0,
    ),
    "front-matter-not-closed.md": (1, "front matter opened with '---' is never closed by a '---' line", 0),
    "invalid-json.json": (4, "invalid JSON: Expecting property name enclosed in double quotes (column 1)", 0),
    "json-lines-first-line-bad.jsonl": (1, "invalid JSON: Expecting ',' delimiter (column 42)", 2),
    "json-lines-one-bad-line.jsonl": (3, "invalid JSON: Expecting value (column 59)", 3),
    "json-page-one-bad-record.json": (
        None,
        "record 2: 'quality' should be a whole number, got the text 'high'",
        2,
    ),
    "python-name.md": (4, "invalid YAML: the tag !!python/name:os.system is not allowed in an article", 0),
    "python-object-apply-os-system.md": (
        3,
        "invalid YAML: the tag !!python/object/apply:os.system is not allowed in an article",
        0,
    ),
    "quality-is-text.md": (7, "'quality' should be a whole number, got the text 'high'", 0),
    "quality-too-large.md": (5, "'quality' is too large a number: 123456789012345678901234", 0),
    # The line of `related:`, not the article's own `quality:` on line 6.
    "related-item-quality-is-text.md": (
        8,
        "related item 1: 'quality' should be a whole number, got the text 'excellent'",
        0,
    ),
    "title-is-a-list.md": (3, "'title' should be text, got a list", 0),
    "whitespace-only.md": (None, "empty file", 0),
    "yaml-bomb-billion-laughs.md": (5, "YAML aliases (*name) are not allowed in an article", 0),
    "yaml-set-tag.md": (5, "invalid YAML: the tag !!set is not allowed in an article", 0),
}


@pytest.fixture()
def without_libyaml(monkeypatch: pytest.MonkeyPatch):
    """Parse with PyYAML's pure-Python loader, as on a machine without libyaml."""
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    yamlload._article_loader.cache_clear()
    yield
    monkeypatch.undo()
    yamlload._article_loader.cache_clear()


def test_every_bad_file_is_listed(bad_dir: Path) -> None:
    assert sorted(path.name for path in bad_dir.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_gives_exactly_one_clear_problem(bad_dir: Path, name: str) -> None:
    line, message, articles = EXPECTED[name]
    result = parse_file(bad_dir / name, name)
    assert [(problem.path, problem.line, problem.message) for problem in result.problems] == [
        (name, line, message)
    ]
    assert len(result.articles) == articles
    where = name if line is None else f"{name}:{line}"
    assert str(result.problems[0]) == f"{where}: {message}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_gives_one_problem_without_libyaml(bad_dir: Path, name: str, without_libyaml: None) -> None:
    line, message, articles = EXPECTED[name]
    result = parse_file(bad_dir / name, name)
    assert len(result.problems) == 1
    assert len(result.articles) == articles
    assert result.problems[0].line == line
    if name == "deeply-nested-lists.md":  # newsarc measures nesting itself: no loader's wording
        assert result.problems[0].message == message


@pytest.mark.parametrize(("shape", "depth"), [
    (shape, depth) for shape in ("flow", "block", "dashes") for depth in (33, 40, 999, 1001, 5000)
    if (shape, depth) != ("block", 5000)  # 5,000 indented levels are over the 20 MB file limit
])  # fmt: skip
def test_deep_nesting_is_reported_the_same_at_any_depth(tmp_path: Path, depth: int, shape: str) -> None:
    """Below, at and above libyaml's own limit (1,000 since PyYAML 6.0.4), one message."""
    if shape == "flow":
        notes = "notes: " + "[" * depth + "]" * depth + "\n"
    elif shape == "block":
        notes = "notes:\n" + "".join("  " * level + f"k{level}:\n" for level in range(1, depth + 1))
    else:
        notes = "notes:\n" + "- " * depth + "x\n"
    path = tmp_path / "deep.md"
    path.write_text(f"---\ntitle: Deep\n{notes}---\n", encoding="utf-8")
    problems = parse_file(path, "deep.md").problems
    assert [(problem.line, problem.message) for problem in problems] == [
        (3, "'notes' is nested more than 32 levels deep")
    ]


@pytest.mark.parametrize("text", [
    "title: 'a [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ title'\n",
    "title: plain [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ text\n",
    "title: x\nbody: |\n  [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n",
    "title: \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"  # [[[[\n",
])  # fmt: skip
def test_brackets_inside_text_are_not_nesting(tmp_path: Path, text: str) -> None:
    path = tmp_path / "brackets.md"
    path.write_text(f"---\n{text}---\n", encoding="utf-8")
    result = parse_file(path, "brackets.md")
    assert result.problems == []
    assert len(result.articles) == 1


def test_good_records_beside_a_bad_one_still_load(bad_dir: Path) -> None:
    page = parse_file(bad_dir / "json-page-one-bad-record.json", "page.json")
    assert [(article.title, article.index) for article in page.articles] == [
        ("The first good story", 0),
        ("The second good story", 2),
    ]
    lines = parse_file(bad_dir / "json-lines-one-bad-line.jsonl", "lines.jsonl")
    assert [article.title for article in lines.articles] == ["Line one", "Line two", "Line four"]
    first_bad = parse_file(bad_dir / "json-lines-first-line-bad.jsonl", "first.jsonl")
    assert [article.title for article in first_bad.articles] == ["Line two", "Line three"]


def test_python_tag_is_refused_never_executed(
    bad_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the committed file's command would `touch` a file here
    marker = tmp_path / "newsarc-yaml-marker"
    result = parse_file(bad_dir / "python-object-apply-os-system.md", "apply.md")
    assert result.articles == []
    assert "is not allowed" in result.problems[0].message
    assert not marker.exists()

    # The same payload with an absolute path: refused too, while an unsafe loader would run it.
    absolute = tmp_path / "absolute-marker"
    front_matter = f'title: !!python/object/apply:os.system ["touch {absolute}"]\n'
    result = parse_bytes(f"---\n{front_matter}---\n".encode(), "absolute.md")
    assert len(result.problems) == 1 and result.articles == []
    assert not absolute.exists()
    yaml.unsafe_load(front_matter)  # the control: proves the payload is live
    assert absolute.exists()


def test_billion_laughs_is_refused_quickly(bad_dir: Path) -> None:
    started = time.perf_counter()
    result = parse_file(bad_dir / "yaml-bomb-billion-laughs.md", "bomb.md")
    # A sanity bound only: expanding the aliases would take minutes and gigabytes.
    assert time.perf_counter() - started < 5
    assert len(result.problems) == 1 and result.articles == []


def test_a_shared_scalar_alias_is_harmless(bad_dir: Path) -> None:
    """Aliases are refused only where they share lists or mappings (which is what can explode)."""
    text = b'---\ntitle: &t "The same text twice"\nexcerpt: *t\n---\n'
    result = parse_bytes(text, "alias.md")
    assert result.problems == []
    assert result.articles[0].excerpt == "The same text twice"


def test_a_file_over_the_size_limit_is_reported_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    with big.open("wb") as stream:  # a valid article, made huge by its body
        stream.write(b'---\ntitle: "A huge article"\n---\n')
        chunk = b"All work and no play makes a very long body.\n" * 20000
        while stream.tell() < 50 * 1024 * 1024:
            stream.write(chunk)
        stream.truncate(50 * 1024 * 1024)
    result = parse_file(big, "big.md")
    assert result.articles == []
    assert [str(problem) for problem in result.problems] == [
        "big.md: file is 50.0 MB, over the 20 MB limit for an article file"
    ]
    archive = load_archive(tmp_path)
    assert archive.articles == []
    assert [problem.message for problem in archive.problems] == [result.problems[0].message]


def test_bad_files_beside_good_ones_keep_the_good_articles(
    bad_dir: Path, good_dir: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    shutil.copytree(bad_dir, tmp_path / "bad")
    shutil.copytree(good_dir, tmp_path / "good")
    shutil.copytree(seeds_dir, tmp_path / "seeds")
    result = load_archive(tmp_path)

    assert sorted((problem.path, problem.line) for problem in result.problems) == sorted(
        (f"bad/{name}", line) for name, (line, _message, _articles) in EXPECTED.items()
    )
    paths = [article.path for article in result.articles]
    for seed in seeds_dir.iterdir():
        assert paths.count(f"seeds/{seed.name}") == 1
    assert paths.count("good/json-page-news.json") == 2
    for good in ("extra-keys.md", "front-matter-with-markdown-body.md", "plain-text-note.txt"):
        assert paths.count(f"good/{good}") == 1
    assert paths.count("bad/json-page-one-bad-record.json") == 2
    assert paths.count("bad/json-lines-one-bad-line.jsonl") == 3
    assert paths.count("bad/json-lines-first-line-bad.jsonl") == 2
    assert len(paths) == 5 + 5 + 2 + 3 + 2


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        # A bare date PyYAML cannot build (February 30th) is reported against its key.
        (
            b"---\ntitle: x\npublishedDateTime: 2021-02-30\n---\n",
            3,
            "'publishedDateTime' is not a date: '2021-02-30'",
        ),
        (
            b"---\ntitle: x\nquality: !!int abc\n---\n",
            None,
            "invalid YAML value: invalid literal for int() with base 10: 'abc'",
        ),
        (
            b"---\ntitle: x\npublishedDateTime: 0001-01-01T00:00:00+05:00\n---\n",
            3,
            "'publishedDateTime' is out of the range of dates: 0001-01-01T00:00:00+05:00",
        ),
        (
            b"---\ntitle: x\nrelated: [{quality: 1}]\n---\n",
            3,
            "related item 1: the record has no title, name, excerpt or URL",
        ),
        (
            b"---\ntitle: x\nstuff: !!binary aGVsbG8=\n---\n",
            3,
            "invalid YAML: the tag !!binary is not allowed in an article",
        ),
        (
            b'{"title": "x", "publishedDateTime": 99999999999999999999}',
            None,
            "'publishedDateTime' is out of the range of dates: 99999999999999999999",
        ),
        (
            b'[{"title": "x"}, "just text"]',
            None,
            "record 2: an article must be a mapping of keys, got the text 'just text'",
        ),
        # Dates that could be read only by guessing (the clock's year, a day/month order, a zone).
        (
            b"---\ntitle: x\npublishedDateTime: Dec 14 08:00\n---\n",
            3,
            "'publishedDateTime' has no year: 'Dec 14 08:00'",
        ),
        (
            b"---\ntitle: x\npublishedDateTime: December 2021\n---\n",
            3,
            "'publishedDateTime' has no day: 'December 2021'",
        ),
        (
            b"---\ntitle: x\npublishedDateTime: 14/12/21\n---\n",
            3,
            "'publishedDateTime' has a two-digit year: '14/12/21'",
        ),
        (
            b"---\ntitle: x\nupdatedDateTime: Mon, 14 Dec 2021 08:00 GMT\n---\n",
            3,
            "'updatedDateTime' says Mon but 2021-12-14 is a Tuesday: 'Mon, 14 Dec 2021 08:00 GMT'",
        ),
        (
            b'{"title": "x", "publishedDateTime": "14 Dec 2021 08:00 (HKT)"}',
            None,
            "'publishedDateTime' has the time zone '(HKT)', which has no one offset newsarc knows: "
            "'14 Dec 2021 08:00 (HKT)'",
        ),
        (b"\xef\xbb\xbf", None, "empty file"),
        (" \n\t\n".encode("utf-16"), None, "empty file"),
    ],
)
def test_more_bad_values_give_one_problem(text: bytes, line: int | None, message: str) -> None:
    result = parse_bytes(text, "inline.md")
    assert [(problem.line, problem.message) for problem in result.problems] == [(line, message)]

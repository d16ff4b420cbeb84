"""HTML entities in article text: decoded for people and search, kept for the lossless forms.

The shared corpus carries them as aggregators copied them out of web pages
(`that&#8217;s`, `Customer &amp; Partner`, `Dataverse?&nbsp;`); the unit cases add the
double-encoded and Markdown-escaped spellings, and text that merely holds an `&`.
"""

from __future__ import annotations

import html
import io
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from newsarc.archive import Archive
from newsarc.cli import cli
from newsarc.entities import decode_entities
from newsarc.parsing import parse_bytes
from newsarc.query import parse_query
from newsarc.records import json_record
from newsarc.render import article_detail

pytestmark = pytest.mark.usefixtures("isolated_environment")

NOW = datetime(2021, 12, 20, 12, 0, tzinfo=timezone.utc)
WIDE_TERMINAL = {"stdout_tty": True, "stderr_tty": False, "width": 400, "now": NOW,
                 "local_zone": timezone.utc}
PIPE = {"stdout_tty": False, "stderr_tty": False, "now": NOW, "local_zone": timezone.utc}
# A character reference as a reader would notice it, Markdown-escaped ones (`&\#8217;`) too.
ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]+|\\?#[0-9]+|\\?#[xX][0-9A-Fa-f]+);")


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("data that&#8217;s used", "data that’s used"),
        ("What is Dataverse?&nbsp; Microsoft", "What is Dataverse?  Microsoft"),
        ("Customer &amp; Partner", "Customer & Partner"),
        ("H&#038;M Group", "H&M Group"),
        ("&#x201C;quoted&#x201D;", "“quoted”"),
        ("wait&hellip;", "wait…"),
        ("double&amp;nbsp;encoded", "double encoded"),
        ("double&amp;#8217;s", "double’s"),
        ("escaped&amp;\\#8217;s", "escaped’s"),
        ("soft&shy;hyphen", "softhyphen"),
        ("&lt;script&gt;", "<script>"),  # text now; every output escapes it for its format
        # text that merely holds an ampersand stays as written
        ("R&D at AT&T", "R&D at AT&T"),
        ("this&nothing &copy2021 &notit; &madeup;", "this&nothing &copy2021 &notit; &madeup;"),
        ("tom & jerry &", "tom & jerry &"),
        # a reference to a control character or to no character is not decoded
        ("&#27;[31mred", "&#27;[31mred"),
        ("&#0; &#xD800; &#1114112;", "&#0; &#xD800; &#1114112;"),
        # a third level of encoding is text about entities
        ("&amp;amp;lt;", "&lt;"),
    ],
)
def test_decode_entities(source: str, shown: str) -> None:
    assert decode_entities(source) == shown


def test_decoded_for_people_and_kept_exactly_for_the_lossless_forms() -> None:
    source = b'---\ntitle: "Caf&eacute; &amp; more"\nexcerpt: "data that&#8217;s used"\n---\n'
    article = parse_bytes(source, "cafe.md").articles[0]
    assert (article.title, article.excerpt) == ("Café & more", "data that’s used")
    record = json_record(article)
    assert (record["title"], record["excerpt"]) == ("Caf&eacute; &amp; more", "data that&#8217;s used")


ENTITY_ARTICLE = (
    '---\ntitle: "PG&amp;E adopts Power Platform"\n'
    'excerpt: "What is Dataverse?&nbsp; It stores data that&#8217;s used by business applications."\n'
    "publishedDateTime: 2021-12-10T16:57:00Z\n"
    'webUrl: "https://example.com/pge"\n'
    "provider:\n  name: Example\n  domain: example.com\n"
    "---\n"
)


def _run(archive: Path, *args: str, terminal: bool = False) -> str:
    result = CliRunner().invoke(cli, ["--archive", str(archive), "--no-cache", "--color", "never", *args],
                                obj=WIDE_TERMINAL if terminal else PIPE)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_every_output_for_people_shows_the_text_and_the_lossless_ones_the_source(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "pge.md").write_text(ENTITY_ARTICLE, encoding="utf-8")
    found = _run(archive, "search", '"data that\'s used"', terminal=True)
    assert "PG&E adopts Power Platform" in found and "data that’s used" in found
    shown = _run(archive, "show", "pge.md", terminal=True)
    assert "What is Dataverse? It stores data that’s used" in " ".join(shown.split())
    assert "PG&E adopts" in _run(archive, "list", terminal=True)
    assert "PG&E adopts" in _run(archive, "list", "--format", "csv")
    markdown = _run(archive, "export", "--format", "markdown")
    assert "PG&E adopts" in markdown and "that’s used" in markdown
    assert "PG&amp;E adopts" in _run(archive, "export", "--format", "html")  # HTML's own escape of `&`
    for form in ("json", "jsonl"):
        assert "that&#8217;s used" in _run(archive, "export", "--format", form)
    _run(archive, "export", "--format", "frontmatter", "--output", str(tmp_path / "out"))
    (written,) = (tmp_path / "out").iterdir()
    text = written.read_text(encoding="utf-8")
    assert "PG&amp;E adopts" in text and "Dataverse?&nbsp; It stores data that&#8217;s used" in text


# --- the whole corpus ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_index(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The corpus and an index of it, built once for this module's tests."""
    index = tmp_path_factory.mktemp("corpus-index") / "corpus.sqlite"
    with Archive.open(corpus_dir, index=index):
        pass
    return corpus_dir, index


def _corpus(corpus: tuple[Path, Path], *args: str, terminal: bool = False, code: int = 0) -> str:
    archive, index = corpus
    result = CliRunner().invoke(
        cli, ["--archive", str(archive), "--index", str(index), "--fresh", "none", "--color", "never", *args],
        obj=WIDE_TERMINAL if terminal else PIPE,
    )
    assert result.exit_code == code, result.output
    return result.stdout


def _entities(text: str) -> list[str]:
    return sorted(set(ENTITY.findall(text)))


def test_the_corpus_has_entities_to_decode(corpus_dir: Path) -> None:
    with_entities = [path for path in corpus_dir.rglob("*.md") if ENTITY.search(_excerpt_line(path))]
    assert len(with_entities) > 100


def _excerpt_line(path: Path) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next((line for line in lines if line.startswith("excerpt:")), "")


@pytest.mark.parametrize(
    "args",
    [
        # `s` is the token after every apostrophe, so each snippet shows one: `that’s`, `it’s`.
        # (No corpus title holds an entity: `list` is pinned on a fixture, above.)
        ["search", "s", "--limit", "1000"],
        ["search", "dataverse OR partner OR customer", "--limit", "1000"],
    ],
    ids=["search-apostrophes", "search-words"],
)
def test_corpus_listings_are_free_of_entities(corpus_index: tuple[Path, Path], args: list[str]) -> None:
    output = _corpus(corpus_index, *args, terminal=True)
    assert _entities(output) == []


def test_corpus_search_no_longer_finds_entity_names(corpus_index: tuple[Path, Path]) -> None:
    assert _corpus(corpus_index, "search", "nbsp", code=1) == ""  # `&nbsp;` was indexed as "nbsp"


@pytest.mark.parametrize("form", ["csv", "tsv", "markdown", "html", "opensearch"])
def test_corpus_exports_for_people_are_free_of_entities(corpus_index: tuple[Path, Path], form: str) -> None:
    output = _corpus(corpus_index, "export", "--format", form)
    if form in ("markdown", "html"):
        output = html.unescape(output)  # what a reader of the rendered page sees
    elif form == "opensearch":
        output = "\n".join(json.dumps(json.loads(line), ensure_ascii=False) for line in output.splitlines())
    assert _entities(output) == []


def test_corpus_show_of_every_article_with_entities_is_free_of_them(corpus_index: tuple[Path, Path]) -> None:
    with Archive.open(corpus_index[0], index=corpus_index[1], fresh="none") as archive:
        articles = [article for article in archive.iter_articles(parse_query("", now=NOW))
                    if ENTITY.search(json.dumps(json_record(article), ensure_ascii=False))]
        assert len(articles) > 100
        console = Console(file=io.StringIO(), width=100, color_system=None, force_terminal=False)
        for article in articles:
            console.print(article_detail(archive.related(article)))
    assert _entities(console.file.getvalue()) == []  # type: ignore[attr-defined]


def test_corpus_lossless_exports_keep_every_entity(corpus_dir: Path, corpus_index: tuple[Path, Path]) -> None:
    source = sum(len(ENTITY.findall(_excerpt_line(path))) for path in corpus_dir.rglob("*.md"))
    records = [json.loads(line) for line in _corpus(corpus_index, "export", "--format", "jsonl").splitlines()]
    kept = sum(len(ENTITY.findall(record.get("excerpt", ""))) for record in records)
    assert kept == source > 0

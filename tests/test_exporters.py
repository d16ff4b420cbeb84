"""Exporters: the registry, golden output on the seeds, lossless round trips,
hostile article text, the bulk format, and safe output writing.

Golden files under tests/golden/ pin each format's exact output on the five
seeds (newest first, undated last, `now` 2021-12-20T12:00Z). After an intended
change, regenerate them and review the diff before committing:

    NEWSARC_UPDATE_GOLDEN=1 pytest tests/test_exporters.py
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

from newsarc import exporters
from newsarc.errors import ExportError
from newsarc.exporters import ExportOptions
from newsarc.exporters import frontmatter as frontmatter_module
from newsarc.exporters.frontmatter import FileNamer, slugify
from newsarc.exporters.opensearch import mapping
from newsarc.exporters.output import open_folder, open_output
from newsarc.exporters.tabular import neutralise, unneutralise
from newsarc.model import Article, Provider, RelatedItem
from newsarc.parsing import parse_bytes, parse_file
from newsarc.records import record_from_article
from newsarc.safewrite import write_file

GOLDEN_DIR = Path(__file__).parent / "golden"
UPDATE_GOLDEN = os.environ.get("NEWSARC_UPDATE_GOLDEN") == "1"
NOW = datetime(2021, 12, 20, 12, tzinfo=timezone.utc)
OPTIONS = ExportOptions(now=NOW)
HOSTILE_TITLE = (
    '<script>alert(1)</script> =HYPERLINK("http://evil","x") [x](javascript:alert(1)) ../../etc/passwd'
)
HOSTILE_WORD = "w" * 100_000


# --- helpers ----------------------------------------------------------------------------


def newest_first(articles: Iterable[Article]) -> list[Article]:
    """The archive's listing order: newest first, undated last."""
    return sorted(
        articles,
        key=lambda article: (
            article.published is None,
            -(article.published.timestamp() if article.published else 0),
        ),
    )


def parse_folder(folder: Path, prefix: str = "") -> list[Article]:
    articles: list[Article] = []
    for path in sorted(folder.iterdir()):
        result = parse_file(path, prefix + path.name)
        assert not result.problems, result.problems
        articles.extend(result.articles)
    return articles


def export_text(name: str, articles: Iterable[Article], options: ExportOptions = OPTIONS) -> str:
    stream = io.StringIO(newline="")
    exporters.get(name).write(articles, stream, options)
    return stream.getvalue()


def assert_same_articles(actual: list[Article], expected: list[Article]) -> None:
    """Equal as multisets (file names order a folder differently from the input)."""
    remaining = list(actual)
    for article in expected:
        assert article in remaining, f"{article.path} did not survive the round trip"
        remaining.remove(article)
    assert not remaining


def check_golden(name: str, text: str) -> None:
    path = GOLDEN_DIR / name
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return
    assert path.exists(), f"no golden file {name}: run with NEWSARC_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_bytes().decode("utf-8"), f"{name} differs from its golden file"


def hostile_article(**changes: object) -> Article:
    article = Article(
        title=HOSTILE_TITLE + "\nsecond line\x00 \x1b[31mred\u202e",
        excerpt="=1+1 <img src=x onerror=alert(1)> & *bold* # not a heading\r\n- not a list " + HOSTILE_WORD,
        web_url="javascript:alert(1)",
        provider=Provider(name="@evil <b>provider</b>", domain="evil.example"),
        topics=["<i>topic</i>", "+cmd"],
        heat=-1,
        quality=0,
        related=[RelatedItem(title="<script>related</script>", web_url="https://ok.example/a?b=1&c=(2)")],
        body="body <script>x</script>",
    )
    for key, value in changes.items():
        setattr(article, key, value)
    article.id = "0123456789abcdef"
    return article


@pytest.fixture(scope="module")
def seed_articles(seeds_dir: Path) -> list[Article]:
    articles = [
        article
        for path in sorted(seeds_dir.iterdir())
        for article in parse_file(path, f"seeds/{path.name}").articles
    ]
    assert len(articles) == 5
    return newest_first(articles)


@pytest.fixture(scope="module")
def corpus_articles(corpus_dir: Path) -> list[Article]:
    articles = []
    for path in sorted(corpus_dir.rglob("*")):
        if path.is_file():
            articles.extend(parse_file(path, path.relative_to(corpus_dir).as_posix()).articles)
    return newest_first(articles)


# --- the registry -----------------------------------------------------------------------


def test_names_are_the_canonical_formats() -> None:
    assert exporters.names() == (
        "json",
        "jsonl",
        "csv",
        "tsv",
        "markdown",
        "html",
        "frontmatter",
        "opensearch",
        "paths",
    )


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("elasticsearch", "opensearch"),
        ("md", "markdown"),
        ("ndjson", "jsonl"),
        ("JSON", "json"),
        ("front-matter", "frontmatter"),
    ],
)
def test_aliases_resolve(alias: str, name: str) -> None:
    assert exporters.get(alias).name == name


def test_unknown_format_names_the_choices() -> None:
    with pytest.raises(ExportError) as raised:
        exporters.get("xml")
    assert "xml" in str(raised.value) and "markdown" in str(raised.value)


def test_every_exporter_describes_itself_on_one_line() -> None:
    for exporter in exporters.exporters():
        assert exporter.description and "\n" not in exporter.description
        assert exporter.writes_folder == (exporter.name == "frontmatter")
        assert exporter.options <= {"fields", "group_by", "now", "title", "index_name", "null"}
    assert [row[0] for row in exporters.describe()][-2:] == ["opensearch (elasticsearch)", "paths"]
    assert set(exporters.all_names()) >= {"md", "ndjson", "elasticsearch", *exporters.names()}


def test_registry_import_is_cheap() -> None:
    code = (
        "import sys, newsarc.exporters as e; e.get('md'); e.names(); print(sorted(m for m in sys.modules"
        " if m.startswith('newsarc.exporters.') or m in ('yaml', 'csv', 'html')))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_export_options_are_checked() -> None:
    with pytest.raises(ExportError, match="group by"):
        ExportOptions(group_by="month")  # type: ignore[arg-type]
    for bad in ("Upper", "-leading", "has space", "a/b", "", ".."):
        with pytest.raises(ExportError, match="index name"):
            ExportOptions(index_name=bad)
    assert ExportOptions(index_name="news-2021.12").index_name == "news-2021.12"


# --- golden files on the seeds ----------------------------------------------------------

GOLDEN_CASES = [
    ("json", "seeds.json", OPTIONS),
    ("jsonl", "seeds.jsonl", OPTIONS),
    ("csv", "seeds.csv", OPTIONS),
    ("tsv", "seeds.tsv", OPTIONS),
    ("markdown", "seeds.md", OPTIONS),
    ("markdown", "seeds-by-provider.md", ExportOptions(now=NOW, group_by="provider")),
    ("markdown", "seeds-by-topic.md", ExportOptions(now=NOW, group_by="topic", title="SenseTime watch")),
    ("html", "seeds.html", OPTIONS),
    ("html", "seeds-by-topic.html", ExportOptions(now=NOW, group_by="topic")),
    ("opensearch", "seeds.opensearch.ndjson", OPTIONS),
]


@pytest.mark.parametrize(("name", "golden", "options"), GOLDEN_CASES, ids=[case[1] for case in GOLDEN_CASES])
def test_golden_output(seed_articles: list[Article], name: str, golden: str, options: ExportOptions) -> None:
    check_golden(golden, export_text(name, seed_articles, options))


def test_golden_opensearch_mapping() -> None:
    check_golden("opensearch-mapping.json", json.dumps(mapping(), indent=2) + "\n")


def test_golden_frontmatter_folder(seed_articles: list[Article], tmp_path: Path) -> None:
    assert exporters.get("frontmatter").write(seed_articles, tmp_path, OPTIONS) == 5
    written = {path.name: path.read_bytes().decode("utf-8") for path in tmp_path.iterdir()}
    golden_folder = GOLDEN_DIR / "frontmatter"
    if UPDATE_GOLDEN:
        golden_folder.mkdir(parents=True, exist_ok=True)
        for stale in golden_folder.iterdir():
            stale.unlink()
    for name, text in written.items():
        check_golden(f"frontmatter/{name}", text)
    assert sorted(written) == sorted(path.name for path in golden_folder.iterdir())


def test_frontmatter_looks_like_the_seed_it_came_from(seeds_dir: Path) -> None:
    """Byte for byte, except that related items list `quality` where records.py puts it."""
    path = seeds_dir / "000_9d4cac1fec7e3850.txt"
    [article] = parse_file(path, path.name).articles
    article.related[0].quality = None  # the one key records.py orders differently
    expected = path.read_text(encoding="utf-8").replace("    quality: 39\n", "")
    assert frontmatter_module.render(article) == expected


# --- lossless round trips ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["jsonl", "json"])
def test_seeds_survive_json(seed_articles: list[Article], name: str) -> None:
    result = parse_bytes(export_text(name, seed_articles).encode("utf-8"), f"export.{name}")
    assert not result.problems
    assert result.articles == seed_articles


def test_seeds_survive_a_frontmatter_folder(seed_articles: list[Article], tmp_path: Path) -> None:
    exporters.get("frontmatter").write(seed_articles, tmp_path, OPTIONS)
    assert_same_articles(parse_folder(tmp_path), seed_articles)


def test_corpus_survives_jsonl(corpus_articles: list[Article]) -> None:
    result = parse_bytes(export_text("jsonl", corpus_articles).encode("utf-8"), "corpus.jsonl")
    assert not result.problems
    assert result.articles == corpus_articles


def test_corpus_survives_a_frontmatter_folder(corpus_articles: list[Article], tmp_path: Path) -> None:
    assert exporters.get("frontmatter").write(corpus_articles, tmp_path, OPTIONS) == len(corpus_articles)
    assert len(list(tmp_path.iterdir())) == len(corpus_articles)  # clashing names were numbered
    assert_same_articles(parse_folder(tmp_path), corpus_articles)


def test_libyaml_and_python_dumpers_lay_out_files_alike(corpus_articles: list[Article]) -> None:
    """The fast path re-indents libyaml's lists; the pure-Python dumper is the reference."""
    for article in corpus_articles:
        record = record_from_article(article)
        reference = frontmatter_module._space_blocks(
            frontmatter_module._dump(frontmatter_module._styled(record), frontmatter_module.IndentedDumper)
        )
        assert frontmatter_module.front_matter_yaml(record) == reference, article.path


def test_libyaml_lists_are_re_indented_at_any_depth() -> None:
    record = {
        "title": "t",
        "a": [[1, [2, {"k": [3, 4], "j": {"x": [5]}}]], {"m": [{"n": [6]}], "o": "p"}],
        "b": {"c": [[]], "d": {}},
        "e": [{"f": [[7]]}],
        "g": [],
    }
    fast = frontmatter_module._indent_lists(frontmatter_module._dump(record, frontmatter_module.FastDumper))
    assert fast == frontmatter_module._dump(record, frontmatter_module.IndentedDumper)
    assert "\n  - - 1\n    - - 2\n      - k:\n          - 3\n" in fast


def test_frontmatter_keeps_odd_values(tmp_path: Path) -> None:
    article = Article(title="Yes", excerpt="no", web_url="https://a.example/x")
    article.extra = {
        "on": "true",
        "count": "12",
        "when": "2021-01-02T03:04:05.678",
        "nested": {"list": [[1, 2], {"k": "v: w # x"}], "empty": [], "none": None},
        "long key " * 20: "value",
        "bang": "!tag",
        "multi": "line one\nline two\r\n\ttabbed",
    }
    [reread] = parse_bytes(frontmatter_module.render(article).encode("utf-8"), "odd.md").articles
    assert reread == article


# --- streaming --------------------------------------------------------------------------


# The digests are left out: they group the whole input (days in date order) before writing.
@pytest.mark.parametrize("name", ["json", "jsonl", "csv", "tsv", "opensearch"])
def test_file_writers_stream(seed_articles: list[Article], name: str) -> None:
    """Each article is written before the next is asked for."""
    stream = io.StringIO()

    def articles() -> Iterator[Article]:
        for article in seed_articles:
            before = stream.tell()
            yield article
            assert stream.tell() > before, "the article was not written before the next was read"

    exporters.get(name).write(articles(), stream, OPTIONS)


def test_frontmatter_writer_streams(seed_articles: list[Article], tmp_path: Path) -> None:
    def articles() -> Iterator[Article]:
        for number, article in enumerate(seed_articles):
            assert len(list(tmp_path.iterdir())) == number
            yield article

    exporters.get("frontmatter").write(articles(), tmp_path, OPTIONS)


def test_digest_of_nothing() -> None:
    assert export_text("markdown", []).endswith("No articles.\n")
    assert "<nav" not in export_text("html", [])
    assert export_text("json", []) == "[]\n"
    assert json.loads(export_text("json", [])) == []


def test_grouping_by_topic_counts_each_article_once(seed_articles: list[Article]) -> None:
    assert exporters.get("markdown").write(seed_articles, io.StringIO(), ExportOptions(group_by="topic")) == 5


# --- CSV --------------------------------------------------------------------------------


def test_csv_fields_pick_and_order_columns(seed_articles: list[Article]) -> None:
    text = export_text("csv", seed_articles, ExportOptions(fields=("title", "heat", "published")))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["title", "heat", "published"]
    assert rows[1][1:] == ["-1", "2021-12-17T10:49:00Z"]
    assert text.count("\r\n") == 6


def test_unknown_csv_field_lists_the_valid_ones(seed_articles: list[Article]) -> None:
    with pytest.raises(ExportError) as raised:
        export_text("csv", seed_articles, ExportOptions(fields=("title", "colour")))
    assert "'colour'" in raised.value.message and "provider.domain" in (raised.value.hint or "")


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ("-1", "-1"),
        ("+2.5", "+2.5"),
        ("-1e5", "-1e5"),
        ("plain", "plain"),
        ("'quoted", "'quoted"),
        ("'=1", "''=1"),
        ("", ""),
        ("-", "'-"),
    ],
)
def test_neutralise_formulas_and_undo_exactly(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe
    assert unneutralise(safe) == cell


def test_csv_cells_are_inert() -> None:
    text = export_text("csv", [hostile_article(title='=HYPERLINK("http://evil","x")')])
    header, row = list(csv.reader(io.StringIO(text, newline="")))
    cells = dict(zip(header, row, strict=True))
    assert cells["title"] == '\'=HYPERLINK("http://evil","x")'
    assert cells["excerpt"].startswith("'=1+1")
    assert cells["provider.name"].startswith("'@evil")
    assert cells["topics"] == "<i>topic</i>; +cmd"
    assert cells["heat"] == "-1" and cells["quality"] == "0"
    assert "\x00" not in text


def test_tsv_cells_stay_on_one_line() -> None:
    text = export_text("tsv", [hostile_article()])
    lines = text.split("\n")
    assert len(lines) == 3 and lines[2] == ""
    header, row = (line.split("\t") for line in lines[:2])
    assert len(header) == len(row)
    assert dict(zip(header, row, strict=True))["excerpt"].startswith("'=1+1")


# --- Markdown and HTML ------------------------------------------------------------------


def test_markdown_is_inert() -> None:
    text = export_text("markdown", [hostile_article()])
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    assert "](javascript" not in text and "javascript:alert(1))" not in text.replace("\\", "")[:0]
    assert "\\[x\\]\\(javascript:alert\\(1\\)\\)" in text
    assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in text
    assert "\x00" not in text and "\x1b" not in text and "\u202e" not in text
    assert "\n  \\- not a list" not in text  # the excerpt is folded onto one line
    assert "[\\&lt;script&gt;related" not in text
    assert "(https://ok.example/a?b=1&c=%282%29)" in text


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.extend((tag, name, value) for name, value in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_inert(seed_articles: list[Article]) -> None:
    text = export_text(
        "html", [hostile_article(), *seed_articles], ExportOptions(title="<b>x</b>", group_by="provider")
    )
    assert "<script" not in text.lower()
    parser = _TagCollector()
    parser.feed(text)
    assert parser.tags <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "header",
        "h1",
        "h2",
        "h3",
        "p",
        "nav",
        "ol",
        "ul",
        "li",
        "a",
        "span",
        "main",
        "section",
        "article",
        "time",
        "footer",
    }
    for tag, name, value in parser.attributes:
        assert not name.startswith("on"), (tag, name)
        if name == "href":
            assert value and value.startswith(("https://", "http://", "#")), value
        if tag == "a" and name == "href" and not value.startswith("#"):  # type: ignore[union-attr]
            assert ("a", "rel", "noopener noreferrer") in parser.attributes
    assert ("meta", "content", "default-src 'none'; style-src 'unsafe-inline'") in parser.attributes
    assert "<script>alert(1)</script>" in "".join(parser.text)  # shown as text, not run
    assert "<b>x</b>" in "".join(parser.text)
    assert not [attribute for attribute in parser.attributes if attribute[1] in ("src", "style", "srcset")]
    style = text.split("<style>")[1].split("</style>")[0]
    assert "url(" not in style and "@import" not in style and "@font-face" not in style


def test_html_links_only_http_urls() -> None:
    for url in (
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:x",
        "data:text/html,x",
        "/relative",
        "vbscript:x",
        "java\nscript:alert(1)",
        "https://",
    ):
        text = export_text("html", [hostile_article(web_url=url)])
        assert 'href="http' not in text.split("<main>")[1].split('class="related"')[0], url


def test_html_table_of_contents_links_each_group(seed_articles: list[Article]) -> None:
    text = export_text("html", seed_articles)
    anchors = [line.split('href="#')[1].split('"')[0] for line in text.splitlines() if 'href="#' in line]
    assert anchors == ["g-2021-12-17", "g-2021-11-23", "g-2021-09-28", "g-2021-08-21", "g-undated"]
    for anchor in anchors:
        assert f'<section id="{anchor}">' in text


# --- front matter file names ------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Can SenseTime become a Chinese AI champion?", "can-sensetime-become-a-chinese-ai-champion"),
        ("Retrofitting MIT's deep learning boot camp", "retrofitting-mits-deep-learning-boot-camp"),
        ("Biology’s holy grail: Ünïcödé — ok", "biologys-holy-grail-unicode-ok"),
        ("../../etc/passwd", "etc-passwd"),
        ("商汤科技", ""),
        ("", ""),
        ("C:\\Windows\\x", "c-windows-x"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_long_slugs_end_at_a_word() -> None:
    slug = slugify("word " * 40)
    assert len(slug) <= 80 and slug.endswith("word")
    assert len(slugify(HOSTILE_WORD)) == 80


def test_file_names_are_safe_and_unique(tmp_path: Path) -> None:
    namer = FileNamer(["undated-etc-passwd.md"])
    hostile = [
        hostile_article(title=title)
        for title in (
            "../../etc/passwd",
            "../../etc/passwd",
            "..",
            "/",
            "",
            HOSTILE_TITLE,
            HOSTILE_WORD,
            "a\x00b",
        )
    ]
    names = [namer.name_for(article) for article in hostile]
    assert names[:5] == [
        "undated-etc-passwd-2.md",
        "undated-etc-passwd-3.md",
        "undated-0123456789abcdef.md",
        "undated-0123456789abcdef-2.md",
        "undated-0123456789abcdef-3.md",
    ]
    assert len(set(names)) == len(names)
    for name in names:
        assert "/" not in name and "\\" not in name and ".." not in name and len(name) < 100
        assert (tmp_path / name).resolve().parent == tmp_path.resolve()


def test_hostile_articles_survive_a_frontmatter_folder(tmp_path: Path) -> None:
    hostile = [
        hostile_article(),
        hostile_article(title="../../etc/passwd"),
        hostile_article(title=HOSTILE_WORD),
    ]
    exporters.get("frontmatter").write(hostile, tmp_path, OPTIONS)
    assert all(path.parent == tmp_path for path in tmp_path.rglob("*"))
    assert_same_articles(parse_folder(tmp_path), hostile)


def test_hostile_articles_survive_jsonl() -> None:
    hostile = [hostile_article(), hostile_article(title=HOSTILE_WORD)]
    text = export_text("jsonl", hostile)
    assert text.count("\n") == 2
    assert parse_bytes(text.encode("utf-8"), "x.jsonl").articles == hostile


# --- OpenSearch bulk --------------------------------------------------------------------


def check_bulk(text: str, index_name: str) -> list[dict[str, object]]:
    """The bulk format: action and document lines in pairs, each one JSON object."""
    assert text.endswith("\n")
    lines = text[:-1].split("\n")
    assert len(lines) % 2 == 0
    documents, ids = [], []
    properties = mapping()["mappings"]["properties"]
    for action_line, document_line in zip(lines[::2], lines[1::2], strict=True):
        action, document = json.loads(action_line), json.loads(document_line)
        assert list(action) == ["index"] and action["index"]["_index"] == index_name
        ids.append(action["index"]["_id"])
        assert document["id"] == action["index"]["_id"]
        assert set(document) <= set(properties)
        documents.append(document)
    assert len(set(ids)) == len(ids)
    return documents


def test_opensearch_bulk_format(seed_articles: list[Article]) -> None:
    articles = [*seed_articles, hostile_article()]
    documents = check_bulk(export_text("elasticsearch", articles, ExportOptions(index_name="news")), "news")
    assert [document["id"] for document in documents] == [article.id for article in articles]
    assert documents[0]["published"] == "2021-12-17T10:49:00Z" and documents[0]["heat"] == -1
    assert documents[0]["canonical_url"].startswith("scmp.com/")  # type: ignore[union-attr]


def test_opensearch_ids_are_stable_without_an_id() -> None:
    article = Article(title="t", web_url="https://www.a.example/x?utm_source=y")
    first = check_bulk(export_text("opensearch", [article]), "newsarc")[0]["id"]
    assert first == check_bulk(export_text("opensearch", [article]), "newsarc")[0]["id"]
    assert len(str(first)) == 16


def test_opensearch_mapping_types() -> None:
    properties = mapping()["mappings"]["properties"]
    assert properties["title"]["fields"]["keyword"]["type"] == "keyword"
    assert properties["published"]["type"] == "date" and properties["heat"]["type"] == "integer"
    assert properties["provider_domain"]["type"] == "keyword"
    properties["title"]["type"] = "changed"
    assert mapping()["mappings"]["properties"]["title"]["type"] == "text"  # a fresh copy each time


# --- output files -----------------------------------------------------------------------


def _failing_articles(seed_articles: list[Article]) -> Iterator[Article]:
    yield from seed_articles[:2]
    raise RuntimeError("the archive went away mid-export")


def test_output_is_written_whole(seed_articles: list[Article], tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with open_output(target, force=False, archive_root=None) as stream:
        exporters.get("csv").write(seed_articles, stream, OPTIONS)
        assert not target.exists()  # not under the final name until complete
    assert target.read_bytes().count(b"\r\n") == 6
    assert list(tmp_path.iterdir()) == [target]


def test_output_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    target.write_text("keep me")
    with pytest.raises(ExportError) as raised, open_output(target, force=False, archive_root=None):
        pytest.fail("opened an existing file")
    assert "--force" in str(raised.value)
    with open_output(target, force=True, archive_root=None) as stream:
        stream.write("replaced")
    assert target.read_text() == "replaced"


@pytest.mark.parametrize("force", [False, True])
def test_failing_writer_leaves_no_trace(seed_articles: list[Article], tmp_path: Path, force: bool) -> None:
    target = tmp_path / "out.jsonl"
    if force:
        target.write_text("previous export")
    with pytest.raises(RuntimeError), open_output(target, force=force, archive_root=None) as stream:
        exporters.get("jsonl").write(_failing_articles(seed_articles), stream, OPTIONS)
    assert sorted(path.name for path in tmp_path.iterdir()) == (["out.jsonl"] if force else [])
    if force:
        assert target.read_text() == "previous export"


def test_output_refuses_the_archive_being_read(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    (archive / "sub").mkdir(parents=True)
    for target in (archive / "out.json", archive / "sub" / "out.json", archive / "sub" / ".." / "x.json"):
        with (
            pytest.raises(ExportError, match="inside the archive"),
            open_output(target, force=True, archive_root=archive),
        ):
            pass
    with (
        pytest.raises(ExportError, match="inside the archive"),
        open_folder(archive / "out", force=True, archive_root=archive),
    ):
        pass
    with open_output(tmp_path / "beside.json", force=False, archive_root=archive) as stream:
        stream.write("[]")
    assert not list((archive / "sub").iterdir())


def test_output_needs_an_existing_folder(tmp_path: Path) -> None:
    with (
        pytest.raises(ExportError, match="does not exist"),
        open_output(tmp_path / "no" / "x.csv", force=False, archive_root=None),
    ):
        pass
    with (
        pytest.raises(ExportError, match="is a folder"),
        open_output(tmp_path, force=True, archive_root=None),
    ):
        pass


def test_output_folder_refuses_a_non_empty_folder(seed_articles: list[Article], tmp_path: Path) -> None:
    folder = tmp_path / "digest"
    with open_folder(folder, force=False, archive_root=None) as target:
        exporters.get("frontmatter").write(seed_articles, target, OPTIONS)
    assert len(list(folder.iterdir())) == 5
    with pytest.raises(ExportError) as raised, open_folder(folder, force=False, archive_root=None):
        pass
    assert "--force" in str(raised.value)
    with open_folder(folder, force=True, archive_root=None) as target:
        exporters.get("frontmatter").write(seed_articles, target, OPTIONS)
    assert len(list(folder.iterdir())) == 5  # the same names, replaced
    (tmp_path / "file").write_text("")
    with (
        pytest.raises(ExportError, match="not a folder"),
        open_folder(tmp_path / "file", force=True, archive_root=None),
    ):
        pass


def test_write_file_never_clobbers_without_replace(tmp_path: Path) -> None:
    write_file(tmp_path, "a.md", "one", replace=False)
    with pytest.raises(FileExistsError):
        write_file(tmp_path, "a.md", "two", replace=False)
    write_file(tmp_path, "a.md", "three", replace=True)
    assert (tmp_path / "a.md").read_text() == "three"
    for bad in ("", "..", "../x.md", "a/b.md", "a\\b.md"):
        with pytest.raises(ExportError):
            write_file(tmp_path, bad, "x", replace=True)
    assert [path.name for path in tmp_path.iterdir()] == ["a.md"]


def test_paths_lists_each_article_file_once_with_its_record_number(tmp_path: Path) -> None:
    from newsarc.model import Article

    articles = [Article(title="a", path="2021/a.md"), Article(title="b", path="page.json", index=0),
                Article(title="c", path="page.json", index=1), Article(title="d", path="x\x1b[31m.md")]
    stream = io.StringIO()
    assert exporters.get("paths").write(articles, stream) == 4
    # Exact to a file or a pipe; a terminal gets quoted names (tests/test_paths_export.py).
    assert stream.getvalue() == "2021/a.md\npage.json#1\npage.json#2\nx\x1b[31m.md\n"
    stream = io.StringIO()
    assert exporters.get("paths").write(articles, stream, ExportOptions(null=True)) == 4
    assert stream.getvalue() == "2021/a.md\0page.json\0x\x1b[31m.md\0"
    stream = io.StringIO()
    assert exporters.get("paths").write(articles, stream, ExportOptions(terminal=True)) == 4
    assert stream.getvalue() == "2021/a.md\npage.json#1\npage.json#2\n$'x\\e[31m.md'\n"


# --- digests in date order --------------------------------------------------------------


def _dated(title: str, moment: datetime | None) -> Article:
    return Article(title=title, published=moment, web_url=f"https://a.example/{title}")


# As a search returns them: by relevance, not by date.
BY_RELEVANCE = [
    _dated("tenth", datetime(2021, 12, 10, 9, tzinfo=timezone.utc)),
    _dated("thirty-morning", datetime(2021, 12, 30, 8, tzinfo=timezone.utc)),
    _dated("no-date", None),
    _dated("thirteen", datetime(2021, 12, 13, 12, tzinfo=timezone.utc)),
    _dated("thirty-evening", datetime(2021, 12, 30, 17, tzinfo=timezone.utc)),
]


@pytest.mark.parametrize(("oldest_first", "expected"), [
    (False, ["Thursday 30 December 2021", "thirty-evening", "thirty-morning", "Monday 13 December 2021",
             "thirteen", "Friday 10 December 2021", "tenth", "Undated", "no-date"]),
    (True, ["Friday 10 December 2021", "tenth", "Monday 13 December 2021", "thirteen",
            "Thursday 30 December 2021", "thirty-morning", "thirty-evening", "Undated", "no-date"]),
])
@pytest.mark.parametrize("name", ["markdown", "html"])
def test_day_digests_are_in_date_order(name: str, oldest_first: bool, expected: list[str]) -> None:
    options = ExportOptions(now=NOW, oldest_first=oldest_first)
    text = export_text(name, BY_RELEVANCE, options)
    body = text.split("<main>", 1)[-1] if name == "html" else text
    words = [word for word in expected if word in body]
    assert words == expected
    assert sorted(words, key=body.index) == expected

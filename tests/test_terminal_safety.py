"""No control, format or separator character of an article reaches a terminal.

Every code point of the Unicode categories Cc (controls), Cf (format: bidi marks,
the Arabic letter mark U+061C, zero-width characters, tags, ...), Zl (U+2028) and
Zp (U+2029), as the running Python's Unicode database lists them, goes through
every renderer in every text field it shows. None may come out, but the newline
of multi-line text; a one-line field stays on one line. Data formats written to a
terminal (CSV, TSV, JSON, ...) pass through the same filter; to files and pipes
they keep the exact text.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import unicodedata
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console, RenderableType

from newsarc import render
from newsarc.cli import cli
from newsarc.model import Article, Image, Provider, RelatedItem
from newsarc.results import DuplicateGroup, Hit, Page, RefreshReport, RelatedView, ResolvedRelated, Stats
from newsarc.textsafe import TerminalStream, safe_line, safe_text, terminal_text

CATEGORIES = ("Cc", "Cf", "Zl", "Zp")
CODE_POINTS = [chr(cp) for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) in CATEGORIES]
SHOWN = {"\n"}  # the one such character multi-line text may keep
WHEN = datetime(2021, 11, 5, 10, 0, tzinfo=timezone.utc)


def _name(character: str) -> str:
    return f"U+{ord(character):04X}"


def test_the_walk_covers_the_characters_the_issue_names() -> None:
    assert {"\u061c", "\u2028", "\u2029", "\x1b", "\x9b", "\u202e", "\u200b", "\ufeff"} <= set(CODE_POINTS)
    assert len(CODE_POINTS) > 200


# Escape-sequence introducers take what follows with them, as a terminal would.
INTRODUCERS = {"\x1b", "\x9b", "\x9d"}


@pytest.mark.parametrize("character", CODE_POINTS, ids=_name)
def test_a_one_line_field_keeps_none_of_them_and_stays_on_one_line(character: str) -> None:
    line = safe_line(f"Alpha{character}Bravo")
    text = safe_text(f"Alpha{character}Bravo")
    raw = terminal_text(f"Alpha{character}Bravo")
    if character in INTRODUCERS:
        assert line.startswith("Alpha") and _survivors(line + text + raw) == [], (line, text, raw)
        return
    assert line in ("AlphaBravo", "Alpha Bravo"), repr(line)
    assert text in ("AlphaBravo", "Alpha\nBravo", "Alpha    Bravo"), repr(text)
    assert raw in ("AlphaBravo", "Alpha\nBravo", "Alpha\tBravo"), repr(raw)


def _article(number: int, text: str) -> Article:
    hostile = f"Alpha{text}Bravo"
    return Article(
        id=f"{number:016x}",
        title=f"Title {hostile}",
        excerpt=f"Excerpt {hostile}",
        body=f"Body {hostile}\n\nSecond {hostile}",
        published=WHEN,
        updated=WHEN,
        web_url=f"https://news.example/{hostile}",
        original_url=f"https://origin.example/{hostile}",
        type=f"type{hostile}",
        category=f"category{hostile}",
        topics=[f"topic{hostile}", "plain"],
        tags=[f"tag{hostile}"],
        provider=Provider(name=f"Provider {hostile}", domain=f"domain{hostile}.example"),
        images=[Image(url=f"https://img.example/{hostile}", width=10, height=10, title=f"image {hostile}")],
        related=[RelatedItem(title=f"Related {hostile}", web_url="https://news.example/r")],
        path=f"folder{hostile}/file{hostile}.md",
        index=number,
    )


def _page(texts: list[str]) -> Page:
    hits = [
        Hit(
            _article(number, text),
            title_spans=[(f"Title {text} ", False), (f"Alpha{text}Bravo", True)],
            snippet_spans=[(f"snippet {text}", False), ("match", True), (f"{text} end", False)],
        )
        for number, text in enumerate(texts)
    ]
    return Page(hits, total=len(hits), offset=0, limit=None)


def _view(texts: list[str]) -> RelatedView:
    articles = [_article(number, text) for number, text in enumerate(texts)]
    items = [ResolvedRelated(number, article.related[0], None) for number, article in enumerate(articles)]
    return RelatedView(articles[0], items, articles)


def _joined(texts: list[str]) -> str:
    return "".join(texts)


# Each renderer, given the characters: one row, hit, item or label per character
# where it shows a list, and all of them in each field where it shows one thing.
RENDERERS: dict[str, Callable[[list[str]], RenderableType]] = {
    "list": lambda texts: render.article_table(
        _page(texts),
        ("id", "date", "provider", "domain", "title", "topics", "type", "quality", "heat", "path", "url"),
    ),
    "search": lambda texts: render.search_results(_page(texts)),
    "search-unhighlighted": lambda texts: render.search_results(
        Page([Hit(_article(n, text)) for n, text in enumerate(texts)], len(texts), 0, None)
    ),
    "show": lambda texts: render.article_detail(_view([_joined(texts)]), timezone.utc),
    "related": lambda texts: render.related_tree(_view(texts)),
    "stats": lambda texts: render.stats_view(
        Stats("provider", len(texts), [(f"label Alpha{text}Bravo", 1) for text in texts], [("2021-11", 3)])
    ),
    "dupes": lambda texts: render.duplicates_view(
        [DuplicateGroup("same url", [_article(n, text) for n, text in enumerate(texts)])]
    ),
    "index": lambda texts: render.index_report_view(
        RefreshReport(), f"/tmp/index Alpha{_joined(texts)}Bravo"
    ),
    "fields": lambda texts: render.fields_view(
        [("title", "text", "the title", [f"example Alpha{text}Bravo" for text in texts])]
    ),
}
RICH_SEQUENCE = re.compile(r"\x1b\[[0-9;]*m|\x1b]8;[^\x07\x1b]*\x1b\\")


def _rendered(renderable: RenderableType, *, color: bool) -> str:
    stream = io.StringIO()
    console = Console(
        file=stream, width=200, force_terminal=color, no_color=not color,
        color_system="truecolor" if color else None, markup=False, highlight=False, emoji=False,
        legacy_windows=False,
    )  # fmt: skip
    console.print(renderable)
    return stream.getvalue()


def _survivors(output: str) -> list[str]:
    return sorted({_name(c) for c in output if c not in SHOWN and unicodedata.category(c) in CATEGORIES})


@pytest.mark.parametrize("color", [False, True], ids=["colour-off", "colour-on"])
@pytest.mark.parametrize("name", list(RENDERERS))
def test_every_control_and_format_character_stays_out_of_every_renderer(name: str, color: bool) -> None:
    output = _rendered(RENDERERS[name](CODE_POINTS), color=color)
    visible = RICH_SEQUENCE.sub("", output) if color else output
    assert "Alpha" in visible  # the text around them survives
    assert _survivors(visible) == []


@pytest.mark.parametrize("character", CODE_POINTS, ids=_name)
def test_each_character_alone_stays_out_of_the_article_view(character: str) -> None:
    # Alone, so no neighbour can hide what one character does to a sequence.
    output = _rendered(render.article_detail(_view([character]), timezone.utc), color=False)
    assert _survivors(output) == []
    title = output.split("\n", 1)[0].strip()
    if character in INTRODUCERS:
        assert title.startswith("Title Alpha")
    else:
        assert title in ("Title AlphaBravo", "Title Alpha Bravo")


# --- data formats on a terminal, and the exact text elsewhere -----------------------------

HOSTILE_TITLE = "Clip\x1b]52;c;cm0gLXJmIH4=\x07 Title\x1b]0;pwned\x07 Clear\x1b[2J Mark\u061c\u2028\u202eend"


@pytest.fixture(scope="module")
def hostile_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("terminal")
    record = {
        "title": HOSTILE_TITLE,
        "excerpt": "Excerpt\x9b31m\u2029two",
        "webUrl": "https://news.example/a",
        "publishedDateTime": "2021-11-05T10:00:00Z",
        "provider": {"name": "Prov\x1b[31mider", "domain": "news.example"},
    }
    (root / "hostile.json").write_text(json.dumps(record))
    return root


def _run(archive: Path, *args: str, tty: bool) -> bytes:
    result = CliRunner().invoke(
        cli,
        ["--archive", str(archive), "--no-cache", "--color", "never", *args],
        obj={"stdout_tty": tty, "stderr_tty": False, "width": 200, "now": WHEN},
    )
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


DATA_COMMANDS = {
    f"{command}-{format_name}": [command, "--format", format_name]
    for command in ("export", "list", "search")
    for format_name in ("csv", "tsv", "json", "jsonl", "markdown", "html", "opensearch")
} | {"list-json": ["list", "--json"], "search-json": ["search", "clip", "--json"]}


@pytest.mark.parametrize("name", list(DATA_COMMANDS))
def test_data_formats_on_a_terminal_pass_the_terminal_filter(hostile_archive: Path, name: str) -> None:
    args = DATA_COMMANDS[name]
    if args[0] == "search" and "clip" not in args:
        args = [*args, "clip"]
    output = _run(hostile_archive, *args, tty=True).decode("utf-8")
    assert "Clip" in output and "Title" in output
    assert "\x1b" not in output and "\x07" not in output and "\r" not in output
    assert _survivors(output.replace("\t", "")) == []


@pytest.mark.parametrize("format_name", ["csv", "tsv"])
def test_csv_and_tsv_to_a_pipe_keep_the_exact_title(hostile_archive: Path, format_name: str) -> None:
    output = _run(hostile_archive, "export", "--format", format_name, "--fields", "title", tty=False)
    rows = list(
        csv.reader(
            io.StringIO(output.decode("utf-8"), newline=""), delimiter="\t" if format_name == "tsv" else ","
        )
    )
    assert rows == [["title"], [HOSTILE_TITLE]]


def test_csv_to_a_file_keeps_the_exact_title(hostile_archive: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    CliRunner().invoke(
        cli,
        ["--archive", str(hostile_archive), "--no-cache", "export", "--format", "csv", "-o", str(target)],
        obj={"stdout_tty": True, "stderr_tty": True, "now": WHEN},
    )
    assert HOSTILE_TITLE in target.read_bytes().decode("utf-8")


def test_the_terminal_stream_joins_a_crlf_split_between_writes() -> None:
    screen = io.StringIO()
    stream = TerminalStream(screen)
    for piece in ("a,b\r", "\nc\x1b[2J,d\r", "\n", "e\rf\r"):
        stream.write(piece)
    stream.flush()
    assert screen.getvalue() == "a,b\nc,d\ne\nf\n"

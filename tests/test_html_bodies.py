"""HTML bodies and JSON `content` read as text, and which files of an archive are articles.

The fixtures in tests/data/shapes/ are modelled on the files of issue 12: a 42 KB
newsletter saved as `.html` with front matter (head, CSS, layout tables, a tracking
pixel), a WordPress post (`<!-- wp:... -->` comments) named `.html`, a JSON API page
whose records carry their text in `content`, and a shell script beside them.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsarc.archive import Archive
from newsarc.cli import cli
from newsarc.exporters.markdown import markdown_blocks
from newsarc.htmltext import MAX_HTML_CHARS, html_blocks, html_to_plain, html_to_text, looks_like_html
from newsarc.parsing import dispatch, parse_bytes, parse_file

SHAPES = Path(__file__).parent / "data" / "shapes"
GOLDEN = Path(__file__).parent / "golden" / "cli"
NOW = datetime(2021, 12, 20, 12, 0, tzinfo=timezone.utc)
TERMINAL = {"stdout_tty": True, "stderr_tty": False, "width": 100, "now": NOW, "local_zone": timezone.utc}
PIPE = {"stdout_tty": False, "stderr_tty": False, "now": NOW, "local_zone": timezone.utc}

pytestmark = pytest.mark.usefixtures("isolated_environment")


def run(archive: Path, *args: str, terminal: bool = False) -> Result:
    arguments = ["--archive", str(archive), "--no-cache", "--color", "never", "--no-pager", *args]
    return CliRunner().invoke(cli, arguments, obj=TERMINAL if terminal else PIPE)


def newsletter_body() -> str:
    return (SHAPES / "weekly-brief-42.html").read_text(encoding="utf-8").split("---\n", 2)[2]


# --- the conversion ------------------------------------------------------------------------


def test_a_newsletter_reads_as_paragraphs_lists_and_links_without_its_page_furniture() -> None:
    text = html_to_text(newsletter_body())
    for furniture in ("<", "{", "mso", "dataLayer", "@media", "Illustration for story 1 (", "track/open.php"):
        assert furniture not in text
    assert "SenseTime waits" not in text  # the hidden preview line (display:none)
    assert "\n\nThree things we learned this week\n\n• Fine-tuning beats prompting" in text
    assert "• The “AI Act” draft names" in text  # &ldquo; and &rdquo; decoded
    assert "\n1. Register for the webinar.\n2. Bring one question." in text
    assert ("SenseTime postpones its Hong Kong listing after US sanctions (https://www.scmp.com/tech/"
            "big-tech/article/3159893/sensetime-postpones-hong-kong-ipo?utm_source=newsletter&utm_medium=email"
            ) in text
    assert "Unsubscribe (https://example.us20.list-manage.com/unsubscribe?u=4f2a&id=8f3a&e=[UNIQID])" in text
    assert len(text.splitlines()) < 130  # about 1,000 lines of markup before


def test_the_index_gets_the_words_only() -> None:
    plain = html_to_plain(newsletter_body())
    assert "https://" not in plain and "<" not in plain
    assert "Sancho Harker on building a data team from scratch" in plain


@pytest.mark.parametrize(
    ("text", "is_html"),
    [
        ("<!doctype html><html><body><p>x</p></body></html>", True),
        ('<!-- wp:paragraph -->\n<p>Hello</p>\n<!-- /wp:paragraph -->', True),
        ("<p>A paragraph</p>", True),
        ("Text first, then a <table><tr><td>cell</td></tr></table>", True),
        ("A Markdown body with a line<br>break and <sup>1</sup>", False),
        ("Prices rose 3% when x < y and y > z", False),
        ("", False),
    ],
)
def test_what_counts_as_an_html_body(text: str, is_html: bool) -> None:
    assert looks_like_html(text) is is_html


def test_markdown_gets_headings_lists_and_links_escaped() -> None:
    markdown = markdown_blocks(html_blocks(newsletter_body()))
    assert "\n\n### Three things we learned this week\n\n- Fine-tuning beats prompting" in markdown
    assert "\n1. Register for the webinar.\n1. Bring one question." in markdown
    unsubscribe = "https://example.us20.list-manage.com/unsubscribe?u=4f2a&id=8f3a&e=%5BUNIQID%5D"
    assert f"[Unsubscribe]({unsubscribe})" in markdown
    assert "<" not in markdown


HOSTILE = (
    "<p>[bold red]markup[/] &#27;[31mred&#27;[0m &#27;]8;;http://evil.example&#7;click&#27;]8;;&#7; "
    "&#x202e;desrever <b onclick=alert(1)>b</b> &lt;script&gt;alert(2)&lt;/script&gt;</p>"
    "<script>alert(3)</script><style>p{}</style><iframe src=https://evil.example>frame text</iframe>"
    "<p><a href='javascript:alert(4)'>js link</a> <a href=' https://ok.example/a) b'>ok</a> "
    "<img src=x onerror=alert(5) alt='alt](javascript:alert(6))'></p>"
    "<pre>```\n# not a heading</pre><p>- not an item<br>1. nor this</p>"
)


def test_hostile_html_is_inert_on_a_terminal(tmp_path: Path) -> None:
    (tmp_path / "hostile.html").write_text(f"---\ntitle: Hostile\n---\n{HOSTILE}\n", encoding="utf-8")
    result = run(tmp_path, "show", "hostile.html", terminal=True)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "[bold red]markup[/]" in out  # rich markup printed as it is, not applied
    assert "<script>alert(2)</script>" in out  # text that spells a tag stays text
    for gone in ("alert(3)", "p{}", "frame text", "onclick", "javascript:alert(4)", "onerror"):
        assert gone not in out
    assert "js link" in out and "ok (https://ok.example/a)b)" in out


def test_hostile_html_is_inert_in_markdown(tmp_path: Path) -> None:
    markdown = markdown_blocks(html_blocks(HOSTILE))
    assert "\x1b" not in markdown and "\u202e" not in markdown
    assert "<" not in markdown and "](javascript" not in markdown
    assert "[ok](https://ok.example/a%29b)" in markdown
    assert "\\- not an item\\\n1\\. nor this" in markdown
    assert "````\n```\n# not a heading\n````" in markdown  # a fence longer than any inside


def test_markup_of_any_depth_and_length_is_read_in_one_pass() -> None:
    deep = "<svg>" + "<g>" * 20_000 + "</svg><p>after the drawing</p>"
    assert html_to_text(deep) == "after the drawing"
    long = "<p>" + "<b>x</b> " * 20_000 + "</p>"
    assert html_to_text(long) == " ".join(["x"] * 20_000)
    huge = "<p>" + "word " * (MAX_HTML_CHARS // 5 + 10) + "</p>"
    assert html_to_text(huge).endswith("it is over 1,000,000 characters]")


# --- show, search and export ---------------------------------------------------------------


def test_show_of_an_html_body_reads_as_prose_at_100_columns() -> None:
    result = run(SHAPES, "show", "power-apps-wave-2.html", terminal=True)
    assert result.exit_code == 0, result.output
    path = GOLDEN / "show-html-body.txt"
    if os.environ.get("NEWSARC_UPDATE_GOLDEN"):
        path.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == path.read_text(encoding="utf-8"), f"output differs from {path}"


def test_json_content_is_searched_and_shown_as_text() -> None:
    found = run(SHAPES, "search", "sancho harker", "--json")
    assert found.exit_code == 0, found.output
    records = [json.loads(line) for line in found.stdout.splitlines()]
    titles = {record["title"] for record in records}
    assert "Data teams meetup: building from scratch" in titles
    meetup = next(record for record in records if record["path"] == "community-api-page.json")
    assert meetup["content"].startswith("<!-- wp:paragraph -->")  # the lossless form keeps the source
    assert run(SHAPES, "list", "body:warehouse", "has:body", "--json").stdout.count("\n") == 1
    shown = run(SHAPES, "show", meetup["id"], terminal=True)
    assert "Our guest this month is Sancho Harker, who built" in shown.stdout
    assert "1. Hiring the first analyst" in shown.stdout
    assert "Questions welcome & encouraged." in shown.stdout
    assert "<" not in shown.stdout and "wp:" not in shown.stdout


def test_snippets_of_html_bodies_hold_no_markup() -> None:
    result = run(SHAPES, "search", "portals", terminal=True)
    assert result.exit_code == 0
    assert "Power Apps portals" in result.stdout
    assert "<" not in result.stdout and "wp:" not in result.stdout and "&quot;" not in result.stdout


def test_the_markdown_digest_opens_with_the_content_of_a_record_without_excerpt() -> None:
    result = run(SHAPES, "export", "sancho", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "  Our guest this month is Sancho Harker, who built the data team" in result.stdout
    assert "<" not in result.stdout


# --- which files are articles ----------------------------------------------------------------


def test_front_matter_is_read_in_any_file_name_and_the_rest_is_counted(tmp_path: Path) -> None:
    shutil.copytree(SHAPES, tmp_path, dirs_exist_ok=True)
    (tmp_path / "README.md").write_text("# My archive\n", encoding="utf-8")
    (tmp_path / "index.html").write_text("<html><body><p>not an article</p></body></html>", encoding="utf-8")
    (tmp_path / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    listed = run(tmp_path, "list", "--json")
    paths = sorted(json.loads(line)["path"] for line in listed.stdout.splitlines())
    assert paths == ["community-api-page.json", "community-api-page.json", "power-apps-wave-2.html",
                     "weekly-brief-42.html"]
    check = run(tmp_path, "check")
    assert check.exit_code == 0 and check.stdout == ""
    assert "newsarc: 3 files skipped: not articles (--verbose lists them)\n" in check.stderr
    verbose = run(tmp_path, "check", "--verbose")
    assert verbose.stderr.splitlines()[-3:] == [
        "newsarc: skipped README.md: not an article (a project file: README, LICENSE, ...)",
        "newsarc: skipped fetch-newsletters.sh: not an article (a script: it opens with a #! line)",
        "newsarc: skipped index.html: not an article (a page, code or configuration with no front matter)",
    ]
    index = run(tmp_path, "index", "--json")
    assert json.loads(index.stdout)["skipped"] == 3


def test_a_script_with_an_article_name_is_skipped_and_plain_text_still_read() -> None:
    assert parse_bytes(b"#!/usr/bin/env python3\nprint('hi')\n", "fetch").skipped is not None
    result = parse_bytes(b"A title\n\nA body that mentions #! in passing.\n", "note")
    assert [article.title for article in result.articles] == ["A title"]


def test_a_page_without_closed_front_matter_is_skipped_not_a_problem(tmp_path: Path) -> None:
    page = tmp_path / "config.yml"
    page.write_text("---\nsite: example\nlanguage: en\n", encoding="utf-8")
    result = parse_file(page, "config.yml")
    assert result.articles == [] and result.problems == [] and result.skipped


def test_files_the_index_knows_unchanged_are_never_read_again(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(SHAPES, archive)
    index = tmp_path / "index.sqlite"
    with Archive.open(archive, index=index) as first:
        assert first.report.skipped == 1 and first.report.articles == 4
    reads: list[str] = []
    original = dispatch.read_article_file

    def counting(file_path: str | Path, max_bytes: int = dispatch.MAX_FILE_BYTES) -> bytes:
        reads.append(str(file_path))
        return original(file_path, max_bytes)

    monkeypatch.setattr(dispatch, "read_article_file", counting)
    (archive / "new.html").write_text("<p>a page</p>", encoding="utf-8")
    with Archive.open(archive, index=index) as second:
        assert (second.report.added, second.report.skipped, second.report.articles) == (1, 2, 4)
    assert reads == [str(archive / "new.html")]


def test_plain_bodies_and_html_excerpts_read_as_text_in_show_search_and_the_html_digest(tmp_path: Path) -> None:
    (tmp_path / "plain.md").write_text(
        "---\ntitle: Plain body\npublishedDateTime: 2021-12-01T08:00:00Z\n---\n"
        "The board&#8217;s vote came after R&amp;D spending rose.\n", encoding="utf-8")
    (tmp_path / "tagged.md").write_text(
        "---\ntitle: Tagged excerpt\npublishedDateTime: 2021-12-02T08:00:00Z\n"
        "excerpt: '<p>Quarterly <b>results</b> beat forecasts</p>'\n---\n", encoding="utf-8")
    shown = run(tmp_path, "show", "plain.md", terminal=True)
    assert shown.exit_code == 0, shown.output
    assert "board’s vote came after R&D spending" in shown.output
    assert "&#8217;" not in shown.output and "&amp;" not in shown.output
    found = run(tmp_path, "search", "board's", "--json")
    assert [json.loads(line)["title"] for line in found.output.splitlines()] == ["Plain body"]
    page = run(tmp_path, "export", "--format", "html").output
    assert '<p class="excerpt">Quarterly results beat forecasts</p>' in page
    assert "&lt;b&gt;" not in page

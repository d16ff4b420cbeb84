"""The command line through click's CliRunner: stdout, stderr and exit code of every command.

Terminal-like runs (a 100-column terminal, colour off, a fixed clock) are pinned
against golden files in tests/golden/cli/; piped runs are checked as data.
Regenerate the golden files with NEWSARC_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsarc.cli import cli
from newsarc.parsing import article_id

GOLDEN = Path(__file__).parent / "golden" / "cli"
NOW = datetime(2021, 12, 20, 12, 0, tzinfo=timezone.utc)
TERMINAL = {"stdout_tty": True, "stderr_tty": False, "width": 100, "now": NOW, "local_zone": timezone.utc}
PIPE = {"stdout_tty": False, "stderr_tty": False, "now": NOW, "local_zone": timezone.utc}
FT = article_id("000_9d4cac1fec7e3850.txt")
CAIXIN = article_id("002_dae551df292514b4.txt")


pytestmark = pytest.mark.usefixtures("isolated_environment")


def run(seeds_dir: Path, *args: str, terminal: bool = False, archive: Path | None = None) -> Result:
    arguments = ["--archive", str(archive or seeds_dir), "--no-cache", "--color", "never", *args]
    return CliRunner().invoke(cli, arguments, obj=TERMINAL if terminal else PIPE)


def golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("NEWSARC_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"output differs from {path}"


# --- terminal-like runs, pinned ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args", "code"),
    [
        ("list", ["list"], 0),
        ("list-filtered", ["list", "provider:scmp.com", "--fields", "id,date,title,quality,heat"], 0),
        ("list-page", ["list", "--limit", "2", "--offset", "1"], 0),
        ("search-sensetime", ["search", "sensetime"], 0),
        ("search-ipo", ["search", "ipo", "-provider:scmp.com"], 0),
        ("show-caixin", ["show", CAIXIN[:6]], 0),
        ("show-plain", ["show", "001_b48525c721f87d7b.txt"], 0),
        ("related-caixin", ["related", CAIXIN[:6]], 0),
        ("stats-provider", ["stats", "--by", "provider"], 0),
        ("stats-topic", ["stats", "--by", "topic", "--top", "3"], 0),
        ("fields", ["fields"], 0),
        ("check", ["check"], 0),
    ],
)
def test_terminal_output(seeds_dir: Path, name: str, args: list[str], code: int) -> None:
    result = run(seeds_dir, *args, terminal=True)
    assert result.exit_code == code, result.output
    golden(name, result.stdout)


def test_terminal_list_shows_each_article_once_with_a_count(seeds_dir: Path) -> None:
    result = run(seeds_dir, "list", terminal=True)
    assert "5 articles" in result.stdout
    for short_id in (FT[:8], CAIXIN[:8]):
        assert result.stdout.count(short_id) == 1
    assert result.stderr == ""


def test_search_with_no_match_says_so_and_exits_1(seeds_dir: Path) -> None:
    result = run(seeds_dir, "search", "zebrafish", terminal=True)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "newsarc: no articles match 'zebrafish'\n"


# --- piped runs: JSON Lines on stdout, nothing else ---------------------------------------


def json_lines(result: Result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_piped_list_is_json_lines_in_the_export_schema(seeds_dir: Path) -> None:
    result = run(seeds_dir, "list")
    assert result.exit_code == 0
    records = json_lines(result)
    assert [record["path"] for record in records] == [
        "003_b66d24fd8a82dcf1.txt", "002_dae551df292514b4.txt", "000_9d4cac1fec7e3850.txt",
        "004_ebcaaf24fa9088d9.txt", "001_b48525c721f87d7b.txt"]
    assert all(record["schema"] == "newsarc.article/1" for record in records)
    assert records[1]["publishedDateTime"] == "2021-11-23T21:42:00Z"
    assert result.stderr == ""


def test_piped_search_json_and_limit(seeds_dir: Path) -> None:
    result = run(seeds_dir, "search", "ipo", "-provider:scmp.com", "--json")
    assert [record["id"] for record in json_lines(result)] == [CAIXIN]
    limited = run(seeds_dir, "list", "--limit", "2")
    assert len(json_lines(limited)) == 2


def test_shortcut_options_add_qualifiers(seeds_dir: Path) -> None:
    by_provider = run(seeds_dir, "list", "--provider", "South China Morning Post")
    assert len(json_lines(by_provider)) == 2
    by_topic = run(seeds_dir, "list", "--topic", "AI in Healthcare")
    assert [r["path"] for r in json_lines(by_topic)] == ["004_ebcaaf24fa9088d9.txt"]
    by_dates = run(seeds_dir, "list", "--since", "2021-09", "--until", "2021-11")
    assert [r["path"] for r in json_lines(by_dates)] == ["002_dae551df292514b4.txt", "000_9d4cac1fec7e3850.txt"]
    relative = run(seeds_dir, "list", "--since", "30d")
    assert len(json_lines(relative)) == 2
    by_type = run(seeds_dir, "list", "--type", "article", "--sort", "quality", "--limit", "1")
    assert [r["quality"] for r in json_lines(by_type)] == [77]


def test_piped_show_is_one_record(seeds_dir: Path) -> None:
    result = run(seeds_dir, "show", FT[:7])
    (record,) = json_lines(result)
    assert record["title"] == "Can SenseTime become a Chinese AI champion?"
    assert record["related"][0]["provider"] == {"name": "Automotive News", "domain": "autonews.com"}


def test_piped_stats_related_dupes_fields_index(seeds_dir: Path) -> None:
    stats = json_lines(run(seeds_dir, "stats", "--by", "provider"))
    assert stats[0] == {"provider": "South China Morning Post", "count": 2}
    related = json_lines(run(seeds_dir, "related", CAIXIN[:6]))
    assert [item["title"] for item in related][:1] == ["China’s AI giant SenseTime readies Hong Kong IPO"]
    assert all(item["relation"] == "related" for item in related)
    dupes = run(seeds_dir, "dupes")
    assert (dupes.exit_code, dupes.stdout) == (1, "")
    fields = {line["field"] for line in json_lines(run(seeds_dir, "fields"))}
    assert {"provider", "topic", "date", "quality", "has"} <= fields
    index = run(seeds_dir, "index", "--json")
    assert json.loads(index.stdout)["articles"] == 5


def test_format_writes_an_export_format_to_stdout(seeds_dir: Path) -> None:
    result = run(seeds_dir, "list", "provider:scmp.com", "--format", "csv")
    assert result.exit_code == 0
    rows = result.stdout.splitlines()
    assert rows[0].startswith("id,")
    assert len(rows) == 3


# --- errors and exit codes -------------------------------------------------------------


def test_unknown_field_is_a_usage_error_with_a_suggestion(seeds_dir: Path) -> None:
    result = run(seeds_dir, "list", "provder:scmp.com")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "did you mean `provider:`?" in result.stderr


def test_bad_date_is_a_usage_error(seeds_dir: Path) -> None:
    result = run(seeds_dir, "list", "--since", "someday")
    assert result.exit_code == 2
    assert result.stderr.startswith("newsarc: error: --since 'someday'")


def test_unknown_archive_is_a_usage_error(tmp_path: Path, seeds_dir: Path) -> None:
    result = run(seeds_dir, "list", archive=tmp_path / "missing")
    assert result.exit_code == 2
    assert "no archive folder at" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_id_exits_1_with_one_line(seeds_dir: Path) -> None:
    result = run(seeds_dir, "show", "ffffffff")
    assert result.exit_code == 1
    assert result.stderr == "newsarc: no article matches 'ffffffff' (use an id from `newsarc list`)\n"


def test_bad_option_is_a_usage_error(seeds_dir: Path) -> None:
    result = run(seeds_dir, "stats", "--by", "weather")
    assert result.exit_code == 2


def test_check_reports_problems_and_exits_1(tmp_path: Path, seeds_dir: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(seeds_dir, archive)
    (archive / "broken.md").write_text('---\ntitle: ["a list"]\n---\n', encoding="utf-8")
    (archive / "empty.md").write_text("", encoding="utf-8")
    result = run(seeds_dir, "check", archive=archive)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "broken.md:2: 'title' should be text, got a list",
        "empty.md: empty file",
    ]
    assert result.stderr == "newsarc: 5 articles, 2 problem(s) in 2 file(s)\n"
    strict = run(seeds_dir, "--strict", "list", archive=archive)
    assert strict.exit_code == 1
    assert "--strict" in strict.stderr


def test_check_of_the_shared_corpus_is_clean(corpus_dir: Path, seeds_dir: Path) -> None:
    result = run(seeds_dir, "check", archive=corpus_dir)
    assert result.exit_code == 0
    assert result.stderr == "newsarc: 782 articles, 0 problem(s) in 0 file(s)\n"


@pytest.mark.parametrize(("sort", "days"), [
    ([], ["Thursday 30", "Monday 13", "Friday 10"]),
    (["sort:date-asc"], ["Friday 10", "Monday 13", "Thursday 30"]),
])
def test_a_searched_digest_goes_by_day_in_date_order(
        corpus_dir: Path, seeds_dir: Path, sort: list[str], days: list[str]) -> None:
    # A text search comes back by relevance; the digest still reads as a calendar.
    for format_name, heading in (("markdown", r"^## (\w+ \d+) December 2021$"),
                                 ("html", r"<h2[^>]*>(\w+ \d+) December 2021</h2>")):
        result = run(seeds_dir, "export", "sensetime", "date:2021-12", *sort, "--format", format_name,
                     archive=corpus_dir)
        assert result.exit_code == 0
        assert re.findall(heading, result.stdout, re.MULTILINE) == days


def test_quiet_silences_notices(seeds_dir: Path) -> None:
    result = run(seeds_dir, "-q", "check")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


# --- untrusted text stays inert -----------------------------------------------------------


HOSTILE_TITLE = "[bold red]x[/] \x1b[31mred\x1b[0m \x1b]8;;http://evil.example\x07link\x1b]8;;\x07 a\rb \u202eevil"


def test_hostile_title_prints_as_inert_text(tmp_path: Path, seeds_dir: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    escaped = json.dumps(HOSTILE_TITLE)
    (archive / "hostile.md").write_text(f"---\ntitle: {escaped}\nexcerpt: {escaped}\n---\n", encoding="utf-8")
    for args in (["list"], ["search", "red"], ["show", "hostile.md"]):
        result = CliRunner().invoke(cli, ["--archive", str(archive), "--no-cache", "--color", "always", *args],
                                    obj=TERMINAL)
        assert result.exit_code == 0, result.output
        # Remove newsarc's own colours: every escape sequence left would be the title's.
        text = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
        assert "[bold red]x[/]" in text  # markup shown, not applied
        assert "\x1b" not in text and "\x07" not in text and "\r" not in text and "\u202e" not in text
        assert "http://evil" not in text  # the hyperlink target is dropped with its escape


# --- help and configuration ------------------------------------------------------------------


COMMANDS = ["list", "search", "show", "related", "stats", "dupes", "check", "index", "fields", "export", "import",
            "watch"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_a_readme_section(command: str, project_root: Path) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage: newsarc" in result.stdout
    readme = (project_root / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"^### `newsarc {command}", readme, re.MULTILINE), f"README lacks a section on {command}"


def test_config_sets_archive_limit_and_saved_queries(tmp_path: Path, seeds_dir: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "newsarc.toml"
    config.write_text(f'archive = "{seeds_dir}"\nlimit = 1\n[queries]\nscmp = "provider:scmp.com"\n',
                      encoding="utf-8")
    monkeypatch.setenv("NEWSARC_CONFIG", str(config))
    result = CliRunner().invoke(cli, ["--no-cache", "list", "@scmp", "--json"], obj=PIPE)
    assert len(json_lines(result)) == 2
    terminal = CliRunner().invoke(cli, ["--no-cache", "--color", "never", "list", "@scmp"], obj=TERMINAL)
    assert "1-1 of 2 articles" in terminal.stdout
    unknown = CliRunner().invoke(cli, ["--no-cache", "list", "@nope"], obj=PIPE)
    assert unknown.exit_code == 2
    assert "saved queries: @scmp" in unknown.stderr


def test_archive_from_environment(seeds_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSARC_ARCHIVE", str(seeds_dir))
    result = CliRunner().invoke(cli, ["--no-cache", "list"], obj=PIPE)
    assert len(json_lines(result)) == 5


def test_index_is_kept_in_the_cache_between_runs(seeds_dir: Path) -> None:
    first = CliRunner().invoke(cli, ["--archive", str(seeds_dir), "index", "--json"], obj=PIPE)
    second = CliRunner().invoke(cli, ["--archive", str(seeds_dir), "index", "--json"], obj=PIPE)
    assert json.loads(first.stdout)["added"] == 5
    assert json.loads(second.stdout)["added"] == 0
    assert json.loads(second.stdout)["index"].startswith(os.environ["XDG_CACHE_HOME"])


def test_completion_offers_fields_and_archive_values(seeds_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.shell_completion import ShellComplete

    monkeypatch.setenv("NEWSARC_ARCHIVE", str(seeds_dir))

    def complete(*words: str) -> list[str]:
        completer = ShellComplete(cli, {}, "newsarc", "_NEWSARC_COMPLETE")
        return [item.value for item in completer.get_completions(list(words[:-1]), words[-1])]

    assert complete("list", "prov") == ["provider:"]
    assert complete("list", "provider:s") == ["provider:scmp.com"]
    assert complete("search", "topic:ai") == ["topic:AI", 'topic:"AI Hardware"', 'topic:"AI in Healthcare"']
    assert "search" in complete("se")


# --- export and import -----------------------------------------------------------------------


def test_export_to_a_file_refuses_to_overwrite_without_force(tmp_path: Path, seeds_dir: Path) -> None:
    target = tmp_path / "scmp.csv"
    first = run(seeds_dir, "export", "provider:scmp.com", "--format", "csv", "--output", str(target))
    assert first.exit_code == 0
    assert first.stderr == f"newsarc: exported 2 articles to {target}\n"
    assert target.read_text(encoding="utf-8").count("\n") == 3
    target.write_text("keep me", encoding="utf-8")
    again = run(seeds_dir, "export", "--format", "csv", "--output", str(target))
    assert again.exit_code == 2
    assert "already exists (use --force" in again.stderr
    assert target.read_text(encoding="utf-8") == "keep me"
    forced = run(seeds_dir, "export", "--format", "csv", "--output", str(target), "--force")
    assert forced.exit_code == 0
    assert target.read_text(encoding="utf-8").count("\n") == 6


def test_export_never_writes_inside_the_archive(tmp_path: Path, seeds_dir: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(seeds_dir, archive)
    result = run(seeds_dir, "export", "--format", "html", "--output", str(archive / "digest.html"), archive=archive)
    assert result.exit_code == 2
    assert "inside the archive" in result.stderr
    assert not (archive / "digest.html").exists()


def test_export_jsonl_then_import_gives_the_same_articles(tmp_path: Path, seeds_dir: Path) -> None:
    exported = tmp_path / "seeds.jsonl"
    assert run(seeds_dir, "export", "--format", "jsonl", "-o", str(exported)).exit_code == 0
    rebuilt = tmp_path / "rebuilt"
    first = CliRunner().invoke(cli, ["import", str(exported), "--into", str(rebuilt)], obj=PIPE)
    assert (first.exit_code, first.stderr) == (0, f"newsarc: 5 added, 0 skipped, 0 rejected into {rebuilt}\n")
    second = CliRunner().invoke(cli, ["import", str(exported), "--into", str(rebuilt)], obj=PIPE)
    assert second.stderr == f"newsarc: 0 added, 5 skipped, 0 rejected into {rebuilt}\n"
    original = {(r["title"], r.get("publishedDateTime")) for r in json_lines(run(seeds_dir, "list"))}
    again = {(r["title"], r.get("publishedDateTime")) for r in json_lines(run(seeds_dir, "list", archive=rebuilt))}
    assert again == original


def test_export_frontmatter_needs_a_folder(tmp_path: Path, seeds_dir: Path) -> None:
    result = run(seeds_dir, "export", "--format", "frontmatter")
    assert result.exit_code == 2
    assert "--output DIR" in result.stderr
    folder = tmp_path / "out"
    assert run(seeds_dir, "export", "--format", "frontmatter", "-o", str(folder)).exit_code == 0
    assert len(list(folder.iterdir())) == 5


def test_export_mapping_and_stdout(seeds_dir: Path) -> None:
    mapping = json.loads(run(seeds_dir, "export", "--format", "opensearch", "--mapping").stdout)
    assert mapping["mappings"]["properties"]["published"]["type"] == "date"
    bulk = run(seeds_dir, "export", "--format", "elasticsearch", "provider:scmp.com").stdout.splitlines()
    assert len(bulk) == 4 and json.loads(bulk[0])["index"]["_index"] == "newsarc"
    assert run(seeds_dir, "export", "--format", "csv", "--fields", "title").exit_code == 0
    wrong = run(seeds_dir, "export", "--format", "json", "--fields", "title")
    assert wrong.exit_code == 2 and "--fields applies to csv and tsv" in wrong.stderr


def test_import_rejects_what_it_cannot_read(tmp_path: Path) -> None:
    source = tmp_path / "page.jsonl"
    source.write_text('{"title": "ok", "webUrl": "https://a.example/1"}\n{"title": ["bad"]}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(source), "--into", str(tmp_path / "into")], obj=PIPE)
    assert result.exit_code == 1
    assert "rejected" in result.stderr and ":2: 'title' should be text" in result.stderr
    assert "1 added, 0 skipped, 1 rejected" in result.stderr

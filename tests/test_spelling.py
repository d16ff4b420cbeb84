"""Typo rescue and "did you mean" (issue 13): the notice lines on stderr, the results a
rescued query gives (JSON included), and every case in which the query runs as typed.

The archive is made here: twelve articles say "SenseTime", one misspells it "Sensetme";
two say "market share", five more say "make"; one says "zebra", three "zebras".
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsarc.archive import Archive
from newsarc.cli import cli
from newsarc.index.sqlite.vocabulary import one_edit_away
from newsarc.query import parse_query
from newsarc.spelling import Correction, replace_words

NOW = datetime(2021, 12, 20, 12, 0, tzinfo=timezone.utc)
PIPE = {"stdout_tty": False, "stderr_tty": False, "now": NOW, "local_zone": timezone.utc}
TERMINAL = {**PIPE, "stdout_tty": True, "width": 100}
RESCUED = 'newsarc: no match for "senstime"; showing results for "sensetime"\n'

pytestmark = pytest.mark.usefixtures("isolated_environment")


def _article(root: Path, name: str, title: str, body: str, day: int) -> None:
    (root / f"{name}.md").write_text(
        f"---\ntitle: {title}\nprovider: {{name: Example News, domain: example.org}}\n"
        f"publishedDateTime: 2021-11-{day:02d}T10:00:00Z\n---\n{body}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("spelling")
    for number in range(12):
        _article(root, f"sensetime-{number}", f"SenseTime story {number}", "An AI firm.", number + 1)
    _article(root, "typo", "A story with a typo", "Sensetme is spelled wrong here.", 20)
    for number in range(2):
        _article(root, f"market-{number}", f"Market share report {number}", "Their market share grew.", 21)
    for number in range(5):
        _article(root, f"make-{number}", f"How to make it {number}", "Make things.", 22)
    _article(root, "zebra", "Zebra news", "A zebra was seen.", 23)
    for number in range(3):
        _article(root, f"zebras-{number}", f"Zebras {number}", "Stripes.", 24)
    _article(root, "bolt", "Bolt news", "A bolt came loose.", 25)
    for number in range(3):
        _article(root, f"boat-{number}", f"Boat {number}", "Sails.", 26)
    return root


def run(archive_dir: Path, *args: str, terminal: bool = False) -> Result:
    arguments = ["--archive", str(archive_dir), "--no-cache", "--color", "never", *args]
    return CliRunner().invoke(cli, arguments, obj=TERMINAL if terminal else PIPE)


def titles(result: Result) -> list[str]:
    return [json.loads(line)["title"] for line in result.stdout.splitlines()]


# --- rescue -------------------------------------------------------------------------------


def test_a_word_in_no_article_is_rescued_with_one_line_on_stderr(archive_dir: Path) -> None:
    result = run(archive_dir, "search", "senstime", "--limit", "3", terminal=True)
    assert result.exit_code == 0
    assert result.stderr == RESCUED
    assert "SenseTime story" in result.stdout


def test_json_output_carries_the_rescued_results_in_the_article_schema(archive_dir: Path) -> None:
    result = run(archive_dir, "search", "senstime", "--json")
    assert result.exit_code == 0
    assert result.stderr == RESCUED
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 12
    assert {record["schema"] for record in records} == {"newsarc.article/1"}
    assert all(record["title"].startswith("SenseTime story") for record in records)


@pytest.mark.parametrize("command", [["list"], ["export", "-f", "jsonl"], ["list", "--fields", "title"]])
def test_list_and_export_rescue_too(archive_dir: Path, command: list[str]) -> None:
    result = run(archive_dir, *command, "senstime")
    assert result.exit_code == 0
    assert result.stderr == RESCUED
    assert len(result.stdout.splitlines()) == 12


def test_stats_counts_the_rescued_query(archive_dir: Path) -> None:
    result = run(archive_dir, "stats", "senstime", "--json")
    assert result.stderr == RESCUED
    assert json.loads(result.stdout) == {"provider": "Example News", "count": 12}


def test_the_rescue_line_shows_even_with_quiet(archive_dir: Path) -> None:
    result = run(archive_dir, "-q", "list", "senstime")
    assert result.stderr == RESCUED
    assert len(titles(result)) == 12


def test_a_scoped_word_is_rescued_from_its_own_field(archive_dir: Path) -> None:
    result = run(archive_dir, "list", "title:senstime")
    assert result.stderr == RESCUED
    assert len(titles(result)) == 12


def test_of_the_neighbours_the_one_that_finds_something_with_the_other_words_wins(archive_dir: Path) -> None:
    # `make` is in more articles than `market`, but `make share` finds nothing.
    result = run(archive_dir, "list", "maket", "share")
    assert result.stderr == 'newsarc: no match for "maket"; showing results for "market"\n'
    assert sorted(titles(result)) == ["Market share report 0", "Market share report 1"]


# --- when the query runs as typed ----------------------------------------------------------


def test_no_rescue_when_every_word_matches(archive_dir: Path) -> None:
    result = run(archive_dir, "list", "sensetime")
    assert result.stderr == ""
    assert len(titles(result)) == 12


def test_no_rescue_when_the_words_match_but_not_together(archive_dir: Path) -> None:
    # Both words are in articles, never in the same: finding nothing is no typo.
    result = run(archive_dir, "search", "sensetime", "zebra")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "newsarc: no articles match 'sensetime zebra'\n"


def test_no_rescue_without_a_neighbour(archive_dir: Path) -> None:
    result = run(archive_dir, "list", "quokka")
    assert result.exit_code == 1
    assert result.stdout == result.stderr == ""


def test_field_values_are_never_rescued(archive_dir: Path) -> None:
    # No provider is called `sensetim`; the word `sensetime` one edit away is not offered.
    result = run(archive_dir, "list", "provider:sensetim")
    assert result.exit_code == 1
    assert result.stdout == result.stderr == ""


def test_a_rescue_rewrites_searched_words_only() -> None:
    query = parse_query("sensetim provider:sensetim topic:sensetim -sensetim title:sensetim", NOW)
    rescued = replace_words(query, [Correction(None, "sensetim", "sensetime", 12)])
    assert str(rescued) == "sensetime provider:sensetim topic:sensetim -sensetim title:sensetim"


def test_the_word_of_a_prefix_is_not_rescued(archive_dir: Path) -> None:
    # `sensetimx` is one edit from `sensetime`, but `sensetimx*` asks for words beginning so.
    result = run(archive_dir, "list", "sensetimx*")
    assert result.exit_code == 1
    assert result.stdout == result.stderr == ""


# --- did you mean ---------------------------------------------------------------------------


def test_a_rare_word_with_a_much_more_frequent_neighbour_gets_a_did_you_mean(archive_dir: Path) -> None:
    result = run(archive_dir, "list", "sensetme")
    assert result.exit_code == 0
    assert titles(result) == ["A story with a typo"]  # the query runs as typed
    assert result.stderr == 'newsarc: did you mean "sensetime"? (12 articles)\n'


def test_no_did_you_mean_with_quiet(archive_dir: Path) -> None:
    result = run(archive_dir, "-q", "list", "sensetme")
    assert titles(result) == ["A story with a typo"]
    assert result.stderr == ""


def test_no_did_you_mean_when_the_neighbour_is_not_much_more_frequent(archive_dir: Path) -> None:
    # `bolt` (1 article) has `boat` (3 articles) one edit away: not ten times as many.
    result = run(archive_dir, "list", "bolt")
    assert titles(result) == ["Bolt news"]
    assert result.stderr == ""


def test_a_word_found_through_its_stem_is_no_typo(archive_dir: Path) -> None:
    # `zebra` finds the `zebras` articles too (stemming): it is neither rescued nor doubted.
    result = run(archive_dir, "list", "zebra")
    assert sorted(titles(result)) == ["Zebra news", "Zebras 0", "Zebras 1", "Zebras 2"]
    assert result.stderr == ""


# --- the vocabulary -------------------------------------------------------------------------


def test_one_edit_away_covers_drops_additions_changes_and_swaps() -> None:
    spellings = one_edit_away("sensetim")
    assert {"sensetime", "senstim", "sensetin", "snesetim"} <= spellings
    assert "sensetim" not in spellings


def test_the_index_knows_how_many_articles_a_word_finds_and_its_neighbours(archive_dir: Path) -> None:
    with Archive.open(archive_dir, in_memory=True) as archive:
        counts = archive.index.word_articles(["SenseTime", "senstime"], None, 4)
        assert counts == {"SenseTime": 4, "senstime": 0}  # counted up to 4
        assert archive.index.word_articles(["senstime"], "title", 4) == {"senstime": 0}
        neighbours = archive.index.word_neighbours("Sensetim", None)
        assert [(neighbour.word, neighbour.articles) for neighbour in neighbours] == [("sensetime", 12)]

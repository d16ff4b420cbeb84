"""The PostgreSQL backend through the command line: a server URL as the index, the
schema it owns, freshness for clients that do not hold the folder, the refresh lock,
the driver as an extra, and no password in any output."""

from __future__ import annotations

import json
import shutil
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsarc.cli import cli

PIPE = {"stdout_tty": False, "stderr_tty": False}
pytestmark = pytest.mark.usefixtures("isolated_environment")


def run(url: str, *args: str, archive: Path | None = None) -> Result:
    arguments = ["--index", url, "--color", "never", *(["--archive", str(archive)] if archive else []), *args]
    return CliRunner().invoke(cli, arguments, obj=PIPE)


def ids(result: Result) -> list[str]:
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


@pytest.fixture()
def archive(tmp_path: Path, seeds_dir: Path) -> Path:
    copy = tmp_path / "news"
    shutil.copytree(seeds_dir, copy)
    return copy


def test_a_server_url_is_a_server_not_a_folder(pg_url: str, archive: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    indexed = run(pg_url, "index", archive=archive)
    assert indexed.exit_code == 0, indexed.output
    assert not (tmp_path / "postgresql:").exists()
    listed = run(pg_url, "list", archive=archive)
    assert len(ids(listed)) == 5


def test_a_client_without_the_folder_queries_with_relative_paths(pg_url: str, archive: Path,
                                                                  tmp_path: Path) -> None:
    assert run(pg_url, "index", archive=archive).exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    listed = run(pg_url, "list", "provider:scmp.com", archive=elsewhere)
    assert listed.exit_code == 0, listed.output
    paths = sorted(json.loads(line)["path"] for line in listed.stdout.splitlines())
    assert paths == ["003_b66d24fd8a82dcf1.txt", "004_ebcaaf24fa9088d9.txt"]
    shown = run(pg_url, "show", "003_b66d24fd8a82dcf1.txt", archive=elsewhere)
    assert shown.exit_code == 0 and "SenseTime" in shown.stdout
    assert not list(elsewhere.iterdir())  # nothing was written where the client runs


def test_commands_use_the_server_index_as_it_is_and_index_refreshes_it(pg_url: str, archive: Path) -> None:
    assert run(pg_url, "index", archive=archive).exit_code == 0
    (archive / "new.md").write_text("---\ntitle: Zebrafish study\n---\nbody\n", encoding="utf-8")
    assert run(pg_url, "list", "zebrafish", archive=archive).exit_code == 1  # --fresh none by default
    assert len(ids(run(pg_url, "--fresh", "full", "list", "zebrafish", archive=archive))) == 1
    (archive / "new.md").unlink()
    indexed = run(pg_url, "index", "--json", archive=archive)
    assert json.loads(indexed.stdout)["removed"] == 1
    assert run(pg_url, "list", "zebrafish", archive=archive).exit_code == 1


def test_an_empty_server_index_is_not_filled_from_where_a_client_runs(pg_url: str, archive: Path) -> None:
    listed = run(pg_url, "list", archive=archive)
    assert listed.exit_code == 1
    assert "is empty; fill it with `newsarc --index URL --archive FOLDER index`" in listed.stderr
    assert run(pg_url, "--fresh", "none", "stats", archive=archive).exit_code == 1


def test_a_refresh_from_another_folder_is_refused_until_a_rebuild(pg_url: str, archive: Path,
                                                                   tmp_path: Path) -> None:
    assert run(pg_url, "index", archive=archive).exit_code == 0
    other = tmp_path / "other"
    other.mkdir()
    refused = run(pg_url, "index", archive=other)
    assert refused.exit_code == 2
    assert "holds the archive" in refused.stderr and str(archive) in refused.stderr
    assert len(ids(run(pg_url, "list", archive=other))) == 5  # untouched
    assert run(pg_url, "index", "--rebuild", archive=other).exit_code == 0
    assert run(pg_url, "list", archive=other).exit_code == 1  # the empty folder's index


def test_a_database_with_tables_newsarc_did_not_create_is_refused(pg_url: str, archive: Path) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as connection:
        connection.execute("CREATE TABLE articles (name text)")
        connection.execute("INSERT INTO articles VALUES ('theirs')")
    result = run(pg_url, "index", archive=archive)
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("is not a newsarc index; not touching it")
    assert len(result.stderr.strip().splitlines()) == 1
    with psycopg.connect(pg_url) as connection:
        assert connection.execute("SELECT name FROM articles").fetchall() == [("theirs",)]
        tables = {name for (name,) in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")}
    assert tables == {"articles"}


def test_an_index_of_another_version_is_rebuilt_with_a_notice(pg_url: str, archive: Path) -> None:
    import psycopg

    assert run(pg_url, "index", archive=archive).exit_code == 0
    with psycopg.connect(pg_url, autocommit=True) as connection:
        connection.execute("UPDATE newsarc_marker SET version = 0")
    result = run(pg_url, "index", archive=archive)
    assert result.exit_code == 0
    assert "is from another version of newsarc; rebuilding it" in result.stderr
    assert len(ids(run(pg_url, "list", archive=archive))) == 5


def test_a_password_never_appears_in_any_output(pg_server, pg_url: str, archive: Path,  # type: ignore[no-untyped-def]
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "s3cret-Pw"
    with_password = pg_url.replace("postgres@", f"postgres:{secret}@")
    report = run(with_password, "index", "--json", archive=archive)
    assert report.exit_code == 0
    assert json.loads(report.stdout)["index"] == pg_url
    closed_port = f"postgresql://postgres:{secret}@127.0.0.1:1/news"
    failed = run(closed_port, "list", archive=archive)
    assert failed.exit_code == 2
    assert failed.stderr.startswith("newsarc: error: cannot connect to the index server "
                                    "postgresql://postgres@127.0.0.1:1/news")
    monkeypatch.setenv("PGPASSWORD", secret)
    failed_too = run("postgresql://postgres@127.0.0.1:1/news", "list", archive=archive)
    unreadable = run(f"postgresql://postgres:{secret}@[::1/news", "list", archive=archive)  # libpq quotes it
    assert unreadable.exit_code == 2
    for result in (report, failed, failed_too, unreadable):
        assert secret not in result.stdout + result.stderr
        assert len(result.stderr.strip().splitlines()) <= 1


def test_without_the_driver_one_line_names_the_extra(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now fails
    result = run("postgresql://postgres@127.0.0.1:1/news", "list", archive=archive)
    assert result.exit_code == 2
    assert result.stderr == ("newsarc: error: a PostgreSQL index needs the psycopg driver, which is not "
                             "installed (pip install 'newsarc[postgres]')\n")


def test_the_index_may_come_from_the_environment_or_the_config(pg_url: str, archive: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(pg_url, "index", archive=archive).exit_code == 0
    config = tmp_path / "newsarc.toml"
    config.write_text(f'index = "{pg_url}"\n', encoding="utf-8")
    monkeypatch.setenv("NEWSARC_CONFIG", str(config))
    from_config = CliRunner().invoke(cli, ["--archive", str(archive), "list"], obj=PIPE)
    assert len(ids(from_config)) == 5
    monkeypatch.delenv("NEWSARC_CONFIG")
    monkeypatch.setenv("NEWSARC_INDEX", pg_url)
    from_variable = CliRunner().invoke(cli, ["--archive", str(archive), "list", "ipo"], obj=PIPE)
    assert len(ids(from_variable)) == 2


def _hold_lock(url: str, name: str):  # type: ignore[no-untyped-def]
    import psycopg

    from newsarc.index.postgres.schema import LOCK_KEY

    connection = psycopg.connect(url, application_name=name)
    connection.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
    return connection


def test_a_second_refresher_says_who_holds_the_lock(pg_url: str, archive: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import newsarc.index.postgres.refresh as refresh

    assert run(pg_url, "index", archive=archive).exit_code == 0
    (archive / "new.md").write_text("---\ntitle: Zebrafish study\n---\n", encoding="utf-8")
    monkeypatch.setattr(refresh, "LOCK_WAIT_SECONDS", 0.2)
    holder = _hold_lock(pg_url, "the nightly refresh")
    try:
        result = run(pg_url, "index", archive=archive)
    finally:
        holder.close()
    assert result.exit_code == 2
    assert "is being refreshed by the nightly refresh (server pid" in result.stderr
    assert len(ids(run(pg_url, "list", archive=archive))) == 5  # nothing half done


def test_a_second_refresher_waits_for_the_first(pg_url: str, archive: Path) -> None:
    assert run(pg_url, "index", archive=archive).exit_code == 0
    (archive / "new.md").write_text("---\ntitle: Zebrafish study\n---\n", encoding="utf-8")
    holder = _hold_lock(pg_url, "the nightly refresh")
    release = threading.Timer(0.5, holder.close)
    release.start()
    try:
        result = run(pg_url, "index", archive=archive)
    finally:
        release.join()
    assert result.exit_code == 0, result.output
    assert "waited for the refresh by the nightly refresh" in result.stderr
    assert len(ids(run(pg_url, "list", archive=archive))) == 6


def test_cjk_words_match_as_substrings_and_typos_find_indexed_words(pg_url: str, archive: Path) -> None:
    from datetime import datetime, timezone

    from newsarc.archive import Archive
    from newsarc.query import parse_query

    (archive / "cjk.md").write_text("---\ntitle: 商汤科技发布人工智能新平台\n---\n", encoding="utf-8")
    with Archive.open(archive, index=pg_url, fresh="full") as opened:
        page = opened.search(parse_query("人工智能", datetime(2021, 12, 20, tzinfo=timezone.utc)))
        assert [hit.article.path for hit in page.hits] == ["cjk.md"]
        assert opened.index.similar_words("sensetme")[0] == "sensetime"  # type: ignore[attr-defined]


def test_a_typo_is_rescued_and_skipped_files_are_counted_on_a_server_as_on_a_file(pg_url: str,
                                                                                 archive: Path) -> None:
    (archive / "fetch.sh").write_text("#!/bin/sh\ncurl https://example.org\n", encoding="utf-8")
    indexed = run(pg_url, "index", "--json", archive=archive)
    assert json.loads(indexed.stdout)["skipped"] == 1
    # (not "sensetim": the english stemmer makes that of "sensetime", so it matches as typed)
    rescued = run(pg_url, "list", "sensetme", archive=archive)
    typed = run(pg_url, "list", "sensetime", archive=archive)
    assert rescued.exit_code == 0 and ids(rescued) == ids(typed) != []
    assert 'no match for "sensetme"; showing results for "sensetime"' in rescued.stderr


@pytest.mark.parametrize("text", ["harbour cranes", "sort:date", "sort:title"])
def test_equal_articles_come_in_path_order_whatever_order_they_were_indexed_in(
        pg_url: str, tmp_path: Path, text: str) -> None:
    """As on an index file: ties fall to the path, not to the order the server was given them."""
    from datetime import datetime, timezone

    from newsarc.archive import Archive
    from newsarc.query import parse_query

    folder = tmp_path / "tied"
    folder.mkdir()
    body = "---\ntitle: Harbour cranes\nexcerpt: Harbour cranes.\n---\n"
    orders = []
    for names in (["b.md", "c.md"], ["a.md"]):  # a.md is given to the server last
        for name in names:
            (folder / name).write_text(body, encoding="utf-8")
        with Archive.open(folder, index=pg_url, fresh="full") as opened:
            page = opened.search(parse_query(text, datetime(2021, 12, 20, tzinfo=timezone.utc)))
            orders.append([hit.article.path for hit in page.hits])
    assert orders == [["b.md", "c.md"], ["a.md", "b.md", "c.md"]]

"""The PostgreSQL backend under load and faults: eight clients querying while another
process refreshes, a refresh killed midway (SIGKILL), and the server restarted under
running queries. Every client ends cleanly (an answer, or the one-line StoreError the
command line prints), and the next refresh leaves the index equal to the files.

The refreshes are real newsarc processes (one is killed); the eight clients are
threads of this process, each with its own archive and server connection, so that
eight interpreters need not start on a loaded machine.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsarc.archive import Archive
from newsarc.errors import StoreError
from newsarc.query import parse_query

CLIENTS = 8
NEWSARC = [sys.executable, "-m", "newsarc"]
EVERYTHING_NOW = datetime(2021, 12, 20, tzinfo=timezone.utc)
EVERYTHING = parse_query("", EVERYTHING_NOW)


def newsarc(url: str, archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*NEWSARC, "--index", url, "--archive", str(archive), *args], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"})


def start_refresh(url: str, archive: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*NEWSARC, "--index", url, "--archive", str(archive), "index"], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def index(url: str, archive: Path) -> None:
    """A refresh in this process (quicker than starting one on a loaded machine)."""
    Archive.open(archive, index=url, fresh="full").close()


def server_ids(url: str, archive: Path) -> list[str]:
    with Archive.open(archive, index=url, fresh="none") as opened:
        return sorted(article.id for article in opened.iter_articles(EVERYTHING))


def file_ids(archive: Path) -> list[str]:
    """The ids the files hold, read without any server (an in-memory index)."""
    with Archive.open(archive, in_memory=True) as opened:
        return sorted(article.id for article in opened.iter_articles(EVERYTHING))


@pytest.fixture()
def archive(tmp_path: Path, seeds_dir: Path) -> Path:
    """300 articles: the seeds in 60 folders (an id comes from the path, so each is new)."""
    copy = tmp_path / "news"
    for number in range(60):
        shutil.copytree(seeds_dir, copy / "a" / f"{number:02}")
    return copy


def _grow(archive: Path) -> None:
    """As many files again, in a new folder: a refresh with work to do."""
    shutil.copytree(archive / "a", archive / "b")


def _refresh_holds_the_lock(url: str) -> bool:
    import psycopg

    from newsarc.index.postgres.schema import LOCK_KEY

    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s "
                                 "AND granted", (LOCK_KEY,)).fetchone()
    return bool(row and row[0])


class Clients:
    """Eight clients, each querying in a loop with its own connection until told to stop."""

    def __init__(self, url: str, archive: Path) -> None:
        self.url, self.archive = url, archive
        self.stop = threading.Event()
        self.counts: list[int] = []
        self.failures: list[BaseException] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._client) for _ in range(CLIENTS)]
        self.answered = threading.Barrier(CLIENTS + 1)

    def __enter__(self) -> Clients:
        for thread in self.threads:
            thread.start()
        self.answered.wait(timeout=120)  # every client has answered once
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)

    def _client(self) -> None:
        first = True
        while not self.stop.is_set():
            try:
                with Archive.open(self.archive, index=self.url, fresh="none") as opened:
                    while not self.stop.is_set():
                        found = sum(1 for _ in opened.iter_paths(EVERYTHING))
                        page = opened.search(parse_query("sensetime", EVERYTHING_NOW))
                        with self.lock:
                            self.counts.append(found)
                            self.counts.append(page.total)
                        if first:
                            first = False
                            self.answered.wait(timeout=120)
            except StoreError as error:  # what the command line prints as one line
                with self.lock:
                    self.failures.append(error)
                self.stop.wait(0.05)
            except BaseException as error:  # anything else fails the test
                with self.lock:
                    self.failures.append(error)
                raise


def test_eight_clients_query_while_one_refreshes(pg_url: str, archive: Path) -> None:
    index(pg_url, archive)
    before = len(server_ids(pg_url, archive))
    _grow(archive)
    with Clients(pg_url, archive) as clients:
        refresher = start_refresh(pg_url, archive)
        _, err = refresher.communicate(timeout=300)
    assert refresher.returncode == 0, err
    assert clients.failures == []
    # Readers never see half a refresh: the index before it, or after it.
    assert set(clients.counts) <= {before, 2 * before}
    assert server_ids(pg_url, archive) == file_ids(archive)


def test_a_refresh_killed_midway_leaves_the_index_whole(pg_url: str, archive: Path) -> None:
    index(pg_url, archive)
    before = server_ids(pg_url, archive)
    _grow(archive)
    refresher = start_refresh(pg_url, archive)
    try:
        while refresher.poll() is None and not _refresh_holds_the_lock(pg_url):
            threading.Event().wait(0.02)
        assert refresher.poll() is None, "the refresh ended before it could be killed"
        refresher.send_signal(signal.SIGKILL)
        refresher.wait(timeout=60)
    finally:
        if refresher.poll() is None:
            os.killpg(refresher.pid, signal.SIGKILL)
        refresher.communicate(timeout=60)
    assert server_ids(pg_url, archive) == before  # the killed transaction left nothing
    index(pg_url, archive)
    assert server_ids(pg_url, archive) == file_ids(archive)


def test_clients_end_cleanly_when_the_server_restarts_under_them(pg_server, pg_url: str,  # type: ignore[no-untyped-def]
                                                                 archive: Path) -> None:
    index(pg_url, archive)
    with Clients(pg_url, archive) as clients:
        pg_server.stop()
        # A command run while the server is down: exit 2 and one line, no traceback.
        down = newsarc(pg_url, archive, "list")
        pg_server.start()
    assert down.returncode == 2
    assert down.stderr.startswith("newsarc: error: cannot connect to the index server postgresql://")
    assert len(down.stderr.splitlines()) == 1
    # The clients whose queries the restart cut off were told in one line, and went on.
    assert all(isinstance(error, StoreError) for error in clients.failures), clients.failures
    assert all("index server" in str(error) and "\n" not in str(error) for error in clients.failures)
    # The server is back: the next refresh and query answer, the index equal to the files.
    index(pg_url, archive)
    assert server_ids(pg_url, archive) == file_ids(archive)

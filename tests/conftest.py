"""Shared fixtures: where the project's seeds, test data and the shared corpus live."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_ROOT / "seeds"
DATA_DIR = PROJECT_ROOT / "tests" / "data"
# The corpus of real article files is shared between checkouts, beside the project.
CORPUS_DIR = (PROJECT_ROOT / ".." / "shared" / "corpus").resolve()
CORPUS_MISSING = f"the shared corpus is not at {CORPUS_DIR} (expected ../shared/corpus beside the project)"


def corpus_files() -> list[Path]:
    """Every article file of the shared corpus, or none when it is absent."""
    if not CORPUS_DIR.is_dir():
        return []
    return sorted(path for path in CORPUS_DIR.rglob("*") if path.is_file())


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that takes `corpus_file` runs once per corpus file, named by its path."""
    if "corpus_file" not in metafunc.fixturenames:
        return
    files = corpus_files()
    if files:
        ids = [path.relative_to(CORPUS_DIR).as_posix() for path in files]
        metafunc.parametrize("corpus_file", files, ids=ids)
    else:
        skipped = pytest.param(None, marks=pytest.mark.skip(reason=CORPUS_MISSING))
        metafunc.parametrize("corpus_file", [skipped])


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS_DIR


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR


@pytest.fixture(scope="session")
def bad_dir() -> Path:
    return DATA_DIR / "bad"


@pytest.fixture(scope="session")
def good_dir() -> Path:
    return DATA_DIR / "good"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS_DIR.is_dir():
        pytest.skip(CORPUS_MISSING)
    return CORPUS_DIR


@pytest.fixture()
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's config or writes the developer's cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("NEWSARC_ARCHIVE", "NEWSARC_INDEX", "NEWSARC_CONFIG", "NO_COLOR", "FORCE_COLOR", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)


# --- a throwaway PostgreSQL server for the server-backend tests ----------------------------


@pytest.fixture(scope="session")
def pg_server():  # type: ignore[no-untyped-def]
    """One PostgreSQL server for the session (see tests/pgserver.py). Without server
    binaries the tests that use it skip, with one reason; with CI=true they fail."""
    import os

    from pgserver import SKIP_REASON, Server, find_bindir

    bindir = find_bindir()
    reason = SKIP_REASON if bindir is None else None
    try:
        import psycopg  # noqa: F401
    except ImportError:
        reason = "psycopg is not installed (pip install '.[test]' brings it)"
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    assert bindir is not None
    server = Server(bindir)
    try:
        server.init()
        yield server
    finally:
        server.close()


@pytest.fixture()
def pg_url(pg_server) -> str:  # type: ignore[no-untyped-def]
    """The URL of a new, empty database on the session's server."""
    return str(pg_server.new_database())

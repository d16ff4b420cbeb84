"""Article files -> rows ready to insert, parsed in worker processes that an
interrupt ends at once, always.

The workers are not `multiprocessing.Pool`: on Ctrl-C its workers print tracebacks, and its
`terminate()` can wait forever for a result thread blocked on a worker that died
halfway through a send. Here each worker has its own pipe and no helper thread
exists, so stopping is: kill the workers, join them, close the pipes.
"""

from __future__ import annotations

import contextlib
import os
import signal
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ...htmltext import body_source, searchable_text
from ...parsing import parse_file
from ...records import json_text
from ...urls import canonical_url
from .inserts import insert_parsed
from .schema import MARK_END, MARK_START, bare_domain
from .shards import SHARD_FILES, ShardWriter, remove_shards_of

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterator, Sequence
    from pathlib import Path

    from ...model import Article
    from ...parsing import ArticleFile, FileStat

_Task = TypeVar("_Task")
_Result = TypeVar("_Result")

# Tasks sent to a worker at a time, and a bound on their size: a chunk must fit in
# the pipe while the worker is busy sending results, or both sides would wait.
CHUNK_TASKS = 32
CHUNK_BYTES = 32 * 1024
# Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 400


# --- rows for one parsed file (built in worker processes) ------------------------------


@dataclass
class ParsedFile:
    path: str
    stat: FileStat
    rows: list[tuple[Any, ...]]
    problems: list[tuple[int | None, str]]
    skipped: str | None = None  # why the file is not an article (parsing.ParseResult.skipped)


def parse_for_index(article_file: ArticleFile) -> ParsedFile:
    """Parse one file into ready-to-insert rows; runs in worker processes."""
    result = parse_file(article_file.file_path, article_file.path)
    return ParsedFile(
        article_file.path,
        article_file.stat,
        [_article_row(article) for article in result.articles],
        [(problem.line, problem.message) for problem in result.problems],
        result.skipped,
    )


def _article_row(article: Article) -> tuple[Any, ...]:
    # The same link is often written twice (webUrl == originalUrl): canonicalise each once.
    canonical_by_url = {
        url: canonical_url(url)
        for url in (article.web_url, article.original_url, article.amp_web_url, article.cdn_amp_web_url,
                    article.source_url)
        if url
    }
    urls = {canonical for canonical in canonical_by_url.values() if canonical}
    related_links = [(position, canonical_url(item.url)) for position, item in enumerate(article.related)]
    labels = [("topic", topic) for topic in article.topics]
    labels += [("category", value) for value in {article.category, *article.categories} if value]
    labels += [("tag", tag) for tag in article.tags]
    # Stored as JSON text, uncompressed: compressing cost more per file (about 50 us)
    # than parsing its YAML, and piped output writes the text as it is.
    record = json_text(article)
    provider = article.provider
    body = searchable_text(body_source(article))  # HTML (or a JSON `content` field) as its words
    fts = (
        article.title,
        " ; ".join(article.topics),
        searchable_text(article.excerpt),
        body,
        " ".join(filter(None, (provider.name, provider.domain))) if provider else "",
        "\n".join(f"{item.title}\n{item.excerpt}" for item in article.related),
    )
    columns = (
        article.id,
        article.path,
        article.index,
        article.title,
        int(article.published.timestamp()) if article.published else None,
        provider.name if provider else None,
        (provider.domain and bare_domain(provider.domain)) if provider else None,
        article.type,
        article.category or (article.categories[0] if article.categories else None),
        article.locale,
        article.quality,
        article.heat,
        None if article.is_published is None else int(article.is_published),
        int(bool(article.images)),
        int(bool(article.related)),
        int(bool(body.strip())),
        int(article.has_secured),
        article.url,
        canonical_by_url.get(article.url or ""),
        "\x1f".join(article.topics),
    )
    return (
        columns,
        record,
        tuple(_strip_marks(text) for text in fts),
        labels,
        sorted(urls),
        [(position, link) for position, link in related_links if link],
    )


def _strip_marks(text: str) -> str:
    if MARK_START in text or MARK_END in text:
        return text.replace(MARK_START, "").replace(MARK_END, "")
    return text


def parse_all(to_parse: list[ArticleFile], workers: int | None) -> Iterator[ParsedFile]:
    """Parse files, in worker processes when there are enough to be worth it."""
    count = workers if workers is not None else (os.cpu_count() or 1)
    if count <= 1 or len(to_parse) < PARALLEL_THRESHOLD:
        yield from map(parse_for_index, to_parse)
        return
    try:
        parsed = map_unordered(parse_for_index, to_parse, count, size=_task_size)
    except OSError:  # no processes or pipes left: parse here
        yield from map(parse_for_index, to_parse)
        return
    # Closed explicitly, so an error or Ctrl-C in the inserts ends the workers at once.
    with contextlib.closing(parsed):
        yield from parsed


def _task_size(article_file: ArticleFile) -> int:
    return 64 + 2 * (len(article_file.path) + len(article_file.file_path))


def build_shards(to_parse: list[ArticleFile], workers: int, folder: Path,
                 schema: list[str]) -> Generator[tuple[list[str], int], None, None]:
    """Parse files in `workers` processes that write shards in `folder` (see `shards`).

    Yields (finished shards, files parsed since the last yield); each shard is the
    caller's to merge and remove. OSError at once when the workers cannot start.
    However the consumer stops, the workers are killed and joined, and the shards
    not yet handed over are removed, before the iterator finishes.
    """
    started = _start(_shard_work, workers, folder, schema)
    pids = [process.pid for process, _ in started]
    return _shard_results(started, _chunks(to_parse, _task_size, SHARD_CHUNK_BYTES), folder, pids)


# Shard workers answer with a line, not with rows, so each can hold more tasks: work
# enough to stay busy while the index merges a shard (a chunk stays in the pipe's 64 KB).
SHARD_CHUNK_BYTES = 10 * 1024
SHARD_CHUNKS_AHEAD = 10


def _shard_results(started: list[tuple[Any, Any]], chunks: Iterator[list[Any]], folder: Path,
                   pids: list[int]) -> Generator[tuple[list[str], int], None, None]:
    finished = False
    try:
        yield from _run(started, chunks, SHARD_CHUNKS_AHEAD, last=None)
        finished = True
    finally:
        _stop(started)
        if not finished:  # what was handed over is the caller's; the rest goes
            remove_shards_of(folder, pids)


def _shard_work(connection: Any, parents_end: Any, folder: Path, schema: list[str]) -> None:
    _ignore_interrupt(parents_end)
    writer = ShardWriter(folder, schema, insert_parsed)
    try:
        while True:
            try:
                chunk = connection.recv()
            except (EOFError, OSError):  # the parent is gone
                return
            answer: Any
            try:
                if chunk is None:  # no more files: the last shard is done
                    answer = ([path] if (path := writer.finish()) else [], 0)
                else:
                    writer.add([parse_for_index(task) for task in chunk])
                    done = writer.finish() if writer.files >= SHARD_FILES else None
                    answer = ([done] if done else [], len(chunk))
            except Exception as error:  # noqa: BLE001 - raised again in the parent
                answer = error
            try:
                connection.send(answer)
            except OSError:
                return
    finally:
        writer.discard()


# --- the worker processes ---------------------------------------------------------------


class WorkerDied(RuntimeError):
    """A worker process ended without answering (killed, out of memory)."""


def map_unordered(
    function: Callable[[_Task], _Result],
    tasks: Sequence[_Task],
    workers: int,
    size: Callable[[_Task], int] = lambda task: 256,
) -> Generator[_Result, None, None]:
    """`function` over `tasks` in `workers` processes, results in the order they finish.

    The workers start at once: OSError here when they cannot (the caller then works
    alone). However the consumer stops (done, an error, Ctrl-C, or closing the
    iterator), the workers are killed and joined before the iterator finishes.
    Each worker holds at most two chunks of tasks, so memory stays bounded.
    """
    return _results(_start(_work, workers, function), _chunks(tasks, size, CHUNK_BYTES))


def _start(target: Callable[..., None], workers: int, *args: Any) -> list[tuple[Any, Any]]:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    started: list[tuple[Any, Any]] = []
    # SIGINT is blocked while the workers start, so none is interrupted before it has
    # set SIGINT aside; one meant for this process arrives when it is unblocked.
    blocked = _block_interrupt()
    try:
        for _ in range(workers):
            ours, theirs = context.Pipe()
            process = context.Process(target=target, args=(theirs, ours, *args), daemon=True)
            started.append((process, ours))
            try:
                process.start()
            finally:
                theirs.close()
    except BaseException:
        _stop(started)
        raise
    finally:
        if blocked:
            _unblock_interrupt()
    return started


def _results(started: list[tuple[Any, Any]], chunks: Iterator[list[Any]]) -> Generator[Any, None, None]:
    try:
        for results in _run(started, chunks, 2):  # one to work on and one waiting, so no worker idles
            yield from results
    finally:
        _stop(started)


_NOTHING = object()


def _run(started: list[tuple[Any, Any]], chunks: Iterator[list[Any]], ahead: int,
         last: Any = _NOTHING) -> Iterator[Any]:
    """Each answer of the workers, keeping `ahead` chunks sent to each; when the chunks
    run out, each worker is sent `last` (unless left out) and its answer is awaited."""
    from multiprocessing.connection import wait

    outstanding: dict[Any, int] = {}
    for _, connection in started:
        outstanding[connection] = 0
        for _ in range(ahead):
            if _send_next(connection, chunks):
                outstanding[connection] += 1
    told: set[Any] = set()
    while True:
        if last is not _NOTHING:
            for connection, count in outstanding.items():
                if count == 0 and connection not in told:
                    connection.send(last)
                    told.add(connection)
                    outstanding[connection] += 1
        if not any(outstanding.values()):
            return
        ready: list[Any] = wait([c for c, count in outstanding.items() if count])
        for connection in ready:
            try:
                results = connection.recv()
            except (EOFError, OSError):
                raise WorkerDied("a worker process ended without answering") from None
            outstanding[connection] -= 1
            if isinstance(results, Exception):
                raise results
            if connection not in told and _send_next(connection, chunks):
                outstanding[connection] += 1
            yield results


def _send_next(connection: Any, chunks: Iterator[list[Any]]) -> bool:
    chunk = next(chunks, None)
    if chunk is None:
        return False
    connection.send(chunk)
    return True


def _chunks(tasks: Sequence[Any], size: Callable[[Any], int], limit: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    total = 0
    for task in tasks:
        task_size = size(task)
        if chunk and (len(chunk) == CHUNK_TASKS or total + task_size > limit):
            yield chunk
            chunk, total = [], 0
        chunk.append(task)
        total += task_size
    if chunk:
        yield chunk


def _work(connection: Any, parents_end: Any, function: Callable[[Any], Any]) -> None:
    _ignore_interrupt(parents_end)
    while True:
        try:
            chunk = connection.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        try:
            answer: Any = [function(task) for task in chunk]
        except Exception as error:  # noqa: BLE001 - raised again in the parent, as Pool does
            answer = error
        try:
            connection.send(answer)
        except OSError:
            return


def _ignore_interrupt(parents_end: Any) -> None:
    # Ctrl-C reaches every process of the terminal's group: the parent alone answers
    # it (and kills the workers), so no worker prints a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _unblock_interrupt()
    parents_end.close()


def _block_interrupt() -> bool:
    """Block SIGINT; False when it was blocked already (or cannot be)."""
    if not hasattr(signal, "pthread_sigmask"):
        return False
    return signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _unblock_interrupt() -> None:
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _stop(started: list[tuple[Any, Any]]) -> None:
    """Kill the workers (a no-op for those already done) and release their pipes."""
    for process, _ in started:
        if process.is_alive() and process.pid is not None:
            with contextlib.suppress(OSError):
                os.kill(process.pid, signal.SIGKILL)
    for process, connection in started:
        connection.close()
        if process.pid is not None:
            process.join()

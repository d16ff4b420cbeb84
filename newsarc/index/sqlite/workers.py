"""Parsing in worker processes that an interrupt ends at once, always.

Not `multiprocessing.Pool`: on Ctrl-C its workers print tracebacks, and its
`terminate()` can wait forever for a result thread blocked on a worker that died
halfway through a send. Here each worker has its own pipe and no helper thread
exists, so stopping is: kill the workers, join them, close the pipes.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any, TypeVar

_Task = TypeVar("_Task")
_Result = TypeVar("_Result")

# Tasks sent to a worker at a time, and a bound on their size: a chunk must fit in
# the pipe while the worker is busy sending results, or both sides would wait.
CHUNK_TASKS = 32
CHUNK_BYTES = 32 * 1024


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
    return _results(_start(function, workers), _chunks(tasks, size))


def _start(function: Callable[[Any], Any], workers: int) -> list[tuple[Any, Any]]:
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
            process = context.Process(target=_work, args=(function, theirs, ours), daemon=True)
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
        yield from _run(started, chunks)
    finally:
        _stop(started)


def _run(started: list[tuple[Any, Any]], chunks: Iterator[list[Any]]) -> Iterator[Any]:
    from multiprocessing.connection import wait

    outstanding: dict[Any, int] = {}
    for _, connection in started:
        outstanding[connection] = 0
        for _ in range(2):  # one to work on and one waiting, so no worker idles
            if _send_next(connection, chunks):
                outstanding[connection] += 1
    while any(outstanding.values()):
        ready: list[Any] = wait([c for c, count in outstanding.items() if count])
        for connection in ready:
            try:
                results = connection.recv()
            except (EOFError, OSError):
                raise WorkerDied("a worker process ended without answering") from None
            outstanding[connection] -= 1
            if isinstance(results, Exception):
                raise results
            if _send_next(connection, chunks):
                outstanding[connection] += 1
            yield from results


def _send_next(connection: Any, chunks: Iterator[list[Any]]) -> bool:
    chunk = next(chunks, None)
    if chunk is None:
        return False
    connection.send(chunk)
    return True


def _chunks(tasks: Sequence[Any], size: Callable[[Any], int]) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    total = 0
    for task in tasks:
        task_size = size(task)
        if chunk and (len(chunk) == CHUNK_TASKS or total + task_size > CHUNK_BYTES):
            yield chunk
            chunk, total = [], 0
        chunk.append(task)
        total += task_size
    if chunk:
        yield chunk


def _work(function: Callable[[Any], Any], connection: Any, parents_end: Any) -> None:
    # Ctrl-C reaches every process of the terminal's group: the parent alone answers
    # it (and kills the workers), so no worker prints a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _unblock_interrupt()
    parents_end.close()
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

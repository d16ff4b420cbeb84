"""Opening the archive for one command: the progress bar, the refresh's notices,
--strict, and a damaged or unwritable index told in one line."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .exits import CommandExit, ExitCode
from .spelling import tell_spelling

if TYPE_CHECKING:
    from ..archive import Archive
    from ..results import RefreshReport
    from ..spelling import Spelling
    from .environment import Context


@contextmanager
def open_archive(
    context: Context, *, rebuild: bool = False, fresh: str | None = None, lists_problems: bool = False,
    trust_watcher: bool = True, defer_walk: bool = True,
) -> Iterator[Archive]:
    from ..archive import Archive

    settings = context.settings
    assert settings is not None
    progress = _RefreshProgress(context)
    try:
        archive = Archive.open(
            settings.archive,
            index=settings.index,
            in_memory=settings.no_cache,
            fresh=fresh or settings.fresh,
            rebuild=rebuild,
            progress=progress,
            trust_watcher=trust_watcher,
            deferred=defer_walk,
        )
    finally:
        progress.stop()
    try:
        # A deferred refresh reports once its walk has ended, before the first answer is shown.
        archive.when_settled(lambda report, spellings: _report_refresh(context, report, spellings,
                                                                       lists_problems, progress))
        yield archive
    except Exception as error:
        failure = archive.failure(error)  # a damaged or unwritable index: one line, not an internal error
        if failure is None:
            raise
        raise failure from None
    finally:
        archive.close()


def _report_refresh(context: Context, report: RefreshReport, spellings: list[Spelling], lists_problems: bool,
                    progress: _RefreshProgress) -> None:
    progress.stop()  # a refresh made when a deferred one found changes may have shown it
    for message in report.notices:
        context.notice(message)
    for spelling in spellings:  # the queries that refresh changed, which now run rescued
        tell_spelling(context, spelling)
    if report.problems and (report.added or report.changed) and not lists_problems:
        context.notice(f"{report.problems} problem(s) in the archive; `newsarc check` lists them")
    if context.settings is not None and context.settings.strict and report.problems:
        context.warn(f"{report.problems} problem(s) in the archive (--strict); `newsarc check` lists them")
        raise CommandExit(ExitCode.PROBLEMS)


class _RefreshProgress:
    """A progress bar on stderr, shown only when parsing takes more than about a second."""

    DELAY_SECONDS = 1.0

    def __init__(self, context: Context) -> None:
        self.context = context
        self.started = time.monotonic()
        self.progress: Any = None
        self.task: Any = None
        self.enabled = context.environment.stderr_tty and not (context.settings and context.settings.quiet)

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.progress is None:
            if time.monotonic() - self.started < self.DELAY_SECONDS:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.progress = Progress(TextColumn("indexing"), BarColumn(), MofNCompleteColumn(),
                                     TimeRemainingColumn(), console=self.context.console(stderr=True),
                                     transient=True)
            self.progress.start()
            self.task = self.progress.add_task("indexing", total=total)
        self.progress.update(self.task, completed=done, total=total)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()

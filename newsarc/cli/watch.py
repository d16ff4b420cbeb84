"""`newsarc watch`: keep the index fresh while it runs, so other commands skip their walk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from .environment import pass_context
from .options import builds, newsarc_command
from .session import open_archive

if TYPE_CHECKING:
    from ..results import RefreshReport
    from .environment import Context


@dataclass(frozen=True)
class WatchRequest:
    poll: bool


@newsarc_command()
@click.option("--poll", is_flag=True, help="Look every 2 seconds instead of listening for file events.")
@builds(WatchRequest)
@pass_context
def watch(context: Context, request: WatchRequest) -> None:
    """Keep the index fresh as files change, until Ctrl-C.

    While it runs, other commands skip their walk of the archive: they trust the
    index only after the watcher has confirmed it applied every change (and never
    after its event queue overflowed, or once it stopped); otherwise they walk.
    """
    from ..watching import Watcher

    def refreshed(report: RefreshReport) -> None:
        if report.touched:
            context.notice(f"{report.added} added, {report.changed} changed, {report.removed} removed")

    with open_archive(context, trust_watcher=False) as archive:
        watcher = Watcher(archive, poll=request.poll, on_refresh=refreshed, on_error=context.warn)
        how = "listening for file events" if watcher.mode == "inotify" else "polling every 2 seconds"
        context.notice(f"watching {archive.root} ({how}); Ctrl-C stops")
        watcher.run()


COMMANDS = (watch,)

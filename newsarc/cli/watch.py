"""`newsarc watch`: keep the index fresh while it runs, so other commands skip their walk."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from .options import builds, newsarc_command, pass_context
from .session import open_archive

if TYPE_CHECKING:
    from ..results import RefreshReport
    from .environment import Context


@dataclass(frozen=True)
class WatchRequest:
    poll: bool
    warm: bool


@newsarc_command()
@click.option("--poll", is_flag=True, help="Look every 2 seconds instead of listening for file events.")
@click.option("--warm/--no-warm", default=True, show_default=True,
              help="Keep a warm newsarc process that runs other commands without their start-up.")
@builds(WatchRequest)
@pass_context
def watch(context: Context, request: WatchRequest) -> None:
    """Keep the index fresh as files change, until Ctrl-C.

    While it runs, other commands skip their walk of the archive: they trust the
    index only after the watcher has confirmed it applied every change (and never
    after its event queue overflowed, or once it stopped); otherwise they walk.
    With --warm (the default on Linux) a command whose output is not a terminal is
    run by a warm copy of newsarc that has nothing left to import.
    """
    from ..watching import Watcher

    def refreshed(report: RefreshReport) -> None:
        if report.touched:
            context.notice(f"{report.added} added, {report.changed} changed, {report.removed} removed")

    with open_archive(context, trust_watcher=False) as archive:
        watcher = Watcher(archive, poll=request.poll, on_refresh=refreshed, on_error=context.warn)
        how = "listening for file events" if watcher.mode == "inotify" else "polling every 2 seconds"
        context.notice(f"watching {archive.root} ({how}); Ctrl-C stops")
        with warm_server(request.warm):
            watcher.run()


@contextlib.contextmanager
def warm_server(wanted: bool) -> Iterator[None]:
    """Run `newsarc.warmserver` (see `launch.py`) for as long as the block runs: it ends
    when the pipe it is given reads empty, so even a killed watcher takes it down."""
    if not wanted or not sys.platform.startswith("linux"):
        yield
        return
    lifeline, holder = os.pipe()
    # Run from the folder that holds this newsarc package: `-m` looks there first, so the
    # server is this code, never a `newsarc` folder where the watcher happened to start.
    beside = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        # A session of its own: Ctrl-Z or a hang-up on the watcher's terminal does not stop it.
        server = subprocess.Popen([sys.executable, "-m", "newsarc.warmserver", str(lifeline)], cwd=beside,
                                  pass_fds=(lifeline,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  start_new_session=True)
    except OSError:
        server = None
    os.close(lifeline)
    try:
        yield
    finally:
        os.close(holder)
        if server is not None:
            # It stops listening at once, but stays until the commands it runs have ended, to
            # report their exit: never killed, it is left to end on its own.
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(1)


COMMANDS = (watch,)

"""The console script: run the command in a warm newsarc process when a watcher offers one.

A command's own start-up (importing newsarc, click and the index code) costs about
as much as a watched query's answer. While `newsarc watch` runs, it keeps a warm
server (`warmserver.py`): a process that has imported all of newsarc once and forks
a fresh copy of itself for each command. The copy is given this process's argv,
environment, working folder, umask and its standard streams themselves (the open
files, passed over a Unix socket), so what it writes, where, and its exit status are
what this process would have produced; Ctrl-C and `kill` are passed on to it.

The warm path is taken only where nothing can differ: Linux, standard output not a
terminal (a pager needs the terminal as its controlling one), the same Python and
the same newsarc files, in a socket folder only this user can enter. Anything else,
or any failure before the copy starts, runs the command in this process as always.
This module imports nothing beyond what Python has loaded at start-up until a server
answers, so a command with no watcher running pays one `stat` for it.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing's: importing typing costs 15 ms, more than the rest of this module
if TYPE_CHECKING:
    from typing import Any

MAGIC = b"NEWSARC-WARM/1"
HANDSHAKE_SECONDS = 2.0
# A Unix socket's path is at most 107 bytes on Linux; a folder too deep is not used.
LONGEST_SOCKET_PATH = 100
FORWARDED_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2")
STOP_SIGNALS = ("SIGTSTP", "SIGTTIN", "SIGTTOU")
# Whose "ignored" the copy inherits from the client, as an exec'd process would.
INHERITED_SIGNALS = FORWARDED_SIGNALS + STOP_SIGNALS + ("SIGPIPE", "SIGXFSZ", "SIGALRM")


def main() -> int:
    """The `newsarc` console script and `python -m newsarc`."""
    status = run_warm(sys.argv[1:])
    if status is not None:
        return status
    # A piped search or list without click's start-up (cli/piped.py); any other command through click.
    from .cli.piped import run_piped

    status = run_piped(sys.argv[1:])
    if status is not None:
        return status
    from .cli import main as run_here

    return run_here()


def socket_folder() -> str:
    """Where warm servers listen: `$XDG_RUNTIME_DIR/newsarc`, else `/tmp/newsarc-UID`."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(runtime):
        return os.path.join(runtime, "newsarc")
    temporary = os.environ.get("TMPDIR", "")
    return os.path.join(temporary if os.path.isabs(temporary) else "/tmp", f"newsarc-{os.getuid()}")


def is_private(folder: str) -> bool:
    """True when `folder` is a real folder of this user that no one else may enter."""
    try:
        found = os.lstat(folder)
    except OSError:
        return False
    return (found.st_mode & 0o170000 == 0o040000 and found.st_uid == os.getuid()
            and found.st_mode & 0o077 == 0)


def identity() -> dict[str, Any]:
    """What a warm server must share with this process to run its command unchanged: the
    interpreter and how it was started, where imports come from, the locale it set up."""
    return {"executable": sys.executable, "package": os.path.dirname(os.path.abspath(__file__)),
            "version": sys.version, "fsencoding": sys.getfilesystemencoding(), "flags": _flags(),
            "warnoptions": list(sys.warnoptions), "path": sys.path[1:],  # [0]: the script's own folder
            "locale": [os.environ.get(name) for name in ("LC_ALL", "LC_CTYPE", "LANG", "PYTHONHASHSEED")]}


def _flags() -> list[int]:
    """`sys.flags` that change what code does (not -I, -s, -P: where imports come from is
    compared as `sys.path`)."""
    flags = sys.flags
    return [flags.optimize, flags.utf8_mode, flags.dev_mode, flags.bytes_warning, flags.hash_randomization]


def run_warm(argv: list[str], streams: tuple[int, int, int] = (0, 1, 2)) -> int | None:
    """The exit status of `argv` run by a warm server, or None when none took it."""
    if not sys.platform.startswith("linux") or os.environ.get("NEWSARC_WARM") == "0" or "watch" in argv:
        return None
    if sys.stdin is None or sys.stdout is None or sys.stderr is None:  # a closed standard stream
        return None
    folder = socket_folder()
    try:
        if os.isatty(streams[1]) or not is_private(folder):
            return None
        names = sorted(name for name in os.listdir(folder) if name.endswith(".sock"))
    except OSError:
        return None
    for name in names:
        status = _ask(os.path.join(folder, name), argv, streams)
        if status is not None:
            return status
    return None


def _ask(path: str, argv: list[str], streams: tuple[int, int, int]) -> int | None:
    # The C modules themselves: `socket` and `signal` import enum and selectors (10 ms).
    import _signal  # type: ignore[import-not-found]  # (no stub: the C half of `signal`)
    import _socket

    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    blocked = False
    try:
        connection.settimeout(HANDSHAKE_SECONDS)
        connection.connect(path)
        # Our files go only to a server that is running: one that was stopped (Ctrl-Z on
        # the watcher) still queues connections, and would hold our stdout open.
        if _line(connection) != b"H":
            connection.close()
            return None
        here = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
        try:
            _send_with_files(connection, _request(argv), [*streams, here])
        finally:
            os.close(here)
        reply = _line(connection)
        if not reply.startswith(b"R"):
            connection.close()
            return None
        # At once, while the copy waits for our go-ahead: from here on a signal reaches
        # that process, or none once it has ended, never one that took its pid.
        send = signaller(_signal, int(reply[1:]))
        # Until the handlers are in place a signal waits, then reaches the copy.
        _signal.pthread_sigmask(_signal.SIG_BLOCK, _relayed(_signal))
        blocked = True
        _relay_signals(_signal, send)
        connection.sendall(b"G")  # from here on the command runs there, never here too
    except Exception:  # noqa: BLE001 - before the go-ahead, anything at all means: run it here
        connection.close()
        if blocked:
            _restore_signals(_signal)
        return None
    try:
        return _follow(_signal, connection)
    finally:
        connection.close()


def _send_with_files(connection: Any, data: bytes, files: list[int]) -> None:
    import _socket

    rights = b"".join(descriptor.to_bytes(4, sys.byteorder, signed=True) for descriptor in files)
    sent = connection.sendmsg([data], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, rights)])
    connection.sendall(data[sent:])


def _request(argv: list[str]) -> bytes:
    import _signal
    import marshal

    def stream(name: str) -> dict[str, Any]:
        opened = getattr(sys, name)
        return {"encoding": opened.encoding, "errors": opened.errors, "line_buffering": opened.line_buffering,
                "write_through": opened.write_through,
                "unbuffered": type(opened.buffer).__name__ == "FileIO"}  # python -u, PYTHONUNBUFFERED

    ignored = [number for number in (getattr(_signal, name) for name in INHERITED_SIGNALS)
               if _signal.getsignal(number) == _signal.SIG_IGN]  # nohup, a background job of a script
    mask = sorted(int(number) for number in _signal.pthread_sigmask(_signal.SIG_BLOCK, []))
    request = {**identity(), "argv0": sys.argv[0], "argv": list(argv), "env": dict(os.environ),
               "umask": _umask(), "streams": [stream(name) for name in ("stdin", "stdout", "stderr")],
               "ignored": ignored, "mask": mask}
    body = marshal.dumps(request)
    return b"%s %d\n%s" % (MAGIC, len(body), body)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _line(connection: Any) -> bytes:
    """One reply line (without its newline); b"" when the server hung up first."""
    received = b""
    while not received.endswith(b"\n"):
        chunk = connection.recv(64)
        if not chunk:
            return b""
        received += chunk
    return received[:-1]


def _relayed(_signal: Any) -> list[int]:
    """The signals passed on to the copy: those this process does not ignore."""
    names = FORWARDED_SIGNALS + STOP_SIGNALS + ("SIGCONT",)
    return [number for number in (getattr(_signal, name) for name in names)
            if _signal.getsignal(number) != _signal.SIG_IGN]


def signaller(_signal: Any, pid: int) -> Any:
    """A function sending a signal to the process `pid` is now. The server reaps the copy
    before it reports the status, so by pid alone a signal in between could reach a new
    process given the same pid: a pidfd names the process itself (Linux 5.3; by pid where
    the kernel has none)."""
    try:
        descriptor = os.pidfd_open(pid)
    except ProcessLookupError:  # it has ended already: nothing to send to
        return lambda number: None
    except (AttributeError, OSError):
        return lambda number: os.kill(pid, number)
    return lambda number: _signal.pidfd_send_signal(descriptor, number)


def _relay_signals(_signal: Any, send: Any) -> None:
    """Pass each signal on to the copy; a stop (Ctrl-Z) stops the copy, then this process."""
    stops = {getattr(_signal, name) for name in STOP_SIGNALS}

    def relay(number: int, frame: object) -> None:
        try:  # noqa: SIM105 - contextlib is not loaded at start-up: this module imports nothing it need not
            # The copy leads a session of its own, where the kernel drops a terminal's stop
            # signals (an orphaned group): only SIGSTOP stops it.
            send(_signal.SIGSTOP if number in stops else number)
        except OSError:  # it has ended
            pass
        if number in stops:
            os.kill(os.getpid(), _signal.SIGSTOP)

    for number in _relayed(_signal):
        _signal.signal(number, relay)


def _restore_signals(_signal: Any) -> None:
    for number in _relayed(_signal):
        _signal.signal(number, _signal.default_int_handler if number == _signal.SIGINT else _signal.SIG_DFL)
    _signal.pthread_sigmask(_signal.SIG_UNBLOCK, _relayed(_signal))


def _follow(_signal: Any, connection: Any) -> int:
    """Wait for the warm copy's exit status (signals are passed on meanwhile)."""
    _signal.pthread_sigmask(_signal.SIG_UNBLOCK, _relayed(_signal))
    connection.settimeout(None)
    reply = _line(connection)
    if not reply.startswith(b"S"):
        os.write(2, b"newsarc: the warm process serving this command stopped before it ended\n")
        return 70
    status = os.waitstatus_to_exitcode(int(reply[1:]))
    if status < 0:  # it died of a signal: die of the same one, as the command would have here
        if -status not in (_signal.SIGKILL, _signal.SIGSTOP):
            _signal.signal(-status, _signal.SIG_DFL)
            _signal.pthread_sigmask(_signal.SIG_UNBLOCK, [-status])
        os.kill(os.getpid(), -status)
        return 128 - status
    return status

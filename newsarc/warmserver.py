"""The warm server `newsarc watch` keeps: all of newsarc imported once, a fresh fork per command.

Started by the watcher as `python -m newsarc.warmserver FD`, where FD is the read end
of a pipe the watcher holds: when the watcher ends, however it ends, the pipe reads
empty and the server removes its socket and exits. It never opens an index itself
(SQLite's handles must not cross a fork), so every copy starts as a new command
would, only without the imports. See `launch.py` for the other side and the rules.

Each request is checked before anything runs: the peer is this user, it runs the
same Python on the same newsarc files (a copy of older code would answer otherwise
than the files now say: the server then declines and ends), and four open files came
with it. The copy waits for the client's go-ahead, so a client that gave up waiting
never sees its command run twice.
"""

from __future__ import annotations

import contextlib
import io
import marshal
import os
import select
import signal
import socket
import stat
import struct
import sys
import time
import traceback
from collections.abc import Iterator
from typing import Any

from .launch import (
    HANDSHAKE_SECONDS,
    INHERITED_SIGNALS,
    LONGEST_SOCKET_PATH,
    MAGIC,
    identity,
    is_private,
    socket_folder,
)

PACKAGE = os.path.dirname(os.path.abspath(__file__))
# Not imported ahead: this module, the entry points (they run code), optional drivers.
NOT_PRELOADED = ("newsarc.warmserver", "newsarc.__main__", "newsarc.index.postgres")


def serve(lifeline: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the watcher's Ctrl-C ends it through the lifeline
    os.set_inheritable(lifeline, False)
    folder = socket_folder()
    path = os.path.join(folder, f"warm-{os.getpid()}.sock")
    if len(os.fsencode(path)) > LONGEST_SOCKET_PATH or not _private_folder(folder):
        return
    _preload()
    stamp = code_stamp()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    previous = os.umask(0o177)
    try:
        listener.bind(path)
    finally:
        os.umask(previous)
    try:
        listener.listen(64)
        _loop(listener, lifeline, stamp)
    finally:
        if listener.fileno() != -1:
            _stop_listening(listener)


def code_stamp() -> tuple[tuple[str, int, int], ...]:
    """Each newsarc source file's path, size and modification time, and the modification
    time of each folder imports come from (installing or removing a package changes it)."""
    found = []
    for folder, folders, files in os.walk(PACKAGE):
        folders[:] = sorted(name for name in folders if name != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                facts = os.stat(os.path.join(folder, name))
                found.append((os.path.join(folder, name), facts.st_size, facts.st_mtime_ns))
    for folder in sys.path[1:]:
        with contextlib.suppress(OSError):
            found.append((folder, 0, os.stat(folder).st_mtime_ns))
    return tuple(found)


def _private_folder(folder: str) -> bool:
    with contextlib.suppress(FileExistsError):
        os.makedirs(folder, mode=0o700)
    if not is_private(folder):
        return False
    for name in os.listdir(folder):  # sockets left by a server that was killed
        pid = name[len("warm-"):-len(".sock")]
        path = os.path.join(folder, name)
        if (name.startswith("warm-") and name.endswith(".sock") and pid.isdigit() and not _alive(int(pid))
                and stat.S_ISSOCK(os.lstat(path).st_mode)):
            with contextlib.suppress(OSError):
                os.unlink(path)
    return True


# What a copy would inherit from the server rather than from the client, compared in /proc
# (the kernel's own record of the peer, which costs the client nothing): namespaces (a
# container sharing /tmp), control group, resource limits (`ulimit -f`), groups and privileges.
NAMESPACES = ("mnt", "pid", "net", "user", "ipc", "uts", "cgroup")
STATUS_LINES = ("Gid:", "Groups:", "CapEff:", "CapBnd:", "Seccomp:", "NoNewPrivs:")


def same_context(peer: int) -> bool:
    """True when process `peer` runs in this process's namespaces, control group, limits,
    priority, groups and privileges: what a fork of this process would run with."""
    if peer <= 0:  # another pid namespace
        return False
    try:
        return _context(str(peer)) == _context(str(os.getpid()))
    except OSError:
        return False


def _context(pid: str) -> tuple[object, ...]:
    folder = f"/proc/{pid}"
    namespaces = tuple(os.stat(f"{folder}/ns/{name}").st_ino for name in NAMESPACES
                       if os.path.exists(f"{folder}/ns/{name}"))
    with open(f"{folder}/status", encoding="utf-8") as status:
        lines = tuple(line for line in status if line.startswith(STATUS_LINES))
    with open(f"{folder}/cgroup", encoding="utf-8") as cgroup:
        group = cgroup.read()
    with open(f"{folder}/limits", encoding="utf-8") as limits:
        return namespaces, lines, group, limits.read(), os.getpriority(os.PRIO_PROCESS, int(pid))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _preload() -> None:
    import pkgutil

    import newsarc

    for module in pkgutil.walk_packages(newsarc.__path__, "newsarc."):
        if not module.name.startswith(NOT_PRELOADED):
            with contextlib.suppress(ImportError):
                __import__(module.name)


class Copy:
    """One command's fork: its pid, a descriptor that reads when it exits, the client."""

    def __init__(self, pid: int, connection: socket.socket) -> None:
        self.pid, self.connection = pid, connection
        self.exited = os.pidfd_open(pid)

    def close(self) -> None:
        os.close(self.exited)
        self.connection.close()


def _loop(listener: socket.socket, lifeline: int, stamp: object) -> None:
    """Serve until the lifeline reads empty or the code changed; then stop listening, but
    go on reporting to the clients of the copies still running until the last ends."""
    copies: dict[int, Copy] = {}
    # The client's socket is watched for its hang-up alone (POLLRDHUP): its go-ahead
    # byte may still be unread by the copy.
    gone = select.POLLRDHUP | select.POLLHUP | select.POLLERR
    listening = True
    try:
        while listening or copies:
            poller = select.poll()
            if listening:
                poller.register(listener.fileno(), select.POLLIN)
                poller.register(lifeline, select.POLLIN)
            for copy in copies.values():
                poller.register(copy.exited, select.POLLIN)
                poller.register(copy.connection.fileno(), select.POLLRDHUP)
            ready = dict(poller.poll())
            for copy in list(copies.values()):
                if ready.get(copy.exited):
                    _report(copy)
                    del copies[copy.pid]
                elif ready.get(copy.connection.fileno(), 0) & gone:  # the client went: so does its command
                    with contextlib.suppress(OSError):
                        os.kill(copy.pid, signal.SIGTERM)
                        os.kill(copy.pid, signal.SIGCONT)  # a stopped copy would hold the signal
            if listening and (ready.get(lifeline) or (
                    ready.get(listener.fileno()) and not _accept(listener, lifeline, copies, stamp))):
                listening = False
                _stop_listening(listener)
    finally:
        for copy in copies.values():
            copy.close()


def _stop_listening(listener: socket.socket) -> None:
    with contextlib.suppress(OSError):
        os.unlink(listener.getsockname())
    listener.close()


def _report(copy: Copy) -> None:
    _, status = os.waitpid(copy.pid, 0)
    with contextlib.suppress(OSError):
        copy.connection.sendall(b"S%d\n" % status)
    copy.close()


def _accept(listener: socket.socket, lifeline: int, copies: dict[int, Copy], stamp: object) -> bool:
    """Take one request; False when the code on disk changed (the server should end)."""
    connection, _ = listener.accept()
    connection.settimeout(HANDSHAKE_SECONDS)
    request, received = _read_request(connection)
    try:
        if request is None or len(received) != 4:
            connection.close()
            return True
        current = code_stamp() == stamp
        if not current or any(request.get(key) != value for key, value in identity().items()):
            with contextlib.suppress(OSError):
                connection.sendall(b"N\n")
            connection.close()
            return current
        pid = _fork(connection, request, received, [listener.fileno(), lifeline], copies)
        copies[pid] = Copy(pid, connection)
        with contextlib.suppress(OSError):
            connection.sendall(b"R%d\n" % pid)
        return True
    finally:
        for descriptor in received:
            os.close(descriptor)


def _read_request(connection: socket.socket) -> tuple[dict[str, Any] | None, list[int]]:
    """The request of a client that is this user, and the files it passed; (None, files) else."""
    received: list[int] = []
    try:
        credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        peer, uid, _ = struct.unpack("3i", credentials)
        if uid != os.getuid() or not same_context(peer):
            return None, received
        connection.sendall(b"H\n")  # only now does the client pass its files
        data, received, _, _ = socket.recv_fds(connection, 1 << 16, 4)
        header, _, body = data.partition(b"\n")
        magic, _, length = header.partition(b" ")
        if magic != MAGIC or not length.isdigit():
            return None, received
        while len(body) < int(length):
            more = connection.recv(1 << 16)
            if not more:
                return None, received
            body += more
        request = marshal.loads(body)
    except (OSError, ValueError, EOFError, TypeError):
        return None, received
    return (request if isinstance(request, dict) else None), received


def _fork(connection: socket.socket, request: dict[str, Any], received: list[int],
          servers: list[int], copies: dict[int, Copy]) -> int:
    pid = os.fork()
    if pid:
        return pid
    status = 70
    try:
        for descriptor in servers:  # the listener and the lifeline
            os.close(descriptor)
        for copy in copies.values():
            copy.close()
        connection.settimeout(None)
        if connection.recv(1) != b"G":
            os._exit(0)
        connection.close()
        with _as_client(request, received):
            status = _run(request["argv"])
    except BaseException:  # noqa: BLE001 - whatever happens, the copy must not go back to serving
        with contextlib.suppress(Exception):
            traceback.print_exc()
    finally:
        os._exit(status)


@contextlib.contextmanager
def _as_client(request: dict[str, Any], received: list[int]) -> Iterator[None]:
    """Become the client: its streams, folder, umask, environment, argv and signals."""
    # A session of its own, with no controlling terminal: neither the watcher's terminal (its
    # Ctrl-C, its hang-up) nor job control (a watcher started with &, then stderr or stdin on that
    # terminal from a group not in the foreground would stop the copy) reaches it.
    os.setsid()
    for target, descriptor in enumerate(received[:3]):
        os.dup2(descriptor, target)
    os.fchdir(received[3])
    for descriptor in received:
        os.close(descriptor)
    received.clear()
    os.umask(request["umask"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    sys.argv = [request["argv0"], *request["argv"]]
    for number, name in enumerate(("stdin", "stdout", "stderr")):
        opened = _stream(number, request["streams"][number])
        setattr(sys, name, opened)
        setattr(sys, f"__{name}__", opened)
    _inherit_signals(request["ignored"], request["mask"])
    yield


def _inherit_signals(ignored: list[int], mask: list[int]) -> None:
    """The dispositions an exec'd Python would have: the client's ignored signals ignored
    (`nohup`), the rest as Python sets them, and the client's blocked signals blocked."""
    for name in (*INHERITED_SIGNALS, "SIGCHLD"):
        number = getattr(signal, name)
        if number in ignored:
            signal.signal(number, signal.SIG_IGN)
        elif number == signal.SIGINT:
            signal.signal(number, signal.default_int_handler)
        elif name not in ("SIGPIPE", "SIGXFSZ"):  # which Python ignores from its start
            signal.signal(number, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _stream(descriptor: int, facts: dict[str, Any]) -> io.TextIOWrapper:
    """A standard stream as Python makes one: buffered by the file's own block size (but
    stdout and stderr under -u), its file named `<stdout>` and the like."""
    writing = descriptor != 0
    unbuffered = facts["unbuffered"] and writing
    # The process's own standard stream for as long as it runs: no `with`.
    binary: Any = open(descriptor, "wb" if writing else "rb",  # noqa: SIM115
                       buffering=0 if unbuffered else -1, closefd=False)
    raw = binary if unbuffered else binary.raw
    raw.name = ("<stdin>", "<stdout>", "<stderr>")[descriptor]
    text = io.TextIOWrapper(binary, encoding=facts["encoding"], errors=facts["errors"], newline="\n",
                            line_buffering=facts["line_buffering"], write_through=facts["write_through"])
    text.mode = "w" if writing else "r"  # type: ignore[misc]
    return text


def _run(argv: list[str]) -> int:
    """The command's exit status, as `sys.exit(main())` in the console script gives it."""
    from .cli import main as run_here

    try:
        status = run_here(argv)
    except SystemExit as done:
        status = _exit_status(done.code)
    except BaseException:  # noqa: BLE001 - as Python reports an uncaught exception
        traceback.print_exc()
        status = 1
    for opened in (sys.stdout, sys.stderr):
        try:
            opened.flush()
        except (OSError, ValueError):
            status = 120  # what Python returns when flushing its streams fails at exit
    return status


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    serve(int(sys.argv[1]))

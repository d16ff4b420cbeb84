"""The warm server `newsarc watch` keeps (`launch.py`, `warmserver.py`).

Each test runs a real watcher on a copy of the seeds and real `newsarc` client
processes: a served command must write, exit and refuse exactly as one run in its
own process, in the client's folder with its environment; Ctrl-C and a vanished
client must reach it; and anything that could differ (a terminal, another Python,
a watcher gone) is run by the client itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the warm server is Linux's")
pytest.importorskip("inotify_simple")

# The client as the console script runs it, and whether a warm server took the command.
CLIENT = (
    "import os, sys\n"
    "from newsarc.launch import run_warm\n"
    "status = run_warm(sys.argv[1:])\n"
    "with open(os.environ['SERVED_TO'], 'w') as told:\n"
    "    told.write('local' if status is None else 'served')\n"
    "if status is None:\n"
    "    from newsarc.cli import main\n"
    "    status = main()\n"
    "sys.exit(status)\n"
)


class Warm:
    def __init__(self, root: Path, index: Path, runtime: Path, env: dict[str, str]) -> None:
        self.root, self.index, self.runtime, self.env = root, index, runtime, env
        self.watcher: subprocess.Popen[str] | None = None

    @property
    def sockets(self) -> list[str]:
        folder = self.runtime / "newsarc"
        return sorted(os.listdir(folder)) if folder.is_dir() else []

    def start(self, *options: str, cwd: Path | None = None) -> None:
        # -I: as the console script, with no folder of the caller's on the import path
        argv = [sys.executable, "-I", "-m", "newsarc", "--archive", str(self.root), "--index", str(self.index),
                "watch", *options]
        self.watcher = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True, env=self.env, cwd=cwd)
        wait_for(lambda: self.sockets and self.index.exists())

    def client(self, *args: str, served_to: Path, cwd: Path | None = None, env: dict[str, str] | None = None,
               **popen: Any) -> subprocess.Popen[bytes]:
        environment = dict(env or self.env, SERVED_TO=str(served_to))
        return subprocess.Popen([sys.executable, "-c", CLIENT, *args], cwd=cwd or self.root.parent,
                                env=environment, **popen)

    def run(self, *args: str, timeout: float = 120, **options: Any) -> tuple[str, int, str, str]:
        """(who ran it, exit code, stdout, stderr) of one command."""
        served_to = self.root.parent / "served-to"
        process = self.client(*args, served_to=served_to, **{"stdin": subprocess.DEVNULL, "stdout": subprocess.PIPE,
                                                              "stderr": subprocess.PIPE, **options})
        try:
            out, err = process.communicate(timeout=timeout)
        finally:
            if process.poll() is None:
                process.kill()
        return served_to.read_text(), process.returncode, (out or b"").decode(), (err or b"").decode()


def wait_for(condition: object, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.05)
    raise AssertionError("not there in time")


@pytest.fixture()
def warm(tmp_path: Path, seeds_dir: Path) -> Iterator[Warm]:
    root = tmp_path / "archive"
    shutil.copytree(seeds_dir, root)
    # A short folder: a Unix socket's path has at most 107 bytes.
    runtime = Path(tempfile.mkdtemp(prefix="nw", dir="/tmp"))
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_RUNTIME_DIR=str(runtime))
    for name in ("NEWSARC_ARCHIVE", "NEWSARC_INDEX", "NEWSARC_CONFIG", "NEWSARC_WARM", "COLUMNS"):
        env.pop(name, None)
    found = Warm(root, tmp_path / "index.sqlite", runtime, env)
    try:
        yield found
    finally:
        if found.watcher is not None and found.watcher.poll() is None:
            found.watcher.send_signal(signal.SIGINT)
            found.watcher.wait(30)
        shutil.rmtree(runtime, ignore_errors=True)


def _archive(warm: Warm) -> list[str]:
    return ["--archive", str(warm.root), "--index", str(warm.index)]


def test_a_served_command_writes_and_exits_as_one_run_here(warm: Warm) -> None:
    warm.start()
    commands = [["search", "sensetime", "--json"], ["list"], ["show", "7e1e", "--json"], ["stats"],
                ["search", "--bogus", "x"], ["search", "nothingatall"], ["show", "ffffffffff"]]
    for command in commands:
        served = warm.run(*_archive(warm), *command)
        local = warm.run(*_archive(warm), *command, env=dict(warm.env, NEWSARC_WARM="0"))
        assert served[0] == "served" and local[0] == "local", command
        assert served[1:] == local[1:], command
    assert {warm.run(*_archive(warm), *command)[1] for command in commands} == {0, 1, 2}


def test_a_served_command_answers_with_a_change_made_just_before_it(warm: Warm) -> None:
    warm.start()
    wait_for(lambda: warm.run(*_archive(warm), "index", "--json")[2].find('"watched": true') >= 0)
    for number in range(3):
        (warm.root / f"fresh-{number}.md").write_text(f"---\ntitle: Zyxquorp {number}\n---\nbody\n",
                                                      encoding="utf-8")
        ran = warm.run(*_archive(warm), "search", "zyxquorp", "--json")
        assert ran[:2] == ("served", 0), ran
        assert ran[2].count('"title": "Zyxquorp') == number + 1


def test_a_served_command_has_the_clients_folder_environment_and_umask(warm: Warm, tmp_path: Path) -> None:
    warm.start()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(warm.env, NO_COLOR="1", TZ="Asia/Tokyo")
    os.symlink(warm.root, elsewhere / "mine")
    shown = warm.run("--archive", "mine", "--index", str(warm.index), "export", "--format", "csv",
                     "--output", "out.csv", cwd=elsewhere, env=env)
    assert shown[:2] == ("served", 0), shown
    written = elsewhere / "out.csv"
    assert written.exists() and "SenseTime" in written.read_text(encoding="utf-8")
    old_mask = os.umask(0o077)
    try:
        warm.run("--archive", "mine", "--index", str(warm.index), "export", "--format", "csv",
                 "--output", "private.csv", cwd=elsewhere, env=env)
    finally:
        os.umask(old_mask)
    assert (elsewhere / "private.csv").stat().st_mode & 0o077 == 0


def test_a_served_command_tidies_what_a_killed_writer_left_as_one_run_here(warm: Warm, tmp_path: Path) -> None:
    warm.start()
    out = tmp_path / "out"
    out.mkdir()
    left = out / ".digest.csv.deadbeef.tmp"  # left by a writer killed after the server started
    left.write_text("half", encoding="utf-8")
    ran = warm.run(*_archive(warm), "export", "--format", "csv", "--output", str(out / "digest.csv"))
    assert ran[:2] == ("served", 0), ran
    assert not left.exists() and (out / "digest.csv").exists()


def test_a_terminal_is_never_served(warm: Warm) -> None:
    warm.start()
    served_to = warm.root.parent / "served-to"
    controller, terminal = pty.openpty()
    try:
        process = warm.client(*_archive(warm), "--color", "never", "--no-pager", "list",
                              served_to=served_to, stdin=subprocess.DEVNULL, stdout=terminal,
                              stderr=subprocess.DEVNULL)
        os.close(terminal)
        output = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal's other end closed
                break
            if not chunk:
                break
            output += chunk
        assert process.wait(60) == 0
    finally:
        os.close(controller)
    assert served_to.read_text() == "local"
    assert b"SenseTime" in output


def test_the_server_runs_this_newsarc_not_one_in_the_watchers_folder(warm: Warm, tmp_path: Path) -> None:
    impostor = tmp_path / "started-here" / "newsarc"
    impostor.mkdir(parents=True)
    marker = tmp_path / "impostor-ran"
    (impostor / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    warm.start(cwd=impostor.parent)
    assert warm.run(*_archive(warm), "list", "--json")[:2] == ("served", 0)
    assert not marker.exists()


def test_a_watcher_on_a_terminal_does_not_stop_commands_that_write_to_it(warm: Warm) -> None:
    """`newsarc watch &` in a shell whose terminal has `stty tostop`: a served command whose
    stderr is that terminal must not be stopped by job control as a background writer."""
    controller, terminal = pty.openpty()
    modes = termios.tcgetattr(terminal)
    modes[3] |= termios.TOSTOP
    termios.tcsetattr(terminal, termios.TCSANOW, modes)

    def take_the_terminal() -> None:  # the watcher's session gets this terminal as its own
        fcntl.ioctl(terminal, termios.TIOCSCTTY, 0)

    argv = [sys.executable, "-I", "-m", "newsarc", *_archive(warm), "watch"]
    try:
        warm.watcher = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=terminal, env=warm.env, start_new_session=True,
                                        preexec_fn=take_the_terminal)
        wait_for(lambda: warm.sockets and warm.index.exists())
        ran = warm.run(*_archive(warm), "search", "nothingatall", stderr=terminal, timeout=60)
        assert ran[:2] == ("served", 1)
        os.set_blocking(controller, False)
        assert b"no articles match" in os.read(controller, 65536)
    finally:
        os.close(terminal)
        os.close(controller)


def test_another_python_is_not_served(warm: Warm, tmp_path: Path) -> None:
    warm.start()
    other = tmp_path / "python-elsewhere"
    os.symlink(sys.executable, other)
    served_to = tmp_path / "served-to"
    done = subprocess.run([str(other), "-c", CLIENT, *_archive(warm), "list", "--json"], capture_output=True,
                          env=dict(warm.env, SERVED_TO=str(served_to)), timeout=120)
    assert served_to.read_text() == "local"
    assert done.returncode == 0 and b"SenseTime" in done.stdout


def _many_articles(warm: Warm) -> None:
    """Enough articles that `list --json` fills a pipe nobody reads, so the command blocks."""
    seeds = sorted(path for path in warm.root.iterdir() if path.is_file())
    for copy in range(60):
        for seed in seeds:
            shutil.copy(seed, warm.root / f"copy{copy:03d}-{seed.name}")


def test_ctrl_c_reaches_the_served_command(warm: Warm) -> None:
    _many_articles(warm)
    warm.start()
    served_to = warm.root.parent / "served-to"
    reader, writer = os.pipe()
    # Unbuffered (as the served copy must then be too): a buffered stdout would block
    # again in its last flush into the pipe nobody reads, here as in a command run alone.
    env = dict(warm.env, PYTHONUNBUFFERED="1")
    try:
        process = warm.client(*_archive(warm), "list", "--json", served_to=served_to, env=env,
                              stdin=subprocess.DEVNULL, stdout=writer, stderr=subprocess.PIPE)
        os.close(writer)
        wait_for(lambda: len(_holders_of(reader)) == 2)  # the client and the command's copy
        time.sleep(1.0)  # let it fill the pipe and block
        assert process.poll() is None
        process.send_signal(signal.SIGINT)
        err = process.communicate(timeout=60)[1]
    finally:
        os.close(reader)
    assert served_to.read_text() == "served"
    assert process.returncode == 130
    assert b"newsarc: interrupted" in err


def _holders_of(pipe_end: int) -> list[int]:
    """The processes that have the pipe of `pipe_end` open."""
    target = os.readlink(f"/proc/self/fd/{pipe_end}")
    holders = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") == target for fd in os.listdir(f"/proc/{pid}/fd")):
                holders.append(int(pid))
        except OSError:
            continue
    return [pid for pid in holders if pid != os.getpid()]


def test_a_vanished_client_takes_its_command_down(warm: Warm) -> None:
    _many_articles(warm)
    warm.start()
    served_to = warm.root.parent / "served-to"
    reader, writer = os.pipe()
    try:
        process = warm.client(*_archive(warm), "list", "--json", served_to=served_to,
                              stdin=subprocess.DEVNULL, stdout=writer, stderr=subprocess.DEVNULL)
        os.close(writer)
        wait_for(lambda: len(_holders_of(reader)) == 2)  # the client and the command's copy
        time.sleep(1.0)
        process.kill()
        process.wait()
        wait_for(lambda: not _holders_of(reader), seconds=30)
    finally:
        os.close(reader)


def test_the_server_ends_with_its_watcher_however_it_ends(warm: Warm) -> None:
    warm.start()
    assert warm.sockets
    assert warm.watcher is not None
    warm.watcher.kill()  # no chance to tidy: the server sees its lifeline close
    warm.watcher.wait()
    wait_for(lambda: not warm.sockets, seconds=30)
    ran = warm.run(*_archive(warm), "list", "--json")
    assert ran[:2] == ("local", 0)


def test_no_warm_starts_no_server(warm: Warm) -> None:
    argv = [sys.executable, "-m", "newsarc", *_archive(warm), "watch", "--no-warm"]
    warm.watcher = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True, env=warm.env)
    wait_for(lambda: warm.index.exists())
    time.sleep(1.0)
    assert not warm.sockets
    assert warm.run(*_archive(warm), "list")[0] == "local"


# --- what a hostile review found -----------------------------------------------------------


def _server_pid(warm: Warm) -> int:
    return int(warm.sockets[0].removeprefix("warm-").removesuffix(".sock"))


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0]


def _blocked_client(warm: Warm, reader_writer: tuple[int, int], **popen: Any) -> subprocess.Popen[bytes]:
    """A served `list --json` blocked writing into a pipe the test reads only later."""
    reader, writer = reader_writer
    process = warm.client(*_archive(warm), "list", "--json", served_to=warm.root.parent / "served-to",
                          env=dict(warm.env, PYTHONUNBUFFERED="1"), stdin=subprocess.DEVNULL, stdout=writer,
                          stderr=subprocess.PIPE, **popen)
    os.close(writer)
    wait_for(lambda: len(_holders_of(reader)) == 2)  # the client and the command's copy
    return process


def _drain(reader: int) -> int:
    total = 0
    while chunk := os.read(reader, 1 << 16):
        total += len(chunk)
    return total


def test_a_stopped_server_holds_no_command(warm: Warm) -> None:
    warm.start()
    server = _server_pid(warm)
    os.kill(server, signal.SIGSTOP)
    try:
        ran = warm.run(*_archive(warm), "list", "--json", timeout=60)
    finally:
        os.kill(server, signal.SIGCONT)
    assert ran[:2] == ("local", 0) and "SenseTime" in ran[2]


def test_commands_running_when_the_watcher_stops_finish_and_report(warm: Warm) -> None:
    _many_articles(warm)
    warm.start()
    expected = len(warm.run(*_archive(warm), "list", "--json", env=dict(warm.env, NEWSARC_WARM="0"))[2].encode())
    reader, writer = os.pipe()
    try:
        process = _blocked_client(warm, (reader, writer))
        assert warm.watcher is not None
        warm.watcher.send_signal(signal.SIGINT)
        warm.watcher.wait(30)
        wait_for(lambda: not warm.sockets)
        assert _drain(reader) == expected
    finally:
        os.close(reader)
    assert process.wait(60) == 0


def test_a_signal_the_client_ignores_is_ignored_by_its_command(warm: Warm) -> None:
    _many_articles(warm)
    warm.start()
    reader, writer = os.pipe()
    try:
        process = _blocked_client(warm, (reader, writer),
                                  preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))  # nohup
        process.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        _drain(reader)
    finally:
        os.close(reader)
    assert process.wait(60) == 0
    assert (warm.root.parent / "served-to").read_text() == "served"


def test_ctrl_z_stops_the_served_command_and_fg_resumes_it(warm: Warm) -> None:
    _many_articles(warm)
    warm.start()
    reader, writer = os.pipe()
    try:
        process = _blocked_client(warm, (reader, writer))
        copy = next(pid for pid in _holders_of(reader) if pid != process.pid)
        process.send_signal(signal.SIGTSTP)
        wait_for(lambda: _state(process.pid) == "T" and _state(copy) == "T", seconds=30)
        os.set_blocking(reader, False)
        with contextlib.suppress(BlockingIOError):
            os.read(reader, 1 << 20)  # room in the pipe: a stopped command must not use it
        os.set_blocking(reader, True)
        time.sleep(0.5)
        assert _state(copy) == "T"
        process.send_signal(signal.SIGCONT)
        _drain(reader)
    finally:
        os.close(reader)
    assert process.wait(60) == 0


def test_a_command_under_other_limits_is_not_served(warm: Warm) -> None:
    import resource

    warm.start()
    limit = 1 << 20

    def lower_the_file_size_limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    ran = warm.run(*_archive(warm), "list", "--json", preexec_fn=lower_the_file_size_limit)
    assert ran[:2] == ("local", 0)


def test_a_closed_standard_input_runs_the_command_here(warm: Warm) -> None:
    warm.start()
    ran = warm.run(*_archive(warm), "list", "--json", preexec_fn=lambda: os.close(0))
    assert ran[:2] == ("local", 0) and "SenseTime" in ran[2] and "Traceback" not in ran[3]


def _process_at(pid: int) -> subprocess.Popen[bytes] | None:
    """A new process given `pid` (through ns_last_pid, which only root may set), or None."""
    for _ in range(20):
        try:
            with open("/proc/sys/kernel/ns_last_pid", "w") as last:
                last.write(str(pid - 1))
        except OSError:
            return None
        process = subprocess.Popen(["sleep", "30"])
        if process.pid == pid:
            return process
        process.kill()
        process.wait()
    return None


def test_a_signal_relayed_after_the_copy_ended_reaches_no_other_process() -> None:
    import _signal  # type: ignore[import-not-found]

    from newsarc.launch import signaller

    copy = subprocess.Popen(["sleep", "30"])
    send = signaller(_signal, copy.pid)  # as the client does while the copy waits for its go-ahead
    copy.kill()
    copy.wait()  # reaped, as the server does before it reports the status: the pid is free
    stranger = _process_at(copy.pid)
    if stranger is None:
        pytest.skip("cannot give a new process a chosen pid here (ns_last_pid needs root)")
    try:
        with contextlib.suppress(OSError):
            send(signal.SIGTERM)  # Ctrl-C arriving between the reap and the status
        time.sleep(0.2)
        assert stranger.poll() is None, "the signal reached a process that only has the copy's pid"
    finally:
        stranger.kill()
        stranger.wait()

"""Writing a file so that it is there whole or not at all, even across a power cut.

A file is written under a hidden temporary name beside its target
(`.NAME.XXXXXXXX.tmp`, which an archive walk skips), flushed and fsynced,
and only then renamed into place; the folder is fsynced after the rename, so the
rename itself survives a crash. On any error the temporary file is removed and
the target is left as it was. Only regular files are ever replaced: a device
node, a named pipe or a socket under the target name is an error.

A process killed mid-write (SIGKILL, power cut) cannot remove its temporary
file; `remove_stale_temporaries` does it on the next write into that folder.
Each writer holds an exclusive `flock` on its temporary file, so a file is
stale exactly when nobody holds that lock (the kernel drops it with its process).

Shared by the exporters and by `importing`, which both sit above this module.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from .errors import ExportError

try:
    import fcntl
except ImportError:  # Windows: no flock, so no way to prove a temporary file stale
    fcntl = None  # type: ignore[assignment]

# `.` + the target's name (at most 100 characters) + `.` + 8 hex digits + `.tmp`:
# the names `temporary_name` makes, and the only names the cleaner removes.
TEMPORARY_NAME = re.compile(r"\..{1,100}\.[0-9a-f]{8}\.tmp", re.DOTALL)
# A temporary file created after this process started may belong to a writer that
# has not taken its lock yet; only older ones are candidates for removal.
_STARTED_NS = time.time_ns()


def _restart_clock() -> None:
    """A forked process starts now (the warm server's copies become new commands)."""
    global _STARTED_NS
    _STARTED_NS = time.time_ns()


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_restart_clock)

_FILE_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


class TargetExists(FileExistsError):
    """The target appeared while its temporary file was being written."""


def temporary_name(target_name: str) -> str:
    return f".{target_name[:100]}.{secrets.token_hex(4)}.tmp"


def require_regular_or_missing(path: Path) -> None:
    """ExportError unless `path` is missing or (after links) a regular file: newsarc
    never replaces a device, a pipe or a socket with a regular file."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return  # missing, or a dangling link: what replaces it is ours
    except OSError as error:
        raise ExportError(f"cannot write {path}: {error.strerror or error}") from None
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")
    raise ExportError(f"{path} is {kind}", hint="newsarc writes only regular files, or stdout")


@contextlib.contextmanager
def atomic_text(target: Path, *, replace: bool, sync_folder: bool = True) -> Iterator[TextIO]:
    """A UTF-8 stream whose content becomes `target` when the block ends without error.

    With `replace` false an existing target is never overwritten (TargetExists);
    with it true, only a regular file is (ExportError otherwise). With
    `sync_folder` false the caller fsyncs the folder itself (`fsync_folder`), once
    for many files.
    """
    target = Path(target)
    if replace:
        require_regular_or_missing(target)
    temporary, stream = _open_temporary(target)
    try:
        with stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())  # the data is on disk before the name points at it
            if fcntl is None:
                stream.close()  # Windows renames no open file (and there is no lock to keep)
            # Renamed while still open and locked, so no cleaner can take it for stale.
            _publish(temporary, target, replace=replace)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if sync_folder:
        fsync_folder(target.parent)


def write_file(folder: Path, name: str, text: str, *, replace: bool, sync_folder: bool = True) -> Path:
    """Write `text` to `folder/name` atomically (see `atomic_text`). `name` must be a
    bare file name."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
        raise ExportError(f"{name!r} is not a safe file name")
    target = Path(folder) / name
    with atomic_text(target, replace=replace, sync_folder=sync_folder) as stream:
        stream.write(text)
    return target


def fsync_folder(folder: Path) -> None:
    """Make the renames in `folder` durable. Where folders cannot be opened or
    fsynced (Windows, some network file systems) there is nothing more to do."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def remove_stale_temporaries(folder: Path) -> int:
    """Remove the temporary files newsarc left in `folder` when it was killed mid-write;
    returns how many. Only names of newsarc's own pattern, only regular files, only
    ones older than this process whose lock nobody holds."""
    if fcntl is None:
        return 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    removed = 0
    for name in names:
        if name.startswith(".") and TEMPORARY_NAME.fullmatch(name) and _remove_if_stale(Path(folder) / name):
            removed += 1
    return removed


def _remove_if_stale(path: Path) -> bool:
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False  # gone meanwhile, a link, or not ours to read
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_mtime_ns >= _STARTED_NS:
            return False
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # a live writer holds it (or the file system has no locks)
        # Still the same file under that name? Then nobody can be writing it.
        current = os.lstat(path)
        if (current.st_dev, current.st_ino) != (info.st_dev, info.st_ino):
            return False
        path.unlink()
        return True
    except OSError:
        return False
    finally:
        os.close(descriptor)


def _open_temporary(target: Path) -> tuple[Path, TextIO]:
    """A new, locked file beside `target`, open for writing."""
    for _ in range(100):
        temporary = target.with_name(temporary_name(target.name))
        try:
            # O_EXCL: never reuse a name someone else holds; mode 0o666 lets the umask decide.
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        if fcntl is not None:
            with contextlib.suppress(OSError):  # no locks here: the file is then never "stale"
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # newline="": CSV writes its own CRLF, and nothing else wants translation.
        return temporary, os.fdopen(descriptor, "w", encoding="utf-8", newline="")
    raise ExportError(f"cannot create a temporary file beside {target}")


def _publish(temporary: Path, target: Path, *, replace: bool) -> None:
    if replace:
        require_regular_or_missing(target)  # again: it may have changed while we wrote
        os.replace(temporary, target)
        return
    # A hard link fails if the target appeared meanwhile, where a rename would
    # silently replace it; file systems without links fall back to a checked rename.
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise TargetExists(target) from None
    except OSError:
        if os.path.lexists(target):
            raise TargetExists(target) from None
        os.replace(temporary, target)
        return
    temporary.unlink()

"""Writing export output safely: never over a file by surprise, never into the
archive being read, never a half-written file under the final name.

Each file is written under a temporary name beside its target and renamed
into place only once complete; on any error the temporary file is removed and
the target is left as it was.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from ..errors import ExportError

_FORCE_HINT = "use --force to replace it"


@contextlib.contextmanager
def open_output(path: Path, *, force: bool, archive_root: Path | None) -> Iterator[TextIO]:
    """A UTF-8 text stream whose content becomes `path` when the block ends without error.

    Raises ExportError when `path` exists and `force` is false, is a folder, lies
    inside `archive_root`, or its folder does not exist.
    """
    path = Path(path)
    _refuse_inside_archive(path, archive_root)
    if path.is_dir():
        raise ExportError(f"{path} is a folder", hint="give a file name for the output")
    if not force and (path.exists() or path.is_symlink()):
        raise ExportError(f"{path} already exists", hint=_FORCE_HINT)
    _require_folder(path.parent)
    try:
        with _atomic(path, replace=force) as stream:
            yield stream
    except _TargetExists:  # created by someone else while we wrote
        raise ExportError(f"{path} already exists", hint=_FORCE_HINT) from None


@contextlib.contextmanager
def open_folder(path: Path, *, force: bool, archive_root: Path | None) -> Iterator[Path]:
    """The folder `path`, created if missing, for a writer that writes one file per
    article (each with `write_file`). Raises ExportError when it is not empty and
    `force` is false, is a file, or lies inside `archive_root`."""
    path = Path(path)
    _refuse_inside_archive(path, archive_root)
    if path.exists() and not path.is_dir():
        raise ExportError(f"{path} is a file, not a folder", hint="give a folder name for the output")
    if path.is_dir() and not force and any(path.iterdir()):
        raise ExportError(f"folder {path} is not empty", hint="use --force to write into it")
    _require_folder(path.parent)
    path.mkdir(exist_ok=True)
    yield path


def write_file(folder: Path, name: str, text: str, *, replace: bool) -> Path:
    """Write `text` to `folder/name` atomically; with `replace` false an existing
    file is never overwritten (FileExistsError). `name` must be a bare file name."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
        raise ExportError(f"{name!r} is not a safe file name")
    target = folder / name
    with _atomic(target, replace=replace) as stream:
        stream.write(text)
    return target


class _TargetExists(FileExistsError):
    """The target appeared while its temporary file was being written."""


@contextlib.contextmanager
def _atomic(target: Path, *, replace: bool) -> Iterator[TextIO]:
    """A stream to a temporary file that becomes `target` if the block succeeds
    and is removed if it fails."""
    temporary, stream = _open_temporary(target)
    try:
        with stream:
            yield stream
        _publish(temporary, target, replace=replace)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _refuse_inside_archive(path: Path, archive_root: Path | None) -> None:
    # Output inside the archive would be read back as articles on the next run.
    if archive_root is None:
        return
    target = path.resolve()
    root = Path(archive_root).resolve()
    if target == root or target.is_relative_to(root):
        raise ExportError(
            f"{path} is inside the archive being exported ({archive_root})",
            hint="write the output outside the archive folder",
        )


def _require_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise ExportError(f"folder {folder} does not exist", hint="create it first")


def _open_temporary(target: Path) -> tuple[Path, TextIO]:
    """A new file beside `target`, hidden so an archive walk skips it, open for writing."""
    for _ in range(100):
        temporary = target.with_name(f".{target.name[:100]}.{secrets.token_hex(4)}.tmp")
        try:
            # O_EXCL: never reuse a name someone else holds; mode 0o666 lets the umask decide.
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        # newline="": CSV writes its own CRLF, and nothing else wants translation.
        return temporary, os.fdopen(descriptor, "w", encoding="utf-8", newline="")
    raise ExportError(f"cannot create a temporary file beside {target}")


def _publish(temporary: Path, target: Path, *, replace: bool) -> None:
    if replace:
        os.replace(temporary, target)
        return
    # A hard link fails if the target appeared meanwhile, where a rename would
    # silently replace it; file systems without links fall back to a checked rename.
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise _TargetExists(target) from None
    except OSError:
        if target.exists():
            raise _TargetExists(target) from None
        os.replace(temporary, target)
        return
    temporary.unlink()

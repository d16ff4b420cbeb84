"""Where export output may go: never over a file by surprise, never into what the
archive walk reads, never anything but a regular file, never half-written.

The writing itself is `safewrite`'s: a temporary file beside the target, fsynced,
renamed into place, the folder fsynced. Before writing into a folder, the
temporary files an earlier, killed newsarc left there are removed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from ..errors import ExportError
from ..safewrite import TargetExists, atomic_text, remove_stale_temporaries, require_regular_or_missing

_FORCE_HINT = "use --force to replace it"


@contextlib.contextmanager
def open_output(path: Path, *, force: bool, archive_root: Path | None) -> Iterator[TextIO]:
    """A UTF-8 text stream whose content becomes `path` when the block ends without error.

    Raises ExportError when `path` exists and `force` is false, is a folder, a
    device, a pipe or a socket, lies inside what the walk of `archive_root`
    reaches, or its folder does not exist.
    """
    path = Path(path)
    _refuse_inside_archive(path, archive_root)
    if path.is_dir():
        raise ExportError(f"{path} is a folder", hint="give a file name for the output")
    _require_folder(path.parent)
    require_regular_or_missing(path)
    if not force and (path.exists() or path.is_symlink()):
        raise ExportError(f"{path} already exists", hint=_FORCE_HINT)
    remove_stale_temporaries(path.parent)
    try:
        with atomic_text(path, replace=force) as stream:
            yield stream
    except TargetExists:  # created by someone else while we wrote
        raise ExportError(f"{path} already exists", hint=_FORCE_HINT) from None


@contextlib.contextmanager
def open_folder(path: Path, *, force: bool, archive_root: Path | None) -> Iterator[Path]:
    """The folder `path`, created if missing, for a writer that writes one file per
    article (each with `safewrite.write_file`). Raises ExportError when it is not
    empty and `force` is false, is a file, or lies inside what the walk of
    `archive_root` reaches."""
    path = Path(path)
    _refuse_inside_archive(path, archive_root)
    if path.exists() and not path.is_dir():
        raise ExportError(f"{path} is a file, not a folder", hint="give a folder name for the output")
    _require_folder(path.parent)
    if path.is_dir():
        remove_stale_temporaries(path)  # before the emptiness check: they are not the user's
    if path.is_dir() and not force and any(path.iterdir()):
        raise ExportError(f"folder {path} is not empty", hint="use --force to write into it")
    path.mkdir(exist_ok=True)
    yield path


def _refuse_inside_archive(path: Path, archive_root: Path | None) -> None:
    # Output inside the archive would be read back as articles on the next run,
    # and the walk follows folder links: a folder it reaches through one is inside too.
    if archive_root is None:
        return
    target = path.resolve()
    root = Path(archive_root).resolve()
    if target == root or target.is_relative_to(root) or _reached_by_walk(target, root):
        raise ExportError(
            f"{path} is inside the archive being exported ({archive_root})",
            hint="write the output outside the archive folder",
        )


def _reached_by_walk(target: Path, root: Path) -> bool:
    """Whether `target`, or a folder above it, is a folder the archive walk visits,
    following folder links as `files.scan_archive` does."""
    ancestors: set[tuple[int, int]] = set()
    for above in (target, *target.parents):
        with contextlib.suppress(OSError):
            info = above.stat()
            ancestors.add((info.st_dev, info.st_ino))
    try:
        root_info = root.stat()
    except OSError:
        return False
    seen = {(root_info.st_dev, root_info.st_ino)}
    pending = [os.fspath(root)]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            # Hidden folders, as the walk skips them. The few other names the walk
            # skips (node_modules, ...) are walked here: refusing a little more is safe.
            if entry.name.startswith("."):
                continue
            try:
                if not entry.is_dir():
                    continue
                info = entry.stat()
            except OSError:
                continue
            key = (info.st_dev, info.st_ino)
            if key in ancestors:
                return True
            if key not in seen:
                seen.add(key)
                pending.append(entry.path)
    return False


def _require_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise ExportError(f"folder {folder} does not exist", hint="create it first")

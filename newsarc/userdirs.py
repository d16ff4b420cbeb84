"""The user's config and cache folders for newsarc, as platformdirs names them.

On Linux the answer is the XDG rule (`$XDG_CONFIG_HOME/newsarc`, else
`~/.config/newsarc`; the same for the cache), read here: importing platformdirs
(tempfile, shutil, random behind it) costs every command about 10 ms, more than
the rest of a `--fresh none` search's own start-up. Whatever the rule leaves open
(another system, Android, a relative `$XDG_*_HOME` or `$HOME`, which platformdirs
versions read differently) is asked of platformdirs itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "newsarc"


def config_folder() -> Path:
    """Where newsarc.toml is looked for."""
    found = _xdg_folder("XDG_CONFIG_HOME", ".config")
    if found is not None:
        return found
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME))


def cache_folder() -> Path:
    """Where the indexes live by default (in its `indexes` folder)."""
    found = _xdg_folder("XDG_CACHE_HOME", ".cache")
    if found is not None:
        return found
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME))


def _xdg_folder(variable: str, under_home: str) -> Path | None:
    """The XDG folder of newsarc when the rule decides it alone, else None."""
    if sys.platform != "linux" or hasattr(sys, "getandroidapilevel") or "ANDROID_DATA" in os.environ:
        return None
    base = os.environ.get(variable, "")
    if not base:
        home = os.environ.get("HOME", "")
        base = os.path.join(home, under_home) if os.path.isabs(home) else ""
    return Path(base, APP_NAME) if os.path.isabs(base) else None

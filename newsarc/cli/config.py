"""The global options and the optional newsarc.toml, frozen into one `Settings`.

The config file may set `archive`, `index`, `fresh`, `limit` and `[queries]`, the saved
queries a QUERY names as `@name`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import QueryError
from ..index import FRESHNESS_MODES, default_freshness
from ..slotted import FrozenRecord
from ..userdirs import config_folder

if TYPE_CHECKING:
    from .environment import Environment


# A NamedTuple, not a frozen dataclass: see arguments.OptionTable.
class GlobalOptions(NamedTuple):
    """The group's options as typed (before the environment and config fill the gaps)."""

    archive_path: str | None
    index_path: str | None
    no_cache: bool
    fresh: str | None
    color: str
    no_pager: bool
    quiet: bool
    strict: bool
    debug: bool


class Settings(FrozenRecord):
    """The global options, frozen once the command line is read."""

    __slots__ = ("archive", "index", "no_cache", "fresh", "fresh_given", "color", "quiet", "debug", "strict",
                 "pager", "default_limit", "saved_queries")
    archive: str
    index: str | None
    no_cache: bool
    fresh: str
    # Whether --fresh or the config file chose `fresh` (else it is the index's default).
    fresh_given: bool
    color: str
    quiet: bool
    debug: bool
    strict: bool
    pager: bool
    default_limit: int
    saved_queries: Mapping[str, str]

    def __init__(self, archive: str, index: str | None, no_cache: bool, fresh: str, fresh_given: bool,
                 color: str, quiet: bool, debug: bool, strict: bool, pager: bool, default_limit: int,
                 saved_queries: Mapping[str, str] | None = None) -> None:
        self._init(archive, index, no_cache, fresh, fresh_given, color, quiet, debug, strict, pager,
                   default_limit, {} if saved_queries is None else saved_queries)


def read_settings(options: GlobalOptions, environment: Environment) -> Settings:
    """The options, then $NEWSARC_ARCHIVE / $NEWSARC_INDEX, then the config file, then defaults."""
    config = load_config(environment)
    variables = environment.variables
    index = options.index_path or variables.get("NEWSARC_INDEX") or config.get("index") or None
    settings = Settings(
        archive=options.archive_path or variables.get("NEWSARC_ARCHIVE") or str(config.get("archive", ".")),
        index=None if index is None else str(index),
        no_cache=options.no_cache,
        fresh=options.fresh or str(config.get("fresh", default_freshness(index))),
        fresh_given=options.fresh is not None or "fresh" in config,
        color=options.color,
        quiet=options.quiet,
        debug=options.debug,
        strict=options.strict,
        pager=not options.no_pager,
        default_limit=int(config.get("limit", 20)),
        saved_queries={str(k): str(v) for k, v in dict(config.get("queries", {})).items()},
    )
    # click has checked --fresh; only the config file's value is left to check.
    if options.fresh is None and "fresh" in config and settings.fresh not in FRESHNESS_MODES:
        raise _usage_error(f"config: fresh must be one of {', '.join(FRESHNESS_MODES)}")
    return settings


def load_config(environment: Environment) -> dict[str, Any]:
    """The optional newsarc.toml in the XDG config folder (or NEWSARC_CONFIG)."""
    path_text = environment.variables.get("NEWSARC_CONFIG")
    path = Path(path_text) if path_text else config_folder() / "newsarc.toml"
    if not path.is_file():
        return {}
    # Only a config file that exists pays for the TOML parser.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        import tomli as tomllib
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise _usage_error(f"{path}: cannot read config: {error}") from None


def _usage_error(message: str) -> Exception:
    # click only for the error: the piped path reads the settings without it (and
    # leaves any error to the click path, which tells it as any usage error).
    import click

    return click.UsageError(message)


def expand_saved(words: Sequence[str], saved: Mapping[str, str]) -> list[str]:
    """The query words with each `@name` replaced by the saved query, in parentheses."""
    expanded: list[str] = []
    for word in words:
        if word.startswith("@") and len(word) > 1:
            if word[1:] not in saved:
                known = ", ".join("@" + name for name in sorted(saved)) or "none are saved"
                raise QueryError(f"no saved query {word}", hint=f"saved queries: {known}")
            expanded.append(f"({saved[word[1:]]})")
        else:
            expanded.append(word)
    return expanded

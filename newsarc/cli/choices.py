"""Choice lists and help text the library declares, read from it when first needed.

The CLI spells none of them again; reading them lazily keeps `newsarc --help`, a Tab
and `newsarc import` from importing the archive and the index just to list them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click


class LibraryChoice(click.Choice):
    """A choice list the library declares, read on first use: starting newsarc (for
    --help, a Tab, `import`) does not import the archive and the index to check it."""

    def __init__(self, load: Callable[[], Sequence[str]]) -> None:
        # Not click.Choice.__init__: it would read the choices now. `choices` is set on first use.
        self._load = load
        self.case_sensitive = True

    def __getattr__(self, name: str) -> Any:
        if name != "choices":
            raise AttributeError(name)
        self.choices = tuple(self._load())
        return self.choices


class LibraryHelpOption(click.Option):
    """An option whose help text is built from the library only when help is shown."""

    def __init__(self, *args: Any, help_from: Callable[[], str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._help_from = help_from

    def get_help_record(self, click_context: click.Context) -> tuple[str, str] | None:
        self.help = self._help_from()
        return super().get_help_record(click_context)


def freshness_modes() -> Sequence[str]:
    # From the index package, not the archive: click reads these while it parses --fresh,
    # and the archive (the query language, the model) is not needed for that.
    from ..index import FRESHNESS_MODES

    return FRESHNESS_MODES


def stats_dimensions() -> Sequence[str]:
    from ..archive import STATS_DIMENSIONS

    return STATS_DIMENSIONS


def sort_help() -> str:
    from ..query import SORT_KEYS

    return f"{', '.join(SORT_KEYS[:-1])} or {SORT_KEYS[-1]}."

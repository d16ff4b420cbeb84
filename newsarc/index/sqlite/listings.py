"""The folder listings of the last walk, as the index keeps them (one meta value): a
walk lists again only the folders whose own stat moved."""

from __future__ import annotations

import marshal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...parsing import Listing


def encode_listings(listings: dict[str, Listing]) -> bytes:
    from ...parsing.walk import classification_key

    # Version 2, the last before marshal keeps a table of every object it writes (to
    # write one seen twice as a reference): with an entry for each name of the archive,
    # it was 5 MB of a cold build's peak at 100,000 files (loading takes 5% longer).
    return marshal.dumps((classification_key(), listings), 2)


def decode_listings(stored: object) -> dict[str, Listing]:
    """The folder listings of the last walk; none when they are missing or unreadable
    (the walk then lists every folder, as it always could)."""
    if not isinstance(stored, bytes):
        return {}
    try:
        key, listings = marshal.loads(stored)
    except (EOFError, ValueError, TypeError):
        return {}
    from ...parsing.walk import classification_key

    # Listings kept under other classification rules would hide files those rules skipped.
    return listings if key == classification_key() and isinstance(listings, dict) else {}

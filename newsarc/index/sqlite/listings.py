"""The folder listings of the last walk, as the index keeps them (one meta value): a
walk lists again only the folders whose own stat moved."""

from __future__ import annotations

import marshal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...parsing import Listing


def encode_listings(listings: dict[str, Listing]) -> bytes:
    from ...parsing.walk import classification_key

    return marshal.dumps((classification_key(), listings))


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

"""User text quoted in messages, cut to a length a person can read.

A cell may hold 32,767 characters and a sheet title or zip part name
thousands; a message that echoes them whole buries the point it makes.
"""

from __future__ import annotations

QUOTE_LIMIT = 60
ELLIPSIS = "\u2026"


def shortened(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` cut to at most ``limit`` characters, ending in an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + ELLIPSIS


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``value`` as a message shows it: text in quotes, anything else as its repr, both cut."""
    if isinstance(value, str):
        return repr(shortened(value, limit))
    return shortened(repr(value), limit)

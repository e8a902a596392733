"""One formula per row: every period's formula text from the second period's.

A row has the same formula across the timeline, the first period included
(the FAST Standard): only the column letters move. Where a row reads the
period before, a first-period flag chooses the opening value, and the first
period's "previous" column is the empty column left of the timeline. So a
row's text is built once, with each period's column written as a marker, and
turned into a template.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_MARK = re.compile("\x01([0-9]+)\x02")


def marked_column(t: int) -> str:
    """Stands for period ``t``'s column letters while a template is being built."""
    return f"\x01{t}\x02"


def template(marked: str) -> str | None:
    """A ``str.format`` template of a second-period text: {0} the previous column, {1} its own.

    None when the text refers to other periods, which a shifted copy could not express.
    """
    pieces = _MARK.split(marked)
    out = []
    for n, piece in enumerate(pieces):
        if n % 2 == 0:
            out.append(piece.replace("{", "{{").replace("}", "}}"))
        elif piece in ("0", "1"):
            out.append("{" + piece + "}")
        else:
            return None
    return "".join(out)


class RowTexts:
    """Formula texts of one export's rows, keyed by their marked second-period text.

    Scenario sheets share most of their layout, so a row's texts are filled in
    once and reused on the other sheets of the same workbook.
    """

    def __init__(self, letters: Sequence[str], before: str) -> None:
        """``letters`` name the timeline's columns; ``before`` the column left of it."""
        self.letters = list(letters)
        self.before = before
        self._seen: dict[str, list[str]] = {}

    def texts(self, marked: str) -> list[str] | None:
        """Every period's text, or None when ``marked`` cannot be shifted (see :func:`template`)."""
        known = self._seen.get(marked)
        if known is None:
            pattern = template(marked)
            if pattern is None:
                return None
            previous = [self.before, *self.letters[:-1]]
            known = self._seen[marked] = [
                pattern.format(left, own) for left, own in zip(previous, self.letters, strict=True)
            ]
        return known

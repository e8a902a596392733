"""One formula per row: every period's formula text from the second period's.

A row has the same formula across the timeline (the FAST Standard); from the
second period on only the column letters move, and the first period differs
only where it reads the period before. So a row's text is built once, with
each period's column written as a marker, and turned into a template.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

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

    def __init__(self, letters: Sequence[str]) -> None:
        self.letters = list(letters)
        self._seen: dict[str, tuple[str | None, list[str]]] = {}

    def texts(self, marked: str, first: Callable[[], str]) -> list[str] | None:
        """Every period's text; ``first()`` builds the first period's when it reads the one before.

        None when ``marked`` cannot be shifted (see :func:`template`).
        """
        known = self._seen.get(marked)
        if known is None:
            pattern = template(marked)
            if pattern is None:
                return None
            letters = self.letters
            later = [pattern.format(letters[t - 1], letters[t]) for t in range(1, len(letters))]
            # Without a reference to the period before, the first period reads the same.
            alone = None if "{0}" in pattern else pattern.format("", letters[0])
            known = self._seen[marked] = (alone, later)
        alone, later = known
        return [first() if alone is None else alone, *later]

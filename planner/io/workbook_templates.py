"""One formula per row: every period's formula text from the second period's.

A row has the same formula across the timeline (the FAST Standard); from the
second period on only the column letters move, and the first period differs
only where it reads the period before. So a row's text is built once, with
each period's column written as a marker, and turned into a template.

Such a row is what Excel calls a shared formula: one master text, the other
cells of the range reading it with their column references moved by their
offset. A row is only written that way when moving the master's references
gives exactly each cell's own text (see :func:`shifts_exactly`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

_MARK = re.compile("\x01([0-9]+)\x02")
# String literals and quoted sheet names: their letters and digits are no references.
_QUOTED = re.compile("\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*'")
# A period column followed by its row (relative or fixed): moves as a shared formula moves it.
_PERIOD_REF = re.compile("\x01[01]\x02\\$?[0-9]+")
# Anything that could be a column reference without "$": Excel would move it, the template not.
_LOOSE_COLUMN = re.compile(r"(?<![$A-Za-z0-9_.])[A-Za-z]{1,3}(?:\$?[0-9]|:)")


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


def shifts_exactly(marked: str) -> bool:
    """Whether filling ``marked`` right changes only its period columns, as the template does.

    The period columns must be relative and carry a row; every other column
    reference must be absolute. Whatever merely looks like a relative column
    (a function name with digits, say) also refuses: a refusal only costs size.
    """
    rest = _QUOTED.sub(" ", marked)
    if "$\x01" in rest:
        return False
    rest = _PERIOD_REF.sub(" ", rest)
    return "\x01" not in rest and _LOOSE_COLUMN.search(rest) is None


class PeriodTexts(NamedTuple):
    """Every period's formula text, and the first period of the row's shared formula, if any."""

    texts: list[str]
    shared_from: int | None


class RowTexts:
    """Formula texts of one export's rows, keyed by their marked second-period text.

    Scenario sheets share most of their layout, so a row's texts are filled in
    once and reused on the other sheets of the same workbook.
    """

    def __init__(self, letters: Sequence[str]) -> None:
        self.letters = list(letters)
        self._seen: dict[str, tuple[str | None, list[str], int | None]] = {}

    def texts(self, marked: str, first: Callable[[], str]) -> PeriodTexts | None:
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
            start = 1 if alone is None else 0
            shared = start if len(letters) - start > 1 and shifts_exactly(marked) else None
            known = self._seen[marked] = (alone, later, shared)
        alone, later, shared = known
        return PeriodTexts([first() if alone is None else alone, *later], shared)

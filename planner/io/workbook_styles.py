"""Cell styles of an exported workbook, in the FAST Standard's spirit.

Inputs are blue on light yellow, a scenario's own overrides blue on light
orange, links to the base scenario's inputs green, calculations black.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

INPUT_FILL = "#FFF2CC"
OVERRIDE_FILL = "#F8CBAD"
INPUT_FONT = "#0000FF"
LINK_FONT = "#00803C"
HEADER_FILL = "#D9E1F2"
SECTION_FILL = "#1F3864"
# Height in points of one line of the default 11-point font.
LINE_HEIGHT = 15.0

_STYLES: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14},
    "subtitle": {"italic": True, "font_color": "#595959"},
    "header": {"bold": True, "bg_color": HEADER_FILL, "bottom": 1},
    "table_header": {
        "bold": True,
        "bg_color": HEADER_FILL,
        "bottom": 1,
        "text_wrap": True,
        "valign": "bottom",
        "align": "right",
    },
    "period": {"bold": True, "bg_color": HEADER_FILL, "bottom": 1, "align": "right"},
    "section": {"bold": True, "font_color": "#FFFFFF", "bg_color": SECTION_FILL},
    "group": {"bold": True, "italic": True},
    "label": {},
    "override_label": {"bg_color": OVERRIDE_FILL},
    "muted": {"font_color": "#7F7F7F"},
    "unit": {"font_color": "#595959"},
    "ident": {"font_color": "#7F7F7F", "font_size": 9},
    "input": {
        "font_color": INPUT_FONT,
        "bg_color": INPUT_FILL,
        "border": 1,
        "border_color": "#BFBFBF",
    },
    "override": {
        "font_color": INPUT_FONT,
        "bg_color": OVERRIDE_FILL,
        "border": 1,
        "border_color": "#BFBFBF",
    },
    "input_text": {"font_color": INPUT_FONT, "bg_color": INPUT_FILL},
    "override_text": {"font_color": INPUT_FONT, "bg_color": OVERRIDE_FILL},
    "link": {"font_color": LINK_FONT},
    "calc": {},
    "timeline": {"font_color": "#7F7F7F", "num_format": "0"},
    # Numbers and words such as "never" alike, so neighbouring scenarios never run together.
    "kpi": {"bold": True, "align": "right"},
    "wrap": {"text_wrap": True, "valign": "top"},
}


def wrapped_lines(text: str, width: float) -> int:
    """About how many lines ``text`` takes wrapped in a column ``width`` characters wide."""
    # A width counts digits; the default proportional font fits about a tenth more letters.
    per_line = max(1, int(width * 1.1))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def wrapped_row_height(texts: Sequence[str], widths: Sequence[float]) -> float:
    """A row height in points that shows every wrapped cell of the row in full."""
    lines = max(
        (wrapped_lines(text, width) for text, width in zip(texts, widths, strict=True)),
        default=1,
    )
    return LINE_HEIGHT * lines


class Styles:
    """Formats of one XlsxWriter workbook, created once and shared by every sheet."""

    def __init__(self, workbook: Any) -> None:
        self._workbook = workbook
        self._cache: dict[tuple[str, str | None], Any] = {}

    def __getitem__(self, name: str) -> Any:
        made = self._cache.get((name, None))
        return self.get(name, None) if made is None else made

    def get(self, name: str, num_format: str | None) -> Any:
        """The style ``name`` with ``num_format``; each combination is made once."""
        key = (name, num_format)
        made = self._cache.get(key)
        if made is None:
            props = dict(_STYLES[name])
            if num_format is not None:
                props["num_format"] = num_format
            made = self._cache[key] = self._workbook.add_format(props)
        return made

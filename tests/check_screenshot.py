"""Check that a ``--screenshot`` PNG shows a window: big enough and not one flat colour.

``python -m tests.check_screenshot OUT.png``; exit status 1 with the reason otherwise.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QGuiApplication, QImage

MIN_SIZE = (800, 600)
# A rendered window has text, charts and tables: many colours. A blank grab has one or two.
MIN_COLOURS = 50


def problem(path: str) -> str | None:
    image = QImage(path)
    if image.isNull():
        return f"{path} is missing or not an image"
    if image.width() < MIN_SIZE[0] or image.height() < MIN_SIZE[1]:
        return f"{path} is only {image.width()}x{image.height()}"
    step = 7
    colours = {
        image.pixel(x, y)
        for y in range(0, image.height(), step)
        for x in range(0, image.width(), step)
    }
    if len(colours) < MIN_COLOURS:
        return f"{path} looks blank: {len(colours)} colours"
    return None


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: check_screenshot.py OUT.png", file=sys.stderr)
        return 2
    app = QGuiApplication(sys.argv[:1])
    reason = problem(sys.argv[1])
    del app
    if reason:
        print(f"screenshot check failed: {reason}", file=sys.stderr)
        return 1
    print(f"screenshot ok: {sys.argv[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

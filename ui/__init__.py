"""The desktop window: Qt widgets, table models and charts over the planner."""

from ui.qt_fixes import install as _install_qt_fixes

_install_qt_fixes()

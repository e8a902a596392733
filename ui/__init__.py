"""The desktop window: Qt widgets, table models and charts over the planner."""

# The planner (pydantic, numpy) is imported before Qt on purpose: PySide6 inspects the
# source of every module imported after it, which costs start-up time for nothing here.
import planner.io.project_file  # noqa: F401

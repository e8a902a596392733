import pytest

from planner.builtin import builtin_project
from planner.model import Project


@pytest.fixture
def builtin() -> Project:
    return builtin_project()

"""The built-in project is built without validation: it must be what validation gives."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from planner.builtin import BUILTIN_PATH, builtin_project, construct
from planner.io.project_file import load_project
from planner.model import FundingRound


def assert_same(built: Any, validated: Any, where: str = "project") -> None:
    """Equal values of the same types, field by field, with the same fields set."""
    assert type(built) is type(validated), f"{where}: {type(built)} != {type(validated)}"
    if isinstance(built, BaseModel):
        assert built.model_fields_set == validated.model_fields_set, where
        for name in type(built).model_fields:
            assert_same(getattr(built, name), getattr(validated, name), f"{where}.{name}")
    elif isinstance(built, list):
        assert len(built) == len(validated), where
        for n, (a, b) in enumerate(zip(built, validated, strict=True)):
            assert_same(a, b, f"{where}[{n}]")
    elif isinstance(built, dict):
        assert built.keys() == validated.keys(), where
        for key in built:
            assert_same(built[key], validated[key], f"{where}[{key!r}]")
    else:
        assert built == validated, where


def test_the_built_in_project_is_exactly_what_validation_gives() -> None:
    assert_same(builtin_project(), load_project(BUILTIN_PATH))


def test_numbers_written_without_a_decimal_point_become_floats_where_floats_belong() -> None:
    data = {"id": "r1", "period": "2025", "investor": "X", "amount": 10, "pre_money": None}
    built = construct(FundingRound, data)
    assert_same(built, FundingRound.model_validate(data))
    assert type(built.amount) is float and built.pre_money is None


def test_each_call_gives_a_fresh_copy() -> None:
    first = builtin_project()
    first.items[0].label = "changed"
    assert builtin_project().items[0].label != "changed"

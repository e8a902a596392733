"""The built-in project that ships in resources/: the article's lab in four scenarios."""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from planner.io.project_file import check_project
from planner.model import Project

Model = TypeVar("Model", bound=BaseModel)


def resources_dir() -> Path:
    """The shipped resources: planner/resources when installed or bundled, else the repo's."""
    here = Path(__file__).resolve().parent
    installed = here / "resources"
    return installed if installed.is_dir() else here.parent / "resources"


RESOURCES = resources_dir()
BUILTIN_PATH = RESOURCES / "openai-2025.burnrate"


def builtin_project() -> Project:
    """A fresh copy of the built-in project.

    The file ships with the app and the tests validate it, so it is built without
    pydantic's validation: building the validators would be a sixth of the time the
    app takes to show its window. A file a user opens is always validated.
    """
    project = construct(Project, json.loads(BUILTIN_PATH.read_text(encoding="utf-8")))
    check_project(project)
    return project


def construct(model: type[Model], data: Mapping[str, Any]) -> Model:
    """``model`` from data known to be valid, nested models included, without validation."""
    fields = {
        name: _value(info.annotation, data[name])
        for name, info in model.model_fields.items()
        if name in data
    }
    return model.model_construct(**fields)


def _value(annotation: Any, value: Any) -> Any:
    """``value`` as validation would store it under ``annotation`` (for valid data)."""
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _value(arguments[0], value)
    if origin is typing.Union or origin is types.UnionType:
        if value is None:
            return None
        (inner,) = [a for a in arguments if a is not type(None)]
        return _value(inner, value)
    if origin is list:
        return [_value(arguments[0], v) for v in value]
    if origin is tuple:
        return tuple(_value(a, v) for a, v in zip(arguments, value, strict=True))
    if origin is dict:
        return {k: _value(arguments[1], v) for k, v in value.items()}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return construct(annotation, value)
    if annotation is float and type(value) is int:
        return float(value)  # JSON writes 10.0 as 10; validation gives the float back
    return value

"""The project file (.burnrate): JSON with a schema version, validated on load, saved atomically."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from planner.engine import compile_items
from planner.formula import FormulaError
from planner.io.user_files import open_regular_file, read_limited
from planner.model import SCHEMA_VERSION, Project
from planner.scenarios import ProjectError, check_structure, resolve

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_NESTING = 64
SUFFIX = ".burnrate"


class ProjectFileError(ValueError):
    """A project file that cannot be read; the message says why."""


def load_project(path: str | os.PathLike[str]) -> Project:
    """Read, parse and check a project file; raise :class:`ProjectFileError` on any problem."""
    file = Path(path)
    try:
        with open_regular_file(file) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise ProjectFileError(
                    f"{file.name} is {size / 2**20:.0f} MB; a project file is at most "
                    f"{MAX_FILE_BYTES // 1024 // 1024} MB"
                )
            # The size seen above may be stale or 0 (a file still growing, /proc): read no more.
            raw = read_limited(handle, MAX_FILE_BYTES)
    except OSError as exc:
        raise ProjectFileError(f"cannot read {file}: {exc.strerror or exc}") from None
    return parse_project(raw, file.name)


def parse_project(raw: bytes | str, name: str = "the project") -> Project:
    """Parse project JSON text; raise :class:`ProjectFileError` naming the problem."""
    if len(raw) > MAX_FILE_BYTES:
        raise ProjectFileError(f"{name} is larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise ProjectFileError(f"{name} is not a project file (not UTF-8 text)") from None
    depth = _nesting_depth(text)
    if depth > MAX_NESTING:
        raise ProjectFileError(f"{name} is nested {depth} levels deep; at most {MAX_NESTING}")
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except _ConstantError as exc:
        raise ProjectFileError(f"{name} contains {exc.args[0]}, which is not a number") from None
    except json.JSONDecodeError as exc:
        raise ProjectFileError(
            f"{name} is not a project file: not valid JSON (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise ProjectFileError(f"{name} is nested too deeply") from None
    if not isinstance(data, dict):
        raise ProjectFileError(f"{name} is not a project file: expected a JSON object")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ProjectFileError(
            f"{name} has schema version {version!r}; this version of Burnrate reads "
            f"version {SCHEMA_VERSION}"
        )
    try:
        project = Project.model_validate(data)
    except ValidationError as exc:
        raise ProjectFileError(f"{name}: {_describe_validation(exc)}") from None
    try:
        check_project(project)
    except (ProjectError, FormulaError) as exc:
        raise ProjectFileError(f"{name}: {exc}") from None
    return project


def check_project(project: Project) -> None:
    """Structure and formulas of every scenario; raises ProjectError or FormulaError."""
    check_structure(project)
    for scenario in project.scenario_names:
        resolved = resolve(project, scenario)
        try:
            compile_items(resolved.items)
        except FormulaError as exc:
            if scenario == project.base_name:
                raise
            raise FormulaError(exc.item_id, f"{exc.problem} (scenario '{scenario}')") from None


class _ConstantError(ValueError):
    pass


def _refuse_constant(token: str) -> Any:
    raise _ConstantError(token)


def _nesting_depth(text: str) -> int:
    """Deepest bracket nesting outside strings, without recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_NESTING:
                return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def _describe_validation(exc: ValidationError) -> str:
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "the file"
    more = exc.error_count() - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
    return f"field '{location}': {first['msg']}{suffix}"


def project_json(project: Project) -> str:
    data = project.model_dump(mode="json", exclude_defaults=False)
    return json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def save_project(project: Project, path: str | os.PathLike[str]) -> None:
    """Write atomically: a temporary file beside the target, fsync, then replace.

    The previous version, if any, is kept as ``<name>.bak``.
    """
    target = Path(path)
    text = project_json(project)
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            shutil.copy2(target, target.with_name(target.name + ".bak"))
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _fsync_directory(target.parent)


def _fsync_directory(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

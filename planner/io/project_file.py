"""The project file (.burnrate): JSON with a schema version, validated on load, saved atomically."""

from __future__ import annotations

import json
import os
import re
from itertools import chain, compress
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import from_json

from planner.engine import compile_items
from planner.formula import FormulaError
from planner.io.atomic_file import write_atomically
from planner.io.user_files import open_regular_file, read_limited
from planner.model import SCHEMA_VERSION, Project, validation_problem
from planner.scenarios import ProjectError, check_structure

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
    depth, pairs = _structure(raw)
    if depth > MAX_NESTING:
        raise ProjectFileError(f"{name} is nested {depth} levels deep; at most {MAX_NESTING}")
    try:
        data = _read_json(raw, text, pairs)
    except _ConstantError as exc:
        raise ProjectFileError(f"{name} contains {exc.args[0]}, which is not a number") from None
    except _DuplicateKeyError as exc:
        raise ProjectFileError(f"{name}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ProjectFileError(
            f"{name} is not a project file: not valid JSON (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise ProjectFileError(f"{name} is nested too deeply") from None
    if not isinstance(data, dict):
        raise ProjectFileError(f"{name} is not a project file: expected a JSON object")
    version = data.get("schema_version")
    # type(), not ==: true and 1.0 equal 1 in Python but are not the version number 1.
    if type(version) is not int or version != SCHEMA_VERSION:
        raise ProjectFileError(
            f"{name} has schema version {json.dumps(version)}; this version of Burnrate reads "
            f"version {SCHEMA_VERSION}"
        )
    try:
        # Strict: the file is the user's record, so "12" is not taken for 12, nor true for 1.
        project = Project.model_validate(data, strict=True)
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
    compile_items(project.items)
    for scenario in project.scenarios:
        if not scenario.formulas:
            continue  # its formulas are the base's, compiled above
        items = [
            item.model_copy(
                update={"formula": scenario.formulas[item.id], "inputs": None, "value": None}
            )
            if item.id in scenario.formulas
            else item
            for item in project.items
        ]
        try:
            compile_items(items)
        except FormulaError as exc:
            raise FormulaError(exc.item_id, f"{exc.problem} (scenario '{scenario.name}')") from None


class _ConstantError(ValueError):
    pass


def _refuse_constant(token: str) -> Any:
    raise _ConstantError(token)


class _DuplicateKeyError(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict; a key given twice is refused, not silently overwritten."""
    data = dict(pairs)
    if len(data) == len(pairs):
        return data
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            # JSON's own quoting: a key may hold characters a terminal would act on.
            shown = json.dumps(key)
            raise _DuplicateKeyError(f"the key {shown} is given twice {_object_named(pairs)}")
        seen.add(key)
    return data


def _object_named(pairs: list[tuple[str, Any]]) -> str:
    """Where an object is, told by its id or name, else by its first keys."""
    for key in ("id", "name", "item"):
        value = next((v for k, v in pairs if k == key), None)
        if isinstance(value, str):
            return f"in the object whose {key} is {json.dumps(value)}"
    keys = list(dict.fromkeys(k for k, _ in pairs))
    listed = ", ".join(json.dumps(k) for k in keys[:4]) + (", ..." if len(keys) > 4 else "")
    return f"in the object with the keys {listed}"


def _read_json(raw: bytes | str, text: str, pairs: int) -> Any:
    """The file's JSON value: NaN, Infinity and keys given twice are refused.

    pydantic's parser (public and documented) reads a large file more than twice as
    fast as json with a hook on every object. A file it refuses, or in which it
    finds fewer keys than the file has colons (a key given twice keeps one value),
    is read again by json, whose errors say what is wrong and where.
    """
    try:
        data = from_json(raw, allow_inf_nan=False)
    except ValueError:
        pass
    else:
        if _count_pairs(data) == pairs:
            return data
    return json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)


def _count_pairs(data: Any) -> int:
    """How many keys the objects in ``data`` hold, level by level, without recursion."""
    # map and compress keep the loops over the million leaves of a large file in C.
    count = 0
    level = [data]
    while level:
        types = list(map(type, level))
        objects = list(compress(level, map(_IS_OBJECT, types)))
        arrays = list(compress(level, map(_IS_ARRAY, types)))
        count += sum(map(len, objects))
        children = list(chain(chain.from_iterable(map(dict.values, objects)), *arrays))
        level = list(compress(children, map(_IS_CONTAINER, map(type, children))))
    return count


_IS_OBJECT = (dict,).__contains__
_IS_ARRAY = (list,).__contains__
_IS_CONTAINER = (dict, list).__contains__
# Bytes other than quotes, backslashes, brackets and colons: they say nothing about
# nesting or about how many keys the objects hold.
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"\\[]{}:')
_JSON_STRING = re.compile(rb'"[^"]*"')


def _structure(text: str | bytes) -> tuple[int, int]:
    """The deepest bracket nesting, and the number of colons, outside strings.

    Byte operations and one regular expression do the per-character work: a loop
    in Python over every character took longer than the rest of loading a large file.
    In valid JSON each colon outside strings separates a key from its value.
    """
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    # Escaped backslashes first, then escaped quotes: what remains cannot end a string.
    raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    skeleton = raw.translate(None, _NOT_STRUCTURE).replace(b"\\", b"")
    # Most strings hold no bracket; dropping a pair of quotes keeps the parity that
    # tells whether a bracket is inside a string.
    outside = _JSON_STRING.sub(b"", skeleton.replace(b'""', b""))
    colons = outside.count(b":")
    depth = deepest = 0
    for byte in outside.replace(b":", b""):
        if byte in b"[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_NESTING:
                    break
        else:
            depth -= 1
    return deepest, colons


def _describe_validation(exc: ValidationError) -> str:
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "the file"
    more = exc.error_count() - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
    return f"field '{location}': {validation_problem(first)}{suffix}"


def project_json(project: Project) -> str:
    data = project.model_dump(mode="json", exclude_defaults=False)
    return json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def save_project(project: Project, path: str | os.PathLike[str], keep_backup: bool = True) -> None:
    """Write atomically, keeping the previous version as ``<name>.bak``.

    A symlink is written through to its target; a read-only file is refused with
    :class:`PermissionError`. See :mod:`planner.io.atomic_file`.
    """
    write_atomically(path, project_json(project).encode("utf-8"), keep_backup)

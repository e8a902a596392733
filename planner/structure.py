"""Edits of the model's structure: line items and groups added, renamed, moved and deleted.

Each command keeps the project's state from before it ran as its inverse (as the
event-row commands do): a structure edit touches formulas, scenario overrides and
uncertainty ranges across the project at once, and a snapshot restores them all
exactly. Every place that names a line item by id is walked in one function,
:func:`rename_item_references`; a new field that holds item ids is added there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ValidationError

from planner.commands import CommandError
from planner.engine import compile_items, evaluate
from planner.formula import (
    ID_PATTERN,
    FormulaError,
    mark_deleted,
    parse,
    rename_names,
    reserved_word_problem,
)
from planner.model import (
    EVENT_SERIES,
    REQUIRED_ITEMS,
    LineItem,
    Project,
    Scenario,
    Uncertainty,
    check_text,
    validation_problem,
)
from planner.scenarios import ResolvedScenario

Kind = Literal["input", "constant", "formula"]
KIND_NAMES: dict[Kind, str] = {
    "input": "input row",
    "constant": "single value",
    "formula": "formula",
}
MAX_ID_LENGTH = 64

# Fields of the project and its scenarios, by whether they hold line item ids. A field
# added to either model must be placed here (a test checks): one that holds ids is
# renamed in rename_item_references and cleared in _forget_item.
ITEM_ID_FIELDS = {
    Project: ("items", "uncertainty", "correlations"),
    Scenario: ("inputs", "values", "formulas", "uncertainty"),
}
OTHER_FIELDS = {
    Project: (
        "schema_version",
        "name",
        "description",
        "base_name",
        "base_description",
        "periods",
        "reference_period",
        "groups",
        "funding_rounds",
        "compute_contracts",
        "scenarios",
    ),
    Scenario: (
        "name",
        "description",
        "colour",
        "funding_rounds",
        "compute_contracts",
        "removed_rows",
    ),
}


# --- names ------------------------------------------------------------------------


def group_title(group: str) -> str:
    """How a group is shown: ``other_income`` is "Other income"."""
    return group.replace("_", " ").capitalize()


def _stem(text: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not stem:
        return "item"
    if not stem[0].isalpha():
        stem = "n_" + stem
    return stem[:MAX_ID_LENGTH].rstrip("_")


def make_item_id(label: str, taken: set[str] | frozenset[str]) -> str:
    """An id made from ``label``: lower case, ``_`` between words, unique, not reserved."""
    stem = _stem(label)
    taken = set(taken) | set(EVENT_SERIES)
    candidate, n = stem, 1
    while candidate in taken or reserved_word_problem(candidate) is not None:
        n += 1
        suffix = f"_{n}"
        candidate = stem[: MAX_ID_LENGTH - len(suffix)] + suffix
    return candidate


def make_group_id(title: str, taken: list[str]) -> str:
    """A group id made from a title such as "Other income"."""
    stem = _stem(title)
    candidate, n = stem, 1
    while candidate in taken or reserved_word_problem(candidate, group=True) is not None:
        n += 1
        candidate = f"{stem[: MAX_ID_LENGTH - 4]}_{n}"
    return candidate


def id_problem(project: Project, item_id: str, *, current: str | None = None) -> str | None:
    """Why ``item_id`` cannot name a line item of ``project``, if it cannot."""
    if not item_id:
        return "an id is needed"
    if len(item_id) > MAX_ID_LENGTH or not ID_PATTERN.fullmatch(item_id):
        return (
            f"'{item_id}' is not a valid id: use a-z, digits and _, start with a letter, "
            f"at most {MAX_ID_LENGTH} characters"
        )
    reserved = reserved_word_problem(item_id)
    if reserved is not None:
        return f"'{item_id}': {reserved}"
    if item_id in EVENT_SERIES:
        return f"'{item_id}' is the id of a series of the event tables"
    if item_id != current and any(item.id == item_id for item in project.items):
        return f"the id '{item_id}' is taken by '{project.item(item_id).label}'"
    return None


def group_problem(project: Project, group: str) -> str | None:
    if len(group) > MAX_ID_LENGTH or not ID_PATTERN.fullmatch(group):
        return f"'{group}' is not a valid group name: use a-z, digits and _"
    reserved = reserved_word_problem(group, group=True)
    if reserved is not None:
        return reserved
    if group in project.group_order():
        return f"there is already a group '{group_title(group)}'"
    return None


def _label(project: Project, item_id: str) -> str:
    return next((item.label for item in project.items if item.id == item_id), item_id)


def _item(project: Project, item_id: str) -> LineItem:
    try:
        return project.item(item_id)
    except KeyError:
        raise CommandError(f"there is no line item '{item_id}'") from None


def _listed(words: list[str]) -> str:
    quoted = [f"'{w}'" for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


# --- who uses whom ----------------------------------------------------------------


def _formulas(project: Project) -> list[tuple[Scenario | None, str, str]]:
    """Every formula in the project: (scenario or None for the base, item id, text)."""
    found: list[tuple[Scenario | None, str, str]] = [
        (None, item.id, item.formula) for item in project.items if item.formula is not None
    ]
    for scenario in project.scenarios:
        found.extend((scenario, item_id, text) for item_id, text in scenario.formulas.items())
    return found


def users_of(project: Project, item_id: str) -> list[str]:
    """Items whose formula (in the base or any scenario) reads ``item_id``, in model order."""
    users = set()
    for _, user, text in _formulas(project):
        formula = parse(text, user)
        if user != item_id and item_id in formula.refs | formula.prevs:
            users.add(user)
    return [item.id for item in project.items if item.id in users]


def broken_problem(resolved: ResolvedScenario) -> str | None:
    """Why a scenario cannot be reported, sampled or exported: formulas that read deleted items."""
    broken = compile_items(resolved.items).broken  # cached: the scenario was evaluated
    roots = [
        item.label
        for item in resolved.items
        if item.id in broken and item.formula is not None and parse(item.formula).deleted
    ]
    if not roots:
        return None
    verb, what = ("reads", "its formula") if len(roots) == 1 else ("read", "their formulas")
    return (
        f"in '{resolved.name}', {_listed(roots)} {verb} a deleted line item "
        f"(deleted(...) in the formula): fix {what} first"
    )


# --- the project's state as an undo step --------------------------------------------------


def _detached(value: Any) -> Any:
    """A copy that edits can change without touching ``value``: containers copied, not numbers."""
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return value.model_copy(update={name: _detached(getattr(value, name)) for name in fields})
    if isinstance(value, list):
        if value and isinstance(value[0], BaseModel | list | dict):
            return [_detached(v) for v in value]
        return list(value)
    if isinstance(value, dict):
        return {key: _detached(v) for key, v in value.items()}
    return value


@dataclass(frozen=True)
class ProjectState:
    """The whole project as it was; applying it restores that state (the inverse of an edit)."""

    fields: tuple[tuple[str, Any], ...]
    label: str

    @property
    def description(self) -> str:
        return self.label

    def apply(self, project: Project) -> ProjectState:
        now = snapshot(project, self.label)
        for name, value in self.fields:
            setattr(project, name, _detached(value))
        return now


def snapshot(project: Project, label: str) -> ProjectState:
    fields = type(project).model_fields
    return ProjectState(tuple((name, _detached(getattr(project, name))) for name in fields), label)


def _edit(project: Project, label: str, change: Callable[[], None]) -> ProjectState:
    """Run ``change``; return the state before it, restored if ``change`` fails halfway."""
    before = snapshot(project, label)
    try:
        change()
    except (FormulaError, ValueError) as exc:
        before.apply(project)
        if isinstance(exc, CommandError):
            raise
        raise CommandError(str(exc)) from None
    return before


# --- line items ---------------------------------------------------------------------


def new_item(
    project: Project,
    label: str,
    *,
    group: str,
    kind: Kind = "input",
    unit: str = "",
    note: str = "",
    formula: str | None = None,
    item_id: str | None = None,
) -> LineItem:
    """A line item ready for :class:`AddItem`: zeros for inputs, its id made from its label."""
    label = " ".join(label.split())
    if not label:
        raise CommandError("a line item needs a label")
    taken = {item.id for item in project.items}
    item_id = item_id.strip() if item_id else make_item_id(label, taken)
    data: dict[str, Any] = {"id": item_id, "label": label, "unit": unit.strip()}
    data |= {"group": group, "note": note.strip()}
    if kind == "input":
        data["inputs"] = [0.0] * len(project.periods)
    elif kind == "constant":
        data["value"] = 0.0
    else:
        if not formula or not formula.strip():
            raise CommandError(f"'{label}' is a formula: give its formula")
        data["formula"] = formula.strip()
    try:
        return LineItem.model_validate(data)
    except ValidationError as exc:
        raise CommandError(validation_problem(exc.errors()[0])) from None


def _insert_at(project: Project, item: LineItem, position: int | None) -> None:
    """Put ``item`` at ``position`` among its group's items (after the last by default)."""
    members = [n for n, other in enumerate(project.items) if other.group == item.group]
    if not members:
        index = len(project.items)
    elif position is None or position >= len(members):
        index = members[-1] + 1
    else:
        index = members[max(position, 0)]
    project.items.insert(index, item)
    if item.group not in project.groups:
        project.groups = [*project.group_order()]


@dataclass(frozen=True)
class AddItem:
    """Add a line item to its group, at ``position`` among the group's items (or last)."""

    item: LineItem
    position: int | None = None

    @property
    def description(self) -> str:
        return f"Add line item {self.item.label}"

    def apply(self, project: Project) -> ProjectState:
        item = self.item
        problem = id_problem(project, item.id)
        if problem is not None:
            raise CommandError(problem)
        for text, what in ((item.label, "the label"), (item.unit, "the unit")):
            try:
                check_text(text)
            except ValueError as exc:
                raise CommandError(f"{what} {exc}") from None
        return _edit(
            project,
            self.description,
            lambda: _insert_at(project, item.model_copy(deep=True), self.position),
        )


@dataclass(frozen=True)
class SetItemText:
    """A line item's label or unit."""

    item_id: str
    field: Literal["label", "unit"]
    text: str

    @property
    def description(self) -> str:
        return f"Change {self.field} of {self.item_id}"

    def described(self, project: Project) -> str:
        label = _label(project, self.item_id)
        if self.field == "label":
            return f"Rename {label} to {' '.join(self.text.split())}"
        return f"Change unit of {label}"

    def apply(self, project: Project) -> ProjectState:
        item = _item(project, self.item_id)
        text = " ".join(self.text.split())
        if self.field == "label" and not text:
            raise CommandError("a line item needs a label")
        if len(text) > 200:
            raise CommandError(f"a {self.field} is at most 200 characters")
        try:
            check_text(text)
        except ValueError as exc:
            raise CommandError(f"the {self.field} {exc}") from None
        return _edit(project, self.described(project), lambda: setattr(item, self.field, text))


@dataclass(frozen=True)
class SetItemKind:
    """Turn a line item into an input row, a single value or a formula.

    An input row becomes a single value with its first period's value; a single value
    becomes a row of that value; a formula leaves its base values behind as inputs.
    """

    item_id: str
    kind: Kind
    formula: str | None = None

    @property
    def description(self) -> str:
        return f"Make {self.item_id} a {KIND_NAMES[self.kind]}"

    def described(self, project: Project) -> str:
        return f"Make {_label(project, self.item_id)} a {KIND_NAMES[self.kind]}"

    def apply(self, project: Project) -> ProjectState:
        item = _item(project, self.item_id)
        if item.kind == self.kind and self.kind != "formula":
            raise CommandError(f"'{item.label}' is already a {KIND_NAMES[self.kind]}")
        if self.kind == "formula" and not (self.formula or "").strip():
            raise CommandError(f"give the formula of '{item.label}'")
        if self.kind == "formula" and any(u.item == item.id for u in project.uncertainty):
            raise CommandError(
                f"'{item.label}' has an uncertainty range; only inputs and single values vary"
            )
        for scenario in project.scenarios:
            if item.id in scenario.inputs or item.id in scenario.values:
                raise CommandError(
                    f"scenario '{scenario.name}' overrides the values of '{item.label}': "
                    "reset them to the base first"
                )
        values = _base_values(project, item)

        def change() -> None:
            item.inputs = item.value = item.formula = None
            if self.kind == "input":
                item.inputs = values
            elif self.kind == "constant":
                item.value = values[0]
            else:
                item.formula = (self.formula or "").strip()
                item.input_notes = {}

        return _edit(project, self.described(project), change)


def _base_values(project: Project, item: LineItem) -> list[float]:
    if item.inputs is not None:
        return list(item.inputs)
    if item.value is not None:
        return [item.value] * len(project.periods)
    values = evaluate(project).series(item.id)
    return [float(v) if np.isfinite(v) else 0.0 for v in values]


def rename_item_references(project: Project, old: str, new: str) -> None:
    """Every place ``project`` names line item ``old`` now names ``new``, in one walk."""
    renamed = {old: new}
    for item in project.items:
        if item.id == old:
            item.id = new
        if item.formula is not None:
            item.formula = rename_names(item.formula, renamed)
    for scenario in project.scenarios:
        scenario.formulas = {
            renamed.get(key, key): rename_names(text, renamed)
            for key, text in scenario.formulas.items()
        }
        scenario.inputs = {renamed.get(key, key): cells for key, cells in scenario.inputs.items()}
        scenario.values = {renamed.get(key, key): v for key, v in scenario.values.items()}
        scenario.uncertainty = _ranges_renamed(scenario.uncertainty, old, new)
    project.uncertainty = _ranges_renamed(project.uncertainty, old, new)
    project.correlations = [
        entry.model_copy(update={"items": tuple(renamed.get(i, i) for i in entry.items)})
        for entry in project.correlations
    ]


def _ranges_renamed(ranges: list[Uncertainty], old: str, new: str) -> list[Uncertainty]:
    return [
        entry.model_copy(update={"item": new}) if entry.item == old else entry for entry in ranges
    ]


def _forget_item(project: Project, item_id: str) -> None:
    """Remove ``item_id`` and everything keyed by it: its overrides and its range."""
    project.items = [item for item in project.items if item.id != item_id]
    for scenario in project.scenarios:
        scenario.formulas = {k: v for k, v in scenario.formulas.items() if k != item_id}
        scenario.inputs = {k: v for k, v in scenario.inputs.items() if k != item_id}
        scenario.values = {k: v for k, v in scenario.values.items() if k != item_id}
        scenario.uncertainty = [e for e in scenario.uncertainty if e.item != item_id]
    project.uncertainty = [entry for entry in project.uncertainty if entry.item != item_id]
    project.correlations = [e for e in project.correlations if item_id not in e.items]


@dataclass(frozen=True)
class ChangeItemId:
    """Give a line item another id; every formula and override that names it follows."""

    old: str
    new: str

    @property
    def description(self) -> str:
        return f"Change id of {self.old} to {self.new}"

    def described(self, project: Project) -> str:
        return f"Change id of {_label(project, self.old)} to {self.new.strip()}"

    def apply(self, project: Project) -> ProjectState:
        _item(project, self.old)
        new = self.new.strip()
        if new == self.old:
            raise CommandError(f"the id is '{new}' already")
        problem = id_problem(project, new)
        if problem is not None:
            raise CommandError(problem)
        if self.old in REQUIRED_ITEMS:
            raise CommandError(_required_message(project, self.old, "given another id"))
        return _edit(
            project,
            self.described(project),
            lambda: rename_item_references(project, self.old, new),
        )


def _required_message(project: Project, item_id: str, verb: str) -> str:
    return (
        f"'{_label(project, item_id)}' cannot be {verb}: the summary's key figures and "
        f"charts need a line item with the id '{item_id}'"
    )


@dataclass(frozen=True)
class DeleteItem:
    """Delete a line item that no formula reads, or, with ``break_references``, one that some
    do: their readings become ``deleted(id)``, errors shown at once rather than zeros."""

    item_id: str
    break_references: bool = False

    @property
    def description(self) -> str:
        return f"Delete line item {self.item_id}"

    def described(self, project: Project) -> str:
        return f"Delete line item {_label(project, self.item_id)}"

    def apply(self, project: Project) -> ProjectState:
        item = _item(project, self.item_id)
        if item.id in REQUIRED_ITEMS:
            raise CommandError(_required_message(project, item.id, "deleted"))
        users = users_of(project, item.id)
        if users and not self.break_references:
            labels = _listed([_label(project, u) for u in users])
            raise CommandError(
                f"'{item.label}' is used by {labels}: change their formulas first, "
                "or delete it and mark those references as errors"
            )

        def change() -> None:
            for scenario, user, text in _formulas(project):
                if user in users:
                    rewritten = mark_deleted(text, item.id)
                    if scenario is None:
                        project.item(user).formula = rewritten
                    else:
                        scenario.formulas[user] = rewritten
            _forget_item(project, item.id)

        return _edit(project, self.described(project), change)


@dataclass(frozen=True)
class MoveItem:
    """Move a line item to ``position`` among the items of ``group`` (its own or another)."""

    item_id: str
    group: str
    position: int

    @property
    def description(self) -> str:
        return f"Move {self.item_id}"

    def described(self, project: Project) -> str:
        label = _label(project, self.item_id)
        try:
            item = project.item(self.item_id)
        except KeyError:
            return f"Move {label}"
        if item.group != self.group:
            return f"Move {label} to {group_title(self.group)}"
        members = [i.id for i in project.items if i.group == item.group]
        return f"Move {label} {'up' if self.position < members.index(item.id) else 'down'}"

    def apply(self, project: Project) -> ProjectState:
        item = _item(project, self.item_id)
        if self.group not in project.group_order():
            raise CommandError(f"there is no group '{self.group}'")
        members = [i.id for i in project.items if i.group == self.group and i.id != item.id]
        if not 0 <= self.position <= len(members):
            raise CommandError(f"'{item.label}' cannot move further")

        def change() -> None:
            groups = project.group_order()
            project.items = [i for i in project.items if i.id != item.id]
            item.group = self.group
            _insert_at(project, item, self.position)
            project.groups = groups  # a group left empty keeps its tab

        return _edit(project, self.described(project), change)


def move_item_by(project: Project, item_id: str, step: int) -> MoveItem:
    """The command moving ``item_id`` ``step`` places up (negative) or down in its group."""
    item = _item(project, item_id)
    members = [i.id for i in project.items if i.group == item.group]
    return MoveItem(item_id, item.group, members.index(item_id) + step)


# --- groups -------------------------------------------------------------------------


@dataclass(frozen=True)
class AddGroup:
    """Add an empty group (a tab of its own) at ``position`` among the groups, or last."""

    group: str
    position: int | None = None

    @property
    def description(self) -> str:
        return f"Add group {group_title(self.group)}"

    def apply(self, project: Project) -> ProjectState:
        problem = group_problem(project, self.group)
        if problem is not None:
            raise CommandError(problem)

        def change() -> None:
            groups = project.group_order()
            groups.insert(len(groups) if self.position is None else self.position, self.group)
            project.groups = groups

        return _edit(project, self.description, change)


@dataclass(frozen=True)
class RenameGroup:
    """Rename a group; its items and every ``sum_of`` over it follow."""

    old: str
    new: str

    @property
    def description(self) -> str:
        return f"Rename group {group_title(self.old)} to {group_title(self.new)}"

    def apply(self, project: Project) -> ProjectState:
        if self.old not in project.group_order():
            raise CommandError(f"there is no group '{group_title(self.old)}'")
        problem = group_problem(project, self.new)
        if problem is not None:
            raise CommandError(problem)
        renamed = {self.old: self.new}

        def change() -> None:
            project.groups = [renamed.get(g, g) for g in project.group_order()]
            for item in project.items:
                item.group = renamed.get(item.group, item.group)
                if item.formula is not None:
                    item.formula = rename_names(item.formula, groups=renamed)
            for scenario in project.scenarios:
                scenario.formulas = {
                    key: rename_names(text, groups=renamed)
                    for key, text in scenario.formulas.items()
                }

        return _edit(project, self.description, change)


@dataclass(frozen=True)
class DeleteGroup:
    """Delete an empty group; one that holds items is refused with their names."""

    group: str

    @property
    def description(self) -> str:
        return f"Delete group {group_title(self.group)}"

    def apply(self, project: Project) -> ProjectState:
        if self.group not in project.group_order():
            raise CommandError(f"there is no group '{group_title(self.group)}'")
        held = [item.label for item in project.items if item.group == self.group]
        if held:
            raise CommandError(
                f"the group '{group_title(self.group)}' holds {_listed(held)}: "
                "move or delete them first"
            )

        def change() -> None:
            project.groups = [g for g in project.group_order() if g != self.group]

        return _edit(project, self.description, change)


@dataclass(frozen=True)
class MoveGroup:
    """Move a group ``step`` places left (negative) or right among the tabs."""

    group: str
    step: int

    @property
    def description(self) -> str:
        direction = "left" if self.step < 0 else "right"
        return f"Move group {group_title(self.group)} {direction}"

    def apply(self, project: Project) -> ProjectState:
        groups = project.group_order()
        if self.group not in groups:
            raise CommandError(f"there is no group '{group_title(self.group)}'")
        index = groups.index(self.group) + self.step
        if not 0 <= index < len(groups):
            raise CommandError(f"the group '{group_title(self.group)}' cannot move further")

        def change() -> None:
            groups.remove(self.group)
            groups.insert(index, self.group)
            project.groups = groups

        return _edit(project, self.description, change)

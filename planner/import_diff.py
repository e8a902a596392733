"""What an imported workbook changes in the open project, and the edit that applies it.

The list is what a person reviews before agreeing: each change names the
scenario, the line item or event row by its label, the period or field, and
the old and new values as the window shows them. Applying the import replaces
the project's content with the imported project's in one step, so that undo
restores the open project exactly; the list is made to cover every field the
import can change, and anything it cannot name still shows as one change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from planner.analysis.risk_report import range_text
from planner.commands import Command, override_summary, row_label
from planner.model import (
    ComputeContract,
    FundingRound,
    LineItem,
    Project,
    Scenario,
    Uncertainty,
)
from planner.numbers import format_value, row_decimals
from planner.scenarios import resolve
from planner.text import shortened

ChangeKind = Literal[
    "project",
    "scenario",
    "line item",
    "value",
    "formula",
    "funding round",
    "compute contract",
    "note",
    "uncertainty",
    "order",
]

# Kinds in the order the list shows them, with their headings (one, many).
KIND_NAMES: dict[ChangeKind, tuple[str, str]] = {
    "project": ("project setting", "project settings"),
    "scenario": ("scenario", "scenarios"),
    "line item": ("line item", "line items"),
    "value": ("input or single value", "inputs and single values"),
    "formula": ("formula", "formulas"),
    "funding round": ("funding round", "funding rounds"),
    "compute contract": ("compute contract", "compute contracts"),
    "note": ("note", "notes"),
    "uncertainty": ("uncertainty range", "uncertainty ranges"),
    "order": ("order", "orders"),
}

ADDED, REMOVED = "added", "removed"
FOLLOWS_BASE = " (base)"  # marks a scenario's value that is the base scenario's
# Widest scenario, line item, period and unit columns of the text rendering; longer names are cut.
COLUMN_LIMITS = (24, 44, 14, 10)
VALUE_WIDTH = 24  # an old or new value longer than this goes on lines of its own
LONG_TEXT = 400


@dataclass(frozen=True)
class Change:
    """One difference: ``old`` is empty for something added, ``new`` for something removed."""

    kind: ChangeKind
    scenario: str  # "" when the change is not about one scenario
    item: str  # a line item's or row's label, or what the change is about
    where: str  # a period, a field, "added" or "removed"
    unit: str
    old: str
    new: str
    numeric: bool = False  # old and new are numbers (aligned to the right)


@dataclass(frozen=True)
class ImportDiff:
    """The changes from the open project to an imported one, in the order they are shown."""

    changes: tuple[Change, ...]
    same_model: bool  # the workbook holds this project's model (periods and most line items)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def counts(self) -> dict[ChangeKind, int]:
        """How many changes of each kind, kinds in display order, absent kinds left out."""
        counts = {kind: 0 for kind in KIND_NAMES}
        for change in self.changes:
            counts[change.kind] += 1
        return {kind: n for kind, n in counts.items() if n}

    def summary(self) -> str:
        """One sentence: "3 changes: 2 inputs and single values, 1 formula"."""
        if not self.changes:
            return "The workbook changes nothing in this project."
        parts = [counted(n, kind) for kind, n in self.counts().items()]
        total = len(self.changes)
        return f"{total:,} change{'s' if total != 1 else ''}: " + ", ".join(parts)

    def text(self) -> str:
        """The list as aligned columns, one section per kind, for a terminal.

        Numbers sit in the Old and New columns; a longer text (a formula, a note)
        follows its row on "was:" and "now:" lines, so that neither is cut short.
        """
        if not self.changes:
            return self.summary() + "\n"
        header = ("Scenario", "Line item or row", "Period", "Unit", "Old", "New")
        rows = [_text_cells(c) for c in self.changes]
        widths = [len(name) for name in header]
        for cells, _ in rows:
            widths = [max(width, len(cell)) for width, cell in zip(widths, cells, strict=True)]
        lines = [self.summary(), "", "  " + _joined(header, widths, numeric=False)]
        kind: ChangeKind | None = None
        for change, (cells, long) in zip(self.changes, rows, strict=True):
            if change.kind != kind:
                kind = change.kind
                lines += ["", KIND_NAMES[kind][1].capitalize()]
            lines.append("  " + _joined(cells, widths, numeric=change.numeric))
            if long:
                for prefix, text in (("was", change.old), ("now", change.new)):
                    if text or change.where not in (ADDED, REMOVED):
                        lines.append(f"      {prefix}: {_one_line(text, LONG_TEXT) or '(none)'}")
        return "\n".join(lines) + "\n"


def counted(n: int, kind: ChangeKind) -> str:
    one, many = KIND_NAMES[kind]
    return f"{n:,} {one if n == 1 else many}"


def _one_line(text: str, limit: int) -> str:
    return shortened(" ".join(text.split()), limit)


def _text_cells(change: Change) -> tuple[tuple[str, ...], bool]:
    """The row's cells as the text shows them, and whether Old and New need lines of their own."""
    where = (change.scenario, change.item, change.where, change.unit)
    cells = [_one_line(cell, limit) for cell, limit in zip(where, COLUMN_LIMITS, strict=True)]
    old, new = " ".join(change.old.split()), " ".join(change.new.split())
    long = max(len(old), len(new)) > VALUE_WIDTH
    return (*cells, *(("", "") if long else (old, new))), long


def _joined(cells: Sequence[str], widths: Sequence[int], *, numeric: bool) -> str:
    parts = [cell.ljust(width) for cell, width in zip(cells[:4], widths, strict=False)]
    for cell, width in zip(cells[4:], widths[4:], strict=True):
        parts.append(cell.rjust(width) if numeric else cell.ljust(width))
    return "  ".join(parts).rstrip()


# --- the comparison ------------------------------------------------------------------


def diff_projects(old: Project, new: Project) -> ImportDiff:
    """Every difference that importing ``new`` over ``old`` makes, in display order."""
    found = [
        *_project_changes(old, new),
        *_scenario_changes(old, new),
        *_item_changes(old, new),
        *_value_changes(old, new),
        *_formula_changes(old, new),
        *_row_changes(old, new, "funding round"),
        *_row_changes(old, new, "compute contract"),
        *_note_changes(old, new),
        *_uncertainty_changes(old, new),
        *_order_changes(old, new),
    ]
    if not found and old != new:
        # A field this list does not know yet must not change unseen.
        found.append(Change("project", "", "Other details", "", "", "", "differ"))
    return ImportDiff(tuple(found), _same_model(old, new))


def _same_model(old: Project, new: Project) -> bool:
    old_ids = {item.id for item in old.items}
    shared = old_ids & {item.id for item in new.items}
    return bool(set(old.periods) & set(new.periods)) and 2 * len(shared) >= len(old_ids)


def _project_changes(old: Project, new: Project) -> Iterator[Change]:
    def span(project: Project) -> str:
        periods = project.periods
        return f"{periods[0]} to {periods[-1]} ({len(periods)})"

    fields = [
        ("Name", old.name, new.name),
        ("Description", old.description, new.description),
        ("Periods", span(old), span(new)),
        ("Reference period", old.reference_period or "", new.reference_period or ""),
        ("Groups", ", ".join(old.groups), ", ".join(new.groups)),
        ("Base scenario name", old.base_name, new.base_name),
    ]
    if old.periods != new.periods and span(old) == span(new):
        fields[2] = ("Periods", ", ".join(old.periods), ", ".join(new.periods))
    for what, before, after in fields:
        if before != after:
            yield Change("project", "", what, "", "", before, after)


def _scenario_changes(old: Project, new: Project) -> Iterator[Change]:
    old_names = [s.name for s in old.scenarios]
    new_names = [s.name for s in new.scenarios]
    if old.base_description != new.base_description:
        yield Change(
            "scenario",
            new.base_name,
            new.base_name,
            "description",
            "",
            old.base_description,
            new.base_description,
        )
    for scenario in new.scenarios:
        if scenario.name not in old_names:
            yield Change(
                "scenario",
                scenario.name,
                scenario.name,
                ADDED,
                "",
                "",
                override_summary(new, scenario.name),
            )
    for scenario in old.scenarios:
        if scenario.name not in new_names:
            yield Change(
                "scenario",
                scenario.name,
                scenario.name,
                REMOVED,
                "",
                override_summary(old, scenario.name),
                "",
            )
    for before, after in _common_scenarios(old, new):
        if before.description != after.description:
            yield Change(
                "scenario",
                after.name,
                after.name,
                "description",
                "",
                before.description,
                after.description,
            )
        if before.colour != after.colour:
            yield Change(
                "scenario",
                after.name,
                after.name,
                "colour",
                "",
                before.colour or "",
                after.colour or "",
            )


def _common_scenarios(old: Project, new: Project) -> Iterator[tuple[Scenario, Scenario]]:
    """Scenarios present in both, in the imported project's order."""
    olds = {s.name: s for s in old.scenarios}
    for scenario in new.scenarios:
        if scenario.name in olds:
            yield olds[scenario.name], scenario


def _kind_name(item: LineItem) -> str:
    return {"input": "inputs", "constant": "single value", "formula": "formula"}[item.kind]


def _kind_text(item: LineItem) -> str:
    """What a line item holds, with its formula: a change of kind shows the new formula."""
    if item.formula is not None:
        return f"formula {item.formula}"
    return _kind_name(item)


def _item_changes(old: Project, new: Project) -> Iterator[Change]:
    olds = {item.id: item for item in old.items}
    news = {item.id: item for item in new.items}
    for item in new.items:
        before = olds.get(item.id)
        if before is None:
            what = f"{_kind_name(item)} in {item.group} ({item.id})"
            yield Change("line item", "", item.label, ADDED, item.unit, "", what)
            continue
        fields = [
            ("label", before.label, item.label),
            ("unit", before.unit, item.unit),
            ("group", before.group, item.group),
        ]
        for field, was, now in fields:
            if was != now:
                yield Change("line item", "", item.label, field, item.unit, was, now)
        if before.kind != item.kind:
            yield Change(
                "line item", "", item.label, "kind", item.unit, _kind_text(before), _kind_text(item)
            )
    for item in old.items:
        if item.id not in news:
            what = f"{_kind_name(item)} in {item.group} ({item.id})"
            yield Change("line item", "", item.label, REMOVED, item.unit, what, "")


def _pairs(old: Project, new: Project) -> Iterator[tuple[LineItem, LineItem]]:
    """Line items in both projects, in the imported project's order."""
    olds = {item.id: item for item in old.items}
    for item in new.items:
        if item.id in olds:
            yield olds[item.id], item


def _numbers(
    old: float, new: float, unit: str, old_follows: bool = False, new_follows: bool = False
) -> tuple[str, str]:
    """Old and new value with one number of decimals, so the pair reads side by side."""
    decimals = row_decimals([old, new], unit)
    return (
        format_value(old, unit, decimals) + (FOLLOWS_BASE if old_follows else ""),
        format_value(new, unit, decimals) + (FOLLOWS_BASE if new_follows else ""),
    )


def _value_changes(old: Project, new: Project) -> Iterator[Change]:
    old_index = {p: t for t, p in enumerate(old.periods)}
    periods = [p for p in new.periods if p in old_index]
    at_old = {p: old_index[p] for p in periods}
    at_new = {p: t for t, p in enumerate(new.periods)}
    same_periods = old.periods == new.periods
    pairs = list(_pairs(old, new))
    base = new.base_name
    for before, after in pairs:
        unit = after.unit
        if before.inputs is not None and after.inputs is not None:
            if same_periods and before.inputs == after.inputs:
                continue  # the common case, compared at once
            for p in periods:
                was, now = before.inputs[at_old[p]], after.inputs[at_new[p]]
                if was != now:
                    yield Change(
                        "value",
                        base,
                        after.label,
                        p,
                        unit,
                        *_numbers(was, now, unit),
                        numeric=True,
                    )
        elif before.value is not None and after.value is not None and before.value != after.value:
            yield Change(
                "value",
                base,
                after.label,
                "",
                unit,
                *_numbers(before.value, after.value, unit),
                numeric=True,
            )
    for old_scenario, new_scenario in _common_scenarios(old, new):
        for before, after in pairs:
            if before.id in old_scenario.formulas or after.id in new_scenario.formulas:
                continue  # the formula's change says it all
            yield from _scenario_values(
                old_scenario, new_scenario, before, after, periods, at_old, at_new
            )


def _scenario_values(
    old_scenario: Scenario,
    new_scenario: Scenario,
    before: LineItem,
    after: LineItem,
    periods: Sequence[str],
    at_old: dict[str, int],
    at_new: dict[str, int],
) -> Iterator[Change]:
    """A scenario's own cells that the import sets, changes or gives back to the base."""
    name, unit = new_scenario.name, after.unit
    if before.inputs is not None and after.inputs is not None:
        old_cells = old_scenario.inputs.get(before.id, {})
        new_cells = new_scenario.inputs.get(after.id, {})
        if old_cells == new_cells:
            return
        for p in periods:
            was, now = old_cells.get(p), new_cells.get(p)
            if was == now:
                continue
            old_text, new_text = _numbers(
                before.inputs[at_old[p]] if was is None else was,
                after.inputs[at_new[p]] if now is None else now,
                unit,
                was is None,
                now is None,
            )
            yield Change("value", name, after.label, p, unit, old_text, new_text, numeric=True)
    elif before.value is not None and after.value is not None:
        was, now = old_scenario.values.get(before.id), new_scenario.values.get(after.id)
        if was != now:
            old_text, new_text = _numbers(
                before.value if was is None else was,
                after.value if now is None else now,
                unit,
                was is None,
                now is None,
            )
            yield Change("value", name, after.label, "", unit, old_text, new_text, numeric=True)


def _formula_changes(old: Project, new: Project) -> Iterator[Change]:
    pairs = list(_pairs(old, new))
    for before, after in pairs:
        was, now = before.formula, after.formula
        if was is not None and now is not None and was != now:
            yield Change("formula", new.base_name, after.label, "", after.unit, was, now)
    for old_scenario, new_scenario in _common_scenarios(old, new):
        for before, after in pairs:
            was = old_scenario.formulas.get(before.id)
            now = new_scenario.formulas.get(after.id)
            if was == now:
                continue
            old_text = _own_or_base(was, before.formula, before)
            new_text = _own_or_base(now, after.formula, after)
            yield Change(
                "formula", new_scenario.name, after.label, "", after.unit, old_text, new_text
            )


def _own_or_base(own: str | None, base: str | None, item: LineItem) -> str:
    if own is not None:
        return own
    if base is not None:
        return base + FOLLOWS_BASE
    return _kind_name(item) + FOLLOWS_BASE


# --- event rows ----------------------------------------------------------------------

EventRow = FundingRound | ComputeContract
RowKind = Literal["funding round", "compute contract"]

ROUND_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("investor", "investor", ""),
    ("period", "period", ""),
    ("amount", "amount", "$B"),
    ("pre_money", "pre-money", "$B"),
    ("tranche_per_gw", "tranche per GW", "$B"),
    ("note", "note", ""),
)
CONTRACT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("counterparty", "counterparty", ""),
    ("gw", "GW", "GW"),
    ("total_value", "value", "$B"),
    ("first_year", "first year", ""),
    ("last_year", "last year", ""),
    ("service_years", "years paid", ""),
    ("custom_chip_share", "custom chips", "%"),
    ("note", "note", ""),
)


def _field_text(value: object, unit: str) -> str:
    if value is None:
        return "none"
    if isinstance(value, float) and not isinstance(value, bool):
        return format_value(value, unit)
    return str(value)


def _row_summary(row: EventRow) -> str:
    if isinstance(row, FundingRound):
        text = f"${format_value(row.amount, '$B')}B in {row.period}"
        if row.pre_money is not None:
            text += f", pre-money ${format_value(row.pre_money, '$B')}B"
        return text
    return (
        f"{format_value(row.gw, 'GW')} GW, ${format_value(row.total_value, '$B')}B, "
        f"{row.first_year}-{row.last_year}"
    )


def _rows(project: Project, kind: RowKind) -> list[EventRow]:
    if kind == "funding round":
        return list(project.funding_rounds)
    return list(project.compute_contracts)


def _own_rows(scenario: Scenario, kind: RowKind) -> dict[str, EventRow]:
    if kind == "funding round":
        return dict(scenario.funding_rounds)
    return dict(scenario.compute_contracts)


def _resolved_rows(project: Project, name: str, kind: RowKind) -> dict[str, EventRow]:
    resolved = resolve(project, name)
    rows: Iterable[EventRow] = (
        resolved.funding_rounds if kind == "funding round" else resolved.compute_contracts
    )
    return {row.id: row for row in rows}


def _row_changes(old: Project, new: Project, kind: RowKind) -> Iterator[Change]:
    olds = {row.id: row for row in _rows(old, kind)}
    news = {row.id: row for row in _rows(new, kind)}
    yield from _compare_rows(new.base_name, kind, olds, news, list(news) + list(olds))
    for old_scenario, new_scenario in _common_scenarios(old, new):
        old_own, new_own = _own_rows(old_scenario, kind), _own_rows(new_scenario, kind)
        old_gone, new_gone = set(old_scenario.removed_rows), set(new_scenario.removed_rows)
        touched = [
            ident
            for ident in dict.fromkeys([*new_own, *old_own, *new_gone, *old_gone])
            if old_own.get(ident) != new_own.get(ident)
            or (ident in old_gone) != (ident in new_gone)
        ]
        if not touched:
            continue
        yield from _compare_rows(
            new_scenario.name,
            kind,
            _resolved_rows(old, old_scenario.name, kind),
            _resolved_rows(new, new_scenario.name, kind),
            touched,
            own=(old_own, new_own),
        )


def _compare_rows(
    scenario: str,
    kind: RowKind,
    olds: dict[str, EventRow],
    news: dict[str, EventRow],
    order: Iterable[str],
    own: tuple[dict[str, EventRow], dict[str, EventRow]] | None = None,
) -> Iterator[Change]:
    fields = ROUND_FIELDS if kind == "funding round" else CONTRACT_FIELDS
    for ident in dict.fromkeys(order):
        before, after = olds.get(ident), news.get(ident)
        if before is None and after is not None:
            yield Change(kind, scenario, row_label(after), ADDED, "", "", _row_summary(after))
        elif after is None and before is not None:
            yield Change(kind, scenario, row_label(before), REMOVED, "", _row_summary(before), "")
        elif before is not None and after is not None:
            label = row_label(after)
            differ = False
            for field, title, unit in fields:
                was, now = getattr(before, field), getattr(after, field)
                if was != now:
                    differ = True
                    yield Change(
                        kind,
                        scenario,
                        label,
                        title,
                        unit,
                        _field_text(was, unit),
                        _field_text(now, unit),
                        numeric=isinstance(now, float) and isinstance(was, float),
                    )
            if not differ and own is not None:
                was_own, is_own = ident in own[0], ident in own[1]
                if was_own != is_own:
                    yield Change(
                        kind,
                        scenario,
                        label,
                        "",
                        "",
                        "its own row" if was_own else "the base's row",
                        "its own row" if is_own else "the base's row",
                    )


# --- notes, uncertainty, order ---------------------------------------------------------


def _note_changes(old: Project, new: Project) -> Iterator[Change]:
    for before, after in _pairs(old, new):
        if before.note != after.note:
            yield Change("note", "", after.label, "", "", before.note, after.note)
        if before.input_notes == after.input_notes:
            continue
        for period in dict.fromkeys([*new.periods, *before.input_notes]):
            was = before.input_notes.get(period, "")
            now = after.input_notes.get(period, "")
            if was != now:
                yield Change("note", "", after.label, period, "", was, now)


def _uncertainty_changes(old: Project, new: Project) -> Iterator[Change]:
    """Ranges of the base and of every scenario both have, then the correlations."""
    labels = {item.id: item.label for item in (*old.items, *new.items)}
    yield from _range_changes("", old.uncertainty, new.uncertainty, labels)
    for before, after in _common_scenarios(old, new):
        yield from _range_changes(after.name, before.uncertainty, after.uncertainty, labels)
    olds = {c.pair(): c for c in old.correlations}
    news = {c.pair(): c for c in new.correlations}
    for pair in dict.fromkeys([*news, *olds]):
        was, now = olds.get(pair), news.get(pair)
        either = now if now is not None else was
        if was == now or either is None:
            continue
        label = " and ".join(labels.get(ident, ident) for ident in either.items)
        if was is not None and now is not None and was.rank == now.rank:
            yield Change("uncertainty", "", label, "correlation note", "", was.note, now.note)
            continue
        yield Change(
            "uncertainty",
            "",
            label,
            "correlation",
            "",
            "" if was is None else f"{was.rank:+.2f}",
            "" if now is None else f"{now.rank:+.2f}",
        )


def _range_changes(
    scenario: str,
    old: Sequence[Uncertainty],
    new: Sequence[Uncertainty],
    labels: dict[str, str],
) -> Iterator[Change]:
    olds = {spec.item: spec for spec in old}
    news = {spec.item: spec for spec in new}
    for ident in dict.fromkeys([*news, *olds]):
        before, after = olds.get(ident), news.get(ident)
        label = labels.get(ident, ident)
        if before is None and after is not None:
            yield Change("uncertainty", scenario, label, ADDED, "", "", range_text(after))
        elif after is None and before is not None:
            yield Change("uncertainty", scenario, label, REMOVED, "", range_text(before), "")
        elif before is not None and after is not None:
            if (before.distribution, before.low, before.high) != (
                after.distribution,
                after.low,
                after.high,
            ):
                was, now = range_text(before), range_text(after)
                if was == now:  # the difference lies past two decimals
                    was = f"{before.distribution} {before.low!r} to {before.high!r}"
                    now = f"{after.distribution} {after.low!r} to {after.high!r}"
                yield Change("uncertainty", scenario, label, "range", "", was, now)
            if before.note != after.note:
                yield Change("uncertainty", scenario, label, "note", "", before.note, after.note)


def _order_changes(old: Project, new: Project) -> Iterator[Change]:
    def reordered(before: Sequence[str], after: Sequence[str]) -> bool:
        shared = set(before) & set(after)
        return [x for x in before if x in shared] != [x for x in after if x in shared]

    lists = [
        ("Line items", [i.id for i in old.items], [i.id for i in new.items]),
        ("Scenarios", [s.name for s in old.scenarios], [s.name for s in new.scenarios]),
        ("Funding rounds", [r.id for r in old.funding_rounds], [r.id for r in new.funding_rounds]),
        (
            "Compute contracts",
            [c.id for c in old.compute_contracts],
            [c.id for c in new.compute_contracts],
        ),
        (
            "Uncertainty ranges",
            [u.item for u in old.uncertainty],
            [u.item for u in new.uncertainty],
        ),
    ]
    for what, before, after in lists:
        if reordered(before, after):
            yield Change("order", "", what, "", "", "", "reordered")


# --- applying ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplaceContent:
    """Give a project another project's content in place; the inverse gives back the old.

    The project object stays the one the window holds, so the step sits on the
    undo stack like any edit.
    """

    content: Project
    label: str = "Import workbook"

    @property
    def description(self) -> str:
        return self.label

    def apply(self, project: Project) -> Command:
        before = project.model_copy(deep=True)
        incoming = self.content.model_copy(deep=True)
        for field in type(project).model_fields:
            setattr(project, field, getattr(incoming, field))
        return ReplaceContent(before, self.label)

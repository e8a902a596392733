"""Opening balances: the constants a balance starts from, moved when the first year moves.

``prev(cash, opening_cash)`` reads ``opening_cash`` as cash before the first period.
When a timeline starts later, that constant takes the balance's value at the end of
the last dropped period, so the balance goes on where it was; a label that dates it
("Cash at the start of 2023") moves to the new start with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from planner.engine import evaluate
from planner.formula import Call, Chain, Cmp, FormulaError, Logic, Neg, Node, Not, Power, Prev, Ref
from planner.formula import parse as parse_formula
from planner.model import Project, period_year
from planner.scenarios import ProjectError


@dataclass(frozen=True)
class OpeningBalance:
    """A constant that is only ever the value of a balance before the first period:
    ``opening_cash`` in ``prev(cash, opening_cash)``."""

    constant: str
    balance: str


def opening_balances(project: Project) -> list[OpeningBalance]:
    """The project's opening balances, in the order of its items.

    A constant read anywhere else, or standing before two different balances, is not
    one: moving it would change more than where a balance starts.
    """
    constants = {item.id for item in project.items if item.value is not None}
    formulas = [item.formula for item in project.items if item.formula is not None]
    for scenario in project.scenarios:
        formulas += scenario.formulas.values()
    defaults: dict[str, set[str]] = {}
    elsewhere: set[str] = set()
    for text in formulas:
        try:
            root = parse_formula(text).root
        except FormulaError:
            continue
        _scan(root, defaults, elsewhere)
    return [
        OpeningBalance(item.id, next(iter(defaults[item.id])))
        for item in project.items
        if item.id in constants and item.id not in elsewhere and len(defaults.get(item.id, ())) == 1
    ]


def restarting_balances(project: Project) -> list[str]:
    """Items read with ``prev`` whose value before the first period is a fixed number
    (``prev(capacity, 0)``): a later first year starts them over from that number."""
    carried = {b.balance for b in opening_balances(project)}
    fixed: set[str] = set()
    for item in project.items:
        if item.formula is None:
            continue
        try:
            root = parse_formula(item.formula).root
        except FormulaError:
            continue
        stack: list[Node] = [root]
        while stack:
            current = stack.pop()
            if isinstance(current, Prev) and not isinstance(current.default, Ref):
                fixed.add(current.name)
            stack.extend(_children(current))
    formulas = {item.id for item in project.items if item.formula is not None}
    return [i.id for i in project.items if i.id in fixed - carried and i.id in formulas]


def _children(node: Node) -> list[Node]:
    if isinstance(node, Prev):
        return [] if node.default is None else [node.default]
    if isinstance(node, Neg | Not):
        return [node.operand]
    if isinstance(node, Chain):
        return [node.first, *(part for _, part in node.rest)]
    if isinstance(node, Power):
        return [node.base, node.exponent]
    if isinstance(node, Cmp):
        return [node.left, node.right]
    if isinstance(node, Logic):
        return list(node.operands)
    if isinstance(node, Call):
        return list(node.args)
    return []


def _scan(node: Node, defaults: dict[str, set[str]], elsewhere: set[str]) -> None:
    """Note which names stand alone as a ``prev`` default, and which are read otherwise."""
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Ref):
            elsewhere.add(current.name)
        elif isinstance(current, Prev):
            elsewhere.add(current.name)
            if isinstance(current.default, Ref):
                defaults.setdefault(current.default.name, set()).add(current.name)
            elif current.default is not None:
                stack.append(current.default)
        else:
            stack.extend(_children(current))


def last_period_before(periods: list[str], first_year: int) -> str | None:
    """The last period before a new first year: its closing balances open the new timeline."""
    before = [p for p in periods if period_year(p) < first_year]
    return before[-1] if before else None


def carry_opening_balances(project: Project, first_year: int) -> list[OpeningBalance]:
    """Give each opening balance the value its balance had at the end of the dropped periods,
    in the base and in every scenario, so the balances go on where they were.

    Returns the balances carried: none when no period is dropped or the project does
    not evaluate (its opening values then stay as they were).
    """
    cut = last_period_before(project.periods, first_year)
    balances = opening_balances(project) if cut is not None else []
    if cut is None or not balances:
        return []
    index = project.periods.index(cut)
    try:
        results = {name: evaluate(project, name) for name in project.scenario_names}
    except (FormulaError, ProjectError, KeyError):
        return []
    for balance in balances:
        item = project.item(balance.constant)
        base_value = float(results[project.base_name].series(balance.balance)[index])
        item.value = base_value
        item.note = _carried_note(item.note, project.item(balance.balance).label, cut, first_year)
        for scenario in project.scenarios:
            value = float(results[scenario.name].series(balance.balance)[index])
            if value != base_value:
                scenario.values[balance.constant] = value
            else:
                scenario.values.pop(balance.constant, None)
    return balances


MAX_NOTE = 4000  # the project file's limit


def _carried_note(old: str, balance: str, cut: str, first_year: int) -> str:
    """Where a carried opening value now comes from; the note it had, which spoke of the
    value it replaces, is kept after it rather than left to describe the new number."""
    note = f"the {cut} closing value of {balance}, carried when the plan's start moved to "
    note += str(first_year)
    if old:
        note += f"; before that: {old}"
    return note if len(note) <= MAX_NOTE else note[: MAX_NOTE - 1] + "\u2026"


_YEAR = re.compile(r"\b[0-9]{4}\b")


def moved_start_label(label: str, old_first: int, new_first: int) -> str:
    """``label`` dated to a new first year: the old first year, and the year before it,
    where named as whole words ("the start of 2023", "2022's holders"), become the new
    ones; "FY2023" or "120230" are left alone."""
    years = {str(old_first): str(new_first), str(old_first - 1): str(new_first - 1)}
    return _YEAR.sub(lambda match: years.get(match.group(0), match.group(0)), label)


def start_labels(
    project: Project, item_ids: list[str], old_first: int, new_first: int
) -> dict[str, str]:
    """The new label of each of ``item_ids`` whose label dates it to the old start."""
    labels = {item.id: item.label for item in project.items if item.id in item_ids}
    moved = {i: moved_start_label(label, old_first, new_first) for i, label in labels.items()}
    return {i: label for i, label in moved.items() if label != labels[i]}

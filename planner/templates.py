"""Templates for a new project: Blank, AI lab and the built-in OpenAI project.

Each is built for a chosen first and last year, in years or quarters. The AI lab
is derived from the built-in project at build time, so it keeps the article's
structure and formulas as they evolve, with every number set to zero and
every note that cites the article or carries its numbers left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from planner.builtin import builtin_project
from planner.commands import CommandError
from planner.model import LineItem, Project, period_year
from planner.scenarios import check_structure
from planner.timeline import SetTimeline, timeline_periods


class TemplateError(ValueError):
    """A template that cannot be built as asked; the message says what is possible."""


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    description: str
    build: Callable[[int, int, bool], Project]


def _timeline(first_year: int, last_year: int, quarterly: bool) -> list[str]:
    try:
        return timeline_periods(first_year, last_year, quarterly)
    except CommandError as exc:
        raise TemplateError(str(exc)) from None


# --- Blank ------------------------------------------------------------------------------


# id, label, unit, group, formula (None: an input row) and note; opening_cash is the
# one constant.
_BLANK_ITEMS: tuple[tuple[str, str, str, str, str | None, str], ...] = (
    ("sales", "Sales", "$B", "revenue", None, "revenue from what the company sells"),
    ("revenue", "Revenue", "$B", "revenue", "sum_of(revenue)", "every line of Revenue"),
    ("other_costs", "Operating costs", "$B", "costs", None, "staff, sales and all but compute"),
    (
        "compute_cost",
        "Compute cost",
        "$B",
        "costs",
        "compute_other_cost + committed_spend",
        "compute outside the contracts + payments due under the compute contracts",
    ),
    ("total_costs", "Total costs", "$B", "costs", "sum_of(costs)", "every line of Costs"),
    (
        "compute_other_cost",
        "Compute outside the contracts",
        "$B",
        "compute",
        None,
        "rented or owned capacity not in the compute contracts table",
    ),
    (
        "capacity_added",
        "Capacity added outside the contracts",
        "GW",
        "compute",
        None,
        "capacity added in the period, not counting the contracts table",
    ),
    (
        "capacity_gw",
        "Compute capacity at period end",
        "GW",
        "compute",
        "prev(capacity_gw, 0) + capacity_added + contracted_gw",
        "balance: opening + added + delivered under the contracts",
    ),
    (
        "other_funding",
        "Debt and other funding",
        "$B",
        "funding",
        None,
        "cash raised outside the funding rounds table",
    ),
    (
        "funding",
        "Cash raised",
        "$B",
        "funding",
        "round_funding + other_funding",
        "funding rounds table + debt and other funding",
    ),
    (
        "burn",
        "Cash burn",
        "$B",
        "cash",
        "total_costs - revenue",
        "total costs - revenue; positive while losing money",
    ),
    ("opening_cash", "Cash at the start of the plan", "$B", "cash", None, "the opening balance"),
    (
        "cash",
        "Cash at period end",
        "$B",
        "cash",
        "prev(cash, opening_cash) + funding - burn",
        "corkscrew: opening cash + cash raised - burn",
    ),
)
_BLANK_CONSTANTS = ("opening_cash",)


def _blank_items(periods: int) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for item_id, label, unit, group, formula, note in _BLANK_ITEMS:
        item: dict[str, object] = {
            "id": item_id,
            "label": label,
            "unit": unit,
            "group": group,
            "note": note,
        }
        if formula is not None:
            item["formula"] = formula
        elif item_id in _BLANK_CONSTANTS:
            item["value"] = 0.0
        else:
            item["inputs"] = [0.0] * periods
        items.append(item)
    return items


def blank(first_year: int, last_year: int, quarterly: bool = False) -> Project:
    """The smallest model that computes every key figure, all inputs zero."""
    periods = _timeline(first_year, last_year, quarterly)
    project = Project.model_validate(
        {
            "name": "Untitled",
            "periods": periods,
            "groups": ["revenue", "costs", "compute", "funding", "cash"],
            "items": _blank_items(len(periods)),
        }
    )
    check_structure(project)
    return project


# --- AI lab -----------------------------------------------------------------------------

# Per-period conversions of the article's annual rates, for a quarterly timeline:
# (text in the yearly formula, its quarterly replacement, the note). A formula that no
# longer holds the text is a template out of step with the built-in project.
_QUARTERLY_FORMULAS: dict[str, tuple[str, str, str]] = {
    "consumer_subscriptions": (
        "* 12 /",
        "* 3 /",
        "users x paying share x monthly price x 3 months; M users x $ / 1000 = $B",
    ),
    "ad_revenue": (
        "/ 1000",
        "/ 1000 / 4",
        "users x yearly revenue per user / 4 quarters; M users x $ / 1000 = $B",
    ),
    "cloud_compute_cost": (
        "* cloud_cost_per_gw",
        "* cloud_cost_per_gw / 4",
        "average capacity in the quarter x cost per GW-year / 4 quarters",
    ),
    "exit_run_rate": (
        "2 * revenue",
        "8 * revenue",
        "revenue taken as linear within the quarter: the closing yearly run-rate is "
        "8 x the quarter's revenue - the opening run-rate",
    ),
}
_ARTICLE_LAB = re.compile(r"\bChatGPT\s+(\w)")
_PARENTHESES = re.compile(r"\s*\([^()]*\)")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_RATIO = re.compile(r"^([a-z]\w*) / ([a-z]\w*)$")


def _plain_note(note: str, formula: str | None) -> str:
    """The parts of a note that explain a calculation: no sources, assumptions or figures.

    A clause keeps only numbers its own formula uses (12 months, 1000 for $M to $B).
    """
    if formula is None:
        return ""
    allowed = set(_NUMBER.findall(formula))
    text = _PARENTHESES.sub("", note)
    kept = [
        clause.strip()
        for clause in text.split(";")
        if clause.strip()
        and "article" not in clause
        and "assumption" not in clause
        and set(_NUMBER.findall(clause)) <= allowed
    ]
    return "; ".join(kept)


def _plain_label(label: str, years: dict[str, str]) -> str:
    label = _ARTICLE_LAB.sub(lambda m: m.group(1).upper(), label)
    for old, new in years.items():
        label = label.replace(old, new)
    return label


def _guarded(formula: str) -> str:
    """A ratio that reads zero, not an error, while its denominator is zero (no revenue yet)."""
    match = _RATIO.match(formula)
    if match is None:
        return formula
    return f"if({match.group(2)} != 0, {formula}, 0)"


def _quarterly(item: LineItem) -> LineItem:
    """``item`` with its yearly rates turned into a quarter's share."""
    if item.formula is None or item.id not in _QUARTERLY_FORMULAS:
        return item
    old, new, note = _QUARTERLY_FORMULAS[item.id]
    if old not in item.formula:
        raise TemplateError(f"the AI lab template cannot make '{item.id}' quarterly")
    return item.model_copy(update={"formula": item.formula.replace(old, new), "note": note})


def _renamed(text: str, names: dict[str, str]) -> str:
    for old, new in names.items():
        text = re.sub(rf"\b{old}\b", new, text)
    return text


def ai_lab(first_year: int, last_year: int, quarterly: bool = False) -> Project:
    """The article's structure and formulas; every number zero, no events or scenarios."""
    periods = _timeline(first_year, last_year, quarterly)
    source = builtin_project()
    article_start = period_year(source.periods[0])
    years = {str(article_start): str(first_year), str(article_start - 1): str(first_year - 1)}
    if quarterly:
        years["year end"] = "quarter end"
        years["year average"] = "quarter average"
    # Ids that name the article's lab or first year ("raised_before_2023") lose the name.
    ids = {
        i.id: i.id.replace(str(article_start), "start").removeprefix("chatgpt_")
        for i in source.items
    }
    renamed = {old: new for old, new in ids.items() if old != new}
    items = []
    for item in source.items:
        if quarterly:
            item = _quarterly(item)
        formula = item.formula
        if formula is not None:
            formula = _guarded(_renamed(formula, renamed))
        items.append(
            {
                "id": ids[item.id],
                "label": _plain_label(item.label, years),
                "unit": item.unit,
                "group": item.group,
                "inputs": None if item.inputs is None else [0.0] * len(periods),
                "value": None if item.value is None else 0.0,
                "formula": formula,
                "note": _plain_note(item.note, formula),
            }
        )
    project = Project.model_validate(
        {
            "name": "Untitled lab",
            "description": "An AI lab in the structure of the built-in project: drivers, "
            "revenue lines, compute, contracts, funding and cash, every number to fill in.",
            "periods": periods,
            "groups": source.groups,
            "items": items,
        }
    )
    check_structure(project)
    return project


# --- OpenAI, December 2025 ----------------------------------------------------------------


def openai_2025(first_year: int, last_year: int, quarterly: bool = False) -> Project:
    """The built-in project; its horizon may end earlier or later, but it starts in its
    first year, in years: its opening balances are those of that year's start."""
    project = builtin_project()
    start = period_year(project.periods[0])
    reference = project.reference_period or project.periods[0]
    if quarterly:
        raise TemplateError("the OpenAI, December 2025 project is in years; leave out --quarterly")
    if first_year != start:
        raise TemplateError(
            f"the OpenAI, December 2025 project starts in {start}: its opening cash and "
            f"capital raised are balances at the start of {start}; use --start {start}"
        )
    if last_year < period_year(reference):
        raise TemplateError(
            f"the OpenAI, December 2025 project runs at least to {reference}, "
            "the last year with the article's figures"
        )
    _timeline(first_year, last_year, quarterly)
    if last_year != period_year(project.periods[-1]):
        SetTimeline(first_year, last_year).apply(project)
    check_structure(project)
    return project


TEMPLATES: dict[str, Template] = {
    template.id: template
    for template in (
        Template(
            "blank",
            "Blank",
            "The smallest working model: revenue, costs, compute, funding and cash, all zero.",
            blank,
        ),
        Template(
            "ai-lab",
            "AI lab",
            "The built-in project's structure (drivers, revenue lines, compute, contracts, "
            "funding, cash) with every number zero and no scenarios.",
            ai_lab,
        ),
        Template(
            "openai-2025",
            "OpenAI, December 2025",
            "The built-in project in four scenarios; starts in 2023, in years, and may end "
            "later (inputs continue their last value) or earlier.",
            openai_2025,
        ),
    )
}


def build_template(template_id: str, first_year: int, last_year: int, quarterly: bool) -> Project:
    """A new project from template ``template_id``; :class:`TemplateError` says what is wrong."""
    template = TEMPLATES.get(template_id)
    if template is None:
        known = ", ".join(TEMPLATES)
        raise TemplateError(f"there is no template '{template_id}'; choose one of {known}")
    return template.build(first_year, last_year, quarterly)

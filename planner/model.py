"""The project: periods, line items, event tables and scenarios.

These pydantic models are the project file's schema and the objects that the
engine, the command line and the window share. Scenarios store only what they
override; :func:`resolve` merges a scenario over the base.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from planner.formula import reserved_word_problem

SCHEMA_VERSION = 1

# Characters that break a one-line name wherever it goes: terminals act on escapes,
# spreadsheets refuse C0 controls, and non-characters and lone surrogates have no
# encoding at all. Non-characters are U+FDD0-U+FDEF and the last two of every plane.
_NON_CHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000)
)
_FORBIDDEN_IN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{_NON_CHARACTERS}]")
_FORBIDDEN_IN_NOTE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_NON_CHARACTERS}]")
_CHARACTER_NAMES = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab"}


def check_text(text: str, *, multiline: bool = False) -> str:
    """``text`` unchanged, or ValueError naming its first control character or non-character.

    Names and labels are one line; notes may also hold line breaks and tabs.
    """
    found = (_FORBIDDEN_IN_NOTE if multiline else _FORBIDDEN_IN_LINE).search(text)
    if found is None:
        return text
    char = found.group()
    code = f"U+{ord(char):04X}"
    what = (
        f"{_CHARACTER_NAMES[char]} ({code})"
        if char in _CHARACTER_NAMES
        else f"the character {code}"
    )
    if multiline:
        raise ValueError(
            f"contains {what}; a note may hold line breaks and tabs, no other control characters"
        )
    raise ValueError(
        f"contains {what}; names and labels are one line of text without control characters"
    )


def _check_note(text: str) -> str:
    return check_text(text, multiline=True)


def validation_problem(error: Mapping[str, Any]) -> str:
    """One of pydantic's errors in the words of a project, where pydantic's would puzzle."""
    context = error.get("ctx") or {}
    if error["type"] == "value_error":
        return str(context.get("error", error["msg"]))  # the model's own message, no prefix
    if error["type"] == "string_pattern_mismatch" and context.get("pattern") == PERIOD_PATTERN:
        return "a period is a year such as 2025 or a quarter such as 2025-Q3, in digits 0 to 9"
    return str(error["msg"])


ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
RowId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_\-]{1,64}$")]
ShortText = Annotated[str, StringConstraints(max_length=200), AfterValidator(check_text)]
NoteText = Annotated[str, StringConstraints(max_length=4000), AfterValidator(_check_note)]
# ASCII digits only: the pattern engine's \d also matches Arabic-Indic and other digits.
# The structure check says which years and which sequences of periods are allowed.
PERIOD_PATTERN = r"^[0-9]{4}(-Q[1-4])?$"
PeriodLabel = Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)]
FIRST_YEAR, LAST_YEAR = 1900, 2200
# Checked by pydantic's core rather than a validator in Python: a large project holds
# a million numbers.
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]

# Series that ``summary`` reports and the key figures are computed from.
SUMMARY_SERIES: tuple[str, ...] = (
    "revenue",
    "total_costs",
    "burn",
    "funding",
    "cash",
    "capacity_gw",
    "compute_cost",
    "committed_spend",
)

# Series that the event tables produce; formulas read them like line items.
EVENT_SERIES: dict[str, tuple[str, str]] = {
    "contracted_gw": ("Capacity delivered under contracts", "GW"),
    "contracted_custom_gw": ("of which on custom chips", "GW"),
    "committed_spend": ("Payments due under compute contracts", "$B"),
    "committed_custom_spend": ("of which for custom chips", "$B"),
    "round_funding": ("Cash from funding rounds", "$B"),
    "round_share_kept": ("Share existing holders keep through the rounds", "%"),
}

# The summary's series that a project must define as line items (the rest come from
# the event tables).
REQUIRED_ITEMS: tuple[str, ...] = tuple(s for s in SUMMARY_SERIES if s not in EVENT_SERIES)


class _Strict(BaseModel):
    # Validators are built on first use rather than at import: loading a project
    # builds them all in one pass, which takes a third of the time on the start-up path.
    model_config = ConfigDict(extra="forbid", validate_assignment=False, defer_build=True)


class LineItem(_Strict):
    """One row of the model: inputs per period, a single constant, or a formula."""

    id: ItemId
    label: ShortText
    unit: ShortText = ""
    group: ItemId
    inputs: list[FiniteFloat] | None = None
    value: FiniteFloat | None = None
    formula: Annotated[str, StringConstraints(max_length=2000)] | None = None
    note: NoteText = ""
    input_notes: dict[PeriodLabel, NoteText] = Field(default_factory=dict)

    @field_validator("id", "group")
    @classmethod
    def _not_reserved(cls, name: str, info: ValidationInfo) -> str:
        # A formula could never reference such an item: `class + 1` is bad syntax,
        # `min + 1` names a function, and `sum_of(class)` cannot be parsed.
        problem = reserved_word_problem(name, group=info.field_name == "group")
        if problem is not None:
            item_id = name if info.field_name == "id" else info.data.get("id", "?")
            raise ValueError(f"line item '{item_id}': {problem}")
        return name

    @property
    def kind(self) -> Literal["input", "constant", "formula"]:
        if self.formula is not None:
            return "formula"
        if self.value is not None:
            return "constant"
        return "input"


class FundingRound(_Strict):
    """Cash raised from an investor in a period; optionally paid in tranches per GW delivered."""

    id: RowId
    period: PeriodLabel
    investor: ShortText
    amount: Annotated[float, Field(ge=0, le=1e6)]
    pre_money: Annotated[float, Field(gt=0, le=1e7)] | None = None
    tranche_per_gw: Annotated[float, Field(gt=0, le=1e6)] | None = None
    note: NoteText = ""

    @property
    def post_money(self) -> float | None:
        return None if self.pre_money is None else self.pre_money + self.amount


class ComputeContract(_Strict):
    """Capacity bought from a counterparty: delivered evenly over its delivery years,
    each year's delivery paid evenly over its years in service."""

    id: RowId
    counterparty: ShortText
    gw: Annotated[float, Field(ge=0, le=1e4)]
    total_value: Annotated[float, Field(ge=0, le=1e6)]
    first_year: Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
    last_year: Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
    service_years: Annotated[int, Field(ge=1, le=50)] = 5
    custom_chip_share: Annotated[float, Field(ge=0, le=1)] = 0.0
    note: NoteText = ""


# A range wider than a hundredfold is a typo, and would overflow the engine long before
# it said anything about the plan.
MAX_FACTOR = 100.0


class Uncertainty(_Strict):
    """How far an input may be off: a factor on its values in every period of a scenario.

    One factor is drawn per sample and applies to all periods alike ("users 20%
    lower throughout"), so a sample is a coherent alternative path, not noise.
    A triangular or PERT factor peaks at 1: the scenario's own numbers are the likeliest.
    A lognormal factor has ``low`` and ``high`` as its 5th and 95th percentiles.
    """

    item: ItemId
    distribution: Literal["triangular", "uniform", "pert", "lognormal"]
    low: float
    high: float
    note: NoteText = ""

    @model_validator(mode="after")
    def _range(self) -> Uncertainty:
        where = f"the uncertainty of '{self.item}'"
        for bound in ("low", "high"):
            if not math.isfinite(getattr(self, bound)):
                raise ValueError(f"{where}: {bound} must be a finite number")
        if not 0 < self.low <= 1:
            raise ValueError(f"{where}: low is {self.low:g}; it must be above 0 and at most 1")
        if not 1 <= self.high <= MAX_FACTOR:
            raise ValueError(
                f"{where}: high is {self.high:g}; it must be at least 1 and at most {MAX_FACTOR:g}"
            )
        return self


def _list_as_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


class Correlation(_Strict):
    """A rank correlation between the factors of two uncertain inputs."""

    # A file holds a JSON list; strict validation would take only a tuple.
    items: Annotated[tuple[ItemId, ItemId], BeforeValidator(_list_as_tuple)]
    rank: Annotated[float, Field(ge=-1, le=1, allow_inf_nan=False)]
    note: NoteText = ""

    @model_validator(mode="after")
    def _two_items(self) -> Correlation:
        if self.items[0] == self.items[1]:
            raise ValueError(
                f"the correlation of '{self.items[0]}' with itself: name two different items"
            )
        return self

    def pair(self) -> frozenset[str]:
        return frozenset(self.items)


class Scenario(_Strict):
    """A named variant of the base: only the cells, formulas and rows it overrides."""

    name: ShortText
    description: ShortText = ""
    inputs: dict[ItemId, dict[PeriodLabel, FiniteFloat]] = Field(default_factory=dict)
    values: dict[ItemId, FiniteFloat] = Field(default_factory=dict)
    formulas: dict[ItemId, Annotated[str, StringConstraints(max_length=2000)]] = Field(
        default_factory=dict
    )
    funding_rounds: dict[RowId, FundingRound] = Field(default_factory=dict)
    compute_contracts: dict[RowId, ComputeContract] = Field(default_factory=dict)
    removed_rows: list[RowId] = Field(default_factory=list)
    # A range here replaces the base's range of the same item, or adds one.
    uncertainty: Annotated[list[Uncertainty], Field(max_length=5000)] = Field(default_factory=list)

    def overrides_cell(self, item_id: str, period: str) -> bool:
        return period in self.inputs.get(item_id, {})


class Project(_Strict):
    """A whole project: the base scenario's model plus named scenarios."""

    schema_version: Literal[1] = 1
    name: ShortText = "Untitled"
    description: NoteText = ""
    base_name: ShortText = "Base"
    base_description: ShortText = ""
    periods: Annotated[list[PeriodLabel], Field(min_length=1, max_length=600)]
    reference_period: PeriodLabel | None = None
    groups: list[ItemId] = Field(default_factory=list)
    items: Annotated[list[LineItem], Field(max_length=5000)]
    funding_rounds: Annotated[list[FundingRound], Field(max_length=1000)] = Field(
        default_factory=list
    )
    compute_contracts: Annotated[list[ComputeContract], Field(max_length=1000)] = Field(
        default_factory=list
    )
    scenarios: Annotated[list[Scenario], Field(max_length=200)] = Field(default_factory=list)
    uncertainty: Annotated[list[Uncertainty], Field(max_length=5000)] = Field(default_factory=list)
    correlations: Annotated[list[Correlation], Field(max_length=5000)] = Field(default_factory=list)

    # --- look-ups -------------------------------------------------------

    @property
    def scenario_names(self) -> list[str]:
        return [self.base_name, *(s.name for s in self.scenarios)]

    def item(self, item_id: str) -> LineItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def scenario(self, name: str) -> Scenario | None:
        """The named scenario, or None for the base; KeyError if there is no such name."""
        if name == self.base_name:
            return None
        for scenario in self.scenarios:
            if scenario.name == name:
                return scenario
        raise KeyError(name)

    def period_index(self, period: str) -> int:
        return self.periods.index(period)

    def group_order(self) -> list[str]:
        """Groups in display order: those listed first, then any others as they appear."""
        order = list(self.groups)
        for item in self.items:
            if item.group not in order:
                order.append(item.group)
        return order


def period_year(label: str) -> int:
    return int(label[:4])


def period_months(label: str) -> tuple[int, int]:
    """First month (1-12) and length in months of a period label."""
    match = re.fullmatch(r"[0-9]{4}-Q([1-4])", label)
    if match:
        return 3 * (int(match.group(1)) - 1) + 1, 3
    return 1, 12

"""The formula language: a small, safe expression language over line items.

Formulas are parsed with :mod:`ast` and checked against a whitelist of node
types; nothing is ever passed to ``eval``. A parsed formula is a tree of the
small dataclasses below, which the evaluator compiles to numpy, the reference
evaluator walks cell by cell, and :func:`to_excel` writes as an Excel formula.
"""

from __future__ import annotations

import ast
import difflib
import keyword
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from functools import lru_cache

MAX_FORMULA_LENGTH = 2000
MAX_DEPTH = 60
MAX_ARGUMENTS = 255  # the most a function takes in Excel
EXCEL_FORMULA_CHARS = 8192  # the longest formula Excel opens, "=" included

FUNCTIONS = ("prev", "min", "max", "if", "abs", "sum_of", "deleted")
_IF_NAME = "if_"  # ``if(`` is read as ``if_(``: Python would take ``if`` for its keyword

ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
RESERVED_GROUP_NAMES = frozenset(keyword.kwlist)
"""Names Python's parser reads as keywords: ``sum_of(class)`` cannot even be parsed."""
RESERVED_IDS = RESERVED_GROUP_NAMES | frozenset(FUNCTIONS) | {_IF_NAME}
"""Ids a formula could never reference: keywords, and the language's own functions."""


class FormulaError(ValueError):
    """A formula that cannot be parsed, resolved or evaluated."""

    def __init__(self, item_id: str, problem: str) -> None:
        self.item_id = item_id
        self.problem = problem
        super().__init__(f"line item '{item_id}': {problem}")


# --- the tree ---------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Deleted(Num):
    """``deleted(x)``: where a formula read a line item that was deleted; always an error.

    An error rather than a number, as a spreadsheet shows #REF! where a deleted row was
    read: the value is NaN, which spreads through every operator like any cell in error.
    """

    name: str = ""


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class Prev:
    name: str
    default: Node | None


@dataclass(frozen=True)
class SumOf:
    group: str


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class Chain:
    """``first op x op y ...`` worked left to right, all operators of one level:
    + and -, or * and /. A flat list rather than nested pairs, so that a sum of
    hundreds of terms is one level deep and nothing recurses along it."""

    first: Node
    rest: tuple[tuple[str, Node], ...]


@dataclass(frozen=True)
class Power:
    base: Node
    exponent: Node


@dataclass(frozen=True)
class Cmp:
    op: str  # < <= > >= == !=
    left: Node
    right: Node


@dataclass(frozen=True)
class Logic:
    op: str  # and, or
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Call:
    func: str  # min, max, if, abs
    args: tuple[Node, ...]


Node = Num | Ref | Prev | SumOf | Neg | Not | Chain | Power | Cmp | Logic | Call

_CHAIN_OPS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
}
_LEVEL = {"+": "+-", "-": "+-", "*": "*/", "/": "*/"}
_CMP_OPS: dict[type[ast.cmpop], str] = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
}
_IF_CALL = re.compile(r"\bif(\s*\()")


@dataclass(frozen=True)
class Formula:
    """A parsed formula and the names it uses."""

    text: str
    root: Node
    refs: frozenset[str]  # line items read in the same period
    prevs: frozenset[str]  # line items read in the previous period
    groups: frozenset[str]  # groups summed with sum_of
    deleted: frozenset[str] = frozenset()  # deleted line items it still names


def parse(text: str, item_id: str = "?") -> Formula:
    """Parse ``text``; raise :class:`FormulaError` naming ``item_id`` on any problem."""
    return _parse_cached(text, item_id)


@lru_cache(maxsize=16384)
def _parse_cached(text: str, item_id: str) -> Formula:
    if not isinstance(text, str) or not text.strip():
        raise FormulaError(item_id, "the formula is empty")
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaError(item_id, f"the formula is longer than {MAX_FORMULA_LENGTH} characters")
    if _bracket_depth(text) > MAX_DEPTH:
        raise FormulaError(item_id, "the formula is nested too deeply")
    source = _IF_CALL.sub(_IF_NAME + r"\1", text.strip())
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        where = f" at character {exc.offset}" if exc.offset else ""
        raise FormulaError(item_id, f"bad syntax{where}: {text.strip()!r}") from None
    except (RecursionError, MemoryError):
        raise FormulaError(item_id, "the formula is nested too deeply") from None
    except ValueError as exc:  # e.g. a NUL character, refused by the parser itself
        raise FormulaError(item_id, f"bad syntax: {exc}") from None
    builder = _Builder(item_id, source)
    root = builder.build(tree.body, 0)
    return Formula(
        text=text,
        root=root,
        refs=frozenset(builder.refs),
        prevs=frozenset(builder.prevs),
        groups=frozenset(builder.groups),
        deleted=frozenset(builder.deleted),
    )


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest


def _chain_op(node: ast.AST) -> str | None:
    return _CHAIN_OPS.get(type(node.op)) if isinstance(node, ast.BinOp) else None


class _Builder:
    def __init__(self, item_id: str, source: str) -> None:
        self.item_id = item_id
        self.source = source
        self.ascii = source.isascii()
        self.refs: set[str] = set()
        self.prevs: set[str] = set()
        self.groups: set[str] = set()
        self.deleted: set[str] = set()

    def fail(self, problem: str) -> FormulaError:
        return FormulaError(self.item_id, problem)

    def written(self, node: ast.AST) -> str:
        """``node`` as the source has it (the ast holds names NFKC-normalised)."""
        if self.ascii and isinstance(node, ast.Name):
            return node.id
        return ast.get_source_segment(self.source, node) or ""

    def name(self, node: ast.Name) -> str:
        written = self.written(node)
        if written != node.id or not ID_PATTERN.fullmatch(written):
            raise self.fail(
                f"'{written}' is not a line item id: ids use only the letters a-z, "
                "digits and _, and start with a letter"
            )
        return written

    def number(self, node: ast.Constant) -> Num:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"only numbers are allowed as constants, not {value!r}")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            literal = self.written(node)
            shown = literal if len(literal) <= 20 else literal[:16] + "..."
            raise self.fail(f"the number {shown} is too large (the largest is about 1.8e308)")
        return Num(number)

    def build(self, node: ast.AST, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise self.fail("the formula is nested too deeply")
        d = depth + 1
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            if node.id == _IF_NAME or node.id in FUNCTIONS:
                raise self.fail(f"'{_public(node.id)}' is a function: call it with arguments")
            name = self.name(node)
            self.refs.add(name)
            return Ref(name)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow):
                return Power(self.build(node.left, d), self.build(node.right, d))
            op = _chain_op(node)
            if op is None:
                raise self.fail(f"the operator {_op_text(node.op)} is not allowed")
            return self.chain(node, op, d)
        if isinstance(node, ast.UnaryOp):
            operand = self.build(node.operand, d)
            if isinstance(node.op, ast.USub):
                return Neg(operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            if isinstance(node.op, ast.Not):
                return Not(operand)
            raise self.fail(f"the operator {_op_text(node.op)} is not allowed")
        if isinstance(node, ast.Compare):
            if len(node.ops) != 1:
                raise self.fail("chained comparisons are not allowed; combine them with 'and'")
            cmp = _CMP_OPS.get(type(node.ops[0]))
            if cmp is None:
                raise self.fail(f"the comparison {_op_text(node.ops[0])} is not allowed")
            return Cmp(cmp, self.build(node.left, d), self.build(node.comparators[0], d))
        if isinstance(node, ast.BoolOp):
            op = "and" if isinstance(node.op, ast.And) else "or"
            if len(node.values) > MAX_ARGUMENTS:
                raise self.fail(f"'{op}' joins at most {MAX_ARGUMENTS} conditions in a workbook")
            return Logic(op, tuple(self.build(v, d) for v in node.values))
        if isinstance(node, ast.Call):
            return self.build_call(node, d)
        raise self.fail(f"{_describe(node)} is not allowed in a formula")

    def chain(self, node: ast.BinOp, op: str, depth: int) -> Chain:
        """``a + b - c ...`` (to Python ``((a + b) - c) ...``), walked without recursion."""
        level = _LEVEL[op]
        rest: list[tuple[str, ast.AST]] = []
        current: ast.AST = node
        while (current_op := _chain_op(current)) is not None and _LEVEL[current_op] == level:
            assert isinstance(current, ast.BinOp)
            rest.append((current_op, current.right))
            current = current.left
        first = self.build(current, depth)
        return Chain(first, tuple((o, self.build(x, depth)) for o, x in reversed(rest)))

    def build_call(self, node: ast.Call, depth: int) -> Node:
        if not isinstance(node.func, ast.Name):
            raise self.fail(f"{_describe(node.func)} cannot be called")
        name = node.func.id
        public = _public(name)
        if public not in FUNCTIONS or name == "if":
            known = ", ".join(FUNCTIONS)
            raise self.fail(f"the function '{public}' is not allowed (known functions: {known})")
        if self.written(node.func) != name and public != "if":
            raise self.fail(f"the function '{self.written(node.func)}' is not allowed")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail(f"{public}() takes plain arguments only")
        args = node.args
        if public == "prev":
            if len(args) not in (1, 2) or not isinstance(args[0], ast.Name):
                raise self.fail("prev() takes a line item name and an optional default: prev(x, 0)")
            target = args[0].id
            if target in FUNCTIONS or target == _IF_NAME:
                raise self.fail("prev() takes a line item name")
            self.prevs.add(self.name(args[0]))
            default = self.build(args[1], depth) if len(args) == 2 else None
            return Prev(target, default)
        if public == "sum_of":
            if len(args) != 1 or not isinstance(args[0], ast.Name):
                raise self.fail("sum_of() takes one group name: sum_of(costs)")
            group = self.name(args[0])
            self.groups.add(group)
            return SumOf(group)
        if public == "deleted":
            if len(args) != 1 or not isinstance(args[0], ast.Name):
                raise self.fail("deleted() takes the id of a deleted line item: deleted(x)")
            name = self.name(args[0])
            self.deleted.add(name)
            return Deleted(math.nan, name)
        if len(args) > MAX_ARGUMENTS:
            raise self.fail(f"{public}() takes at most {MAX_ARGUMENTS} arguments in a workbook")
        built = tuple(self.build(a, depth) for a in args)
        if public == "if" and len(built) != 3:
            raise self.fail("if() takes three arguments: if(condition, then, else)")
        if public == "abs" and len(built) != 1:
            raise self.fail("abs() takes one argument")
        if public in ("min", "max") and len(built) < 1:
            raise self.fail(f"{public}() takes at least one argument")
        return Call(public, built)


def _public(name: str) -> str:
    return "if" if name == _IF_NAME else name


def _op_text(op: ast.AST) -> str:
    return type(op).__name__


def _describe(node: ast.AST) -> str:
    kinds = {
        ast.Attribute: "attribute access",
        ast.Subscript: "indexing",
        ast.Lambda: "a lambda",
        ast.List: "a list",
        ast.Tuple: "a tuple",
        ast.Dict: "a dictionary",
        ast.Set: "a set",
        ast.IfExp: "Python's 'x if c else y' (use if(c, x, y))",
        ast.JoinedStr: "a string",
        ast.NamedExpr: "assignment",
    }
    return kinds.get(type(node), type(node).__name__)


# --- checking names ---------------------------------------------------------


def check_names(
    item_id: str, formula: Formula, known: Iterable[str], groups: Iterable[str]
) -> None:
    """Raise if ``formula`` uses a line item or group that does not exist.

    Pass sets when checking many formulas: other iterables are copied on every call.
    """
    known_set = known if isinstance(known, Set) else set(known)
    for name in sorted(formula.refs | formula.prevs):
        if name not in known_set:
            raise FormulaError(item_id, f"unknown name '{name}'{_suggest(name, known_set)}")
    group_set = groups if isinstance(groups, Set) else set(groups)
    for group in sorted(formula.groups):
        if group not in group_set:
            raise FormulaError(item_id, f"unknown group '{group}'{_suggest(group, group_set)}")


def _suggest(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def reserved_word_problem(name: str, *, group: bool = False) -> str | None:
    """Why ``name`` cannot be a line item id (or, with ``group``, a group), if it cannot."""
    if group:
        if name in RESERVED_GROUP_NAMES:
            return f"the group '{name}' is a reserved word of the formula language"
        return None
    if name in RESERVED_IDS:
        return "the id is a reserved word of the formula language"
    return None


# --- rewriting names ----------------------------------------------------------


@dataclass(frozen=True)
class _Span:
    """Where a name stands in a formula's text: ``start:end`` of the text as written."""

    start: int
    end: int
    kind: str  # "item", "group", or "prev" (the whole ``prev(...)`` call)
    name: str


def rename_names(
    text: str,
    items: Mapping[str, str] | None = None,
    groups: Mapping[str, str] | None = None,
) -> str:
    """``text`` with the line items and groups it names renamed; everything else as written.

    Names are found by parsing, never by searching the text: ``cost`` in ``cost_of_gpu``,
    a function called ``min`` and ``prev``'s default stay as they are.
    """
    items, groups = items or {}, groups or {}
    formula = parse(text)  # cached: most formulas name none of the renamed and stay as written
    names = formula.refs | formula.prevs
    if names.isdisjoint(items) and formula.groups.isdisjoint(groups):
        return text
    edits = []
    for span in _name_spans(text):
        table = groups if span.kind == "group" else items
        if span.kind != "prev" and span.name in table:
            edits.append((span.start, span.end, table[span.name]))
    return _edited(text, edits)


def mark_deleted(text: str, item_id: str) -> str:
    """``text`` with every reading of ``item_id`` (``prev`` included) as ``deleted(item_id)``."""
    edits = [
        (span.start, span.end, f"deleted({item_id})")
        for span in _name_spans(text)
        if span.name == item_id and span.kind in ("item", "prev")
    ]
    # A reference inside prev(x, default) goes with the call that holds it.
    outer = [e for e in edits if not any(o[0] <= e[0] and e[1] <= o[1] and o != e for o in edits)]
    return _edited(text, outer)


def _edited(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _name_spans(text: str) -> list[_Span]:
    parse(text)  # refuse what the language refuses before reading positions
    lead = len(text) - len(text.lstrip())
    body = text.strip()
    source = _IF_CALL.sub(_IF_NAME + r"\1", body)
    # Each "if(" gained one character in ``source``: map positions back to ``body``.
    shifts = [m.start() + 2 for m in _IF_CALL.finditer(body)]
    line_starts = [0]
    for line in source.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    lines = source.splitlines(keepends=True) or [""]

    def position(lineno: int, col: int) -> int:
        in_source = line_starts[lineno - 1] + len(lines[lineno - 1].encode()[:col].decode())
        before = sum(1 for n, shift in enumerate(shifts) if shift + n < in_source)
        return lead + in_source - before

    def span(node: ast.expr, kind: str, name: str) -> _Span:
        assert node.end_lineno is not None and node.end_col_offset is not None
        start = position(node.lineno, node.col_offset)
        return _Span(start, position(node.end_lineno, node.end_col_offset), kind, name)

    spans: list[_Span] = []
    pending: list[ast.AST] = [ast.parse(source, mode="eval").body]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Name):
            spans.append(span(node, "item", node.id))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            func, args = node.func.id, node.args
            if func == "sum_of" and isinstance(args[0], ast.Name):
                spans.append(span(args[0], "group", args[0].id))
                continue
            if func == "deleted":
                continue
            if func == "prev" and isinstance(args[0], ast.Name):
                spans.append(span(node, "prev", args[0].id))
            pending.extend(args)
        else:
            pending.extend(ast.iter_child_nodes(node))
    return spans


# --- Excel ------------------------------------------------------------------

CellRef = Callable[[str, int], str]
"""Maps (line item id, period offset 0 or -1) to an Excel reference."""

_PRECEDENCE = {"cmp": 1, "+": 2, "-": 2, "*": 3, "/": 3, "neg": 4, "**": 5}
_EXCEL_OP = {"==": "=", "!=": "<>"}


def to_excel(
    formula: Formula,
    ref: CellRef,
    *,
    first_period: bool,
    group_members: Callable[[str], Sequence[str]],
    first_flag: str | None = None,
) -> str:
    """The formula as Excel text (without the leading ``=``).

    ``prev(x, d)`` becomes the cell one period to the left, or ``d`` (0 when
    omitted) in the first period. Given ``first_flag``, a cell that is 1 in the
    first period and 0 after, ``prev`` becomes ``IF(flag,d,left cell)``: one
    text for every period, the first included. Comparisons used as numbers
    become ``IF(cond,1,0)`` so that a cell never holds TRUE or FALSE.
    """
    writer = _ExcelWriter(ref, first_period and first_flag is None, group_members)
    writer.first_flag = first_flag
    return writer.numeric(formula.root)


class _ExcelWriter:
    def __init__(
        self, ref: CellRef, first_period: bool, group_members: Callable[[str], Sequence[str]]
    ) -> None:
        self.ref = ref
        self.first_period = first_period
        self.group_members = group_members
        self.first_flag: str | None = None

    def numeric(self, node: Node) -> str:
        text = (
            f"IF({self.logical(node)},1,0)"
            if isinstance(node, Cmp | Logic | Not)
            else self.expr(node)
        )
        if len(text) >= EXCEL_FORMULA_CHARS:
            # Checked on every part as it is built: a power writes its operands twice
            # (see 0^0 below), so nested powers would otherwise grow without bound.
            raise FormulaError(
                "?",
                f"its Excel formula would be longer than Excel's limit of "
                f"{EXCEL_FORMULA_CHARS:,} characters; split it into shorter line items",
            )
        return text

    def logical(self, node: Node) -> str:
        if isinstance(node, Cmp):
            op = _EXCEL_OP.get(node.op, node.op)
            return f"{self.operand(node.left, 1, False)}{op}{self.operand(node.right, 1, True)}"
        if isinstance(node, Logic):
            inner = ",".join(self.logical(o) for o in node.operands)
            return f"{node.op.upper()}({inner})"
        if isinstance(node, Not):
            return f"NOT({self.logical(node.operand)})"
        return f"{self.expr(node)}<>0"

    def expr(self, node: Node) -> str:
        if isinstance(node, Deleted):
            return "#REF!"
        if isinstance(node, Num):
            return _number(node.value)
        if isinstance(node, Ref):
            return self.ref(node.name, 0)
        if isinstance(node, Prev):
            if self.first_flag is not None:
                opening = "0" if node.default is None else self.numeric(node.default)
                return f"IF({self.first_flag},{opening},{self.ref(node.name, -1)})"
            if not self.first_period:
                return self.ref(node.name, -1)
            return "0" if node.default is None else self.numeric(node.default)
        if isinstance(node, SumOf):
            members = self.group_members(node.group)
            if not members:
                return "0"
            return excel_sum([self.ref(m, 0) for m in members])
        if isinstance(node, Neg):
            operand = self.shown(node.operand)
            inner = self.numeric(operand)
            # Excel binds unary minus tighter than ^ (-2^2 is 4): bracket any operation.
            return f"-({inner})" if isinstance(operand, Chain | Power | Neg) else f"-{inner}"
        if isinstance(node, Chain):
            prec = _node_precedence(node)
            parts = [self.operand(node.first, prec, False)]
            parts.extend(op + self.operand(operand, prec, True) for op, operand in node.rest)
            return "".join(parts)
        if isinstance(node, Power):
            prec = _PRECEDENCE["**"]
            base = self.operand(node.base, prec, False)
            power = f"{base}^{self.operand(node.exponent, prec, True)}"
            if _nonzero_number(self.shown(node.base)) or _nonzero_number(self.shown(node.exponent)):
                return power
            # 0^0 is 1 in LibreOffice as in the engine, #NUM! in Excel and Gnumeric: decide
            # it in the formula. base*0 keeps an error in the base, as the engine does.
            exponent = self.numeric(self.shown(node.exponent))
            factor = self.operand(node.base, _PRECEDENCE["*"], False)
            return f"IF({exponent}=0,{factor}*0+1,{power})"
        if isinstance(node, Call):
            if node.func == "if":
                cond, then, other = node.args
                return f"IF({self.logical(cond)},{self.numeric(then)},{self.numeric(other)})"
            return f"{node.func.upper()}(" + ",".join(self.numeric(a) for a in node.args) + ")"
        return self.numeric(node)

    def shown(self, node: Node) -> Node:
        """What stands in ``node``'s place in the cell: ``prev``'s default in the first period."""
        while self.first_period and isinstance(node, Prev) and node.default is not None:
            node = node.default
        return node

    def operand(self, node: Node, parent_prec: int, right: bool) -> str:
        node = self.shown(node)
        text = self.numeric(node)
        prec = _node_precedence(node)
        needs = prec < parent_prec or (
            prec == parent_prec and (right or parent_prec == _PRECEDENCE["**"])
        )
        if isinstance(node, Neg) and parent_prec >= _PRECEDENCE["neg"]:
            needs = True
        if isinstance(node, Num) and node.value < 0:
            needs = True
        return f"({text})" if needs else text


def _nonzero_number(node: Node) -> bool:
    while isinstance(node, Neg):
        node = node.operand
    return isinstance(node, Num) and node.value != 0


# A reference to one cell of the same sheet, such as K13 or $D$5: whatever names the
# column (the caller may stand a marker in for its letters), then the row, maybe fixed.
_CELL = re.compile(r"([^!:,()]*[^0-9$!:,()])(\$?)([0-9]+)")


def excel_sum(refs: Sequence[str]) -> str:
    """``SUM`` of cells: cells on adjacent rows of one column as one range, and sums of
    sums where more than Excel's 255 arguments would remain."""
    terms = _as_ranges(refs)
    while len(terms) > MAX_ARGUMENTS:
        step = MAX_ARGUMENTS
        terms = ["SUM(" + ",".join(terms[n : n + step]) + ")" for n in range(0, len(terms), step)]
    return "SUM(" + ",".join(terms) + ")"


def _as_ranges(refs: Sequence[str]) -> list[str]:
    """The references with each run of adjacent rows in one column joined (K13:K15).

    Runs are found in row order, so cells listed apart still join; a sum's order
    does not change its value beyond rounding.
    """
    runs: dict[tuple[str, str], list[int]] = {}
    others: list[str] = []
    for ref in refs:
        match = _CELL.fullmatch(ref)
        if match is None:
            others.append(ref)
        else:
            column, fixed, row = match.groups()
            runs.setdefault((column, fixed), []).append(int(row))
    terms = []
    for (column, fixed), rows in runs.items():
        rows.sort()
        start = previous = rows[0]
        for row in [*rows[1:], None]:
            if row is not None and row == previous + 1:
                previous = row
                continue
            first = f"{column}{fixed}{start}"
            terms.append(first if start == previous else f"{first}:{column}{fixed}{previous}")
            if row is not None:
                start = previous = row
    return terms + others


def _node_precedence(node: Node) -> int:
    if isinstance(node, Chain) and node.rest:
        return _PRECEDENCE[node.rest[0][0]]
    if isinstance(node, Power):
        return _PRECEDENCE["**"]
    if isinstance(node, Neg):
        return _PRECEDENCE["neg"]
    return 99


def _number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value).upper() if "e" in repr(value) else repr(value)

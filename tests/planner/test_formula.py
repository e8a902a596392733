import pytest

from planner.formula import FormulaError, check_names, parse, to_excel


def excel(text: str, first: bool = False, members: tuple[str, ...] = ()) -> str:
    refs = {"a": "E5", "b": "E6", "c": "E7", "cash": "E9"}
    left = {"a": "D5", "b": "D6", "c": "D7", "cash": "D9"}

    def ref(name: str, offset: int) -> str:
        return refs[name] if offset == 0 else left[name]

    return to_excel(parse(text), ref, first_period=first, group_members=lambda g: members)


def test_parse_collects_same_period_and_previous_names() -> None:
    formula = parse("prev(cash, opening) + funding - burn", "cash")
    assert formula.refs == {"opening", "funding", "burn"}
    assert formula.prevs == {"cash"}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("__import__('os')", "'__import__' is not allowed"),
        ("__import__('os').system('x')", "cannot be called"),
        ("a.b", "attribute access"),
        ("a[0]", "indexing"),
        ("lambda: 1", "lambda"),
        ("'text'", "only numbers"),
        ("a +", "bad syntax"),
        ("", "empty"),
        ("1 < a < 2", "chained"),
        ("if(a, b)", "three arguments"),
        ("prev(1)", "line item name"),
        ("a if b else c", "if(c, x, y)"),
        ("open('f')", "'open' is not allowed"),
        ("a // b", "FloorDiv"),
        ("(" * 300 + "1" + ")" * 300, "nested too deeply"),
        ("x" * 2001, "longer than"),
    ],
)
def test_refused_formulas_name_the_item_and_the_problem(text: str, problem: str) -> None:
    with pytest.raises(FormulaError) as caught:
        parse(text, "burn")
    assert "line item 'burn'" in str(caught.value)
    assert problem in str(caught.value)


def test_unknown_name_suggests_a_close_match() -> None:
    with pytest.raises(FormulaError, match="unknown name 'revnue' \\(did you mean 'revenue'"):
        check_names("burn", parse("costs - revnue"), ["costs", "revenue"], [])


def test_unknown_group_is_refused() -> None:
    with pytest.raises(FormulaError, match="unknown group 'cost'"):
        check_names("total", parse("sum_of(cost)"), [], ["costs"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a + b * c", "E5+E6*E7"),
        ("(a + b) * c", "(E5+E6)*E7"),
        ("a - (b - c)", "E5-(E6-E7)"),
        ("a - b - c", "E5-E6-E7"),
        ("a / (b * c)", "E5/(E6*E7)"),
        ("-a ** 2", "-(E5^2)"),
        ("(-a) ** 2", "(-E5)^2"),
        ("2 ** b ** 3", "2^(E6^3)"),
        ("min(a, b, 0.5)", "MIN(E5,E6,0.5)"),
        ("if(a > 0 and b != 1, a, 0)", "IF(AND(E5>0,E6<>1),E5,0)"),
        ("if(not a, 1, 2)", "IF(NOT(E5<>0),1,2)"),
        ("(a >= b) * c", "IF(E5>=E6,1,0)*E7"),
        ("abs(a) * 1e-05", "ABS(E5)*1E-05"),
    ],
)
def test_excel_translation_keeps_the_meaning(text: str, expected: str) -> None:
    assert excel(text) == expected


def test_prev_is_the_cell_to_the_left_or_the_default_in_the_first_period() -> None:
    assert excel("prev(cash, a) + b") == "D9+E6"
    assert excel("prev(cash, a) + b", first=True) == "E5+E6"
    assert excel("prev(cash) + b", first=True) == "0+E6"


def test_sum_of_lists_the_group_members_adjacent_rows_as_one_range() -> None:
    assert excel("sum_of(g)", members=("a", "b")) == "SUM(E5:E6)"
    assert excel("sum_of(g)", members=("cash", "a")) == "SUM(E5,E9)"
    assert excel("sum_of(g)") == "0"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("9" * 309, "9999999999999999..."),
        ("2 * " + "1" * 400, "1111111111111111..."),
        ("0x" + "f" * 300, "0xffffffffffffff..."),
        ("1e999", "1e999"),
        ("-2.5E+400", "2.5E+400"),
    ],
)
def test_a_number_too_large_for_a_float_is_refused_by_name(text: str, shown: str) -> None:
    with pytest.raises(FormulaError) as caught:
        parse(text, "burn")
    assert str(caught.value) == (
        f"line item 'burn': the number {shown} is too large (the largest is about 1.8e308)"
    )


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("ａ + 1", "ａ"),  # full-width letters, which Python reads as 'a'
        ("b * ｃａｓｈ", "ｃａｓｈ"),
        ("prev(ｃａｓｈ, 0)", "ｃａｓｈ"),
        ("sum_of(ｃｏｓｔｓ)", "ｃｏｓｔｓ"),
        ("ﬁx + 1", "ﬁx"),  # the ligature reads as 'fix'
        ("Revenue - 1", "Revenue"),
        ("café", "café"),
    ],
)
def test_a_name_that_is_not_exactly_an_id_is_refused(text: str, written: str) -> None:
    with pytest.raises(FormulaError) as caught:
        parse(text, "burn")
    assert f"'{written}' is not a line item id" in str(caught.value)


def test_a_function_name_in_other_letters_is_refused() -> None:
    with pytest.raises(FormulaError, match="the function 'ｍｉｎ' is not allowed"):
        parse("ｍｉｎ(a, 1)", "burn")


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_a_flat_chain_of_600_terms_is_one_level_deep(op: str) -> None:
    text = "a" + f" {op}a" * 599
    assert len(text) < 2000
    formula = parse(text, "burn")
    assert formula.refs == {"a"}
    assert excel(text) == "E5" + f"{op}E5" * 599


def test_nesting_is_still_limited_where_it_is_real() -> None:
    assert parse("(" * 59 + "a" + ")" * 59)
    deep = ("-" * 70 + "a", "not " * 70 + "a", "a" + " ** a" * 70, "abs(" * 61 + "a" + ")" * 61)
    for text in deep:
        with pytest.raises(FormulaError, match="nested too deeply"):
            parse(text, "burn")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a - b + c", "E5-E6+E7"),
        ("a - (b + c)", "E5-(E6+E7)"),
        ("a / b * c", "E5/E6*E7"),
        ("a / (b * c) / 2", "E5/(E6*E7)/2"),
        ("a * b + c * -a - b / c", "E5*E6+E7*-E5-E6/E7"),
        ("-(a + b) ** 2", "-((E5+E6)^2)"),
        ("2 ** (c / 2)", "2^(E7/2)"),
    ],
)
def test_excel_keeps_the_order_of_mixed_chains(text: str, expected: str) -> None:
    assert excel(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a ** b", "IF(E6=0,E5*0+1,E5^E6)"),
        ("(a - b) ** (c / 2)", "IF(E7/2=0,(E5-E6)*0+1,(E5-E6)^(E7/2))"),
        ("0 ** a", "IF(E5=0,0*0+1,0^E5)"),
        ("a ** 0", "IF(0=0,E5*0+1,E5^0)"),
        ("2 ** a", "2^E5"),
        ("a ** -0.5", "E5^(-0.5)"),
    ],
)
def test_zero_to_the_zero_is_one_in_every_spreadsheet(text: str, expected: str) -> None:
    """Excel and Gnumeric give #NUM! for 0^0, LibreOffice and the engine 1; an error in
    the base still spreads. A number other than 0 on either side cannot make 0^0."""
    assert excel(text) == expected


def test_check_names_takes_sets_or_any_iterable() -> None:
    formula = parse("costs - revnue + sum_of(g)")
    with pytest.raises(FormulaError, match="did you mean 'revenue'"):
        check_names("burn", formula, frozenset({"costs", "revenue"}), {"g"})
    check_names("burn", parse("costs + sum_of(g)"), iter(["costs"]), iter(["g"]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("prev(cash, a / b) ** 2", "(E5/E6)^2"),
        ("-prev(cash, a ** 2)", "-(E5^2)"),
        ("c * prev(cash, a + b)", "E7*(E5+E6)"),
        ("c - prev(cash, prev(b, a - b))", "E7-(E5-E6)"),
        ("prev(cash, -a) ** 2", "(-E5)^2"),
    ],
)
def test_a_prev_default_in_the_first_period_is_bracketed_as_its_own_operation(
    text: str, expected: str
) -> None:
    assert excel(text, first=True) == expected


@pytest.mark.parametrize("text", ["min(" + ", ".join(["a"] * 256) + ")", " and ".join(["a"] * 256)])
def test_more_arguments_than_excel_takes_are_refused(text: str) -> None:
    with pytest.raises(FormulaError, match="at most 255"):
        parse(text, "burn")
    assert parse(text.replace("a, ", "", 1).replace("a and ", "", 1), "burn")


def test_nested_powers_too_long_for_excel_are_refused_not_built() -> None:
    # Each power whose operands may both be zero writes them twice (the 0^0 guard), so
    # forty nested powers would be a text of about 2**40 characters if it were built.
    formula = parse("**".join(["a"] * 40))
    with pytest.raises(FormulaError, match="longer than Excel's limit of 8,192 characters"):
        to_excel(formula, lambda name, offset: "B2", first_period=False, group_members=list)

"""Ids and groups that the formula language could never reference are refused up front."""

import pytest
from pydantic import ValidationError

from planner.engine import evaluate
from planner.formula import FormulaError, parse
from planner.model import LineItem
from tests.planner.helpers import make_project

# Keywords Python's parser owns, the language's functions, and the name ``if(`` is read as.
RESERVED = ["class", "if", "and", "or", "not", "lambda", "import", "while", "in", "is", "if_"]
RESERVED += ["prev", "min", "max", "abs", "sum_of"]


@pytest.mark.parametrize("word", RESERVED)
def test_a_reserved_word_cannot_be_an_id(word: str) -> None:
    with pytest.raises(ValidationError) as caught:
        LineItem(id=word, label="x", group="g", inputs=[1.0])
    assert f"line item '{word}': the id is a reserved word of the formula language" in str(
        caught.value
    )


@pytest.mark.parametrize("word", RESERVED)
def test_why_a_reserved_id_is_refused_no_formula_can_read_it(word: str) -> None:
    with pytest.raises(FormulaError):
        parse(f"prev({word}) + 1", "y")


@pytest.mark.parametrize("word", ["class", "if", "not", "lambda"])
def test_a_keyword_cannot_be_a_group_as_sum_of_could_not_name_it(word: str) -> None:
    with pytest.raises(ValidationError, match=f"the group '{word}' is a reserved word"):
        LineItem(id="x", label="x", group=word, inputs=[1.0])


def test_a_project_with_a_reserved_id_is_refused_with_the_reason() -> None:
    with pytest.raises(ValidationError, match="line item 'min': the id is a reserved word"):
        make_project([{"id": "min", "inputs": [1, 2, 3, 4]}])


def test_soft_keywords_and_function_named_groups_work_as_usual() -> None:
    project = make_project(
        [
            {"id": "match", "group": "min", "inputs": [1, 2, 3, 4]},
            {"id": "case", "group": "min", "value": 10},
            {"id": "type", "formula": "match * case + sum_of(min) + prev(type)"},
        ]
    )
    assert evaluate(project).series("type").tolist() == [21, 53, 96, 150]

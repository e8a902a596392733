import json
import re

import pytest

from planner.builtin import builtin_project
from planner.cli import main
from planner.commands import evaluate_all
from planner.io.project_file import load_project
from planner.kpis import compute_kpis
from planner.model import REQUIRED_ITEMS, SUMMARY_SERIES, Project
from planner.scenarios import check_periods
from planner.templates import TEMPLATES, TemplateError, build_template

ALL = [(t, q) for t in ("blank", "ai-lab") for q in (False, True)]


def article_numbers() -> set[float]:
    """Every number the built-in project holds that is not 0 or 1."""
    project = builtin_project()
    numbers: set[float] = set()
    for item in project.items:
        numbers.update(item.inputs or [])
        if item.value is not None:
            numbers.add(item.value)
    for row in project.funding_rounds:
        numbers.update(v for v in (row.amount, row.pre_money, row.tranche_per_gw) if v)
    for contract in project.compute_contracts:
        numbers.update((contract.gw, contract.total_value))
    for scenario in project.scenarios:
        for cells in scenario.inputs.values():
            numbers.update(cells.values())
        numbers.update(scenario.values.values())
    return numbers - {0.0, 1.0}


def project_numbers(project: Project) -> set[float]:
    numbers: set[float] = set()
    for item in project.items:
        numbers.update(item.inputs or [])
        if item.value is not None:
            numbers.add(item.value)
    return numbers


def texts(project: Project) -> list[str]:
    return [
        project.name,
        project.description,
        project.base_description,
        *(i.label for i in project.items),
        *(i.note for i in project.items),
        *(n for i in project.items for n in i.input_notes.values()),
    ]


@pytest.mark.parametrize(("template", "quarterly"), ALL)
def test_every_template_evaluates_with_every_summary_series(template, quarterly) -> None:
    project = build_template(template, 2026, 2035, quarterly)
    check_periods(project.periods)
    assert len(project.periods) == (40 if quarterly else 10)
    assert project.periods[0] == ("2026-Q1" if quarterly else "2026")
    assert project.periods[-1] == ("2035-Q4" if quarterly else "2035")
    ids = {i.id for i in project.items}
    assert set(REQUIRED_ITEMS) <= ids
    result = evaluate_all(project)[project.base_name]
    for series in SUMMARY_SERIES:
        assert result.series(series).tolist() == [0.0] * len(project.periods)
    kpis = compute_kpis(result)
    assert kpis["cumulative_burn"] == 0 and kpis["commitments_total"] == 0


@pytest.mark.parametrize(("template", "quarterly"), ALL)
def test_blank_and_ai_lab_hold_no_article_numbers_sources_or_scenarios(template, quarterly) -> None:
    project = build_template(template, 2026, 2035, quarterly)
    assert project_numbers(project) <= {0.0}
    assert not project_numbers(project) & article_numbers()
    assert project.scenarios == [] and project.uncertainty == []
    assert project.funding_rounds == [] and project.compute_contracts == []
    for text in texts(project):
        assert "article" not in text.lower() and "assumption" not in text.lower(), text
        assert "ChatGPT" not in text and "OpenAI" not in text, text
        assert "2023" not in text and "2022" not in text, text


def test_blank_adds_up_its_lines_into_revenue_costs_burn_and_cash() -> None:
    project = build_template("blank", 2026, 2028, False)
    project.item("sales").inputs = [1.0, 2.0, 3.0]
    project.item("other_costs").inputs = [4.0, 4.0, 4.0]
    project.item("compute_other_cost").inputs = [1.0, 1.0, 1.0]
    project.item("other_funding").inputs = [10.0, 0.0, 0.0]
    project.item("capacity_added").inputs = [0.5, 0.5, 0.0]
    project.item("opening_cash").value = 2.0
    result = evaluate_all(project)[project.base_name]
    assert result.series("revenue").tolist() == [1.0, 2.0, 3.0]
    assert result.series("total_costs").tolist() == [5.0, 5.0, 5.0]
    assert result.series("burn").tolist() == [4.0, 3.0, 2.0]
    assert result.series("cash").tolist() == [8.0, 5.0, 3.0]
    assert result.series("capacity_gw").tolist() == [0.5, 1.0, 1.0]


def test_ai_lab_keeps_the_article_structure_and_formulas() -> None:
    source = builtin_project()
    project = build_template("ai-lab", 2026, 2035, False)
    assert project.groups == source.groups
    assert [i.group for i in project.items] == [i.group for i in source.items]
    assert [i.kind for i in project.items] == [i.kind for i in source.items]
    kept = {i.id: i.formula for i in project.items}
    assert kept["cash"] == "prev(cash, opening_cash) + funding - burn"
    assert kept["revenue"] == "sum_of(revenue)"
    assert kept["consumer_subscriptions"] == "users * paying_share * subscription_price * 12 / 1000"
    # A ratio reads zero while revenue is zero, rather than stopping the model.
    assert kept["burn_to_revenue"] == "if(revenue != 0, burn / revenue, 0)"
    assert project.item("opening_cash").label == "Cash at the start of 2026"


def test_ai_lab_notes_carry_only_the_numbers_of_their_formula() -> None:
    for quarterly in (False, True):
        project = build_template("ai-lab", 2026, 2035, quarterly)
        for item in project.items:
            numbers = set(re.findall(r"[0-9]+(?:\.[0-9]+)?", item.note))
            assert numbers <= set(re.findall(r"[0-9]+(?:\.[0-9]+)?", item.formula or "")), item
        assert "x 12 months" in project.item("consumer_subscriptions").note or quarterly


def test_quarterly_ai_lab_adds_up_to_the_yearly_one() -> None:
    yearly = build_template("ai-lab", 2026, 2027, False)
    quarterly = build_template("ai-lab", 2026, 2027, True)
    values = {
        "users": 800.0,
        "paying_share": 0.05,
        "subscription_price": 25.0,
        "ad_revenue_per_user": 4.0,
        "own_capacity_added": 1.0,
        "cloud_cost_per_gw": 10.0,
    }
    for project in (yearly, quarterly):
        for item_id, value in values.items():
            item = project.item(item_id)
            adds_up = item_id == "own_capacity_added" and project is quarterly
            item.inputs = [value / 4 if adds_up else value] * len(project.periods)
    year = evaluate_all(yearly)[yearly.base_name]
    quarter = evaluate_all(quarterly)[quarterly.base_name]
    for series in ("consumer_subscriptions", "ad_revenue", "revenue"):
        assert quarter.series(series)[:4].sum() == pytest.approx(year.series(series)[0])
    # Capacity arrives through the year, so the year's cost is its quarters' costs.
    assert quarter.series("cloud_compute_cost")[4:].sum() == pytest.approx(
        year.series("cloud_compute_cost")[1]
    )
    assert quarter.series("exit_run_rate")[-1] == pytest.approx(year.series("exit_run_rate")[-1])


def test_openai_template_is_the_builtin_and_may_end_elsewhere() -> None:
    assert build_template("openai-2025", 2023, 2035, False) == builtin_project()
    longer = build_template("openai-2025", 2023, 2040, False)
    assert longer.periods[-1] == "2040" and len(longer.scenarios) == 3
    users = longer.item("chatgpt_users").inputs
    assert users is not None and users[-1] == users[12]  # continues the 2035 value
    evaluate_all(longer)
    shorter = build_template("openai-2025", 2023, 2030, False)
    assert shorter.periods[-1] == "2030"
    assert all(r.period <= "2030" for r in shorter.funding_rounds)
    evaluate_all(shorter)


@pytest.mark.parametrize(
    ("start", "end", "quarterly", "problem"),
    [
        (2026, 2035, False, "starts in 2023"),
        (2023, 2035, True, "in years"),
        (2023, 2024, False, "at least to 2025"),
    ],
)
def test_openai_template_refuses_another_start_or_quarters(start, end, quarterly, problem) -> None:
    with pytest.raises(TemplateError, match=problem):
        build_template("openai-2025", start, end, quarterly)


@pytest.mark.parametrize(
    ("start", "end", "quarterly", "problem"),
    [
        (2036, 2035, False, "before the first"),
        (1899, 2035, False, "from 1900 to 2200"),
        (1900, 2200, True, "at most 600 periods"),
    ],
)
def test_bad_timelines_are_refused(start, end, quarterly, problem) -> None:
    with pytest.raises(TemplateError, match=problem):
        build_template("blank", start, end, quarterly)
    with pytest.raises(TemplateError, match="no template 'nope'; choose one of blank"):
        build_template("nope", 2026, 2035, False)


# --- the command line -----------------------------------------------------------------


def test_templates_lists_each_id_with_a_description(capsys) -> None:
    assert main(["templates"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(TEMPLATES)
    assert all(len(line.split()) > 3 for line in lines)


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_new_writes_a_project_that_summary_evaluates(template, tmp_path, capsys) -> None:
    out = tmp_path / "new.burnrate"
    start = "2023" if template == "openai-2025" else "2026"
    assert (
        main(["new", "--template", template, "--start", start, "--end", "2035", "-o", str(out)])
        == 0
    )
    assert "wrote" in capsys.readouterr().out
    assert load_project(out).periods[-1] == "2035"
    assert main(["summary", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["scenarios"][0]["series"]) == set(SUMMARY_SERIES)


def test_new_quarterly_writes_quarters(tmp_path, capsys) -> None:
    out = tmp_path / "q.burnrate"
    args = ["new", "--template", "ai-lab", "--start", "2026", "--end", "2027", "--quarterly"]
    assert main([*args, "-o", str(out)]) == 0
    assert load_project(out).periods == [f"{y}-Q{q}" for y in (2026, 2027) for q in range(1, 5)]
    assert main(["summary", str(out)]) == 0


def new_args(template: str = "blank", start: str = "2026", end: str = "2035") -> list[str]:
    return ["--template", template, "--start", start, "--end", end]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (new_args(template="nope"), "one of blank, ai-lab, openai-2025"),
        (new_args(start="soon"), "--start must be a year from 1900 to 2200, not 'soon'"),
        (new_args(end="3000"), "--end must be a year from 1900 to 2200, not 3000"),
        (new_args(end="2020"), "the last year (2020) is before the first (2026)"),
        (new_args(template="openai-2025"), "use --start 2023"),
        (["--start", "2026", "--end", "2035"], "new needs --template"),
    ],
)
def test_new_refuses_bad_arguments_with_one_line(args, message, tmp_path, capsys) -> None:
    out = tmp_path / "x.burnrate"
    assert main(["new", *args, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("error: ")
    assert not out.exists()


def test_new_refuses_a_folder_as_output(tmp_path, capsys) -> None:
    args = ["new", "--template", "blank", "--start", "2026", "--end", "2035", "-o", str(tmp_path)]
    assert main(args) == 2
    assert "cannot write" in capsys.readouterr().err

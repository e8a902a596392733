"""Each scenario's colour in the charts, kept in the project so that it never moves.

Colours by list position would recolour every scenario after the one added or
deleted, and a reader who learned "the bear case is yellow" would misread the
next chart. A scenario gets the first palette colour no other scenario uses
when it is created; files written before colours were stored get theirs by
their order in the file, the same every time they are opened.
"""

from __future__ import annotations

from typing import Final

from planner.model import Project

# Readable as a line on the light and the dark chart background alike.
BASE_COLOUR: Final = "#4e79a7"
PALETTE: Final[tuple[str, ...]] = (
    "#59a14f",
    "#e8b130",
    "#b07aa1",
    "#e15759",
    "#76b7b2",
    "#f28e2b",
    "#ff9da7",
    "#9c755f",
    "#8cd17d",
    "#bab0ac",
)


def next_free_colour(project: Project) -> str:
    """The first palette colour that no scenario is shown in, for a scenario being created.

    Scenarios without a stored colour keep theirs: they take theirs in order from
    the colours that stored ones leave free, and this one is not among them.
    """
    return _first_free(list(scenario_colours(project).values()))


def _first_free(used: list[str]) -> str:
    """The first palette colour not in ``used``; when all are, the one used least often."""
    for colour in PALETTE:
        if colour not in used:
            return colour
    return min(PALETTE, key=used.count)


def scenario_colours(project: Project) -> dict[str, str]:
    """Every scenario's colour by name, the base first.

    A scenario still without one (an old file, or a script's) is shown in the colour
    it would be given in file order, without storing it.
    """
    used = [s.colour for s in project.scenarios if s.colour is not None]
    colours = {project.base_name: BASE_COLOUR}
    for scenario in project.scenarios:
        colour = scenario.colour
        if colour is None:
            colour = _first_free(used)
            used.append(colour)
        colours[scenario.name] = colour
    return colours


def assign_missing_colours(project: Project) -> bool:
    """Store, for every scenario without a colour, the one it is shown in; True if any."""
    missing = [s for s in project.scenarios if s.colour is None]
    colours = scenario_colours(project)
    for scenario in missing:
        scenario.colour = colours[scenario.name]
    return bool(missing)

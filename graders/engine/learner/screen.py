"""What ``watch`` shows: the progress bars, the first failing check in full, the next task.

:func:`render` returns plain lines; the watch loop clears the terminal before
printing them (or, without a terminal, just prints them).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from ..checks import Check
from ..grading.outcomes import NO_ADVICE, Outcome
from .progress import Standing, progress_table

KEYS = "h next hint level   a all failures   n next assignment   q quit"
RULE = "-" * 72


@dataclass
class View:
    """What the student asked to see."""

    assignment: str
    show_all: bool = False
    output: str = ""  # what the student's code printed during the last run
    status: str = ""  # one line: grading..., or what just happened
    lines: list[str] = field(default_factory=list)


def first_failure(checks: list[Check], outcomes: dict[str, Outcome], assignment: str) -> Outcome | None:
    """The first check of ``assignment`` that fails with something to say (not merely "not attempted")."""
    for check in checks:
        outcome = outcomes.get(check.id)
        if check.assignment == assignment and outcome and not outcome.passed and outcome.status not in NO_ADVICE:
            return outcome
    return None


def render(view: View, checks: list[Check], outcomes: dict[str, Outcome], standings: list[Standing]) -> list[str]:
    lines = [f"watching {view.assignment}   ({KEYS})", RULE, *progress_table(standings)[:-1], RULE]
    current = next((s for s in standings if s.assignment == view.assignment), None)
    failing = [
        outcomes[c.id]
        for c in checks
        if c.assignment == view.assignment and c.id in outcomes and not outcomes[c.id].passed
    ]
    shown = failing if view.show_all else [first_failure(checks, outcomes, view.assignment)]
    for outcome in (o for o in shown if o is not None):
        lines += [f"{outcome.assignment}: {outcome.title}", *outcome.message.splitlines(), ""]
    if current is not None:
        lines.append(current.next_line() if failing else f"{view.assignment}: every check passes")
    if view.output.strip():
        lines += ["your code printed (the end of it):", *view.output.strip().splitlines()[-5:]]
    if view.status:
        lines.append(view.status)
    return lines


def fit(lines: list[str], width: int) -> list[str]:
    """``lines`` wrapped at spaces to ``width`` columns, a continuation indented two more than its line.

    A terminal would cut a long line in the middle of a word; a word longer than
    ``width`` is still cut.
    """
    fitted: list[str] = []
    for line in lines:
        if len(line) <= width:
            fitted.append(line)
            continue
        indent = " " * min(len(line) - len(line.lstrip()) + 2, width // 2)
        fitted += textwrap.wrap(line, width, subsequent_indent=indent, break_on_hyphens=False) or [line]
    return fitted

"""Where a student stands: points, tasks done and the next task, per assignment.

A task is done when every check of it passes; the next task is the first one
(in the skeleton's order) that is not. ``python -m graders progress`` prints
:func:`progress_table`; ``watch`` draws the same bars.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import Check, grader_modules
from ..grading.outcomes import Outcome

BAR = 20


@dataclass
class Standing:
    """One assignment's standing."""

    assignment: str
    score: float
    max_score: float
    tasks_done: int
    tasks: int
    not_attempted: bool  # nothing of it attempted yet
    next_task: int | None  # the first task not done
    next_functions: tuple[str, ...] = ()
    checks_passed: int = 0
    checks: int = 0
    answered: int = 0  # judged at submission only (the quiz in a student release)

    @property
    def open(self) -> bool:
        """Something is left to do here."""
        return self.next_task is not None or self.checks_passed + self.answered < self.checks

    def bar(self, width: int = BAR) -> str:
        filled = round(width * self.score / self.max_score) if self.max_score else 0
        return "#" * filled + "." * (width - filled)

    def line(self) -> str:
        points = f"{self.score:g} / {self.max_score:g}"
        if self.not_attempted:
            state = "not attempted"
        elif self.answered:
            state = f"{self.answered} of {self.checks} answered, graded at submission"
        elif self.tasks:
            state = f"tasks {self.tasks_done}/{self.tasks}"
        else:
            state = f"checks {self.checks_passed}/{self.checks}"
        return f"{self.assignment:<15} [{self.bar()}] {points:>9}  {state}"

    def next_line(self) -> str:
        if not self.tasks:
            return f"{self.assignment}: {self.checks_passed} of {self.checks} checks pass"
        if self.next_task is None:
            return f"{self.assignment}: every task done"
        names = ", ".join(self.next_functions)
        return f"next: {self.assignment} task {self.next_task} ({names})" if names else f"next: {self.assignment}"


def tasks_of(assignment: str) -> dict[int, tuple[str, ...]]:
    modules = grader_modules([assignment])
    return dict(getattr(modules[0], "TASKS", {})) if modules else {}


def standing(assignment: str, checks: list[Check], outcomes: dict[str, Outcome]) -> Standing:
    """The standing of ``assignment`` from the outcomes of its checks (missing outcomes count as not run)."""
    own = [c for c in checks if c.assignment == assignment]
    got = [outcomes[c.id] for c in own if c.id in outcomes]
    tasks = tasks_of(assignment)
    done = {t for t in tasks if all(outcomes.get(c.id) and outcomes[c.id].passed for c in own if c.task == t)}
    pending = [t for t in sorted(tasks) if t not in done]
    untouched = bool(got) and all(o.status in ("not_attempted", "missing") for o in got)
    return Standing(
        assignment,
        sum(o.score for o in got),
        sum(outcomes[c.id].max_score if c.id in outcomes else c.points for c in own),
        len(done),
        len(tasks),
        untouched,
        pending[0] if pending else None,
        tasks.get(pending[0], ()) if pending else (),
        sum(o.passed for o in got),
        len(own),
        sum(o.status == "answered" for o in got),
    )


def progress_table(standings: list[Standing]) -> list[str]:
    """The table of every assignment and the next task to do (the first assignment with one)."""
    lines = [s.line() for s in standings]
    total = sum(s.score for s in standings)
    possible = sum(s.max_score for s in standings)
    lines.append(f"{'total':<15} {'':22} {f'{total:g} / {possible:g}':>9}")
    open_ = [s for s in standings if s.open]
    started = [s for s in open_ if not s.not_attempted]
    upcoming = started or open_
    lines.append(upcoming[0].next_line() if upcoming else "every check of every assignment passes")
    return lines

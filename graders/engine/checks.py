"""Declaring checks: a probe, a judge, points, and what a learner should revisit.

A grader file (``graders/test_a01_modules.py``) declares its checks with
:func:`check`::

    @check(points=2, concept="nn.Module.forward", hint="y = x @ weight.T + bias")
    def linear_forward(m, p):
        \"\"\"Linear.forward computes x @ weight.T + bias\"\"\"
        lin = p.call("Linear(4, 3)", m.Linear, 4, 3)
        ...
        return {"Linear(4, 3) on x of shape (5, 4)": lin(x)}

The probe receives the implementation's module ``m`` and a :class:`Probe`
``p`` (seeded inputs, call descriptions) and returns an observation. The
default judge compares the student's observation with the reference's
(:func:`graders.engine.compare.compare`); ``@linear_forward.judge`` replaces
it for checks graded on properties rather than equality.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from .compare import DEFAULT, Mismatch, Tolerance, compare
from .layout import ASSIGNMENTS

ProbeFn = Callable[[ModuleType, Any], Any]
JudgeFn = Callable[[Any, Any], "Mismatch | str | None"]

GRADER_PREFIX = "test_"


@dataclass
class Check:
    """One graded check of one assignment.

    Attributes:
        assignment: module name of the assignment, e.g. ``"a01_modules"``.
        name: the probe function's name, unique within the assignment.
        title: one line for the learner (the probe's docstring).
        points: how much the check is worth.
        concept: what to revisit when it fails.
        hint: a concrete pointer towards the fix.
        probe: drives an implementation, returns observations.
        judge_fn: compares (student, reference) observations; ``None`` for
            the default structural comparison.
        tol: tolerance of the default judge.
        forbid: names of forbidden shortcuts (see ``shortcuts.SHORTCUTS``).
        timeout: seconds, when longer than the ini's default.
        order: position in the grader file.
    """

    assignment: str
    name: str
    title: str
    points: float
    concept: str
    hint: str
    probe: ProbeFn
    judge_fn: JudgeFn | None = None
    tol: Tolerance = DEFAULT
    forbid: tuple[str, ...] = ()
    timeout: float | None = None
    order: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.assignment}::{self.name}"

    @property
    def marker(self) -> str:
        """The pytest marker selecting this assignment: ``a01`` or ``quiz``."""
        return self.assignment.split("_", 1)[0]

    def judge(self, fn: JudgeFn) -> JudgeFn:
        """Decorator: grade this check with ``fn(student_obs, reference_obs)``.

        ``fn`` returns ``None`` when the student's observation is right, else
        a :class:`Mismatch` or a sentence saying what is wrong.
        """
        self.judge_fn = fn
        return fn

    def verdict(self, got: Any, expected: Any) -> Mismatch | str | None:
        if self.judge_fn is None:
            return compare(got, expected, tol=self.tol)
        return self.judge_fn(got, expected)


_counter = 0


def check(
    *,
    points: float,
    concept: str,
    hint: str = "",
    tol: Tolerance | None = None,
    forbid: Sequence[str] = (),
    timeout: float | None = None,
) -> Callable[[ProbeFn], Check]:
    """Declare a graded check; the decorated function is its probe.

    Args:
        points: weight of the check (positive).
        concept: the idea a failing student should revisit.
        hint: a concrete next step.
        tol: tolerance for the default judge.
        forbid: forbidden shortcuts detected while the probe runs.
        timeout: a longer pytest-timeout limit for this check, in seconds.

    Raises:
        ValueError: for non-positive points or a probe without a docstring.
    """
    if not points > 0:
        raise ValueError(f"points should be positive, but got points={points!r}")

    def decorate(fn: ProbeFn) -> Check:
        global _counter
        doc = inspect.getdoc(fn)
        if not doc:
            raise ValueError(f"probe {fn.__qualname__} should have a docstring: it is the check's title")
        _counter += 1
        return Check(
            assignment=assignment_of(fn.__module__),
            name=fn.__name__,
            title=doc.splitlines()[0].strip(),
            points=float(points),
            concept=concept,
            hint=hint,
            probe=fn,
            tol=tol or DEFAULT,
            forbid=tuple(forbid),
            timeout=timeout,
            order=_counter,
        )

    return decorate


def assignment_of(module_name: str) -> str:
    """``graders.test_a01_modules`` -> ``a01_modules``."""
    leaf = module_name.rsplit(".", 1)[-1]
    if not leaf.startswith(GRADER_PREFIX):
        raise ValueError(f"checks should live in graders/test_<assignment>.py, but got module {module_name!r}")
    return leaf[len(GRADER_PREFIX) :]


def checks_in(module: ModuleType) -> list[Check]:
    """The checks a grader module declares, in file order."""
    found = [v for v in vars(module).values() if isinstance(v, Check)]
    return sorted(found, key=lambda c: c.order)


def collect(modules: Iterable[ModuleType]) -> list[Check]:
    out: list[Check] = []
    for module in modules:
        out.extend(checks_in(module))
    ids = [c.id for c in out]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"check ids should be unique, but got duplicates {dupes}")
    return out


def grader_modules(assignments: Iterable[str] = ASSIGNMENTS) -> list[ModuleType]:
    """Import the grader module of each assignment that has one."""
    modules = []
    for name in assignments:
        try:
            modules.append(importlib.import_module(f"graders.{GRADER_PREFIX}{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"graders.{GRADER_PREFIX}{name}":
                raise
    return modules


def all_checks(assignments: Iterable[str] = ASSIGNMENTS) -> list[Check]:
    """Every check of ``assignments``, in assignment and file order."""
    return collect(grader_modules(assignments))

"""Declaring checks: a probe, a judge, points, and what a learner should revisit.

A grader file (``graders/test_a01_modules.py``) lists its tasks (the skeleton's
``raise NotImplementedError("a01 task K: ...")`` bodies) in ``TASKS`` and declares
its checks with :func:`check`::

    TASKS = {1: ("Linear.__init__", "Linear.forward")}

    @check(points=2, task=1, concept="the forward pass of a layer",
           hints=("What shape does weight have, and what must multiply x?",
                  "Read the docstring of Linear.forward: which dimensions of x are batch dimensions?",
                  "For a layer with weight (k, n): z = v @ w.T maps v of shape (..., n) to (..., k)"))
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
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from .compare import DEFAULT, Mismatch, Tolerance, compare
from .layout import ASSIGNMENTS

HINT_LEVELS = 3
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
        concept: what to revisit when it fails (the topic, never the answer).
        hints: the hint ladder, shown one level at a time: (1) the question to
            ask yourself, (2) the API or docstring sentence to look at, (3) a
            worked pattern on a different example. No level states the solution.
        probe: drives an implementation, returns observations.
        judge_fn: compares (student, reference) observations; ``None`` for
            the default structural comparison.
        tol: tolerance of the default judge.
        forbid: names of forbidden shortcuts (see ``shortcuts.SHORTCUTS``).
        timeout: seconds, when longer than the ini's default.
        order: position in the grader file.
        task: the skeleton's task number this check grades (``None``: the file as a whole).
        builds_on: names of earlier checks of the same file this one cannot be judged apart from;
            while one of them fails, this check says "builds on ...: fix that first".
        deferred: judged only at submission (the quiz in a student release).
    """

    assignment: str
    name: str
    title: str
    points: float
    concept: str
    hints: tuple[str, ...]
    probe: ProbeFn
    judge_fn: JudgeFn | None = None
    tol: Tolerance = DEFAULT
    forbid: tuple[str, ...] = ()
    timeout: float | None = None
    order: int = 0
    task: int | None = None
    builds_on: tuple[str, ...] = ()
    deferred: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.assignment}::{self.name}"

    @property
    def functions(self) -> tuple[str, ...]:
        """The qualified names of the functions of this check's task, read from its grader's ``TASKS``.

        Read from the module the probe was defined in, whoever imported it (pytest or
        :func:`grader_modules`); none for a check without a task.
        """
        if self.task is None:
            return ()
        tasks = getattr(sys.modules.get(self.probe.__module__), "TASKS", {})
        return tuple(tasks.get(self.task, ()))

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
    hints: Sequence[str] = (),
    task: int | None = None,
    builds_on: Sequence[str] = (),
    deferred: bool = False,
    tol: Tolerance | None = None,
    forbid: Sequence[str] = (),
    timeout: float | None = None,
) -> Callable[[ProbeFn], Check]:
    """Declare a graded check; the decorated function is its probe.

    Args:
        points: weight of the check (positive).
        concept: the idea a failing student should revisit (the topic, never the answer).
        hints: the ladder: a question, then where to look, then a pattern on another example.
        task: the skeleton's task number the check grades (a key of the grader's ``TASKS``).
        builds_on: names of earlier checks of this file that must pass before this one can say
            anything of its own.
        deferred: judge only at submission, never in a student release (the quiz).
        tol: tolerance for the default judge.
        forbid: forbidden shortcuts detected while the probe runs.
        timeout: a longer pytest-timeout limit for this check, in seconds.

    Raises:
        ValueError: for non-positive points, a ladder that is not ``HINT_LEVELS`` non-empty
            texts, or a probe without a docstring.
    """
    if not points > 0:
        raise ValueError(f"points should be positive, but got points={points!r}")
    if isinstance(hints, str) or len(hints) != HINT_LEVELS or not all(isinstance(h, str) and h.strip() for h in hints):
        raise ValueError(
            f"hints should be {HINT_LEVELS} non-empty texts (question, pointer, pattern), but got hints={hints!r}"
        )

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
            hints=tuple(hints),
            probe=fn,
            tol=tol or DEFAULT,
            forbid=tuple(forbid),
            timeout=timeout,
            order=_counter,
            task=task,
            builds_on=tuple(builds_on),
            deferred=deferred,
        )

    return decorate


def assignment_of(module_name: str) -> str:
    """``graders.test_a01_modules`` -> ``a01_modules``."""
    leaf = module_name.rsplit(".", 1)[-1]
    if not leaf.startswith(GRADER_PREFIX):
        raise ValueError(f"checks should live in graders/test_<assignment>.py, but got module {module_name!r}")
    return leaf[len(GRADER_PREFIX) :]


def checks_in(module: ModuleType) -> list[Check]:
    """The checks a grader module declares, in file order, each task and ``builds_on`` name checked.

    Raises:
        ValueError: a check names a task the module's ``TASKS`` lacks, or builds on a check
            that is not declared before it in the same file.
    """
    found = sorted(
        (v for k, v in vars(module).items() if isinstance(v, Check) and k == v.name), key=lambda c: c.order
    )  # a loop variable left bound to a check is not a second check
    tasks: dict[int, tuple[str, ...]] = getattr(module, "TASKS", {})
    seen: set[str] = set()
    for c in found:
        if c.task is not None and c.task not in tasks:
            raise ValueError(f"check {c.id} should name a task of TASKS {sorted(tasks)}, but got task={c.task!r}")
        unknown = [name for name in c.builds_on if name not in seen]
        if unknown:
            raise ValueError(f"check {c.id} should build on checks declared before it, but got builds_on={unknown}")
        seen.add(c.name)
    return found


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

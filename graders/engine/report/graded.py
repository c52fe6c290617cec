"""Reading what ``python -m graders grade`` wrote, and refusing anything else with a message that says why.

A grading output (``OUT_DIR``) holds ``gradebook.csv`` and one folder per
student with ``results.json`` (Gradescope format; each test's ``extra_data``
names its assignment, check, status, concept and diagnosis category, the
top-level ``extra_data`` the kit's version and the format) and
``feedback.md``. :func:`read_graded` reads it into a :class:`GradedClass`
without importing torch and without writing anything.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ... import __version__
from ..errors import InstructorError
from ..layout import ASSIGNMENTS
from ..official.submissions import student_dirs

RESULTS_FORMAT = 1  # graders.engine.grading.results.RESULTS_FORMAT (not imported: that module imports torch)
RESULTS = "results.json"
FEEDBACK = "feedback.md"
GRADEBOOK = "gradebook.csv"
TEST_KEYS = ("assignment", "check", "status", "concept", "category")
SHOWN = 5  # students named in a message


@dataclass(frozen=True)
class CheckResult:
    """One check of one student, as results.json records it."""

    assignment: str
    check: str
    title: str
    status: str
    concept: str
    category: str
    score: float
    max_score: float

    @property
    def key(self) -> tuple[str, str]:
        return self.assignment, self.check


@dataclass
class StudentResults:
    """One student's graded checks (only those of the reported assignments)."""

    student: str
    folder: Path
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def feedback(self) -> Path | None:
        path = self.folder / FEEDBACK
        return path if path.is_file() else None

    def score(self, assignment: str | None = None) -> float:
        return sum(c.score for c in self.checks if assignment is None or c.assignment == assignment)


@dataclass
class GradedClass:
    """A class's results: the reported assignments (kit order), the checks and the students (by name)."""

    root: Path
    assignments: tuple[str, ...]
    checks: list[CheckResult]  # the first student's, as a catalogue: titles, concepts, points
    students: list[StudentResults]

    def max_score(self, assignment: str | None = None) -> float:
        return sum(c.max_score for c in self.checks if assignment is None or c.assignment == assignment)


def _names(items: Sequence[str]) -> str:
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return ", ".join(items[:SHOWN]) + more


def _kit_order(names: set[str]) -> tuple[str, ...]:
    return tuple(sorted(names, key=lambda a: (ASSIGNMENTS.index(a) if a in ASSIGNMENTS else len(ASSIGNMENTS), a)))


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InstructorError(
            f"{path} could not be read as JSON ({exc}); grade that student again with --force"
        ) from None
    return data if isinstance(data, dict) else {}


def _check_result(path: Path, test: Any) -> CheckResult:
    extra = test.get("extra_data") if isinstance(test, dict) else None
    if not isinstance(extra, dict) or any(not isinstance(extra.get(k), str) for k in TEST_KEYS):
        raise InstructorError(
            f"{path} has a test without the extra_data the report reads ({', '.join(TEST_KEYS)}): it was not "
            "written by `python -m graders grade` of this kit; grade the class again"
        )
    score, max_score = test.get("score"), test.get("max_score")
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (score, max_score)):
        raise InstructorError(f"{path}: test {test.get('name')!r} should have numeric score and max_score")
    name = str(test.get("name", ""))
    title = name.split(": ", 1)[1] if ": " in name else extra["check"]
    return CheckResult(
        extra["assignment"], extra["check"], title, extra["status"], extra["concept"], extra["category"],
        float(score), float(max_score),
    )


def read_student(folder: Path) -> StudentResults:
    """One student's ``results.json``, validated.

    Raises:
        InstructorError: not JSON, not results of this kit's grader, or of another kit version or format.
    """
    path = folder / RESULTS
    data = _load(path)
    extra = data.get("extra_data")
    tests = data.get("tests")
    if not isinstance(extra, dict) or "kit_version" not in extra or not isinstance(tests, list):
        raise InstructorError(
            f"{path} is not a results.json written by `python -m graders grade` of this kit (no tests with "
            "extra_data.kit_version); grade the class again with this kit"
        )
    if extra.get("kit_version") != __version__:
        raise InstructorError(
            f"{path} was written by kit version {extra.get('kit_version')}, but this kit is version {__version__}: "
            "grade the class again with this kit (`python -m graders grade SUBMISSIONS_DIR --out ... --force`), or "
            "report it with the kit that graded it"
        )
    if extra.get("format") != RESULTS_FORMAT:
        raise InstructorError(
            f"{path} has results format {extra.get('format')}, but this report reads format {RESULTS_FORMAT}; "
            "grade the class again with this kit"
        )
    return StudentResults(folder.name, folder, [_check_result(path, t) for t in tests])


def _folders(graded_dir: Path) -> list[Path]:
    if not graded_dir.is_dir():
        raise InstructorError(
            f"GRADED_DIR should be the folder `python -m graders grade --out` wrote, but {graded_dir} is not a "
            "directory"
        )
    folders = student_dirs(graded_dir)
    graded = [f for f in folders if (f / RESULTS).is_file()]
    if not graded:
        has = f"has a {GRADEBOOK} but" if (graded_dir / GRADEBOOK).is_file() else "has no gradebook.csv and"
        raise InstructorError(
            f"{graded_dir} is not a grading output: it {has} no <student>/{RESULTS}; give the OUT_DIR that "
            "`python -m graders grade SUBMISSIONS_DIR --out OUT_DIR` wrote"
        )
    missing = [f.name for f in folders if f not in graded]
    if missing:
        raise InstructorError(
            f"{len(missing)} student folder(s) of {graded_dir} have no {RESULTS}: {_names(missing)} (did grading stop "
            f"before them?); finish with `python -m graders grade SUBMISSIONS_DIR --out {graded_dir}` (it grades "
            "only the students without results), or move those folders out"
        )
    return graded


def _choose(students: list[StudentResults], assignments: Sequence[str] | None) -> tuple[str, ...]:
    covered = {s.student: {c.assignment for c in s.checks} for s in students}
    if assignments:
        for s in students:
            lacking = [a for a in assignments if a not in covered[s.student]]
            if lacking:
                raise InstructorError(
                    f"{s.folder / RESULTS} has no results for {', '.join(lacking)} (it was graded with other "
                    "--assignments); report the assignments it was graded for, or grade it again with them"
                )
        return _kit_order(set(assignments))
    kinds = {frozenset(v) for v in covered.values()}
    if len(kinds) > 1:
        shared = frozenset.intersection(*kinds)
        example = ", ".join(f"{name}: {len(v)}" for name, v in list(covered.items())[:SHOWN])
        raise InstructorError(
            f"the students of this folder were graded for different assignments ({example}); pass "
            f"--assignments to report those they share ({','.join(_kit_order(set(shared))) or 'none'})"
        )
    return _kit_order(set(next(iter(kinds))))


def read_graded(graded_dir: Path, *, assignments: Sequence[str] | None = None) -> GradedClass:
    """Every student's results under ``graded_dir``, restricted to ``assignments`` (default: those graded).

    Raises:
        InstructorError: ``graded_dir`` is not a grading output, a student folder has no
            results, results come from another kit version or format, or the students were
            graded for different assignments (or lack one of ``assignments``).
    """
    students = [read_student(f) for f in _folders(graded_dir)]
    chosen = _choose(students, assignments)
    for s in students:
        s.checks = [c for c in s.checks if c.assignment in chosen]
    catalogue = sorted(students[0].checks, key=lambda c: chosen.index(c.assignment))
    position = {c.key: i for i, c in enumerate(catalogue)}
    for s in students:
        if len(s.checks) != len(position) or {c.key for c in s.checks} != position.keys():
            raise InstructorError(
                f"{s.folder / RESULTS} holds other checks than {students[0].folder / RESULTS} (graded by other "
                "graders?); grade the class again with one version of the kit"
            )
        s.checks.sort(key=lambda c: position[c.key])
    return GradedClass(graded_dir, chosen, catalogue, students)

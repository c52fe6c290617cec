"""Outcomes: the student's observation judged against the reference's.

Judges never run student code: :func:`judge` sees only two
:class:`~graders.engine.observations.Observed` values and the check's
declaration, and writes the learner's message (what was called, expected vs
got, the concept to revisit, a hint).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from ..checks import Check
from ..compare import Mismatch
from ..errors import GraderBug
from ..observations import Observed

# What a graded check can come to: passed or failed, or the probe's reason for having no observation.
GradeStatus = Literal["passed", "failed", "not_attempted", "error", "forbidden", "missing", "import_error"]


@dataclass
class Outcome:
    """The graded result of one check for one submission."""

    check_id: str
    assignment: str
    title: str
    status: GradeStatus
    score: float
    max_score: float
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def judge(check: Check, student: Observed, reference: Observed) -> Outcome:
    """Grade ``check`` from both observations.

    Raises:
        GraderBug: when the reference's observation is not usable.
    """
    if reference.status != "ok":
        raise GraderBug.reference_failed(check.id, reference.status, reference.message)
    if student.status != "ok":
        return _outcome(check, student.status, _explain(check, student.message, student.status), student.notes)
    try:
        verdict = check.verdict(student.value, reference.value)
    except Exception as exc:  # a judge must cope with any student value; if not, say so plainly
        verdict = f"your result could not be judged ({type(exc).__name__}: {exc}); check its type and shape"
    if verdict is None:
        return _outcome(check, "passed", "")
    detail = verdict.render() if isinstance(verdict, Mismatch) else f"  {verdict}"
    return _outcome(check, "failed", _explain(check, detail, "failed"), student.notes)


def _outcome(check: Check, status: GradeStatus, message: str, notes: tuple[str, ...] = ()) -> Outcome:
    score = check.points if status == "passed" else 0.0
    return Outcome(check.id, check.assignment, check.title, status, score, check.points, _with_notes(message, notes))


def _with_notes(message: str, notes: tuple[str, ...]) -> str:
    """``message`` followed by the notes from loading the student's file, one ``note:`` each."""
    lines = [message.rstrip()] if message.strip() else []
    for note in notes:
        first, *rest = note.splitlines()
        lines.append(f"  note: {first}")
        lines.extend(f"  {line}" for line in rest)
    return "\n".join(lines)


def _explain(check: Check, detail: str, status: GradeStatus) -> str:
    if status in ("not_attempted", "missing", "import_error"):
        return detail
    lines = [detail.rstrip()]
    if check.concept:
        lines.append(f"  concept to revisit: {check.concept}")
    if check.hint and status != "forbidden":
        lines.append(f"  hint: {check.hint}")
    return "\n".join(lines)

"""Outcomes: the student's observation judged against the reference's.

Judges never run student code: :func:`judge` sees only two
:class:`~graders.engine.observations.Observed` values and the check's
declaration. An :class:`Outcome` keeps the parts of the learner's message
apart (the diagnosis, the concept, the hint ladder and the level shown, the
notes on the file, the check it builds on) and renders them in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Literal

from ..checks import HINT_LEVELS, Check
from ..compare import Mismatch
from ..errors import GraderBug
from ..observations import Observed, is_deferred

# What a graded check can come to: passed or failed, the probe's reason for having no observation,
# or "answered" (a quiz answer in a student release, judged only at submission).
GradeStatus = Literal["passed", "failed", "not_attempted", "error", "forbidden", "missing", "import_error", "answered"]
NO_ADVICE = ("not_attempted", "missing", "import_error", "answered")  # nothing to revisit: no concept, no hint
ANSWERED = "  answered (graded at submission)"


@dataclass
class Outcome:
    """The graded result of one check for one submission.

    Attributes:
        detail: the diagnosis (called, expected, got), or why there is no observation.
        concept: what to revisit.
        hints: the check's hint ladder; ``hint_level`` of them are unlocked (0: none shown).
        notes: what loading the student's file noticed.
        blocked_by: the title of a failing check this one builds on ("" when none).
    """

    check_id: str
    assignment: str
    title: str
    status: GradeStatus
    score: float
    max_score: float
    detail: str = ""
    concept: str = ""
    hints: tuple[str, ...] = ()
    hint_level: int = 0
    notes: tuple[str, ...] = ()
    blocked_by: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def as_dict(self) -> dict:
        """Every field, and the rendered message (what determinism and the class report compare)."""
        return {**asdict(self), "message": self.message}

    @property
    def name(self) -> str:
        return self.check_id.split("::", 1)[1]

    @property
    def hint(self) -> str:
        """The hint at the unlocked level ("" when none is shown)."""
        if self.status in NO_ADVICE or self.status == "forbidden" or self.blocked_by or not self.hints:
            return ""
        return self.hints[min(self.hint_level, len(self.hints)) - 1] if self.hint_level > 0 else ""

    @property
    def category(self) -> str:
        """What kind of diagnosis this is, for counting across a class ("" when passed)."""
        return diagnosis_category(self)

    @property
    def message(self) -> str:
        """The learner's message: the diagnosis, then what to revisit (or the check to fix first), then notes."""
        lines = [self.detail.rstrip()] if self.detail.strip() else []
        if self.blocked_by:
            lines.append(f"  builds on {self.blocked_by!r}: fix that check first")
        elif self.status not in NO_ADVICE:
            if self.concept:
                lines.append(f"  concept to revisit: {self.concept}")
            if self.hint:
                lines.append(f"  hint ({min(self.hint_level, HINT_LEVELS)} of {len(self.hints)}): {self.hint}")
        for note in self.notes:
            first, *rest = note.splitlines()
            lines.append(f"  note: {first}")
            lines.extend(f"  {line}" for line in rest)
        return "\n".join(lines)


def judge(check: Check, student: Observed, reference: Observed, hint_level: int = 1) -> Outcome:
    """Grade ``check`` from both observations, with the hint ladder unlocked up to ``hint_level``.

    A check that does not pass while a function of its task is still empty is
    "not attempted" (see :mod:`..loading.bodies`), and so is one that passes
    while every function of its task is empty: doing nothing earns nothing.

    Raises:
        GraderBug: when the reference's observation is not usable.
    """
    if reference.status != "ok":
        raise GraderBug.reference_failed(check.id, reference.status, reference.message)
    if student.status == "ok" and is_deferred(reference.value):
        return _outcome(check, "answered", ANSWERED, student, hint_level)
    if student.status != "ok":
        return _outcome(check, student.status, student.message, student, hint_level)
    try:
        verdict = check.verdict(student.value, reference.value)
    except Exception as exc:  # a judge must cope with any student value; if not, say so plainly
        verdict = f"your result could not be judged ({type(exc).__name__}: {exc}); check its type and shape"
    if verdict is None:
        return _outcome(check, "passed", "", student, hint_level)
    detail = verdict.render() if isinstance(verdict, Mismatch) else f"  {verdict}"
    return _outcome(check, "failed", detail, student, hint_level)


def _outcome(check: Check, status: GradeStatus, detail: str, student: Observed, hint_level: int) -> Outcome:
    if student.empty and (status in ("failed", "error")
                          or (status == "passed" and set(student.empty) == set(check.functions))):
        status, detail = "not_attempted", not_attempted_empty(student.empty)
    score = check.points if status == "passed" else 0.0
    possible = 0.0 if status == "answered" else check.points  # not graded here: it counts at submission
    notes = student.notes if status != "passed" else ()
    return Outcome(
        check.id,
        check.assignment,
        check.title,
        status,
        score,
        possible,
        detail,
        check.concept,
        check.hints,
        hint_level,
        notes,
    )


def not_attempted_empty(names: tuple[str, ...]) -> str:
    listed = ", ".join(names)
    verb = "is" if len(names) == 1 else "are"
    return f"not attempted: {listed} {verb} still empty (only pass, ..., return None or NotImplementedError)"


def block_on_prerequisites(outcome: Outcome, check: Check, earlier: Mapping[str, Outcome]) -> Outcome:
    """Mark ``outcome`` as building on the first check of ``check.builds_on`` that did not pass.

    ``earlier`` maps check ids to the outcomes graded before this one; a
    prerequisite that did not run (deselected) blocks nothing.
    """
    if outcome.passed or outcome.status in NO_ADVICE:
        return outcome
    for name in check.builds_on:
        prior = earlier.get(f"{check.assignment}::{name}")
        if prior is not None and not prior.passed:
            outcome.blocked_by = prior.title
            break
    return outcome


CATEGORIES = (  # the first fragment found in the diagnosis names its kind
    ("what this usually means: ", None),
    ("did not finish", "too slow or endless loop"),
    ("process ended", "crashed the process"),
    ("expected: shape", "wrong shape"),
    ("expected: dtype", "wrong dtype"),
    ("expected: raise", "missing or wrong exception"),
    ("got:      raised", "unexpected exception"),
    ("never got to observe", "stopped before the end"),
    ("your code raised", "error in your code"),
    ("nan", "nan or inf"),
)


def diagnosis_category(outcome: Outcome) -> str:
    """A short name for the kind of diagnosis: the status where it says enough, else read off the detail."""
    if outcome.passed:
        return ""
    if outcome.blocked_by:
        return "builds on a failing check"
    if outcome.status != "failed" and outcome.status != "error":
        return outcome.status.replace("_", " ")
    for fragment, name in CATEGORIES:
        at = outcome.detail.find(fragment)
        if at >= 0:
            if name is None:  # the idea diagnose() gave, up to its first colon or period
                idea = outcome.detail[at + len(fragment) :].splitlines()[0]
                return idea.split(":")[0].split(";")[0].rstrip(".")[:80]
            return name
    return "wrong value" if outcome.status == "failed" else "error"


def interrupted(check: Check, exc: BaseException) -> Outcome:
    """The outcome of a check stopped from outside: a time limit, Ctrl-C, a crash of the run."""
    text = str(exc).strip() or type(exc).__name__
    if "Timeout" in text:
        detail = (
            f"  the check did not finish in time ({text}).\n"
            "  Look for an infinite loop or work that grows too fast (a loop over every element instead of a tensor "
            "operation)."
        )
    else:
        detail = f"  the check was stopped before it finished: {type(exc).__name__}: {text}"
    return Outcome(check.id, check.assignment, check.title, "error", 0.0, check.points, detail)

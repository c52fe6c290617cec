"""``python -m graders hint aNN [CHECK]``: the next hint level of a failing check, on request.

Grades one assignment of ``assignments/`` in-process (as ``pytest graders/ -m
aNN`` would), picks the named check or the first one that fails with a
diagnosis of its own, unlocks one more level of its ladder (up to the
instructor's cap) and shows the diagnosis with every level unlocked so far.
"""

from __future__ import annotations

from pathlib import Path

from ..checks import Check, all_checks
from ..errors import InstructorError
from ..grading.outcomes import NO_ADVICE, Outcome
from ..grading.pipeline import Grading
from ..layout import ASSIGNMENTS, ASSIGNMENTS_DIR
from .hints import MAX_LEVEL_SETTING, STATE_FILE, HintPolicy, HintState, configured_cap


def resolve_assignment(name: str) -> str:
    """``a01`` or ``a01_modules`` -> ``a01_modules``.

    Raises:
        InstructorError: no assignment has that name.
    """
    for assignment in ASSIGNMENTS:
        if name in (assignment, assignment.split("_", 1)[0]):
            return assignment
    choices = ", ".join(a.split("_", 1)[0] for a in ASSIGNMENTS)
    raise InstructorError(f"the assignment should be one of {choices}, but got {name!r}")


def next_hint(
    assignment: str,
    check_name: str | None = None,
    *,
    impl: Path = ASSIGNMENTS_DIR,
    state_path: Path = STATE_FILE,
    cap: int | None = None,
) -> str:
    """Unlock the next hint level of ``check_name`` (or the first failing check) of ``impl`` and say it.

    ``cap`` defaults to the ini's ``max_hint_level``.

    Raises:
        InstructorError: ``check_name`` is not a check of ``assignment``.
    """
    assignment = resolve_assignment(assignment)
    checks = all_checks([assignment])
    if check_name is not None and check_name not in {c.name for c in checks}:
        names = ", ".join(c.name for c in checks)
        raise InstructorError(f"CHECK should be one of the checks of {assignment} ({names}), but got {check_name!r}")
    grading = Grading(impl, hints=HintPolicy(fixed=0))
    outcomes = {c.name: grading.grade_check(c) for c in checks}
    target = _pick(checks, outcomes, check_name)
    if target is None:
        return f"every check of {assignment} passes or is not attempted yet: there is nothing to give a hint for."
    check, outcome = target
    if outcome.passed:
        return f"{check.name} passes: no hint needed."
    if outcome.status in NO_ADVICE or outcome.blocked_by or outcome.status == "forbidden":
        return f"{assignment}: {check.title}\n{outcome.message}\n  (no hint for this one: the message says what to do)"
    state = HintState(state_path, cap=configured_cap() if cap is None else cap)
    outcome.hint_level = state.unlock_next(check, grading.code_digest(check))
    state.save()
    return _show(check, outcome, state.cap)


def _pick(checks: list[Check], outcomes: dict[str, Outcome], name: str | None) -> tuple[Check, Outcome] | None:
    if name is not None:
        check = next(c for c in checks if c.name == name)
        return check, outcomes[name]
    for check in checks:
        outcome = outcomes[check.name]
        if not outcome.passed and outcome.status not in NO_ADVICE and not outcome.blocked_by:
            return check, outcome
    return None


def _show(check: Check, outcome: Outcome, cap: int) -> str:
    lines = [f"{check.assignment}: {check.title}", outcome.detail.rstrip(), f"  concept to revisit: {check.concept}"]
    for level in range(1, outcome.hint_level + 1):
        lines.append(f"  hint ({level} of {len(check.hints)}): {check.hints[level - 1]}")
    if outcome.hint_level >= len(check.hints):
        lines.append("  that was the last hint: reread the docstring next to the pattern above")
    elif outcome.hint_level >= cap:
        lines.append(f"  your instructor allows hints up to level {cap} ({MAX_LEVEL_SETTING})")
    return "\n".join(line for line in lines if line.strip())

"""The reference scores full marks; untouched skeletons score zero as "not attempted";
bad submissions cost only their own assignment; grading never writes to a submission."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from graders.engine.checks import all_checks
from graders.engine.grading.pipeline import grade
from tests.support import ASSIGNMENTS_DIR, REFERENCE_DIR, by_name

GRADED = sorted({c.assignment for c in all_checks()})
DEPENDS_ON_A01 = {"a01_modules", "a09_capstone"}  # the capstone imports a01 by design


def _tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_reference_scores_full_marks(live_reference) -> None:
    outcomes = grade(REFERENCE_DIR, reference=live_reference)
    failed = [f"{o.check_id}: {o.status}\n{o.message}" for o in outcomes if not o.passed]
    assert not failed, "\n".join(failed)
    assert {o.assignment for o in outcomes} == set(GRADED)


def test_untouched_skeletons_score_zero_as_not_attempted(live_reference) -> None:
    outcomes = grade(ASSIGNMENTS_DIR, reference=live_reference)
    assert outcomes and sum(o.score for o in outcomes) == 0
    wrong = [f"{o.check_id}: {o.status}: {o.message}" for o in outcomes if o.status != "not_attempted"]
    assert not wrong, "every skeleton check should read 'not attempted':\n" + "\n".join(wrong)
    assert all(o.message.startswith("not attempted") for o in outcomes)
    # The stub's own words point at the task and its docstring (the quiz: the answer is still None).
    pointers = [o for o in outcomes if o.assignment != "quiz"]
    assert pointers and all(" task " in o.message and "see the docstring" in o.message for o in pointers), [
        o.message for o in pointers if "see the docstring" not in o.message][:3]


def _submission(tmp_path: Path, **files: str) -> Path:
    for name in GRADED:
        shutil.copy(REFERENCE_DIR / f"{name}.py", tmp_path / f"{name}.py")
    for name, text in files.items():
        (tmp_path / f"{name}.py").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "source, expected",
    [
        ("def broken(:\n    pass\n", "SyntaxError"),
        ("import torch\nraise RuntimeError('exploratory code left at import')\n", "exploratory code left at import"),
        ("import sys\nsys.exit(3)\n", "SystemExit"),
        ("import does_not_exist_anywhere\n", "does_not_exist_anywhere"),
    ],
    ids=["syntax error", "exception at import", "sys.exit at import", "missing import"],
)
def test_a_file_that_fails_to_import_costs_only_its_assignment(tmp_path, live_reference, source, expected) -> None:
    impl = _submission(tmp_path, a01_modules=source)
    outcomes = grade(impl, reference=live_reference)
    a01 = [o for o in outcomes if o.assignment == "a01_modules"]
    others = [o for o in outcomes if o.assignment not in DEPENDS_ON_A01]
    assert a01 and all(o.status == "import_error" and o.score == 0 for o in a01)
    assert expected in a01[0].message and "a01_modules.py" in a01[0].message
    assert others and all(o.passed for o in others)


def test_a_missing_file_costs_only_its_assignment(tmp_path, live_reference) -> None:
    impl = _submission(tmp_path)
    (impl / "a01_modules.py").unlink()
    outcomes = grade(impl, reference=live_reference)
    assert all(o.status == "missing" for o in outcomes if o.assignment == "a01_modules")
    assert all(o.passed for o in outcomes if o.assignment not in DEPENDS_ON_A01)


def test_student_error_shows_only_the_students_frames(tmp_path, live_reference) -> None:
    source = (REFERENCE_DIR / "a01_modules.py").read_text().replace(
        "out = x @ self.weight.T", "out = x @ self.weight.T @ self.weight", 1
    )
    impl = _submission(tmp_path, a01_modules=source)
    outcome = by_name(grade(impl, ["a01_modules"], reference=live_reference))["linear_forward"]
    assert outcome.status == "error"
    assert "a01_modules.py, line" in outcome.message and "out = out + self.bias" in outcome.message
    assert "graders/" not in outcome.message and "site-packages" not in outcome.message
    assert "concept to revisit" in outcome.message


def test_grading_never_writes_to_the_submission(tmp_path, live_reference) -> None:
    impl = _submission(tmp_path)
    before = _tree_digest(impl)
    grade(impl, reference=live_reference)
    assert _tree_digest(impl) == before
    assert not (impl / "__pycache__").exists()

"""Realistic mistakes lose points on the right check with the concept named;
valid alternative solutions keep full marks."""

from __future__ import annotations

import pytest

from graders.engine.checks import all_checks
from graders.engine.grading.pipeline import grade
from tests.leaks import leaks, solution_needles, without_own_code
from tests.support import Variant, by_name
from tests.variants import ALTERNATIVES, MUTANTS

MIN_MUTANTS = 6
NEEDLES = solution_needles()


def _summary(outcomes) -> str:
    return (
        "\n".join(f"  {o.check_id}: {o.status}\n{o.message}" for o in outcomes if not o.passed)
        or "  every check passed"
    )


@pytest.mark.parametrize("variant", MUTANTS, ids=lambda v: v.id)
def test_mutant_loses_points_with_the_concept(variant: Variant, tmp_path, live_reference) -> None:
    outcomes = grade(variant.build(tmp_path), [variant.assignment], reference=live_reference)
    results = by_name(outcomes)
    for name in variant.fails:
        assert name in results, f"{variant.id}: no check named {name}"
        outcome = results[name]
        assert not outcome.passed, f"{variant.id}: check {name} passed but must catch this mistake"
        assert outcome.score == 0
        assert variant.concept.lower() in outcome.message.lower(), (
            f"{variant.id}: the message of {name} does not name the concept {variant.concept!r}:\n{outcome.message}"
        )
    for outcome in outcomes:  # the feedback of a real mistake never hands out the solution
        found = leaks(without_own_code(outcome.message), NEEDLES)
        assert not found, f"{variant.id}: {outcome.name} states {found[0].statement!r}:\n{outcome.message}"


@pytest.mark.parametrize("variant", ALTERNATIVES, ids=lambda v: v.id)
def test_alternative_keeps_full_marks(variant: Variant, tmp_path, live_reference) -> None:
    outcomes = grade(variant.build(tmp_path), [variant.assignment], reference=live_reference)
    assert all(o.passed for o in outcomes), f"{variant.id} lost points:\n{_summary(outcomes)}"


def test_every_graded_assignment_has_mutants_and_an_alternative() -> None:
    graded = sorted({c.assignment for c in all_checks()})
    for assignment in graded:
        count = sum(v.assignment == assignment for v in MUTANTS)
        assert count >= MIN_MUTANTS, f"{assignment} has {count} mutants, at least {MIN_MUTANTS} required"
        assert any(v.assignment == assignment for v in ALTERNATIVES), f"{assignment} has no valid alternative"


def test_every_check_catches_some_mutant() -> None:
    """A check that no mistake can fail is not tested."""
    targeted = {(v.assignment, name) for v in MUTANTS for name in v.fails}
    untested = [c.id for c in all_checks() if (c.assignment, c.name) not in targeted]
    assert not untested, f"checks without a mutant that they catch: {untested}"

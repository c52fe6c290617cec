"""Feedback that teaches: hint ladders that never state the solution, unlocked by real attempts;
empty bodies are not attempts; one mistake, one diagnosis."""

from __future__ import annotations

import re

import pytest

from graders.engine.checks import HINT_LEVELS, all_checks, grader_modules
from graders.engine.cli import main as cli_main
from graders.engine.grading.pipeline import Grading, grade
from graders.engine.layout import ASSIGNMENTS, KIT_ROOT
from graders.engine.learner.ask import next_hint
from graders.engine.learner.hints import HintPolicy, HintState
from tests.leaks import leaks, solution_needles, string_constants
from tests.support import ASSIGNMENTS_DIR, REFERENCE_DIR, by_name
from tests.variants import MUTANTS

NEEDLES = solution_needles()
CHECKS = all_checks()
TASK = re.compile(r'NotImplementedError\("(a\d\d) task (\d+): implement ([\w.]+) ')


def _skeleton_tasks(assignment: str) -> dict[int, set[str]]:
    tasks: dict[int, set[str]] = {}
    for _, number, name in TASK.findall((ASSIGNMENTS_DIR / f"{assignment}.py").read_text(encoding="utf-8")):
        tasks.setdefault(int(number), set()).add(name)
    return tasks


# --- the ladders ------------------------------------------------------------------------------

@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_every_check_has_a_ladder_of_distinct_levels(check) -> None:
    assert len(check.hints) == HINT_LEVELS and len(set(check.hints)) == HINT_LEVELS, check.hints
    assert check.task is not None or check.assignment == "quiz", f"{check.id} names no task"


@pytest.mark.parametrize("module", grader_modules(), ids=lambda m: m.__name__)
def test_tasks_are_the_skeletons_tasks(module) -> None:
    assignment = module.__name__.split("test_", 1)[1]
    declared = {k: set(v) for k, v in getattr(module, "TASKS", {}).items()}
    assert declared == _skeleton_tasks(assignment)
    tasks_graded = {c.task for c in CHECKS if c.assignment == assignment}
    assert tasks_graded >= set(declared), f"tasks without a check: {set(declared) - tasks_graded}"


def test_the_solution_statements_are_found() -> None:
    """The needle search is not vacuous: it finds the solution in the reference itself."""
    source = (REFERENCE_DIR / "a01_modules.py").read_text(encoding="utf-8")
    skeleton = (ASSIGNMENTS_DIR / "a01_modules.py").read_text(encoding="utf-8")
    assert len(NEEDLES) > 400 and len(leaks(source, NEEDLES)) > 4 * len(leaks(skeleton, NEEDLES))


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_no_hint_level_title_or_concept_states_a_solution_statement(check) -> None:
    for text in (*check.hints, check.title, check.concept):
        found = leaks(text, NEEDLES)
        assert not found, f"{check.id}: {text!r} states {found[0].function}'s {found[0].statement!r}"


@pytest.mark.parametrize("path", sorted((KIT_ROOT / "graders").rglob("*.py")), ids=lambda p: p.name)
def test_no_string_the_graders_can_print_states_a_solution_statement(path) -> None:
    for text in string_constants(path):
        found = leaks(text, NEEDLES)
        assert not found, f"{path.name}: {text[:80]!r} states {found[0].function}'s {found[0].statement!r}"


def test_quiz_titles_and_concepts_name_the_topic_not_the_answer() -> None:
    """Titles like "the order zero_grad -> forward -> ..." gave the answer away."""
    for check in (c for c in CHECKS if c.assignment == "quiz"):
        assert check.deferred
        for text in (check.title, check.concept, *check.hints):
            assert "->" not in text and "set_to_none" not in text and "accumulate" not in text, text


# --- empty bodies are not attempts -----------------------------------------------------------

EMPTY_BODIES = ("pass", "...", "return None", '"""TODO"""')
# Metamorphic checks compare the student's code with itself, and empty bodies agree with themselves
# (make_loader_picklable, train_keeps_global_rng, gradclip_accumulation would pass): a check whose task's
# functions are all empty is not attempted even when it would pass.
@pytest.mark.parametrize("body", EMPTY_BODIES)
def test_an_empty_body_is_not_attempted_and_gets_no_hint(body, tmp_path, live_reference) -> None:
    impl = tmp_path / "sub"
    impl.mkdir()
    for name in ASSIGNMENTS:
        text = (ASSIGNMENTS_DIR / f"{name}.py").read_text(encoding="utf-8")
        (impl / f"{name}.py").write_text(re.sub(r'raise NotImplementedError\(".*?"\)', body, text), encoding="utf-8")
    outcomes = grade(impl, reference=live_reference)
    attempted = [
        f"{o.check_id}: {o.status}" for o in outcomes
        if o.assignment != "quiz" and o.status != "not_attempted"
    ]
    assert not attempted, "empty bodies must read 'not attempted':\n" + "\n".join(attempted)
    for o in outcomes:
        assert not o.hint and not leaks(o.message, NEEDLES), o.message
    assert any("still empty" in o.message for o in outcomes)


def test_a_task_half_written_is_judged_where_it_works(tmp_path, live_reference) -> None:
    """Linear.__init__ written, Linear.forward empty: the registration check passes, the forward one is
    not attempted."""
    text = (REFERENCE_DIR / "a01_modules.py").read_text(encoding="utf-8")
    start = text.index("    def forward(self, x: Tensor) -> Tensor:", text.index("class Linear"))
    end = text.index("\n\n\n", start)
    body_start = text.index('"""', text.index('"""', start) + 3) + 3
    impl = tmp_path / "sub"
    impl.mkdir()
    (impl / "a01_modules.py").write_text(text[:body_start] + "\n        pass" + text[end:], encoding="utf-8")
    results = by_name(grade(impl, ["a01_modules"], reference=live_reference))
    assert results["linear_parameters"].passed
    assert results["linear_forward"].status == "not_attempted"
    assert "Linear.forward is still empty" in results["linear_forward"].message


# --- unlocking --------------------------------------------------------------------------------

MUTANT = next(v for v in MUTANTS if v.id == "a01_modules:transposed weight")


def test_levels_unlock_with_new_attempts_not_with_reruns(tmp_path, live_reference) -> None:
    state_path = tmp_path / "hints.json"
    impl = MUTANT.build(tmp_path / "sub")
    check = next(c for c in CHECKS if c.id == "a01_modules::linear_forward")

    def level() -> int:
        state = HintState(state_path)
        grading = Grading(impl, reference=live_reference, hints=HintPolicy(state))
        outcome = grading.grade_check(check)
        state.save()
        assert not outcome.passed
        assert outcome.hint == check.hints[outcome.hint_level - 1] and outcome.hint in outcome.message
        return outcome.hint_level

    assert level() == 1 and level() == 1  # a rerun unlocks nothing
    source = impl / "a01_modules.py"
    source.write_text(source.read_text().replace("return x @ self.weight", "return x @ self.weight * 1", 1))
    assert level() == 2  # new code for the task, still failing
    source.write_text(source.read_text().replace("self.weight * 1", "self.weight * 1.0", 1))
    assert level() == 3 and level() == 3  # the ladder ends
    state_path.unlink()
    assert level() == 1  # deleting the file resets


def test_a_change_to_another_task_unlocks_nothing(tmp_path, live_reference) -> None:
    state_path = tmp_path / "hints.json"
    impl = MUTANT.build(tmp_path / "sub")
    check = next(c for c in CHECKS if c.id == "a01_modules::linear_forward")
    for _ in range(2):
        state = HintState(state_path)
        assert Grading(impl, reference=live_reference, hints=HintPolicy(state)).grade_check(check).hint_level == 1
        state.save()
        source = impl / "a01_modules.py"
        source.write_text(source.read_text() + "\n\ndef helper():\n    return 1\n")


def test_the_cap_hides_levels_above_it(tmp_path, live_reference) -> None:
    impl = MUTANT.build(tmp_path / "sub")
    check = next(c for c in CHECKS if c.id == "a01_modules::linear_forward")
    hidden = Grading(impl, reference=live_reference, hints=HintPolicy(HintState(tmp_path / "h", cap=0)))
    outcome = hidden.grade_check(check)
    assert outcome.hint_level == 0 and "hint" not in outcome.message
    with pytest.raises(ValueError, match="max_hint_level should be between 0 and 3"):
        HintState(tmp_path / "h", cap=7)


def test_the_hint_command_shows_the_next_level(tmp_path) -> None:
    impl = MUTANT.build(tmp_path / "sub")
    state = tmp_path / "hints.json"
    first = next_hint("a01", "linear_forward", impl=impl, state_path=state, cap=3)
    assert "hint (1 of 3)" in first and "hint (2 of 3)" not in first
    second = next_hint("a01", impl=impl, state_path=state, cap=3)  # the first failing check is a01's linear_forward?
    assert "hint (1 of 3)" in second
    capped = next_hint("a01_modules", "linear_forward", impl=impl, state_path=state, cap=1)
    assert "hint (2 of 3)" not in capped and "up to level 1" in capped
    assert cli_main(["hint", "a42"]) == 2
    assert cli_main(["hint", "a01", "no_such_check"]) == 2


# --- one diagnosis per mistake ---------------------------------------------------------------

@pytest.mark.timeout(600)
def test_one_mistake_gets_few_diagnoses_and_the_first_names_it() -> None:
    from tools.diagnoses import measure, meets_targets, summary

    median, above, named = summary(measure(MUTANTS))
    assert meets_targets(median, above, named), (median, above, named)


def test_a_check_that_builds_on_a_failing_one_says_so(tmp_path, live_reference) -> None:
    builders = [c for c in CHECKS if c.builds_on]
    assert builders, "no check declares what it builds on"
    check = builders[0]
    outcomes = by_name(grade(REFERENCE_DIR, [check.assignment], reference=live_reference))
    assert outcomes[check.name].passed and not outcomes[check.name].blocked_by

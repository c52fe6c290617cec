"""The pytest plugin of self-check: checks become test items; the run ends with a grade table.

``graders/conftest.py`` re-exports these hooks. They are thin: the work
happens in :mod:`..grading.pipeline` (probe and judge) and
:mod:`..grading.results` (table, results JSON). Hooks appear in the order
pytest calls them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from ..checks import Check
from ..errors import InstructorError
from ..grading.outcomes import Outcome, interrupted
from ..grading.pipeline import Grading
from ..grading.results import STATUS_WORDS, append_step_summary, failure_text, grade_table, write_results_json
from ..layout import ASSIGNMENTS, ASSIGNMENTS_DIR
from ..learner.hints import MAX_LEVEL_HELP, MAX_LEVEL_SETTING, STATE_FILE, HintPolicy, HintState, checked_cap

IMPL_ENV = "GRADERS_IMPL"
SUMMARY_ENV = "GITHUB_STEP_SUMMARY"  # set by GitHub Actions: the job summary gets the grade table

SETTINGS = {
    "impl": (
        "directory of the implementation to grade: a folder holding some of the "
        f"assignment files (default: assignments/; 'reference' grades the solutions). "
        f"Also settable with ${IMPL_ENV} or the ini option grader_impl."
    ),
    "seed": "seed of every probe's inputs (default: the kit's fixed seed). Also ini option grader_seed.",
    "goldens": (
        "judge against reference observations recorded by `python -m graders record` instead of running reference/ "
        "(default in a student release, which has no reference/: graders/goldens.pt)."
    ),
    "results_json": "write Gradescope-format results (score, max_score, tests[]) to this file.",
    "hint_level": (
        "show this hint level (1-3) for every failing check, unlocked or not, and unlock nothing: "
        "an instructor's preview. Without it, grading assignments/ shows the levels the student unlocked."
    ),
    MAX_LEVEL_SETTING: MAX_LEVEL_HELP,
}

GRADING = pytest.StashKey[Grading]()
OUTCOMES = pytest.StashKey[dict]()


class CheckFailed(Exception):
    """Raised by a check item that did not pass; carries its outcome."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.status)
        self.outcome = outcome


class CheckItem(pytest.Item):
    """One check, run as one pytest test."""

    def __init__(self, *, check: Check, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.outcome: Outcome | None = None
        self.add_marker(check.marker)
        if check.timeout is not None:
            self.add_marker(pytest.mark.timeout(check.timeout))

    def runtest(self) -> None:
        self.outcome = self.config.stash[GRADING].grade_check(self.check)
        if self.outcome.status == "answered":
            pytest.skip(STATUS_WORDS["answered"])
        if not self.outcome.passed:
            raise CheckFailed(self.outcome)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CheckFailed):
            return failure_text(excinfo.value.outcome) + self._more_hints(excinfo.value.outcome)
        return interrupted(self.check, excinfo.value).message

    def _more_hints(self, outcome: Outcome) -> str:
        policy = self.config.stash[GRADING].hints
        if policy.state is None or not outcome.hint or outcome.hint_level >= min(policy.state.cap, len(outcome.hints)):
            return ""
        return f"\n  stuck? the next hint: python -m graders hint {self.check.marker} {self.check.name}"

    def reportinfo(self) -> tuple[Path, None, str]:
        return self.path, None, f"{self.check.assignment}: {self.check.title}"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("graders", "PyTorch assignment graders")
    group.addoption("--impl", dest="grader_impl", default=None, help=SETTINGS["impl"])
    group.addoption("--seed", dest="grader_seed", type=int, default=None, help=SETTINGS["seed"])
    group.addoption("--goldens", dest="grader_goldens", default=None, help=SETTINGS["goldens"])
    group.addoption("--results-json", dest="grader_results_json", default=None, help=SETTINGS["results_json"])
    group.addoption("--hint-level", dest="grader_hint_level", type=int, default=None, help=SETTINGS["hint_level"])
    parser.addini("grader_impl", SETTINGS["impl"], default=None)
    parser.addini("grader_seed", SETTINGS["seed"], default=None)
    parser.addini(MAX_LEVEL_SETTING, SETTINGS[MAX_LEVEL_SETTING], default=None)


def pytest_configure(config: pytest.Config) -> None:
    for name in ASSIGNMENTS:
        config.addinivalue_line("markers", f"{name.split('_', 1)[0]}: checks of {name}")
    impl = resolve_impl(config)
    seed = config.getoption("grader_seed")
    if seed is None and config.getini("grader_seed"):
        seed = int(config.getini("grader_seed"))
    goldens = config.getoption("grader_goldens")
    try:
        hints = hint_policy(config, impl)
        config.stash[GRADING] = Grading(impl, seed=seed, goldens=Path(goldens) if goldens else None, hints=hints)
    except (InstructorError, ValueError) as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[OUTCOMES] = {}


def hint_policy(config: pytest.Config, impl: Path) -> HintPolicy:
    """--hint-level N previews level N; grading assignments/ unlocks levels as the student works; else level 1.

    Raises:
        ValueError: a level or cap outside 0..3.
    """
    preview = config.getoption("grader_hint_level")
    cap_text = config.getini(MAX_LEVEL_SETTING)
    cap = int(cap_text) if cap_text not in (None, "") else 3
    if preview is not None:
        if not 0 <= preview <= 3:
            raise ValueError(f"--hint-level should be between 0 and 3, but got --hint-level {preview}")
        return HintPolicy(fixed=preview)
    if impl.resolve() == ASSIGNMENTS_DIR.resolve():
        return HintPolicy(HintState(STATE_FILE, cap=cap))
    return HintPolicy(fixed=min(1, checked_cap(cap)))


def resolve_impl(config: pytest.Config) -> Path:
    """--impl, else $GRADERS_IMPL, else the ini's grader_impl, else assignments/."""
    value = config.getoption("grader_impl") or os.environ.get(IMPL_ENV) or config.getini("grader_impl")
    if not value:
        return ASSIGNMENTS_DIR
    path = Path(value).expanduser()
    if not path.is_absolute():
        here = config.invocation_params.dir / path
        path = here if here.exists() else config.rootpath / path
    return path


def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> Any:
    if isinstance(obj, Check):
        return CheckItem.from_parent(collector, name=name, check=obj)
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    if isinstance(item, CheckItem) and call.when == "call":
        outcome = item.outcome
        if call.excinfo is not None and call.excinfo.errisinstance(pytest.skip.Exception) and outcome is not None:
            item.config.stash[OUTCOMES][item.check.id] = outcome  # answered: judged at submission
            return report
        if outcome is None or (call.excinfo is not None and not isinstance(call.excinfo.value, CheckFailed)):
            outcome = interrupted(item.check, call.excinfo.value) if call.excinfo else outcome
            report.outcome = "failed"
            report.longrepr = outcome.message if outcome else report.longrepr
        if outcome is not None:
            item.config.stash[OUTCOMES][item.check.id] = outcome
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    if GRADING in session.config.stash:
        session.config.stash[GRADING].hints.save()
    path = session.config.getoption("grader_results_json", None)
    if path and OUTCOMES in session.config.stash:
        write_results_json(outcomes(session.config), Path(path))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if OUTCOMES in config.stash and config.stash[OUTCOMES]:
        terminalreporter.section("grade")
        for line in grade_table(outcomes(config)):
            terminalreporter.line(line)
        append_step_summary(outcomes(config), os.environ.get(SUMMARY_ENV))


def outcomes(config: pytest.Config) -> list[Outcome]:
    """Outcomes of the checks that ran, in the order they ran."""
    return list(config.stash[OUTCOMES].values())

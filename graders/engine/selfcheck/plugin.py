"""The pytest plugin of self-check: checks become test items; the run ends with a grade table.

``graders/conftest.py`` re-exports these hooks. They are thin: the work
happens in :mod:`..grading.pipeline` (probe and judge) and
:mod:`..grading.report` (table, results JSON). Hooks appear in the order
pytest calls them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from ..checks import Check
from ..errors import InstructorError
from ..grading.outcomes import Outcome
from ..grading.pipeline import Grading
from ..grading.report import append_step_summary, failure_text, grade_table, write_results_json
from ..layout import ASSIGNMENTS, ASSIGNMENTS_DIR

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
        if not self.outcome.passed:
            raise CheckFailed(self.outcome)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CheckFailed):
            return failure_text(excinfo.value.outcome)
        return _interrupted(self.check, excinfo.value).message

    def reportinfo(self) -> tuple[Path, None, str]:
        return self.path, None, f"{self.check.assignment}: {self.check.title}"


def _interrupted(check: Check, exc: BaseException) -> Outcome:
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


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("graders", "PyTorch assignment graders")
    group.addoption("--impl", dest="grader_impl", default=None, help=SETTINGS["impl"])
    group.addoption("--seed", dest="grader_seed", type=int, default=None, help=SETTINGS["seed"])
    group.addoption("--goldens", dest="grader_goldens", default=None, help=SETTINGS["goldens"])
    group.addoption("--results-json", dest="grader_results_json", default=None, help=SETTINGS["results_json"])
    parser.addini("grader_impl", SETTINGS["impl"], default=None)
    parser.addini("grader_seed", SETTINGS["seed"], default=None)


def pytest_configure(config: pytest.Config) -> None:
    for name in ASSIGNMENTS:
        config.addinivalue_line("markers", f"{name.split('_', 1)[0]}: checks of {name}")
    impl = resolve_impl(config)
    seed = config.getoption("grader_seed")
    if seed is None and config.getini("grader_seed"):
        seed = int(config.getini("grader_seed"))
    goldens = config.getoption("grader_goldens")
    try:
        config.stash[GRADING] = Grading(impl, seed=seed, goldens=Path(goldens) if goldens else None)
    except InstructorError as exc:
        raise pytest.UsageError(exc.message) from None
    config.stash[OUTCOMES] = {}


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
        if outcome is None or (call.excinfo is not None and not isinstance(call.excinfo.value, CheckFailed)):
            outcome = _interrupted(item.check, call.excinfo.value) if call.excinfo else outcome
            report.outcome = "failed"
            report.longrepr = outcome.message if outcome else report.longrepr
        if outcome is not None:
            item.config.stash[OUTCOMES][item.check.id] = outcome
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
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

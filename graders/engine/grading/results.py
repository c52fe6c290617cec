"""Reporting outcomes: the grade table (text, or markdown for a CI job summary) and
Gradescope-format results.

Both are deterministic functions of the outcomes (no timings, no paths),
so two runs of the same submission with the same seed give identical JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ... import __version__
from .outcomes import Outcome

RESULTS_FORMAT = 1  # of the extra_data the class report reads

STATUS_WORDS = {
    "passed": "passed",
    "failed": "failed",
    "not_attempted": "not attempted",
    "error": "error in your code",
    "forbidden": "forbidden shortcut",
    "missing": "not handed in",
    "import_error": "file failed to import",
    "answered": "answered (graded at submission)",
}


@dataclass
class Row:
    assignment: str
    score: float
    max_score: float
    passed: int
    failed: int
    not_attempted: int
    answered: int = 0  # judged at submission only (the quiz in a student release)


def summarize(outcomes: Iterable[Outcome]) -> list[Row]:
    """One row per assignment, in the order the outcomes first name them."""
    rows: dict[str, Row] = {}
    for o in outcomes:
        row = rows.setdefault(o.assignment, Row(o.assignment, 0.0, 0.0, 0, 0, 0))
        row.score += o.score
        row.max_score += o.max_score
        if o.status == "passed":
            row.passed += 1
        elif o.status in ("not_attempted", "missing"):
            row.not_attempted += 1
        elif o.status == "answered":
            row.answered += 1
        else:
            row.failed += 1
    return list(rows.values())


def _points(x: float) -> str:
    return f"{x:g}"


def grade_table(outcomes: Sequence[Outcome]) -> list[str]:
    """Lines of the grade table printed at the end of a run."""
    rows = summarize(outcomes)
    if not rows:
        return ["no checks ran"]
    head = f"{'assignment':<16} {'score':>11}  {'passed':>6} {'failed':>6} {'not attempted':>13}"
    lines = [head, "-" * len(head)]
    for r in rows:
        score = f"{_points(r.score)} / {_points(r.max_score)}"
        lines.append(f"{r.assignment:<16} {score:>11}  {r.passed:>6} {r.failed:>6} {r.not_attempted:>13}")
    total = sum(r.score for r in rows)
    possible = sum(r.max_score for r in rows)
    lines.append("-" * len(head))
    share = f"({100 * total / possible:.0f}%)" if possible else ""
    lines.append(f"{'total':<16} {_points(total) + ' / ' + _points(possible):>11}  {share}".rstrip())
    lines += [f"{r.assignment}: {r.answered} answered, graded at submission" for r in rows if r.answered]
    return lines


def markdown_table(outcomes: Sequence[Outcome]) -> str:
    """The grade table as markdown, with the checks not passed listed below it."""
    rows = summarize(outcomes)
    if not rows:
        return "## Grade\n\nno checks ran\n"
    lines = [
        "## Grade",
        "",
        "| assignment | score | passed | failed | not attempted |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r.assignment} | {_points(r.score)} / {_points(r.max_score)} | {r.passed} | {r.failed} | "
            f"{r.not_attempted} |"
        )
    total, possible = sum(r.score for r in rows), sum(r.max_score for r in rows)
    share = f" ({100 * total / possible:.0f}%)" if possible else ""
    lines.append(f"| **total** | **{_points(total)} / {_points(possible)}**{share} | | | |")
    missed = [
        f"- {o.assignment}: {o.title} ({STATUS_WORDS[o.status]})"
        for o in outcomes
        if not o.passed and o.status != "answered"
    ]
    if missed:
        lines += ["", "<details><summary>checks not passed</summary>", "", *missed, "", "</details>"]
    return "\n".join(lines) + "\n"


def append_step_summary(outcomes: Sequence[Outcome], path: str | None) -> None:
    """Append :func:`markdown_table` to ``path`` (GitHub Actions' ``$GITHUB_STEP_SUMMARY``), when set."""
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(markdown_table(outcomes) + "\n")


def results_json(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Gradescope's ``results.json``: score, max_score and one entry per check.

    Each test's ``extra_data`` (a field Gradescope keeps) holds what a class report
    needs: the assignment, the check, its status, concept and diagnosis category,
    the check it builds on, the hint level shown; the top-level ``extra_data`` the
    kit's version.
    """
    tests = []
    for o in outcomes:
        output = STATUS_WORDS[o.status] if o.passed else f"{STATUS_WORDS[o.status]}\n{o.message}".rstrip()
        tests.append(
            {
                "name": f"{o.assignment}: {o.title}",
                "score": o.score,
                "max_score": o.max_score,
                "status": "passed" if o.passed else "failed",
                "output": output,
                "extra_data": {
                    "assignment": o.assignment,
                    "check": o.name,
                    "status": o.status,
                    "concept": o.concept,
                    "category": o.category,
                    "builds_on": o.blocked_by,
                    "hint_level": o.hint_level if o.hint else 0,
                },
            }
        )
    return {
        "score": sum(o.score for o in outcomes),
        "max_score": sum(o.max_score for o in outcomes),
        "tests": tests,
        "extra_data": {"kit_version": __version__, "format": RESULTS_FORMAT},
    }


def write_results_json(outcomes: Sequence[Outcome], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results_json(outcomes), indent=2, sort_keys=True) + "\n", encoding="utf-8")


def failure_text(o: Outcome) -> str:
    """What pytest prints for a check that did not pass."""
    if o.status == "not_attempted":
        return o.message
    return f"{STATUS_WORDS[o.status]}: {o.title}\n{o.message}".rstrip()

"""What official grading writes for people: each student's feedback and the class gradebook."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..grading.outcomes import Outcome
from ..grading.results import grade_table
from ..layout import ASSIGNMENTS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def feedback_markdown(student: str, outcomes: list[Outcome], notes: list[str]) -> str:
    """The learner messages of one student: grade table, notes on the files, every check not passed."""
    lines = [f"# Feedback for {student}", "", "```", *grade_table(outcomes), "```", ""]
    if notes:
        lines += ["## About your files", ""] + [f"- {n}" for n in notes] + [""]
    shown: set[str] = set()
    for o in outcomes:
        if o.passed or o.assignment in shown:
            continue
        if o.status == "missing":
            shown.add(o.assignment)
            possible = sum(x.max_score for x in outcomes if x.assignment == o.assignment)
            lines += [f"## {o.assignment}: not handed in (0 / {possible:g})", ""]
            continue
        lines += [
            f"## {o.assignment}: {o.title} ({o.score:g} / {o.max_score:g})",
            "",
            "```",
            o.message.rstrip() or o.status,
            "```",
            "",
        ]
    return "\n".join(lines)


def csv_cell(value: Any) -> str:
    """A spreadsheet must never read a cell as a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def graded_assignments(results: Path) -> set[str]:
    """The assignments a ``results.json`` holds checks of (none when it is missing or unreadable)."""
    try:
        data = json.loads(results.read_text(encoding="utf-8"))
        return {test["name"].split(":", 1)[0] for test in data["tests"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()


def write_gradebook(out_dir: Path, students: list[str], assignments: Sequence[str] = ASSIGNMENTS) -> Path:
    """``gradebook.csv``: student, one column per assignment graded, total; from each student's results.json."""
    path = out_dir / "gradebook.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", *assignments, "total"])
        for student in students:
            results = out_dir / student / "results.json"
            if not results.is_file():
                continue
            data = json.loads(results.read_text(encoding="utf-8"))
            per = {a: 0.0 for a in assignments}
            for test in data["tests"]:
                name = test["name"].split(":", 1)[0]
                if name in per:
                    per[name] += test["score"]
            writer.writerow([csv_cell(student), *(f"{per[a]:g}" for a in assignments), f"{sum(per.values()):g}"])
    return path

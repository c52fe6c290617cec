"""The class statistics a report shows, computed from the results alone (no drawing, no HTML).

Words, as the report uses them:

- *handed in*: the student's folder held the assignment's file (its checks are not "not handed in");
- *not attempted*: none of the assignment's checks was attempted (every one "not attempted" or
  "not handed in");
- *attempted* check: passed, failed, raised an error or used a forbidden shortcut; its *failure
  rate* is the share of the attempts that did not pass (a file that failed to import, an empty
  body and a missing file are not attempts);
- *diagnosis*: the kind of a failing check's message (``extra_data.category`` of results.json:
  "wrong shape", or the "what this usually means" of a torch error), checks that fail only
  because a check they build on fails left out.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .graded import GradedClass, StudentResults
from .topics import ORDER, topic_of

ATTEMPTED = ("passed", "failed", "error", "forbidden")
FAILING = ("failed", "error", "forbidden")
NOT_ATTEMPTED = ("not_attempted", "missing")
NOT_HANDED_IN = "missing"
BLOCKED = "builds on a failing check"


@dataclass(frozen=True)
class Spread:
    """First quartile, median and third quartile (``statistics.quantiles``, inclusive method)."""

    q1: float
    median: float
    q3: float


def spread(values: Sequence[float]) -> Spread | None:
    """Quartiles of ``values``; ``None`` when there are none.

    Example:
        >>> spread([0, 10, 20, 30, 40])
        Spread(q1=10.0, median=20.0, q3=30.0)
    """
    if not values:
        return None
    if len(values) == 1:
        return Spread(float(values[0]), float(values[0]), float(values[0]))
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Spread(float(q1), float(median), float(q3))


@dataclass
class AssignmentSummary:
    """One assignment across the class; ``scores`` and ``spread`` are of those who handed it in."""

    assignment: str
    max_score: float
    handed_in: int
    not_attempted: int
    scores: list[float]
    spread: Spread | None


@dataclass
class CheckStat:
    """One check across the class: how many attempted it and how many of them did not pass."""

    assignment: str
    check: str
    title: str
    concept: str
    topic: str
    attempted: int = 0
    failed: int = 0

    @property
    def rate(self) -> float | None:
        return self.failed / self.attempted if self.attempted else None


@dataclass
class Standing:
    """A student the report lists as maybe needing help, and why."""

    student: str
    total: float
    not_attempted: list[str]
    feedback: Path | None
    reasons: list[str] = field(default_factory=list)


@dataclass
class ClassStats:
    """Everything the report shows, in the report's order."""

    students: int
    assignments: tuple[str, ...]
    max_total: float
    totals: list[float]
    total_spread: Spread | None
    summaries: list[AssignmentSummary]
    checks: list[CheckStat]  # by failure rate, highest first
    topics: list[str]  # heat map rows, in topics.ORDER
    topic_rates: dict[tuple[str, str], tuple[int, int]]  # (topic, assignment) -> (failed, attempted)
    diagnoses: list[tuple[str, int]]  # most frequent first
    needing_help: list[Standing]


def not_attempted(student: StudentResults, assignment: str) -> bool:
    return all(c.status in NOT_ATTEMPTED for c in student.checks if c.assignment == assignment)


def handed_in(student: StudentResults, assignment: str) -> bool:
    return any(c.status != NOT_HANDED_IN for c in student.checks if c.assignment == assignment)


def summarize_assignment(graded: GradedClass, assignment: str) -> AssignmentSummary:
    takers = [s for s in graded.students if handed_in(s, assignment)]
    scores = [s.score(assignment) for s in takers]
    return AssignmentSummary(
        assignment,
        graded.max_score(assignment),
        len(takers),
        sum(not_attempted(s, assignment) for s in graded.students),
        scores,
        spread(scores),
    )


def check_stats(graded: GradedClass) -> list[CheckStat]:
    """Every check's attempts and failures, highest failure rate first (then most failures, then kit order)."""
    stats = {
        c.key: CheckStat(c.assignment, c.check, c.title, c.concept, topic_of(c.concept)) for c in graded.checks
    }
    for s in graded.students:
        for c in s.checks:
            stat = stats[c.key]
            stat.attempted += c.status in ATTEMPTED
            stat.failed += c.status in FAILING
    ranked = sorted(
        enumerate(stats.values()), key=lambda p: (p[1].rate is None, -(p[1].rate or 0.0), -p[1].failed, p[0])
    )
    return [st for _, st in ranked]


def topic_rates(checks: list[CheckStat]) -> dict[tuple[str, str], tuple[int, int]]:
    cells: dict[tuple[str, str], tuple[int, int]] = {}
    for st in checks:
        failed, attempted = cells.get((st.topic, st.assignment), (0, 0))
        cells[(st.topic, st.assignment)] = (failed + st.failed, attempted + st.attempted)
    return cells


def diagnoses(graded: GradedClass, *, top: int) -> list[tuple[str, int]]:
    counts = Counter(
        c.category or c.status
        for s in graded.students
        for c in s.checks
        if c.status in FAILING and c.category != BLOCKED
    )
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


def needing_help(graded: GradedClass, *, limit: int) -> list[Standing]:
    """Students with the lowest totals (at or below the first quartile, at most ``limit``), and those who
    left most assignments not attempted (at least one, at most ``limit``); lowest totals first."""
    rows = {
        s.student: Standing(s.student, s.score(), [a for a in graded.assignments if not_attempted(s, a)], s.feedback)
        for s in graded.students
    }
    where = spread([r.total for r in rows.values()])
    low = sorted((r for r in rows.values() if where and r.total <= where.q1), key=lambda r: (r.total, r.student))
    for r in low[:limit]:
        r.reasons.append("lowest totals")
    missing = sorted((r for r in rows.values() if r.not_attempted), key=lambda r: (-len(r.not_attempted), r.total,
                                                                                   r.student))
    for r in missing[:limit]:
        r.reasons.append("most not attempted")
    flagged = [r for r in rows.values() if r.reasons]
    return sorted(flagged, key=lambda r: (r.total, -len(r.not_attempted), r.student))


def class_stats(graded: GradedClass, *, help_limit: int = 10, top_diagnoses: int = 12) -> ClassStats:
    """The report's numbers for ``graded``."""
    totals = [s.score() for s in graded.students]
    checks = check_stats(graded)
    rates = topic_rates(checks)
    present = {topic for topic, _ in rates}
    return ClassStats(
        students=len(graded.students),
        assignments=graded.assignments,
        max_total=graded.max_score(),
        totals=totals,
        total_spread=spread(totals),
        summaries=[summarize_assignment(graded, a) for a in graded.assignments],
        checks=checks,
        topics=[t for t in ORDER if t in present],
        topic_rates=rates,
        diagnoses=diagnoses(graded, top=top_diagnoses),
        needing_help=needing_help(graded, limit=help_limit),
    )

"""``python -m graders report GRADED_DIR [--out report.html] [--assignments ...]``: the class report.

Reads what ``grade`` wrote (:mod:`.graded`), computes the statistics
(:mod:`.stats`), draws the charts (:mod:`.charts`) and writes one
self-contained HTML page and, beside it, ``<name>-checks.csv`` (one row per
student, one column per check, the points scored). Both are built in memory
first: a refused input writes nothing, and nothing is ever written inside
``GRADED_DIR`` but these two files when ``--out`` puts them there.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ... import __version__
from . import charts
from .graded import GradedClass, read_graded
from .output import check_output, csv_cell, write_atomically
from .page import document, figure, link_to, number, percent, table, text
from .stats import ClassStats, Spread, class_stats, handed_in, not_attempted


@dataclass
class Written:
    """What :func:`write_class_report` wrote."""

    html: Path
    csv: Path
    students: int
    assignments: tuple[str, ...]


def checks_csv(graded: GradedClass) -> str:
    """Student x check: the points each student scored on each check, then the total."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *(f"{c.assignment}::{c.check}" for c in graded.checks), "total"])
    writer.writerow(["(max)", *(number(c.max_score) for c in graded.checks), number(graded.max_score())])
    for s in graded.students:
        writer.writerow([csv_cell(s.student), *(number(c.score) for c in s.checks), number(s.score())])
    return buffer.getvalue()


def _quartile_cells(where: Spread | None) -> list[str]:
    if where is None:
        return ["–", "–", "–"]
    return [number(where.q1), number(where.median), number(where.q3)]


def _summary(graded: GradedClass, stats: ClassStats) -> str:
    rows, ids = [], []
    for s in stats.summaries:
        rows.append([text(s.assignment), number(s.max_score), str(s.handed_in), str(s.not_attempted),
                     *_quartile_cells(s.spread)])
        ids.append(f"summary-{s.assignment}")
    anything = sum(any(handed_in(st, a) for a in graded.assignments) for st in graded.students)
    nothing = sum(all(not_attempted(st, a) for a in graded.assignments) for st in graded.students)
    rows.append(["total", number(stats.max_total), str(anything), str(nothing), *_quartile_cells(stats.total_spread)])
    ids.append("summary-total")
    head = ["assignment", "points", "handed in", "not attempted", "lower quartile", "median", "upper quartile"]
    body = table(head, rows, numeric=range(1, 7), ids=ids).replace('<tr id="summary-total">',
                                                                    '<tr id="summary-total" class="total">')
    return "\n".join([
        '<section id="summary">',
        "<h2>Class summary</h2>",
        f"<p>{stats.students} students. Per assignment, the quartiles are of the scores of those who handed it "
        "in; the total's are of every student's total. <em>Not attempted</em>: no check of the assignment was "
        "attempted (an empty file and a file not handed in alike); on the total row, the students who attempted "
        "nothing, and <em>handed in</em> the students who handed in anything.</p>",
        body,
        "</section>",
    ])


def _distributions(stats: ClassStats) -> str:
    return "\n".join([
        '<section id="distributions">',
        "<h2>Score distributions</h2>",
        figure(charts.totals_histogram(totals=stats.totals, max_total=stats.max_total, where=stats.total_spread),
               anchor="chart-totals", caption="Total scores of the class (red: median and quartiles)."),
        figure(charts.assignment_histograms(summaries=stats.summaries, students=stats.students),
               anchor="chart-assignments",
               caption="Each assignment's scores, among the students who handed it in."),
        "</section>",
    ])


def _checks(stats: ClassStats) -> str:
    rows = [
        [text(c.assignment), text(c.check), text(c.concept), text(c.topic), str(c.attempted), str(c.failed),
         percent(c.failed, c.attempted)]
        for c in stats.checks
    ]
    return "\n".join([
        '<section id="checks">',
        "<h2>Checks most often failed</h2>",
        figure(charts.check_failures(checks=stats.checks), anchor="chart-checks",
               caption="The checks with the highest failure rates among the students who attempted them, "
                       "with the concept each one exercises (red: half of the attempts or more)."),
        "<details><summary>every check</summary>",
        table(["assignment", "check", "concept", "topic", "attempted", "failed", "failure rate"], rows,
              numeric=(4, 5, 6), ids=[f"check-{c.assignment}-{c.check}" for c in stats.checks]),
        "</details>",
        "</section>",
    ])


def _topics(stats: ClassStats) -> str:
    return "\n".join([
        '<section id="topics">',
        "<h2>Concepts across assignments</h2>",
        figure(charts.topic_heatmap(topics=stats.topics, assignments=stats.assignments, rates=stats.topic_rates),
               anchor="chart-topics",
               caption="Failure rate of the checks of each topic in each assignment (the checks' concepts grouped "
                       "into topics). Grey: the assignment has no check of the topic, or nobody attempted one."),
        "</section>",
    ])


def _diagnoses(stats: ClassStats) -> str:
    rows = [[text(name), str(count)] for name, count in stats.diagnoses]
    return "\n".join([
        '<section id="diagnoses">',
        "<h2>Most frequent diagnoses</h2>",
        figure(charts.diagnosis_counts(counts=stats.diagnoses), anchor="chart-diagnoses",
               caption="What the failing checks' messages said, most frequent first: the kind of mismatch, or "
                       "what a torch error usually means. Checks failing only because a check they build on "
                       "fails are not counted."),
        table(["diagnosis", "failing checks"], rows, numeric=(1,),
              ids=[f"diagnosis-{n}" for n in range(1, len(rows) + 1)]),
        "</section>",
    ])


def _help(stats: ClassStats, *, page: Path) -> str:
    rows, ids = [], []
    for r in stats.needing_help:
        name = text(r.student)
        who = f'<a href="{text(link_to(r.feedback, page=page))}">{name}</a>' if r.feedback else name
        missed = ", ".join(a.split("_", 1)[0] for a in r.not_attempted) or "–"
        rows.append([who, number(r.total), percent(r.total, stats.max_total), str(len(r.not_attempted)),
                     text(missed), text(", ".join(r.reasons))])
        ids.append(f"help-{r.student}")
    return "\n".join([
        '<section id="help">',
        "<h2>Students who may need help</h2>",
        "<p>The lowest totals, and the students who left most assignments not attempted; each name links to "
        "the student's feedback.</p>",
        table(["student", "total", "share", "not attempted", "which", "listed for"], rows, numeric=(1, 2, 3),
              ids=ids) if rows else "<p>Nobody.</p>",
        "</section>",
    ])


def render(graded: GradedClass, stats: ClassStats, *, page: Path, csv_name: str) -> str:
    """The whole report page for ``graded`` as it will be written at ``page``."""
    names = ", ".join(graded.assignments)
    head = [
        f"<h1>Class report: {text(graded.root.resolve().name)}</h1>",
        f'<p class="lead">{stats.students} students; assignments {text(names)} ({number(stats.max_total)} points); '
        f"kit version {text(__version__)}. Per-check scores: <a href=\"{text(quote(csv_name))}\">"
        f"{text(csv_name)}</a>.</p>",
        '<nav><a href="#summary">summary</a><a href="#distributions">distributions</a><a href="#checks">checks</a>'
        '<a href="#topics">concepts</a><a href="#diagnoses">diagnoses</a><a href="#help">who may need help</a></nav>',
    ]
    body = [*head, _summary(graded, stats), _distributions(stats), _checks(stats), _topics(stats),
            _diagnoses(stats), _help(stats, page=page)]
    return document(title=f"Class report: {graded.root.resolve().name}", body=body)


def write_class_report(*, graded_dir: Path, out: Path, assignments: Sequence[str] | None = None) -> Written:
    """Write the report of ``graded_dir`` to ``out`` and the per-check CSV beside it.

    Raises:
        InstructorError: ``graded_dir`` is not a usable grading output (see
            :func:`.graded.read_graded`), or ``out`` is not an .html file outside the students' folders.
    """
    check_output(out=out, suffix=".html", inputs=graded_dir)
    csv_path = out.with_name(out.stem + "-checks.csv")
    graded = read_graded(graded_dir, assignments=assignments)
    stats = class_stats(graded)
    html = render(graded, stats, page=out, csv_name=csv_path.name)
    sheet = checks_csv(graded)
    write_atomically(csv_path, sheet)
    write_atomically(out, html)
    return Written(out, csv_path, stats.students, graded.assignments)

"""``python -m graders similarity SUBMISSIONS_DIR [--out similarity.html]``: the similarity report.

Collects the hand-ins (:mod:`.handins`), ranks every pair of each
assignment (:mod:`.similarity`) and writes one self-contained HTML page (a
summary, the distribution of the pairs' similarities, and per assignment the
most similar pairs with the shared code marked) and, beside it,
``<name>-pairs.csv`` (assignment, student, student, similarity; every pair
that shares code, most similar first). It reads the submissions and writes
only these two files. It flags pairs for a person to look at; it never
changes a grade.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..errors import InstructorError
from ..layout import ASSIGNMENTS
from . import charts
from .handins import QUIZ, Collected, collect
from .output import check_output, csv_cell, write_atomically
from .page import document, figure, table, text
from .similarity import (
    DEFAULT_THRESHOLD,
    DEFAULT_TOP,
    AssignmentSimilarity,
    K,
    Pair,
    Shown,
    available_cpus,
    compare_class,
)


@dataclass
class SimilarityWritten:
    """What :func:`write_similarity_report` wrote, and the most similar pair of each assignment."""

    html: Path
    csv: Path
    students: int
    pairs: int
    flagged: int
    threshold: float
    results: list[AssignmentSimilarity]


def pairs_csv(results: Sequence[AssignmentSimilarity]) -> str:
    """Every pair that shares code: assignment, student, student, similarity; most similar first."""
    rows = sorted(
        (p for r in results for p in r.pairs if p.similarity > 0),
        key=lambda p: (-p.similarity, ASSIGNMENTS.index(p.assignment) if p.assignment in ASSIGNMENTS else 0,
                       p.first, p.second),
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["assignment", "student", "other_student", "similarity"])
    for p in rows:
        writer.writerow([p.assignment, csv_cell(p.first), csv_cell(p.second), f"{p.similarity:.4f}"])
    return buffer.getvalue()


def _share(x: float) -> str:
    return f"{100 * x:.0f}%"


def _pair_row(rank: int, p: Pair, threshold: float) -> list[str]:
    flag = '<span class="flag">flagged</span>' if p.similarity >= threshold else ""
    return [str(rank), text(p.first), text(p.second), _share(p.similarity), _share(p.first_share),
            _share(p.second_share), flag]


def _code(shown: Shown, rank: int, threshold: float) -> str:
    p = shown.pair
    opened = " open" if p.similarity >= threshold and rank == 1 else ""
    return "\n".join([
        f'<details id="pair-{text(p.assignment)}-{rank}"{opened}><summary>{rank}. {text(p.first)} and '
        f"{text(p.second)}: {_share(p.similarity)} similar (shared code marked)</summary>",
        '<div class="pair">',
        f"<div><h3>{text(p.first)}/{text(shown.first_file)}</h3><pre class=\"code\">{shown.first_html}</pre></div>",
        f"<div><h3>{text(p.second)}/{text(shown.second_file)}</h3><pre class=\"code\">{shown.second_html}</pre></div>",
        "</div>",
        "</details>",
    ])


def _assignment_section(r: AssignmentSimilarity, threshold: float) -> str:
    head = ["rank", "student", "student", "similarity", "share of the first", "share of the second", ""]
    rows = [_pair_row(n, s.pair, threshold) for n, s in enumerate(r.shown, 1)]
    parts = [f'<section id="assignment-{text(r.assignment)}">', f"<h2>{text(r.assignment)}</h2>"]
    if not r.shown:
        parts.append(f"<p>{r.handins} hand-in(s): no pair to compare.</p>")
    else:
        parts.append(table(head, rows, numeric=(0, 3, 4, 5),
                           ids=[f"top-{r.assignment}-{n}" for n in range(1, len(rows) + 1)]))
        parts += [_code(s, n, threshold) for n, s in enumerate(r.shown, 1)]
    parts.append("</section>")
    return "\n".join(parts)


def render(collected: Collected, results: Sequence[AssignmentSimilarity], *, submissions: Path, csv_name: str,
           threshold: float, skipped: Sequence[str]) -> str:
    """The whole similarity page."""
    summary_rows = []
    for r in results:
        best = r.pairs[0] if r.pairs else None
        flagged = sum(p.similarity >= threshold for p in r.pairs)
        summary_rows.append([
            f'<a href="#assignment-{text(r.assignment)}">{text(r.assignment)}</a>', str(r.handins),
            str(len(r.pairs)), str(flagged), _share(best.similarity) if best else "–",
            text(f"{best.first} and {best.second}") if best else "–",
        ])
    notes = [*collected.notes, *(f"{a}: not compared (answers of one letter each)" for a in skipped)]
    body = [
        f"<h1>Similar hand-ins: {text(submissions.resolve().name)}</h1>",
        f'<p class="lead">{len(collected.students)} students. Each pair of hand-ins of an assignment is compared '
        f"with copydetect: names, comments, docstrings and layout are ignored, and the code of the skeleton "
        f"never counts. A pair's <em>similarity</em> is the share of both hand-ins' own code that matches "
        f"the other's in runs of at least {K} characters of normalized code; pairs at {_share(threshold)} or "
        "more are flagged for a person to look at. A flag is not a verdict, and it never changes a grade. "
        f'Every pair that shares code: <a href="{text(quote(csv_name))}">{text(csv_name)}</a>.</p>',
        '<section id="summary"><h2>Summary</h2>',
        table(["assignment", "hand-ins", "pairs", "flagged", "most similar", "pair"], summary_rows,
              numeric=(1, 2, 3, 4), ids=[f"summary-{r.assignment}" for r in results]),
        "".join(f'<p class="note">{text(n)}</p>' for n in notes),
        "</section>",
        '<section id="distribution"><h2>How similar the pairs are</h2>',
        figure(charts.similarity_histograms(similarities=[(r.assignment, [p.similarity for p in r.pairs])
                                                          for r in results], threshold=threshold),
               anchor="chart-similarity",
               caption="Pairs per similarity, per assignment (log scale): copies stand apart on the right."),
        "</section>",
        *(_assignment_section(r, threshold) for r in results),
    ]
    return document(title=f"Similar hand-ins: {submissions.resolve().name}", body=body)


def write_similarity_report(
    *,
    submissions: Path,
    out: Path,
    assignments: Sequence[str] | None = None,
    top: int | None = None,
    threshold: float | None = None,
    jobs: int | None = None,
) -> SimilarityWritten:
    """Compare the hand-ins of ``submissions`` and write the report to ``out`` and the pairs' CSV beside it.

    ``top`` pairs per assignment are shown with their code (default 5), pairs at least ``threshold``
    similar are flagged (default 0.8), ``jobs`` assignments are compared at once (default: one per CPU).

    Raises:
        InstructorError: ``submissions`` is not a folder of student folders, ``out`` is not an .html
            file outside the students' folders, or copydetect is not installed.
    """
    check_output(out=out, suffix=".html", inputs=submissions)
    top = DEFAULT_TOP if top is None else top
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    chosen = list(assignments or ASSIGNMENTS)
    skipped = [a for a in chosen if a == QUIZ]
    compared = [a for a in chosen if a != QUIZ]
    if not compared:
        raise InstructorError("the quiz alone cannot be compared (answers of one letter each); name code assignments")
    collected = collect(submissions, assignments=compared)
    results = compare_class(collected, top=top, jobs=available_cpus() if jobs is None else jobs)
    csv_path = out.with_name(out.stem + "-pairs.csv")
    html = render(collected, results, submissions=submissions, csv_name=csv_path.name, threshold=threshold,
                  skipped=skipped)
    write_atomically(csv_path, pairs_csv(results))
    write_atomically(out, html)
    pairs = [p for r in results for p in r.pairs]
    return SimilarityWritten(out, csv_path, len(collected.students), len(pairs),
                             sum(p.similarity >= threshold for p in pairs), threshold, results)

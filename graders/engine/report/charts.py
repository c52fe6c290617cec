"""The report's pictures, drawn with matplotlib and returned as SVG text to inline in the HTML.

Every chart is a function of plain numbers (from :mod:`.stats`) that returns
an ``<svg>`` element: no XML prologue, no metadata, no namespace URLs, text
drawn as paths (no font is needed to view it), and its ids prefixed with the
chart's name so that several charts can share one page. matplotlib is
imported when a chart is drawn (an instructor extra); ``pyplot`` is never used,
so no display and no global figure state are involved.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .extras import require
from .stats import AssignmentSummary, CheckStat, Spread

BLUE = "#4477aa"
RED = "#cc3311"
GREY = "#777777"
STYLE = {
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "path",
    "text.parse_math": False,  # titles and concepts may hold "$"
}
MAX_LABEL = 70
PNG_DPI = 72


def short(assignment: str) -> str:
    """``a01_modules`` -> ``a01``; ``quiz`` stays."""
    return assignment.split("_", 1)[0]


def clip(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@contextmanager
def _figure(width: float, height: float, **subplots: Any) -> Iterator[tuple[Any, Any]]:
    mpl = require("matplotlib")
    from matplotlib.figure import Figure

    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(width, height), layout="constrained")
        yield fig, fig.subplots(**subplots)


def to_svg(fig: Any, *, name: str, title: str) -> str:
    """The figure as an inline ``<svg>`` element with ids prefixed by ``name`` and ``title`` for screen readers."""
    mpl = require("matplotlib")
    buffer = io.StringIO()
    with mpl.rc_context({**STYLE, "svg.hashsalt": name}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return inline_svg(buffer.getvalue(), name=name, title=title)


def inline_svg(svg: str, *, name: str, title: str) -> str:
    """Make a standalone SVG document fit inside HTML (see the module docstring)."""
    from html import escape

    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{name}-{m.group(1)}"', svg)
    svg = re.sub(r"#([\w.-]+)", lambda m: f"#{name}-{m.group(1)}" if m.group(1) in ids else m.group(0), svg)
    label = escape(title, quote=True)
    return re.sub(r"<svg\b", f'<svg role="img" aria-label="{label}"', svg, count=1).replace(
        ">", f"><title>{escape(title)}</title>", 1
    )


def _mark_spread(ax: Any, where: Spread | None) -> None:
    if where is None:
        return
    ax.axvline(where.median, color=RED, linewidth=1.5, label=f"median {where.median:g}")
    for q in (where.q1, where.q3):
        ax.axvline(q, color=RED, linewidth=1, linestyle="--")
    ax.plot([], [], color=RED, linewidth=1, linestyle="--", label=f"quartiles {where.q1:g}, {where.q3:g}")


def _integer_counts(ax: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def totals_histogram(*, totals: Sequence[float], max_total: float, where: Spread | None) -> str:
    """How the class's totals spread over 0..max_total (20 bins), median and quartiles marked."""
    with _figure(7.5, 2.6) as (fig, ax):
        top = max_total or max(totals, default=1.0) or 1.0
        ax.hist(totals, bins=[top * i / 20 for i in range(21)], color=BLUE, edgecolor="white")
        _mark_spread(ax, where)
        ax.set_xlim(0, top)
        ax.set_xlabel(f"total points (of {max_total:g})")
        ax.set_ylabel("students")
        _integer_counts(ax)
        if where is not None:
            ax.legend(frameon=False, loc="upper left")
        return to_svg(fig, name="totals", title="distribution of total scores")


def assignment_histograms(*, summaries: Sequence[AssignmentSummary], students: int) -> str:
    """One small histogram per assignment of the scores of those who handed it in (10 bins)."""
    cols = min(5, max(len(summaries), 1))
    rows = max(math.ceil(len(summaries) / cols), 1)
    with _figure(1.6 * cols + 0.4, 1.55 * rows + 0.2, nrows=rows, ncols=cols, squeeze=False) as (fig, axes):
        flat = [ax for row in axes for ax in row]
        for ax, s in zip(flat, summaries):
            top = s.max_score or 1.0
            ax.hist(s.scores, bins=[top * i / 10 for i in range(11)], color=BLUE, edgecolor="white")
            if s.spread is not None:
                ax.axvline(s.spread.median, color=RED, linewidth=1.2)
            ax.set_xlim(0, top)
            ax.set_title(f"{short(s.assignment)}: {s.handed_in}/{students} handed in", fontsize=8)
            ax.tick_params(labelsize=7)
            _integer_counts(ax)
        for ax in flat[len(summaries) :]:
            ax.set_visible(False)
        fig.supxlabel("points (red: median of those who handed it in)", fontsize=8)
        return to_svg(fig, name="assignments", title="distribution of each assignment's scores")


def check_failures(*, checks: Sequence[CheckStat], top: int = 25) -> str:
    """The checks most often failed by those who attempted them, with their concepts; highest first."""
    shown = [c for c in checks if c.rate is not None][:top]
    with _figure(9.0, 0.32 * max(len(shown), 3) + 0.9) as (fig, ax):
        if not shown:
            ax.text(0.5, 0.5, "no check was attempted", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            return to_svg(fig, name="checks", title="checks ordered by failure rate")
        rates = [c.rate or 0.0 for c in shown]
        labels = [clip(f"{short(c.assignment)} {c.check}: {c.concept.split(':')[0]}", 80) for c in shown]
        y = list(range(len(shown)))
        ax.barh(y, rates, color=[RED if r >= 0.5 else BLUE for r in rates])
        ax.set_yticks(y, labels, fontsize=7.5)
        ax.invert_yaxis()
        ax.set_xlim(0, 1.18)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
        for yi, c in zip(y, shown):
            ax.text((c.rate or 0.0) + 0.01, yi, f"{c.rate:.0%} ({c.failed}/{c.attempted})", va="center", fontsize=7)
        ax.set_xlabel("failure rate among the students who attempted the check")
        return to_svg(fig, name="checks", title="checks ordered by failure rate")


def topic_heatmap(
    *,
    topics: Sequence[str],
    assignments: Sequence[str],
    rates: dict[tuple[str, str], tuple[int, int]],
    png: Path | None = None,
) -> str:
    """Failure rate per (topic, assignment) cell; grey where the assignment has no check of the topic.

    With ``png``, the chart is written there as a small PNG instead (the README's picture) and "" returned.
    """
    import numpy as np

    grid = np.full((max(len(topics), 1), max(len(assignments), 1)), np.nan)
    for i, topic in enumerate(topics):
        for j, a in enumerate(assignments):
            failed, attempted = rates.get((topic, a), (0, 0))
            if attempted:
                grid[i, j] = failed / attempted
    with _figure(2.6 + 0.62 * len(assignments), 0.9 + 0.34 * max(len(topics), 1)) as (fig, ax):
        mpl = require("matplotlib")
        cmap = mpl.colormaps["YlOrRd"].with_extremes(bad="#eeeeee")
        edges_x, edges_y = np.arange(grid.shape[1] + 1) - 0.5, np.arange(grid.shape[0] + 1) - 0.5
        image = ax.pcolormesh(edges_x, edges_y, np.ma.masked_invalid(grid), cmap=cmap, vmin=0, vmax=1,
                              edgecolors="white", linewidth=0.5)  # vector cells (imshow would embed a PNG)
        ax.invert_yaxis()
        ax.set_xticks(range(len(assignments)), [short(a) for a in assignments])
        ax.set_yticks(range(len(topics)), list(topics))
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        for (i, j), value in np.ndenumerate(grid):
            if not np.isnan(value):
                ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=7,
                        color="white" if value > 0.6 else "black")
        bar = fig.colorbar(image, ax=ax, shrink=0.8, label="failure rate", format=lambda v, _: f"{v:.0%}")
        bar.solids.set_rasterized(False)  # matplotlib rasterizes long colour bars: keep the page pure vector
        if png is not None:
            fig.savefig(png, format="png", dpi=PNG_DPI, metadata={"Software": None})
            return ""
        return to_svg(fig, name="topics", title="failure rate by topic and assignment")


def similarity_histograms(*, similarities: Sequence[tuple[str, Sequence[float]]], threshold: float) -> str:
    """Per assignment, how the pairs' similarities spread over 0..1 (log counts), the flag threshold marked."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    cols = min(5, max(len(similarities), 1))
    rows = max(math.ceil(len(similarities) / cols), 1)
    with _figure(1.6 * cols + 0.4, 1.5 * rows + 0.3, nrows=rows, ncols=cols, squeeze=False) as (fig, axes):
        flat = [ax for row in axes for ax in row]
        for ax, (assignment, values) in zip(flat, similarities):
            ax.hist(values, bins=[i / 20 for i in range(21)], color=BLUE, edgecolor="white", log=True)
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))  # not mathtext: 1, 10, 100
            ax.yaxis.set_minor_formatter(NullFormatter())
            ax.axvline(threshold, color=RED, linewidth=1, linestyle="--")
            ax.set_xlim(0, 1)
            ax.set_title(f"{short(assignment)}: {len(values)} pairs", fontsize=8)
            ax.tick_params(labelsize=7)
        for ax in flat[len(similarities) :]:
            ax.set_visible(False)
        fig.supxlabel(f"similarity of a pair (red: the flag threshold {threshold:g})", fontsize=8)
        return to_svg(fig, name="similarity", title="distribution of the pairs' similarities")


def diagnosis_counts(*, counts: Sequence[tuple[str, int]]) -> str:
    """The most frequent diagnoses of failing checks, most frequent on top."""
    with _figure(7.5, 0.3 * max(len(counts), 3) + 0.8) as (fig, ax):
        if not counts:
            ax.text(0.5, 0.5, "no check failed", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            return to_svg(fig, name="diagnoses", title="most frequent diagnoses")
        y = list(range(len(counts)))
        ax.barh(y, [n for _, n in counts], color=BLUE)
        ax.set_yticks(y, [clip(text, 60) for text, _ in counts], fontsize=7.5)
        ax.invert_yaxis()
        for yi, (_, n) in zip(y, counts):
            ax.text(n, yi, f" {n}", va="center", fontsize=7)
        ax.set_xlabel("failing checks with this diagnosis")
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        return to_svg(fig, name="diagnoses", title="most frequent diagnoses")

"""The README's picture of the class report: its concept x assignment heat map, as a small PNG.

Usage:
    python tools/report_picture.py [GRADED_DIR] [--out docs/report.png] [--students 30] [--jobs 2]

Draws the chart of ``python -m graders report`` for GRADED_DIR (what ``grade`` wrote). Without
GRADED_DIR it first builds a synthetic class of random hand-ins from the kit's own variants
(tests/synthetic.py: the reference, mutants, alternatives, skeletons, missing files), records goldens
and grades it with the official grader, in a temporary folder.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graders.engine.report.charts import topic_heatmap  # noqa: E402
from graders.engine.report.graded import read_graded  # noqa: E402
from graders.engine.report.stats import class_stats  # noqa: E402


def grade_synthetic(work: Path, *, students: int, jobs: int) -> Path:
    from graders.engine.grading.goldens import record
    from tests.synthetic import random_class

    random_class(work / "submissions", students=students, seed=2, copies=0)
    record(work / "goldens.pt", seed=77)
    command = [sys.executable, "-m", "graders", "grade", str(work / "submissions"), "--out", str(work / "graded"),
               "--goldens", str(work / "goldens.pt"), "--jobs", str(jobs)]
    subprocess.run(command, cwd=ROOT, check=True)
    return work / "graded"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("graded", type=Path, nargs="?", metavar="GRADED_DIR")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report.png")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kitpicture-") as tmp:
        graded = args.graded or grade_synthetic(Path(tmp), students=args.students, jobs=args.jobs)
        stats = class_stats(read_graded(graded))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        topic_heatmap(topics=stats.topics, assignments=stats.assignments, rates=stats.topic_rates, png=args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB) from {stats.students} students")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark official grading: 20 copies of a correct submission, --jobs 1 vs --jobs 2,
and the per-submission cost against self-checking the same submission.

Usage:
    python tools/benchmark_official.py [--copies 20] [--impl reference]

Prints median wall times (runs alternate between --jobs 1 and 2), the speed-up of --jobs 2 (the median of
each back-to-back pair's ratio, robust to the machine slowing down or speeding up between pairs), and
per-submission seconds next to the self-check time (`pytest graders/ --impl SUB --goldens G`, the same
goldens). Not a test.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--impl", default=str(ROOT / "reference"))
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each --jobs value, alternating; medians are reported"
    )
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        goldens = root / "goldens.pt"
        subprocess.run(
            [py, "-m", "graders", "record", "--out", str(goldens)], cwd=ROOT, check=True, capture_output=True
        )
        subs = root / "subs"
        for i in range(args.copies):
            shutil.copytree(args.impl, subs / f"student{i:03d}", ignore=shutil.ignore_patterns("__pycache__"))
        self_check = min(
            timed(
                [
                    py,
                    "-m",
                    "pytest",
                    "graders",
                    "--impl",
                    str(subs / "student000"),
                    "--goldens",
                    str(goldens),
                    "-q",
                    "-p",
                    "no:cacheprovider",
                ]
            )
            for _ in range(3)
        )
        runs: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.repeat):
            for jobs in (1, 2):
                out = root / f"out{jobs}"
                runs[jobs].append(
                    timed(
                        [
                            py,
                            "-m",
                            "graders",
                            "grade",
                            str(subs),
                            "--out",
                            str(out),
                            "--jobs",
                            str(jobs),
                            "--goldens",
                            str(goldens),
                            "--force",
                        ]
                    )
                )
        times = {jobs: statistics.median(ts) for jobs, ts in runs.items()}
        print("runs:", {jobs: [round(t, 1) for t in ts] for jobs, ts in runs.items()})
        pairs = [a / b for a, b in zip(runs[1], runs[2])]
        print("ratio of each pair:", [round(r, 2) for r in pairs])
    per = {j: t / args.copies for j, t in times.items()}
    print(f"self-check of one submission (best of 3): {self_check:.2f} s")
    for jobs, total in times.items():
        print(
            f"grade {args.copies} submissions --jobs {jobs}: median {total:.1f} s  ({per[jobs]:.2f} s per submission, "
            f"{per[jobs] / self_check:.2f}x self-check)"
        )
    # Each pair ran back to back, so its ratio is free of the machine's drift between pairs.
    print(
        f"--jobs 2 is {statistics.median(pairs):.2f}x faster than --jobs 1 (median of the pairs' ratios; "
        f"ratio of the medians {times[1] / times[2]:.2f}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: self-check grading of the reference against the floor of importing torch and pytest.

Usage:
    python tools/benchmark.py [--runs 5] [-m "a01 or a02 or a03 or a04 or quiz"]

Prints the median wall time of the floor (`python -c "import torch, pytest"`) and
of `python -m pytest graders/ --impl reference`, their ratio, and the peak RSS of
the grading process. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {code}: {proc.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("-m", dest="markers", default=None, help="pytest -m expression (default: every assignment)")
    parser.add_argument("--impl", default="reference")
    args = parser.parse_args()
    floor_cmd = [sys.executable, "-c", "import torch, pytest"]
    grade_cmd = [sys.executable, "-m", "pytest", "graders/", "--impl", args.impl, "-q", "-p", "no:cacheprovider"]
    if args.markers:
        grade_cmd += ["-m", args.markers]
    run(floor_cmd)  # warm the page cache once
    floors, grades, rss = [], [], []
    for _ in range(args.runs):
        floors.append(run(floor_cmd)[0])
        seconds, peak = run(grade_cmd)
        grades.append(seconds)
        rss.append(peak)
    floor, grade = statistics.median(floors), statistics.median(grades)
    print(f"floor  (import torch, pytest): median {floor:.2f} s over {args.runs} runs")
    print(f"grade  ({' '.join(grade_cmd[2:])}): median {grade:.2f} s")
    print(f"ratio  {grade / floor:.2f}x the floor")
    print(f"peak RSS of grading: {max(rss) / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

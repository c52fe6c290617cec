"""Benchmark: self-check grading against the floor of importing torch and pytest, and the watch loop.

Usage:
    python tools/benchmark.py [--runs 5] [-m "a01 or a02 or a03 or a04 or quiz"]
    python tools/benchmark.py --watch [--saves 10]

The first form prints the median wall time of the floor (`python -c "import torch,
pytest"`) and of `python -m pytest graders/ --impl reference`, their ratio, and the
peak RSS of the grading process. With ``--watch`` it starts `python -m graders watch`
on a copy of the reference, saves a01_modules.py and then a08_parallel.py (real
DataLoader workers) ``--saves`` times each, and prints the median time from a save
to the feedback being printed, side by side with a cold `pytest graders/ -m a01` on
the same files. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
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
    parser.add_argument("--watch", action="store_true", help="measure save-to-feedback of python -m graders watch")
    parser.add_argument("--saves", type=int, default=10, help="saves per assignment with --watch")
    args = parser.parse_args()
    if args.watch:
        return benchmark_watch(args.saves, args.runs)
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


class WatchedOutput(threading.Thread):
    """Counts the screens a watch process prints, with the time each one ends."""

    def __init__(self, stream) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.screens: list[float] = []
        self.cond = threading.Condition()

    def run(self) -> None:
        for line in self.stream:
            if line.startswith("watching "):  # each screen starts so, and is written at once
                with self.cond:
                    self.screens.append(time.perf_counter())
                    self.cond.notify_all()

    def wait_beyond(self, count: int, timeout: float = 60.0) -> float:
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.screens) > count, timeout):
                raise SystemExit("watch printed no feedback in time")
            return self.screens[count]


def benchmark_watch(saves: int, cold_runs: int) -> int:
    with tempfile.TemporaryDirectory(prefix="kit-watch-bench-") as tmp:
        impl = Path(tmp) / "impl"
        shutil.copytree(ROOT / "reference", impl, ignore=shutil.ignore_patterns("__pycache__"))
        env = {**os.environ, "GRADERS_HINT_STATE": str(Path(tmp) / "hints.json")}
        proc = subprocess.Popen([sys.executable, "-m", "graders", "watch", "a01", "--impl", str(impl)], cwd=ROOT,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True, env=env)
        out = WatchedOutput(proc.stdout)
        out.start()
        out.wait_beyond(0, timeout=120)  # the first screen: every assignment graded
        medians = {name: _save_latencies(impl / f"{name}.py", out, saves) for name in ("a01_modules", "a08_parallel")}
        proc.terminate()
        proc.wait(timeout=10)
        cold_cmd = [sys.executable, "-m", "pytest", "graders/", "--impl", str(impl), "-m", "a01", "-q", "-p",
                    "no:cacheprovider"]
        run(cold_cmd)
        cold = statistics.median(run(cold_cmd)[0] for _ in range(cold_runs))
    for name, seconds in medians.items():
        print(f"watch  save {name} -> feedback: median {seconds:.2f} s over {saves} saves")
    print(f"cold   pytest graders/ -m a01: median {cold:.2f} s over {cold_runs} runs")
    print(f"watch is {cold / medians['a01_modules']:.1f}x faster than the cold run for a01")
    return 0


def _save_latencies(path: Path, out: WatchedOutput, saves: int) -> float:
    text = path.read_text(encoding="utf-8")
    latencies = []
    for i in range(saves):
        seen = len(out.screens)
        start = time.perf_counter()
        path.write_text(text + f"\n# save {i}\n", encoding="utf-8")
        latencies.append(out.wait_beyond(seen) - start)
        time.sleep(0.3)
    return statistics.median(latencies)


if __name__ == "__main__":
    sys.exit(main())

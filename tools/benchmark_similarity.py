"""How long ``python -m graders similarity`` takes on a large synthetic class (300 students by default).

Usage:
    python tools/benchmark_similarity.py [--students 300] [--jobs N] [--copies 20] [--keep DIR]

``--keep DIR`` keeps the class (and times the same class again on the next run with that DIR).

Builds a class of random hand-ins from the kit's own variants (tests/synthetic.py: the reference, a mutant
or an alternative per assignment, local variables renamed, some notebooks, some skeletons and missing files,
``--copies`` disguised copies), then times the command as an instructor runs it and reports the pairs
compared and the similarity of the copies planted. Every hand-in derives from the reference, so nearly
every pair shares code (many are flagged besides the planted copies): the slowest kind of class for the
comparison of fingerprints. Not a test.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graders.engine.report.similarity import available_cpus  # noqa: E402
from tests.synthetic import ASSIGNMENTS, CODE_ASSIGNMENTS, random_class  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=available_cpus())
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument(
        "--keep", type=Path, help="build the class here and keep it, or reuse the one there (default: a temp folder)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kitsimilarity-") as tmp:
        work = args.keep or Path(tmp)
        subs = work / "submissions"
        planted = work / "copies.json"
        if planted.is_file():  # --keep DIR of an earlier run: time the same class again
            copies = [tuple(c) for c in json.loads(planted.read_text())]
            print(f"reusing the class in {subs}")
        else:
            start = time.perf_counter()
            copies = random_class(subs, students=args.students, seed=1, copies=args.copies)
            planted.write_text(json.dumps(copies))
            print(f"built {args.students} students, {sum(1 for _ in subs.glob('*/*'))} files ({len(ASSIGNMENTS)} "
                  f"assignments each at most) in {time.perf_counter() - start:.0f} s")
        out = work / "similarity.html"
        command = [sys.executable, "-m", "graders", "similarity", str(subs), "--out", str(out), "--jobs",
                   str(args.jobs)]
        print("$", " ".join(command[1:]))
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        took = time.perf_counter() - start
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            return done.returncode
        print(done.stdout.strip())
        rows = list(csv.DictReader(out.with_name("similarity-pairs.csv").open(encoding="utf-8")))
        similarity = {(r["assignment"], frozenset((r["student"], r["other_student"]))): float(r["similarity"])
                      for r in rows}
        found = [similarity.get((assignment, frozenset((a, b))), 0.0) for assignment, a, b in copies]
        print(f"{len(CODE_ASSIGNMENTS)} assignments compared (the quiz is not), {args.jobs} jobs: {took:.1f} s "
              f"({took / 60:.1f} min); report {out.stat().st_size / 2**20:.1f} MiB, CSV {len(rows)} pairs")
        print(f"planted copies: {sum(s >= 0.8 for s in found)} of {len(found)} flagged, similarity "
              f"{min(found, default=0):.2f} to {max(found, default=0):.2f} (many other pairs are alike too: "
              "every hand-in derives from the reference)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

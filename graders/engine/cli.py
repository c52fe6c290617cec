"""``python -m graders``: instructor commands, thin wrappers over engine functions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from .layout import ASSIGNMENTS, ASSIGNMENTS_DIR, DEFAULT_SEED, NOTEBOOKS_DIR, REFERENCE_DIR

# Each command imports what it needs when it runs: `grade` starts its workers
# before the parent pays for importing torch.


def _record(args: argparse.Namespace) -> int:
    from .goldens import record, save
    from .judging import GraderBug
    from .runner import all_checks, configure_torch

    configure_torch()
    names = args.assignment or list(ASSIGNMENTS)
    unknown = sorted(set(names) - set(ASSIGNMENTS))
    if unknown:
        print(f"error: unknown assignment(s) {unknown}; choose from {list(ASSIGNMENTS)}", file=sys.stderr)
        return 2
    checks = all_checks(names)
    try:
        data = record(checks, Path(args.reference), args.seed)
    except GraderBug as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    save(data, Path(args.out))
    print(f"recorded {len(checks)} observations (seed {args.seed}) to {args.out}")
    return 0


def _notebooks(args: argparse.Namespace) -> int:
    from .student_notebooks import write_notebooks  # nbformat is only needed here

    names = args.assignment or list(ASSIGNMENTS)
    unknown = sorted(set(names) - set(ASSIGNMENTS))
    if unknown:
        print(f"error: unknown assignment(s) {unknown}; choose from {list(ASSIGNMENTS)}", file=sys.stderr)
        return 2
    try:
        written = write_notebooks(Path(args.skeletons), Path(args.out), names)
    except (FileNotFoundError, SyntaxError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


def _grade(args: argparse.Namespace) -> int:
    from .workers import Zygote

    zygotes = [Zygote(0)]  # it imports torch while we do; clones for more jobs follow once it is ready
    try:
        from .official import run

        return run(args, zygotes)
    finally:
        for zygote in zygotes:
            zygote.close()


def _release(args: argparse.Namespace) -> int:
    from .judging import GraderBug
    from .release import ReleaseError, build_release

    try:
        written = build_release(Path(args.out_dir))
    except (ReleaseError, GraderBug) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote a student release of {len(written)} files to {args.out_dir} (goldens recorded with the public seed {DEFAULT_SEED})")
    return 0


def _gradescope(args: argparse.Namespace) -> int:
    from .gradescope import build_bundle
    from .judging import GraderBug

    try:
        bundle = build_bundle(Path(args.out), Path(args.goldens) if args.goldens else None, args.seed)
    except (FileNotFoundError, ValueError, GraderBug) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    how = "recorded" if bundle.recorded else f"copied from {args.goldens},"
    print(f"wrote the Gradescope autograder bundle {bundle.path} ({len(bundle.files)} files; goldens {how} seed {bundle.seed})")
    if bundle.seed == DEFAULT_SEED:
        print(f"warning: seed {DEFAULT_SEED} is the public one: students' releases hold goldens for it. Use a secret seed for official grading.")
    elif bundle.recorded:
        print(f"keep the seed {bundle.seed} secret (note it privately to re-record the same goldens); students never see it")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m graders", description="Instructor commands of the PyTorch assignment kit.")
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="record the reference's observations (goldens) for judging without reference/")
    rec.add_argument("--out", default="goldens.pt", help="file to write (default: goldens.pt)")
    rec.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed of the probes' inputs (default {DEFAULT_SEED}); keep a secret one for official grading")
    rec.add_argument("--reference", default=str(REFERENCE_DIR), help="reference implementation directory")
    rec.add_argument("--assignment", action="append", help="record only this assignment (repeatable), e.g. a01_modules")
    rec.set_defaults(run=_record)
    nb = sub.add_parser("notebooks", help="write one student notebook (.ipynb) per assignment from the skeletons")
    nb.add_argument("--out", default=str(NOTEBOOKS_DIR), help=f"folder to write into (default: {NOTEBOOKS_DIR.name}/ at the kit's root)")
    nb.add_argument("--skeletons", default=str(ASSIGNMENTS_DIR), help="folder of the assignment files to convert (default: assignments/)")
    nb.add_argument("--assignment", action="append", help="write only this assignment's notebook (repeatable), e.g. a01_modules")
    nb.set_defaults(run=_notebooks)
    gr = sub.add_parser("grade", help="grade a folder of submissions (one sub-folder per student) in sandboxed children")
    gr.add_argument("submissions", metavar="SUBMISSIONS_DIR", help="one sub-directory per student, named by the student id")
    gr.add_argument("--out", required=True, metavar="OUT_DIR", help="where <student>/results.json, <student>/feedback.md and gradebook.csv go")
    gr.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel (default 1)")
    gr.add_argument("--timeout", type=float, default=30.0, help="wall-clock seconds per check, and for importing a file (default 30; longer checks keep their own limit)")
    gr.add_argument("--goldens", help="recorded goldens (python -m graders record); default: record from reference/ now")
    gr.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed when recording now (keep a secret one for official grading)")
    gr.add_argument("--force", action="store_true", help="grade again students that already have results")
    gr.set_defaults(run=_grade)
    rel = sub.add_parser("release", help="write a student repository: skeletons, notebooks, data, graders with goldens, CI; no solutions")
    rel.add_argument("out_dir", metavar="OUT_DIR", help="a new or empty directory")
    rel.set_defaults(run=_release)
    gs = sub.add_parser("gradescope", help="write a Gradescope autograder bundle (.zip) that grades with the sandboxed official grader")
    gs.add_argument("out", metavar="OUT.zip", help="the zip file to write")
    source = gs.add_mutually_exclusive_group()
    source.add_argument("--goldens", help="recorded goldens to ship (python -m graders record --seed SECRET)")
    source.add_argument("--seed", type=int, help="record the goldens now with this secret seed (default: a fresh random one, printed)")
    gs.set_defaults(run=_gradescope)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))

"""``python -m graders``: the instructor commands, thin wrappers over typed engine functions.

The parser validates every argument; each command calls one engine function
with keyword parameters. Engine errors meant for the instructor arrive as
:class:`~.errors.InstructorError` and are printed here, and only here. Each
command imports what it needs when it runs: ``grade`` starts its workers
before the parent pays for importing torch.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import EXIT_OK, InstructorError
from .layout import ASSIGNMENTS, ASSIGNMENTS_DIR, DEFAULT_SEED, KIT_ROOT, NOTEBOOKS_DIR, REFERENCE_DIR


def assignment_name(value: str) -> str:
    if value not in ASSIGNMENTS:
        raise argparse.ArgumentTypeError(f"should be one of {', '.join(ASSIGNMENTS)}, but got {value!r}")
    return value


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"should be at least 1, but got {value}")
    return number


def positive_float(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise argparse.ArgumentTypeError(f"should be more than 0, but got {value}")
    return number


def hint_level(value: str) -> int:
    number = int(value)
    if not 0 <= number <= 3:
        raise argparse.ArgumentTypeError(f"should be between 0 and 3, but got {value}")
    return number


def existing_dir(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"should be an existing directory, but got {value}")
    return path


def assignment_list(value: str) -> tuple[str, ...]:
    """``a01,a02`` or full names, comma-separated: those assignments, in the kit's order."""
    chosen: set[str] = set()
    for item in (part.strip() for part in value.split(",")):
        names = [a for a in ASSIGNMENTS if item in (a, a.split("_", 1)[0])]
        if not names:
            raise argparse.ArgumentTypeError(
                f"should be assignments separated by commas (e.g. a01,a02 or a01_modules), but got {item!r}, which "
                f"is none of {', '.join(ASSIGNMENTS)}"
            )
        chosen.update(names)
    return tuple(a for a in ASSIGNMENTS if a in chosen)


def fraction(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(f"should be between 0 and 1, but got {value}")
    return number


def _add_assignments(parser: argparse.ArgumentParser, verb: str) -> None:
    parser.add_argument(
        "--assignments",
        type=assignment_list,
        metavar="a01,a02,...",
        help=f"{verb} only these assignments (a homework), e.g. a01,a02,a03,a04 (default: all)",
    )


def _record(args: argparse.Namespace) -> int:
    from .grading.goldens import record

    chosen = args.assignments or args.assignment or ASSIGNMENTS
    count = record(args.out, seed=args.seed, reference_dir=args.reference, assignments=chosen)
    print(f"recorded {count} observations (seed {args.seed}) to {args.out}")
    return EXIT_OK


def _notebooks(args: argparse.Namespace) -> int:
    from .publish.notebook_export import write_notebooks  # nbformat is only needed here

    for path in write_notebooks(args.skeletons, args.out, args.assignment or ASSIGNMENTS):
        print(f"wrote {path}")
    return EXIT_OK


def _grade(args: argparse.Namespace) -> int:
    from .official.zygote_client import Zygote

    zygotes = [Zygote(0)]  # it imports torch while we do; clones for more jobs follow once it is ready
    try:
        from .official.classroom import grade_submissions

        graded = grade_submissions(
            submissions=args.submissions,
            out=args.out,
            goldens=args.goldens,
            seed=args.seed,
            jobs=args.jobs,
            timeout=args.timeout,
            force=args.force,
            hint_level=args.hint_level,
            zygotes=zygotes,
            assignments=args.assignments or ASSIGNMENTS,
        )
    finally:
        for zygote in zygotes:
            zygote.close()
    print(
        f"graded {len(graded)} submissions into {args.out} (gradebook: {args.out / 'gradebook.csv'})", file=sys.stderr
    )
    return EXIT_OK


def _release(args: argparse.Namespace) -> int:
    from .publish.release import build_release

    written = build_release(args.out_dir)
    print(
        f"wrote a student release of {len(written)} files to {args.out_dir} "
        f"(goldens recorded with the public seed {DEFAULT_SEED})"
    )
    return EXIT_OK


def _gradescope(args: argparse.Namespace) -> int:
    from .publish.gradescope import build_bundle

    bundle = build_bundle(args.out, args.goldens, args.seed, assignments=args.assignments or ASSIGNMENTS)
    how = "recorded" if bundle.recorded else f"copied from {args.goldens},"
    print(
        f"wrote the Gradescope autograder bundle {bundle.path} ({len(bundle.files)} files; goldens {how} seed "
        f"{bundle.seed}; grades {', '.join(bundle.assignments)})"
    )
    if bundle.seed == DEFAULT_SEED:
        print(
            f"warning: seed {DEFAULT_SEED} is the public one: students' releases hold goldens for it. "
            "Use a secret seed for official grading."
        )
    elif bundle.recorded:
        print(
            f"keep the seed {bundle.seed} secret (note it privately to re-record the same goldens); students never "
            "see it"
        )
    return EXIT_OK


def implementation_dir(value: str) -> Path:
    """A folder of assignment files: as given, else relative to the kit's root (``notebooks``)."""
    path = Path(value)
    if not path.is_dir() and (KIT_ROOT / value).is_dir():
        path = KIT_ROOT / value
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"should be a folder of assignment files, but got {value}")
    return path


def _watch(args: argparse.Namespace) -> int:
    from .learner.ask import resolve_assignment
    from .learner.watch import watch

    return watch(resolve_assignment(args.assignment), args.impl)


def _progress(args: argparse.Namespace) -> int:
    from .checks import all_checks
    from .learner.forked import grade_forked
    from .learner.hints import HintPolicy
    from .learner.progress import progress_table, standing

    checks = all_checks()
    graded = sorted({c.assignment for c in checks}, key=ASSIGNMENTS.index)
    outcomes = grade_forked(graded, args.impl, HintPolicy(fixed=0))
    print("\n".join(progress_table([standing(a, checks, outcomes) for a in graded])))
    return EXIT_OK


def _add_watch(sub: argparse._SubParsersAction) -> None:
    watch = sub.add_parser("watch", help="students: re-grade on every save and show where you stand (keys: h a n q)")
    watch.add_argument("assignment", metavar="aNN", nargs="?", default="a01", help="the assignment to show first")
    watch.add_argument(
        "--impl",
        type=implementation_dir,
        default=ASSIGNMENTS_DIR,
        help="the folder to watch (default: assignments/; 'notebooks' for .ipynb files)",
    )
    watch.set_defaults(run=_watch)


def _add_progress(sub: argparse._SubParsersAction) -> None:
    progress = sub.add_parser("progress", help="students: every assignment's points, tasks done and the next task")
    progress.add_argument(
        "--impl", type=implementation_dir, default=ASSIGNMENTS_DIR, help="the folder to grade (default: assignments/)"
    )
    progress.set_defaults(run=_progress)


def _hint(args: argparse.Namespace) -> int:
    from .learner.ask import next_hint

    print(next_hint(args.assignment, args.check))
    return EXIT_OK


def _add_hint(sub: argparse._SubParsersAction) -> None:
    hint = sub.add_parser("hint", help="students: show the next hint level of a failing check of assignments/")
    hint.add_argument("assignment", metavar="aNN", help="the assignment, e.g. a01 or a01_modules")
    hint.add_argument("check", metavar="CHECK", nargs="?", help="a check's name (default: the first failing one)")
    hint.set_defaults(run=_hint)


def _add_record(sub: argparse._SubParsersAction) -> None:
    rec = sub.add_parser("record", help="record the reference's observations (goldens) for judging without reference/")
    rec.add_argument("--out", type=Path, default=Path("goldens.pt"), help="file to write (default: goldens.pt)")
    rec.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"seed of the probes' inputs (default {DEFAULT_SEED}); keep a secret one for official grading",
    )
    rec.add_argument("--reference", type=existing_dir, default=REFERENCE_DIR, help="reference implementation directory")
    rec.add_argument(
        "--assignment",
        type=assignment_name,
        action="append",
        help="record only this assignment (repeatable), e.g. a01_modules",
    )
    _add_assignments(rec, "record")
    rec.set_defaults(run=_record)


def _add_notebooks(sub: argparse._SubParsersAction) -> None:
    nb = sub.add_parser("notebooks", help="write one student notebook (.ipynb) per assignment from the skeletons")
    nb.add_argument(
        "--out",
        type=Path,
        default=NOTEBOOKS_DIR,
        help=f"folder to write into (default: {NOTEBOOKS_DIR.name}/ at the kit's root)",
    )
    nb.add_argument(
        "--skeletons",
        type=existing_dir,
        default=ASSIGNMENTS_DIR,
        help="folder of the assignment files to convert (default: assignments/)",
    )
    nb.add_argument(
        "--assignment",
        type=assignment_name,
        action="append",
        help="write only this assignment's notebook (repeatable), e.g. a01_modules",
    )
    nb.set_defaults(run=_notebooks)


def _add_grade(sub: argparse._SubParsersAction) -> None:
    gr = sub.add_parser(
        "grade", help="grade a folder of submissions (one sub-folder per student) in sandboxed children"
    )
    gr.add_argument(
        "submissions",
        type=existing_dir,
        metavar="SUBMISSIONS_DIR",
        help="one sub-directory per student, named by the student id",
    )
    gr.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="OUT_DIR",
        help="where <student>/results.json, <student>/feedback.md and gradebook.csv go",
    )
    gr.add_argument("--jobs", type=positive_int, default=1, help="submissions graded in parallel (default 1)")
    gr.add_argument(
        "--timeout",
        type=positive_float,
        default=30.0,
        help="wall-clock seconds per check, and for importing a file (default 30; longer checks keep their own limit)",
    )
    gr.add_argument(
        "--goldens", type=Path, help="recorded goldens (python -m graders record); default: record from reference/ now"
    )
    gr.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help="seed when recording now (keep a secret one for official grading)",
    )
    gr.add_argument("--force", action="store_true", help="grade again students that already have results")
    gr.add_argument(
        "--hint-level",
        type=hint_level,
        default=1,
        help="hint level written to feedback.md for each failing check, 0 (none) to 3 (default 1)",
    )
    _add_assignments(gr, "grade")
    gr.set_defaults(run=_grade)


def _add_release(sub: argparse._SubParsersAction) -> None:
    rel = sub.add_parser(
        "release", help="write a student repository: skeletons, notebooks, data, graders with goldens, CI; no solutions"
    )
    rel.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="a new or empty directory")
    rel.set_defaults(run=_release)


def _add_gradescope(sub: argparse._SubParsersAction) -> None:
    gs = sub.add_parser(
        "gradescope", help="write a Gradescope autograder bundle (.zip) that grades with the sandboxed official grader"
    )
    gs.add_argument("out", type=Path, metavar="OUT.zip", help="the zip file to write")
    source = gs.add_mutually_exclusive_group()
    source.add_argument(
        "--goldens", type=Path, help="recorded goldens to ship (python -m graders record --seed SECRET)"
    )
    source.add_argument(
        "--seed", type=int, help="record the goldens now with this secret seed (default: a fresh random one, printed)"
    )
    _add_assignments(gs, "grade")
    gs.set_defaults(run=_gradescope)


def _report(args: argparse.Namespace) -> int:
    from .report.class_report import write_class_report

    written = write_class_report(graded_dir=args.graded, out=args.out, assignments=args.assignments)
    print(f"wrote the class report {written.html} ({written.students} students) and the per-check scores {written.csv}")
    return EXIT_OK


def _add_report(sub: argparse._SubParsersAction) -> None:
    rep = sub.add_parser("report", help="a class report (one offline HTML page with charts) of what grade wrote")
    rep.add_argument("graded", type=Path, metavar="GRADED_DIR", help="the OUT_DIR of python -m graders grade")
    rep.add_argument(
        "--out",
        type=Path,
        default=Path("report.html"),
        help="the page to write (default: report.html); the per-check CSV goes beside it, NAME-checks.csv",
    )
    _add_assignments(rep, "report")
    rep.set_defaults(run=_report)


def _similarity(args: argparse.Namespace) -> int:
    from .report.similarity_page import write_similarity_report

    written = write_similarity_report(
        submissions=args.submissions,
        out=args.out,
        assignments=args.assignments,
        top=args.top,
        threshold=args.threshold,
        jobs=args.jobs,
    )
    print(
        f"compared {written.pairs} pairs of hand-ins of {written.students} students, {written.flagged} flagged "
        f"(similarity {written.threshold:g} or more); wrote {written.html} and {written.csv}"
    )
    return EXIT_OK


def _add_similarity(sub: argparse._SubParsersAction) -> None:
    sim = sub.add_parser(
        "similarity", help="flag similar hand-ins (copydetect; the skeleton never counts); it never changes a grade"
    )
    sim.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR", help="one folder per student, as for grade")
    sim.add_argument(
        "--out",
        type=Path,
        default=Path("similarity.html"),
        help="the page to write (default: similarity.html); every pair goes beside it, NAME-pairs.csv",
    )
    sim.add_argument("--threshold", type=fraction, help="flag pairs at least this similar, 0 to 1 (default 0.8)")
    sim.add_argument("--top", type=positive_int, help="pairs shown with their code per assignment (default 5)")
    sim.add_argument("--jobs", type=positive_int, help="assignments compared at once (default: one per CPU)")
    _add_assignments(sim, "compare")
    sim.set_defaults(run=_similarity)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m graders",
        description="Commands of the PyTorch assignment kit (students: watch, progress, hint; instructors: the rest).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (
        _add_watch,
        _add_progress,
        _add_hint,
        _add_record,
        _add_notebooks,
        _add_grade,
        _add_release,
        _add_gradescope,
        _add_report,
        _add_similarity,
    ):
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code (0 success, 2 an instructor-side error, argparse's own 2 included)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a bad argument argparse has already explained
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    try:
        return int(args.run(args))
    except InstructorError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code

"""Official grading of a class: ``python -m graders grade SUBMISSIONS_DIR --out OUT_DIR``.

The trusted parent (this module) whitelists each student's files
(:mod:`.submissions`), sends one job per (student, assignment) to the slots'
pre-imported zygotes (:mod:`.jobs`), judges the observations against golden
reference observations, and writes each student's results and feedback and
the class gradebook (:mod:`.gradebook`). Only the parent writes results. A
timeout or crash costs the check it stopped; the remaining checks run in a
fresh child.
"""

from __future__ import annotations

import gc
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from ..checks import Check, all_checks
from ..errors import GraderBug, InstructorError
from ..grading.goldens import RECORD_AGAIN, Goldens, record
from ..grading.outcomes import Outcome, block_on_prerequisites, judge
from ..grading.results import write_results_json
from ..layout import ASSIGNMENTS, KIT_ROOT, REFERENCE_DIR
from ..observations import Observed, is_deferred
from .gradebook import feedback_markdown, graded_assignments, write_gradebook
from .jobs import grade_assignment
from .sandbox import Limits
from .submissions import Submission, copy_files, student_dirs, whitelist
from .zygote_client import Zygote


@dataclass
class Options:
    submissions: Path
    out: Path
    goldens: Goldens
    jobs: int = 1
    timeout: float = 30.0
    force: bool = False
    hint_level: int = 1
    limits: Limits = field(default_factory=Limits)
    assignments: tuple[str, ...] = ASSIGNMENTS  # a homework: only these are graded and in the gradebook


class ClassGrading:
    """One grading run over a class: a pool of slots, each a zygote, pulling (student, assignment) jobs.

    The slots' threads only probe; a student's results are judged and written
    on the main thread as soon as all of that student's assignments are in,
    while the slots keep grading.
    """

    def __init__(self, opts: Options, progress: TextIO, zygotes: list[Zygote]) -> None:
        self.opts = opts
        self.progress = progress
        self.checks = all_checks(opts.assignments)
        missing = [c.id for c in self.checks if c.id not in opts.goldens.observations]
        if any(is_deferred(v) for v in opts.goldens.observations.values()):
            raise InstructorError(
                f"{opts.goldens.path} comes from a student release (the quiz is withheld); "
                "record goldens with `python -m graders record --seed SECRET`"
            )
        if missing:
            raise GraderBug(
                f"{opts.goldens.path} lacks observations for {len(missing)} checks (e.g. {missing[0]}); {RECORD_AGAIN}"
            )
        self.by_assignment: dict[str, list[Check]] = {}
        for c in self.checks:
            self.by_assignment.setdefault(c.assignment, []).append(c)
        self.dirs = student_dirs(opts.submissions)
        self.todo = [d for d in self.dirs if opts.force or not self._graded(d.name)]
        self.job_base = self._job_base()
        self.zygotes = zygotes
        self.work: queue.Queue[tuple[Submission, str]] = queue.Queue()
        self.finished: queue.Queue[Submission] = queue.Queue()
        self.pending = {d.name: len(self.by_assignment) for d in self.todo}
        self.collected: dict[str, dict[str, Observed]] = {d.name: {} for d in self.todo}
        self.files: dict[str, Path] = {}
        self.graded: dict[str, list[Outcome]] = {}
        self.logs: list[str] = []
        self.errors: list[BaseException] = []
        self.lock = threading.Lock()
        self.workdir: Path | None = None
        self.start = time.monotonic()

    def _graded(self, student: str) -> bool:
        """Whether the student has results of exactly this run's assignments (else they are graded again)."""
        return graded_assignments(self.opts.out / student / "results.json") == set(self.by_assignment)

    def _job_base(self) -> dict:
        opts = self.opts
        hidden = [
            REFERENCE_DIR,
            KIT_ROOT / "tests",
            KIT_ROOT / ".git",
            opts.goldens.path.resolve(),
            opts.out.resolve(),
            opts.submissions.resolve(),
        ]
        return {
            "jobs": opts.jobs,
            "seed": opts.goldens.seed,
            "hidden": [str(p) for p in hidden],
            "kit_root": str(KIT_ROOT),
            "limits": opts.limits.__dict__,
        }

    def run(self) -> dict[str, list[Outcome]]:
        """Grade every student still to do; returns the outcomes of those graded now."""
        self.opts.out.mkdir(parents=True, exist_ok=True)
        for d in self.todo:
            sub = whitelist(d)
            for assignment in self.by_assignment:
                self.work.put((sub, assignment))
        with tempfile.TemporaryDirectory(prefix="kitgrade-") as tmp:
            self.workdir = Path(tmp)
            os.chmod(self.workdir, 0o700)
            threads = [threading.Thread(target=self._slot, args=(z,)) for z in self.zygotes]
            for t in threads:
                t.start()
            self._judge_as_they_finish(threads)
            for t in threads:
                t.join()
        if self.errors:
            raise self.errors[0]
        write_gradebook(self.opts.out, [d.name for d in self.dirs], list(self.by_assignment))
        if self.logs:
            self.progress.write(f"sandbox: not in force: {sorted(set(self.logs))[0]}\n")
        return self.graded

    def _judge_as_they_finish(self, threads: list[threading.Thread]) -> None:
        while any(t.is_alive() for t in threads) or not self.finished.empty():
            try:
                sub = self.finished.get(timeout=0.05)
            except queue.Empty:
                continue
            try:
                self._finish(sub)
            except BaseException as exc:
                self.errors.append(exc)
                return

    def _slot(self, zygote: Zygote) -> None:
        """A slot's thread: take jobs until none is left (or another slot failed)."""
        while not self.errors:
            try:
                sub, assignment = self.work.get_nowait()
            except queue.Empty:
                return
            try:
                checks = self.by_assignment[assignment]
                observed, log = grade_assignment(
                    zygote, sub, assignment, checks, self.job_base, self.opts.timeout, self._files_of(sub)
                )
            except BaseException as exc:  # a grader-side failure must stop the run loudly
                self.errors.append(exc)
                return
            self._collect(sub, observed, log)

    def _files_of(self, sub: Submission) -> Path:
        """The student's whitelisted files, copied once for all their jobs."""
        with self.lock:
            if sub.student not in self.files:
                self.files[sub.student] = Path(tempfile.mkdtemp(dir=self.workdir)) / "files"
                copy_files(sub, self.files[sub.student])
            return self.files[sub.student]

    def _collect(self, sub: Submission, observed: dict[str, Observed], log: str) -> None:
        with self.lock:
            self.collected[sub.student].update(observed)
            if log:
                self.logs.append(log)
            self.pending[sub.student] -= 1
            if self.pending[sub.student] == 0:
                self.finished.put(sub)

    def _finish(self, sub: Submission) -> None:
        """Judge and write one student's results (main thread, while the slots keep grading)."""
        goldens, observed = self.opts.goldens, self.collected[sub.student]
        graded: dict[str, Outcome] = {}
        for c in self.checks:
            outcome = judge(c, observed[c.id], goldens.get(c), hint_level=self.opts.hint_level)
            graded[c.id] = block_on_prerequisites(outcome, c, graded)
        outcomes = list(graded.values())
        dest = self.opts.out / sub.student
        dest.mkdir(parents=True, exist_ok=True)
        write_results_json(outcomes, dest / "results.json")
        (dest / "feedback.md").write_text(feedback_markdown(sub.student, outcomes, sub.notes), encoding="utf-8")
        shutil.rmtree(self.files.pop(sub.student), ignore_errors=True)
        self.graded[sub.student] = outcomes
        done, total = len(self.graded), len(self.todo)
        elapsed = time.monotonic() - self.start
        eta = elapsed / done * (total - done)
        self.progress.write(f"graded {done}/{total}  elapsed {elapsed:.0f} s  ETA {eta:.0f} s  ({sub.student})\n")
        self.progress.flush()


def grade_class(
    opts: Options, progress: TextIO = sys.stderr, zygotes: list[Zygote] | None = None
) -> dict[str, list[Outcome]]:
    """Grade every student folder of ``opts.submissions``; returns the outcomes of those graded now.

    ``zygotes``, when given, were started by the caller (and are closed by it);
    extra slots up to ``opts.jobs`` are clones of the first, closed here.
    """
    own = zygotes is None
    pool = zygotes or [Zygote(0)]
    added = [pool[0].clone(slot) for slot in range(len(pool), opts.jobs)]
    try:
        return ClassGrading(opts, progress, [*pool, *added]).run()
    finally:
        for z in (pool + added) if own else added:
            z.close()


def grade_submissions(
    *,
    submissions: Path,
    out: Path,
    goldens: Path | None,
    seed: int,
    jobs: int = 1,
    timeout: float = 30.0,
    force: bool = False,
    hint_level: int = 1,
    zygotes: list[Zygote] | None = None,
    progress: TextIO = sys.stderr,
    assignments: Sequence[str] = ASSIGNMENTS,
) -> dict[str, list[Outcome]]:
    """``python -m graders grade``: judge against ``goldens``, or against goldens recorded now with ``seed``.

    Only ``assignments`` are graded (a homework): results, feedback and the gradebook hold them alone,
    and the goldens need only their checks.

    Raises:
        InstructorError: ``submissions`` is not a folder, the goldens do not
            belong to this kit, or the reference fails a check.
    """
    if not submissions.is_dir():
        raise InstructorError(
            f"SUBMISSIONS_DIR should be a directory with one folder per student, but got {submissions}"
        )
    with tempfile.TemporaryDirectory(prefix="kitgoldens-") as tmp:
        if goldens is None:
            goldens = Path(tmp) / "goldens.pt"
            record(goldens, seed=seed, assignments=assignments)
        opts = Options(
            submissions,
            out,
            Goldens(goldens, REFERENCE_DIR),
            jobs=jobs,
            timeout=timeout,
            force=force,
            hint_level=hint_level,
            assignments=tuple(assignments),
        )
        gc.freeze()  # torch, the graders and the goldens live until the end: the collector need not walk them
        return grade_class(opts, progress=progress, zygotes=zygotes)

"""Official grading of a class: ``python -m graders grade SUBMISSIONS_DIR --out OUT_DIR``.

The trusted parent (this module) whitelists each student's files, sends one
job per (student, assignment) to pre-imported zygotes (:mod:`.zygote`), reads
the observations the sandboxed children stream back, re-checks them, and
judges them against golden reference observations. Only the parent writes
results. A timeout or crash costs the check it stopped; the remaining checks
run in a fresh child.
"""

from __future__ import annotations

import csv
import gc
import json
import os
import queue
import selectors
import shutil
import stat
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO


from .checks import Check
from .goldens import Goldens, record, save
from .judging import GraderBug, Outcome, judge
from .layout import ASSIGNMENTS, KIT_ROOT, REFERENCE_DIR
from .probing import Observed
from .records import CONFINED, HEADER, IMPORTED, MAX_RECORD, BadRecord, decode, observed_from
from .report import grade_table, write_results_json
from .runner import all_checks
from .sandbox import Limits, kill_tree
from .workers import Zygote

SUFFIXES = (".py", ".ipynb")
MAX_FILE = {".py": 2 * 2**20, ".ipynb": 20 * 2**20}
MAX_OUTPUT = 32 * 1024
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- submissions ---------------------------------------------------------------------------

@dataclass
class Submission:
    """One student's whitelisted files."""

    student: str
    root: Path
    files: dict[str, Path] = field(default_factory=dict)  # file name -> path
    notes: list[str] = field(default_factory=list)

    def has(self, assignment: str) -> bool:
        return any(f"{assignment}{s}" in self.files for s in SUFFIXES)


def whitelist(student_dir: Path) -> Submission:
    """Exact assignment file names only; regular files, not links; size-capped; .py wins over .ipynb."""
    sub = Submission(student_dir.name, student_dir)
    allowed = {f"{a}{s}" for a in ASSIGNMENTS for s in SUFFIXES}
    ignored = []
    for entry in sorted(os.scandir(student_dir), key=lambda e: e.name):
        st = entry.stat(follow_symlinks=False)
        suffix = Path(entry.name).suffix
        if entry.name not in allowed:
            ignored.append(entry.name)
        elif not stat.S_ISREG(st.st_mode):
            sub.notes.append(f"{entry.name} is not a regular file (a link or a folder) and was not graded")
        elif st.st_size > MAX_FILE[suffix]:
            sub.notes.append(f"{entry.name} is larger than {MAX_FILE[suffix] // 2**20} MiB and was not graded")
        else:
            sub.files[entry.name] = Path(entry.path)
    for a in ASSIGNMENTS:
        if f"{a}.py" in sub.files and f"{a}.ipynb" in sub.files:
            del sub.files[f"{a}.ipynb"]
            sub.notes.append(f"both {a}.py and {a}.ipynb were handed in: {a}.py was graded")
    if ignored:
        sub.notes.append("ignored (not assignment files): " + ", ".join(ignored[:20]) + (" ..." if len(ignored) > 20 else ""))
    return sub


def copy_files(sub: Submission, dest: Path) -> None:
    dest.mkdir(mode=0o700)
    for name, path in sub.files.items():
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as src, open(dest / name, "wb") as out:
            out.write(src.read(MAX_FILE[Path(name).suffix] + 1))


# --- one job ---------------------------------------------------------------------------------

@dataclass
class JobResult:
    observed: dict[str, Observed] = field(default_factory=dict)
    imported: bool = False
    stopped: str | None = None  # check (or "import") running when the child ended
    timed_out: bool = False
    output: bytes = b""
    confinement: dict[str, list[str]] = field(default_factory=dict)
    frames: dict[str, bytes] = field(default_factory=dict)  # records received, not decoded yet
    confined: bytes | None = None


def run_job(zygote: Zygote, job: dict[str, Any], checks: dict[str, Check], timeout: float) -> JobResult:
    """Start a child for ``job`` and collect its records under the parent's wall clock.

    The frames' headers say which check each record belongs to; the records themselves are
    decoded together once the last check's arrived (while the child exits) or the child ended."""
    result = JobResult()
    order = job["checks"]
    pid, res_fd, out_fd = zygote.spawn(job)
    buffer, output = b"", bytearray()
    current, deadline = "import", time.monotonic() + timeout
    sel = selectors.DefaultSelector()
    sel.register(res_fd, selectors.EVENT_READ, "res")
    sel.register(out_fd, selectors.EVENT_READ, "out")
    try:
        while True:  # until the pipe closes: the child's PID namespace is gone, its processes with it
            wait = deadline - time.monotonic()
            if wait <= 0:
                result.timed_out = True
                break
            events = sel.select(wait)
            ended = False
            for key, _ in events:
                data = os.read(key.fd, 1 << 16)
                if key.data == "out":
                    if not data:
                        sel.unregister(out_fd)
                    elif len(output) < MAX_OUTPUT:
                        output += data[: MAX_OUTPUT - len(output)]
                    continue
                if not data:
                    ended = True
                    break
                buffer += data
                while len(buffer) >= HEADER.size:
                    size, tag = HEADER.unpack(buffer[: HEADER.size])
                    if size > MAX_RECORD:
                        raise BadRecord("observation too large")
                    if len(buffer) < HEADER.size + size:
                        break
                    frame = buffer[HEADER.size : HEADER.size + size]
                    buffer = buffer[HEADER.size + size :]
                    current, deadline = _follow(tag, frame, result, order, checks, current, deadline, timeout)
                    if current is None:
                        decode_frames(result)  # all in: decode while the child exits
            if ended:
                break
    except BadRecord as exc:
        if current not in (None, "import"):
            result.observed[current] = Observed("error", message=f"  the grader could not accept what your code sent back: {exc}")
            current = None
    finally:
        kill_tree(pid)
        sel.close()
        os.close(res_fd)
        os.close(out_fd)
    decode_frames(result)
    result.stopped = current
    result.output = bytes(output)
    return result


def _follow(tag: int, frame: bytes, result: JobResult, order: list[str], checks: dict[str, Check], current: str | None, deadline: float, timeout: float):
    """Advance the job's state by a frame's header: the child runs ``order`` one after the other, so after
    "imported" or a check's record the next check of the list is the one running, under its own limit.
    Frames out of turn (a forked copy of the child writing too) are ignored, as are repeats."""
    if tag == CONFINED:
        if result.confined is None:
            result.confined = frame
        return current, deadline
    if tag == IMPORTED and not result.imported:
        result.imported = True
    elif current not in (None, "import") and tag < len(order) and order[tag] == current:
        result.frames[current] = frame
    else:
        return current, deadline
    done = len(result.frames)
    current = order[done] if done < len(order) else None
    return current, time.monotonic() + max(timeout, (checks[current].timeout or 0) if current else 0)


def decode_frames(result: JobResult) -> None:
    """Decode and re-check the records received, in one batch; a record that cannot be accepted,
    or that belongs to another check than its header says, is an error for that check."""
    for check_id, frame in result.frames.items():
        try:
            record = decode(frame)
            if record["event"] != "done" or record.get("check") != check_id:
                raise BadRecord(f"a record for {record.get('check')!r} where one for {check_id!r} was expected")
            result.observed[check_id] = observed_from(record)
        except BadRecord as exc:
            result.observed[check_id] = Observed("error", message=f"  the grader could not accept what your code sent back: {exc}")
    result.frames.clear()
    if result.confined is not None:
        try:
            record = decode(result.confined)
            result.confinement = {k: [m for m in record.get(k, []) if type(m) is str] for k in ("applied", "missing") if type(record.get(k)) is list}
        except BadRecord:
            pass
        result.confined = None


# --- a whole submission ----------------------------------------------------------------------

def grade_assignment(zygote: Zygote, sub: Submission, assignment: str, checks: list[Check], job_base: dict, timeout: float, files_dir: Path) -> tuple[dict[str, Observed], str]:
    """Observations of every check of one assignment, restarting the child after a kill.

    ``files_dir`` holds the student's whitelisted files (copied once per student)."""
    by_id = {c.id: c for c in checks}
    if not sub.has(assignment):
        msg = f"{assignment}.py (or .ipynb) was not handed in, so this check scores 0."
        return {c.id: Observed("missing", message=msg) for c in checks}, ""
    observed: dict[str, Observed] = {}
    log = ""
    while len(observed) < len(checks):
        remaining = [c.id for c in checks if c.id not in observed]
        job = {**job_base, "assignment": assignment, "checks": remaining, "files_dir": str(files_dir), "slot": zygote.slot,
               "cpu": pinned_cpu(zygote.slot, job_base["jobs"])}
        result = run_job(zygote, job, by_id, timeout)
        log = log or ", ".join(result.confinement.get("missing", []))
        observed.update(result.observed)
        tail = result.output.decode("utf-8", errors="replace").strip()[-1500:]
        if not result.imported:
            why = f"importing {assignment} did not finish within {timeout:g} s" if result.timed_out else f"the process running {assignment} ended while importing it"
            msg = f"{why}, so none of its checks could run." + (f"\n  its last output:\n{tail}" if tail else "")
            for cid in remaining:
                observed.setdefault(cid, Observed("import_error", message=msg))
            break
        if result.stopped:
            limit = max(timeout, by_id[result.stopped].timeout or 0)
            why = f"  the check did not finish within {limit:g} s (look for an endless loop)" if result.timed_out else "  the process ended during this check (exit, crash, or a resource limit: memory, processes, files)"
            observed[result.stopped] = Observed("error", message=why + (f"\n  last output:\n{tail}" if tail else ""))
        elif len(observed) < len(checks) and not result.observed:
            for cid in remaining:
                observed.setdefault(cid, Observed("error", message="  the process ended before this check ran"))
    return observed, log


def pinned_cpu(slot: int, jobs: int) -> int | None:
    """With as many slots as usable cores, slot i runs on core i; otherwise the scheduler decides."""
    cpus = sorted(os.sched_getaffinity(0))
    return cpus[slot] if 1 < jobs == len(cpus) else None


def feedback_markdown(student: str, outcomes: list[Outcome], notes: list[str]) -> str:
    """The learner messages of one student: grade table, notes on the files, every check not passed."""
    lines = [f"# Feedback for {student}", "", "```", *grade_table(outcomes), "```", ""]
    if notes:
        lines += ["## About your files", ""] + [f"- {n}" for n in notes] + [""]
    shown: set[str] = set()
    for o in outcomes:
        if o.passed or o.assignment in shown:
            continue
        if o.status == "missing":
            shown.add(o.assignment)
            lines += [f"## {o.assignment}: not handed in (0 / {sum(x.max_score for x in outcomes if x.assignment == o.assignment):g})", ""]
            continue
        lines += [f"## {o.assignment}: {o.title} ({o.score:g} / {o.max_score:g})", "", "```", o.message.rstrip() or o.status, "```", ""]
    return "\n".join(lines)


def csv_cell(value: Any) -> str:
    """A spreadsheet must never read a cell as a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_gradebook(out_dir: Path, students: list[str]) -> Path:
    path = out_dir / "gradebook.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", *ASSIGNMENTS, "total"])
        for student in students:
            results = out_dir / student / "results.json"
            if not results.is_file():
                continue
            data = json.loads(results.read_text(encoding="utf-8"))
            per = {a: 0.0 for a in ASSIGNMENTS}
            for test in data["tests"]:
                name = test["name"].split(":", 1)[0]
                if name in per:
                    per[name] += test["score"]
            writer.writerow([csv_cell(student), *(f"{per[a]:g}" for a in ASSIGNMENTS), f"{data['score']:g}"])
    return path


# --- the command -------------------------------------------------------------------------------

@dataclass
class Options:
    submissions: Path
    out: Path
    goldens: Goldens
    jobs: int = 1
    timeout: float = 30.0
    force: bool = False
    limits: Limits = field(default_factory=Limits)


def student_dirs(root: Path) -> list[Path]:
    return [Path(e.path) for e in sorted(os.scandir(root), key=lambda e: e.name) if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")]


def grade_class(opts: Options, progress: TextIO = sys.stderr, zygotes: list[Zygote] | None = None) -> dict[str, list[Outcome]]:
    """Grade every student folder of ``opts.submissions``; returns the outcomes of those graded now."""
    checks = all_checks()
    missing = [c.id for c in checks if c.id not in opts.goldens.observations]
    if missing:
        raise GraderBug(f"{opts.goldens.path} lacks observations for {len(missing)} checks (e.g. {missing[0]}); re-record it with `python -m graders record`")
    by_assignment: dict[str, list[Check]] = {}
    for c in checks:
        by_assignment.setdefault(c.assignment, []).append(c)
    dirs = student_dirs(opts.submissions)
    todo = [d for d in dirs if opts.force or not (opts.out / d.name / "results.json").is_file()]
    hidden = [REFERENCE_DIR, KIT_ROOT / "tests", KIT_ROOT / ".git", opts.goldens.path.resolve(), opts.out.resolve(), opts.submissions.resolve()]
    job_base = {"jobs": opts.jobs, "seed": opts.goldens.seed, "hidden": [str(p) for p in hidden], "kit_root": str(KIT_ROOT), "limits": opts.limits.__dict__}
    opts.out.mkdir(parents=True, exist_ok=True)
    own = zygotes is None
    pool = zygotes or [Zygote(0)]
    added = [pool[0].clone(slot) for slot in range(len(pool), opts.jobs)]
    pool = [*pool, *added]
    work = queue.Queue()
    for d in todo:
        sub = whitelist(d)
        for assignment in by_assignment:
            work.put((sub, assignment))
    pending = {d.name: len(by_assignment) for d in todo}
    collected: dict[str, dict[str, Observed]] = {d.name: {} for d in todo}
    graded: dict[str, list[Outcome]] = {}
    logs: list[str] = []
    lock = threading.Lock()
    start = time.monotonic()
    errors: list[BaseException] = []

    files: dict[str, Path] = {}
    finished: queue.Queue = queue.Queue()

    def finish(sub: Submission) -> None:
        """Judge and write one student's results (main thread, while the slots keep grading)."""
        outcomes = [judge(c, collected[sub.student][c.id], opts.goldens.get(c)) for c in checks]
        dest = opts.out / sub.student
        dest.mkdir(parents=True, exist_ok=True)
        write_results_json(outcomes, dest / "results.json")
        (dest / "feedback.md").write_text(feedback_markdown(sub.student, outcomes, sub.notes), encoding="utf-8")
        shutil.rmtree(files.pop(sub.student), ignore_errors=True)
        graded[sub.student] = outcomes
        done = len(graded)
        elapsed = time.monotonic() - start
        eta = elapsed / done * (len(todo) - done)
        progress.write(f"graded {done}/{len(todo)}  elapsed {elapsed:.0f} s  ETA {eta:.0f} s  ({sub.student})\n")
        progress.flush()

    def files_of(sub: Submission) -> Path:
        with lock:
            if sub.student not in files:
                files[sub.student] = Path(tempfile.mkdtemp(dir=workdir)) / "files"
                copy_files(sub, files[sub.student])
            return files[sub.student]

    def worker(z: Zygote) -> None:
        while not errors:
            try:
                sub, assignment = work.get_nowait()
            except queue.Empty:
                return
            try:
                observed, log = grade_assignment(z, sub, assignment, by_assignment[assignment], job_base, opts.timeout, files_of(sub))
            except BaseException as exc:  # a grader-side failure must stop the run loudly
                errors.append(exc)
                return
            with lock:
                collected[sub.student].update(observed)
                if log:
                    logs.append(log)
                pending[sub.student] -= 1
                if pending[sub.student] == 0:
                    finished.put(sub)

    with tempfile.TemporaryDirectory(prefix="kitgrade-") as tmp:
        workdir = Path(tmp)
        os.chmod(workdir, 0o700)
        threads = [threading.Thread(target=worker, args=(z,)) for z in pool]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads) or not finished.empty():
            try:
                sub = finished.get(timeout=0.05)
            except queue.Empty:
                continue
            try:
                finish(sub)
            except BaseException as exc:
                errors.append(exc)
                break
        for t in threads:
            t.join()
    for z in pool if own else added:
        z.close()
    if errors:
        raise errors[0]
    write_gradebook(opts.out, [d.name for d in dirs])
    if logs:
        progress.write(f"sandbox: not in force: {sorted(set(logs))[0]}\n")
    return graded


def run(args: Any, zygotes: list[Zygote] | None = None) -> int:
    """``python -m graders grade``: exit 0 when grading completed, 2 for instructor-side errors.

    ``zygotes``, when given, were started by the caller (and are closed by it)."""
    submissions, out = Path(args.submissions), Path(args.out)
    if not submissions.is_dir():
        print(f"error: SUBMISSIONS_DIR should be a directory with one folder per student, but got {submissions}", file=sys.stderr)
        return 2
    if args.jobs < 1 or args.timeout <= 0:
        print(f"error: --jobs should be >= 1 and --timeout > 0, but got --jobs {args.jobs} --timeout {args.timeout}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="kitgoldens-") as tmp:
        try:
            if args.goldens:
                recorded = Goldens(Path(args.goldens), REFERENCE_DIR)
            else:
                path = Path(tmp) / "goldens.pt"
                save(record(all_checks(), REFERENCE_DIR, args.seed), path)
                recorded = Goldens(path, REFERENCE_DIR)
            opts = Options(submissions, out, recorded, jobs=args.jobs, timeout=args.timeout, force=args.force)
            gc.freeze()  # torch, the graders and the goldens live until the end: the collector need not walk them
            graded = grade_class(opts, zygotes=zygotes)
        except (FileNotFoundError, ValueError, GraderBug) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    print(f"graded {len(graded)} submissions into {out} (gradebook: {out / 'gradebook.csv'})", file=sys.stderr)
    return 0

"""One job: one student's assignment probed in a sandboxed child, followed by the parent's wall clock.

The parent sends the job to a zygote (:mod:`.zygote_client`), which forks the
child; the child streams one record per check (:mod:`.records`) in the order
of the job's list. The parent follows the job by the frames' headers alone
(:class:`JobProgress`), decodes the records in one batch, and restarts a
fresh child for the checks left after a timeout or a crash
(:func:`grade_assignment`).
"""

from __future__ import annotations

import os
import selectors
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..checks import Check
from ..observations import Observed
from .records import CONFINED, HEADER, IMPORTED, MAX_RECORD, BadRecord, decode, observed_from
from .sandbox import kill_tree
from .submissions import Submission
from .zygote_client import Zygote

MAX_OUTPUT = 32 * 1024
SHOWN_OUTPUT = 1500
IMPORTING = "import"  # what runs before the first check


def rejected(why: BadRecord) -> Observed:
    """The observation of a check whose record the parent refused."""
    return Observed("error", message=f"  the grader could not accept what your code sent back: {why}")


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


class JobProgress:
    """Which check a child is running, known from the frames' headers alone.

    The child runs ``order`` one after the other, so after "imported" or a
    check's record the next check of the list is the one running, under its
    own limit. Frames out of turn (a forked copy of the child writing too) are
    ignored, as are repeats.
    """

    def __init__(self, order: list[str], checks: dict[str, Check], timeout: float, result: JobResult) -> None:
        self.order = order
        self.checks = checks
        self.timeout = timeout
        self.result = result
        self.current: str | None = IMPORTING
        self.deadline = time.monotonic() + timeout

    def follow(self, tag: int, frame: bytes) -> None:
        result = self.result
        if tag == CONFINED:
            if result.confined is None:
                result.confined = frame
            return
        if tag == IMPORTED and not result.imported:
            result.imported = True
        elif self.current not in (None, IMPORTING) and tag < len(self.order) and self.order[tag] == self.current:
            result.frames[self.current] = frame
        else:
            return
        done = len(result.frames)
        self.current = self.order[done] if done < len(self.order) else None
        own = (self.checks[self.current].timeout or 0) if self.current else 0
        self.deadline = time.monotonic() + max(self.timeout, own)


class JobReader:
    """Reads a child's two pipes until the result pipe closes or the deadline passes."""

    def __init__(self, progress: JobProgress, res_fd: int, out_fd: int) -> None:
        self.progress = progress
        self.res_fd, self.out_fd = res_fd, out_fd
        self.buffer = b""
        self.output = bytearray()

    def read(self) -> None:
        with selectors.DefaultSelector() as sel:
            sel.register(self.res_fd, selectors.EVENT_READ, "res")
            sel.register(self.out_fd, selectors.EVENT_READ, "out")
            while True:  # until the pipe closes: the child's PID namespace is gone, its processes with it
                wait = self.progress.deadline - time.monotonic()
                if wait <= 0:
                    self.progress.result.timed_out = True
                    return
                for key, _ in sel.select(wait):
                    data = os.read(key.fd, 1 << 16)
                    if key.data == "out":
                        self._keep_output(sel, data)
                    elif not data:
                        return
                    else:
                        self._take(data)

    def _keep_output(self, sel: selectors.BaseSelector, data: bytes) -> None:
        if not data:
            sel.unregister(self.out_fd)
        elif len(self.output) < MAX_OUTPUT:
            self.output += data[: MAX_OUTPUT - len(self.output)]

    def _take(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= HEADER.size:
            size, tag = HEADER.unpack(self.buffer[: HEADER.size])
            if size > MAX_RECORD:
                raise BadRecord("observation too large")
            if len(self.buffer) < HEADER.size + size:
                return
            frame = self.buffer[HEADER.size : HEADER.size + size]
            self.buffer = self.buffer[HEADER.size + size :]
            self.progress.follow(tag, frame)
            if self.progress.current is None:
                decode_frames(self.progress.result)  # all in: decode while the child exits


def run_job(zygote: Zygote, job: dict[str, Any], checks: dict[str, Check], timeout: float) -> JobResult:
    """Start a child for ``job`` and collect its records under the parent's wall clock.

    The records are decoded together once the last check's arrived (while the
    child exits) or the child ended."""
    result = JobResult()
    progress = JobProgress(job["checks"], checks, timeout, result)
    pid, res_fd, out_fd = zygote.spawn(job)
    reader = JobReader(progress, res_fd, out_fd)
    try:
        reader.read()
    except BadRecord as exc:
        if progress.current not in (None, IMPORTING):
            result.observed[progress.current] = rejected(exc)
            progress.current = None
    finally:
        kill_tree(pid)
        os.close(res_fd)
        os.close(out_fd)
    decode_frames(result)
    result.stopped = progress.current
    result.output = bytes(reader.output)
    return result


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
            result.observed[check_id] = rejected(exc)
    result.frames.clear()
    if result.confined is not None:
        result.confinement = _confinement(result.confined)
        result.confined = None


def _confinement(frame: bytes) -> dict[str, list[str]]:
    try:
        record = decode(frame)
    except BadRecord:
        return {}
    kinds = ("applied", "missing")
    return {k: [m for m in record.get(k, []) if type(m) is str] for k in kinds if type(record.get(k)) is list}


def pinned_cpu(slot: int, jobs: int) -> int | None:
    """With as many slots as usable cores, slot i runs on core i; otherwise the scheduler decides."""
    cpus = sorted(os.sched_getaffinity(0))
    return cpus[slot] if 1 < jobs == len(cpus) else None


def grade_assignment(
    zygote: Zygote,
    sub: Submission,
    assignment: str,
    checks: list[Check],
    job_base: dict,
    timeout: float,
    files_dir: Path,
) -> tuple[dict[str, Observed], str]:
    """Observations of every check of one assignment, restarting the child after a kill.

    ``files_dir`` holds the student's whitelisted files (copied once per student).
    Returns the observations and what the sandbox could not put in force ("" when all)."""
    if not sub.has(assignment):
        return {c.id: Observed.not_handed_in(assignment) for c in checks}, ""
    by_id = {c.id: c for c in checks}
    observed: dict[str, Observed] = {}
    log = ""
    while len(observed) < len(checks):
        remaining = [c.id for c in checks if c.id not in observed]
        job = {
            **job_base,
            "assignment": assignment,
            "checks": remaining,
            "files_dir": str(files_dir),
            "slot": zygote.slot,
            "cpu": pinned_cpu(zygote.slot, job_base["jobs"]),
        }
        result = run_job(zygote, job, by_id, timeout)
        log = log or ", ".join(result.confinement.get("missing", []))
        observed.update(result.observed)
        tail = result.output.decode("utf-8", errors="replace").strip()[-SHOWN_OUTPUT:]
        if not result.imported:
            for cid in remaining:
                observed.setdefault(
                    cid, Observed("import_error", message=_import_stopped(assignment, result, timeout, tail))
                )
            break
        if result.stopped:
            observed[result.stopped] = _check_stopped(by_id[result.stopped], result, timeout, tail)
        elif len(observed) < len(checks) and not result.observed:
            for cid in remaining:
                observed.setdefault(cid, Observed("error", message="  the process ended before this check ran"))
    return observed, log


def _import_stopped(assignment: str, result: JobResult, timeout: float, tail: str) -> str:
    if result.timed_out:
        why = f"importing {assignment} did not finish within {timeout:g} s"
    else:
        why = f"the process running {assignment} ended while importing it"
    return f"{why}, so none of its checks could run." + (f"\n  its last output:\n{tail}" if tail else "")


def _check_stopped(check: Check, result: JobResult, timeout: float, tail: str) -> Observed:
    if result.timed_out:
        why = f"  the check did not finish within {max(timeout, check.timeout or 0):g} s (look for an endless loop)"
    else:
        why = "  the process ended during this check (exit, crash, or a resource limit: memory, processes, files)"
    return Observed("error", message=why + (f"\n  last output:\n{tail}" if tail else ""))

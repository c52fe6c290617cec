"""Grading one assignment in a forked child: the student's module imported fresh, its crashes confined.

The parent (``watch``) imported torch and the graders once and holds the
reference's observations; for each run it forks a child that imports the
student's file anew, grades the assignment's checks with the same pipeline as
``pytest graders/`` (per-check time limits by ``SIGALRM``, as pytest-timeout's
signal method) and streams one JSON line per check back through a pipe. A
crash, ``sys.exit`` or endless loop in student code costs that run only: the
parent kills the child's process group (DataLoader workers included) when the
run's time is up, and marks the checks it never heard of.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from ..checks import Check, all_checks
from ..grading.outcomes import Outcome, interrupted
from ..grading.pipeline import Grading
from ..learner.hints import HintPolicy

DEFAULT_LIMIT = 30.0  # seconds per check, as the ini's pytest-timeout setting
OUTPUT_SHOWN = 2000


class CheckTimeout(BaseException):
    """Raised by SIGALRM in the child: a check ran past its limit (a BaseException, so student code
    that catches Exception cannot swallow it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def stop(signum, frame):
        raise CheckTimeout(f"Timeout (>{seconds:g}s) from the grader's time limit")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def warm(grading: Grading, checks: list[Check]) -> None:
    """Compute the reference's observations in the parent, once: every child inherits them."""
    for check in checks:
        grading.reference.get(check)


class Run:
    """One forked grading run of ``checks``, read line by line by the parent."""

    def __init__(self, grading: Grading, checks: list[Check], default_limit: float = DEFAULT_LIMIT) -> None:
        self.checks = checks
        self.outcomes: dict[str, Outcome] = {}
        self.digests: dict[str, str] = {}
        self.limit = sum(max(default_limit, c.timeout or 0) for c in checks) + 5.0
        self.started = time.monotonic()
        self._buffer = b""
        self._output = tempfile.TemporaryFile()
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child never returns
            os.close(read)
            _child(grading, checks, write, self._output.fileno(), default_limit)
        os.close(write)
        try:
            os.setpgid(self.pid, self.pid)  # also here: the parent may kill the group before the child sets it
        except (PermissionError, ProcessLookupError):
            pass
        self.fd = read

    @property
    def done(self) -> bool:
        return self.fd < 0

    def feed(self) -> bool:
        """Read what the child sent; returns True when the run is over (the child closed its end)."""
        data = os.read(self.fd, 1 << 16)
        if data:
            self._buffer += data
            *lines, self._buffer = self._buffer.split(b"\n")
            for line in lines:
                self._take(json.loads(line))
            return False
        self.finish("the run ended during this check (a crash, sys.exit or os._exit in your code)")
        return True

    def _take(self, record: dict) -> None:
        record["outcome"]["hints"] = tuple(record["outcome"]["hints"])
        record["outcome"]["notes"] = tuple(record["outcome"]["notes"])
        self.outcomes[record["check"]] = Outcome(**record["outcome"])
        self.digests[record["check"]] = record["digest"]

    def overdue(self) -> bool:
        return time.monotonic() - self.started > self.limit

    def finish(self, why: str) -> None:
        """End the run: kill what is left of the child and mark the checks it never reported."""
        stop_group(self.pid)
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        for check in self.checks:
            if check.id not in self.outcomes:
                self.outcomes[check.id] = interrupted(check, RuntimeError(why))
                why = "an earlier check of this run stopped it"

    def output(self) -> str:
        """What the student's code printed during the run (the end of it)."""
        self._output.seek(0)
        text = self._output.read().decode("utf-8", errors="replace")
        self._output.close()
        return text[-OUTPUT_SHOWN:]


def stop_group(pid: int) -> None:
    """Kill the child's process group (it and any DataLoader workers) and reap the child."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _child(grading: Grading, checks: list[Check], write: int, output: int, default_limit: float) -> None:
    code = 0
    try:
        os.setpgid(0, 0)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        os.dup2(output, 1)
        os.dup2(output, 2)
        if grading.hints.state is not None:
            grading.hints.state.reload()  # levels unlocked since the parent read the file
        with os.fdopen(write, "w", encoding="utf-8") as pipe:
            for check in checks:
                outcome = _grade_one(grading, check, default_limit)
                record = {"check": check.id, "outcome": asdict(outcome), "digest": grading.code_digest(check)}
                pipe.write(json.dumps(record) + "\n")
                pipe.flush()
            grading.hints.save()
    except BaseException:
        code = 70
    finally:
        sys.stdout.flush()
        os._exit(code)


def _grade_one(grading: Grading, check: Check, default_limit: float) -> Outcome:
    try:
        with time_limit(max(default_limit, check.timeout or 0)):
            return grading.grade_check(check)
    except CheckTimeout as exc:
        return interrupted(check, exc)
    except BaseException as exc:  # pytest.exit/skip, KeyboardInterrupt, ... raised by student code
        return interrupted(check, exc)


def wait_for(run: Run) -> Run:
    """Read ``run`` to its end (no screen, no keys): the one-shot commands and the tests use it."""
    with selectors.DefaultSelector() as sel:
        sel.register(run.fd, selectors.EVENT_READ)
        while not run.done:
            if run.overdue():
                run.finish("the run did not finish in time (an endless loop?)")
                break
            if sel.select(0.2) and run.feed():
                break
    return run


def grade_forked(assignments: list[str], impl: Path, hints: HintPolicy | None = None) -> dict[str, Outcome]:
    """Grade ``assignments`` of ``impl`` in one forked child; the outcomes by check id."""
    grading = Grading(impl, hints=hints)
    checks = all_checks(assignments)
    warm(grading, checks)
    return wait_for(Run(grading, checks)).outcomes

"""``python -m graders watch [aNN]``: save a file, see at once where you stand and what to do next.

One process imports torch and the graders and computes the reference's
observations once; each save re-grades only the assignment that changed, in
a forked child (:mod:`.forked`), and redraws the screen (:mod:`.screen`).
Keys: ``h`` the next hint level of the check shown, ``a`` all failures, ``n``
the next assignment, ``q`` quit. Without a terminal (CI, a pipe) it prints
plain lines and never reads keys. Ctrl-C and ``q`` leave no process behind.
"""

from __future__ import annotations

import os
import queue
import selectors
import shutil
import signal
import sys
import termios
import threading
import tty
from pathlib import Path
from typing import TextIO

from ..checks import all_checks
from ..grading.outcomes import Outcome
from ..grading.pipeline import Grading
from ..layout import ASSIGNMENTS
from ..loading.notebooks import NOTEBOOK_SUFFIX
from .forked import Run, warm
from .hints import STATE_FILE, HintPolicy, HintState, configured_cap
from .progress import standing
from .screen import View, first_failure, fit, render

CLEAR = "\x1b[H\x1b[2J"
SUFFIXES = (".py", NOTEBOOK_SUFFIX)


class FileWatcher(threading.Thread):
    """Reports which assignments' files changed, through a queue and a wake-up pipe."""

    def __init__(self, root: Path, wake: int) -> None:
        super().__init__(daemon=True)
        self.root, self.wake = root, wake
        self.changed: queue.Queue[str] = queue.Queue()
        self.stop = threading.Event()

    def run(self) -> None:
        import watchfiles

        def wanted(change: watchfiles.Change, path: str) -> bool:
            p = Path(path)
            return p.suffix in SUFFIXES and p.stem in ASSIGNMENTS and change != watchfiles.Change.deleted

        for changes in watchfiles.watch(
            self.root, watch_filter=wanted, stop_event=self.stop, step=20, rust_timeout=200, yield_on_timeout=False
        ):
            for _, path in changes:
                self.changed.put(Path(path).stem)
            os.write(self.wake, b"x")


class Watch:
    """The watch loop's state: outcomes so far, the run in progress, what the student looks at."""

    def __init__(self, impl: Path, assignment: str, out: TextIO, interactive: bool) -> None:
        self.impl = impl
        self.out = out
        self.interactive = interactive
        self.cap = configured_cap()
        self.grading = Grading(impl, hints=HintPolicy(HintState(STATE_FILE, cap=self.cap)))
        self.checks = all_checks()
        self.graded = sorted({c.assignment for c in self.checks}, key=ASSIGNMENTS.index)
        self.outcomes: dict[str, Outcome] = {}
        self.digests: dict[str, str] = {}
        self.view = View(assignment)
        self.run: Run | None = None
        self.running: list[str] = []
        self.pending: list[str] = []

    # --- runs ----------------------------------------------------------------------------------

    def start(self, assignments: list[str]) -> None:
        """Grade ``assignments`` in a fresh child; a run already going for them is dropped."""
        for name in assignments:
            if name not in self.pending:
                self.pending.append(name)
        if self.run is not None and set(self.running) & set(assignments):
            self.run.finish("replaced by a newer save")
            self.run = None
        if self.run is None and self.pending:
            self.running, self.pending = self.pending, []
            checks = [c for c in self.checks if c.assignment in self.running]
            self.grading.graded.clear()
            self.run = Run(self.grading, checks)
            self.view.status = f"grading {', '.join(self.running)} ..."
            if self.interactive and self.outcomes:  # a terminal shows that a run started (a pipe gets screens only)
                self.draw()

    def finish_run(self) -> None:
        run, self.run = self.run, None
        self.outcomes.update(run.outcomes)
        self.digests.update(run.digests)
        self.view.output = run.output()
        self.view.status = ""
        self.draw()
        if self.pending:
            self.start([])

    # --- keys ----------------------------------------------------------------------------------

    def key(self, char: str) -> bool:
        """Act on a key; returns False to quit."""
        if char in ("q", "\x04"):
            return False
        if char == "a":
            self.view.show_all = not self.view.show_all
        elif char == "n":
            self.view.assignment = self.graded[(self.graded.index(self.view.assignment) + 1) % len(self.graded)]
            self.view.show_all = False
        elif char == "h":
            self.view.status = self.next_hint()
        self.draw()
        return True

    def next_hint(self) -> str:
        outcome = first_failure(self.checks, self.outcomes, self.view.assignment)
        if outcome is None:
            return "no failing check to give a hint for"
        check = next(c for c in self.checks if c.id == outcome.check_id)
        state = HintState(STATE_FILE, cap=self.cap)
        level = state.unlock_next(check, self.digests.get(check.id, ""))
        state.save()
        if level <= outcome.hint_level:
            return (
                f"no further hint: your instructor allows up to level {self.cap}"
                if level < 3
                else "that was the last hint"
            )
        outcome.hint_level = level
        return f"hint level {level} unlocked"

    # --- the screen ----------------------------------------------------------------------------

    def draw(self) -> None:
        standings = [standing(a, self.checks, self.outcomes) for a in self.graded if self._seen(a)]
        lines = render(self.view, self.checks, self.outcomes, standings)
        if self.interactive:
            lines = fit(lines, shutil.get_terminal_size().columns - 1)
            self.out.write(CLEAR + "\r\n".join(lines) + "\r\n")
        else:
            self.out.write("\n".join(lines) + "\n\n")
        self.out.flush()

    def _seen(self, assignment: str) -> bool:
        return any(c.id in self.outcomes for c in self.checks if c.assignment == assignment)


def watch(assignment: str, impl: Path, out: TextIO = sys.stdout, keys: TextIO = sys.stdin) -> int:
    """Run the loop until ``q``, Ctrl-C or end of input; returns the exit code."""
    interactive = keys.isatty() and out.isatty()
    state = Watch(impl, assignment, out, interactive)
    out.write(f"loading the graders and the reference's observations for {impl} ...\n")
    out.flush()
    warm(state.grading, state.checks)
    wake_read, wake_write = os.pipe()
    watcher = FileWatcher(impl, wake_write)
    watcher.start()
    saved = termios.tcgetattr(keys.fileno()) if interactive else None
    try:
        if interactive:
            tty.setcbreak(keys.fileno())
        state.start([assignment, *(a for a in state.graded if a != assignment)])
        _loop(state, watcher, wake_read, keys if interactive else None)
    except KeyboardInterrupt:
        pass
    finally:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        if state.run is not None:
            state.run.finish("watch stopped")
        watcher.stop.set()
        if saved is not None:
            termios.tcsetattr(keys.fileno(), termios.TCSADRAIN, saved)
        out.write("\n")
        out.flush()
        signal.signal(signal.SIGINT, previous)
    return 0


def _loop(state: Watch, watcher: FileWatcher, wake: int, keys: TextIO | None) -> None:
    with selectors.DefaultSelector() as sel:
        sel.register(wake, selectors.EVENT_READ, "files")
        if keys is not None:
            sel.register(keys.fileno(), selectors.EVENT_READ, "keys")
        while True:
            if state.run is not None and not state.run.done and state.run.fd not in sel.get_map():
                sel.register(state.run.fd, selectors.EVENT_READ, "run")
            for key, _ in sel.select(0.2):
                if key.data == "keys":
                    char = os.read(key.fd, 1).decode(errors="replace")
                    if not char or not state.key(char):
                        return
                elif key.data == "files":
                    os.read(wake, 1024)
                    _changed(state, watcher, sel)
                elif key.data == "run" and state.run is not None and key.fd == state.run.fd:
                    sel.unregister(key.fd)
                    if state.run.feed():
                        state.finish_run()
                    else:
                        sel.register(key.fd, selectors.EVENT_READ, "run")
            if state.run is not None and state.run.overdue():
                _unregister(sel, state.run.fd)
                state.run.finish("the run did not finish in time (an endless loop?)")
                state.finish_run()


def _changed(state: Watch, watcher: FileWatcher, sel: selectors.BaseSelector) -> None:
    names = set()
    while not watcher.changed.empty():
        names.add(watcher.changed.get())
    names &= set(state.graded)
    if not names:
        return
    if state.run is not None:
        _unregister(sel, state.run.fd)
    state.start(sorted(names, key=ASSIGNMENTS.index))
    if len(names) == 1:
        state.view.assignment = next(iter(names))


def _unregister(sel: selectors.BaseSelector, fd: int) -> None:
    if fd >= 0 and fd in sel.get_map():
        sel.unregister(fd)

"""Importing an implementation (a student's submission or the reference) apart from the other.

The student's submission and the reference are both imported into one
process under the same plain module names (``a01_modules``; the capstone
imports earlier assignments by those names). An :class:`Implementation` keeps
each one's modules apart: it imports them with its own directory first on
``sys.path`` and the other implementation's modules out of ``sys.modules``,
then puts everything back. While a probe runs, ``active()`` makes its modules
the importable ones, so pickling (DataLoader workers) and lazy imports find
the right code.

An assignment may also be handed in as a notebook (:mod:`.sources` finds it,
:mod:`.notebooks` converts it, :mod:`.cells` runs its cells). Notes about
loading (the file graded, skipped notebook magics, failed cells) are kept in
:attr:`Loaded.notes` and shown with the checks that fail. Loading never
writes to the submission directory (no ``__pycache__``).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from ..layout import ASSIGNMENTS
from .bodies import Bodies, read_bodies
from .cells import NotebookFinder
from .notebooks import NOTEBOOK_SUFFIX, NotebookError
from .sources import Sources
from .tracebacks import Tracebacks


@dataclass
class Loaded:
    """The result of loading one assignment file.

    Exactly one of ``module`` and ``problem`` is set; ``missing`` tells a
    file that is absent from one that failed to import. ``notes`` are for the
    student: which file was graded, skipped notebook magics, failed cells.
    ``bodies`` says what the student wrote in each function.
    """

    name: str
    module: ModuleType | None = None
    problem: str = ""
    missing: bool = False
    source: Path | None = None
    notes: list[str] = field(default_factory=list)
    bodies: Bodies = field(default_factory=Bodies)


class Implementation:
    """The modules of one implementation directory.

    Args:
        root: the directory holding ``a01_modules.py`` (or ``.ipynb``) etc.
        label: how messages name it (``"your submission"``, ``"reference"``).
        interruptible: let ``KeyboardInterrupt`` raised at import stop the run
            (a self-check's Ctrl-C); the sandbox reports it as an import error.

    Example:
        >>> impl = Implementation(Path("reference"), "reference")
        >>> impl.load("a01_modules").module.Linear  # doctest: +SKIP
    """

    def __init__(self, root: Path, label: str = "your submission", interruptible: bool = True) -> None:
        self.sources = Sources(root)
        self.tracebacks = Tracebacks(self.sources)
        self.root = self.sources.root
        self.label = label
        self.interruptible = interruptible
        self._loaded: dict[str, Loaded] = {}
        self._modules: dict[str, ModuleType] = {}
        self._finder = NotebookFinder(self.sources.notebook, self.tracebacks.student)

    def __repr__(self) -> str:
        return f"Implementation({str(self.root)!r})"

    def load(self, name: str) -> Loaded:
        """Import assignment ``name`` (once) and say how that went."""
        if name not in self._loaded:
            self._loaded[name] = self._import(name)
        return self._loaded[name]

    def _import(self, name: str) -> Loaded:
        source = self.sources.source_of(name)
        if source is None:
            return Loaded(
                name, missing=True, problem=f"neither {name}.py nor {name}{NOTEBOOK_SUFFIX} was found in {self.root}"
            )
        notes: list[str] = []
        if self.sources.both_handed_in(name):
            notes.append(
                f"both {name}.py and {name}{NOTEBOOK_SUFFIX} were handed in: {name}.py was graded and "
                f"{name}{NOTEBOOK_SUFFIX} ignored (hand in only the notebook to have it graded)"
            )
        try:
            converted = self.sources.notebook(name)
        except NotebookError as exc:
            return Loaded(
                name,
                problem=f"{source.name} could not be graded, so none of its checks could run:\n  {exc}",
                source=source,
            )
        module, problem = None, ""
        with self.active():
            try:
                module = importlib.import_module(name)
            except BaseException as exc:  # student code may raise anything at import, SystemExit too
                if isinstance(exc, KeyboardInterrupt) and self.interruptible:
                    raise  # Ctrl-C during a self-check stops the run
                problem = self.tracebacks.import_failed(name, exc)
        notes += converted.notes if converted else []
        code = (converted.script if converted else source).read_text(encoding="utf-8", errors="replace")
        return Loaded(name, module=module, problem=problem, source=source, notes=notes, bodies=read_bodies(code))

    @contextmanager
    def active(self) -> Iterator[None]:
        """Make this implementation's modules the importable ones, then restore.

        Notebooks are found by a finder placed first on ``sys.meta_path``; the
        scratch directory of their module files is on ``sys.path`` too, so
        worker processes that import by name find the same code.
        """
        saved_modules = {n: sys.modules.pop(n) for n in ASSIGNMENTS if n in sys.modules}
        saved_path = list(sys.path)
        saved_bytecode = sys.dont_write_bytecode
        notebooks = self.sources.has_notebooks()
        sys.modules.update(self._modules)
        sys.path[0:0] = [str(self.root)] + ([str(self.sources.scratch_dir())] if notebooks else [])
        if notebooks:
            sys.meta_path.insert(0, self._finder)
        sys.dont_write_bytecode = True
        importlib.invalidate_caches()
        try:
            yield
        finally:
            self._restore(saved_modules, saved_path, saved_bytecode)

    def _restore(self, saved_modules: dict[str, ModuleType], saved_path: list[str], saved_bytecode: bool) -> None:
        for n in ASSIGNMENTS:
            module = sys.modules.pop(n, None)
            if module is not None and self.sources.owns(getattr(module, "__file__", "") or ""):
                self._modules[n] = module
        sys.modules.update(saved_modules)
        sys.path[:] = saved_path
        if self._finder in sys.meta_path:
            sys.meta_path.remove(self._finder)
        sys.dont_write_bytecode = saved_bytecode

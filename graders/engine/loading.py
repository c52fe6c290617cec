"""Loading an implementation: a directory holding some assignment files.

The student's submission and the reference are both imported into one
process under the same plain module names (``a01_modules``; the capstone
imports earlier assignments by those names). A :class:`Namespace` keeps each
implementation's modules apart: it imports them with its own directory first
on ``sys.path`` and the other implementation's modules out of
``sys.modules``, then puts everything back. While a probe runs, ``active()``
makes its modules the importable ones, so pickling (DataLoader workers) and
lazy imports find the right code.

An assignment may also be handed in as a notebook, ``a01_modules.ipynb``
(see :mod:`.notebooks`): its code cells are written to a module file in a
scratch directory outside the submission, which is then on ``sys.path`` next
to the implementation's directory, and imported cell by cell. When both files
exist the ``.py`` is graded (the kit's own format, and the grade of a
submission never changes because a notebook sits beside it); a note names the
ignored notebook. Notes about loading (skipped magics, failed cells) are kept
in :attr:`Loaded.notes` and shown with the checks that fail.

Loading never writes to the submission directory (no ``__pycache__``).
"""

from __future__ import annotations

import importlib
import linecache
import shutil
import sys
import tempfile
import traceback
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Iterator

from .layout import ASSIGNMENTS
from .notebooks import NOTEBOOK_SUFFIX, Converted, NotebookError, NotebookFinder, convert



@dataclass
class Loaded:
    """The result of loading one assignment file.

    Exactly one of ``module`` and ``problem`` is set; ``missing`` tells a
    file that is absent from one that failed to import. ``notes`` are for the
    student: which file was graded, skipped notebook magics, failed cells.
    """

    name: str
    module: ModuleType | None = None
    problem: str = ""
    missing: bool = False
    source: Path | None = None
    notes: list[str] = field(default_factory=list)


class Namespace:
    """The modules of one implementation directory.

    Args:
        root: the directory holding ``a01_modules.py`` (or ``.ipynb``) etc.
        label: how messages name it (``"your submission"``, ``"reference"``).
        interruptible: let ``KeyboardInterrupt`` raised at import stop the run
            (a self-check's Ctrl-C); the sandbox reports it as an import error.

    Example:
        >>> ns = Namespace(Path("reference"), "reference")
        >>> ns.load("a01_modules").module.Linear  # doctest: +SKIP
    """

    def __init__(self, root: Path, label: str = "your submission", interruptible: bool = True) -> None:
        if not isinstance(root, Path):
            raise TypeError(f"root should be a pathlib.Path, but got root={root!r}")
        self.root = root.resolve()
        self.label = label
        self.interruptible = interruptible
        self._loaded: dict[str, Loaded] = {}
        self._modules: dict[str, ModuleType] = {}
        self._notebooks: dict[str, Converted] = {}
        self._scratch: Path | None = None
        self._finder = NotebookFinder(self.notebook, self.student_traceback)

    def __repr__(self) -> str:
        return f"Namespace({str(self.root)!r})"

    def source_of(self, name: str) -> Path | None:
        """The file graded for assignment ``name``: ``name.py``, else ``name.ipynb``, else None."""
        for suffix in (".py", NOTEBOOK_SUFFIX):
            path = self.root / f"{name}{suffix}"
            if path.is_file():
                return path
        return None

    def notebook(self, name: str) -> Converted | None:
        """Assignment ``name`` converted to a module file, when it is handed in as a notebook.

        Raises:
            NotebookError: the notebook cannot be graded.
        """
        source = self.source_of(name) if name in ASSIGNMENTS else None
        if source is None or source.suffix != NOTEBOOK_SUFFIX:
            return None
        if name not in self._notebooks:
            self._notebooks[name] = convert(source, self._scratch_dir() / f"{name}.py")
        return self._notebooks[name]

    def _scratch_dir(self) -> Path:
        """Where converted notebooks live: a fresh directory outside the submission, removed with ``self``."""
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="graders-notebooks-")).resolve()
            weakref.finalize(self, shutil.rmtree, self._scratch, ignore_errors=True)
        return self._scratch

    def _has_notebooks(self) -> bool:
        return any((self.root / f"{n}{NOTEBOOK_SUFFIX}").is_file() for n in ASSIGNMENTS)

    def load(self, name: str) -> Loaded:
        """Import assignment ``name`` (once) and say how that went."""
        if name not in self._loaded:
            self._loaded[name] = self._import(name)
        return self._loaded[name]

    def _import(self, name: str) -> Loaded:
        source = self.source_of(name)
        if source is None:
            return Loaded(name, missing=True, problem=f"neither {name}.py nor {name}{NOTEBOOK_SUFFIX} was found in {self.root}")
        notes: list[str] = []
        if source.suffix == ".py" and (self.root / f"{name}{NOTEBOOK_SUFFIX}").is_file():
            notes.append(f"both {name}.py and {name}{NOTEBOOK_SUFFIX} were handed in: {name}.py was graded and "
                         f"{name}{NOTEBOOK_SUFFIX} ignored (hand in only the notebook to have it graded)")
        try:
            converted = self.notebook(name)
        except NotebookError as exc:
            return Loaded(name, problem=f"{source.name} could not be graded, so none of its checks could run:\n  {exc}", source=source)
        module, problem = None, ""
        with self.active():
            try:
                module = importlib.import_module(name)
            except BaseException as exc:  # student code may raise anything at import, SystemExit too
                if isinstance(exc, KeyboardInterrupt) and self.interruptible:
                    raise  # Ctrl-C during a self-check stops the run
                problem = self.explain_import_error(name, exc)
        notes += converted.notes if converted else []
        return Loaded(name, module=module, problem=problem, source=source, notes=notes)

    def explain_import_error(self, name: str, exc: BaseException) -> str:
        source = self.source_of(name)
        head = f"importing {source.name if source else name + '.py'} failed, so none of its checks could run:"
        if isinstance(exc, SyntaxError) and exc.filename:
            where = f"{Path(exc.filename).name}, line {exc.lineno}"
            text = (exc.text or "").rstrip("\n")
            caret = ""
            if text and exc.offset:
                caret = "\n      " + " " * max(len(text) - len(text.lstrip()), 0) + " " * max(exc.offset - 1 - (len(text) - len(text.lstrip())), 0) + "^"
            return f"{head}\n  SyntaxError: {exc.msg} ({where})\n      {text.strip()}{caret}"
        return f"{head}\n  {type(exc).__name__}: {exc}\n{self.student_traceback(exc)}"

    def owns(self, filename: str) -> bool:
        """Whether ``filename`` is one of this implementation's files (or a converted notebook)."""
        try:
            return Path(filename).resolve().parent in (self.root, self._scratch)
        except (OSError, ValueError):
            return False

    def locate(self, filename: str, lineno: int) -> str:
        """``"a01_modules.py, line 7"``, or ``"a01_modules.ipynb, cell 3, line 2"`` for a notebook."""
        for converted in self._notebooks.values():
            if str(converted.script) == filename:
                return converted.locate(lineno)
        return f"{Path(filename).name}, line {lineno}"

    def student_traceback(self, exc: BaseException) -> str:
        """The traceback of ``exc`` through this implementation's files only."""
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if self.owns(f.filename)]
        if not frames:
            return ""
        lines = ["  Traceback through your code (most recent call last):"]
        for frame in frames[-6:]:
            lines.append(f"    {self.locate(frame.filename, frame.lineno or 0)}, in {frame.name}")
            code = frame.line or linecache.getline(frame.filename, frame.lineno or 0).strip()
            if code:
                lines.append(f"      {code}")
        return "\n".join(lines)

    def raised_in_own_code(self, exc: BaseException) -> bool:
        """Whether the innermost frame of ``exc`` is in this implementation."""
        frames = traceback.extract_tb(exc.__traceback__)
        return bool(frames) and self.owns(frames[-1].filename)

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
        notebooks = self._has_notebooks()
        sys.modules.update(self._modules)
        sys.path[0:0] = [str(self.root)] + ([str(self._scratch_dir())] if notebooks else [])
        if notebooks:
            sys.meta_path.insert(0, self._finder)
        sys.dont_write_bytecode = True
        importlib.invalidate_caches()
        try:
            yield
        finally:
            for n in ASSIGNMENTS:
                module = sys.modules.pop(n, None)
                if module is not None and self.owns(getattr(module, "__file__", "") or ""):
                    self._modules[n] = module
            sys.modules.update(saved_modules)
            sys.path[:] = saved_path
            if self._finder in sys.meta_path:
                sys.meta_path.remove(self._finder)
            sys.dont_write_bytecode = saved_bytecode

"""Loading an implementation: a directory holding some assignment files.

The student's submission and the reference are both imported into one
process under the same plain module names (``a01_modules``; the capstone
imports earlier assignments by those names). A :class:`Namespace` keeps each
implementation's modules apart: it imports them with its own directory first
on ``sys.path`` and the other implementation's modules out of
``sys.modules``, then puts everything back. While a probe runs, ``active()``
makes its modules the importable ones, so pickling (DataLoader workers) and
lazy imports find the right code.

Loading never writes to the submission directory (no ``__pycache__``).
"""

from __future__ import annotations

import importlib
import linecache
import sys
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Iterator

ASSIGNMENTS = (
    "a01_modules",
    "a02_autograd",
    "a03_optimizers",
    "a04_training",
    "a05_datasets",
    "a06_samplers",
    "a07_collate",
    "a08_parallel",
    "a09_capstone",
    "quiz",
)


@dataclass
class Loaded:
    """The result of loading one assignment file.

    Exactly one of ``module`` and ``problem`` is set; ``missing`` tells a
    file that is absent from one that failed to import.
    """

    name: str
    module: ModuleType | None = None
    problem: str = ""
    missing: bool = False
    source: Path | None = None


class Namespace:
    """The modules of one implementation directory.

    Args:
        root: the directory holding ``a01_modules.py`` etc.
        label: how messages name it (``"your submission"``, ``"reference"``).

    Example:
        >>> ns = Namespace(Path("reference"), "reference")
        >>> ns.load("a01_modules").module.Linear  # doctest: +SKIP
    """

    def __init__(self, root: Path, label: str = "your submission") -> None:
        if not isinstance(root, Path):
            raise TypeError(f"root should be a pathlib.Path, but got root={root!r}")
        self.root = root.resolve()
        self.label = label
        self._loaded: dict[str, Loaded] = {}
        self._modules: dict[str, ModuleType] = {}

    def __repr__(self) -> str:
        return f"Namespace({str(self.root)!r})"

    def source_of(self, name: str) -> Path | None:
        path = self.root / f"{name}.py"
        return path if path.is_file() else None

    def load(self, name: str) -> Loaded:
        """Import assignment ``name`` (once) and say how that went."""
        if name not in self._loaded:
            self._loaded[name] = self._import(name)
        return self._loaded[name]

    def _import(self, name: str) -> Loaded:
        source = self.source_of(name)
        if source is None:
            return Loaded(name, missing=True, problem=f"{name}.py was not found in {self.root}")
        with self.active():
            try:
                module = importlib.import_module(name)
            except BaseException as exc:  # student code may raise anything at import, SystemExit too
                if isinstance(exc, KeyboardInterrupt):
                    raise
                return Loaded(name, problem=self.explain_import_error(name, exc), source=source)
        return Loaded(name, module=module, source=source)

    def explain_import_error(self, name: str, exc: BaseException) -> str:
        head = f"importing {name}.py failed, so none of its checks could run:"
        if isinstance(exc, SyntaxError) and exc.filename:
            where = f"{Path(exc.filename).name}, line {exc.lineno}"
            text = (exc.text or "").rstrip("\n")
            caret = ""
            if text and exc.offset:
                caret = "\n      " + " " * max(len(text) - len(text.lstrip()), 0) + " " * max(exc.offset - 1 - (len(text) - len(text.lstrip())), 0) + "^"
            return f"{head}\n  SyntaxError: {exc.msg} ({where})\n      {text.strip()}{caret}"
        return f"{head}\n  {type(exc).__name__}: {exc}\n{self.student_traceback(exc)}"

    def owns(self, filename: str) -> bool:
        try:
            return Path(filename).resolve().parent == self.root
        except (OSError, ValueError):
            return False

    def student_traceback(self, exc: BaseException) -> str:
        """The traceback of ``exc`` through this implementation's files only."""
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if self.owns(f.filename)]
        if not frames:
            return ""
        lines = ["  Traceback through your code (most recent call last):"]
        for frame in frames[-6:]:
            lines.append(f"    {Path(frame.filename).name}, line {frame.lineno}, in {frame.name}")
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
        """Make this implementation's modules the importable ones, then restore."""
        saved_modules = {n: sys.modules.pop(n) for n in ASSIGNMENTS if n in sys.modules}
        saved_path = list(sys.path)
        saved_bytecode = sys.dont_write_bytecode
        sys.modules.update(self._modules)
        sys.path.insert(0, str(self.root))
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
            sys.dont_write_bytecode = saved_bytecode

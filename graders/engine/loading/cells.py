"""Running a converted notebook as a module: its code cells one at a time, as Jupyter would.

:class:`NotebookFinder` sits first on ``sys.meta_path`` while an
implementation is active and finds the assignments handed in as notebooks;
:class:`NotebookLoader` runs the converted module file (:mod:`.notebooks`)
cell by cell, so a cell that raises is recorded and the cells after it run.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

from .notebooks import FUTURE_FLAGS, CodeCell, Converted

Explain = Callable[[BaseException], str]


def run_cells(converted: Converted, module: ModuleType, explain: Explain) -> None:
    """Run the code cells in ``module``'s namespace, one at a time, as Jupyter would.

    Each cell is compiled on its own with the module file's name and its real
    line numbers (so tracebacks point into the file, see
    :meth:`Converted.locate`); ``from __future__`` imports carry over to later
    cells. A cell that fails to compile or raises (``SystemExit`` included)
    is recorded in ``converted.notes`` with ``explain(exc)`` (the student's
    traceback) and the next cell runs. Failed cells are then commented out
    of the file.
    """
    name = converted.notebook.name
    flags = 0
    for cell in converted.cells:
        source = "\n" * (cell.first_line - 1) + "\n".join(cell.lines) + "\n"
        try:
            code = compile(source, str(converted.script), "exec", flags=flags, dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            cell.failed = True
            converted.notes.append(_syntax_note(converted, cell, exc))
            continue
        flags |= code.co_flags & FUTURE_FLAGS
        try:
            exec(code, module.__dict__)
        except (Exception, SystemExit) as exc:
            cell.failed = True
            trace = explain(exc)
            converted.notes.append(
                f"{name}, cell {cell.number} raised {type(exc).__name__}: {exc}; the cells after it still ran"
                + (f"\n{trace}" if trace else "")
            )
    if any(cell.failed for cell in converted.cells):
        _comment_out_failed(converted)


def _syntax_note(converted: Converted, cell: CodeCell, exc: SyntaxError | ValueError) -> str:
    head = f"{converted.notebook.name}, cell {cell.number} did not run: "
    if isinstance(exc, SyntaxError) and exc.lineno:
        text = (exc.text or "").strip()
        where = converted.locate(min(max(exc.lineno, cell.first_line), cell.last_line)).split(", ", 1)[1]
        return head + f"SyntaxError: {exc.msg} ({where})" + (f"\n      {text}" if text else "")
    return head + f"{type(exc).__name__}: {exc}"


def _comment_out_failed(converted: Converted) -> None:
    lines = converted.script.read_text(encoding="utf-8").split("\n")
    for cell in converted.cells:
        if cell.failed:
            lines[cell.first_line - 2] = f"# %% cell {cell.number} (commented out: it failed when the grader ran it)"
            for i in range(cell.first_line - 1, cell.last_line):
                lines[i] = "# " + lines[i] if lines[i] else "#"
    converted.script.write_text("\n".join(lines), encoding="utf-8")


class NotebookLoader(importlib.machinery.SourceFileLoader):
    """Loads a converted notebook's module file cell by cell (see :func:`run_cells`)."""

    def __init__(self, fullname: str, converted: Converted, explain: Explain) -> None:
        super().__init__(fullname, str(converted.script))
        self.converted = converted
        self.explain = explain

    def exec_module(self, module: ModuleType) -> None:
        run_cells(self.converted, module, self.explain)


class NotebookFinder(importlib.abc.MetaPathFinder):
    """Finds the modules an implementation hands in as notebooks.

    Args:
        notebook: ``name -> Converted`` for a module handed in as a notebook,
            ``None`` otherwise (may raise :class:`NotebookError`).
        explain: formats a cell's exception for the notes.
    """

    def __init__(self, notebook: Callable[[str], Converted | None], explain: Explain) -> None:
        self.notebook = notebook
        self.explain = explain

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if path is not None:
            return None
        converted = self.notebook(fullname)
        if converted is None:
            return None
        loader = NotebookLoader(fullname, converted, self.explain)
        return importlib.util.spec_from_file_location(fullname, converted.script, loader=loader)

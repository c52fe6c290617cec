"""The code each student handed in, per assignment, read the way ``grade`` reads it, and the skeleton's code.

Hand-ins are whitelisted exactly as official grading does
(:func:`~graders.engine.official.submissions.whitelist`: exact file names,
regular files, ``.py`` before ``.ipynb``). A notebook counts by its code
cells, IPython magics and shell escapes commented out, each cell headed by a
``# cell N`` comment. Docstrings are dropped everywhere: they are the
skeleton's text, and a notebook carries them in markdown cells, so a file and
a notebook of the same code compare as the same code. Nothing is written,
nothing of a student's is run.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InstructorError
from ..layout import ASSIGNMENTS_DIR, NOTEBOOKS_DIR
from ..loading.notebooks import NotebookError, read_notebook, strip_magics
from ..official.submissions import MAX_FILE, student_dirs, whitelist

QUIZ = "quiz"  # answered with one letter each: code fingerprints cannot compare it


@dataclass(frozen=True)
class HandIn:
    """One student's file for one assignment, as code."""

    student: str
    assignment: str
    path: Path
    code: str


@dataclass
class Collected:
    """Every hand-in, per assignment in kit order, and notes on files that could not be read."""

    students: list[str]
    handins: dict[str, list[HandIn]]
    notes: list[str]


def without_docstrings(code: str) -> str:
    """``code`` without the lines of its module, class and function docstrings (as it is if it does not parse)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return code
    lines = code.splitlines(keepends=True)
    drop: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) or not node.body:
            continue
        first = node.body[0]
        if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)):
            continue
        start, end = first.lineno, first.end_lineno or first.lineno
        alone = not lines[start - 1][: first.col_offset].strip() and not lines[end - 1][first.end_col_offset :].strip()
        if alone and len(node.body) > 1:
            drop.update(range(start, end + 1))
    return "".join(line for n, line in enumerate(lines, 1) if n not in drop)


def notebook_code(path: Path) -> str:
    """The code cells of a notebook, each under a ``# cell N`` comment.

    Raises:
        NotebookError: the notebook cannot be read (not JSON, not nbformat 4, ...).
    """
    cells, _ = read_notebook(path)
    parts = []
    for number, cell in enumerate(cells, 1):
        if cell["cell_type"] == "code":
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            parts.append(f"# cell {number}\n" + "\n".join(strip_magics(source)[0]))
    return "\n\n".join(parts) + "\n"


def read_code(path: Path) -> str:
    """A hand-in's code without docstrings: a ``.py`` file's text (undecodable bytes replaced), a notebook's
    code cells."""
    if path.suffix == ".ipynb":
        return without_docstrings(notebook_code(path))
    with open(path, "rb") as fh:
        return without_docstrings(fh.read(MAX_FILE[".py"]).decode("utf-8", errors="replace"))


def skeleton_code(assignment: str, *, skeletons: Path = ASSIGNMENTS_DIR, notebooks: Path = NOTEBOOKS_DIR) -> list[str]:
    """The code students were given for ``assignment`` (without docstrings): the skeleton file and its notebook."""
    found = []
    for path in (skeletons / f"{assignment}.py", notebooks / f"{assignment}.ipynb"):
        if path.is_file():
            try:
                found.append(read_code(path))
            except (OSError, NotebookError):
                pass
    return found


def collect(submissions: Path, *, assignments: Sequence[str]) -> Collected:
    """Read every student's hand-ins of ``assignments`` under ``submissions`` (one folder per student).

    Raises:
        InstructorError: ``submissions`` is not a directory or has no student folder.
    """
    if not submissions.is_dir():
        raise InstructorError(
            f"SUBMISSIONS_DIR should be a directory with one folder per student, but got {submissions}"
        )
    folders = student_dirs(submissions)
    if not folders:
        raise InstructorError(f"{submissions} has no student folder (one folder per student, named by the student)")
    handins: dict[str, list[HandIn]] = {a: [] for a in assignments}
    notes: list[str] = []
    for folder in folders:
        sub = whitelist(folder)
        for assignment in assignments:
            name = next((f"{assignment}{s}" for s in (".py", ".ipynb") if f"{assignment}{s}" in sub.files), None)
            if name is None:
                continue
            try:
                code = read_code(sub.files[name])
            except (OSError, NotebookError) as exc:
                notes.append(f"{folder.name}/{name} was not compared: {exc}")
                continue
            handins[assignment].append(HandIn(folder.name, assignment, sub.files[name], code))
    return Collected([f.name for f in folders], handins, notes)

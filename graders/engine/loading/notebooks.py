"""Reading a handed-in notebook: an ``.ipynb`` checked robustly and converted to a module file.

A student may hand in ``a01_modules.ipynb`` instead of ``a01_modules.py``.
:func:`convert` reads the notebook (a :class:`NotebookError` naming the file
and the problem when it cannot be graded), comments out IPython magics and
shell escapes, and writes the code cells in order to ``a01_modules.py`` in a
directory outside the submission. :class:`NotebookFinder` and
:class:`NotebookLoader` (:mod:`.cells`) then import that file the way Jupyter runs a
notebook: cell by cell, each compiled with the file's real name and line
numbers, so a cell that raises is recorded ("cell 5 raised NameError: ...")
and the cells after it still run. The result is a real module backed by a
real file, so pickling (DataLoader workers) and ``inspect`` find it; cells
that failed are commented out of the file afterwards, so that a worker
process importing the file gets the same definitions.

Cells are numbered as they appear in the notebook, from 1, markdown cells
included. Every message about the notebook goes into :attr:`Converted.notes`.
"""

from __future__ import annotations
import __future__

import copy
import json
import re
import warnings
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from pathlib import Path
from typing import Any

NOTEBOOK_SUFFIX = ".ipynb"
UTF8_BOM = b"\xef\xbb\xbf"
CELL_TYPES = ("code", "markdown", "raw")
FUTURE_FLAGS = reduce(or_, (getattr(__future__, f).compiler_flag for f in __future__.all_feature_names))

# `name?`, `name??`, `obj.attr?`, `*pattern*?` (help); `x = !ls`, `t = %timeit -o f()` (captured magics).
HELP_LINE = re.compile(r"^[A-Za-z_*][\w.*\[\]]*\?{1,2}$")
CAPTURED_MAGIC = re.compile(r"^[\w.]+(\s*,\s*[\w.]+)*\s*=\s*[%!]")


class NotebookError(ValueError):
    """A notebook that cannot be graded; the message names the file and the problem."""


@dataclass
class CodeCell:
    """One code cell as written to the module file.

    Attributes:
        number: position of the cell in the notebook, from 1 (all cell types count).
        first_line: line of the file holding the cell's first line.
        lines: the cell's code, magics commented out.
        failed: whether the cell failed to compile or raised when run.
    """

    number: int
    first_line: int
    lines: list[str]
    failed: bool = False

    @property
    def last_line(self) -> int:
        return self.first_line + len(self.lines) - 1


@dataclass
class Converted:
    """A notebook written out as a module file: where each cell went, and notes for the student."""

    notebook: Path
    script: Path
    cells: list[CodeCell]
    notes: list[str] = field(default_factory=list)

    def locate(self, lineno: int) -> str:
        """``"a01_modules.ipynb, cell 3, line 2"`` for line ``lineno`` of the module file."""
        for cell in self.cells:
            if cell.first_line <= lineno <= cell.last_line:
                return f"{self.notebook.name}, cell {cell.number}, line {lineno - cell.first_line + 1}"
        return f"{self.notebook.name}, line {lineno}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return names.get(type(value), "null")


def read_notebook(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The cells of the notebook at ``path`` and notes about how it was read.

    Only what grading needs is required: UTF-8 JSON without a byte-order
    mark (Jupyter never writes one: it means the file went through another
    editor), an object with ``nbformat`` 4 and a list of
    cells, each with a known ``cell_type`` and a ``source`` that is a string
    or a list of strings. Other departures from the schema (checked with
    :func:`nbformat.validate`) become a note; the notebook is still graded.

    Raises:
        NotebookError: the notebook cannot be graded (the message says why).
    """
    name = path.name
    notes: list[str] = []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise NotebookError(f"{name} could not be read: {exc.strerror or exc}") from None
    if raw.startswith(UTF8_BOM):
        raise NotebookError(
            f"{name} starts with a UTF-8 byte-order mark, which notebook files must not have "
            "(it was saved by another editor): open it in Jupyter and save it again"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotebookError(
            f"{name} is not UTF-8 text (bad byte at offset {exc.start}); save it again from Jupyter"
        ) from None
    if not text.strip():
        raise NotebookError(f"{name} is empty: save the notebook from Jupyter before handing it in")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"{name} is not valid notebook JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
            "it was probably damaged while edited as text: open it in Jupyter or restore a good copy"
        ) from None
    if not isinstance(data, dict):
        raise NotebookError(f"{name} should hold a JSON object (a notebook), but got a JSON {_json_type(data)}")
    version = data.get("nbformat")
    if type(version) is not int or version != 4:
        raise NotebookError(
            f"{name} should be a version 4 notebook (what Jupyter writes today), but got nbformat={_short(version)}; "
            "open it in a current Jupyter and save it again"
        )
    _check_cells(name, data.get("cells"))
    return data["cells"], notes + _schema_notes(name, data)


def _check_cells(name: str, cells: Any) -> None:
    if not isinstance(cells, list):
        raise NotebookError(f"{name}: the notebook's cells should be a list, but got cells={_short(cells)}")
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict):
            raise NotebookError(f"{name}: cell {number} should be a JSON object, but got cell={_short(cell)}")
        kind = cell.get("cell_type")
        if kind not in CELL_TYPES:
            raise NotebookError(
                f"{name}: cell {number}'s cell_type should be one of {list(CELL_TYPES)}, but got "
                f"cell_type={_short(kind)}"
            )
        source = cell.get("source")
        if not (isinstance(source, str) or (isinstance(source, list) and all(isinstance(s, str) for s in source))):
            raise NotebookError(
                f"{name}: cell {number}'s source should be a string or a list of strings, but got "
                f"source={_short(source)}"
            )


def _schema_notes(name: str, data: dict[str, Any]) -> list[str]:
    import nbformat  # imported here: only notebook submissions need it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nbformat.validate(copy.deepcopy(data))  # a copy: validate() may repair ids in place
    except nbformat.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "the notebook"
        first = str(exc.message).splitlines()[0][:120]
        return [f"{name} does not follow the notebook format exactly ({where}: {first}); it was graded anyway"]
    return []


def strip_magics(source: str) -> tuple[list[str], list[str]]:
    """Split a cell into lines with IPython syntax commented out.

    A cell magic (first line ``%%time``, ``%%bash``...) comments out the
    whole cell. A line magic, shell escape or help request (``%matplotlib
    inline``, ``!pip install x``, ``x = !ls``, ``?Linear``, ``Linear?``) is
    commented out (``pass`` keeps an indented block valid) when it starts a
    statement: lines inside strings or brackets are never touched.

    Returns:
        ``(lines, skipped)``: the code lines (as many as the cell has) and
        the IPython lines that were commented out.
    """
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith("%%"):
        return ["# " + line if line else "#" for line in lines], [f"`{first}` cell"]
    out: list[str] = []
    skipped: list[str] = []
    scanner = _Scanner()
    for line in lines:
        if scanner.at_statement_start() and _is_ipython(line, scanner):
            stripped = line.strip()
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}{'pass  ' if indent else ''}# not run by the grader: {stripped}")
            skipped.append(f"`{stripped if len(stripped) <= 50 else stripped[:47] + '...'}`")
        else:
            scanner.feed(line)
            out.append(line)
    return out, skipped


def _is_ipython(line: str, scanner: _Scanner) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    if stripped[0] in "%!?" or CAPTURED_MAGIC.match(stripped):
        return True
    probe = _Scanner()
    code = probe.feed(line).strip()
    return probe.at_statement_start() and bool(HELP_LINE.match(code))


class _Scanner:
    """Just enough of Python's tokenizer to know whether a line starts a statement."""

    def __init__(self) -> None:
        self.quote = ""  # the open string's delimiter
        self.depth = 0  # open brackets
        self.continued = False  # backslash at the end of the last line

    def at_statement_start(self) -> bool:
        return not (self.quote or self.depth or self.continued)

    def feed(self, line: str) -> str:
        """Consume one line; return its code outside comments."""
        i, n, code_end = 0, len(line), len(line)
        while i < n:
            ch = line[i]
            if self.quote:
                if ch == "\\":
                    i += 2
                    continue
                if line.startswith(self.quote, i):
                    i += len(self.quote)
                    self.quote = ""
                    continue
            elif ch == "#":
                code_end = i
                break
            elif ch in "'\"":
                self.quote = line[i : i + 3] if line[i : i + 3] in ('"""', "'''") else ch
                i += len(self.quote)
                continue
            elif ch in "([{":
                self.depth += 1
            elif ch in ")]}":
                self.depth = max(self.depth - 1, 0)
            i += 1
        self.continued = line.endswith("\\") and code_end == n
        if len(self.quote) == 1 and not self.continued:
            self.quote = ""  # an unterminated one-line string ends with its line
        return line[:code_end]


def convert(notebook: Path, script: Path) -> Converted:
    """Write the code cells of ``notebook`` to ``script``, one ``# %% cell N`` section each.

    Raises:
        NotebookError: the notebook cannot be graded.
    """
    cells, notes = read_notebook(notebook)
    lines = [f"# The code cells of {notebook.name}, written by the grader. IPython magics are commented out."]
    code_cells: list[CodeCell] = []
    skipped: list[str] = []
    for number, cell in enumerate(cells, 1):
        if cell["cell_type"] != "code":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        code, magics = strip_magics(source)
        skipped += [f"cell {number} {m}" for m in magics]
        lines.append(f"# %% cell {number}")
        code_cells.append(CodeCell(number, len(lines) + 1, code))
        lines.extend(code)
    if not code_cells:
        notes.append(f"{notebook.name} has no code cells")
    if skipped:
        notes.append(
            f"{notebook.name}: the grader does not run IPython magics or shell commands; it skipped "
            + ", ".join(skipped)
        )
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Converted(notebook, script, code_cells, notes)

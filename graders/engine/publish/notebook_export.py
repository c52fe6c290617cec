"""Student notebooks made from the skeletons: ``python -m graders notebooks``.

Each assignment file becomes one Jupyter notebook (nbformat 4): the module
docstring as a markdown introduction; a code cell with the imports and
module-level constants; then, per top-level class or function, a markdown
cell with its docstring (and its methods' docstrings) and a code cell with
its code, docstrings removed. Every cell's metadata names what it holds
(``metadata["kit"] = {"assignment": "a01_modules", "role": "definition",
"definition": "Linear"}``) and cell ids are derived from it, so generating
twice gives identical files. Docstrings are written in reST/Google style;
:func:`markdown` turns them into readable markdown.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from ..errors import InstructorError
from ..layout import ASSIGNMENTS

GOOGLE_SECTION = re.compile(
    r"^(Args|Arguments|Attributes|Keyword Args|Parameters|Returns|Return|Yields|Raises|"
    r"Example|Examples|Note|Notes|Warning|Shape|Shapes):\s*$"
)
ITEM_SECTIONS = ("Args", "Arguments", "Attributes", "Keyword Args", "Parameters", "Raises")
ITEM = re.compile(r"^(\**[\w.]+)(\s*\([^)]*\))?:(\s+.*|)$")
UNDERLINE = re.compile(r"^([-=~^])\1{2,}\s*$")
LIST_LABEL = re.compile(r"^(\s*)(Task \d+:|[a-z]\)\s)")
ROLES = re.compile(r":(?:class|mod|meth|func|attr|obj|exc|data):`~?([^`]+)`")


def inline(text: str) -> str:
    """reST inline markup to markdown: ````x```` and ``:class:`x``` become `` `x` ``."""
    return ROLES.sub(r"`\1`", text.replace("``", "`"))


def markdown(doc: str, level: int = 2) -> str:
    """A reST/Google-style docstring as markdown; reST section titles become ``level`` headings."""
    text = "\n".join(_blocks(inspect.cleandoc(doc).splitlines(), level))
    return re.sub(r"\n\s*\n(\s*\n)+", "\n\n", text).strip() + "\n"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _indented_block(lines: list[str], start: int, base: int) -> tuple[list[str], int]:
    """Lines from ``start`` indented deeper than ``base`` (blank lines inside included), dedented."""
    while start < len(lines) and not lines[start].strip():
        start += 1
    end = start
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > base):
        end += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return textwrap.dedent("\n".join(lines[start:end])).splitlines(), end


def _blocks(lines: list[str], level: int) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() and i + 1 < len(lines) and UNDERLINE.match(lines[i + 1]) and _indent(line) == 0:
            out += ["", f"{'#' * level} {inline(line.strip())}", ""]
            i += 2
        elif GOOGLE_SECTION.match(line.strip()):
            section = GOOGLE_SECTION.match(line.strip()).group(1)  # type: ignore[union-attr]
            block, i = _indented_block(lines, i + 1, _indent(line))
            body = _items(block) if section in ITEM_SECTIONS else _blocks(block, level + 1)
            out += ["", f"**{section}:**", "", *body, ""]
        elif line.lstrip().startswith(">>>"):
            start = i
            while i < len(lines) and lines[i].strip():
                i += 1
            out += ["", "```python", *textwrap.dedent("\n".join(lines[start:i])).splitlines(), "```", ""]
        elif line.rstrip().endswith("::") and _literal_follows(lines, i):
            text = line.rstrip()[:-1]
            out.append(_list_label(inline(text)) if text.strip() != ":" else "")
            block, i = _indented_block(lines, i + 1, _indent(line))
            out += ["", "```", *[b for b in block], "```", ""]
        else:
            out.append(_list_label(inline(line)))
            i += 1
    return out


def _literal_follows(lines: list[str], i: int) -> bool:
    rest = [line for line in lines[i + 1 :] if line.strip()]
    return bool(rest) and _indent(rest[0]) > _indent(lines[i])


def _list_label(line: str) -> str:
    """``Task 1: ...`` and quiz options ``a) ...`` become list items, so each keeps its own line."""
    return LIST_LABEL.sub(lambda m: f"{m.group(1)}- {m.group(2)}", line, count=1)


def _items(block: list[str]) -> list[str]:
    """``name (type): text`` entries (continuations indented) as a markdown list."""
    items: list[str] = []
    for line in block:
        if not line.strip():
            continue
        if _indent(line) == 0 or not items:
            m = ITEM.match(line.strip())
            items.append(f"`{m.group(1)}`{m.group(2) or ''}:{m.group(3)}" if m else line.strip())
        else:
            items[-1] += " " + line.strip()
    return [f"- {inline(item)}" for item in items]


def _docstring_lines(node: ast.AST, lines: list[str]) -> list[tuple[int, int, bool]]:
    """``(first, last, only)`` line spans of the docstrings of ``node`` and, for a class, its methods.

    ``only``: the docstring is the whole body. A docstring sharing a line
    with other code stays in the code.
    """
    spans = []
    for child in [node, *node.body] if isinstance(node, ast.ClassDef) else [node]:
        if (
            not isinstance(child, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            or ast.get_docstring(child) is None
        ):
            continue
        doc = child.body[0]
        end = doc.end_lineno or doc.lineno
        alone = not lines[doc.lineno - 1][: doc.col_offset].strip() and not lines[end - 1][doc.end_col_offset :].strip()
        follows = child.body[1] if len(child.body) > 1 else None
        if alone and (follows is None or follows.lineno > end):
            spans.append((doc.lineno, end, follows is None))
    return spans


def _code_without_docstrings(lines: list[str], first: int, last: int, node: ast.AST) -> str:
    """Source lines ``first..last`` (1-based) with the docstrings inside ``node`` removed."""
    keep = {n: lines[n - 1] for n in range(first, last + 1)}
    for start, end, only in _docstring_lines(node, lines):
        indent = lines[start - 1][: _indent(lines[start - 1])]
        for n in range(start, end + 1):
            keep.pop(n, None)
        if only:
            keep[start] = f"{indent}pass"
        elif end + 1 in keep and not keep[end + 1].strip():
            del keep[end + 1]  # the blank line after the docstring
    return "\n".join(keep[n] for n in sorted(keep)).strip("\n")


def _definition_markdown(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    kind = "class" if isinstance(node, ast.ClassDef) else "function"
    parts = [f"## {kind} `{node.name}`\n"]
    if ast.get_docstring(node):
        parts.append(markdown(ast.get_docstring(node) or "", level=3))
    if isinstance(node, ast.ClassDef):
        for method in node.body:
            if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) and ast.get_docstring(method):
                parts.append(
                    f"### `{node.name}.{method.name}`\n\n" + markdown(ast.get_docstring(method) or "", level=4)
                )
    return "\n".join(parts).strip()


def _how_to(assignment: str, skeleton: bool) -> str:
    marker = assignment.split("_", 1)[0]
    return (
        f"> **Working in this notebook.** This is `{assignment}.py` as cells: the markdown above each code cell is its "
        "specification; write your work in the code cells"
        + (" (replace each `raise NotImplementedError(...)`)" if skeleton else "")
        + ". Try things in cells of your own. Grade your work from the kit's root folder with "
        f"`pytest graders/ -m {marker} --impl notebooks`: the grader runs the code cells in order as the "
        f"module `{assignment}`, skips IPython magics (`%...`) and shell commands (`!...`), and reports a "
        "cell that raises without stopping the cells after it."
    )


def _cell(kind: str, text: str, assignment: str, role: str, index: int, definition: str | None = None) -> NotebookNode:
    kit: dict[str, Any] = {"assignment": assignment, "role": role}
    if definition:
        kit["definition"] = definition
    make = new_code_cell if kind == "code" else new_markdown_cell
    cell_id = f"{index:02d}-{role}" + (f"-{definition}" if definition else "")
    return make(text, id=re.sub(r"[^A-Za-z0-9_-]", "-", cell_id)[:64], metadata={"kit": kit})


def notebook_from_source(source: str, assignment: str) -> NotebookNode:
    """The student notebook of one assignment file's ``source``.

    Raises:
        ValueError: ``source`` has no module docstring.
    """
    tree = ast.parse(source)
    doc = ast.get_docstring(tree)
    if doc is None:
        raise ValueError(f"source should start with a module docstring, but got none in {assignment}")
    lines = source.splitlines()
    summary, _, rest = inspect.cleandoc(doc).partition("\n\n")
    introduction = f"# {inline(' '.join(summary.split())).rstrip('.')}\n\n{markdown(rest)}".strip()
    cells = [
        ("markdown", introduction, "introduction", None),
        ("markdown", _how_to(assignment, "NotImplementedError" in source), "how-to", None),
    ]
    body = tree.body[1:]
    previous_end = tree.body[0].end_lineno or 1
    pending: list[str] = []
    for position, node in enumerate(body):
        last = node.end_lineno or node.lineno
        if position == len(body) - 1:
            last = len(lines)
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            if pending:
                cells.append(
                    ("code", "\n".join(pending).strip("\n"), "imports" if len(cells) == 2 else "statements", None)
                )
                pending = []
            cells.append(("markdown", _definition_markdown(node), "specification", node.name))
            cells.append(
                ("code", _code_without_docstrings(lines, previous_end + 1, last, node), "definition", node.name)
            )
        else:
            pending += lines[previous_end:last]
        previous_end = last
    if pending:
        cells.append(("code", "\n".join(pending).strip("\n"), "imports" if len(cells) == 2 else "statements", None))
    nb = new_notebook(
        cells=[_cell(kind, text, assignment, role, i, name) for i, (kind, text, role, name) in enumerate(cells, 1)],
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "kit": {"assignment": assignment},
        },
    )
    nbformat.validate(nb)
    return nb


def write_notebooks(source_dir: Path, out_dir: Path, assignments: Iterable[str] = ASSIGNMENTS) -> list[Path]:
    """Write ``out_dir/<assignment>.ipynb`` for each ``source_dir/<assignment>.py`` that exists.

    Raises:
        InstructorError: ``source_dir`` is not a directory, or a file in it
            cannot be converted (a syntax error, no module docstring).

    Example:
        >>> write_notebooks(Path("assignments"), Path("notebooks"))  # doctest: +SKIP
        [PosixPath('notebooks/a01_modules.ipynb'), ...]
    """
    if not source_dir.is_dir():
        raise InstructorError(
            f"source_dir should be a directory of assignment files, but got source_dir={str(source_dir)!r}"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in assignments:
        path = source_dir / f"{name}.py"
        if path.is_file():
            try:
                nb = notebook_from_source(path.read_text(encoding="utf-8"), name)
            except (SyntaxError, ValueError) as exc:
                raise InstructorError(f"{path} cannot be made into a notebook: {exc}") from None
            target = out_dir / f"{name}.ipynb"
            target.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
            written.append(target)
    return written

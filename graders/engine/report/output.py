"""Where the reports write, and how: never over a grading output or a hand-in, atomically, spreadsheet-safe."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InstructorError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # as graders.engine.official.gradebook (which imports torch)


def check_output(*, out: Path, suffix: str, inputs: Path) -> None:
    """Refuse an output file that could overwrite what an input folder holds.

    The report's outputs may go anywhere but into a student's folder of
    ``inputs`` (where results, feedback or hand-ins live), and must end in ``suffix``.

    Raises:
        InstructorError: the output would land in a student's folder, or has another suffix.
    """
    if out.suffix.lower() != suffix:
        raise InstructorError(f"--out should name a {suffix} file, but got {out}")
    if out.exists() and not out.is_file():
        raise InstructorError(f"--out {out} exists and is not a file")
    root, target = inputs.resolve(), out.resolve()
    if target.parent != root and root in target.parents:
        raise InstructorError(
            f"--out {out} is inside a student's folder of {inputs}: write the report elsewhere (nothing was written)"
        )


def write_atomically(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` through a temporary file beside it: a failure leaves any old file whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(content, encoding="utf-8", newline="")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def csv_cell(value: object) -> str:
    """A spreadsheet must never read a cell as a formula."""
    cell = str(value)
    return "'" + cell if cell.startswith(FORMULA_START) else cell

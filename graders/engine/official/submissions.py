"""A class's hand-ins: one folder per student, whitelisted to the exact assignment file names.

Only regular files named exactly ``aNN_name.py`` or ``aNN_name.ipynb`` under a
size cap are graded (``.py`` wins over ``.ipynb``); everything else
(``conftest.py``, a fake ``torch.py``, links, folders) is ignored and named
in the student's feedback. Grading copies the files it takes and never
changes the submission.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..layout import ASSIGNMENTS

SUFFIXES = (".py", ".ipynb")
MAX_FILE = {".py": 2 * 2**20, ".ipynb": 20 * 2**20}
SHOWN_IGNORED = 20


@dataclass
class Submission:
    """One student's whitelisted files."""

    student: str
    root: Path
    files: dict[str, Path] = field(default_factory=dict)  # file name -> path
    notes: list[str] = field(default_factory=list)

    def has(self, assignment: str) -> bool:
        return any(f"{assignment}{s}" in self.files for s in SUFFIXES)


def student_dirs(root: Path) -> list[Path]:
    """The student folders of ``root``, sorted by name (hidden folders and links skipped)."""
    entries = sorted(os.scandir(root), key=lambda e: e.name)
    return [Path(e.path) for e in entries if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")]


def whitelist(student_dir: Path) -> Submission:
    """Exact assignment file names only; regular files, not links; size-capped; .py wins over .ipynb."""
    sub = Submission(student_dir.name, student_dir)
    allowed = {f"{a}{s}" for a in ASSIGNMENTS for s in SUFFIXES}
    ignored = []
    for entry in sorted(os.scandir(student_dir), key=lambda e: e.name):
        st = entry.stat(follow_symlinks=False)
        suffix = Path(entry.name).suffix
        if entry.name not in allowed:
            ignored.append(entry.name)
        elif not stat.S_ISREG(st.st_mode):
            sub.notes.append(f"{entry.name} is not a regular file (a link or a folder) and was not graded")
        elif st.st_size > MAX_FILE[suffix]:
            sub.notes.append(f"{entry.name} is larger than {MAX_FILE[suffix] // 2**20} MiB and was not graded")
        else:
            sub.files[entry.name] = Path(entry.path)
    for a in ASSIGNMENTS:
        if f"{a}.py" in sub.files and f"{a}.ipynb" in sub.files:
            del sub.files[f"{a}.ipynb"]
            sub.notes.append(f"both {a}.py and {a}.ipynb were handed in: {a}.py was graded")
    if ignored:
        more = " ..." if len(ignored) > SHOWN_IGNORED else ""
        sub.notes.append("ignored (not assignment files): " + ", ".join(ignored[:SHOWN_IGNORED]) + more)
    return sub


def copy_files(sub: Submission, dest: Path) -> None:
    """Copy the whitelisted files into a new private folder ``dest`` (never following links)."""
    dest.mkdir(mode=0o700)
    for name, path in sub.files.items():
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as src, open(dest / name, "wb") as out:
            out.write(src.read(MAX_FILE[Path(name).suffix] + 1))

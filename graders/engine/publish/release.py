"""A student release: ``python -m graders release OUT_DIR`` writes a repository without solutions.

The release holds the skeletons (``assignments/``), the student notebooks
(``notebooks/``, which must match the skeletons), the example data
(``data/``), the graders byte for byte (so the goldens' fingerprint matches)
with ``graders/goldens.pt`` recorded from ``reference/`` with the public seed,
the kit's ``requirements.txt``, ``pyproject.toml`` and
``tools/make_example_data.py`` (the docstrings name it), and the files of
``student_repo/``: a student README, ``tox.ini``, ``.gitignore`` and a GitHub
Actions workflow that grades every push. It never holds ``reference/``,
``tests/`` or any other ``tools/``. Inside it, ``pytest graders/`` judges from the
shipped goldens (:class:`..grading.pipeline.Grading` finds them when there is no
``reference/``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..errors import InstructorError
from ..layout import ASSIGNMENTS_DIR, DEFAULT_SEED, KIT_ROOT, NOTEBOOKS_DIR, REFERENCE_DIR, SHIPPED_GOLDENS

SHIPPED_DIRS = ("assignments", "notebooks", "data", "graders")
SHIPPED_FILES = (
    "requirements.txt",
    "pyproject.toml",
    "tools/make_example_data.py",
)  # the docstrings name the generator
TEMPLATE_DIR = KIT_ROOT / "student_repo"
GOLDENS = SHIPPED_GOLDENS.relative_to(KIT_ROOT)  # graders/goldens.pt
JUNK = ("__pycache__", "*.pyc", ".ipynb_checkpoints", ".pytest_cache")


def check_notebooks_current() -> None:
    """Refuse notebooks that differ from a fresh conversion of the skeletons (stale, or solutions)."""
    from .notebook_export import write_notebooks  # nbformat is only needed here

    with tempfile.TemporaryDirectory(prefix="kitnotebooks-") as tmp:
        fresh = {p.name: p.read_bytes() for p in write_notebooks(ASSIGNMENTS_DIR, Path(tmp))}
    shipped = {p.name: p.read_bytes() for p in NOTEBOOKS_DIR.glob("*.ipynb")}
    stale = sorted(n for n in fresh.keys() | shipped.keys() if fresh.get(n) != shipped.get(n))
    if stale:
        raise InstructorError(
            f"notebooks/ does not match assignments/ ({', '.join(stale)}): run `python -m graders notebooks` first"
        )


def _check_destination(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InstructorError(f"OUT_DIR should be a new or empty directory, but {out} exists and is not empty")
    inside = [KIT_ROOT / d for d in (*SHIPPED_DIRS, "reference", "student_repo")]
    if out == KIT_ROOT or out in KIT_ROOT.parents or any(out == d or d in out.parents for d in inside):
        raise InstructorError(
            f"OUT_DIR {out} would overlap the kit's own files; choose a folder outside them (e.g. build/release)"
        )


def build_release(out: Path, reference_dir: Path = REFERENCE_DIR) -> list[Path]:
    """Write the student repository into ``out``; returns the files written, relative to ``out``.

    Raises:
        InstructorError: ``out`` is not new or empty, overlaps the kit, or notebooks/ is stale.
        GraderBug: the reference fails a probe while the goldens are recorded.
    """
    from ..grading.goldens import record

    out = out.resolve()
    _check_destination(out)
    check_notebooks_current()
    with tempfile.TemporaryDirectory(prefix="kitrelease-") as tmp:
        goldens = Path(tmp) / GOLDENS.name
        # before writing anything: a failing reference leaves no release; the quiz is withheld
        record(goldens, seed=DEFAULT_SEED, reference_dir=reference_dir, defer=True)
        _write_release(out, goldens)
    return sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())


def _write_release(out: Path, goldens: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED_DIRS:
        shutil.copytree(KIT_ROOT / name, out / name, ignore=shutil.ignore_patterns(*JUNK))
    (out / GOLDENS).unlink(missing_ok=True)  # never a stray file from the kit: the one recorded now
    for name in SHIPPED_FILES:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(KIT_ROOT / name, out / name)
    shutil.copytree(TEMPLATE_DIR, out, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*JUNK))
    shutil.copyfile(goldens, out / GOLDENS)

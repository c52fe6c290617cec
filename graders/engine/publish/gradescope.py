"""A Gradescope autograder bundle: ``python -m graders gradescope OUT.zip [--goldens FILE | --seed N]``.

The zip holds ``setup.sh`` and ``run_autograder`` (from the kit's
``gradescope/``), the graders, ``goldens.pt`` recorded with a secret seed,
``requirements.txt`` and ``pyproject.toml``; never ``reference/`` or
``tests/``. Gradescope unpacks it in ``/autograder/source``, runs
``setup.sh`` once (installs the requirements, CPU torch) and
``run_autograder`` per submission: it copies the submission's assignment
files into a temporary ``SUBMISSIONS/student/``, grades them with the
official sandboxed grader (``python3 -m graders grade``) and writes
``/autograder/results/results.json``. ``$AUTOGRADER_ROOT`` replaces
``/autograder`` (the kit's tests run it in a temporary folder).
"""

from __future__ import annotations

import secrets
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InstructorError
from ..layout import ASSIGNMENTS, KIT_ROOT, REFERENCE_DIR

if TYPE_CHECKING:
    from ..grading.goldens import Goldens

TEMPLATE_DIR = KIT_ROOT / "gradescope"
SCRIPTS = ("setup.sh", "run_autograder")
KIT_FILES = ("requirements.txt", "pyproject.toml")
GOLDENS = "goldens.pt"
HOMEWORK = "assignments.txt"  # the assignments a bundle grades, when not all: run_autograder passes them on
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # same inputs, same zip bytes


@dataclass
class Bundle:
    """What :func:`build_bundle` wrote."""

    path: Path
    seed: int
    recorded: bool  # the goldens were recorded now (else copied from --goldens)
    files: list[str]
    assignments: tuple[str, ...] = ASSIGNMENTS


def _graders_files() -> list[Path]:
    root = KIT_ROOT / "graders"
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc" and p != root / GOLDENS
    )


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def secret_seed() -> int:
    """A fresh seed for official grading (print it for the instructor's records, never publish it)."""
    return 10_000 + secrets.randbelow(10**9)


def build_bundle(
    out: Path, goldens: Path | None = None, seed: int | None = None, *, assignments: Sequence[str] = ASSIGNMENTS
) -> Bundle:
    """Write the bundle to ``out``: goldens copied from ``goldens`` (verified), else recorded with ``seed``.

    The bundle grades ``assignments`` only (a homework: scores out of their points); when they are not
    all, ``assignments.txt`` in the bundle names them for ``run_autograder``.

    Raises:
        InstructorError: ``goldens`` is missing or does not belong to this kit,
            both ``goldens`` and ``seed`` are given, ``goldens`` lack one of the
            ``assignments``, or the reference fails a probe while recording.
    """
    from ..grading.goldens import Goldens, record

    if goldens is not None and seed is not None:
        raise InstructorError("give --goldens or --seed, not both (goldens carry their own seed)")
    with tempfile.TemporaryDirectory(prefix="kitbundle-") as tmp:
        if goldens is None:
            seed = secret_seed() if seed is None else seed
            goldens = Path(tmp) / GOLDENS
            record(goldens, seed=seed, reference_dir=REFERENCE_DIR, assignments=assignments)
            recorded = True
        else:
            recorded = False
        checked = Goldens(goldens, REFERENCE_DIR)
        _check_covers(checked, assignments)
        entries: list[tuple[str, bytes, bool]] = [(GOLDENS, goldens.read_bytes(), False)]
    if tuple(assignments) != ASSIGNMENTS:
        entries.append((HOMEWORK, (",".join(assignments) + "\n").encode(), False))
    entries += [(name, (TEMPLATE_DIR / name).read_bytes(), True) for name in SCRIPTS]
    entries += [(name, (KIT_ROOT / name).read_bytes(), False) for name in KIT_FILES]
    entries += [(p.relative_to(KIT_ROOT).as_posix(), p.read_bytes(), False) for p in _graders_files()]
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as archive:
        for name, data, executable in sorted(entries):
            _add(archive, name, data, executable)
    return Bundle(out, checked.seed, recorded, sorted(e[0] for e in entries), tuple(assignments))


def _check_covers(goldens: Goldens, assignments: Sequence[str]) -> None:
    from ..checks import all_checks

    lacking = sorted({c.assignment for c in all_checks(assignments) if c.id not in goldens.observations})
    if lacking:
        raise InstructorError(
            f"{goldens.path} has no goldens for {', '.join(lacking)}; record them "
            f"(`python -m graders record --assignments {','.join(assignments)} --seed SECRET`)"
        )

"""Golden files: the reference's observations, recorded once, judged against later.

``python -m graders record`` runs every probe on ``reference/`` and saves
the observations with ``torch.save``; ``--goldens FILE`` judges from such a
file instead of running the reference, with identical results. A golden
file is loaded with ``weights_only=True`` (plain data only) and carries the
seed it was recorded with, the kit's version and a fingerprint of the
graders, so goldens that no longer match the kit fail loudly instead of
grading wrongly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import torch

from ... import __version__
from ..checks import Check, all_checks
from ..errors import GraderBug, InstructorError
from ..layout import ASSIGNMENTS, REFERENCE_DIR
from ..loading.implementation import Implementation
from ..observations import Observed, deferred
from .isolation import configure_torch, observe

FORMAT = 1
GRADERS_DIR = Path(__file__).resolve().parents[2]
RECORD_AGAIN = "re-record it with `python -m graders record`"


def fingerprint(graders_dir: Path = GRADERS_DIR) -> str:
    """A hash of every ``.py`` file below ``graders_dir`` (graders and engine, or a reference):
    what the goldens belong to."""
    digest = hashlib.sha256()
    for path in sorted(graders_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(graders_dir).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def observe_reference(checks: Iterable[Check], reference_dir: Path, seed: int, defer: bool = False) -> dict[str, Any]:
    """Observe every check on the reference: the contents of a golden file.

    With ``defer``, checks declared ``deferred`` (the quiz) get a marker instead
    of their observation: a student release then cannot judge (nor brute-force) them.

    Raises:
        GraderBug: when the reference fails a probe.
    """
    impl = Implementation(reference_dir, "reference")
    observations: dict[str, Any] = {}
    for check in checks:
        seen = observe(check, impl, seed)
        if seen.status != "ok":
            raise GraderBug.reference_failed(check.id, seen.status, seen.message)
        observations[check.id] = deferred() if defer and check.deferred else seen.value
    return {
        "format": FORMAT,
        "seed": seed,
        "kit_version": __version__,
        "fingerprint": fingerprint(),
        "reference_fingerprint": fingerprint(reference_dir),
        "observations": observations,
    }


def record(
    out: Path,
    *,
    seed: int,
    reference_dir: Path = REFERENCE_DIR,
    assignments: Iterable[str] = ASSIGNMENTS,
    defer: bool = False,
) -> int:
    """Record the goldens of ``assignments`` from ``reference_dir`` into ``out``; returns how many checks.

    Every command that records goldens (``record``, ``grade``, ``release``,
    ``gradescope``) calls this one function. Nothing is written when the
    reference fails a check. ``defer`` withholds the deferred checks'
    observations (a student release).

    Raises:
        GraderBug: the reference fails a probe.
    """
    configure_torch()
    checks = all_checks(assignments)
    save(observe_reference(checks, reference_dir, seed, defer), out)
    return len(checks)


def save(data: dict[str, Any], path: Path) -> None:
    """Write golden data (from :func:`observe_reference`) to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(data, path)


class Goldens:
    """Reference observations read from a recorded file.

    Args:
        path: a file written by :func:`save`.
        reference_dir: when this directory exists, the goldens must have been
            recorded from exactly its files.

    Raises:
        InstructorError: the file does not exist, is not a golden file, or
            was recorded by another version of the kit, for other graders or
            another reference.
    """

    def __init__(self, path: Path, reference_dir: Path | None = None) -> None:
        if not path.is_file():
            raise InstructorError(
                f"goldens file {path} does not exist; record one with `python -m graders record --out {path}`"
            )
        try:
            data = torch.load(path, weights_only=True)
        except Exception as exc:
            raise InstructorError(f"{path} is not a golden file readable as plain data: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("observations"), dict):
            raise InstructorError(f"{path} is not a golden file of format {FORMAT}; {RECORD_AGAIN}")
        if data.get("kit_version") != __version__:
            raise InstructorError(
                f"{path} was recorded by kit version {data.get('kit_version')}, but these graders are version "
                f"{__version__}; "
                f"{RECORD_AGAIN} (or rebuild the release)"
            )
        if data.get("fingerprint") != fingerprint():
            raise InstructorError(
                f"{path} was recorded for other graders (fingerprint {data.get('fingerprint')}, "
                f"these graders are {fingerprint()}); {RECORD_AGAIN}"
            )
        if (
            reference_dir is not None
            and reference_dir.is_dir()
            and data.get("reference_fingerprint") != fingerprint(reference_dir)
        ):
            raise InstructorError(f"{path} was recorded from another version of {reference_dir}; {RECORD_AGAIN}")
        self.path = path
        self.seed: int = int(data["seed"])
        self.observations: dict[str, Any] = data["observations"]

    def get(self, check: Check) -> Observed:
        if check.id not in self.observations:
            raise GraderBug(f"{self.path} has no observation for {check.id}; {RECORD_AGAIN}")
        return Observed("ok", self.observations[check.id])

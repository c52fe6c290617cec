"""Grading as plain functions: the pipeline the pytest plugin, the CLI and the kit's tests share.

:class:`Grading` ties a submission, a source of reference observations (live
``reference/`` or a golden file) and a seed together; ``grade_check`` probes
the submission and judges it. :func:`grade` does a whole run without pytest.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Iterable, Protocol

import torch

from .checks import Check, collect
from .goldens import Goldens
from .judging import Outcome, judge
from .layout import ASSIGNMENTS, DEFAULT_SEED, REFERENCE_DIR, SHIPPED_GOLDENS
from .loading import Namespace
from .probing import Observed, observe



class ReferenceSource(Protocol):
    def get(self, check: Check) -> Observed: ...


class LiveReference:
    """Reference observations computed by running ``reference/`` in this process."""

    def __init__(self, root: Path, seed: int) -> None:
        self.ns = Namespace(root, "reference")
        self.seed = seed
        self._cache: dict[str, Observed] = {}

    def get(self, check: Check) -> Observed:
        if check.id not in self._cache:
            self._cache[check.id] = observe(check, self.ns, self.seed)
        return self._cache[check.id]


def configure_torch() -> None:
    """One intra-op thread: tensors are small and graders may run side by side."""
    torch.set_num_threads(1)


class Grading:
    """One submission graded against one reference source.

    Args:
        impl: the submission directory.
        seed: the run's seed; ignored when ``goldens`` is given (theirs is used).
        goldens: a recorded golden file instead of running ``reference/``;
            without one and without ``reference_dir`` (a student release),
            the goldens shipped in ``graders/goldens.pt``.
        reference_dir: where the live reference lives.
        reference: an existing live reference to share (its seed is used).

    Raises:
        FileNotFoundError: ``impl`` is not a directory, or there is neither a
            reference nor goldens to judge against.
        ValueError: ``seed`` differs from the goldens' seed.
    """

    def __init__(
        self,
        impl: Path,
        seed: int | None = None,
        goldens: Path | None = None,
        reference_dir: Path = REFERENCE_DIR,
        reference: LiveReference | None = None,
    ) -> None:
        if not impl.is_dir():
            raise FileNotFoundError(f"--impl should be a directory holding assignment files, but got {impl} (not a directory)")
        self.student = Namespace(impl)
        self.reference: ReferenceSource
        if goldens is None and reference is None and not reference_dir.is_dir():
            if not SHIPPED_GOLDENS.is_file():
                raise FileNotFoundError(f"there is no reference ({reference_dir}) to judge against and no recorded goldens ({SHIPPED_GOLDENS}); pass --goldens FILE")
            goldens = SHIPPED_GOLDENS
        if goldens is not None:
            recorded = Goldens(goldens, reference_dir)
            if seed is not None and seed != recorded.seed:
                raise ValueError(f"--seed {seed} differs from the seed {recorded.seed} the goldens {goldens} were recorded with")
            self.seed = recorded.seed
            self.reference = recorded
        elif reference is not None:
            self.seed = reference.seed
            self.reference = reference
        else:
            self.seed = DEFAULT_SEED if seed is None else seed
            self.reference = LiveReference(reference_dir, self.seed)
        configure_torch()

    def grade_check(self, check: Check) -> Outcome:
        return judge(check, observe(check, self.student, self.seed), self.reference.get(check))


def grader_modules(assignments: Iterable[str] = ASSIGNMENTS) -> list:
    """Import the grader module of each assignment that has one."""
    modules = []
    for name in assignments:
        try:
            modules.append(importlib.import_module(f"graders.test_{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"graders.test_{name}":
                raise
    return modules


def all_checks(assignments: Iterable[str] = ASSIGNMENTS) -> list[Check]:
    return collect(grader_modules(assignments))


def grade(
    impl: Path,
    assignments: Iterable[str] = ASSIGNMENTS,
    *,
    seed: int | None = None,
    goldens: Path | None = None,
    reference_dir: Path = REFERENCE_DIR,
    reference: LiveReference | None = None,
) -> list[Outcome]:
    """Grade ``impl`` on every check of ``assignments``, without pytest.

    Example:
        >>> outcomes = grade(Path("reference"), ["a01_modules"])  # doctest: +SKIP
        >>> all(o.passed for o in outcomes)  # doctest: +SKIP
        True
    """
    grading = Grading(impl, seed=seed, goldens=goldens, reference_dir=reference_dir, reference=reference)
    return [grading.grade_check(c) for c in all_checks(assignments)]

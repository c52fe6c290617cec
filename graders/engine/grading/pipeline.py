"""Grading one submission as plain functions: the pipeline that self-check, the CLI and the kit's tests share.

:class:`Grading` ties a submission, a source of reference observations (live
``reference/`` or a golden file) and a seed together; ``grade_check`` probes
the submission and judges it. :func:`grade` does a whole run without pytest.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from ..checks import Check, all_checks
from ..errors import InstructorError
from ..layout import ASSIGNMENTS, DEFAULT_SEED, REFERENCE_DIR, SHIPPED_GOLDENS
from ..learner.hints import HintPolicy
from ..loading.implementation import Implementation
from ..observations import Observed
from . import standins
from .goldens import Goldens
from .isolation import configure_torch, observe
from .outcomes import NO_ADVICE, Outcome, block_on_prerequisites, judge


class ReferenceSource(Protocol):
    def get(self, check: Check) -> Observed: ...


class LiveReference:
    """Reference observations computed by running ``reference/`` in this process."""

    def __init__(self, root: Path, seed: int) -> None:
        self.impl = Implementation(root, "reference")
        self.seed = seed
        self._cache: dict[str, Observed] = {}

    def get(self, check: Check) -> Observed:
        if check.id not in self._cache:
            self._cache[check.id] = observe(check, self.impl, self.seed)
        return self._cache[check.id]


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
        hints: which hint level a failing check shows (default: level 1).

    Raises:
        InstructorError: ``impl`` is not a directory, there is neither a
            reference nor goldens to judge against, the goldens do not belong
            to this kit, or ``seed`` differs from the goldens' seed.
    """

    def __init__(
        self,
        impl: Path,
        seed: int | None = None,
        goldens: Path | None = None,
        reference_dir: Path = REFERENCE_DIR,
        reference: LiveReference | None = None,
        hints: HintPolicy | None = None,
    ) -> None:
        self.hints = hints or HintPolicy()
        self.graded: dict[str, Outcome] = {}
        if not impl.is_dir():
            raise InstructorError(
                f"--impl should be a directory holding assignment files, but got {impl} (not a directory)"
            )
        self.student = Implementation(impl)
        self.reference: ReferenceSource
        if goldens is None and reference is None and not reference_dir.is_dir():
            if not SHIPPED_GOLDENS.is_file():
                raise InstructorError(
                    f"there is no reference ({reference_dir}) to judge against and no recorded goldens "
                    f"({SHIPPED_GOLDENS}); pass --goldens FILE"
                )
            goldens = SHIPPED_GOLDENS
        if goldens is not None:
            recorded = Goldens(goldens, reference_dir)
            if seed is not None and seed != recorded.seed:
                raise InstructorError(
                    f"--seed {seed} differs from the seed {recorded.seed} the goldens {goldens} were recorded with"
                )
            self.seed = recorded.seed
            self.reference = recorded
        elif reference is not None:
            self.seed = reference.seed
            self.reference = reference
        else:
            self.seed = DEFAULT_SEED if seed is None else seed
            self.reference = LiveReference(reference_dir, self.seed)
        configure_torch()
        standins.install()  # torch.optim and backward(g) would import torch._dynamo and sympy (1.2 s) for trivial calls

    def grade_check(self, check: Check) -> Outcome:
        """Probe and judge ``check``: its hint level unlocked, and marked when a check it builds on failed.

        The checks it builds on are graded first when they have not been (another order, ``-k``): a
        check's outcome never depends on which checks ran before it. Each check is graded once.
        """
        if check.id in self.graded:
            return self.graded[check.id]
        for name in check.builds_on:
            if f"{check.assignment}::{name}" not in self.graded:
                self.grade_check(next(c for c in all_checks([check.assignment]) if c.name == name))
        outcome = judge(check, observe(check, self.student, self.seed), self.reference.get(check), hint_level=0)
        if not outcome.passed and outcome.status not in NO_ADVICE:
            outcome.hint_level = self.hints.level(check, self.code_digest(check))
        block_on_prerequisites(outcome, check, self.graded)
        self.graded[check.id] = outcome
        return outcome

    def code_digest(self, check: Check) -> str:
        """A digest of the student's code for ``check``'s task (a new attempt changes it)."""
        return self.student.load(check.assignment).bodies.digest_of(check.functions)


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

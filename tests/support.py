"""Helpers of the kit's own tests: build submissions from the reference with edits."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from graders.engine.grading.outcomes import Outcome
from graders.engine.layout import ASSIGNMENTS, ASSIGNMENTS_DIR, KIT_ROOT, REFERENCE_DIR

__all__ = ["ASSIGNMENTS", "ASSIGNMENTS_DIR", "KIT_ROOT", "REFERENCE_DIR", "Variant", "mutant", "alternative", "by_name"]


@dataclass(frozen=True)
class Variant:
    """A submission made from the reference by exact text edits.

    Attributes:
        assignment: the file edited, e.g. ``"a01_modules"``.
        name: a short id for test ids.
        edits: ``(old, new)`` pairs; each ``old`` must occur exactly once.
        fails: checks (probe names) that must lose points; empty for a valid
            alternative, which must keep full marks.
        concept: text that each failing check's message must contain.
    """

    assignment: str
    name: str
    edits: tuple[tuple[str, str], ...]
    fails: tuple[str, ...] = ()
    concept: str = ""

    @property
    def id(self) -> str:
        return f"{self.assignment}:{self.name}"

    def source(self) -> str:
        text = (REFERENCE_DIR / f"{self.assignment}.py").read_text(encoding="utf-8")
        for old, new in self.edits:
            count = text.count(old)
            if count != 1:
                raise AssertionError(
                    f"variant {self.id}: edit target occurs {count} times in the reference, expected once:\n{old}"
                )
            text = text.replace(old, new)
        return text

    def build(self, dest: Path) -> Path:
        """Write the submission into ``dest`` (other assignments: the reference's files)."""
        dest.mkdir(parents=True, exist_ok=True)
        for name in ASSIGNMENTS:
            if name != self.assignment and (REFERENCE_DIR / f"{name}.py").exists():
                shutil.copy(REFERENCE_DIR / f"{name}.py", dest / f"{name}.py")
        (dest / f"{self.assignment}.py").write_text(self.source(), encoding="utf-8")
        return dest


def mutant(assignment: str, name: str, *edits: tuple[str, str], fails: tuple[str, ...] | str, concept: str) -> Variant:
    """A realistic buggy submission that must lose points on ``fails`` with ``concept`` in the message."""
    fails = (fails,) if isinstance(fails, str) else tuple(fails)
    if not fails or not concept:
        raise ValueError(f"mutant {assignment}:{name} should name the checks it fails and the concept")
    return Variant(assignment, name, tuple(edits), fails, concept)


def alternative(assignment: str, name: str, *edits: tuple[str, str]) -> Variant:
    """A valid solution written differently from the reference: must keep full marks."""
    return Variant(assignment, name, tuple(edits))


def by_name(outcomes: list[Outcome]) -> dict[str, Outcome]:
    return {o.check_id.split("::", 1)[1]: o for o in outcomes}


def load_reference(stem: str) -> ModuleType:
    """``reference/<stem>.py`` imported by path under a private name (never ``assignments/``), once."""
    name = f"_kit_reference_{stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REFERENCE_DIR / f"{stem}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module

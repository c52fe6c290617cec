"""Buggy and alternative submissions, one module per assignment.

Each module defines ``MUTANTS`` (realistic mistakes: each must lose points
on the named checks, with the concept in the message) and ``ALTERNATIVES``
(valid solutions written differently: each must keep full marks).
"""

from __future__ import annotations

import importlib
import pkgutil

from tests.support import Variant


def _modules():
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        yield importlib.import_module(f"{__name__}.{info.name}")


MUTANTS: list[Variant] = [v for m in _modules() for v in getattr(m, "MUTANTS", [])]
ALTERNATIVES: list[Variant] = [v for m in _modules() for v in getattr(m, "ALTERNATIVES", [])]

"""The grading engine: probe and judge.

Grader files import what they need from here::

    from graders.engine import Tolerance, check, Mismatch

Names are imported on first use (PEP 562), so that light modules such as
``graders.engine.workers`` and the command line start without torch. (The
function ``compare`` shares its module's name, so import it from
``graders.engine.compare``.)
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Check": "checks",
    "check": "checks",
    "Mismatch": "compare",
    "Tolerance": "compare",
    "compare_tensors": "compare",
    "describe": "observations",
    "is_raised": "observations",
    "raised": "observations",
    "Probe": "probing",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)

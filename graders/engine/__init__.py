"""The grading engine: probe and judge.

Its top level is the authoring API that grader files use: :mod:`.checks`
(declaring a check), :mod:`.probes` (the ``Probe`` handle and shared probe
helpers), :mod:`.observations`, :mod:`.compare` and :mod:`.judges` (judging),
:mod:`.shortcuts` (forbidden facilities), :mod:`.audit` (counting file reads)
and :mod:`.diagnose` (plain-language explanations of torch errors). Grader
files import what they need from here::

    from graders.engine import Tolerance, check, Mismatch

The rest lives in one sub-package per concern: :mod:`.loading` (importing a
student's files and notebooks), :mod:`.grading` (running probes, judging,
goldens, reports), :mod:`.selfcheck` (the pytest plugin), :mod:`.official`
(class grading in the sandbox), :mod:`.publish` (student release, Gradescope
bundle, notebook export); :mod:`.cli` is ``python -m graders``.

Names are imported on first use (PEP 562), so that light modules such as
``graders.engine.official.zygote_client`` and the command line start without
torch. (The function ``compare`` shares its module's name, so import it from
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
    "Probe": "probes",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)

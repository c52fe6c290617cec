"""A stand-in for ``torch._dynamo`` in grading workers, which never compile.

``torch.optim`` imports ``torch._dynamo`` at the first optimizer call only to call
``graph_break()`` and ``disable(fn)``, and both do nothing outside ``torch.compile``.
The real module costs about 0.8 s to import and 70 MB of memory that every
forked child then copies page tables for. :func:`install` puts
:class:`EagerDynamo` in its place: those two functions are no-ops, and any other
attribute (``torch.compile`` in student code, a submodule import) imports the real
module, so nothing that needs it breaks, it only pays the import then.

Every grading process installs it before the first optimizer runs: the official
workers (:mod:`..official.zygote_server`), and self-check, ``watch`` and the other
in-process graders (:class:`.pipeline.Grading`). ``tests/test_dynamo_standin.py``
checks that optimizers step identically with it and that ``torch.compile`` still works.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable
from typing import Any

NAME = "torch._dynamo"


class EagerDynamo(types.ModuleType):
    """``graph_break`` and ``disable`` as eager mode runs them; everything else from the real module."""

    @staticmethod
    def graph_break(msg: str = "") -> None:
        return None

    @staticmethod
    def disable(fn: Callable | None = None, recursive: bool = True, **kwargs: Any) -> Callable:
        return fn if fn is not None else (lambda f: f)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name != "__path__":  # inspect/pickle probing modules: not worth 0.8 s
            raise AttributeError(name)
        return getattr(real_dynamo(), name)


def install() -> None:
    """Put the stand-in in ``sys.modules`` (before anything imports the real module)."""
    import torch

    if NAME in sys.modules:
        return
    sys.modules[NAME] = torch._dynamo = EagerDynamo(NAME)


def real_dynamo() -> types.ModuleType:
    """Replace the stand-in by the real module, imported now."""
    import torch

    if isinstance(sys.modules.get(NAME), EagerDynamo):
        del sys.modules[NAME]
    module = importlib.import_module(NAME)
    torch._dynamo = module
    return module

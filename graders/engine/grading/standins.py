"""Stand-ins for two torch modules that eager grading imports for a few trivial calls.

* ``torch.optim`` imports ``torch._dynamo`` at the first optimizer call only to call
  ``graph_break()`` and ``disable(fn)``, which do nothing outside ``torch.compile``.
  The real module costs about 0.8 s to import and 70 MB of memory that every forked
  child then copies page tables for.
* ``tensor.backward(gradient)`` imports ``torch.fx.experimental.symbolic_shapes``
  (and with it sympy, about 0.4 s) to call ``sym_eq`` and ``expect_true`` on the
  tensor's shape, which are ``==`` and the identity when shapes are plain ints.

Each :class:`StandIn` answers those calls as eager mode runs them, and hands any
other attribute (``torch.compile`` in student code, a symbolic shape, a submodule
import) to the real module, imported then: nothing that needs it breaks, it only
pays the import when it happens.

Every grading process calls :func:`install` before the first optimizer or backward
runs: the official workers (:mod:`..official.zygote_server`), and self-check,
``watch`` and the other in-process graders (:class:`.pipeline.Grading`).
``tests/test_standins.py`` checks that optimizers and backward give identical
results with them and that the real modules still load when needed.
"""

from __future__ import annotations

import functools
import importlib
import operator
import sys
import types
from collections.abc import Callable
from typing import Any


class StandIn(types.ModuleType):
    """A module whose own methods answer eagerly; every other attribute comes from the real module."""

    package = False  # a package's submodules are imported through the real __path__

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and not (name == "__path__" and self.package):  # inspect, pickle, import probing
            raise AttributeError(name)
        return getattr(real_module(self.__name__), name)


class EagerDynamo(StandIn):
    """``torch._dynamo``: ``graph_break`` and ``disable`` as eager mode runs them."""

    package = True

    @staticmethod
    def graph_break(msg: str = "") -> None:
        return None

    @staticmethod
    def disable(fn: Callable | None = None, recursive: bool = True, **kwargs: Any) -> Callable:
        return fn if fn is not None else (lambda f: f)


class EagerShapes(StandIn):
    """``torch.fx.experimental.symbolic_shapes``: ``sym_eq`` and ``expect_true`` on plain ints and bools."""

    @staticmethod
    def sym_eq(x: Any, y: Any) -> Any:
        if isinstance(x, (tuple, list)) and isinstance(y, (tuple, list)):
            return len(x) == len(y) and functools.reduce(operator.and_, map(EagerShapes.sym_eq, x, y), True)
        if type(x) is int and type(y) is int:
            return x == y
        return real_module(SHAPES).sym_eq(x, y)

    @staticmethod
    def expect_true(a: Any, skip: int = 0) -> bool:
        if type(a) is bool:
            return a
        return real_module(SHAPES).expect_true(a, skip + 1)


DYNAMO = "torch._dynamo"
SHAPES = "torch.fx.experimental.symbolic_shapes"
STAND_INS: dict[str, type[StandIn]] = {DYNAMO: EagerDynamo, SHAPES: EagerShapes}


def install() -> None:
    """Put the stand-ins in ``sys.modules`` (each only before anything imported the real module)."""
    import torch  # noqa: F401 (the parents of both modules)

    for name, stand_in in STAND_INS.items():
        if name not in sys.modules:
            parent, _, child = name.rpartition(".")
            sys.modules[name] = module = stand_in(name)
            setattr(sys.modules[parent], child, module)


def real_module(name: str) -> types.ModuleType:
    """Replace the stand-in for ``name`` by the real module, imported now."""
    if isinstance(sys.modules.get(name), StandIn):
        del sys.modules[name]
    module = importlib.import_module(name)
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, module)
    return module

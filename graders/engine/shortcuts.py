"""Forbidden shortcuts, detected while a probe runs.

An exercise that re-implements a torch facility may not call it. A check
names the shortcuts it forbids (``forbid=("F.linear",)``); while its probe
runs, :func:`guard` watches torch functions through a ``TorchFunctionMode``
(which sees a call however it was imported) and replaces the forbidden
Python-level entry points (classes' methods, functional forms) by tripwires.
A tripped wire raises :class:`ShortcutUsed`, a ``BaseException`` so that a
student's ``except Exception`` cannot swallow it; the check then reports
"implement it yourself", not a wrong answer.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from torch.overrides import TorchFunctionMode


class ShortcutUsed(BaseException):
    """Student code called something its exercise forbids.

    Args:
        what: the facility, as the message names it.
        did: the verb before it ("called"; a probe that sees a replaced method says "replaced").
        instead: what the exercise asks for instead (default: writing it from scratch).
    """

    def __init__(self, what: str, *, did: str = "called", instead: str = "") -> None:
        super().__init__(what)
        self.did = did
        self.instead = instead


@dataclass(frozen=True)
class Shortcut:
    """A forbidden facility.

    Attributes:
        what: how the message names it.
        torch_functions: dotted names of torch functions watched by the mode.
        tripwires: ``"module:Attr.attr"`` or ``"module:attr"`` entry points
            replaced while the probe runs.
    """

    what: str
    torch_functions: tuple[str, ...] = ()
    tripwires: tuple[str, ...] = ()


SHORTCUTS: dict[str, Shortcut] = {
    "F.linear": Shortcut(
        "torch.nn.functional.linear (nn.Linear calls it too)",
        torch_functions=("torch.nn.functional.linear",),
    ),
    "torch.optim.SGD": Shortcut(
        "torch.optim.SGD or its functional form",
        tripwires=(
            "torch.optim.sgd:SGD.step",
            "torch.optim.sgd:sgd",
            "torch.optim.sgd:_single_tensor_sgd",
            "torch.optim.sgd:_multi_tensor_sgd",
            "torch.optim.sgd:_fused_sgd",
        ),
    ),
    "torch.optim.Adam": Shortcut(
        "torch.optim.Adam/AdamW or their functional forms",
        tripwires=(
            "torch.optim.adam:Adam.step",
            "torch.optim.adamw:AdamW.step",
            "torch.optim.adam:adam",
            "torch.optim.adamw:adamw",
            "torch.optim.adam:_single_tensor_adam",
            "torch.optim.adam:_multi_tensor_adam",
            "torch.optim.adam:_fused_adam",
        ),
    ),
    "autograd": Shortcut(
        "autograd (backward() or torch.autograd.grad)",
        tripwires=("torch.autograd:backward", "torch.autograd:grad", "torch:Tensor.backward"),
    ),
    "pad_sequence": Shortcut(
        "torch.nn.utils.rnn.pad_sequence",
        torch_functions=("torch.nn.utils.rnn.pad_sequence", "torch._C._nn.pad_sequence"),
        tripwires=("torch.nn.utils.rnn:pad_sequence",),
    ),
    "torch samplers": Shortcut(
        "torch.utils.data's own samplers",
        tripwires=tuple(
            f"torch.utils.data.sampler:{cls}.{meth}"
            for cls in ("SequentialSampler", "RandomSampler", "BatchSampler", "WeightedRandomSampler")
            for meth in ("__iter__", "__len__")
        )
        + (
            "torch.utils.data.distributed:DistributedSampler.__iter__",
            "torch.utils.data.distributed:DistributedSampler.__len__",
        ),
    ),
}


def _resolve(dotted: str) -> Any:
    module_name, _, attr = dotted.rpartition(".")
    obj: Any = importlib.import_module(module_name)
    return getattr(obj, attr)


def _owner_and_attr(spec: str) -> tuple[Any, str]:
    module_name, _, path = spec.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, attr = path.split(".")
    for part in parents:
        owner = getattr(owner, part)
    return owner, attr


class _Watch(TorchFunctionMode):
    def __init__(self, watched: dict[Any, str]) -> None:
        super().__init__()
        self.watched = watched

    def __torch_function__(self, func: Callable, types: Any, args: Sequence = (), kwargs: dict | None = None) -> Any:
        what = self.watched.get(func)
        if what is not None:
            raise ShortcutUsed(what)
        return func(*args, **(kwargs or {}))


def _tripwire(what: str) -> Callable[..., Any]:
    def tripped(*args: Any, **kwargs: Any) -> Any:
        raise ShortcutUsed(what)

    return tripped


_INHERITED = object()


def _restore(owner: Any, attr: str, original: Any) -> None:
    """Put back what ``owner`` had itself; an attribute it only inherited is deleted again."""
    if original is _INHERITED:
        delattr(owner, attr)
    else:
        setattr(owner, attr, original)


@contextmanager
def guard(names: Sequence[str]) -> Iterator[None]:
    """Raise :class:`ShortcutUsed` when code inside calls a forbidden facility.

    Args:
        names: keys of :data:`SHORTCUTS`.

    Raises:
        KeyError: for an unknown shortcut name (a grader bug).
    """
    if not names:
        yield
        return
    shortcuts = [SHORTCUTS[n] for n in names]
    watched = {_resolve(f): s.what for s in shortcuts for f in s.torch_functions}
    with ExitStack() as stack:
        for shortcut in shortcuts:
            for spec in shortcut.tripwires:
                owner, attr = _owner_and_attr(spec)
                stack.callback(_restore, owner, attr, vars(owner).get(attr, _INHERITED))
                setattr(owner, attr, _tripwire(shortcut.what))
        if watched:
            stack.enter_context(_Watch(watched))
        yield


def explain(exc: ShortcutUsed) -> str:
    if exc.instead:
        return f"implement it yourself: your code {exc.did} {exc}; {exc.instead}"
    return (
        f"implement it yourself: your code {exc.did} {exc}, which this exercise asks you to write "
        "from scratch. Grading stopped at that call; replace it with your own computation."
    )

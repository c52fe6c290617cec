"""Probe helpers shared by several graders: what a module registered, fixed
weights for a layer, statistics of a random initialisation, spies.

Probes return observations; these helpers only build them.
"""

from __future__ import annotations

import inspect
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import torch
from torch import nn

from .judges import absolute, between, keywise, relative
from .observations import is_raised, returned


def registry(module: nn.Module) -> dict[str, Any]:
    """What a module registered: parameter names/shapes, buffers, state_dict keys."""
    return {
        "named_parameters() names and shapes": [(n, tuple(p.shape)) for n, p in module.named_parameters()],
        "every parameter is an nn.Parameter": all(isinstance(p, nn.Parameter) for p in module.parameters()),
        "named_buffers() names": [n for n, _ in module.named_buffers()],
        "state_dict() keys": list(module.state_dict().keys()),
    }


def set_linear(layer: nn.Module, weight: torch.Tensor, bias: torch.Tensor | None) -> None:
    """Give a linear layer fixed weights, so outputs compare exactly with the reference's."""
    with torch.no_grad():
        layer.weight.copy_(weight)
        if bias is not None:
            layer.bias.copy_(bias)


def uniform_init_stats(p: Any, label: str, factory: Callable[[int, int], nn.Module]) -> dict[str, float]:
    """Statistics of a layer's weight and bias in units of k = 1/sqrt(in_features), for two sizes."""
    obs: dict[str, float] = {}
    for n_in, n_out in ((16, 400), (100, 200)):
        layer = p.call(f"{label}({n_in}, {n_out})", factory, n_in, n_out)
        k = n_in**-0.5
        for name in ("weight", "bias"):
            values = getattr(layer, name).detach().double() / k
            obs[f"{label}({n_in}, {n_out}).{name}: max |value| / k"] = float(values.abs().max())
            obs[f"{label}({n_in}, {n_out}).{name}: std / k"] = float(values.std())
            obs[f"{label}({n_in}, {n_out}).{name}: mean / k"] = float(values.mean())
    return obs


UNIFORM_INIT_RULES = (
    ("max |value|", between(0.9, 1.0 + 1e-6, "values fill [-k, k] and never leave it")),
    ("std / k", relative(0.15)),
    ("mean / k", absolute(0.15, "centred on 0")),
)
uniform_init_judge = keywise(*UNIFORM_INIT_RULES)


def expect_raise(p: Any, where: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The exception ``fn`` raised, or a 'returned normally' marker (a clearer message than the returned value)."""
    result = p.attempt(where, fn, *args, **kwargs)
    return result if is_raised(result) else returned(result)


@contextmanager
def spy_static(cls: type, name: str) -> Iterator[list[int]]:
    """Count calls of static method ``cls.name`` inside the block; the original is restored after.

    Example:
        >>> with spy_static(m.LinearFunction, "backward") as calls:  # doctest: +SKIP
        ...     loss.backward()
        >>> len(calls)  # doctest: +SKIP
        1
    """
    had_own = name in vars(cls)
    original = inspect.getattr_static(cls, name)
    fn = getattr(cls, name)
    calls: list[int] = []

    def spy(*args: Any) -> Any:
        calls.append(1)
        return fn(*args)

    setattr(cls, name, staticmethod(spy))
    try:
        yield calls
    finally:
        if had_own:
            setattr(cls, name, original)
        else:
            delattr(cls, name)

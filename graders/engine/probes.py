"""What a probe works with: the :class:`Probe` handle (seeded inputs, call labels) and
helpers shared by several graders (what a module registered, fixed weights for a
layer, statistics of a random initialisation, expected errors, spies).

Probes return observations; these helpers only build them.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from torch import nn

from .judges import absolute, between, keywise, relative
from .observations import is_raised, raised, returned


def derive_seed(seed: int, key: str) -> int:
    """A 63-bit seed from the run's seed and a string key, stable across processes."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


class NotAttempted(Exception):
    """Raised by a probe when the student left the task untouched (e.g. a quiz answer still None)."""


class Probe:
    """What a probe gets besides the implementation: seeded inputs and call labels.

    Args:
        seed: the probe's own seed (already derived from the run's seed).

    Example:
        >>> p = Probe(7)
        >>> x = p.randn(2, 3)          # same values for the same seed
        >>> p.call("Linear(3, 4)", dict)  # labels the call for messages
        {}
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.where = ""
        self._streams = 0

    def generator(self) -> torch.Generator:
        """A fresh ``torch.Generator``; each call gives a different stream."""
        self._streams += 1
        return torch.Generator().manual_seed(derive_seed(self.seed, f"stream{self._streams}"))

    def randn(self, *shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        return torch.randn(*shape, generator=self.generator(), dtype=dtype)

    def rand(self, *shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        return torch.rand(*shape, generator=self.generator(), dtype=dtype)

    def randint(self, low: int, high: int, shape: tuple[int, ...]) -> torch.Tensor:
        return torch.randint(low, high, shape, generator=self.generator())

    def integer(self, low: int, high: int) -> int:
        """One integer drawn uniformly from ``[low, high)``: a seed, an index, a count.

        Example:
            >>> seed = Probe(7).integer(0, 100_000)  # the same for the same probe seed
        """
        return int(self.randint(low, high, (1,)))

    def numpy_rng(self) -> np.random.Generator:
        self._streams += 1
        return np.random.default_rng(derive_seed(self.seed, f"np{self._streams}"))

    def call(self, where: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call ``fn`` and remember ``where`` to name it if it raises."""
        self.where = where
        return fn(*args, **kwargs)

    def not_attempted(self, why: str) -> None:
        """Stop the probe: the task is untouched (``why`` is shown to the student)."""
        raise NotAttempted(why)

    def attempt(self, where: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call ``fn``; an exception it raises becomes an observation.

        ``NotImplementedError`` still propagates (the work is not attempted).
        """
        return self.attempt_with_exception(where, fn, *args, **kwargs)[0]

    def attempt_with_exception(
        self, where: str, fn: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> tuple[Any, Exception | None]:
        """Like :meth:`attempt`, and also the exception itself (``None`` when ``fn`` returned)."""
        self.where = where
        try:
            return fn(*args, **kwargs), None
        except NotImplementedError:
            raise
        except Exception as exc:
            return raised(exc), exc


def registry(module: nn.Module) -> dict[str, Any]:
    """What a module registered: each parameter's shape by name, buffer names, state_dict keys.

    The order of registration is not observed (no docstring fixes it): names map to
    shapes and name lists are sorted. Indices inside names (``layers.0.weight``)
    still tell a ModuleList's order.
    """
    return {
        "named_parameters(): shape by name": {n: tuple(p.shape) for n, p in module.named_parameters()},
        "every parameter is an nn.Parameter": all(isinstance(p, nn.Parameter) for p in module.parameters()),
        "named_buffers() names": sorted(n for n, _ in module.named_buffers()),
        "state_dict() keys": sorted(module.state_dict().keys()),
    }


def layer_with(p: Probe, cls: type, weight: torch.Tensor, bias: torch.Tensor | None, label: str) -> nn.Module:
    """An instance of the student's layer class holding ``weight`` and ``bias`` as new Parameters.

    Built by the student's ``__init__``; when that raises (or nn.Module's own
    ``__init__`` never ran), built without it, so that forward is graded on its
    own. ``bias=None`` builds the layer with ``bias=False`` and leaves its bias
    as the student's code made it.
    """
    n_out, n_in = weight.shape
    layer, exc = p.attempt_with_exception(label, cls, n_in, n_out, bias=bias is not None)
    if exc is not None or not isinstance(layer, nn.Module) or "_parameters" not in vars(layer):
        layer = cls.__new__(cls)
        nn.Module.__init__(layer)
        layer.in_features, layer.out_features = n_in, n_out
        layer.register_parameter("bias", None)
    layer.weight = nn.Parameter(weight.clone())
    if bias is not None:
        layer.bias = nn.Parameter(bias.clone())
    return layer


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


def expect_raise(p: Probe, where: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The exception ``fn`` raised, or a 'returned normally' marker (a clearer message than the returned value)."""
    return expect_raise_with_exception(p, where, fn, *args, **kwargs)[0]


def expect_raise_with_exception(
    p: Probe, where: str, fn: Callable[..., Any], *args: Any, **kwargs: Any
) -> tuple[Any, Exception | None]:
    """Like :func:`expect_raise`, and also the exception itself, for judging its whole message."""
    result, exc = p.attempt_with_exception(where, fn, *args, **kwargs)
    return (result, exc) if is_raised(result) else (returned(result), None)


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

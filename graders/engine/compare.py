"""Compare a student's observation with the reference's, for a learner.

:func:`compare` walks two observations side by side and returns the first
:class:`Mismatch` (where, expected, got, details) or ``None`` when they agree
within tolerance. Tensor differences are described the way a learner can act
on: shape, dtype, nan/inf, and the worst element with its index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

from .observations import (
    RAISED,
    describe,
    dtype_name,
    format_number,
    is_opaque,
    is_raised,
    is_returned,
    type_label,
)


@dataclass(frozen=True)
class Tolerance:
    """Closeness for floating point values: ``|got - expected| <= atol + rtol * |expected|``."""

    rtol: float = 1e-5
    atol: float = 1e-6


DEFAULT = Tolerance()


@dataclass(frozen=True)
class Mismatch:
    """Why an observation differs from the reference's.

    Attributes:
        where: the call or quantity, e.g. ``"Linear(4, 3) on x of shape (5, 4)"``.
        expected: what the reference produced, described for a learner.
        got: what the student's code produced.
        detail: an optional extra line (worst element, how many differ).
    """

    where: str
    expected: str
    got: str
    detail: str = ""

    def render(self) -> str:
        lines = []
        if self.where:
            lines.append(f"  called:   {self.where}")
        lines.append(f"  expected: {self.expected}")
        lines.append(f"  got:      {self.got}")
        if self.detail:
            lines.append(f"  {self.detail}")
        return "\n".join(lines)


def compare(got: Any, expected: Any, where: str = "", tol: Tolerance = DEFAULT) -> Mismatch | None:
    """First difference between two observations, or ``None``.

    Dict keys of the reference are the names of what was observed (the call
    and quantity) and become ``where``; lists and tuples compare element by
    element; floats and tensors within ``tol``; everything else exactly.

    Args:
        got: the student's observation.
        expected: the reference's observation.
        where: description of the enclosing call, for messages.
        tol: tolerance for floating point values.
    """
    if is_raised(expected) or is_raised(got):
        return _compare_raised(got, expected, where)
    if isinstance(expected, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            return Mismatch(where, describe(expected), f"{type_label(got)}: {describe(got)}")
        return compare_tensors(got, expected, where, tol)
    if isinstance(expected, dict) and not is_opaque(expected) and not is_returned(expected):
        if not isinstance(got, dict) or is_opaque(got) or is_returned(got):
            return Mismatch(where, "a dict", describe(got))
        return _compare_dicts(got, expected, where, tol)
    if isinstance(expected, (list, tuple)):
        return _compare_sequences(got, expected, where, tol)
    if type(expected) is float:
        return _compare_floats(got, expected, where, tol)
    if type(got) is not type(expected) and not (is_opaque(got) and is_opaque(expected)):
        return Mismatch(where, f"{type_label(expected)}: {describe(expected)}", f"{type_label(got)}: {describe(got)}")
    if got != expected:
        return Mismatch(where, describe(expected), describe(got))
    return None


def _join(where: str, part: str) -> str:
    if not where:
        return part
    return where + part if part.startswith("[") else f"{where}, {part}"


def _compare_sequences(got: Any, expected: list | tuple, where: str, tol: Tolerance) -> Mismatch | None:
    if not isinstance(got, (list, tuple)):
        return Mismatch(where, f"a {type(expected).__name__} of {len(expected)} items", describe(got))
    if len(got) != len(expected):
        return Mismatch(where, f"{len(expected)} items", f"{len(got)} items: {describe(got)}")
    for i, (g, e) in enumerate(zip(got, expected)):
        found = compare(g, e, _join(where, f"[{i}]"), tol)
        if found:
            return found
    return None


def _compare_floats(got: Any, expected: float, where: str, tol: Tolerance) -> Mismatch | None:
    if type(got) is not float:
        return Mismatch(where, f"a Python float ({format_number(expected)})", f"{type_label(got)}: {describe(got)}")
    if _close(got, expected, tol):
        return None
    return Mismatch(where, format_number(expected), format_number(got))


def _compare_dicts(got: dict, expected: dict, where: str, tol: Tolerance) -> Mismatch | None:
    """Key by key in the reference's order; a missing or extra key only when every shared key agrees
    (a probe's later observations often exist only when an earlier step worked)."""
    for key, value in expected.items():
        if key in got:
            found = compare(got[key], value, _join(where, str(key)), tol)
            if found:
                return found
    missing = [k for k in expected if k not in got]
    if missing:
        return Mismatch(
            _join(where, str(missing[0])), describe(expected[missing[0]]), "nothing: your run never got to observe this"
        )
    extra = [k for k in got if k not in expected]
    if extra:
        return Mismatch(_join(where, str(extra[0])), "no such observation", describe(got[extra[0]]))
    return None


def _compare_raised(got: Any, expected: Any, where: str) -> Mismatch | None:
    if is_raised(expected) and is_raised(got):
        if expected[RAISED] in got["mro"]:
            return None
        return Mismatch(where, f"raise {expected[RAISED]}", f"{got[RAISED]}: {got['message']}")
    if is_raised(expected):
        return Mismatch(where, f"raise {expected[RAISED]}", describe(got))
    return Mismatch(where, describe(expected), f"raised {got[RAISED]}: {got['message']}")


def _close(got: float, expected: float, tol: Tolerance) -> bool:
    if math.isnan(expected) or math.isnan(got):
        return math.isnan(expected) and math.isnan(got)
    if math.isinf(expected) or math.isinf(got):
        return got == expected
    return abs(got - expected) <= tol.atol + tol.rtol * abs(expected)


def compare_tensors(
    got: torch.Tensor, expected: torch.Tensor, where: str = "", tol: Tolerance = DEFAULT
) -> Mismatch | None:
    """Shape, then dtype, then values (nan where nan, worst element)."""
    if tuple(got.shape) != tuple(expected.shape):
        return Mismatch(where, f"shape {tuple(expected.shape)}", f"shape {tuple(got.shape)}")
    if got.dtype != expected.dtype:
        return Mismatch(where, f"dtype {dtype_name(expected.dtype)}", f"dtype {dtype_name(got.dtype)}")
    if expected.numel() == 0 or torch.equal(got, expected):  # the common case, and cheap
        return None
    if not (expected.is_floating_point() or expected.is_complex()):
        bad = got != expected
        if not bool(bad.any()):
            return None
        index = _index(bad, expected.shape)
        return Mismatch(
            where,
            f"{_value_at(expected, index)} at index {index}",
            f"{_value_at(got, index)}",
            f"{int(bad.sum())} of {expected.numel()} elements differ",
        )
    g, e = got.double(), expected.double()
    nan_e, nan_g = torch.isnan(e), torch.isnan(g)
    if bool((nan_e != nan_g).any()):
        index = _index(nan_e != nan_g, e.shape)
        return Mismatch(
            where,
            f"{_value_at(expected, index)} at index {index}",
            f"{_value_at(got, index)}",
            f"nan in {int(nan_g.sum())} places where the reference has {int(nan_e.sum())}",
        )
    finite = ~nan_e
    inf_bad = (torch.isinf(e) | torch.isinf(g)) & finite & (g != e)
    if bool(inf_bad.any()):
        index = _index(inf_bad, e.shape)
        return Mismatch(
            where,
            f"{_value_at(expected, index)} at index {index}",
            f"{_value_at(got, index)}",
            "infinite values differ",
        )
    diff = torch.where(finite & ~torch.isinf(e), (g - e).abs(), torch.zeros_like(e))
    allowed = tol.atol + tol.rtol * e.abs().nan_to_num(0.0, 0.0, 0.0)
    bad = diff > allowed
    if not bool(bad.any()):
        return None
    excess = torch.where(bad, diff - allowed, torch.zeros_like(diff))
    index = _index(excess == excess.max(), e.shape)
    return Mismatch(
        where,
        f"{_value_at(expected, index)} at index {index}",
        f"{_value_at(got, index)}",
        f"|difference| {format_number(float(diff[index] if index else diff))}; "
        f"{int(bad.sum())} of {e.numel()} elements differ by more than {tol.atol:g} + {tol.rtol:g} * |expected|",
    )


def _index(mask: torch.Tensor, shape: torch.Size) -> tuple[int, ...]:
    flat = int(torch.nonzero(mask.reshape(-1))[0, 0])
    return tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), tuple(shape))) if len(shape) else ()


def _value_at(t: torch.Tensor, index: tuple[int, ...]) -> str:
    value = t[index].item() if index else t.item()
    return format_number(value) if isinstance(value, float) else repr(value)

"""Observations: the plain data a probe hands to a judge, and :class:`Observed` (a value or why there is none).

An observation is built only from tensors, ``int``, ``float``, ``bool``,
``str``, ``None`` and lists, tuples and dicts of these, so that it can cross
a process boundary as ``torch.save`` data loaded with ``weights_only=True``
and be stored in a golden file. :func:`normalize` turns whatever a probe
returned into that form; objects it cannot represent become an *opaque*
marker that names their type, so a judge can say "expected a float, got
numpy.ndarray" instead of crashing.

Two markers are plain dicts with a reserved key:

- ``{"__raised__": "ValueError", "mro": [...], "message": "..."}``: a call
  raised an exception (see :func:`raised`).
- ``{"__opaque__": "numpy.ndarray", "repr": "..."}``: a value that is not
  plain data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, get_args

import torch

RAISED = "__raised__"
OPAQUE = "__opaque__"
RETURNED = "__returned__"
DEFERRED = "__deferred__"  # a golden observation withheld from a student release (a quiz answer)
MAX_TEXT = 500
MAX_DEPTH = 12
MAX_ITEMS = 10_000

ProbeStatus = Literal["ok", "not_attempted", "error", "forbidden", "missing", "import_error"]
PROBE_STATUSES = frozenset(get_args(ProbeStatus))


@dataclass
class Observed:
    """The result of probing one implementation for one check.

    ``status`` is "ok" when ``value`` holds the observation; otherwise
    ``message`` says why there is none. ``notes`` come from loading the file
    (see ``Loaded.notes``): the judge shows them with a check that does not pass.
    ``empty`` names the functions of the check's task whose bodies are still
    empty: a check that does not pass is then "not attempted".
    """

    status: ProbeStatus
    value: Any = None
    message: str = ""
    notes: tuple[str, ...] = ()
    empty: tuple[str, ...] = ()

    @classmethod
    def not_handed_in(cls, assignment: str) -> Observed:
        return cls("missing", message=f"{assignment}.py (or .ipynb) was not handed in, so this check scores 0.")


def _short(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def raised(exc: BaseException) -> dict[str, Any]:
    """The observation of a call that raised ``exc``.

    Args:
        exc: the exception.

    Returns:
        ``{"__raised__": type name, "mro": names of its classes, "message": str}``
        with the message truncated to a few hundred characters.
    """
    names = [cls.__name__ for cls in type(exc).__mro__ if cls not in (object, BaseException)]
    return {RAISED: type(exc).__name__, "mro": names, "message": _short(str(exc))}


def returned(value: Any) -> dict[str, Any]:
    """The observation of a call that was expected to raise but returned ``value``."""
    return {RETURNED: type(value).__name__}


def is_raised(obs: Any) -> bool:
    return isinstance(obs, dict) and RAISED in obs


def deferred() -> dict[str, Any]:
    """The golden observation of a check judged only at submission."""
    return {DEFERRED: True}


def is_deferred(obs: Any) -> bool:
    return isinstance(obs, dict) and DEFERRED in obs


def is_opaque(obs: Any) -> bool:
    return isinstance(obs, dict) and OPAQUE in obs


def is_returned(obs: Any) -> bool:
    return isinstance(obs, dict) and RETURNED in obs


def opaque(value: Any) -> dict[str, Any]:
    cls = type(value)
    try:
        text = repr(value)
    except Exception as exc:  # a student's __repr__ may itself fail
        text = f"<repr failed: {type(exc).__name__}>"
    return {OPAQUE: f"{cls.__module__}.{cls.__qualname__}", "repr": _short(text, 200)}


def normalize(value: Any, _depth: int = 0) -> Any:
    """Convert a probe's result into plain observation data.

    Tensors become detached, contiguous CPU tensors of exact type
    ``torch.Tensor`` (a Parameter or a subclass loses its class: probes
    that care record the class explicitly). ``torch.Size`` becomes a tuple,
    ``torch.dtype`` its name, a float subclass (``numpy.float64``) a float.
    Anything else becomes an opaque marker.

    Args:
        value: what the probe returned.

    Returns:
        The same data built only from plain types.
    """
    if _depth > MAX_DEPTH:
        return opaque(value)
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is float:
        return value
    if isinstance(value, torch.Tensor):
        return _plain_tensor(value)
    if isinstance(value, torch.dtype):
        return str(value)
    if isinstance(value, torch.Size):
        return tuple(int(v) for v in value)
    if isinstance(value, float) and not isinstance(value, bool):
        return float(value)
    if type(value) is dict:
        items = list(value.items())[:MAX_ITEMS]
        return {_key(k): normalize(v, _depth + 1) for k, v in items}
    if type(value) in (list, tuple):
        items = [normalize(v, _depth + 1) for v in list(value)[:MAX_ITEMS]]
        return items if type(value) is list else tuple(items)
    return opaque(value)


def _key(key: Any) -> Any:
    return key if type(key) in (str, int) else repr(key)


def _plain_tensor(value: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        out = (
            torch.Tensor._make_subclass(torch.Tensor, value.detach())
            if type(value) is not torch.Tensor
            else value.detach()
        )
        out = out.to("cpu").clone().contiguous()
    return out


def describe(value: Any) -> str:
    """A short, deterministic description of an observation for a learner."""
    if isinstance(value, torch.Tensor):
        return f"tensor of shape {tuple(value.shape)}, {dtype_name(value.dtype)}"
    if is_raised(value):
        return f"{value[RAISED]}: {value['message']}" if value["message"] else value[RAISED]
    if is_opaque(value):
        return f"an object of type {value[OPAQUE]}"
    if is_returned(value):
        return f"a normal return (a {value[RETURNED]}) and no exception"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, (list, tuple, dict)):
        text = repr(value)
        return _short(text, 160)
    return repr(value)


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).replace("torch.", "")


def format_number(x: float) -> str:
    if isinstance(x, bool) or not isinstance(x, float):
        return repr(x)
    if math.isnan(x) or math.isinf(x):
        return repr(x)
    return f"{x:.6g}"


def type_label(value: Any) -> str:
    """The kind of an observation: ``Tensor``, ``float``, ``exception``..."""
    if isinstance(value, torch.Tensor):
        return "Tensor"
    if is_raised(value):
        return "exception"
    if is_opaque(value):
        return value[OPAQUE]
    if is_returned(value):
        return "normal return"
    return type(value).__name__

"""Running a probe: seeded inputs, isolated RNG state, captured outcomes.

:func:`observe` runs one check's probe against one implementation and
returns an :class:`Observed`: the normalized observation, or why there is
none (not attempted, the student's code raised, a forbidden shortcut, the
file is missing or failed to import). It never compares and never judges.

Determinism: every probe gets a seed derived from the run's seed and the
check id (not from Python's ``hash``), private generators for its inputs,
and runs inside ``torch.random.fork_rng`` with torch, ``random`` and numpy
seeded from it, so its observations do not depend on the global RNG state
or on which checks ran before. Global switches a student's code might flip
(grad mode, default dtype) are restored afterwards.
"""

from __future__ import annotations

import hashlib
import random
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Literal

import numpy as np
import torch

from .checks import Check
from .diagnose import diagnose
from .loading import Loaded, Namespace
from .observations import normalize, raised
from .shortcuts import ShortcutUsed, explain, guard

WORKER_ERROR = "in DataLoader worker process"

Status = Literal["ok", "not_attempted", "error", "forbidden", "missing", "import_error"]


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
        self.where = where
        try:
            return fn(*args, **kwargs)
        except NotImplementedError:
            raise
        except Exception as exc:
            return raised(exc)


@dataclass
class Observed:
    """The result of probing one implementation for one check.

    ``notes`` come from loading the file (see ``Loaded.notes``): the judge
    shows them with a check that does not pass.
    """

    status: Status
    value: Any = None
    message: str = ""
    notes: tuple[str, ...] = ()


@contextmanager
def isolated_state(seed: int) -> Iterator[None]:
    """Seed torch, ``random`` and numpy for the block and restore them after."""
    py_state = random.getstate()
    np_state = np.random.get_state()
    grad_enabled = torch.is_grad_enabled()
    default_dtype = torch.get_default_dtype()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        random.seed(seed)
        np.random.seed(seed % 2**32)
        try:
            yield
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)
            torch.set_grad_enabled(grad_enabled)
            torch.set_default_dtype(default_dtype)


def observe(check: Check, ns: Namespace, seed: int) -> Observed:
    """Run ``check``'s probe on implementation ``ns`` with the run's ``seed``."""
    loaded = ns.load(check.assignment)
    observed = _run_probe(check, ns, loaded, seed)
    observed.notes = tuple(loaded.notes)
    return observed


def _run_probe(check: Check, ns: Namespace, loaded: Loaded, seed: int) -> Observed:
    if loaded.missing:
        return Observed("missing", message=f"{check.assignment}.py (or .ipynb) was not handed in, so this check scores 0.")
    if loaded.module is None:
        return Observed("import_error", message=loaded.problem)
    probe = Probe(derive_seed(seed, check.id))
    try:
        with ns.active(), isolated_state(probe.seed), guard(check.forbid):
            value = check.probe(loaded.module, probe)
        return Observed("ok", normalize(value))
    except ShortcutUsed as exc:
        return Observed("forbidden", message=explain(exc))
    except NotAttempted as exc:
        return Observed("not_attempted", message=f"not attempted: {exc}")
    except NotImplementedError as exc:
        if ns.raised_in_own_code(exc):
            return Observed("not_attempted", message=f"not attempted: {exc}" if str(exc) else "not attempted")
        return Observed("error", message=_error_text(ns, probe, exc))
    except (Exception, SystemExit) as exc:
        return Observed("error", message=_error_text(ns, probe, exc))


def _error_text(ns: Namespace, probe: Probe, exc: BaseException) -> str:
    where = f" while calling {probe.where}" if probe.where else ""
    trace = ns.student_traceback(exc)
    if trace:
        lines = [f"  your code raised {type(exc).__name__}{where}: {exc}", trace]
    elif WORKER_ERROR in str(exc):
        lines = [f"  {type(exc).__name__}{where}: {exc}"]
    else:
        lines = [
            f"  {type(exc).__name__}{where}: {exc}",
            "  (raised outside your file: check the types and shapes your code returns)",
        ]
    idea = diagnose(str(exc))
    if idea:
        lines.append(f"  what this usually means: {idea}")
    return "\n".join(lines)

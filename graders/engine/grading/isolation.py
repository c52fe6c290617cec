"""Running a probe in isolation: seeded inputs, isolated RNG state, captured outcomes.

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

import random
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

from ..checks import Check
from ..diagnose import diagnose
from ..loading.implementation import Implementation, Loaded
from ..observations import Observed, normalize
from ..probes import NotAttempted, Probe, derive_seed
from ..shortcuts import ShortcutUsed, explain, guard

WORKER_ERROR = "in DataLoader worker process"


def configure_torch() -> None:
    """One intra-op thread: tensors are small and graders may run side by side."""
    torch.set_num_threads(1)


@contextmanager
def isolated_state(seed: int) -> Iterator[None]:
    """Seed torch, ``random`` and numpy for the block and restore them after."""
    py_state = random.getstate()
    np_state = np.random.get_state()
    grad_enabled = torch.is_grad_enabled()
    default_dtype = torch.get_default_dtype()
    with torch.random.fork_rng(devices=[]):
        # only the CPU generator, which fork_rng restores: torch.manual_seed would also queue a
        # lazy seed for every accelerator backend, recording a stack each time (2 ms per probe)
        torch.default_generator.manual_seed(seed)
        random.seed(seed)
        np.random.seed(seed % 2**32)
        try:
            yield
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)
            torch.set_grad_enabled(grad_enabled)
            torch.set_default_dtype(default_dtype)


def observe(check: Check, impl: Implementation, seed: int) -> Observed:
    """Run ``check``'s probe on implementation ``impl`` with the run's ``seed``."""
    loaded = impl.load(check.assignment)
    observed = _run_probe(check, impl, loaded, seed)
    observed.notes = tuple(loaded.notes)
    observed.empty = tuple(name for name in check.functions if name in loaded.bodies.empty)
    return observed


def _run_probe(check: Check, impl: Implementation, loaded: Loaded, seed: int) -> Observed:
    if loaded.missing:
        return Observed.not_handed_in(check.assignment)
    if loaded.module is None:
        return Observed("import_error", message=loaded.problem)
    probe = Probe(derive_seed(seed, check.id))
    try:
        with impl.active(), isolated_state(probe.seed), guard(check.forbid):
            value = check.probe(loaded.module, probe)
        return Observed("ok", normalize(value))
    except ShortcutUsed as exc:
        return Observed("forbidden", message=explain(exc))
    except NotAttempted as exc:
        return Observed("not_attempted", message=f"not attempted: {exc}")
    except NotImplementedError as exc:
        if impl.tracebacks.raised_in_own_code(exc):
            return Observed("not_attempted", message=f"not attempted: {exc}" if str(exc) else "not attempted")
        return Observed("error", message=_error_text(impl, probe, exc))
    except (Exception, SystemExit) as exc:
        return Observed("error", message=_error_text(impl, probe, exc))


def _error_text(impl: Implementation, probe: Probe, exc: BaseException) -> str:
    where = f" while calling {probe.where}" if probe.where else ""
    trace = impl.tracebacks.student(exc)
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

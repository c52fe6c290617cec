"""Grading a08 starts real DataLoader worker processes; student code that hangs or raises in a worker
must cost only its checks: grading ends in bounded time, the checks fail with a message naming the
problem, and no worker process, warning or traceback is left behind."""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
import warnings
from pathlib import Path

import pytest
from torch.utils.data import DataLoader, Dataset, get_worker_info

import graders.test_a08_parallel as grader
from graders.engine import Probe
from graders.engine.grading.pipeline import grade
from tests.support import Variant, by_name

A = "a08_parallel"
GRACE_S = 3.0

SLEEPS_IN_WORKERS = Variant(A, "NoisyDataset.__getitem__ sleeps for an hour in workers", (
    ('        """Return ``values[index]`` plus one draw of noise, as a float32 0-d tensor."""\n',
     '        """Return ``values[index]`` plus one draw of noise, as a float32 0-d tensor."""\n'
     "        import time\n\n"
     "        if get_worker_info() is not None:\n"
     "            time.sleep(3600)\n"),
))

RAISES_IN_WORKERS = Variant(A, "ShardedLineDataset.__iter__ raises in workers", (
    ('        """Open the file and yield this worker\'s lines, without newlines, transformed if asked."""\n',
     '        """Open the file and yield this worker\'s lines, without newlines, transformed if asked."""\n'
     "        if get_worker_info() is not None:\n"
     '            raise RuntimeError("boom in a worker")\n'),
))

NEVER_STOPS = Variant(A, "ShardedLineDataset.__iter__ cycles through the file forever", (
    ("            for i, line in enumerate(f):\n",
     "            import itertools\n\n            for i, line in enumerate(itertools.cycle(f)):\n"),
))

CASES = [
    pytest.param(SLEEPS_IN_WORKERS, {"noisy_in_workers"},
                 ("within 10 s", "hangs inside a DataLoader worker", "NoisyDataset"), 45.0, id="sleeps"),
    pytest.param(RAISES_IN_WORKERS, {"sharded_transform", "sharded_two_workers"},
                 ("RuntimeError: boom in a worker", "worker process", "a08_parallel.py, line", "in __iter__"), 20.0,
                 id="raises"),
    pytest.param(NEVER_STOPS, {"sharded_lines_in_main_process", "sharded_two_workers"},
                 ("1000",), 20.0, id="never-stops"),
]


def child_pids() -> set[int]:
    """Processes whose parent is this process (from /proc), zombies included."""
    me, found = os.getpid(), set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                stat = f.read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == me:
            found.add(int(entry))
    return found


@pytest.mark.timeout(60)
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="counts child processes through /proc")
@pytest.mark.parametrize("variant, failing, phrases, bound_s", CASES)
def test_worker_failures_are_bounded_reported_and_cleaned_up(
    variant: Variant, failing: set[str], phrases: tuple[str, ...], bound_s: float,
    tmp_path: Path, live_reference, capfd: pytest.CaptureFixture[str],
) -> None:
    before = child_pids()
    submission = variant.build(tmp_path / "submission")
    start = time.monotonic()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outcomes = grade(submission, [A], reference=live_reference)
    elapsed = time.monotonic() - start
    assert elapsed < bound_s, f"grading {variant.name} took {elapsed:.1f} s, more than {bound_s:g} s"

    results = by_name(outcomes)
    lost = {name for name, o in results.items() if not o.passed}
    assert lost == failing, f"{variant.name}: expected exactly {sorted(failing)} to fail, got {sorted(lost)}"
    for name in failing:
        message = results[name].message
        for phrase in phrases:
            assert phrase in message, f"{name}: the message should contain {phrase!r}:\n{message}"
        assert "concept to revisit" in message or results[name].blocked_by

    deadline = time.monotonic() + GRACE_S
    while (multiprocessing.active_children() or child_pids() - before) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert multiprocessing.active_children() == []
    assert child_pids() - before == set(), "worker processes were left behind"

    noisy = [str(w.message) for w in caught if "DataLoader" in str(w.message) or "worker" in str(w.message).lower()]
    assert noisy == [], f"warnings about workers were emitted: {noisy}"
    err = capfd.readouterr().err
    for text in ("Traceback", "Exception ignored", "Error"):
        assert text not in err, f"the worker processes printed to stderr:\n{err}"


class _SleepsInWorkers(Dataset):
    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int) -> int:
        if get_worker_info() is not None:
            time.sleep(3600)
        return index


@pytest.mark.timeout(30)
def test_workers_block_stops_hung_and_persistent_workers_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The grader's own cleanup, not DataLoader's __del__ (which waits 5 s per worker), ends the workers."""
    monkeypatch.setattr(grader, "BATCH_TIMEOUT", 1.0)
    module = sys.modules[__name__]
    hung = DataLoader(_SleepsInWorkers(), batch_size=1, num_workers=2, persistent_workers=True)
    start = time.monotonic()
    with pytest.raises(grader.WorkerFailure, match="hangs inside a DataLoader worker"):
        with grader.workers(Probe(0), module, hung, "iterating a hung loader") as run:
            run.epoch()
    assert time.monotonic() - start < 4.0
    assert hung._iterator is None
    processes = [w for it in run.iterators for w in it._workers]
    assert len(processes) == 2 and not any(w.is_alive() for w in processes)

    healthy = DataLoader(list(range(10)), batch_size=3, num_workers=2, persistent_workers=True)
    with grader.workers(Probe(0), module, healthy, "iterating a healthy loader") as run:
        first, second = run.epoch(), run.epoch()
    assert [b.tolist() for b in first] == [b.tolist() for b in second] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert healthy._iterator is None
    processes = [w for it in run.iterators for w in it._workers]
    assert len(processes) == 2 and not any(w.is_alive() for w in processes)

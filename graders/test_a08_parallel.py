"""Grader of a08_parallel: ShardedLineDataset, NoisyDataset, seed_worker, make_loader.

The checks that matter here start real DataLoader worker processes
(``num_workers=2``, the Linux default start method ``fork``), because the
mistakes this assignment is about only show there: an iterable dataset that
is not sharded yields every line once per worker, and a random generator kept
in the dataset is copied into every worker, so all workers draw the same
noise unless ``seed_worker`` replaces it.

Robustness: every loader that starts workers is iterated through
:func:`workers`, which gives it DataLoader's own per-batch ``timeout``
(:data:`BATCH_TIMEOUT` seconds, so code that hangs in a worker ends the check
instead of the run) and, whatever happens, shuts every worker process down
before the probe returns: the iterators' ``_shutdown_workers()`` (also a
persistent loader's ``_iterator``, which is then dropped), quickly when the
epoch failed, then a join and, for a worker still alive, a kill. An error or
a hang in a worker fails the check (:func:`reports_worker_failures`) with a
message naming the worker, what the probe was iterating and the traceback
through the student's own file; a ``NotImplementedError`` raised in a worker
(a skeleton task) reads as "not attempted". An epoch is taken up to
:data:`MAX_ITEMS` items, so a dataset that never stops fails its check
instead of filling the memory.

Test data is written by each probe into a fresh temporary directory removed
before the probe returns; no observation holds a path. File opens are
counted with :func:`graders.engine.audit.count_opens`, whose audit hook sees
only this process, so laziness is observed with ``num_workers=0``.

Checks are independent where the contract allows: ``seed_worker`` and
``make_loader`` are driven with the grader's own datasets (one with an
``rng`` attribute like ``NoisyDataset``), and ``NoisyDataset`` in workers is
reseeded by the grader's own worker_init_fn written from the contract. The
epochs of ``make_loader``'s checks are taken while the student's module-level
``seed_worker`` is replaced by that same contract copy
(:func:`contract_seed_worker`), so a mistake in ``seed_worker`` costs only
its own checks. Where a check cannot be judged apart from an earlier one it
declares ``builds_on`` (the sharding checks build on the plain line reading,
the transform check on the sharding too, the workers' noise on the items'
noise); the transform check is metamorphic: it compares the student's
dataset with a transform against the student's own dataset without one,
iterated in the main process (two runs in workers of a dataset whose workers
race need not agree, and a grade must not depend on a race).
"""

from __future__ import annotations

import functools
import itertools
import os
import pickle
import random
import re
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import torch
import torch.utils.data._utils as loader_utils
from torch.utils.data import DataLoader, Dataset, default_collate, get_worker_info

from graders.engine import Mismatch, check, is_raised
from graders.engine.audit import count_opens
from graders.engine.compare import compare
from graders.engine.probes import expect_raise

TASKS = {
    1: ("ShardedLineDataset.__init__", "ShardedLineDataset.__iter__"),
    2: ("NoisyDataset.__init__", "NoisyDataset.__len__", "NoisyDataset.__getitem__"),
    3: ("seed_worker",),
    4: ("make_loader",),
}

BATCH_TIMEOUT = 10.0
"""Seconds DataLoader waits for one batch from its workers (``DataLoader(timeout=...)``)."""

WORKERS = 2
TMP = "<tmp>"
MAX_ITEMS = 1000
"""At most this many items are taken from one epoch (a dataset that never stops must not fill the memory)."""
SEEDS = 100_000
"""Seeds the probes draw lie in ``[0, SEEDS)`` (``p.integer(0, SEEDS)``)."""


def take(iterable: Any, limit: int = MAX_ITEMS) -> list[Any]:
    """The first ``limit`` items of ``iterable`` (all of them when it ends sooner)."""
    return list(itertools.islice(iter(iterable), limit))


# ---------------------------------------------------------------- running worker processes safely


class WorkerFailure(Exception):
    """Student code failed or hung inside DataLoader worker processes (the message says where and how)."""


WORKER_FAILURE = "__worker_failure__"


def reports_worker_failures(probe: Callable[[ModuleType, Any], Any]) -> Callable[[ModuleType, Any], Any]:
    """Wrap a probe that starts workers: a :class:`WorkerFailure` becomes the observation ``{WORKER_FAILURE: text}``.

    The check's judge (:func:`worker_judge`) then shows that text: what
    failed in which worker, with the traceback through the student's file.
    (Left as an exception, the engine would add that it was raised outside
    the student's file, which is not true of code run in a worker.)
    """

    @functools.wraps(probe)
    def run(m: ModuleType, p: Any) -> Any:
        try:
            return probe(m, p)
        except WorkerFailure as exc:
            return {WORKER_FAILURE: str(exc)}

    return run


def worker_judge(got: Any, expected: Any) -> Mismatch | str | None:
    """The default comparison, or the failure text when the student's workers failed."""
    if isinstance(got, dict) and WORKER_FAILURE in got:
        return str(got[WORKER_FAILURE])
    return compare(got, expected)


class Epochs:
    """Iterates epochs of one loader inside :func:`workers` (see there)."""

    def __init__(self, p: Any, module: ModuleType, loader: Any, where: str) -> None:
        self.p, self.module, self.loader, self.where = p, module, loader, where
        self.iterators: list[Any] = []

    def epoch(self) -> list[Any]:
        """What one epoch yields, as a list (at most :data:`MAX_ITEMS` items)."""
        loader = self.loader
        if isinstance(loader, DataLoader) and loader.num_workers > 0:
            loader.timeout = BATCH_TIMEOUT
        self.p.where = self.where
        it = iter(loader)
        if all(it is not seen for seen in self.iterators):
            self.iterators.append(it)
        try:
            return take(it)
        except Exception as exc:
            problem = worker_problem(self.p, self.module, exc, self.where)
            if problem is None:
                raise
            raise WorkerFailure(problem) from None

    def shutdown(self, failed: bool) -> None:
        """Stop every worker process this loader started; never leaves one behind."""
        iterators = list(self.iterators)
        kept = getattr(self.loader, "_iterator", None)  # a persistent loader keeps its workers here
        if kept is not None and all(kept is not it for it in iterators):
            iterators.append(kept)
        saved = loader_utils.MP_STATUS_CHECK_INTERVAL
        # _shutdown_workers joins each worker for this long before terminating it: short when a
        # worker may be stuck in student code, longer when the epoch ended normally (idle workers exit at once).
        loader_utils.MP_STATUS_CHECK_INTERVAL = 0.1 if failed else 2.0
        try:
            for it in iterators:
                stop = getattr(it, "_shutdown_workers", None)
                if stop is not None:
                    try:
                        stop()
                    except Exception:  # cleanup must go on; what is left is killed below
                        pass
        finally:
            loader_utils.MP_STATUS_CHECK_INTERVAL = saved
        for it in iterators:
            for process in list(getattr(it, "_workers", ()) or ()):
                process.join(timeout=2.0)
                if process.is_alive():
                    process.kill()
                    process.join(timeout=2.0)
        if isinstance(self.loader, DataLoader) and self.loader._iterator is not None:
            self.loader._iterator = None


@contextmanager
def workers(p: Any, module: ModuleType, loader: Any, where: str) -> Iterator[Epochs]:
    """Iterate ``loader`` (``.epoch()``) with a per-batch timeout; shut its workers down afterwards, also on errors.

    DataLoader's warning that more workers than CPUs are asked for is
    silenced inside the block only (graders may run on a one-CPU machine).
    """
    run = Epochs(p, module, loader, where)
    failed = True
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"This DataLoader will create \d+ worker processes",
                                category=UserWarning)
        try:
            yield run
            failed = False
        finally:
            run.shutdown(failed)


WORKER_ERROR = re.compile(r"Caught (\w+) in DataLoader worker process (\d+)\.\s*\n"
                          r"Original Traceback \(most recent call last\):\n(.*)", re.S)
FRAME = re.compile(r'^  File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<name>.+)$')


def worker_problem(p: Any, module: ModuleType, exc: BaseException, where: str) -> str | None:
    """What went wrong inside the worker processes, for a learner; None for any other error.

    A ``NotImplementedError`` raised in a worker (a skeleton task) stops the
    probe as "not attempted".
    """
    text = str(exc)
    if isinstance(exc, RuntimeError) and "DataLoader timed out" in text:
        return (f"no batch came back from the {WORKERS} worker processes within {BATCH_TIMEOUT:g} s (the DataLoader's "
                f"timeout) while {where}:\n"
                "  your code hangs inside a DataLoader worker (it sleeps, waits or loops forever there)")
    if "exited unexpectedly" in text and "DataLoader worker" in text:
        return f"{text} while {where}:\n  does your code exit or crash inside a worker process?"
    match = WORKER_ERROR.search(text)
    if match is None:
        return None
    name, worker, trace = match.group(1), match.group(2), match.group(3)
    lines = trace.rstrip().splitlines()
    last = lines[-1] if lines else name
    if name == "NotImplementedError":
        p.not_attempted(last.split(":", 1)[1].strip() if ":" in last else "")
    detail = [f"your code raised {last}\n  in DataLoader worker process {worker}, while {where}"]
    own = _own_frames(lines, module)
    if own:
        detail.append("  Traceback through your code (in the worker process, most recent call last):")
        detail.extend(own)
    return "\n".join(detail)


def _own_frames(lines: list[str], module: ModuleType) -> list[str]:
    mine = os.path.realpath(getattr(module, "__file__", "") or "")
    out: list[str] = []
    for i, line in enumerate(lines):
        frame = FRAME.match(line)
        if frame and os.path.realpath(frame["file"]) == mine:
            out.append(f"    {Path(frame['file']).name}, line {frame['line']}, in {frame['name']}")
            if i + 1 < len(lines) and lines[i + 1].startswith("    ") and not FRAME.match(lines[i + 1]):
                out.append(f"      {lines[i + 1].strip()}")
    return out[-12:]


# ---------------------------------------------------------------- the grader's own datasets and callables
# Module level, so they would also pickle under the spawn start method.


class Squares(Dataset):
    """A deterministic map-style dataset: item i is tensor([i, i * i])."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> torch.Tensor:
        return torch.tensor([index, index * index])


class NoisyValues(Dataset):
    """Like NoisyDataset: item i is values[i] + one draw from ``self.rng`` (float32 0-d)."""

    def __init__(self, values: list[float], seed: int) -> None:
        self.values = values
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, index: int) -> torch.Tensor:
        return torch.tensor(self.values[index] + float(self.rng.standard_normal()), dtype=torch.float32)


class RandomReport(Dataset):
    """Item i: [worker id, a draw from self.rng, random.random(), numpy.random.rand()] (float64)."""

    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> torch.Tensor:
        info = get_worker_info()
        worker = -1 if info is None else info.id
        return torch.tensor([worker, float(self.rng.standard_normal()), random.random(), float(np.random.rand())],
                            dtype=torch.float64)


def contract_seeder(worker_id: int) -> None:
    """The worker_init_fn of the contract, the grader's own copy (for NoisyDataset in workers)."""
    seed = torch.initial_seed() % 2**32
    info = get_worker_info()
    if info is not None and hasattr(info.dataset, "rng"):
        info.dataset.rng = np.random.default_rng(seed)


def tag_worker(sample: Any) -> tuple[int, Any]:
    """collate_fn for batch_size=None: (id of the worker that produced the sample, sample)."""
    info = get_worker_info()
    return (-1 if info is None else info.id, sample)


def tag_batch(samples: list[Any]) -> tuple[int, Any]:
    """collate_fn: (id of the worker that built the batch, default_collate(samples))."""
    info = get_worker_info()
    return (-1 if info is None else info.id, default_collate(samples))


def keep_list(samples: list[Any]) -> list[Any]:
    """A collate_fn that keeps the samples as a list."""
    return list(samples)


def bracket(line: str) -> str:
    """A transform: ``[line]`` (a newline left in the line shows)."""
    return f"[{line}]"


# ---------------------------------------------------------------- test data

WORDS = ("alpha", "beta", "gamma", "delta", "café", "naïve", "zeta", "theta", "iota", "kappa")


def line_file(p: Any, root: Path, n: int = 21) -> tuple[Path, list[str]]:
    """A UTF-8 text file of ``n`` distinct lines: one empty line, one with spaces and a tab around its words (only
    the newline goes), the last without a trailing newline."""
    picks = p.randint(0, len(WORDS), (n, 4)).tolist()
    counts = p.randint(1, 5, (n,)).tolist()
    lines = [f"{i:02d} " + " ".join(WORDS[w] for w in row[:c]) for i, (row, c) in enumerate(zip(picks, counts))]
    lines[3 + p.integer(0, n - 6)] = ""
    lines[1] = f"  {lines[1]} \t"
    path = root / "lines.txt"
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(lines))
    return path, lines


def scrub(text: str, root: str | os.PathLike[str]) -> str:
    for spelling in {os.fspath(root), os.path.realpath(root), os.path.abspath(root)}:
        text = text.replace(spelling, TMP)
    return text


# ---------------------------------------------------------------- task 1: ShardedLineDataset

LINES = ("reading a text file line by line in an IterableDataset: each line once, in file order, without its trailing "
         "newline (the last line may lack one), empty lines included; every iteration starts again from the top "
         "(a file opened once in __init__ is exhausted after one pass)")
LINES_HINTS = (
    "What does iterating over an open text file give you for each line, what does the last line look like when the "
    "file does not end with a newline, and what happens on a second pass over your dataset?",
    "The docstring of ShardedLineDataset ('without its trailing newline'), Python's str.rstrip with an argument "
    "(which characters it removes), and the Python tutorial on reading files line by line.",
    "A log reader that must keep trailing spaces removes only the line ending, e.g. raw.removesuffix('\\r\\n'), "
    "and opens its log inside its generator method, so every new pass reads the log again from the start.",
)
TRANSFORM = ("a dataset transform is applied to every item the dataset yields (each line, after removing the newline), "
             "in the main process and in every worker")
TRANSFORM_HINTS = (
    "Compare what your dataset yields with and without a transform: is each item of the second exactly the "
    "transform of the matching item of the first?",
    "The 'Args' paragraph of the ShardedLineDataset docstring: what is transform applied to, and is that before or "
    "after the newline is removed?",
    "torchvision's ImageFolder loads and decodes an image first and only then, when a transform was given, hands "
    "the finished image to it; with no transform it returns the image as loaded.",
)
LAZY = ("lazy loading: __init__ only keeps the path; the file is opened at iteration time, in the process that "
        "iterates (a file opened in __init__ is shared by the workers' copies, cannot be pickled under spawn and is "
        "exhausted after one pass)")
LAZY_HINTS = (
    "When does your dataset first touch the file: when it is built, or when someone iterates over it?",
    "The class docstring of ShardedLineDataset ('__init__ only keeps the path') and the torch.utils.data docs on "
    "IterableDataset: __iter__ runs in whichever process iterates.",
    "An image dataset keeps only a list of file names in __init__ and opens one image per access; it holds no open "
    "file between accesses and a missing image shows up only when that item is read.",
)
SHARD = ("sharding an IterableDataset among workers: every worker runs __iter__ on its own copy, so each must yield "
         "only its own share, chosen round-robin by line index (worker k of n takes every n-th line, starting at "
         "line k; see get_worker_info()); otherwise every line comes once per worker; each line exactly once per epoch")
SHARD_HINTS = (
    "With two workers, each running your __iter__ on its own copy of the dataset, how does each copy know which "
    "lines are its own, and what does it do in the main process?",
    "torch.utils.data.get_worker_info(): its id and num_workers fields and what it returns in the main process; "
    "the class docstring of ShardedLineDataset for which line index goes to which worker.",
    "Dealing 10 cards to 3 players round-robin: player p (counted from 0) gets the cards at positions p, p + 3, "
    "p + 6, ...; every card goes to exactly one player.",
)
SAME = "same"


def _first_transform_difference(plain: list[Any], transformed: list[Any]) -> str:
    """``SAME`` when ``transformed`` is ``bracket`` of each item of ``plain``, else where they first differ."""
    if len(plain) != len(transformed):
        return f"{len(plain)} items without the transform, {len(transformed)} with it"
    for i, (item, got) in enumerate(zip(plain, transformed)):
        if not (isinstance(got, str) and got == bracket(item)):
            return f"item {i}: without the transform {item!r}, with it {got!r} (bracket gives {bracket(item)!r})"
    return SAME


def _multiset_difference(plain: list[Any], transformed: list[Any]) -> str:
    """``SAME`` when ``transformed`` holds ``bracket`` of each item of ``plain`` (any order), else an example."""
    want = sorted(bracket(item) for item in plain)
    have = sorted(repr(item) if not isinstance(item, str) else item for item in transformed)
    if want == have:
        return SAME
    missing = sorted(set(want) - set(have))
    extra = sorted(set(have) - set(want))
    parts = [f"{len(plain)} items without the transform, {len(transformed)} with it"]
    if missing:
        parts.append(f"bracket of {len(missing)} item(s) missing, e.g. {missing[0]!r}")
    if extra:
        parts.append(f"{len(extra)} unexpected item(s), e.g. {extra[0]!r}")
    return "; ".join(parts)


@check(points=2, task=1, concept=LINES, hints=LINES_HINTS)
def sharded_lines_in_main_process(m, p):
    """ShardedLineDataset yields every line without its newline, again on a second pass and through DataLoader(num_workers=0)"""  # noqa: E501
    with tempfile.TemporaryDirectory() as tmp:
        path, _ = line_file(p, Path(tmp))
        ds = p.call("ShardedLineDataset(path)", m.ShardedLineDataset, path)
        obs: dict[str, Any] = {}
        obs["list(ShardedLineDataset(path))"] = p.call("list(ShardedLineDataset(path))", take, ds)
        obs["list(...) a second time (a new epoch starts from the top)"] = p.call(
            "list(ShardedLineDataset(path)) again", take, ds)
        loader = DataLoader(ds, batch_size=None, num_workers=0)
        obs["list(DataLoader(ds, batch_size=None, num_workers=0))"] = p.call(
            "list(DataLoader(ds, batch_size=None))", take, loader)
    return obs


@check(points=2, task=1, concept=LAZY, hints=LAZY_HINTS)
def sharded_opens_lazily(m, p):
    """ShardedLineDataset opens its file only when iterated (counted file opens), so a missing file fails at iteration"""  # noqa: E501
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path, _ = line_file(p, root)
        obs: dict[str, Any] = {}
        with count_opens(root) as opened:
            ds = p.call("ShardedLineDataset(path)", m.ShardedLineDataset, path)
        obs["files opened by ShardedLineDataset(path) (__init__)"] = len(opened)
        for label in ("first", "second"):
            with count_opens(root) as opened:
                p.call(f"list(ShardedLineDataset(path)) ({label} pass)", take, ds)
            obs[f"the file is opened when the {label} pass iterates"] = len(opened) >= 1
        missing = p.attempt("ShardedLineDataset(path of a missing file)", m.ShardedLineDataset, root / "missing.txt")
        obs["ShardedLineDataset(missing file) raises in __init__"] = is_raised(missing)
        if is_raised(missing):
            obs["iterating it raises"] = "not reached: __init__ raised"
        else:
            marker = expect_raise(p, "list(ShardedLineDataset(path of a missing file))", take, missing)
            if is_raised(marker):
                marker = {**marker, "message": scrub(marker["message"], root)}
            obs["iterating it raises"] = marker
    return obs


@check(points=3, task=1, concept=SHARD, hints=SHARD_HINTS, builds_on=("sharded_lines_in_main_process",))
@reports_worker_failures
def sharded_two_workers(m, p):
    """DataLoader(ShardedLineDataset, batch_size=None, num_workers=2) yields every line exactly once, worker k the lines i % 2 == k"""  # noqa: E501
    with tempfile.TemporaryDirectory() as tmp:
        path, lines = line_file(p, Path(tmp))
        ds = p.call("ShardedLineDataset(path)", m.ShardedLineDataset, path)
        where = f"iterating DataLoader(ShardedLineDataset(path), batch_size=None, num_workers={WORKERS})"
        loader = DataLoader(ds, batch_size=None, num_workers=WORKERS, collate_fn=tag_worker)
        with workers(p, m, loader, where) as run:
            produced = run.epoch()
    texts = [str(sample) for _, sample in produced]
    obs: dict[str, Any] = {
        f"number of lines in one epoch (the file has {len(lines)})": len(texts),
        "the lines of one epoch, sorted": sorted(texts),
    }
    index = {line: i for i, line in enumerate(lines)}
    for worker in range(WORKERS):
        served = sorted(index.get(text, -1) for (w, _), text in zip(produced, texts) if w == worker)
        obs[f"0-based line indices yielded by worker {worker} of {WORKERS} (-1: not a line of the file)"] = served
    return obs


sharded_two_workers.judge(worker_judge)


TRANSFORM_MAIN = ("main process: list(ShardedLineDataset(path, transform=bracket)) "
                  "against list(ShardedLineDataset(path))")
TRANSFORM_WORKERS = ("DataLoader(ShardedLineDataset(path, transform=bracket), batch_size=None, "
                     f"num_workers={WORKERS}): its items against list(ShardedLineDataset(path)) in the main process "
                     "(any order)")


@check(points=2, task=1, concept=TRANSFORM, hints=TRANSFORM_HINTS,
       builds_on=("sharded_lines_in_main_process", "sharded_two_workers"))
@reports_worker_failures
def sharded_transform(m, p):
    """ShardedLineDataset(path, transform) yields the transform of each item your dataset yields without one, in the main process and in 2 workers"""  # noqa: E501
    with tempfile.TemporaryDirectory() as tmp:
        path, _ = line_file(p, Path(tmp))
        plain = p.call("list(ShardedLineDataset(path))", take, p.call(
            "ShardedLineDataset(path)", m.ShardedLineDataset, path))
        transformed = p.call("list(ShardedLineDataset(path, transform=bracket))", take, p.call(
            "ShardedLineDataset(path, transform=bracket)", m.ShardedLineDataset, path, transform=bracket))
        # Against the main process's items, not a second worker run: two runs of a dataset whose workers race
        # (a file opened in __init__ shares its offset across forked workers) could agree one time in eight.
        ds = p.call("ShardedLineDataset(path, transform=bracket)", m.ShardedLineDataset, path, transform=bracket)
        where = ("iterating DataLoader(ShardedLineDataset(path, transform=bracket), batch_size=None, "
                 f"num_workers={WORKERS})")
        with workers(p, m, DataLoader(ds, batch_size=None, num_workers=WORKERS), where) as run:
            in_workers = run.epoch()
    return {
        "main process: ShardedLineDataset(path) yields at least one line": bool(plain),
        TRANSFORM_MAIN: _first_transform_difference(plain, transformed),
        TRANSFORM_WORKERS: _multiset_difference(plain, in_workers),
    }


@sharded_transform.judge
def _transform_judge(got: Any, expected: Any) -> Mismatch | str | None:
    if isinstance(got, dict) and WORKER_FAILURE in got:
        return str(got[WORKER_FAILURE])
    if not isinstance(got, dict) or set(got) != set(expected):
        return compare(got, expected)
    for key in (TRANSFORM_MAIN, TRANSFORM_WORKERS):
        if got[key] != SAME:
            return Mismatch(key, "bracket(item) for every item your dataset yields without a transform "
                                 "(bracket(s) = f'[{s}]')", str(got[key]))
    return compare(got, expected)


# ---------------------------------------------------------------- task 2: NoisyDataset

NOISE = ("a map-style dataset with its own numpy generator: self.rng, made from the seed, gives one fresh "
         "standard-normal draw per access, scaled by noise_std and added to the value; each item is a float32 0-d "
         "tensor (the noise comes from self.rng, not numpy's global RNG, not torch's)")
NOISE_HINTS = (
    "Where does each item's noise come from, how many draws does one access make, and what dtype and shape does "
    "the item have?",
    "numpy.random.default_rng and numpy.random.Generator.standard_normal in the numpy docs; the class docstring of "
    "NoisyDataset for the item's formula and dtype.",
    "A dice dataset makes its own generator once from its seed and rolls it anew on every access (a new roll each "
    "time, never the global np.random), returning each roll as an int64 0-d tensor.",
)
VALIDATION = ("validating constructor arguments: a ValueError for values that are not 1-D and for a negative noise_std "
              "(zero noise is allowed)")
VALIDATION_HINTS = (
    "Which arguments can NoisyDataset not work with, and what should its constructor do before keeping them?",
    "The 'Raises' paragraph of the NoisyDataset docstring; torch.Tensor.dim in the torch docs.",
    "A Range(start, stop) class checks its arguments first thing in __init__ and raises ValueError('stop should be "
    ">= start, but got ...') before storing anything.",
)
NOISE_WORKERS = ("the dataset's generator self.rng is copied into every worker; the worker_init_fn replaces it there, "
                 "so __getitem__ must draw from self.rng, looked up at every access, not from a copy kept elsewhere")
NOISE_WORKERS_HINTS = (
    "After a worker_init_fn assigns a new generator to dataset.rng, which generator does your __getitem__ draw from?",
    "The class docstring of NoisyDataset ('seed_worker must replace it in each worker') and the worker_init_fn "
    "argument of torch.utils.data.DataLoader.",
    "With b = a and later a = [9], b still names the old list: a method that reads a second saved name misses the "
    "replacement, one that reads the attribute each time sees it.",
)


@check(points=3, task=2, concept=NOISE, hints=NOISE_HINTS)
def noisy_items(m, p):
    """NoisyDataset items are float32 0-d tensors: the value plus noise_std times one draw from its own default_rng(seed)"""  # noqa: E501
    values = p.randn(5, dtype=torch.float64) * 3
    seed = p.integer(0, SEEDS)
    ds = p.call(f"NoisyDataset(values, noise_std=0.5, seed={seed})", m.NoisyDataset, values, noise_std=0.5, seed=seed)
    obs: dict[str, Any] = {
        "len(ds)": p.call("len(ds)", len, ds),
        "ds.rng is a numpy.random.Generator": isinstance(getattr(ds, "rng", None), np.random.Generator),
    }
    for k, i in enumerate((0, 3, 3, 1, 4)):
        obs[f"NoisyDataset(values, noise_std=0.5, seed={seed})[{i}] (access {k + 1})"] = p.call(
            f"ds[{i}]", ds.__getitem__, i)
    default = p.call("NoisyDataset(torch.zeros(3))", m.NoisyDataset, torch.zeros(3))
    obs["NoisyDataset(torch.zeros(3))[0] (defaults noise_std=0.1, seed=0)"] = p.call(
        "NoisyDataset(torch.zeros(3))[0]", default.__getitem__, 0)
    return obs


@check(points=1, task=2, concept=VALIDATION, hints=VALIDATION_HINTS)
def noisy_validation(m, p):
    """NoisyDataset raises ValueError for 2-D values and for a negative noise_std, and accepts noise_std=0"""
    matrix, values = p.randn(2, 3), p.randn(4)
    return {
        "NoisyDataset(values of shape (2, 3))": expect_raise(
            p, "NoisyDataset(values of shape (2, 3))", m.NoisyDataset, matrix),
        "NoisyDataset(values, noise_std=-0.5)": expect_raise(
            p, "NoisyDataset(values, noise_std=-0.5)", m.NoisyDataset, values, -0.5),
        "NoisyDataset(values, noise_std=0.0)[2] (no noise: the value itself)": p.attempt(
            "NoisyDataset(values, noise_std=0.0)[2]", lambda: m.NoisyDataset(values, noise_std=0.0)[2]),
    }


@check(points=2, task=2, concept=NOISE_WORKERS, hints=NOISE_WORKERS_HINTS, builds_on=("noisy_items",))
@reports_worker_failures
def noisy_in_workers(m, p):
    """NoisyDataset in 2 workers (worker_init_fn replacing ds.rng): each worker draws its own noise"""
    seed, loader_seed = p.integer(0, SEEDS), p.integer(0, SEEDS)
    ds = p.call(f"NoisyDataset(torch.zeros(8), noise_std=1.0, seed={seed})", m.NoisyDataset, torch.zeros(8),
                noise_std=1.0, seed=seed)
    loader = DataLoader(ds, batch_size=2, num_workers=WORKERS, worker_init_fn=contract_seeder,
                        generator=torch.Generator().manual_seed(loader_seed), collate_fn=tag_batch)
    where = (f"iterating DataLoader(NoisyDataset(...), batch_size=2, num_workers={WORKERS}, worker_init_fn=<gives "
             "dataset.rng a new generator seeded from the worker's torch.initial_seed()>)")
    with workers(p, m, loader, where) as run:
        batches = run.epoch()
    noise = {w: [b for wid, b in batches if wid == w] for w in range(WORKERS)}
    per_worker = {w: torch.cat([torch.as_tensor(b).reshape(-1) for b in bs]) if bs else torch.zeros(0)
                  for w, bs in noise.items()}
    differ = per_worker[0].shape == per_worker[1].shape and not torch.equal(per_worker[0], per_worker[1])
    obs: dict[str, Any] = {"workers 0 and 1 drew different noise": differ}
    for w in range(WORKERS):
        obs[f"noise of the items loaded by worker {w}"] = per_worker[w]
    return obs


noisy_in_workers.judge(worker_judge)


# ---------------------------------------------------------------- task 3: seed_worker

SEED_MAIN = ("seeding the global RNGs in a worker_init_fn: Python's random and numpy's global RNG both get a seed "
             "derived from torch.initial_seed() and reduced below 2**32 (numpy refuses larger seeds); outside a "
             "worker get_worker_info() is None and only those two are seeded")
SEED_MAIN_HINTS = (
    "Which two global generators does seed_worker seed, from which value, does that value always fit what numpy "
    "accepts, and what is there to reseed when no worker is running?",
    "The docstring of seed_worker; numpy.random.seed (its seed must be between 0 and 2**32 - 1), torch.initial_seed, "
    "and what torch.utils.data.get_worker_info returns in the main process.",
    "To store a 64-bit id in a 16-bit field, keep its remainder modulo 2**16; and a lookup that may come back empty "
    "is checked against None before any of its fields is used.",
)
SEED_WORKERS = ("a worker_init_fn runs in every worker, where torch.initial_seed() is base_seed + worker_id, so "
                "reseeding random, numpy and the dataset's rng from it gives each worker its own reproducible stream; "
                "a generator created in __init__ and never reseeded is identical in all workers")
SEED_WORKERS_HINTS = (
    "In a worker, which object is the worker's dataset, and does your function give that object's rng a new, "
    "worker-specific generator?",
    "torch.utils.data.get_worker_info (its dataset field is the worker's own copy) and 'Randomness in multi-process "
    "data loading' in the torch.utils.data docs.",
    "Card players who each get a copy of one shuffled deck all hold the same hand; each player needs a deck "
    "shuffled with their own seed, handed to them when they sit down.",
)


@check(points=2, task=3, concept=SEED_MAIN, hints=SEED_MAIN_HINTS)
def seed_worker_in_main_process(m, p):
    """seed_worker(0) in the main process seeds random and numpy from torch.initial_seed(), reduced below 2**32"""
    obs: dict[str, Any] = {}
    for label, seed in (("2**32 + k", 2**32 + p.integer(0, SEEDS)), ("k", p.integer(0, SEEDS))):
        torch.manual_seed(seed)  # the engine restores torch's RNG after the probe
        obs[f"seed_worker(0) after torch.manual_seed({label}) returns"] = p.attempt("seed_worker(0)", m.seed_worker, 0)
        obs[f"random.random() afterwards ({label})"] = random.random()
        obs[f"numpy.random.rand() afterwards ({label})"] = float(np.random.rand())
    return obs


@check(points=3, task=3, concept=SEED_WORKERS, hints=SEED_WORKERS_HINTS, builds_on=("seed_worker_in_main_process",))
@reports_worker_failures
def seed_worker_in_workers(m, p):
    """With worker_init_fn=seed_worker, 2 workers draw different, reproducible numbers from dataset.rng, random and numpy"""  # noqa: E501
    ds = RandomReport(8, seed=p.integer(0, SEEDS))
    loader = DataLoader(ds, batch_size=None, num_workers=WORKERS, worker_init_fn=m.seed_worker,
                        generator=torch.Generator().manual_seed(p.integer(0, SEEDS)))
    where = (f"iterating DataLoader(dataset with an rng attribute, batch_size=None, num_workers={WORKERS}, "
             "worker_init_fn=seed_worker)")
    with workers(p, m, loader, where) as run:
        items = run.epoch()
    rows = torch.stack([torch.as_tensor(item, dtype=torch.float64).reshape(-1) for item in items])
    by_worker = {w: rows[rows[:, 0] == w] for w in range(WORKERS)}
    first, second = by_worker[0][:, 1], by_worker[1][:, 1]
    obs: dict[str, Any] = {
        "workers 0 and 1 drew different numbers from dataset.rng":
            first.shape == second.shape and not torch.equal(first, second),
    }
    for w in range(WORKERS):
        obs[f"worker {w}: draws from dataset.rng"] = by_worker[w][:, 1]
        obs[f"worker {w}: random.random()"] = by_worker[w][:, 2]
        obs[f"worker {w}: numpy.random.rand()"] = by_worker[w][:, 3]
    return obs


seed_worker_in_workers.judge(worker_judge)


# ---------------------------------------------------------------- task 4: make_loader

WORKER_SETTINGS = ("a loader for workers: its worker_init_fn is this file's seed_worker itself (a module-level "
                   "function pickles by name), and persistent_workers is on exactly when there are workers (workers "
                   "and their RNG state live across epochs; DataLoader refuses persistent workers without workers)")
WORKER_SETTINGS_HINTS = (
    "Which function should every worker run when it starts, and when does keeping workers alive between epochs make "
    "sense, and when is it impossible?",
    "The worker_init_fn and persistent_workers arguments of torch.utils.data.DataLoader; the 'Returns' sentence of "
    "the make_loader docstring.",
    "A cache kept between requests only makes sense when something is cached: a server derives its keep-alive flag "
    "from its pool size instead of fixing it, and registers its startup function itself, not a wrapper around it.",
)
SETTINGS = "make_loader passes its arguments on to DataLoader (batch_size, shuffle, collate_fn, drop_last)"
SETTINGS_HINTS = (
    "Does every argument of make_loader reach the DataLoader it returns, the optional ones included?",
    "The 'Returns' sentence of the make_loader docstring and the signature of torch.utils.data.DataLoader.",
    "A wrapper open_log(path, mode='r', encoding='utf-8') hands mode and encoding on to open(...); an option it "
    "accepts but never forwards is silently ignored.",
)
SPAWN = ("what a DataLoader sends to its workers must be picklable: under the spawn start method (Windows, macOS) "
         "worker_init_fn and collate_fn are pickled by name, so they must be module-level functions, "
         "not lambdas or nested functions")
SPAWN_HINTS = (
    "Could another Python process rebuild your loader's worker_init_fn and collate_fn from their names alone?",
    "'Platform-specific behaviors' in the torch.utils.data docs (the spawn start method) and 'What can be pickled "
    "and unpickled?' in the pickle docs.",
    "pickle.dumps(len) works while pickle.dumps(lambda s: len(s)) fails: hand a function over as it is (or None "
    "for the default) instead of wrapping it.",
)
REPRODUCIBLE = ("a reproducible loader: its own seeded generator (a new torch.Generator seeded with seed) decides the "
                "shuffle order and the workers' base seed, so two fresh loaders with the same seed give identical "
                "epochs (order and worker noise), and persistent workers keep drawing new noise in the next epoch")
REPRODUCIBLE_HINTS = (
    "Where does your loader's shuffle order come from, and would a second loader built with the same seed start "
    "from the same state?",
    "The generator argument of torch.utils.data.DataLoader, torch.Generator.manual_seed, and 'Randomness in "
    "multi-process data loading' in the torch.utils.data docs.",
    "Two games that must replay the same dice rolls each create their own generator and seed it with the same "
    "number before the first roll; neither touches the global RNG.",
)
WORKER_FREE = ("for a deterministic map-style dataset the order of an epoch comes from the loader's seeded generator "
               "only, so it is the same with num_workers=0 and num_workers=2")
WORKER_FREE_HINTS = (
    "What decides the order of indices in an epoch, and could the number of worker processes change it?",
    "The generator argument of torch.utils.data.RandomSampler and how DataLoader hands its own generator to the "
    "sampler it creates.",
    "A teacher draws the order of presentations with her own seeded die; whether one or two assistants hand out "
    "the sheets does not change that order.",
)


def loader_settings(loader: Any) -> dict[str, Any]:
    return {
        "is a torch.utils.data.DataLoader": isinstance(loader, DataLoader),
        "batch_size": getattr(loader, "batch_size", None),
        "drop_last": getattr(loader, "drop_last", None),
        "sampler": type(getattr(loader, "sampler", None)).__name__,
    }


def generator_settings(loader: Any) -> dict[str, Any]:
    gen = getattr(loader, "generator", None)
    return {
        "loader.generator is a torch.Generator": isinstance(gen, torch.Generator),
        "loader.generator.initial_seed()": gen.initial_seed() if isinstance(gen, torch.Generator) else None,
    }


@contextmanager
def contract_seed_worker(m: ModuleType) -> Iterator[None]:
    """Within the block, the student's module-level ``seed_worker`` is the grader's :func:`contract_seeder`.

    ``make_loader`` looks ``seed_worker`` up when it builds the loader (and a
    wrapper looks it up in the worker, forked inside the block), so the epochs
    of ``make_loader``'s checks depend on ``make_loader`` alone, not on task 3.
    """
    had = "seed_worker" in vars(m)
    saved = vars(m).get("seed_worker")
    m.seed_worker = contract_seeder
    try:
        yield
    finally:
        if had:
            m.seed_worker = saved
        else:
            delattr(m, "seed_worker")


@check(points=2, task=4, concept=WORKER_SETTINGS, hints=WORKER_SETTINGS_HINTS)
def make_loader_worker_settings(m, p):
    """make_loader gives DataLoader worker_init_fn=seed_worker, and persistent workers exactly when num_workers > 0"""
    obs: dict[str, Any] = {}
    for n in (0, WORKERS):
        loader = p.call(f"make_loader(Squares(10), 4, num_workers={n})", m.make_loader, Squares(10), 4, num_workers=n)
        obs[f"num_workers={n}: loader.num_workers"] = getattr(loader, "num_workers", None)
        obs[f"num_workers={n}: loader.worker_init_fn is seed_worker"] = (
            getattr(loader, "worker_init_fn", None) is m.seed_worker)
        obs[f"num_workers={n}: loader.persistent_workers"] = getattr(loader, "persistent_workers", None)
    return obs


@check(points=2, task=4, concept=SETTINGS, hints=SETTINGS_HINTS, builds_on=("make_loader_worker_settings",))
def make_loader_settings(m, p):
    """make_loader returns a DataLoader that uses the given batch_size, shuffle, collate_fn and drop_last"""
    seed = p.integer(0, SEEDS)
    loader = p.call(f"make_loader(Squares(23), 5, shuffle=True, seed={seed}, collate_fn=keep_list, drop_last=True)",
                    m.make_loader, Squares(23), 5, shuffle=True, seed=seed, collate_fn=keep_list, drop_last=True)
    obs = {f"shuffled loader: {k}": v for k, v in loader_settings(loader).items()}
    batches = p.call("list(make_loader(Squares(23), 5, ..., drop_last=True))", take, loader)
    obs["shuffled loader: batch sizes of one epoch"] = [len(b) if hasattr(b, "__len__") else None for b in batches]
    obs["shuffled loader: every batch is the list keep_list returns"] = all(isinstance(b, list) for b in batches)
    plain = p.call("make_loader(Squares(23), 4)", m.make_loader, Squares(23), 4)
    obs.update({f"make_loader(Squares(23), 4): {k}": v for k, v in loader_settings(plain).items()})
    obs["make_loader(Squares(23), 4): first batch (default_collate stacks the samples)"] = p.call(
        "next(iter(make_loader(Squares(23), 4)))", lambda: next(iter(plain)))
    return obs


@check(points=2, task=4, concept=SPAWN, hints=SPAWN_HINTS, builds_on=("make_loader_worker_settings",))
def make_loader_picklable(m, p):
    """make_loader's worker_init_fn and collate_fn can be pickled (as the spawn start method requires)"""
    obs: dict[str, Any] = {}
    for label, kwargs in (("make_loader(Squares(10), 4, num_workers=2)", {}),
                          ("make_loader(Squares(10), 4, num_workers=2, collate_fn=keep_list)",
                           {"collate_fn": keep_list})):
        loader = p.call(label, m.make_loader, Squares(10), 4, num_workers=WORKERS, **kwargs)
        for attr in ("worker_init_fn", "collate_fn"):
            value = getattr(loader, attr, None)
            obs[f"{label}: pickle.dumps(loader.{attr}) works"] = p.attempt(
                f"pickle.dumps(loader.{attr})", _pickles, value)
    return obs


def _pickles(value: Any) -> bool:
    return len(pickle.dumps(value)) > 0


@check(points=3, task=4, concept=REPRODUCIBLE, hints=REPRODUCIBLE_HINTS,
       builds_on=("make_loader_worker_settings", "make_loader_settings"))
@reports_worker_failures
def make_loader_reproducible(m, p):
    """Two fresh make_loader(..., shuffle=True, num_workers=2, seed=s) give identical first epochs (order and worker noise)"""  # noqa: E501
    seed = p.integer(0, SEEDS)
    values = [float(v) for v in range(10)]
    data_seed = p.integer(0, SEEDS)
    label = f"make_loader(noisy dataset, 3, shuffle=True, num_workers={WORKERS}, seed={seed})"
    with contract_seed_worker(m):
        first = p.call(label, m.make_loader, NoisyValues(values, data_seed), 3, shuffle=True, num_workers=WORKERS,
                       seed=seed)
        second = p.call(f"a second {label}", m.make_loader, NoisyValues(values, data_seed), 3, shuffle=True,
                        num_workers=WORKERS, seed=seed)
        other = p.call(label.replace(f"seed={seed}", f"seed={seed + 1}"), m.make_loader,
                       NoisyValues(values, data_seed), 3, shuffle=True, num_workers=WORKERS, seed=seed + 1)
        generator = generator_settings(first)
        with workers(p, m, first, f"iterating {label}") as run_first:
            epoch_a = run_first.epoch()
            epoch_a2 = run_first.epoch()
        with workers(p, m, second, f"iterating a second {label}") as run_second:
            epoch_b = run_second.epoch()
        with workers(p, m, other, f"iterating {label} with seed + 1") as run_other:
            epoch_c = run_other.epoch()
    return {
        **{f"{k} (seed={seed})": v for k, v in generator.items()},
        "two fresh loaders with the same seed give identical first epochs": _same(epoch_a, epoch_b),
        "a loader with seed + 1 gives a different first epoch": not _same(epoch_a, epoch_c),
        "the next epoch of the same loader differs (reshuffled, new noise)": not _same(epoch_a, epoch_a2),
        "first epoch (batches of 3)": epoch_a,
        "first epoch of the second loader": epoch_b,
        "second epoch of the first loader": epoch_a2,
    }


make_loader_reproducible.judge(worker_judge)


def _same(a: list[Any], b: list[Any]) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if not (isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor) and x.shape == y.shape
                and torch.equal(x, y)):
            return False
    return True


@check(points=2, task=4, concept=WORKER_FREE, hints=WORKER_FREE_HINTS,
       builds_on=("make_loader_worker_settings", "make_loader_settings", "make_loader_reproducible"))
@reports_worker_failures
def make_loader_independent_of_workers(m, p):
    """For a deterministic dataset the first shuffled epoch of make_loader is the same with num_workers 0 and 2"""
    seed = p.integer(0, SEEDS)
    epochs = {}
    with contract_seed_worker(m):
        for n in (0, WORKERS):
            label = f"make_loader(Squares(23), 4, shuffle=True, num_workers={n}, seed={seed})"
            loader = p.call(label, m.make_loader, Squares(23), 4, shuffle=True, num_workers=n, seed=seed)
            with workers(p, m, loader, f"iterating {label}") as run:
                epochs[n] = run.epoch()
    return {
        f"the first epochs with num_workers=0 and num_workers={WORKERS} are identical":
            _same(epochs[0], epochs[WORKERS]),
        "first epoch with num_workers=0": epochs[0],
        f"first epoch with num_workers={WORKERS}": epochs[WORKERS],
    }


make_loader_independent_of_workers.judge(worker_judge)

"""Grader of a06_samplers: which indices a DataLoader reads, in which order.

Samplers whose docstrings promise torch's behaviour (RandomSampler without
replacement, BatchSampler, ClassBalancedSampler = WeightedRandomSampler,
ShardSampler = DistributedSampler) are compared index for index with the
reference's output, which matches torch's (tests/test_reference_lecture5.py
proves it). Random generators come from the probe (equally seeded on both
sides); with ``generator=None`` the engine's per-probe seeding of the global
RNG makes the student's and the reference's draws comparable too. Draws with
replacement and BucketBatchSampler are judged on properties: range, count and
distribution; coverage, batch sizes, padding overhead, reproducibility.

Every sampler check forbids torch's own samplers: wrapping or subclassing
them trips a wire on their ``__iter__``/``__len__`` ("implement it
yourself"), so the probes themselves never call torch's samplers (nor build a
DataLoader, which would).

Probes iterate a sampler with ``[i for i in sampler]``, not ``list(sampler)``:
``list()`` asks ``len()`` first, so an unimplemented ``__len__`` would hide a
working ``__iter__``. ``len()`` is observed separately with ``p.attempt``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import torch

from graders.engine import check
from graders.engine.compare import Mismatch, compare
from graders.engine.judges import keywise

SAMPLERS = ("torch samplers",)

INTS = "yield Python ints (tensor.tolist() turns a tensor of indices into ints)"


def draw(sampler: Any) -> list:
    """One epoch of ``sampler`` (without calling ``len``)."""
    return [i for i in sampler]


def seeded(p: Any) -> tuple[int, torch.Generator, torch.Generator]:
    """A seed from the probe and two generators seeded with it."""
    seed = p.integer(0, 2**31 - 1)
    return seed, torch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)


def as_ints(batches: Any) -> list[list[int]]:
    """Batches as lists of ints, for computing properties (a student's batch may hold tensor ints)."""
    return [[int(i) for i in batch] for batch in batches]


# ----------------------------------------------------------------- Sequential


@check(points=1, concept="a sampler yields dataset indices: SequentialSampler yields 0, 1, ..., len(data_source) - 1",
       hint="__iter__ gives an iterator over the indices 0 .. n - 1 in order, with n the length of self.data_source; "
            "__len__ gives that n", forbid=SAMPLERS)
def sequential_sampler(m, p):
    """SequentialSampler yields 0..n-1 and has length n"""
    obs = {}
    for n in (0, 1, 7):
        data = [f"item {i}" for i in range(n)]
        sampler = p.call(f"SequentialSampler(list of {n} items)", m.SequentialSampler, data)
        obs[f"SequentialSampler(list of {n} items): indices"] = p.call("iterating SequentialSampler", draw, sampler)
        obs[f"len(SequentialSampler(list of {n} items))"] = p.attempt("len(SequentialSampler(...))", len, sampler)
    return obs


# ----------------------------------------------------------------- RandomSampler


@check(points=3, concept="a random permutation from the given torch.Generator: torch.randperm(n, generator=generator), "
                         "whole permutations and then a truncated one when num_samples > n; __len__ is num_samples",
       hint="for _ in range(num_samples // n): yield from torch.randperm(n, generator=g).tolist(); "
            "then yield the first num_samples % n of one more randperm. "
            "Never random.shuffle (it ignores the generator); " + INTS,
       forbid=SAMPLERS)
def random_sampler_permutation(m, p):
    """RandomSampler without replacement matches torch's for one epoch (num_samples <, =, > n)"""
    obs = {}
    for n, num_samples in ((10, None), (10, 4), (10, 10), (7, 17), (3, 12), (1, 3)):
        seed, g, _ = seeded(p)
        label = f"RandomSampler(range({n}), num_samples={num_samples}, generator=torch.Generator().manual_seed({seed}))"
        sampler = p.call(label, m.RandomSampler, range(n), num_samples=num_samples, generator=g)
        obs[f"{label}: first epoch"] = p.call(f"iterating {label}", draw, sampler)
        obs[f"len({label})"] = p.attempt(f"len({label})", len, sampler)
    return obs


@check(points=2, concept="RandomSampler's randomness per epoch: with generator=None, every __iter__ seeds a fresh "
                         "torch.Generator with int(torch.empty((), dtype=torch.int64).random_().item()) "
                         "from the global RNG (so torch.manual_seed reproduces it, as in torch); "
                         "a given generator advances, so each epoch differs",
       hint="in __iter__ (not __init__): g = self.generator; if g is None: g = torch.Generator(); "
            "g.manual_seed(int(torch.empty((), dtype=torch.int64).random_().item())); "
            "never copy or re-seed a given generator",
       forbid=SAMPLERS)
def random_sampler_epochs(m, p):
    """RandomSampler seeds from the global RNG when generator=None and gives a new order each epoch"""
    obs = {}
    sampler = p.call("RandomSampler(range(9), num_samples=20)", m.RandomSampler, range(9), num_samples=20)
    for epoch in range(2):
        obs[f"RandomSampler(range(9), num_samples=20) with generator=None: epoch {epoch}"] = p.call(
            "iterating RandomSampler(range(9), num_samples=20)", draw, sampler)
    seed, g, _ = seeded(p)
    label = f"RandomSampler(range(12), generator=torch.Generator().manual_seed({seed}))"
    sampler = p.call(label, m.RandomSampler, range(12), generator=g)
    first, second = p.call(f"iterating {label}", draw, sampler), draw(sampler)
    obs[f"{label}: epoch 1 is a permutation of range(12)"] = sorted(first) == list(range(12))
    obs[f"{label}: epoch 2 differs from epoch 1 (the generator advances)"] = first != second
    return obs


CHI2_LIMIT = 40.0  # chi-square with 5 degrees of freedom exceeds 40 with probability about 1e-7


def chi_square_rule(where: str, have: Any, want: Any) -> Mismatch | None:
    """Two-sample chi-square between the student's and the reference's histograms (equal totals)."""
    if not isinstance(have, list) or len(have) != len(want) or not all(isinstance(c, int) for c in have):
        return Mismatch(where, f"{len(want)} counts: {want}", repr(have))
    if sum(have) != sum(want):
        return Mismatch(where, f"{sum(want)} draws in all: {want}", f"{sum(have)} draws: {have}")
    stat = sum((a - b) ** 2 / (a + b) for a, b in zip(have, want) if a + b)
    if stat <= CHI2_LIMIT:
        return None
    return Mismatch(where, f"about {sum(want) // len(want)} draws of every index, like the reference's {want}",
                    f"{have}",
                    f"chi-square {stat:.1f} against the reference's counts "
                    f"(at most {CHI2_LIMIT:g} allowed): not uniform")


@check(points=2, concept="sampling with replacement: num_samples independent draws, uniform in [0, n), "
                         "from the generator (indices may repeat)",
       hint="torch.randint(high=n, size=(self.num_samples,), generator=g).tolist(): "
            "high is exclusive, so use n, not n - 1",
       forbid=SAMPLERS)
def random_sampler_replacement(m, p):
    """RandomSampler(replacement=True) draws num_samples uniform indices in [0, n) from the generator"""
    obs = {}
    n, k = 6, 6000
    seed, g1, g2 = seeded(p)
    label = (f"RandomSampler(range({n}), replacement=True, num_samples={k}, "
             f"generator=torch.Generator().manual_seed({seed}))")
    first = p.call(label, m.RandomSampler, range(n), replacement=True, num_samples=k, generator=g1)
    draws = p.call(f"iterating {label}", draw, first)
    obs[f"len({label})"] = p.attempt(f"len({label})", len, first)
    obs[f"{label}: number of indices drawn"] = len(draws)
    obs[f"{label}: every draw is a Python int in [0, {n})"] = all(isinstance(i, int) and 0 <= i < n for i in draws)
    obs[f"{label}: histogram of the draws (count of 0, 1, ..., {n - 1})"] = [
        sum(1 for i in draws if i == v) for v in range(n)]
    again = p.call(label, m.RandomSampler, range(n), replacement=True, num_samples=k, generator=g2)
    obs[f"a second sampler with an equally seeded generator draws the same {k} indices"] = draw(again) == draws
    seed, g, _ = seeded(p)
    label = f"RandomSampler(range(50), replacement=True, generator=torch.Generator().manual_seed({seed}))"
    sampler = p.call(label, m.RandomSampler, range(50), replacement=True, generator=g)
    drawn = p.call(f"iterating {label}", draw, sampler)
    obs[f"{label}: number of indices drawn (default num_samples = len(data_source))"] = len(drawn)
    obs[f"{label}: some index repeats (with replacement, 50 draws from 50 repeat almost surely)"] = (
        len(set(drawn)) < len(drawn))
    seed, g, _ = seeded(p)
    label = (f"RandomSampler(range(3), replacement=True, num_samples=11, "
             f"generator=torch.Generator().manual_seed({seed}))")
    sampler = p.call(label, m.RandomSampler, range(3), replacement=True, num_samples=11, generator=g)
    obs[f"{label}: number of indices drawn"] = len(p.call(f"iterating {label}", draw, sampler))
    obs[f"len({label})"] = p.attempt(f"len({label})", len, sampler)
    return obs


random_sampler_replacement.judge(keywise(("histogram", chi_square_rule)))


@check(points=1, concept="validating constructor arguments: num_samples must be a positive int (ValueError otherwise)",
       hint="if num_samples <= 0: raise ValueError(f'num_samples should be a positive integer value, "
            "but got num_samples={num_samples}'); check the default len(data_source) too", forbid=SAMPLERS)
def random_sampler_validation(m, p):
    """RandomSampler raises ValueError for num_samples <= 0 (also an empty dataset)"""
    obs = {}
    for num_samples in (0, -3):
        label = f"RandomSampler(range(5), num_samples={num_samples})"
        obs[label] = p.attempt(label, m.RandomSampler, range(5), num_samples=num_samples)
    obs["RandomSampler([]) (default num_samples = 0)"] = p.attempt("RandomSampler([])", m.RandomSampler, [])
    label = "RandomSampler(range(5), replacement=True, num_samples=0)"
    obs[label] = p.attempt(label, m.RandomSampler, range(5), replacement=True, num_samples=0)
    ok = p.call("RandomSampler(range(5), num_samples=1)", m.RandomSampler, range(5), num_samples=1)
    obs["len(RandomSampler(range(5), num_samples=1))"] = p.attempt(
        "len(RandomSampler(range(5), num_samples=1))", len, ok)
    return obs


# ----------------------------------------------------------------- BatchSampler


class _Reshuffled:
    """An inner sampler whose order changes every epoch (a list of fixed orders, one per __iter__)."""

    def __init__(self, orders: list[list[int]]) -> None:
        self.orders = orders
        self.epoch = 0

    def __iter__(self):
        order = self.orders[self.epoch % len(self.orders)]
        self.epoch += 1
        return iter(order)

    def __len__(self) -> int:
        return len(self.orders[0])


@check(points=3, concept="batching a sampler: consecutive indices in lists of batch_size, a shorter last batch unless "
                         "drop_last, the inner sampler iterated anew every epoch",
       hint="batch = []; for i in self.sampler: batch.append(i); if len(batch) == self.batch_size: yield batch; "
            "batch = [] -- then after the loop: if batch and not self.drop_last: yield batch", forbid=SAMPLERS)
def batch_sampler_batches(m, p):
    """BatchSampler yields the same batches as torch's (sizes that divide or not, drop_last True/False)"""
    obs = {}
    for n, batch_size in ((10, 3), (9, 3), (10, 5), (7, 1), (5, 12), (0, 2)):
        order = torch.randperm(n, generator=p.generator()).tolist()
        for drop_last in (False, True):
            label = f"BatchSampler({order}, batch_size={batch_size}, drop_last={drop_last})"
            sampler = p.call(label, m.BatchSampler, order, batch_size, drop_last)
            batches = p.call(f"iterating {label}", draw, sampler)
            obs[label] = batches
            obs[f"{label}: types of the batches"] = sorted({type(b).__name__ for b in batches})
    orders = [torch.randperm(8, generator=p.generator()).tolist() for _ in range(2)]
    inner = _Reshuffled(orders)
    label = f"BatchSampler(a sampler giving {orders[0]} then {orders[1]}, batch_size=3, drop_last=False)"
    sampler = p.call(label, m.BatchSampler, inner, 3, False)
    for epoch in range(2):
        obs[f"{label}: epoch {epoch}"] = p.call(f"iterating {label}", draw, sampler)
    return obs


@check(points=2, concept="the number of batches: ceil(len(sampler) / batch_size), or floor(len(sampler) / batch_size) "
                         "with drop_last (a sampler, and so a DataLoader, needs __len__)",
       hint="__len__: if self.drop_last: return len(self.sampler) // self.batch_size; "
            "else: return (len(self.sampler) + self.batch_size - 1) // self.batch_size", forbid=SAMPLERS)
def batch_sampler_len(m, p):
    """len(BatchSampler) counts the batches for drop_last True/False"""
    obs = {}
    for n, batch_size in ((10, 3), (9, 3), (12, 4), (10, 5), (5, 12), (1, 1), (0, 3)):
        for drop_last in (False, True):
            label = f"len(BatchSampler(range({n}), batch_size={batch_size}, drop_last={drop_last}))"
            sampler = p.call(label, m.BatchSampler, range(n), batch_size, drop_last)
            obs[label] = p.attempt(label, len, sampler)
    return obs


@check(points=1, concept="validating constructor arguments: batch_size a positive int, drop_last a bool "
                         "(ValueError otherwise)",
       hint="if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0: "
            "raise ValueError(...); if not isinstance(drop_last, bool): raise ValueError(...)", forbid=SAMPLERS)
def batch_sampler_validation(m, p):
    """BatchSampler raises ValueError for a non-positive or non-int batch_size and a non-bool drop_last"""
    obs = {}
    for batch_size, drop_last in ((0, False), (-2, False), (2.0, False), (True, False), (3, 1), (3, None), (3, "no")):
        label = f"BatchSampler(range(5), batch_size={batch_size!r}, drop_last={drop_last!r})"
        obs[label] = p.attempt(label, m.BatchSampler, range(5), batch_size, drop_last)
    ok = p.call("BatchSampler(range(5), 2, True)", m.BatchSampler, range(5), 2, True)
    obs["len(BatchSampler(range(5), 2, True))"] = p.attempt("len(BatchSampler(range(5), 2, True))", len, ok)
    return obs


# ----------------------------------------------------------------- ClassBalancedSampler


def imbalanced_labels(p: Any) -> list[int]:
    base = [0] * 10 + [1] * 5 + [2] * 3 + [3] * 2
    return [base[i] for i in torch.randperm(len(base), generator=p.generator()).tolist()]


BALANCED = ("class balancing by inverse class frequency: weight of sample i = 1 / count(labels[i]) (float64), then "
            "torch.multinomial(weights, num_samples, True, generator=generator), as WeightedRandomSampler does")
BALANCED_HINT = ("counts = Counter(labels) (labels.tolist() first for a tensor: tensors do not count as equal keys); "
                 "self.weights = torch.tensor([1.0 / counts[y] for y in labels], dtype=torch.float64)")


@check(points=1, concept=BALANCED, hint=BALANCED_HINT, forbid=SAMPLERS)
def class_balanced_weights(m, p):
    """ClassBalancedSampler.weights is 1 / class count as float64, for a list or a tensor of labels"""
    labels = imbalanced_labels(p)
    obs = {}
    sampler = p.call(f"ClassBalancedSampler({labels})", m.ClassBalancedSampler, labels)
    obs[f"ClassBalancedSampler({labels}).weights"] = getattr(sampler, "weights", "no attribute weights")
    sampler = p.call(f"ClassBalancedSampler(torch.tensor({labels}))", m.ClassBalancedSampler, torch.tensor(labels))
    obs[f"ClassBalancedSampler(torch.tensor({labels})).weights"] = getattr(sampler, "weights", "no attribute weights")
    return obs


@check(points=3, concept=BALANCED,
       hint=BALANCED_HINT + "; draw in __iter__: torch.multinomial(self.weights, self.num_samples, "
                            "True, generator=self.generator).tolist()", forbid=SAMPLERS)
def class_balanced_indices(m, p):
    """ClassBalancedSampler draws the same indices as WeightedRandomSampler with inverse-frequency weights"""
    labels = imbalanced_labels(p)
    obs = {}
    for num_samples in (None, 7, 60):
        seed, g, _ = seeded(p)
        label = (f"ClassBalancedSampler({labels}, num_samples={num_samples}, "
                 f"generator=torch.Generator().manual_seed({seed}))")
        sampler = p.call(label, m.ClassBalancedSampler, labels, num_samples=num_samples, generator=g)
        obs[f"{label}: indices"] = p.call(f"iterating {label}", draw, sampler)
        obs[f"len({label})"] = p.attempt(f"len({label})", len, sampler)
    seed, g, _ = seeded(p)
    label = f"ClassBalancedSampler(torch.tensor(labels), generator=torch.Generator().manual_seed({seed}))"
    sampler = p.call(label, m.ClassBalancedSampler, torch.tensor(labels), generator=g)
    obs[f"{label}: indices"] = p.call(f"iterating {label}", draw, sampler)
    return obs


# ----------------------------------------------------------------- BucketBatchSampler


def long_tailed_lengths(p: Any, n: int) -> list[int]:
    """Sequence lengths with a long tail (log-normal, capped), as real text has."""
    return (torch.randn(n, generator=p.generator()) * 0.8 + 2.5).exp().ceil().clamp(max=200).long().tolist()


def padding(batches: list[list[int]], lengths: list[int]) -> int:
    """Padding tokens: sum over batches of max_len * len(batch) - sum of the lengths."""
    return sum(len(b) * max(lengths[i] for i in b) - sum(lengths[i] for i in b) for b in batches if b)


def coverage(batches: list[list[int]], n: int) -> dict[str, Any]:
    flat = [i for b in batches for i in b]
    counts = Counter(flat)
    return {
        "indices never yielded": sum(1 for i in range(n) if i not in counts),
        "indices yielded more than once": sum(1 for c in counts.values() if c > 1),
        "indices outside [0, n)": sum(1 for i in counts if not 0 <= i < n),
        "batch sizes": ", ".join(f"{c} of size {size}"
                                 for size, c in sorted(Counter(len(b) for b in batches).items(), reverse=True))
        or "no batches",
    }


BUCKET = ("bucket batching: shuffle the indices, cut them into buckets of bucket_size * batch_size, "
          "sort each bucket by length, cut it into batches, shuffle the batch order; every index once per epoch, "
          "__len__ like BatchSampler's")


@check(points=3, concept=BUCKET,
       hint="step = bucket_size * batch_size; for start in range(0, n, step): "
            "bucket = sorted(indices[start:start + step], key=lengths.__getitem__); "
            "cut bucket into batches of batch_size (keep a short last one unless drop_last); "
            "__len__: ceil(n / batch_size), or n // batch_size with drop_last", forbid=SAMPLERS)
def bucket_coverage(m, p):
    """BucketBatchSampler yields every index once, batches of batch_size, and the right __len__"""
    obs = {}
    lengths = long_tailed_lengths(p, 211)
    for n, batch_size, bucket_size in ((211, 16, 4), (211, 7, 1), (211, 50, 100), (211, 300, 2), (208, 16, 3),
                                       (211, 29, 7)):
        for drop_last in (False, True):
            seed, g, _ = seeded(p)
            label = (f"BucketBatchSampler(lengths of {n} sequences, batch_size={batch_size}, "
                     f"bucket_size={bucket_size}, drop_last={drop_last}, generator=seeded)")
            sampler = p.call(label, m.BucketBatchSampler, lengths[:n], batch_size, bucket_size=bucket_size,
                             drop_last=drop_last, generator=g)
            batches = as_ints(p.call(f"iterating {label}", draw, sampler))
            for key, value in coverage(batches, n).items():
                obs[f"{label}: {key}"] = value
            obs[f"{label}: number of batches"] = len(batches)
            obs[f"len({label})"] = p.attempt(f"len({label})", len, sampler)
    sampler = p.call("BucketBatchSampler([], 4)", m.BucketBatchSampler, [], 4)
    obs["BucketBatchSampler([], 4): batches"] = p.call("iterating BucketBatchSampler([], 4)", draw, sampler)
    return obs


PADDING_KEY = "padding tokens of the bucketed batches"
RANDOM_KEY = "padding tokens of random batches of the same size"


@check(points=3, concept="why bucket: sorting each bucket by length before cutting it into batches puts sequences "
                         "of similar length together, so padding to the longest in a batch wastes little",
       hint="sort every bucket by length (sorted(bucket, key=lengths.__getitem__)) before cutting it into batches; "
            "a bucket holds bucket_size * batch_size indices, not bucket_size", forbid=SAMPLERS)
def bucket_padding(m, p):
    """BucketBatchSampler pads far less than random batching on long-tailed lengths"""
    n, batch_size, bucket_size = 2400, 16, 50
    lengths = long_tailed_lengths(p, n)
    seed, g, _ = seeded(p)
    label = (f"BucketBatchSampler(long-tailed lengths of {n} sequences, batch_size={batch_size}, "
             f"bucket_size={bucket_size}, generator=seeded)")
    sampler = p.call(label, m.BucketBatchSampler, lengths, batch_size, bucket_size=bucket_size, generator=g)
    batches = as_ints(p.call(f"iterating {label}", draw, sampler))
    obs = {f"{label}: {key}": value for key, value in coverage(batches, n).items()}
    order = torch.randperm(n, generator=p.generator()).tolist()
    random_batches = [order[i : i + batch_size] for i in range(0, n, batch_size)]
    obs[RANDOM_KEY] = padding(random_batches, lengths)
    obs[PADDING_KEY] = padding([[i for i in b if 0 <= i < n] for b in batches], lengths)
    return obs


@bucket_padding.judge
def bucket_padding_judge(got: Any, expected: Any) -> Mismatch | str | None:
    """Coverage exactly as the reference; padding at most 2x the reference's and at most half of random batching's."""
    if not isinstance(got, dict) or set(got) != set(expected):
        return compare(got, expected)
    for key, want in expected.items():
        if key != PADDING_KEY:
            found = compare(got[key], want, key)
            if found:
                return found
    have, ref, rnd = got[PADDING_KEY], expected[PADDING_KEY], expected[RANDOM_KEY]
    limit = min(2 * ref, rnd // 2)
    if isinstance(have, int) and have <= limit:
        return None
    return Mismatch(PADDING_KEY, f"at most {limit} (the reference pads {ref} tokens, random batching {rnd})",
                    repr(have),
                    "padding should be at most twice the reference's and at most half of random batching's")


@check(points=2, concept="randomness from the generator only: a seeded generator reproduces the batches, a new epoch "
                         "gives a new order, the batch order is shuffled, and shuffle=False is fixed "
                         "(buckets in index order, each sorted by length)",
       hint="draw everything with torch.randperm(..., generator=g) (never random.shuffle); "
            "with generator=None seed a fresh generator from the global RNG in __iter__; "
            "shuffle the batch order with one more randperm; with shuffle=False use range(n) and no randperm",
       forbid=SAMPLERS)
def bucket_randomness(m, p):
    """BucketBatchSampler is reproducible with a seeded generator, new each epoch, fixed with shuffle=False"""
    obs = {}
    n = 300
    lengths = long_tailed_lengths(p, n)
    seed, g1, g2 = seeded(p)
    label = f"BucketBatchSampler(lengths, 8, bucket_size=5, generator=torch.Generator().manual_seed({seed}))"
    first = p.call(label, m.BucketBatchSampler, lengths, 8, bucket_size=5, generator=g1)
    second = p.call(label, m.BucketBatchSampler, lengths, 8, bucket_size=5, generator=g2)
    epochs = [as_ints(p.call(f"iterating {label}", draw, first)) for _ in range(2)]
    obs["two samplers with equally seeded generators give the same batches (2 epochs)"] = epochs == [
        as_ints(draw(second)) for _ in range(2)]
    obs["epoch 2 differs from epoch 1"] = epochs[0] != epochs[1]
    seed, g, _ = seeded(p)
    label = f"BucketBatchSampler(lengths, 8, bucket_size=100, generator=torch.Generator().manual_seed({seed}))"
    one_bucket = p.call(label, m.BucketBatchSampler, lengths, 8, bucket_size=100, generator=g)
    batches = as_ints(p.call(f"iterating {label}", draw, one_bucket))
    longest = [max(lengths[i] for i in b) for b in batches if b and all(0 <= i < n for i in b)]
    obs["with a single bucket, batches come in shuffled order, not sorted by length"] = longest != sorted(longest)
    global_seed = p.integer(0, 10_000)
    runs = []
    for _ in range(2):
        torch.manual_seed(global_seed)
        sampler = p.call("BucketBatchSampler(lengths, 8) with generator=None", m.BucketBatchSampler, lengths, 8)
        runs.append([as_ints(draw(sampler)) for _ in range(2)])
    obs["generator=None: torch.manual_seed reproduces the epochs"] = runs[0] == runs[1]
    obs["generator=None: epoch 2 differs from epoch 1"] = runs[0][0] != runs[0][1]
    distinct = torch.randperm(45, generator=p.generator()).add(1).tolist()
    label = f"BucketBatchSampler({distinct}, batch_size=4, bucket_size=3, shuffle=False)"
    fixed = p.call(label, m.BucketBatchSampler, distinct, 4, bucket_size=3, shuffle=False)
    state = torch.get_rng_state()
    batches = p.call(f"iterating {label}", draw, fixed)
    obs[f"{label}: leaves the global RNG untouched"] = torch.equal(state, torch.get_rng_state())
    obs[label] = batches
    obs[f"{label}: a second epoch is identical"] = draw(fixed) == batches
    return obs


# ----------------------------------------------------------------- ShardSampler


SHARD = ("sharding for distributed training like DistributedSampler: shuffle with a generator seeded seed + epoch, "
         "pad by wrapping around (or truncate with drop_last) to num_samples * num_replicas, "
         "take indices[rank::num_replicas]")
SHARD_HINT = ("num_samples = ceil(n / num_replicas) (n // num_replicas with drop_last); pad with "
              "(indices * ceil(total_size / n))[:total_size]; return iter(indices[rank:total_size:num_replicas])")


def shard_label(n: int, replicas: int, rank: int, shuffle: bool, seed: int, drop_last: bool) -> str:
    return (f"ShardSampler(range({n}), num_replicas={replicas}, rank={rank}, shuffle={shuffle}, seed={seed}, "
            f"drop_last={drop_last})")


@check(points=3, concept=SHARD, hint=SHARD_HINT, forbid=SAMPLERS)
def shard_indices(m, p):
    """ShardSampler yields DistributedSampler's indices and __len__ for every rank"""
    obs = {}
    seed = p.integer(0, 1000)
    cases = [(10, 3, False, False), (10, 3, False, True), (10, 3, True, False), (10, 3, True, True),
             (12, 4, True, False), (3, 8, True, False), (7, 1, True, False), (9, 2, True, True)]
    for n, replicas, shuffle, drop_last in cases:
        for rank in range(replicas):
            label = shard_label(n, replicas, rank, shuffle, seed, drop_last)
            sampler = p.call(label, m.ShardSampler, range(n), replicas, rank, shuffle=shuffle, seed=seed,
                             drop_last=drop_last)
            obs[label] = p.call(f"iterating {label}", draw, sampler)
            obs[f"len({label})"] = p.attempt(f"len({label})", len, sampler)
    return obs


@check(points=2, concept="set_epoch: with shuffle, epoch e shuffles with a generator seeded seed + e, "
                         "so each epoch has a new order that every rank agrees on",
       hint="set_epoch stores its argument as the attribute self.epoch; in __iter__: g = torch.Generator(); "
            "g.manual_seed(self.seed + self.epoch)",
       forbid=SAMPLERS)
def shard_set_epoch(m, p):
    """ShardSampler.set_epoch changes the order like DistributedSampler's"""
    obs = {}
    seed = p.integer(0, 1000)
    for rank in range(2):
        label = shard_label(11, 2, rank, True, seed, False)
        sampler = p.call(label, m.ShardSampler, range(11), 2, rank, shuffle=True, seed=seed)
        obs[f"{label}: before set_epoch"] = p.call(f"iterating {label}", draw, sampler)
        for step, epoch in enumerate((1, 2, 1), start=1):
            p.call(f"{label}.set_epoch({epoch})", sampler.set_epoch, epoch)
            obs[f"{label}: call {step}, after set_epoch({epoch})"] = draw(sampler)
    label = shard_label(11, 2, 0, False, seed, False)
    sampler = p.call(label, m.ShardSampler, range(11), 2, 0, shuffle=False, seed=seed)
    p.call(f"{label}.set_epoch(3)", sampler.set_epoch, 3)
    obs[f"{label}: after set_epoch(3) (no shuffle: same order)"] = draw(sampler)
    return obs


@check(points=2, concept="ranks split the data: together they cover every index (without drop_last), "
                         "and no index goes to two ranks beyond the wrap-around padding; "
                         "all ranks shuffle with the same seed + epoch",
       hint="every rank computes the same permutation (seed + epoch, never + rank), pads it to total_size by wrapping "
            "around, and takes indices[rank:total_size:num_replicas]", forbid=SAMPLERS)
def shard_coverage(m, p):
    """ShardSampler ranks together cover every index without overlapping"""
    obs = {}
    seed = p.integer(0, 1000)
    for n, replicas, drop_last, epoch in ((10, 3, False, 0), (10, 3, True, 1), (12, 4, False, 2), (23, 5, False, 0),
                                          (23, 5, True, 3)):
        shards = []
        for rank in range(replicas):
            label = shard_label(n, replicas, rank, True, seed, drop_last)
            sampler = p.call(label, m.ShardSampler, range(n), replicas, rank, shuffle=True, seed=seed,
                             drop_last=drop_last)
            p.call(f"{label}.set_epoch({epoch})", sampler.set_epoch, epoch)
            shards.append([int(i) for i in p.call(f"iterating {label}", draw, sampler)])
        counts = Counter(i for shard in shards for i in shard)
        where = (f"all {replicas} ranks of ShardSampler(range({n}), shuffle=True, drop_last={drop_last}) "
                 f"at epoch {epoch}")
        obs[f"{where}: indices no rank received"] = sum(1 for i in range(n) if i not in counts)
        obs[f"{where}: extra copies of indices received more than once"] = sum(c - 1 for c in counts.values())
        obs[f"{where}: indices per rank"] = [len(s) for s in shards]
    return obs


@check(points=1, concept="validating constructor arguments: rank must be in [0, num_replicas) (ValueError otherwise)",
       hint="if not 0 <= rank < num_replicas: raise ValueError(f'Invalid rank {rank}, rank should be in the interval "
            "[0, {num_replicas - 1}]')", forbid=SAMPLERS)
def shard_validation(m, p):
    """ShardSampler raises ValueError for a rank outside [0, num_replicas)"""
    obs = {}
    for replicas, rank in ((3, 3), (3, -1), (2, 5), (0, 0)):
        label = f"ShardSampler(range(5), num_replicas={replicas}, rank={rank})"
        obs[label] = p.attempt(label, m.ShardSampler, range(5), replicas, rank)
    ok = p.call("ShardSampler(range(5), num_replicas=3, rank=2)", m.ShardSampler, range(5), 3, 2)
    obs["len(ShardSampler(range(5), num_replicas=3, rank=2))"] = p.attempt("len(ShardSampler(...))", len, ok)
    return obs

"""Grader of a06_samplers: which indices a DataLoader reads, in which order.

Samplers whose docstrings promise torch's behaviour (RandomSampler without
replacement, BatchSampler, ClassBalancedSampler = WeightedRandomSampler,
ShardSampler = DistributedSampler) are compared index for index with the
reference's output, which matches torch's (tests/test_reference_lecture5.py
proves it). RandomSampler is compared over three epochs drawn from one
generator: torch draws one permutation more per epoch than the indices need
when ``num_samples`` is a multiple of ``n``, and only later epochs show it.
Random generators come from the probe (equally seeded on both sides). Draws
with replacement and BucketBatchSampler are judged on properties: range, count
and distribution; coverage, batch sizes, padding overhead, reproducibility.

Where a feature can be judged against the student's own code it is (one
mistake, one diagnosis): RandomSampler with ``generator=None`` must equal the
student's own sampler given a generator seeded with the global RNG's draw;
``ShardSampler.set_epoch(e)`` must equal the student's own sampler built with
``seed + e``. Checks that cannot be separated declare ``builds_on``.

Every sampler check forbids torch's own samplers: wrapping or subclassing
them trips a wire on their ``__iter__``/``__len__`` ("implement it
yourself"), so the probes themselves never call torch's samplers (nor build a
DataLoader, which would).

Probes iterate a sampler with ``[i for i in sampler]``, not ``list(sampler)``:
``list()`` asks ``len()`` first, so an unimplemented ``__len__`` would hide a
working ``__iter__``. ``len()`` is observed separately with ``p.attempt``.
Call labels write a seeded generator as ``<torch.Generator seeded with S>``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import torch

from graders.engine import check
from graders.engine.compare import Mismatch, compare
from graders.engine.judges import keywise
from graders.engine.observations import is_raised

TASKS = {
    1: ("SequentialSampler.__init__", "SequentialSampler.__iter__", "SequentialSampler.__len__"),
    2: ("RandomSampler.__init__", "RandomSampler.__iter__", "RandomSampler.__len__"),
    3: ("BatchSampler.__init__", "BatchSampler.__iter__", "BatchSampler.__len__"),
    4: ("ClassBalancedSampler.__init__", "ClassBalancedSampler.__iter__", "ClassBalancedSampler.__len__"),
    5: ("BucketBatchSampler.__init__", "BucketBatchSampler.__iter__", "BucketBatchSampler.__len__"),
    6: ("ShardSampler.__init__", "ShardSampler.__iter__", "ShardSampler.__len__", "ShardSampler.set_epoch"),
}

SAMPLERS = ("torch samplers",)


def draw(sampler: Any) -> list:
    """One epoch of ``sampler`` (without calling ``len``)."""
    return [i for i in sampler]


def seeded(p: Any) -> tuple[int, torch.Generator, torch.Generator]:
    """A seed from the probe and two generators seeded with it."""
    seed = p.integer(0, 2**31 - 1)
    return seed, torch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)


def gen(seed: int) -> str:
    """How a call label writes a generator seeded with ``seed``."""
    return f"<torch.Generator seeded with {seed}>"


def as_ints(batches: Any) -> list[list[int]]:
    """Batches as lists of ints, for computing properties (a student's batch may hold tensor ints)."""
    return [[int(i) for i in batch] for batch in batches]


def accepted(p: Any, label: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``"accepted"`` when a valid construction returns, else the exception it raised."""
    made = p.attempt(label, fn, *args, **kwargs)
    return made if is_raised(made) else "accepted"


# ----------------------------------------------------------------- Sequential


@check(points=1, task=1, forbid=SAMPLERS,
       concept="a sampler yields dataset indices: SequentialSampler yields 0, 1, ..., len(data_source) - 1",
       hints=("Which indices does a dataset of n items have, in which order should a sequential sampler hand them "
              "out, and what should len() of the sampler say?",
              "Read the SequentialSampler docstring and its Example, and the protocol of torch.utils.data.Sampler: "
              "__iter__ returns an iterator of ints, __len__ how many it yields.",
              "Pattern on another class: a Countdown(start) whose __iter__ gives start, start - 1, ..., 1 "
              "(iter(range(self.start, 0, -1))) and whose __len__ is start."))
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


@check(points=3, task=2, forbid=SAMPLERS,
       concept="a random permutation from the given torch.Generator, yielded as Python ints: whole permutations, "
               "then the start of one more when num_samples is not a multiple of n; __len__ is num_samples",
       hints=("Where does your randomness come from: the generator you were given, or somewhere else? How many whole "
              "permutations fit into num_samples, what is left over, and are the indices you yield plain Python ints?",
              "torch.randperm (its generator= argument) and torch.Tensor.tolist; the first bullet of the RandomSampler "
              "docstring ('without replacement: ...'). random.shuffle never reads a torch.Generator.",
              "Pattern with other numbers: dealing 17 cards from a 7-card deck is 2 whole shuffled decks and then the "
              "first 3 cards of a third shuffle, since divmod(17, 7) == (2, 3)."))
def random_sampler_permutation(m, p):
    """RandomSampler without replacement matches torch's for one epoch (num_samples <, =, > n)"""
    obs = {}
    for n, num_samples in ((10, None), (10, 4), (10, 10), (7, 17), (3, 12), (1, 3)):
        seed, g, _ = seeded(p)
        label = f"RandomSampler(range({n}), num_samples={num_samples}, generator={gen(seed)})"
        sampler = p.call(label, m.RandomSampler, range(n), num_samples=num_samples, generator=g)
        obs[f"{label}: first epoch"] = p.call(f"iterating {label}", draw, sampler)
        obs[f"len({label})"] = p.attempt(f"len({label})", len, sampler)
    return obs


def global_seeds(seed: int, count: int) -> list[int]:
    """The first ``count`` int64 draws the global RNG makes once seeded with ``seed`` (read without touching it)."""
    g = torch.Generator().manual_seed(seed)
    return [int(torch.empty((), dtype=torch.int64).random_(generator=g).item()) for _ in range(count)]


@check(points=2, task=2, forbid=SAMPLERS,
       concept="RandomSampler's randomness per epoch: with generator=None, every __iter__ seeds a fresh "
               "torch.Generator with one int64 draw from the global RNG (so torch.manual_seed reproduces the epochs, "
               "as in torch); a given generator is used as it is and advances, so each epoch differs",
       hints=("Without a generator, where does each epoch's randomness come from, and when is it drawn: once for the "
              "sampler or once per epoch? With a generator, do you let its state move on between epochs?",
              "The RandomSampler docstring paragraph 'When generator is None, every __iter__ makes a fresh "
              "torch.Generator seeded with ...'; torch.Generator.manual_seed; torch.manual_seed seeds the global RNG.",
              "Pattern elsewhere: a dice game that, each time it starts, takes one number from a master RNG and seeds "
              "a private torch.Generator with it, so seeding the master once replays every game."))
def random_sampler_epochs(m, p):
    """RandomSampler seeds from the global RNG in every epoch when generator=None; a given generator advances"""
    obs = {}
    global_seed = p.integer(0, 10_000)
    label = "RandomSampler(range(9), num_samples=20)"
    torch.manual_seed(global_seed)
    sampler = p.call(label, m.RandomSampler, range(9), num_samples=20)
    epochs = [p.call(f"iterating {label} (generator=None)", draw, sampler) for _ in range(3)]
    for epoch, (seed, got) in enumerate(zip(global_seeds(global_seed, 3), epochs), start=1):
        own_label = f"RandomSampler(range(9), num_samples=20, generator={gen(seed)})"
        own = p.call(own_label, m.RandomSampler, range(9), num_samples=20,
                     generator=torch.Generator().manual_seed(seed))
        obs[f"after torch.manual_seed({global_seed}), {label} with generator=None, epoch {epoch}: the same indices "
            f"as your {own_label} ({seed} is draw {epoch} of the global RNG)"] = got == p.call(
            f"iterating {own_label}", draw, own)
    seed, g, _ = seeded(p)
    label = f"RandomSampler(range(12), generator={gen(seed)})"
    sampler = p.call(label, m.RandomSampler, range(12), generator=g)
    first, second = p.call(f"iterating {label}", draw, sampler), draw(sampler)
    obs[f"{label}: epoch 1 is a permutation of range(12)"] = sorted(first) == list(range(12))
    obs[f"{label}: epoch 2 differs from epoch 1 (the generator advances)"] = first != second
    return obs


@check(points=2, task=2, forbid=SAMPLERS, builds_on=("random_sampler_permutation", "random_sampler_epochs"),
       concept="epochs drawn from one generator, as torch draws them: each epoch takes its whole permutations and "
               "then one more permutation for the remainder, drawn even when the remainder is empty, so the shared "
               "generator advances exactly as torch's and every later epoch matches torch's too",
       hints=("Epoch 1 matches but a later one does not: the generator is shared between epochs, so how many "
              "permutations does one epoch draw from it? Does that number change when num_samples is a multiple of n?",
              "In the RandomSampler docstring: 'then the first num_samples % n indices of one more permutation (each "
              "permutation a new randperm call)'; compare with torch.utils.data.RandomSampler.__iter__ in "
              "torch/utils/data/sampler.py.",
              "Pattern: for a generator g seeded with 0, the line torch.rand(5, generator=g)[:0] gives "
              "nothing, yet deleting it changes every later torch.rand(..., generator=g)."))
def random_sampler_epoch_after_epoch(m, p):
    """RandomSampler matches torch's over three epochs drawn from one generator"""
    obs = {}
    for n, num_samples in ((10, None), (7, 17), (4, 12), (6, 4)):
        seed, g, _ = seeded(p)
        label = f"RandomSampler(range({n}), num_samples={num_samples}, generator={gen(seed)})"
        sampler = p.call(label, m.RandomSampler, range(n), num_samples=num_samples, generator=g)
        for epoch in (1, 2, 3):
            obs[f"{label}: epoch {epoch}"] = p.call(f"iterating {label} (epoch {epoch})", draw, sampler)
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


@check(points=2, task=2, forbid=SAMPLERS,
       concept="sampling with replacement: num_samples independent draws, uniform in [0, n), "
               "from the generator (indices may repeat)",
       hints=("With replacement, must every index appear once? How many draws per epoch, from which range (is its "
              "upper end included?), and from which source of randomness?",
              "torch.randint (its high argument is exclusive, and it takes generator=); the second bullet of the "
              "RandomSampler docstring ('with replacement: ...').",
              "Pattern: 8 rolls of a six-sided die numbered 1..6 from a generator g: "
              "torch.randint(1, 7, (8,), generator=g).tolist()."))
def random_sampler_replacement(m, p):
    """RandomSampler(replacement=True) draws num_samples uniform indices in [0, n) from the generator"""
    obs = {}
    n, k = 6, 6000
    seed, g1, g2 = seeded(p)
    label = f"RandomSampler(range({n}), replacement=True, num_samples={k}, generator={gen(seed)})"
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
    label = f"RandomSampler(range(50), replacement=True, generator={gen(seed)})"
    sampler = p.call(label, m.RandomSampler, range(50), replacement=True, generator=g)
    drawn = p.call(f"iterating {label}", draw, sampler)
    obs[f"{label}: number of indices drawn (num_samples defaults to the length of the dataset)"] = len(drawn)
    obs[f"{label}: some index repeats (with replacement, 50 draws from 50 repeat almost surely)"] = (
        len(set(drawn)) < len(drawn))
    seed, g, _ = seeded(p)
    label = f"RandomSampler(range(3), replacement=True, num_samples=11, generator={gen(seed)})"
    sampler = p.call(label, m.RandomSampler, range(3), replacement=True, num_samples=11, generator=g)
    obs[f"{label}: number of indices drawn"] = len(p.call(f"iterating {label}", draw, sampler))
    obs[f"len({label})"] = p.attempt(f"len({label})", len, sampler)
    return obs


random_sampler_replacement.judge(keywise(("histogram", chi_square_rule)))


@check(points=1, task=2, forbid=SAMPLERS,
       concept="validating constructor arguments: num_samples must be a positive int (ValueError otherwise)",
       hints=("What should happen when someone asks for 0 or -3 indices per epoch, or hands over an empty dataset "
              "and no num_samples? Where is the earliest place to refuse?",
              "The 'Raises' paragraph of the RandomSampler docstring: ValueError when num_samples is not a positive "
              "int, including the default for a dataset of length 0.",
              "Pattern in another constructor: a Grid(width) refuses width=0 with "
              "raise ValueError(f'width should be a positive integer value, but got width={width}')."))
def random_sampler_validation(m, p):
    """RandomSampler raises ValueError for num_samples <= 0 (also an empty dataset)"""
    obs = {}
    for num_samples in (0, -3):
        label = f"RandomSampler(range(5), num_samples={num_samples})"
        obs[label] = p.attempt(label, m.RandomSampler, range(5), num_samples=num_samples)
    obs["RandomSampler([]) (num_samples defaults to 0)"] = p.attempt("RandomSampler([])", m.RandomSampler, [])
    label = "RandomSampler(range(5), replacement=True, num_samples=0)"
    obs[label] = p.attempt(label, m.RandomSampler, range(5), replacement=True, num_samples=0)
    label = "RandomSampler(range(5), num_samples=1)"
    obs[f"{label} (valid)"] = accepted(p, label, m.RandomSampler, range(5), num_samples=1)
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


@check(points=3, task=3, forbid=SAMPLERS,
       concept="batching a sampler: consecutive indices in lists of batch_size, a shorter last batch unless "
               "drop_last, the inner sampler iterated anew every epoch",
       hints=("When is a batch complete, what happens to the indices left at the end (with and without drop_last), "
              "is each batch you hand out a new list, and do you read the inner sampler again every epoch?",
              "The BatchSampler docstring and its Examples, and torch.utils.data.BatchSampler; a generator function "
              "(one with yield) runs from the start at every iter().",
              "Pattern on a string: cutting 'abcdefghij' into pieces of 4 gives 'abcd', 'efgh' and a shorter 'ij' "
              "([s[i:i + 4] for i in range(0, len(s), 4)]); dropping the short piece leaves two."))
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


@check(points=2, task=3, forbid=SAMPLERS,
       concept="the number of batches: ceil(len(sampler) / batch_size), or floor(len(sampler) / batch_size) "
               "with drop_last (a sampler, and so a DataLoader, needs __len__)",
       hints=("How many batches do 10 indices make in batches of 3, with and without dropping the incomplete one? "
              "Does your count also hold when the batch size divides the number of indices exactly?",
              "The BatchSampler docstring ('Batches, and __len__, are identical to torch.utils.data.BatchSampler's') "
              "and the __len__ docstring; math.ceil and floor division //.",
              "Pattern: boxes for 23 eggs, 6 per box: -(-23 // 6) == 4 boxes when a partly filled box counts, "
              "23 // 6 == 3 full boxes otherwise."))
def batch_sampler_len(m, p):
    """len(BatchSampler) counts the batches for drop_last True/False"""
    obs = {}
    for n, batch_size in ((10, 3), (9, 3), (12, 4), (10, 5), (5, 12), (1, 1), (0, 3)):
        for drop_last in (False, True):
            label = f"len(BatchSampler(range({n}), batch_size={batch_size}, drop_last={drop_last}))"
            sampler = p.call(label, m.BatchSampler, range(n), batch_size, drop_last)
            obs[label] = p.attempt(label, len, sampler)
    return obs


@check(points=1, task=3, forbid=SAMPLERS,
       concept="validating constructor arguments: batch_size a positive int, drop_last a bool "
               "(ValueError otherwise)",
       hints=("Which batch sizes make no sense (0, -2, 2.0, True), and which drop_last values are not really "
              "booleans (1, None, 'no')?",
              "The 'Raises' paragraph of the BatchSampler docstring; isinstance, and the fact that bool is a "
              "subclass of int in Python.",
              "Pattern: isinstance(True, int) is True and isinstance(1, bool) is False, so a type test for 'an int' "
              "lets booleans through unless it rules them out on purpose."))
def batch_sampler_validation(m, p):
    """BatchSampler raises ValueError for a non-positive or non-int batch_size and a non-bool drop_last"""
    obs = {}
    for batch_size, drop_last in ((0, False), (-2, False), (2.0, False), (True, False), (3, 1), (3, None), (3, "no")):
        label = f"BatchSampler(range(5), batch_size={batch_size!r}, drop_last={drop_last!r})"
        obs[label] = p.attempt(label, m.BatchSampler, range(5), batch_size, drop_last)
    label = "BatchSampler(range(5), 2, True)"
    obs[f"{label} (valid)"] = accepted(p, label, m.BatchSampler, range(5), 2, True)
    return obs


# ----------------------------------------------------------------- ClassBalancedSampler


def imbalanced_labels(p: Any) -> list[int]:
    base = [0] * 10 + [1] * 5 + [2] * 3 + [3] * 2
    return [base[i] for i in torch.randperm(len(base), generator=p.generator()).tolist()]


@check(points=1, task=4, forbid=SAMPLERS,
       concept="class balancing by inverse class frequency: sample i weighs 1 / (the number of samples of its "
               "class), as float64; labels given as a tensor are counted by value, like a list",
       hints=("If class 0 has 10 samples and class 3 has 2, how heavy must each sample be so that both classes weigh "
              "the same in total? How does your counting treat the elements of a tensor?",
              "The ClassBalancedSampler docstring ('Sample i gets the weight 1 / count(labels[i])') and its "
              "Attributes paragraph (float64); collections.Counter; torch.Tensor.tolist.",
              "Pattern: votes ['a', 'a', 'b'] weighted so that each option counts once in total give "
              "[0.5, 0.5, 1.0]; Counter(torch.tensor([1, 1])) has two keys (tensors hash by identity), "
              "Counter([1, 1]) one."))
def class_balanced_weights(m, p):
    """ClassBalancedSampler.weights is 1 / class count as float64, for a list or a tensor of labels"""
    labels = imbalanced_labels(p)
    obs = {}
    sampler = p.call(f"ClassBalancedSampler({labels})", m.ClassBalancedSampler, labels)
    obs[f"ClassBalancedSampler({labels}).weights"] = getattr(sampler, "weights", "no attribute weights")
    sampler = p.call(f"ClassBalancedSampler(torch.tensor({labels}))", m.ClassBalancedSampler, torch.tensor(labels))
    obs[f"ClassBalancedSampler(torch.tensor({labels})).weights"] = getattr(sampler, "weights", "no attribute weights")
    return obs


@check(points=3, task=4, forbid=SAMPLERS, builds_on=("class_balanced_weights",),
       concept="drawing by weight: num_samples indices (by default one per label) drawn with replacement in "
               "proportion to the weights, from the given generator with torch.multinomial, index for index as "
               "WeightedRandomSampler draws them",
       hints=("Where do your indices come from: a draw in proportion to the weights, with or without replacement, "
              "and from which generator? How many per epoch when num_samples is not given?",
              "torch.multinomial (its replacement and generator arguments) and "
              "torch.utils.data.WeightedRandomSampler, which the ClassBalancedSampler docstring asks you to match.",
              "Pattern: 5 tosses of a loaded coin with weights [0.2, 0.8] from a generator g: "
              "torch.multinomial(torch.tensor([0.2, 0.8]), 5, replacement=True, generator=g).tolist()."))
def class_balanced_indices(m, p):
    """ClassBalancedSampler draws the same indices as WeightedRandomSampler with inverse-frequency weights"""
    labels = imbalanced_labels(p)
    obs = {}
    for num_samples in (None, 7, 60):
        seed, g, _ = seeded(p)
        label = f"ClassBalancedSampler({labels}, num_samples={num_samples}, generator={gen(seed)})"
        sampler = p.call(label, m.ClassBalancedSampler, labels, num_samples=num_samples, generator=g)
        obs[f"{label}: indices"] = p.call(f"iterating {label}", draw, sampler)
        obs[f"len({label})"] = p.attempt(f"len({label})", len, sampler)
    seed, g, _ = seeded(p)
    label = f"ClassBalancedSampler(torch.tensor(labels), generator={gen(seed)})"
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


@check(points=3, task=5, forbid=SAMPLERS,
       concept="bucket batching: shuffle the indices, cut them into buckets of bucket_size * batch_size, "
               "sort each bucket by length, cut it into batches, shuffle the batch order; every index once per epoch, "
               "only the one incomplete batch dropped with drop_last, __len__ like BatchSampler's",
       hints=("Does every index land in exactly one batch? How many indices does a bucket hold, where can a short "
              "batch appear, which batch does drop_last remove, and does __len__ count the batches you yield?",
              "Steps 1-5 of the BucketBatchSampler docstring and its Example; range(start, stop, step) to walk "
              "through a list chunk by chunk.",
              "Pattern: 23 names in groups of 10 start at range(0, 23, 10) == 0, 10, 20, so the last group holds "
              "3 names and no name is lost."))
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


@check(points=3, task=5, forbid=SAMPLERS, builds_on=("bucket_coverage",),
       concept="why bucket: sorting each bucket by length before cutting it into batches puts sequences "
               "of similar length together, so padding to the longest in a batch wastes little",
       hints=("Which sequences end up in the same batch? If one batch holds a 3-token and a 150-token sequence, how "
              "much padding does that cost?",
              "Step 3 of the BucketBatchSampler docstring ('sorts each bucket by length (stable: ...)'); the key "
              "argument of sorted.",
              "Pattern: sorted(['ccc', 'a', 'bb'], key=len) == ['a', 'bb', 'ccc']; positions ordered by their "
              "values: sorted(range(len(v)), key=lambda i: v[i])."))
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


@check(points=2, task=5, forbid=SAMPLERS, builds_on=("bucket_coverage", "bucket_padding"),
       concept="randomness from the generator only: a seeded generator reproduces the batches, a new epoch "
               "gives a new order, the buckets are cut from the shuffled indices, the batch order is shuffled, and "
               "shuffle=False is fixed (buckets in index order, each sorted by length)",
       hints=("Which of your random choices use the generator you were given, and which use something else? Do you "
              "shuffle the order of the batches as well as the indices? What changes between two epochs?",
              "Steps 1 and 5 and the paragraph 'Randomness comes only from generator' of the BucketBatchSampler "
              "docstring; the generator= argument of torch.randperm; RandomSampler's rule for generator=None.",
              "Pattern: to deal a deck of 52 cards in a reproducible random order, take the order from "
              "torch.randperm(52, generator=g); random.shuffle would read Python's global RNG instead."))
def bucket_randomness(m, p):
    """BucketBatchSampler is reproducible with a seeded generator, new each epoch, fixed with shuffle=False"""
    obs = {}
    n = 300
    lengths = long_tailed_lengths(p, n)
    seed, g1, g2 = seeded(p)
    label = f"BucketBatchSampler(lengths, 8, bucket_size=5, generator={gen(seed)})"
    first = p.call(label, m.BucketBatchSampler, lengths, 8, bucket_size=5, generator=g1)
    second = p.call(label, m.BucketBatchSampler, lengths, 8, bucket_size=5, generator=g2)
    epochs = [as_ints(p.call(f"iterating {label}", draw, first)) for _ in range(2)]
    obs["two samplers with equally seeded generators give the same batches (2 epochs)"] = epochs == [
        as_ints(draw(second)) for _ in range(2)]
    obs["epoch 2 differs from epoch 1"] = epochs[0] != epochs[1]
    block = 8 * 5  # bucket_size * batch_size consecutive indices: a bucket when nothing is shuffled
    obs[f"some batch holds indices from two blocks of {block} consecutive indices (buckets come from shuffled "
        "indices)"] = any(len({i // block for i in b}) > 1 for b in epochs[0])
    seed, g, _ = seeded(p)
    label = f"BucketBatchSampler(lengths, 8, bucket_size=100, generator={gen(seed)})"
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


def shard_label(n: int, replicas: int, rank: int, shuffle: bool, seed: int, drop_last: bool) -> str:
    return (f"ShardSampler(range({n}), num_replicas={replicas}, rank={rank}, shuffle={shuffle}, seed={seed}, "
            f"drop_last={drop_last})")


@check(points=3, task=6, forbid=SAMPLERS,
       concept="sharding for distributed training like DistributedSampler: every rank shuffles the same way "
               "(a generator seeded seed + epoch), pads by wrapping around to a multiple of num_replicas (or "
               "truncates with drop_last), and takes every num_replicas-th index from position rank on "
               "(strided, not a contiguous chunk)",
       hints=("For 10 indices and 3 ranks: how many indices does each rank get with and without drop_last, which "
              "indices are repeated to even the shares out, and which positions belong to rank 1?",
              "Steps 1-3 of the ShardSampler docstring and its Example; torch.utils.data.DistributedSampler; "
              "extended slicing seq[start:stop:step].",
              "Pattern: 'abcde' topped up to 6 letters by wrapping around is 'abcdea', and 'abcdefgh'[1::3] == 'beh' "
              "takes every third letter from position 1."))
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


@check(points=2, task=6, forbid=SAMPLERS,
       concept="set_epoch: with shuffle, epoch e shuffles with a fresh torch.Generator of its own seeded seed + e "
               "(the global RNG is left alone), so each epoch has a new order that every rank agrees on",
       hints=("What must set_epoch change so that the next __iter__ shuffles differently, and where is that value "
              "read? Is the order after set_epoch(e) the same one a sampler built with seed + e starts with?",
              "Step 1 of the ShardSampler docstring and the docstring of its set_epoch method; "
              "torch.utils.data.DistributedSampler.set_epoch.",
              "Pattern: a quiz that shows its questions in a new order each week keeps the week number and, when it "
              "is shown, seeds a fresh generator with base_seed + week: week 3 of base 10 looks like week 0 of 13."))
def shard_set_epoch(m, p):
    """ShardSampler.set_epoch(e) shuffles as a sampler built with seed + e, new each epoch, on every rank"""
    obs = {}
    seed = p.integer(0, 1000)
    for rank in range(2):
        label = shard_label(11, 2, rank, True, seed, False)
        sampler = p.call(label, m.ShardSampler, range(11), 2, rank, shuffle=True, seed=seed)
        state = torch.get_rng_state()
        before = p.call(f"iterating {label}", draw, sampler)
        obs[f"{label}: iterating leaves the global RNG untouched"] = torch.equal(state, torch.get_rng_state())
        for step, epoch in enumerate((1, 2, 1), start=1):
            p.call(f"{label}.set_epoch({epoch})", sampler.set_epoch, epoch)
            got = p.call(f"iterating {label} after set_epoch({epoch})", draw, sampler)
            fresh_label = shard_label(11, 2, rank, True, seed + epoch, False)
            fresh = p.call(fresh_label, m.ShardSampler, range(11), 2, rank, shuffle=True, seed=seed + epoch)
            obs[f"{label}: call {step}, after set_epoch({epoch}): the same indices as your {fresh_label} "
                f"before any set_epoch"] = got == p.call(f"iterating {fresh_label}", draw, fresh)
            obs[f"{label}: call {step}, after set_epoch({epoch}): a different order than before set_epoch"] = (
                got != before)
    label = shard_label(11, 2, 0, False, seed, False)
    sampler = p.call(label, m.ShardSampler, range(11), 2, 0, shuffle=False, seed=seed)
    before = p.call(f"iterating {label}", draw, sampler)
    p.call(f"{label}.set_epoch(3)", sampler.set_epoch, 3)
    obs[f"{label}: after set_epoch(3), the same order as before (no shuffle)"] = draw(sampler) == before
    return obs


@check(points=2, task=6, builds_on=("shard_indices",), forbid=SAMPLERS,
       concept="ranks split the data: together they cover every index (without drop_last), "
               "and no index goes to two ranks beyond the wrap-around padding; "
               "all ranks shuffle with the same seed + epoch",
       hints=("Put the shards of all ranks side by side: is every index somewhere, and which appear twice? Do all "
              "ranks start from the same permutation?",
              "Step 1 of the ShardSampler docstring ('every rank computes the same permutation') and its Attributes "
              "num_samples and total_size.",
              "Pattern: splitting a shuffled class list into 3 teams works only if everyone shuffles with the same "
              "seed; with a seed per team some pupils land in two teams and some in none."))
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


@check(points=1, task=6, forbid=SAMPLERS,
       concept="validating constructor arguments: rank must be in [0, num_replicas) (ValueError otherwise)",
       hints=("With 3 replicas, which rank numbers exist? What about rank 3, rank -1, or 0 replicas?",
              "The 'Raises' paragraph of the ShardSampler docstring; Python's chained comparisons (a <= x < b).",
              "Pattern: a month must satisfy 1 <= month <= 12, so a Date refuses month=13 with "
              "raise ValueError(f'month should be in [1, 12], but got {month}')."))
def shard_validation(m, p):
    """ShardSampler raises ValueError for a rank outside [0, num_replicas)"""
    obs = {}
    for replicas, rank in ((3, 3), (3, -1), (2, 5), (0, 0)):
        label = f"ShardSampler(range(5), num_replicas={replicas}, rank={rank})"
        obs[label] = p.attempt(label, m.ShardSampler, range(5), replicas, rank)
    label = "ShardSampler(range(5), num_replicas=3, rank=2)"
    obs[f"{label} (valid)"] = accepted(p, label, m.ShardSampler, range(5), 3, 2)
    return obs

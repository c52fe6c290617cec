"""Assignment a06: samplers decide which indices, in which order (lecture 5).

What this assignment teaches
----------------------------
A DataLoader never looks at the data to choose what comes next: a *sampler*
yields dataset indices (a :class:`torch.utils.data.Sampler` of ``int``), and
a *batch sampler* groups them into lists (a ``Sampler`` of ``list[int]``).
``DataLoader(ds, batch_size=32, shuffle=True)`` is exactly
``BatchSampler(RandomSampler(ds), 32, drop_last=False)``. Here you write
torch's samplers yourself, then two that torch does not have: one that
balances classes and one that batches sequences of similar length together so
that little padding is needed.

Every sampler subclasses :class:`torch.utils.data.Sampler` directly (wrapping
or subclassing torch's own samplers counts as not implemented), implements
``__iter__`` and ``__len__``, and takes its randomness only from the given
``torch.Generator`` (so a seeded generator makes it reproducible).

Tasks
-----
Task 1: ``SequentialSampler`` -- ``0, 1, ..., n - 1``.
Task 2: ``RandomSampler`` -- a random permutation (or draws with replacement), as torch's.
Task 3: ``BatchSampler`` -- group any sampler's indices into batches.
Task 4: ``ClassBalancedSampler`` -- draw every class equally often.
Task 5: ``BucketBatchSampler`` -- batches of sequences of similar length.
Task 6: ``ShardSampler`` -- one rank's share of the data, as ``DistributedSampler`` does it.

Grading
-------
Run ``pytest graders/ -m a06`` from the repository root.

Try it on the example data
--------------------------
From the ``assignments/`` folder (``python tools/make_example_data.py``
recreates ``data/``)::

    python -c "import torch; from a06_samplers import RandomSampler, BatchSampler; print(list(BatchSampler(RandomSampler(range(10), generator=torch.Generator().manual_seed(0)), 4, drop_last=False)))"
    python -c "from a06_samplers import BucketBatchSampler; lengths = [len(line.split()) for line in open('../data/lines.txt', encoding='utf-8')]; print([[lengths[i] for i in batch] for batch in BucketBatchSampler(lengths, batch_size=5, bucket_size=2, shuffle=False)])"
    python -c "from a06_samplers import ShardSampler; print([list(ShardSampler(range(10), num_replicas=3, rank=r, shuffle=False)) for r in range(3)])"
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence, Sized

import torch
from torch.utils.data import Sampler

__all__ = [
    "BatchSampler",
    "BucketBatchSampler",
    "ClassBalancedSampler",
    "RandomSampler",
    "SequentialSampler",
    "ShardSampler",
]


class SequentialSampler(Sampler[int]):
    r"""Yield ``0, 1, ..., len(data_source) - 1``, always in this order.

    Args:
        data_source (Sized): the dataset (anything with ``__len__``). Its
            length is read at iteration time.

    Example:
        >>> list(SequentialSampler(range(4)))
        [0, 1, 2, 3]
    """

    data_source: Sized

    def __init__(self, data_source: Sized) -> None:
        """Keep ``data_source``."""
        raise NotImplementedError("a06 task 1: implement SequentialSampler.__init__ (see the docstring)")

    def __iter__(self) -> Iterator[int]:
        """Yield the indices in order."""
        raise NotImplementedError("a06 task 1: implement SequentialSampler.__iter__ (see the docstring)")

    def __len__(self) -> int:
        """Return ``len(data_source)``."""
        raise NotImplementedError("a06 task 1: implement SequentialSampler.__len__ (see the docstring)")


class RandomSampler(Sampler[int]):
    r"""Yield indices in random order, without or with replacement.

    Let ``n = len(data_source)``. Each ``__iter__`` (each epoch):

    - without replacement: yields ``torch.randperm(n, generator=generator)``;
      when ``num_samples > n``, ``num_samples // n`` whole permutations and
      then the first ``num_samples % n`` indices of one more permutation
      (each permutation a new ``randperm`` call). The result is index for
      index that of :class:`torch.utils.data.RandomSampler` with an equally
      seeded generator.
    - with replacement: ``num_samples`` indices drawn uniformly from
      ``[0, n)`` with ``torch.randint(..., generator=generator)``.

    When ``generator`` is None, every ``__iter__`` makes a fresh
    ``torch.Generator`` seeded with
    ``int(torch.empty((), dtype=torch.int64).random_().item())`` (one draw
    from the global RNG), as torch does, so ``torch.manual_seed`` makes the
    epochs reproducible. A given generator is used as it is: its state
    advances, so the next epoch has a different order.

    Args:
        data_source (Sized): the dataset.
        replacement (bool): draw with replacement. Default: ``False``.
        num_samples (int, optional): how many indices per epoch. Default:
            ``len(data_source)`` (read once, in ``__init__``).
        generator (torch.Generator, optional): the source of randomness.

    Raises:
        TypeError: ``replacement`` is not a bool.
        ValueError: ``num_samples`` is not a positive int (``<= 0``, or a
            dataset of length 0 with the default ``num_samples``).

    Example:
        >>> g = torch.Generator().manual_seed(0)
        >>> sorted(RandomSampler(range(5), generator=g))
        [0, 1, 2, 3, 4]
        >>> len(RandomSampler(range(5), num_samples=12))
        12
    """

    data_source: Sized
    replacement: bool

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: torch.Generator | None = None,
    ) -> None:
        """Check the arguments and keep them; see the class docstring."""
        raise NotImplementedError("a06 task 2: implement RandomSampler.__init__ (see the docstring)")

    def __iter__(self) -> Iterator[int]:
        """Yield ``num_samples`` random indices (one epoch)."""
        raise NotImplementedError("a06 task 2: implement RandomSampler.__iter__ (see the docstring)")

    def __len__(self) -> int:
        """Return ``num_samples``."""
        raise NotImplementedError("a06 task 2: implement RandomSampler.__len__ (see the docstring)")


class BatchSampler(Sampler[list[int]]):
    r"""Group the indices of ``sampler`` into lists of ``batch_size``.

    The last batch is shorter when the number of indices is not a multiple of
    ``batch_size``; ``drop_last=True`` drops it. Batches, and ``__len__``, are
    identical to :class:`torch.utils.data.BatchSampler`'s.

    Args:
        sampler (Sampler or iterable of int): the indices, in order. It is
            iterated anew on every ``__iter__``; ``__len__`` needs
            ``len(sampler)``.
        batch_size (int): the size of a batch, a positive int.
        drop_last (bool): drop the last batch if it is incomplete.

    Raises:
        ValueError: ``batch_size`` is not a positive int (a bool is not an
            int here) or ``drop_last`` is not a bool, with messages like
            ``"batch_size should be a positive integer value, but got batch_size=0"``.

    Example:
        >>> list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False))
        [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
        >>> list(BatchSampler(range(10), batch_size=3, drop_last=True))
        [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    """

    def __init__(
        self, sampler: Sampler[int] | Iterable[int], batch_size: int, drop_last: bool
    ) -> None:
        """Check the arguments and keep them; see the class docstring."""
        raise NotImplementedError("a06 task 3: implement BatchSampler.__init__ (see the docstring)")

    def __iter__(self) -> Iterator[list[int]]:
        """Yield the batches (a new list each)."""
        raise NotImplementedError("a06 task 3: implement BatchSampler.__iter__ (see the docstring)")

    def __len__(self) -> int:
        """Return the number of batches: ``len(sampler) / batch_size``, rounded down with
        ``drop_last``, else up."""
        raise NotImplementedError("a06 task 3: implement BatchSampler.__len__ (see the docstring)")


class ClassBalancedSampler(Sampler[int]):
    r"""Draw indices with replacement so that every class is drawn equally often.

    Sample ``i`` gets the weight ``1 / count(labels[i])`` (the inverse
    frequency of its class), so each class has the same total weight. Each
    ``__iter__`` yields the indices of
    ``torch.multinomial(weights, num_samples, True, generator=generator)``
    with the weights as a float64 tensor: index for index the same as
    ``torch.utils.data.WeightedRandomSampler(weights, num_samples, generator=generator)``.

    Args:
        labels (sequence of int): the class of every sample (a list or a 1-D
            tensor).
        num_samples (int, optional): indices per epoch. Default: ``len(labels)``.
        generator (torch.Generator, optional): the source of randomness.

    Attributes:
        weights (Tensor): float64, shape ``(len(labels),)``.

    Raises:
        ValueError: ``labels`` is empty or ``num_samples`` is not a positive
            int.

    Example:
        >>> sampler = ClassBalancedSampler([0, 0, 0, 1])
        >>> sampler.weights.tolist()
        [0.3333333333333333, 0.3333333333333333, 0.3333333333333333, 1.0]
        >>> len(sampler)
        4
    """

    def __init__(
        self,
        labels: Sequence[int],
        num_samples: int | None = None,
        generator: torch.Generator | None = None,
    ) -> None:
        """Compute the weights and keep the arguments; see the class docstring."""
        raise NotImplementedError("a06 task 4: implement ClassBalancedSampler.__init__ (see the docstring)")

    def __iter__(self) -> Iterator[int]:
        """Yield ``num_samples`` indices drawn with replacement."""
        raise NotImplementedError("a06 task 4: implement ClassBalancedSampler.__iter__ (see the docstring)")

    def __len__(self) -> int:
        """Return ``num_samples``."""
        raise NotImplementedError("a06 task 4: implement ClassBalancedSampler.__len__ (see the docstring)")


class BucketBatchSampler(Sampler[list[int]]):
    r"""Batches of indices whose sequences have similar lengths.

    A batch of sequences is padded to its longest member, so batching a short
    sequence with a long one wastes compute on padding. Each ``__iter__``:

    1. takes the indices ``0..n-1`` in random order
       (``torch.randperm(n, generator=generator)``) if ``shuffle``, else in
       index order;
    2. cuts them into buckets of ``bucket_size * batch_size`` consecutive
       indices (the last bucket may be smaller);
    3. sorts each bucket by length (stable: equal lengths keep their order);
    4. cuts each sorted bucket into batches of ``batch_size`` (only the last
       bucket can end with a smaller batch; ``drop_last`` drops it);
    5. if ``shuffle``, puts the batches in random order (one ``randperm``
       over the batches), so the model does not see short batches first.

    Randomness comes only from ``generator``; when it is None and
    ``shuffle`` is True, a fresh generator is seeded from the global RNG at
    every ``__iter__``, as :class:`RandomSampler` does. With ``shuffle=False``
    nothing is random. Without ``drop_last`` every index appears exactly once
    per epoch.

    Args:
        lengths (sequence of int): ``lengths[i]`` is the length of sample ``i``.
        batch_size (int): the batch size, a positive int.
        bucket_size (int): how many batches' worth of indices a bucket holds,
            a positive int. Larger buckets mean less padding and less
            randomness. Default: ``100``.
        shuffle (bool): shuffle indices and batches. Default: ``True``.
        drop_last (bool): drop the one incomplete batch. Default: ``False``.
        generator (torch.Generator, optional): the source of randomness.

    Raises:
        ValueError: ``batch_size`` or ``bucket_size`` is not a positive int,
            or ``shuffle`` or ``drop_last`` is not a bool.

    Example:
        >>> lengths = [5, 1, 4, 2, 3, 6]
        >>> list(BucketBatchSampler(lengths, batch_size=2, bucket_size=2, shuffle=False))
        [[1, 3], [2, 0], [4, 5]]
        >>> len(BucketBatchSampler(lengths, 4)), len(BucketBatchSampler(lengths, 4, drop_last=True))
        (2, 1)
    """

    def __init__(
        self,
        lengths: Sequence[int],
        batch_size: int,
        bucket_size: int = 100,
        shuffle: bool = True,
        drop_last: bool = False,
        generator: torch.Generator | None = None,
    ) -> None:
        """Check the arguments and keep them (``lengths`` as a list of ints)."""
        raise NotImplementedError("a06 task 5: implement BucketBatchSampler.__init__ (see the docstring)")

    def __iter__(self) -> Iterator[list[int]]:
        """Yield one epoch of batches (lists of indices)."""
        raise NotImplementedError("a06 task 5: implement BucketBatchSampler.__iter__ (see the docstring)")

    def __len__(self) -> int:
        """Return the number of batches per epoch, as :class:`BatchSampler` counts them."""
        raise NotImplementedError("a06 task 5: implement BucketBatchSampler.__len__ (see the docstring)")


class ShardSampler(Sampler[int]):
    r"""The share of the indices that belongs to one of ``num_replicas`` ranks.

    In distributed (data-parallel) training every process (*rank*) reads a
    different part of the data. Each ``__iter__``:

    1. takes ``torch.randperm(n, generator=g)`` with ``g`` a fresh
       ``torch.Generator`` seeded with ``seed + epoch`` if ``shuffle``
       (every rank computes the same permutation), else ``0..n-1``;
    2. makes the length a multiple of ``num_replicas``: without
       ``drop_last``, appends indices from the start of the list again
       (wrapping around as often as needed) up to
       ``total_size = num_samples * num_replicas``; with ``drop_last``,
       keeps the first ``total_size`` indices;
    3. yields ``indices[rank:total_size:num_replicas]``.

    ``num_samples`` is ``ceil(n / num_replicas)``, or
    ``n // num_replicas`` with ``drop_last``. Indices and ``__len__`` are
    identical to :class:`torch.utils.data.DistributedSampler`'s. Call
    :meth:`set_epoch` before each epoch, or every epoch has the same order.

    Args:
        data_source (Sized): the dataset.
        num_replicas (int): the number of ranks, a positive int.
        rank (int): this rank, in ``[0, num_replicas)``.
        shuffle (bool): shuffle the indices. Default: ``True``.
        seed (int): the shuffling seed, the same on every rank. Default: ``0``.
        drop_last (bool): drop the tail instead of padding. Default: ``False``.

    Attributes:
        epoch (int): set by :meth:`set_epoch`, initially ``0``.
        num_samples (int): indices per rank and epoch.
        total_size (int): ``num_samples * num_replicas``.

    Raises:
        ValueError: ``num_replicas`` is not a positive int, or ``rank`` is
            outside ``[0, num_replicas)``.

    Example:
        >>> [list(ShardSampler(range(5), num_replicas=2, rank=r, shuffle=False)) for r in range(2)]
        [[0, 2, 4], [1, 3, 0]]
        >>> [list(ShardSampler(range(5), 2, r, shuffle=False, drop_last=True)) for r in range(2)]
        [[0, 2], [1, 3]]
    """

    def __init__(
        self,
        data_source: Sized,
        num_replicas: int,
        rank: int,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        """Check the arguments, keep them, compute ``num_samples`` and ``total_size``."""
        raise NotImplementedError("a06 task 6: implement ShardSampler.__init__ (see the docstring)")

    def __iter__(self) -> Iterator[int]:
        """Yield this rank's indices for the current epoch."""
        raise NotImplementedError("a06 task 6: implement ShardSampler.__iter__ (see the docstring)")

    def __len__(self) -> int:
        """Return ``num_samples``."""
        raise NotImplementedError("a06 task 6: implement ShardSampler.__len__ (see the docstring)")

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch; with ``shuffle``, each epoch (``seed + epoch``) gives a different order.

        Args:
            epoch (int): the epoch number.
        """
        raise NotImplementedError("a06 task 6: implement ShardSampler.set_epoch (see the docstring)")

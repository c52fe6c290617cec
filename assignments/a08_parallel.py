"""Assignment a08: parallel data preprocessing with DataLoader workers (lecture 5).

What this assignment teaches
----------------------------
With ``num_workers=k > 0`` the DataLoader starts ``k`` worker *processes*.
Each holds its own copy of the dataset (pickled and sent to it, or inherited
by ``fork``), reads and collates batches, and sends them back while the main
process trains. Two things follow:

- an :class:`~torch.utils.data.IterableDataset` runs its ``__iter__`` in
  every worker, so unless it asks ``torch.utils.data.get_worker_info()``
  which worker it is and yields only its share, every sample comes ``k``
  times;
- a random number generator stored in the dataset is *copied* into every
  worker, so all workers draw the same "random" numbers unless a
  ``worker_init_fn`` reseeds it. DataLoader gives each worker the seed
  ``base_seed + worker_id`` (``torch.initial_seed()`` inside the worker),
  where ``base_seed`` is drawn from the loader's ``generator`` once per
  epoch: seed the loader and the whole epoch becomes reproducible.

Everything handed to workers must be picklable (module-level classes and
functions, no lambdas), or it fails under the ``spawn`` start method used on
Windows and macOS.

Tasks
-----
Task 1: ``ShardedLineDataset`` -- the lines of a text file, shared out among workers.
Task 2: ``NoisyDataset`` -- a map-style dataset with noise from its own numpy generator.
Task 3: ``seed_worker`` -- a ``worker_init_fn`` that reseeds the RNGs in each worker.
Task 4: ``make_loader`` -- a reproducible DataLoader.

The graders start real worker processes (``num_workers=2``).

Grading
-------
Run ``pytest graders/ -m a08`` from the repository root.

Try it on the example data
--------------------------
From the ``assignments/`` folder (``python tools/make_example_data.py``
recreates ``data/``)::

    python -c "from a08_parallel import ShardedLineDataset, make_loader; loader = make_loader(ShardedLineDataset('../data/lines.txt'), batch_size=4, num_workers=2); print(sum(len(batch) for batch in loader), 'lines'); print(next(iter(loader)))"
    python -c "import torch; from a08_parallel import NoisyDataset, make_loader; loader = make_loader(NoisyDataset(torch.zeros(8)), batch_size=2, num_workers=2, seed=1); print([b.tolist() for b in loader])"
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import DataLoader, Dataset, IterableDataset, get_worker_info

__all__ = ["NoisyDataset", "ShardedLineDataset", "make_loader", "seed_worker"]


class ShardedLineDataset(IterableDataset):
    r"""The lines of a text file, each produced exactly once per epoch by any number of workers.

    ``__init__`` only keeps the path: the file is opened (UTF-8) in
    :meth:`__iter__`, at iteration time, in whichever process iterates.
    In worker ``k`` of ``n`` (``get_worker_info().id`` and
    ``.num_workers``) it yields only the lines whose 0-based index ``i``
    has ``i % n == k``; in the main process (``get_worker_info()`` is None)
    it yields every line. So with any ``num_workers`` each line comes
    exactly once per epoch (the order across workers may interleave).

    Args:
        path (str or os.PathLike): the text file.
        transform (callable, optional): applied to each line (a ``str``
            without its trailing newline) before it is yielded. Must be
            picklable to be sent to workers.

    Example:
        >>> ds = ShardedLineDataset("../data/lines.txt", transform=str.upper)
        >>> next(iter(ds))[:20]
        'LINE 00: THIS SAMPLE'
    """

    def __init__(
        self, path: str | os.PathLike[str], transform: Callable[[str], Any] | None = None
    ) -> None:
        """Keep ``path`` and ``transform``; do not open the file here."""
        raise NotImplementedError("a08 task 1: implement ShardedLineDataset.__init__ (see the docstring)")

    def __iter__(self) -> Iterator[Any]:
        """Open the file and yield this worker's lines, without newlines, transformed if asked."""
        raise NotImplementedError("a08 task 1: implement ShardedLineDataset.__iter__ (see the docstring)")


class NoisyDataset(Dataset):
    r"""Values with fresh Gaussian noise on every access.

    Item ``i`` is the float32 0-d tensor
    ``values[i] + noise_std * self.rng.standard_normal()``, one draw from the
    dataset's own numpy generator per access. ``self.rng`` is
    ``numpy.random.default_rng(seed)``; each DataLoader worker gets a copy, so
    :func:`seed_worker` must replace it in each worker, or all workers draw
    the same noise.

    Args:
        values (Tensor): 1-D, the clean values.
        noise_std (float): the noise standard deviation, ``>= 0``. Default: ``0.1``.
        seed (int): seed of ``self.rng``. Default: ``0``.

    Attributes:
        rng (numpy.random.Generator): the noise source.

    Raises:
        ValueError: ``values`` is not 1-D or ``noise_std < 0``.

    Example:
        >>> ds = NoisyDataset(torch.tensor([1.0, 2.0]), noise_std=0.0)
        >>> len(ds), ds[1]
        (2, tensor(2.))
    """

    def __init__(self, values: Tensor, noise_std: float = 0.1, seed: int = 0) -> None:
        """Keep the values and make ``self.rng``; see the class docstring."""
        raise NotImplementedError("a08 task 2: implement NoisyDataset.__init__ (see the docstring)")

    def __len__(self) -> int:
        """Return ``len(values)``."""
        raise NotImplementedError("a08 task 2: implement NoisyDataset.__len__ (see the docstring)")

    def __getitem__(self, index: int) -> Tensor:
        """Return ``values[index]`` plus one draw of noise, as a float32 0-d tensor."""
        raise NotImplementedError("a08 task 2: implement NoisyDataset.__getitem__ (see the docstring)")


def seed_worker(worker_id: int) -> None:
    r"""A ``worker_init_fn``: reseed the RNGs of a DataLoader worker.

    Runs in each worker process before it loads anything. Inside a worker,
    ``torch.initial_seed()`` is already ``base_seed + worker_id`` (different
    per worker, drawn from the loader's generator); with
    ``seed = torch.initial_seed() % 2**32`` this function

    - seeds Python's :mod:`random` and numpy's global RNG
      (``numpy.random.seed``) with ``seed``;
    - if the worker's dataset (``get_worker_info().dataset``) has an ``rng``
      attribute, replaces it with ``numpy.random.default_rng(seed)``.

    Called outside a worker (``get_worker_info()`` is None), it only seeds
    the two global RNGs.

    Args:
        worker_id (int): the worker's id (given by the DataLoader; the seed
            already depends on it).
    """
    raise NotImplementedError("a08 task 3: implement seed_worker (see the docstring)")


def make_loader(
    dataset: Dataset,
    batch_size: int,
    *,
    shuffle: bool = False,
    num_workers: int = 0,
    seed: int = 0,
    collate_fn: Callable[[list[Any]], Any] | None = None,
    drop_last: bool = False,
) -> DataLoader:
    r"""Build a reproducible DataLoader.

    Returns ``DataLoader(dataset, batch_size, shuffle=shuffle,
    num_workers=num_workers, generator=g, worker_init_fn=seed_worker,
    persistent_workers=num_workers > 0, collate_fn=collate_fn,
    drop_last=drop_last)`` where ``g`` is a new ``torch.Generator`` seeded
    with ``seed``. The generator decides the shuffling and the workers' base
    seed, so two fresh loaders built with the same arguments give identical
    first epochs (shuffle order and worker noise), and for a deterministic
    map-style dataset the first epoch does not depend on ``num_workers``.
    Persistent workers keep their state (and their RNGs) between epochs.

    Args:
        dataset (Dataset): map-style or iterable (an iterable dataset cannot
            be shuffled by the loader).
        batch_size (int): samples per batch.
        shuffle (bool): reshuffle every epoch. Default: ``False``.
        num_workers (int): worker processes; 0 loads in the main process.
        seed (int): seed of the loader's generator. Default: ``0``.
        collate_fn (callable, optional): merges a list of samples into a
            batch (default: ``default_collate``). Must be picklable (defined
            at module level) when ``num_workers > 0``.
        drop_last (bool): drop the last incomplete batch. Default: ``False``.

    Returns:
        DataLoader: the loader.

    Example:
        >>> first = make_loader(list(range(10)), batch_size=4, shuffle=True, seed=3)
        >>> second = make_loader(list(range(10)), batch_size=4, shuffle=True, seed=3)
        >>> [b.tolist() for b in first] == [b.tolist() for b in second]
        True
    """
    raise NotImplementedError("a08 task 4: implement make_loader (see the docstring)")

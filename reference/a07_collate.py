"""Assignment a07: merging samples into a batch with ``collate_fn`` (lecture 5).

What this assignment teaches
----------------------------
The DataLoader reads ``batch_size`` samples and hands the list to its
``collate_fn``, which merges them into one batch. The default
(``torch.utils.data.default_collate``) stacks tensors, so every sample must
have the same shape. Sentences do not: here you pad them to a common length,
record which positions are real (the *attention mask*), average over real
positions only, pack them for an RNN, and collate samples that are dicts.

Tasks
-----
Task 1: ``pad_collate`` -- right-pad token id sequences, with a mask and the lengths.
Task 2: ``masked_mean`` -- the mean over the real positions of a padded batch.
Task 3: ``pack_collate`` -- a ``PackedSequence`` for RNNs.
Task 4: ``collate_dicts`` -- ``default_collate`` for flat dict samples.

``pad_collate`` may not call ``torch.nn.utils.rnn.pad_sequence``: the graders
detect it and ask you to implement the padding yourself.

Grading
-------
Run ``pytest graders/ -m a07`` from the repository root.

Try it on the example data
--------------------------
From the ``assignments/`` folder (``python tools/make_example_data.py``
recreates ``data/``)::

    python -c "import torch; from a07_collate import pad_collate; lines = open('../data/lines.txt', encoding='utf-8').read().splitlines()[:4]; batch = [(torch.tensor([len(w) for w in line.split()]), i) for i, line in enumerate(lines)]; print(pad_collate(batch))"
    python -c "import torch; from a07_collate import collate_dicts; print(collate_dicts([{'text': 'a b', 'label': 0, 'x': torch.zeros(2)}, {'text': 'c', 'label': 1, 'x': torch.ones(2)}]))"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import Tensor
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

__all__ = ["collate_dicts", "masked_mean", "pack_collate", "pad_collate"]


def pad_collate(
    batch: Sequence[tuple[Tensor, int | Tensor]], pad_value: int = 0
) -> dict[str, Tensor]:
    r"""Merge ``(token_ids, label)`` samples into one right-padded batch.

    Let ``B = len(batch)`` and ``T`` the length of the longest sequence (0 if
    all are empty). Sample ``b``'s ids fill ``input_ids[b, :len_b]``; the rest
    of the row is ``pad_value``. Everything stays in input order.

    Args:
        batch (sequence of (Tensor, int or Tensor)): ``token_ids`` an int64
            1-D tensor of any length (zero allowed), ``label`` an int or a
            0-d integer tensor.
        pad_value (int): the id written into padded positions. Default: ``0``.

    Returns:
        dict[str, Tensor]:

        - ``"input_ids"``: int64 ``(B, T)``;
        - ``"attention_mask"``: bool ``(B, T)``, True on real tokens, False on
          padding (decided by position, not by value: a real token may equal
          ``pad_value``);
        - ``"lengths"``: int64 ``(B,)``;
        - ``"labels"``: int64 ``(B,)``.

    Raises:
        ValueError: ``batch`` is empty, or a ``token_ids`` is not 1-D.
        TypeError: a ``token_ids`` is not a tensor.

    Example:
        >>> out = pad_collate([(torch.tensor([5, 6, 7]), 1), (torch.tensor([8]), 0)])
        >>> out["input_ids"]
        tensor([[5, 6, 7],
                [8, 0, 0]])
        >>> out["attention_mask"]
        tensor([[ True,  True,  True],
                [ True, False, False]])
        >>> out["lengths"], out["labels"]
        (tensor([3, 1]), tensor([1, 0]))
    """
    if len(batch) == 0:
        raise ValueError("batch should hold at least one sample, but it is empty")
    for i, (ids, _) in enumerate(batch):
        if not isinstance(ids, Tensor):
            raise TypeError(
                f"sample {i}: token_ids should be a tensor, but got {type(ids).__name__}"
            )
        if ids.dim() != 1:
            raise ValueError(
                f"sample {i}: token_ids should be 1-D, but got shape {tuple(ids.shape)}"
            )
    lengths = torch.tensor([len(ids) for ids, _ in batch], dtype=torch.int64)
    max_len = int(lengths.max())
    input_ids = torch.full((len(batch), max_len), pad_value, dtype=torch.int64)
    for row, (ids, _) in enumerate(batch):
        input_ids[row, : len(ids)] = ids
    attention_mask = torch.arange(max_len).unsqueeze(0) < lengths.unsqueeze(1)
    labels = torch.tensor([int(label) for _, label in batch], dtype=torch.int64)
    return {
        "input_ids": input_ids,
        "attention_mask": attention_mask,
        "lengths": lengths,
        "labels": labels,
    }


def masked_mean(x: Tensor, mask: Tensor) -> Tensor:
    r"""Average ``x`` over the real (unmasked) positions of each row.

    ``out[b] = sum_t(mask[b, t] * x[b, t]) / max(1, sum_t mask[b, t])``: a
    row without real positions gives zeros, never nan. Padded positions may
    hold any finite values; they do not change the result, and their gradient
    is zero. Differentiable with respect to ``x``.

    Args:
        x (Tensor): floating point, shape ``(B, T, D)``.
        mask (Tensor): bool, shape ``(B, T)``, True on real positions.

    Returns:
        Tensor: shape ``(B, D)``, dtype of ``x``.

    Raises:
        TypeError: ``mask`` is not a bool tensor.
        ValueError: ``x`` is not 3-D or ``mask.shape != x.shape[:2]``.

    Example:
        >>> x = torch.tensor([[[1.0], [3.0], [100.0]], [[7.0], [7.0], [7.0]]])
        >>> mask = torch.tensor([[True, True, False], [False, False, False]])
        >>> masked_mean(x, mask)
        tensor([[2.],
                [0.]])
    """
    if not isinstance(mask, Tensor) or mask.dtype != torch.bool:
        raise TypeError(
            f"mask should be a bool tensor, but got {getattr(mask, 'dtype', type(mask).__name__)}"
        )
    if x.dim() != 3:
        raise ValueError(f"x should have shape (B, T, D), but got shape {tuple(x.shape)}")
    if mask.shape != x.shape[:2]:
        raise ValueError(
            f"mask should have shape {tuple(x.shape[:2])} (x's first two dims), "
            f"but got {tuple(mask.shape)}"
        )
    mask3 = mask.unsqueeze(-1)
    total = x.masked_fill(~mask3, 0).sum(dim=1)
    count = mask3.sum(dim=1).clamp(min=1).to(x.dtype)
    return total / count


def pack_collate(batch: Sequence[tuple[Tensor, int | Tensor]]) -> tuple[PackedSequence, Tensor]:
    r"""Merge ``(token_ids, label)`` samples into a ``PackedSequence`` for an RNN.

    The ids are right-padded (as :func:`pad_collate` does) and packed with
    ``pack_padded_sequence(input_ids, lengths, batch_first=True, enforce_sorted=False)``:
    the RNN then skips the padding, and the packed sequence remembers the
    original order (``unsorted_indices``), so outputs come back in input
    order.

    Args:
        batch (sequence of (Tensor, int or Tensor)): as for :func:`pad_collate`,
            but every sequence must have at least one token.

    Returns:
        tuple[PackedSequence, Tensor]: the packed int64 ids, and the labels,
        int64 ``(B,)``, in input order.

    Raises:
        ValueError: ``batch`` is empty or holds a zero-length sequence.

    Example:
        >>> packed, labels = pack_collate([(torch.tensor([5]), 0), (torch.tensor([6, 7]), 1)])
        >>> packed.data, packed.batch_sizes, labels
        (tensor([6, 5, 7]), tensor([2, 1]), tensor([0, 1]))
    """
    for i, (ids, _) in enumerate(batch):
        if len(ids) == 0:
            raise ValueError(f"sample {i} is a zero-length sequence, which cannot be packed")
    padded = pad_collate(batch)
    packed = pack_padded_sequence(
        padded["input_ids"], padded["lengths"], batch_first=True, enforce_sorted=False
    )
    return packed, padded["labels"]


def collate_dicts(samples: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    r"""Collate samples that are flat dicts, like ``default_collate`` does.

    Every sample must have the same keys; the result has them in the first
    sample's order. For each key, the values of all samples become:

    - tensors: ``torch.stack`` (a new leading batch dimension);
    - bools: a bool tensor ``(B,)`` (checked before ints: ``True`` is an int
      in Python);
    - ints: an int64 tensor ``(B,)``;
    - floats (ints mixed in allowed): a float64 tensor ``(B,)``;
    - strings, and any other values (or a mix of kinds): a list, in sample
      order.

    Args:
        samples (sequence of mappings str -> value): the samples.

    Returns:
        dict[str, Any]: one entry per key.

    Raises:
        ValueError: ``samples`` is empty; a sample's keys differ from the
            first sample's (the message names the key and the sample index);
            the tensors of a key have different shapes (the message names the
            key and the shapes).
        TypeError: a sample is not a mapping.

    Example:
        >>> out = collate_dicts([{"x": torch.zeros(2), "y": 1, "id": "a"},
        ...                      {"x": torch.ones(2), "y": 0, "id": "b"}])
        >>> out["x"].shape, out["y"], out["id"]
        (torch.Size([2, 2]), tensor([1, 0]), ['a', 'b'])
    """
    if len(samples) == 0:
        raise ValueError("samples should hold at least one sample, but it is empty")
    for i, sample in enumerate(samples):
        if not isinstance(sample, Mapping):
            raise TypeError(
                f"sample {i} should be a mapping (dict), but got {type(sample).__name__}"
            )
    keys = list(samples[0])
    for i, sample in enumerate(samples[1:], start=1):
        for key in keys:
            if key not in sample:
                raise ValueError(
                    f"sample {i} has no key {key!r}, but sample 0 has it (sample 0 keys: {keys})"
                )
        for key in sample:
            if key not in samples[0]:
                raise ValueError(
                    f"sample {i} has the key {key!r}, which sample 0 does not have "
                    f"(sample 0 keys: {keys})"
                )
    out: dict[str, Any] = {}
    for key in keys:
        values = [sample[key] for sample in samples]
        if all(isinstance(v, Tensor) for v in values):
            shapes = [tuple(v.shape) for v in values]
            if len(set(shapes)) > 1:
                raise ValueError(
                    f"cannot stack the tensors of key {key!r}: they have different shapes {shapes}"
                )
            out[key] = torch.stack(values)
        elif all(isinstance(v, bool) for v in values):
            out[key] = torch.tensor(values, dtype=torch.bool)
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            out[key] = torch.tensor(values, dtype=torch.int64)
        elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values) and any(
            isinstance(v, float) for v in values
        ):
            out[key] = torch.tensor([float(v) for v in values], dtype=torch.float64)
        else:
            out[key] = list(values)
    return out

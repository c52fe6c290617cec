"""Assignment a09 (capstone): a text classifier, from raw strings to a trained model.

What this assignment teaches
----------------------------
Everything so far, working together. Raw texts become token ids
(``a05_datasets``: :func:`tokenize`, :class:`Vocab`,
:class:`TextClassificationDataset`); a sampler batches texts of similar
length (``a06_samplers``: :class:`BucketBatchSampler`); a collate function
pads each batch (``a07_collate``: :func:`pad_collate`); a model made of your
own layer (``a01_modules``: :class:`Linear`) averages the word embeddings of
the real tokens (``a07_collate``: :func:`masked_mean`); your optimizer
(``a03_optimizers``: :class:`Adam`) and your training loop
(``a04_training``: :func:`train_epoch`, :func:`evaluate`) train it.

This file imports those assignments by their plain module names, so it
needs your ``a01_modules.py``, ``a03_optimizers.py``, ``a04_training.py``,
``a05_datasets.py``, ``a06_samplers.py`` and ``a07_collate.py`` next to it,
and its grade depends on them.

Tasks
-----
Task 1: ``TextClassifier`` -- embeddings, masked mean pooling, a linear layer.
Task 2: ``train_text_classifier`` -- build the whole pipeline and train it.

Grading
-------
Run ``pytest graders/ -m a09`` from the repository root.

Try it on the example data
--------------------------
From the ``assignments/`` folder (``python tools/make_example_data.py``
recreates ``data/``); with 24 reviews this only shows that the pipeline
runs (it validates on its own training texts)::

    python -c "from a05_datasets import TextFolderDataset; from a09_capstone import train_text_classifier; ds = TextFolderDataset('../data/reviews'); texts, labels = zip(*(ds[i] for i in range(len(ds)))); model, vocab, history = train_text_classifier(texts, labels, texts, labels, epochs=30, batch_size=4); print(len(vocab), history[-1])"
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader

from a01_modules import Linear
from a03_optimizers import Adam
from a04_training import evaluate, train_epoch
from a05_datasets import TextClassificationDataset, Vocab, tokenize
from a06_samplers import BucketBatchSampler
from a07_collate import masked_mean, pad_collate

__all__ = ["TextClassifier", "train_text_classifier"]


def _ids_and_labels(
    batch: Sequence[tuple[Tensor, Tensor]], pad_value: int = 0
) -> tuple[Tensor, Tensor]:
    """Collate ``(token_ids, label)`` samples into ``(input_ids, labels)`` (given, not a task).

    The batch is padded with :func:`pad_collate`; only its ``"input_ids"``
    (int64 ``(B, T)``) and ``"labels"`` (int64 ``(B,)``) are kept, the
    ``(inputs, targets)`` pair that ``a04_training``'s loop expects. A
    module-level function (bind ``pad_value`` with :func:`functools.partial`)
    can be pickled, so it also works with DataLoader workers.
    """
    padded = pad_collate(batch, pad_value=pad_value)
    return padded["input_ids"], padded["labels"]


class TextClassifier(nn.Module):
    r"""Bag-of-embeddings text classifier.

    ``forward`` embeds the ids, averages the embeddings over the real tokens
    with :func:`masked_mean` and maps the average to class scores with
    ``a01_modules.Linear``.

    Args:
        vocab_size (int): number of token ids.
        embed_dim (int): embedding size ``D``.
        num_classes (int): number of classes ``C``.
        pad_id (int): the padding id. Default: ``0``.

    Attributes:
        embedding (nn.Embedding): ``nn.Embedding(vocab_size, embed_dim, padding_idx=pad_id)``.
        classifier (Linear): ``a01_modules.Linear(embed_dim, num_classes)``.
        pad_id (int): the padding id.

    Example:
        >>> model = TextClassifier(vocab_size=10, embed_dim=4, num_classes=3)
        >>> model(torch.tensor([[5, 6, 0], [7, 0, 0]])).shape
        torch.Size([2, 3])
    """

    def __init__(self, vocab_size: int, embed_dim: int, num_classes: int, pad_id: int = 0) -> None:
        """Create ``embedding`` and ``classifier`` (call ``super().__init__()`` first)."""
        raise NotImplementedError("a09 task 1: implement TextClassifier.__init__ (see the docstring)")

    def forward(self, input_ids: Tensor, attention_mask: Tensor | None = None) -> Tensor:
        """Compute class scores.

        Args:
            input_ids (Tensor): int64 ``(B, T)``.
            attention_mask (Tensor, optional): bool ``(B, T)``, True on real
                tokens. Default: ``input_ids != pad_id``, so
                ``model(input_ids)`` works on its own.

        Returns:
            Tensor: logits, float32 ``(B, num_classes)``.
        """
        raise NotImplementedError("a09 task 1: implement TextClassifier.forward (see the docstring)")


def train_text_classifier(
    train_texts: Sequence[str],
    train_labels: Sequence[int],
    val_texts: Sequence[str],
    val_labels: Sequence[int],
    *,
    epochs: int = 5,
    batch_size: int = 32,
    embed_dim: int = 32,
    lr: float = 0.01,
    seed: int = 0,
) -> tuple[TextClassifier, Vocab, list[dict[str, float]]]:
    r"""Train a :class:`TextClassifier` on raw texts and report validation metrics per epoch.

    The pipeline:

    1. ``vocab = Vocab([tokenize(t) for t in train_texts])`` (training texts
       only; default ``min_freq`` and specials, so ``pad_id == 0``);
    2. a :class:`TextClassificationDataset` for training and one for
       validation, both with ``vocab``;
    3. ``g = torch.Generator()`` seeded with ``seed``; the training loader is
       ``DataLoader(train_ds, batch_sampler=BucketBatchSampler(train_lengths,
       batch_size, generator=g), collate_fn=collate, generator=g)`` with
       ``train_lengths`` the token counts of the training texts; the
       validation loader is ``DataLoader(val_ds, batch_size=batch_size,
       collate_fn=collate, generator=g)`` (passing ``generator`` keeps the
       loaders away from torch's global RNG);
    4. ``collate = functools.partial(_ids_and_labels, pad_value=vocab.pad_id)``
       (given above): batches are ``(input_ids, labels)`` pairs, what
       ``train_epoch`` and ``evaluate`` expect;
    5. ``num_classes = max(max(train_labels), max(val_labels)) + 1``; the
       model ``TextClassifier(len(vocab), embed_dim, num_classes,
       pad_id=vocab.pad_id)`` is created inside ``torch.random.fork_rng()``
       after ``torch.manual_seed(seed)``, so its initial weights depend only on
       ``seed`` and the global RNG state is left as it was;
    6. ``Adam(model.parameters(), lr=lr)`` and ``nn.CrossEntropyLoss()``;
       each epoch runs ``train_epoch`` then ``evaluate`` on the validation
       loader.

    The same arguments give the same model and history, whatever the global
    RNG state.

    Args:
        train_texts (sequence of str): training texts.
        train_labels (sequence of int): their class indices.
        val_texts (sequence of str): validation texts.
        val_labels (sequence of int): their class indices.
        epochs (int): passes over the training data. Default: ``5``.
        batch_size (int): texts per batch. Default: ``32``.
        embed_dim (int): embedding size. Default: ``32``.
        lr (float): Adam's learning rate. Default: ``0.01``.
        seed (int): seed of the model init and the batch order. Default: ``0``.

    Returns:
        tuple[TextClassifier, Vocab, list[dict[str, float]]]: the trained
        model (in train mode), the vocabulary, and one dict per epoch,
        ``{"epoch": n (int, from 1), "train_loss": ..., "val_loss": ...,
        "val_accuracy": ...}`` (floats).

    Raises:
        ValueError: a texts/labels length mismatch (from
            :class:`TextClassificationDataset`).
    """
    raise NotImplementedError("a09 task 2: implement train_text_classifier (see the docstring)")

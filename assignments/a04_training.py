"""Assignment a04: the training loop.

What this assignment teaches
----------------------------
One training step is always, in this order::

    optimizer.zero_grad()          # 1. forget the previous batch's gradients
    outputs = model(inputs)        # 2. forward
    loss = loss_fn(outputs, targets)   # 3. loss
    loss.backward()                # 4. backward: fill every parameter's .grad
    optimizer.step()               # 5. update the parameters

Gradients *add up* in ``.grad`` until they are cleared, which is both the
classic bug (a missing ``zero_grad``) and a feature (gradient accumulation:
several small batches behave like one large batch). Evaluation runs the model
in eval mode (dropout off, batch norm uses running statistics) and without an
autograd graph (``torch.no_grad()``), and must leave the model's modes as it
found them.

Conventions: a batch is an ``(inputs, targets)`` pair; ``loss_fn(outputs,
targets)`` returns the *mean* loss over the batch as a 0-d tensor; the batch
size is ``len(targets)``. A "weighted mean" of batch losses is
``sum(loss_i * batch_size_i) / total number of samples``, which equals the
mean over all samples even when the last batch is smaller. Loaders are never
empty.

Tasks
-----
Task 1: ``train_step`` -- one optimisation step on one batch.
Task 2: ``train_epoch`` -- one pass over a loader in train mode.
Task 3: ``evaluate`` -- loss and accuracy in eval mode without autograd.
Task 4: ``train_epoch_accumulate`` -- one epoch with gradient accumulation.
Task 5: ``fit`` -- several epochs of training and validation, with history.

Grading
-------
Run ``pytest graders/ -m a04`` from the repository root.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import Tensor, nn

__all__ = [
    "train_step",
    "train_epoch",
    "evaluate",
    "train_epoch_accumulate",
    "fit",
]


def train_step(
    model: nn.Module,
    batch: tuple[Tensor, Tensor],
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    optimizer: torch.optim.Optimizer,
) -> float:
    """Run one training step on ``batch``.

    Exactly, in this order: ``optimizer.zero_grad()``, ``outputs =
    model(inputs)``, ``loss = loss_fn(outputs, targets)``,
    ``loss.backward()``, ``optimizer.step()``. Do not change the model's
    train/eval mode here.

    Args:
        model: The model to train.
        batch: ``(inputs, targets)``; ``inputs`` of shape ``(B, ...)``.
        loss_fn: Returns the mean loss of the batch as a 0-d tensor.
        optimizer: Optimizer over the model's parameters.

    Returns:
        The batch loss as a Python ``float``.

    Example:
        >>> model = nn.Linear(2, 1)
        >>> opt = torch.optim.SGD(model.parameters(), lr=0.1)
        >>> batch = (torch.ones(4, 2), torch.zeros(4, 1))
        >>> isinstance(train_step(model, batch, nn.MSELoss(), opt), float)
        True
    """
    raise NotImplementedError("a04 task 1: implement train_step (see the docstring)")


def train_epoch(
    model: nn.Module,
    loader: Iterable[tuple[Tensor, Tensor]],
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    optimizer: torch.optim.Optimizer,
) -> float:
    """Train for one pass over ``loader``.

    Put the model in train mode (``model.train()``), then call
    ``train_step`` once per batch, in loader order.

    Args:
        model: The model to train.
        loader: Iterable of ``(inputs, targets)`` batches (not empty).
        loss_fn: Returns the mean loss of a batch as a 0-d tensor.
        optimizer: Optimizer over the model's parameters.

    Returns:
        The weighted mean of the batch losses (weights ``len(targets)``), a
        Python ``float``.
    """
    raise NotImplementedError("a04 task 2: implement train_epoch (see the docstring)")


def evaluate(
    model: nn.Module,
    loader: Iterable[tuple[Tensor, Tensor]],
    loss_fn: Callable[[Tensor, Tensor], Tensor],
) -> dict[str, float]:
    """Compute the loss and the classification accuracy over ``loader``.

    Remember the ``training`` flag of every submodule (``model.modules()``),
    call ``model.eval()``, run every batch under ``torch.no_grad()`` (no
    graph is built, no gradient is touched), and afterwards put every
    submodule back into exactly the mode it had before (even when the
    submodules' modes were mixed).

    A prediction is ``outputs.argmax(dim=1)``; it is correct when it equals
    the target class index.

    Args:
        model: A classifier returning ``(B, num_classes)`` scores.
        loader: Iterable of ``(inputs, targets)`` batches (not empty);
            ``targets`` are int64 class indices of shape ``(B,)``.
        loss_fn: Returns the mean loss of a batch as a 0-d tensor.

    Returns:
        ``{"loss": weighted mean batch loss, "accuracy": correct / total}``,
        both Python ``float``.

    Example:
        >>> model = nn.Linear(2, 3)
        >>> batches = [(torch.randn(4, 2), torch.tensor([0, 1, 2, 0]))]
        >>> sorted(evaluate(model, batches, nn.CrossEntropyLoss()))
        ['accuracy', 'loss']
    """
    raise NotImplementedError("a04 task 3: implement evaluate (see the docstring)")


def train_epoch_accumulate(
    model: nn.Module,
    loader: Iterable[tuple[Tensor, Tensor]],
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    optimizer: torch.optim.Optimizer,
    accumulation_steps: int,
) -> float:
    """Train for one epoch, stepping once every ``accumulation_steps`` batches.

    Put the model in train mode and call ``optimizer.zero_grad()`` once at
    the start. For each batch: forward, loss, then
    ``(loss / accumulation_steps).backward()`` (gradients add up in
    ``.grad``). After every ``accumulation_steps``-th batch call
    ``optimizer.step()`` then ``optimizer.zero_grad()``. After the last
    batch, if gradients are pending (the number of batches is not a
    multiple of ``accumulation_steps``), do one more ``step()`` and
    ``zero_grad()``. With ``accumulation_steps=1`` this trains exactly like
    ``train_epoch``.

    Args:
        model: The model to train.
        loader: Iterable of ``(inputs, targets)`` batches (not empty).
        loss_fn: Returns the mean loss of a batch as a 0-d tensor.
        optimizer: Optimizer over the model's parameters.
        accumulation_steps: Number of batches per optimizer step (``>= 1``).

    Returns:
        The weighted mean of the *unscaled* batch losses, a Python ``float``.

    Raises:
        TypeError: If ``accumulation_steps`` is not an ``int`` (``bool`` is
            rejected too).
        ValueError: If ``accumulation_steps < 1``, e.g.
            ``"accumulation_steps should be an int >= 1, but got accumulation_steps=0"``.
    """
    raise NotImplementedError("a04 task 4: implement train_epoch_accumulate (see the docstring)")


def fit(
    model: nn.Module,
    train_loader: Iterable[tuple[Tensor, Tensor]],
    val_loader: Iterable[tuple[Tensor, Tensor]],
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    optimizer: torch.optim.Optimizer,
    epochs: int,
) -> list[dict[str, float]]:
    """Train for ``epochs`` epochs, evaluating after each one.

    Each epoch: ``train_epoch`` on ``train_loader``, then ``evaluate`` on
    ``val_loader``. Loaders are iterated once per epoch, so they must be
    re-iterable (a ``DataLoader`` or a list, not a generator).

    Args:
        model: The model to train.
        train_loader: Training batches ``(inputs, targets)``.
        val_loader: Validation batches ``(inputs, targets)``, targets as
            class indices.
        loss_fn: Returns the mean loss of a batch as a 0-d tensor.
        optimizer: Optimizer over the model's parameters.
        epochs: Number of epochs (``>= 0``; 0 trains nothing).

    Returns:
        One dict per epoch, in order:
        ``{"epoch": n, "train_loss": ..., "val_loss": ..., "val_accuracy": ...}``
        with ``n`` an ``int`` counting from 1 and the other values
        Python ``float``.

    Raises:
        TypeError: If ``epochs`` is not an ``int``.
        ValueError: If ``epochs < 0``.
    """
    raise NotImplementedError("a04 task 5: implement fit (see the docstring)")

"""Assignment a03: overriding the optimizer.

What this assignment teaches
----------------------------
An optimizer holds references to parameters, grouped in ``param_groups``
(each group a dict with ``"params"`` and its own hyper-parameters such as
``"lr"``), and a per-parameter ``state`` dict (momentum buffers, moment
estimates, step counters). ``step()`` reads every parameter's ``.grad`` and
updates the parameter *in place* under ``torch.no_grad()``: a parameter is a
leaf tensor that requires grad, so autograd must not record the update, and
rebinding a name (``p = p - lr * g``) would not change the parameter at all.

Subclass ``torch.optim.Optimizer``: pass your hyper-parameters to
``super().__init__(params, defaults)`` and the base class builds
``param_groups`` (filling each group's missing options from ``defaults``),
``state`` (a ``defaultdict(dict)`` keyed by parameter), ``zero_grad()``,
``state_dict()`` and ``load_state_dict()``. Keep only tensors and numbers in
``state`` so that a saved ``state_dict()`` restores training exactly.

Both optimizers must follow ``torch.optim.SGD`` / ``torch.optim.Adam`` /
``torch.optim.AdamW`` to the letter (the graders compare 25-step
trajectories in float64), but you may not call, wrap or subclass those
classes or torch's functional ``sgd`` / ``adam`` / ``adamw``.

Tasks
-----
Task 1: ``SGD`` -- stochastic gradient descent with momentum, dampening,
weight decay and Nesterov momentum.
Task 2: ``Adam`` -- Adam with bias correction, with L2 (``decoupled=False``)
or decoupled (``decoupled=True``, AdamW) weight decay.

Grading
-------
Run ``pytest graders/ -m a03`` from the repository root.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import Tensor

__all__ = ["SGD", "Adam"]


class SGD(torch.optim.Optimizer):
    """Stochastic gradient descent, matching ``torch.optim.SGD``.

    For each parameter ``p`` with gradient ``g = p.grad`` (parameters whose
    ``.grad`` is ``None`` are skipped), using the options of ``p``'s group:

    1. if ``weight_decay != 0``: ``g = g + weight_decay * p``;
    2. if ``momentum != 0``: on the first step the buffer is a copy of ``g``
       (``buf = g.clone()``); afterwards
       ``buf = momentum * buf + (1 - dampening) * g`` (in place). Then
       ``g = g + momentum * buf`` if ``nesterov`` else ``g = buf``.
       The buffer lives in ``self.state[p]["momentum_buffer"]``;
    3. ``p -= lr * g`` (in place).
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict[str, Any]],
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        """Check the hyper-parameters and set up the param groups.

        Build ``defaults = {"lr": lr, "momentum": momentum, "dampening":
        dampening, "weight_decay": weight_decay, "nesterov": nesterov}`` and
        call ``super().__init__(params, defaults)``.

        Args:
            params: Parameters to optimise, or dicts defining param groups
                (``{"params": [...], "lr": 0.1}``).
            lr: Learning rate (``>= 0``).
            momentum: Momentum factor (``>= 0``).
            dampening: Dampening for momentum.
            weight_decay: L2 penalty (``>= 0``).
            nesterov: Use Nesterov momentum (needs ``momentum > 0`` and
                ``dampening == 0``).

        Raises:
            ValueError: For a negative ``lr``, ``momentum`` or
                ``weight_decay`` (e.g. ``"lr should be a non-negative float,
                but got lr=-1.0"``), and for ``nesterov=True`` without
                ``momentum > 0`` and ``dampening == 0``.

        Example:
            >>> w = torch.nn.Parameter(torch.ones(2))
            >>> opt = SGD([w], lr=0.1, momentum=0.9)
            >>> w.sum().backward(); opt.step()
            >>> w
            Parameter containing:
            tensor([0.9000, 0.9000], requires_grad=True)
        """
        raise NotImplementedError("a03 task 1: implement SGD.__init__ (see the docstring)")

    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        """Perform one optimisation step.

        If ``closure`` is given, call it first under ``torch.enable_grad()``
        (it re-evaluates the model and returns the loss, after calling
        ``backward()``) and return its result. Update the parameters in place
        under ``torch.no_grad()``, reading ``lr``, ``momentum``, ...
        from each param group at every call (so a changed
        ``group["lr"]`` takes effect at the next step). Skip parameters whose
        ``.grad`` is ``None``.

        Args:
            closure: Optional zero-argument callable that recomputes the loss.

        Returns:
            The closure's loss, or ``None`` when no closure is given.
        """
        raise NotImplementedError("a03 task 1: implement SGD.step (see the docstring)")


class Adam(torch.optim.Optimizer):
    """Adam, matching ``torch.optim.Adam``, or ``torch.optim.AdamW`` when ``decoupled=True``.

    For each parameter ``p`` with gradient ``g = p.grad`` (skip ``None``),
    using the options of ``p``'s group and ``beta1, beta2 = betas``:

    1. ``t = state["step"] + 1`` (so the first step has ``t = 1``);
    2. weight decay, if ``weight_decay != 0``: decoupled (AdamW):
       ``p *= 1 - lr * weight_decay``; otherwise (L2):
       ``g = g + weight_decay * p``;
    3. ``m = beta1 * m + (1 - beta1) * g`` and
       ``v = beta2 * v + (1 - beta2) * g * g`` (in place, ``m`` and ``v``
       start as zeros);
    4. ``p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)``.

    State per parameter: ``"step"`` (number of steps taken), ``"exp_avg"``
    (``m``) and ``"exp_avg_sq"`` (``v``), each parameter with its own tensors.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict[str, Any]],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled: bool = False,
    ) -> None:
        """Check the hyper-parameters and set up the param groups.

        Build ``defaults = {"lr": lr, "betas": betas, "eps": eps,
        "weight_decay": weight_decay, "decoupled": decoupled}`` and call
        ``super().__init__(params, defaults)``.

        Args:
            params: Parameters to optimise, or dicts defining param groups.
            lr: Learning rate (``>= 0``).
            betas: Decay rates ``(beta1, beta2)`` of the moment estimates,
                each in ``[0, 1)``.
            eps: Term added to the denominator (``>= 0``).
            weight_decay: Weight decay factor (``>= 0``). Note that
                ``torch.optim.AdamW`` defaults to ``1e-2``; here the default
                is 0 in both modes.
            decoupled: False for L2 regularisation (like ``torch.optim.Adam``),
                True for decoupled weight decay (like ``torch.optim.AdamW``).

        Raises:
            ValueError: For ``lr < 0``, ``eps < 0``, a beta outside ``[0, 1)``
                or ``weight_decay < 0``, e.g. ``"lr should be a non-negative
                float, but got lr=-1.0"``.
        """
        raise NotImplementedError("a03 task 2: implement Adam.__init__ (see the docstring)")

    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        """Perform one optimisation step.

        If ``closure`` is given, call it first under ``torch.enable_grad()``
        and return its result. Update in place under ``torch.no_grad()``,
        reading the options from each param group at every call. Skip
        parameters whose ``.grad`` is ``None`` (their state is not created
        and their step counter does not advance). Create a parameter's state
        lazily on its first update: ``"step"`` 0, ``"exp_avg"`` and
        ``"exp_avg_sq"`` ``torch.zeros_like(p)``.

        Args:
            closure: Optional zero-argument callable that recomputes the loss.

        Returns:
            The closure's loss, or ``None`` when no closure is given.
        """
        raise NotImplementedError("a03 task 2: implement Adam.step (see the docstring)")

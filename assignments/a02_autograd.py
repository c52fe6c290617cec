"""Assignment a02: overriding backward with ``torch.autograd.Function``.

What this assignment teaches
----------------------------
Autograd records every operation on tensors that require grad and, on
``loss.backward()``, walks that record backwards applying the chain rule. To
give an operation your own gradient, subclass ``torch.autograd.Function`` and
write two static methods:

* ``forward(ctx, *inputs)`` computes the result from plain tensors and saves
  what backward will need (``ctx.save_for_backward(...)`` for tensors, plain
  attributes on ``ctx`` for anything else);
* ``backward(ctx, grad_output)`` receives the gradient of the loss with
  respect to the output and returns one gradient per input of ``forward``
  (``None`` for inputs that need no gradient), each the same shape as its
  input.

Use the function through ``MyFunction.apply(...)``, never by calling
``forward`` yourself: only ``apply`` connects it to the graph.

Tasks
-----
Task 1: ``Exp`` and ``exp`` -- the exponential, saving its output for backward.
Task 2: ``LinearFunction`` and ``linear`` -- ``input @ weight.T + bias`` with a
hand-written backward.
Task 3: ``ClampSTE`` and ``clamp_ste`` -- clamping with a straight-through
gradient.
Task 4: ``LinearWithCustomGrad`` -- a module whose forward uses
``LinearFunction``.
Task 5: ``mse_loss_and_grad`` -- a loss and its gradient computed by hand,
without autograd.

Grading
-------
Run ``pytest graders/ -m a02`` from the repository root.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

__all__ = [
    "Exp",
    "exp",
    "LinearFunction",
    "linear",
    "ClampSTE",
    "clamp_ste",
    "LinearWithCustomGrad",
    "mse_loss_and_grad",
]


class Exp(torch.autograd.Function):
    """Elementwise ``exp(x)`` whose backward reuses the saved output.

    Since ``d/dx exp(x) = exp(x)``, backward needs only the forward result.
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        """Compute ``exp(x)`` and save the result for backward.

        Save the *output* (not the input) with ``ctx.save_for_backward``.

        Args:
            ctx: Context object used to stash tensors for backward.
            x: Tensor of any shape, floating dtype.

        Returns:
            ``exp(x)``, same shape and dtype as ``x``.
        """
        raise NotImplementedError("a02 task 1: implement Exp.forward (see the docstring)")

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> Tensor:
        """Return the gradient with respect to ``x``: ``grad_output * exp(x)``.

        Read the saved output from ``ctx.saved_tensors``. Do not modify saved
        tensors in place.

        Args:
            ctx: The context filled by ``forward``.
            grad_output: Gradient of the loss w.r.t. the output, shape of ``x``.

        Returns:
            Gradient w.r.t. ``x``, same shape as ``x``.
        """
        raise NotImplementedError("a02 task 1: implement Exp.backward (see the docstring)")


def exp(x: Tensor) -> Tensor:
    """Apply ``Exp`` to ``x`` (return ``Exp.apply(x)``).

    Args:
        x: Tensor of any shape, floating dtype.

    Returns:
        ``exp(x)``, same shape and dtype, differentiable through ``Exp.backward``.

    Example:
        >>> exp(torch.zeros(2))
        tensor([1., 1.])
    """
    raise NotImplementedError("a02 task 1: implement exp (see the docstring)")


class LinearFunction(torch.autograd.Function):
    """``input @ weight.T + bias`` with a hand-written backward.

    For ``out = input @ weight.T + bias`` and upstream gradient ``g``
    (shape ``(N, out_features)``):
    ``grad_input = g @ weight``, ``grad_weight = g.T @ input``,
    ``grad_bias = g.sum(0)``.
    """

    @staticmethod
    def forward(ctx: Any, input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
        """Compute ``input @ weight.T`` plus ``bias`` when it is given.

        Save ``input``, ``weight`` and ``bias`` with ``ctx.save_for_backward``
        (saving ``None`` is allowed).

        Args:
            ctx: Context object used to stash tensors for backward.
            input: Tensor of shape ``(N, in_features)``.
            weight: Tensor of shape ``(out_features, in_features)``.
            bias: Tensor of shape ``(out_features,)`` or ``None``.

        Returns:
            Tensor of shape ``(N, out_features)``.
        """
        raise NotImplementedError("a02 task 2: implement LinearFunction.forward (see the docstring)")

    @staticmethod
    def backward(
        ctx: Any, grad_output: Tensor
    ) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        """Return ``(grad_input, grad_weight, grad_bias)``.

        Always return exactly three values. An entry is ``None`` when the
        corresponding input needs no gradient (``ctx.needs_input_grad[i]`` is
        False) and ``grad_bias`` is ``None`` when there is no bias. The bias
        gradient is summed over the batch so that it has the bias's shape.

        Args:
            ctx: The context filled by ``forward``.
            grad_output: Tensor of shape ``(N, out_features)``.

        Returns:
            ``grad_input`` of shape ``(N, in_features)``, ``grad_weight`` of
            shape ``(out_features, in_features)``, ``grad_bias`` of shape
            ``(out_features,)`` (each possibly ``None`` as described above).
        """
        raise NotImplementedError("a02 task 2: implement LinearFunction.backward (see the docstring)")


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Apply ``LinearFunction`` (return ``LinearFunction.apply(input, weight, bias)``).

    Args:
        input: Tensor of shape ``(N, in_features)``.
        weight: Tensor of shape ``(out_features, in_features)``.
        bias: Tensor of shape ``(out_features,)`` or ``None``.

    Returns:
        Tensor of shape ``(N, out_features)``.

    Example:
        >>> linear(torch.ones(4, 3), torch.ones(2, 3), torch.zeros(2)).shape
        torch.Size([4, 2])
    """
    raise NotImplementedError("a02 task 2: implement linear (see the docstring)")


class ClampSTE(torch.autograd.Function):
    """Clamp to ``[min, max]`` with a straight-through gradient.

    The true gradient of clamping is zero outside ``[min, max]``; the
    straight-through estimator pretends the operation was the identity and
    passes ``grad_output`` back unchanged everywhere.
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor, min: float, max: float) -> Tensor:
        """Return ``x.clamp(min, max)``.

        Args:
            ctx: Context object (nothing needs saving).
            x: Tensor of any shape, floating dtype.
            min: Lower bound.
            max: Upper bound.

        Returns:
            The clamped tensor, same shape and dtype as ``x``.
        """
        raise NotImplementedError("a02 task 3: implement ClampSTE.forward (see the docstring)")

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor, None, None]:
        """Pass the gradient straight through.

        Args:
            ctx: The context filled by ``forward``.
            grad_output: Gradient w.r.t. the output, shape of ``x``.

        Returns:
            ``(grad_x, None, None)``: ``grad_x`` holds ``grad_output``'s values
            (returning it or a clone is fine); ``min`` and ``max`` get no
            gradient.
        """
        raise NotImplementedError("a02 task 3: implement ClampSTE.backward (see the docstring)")


def clamp_ste(x: Tensor, min: float, max: float) -> Tensor:
    """Apply ``ClampSTE`` (return ``ClampSTE.apply(x, min, max)``).

    Args:
        x: Tensor of any shape, floating dtype.
        min: Lower bound.
        max: Upper bound.

    Returns:
        ``x`` clamped to ``[min, max]``; its gradient w.r.t. ``x`` is
        ``grad_output`` everywhere.

    Example:
        >>> clamp_ste(torch.tensor([-2.0, 0.5, 2.0]), -1.0, 1.0)
        tensor([-1.0000,  0.5000,  1.0000])
    """
    raise NotImplementedError("a02 task 3: implement clamp_ste (see the docstring)")


class LinearWithCustomGrad(nn.Module):
    """A linear layer whose backward is ``LinearFunction.backward``.

    Same constructor, attributes, parameter names, shapes and initialisation
    as ``a01_modules.Linear`` (write them again here; do not import a01).

    Attributes:
        in_features: Size of the last dimension of the input.
        out_features: Size of the last dimension of the output.
        weight: ``nn.Parameter`` of shape ``(out_features, in_features)``.
        bias: ``nn.Parameter`` of shape ``(out_features,)``, or ``None``.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        """Create the layer and initialise its parameters.

        Call ``super().__init__()`` first, store ``in_features`` and
        ``out_features``, and create ``weight`` ``(out_features, in_features)``
        and ``bias`` ``(out_features,)`` as ``nn.Parameter``, drawn uniformly
        from ``[-k, k]`` with ``k = 1 / sqrt(in_features)`` using torch's global
        random number generator. With ``bias=False`` call
        ``self.register_parameter("bias", None)``.

        Args:
            in_features: Size of each input sample.
            out_features: Size of each output sample.
            bias: Whether the layer has an additive bias.
        """
        raise NotImplementedError("a02 task 4: implement LinearWithCustomGrad.__init__ (see the docstring)")

    def forward(self, x: Tensor) -> Tensor:
        """Apply the layer through ``LinearFunction.apply``.

        ``LinearFunction`` works on 2-D inputs, so flatten ``x`` of shape
        ``(..., in_features)`` to ``(-1, in_features)``, call
        ``LinearFunction.apply(x2d, self.weight, self.bias)``, and reshape the
        result back to ``(..., out_features)``.

        Args:
            x: Tensor of shape ``(..., in_features)``.

        Returns:
            Tensor of shape ``(..., out_features)``.

        Example:
            >>> LinearWithCustomGrad(3, 2)(torch.zeros(4, 5, 3)).shape
            torch.Size([4, 5, 2])
        """
        raise NotImplementedError("a02 task 4: implement LinearWithCustomGrad.forward (see the docstring)")


def mse_loss_and_grad(pred: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """Mean squared error and its gradient w.r.t. ``pred``, by hand.

    ``loss = mean((pred - target) ** 2)`` and
    ``grad = 2 * (pred - target) / pred.numel()``. Do not use autograd
    (no ``backward()``, no ``torch.autograd.grad``): compute both yourself,
    and return them without graph history (compute under
    ``torch.no_grad()`` or ``.detach()`` the results), even when ``pred``
    requires grad.

    Args:
        pred: Predictions, floating tensor of any shape.
        target: Targets, same shape as ``pred``.

    Returns:
        ``(loss, grad)``: ``loss`` a 0-d tensor, ``grad`` of the shape of
        ``pred``; both have ``pred``'s dtype and ``grad_fn is None``.

    Raises:
        TypeError: If ``pred`` or ``target`` is not a tensor.
        ValueError: If the shapes differ, e.g. ``"pred and target should have
            the same shape, but got pred.shape=(2, 3) and target.shape=(3,)"``.

    Example:
        >>> loss, grad = mse_loss_and_grad(torch.tensor([1.0, 3.0]), torch.tensor([1.0, 1.0]))
        >>> loss, grad
        (tensor(2.), tensor([0., 2.]))
    """
    raise NotImplementedError("a02 task 5: implement mse_loss_and_grad (see the docstring)")

"""Assignment a01: ``nn.Module`` and ``nn.Parameter``.

What this assignment teaches
----------------------------
Every PyTorch model is an ``nn.Module``. A module *registers* what it owns:

* ``nn.Parameter`` attributes are trainable tensors. They show up in
  ``module.parameters()`` (so an optimizer can update them), in
  ``module.state_dict()`` (so they are saved), and they are converted by
  ``.double()`` / ``.to(...)``.
* Buffers (``register_buffer``) are saved and moved like parameters, but the
  optimizer never sees them (running statistics, constants).
* Submodules assigned as attributes (or kept in an ``nn.ModuleList``) are
  registered too, so their parameters become the parent's parameters with
  qualified names such as ``layers.0.weight``.

A plain tensor attribute, or a Python list of modules, is *not* registered:
the optimizer would never see it and ``state_dict()`` would not save it.

Tasks
-----
Task 1: ``Linear`` -- a fully connected layer built from two ``nn.Parameter`` tensors.
Task 2: ``Standardize`` -- a module whose constants are registered buffers.
Task 3: ``MLP`` -- a stack of ``Linear`` layers kept in an ``nn.ModuleList``.
Task 4: ``count_parameters`` -- count scalar parameters, shared ones once.
Task 5: ``init_normal_`` -- re-initialise layers in place with ``module.apply``.
Task 6: ``freeze_`` -- switch off gradients for parameters selected by name.

Do not use ``nn.Linear`` or ``torch.nn.functional.linear`` inside ``Linear``:
the graders detect it and ask you to implement the layer yourself.

Grading
-------
Run ``pytest graders/ -m a01`` from the repository root.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import torch
from torch import Tensor, nn

__all__ = [
    "Linear",
    "Standardize",
    "MLP",
    "count_parameters",
    "init_normal_",
    "freeze_",
]


class Linear(nn.Module):
    """A fully connected layer: ``y = x @ weight.T + bias``.

    Attributes:
        in_features: Size of the last dimension of the input.
        out_features: Size of the last dimension of the output.
        weight: ``nn.Parameter`` of shape ``(out_features, in_features)``.
        bias: ``nn.Parameter`` of shape ``(out_features,)``, or ``None`` when
            the layer was built with ``bias=False``.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        """Create the layer and initialise its parameters.

        Call ``super().__init__()`` first: ``nn.Module`` must set up its
        registries before any parameter can be assigned.

        Store ``in_features`` and ``out_features`` as attributes. Create
        ``weight`` with shape ``(out_features, in_features)`` and, when
        ``bias`` is True, ``bias`` with shape ``(out_features,)``, both as
        ``nn.Parameter`` and both drawn uniformly from ``[-k, k]`` with
        ``k = 1 / sqrt(in_features)``, using torch's global random number
        generator (for example ``torch.empty(shape).uniform_(-k, k)``). When
        ``bias`` is False, register the bias as ``None`` with
        ``self.register_parameter("bias", None)``, so that ``self.bias`` exists
        and ``state_dict()`` holds only ``"weight"``.

        Args:
            in_features: Size of each input sample (last input dimension).
            out_features: Size of each output sample (last output dimension).
            bias: Whether the layer has an additive bias.

        Example:
            >>> layer = Linear(3, 2)
            >>> layer.weight.shape, layer.bias.shape
            (torch.Size([2, 3]), torch.Size([2]))
            >>> list(Linear(3, 2, bias=False).state_dict())
            ['weight']
        """
        raise NotImplementedError("a01 task 1: implement Linear.__init__ (see the docstring)")

    def forward(self, x: Tensor) -> Tensor:
        """Apply the layer to ``x``.

        Computes ``x @ self.weight.T`` and adds ``self.bias`` (if not ``None``),
        broadcast over all leading dimensions.

        Args:
            x: Tensor of shape ``(..., in_features)`` with the parameters' dtype.

        Returns:
            Tensor of shape ``(..., out_features)``, same dtype as ``x``.

        Example:
            >>> Linear(3, 2)(torch.zeros(4, 5, 3)).shape
            torch.Size([4, 5, 2])
        """
        raise NotImplementedError("a01 task 1: implement Linear.forward (see the docstring)")


class Standardize(nn.Module):
    """Standardise inputs with fixed statistics: ``(x - mean) / (std + eps)``.

    ``mean`` and ``std`` are constants, not trainable: they are registered
    buffers, so they are saved in ``state_dict()`` and moved/converted by
    ``.to(...)`` / ``.double()``, but they are absent from ``parameters()``.
    """

    def __init__(self, mean: Tensor, std: Tensor, eps: float = 1e-8) -> None:
        """Register ``mean`` and ``std`` as buffers and store ``eps``.

        Call ``super().__init__()`` first. Register the buffers under the
        names ``"mean"`` and ``"std"`` with ``self.register_buffer``, storing
        the values as given (``torch.as_tensor(mean)``; do not wrap them in
        ``nn.Parameter``). Store ``eps`` as the attribute ``eps``.

        Args:
            mean: Tensor broadcastable against the inputs, e.g. shape
                ``(features,)``.
            std: Tensor broadcastable against the inputs, same shape as ``mean``.
            eps: Small constant added to ``std`` to avoid division by zero.

        Example:
            >>> s = Standardize(torch.tensor([1.0]), torch.tensor([2.0]))
            >>> sorted(s.state_dict()), list(s.parameters())
            (['mean', 'std'], [])
        """
        raise NotImplementedError("a01 task 2: implement Standardize.__init__ (see the docstring)")

    def forward(self, x: Tensor) -> Tensor:
        """Return ``(x - self.mean) / (self.std + self.eps)``.

        Args:
            x: Tensor of shape ``(..., features)`` (any shape that broadcasts
                with the buffers).

        Returns:
            Tensor of the broadcast shape (the shape of ``x`` for
            ``(features,)`` buffers).

        Example:
            >>> s = Standardize(torch.tensor([1.0]), torch.tensor([2.0]), eps=0.0)
            >>> s(torch.tensor([[5.0]]))
            tensor([[2.]])
        """
        raise NotImplementedError("a01 task 2: implement Standardize.forward (see the docstring)")


class MLP(nn.Module):
    """A multi-layer perceptron built from this file's ``Linear``.

    For ``sizes = [d0, d1, ..., dn]`` the network is
    ``Linear(d0, d1) -> activation -> dropout -> Linear(d1, d2) -> ... -> Linear(d_{n-1}, dn)``:
    an activation and a dropout follow every layer except the last one.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: Callable[[], nn.Module] = nn.ReLU,
        dropout: float = 0.0,
    ) -> None:
        """Build the layers.

        Call ``super().__init__()`` first. ``self.layers`` must be an
        ``nn.ModuleList`` of ``len(sizes) - 1`` distinct ``Linear`` layers
        (from this file, with a bias), layer ``i`` mapping ``sizes[i]`` to
        ``sizes[i + 1]``, so that the parameter names are exactly
        ``layers.0.weight``, ``layers.0.bias``, ``layers.1.weight``, ...
        Create one ``activation()`` module per hidden layer and an
        ``nn.Dropout(dropout)``; keep them in registered attributes with
        other names (e.g. an ``nn.ModuleList`` called ``activations``). The
        activation factory is assumed to make parameter-free modules.

        Args:
            sizes: Layer widths ``[in_features, hidden..., out_features]``,
                at least two ints.
            activation: Zero-argument callable returning a module, e.g.
                ``nn.ReLU`` or ``nn.Tanh``.
            dropout: Dropout probability applied after each activation.

        Raises:
            ValueError: If ``sizes`` holds fewer than two sizes, e.g.
                ``"sizes should hold at least two ints, but got sizes=[3]"``.

        Example:
            >>> [name for name, _ in MLP([4, 8, 2]).named_parameters()]
            ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias']
        """
        raise NotImplementedError("a01 task 3: implement MLP.__init__ (see the docstring)")

    def forward(self, x: Tensor) -> Tensor:
        """Run ``x`` through every layer.

        Call each submodule as ``module(x)``, never ``module.forward(x)``
        (calling the module runs its hooks). After every layer except the
        last, apply the activation and then dropout. Dropout is active only
        in training mode (``nn.Dropout`` handles this itself).

        Args:
            x: Tensor of shape ``(..., sizes[0])``.

        Returns:
            Tensor of shape ``(..., sizes[-1])``.

        Example:
            >>> MLP([4, 8, 2])(torch.zeros(5, 4)).shape
            torch.Size([5, 2])
        """
        raise NotImplementedError("a01 task 3: implement MLP.forward (see the docstring)")


def count_parameters(module: nn.Module, trainable_only: bool = True) -> int:
    """Count the scalar parameter elements of ``module``.

    A parameter shared by two submodules (the same ``nn.Parameter`` object)
    counts once.

    Args:
        module: Any ``nn.Module``.
        trainable_only: If True, count only parameters with
            ``requires_grad=True``; otherwise count all of them.

    Returns:
        The total number of elements (``numel``) as a Python ``int``.

    Example:
        >>> count_parameters(Linear(3, 2))
        8
    """
    raise NotImplementedError("a01 task 4: implement count_parameters (see the docstring)")


def init_normal_(module: nn.Module, std: float = 0.02) -> nn.Module:
    """Re-initialise every linear layer inside ``module`` in place.

    Use ``module.apply(fn)``: ``fn`` is called on every submodule (and on
    ``module`` itself). For every instance (subclasses included) of this
    file's ``Linear`` or of ``nn.Linear``, fill the weight with samples from
    ``N(0, std)`` (``weight.normal_(0.0, std)``) and set the bias to zero if
    it is not ``None``. Do it under ``torch.no_grad()`` so that no autograd
    history is recorded. Other modules are left untouched.

    Args:
        module: The module to initialise (modified in place).
        std: Standard deviation of the weight initialisation.

    Returns:
        ``module`` itself.

    Example:
        >>> model = init_normal_(MLP([4, 8, 2]), std=0.02)
        >>> bool((model.layers[0].bias == 0).all())
        True
    """
    raise NotImplementedError("a01 task 5: implement init_normal_ (see the docstring)")


def freeze_(module: nn.Module, prefixes: Iterable[str]) -> list[str]:
    """Freeze the parameters selected by qualified-name prefixes.

    A parameter is selected when its name in ``module.named_parameters()``
    equals a prefix or starts with ``prefix + "."``. So ``"layers.1"``
    freezes ``layers.1.weight`` and ``layers.1.bias`` but not
    ``layers.10.weight``. Selected parameters get ``requires_grad=False``.

    Args:
        module: The module whose parameters are frozen (in place).
        prefixes: An iterable of prefixes; a bare ``str`` counts as one
            prefix (not as an iterable of characters).

    Returns:
        The names of the frozen parameters, in ``named_parameters()`` order.

    Raises:
        TypeError: If a prefix is not a ``str``, e.g.
            ``"prefixes should hold str, but got 3 (int)"``.

    Example:
        >>> model = MLP([2, 3, 3, 1])
        >>> freeze_(model, "layers.0")
        ['layers.0.weight', 'layers.0.bias']
    """
    raise NotImplementedError("a01 task 6: implement freeze_ (see the docstring)")

"""Assignment a10: hooks and module surgery.

What this assignment teaches
----------------------------
The notes say that a module's backward and the optimizer can be overridden
"at the module level". On a model you did not write, that is done with
*hooks*: functions you hand to PyTorch, which it calls for you at fixed
moments of the forward or backward pass, without a line of the model's code
changing.

* A **forward pre-hook** ``hook(module, args)``
  (``module.register_forward_pre_hook``) runs just before ``forward``. It
  sees the positional arguments as a tuple and may return a new tuple that
  replaces them (or ``None`` to keep them).
* A **forward hook** ``hook(module, args, output)``
  (``module.register_forward_hook``) runs just after ``forward``. It sees
  the inputs and the output, and may return a replacement output (or
  ``None``).
* A **tensor hook** ``hook(grad)`` (``tensor.register_hook``) runs during
  ``backward()`` as soon as the gradient with respect to that tensor is
  known. On a parameter it runs *before* that gradient is added into
  ``.grad``; it may return a new tensor that is used instead.
* A **full backward hook** ``hook(module, grad_input, grad_output)``
  (``module.register_full_backward_hook``) runs during ``backward()`` once
  the gradients with respect to the module's inputs are known.
  ``grad_output`` is a tuple of the gradients with respect to the module's
  outputs, ``grad_input`` those with respect to its positional tensor inputs
  (``None`` where an input does not require grad). It should return
  ``None``. (The older ``register_backward_hook`` is deprecated: it sees
  the last autograd operation of ``forward``, not the module.)

Hooks run only when a module is *called* (``module(x)``), never when
``module.forward(x)`` is called directly. Every ``register_*`` method returns
a ``torch.utils.hooks.RemovableHandle``; ``handle.remove()`` unregisters that
one hook. A hook nobody removes keeps running, and keeps alive whatever it
refers to (a list of recorded activations, say), for as long as the model
lives: whoever registers a hook removes it.

Module surgery is the other half: a module owns its submodules by name
(``named_modules()`` lists them at every depth with qualified names such as
``"layers.1"``), so ``setattr(parent, name, new_module)`` swaps one of them in
place, inside ``nn.Sequential`` and ``nn.ModuleList`` too, whose items are
named ``"0"``, ``"1"``, ...

Tasks
-----
Task 1: ``ActivationRecorder`` -- record submodules' outputs with forward hooks, as a context manager.
Task 2: ``add_grad_clip_hooks`` -- clamp each parameter's gradient with tensor hooks.
Task 3: ``GradNormMonitor`` -- record output-gradient norms with full backward hooks.
Task 4: ``add_input_scaler`` -- rescale a module's first input with a forward pre-hook.
Task 5: ``replace_modules_`` -- swap submodules of a type, at any depth, in place.
Task 6: ``describe`` -- one row per submodule with its own parameter count.

Never replace a module's ``forward`` (``module.forward = ...``) or its class
to get these effects: register hooks. The graders detect a replaced
``forward`` and ask you to do it with a hook.

Grading
-------
Run ``pytest graders/ -m a10`` from the repository root.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import TracebackType

import torch
from torch import Tensor, nn
from torch.utils.hooks import RemovableHandle

__all__ = [
    "ActivationRecorder",
    "add_grad_clip_hooks",
    "GradNormMonitor",
    "add_input_scaler",
    "replace_modules_",
    "describe",
]


class ActivationRecorder:
    """Record the outputs of named submodules while a ``with`` block runs.

    A context manager built on forward hooks: entering the block registers
    one forward hook on each named submodule, every call of such a submodule
    inside the block appends its output to ``records[name]``, and leaving the
    block removes the hooks again (the model is then exactly as before, and
    the records stay).

    Attributes:
        records: ``dict`` mapping each name, in the order given, to the list
            of outputs recorded for it, oldest first.

    Example:
        >>> model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
        >>> with ActivationRecorder(model, ["1"]) as recorder:
        ...     _ = model(torch.zeros(5, 3))
        ...     _ = model(torch.ones(5, 3))
        >>> [tuple(t.shape) for t in recorder.records["1"]]
        [(5, 4), (5, 4)]
        >>> len(model[1]._forward_hooks)  # removed when the block ended
        0
    """

    def __init__(self, model: nn.Module, names: Iterable[str], detach: bool = True) -> None:
        """Check the names and prepare empty records; register nothing yet.

        Look each name up among the qualified names of
        ``model.named_modules()`` (``""`` is the model itself, ``"layers.1"``
        the item 1 of its ``layers``). An unknown name is an error raised here,
        before any hook exists. Create ``self.records`` with one empty list
        per name, in the order given. ``names`` may be any iterable (a list, a
        tuple, a generator): read it once.

        Args:
            model: The model whose submodules are recorded.
            names: Qualified names of the submodules to record.
            detach: If True, record ``output.detach()`` (no autograd graph is
                kept alive by the records); if False, the output itself, so
                gradients can still flow through a recorded tensor.

        Raises:
            ValueError: If a name is not a qualified name of
                ``model.named_modules()``; the message names it, e.g.
                ``"no submodule named 'layers.9' in the model"``.

        Example:
            >>> model = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
            >>> ActivationRecorder(model, ("0", "1")).records
            {'0': [], '1': []}
        """
        names = list(names)
        modules = dict(model.named_modules())
        for name in names:
            if name not in modules:
                raise ValueError(f"no submodule named {name!r} in the model; it has {sorted(modules)}")
        self.model = model
        self.detach = detach
        self.records: dict[str, list[Tensor]] = {name: [] for name in names}
        self._targets = [(name, modules[name]) for name in names]
        self._handles: list[RemovableHandle] = []

    def __enter__(self) -> ActivationRecorder:
        """Register one forward hook on each named submodule and return ``self``.

        A forward hook is called as ``hook(module, args, output)`` right after
        the module's ``forward`` returned, every time the module is called
        (twice if the model calls it twice). Here it appends ``output``
        (detached when ``detach`` is True) to the list of its name and returns
        ``None``, so the output itself is left unchanged. Keep every handle:
        ``__exit__`` needs them. The outputs of the recorded submodules are
        single tensors.

        Returns:
            The recorder itself, so ``with ActivationRecorder(...) as rec:``
            binds it.
        """
        for name, module in self._targets:

            def record(mod: nn.Module, args: tuple, output: Tensor, name: str = name) -> None:
                self.records[name].append(output.detach() if self.detach else output)

            self._handles.append(module.register_forward_hook(record))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Remove every hook this recorder registered; keep the records.

        Runs when the block ends, also when it ends with an exception (then
        ``exc_type``, ``exc`` and ``tb`` describe it). Remove the hooks in
        every case, and return ``None`` (a false value), so that an exception
        raised in the block still reaches the caller.

        Args:
            exc_type: The exception's class, or ``None`` when the block
                finished normally.
            exc: The exception, or ``None``.
            tb: Its traceback, or ``None``.
        """
        for handle in self._handles:
            handle.remove()
        self._handles.clear()


def add_grad_clip_hooks(module: nn.Module, max_abs: float) -> list[RemovableHandle]:
    """Clamp every gradient of ``module``'s parameters to ``[-max_abs, max_abs]``.

    Register a tensor hook (``Tensor.register_hook``) on every parameter that
    requires grad, in ``module.parameters()`` order (a frozen parameter gets
    no hook: registering one on it is an error). During ``backward()`` the
    hook receives the gradient of this backward pass *before* it is added
    into ``param.grad`` and returns a new, clamped tensor that autograd uses
    instead (it never modifies its argument in place). So each backward pass
    adds its own clamped gradient: after two passes ``param.grad`` holds the
    sum of two clamped gradients, which may exceed ``max_abs``. (Clamping
    ``param.grad`` after ``backward()`` instead would clamp that sum.)

    Args:
        module: The module whose parameters get hooks.
        max_abs: The largest absolute value a gradient element may have.

    Returns:
        The handles, one per hooked parameter, in ``parameters()`` order;
        calling ``remove()`` on each restores plain gradients.

    Raises:
        ValueError: If ``max_abs <= 0``, e.g.
            ``"max_abs should be positive, but got max_abs=0"``.

    Example:
        >>> layer = nn.Linear(2, 1)
        >>> handles = add_grad_clip_hooks(layer, 0.5)
        >>> (layer(torch.full((1, 2), 10.0)) * 100).sum().backward()
        >>> layer.weight.grad
        tensor([[0.5000, 0.5000]])
        >>> for handle in handles:
        ...     handle.remove()
    """
    if max_abs <= 0:
        raise ValueError(f"max_abs should be positive, but got max_abs={max_abs}")
    handles = []
    for param in module.parameters():
        if param.requires_grad:
            handles.append(param.register_hook(lambda grad: grad.clamp(-max_abs, max_abs)))
    return handles


class GradNormMonitor:
    """Record the norm of the gradient flowing out of selected modules, per backward pass.

    Built on full backward hooks: in every ``backward()`` that reaches a
    hooked module, its hook sees ``grad_output``, the gradients of the loss
    with respect to the module's outputs, and records the L2 norm of the
    first one. A module called twice in one forward pass records twice.

    Attributes:
        norms: ``dict`` mapping the qualified name of each hooked module, in
            ``named_modules()`` order, to the list of recorded norms (Python
            floats), oldest first.

    Example:
        >>> model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
        >>> monitor = GradNormMonitor(model)
        >>> list(monitor.norms)
        ['0', '2']
        >>> model(torch.ones(2, 3, requires_grad=True)).sum().backward()
        >>> monitor.norms["2"]  # the gradient of a sum is all ones: norm sqrt(2)
        [1.4142135381698608]
        >>> monitor.remove()
    """

    def __init__(self, model: nn.Module, types: tuple[type[nn.Module], ...] = (nn.Linear,)) -> None:
        """Register a full backward hook on every submodule that is an instance of ``types``.

        Walk ``model.named_modules()`` (the model itself comes first, named
        ``""``, and is hooked too when it matches; subclasses of a type
        match). For each match, create an empty list in ``self.norms`` and
        register, with ``register_full_backward_hook``, a hook
        ``hook(module, grad_input, grad_output)`` that appends the L2 norm of
        ``grad_output[0]`` as a Python ``float`` (not a tensor) and returns
        ``None``. Keep the handles for :meth:`remove`. (``grad_input`` holds
        the gradients with respect to the module's *inputs*: not what is
        recorded here.)

        Args:
            model: The model to watch.
            types: Module classes whose instances are hooked.
        """
        self.norms: dict[str, list[float]] = {}
        self._handles: list[RemovableHandle] = []
        for name, module in model.named_modules():
            if isinstance(module, types):
                self.norms[name] = []

                def record(mod: nn.Module, grad_input: tuple, grad_output: tuple, name: str = name) -> None:
                    self.norms[name].append(torch.linalg.vector_norm(grad_output[0]).item())

                self._handles.append(module.register_full_backward_hook(record))

    def remove(self) -> None:
        """Remove every hook this monitor registered; keep the recorded norms.

        Afterwards a backward pass records nothing and the modules hold no
        backward hook of this monitor.
        """
        for handle in self._handles:
            handle.remove()
        self._handles.clear()


def add_input_scaler(module: nn.Module, factor: float) -> RemovableHandle:
    """Multiply the first positional input of ``module`` by ``factor`` on every call.

    Register a forward pre-hook ``hook(module, args)``: ``args`` is the tuple
    of positional arguments the module was called with. The hook returns a
    new tuple whose first item is ``args[0] * factor`` and whose other items
    are ``args``'s own, unchanged. It must not scale in place: the caller's
    tensor stays as it was. Keyword arguments are not passed to the hook and
    stay untouched.

    Args:
        module: The module whose input is scaled.
        factor: The scale applied to the first positional input.

    Returns:
        The hook's handle; ``handle.remove()`` restores the plain module.

    Example:
        >>> layer = nn.Linear(2, 2, bias=False)
        >>> handle = add_input_scaler(layer, 2.0)
        >>> x = torch.ones(1, 2)
        >>> torch.equal(layer(x), 2 * (x @ layer.weight.T)), x.tolist()
        (True, [[1.0, 1.0]])
        >>> handle.remove()
    """

    def scale_first(mod: nn.Module, args: tuple) -> tuple:
        return (args[0] * factor, *args[1:])

    return module.register_forward_pre_hook(scale_first)


def replace_modules_(
    model: nn.Module,
    target: type[nn.Module],
    factory: Callable[[nn.Module], nn.Module],
) -> list[str]:
    """Replace, in place, every submodule of type ``target`` by ``factory(old)``.

    Every submodule at any depth that is an instance of ``target``
    (subclasses too) is replaced by ``factory(old)``, set on its parent under
    the same name: inside an ``nn.Sequential`` or ``nn.ModuleList`` the new
    module takes the old one's index. The model itself is never replaced,
    even when it is a ``target``. What the factory returns is not searched
    again (it may well contain ``old``), and neither is what a replaced
    module contained. Every module that is not replaced stays the same object,
    with the same parameter objects.

    Args:
        model: The model to change (in place).
        target: The module class to replace.
        factory: Called once per replaced module with the original module;
            returns its replacement.

    Returns:
        The qualified names of the replaced modules, in the order of the
        original model's ``named_modules()``.

    Example:
        >>> model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 1)))
        >>> replace_modules_(model, nn.Linear, lambda old: nn.Identity())
        ['0', '2.0']
        >>> [type(m).__name__ for m in model.modules()]
        ['Sequential', 'Identity', 'ReLU', 'Sequential', 'Identity']
    """
    replaced: list[str] = []

    def visit(parent: nn.Module, prefix: str) -> None:
        for name, child in list(parent.named_children()):
            qualified = prefix + name
            if isinstance(child, target):
                setattr(parent, name, factory(child))
                replaced.append(qualified)
            else:
                visit(child, qualified + ".")

    visit(model, "")
    return replaced


def describe(model: nn.Module) -> list[tuple[str, str, int]]:
    """One row per submodule: its qualified name, its class name and its own parameter count.

    The rows follow ``model.named_modules()``: the model itself first, named
    ``""``, then every submodule at every depth. A row's count is the number
    of elements of the parameters the module registers *itself*
    (``parameters(recurse=False)``, frozen ones included, buffers not), so
    the counts add up to the model's total without counting a child's
    parameters again in its parent.

    Args:
        model: Any module.

    Returns:
        A list of ``(name, class name, count)`` tuples: ``str``, ``str``
        (``type(module).__name__``) and ``int``.

    Example:
        >>> describe(nn.Sequential(nn.Linear(3, 2), nn.ReLU()))
        [('', 'Sequential', 0), ('0', 'Linear', 8), ('1', 'ReLU', 0)]
    """
    return [
        (name, type(module).__name__, sum(param.numel() for param in module.parameters(recurse=False)))
        for name, module in model.named_modules()
    ]

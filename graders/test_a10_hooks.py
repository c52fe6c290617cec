"""Grader of a10_hooks: forward, forward pre-, tensor and full backward hooks, their handles, module surgery.

Each check is a probe (drives the implementation, returns observations) judged against the reference's
observations; see graders/engine. Besides behaviour, the probes observe the mechanism itself: the hook
dictionaries of the modules (``_forward_hooks``, ``_forward_pre_hooks``, ``_backward_hooks``) and of the
parameters (tensor hooks) while hooks are registered and after they are removed, and which objects the
surgery kept. A module whose ``forward`` the student's code replaced is a forbidden shortcut: the probe
raises ``ShortcutUsed`` itself, so the check reads "implement it yourself".
"""

from __future__ import annotations

import inspect
from typing import Any

import torch
from torch import nn

from graders.engine import check
from graders.engine.compare import Mismatch, compare
from graders.engine.judges import between, keywise
from graders.engine.probes import expect_raise, expect_raise_with_exception
from graders.engine.shortcuts import ShortcutUsed

TASKS = {
    1: ("ActivationRecorder.__init__", "ActivationRecorder.__enter__", "ActivationRecorder.__exit__"),
    2: ("add_grad_clip_hooks",),
    3: ("GradNormMonitor.__init__", "GradNormMonitor.remove"),
    4: ("add_input_scaler",),
    5: ("replace_modules_",),
    6: ("describe",),
}

# "implement it yourself: your code replaced <what>; <instead>"
REPLACED_FORWARD = "a module's forward (or its class)"
HOOK_INSTEAD = "the exercise asks for a hook, which watches forward and leaves it as it is. Register one instead."


# --- models the probes build (seeded: every probe runs with torch's global RNG seeded) ----------------------------


class SubLinear(nn.Linear):
    """A subclass of nn.Linear: isinstance matches it, an exact type test does not."""


class Block(nn.Module):
    """A module with a parameter and a buffer of its own, and children of its own."""

    def __init__(self, n_in: int, n_out: int) -> None:
        super().__init__()
        self.gain = nn.Parameter(torch.rand(n_out) + 0.5)
        self.register_buffer("shift", torch.zeros(n_out))
        self.inner = nn.Sequential(nn.Linear(n_in, n_out), nn.Tanh())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(x) * self.gain + self.shift


class Net(nn.Module):
    """Nested Sequential, a ModuleList, two heads reading the same hidden tensor, one module called twice."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Sequential(SubLinear(6, 6), nn.Sigmoid()))
        self.heads = nn.ModuleList([nn.Linear(6, 3), Block(6, 3)])
        self.act = nn.Tanh()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(x)
        return self.act(self.heads[0](hidden)) + self.act(self.heads[1](hidden))


class Mix(nn.Module):
    """Two positional inputs and a keyword one."""

    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, x: torch.Tensor, y: torch.Tensor, shift: float = 0.0) -> torch.Tensor:
        return self.lin(x) - y + shift


class Marker(nn.Module):
    """What a probe's factory returns: no parameters, no children."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


class Wrapper(nn.Module):
    """What a probe's factory returns when the replacement contains the module it replaces."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(x)


class _Boom(Exception):
    """Raised by a probe inside a with block."""


NET_LABEL = "net (encoder: nested Sequential; heads: ModuleList; act called twice)"


# --- what the probes look at ------------------------------------------------------------------------------------


def _label(name: str) -> str:
    return repr(name) if name else "'' (the model)"


def _hook_counts(model: nn.Module, attr: str) -> dict[str, int]:
    """Number of hooks in each module's ``attr`` dict, by qualified name."""
    return {_label(name): len(getattr(mod, attr)) for name, mod in model.named_modules()}


def _tensor_hooks(param: torch.Tensor) -> int:
    return len(param._backward_hooks or {})


def _forward_snapshot(model: nn.Module) -> list[tuple[Any, ...]]:
    """Each module with its class, its own ``forward`` attribute (normally none) and its class's forward."""
    return [
        (mod, type(mod), vars(mod).get("forward"), inspect.getattr_static(type(mod), "forward", None))
        for mod in model.modules()
    ]


def _forward_kept(snapshot: list[tuple[Any, ...]]) -> None:
    """Raise ShortcutUsed when the student's code replaced a forward (or a class) since ``snapshot``."""
    for mod, cls, own, static in snapshot:
        if (
            type(mod) is not cls
            or vars(mod).get("forward") is not own
            or inspect.getattr_static(cls, "forward", None) is not static
        ):
            raise ShortcutUsed(REPLACED_FORWARD, did="replaced", instead=HOOK_INSTEAD)


def _records(recorder: Any) -> dict:
    records = getattr(recorder, "records", None)
    return records if isinstance(records, dict) else {}


# --- task 1: ActivationRecorder ------------------------------------------------------------------------------------


@check(points=2, task=1,
       concept="a context manager's __init__: every name is looked up among named_modules() (an unknown name raises "
               "ValueError naming it) and the records are created, before any hook is registered",
       hints=("What should happen to a name that is not a submodule, and when: before or after anything is "
              "registered on the model? Which attribute must exist as soon as the object is built?",
              "Read the 'Raises' paragraph of the docstring of ActivationRecorder.__init__ and its sentence about "
              "self.records; nn.Module.named_modules yields (qualified name, module) pairs, the model itself as ''.",
              "The same order elsewhere: table = dict(zoo.items()); missing = [k for k in wanted if k not in table] "
              "runs first, and the object's fields are filled only once it found nothing wrong."))
def recorder_setup(m, p):
    """ActivationRecorder.__init__ checks the names and creates empty records, registering nothing"""
    net = Net()
    wanted = ("heads.1", "encoder.2.0", "", "act")
    recorder = p.call("ActivationRecorder(net, names given by a generator)", m.ActivationRecorder, net,
                      (name for name in wanted))
    records = getattr(recorder, "records", None)
    obs: dict[str, Any] = {
        "ActivationRecorder(net, ('heads.1', 'encoder.2.0', '', 'act')).records is a dict": isinstance(records, dict),
        "records: names in order": list(records) if isinstance(records, dict) else None,
        "records before the block": records if isinstance(records, dict) else None,
        "forward hooks on the model after __init__ alone": sum(_hook_counts(net, "_forward_hooks").values()),
    }
    for names, bad in ((["encoder.0", "encoder.9"], "encoder.9"), (["heads.2"], "heads.2"),
                       (["encoder.0.weight"], "encoder.0.weight")):
        where = f"ActivationRecorder(net, {names})"
        result, exc = expect_raise_with_exception(p, where, m.ActivationRecorder, net, names)
        obs[where] = result
        obs[f"{where}: the error message names {bad!r}"] = exc is not None and bad in str(exc)
    obs["forward hooks on the model after the calls that raised"] = sum(_hook_counts(net, "_forward_hooks").values())
    return obs


@check(points=3, task=1,
       concept="forward hooks run right after forward and see (module, args, output): each call of a recorded "
               "submodule appends its output to the list of its name",
       hints=("Which of the three things a forward hook receives is the module's result, and what must happen to "
              "the list when the module is called a second time?",
              "torch.nn.Module.register_forward_hook: the hook is called as hook(module, args, output) after every "
              "call of the module; see the docstring of ActivationRecorder.__enter__.",
              "A pattern on another quantity: shapes = []; conv.register_forward_hook(lambda mod, args, out: "
              "shapes.append(tuple(out.shape))) collects one shape per call of conv."))
def recorder_records(m, p):
    """Inside the block, every call of a named submodule appends its output to records[name]"""
    net = Net()
    names = ["heads.0", "encoder.2", "act", ""]
    x1, x2 = p.randn(5, 4), p.randn(3, 4)
    recorder = p.call(f"ActivationRecorder(net, {names})", m.ActivationRecorder, net, names)
    snapshot = _forward_snapshot(net)
    p.where = "with ActivationRecorder(net, names): net(x1); net(x2)"
    with recorder:
        _forward_kept(snapshot)
        net(x1)
        net(x2)
    _forward_kept(snapshot)
    records = _records(recorder)
    return {f"records[{name!r}] after net(x1) and net(x2) in the block": records.get(name) for name in names}


@check(points=2, task=1,
       concept="detaching recorded activations: Tensor.detach() cuts a record from the autograd graph (nothing is "
               "kept alive); with detach=False the graph stays, so gradients can flow through a record",
       hints=("Does a recorded tensor still remember how it was computed? When should it, and when not?",
              "Tensor.detach, and the 'Args' paragraph of the docstring of ActivationRecorder.__init__ (what detach "
              "means).",
              "The same choice in a training loop: logging loss.item() or loss.detach() keeps a number; logging loss "
              "itself keeps every step's graph in memory."))
def recorder_detach(m, p):
    """Records are detached by default and keep their autograd graph with detach=False"""
    net = Net()
    names = ["heads.1", "encoder.2"]
    x = p.randn(4, 4)
    snapshot = _forward_snapshot(net)
    obs: dict[str, Any] = {}
    for label, kwargs in (("default", {}), ("detach=False", {"detach": False})):
        recorder = p.call(f"ActivationRecorder(net, {names}, {label})", m.ActivationRecorder, net, names, **kwargs)
        p.where = f"with ActivationRecorder(net, names, {label}): net(x)"
        with recorder:
            _forward_kept(snapshot)
            net(x)
        recorded = [t for name in names for t in (_records(recorder).get(name) or [])]
        obs[f"{label}: number of records"] = len(recorded)
        obs[f"{label}: each record requires grad"] = [bool(getattr(t, "requires_grad", None)) for t in recorded]
        obs[f"{label}: each record has a grad_fn"] = [getattr(t, "grad_fn", None) is not None for t in recorded]
        if label == "detach=False" and recorded and getattr(recorded[0], "requires_grad", False):
            p.where = "records['heads.1'][0].sum().backward()"
            recorded[0].sum().backward()
            obs["detach=False: backward from a record reaches the model's parameters"] = any(
                q.grad is not None for q in net.parameters()
            )
    return obs


@check(points=3, task=1, builds_on=("recorder_records",),
       concept="a hook's handle: the hooks __enter__ registers are removed in __exit__ with handle.remove(), also "
               "when the block raised, and __exit__ returns a false value so that the exception reaches the caller",
       hints=("When the with block ends, normally or with an error, which hooks are still attached to the model? "
              "What does __enter__ hand to the 'as' target?",
              "torch.utils.hooks.RemovableHandle.remove, and the docstrings of ActivationRecorder.__enter__ and "
              "__exit__ (what __exit__ returns decides whether an exception goes on).",
              "The same discipline with a file: f = open(path); try: ... finally: f.close() is a cleanup that runs on "
              "every way out of the block and hides no exception."))
def recorder_hooks(m, p):
    """The recorder's forward hooks exist only inside the block, also when the block raises"""
    net = Net()
    names = ["encoder.2", "heads.1.inner.0", "act"]
    x = p.randn(2, 4)
    snapshot = _forward_snapshot(net)
    recorder = p.call(f"ActivationRecorder(net, {names})", m.ActivationRecorder, net, names)
    obs: dict[str, Any] = {"forward hooks per module before the block": _hook_counts(net, "_forward_hooks")}
    p.where = "with ActivationRecorder(net, names) as rec: net(x)"
    with recorder as entered:
        obs["__enter__ returns the recorder itself"] = entered is recorder
        obs["forward hooks per module inside the block"] = _hook_counts(net, "_forward_hooks")
        _forward_kept(snapshot)
        net(x)
    _forward_kept(snapshot)
    obs["forward hooks per module after the block"] = _hook_counts(net, "_forward_hooks")
    kept = {n: len(_records(recorder).get(n) or []) for n in names}
    obs["every name has records after the block (they are kept)"] = all(kept.values())
    p.where = "net(x) after the block"
    net(x)
    obs["records added per name by one more net(x) outside the block"] = {
        n: len(_records(recorder).get(n) or []) - kept[n] for n in names
    }
    again = p.call(f"ActivationRecorder(net, {names})", m.ActivationRecorder, net, names)
    p.where = "with ActivationRecorder(net, names): net(x); raise an exception"
    try:
        with again:
            net(x)
            raise _Boom("raised inside the block by the grader")
    except _Boom:
        reached = True
    else:
        reached = False
    obs["an exception raised inside the block reaches the caller"] = reached
    obs["forward hooks per module after a block that raised"] = _hook_counts(net, "_forward_hooks")
    return obs


# --- task 2: add_grad_clip_hooks -----------------------------------------------------------------------------------


def _clip_model() -> nn.Module:
    return nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))


def _clip_loss(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    return model(x).pow(2).sum()


CLIP = 0.5


def _keeper(received: dict[str, tuple[torch.Tensor, torch.Tensor]], name: str) -> Any:
    """A tensor hook that keeps the first gradient it sees, and a copy of it, under ``name``; it changes nothing."""

    def hook(grad: torch.Tensor) -> None:
        received.setdefault(name, (grad, grad.clone()))

    return hook


@check(points=3, task=2,
       concept="tensor hooks: Tensor.register_hook(fn) calls fn(grad) during backward, and the tensor fn returns "
               "replaces the gradient, here clamped to [-max_abs, max_abs] in a new tensor (the hook's argument is "
               "never changed in place)",
       hints=("What does a hook on a parameter receive during backward, and how does it hand a changed gradient back "
              "to autograd? Are both ends of the range applied?",
              "torch.Tensor.register_hook (the hook may return a new gradient) and torch.Tensor.clamp (min and max).",
              "A pattern with another change: v.register_hook(lambda g: g * 0.5) halves every gradient that reaches "
              "v, without touching v.grad by hand."))
def gradclip_values(m, p):
    """add_grad_clip_hooks clamps every parameter's gradient to [-max_abs, max_abs], in a new tensor"""
    model = _clip_model()
    x = p.randn(6, 3)
    received: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    for name, param in model.named_parameters():  # the grader's hooks run first and keep what the next hook gets
        param.register_hook(_keeper(received, name))
    p.call(f"add_grad_clip_hooks(model, {CLIP})", m.add_grad_clip_hooks, model, CLIP)
    p.where = "loss.backward() with the hooks"
    _clip_loss(model, x).backward()
    obs: dict[str, Any] = {}
    for name, param in model.named_parameters():
        obs[f"{name}.grad after one backward pass"] = param.grad
    obs["the gradient each hook received is unchanged after backward (no in-place change of the argument)"] = all(
        torch.equal(grad, before) for grad, before in received.values())
    return obs


@check(points=2, task=2,
       concept="tensor hooks run before the gradient is accumulated into .grad: each backward pass adds its own "
               "clipped gradient, so two passes hold the sum of two clipped gradients",
       hints=("After two backward passes without zero_grad, is it the sum that is clipped, or each pass's gradient "
              "before it is added?",
              "Compare torch.Tensor.register_hook (runs before accumulation) with "
              "torch.Tensor.register_post_accumulate_grad_hook (runs after); the docstring of add_grad_clip_hooks "
              "says which one is meant.",
              "With a limit of 1 and two passes whose gradients are both 0.8: clipping each pass leaves 1.6 in .grad, "
              "clipping .grad afterwards leaves 1.0."))
def gradclip_accumulation(m, p):
    """Two backward passes accumulate two clipped gradients (compared with your own single passes)"""
    model = _clip_model()
    xs = [p.randn(6, 3), p.randn(6, 3)]
    p.call(f"add_grad_clip_hooks(model, {CLIP})", m.add_grad_clip_hooks, model, CLIP)
    single = []
    for i, x in enumerate(xs):
        model.zero_grad(set_to_none=True)
        p.where = f"backward pass {i + 1} alone"
        _clip_loss(model, x).backward()
        single.append({n: q.grad.clone() for n, q in model.named_parameters()})
    model.zero_grad(set_to_none=True)
    p.where = "two backward passes, one after the other"
    for x in xs:
        _clip_loss(model, x).backward()
    obs: dict[str, Any] = {}
    for name, param in model.named_parameters():
        gap = (param.grad - single[0][name] - single[1][name]).abs().max()
        obs[f"{name}: largest |.grad after both passes - (pass 1 alone + pass 2 alone)|"] = float(gap)
    obs[f"some element of .grad exceeds {CLIP} after both passes (two clipped gradients added)"] = any(
        bool((q.grad.abs() > CLIP + 1e-6).any()) for q in model.parameters()
    )
    return obs


gradclip_accumulation.judge(keywise(("largest |", between(0.0, 1e-5, "each pass adds its own clipped gradient"))))


@check(points=2, task=2,
       concept="tensor hooks on parameters: one Tensor.register_hook per trainable parameter (it runs before the "
               "gradient is accumulated into .grad), each returning a RemovableHandle whose remove() restores plain "
               "gradients",
       hints=("Which parameters can take a gradient hook at all, and what do you hand back so that the caller can "
              "undo every hook?",
              "torch.Tensor.register_hook (it refuses a tensor that does not require grad), Parameter.requires_grad, "
              "and the 'Returns' paragraph of the docstring of add_grad_clip_hooks.",
              "A pattern for keeping handles: hs = [layer.register_forward_hook(log) for layer in layers], and later "
              "for h in hs: h.remove()."))
def gradclip_handles(m, p):
    """add_grad_clip_hooks puts one tensor hook on each trainable parameter; its handles remove them"""
    model = _clip_model()
    model[0].bias.requires_grad_(False)
    trainable = [q for q in model.parameters() if q.requires_grad]
    handles = p.call(f"add_grad_clip_hooks(model whose first bias is frozen, {CLIP})", m.add_grad_clip_hooks, model,
                     CLIP)
    handles = list(handles) if isinstance(handles, (list, tuple)) else []
    owners = [getattr(h, "hooks_dict_ref", None) for h in handles]
    obs: dict[str, Any] = {
        "tensor hooks per parameter": {n: _tensor_hooks(q) for n, q in model.named_parameters()},
        "number of handles returned": len(handles),
        "handle i belongs to the i-th trainable parameter": [
            callable(ref) and ref() is q._backward_hooks for ref, q in zip(owners, trainable)
        ],
    }
    for h in handles:
        if callable(getattr(h, "remove", None)):
            p.call("handle.remove() for every returned handle", h.remove)
    obs["tensor hooks per parameter after handle.remove()"] = {n: _tensor_hooks(q) for n, q in model.named_parameters()}
    p.where = "loss.backward() after the handles were removed"
    _clip_loss(model, p.randn(6, 3)).backward()
    for name, param in model.named_parameters():
        if param.requires_grad:
            obs[f"{name}.grad after the handles were removed (plain gradient)"] = param.grad
    return obs


@check(points=1, task=2,
       concept="validating arguments: a clip bound must be positive (ValueError otherwise), checked before anything "
               "is registered",
       hints=("Which values of max_abs make no sense as a bound on |gradient|, zero included?",
              "The 'Raises' paragraph of the docstring of add_grad_clip_hooks.",
              "The same kind of guard for another argument: if lr < 0: raise ValueError(f'lr should be non-negative, "
              "but got lr={lr}')."))
def gradclip_validation(m, p):
    """add_grad_clip_hooks raises ValueError for max_abs <= 0"""
    layer = nn.Linear(2, 2)
    obs = {f"add_grad_clip_hooks(layer, {v})": expect_raise(p, f"add_grad_clip_hooks(layer, {v})",
                                                             m.add_grad_clip_hooks, layer, v) for v in (0.0, -1.0)}
    obs["tensor hooks left on the layer's parameters"] = sum(_tensor_hooks(q) for q in layer.parameters())
    return obs


# --- task 3: GradNormMonitor ---------------------------------------------------------------------------------------


@check(points=3, task=3,
       concept="full backward hooks see (module, grad_input, grad_output): grad_output[0] is the gradient of the "
               "module's output, whose L2 norm is recorded as a Python float, for every instance of types "
               "(subclasses too) in named_modules() order, the model itself included",
       hints=("Which of the two tuples holds the gradient with respect to the module's output, and what kind of "
              "object should land in the list? Which modules does your walk visit?",
              "torch.nn.Module.register_full_backward_hook (the meaning of grad_input and grad_output), "
              "torch.linalg.vector_norm, Tensor.item, and nn.Module.named_modules.",
              "A pattern on another statistic: means.append(float(t.mean())) stores a plain number, and "
              "isinstance(obj, (A, B)) also accepts subclasses of A and B."))
def gradnorm_values(m, p):
    """GradNormMonitor records the norm of grad_output[0] for each hooked module in each backward pass"""
    obs: dict[str, Any] = {}
    cases = (("GradNormMonitor(net)", ()), ("GradNormMonitor(net, types=(nn.Tanh, Net))", ((nn.Tanh, Net),)))
    for label, args in cases:
        net = Net()
        monitor = p.call(label, m.GradNormMonitor, net, *args)
        x1 = p.randn(5, 4).requires_grad_()
        x2 = p.randn(3, 4).requires_grad_()
        weights = p.randn(3, 3)
        p.where = f"{label}, then two backward passes"
        (net(x1) ** 2).sum().backward()
        (net(x2) * weights).sum().backward()
        norms = getattr(monitor, "norms", None)
        obs[f"{label}: hooked names, in order"] = list(norms) if isinstance(norms, dict) else norms
        obs[f"{label}: norms after two backward passes"] = norms
    return obs


@check(points=2, task=3, builds_on=("gradnorm_values",),
       concept="full backward hooks and their handles: register_full_backward_hook (not the deprecated "
               "register_backward_hook) once per watched module, and remove() calls remove() on every handle",
       hints=("Which registration method gives a hook that sees the module as a whole? After remove(), does any "
              "backward hook of the monitor remain on the model?",
              "torch.nn.Module.register_full_backward_hook versus register_backward_hook, and "
              "torch.utils.hooks.RemovableHandle.remove; see the docstring of GradNormMonitor.remove.",
              "A pattern for undoing a batch of registrations: keep self.hs = [...] when registering, and in the "
              "cleanup method: for h in self.hs: h.remove()."))
def gradnorm_hooks(m, p):
    """GradNormMonitor puts one full backward hook on each module it names; remove() takes them all off"""
    net = Net()
    snapshot = _forward_snapshot(net)
    monitor = p.call("GradNormMonitor(net, types=(nn.Linear, nn.Sigmoid))", m.GradNormMonitor, net,
                     (nn.Linear, nn.Sigmoid))
    _forward_kept(snapshot)
    norms = getattr(monitor, "norms", None)
    named = dict(norms) if isinstance(norms, dict) else {}
    modules = dict(net.named_modules())
    obs: dict[str, Any] = {
        "norms is a dict of empty lists before any backward": isinstance(norms, dict)
        and all(v == [] for v in named.values()),
        "modules named in norms without exactly one full backward hook": [
            n for n in named if n in modules and not (
                len(modules[n]._backward_hooks) == 1 and modules[n]._is_full_backward_hook is True)
        ],
        "modules not named in norms that hold a backward hook": [
            _label(n) for n, mod in modules.items() if n not in named and len(mod._backward_hooks) > 0
        ],
    }
    x = p.randn(3, 4).requires_grad_()
    p.where = "one backward pass with the monitor"
    net(x).sum().backward()
    obs["after one backward pass: number of norms per name"] = {n: len(v) for n, v in named.items()}
    p.call("monitor.remove()", monitor.remove)
    obs["backward hooks per module after remove()"] = _hook_counts(net, "_backward_hooks")
    p.where = "one more backward pass after remove()"
    net(x).sum().backward()
    obs["number of norms per name after a backward pass that followed remove()"] = {
        n: len(v) for n, v in named.items()
    }
    return obs


ONE_EACH = {
    "after one backward pass": "1 for every name (each watched module runs once per pass)",
    "after a backward pass that followed remove()": "still 1 for every name (a removed hook records nothing)",
}


@gradnorm_hooks.judge
def _gradnorm_hooks(got, expected):
    """Which modules are hooked is gradnorm_values' business: the norm counts are judged per name of the student's."""
    if not isinstance(got, dict) or set(got) != set(expected):
        return compare(got, expected)
    for key, want in expected.items():
        have = got[key]
        rule = next((meaning for text, meaning in ONE_EACH.items() if text in key), None)
        if rule is None:
            found = compare(have, want, key)
            if found:
                return found
        elif not (isinstance(have, dict) and all(v == 1 for v in have.values())):
            return Mismatch(key, rule, repr(have))
    return None


# --- task 4: add_input_scaler --------------------------------------------------------------------------------------


@check(points=3, task=4,
       concept="forward pre-hooks run before forward and see (module, args): the tuple they return replaces the "
               "positional inputs; only the first positional input is scaled, the others are kept, and the caller's "
               "tensor is never changed in place",
       hints=("What does the pre-hook receive, what must it return so that forward sees new inputs, and which of "
              "those inputs change?",
              "torch.nn.Module.register_forward_pre_hook (a returned tuple replaces args; a single value is wrapped "
              "into a 1-tuple), and the docstring of add_input_scaler.",
              "A pattern on another change: a pre-hook returning (args[0].flip(-1),) + tuple(args[1:]) hands forward "
              "a flipped copy of its first input and the rest as they came."))
def scaler_values(m, p):
    """add_input_scaler multiplies only the first positional input, without touching the caller's tensor"""
    mix = Mix()
    snapshot = _forward_snapshot(mix)
    p.call("add_input_scaler(mix, 3.0)", m.add_input_scaler, mix, 3.0)
    _forward_kept(snapshot)
    x, y = p.randn(4, 3), p.randn(4, 3)
    x_before, y_before = x.clone(), y.clone()
    obs: dict[str, Any] = {"mix(x, y) with factor 3 (mix(x, y) = lin(x) - y + shift)": p.call("mix(x, y)", mix, x, y)}
    obs["the caller's x and y are unchanged after mix(x, y)"] = torch.equal(x, x_before) and torch.equal(y, y_before)
    obs["mix(x, y, shift=0.5) called again with the same x and y"] = p.call("mix(x, y, shift=0.5)", mix, x, y,
                                                                             shift=0.5)
    layer = nn.Linear(3, 2)
    p.call("add_input_scaler(nn.Linear(3, 2), -0.5)", m.add_input_scaler, layer, -0.5)
    obs["nn.Linear(3, 2) with factor -0.5 on z of shape (5, 3)"] = p.call("layer(z)", layer, p.randn(5, 3))
    return obs


@check(points=2, task=4,
       concept="a forward pre-hook and its handle: register_forward_pre_hook returns a RemovableHandle, and "
               "handle.remove() restores the plain module",
       hints=("What does your function give back to the caller, and can the caller undo the scaling with it?",
              "torch.nn.Module.register_forward_pre_hook (its return value), and the 'Returns' paragraph of the "
              "docstring of add_input_scaler.",
              "A pattern with another hook kind: h = net.register_forward_hook(log); ...; h.remove() -- the caller "
              "keeps what registration returned and undoes the hook with it."))
def scaler_handle(m, p):
    """add_input_scaler registers one forward pre-hook and returns a handle that removes it"""
    layer = nn.Linear(3, 2)
    snapshot = _forward_snapshot(layer)
    z = p.randn(4, 3)
    handle = p.call("add_input_scaler(layer, 2.0)", m.add_input_scaler, layer, 2.0)
    _forward_kept(snapshot)
    obs: dict[str, Any] = {
        "forward pre-hooks on the layer while the scaler is registered": len(layer._forward_pre_hooks),
        "forward hooks on the layer (a pre-hook is not a forward hook)": len(layer._forward_hooks),
        "the returned value has a remove() method": callable(getattr(handle, "remove", None)),
    }
    obs["layer(z) with the scaler"] = p.call("layer(z)", layer, z.clone())
    if obs["the returned value has a remove() method"]:
        p.call("handle.remove()", handle.remove)
        obs["forward pre-hooks on the layer after handle.remove()"] = len(layer._forward_pre_hooks)
        obs["layer(z) after handle.remove() (the plain layer again)"] = p.call("layer(z)", layer, z.clone())
    return obs


# --- task 5: replace_modules_ --------------------------------------------------------------------------------------


def _structure(model: nn.Module) -> list[tuple[str, str]]:
    return [(name, type(mod).__name__) for name, mod in model.named_modules()]


@check(points=3, task=5,
       concept="module surgery at any depth: the walk reaches nested Sequential, ModuleList items and the children of "
               "custom modules, and setattr(parent, name, new) swaps one child in place (a ModuleList item by its "
               "index name)",
       hints=("Does your search go below the model's direct children, into every kind of container (ModuleList and "
              "custom modules too)? How is a child set on its parent?",
              "nn.Module.named_children and named_modules (qualified names such as 'heads.1.inner.0'), and setattr "
              "on a module (nn.Module.__setattr__ registers a module value under that name).",
              "A pattern on another walk: def show(mod, prefix=''): for n, c in mod.named_children(): print(prefix + "
              "n); show(c, prefix + n + '.') prints every qualified name."))
def replace_everywhere(m, p):
    """replace_modules_ replaces every instance of the target at any depth and returns the names"""
    obs: dict[str, Any] = {}
    cases = (("nn.Linear", nn.Linear, lambda old: Marker(old.out_features)),
             ("nn.Tanh", nn.Tanh, lambda old: nn.Sigmoid()))
    for label, target, factory in cases:
        net = Net()
        where = f"replace_modules_(net, {label}, factory)"
        obs[f"{where} returns"] = p.call(where, m.replace_modules_, net, target, factory)
        obs[f"after {where}: (name, class) of named_modules()"] = _structure(net)
    return obs


@check(points=2, task=5,
       concept="in-place surgery: every module that is not replaced stays the same object with the same parameters, "
               "and the factory receives the original module (not a copy)",
       hints=("After the surgery, which objects should be new, and which must be exactly the ones the model had "
              "before?",
              "The 'factory' argument in the docstring of replace_modules_ (called once per replaced module with the "
              "original module), and Python's 'is' for object identity.",
              "A pattern on plain objects: slots[i] = make(slots[i]) changes one slot, hands make the object itself, "
              "and leaves every other object where it was."))
def replace_keeps_the_rest(m, p):
    """replace_modules_ keeps every other module and parameter object, and hands the factory the originals"""
    net = Net()
    before = dict(net.named_modules())
    params_before = dict(net.named_parameters())
    received: list[nn.Module] = []

    def factory(old: nn.Module) -> nn.Module:
        received.append(old)
        return Marker(getattr(old, "out_features", 0))

    returned = p.call("replace_modules_(net, nn.Linear, factory)", m.replace_modules_, net, nn.Linear, factory)
    after = dict(net.named_modules())
    params_after = dict(net.named_parameters())
    replaced = {n for n, mod in before.items() if any(mod is r for r in received)}
    return {
        "every module the factory received is one of the model's original modules (not a copy)": all(
            any(r is mod for mod in before.values()) for r in received
        ),
        "the factory was called once per returned name": isinstance(returned, list) and len(received) == len(returned),
        "modules not handed to the factory that are no longer the same object": [
            _label(n) for n, mod in before.items() if n not in replaced and after.get(n) is not mod
        ],
        "parameters outside the replaced modules that are no longer the same object": [
            n for n, q in params_before.items()
            if not any(n.startswith(r + ".") for r in replaced) and params_after.get(n) is not q
        ],
    }


@check(points=2, task=5,
       concept="what surgery replaces: the model itself never, and a replacement (which may contain the old module) "
               "is not searched again",
       hints=("What happens when the model itself is a target, or when the factory's result contains the module it "
              "replaced: should the search look inside it?",
              "The docstring of replace_modules_: 'The model itself is never replaced' and 'What the factory returns "
              "is not searched again'.",
              "A pattern from list editing: new = [wrap(v) if wanted(v) else v for v in items] looks at each original "
              "item once and never at a wrapped result."))
def replace_root_and_wrappers(m, p):
    """replace_modules_ never replaces the model itself and does not search a replacement again"""
    obs: dict[str, Any] = {}
    seq = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Linear(3, 3), nn.Tanh()), nn.Tanh())
    where = "replace_modules_(nn.Sequential(Linear, nn.Sequential(Linear, Tanh), Tanh), nn.Sequential, Wrapper)"
    obs[f"{where} returns"] = p.call(where, m.replace_modules_, seq, nn.Sequential, Wrapper)
    obs[f"after {where}: (name, class) of named_modules()"] = _structure(seq)
    seq = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    where = "replace_modules_(nn.Sequential(Linear, Tanh, Linear), nn.Linear, Wrapper)"
    obs[f"{where} returns"] = p.call(where, m.replace_modules_, seq, nn.Linear, Wrapper)
    obs[f"after {where}: (name, class) of named_modules()"] = _structure(seq)
    return obs


# --- task 6: describe ----------------------------------------------------------------------------------------------


@check(points=3, task=6,
       concept="named_modules() walks every submodule at every depth, the model itself first as ''; "
               "parameters(recurse=False) are only a module's own parameters, so the counts add up without double "
               "counting",
       hints=("Which modules get a row, and does a parent's count include its children's parameters?",
              "nn.Module.named_modules, nn.Module.parameters (its recurse argument), Tensor.numel, and the 'Returns' "
              "paragraph of the docstring of describe.",
              "A pattern on another quantity: {n: len(list(mod.children())) for n, mod in net.named_modules()} maps "
              "every qualified name to its number of direct children."))
def describe_rows(m, p):
    """describe lists every module with its class name and the parameters it registers itself"""
    net = Net()
    net.heads[0].bias.requires_grad_(False)
    rows = p.call(f"describe({NET_LABEL})", m.describe, net)
    total = sum(q.numel() for q in net.parameters())
    counts = [row[2] for row in rows] if isinstance(rows, list) and all(
        isinstance(row, (list, tuple)) and len(row) == 3 for row in rows) else None
    return {
        f"describe({NET_LABEL})": rows,
        "the counts add up to the model's number of parameter elements": counts is not None
        and sum(c for c in counts if isinstance(c, int)) == total,
    }

"""Grader of a01_modules: nn.Module, nn.Parameter, buffers, ModuleList.

Each check is a probe (drives the implementation, returns observations)
judged against the reference's observations; see graders/engine.

One mistake, one diagnosis: the forward checks of ``Linear`` install fixed
parameters into the student's layer (built without its ``__init__`` when that
raises), so a registration mistake fails only the registration check; the MLP
checks build on the Linear checks and on ``mlp_layers``; dropout modes are
judged against the student's own MLP built with ``dropout=0.0``.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from graders.engine import check
from graders.engine.judges import absolute, keywise, relative
from graders.engine.probes import (
    expect_raise,
    layer_with,
    registry,
    set_linear,
    uniform_init_judge,
    uniform_init_stats,
)

TASKS = {
    1: ("Linear.__init__", "Linear.forward"),
    2: ("Standardize.__init__", "Standardize.forward"),
    3: ("MLP.__init__", "MLP.forward"),
    4: ("count_parameters",),
    5: ("init_normal_",),
    6: ("freeze_",),
}

PARAMS = ("registering a layer's trainable tensors as nn.Parameter, with the documented shapes of weight and bias, "
          "after nn.Module.__init__ has set up the registries (registered parameters appear in parameters(), "
          "state_dict() and follow .double()/.to())")


def same_values(a: Any, b: Any) -> bool:
    """Whether two results are tensors of one shape with (nearly) equal values."""
    return (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and a.shape == b.shape
            and bool(torch.allclose(a.detach(), b.detach(), rtol=1e-5, atol=1e-6)))


# --- Task 1: Linear --------------------------------------------------------------------------------------------------


@check(points=3, task=1, concept=PARAMS,
       hints=("Which tensors does your layer own, what shape must each have to map in_features inputs to "
              "out_features outputs, and would module.parameters() find them?",
              "Read the docstring of Linear.__init__ (the sentence on what to call first, and the shapes of weight "
              "and bias) and the documentation of torch.nn.Parameter.",
              "A module with one trainable gain per channel: once the parent's __init__ has run, "
              "self.gain = nn.Parameter(torch.ones(channels)) makes 'gain' appear in named_parameters()."))
def linear_parameters(m, p):
    """Linear registers weight (out, in) and bias (out,) as nn.Parameters"""
    layer = p.call("Linear(4, 3)", m.Linear, 4, 3)
    obs = {f"Linear(4, 3): {k}": v for k, v in registry(layer).items()}
    p.where = "Linear(4, 3).double()"
    obs["Linear(4, 3).double(): dtype of each parameter"] = {n: str(q.dtype)
                                                             for n, q in layer.double().named_parameters()}
    return obs


@check(points=3, task=1, concept="the forward pass of a linear layer: a matrix product with the weight, whose shape "
                                 "is (out_features, in_features), plus a bias broadcast over all leading dimensions",
       hints=("x has shape (..., in_features) and weight (out_features, in_features): which dimensions must meet in "
              "the product, and how does a bias of shape (out_features,) reach every leading dimension?",
              "Read the docstring of Linear.forward, then torch.matmul (how it treats leading batch dimensions), "
              "torch.Tensor.T, and the broadcasting semantics page of the PyTorch documentation.",
              "Scoring hidden states h of shape (..., d) against every row of an embedding table E of shape "
              "(vocab, d) gives (..., vocab) with h @ E.T; a (vocab,) offset then broadcasts over the leading dims."),
       forbid=("F.linear",))
def linear_forward(m, p):
    """Linear.forward computes x @ weight.T + bias for inputs of shape (..., in)"""
    layer = layer_with(p, m.Linear, p.randn(3, 4), p.randn(3), "Linear(4, 3)")
    obs = {}
    for shape in [(5, 4), (2, 6, 4), (4,)]:
        x = p.randn(*shape)
        where = f"Linear(4, 3) on x of shape {shape}"
        obs[where] = p.call(where, layer, x)
    x64 = p.randn(5, 4, dtype=torch.float64)
    p.where = "Linear(4, 3).double()"
    layer64 = layer.double()
    obs["Linear(4, 3).double() on float64 x of shape (5, 4)"] = p.call("Linear(4, 3).double()(x)", layer64, x64)
    return obs


@check(points=2, task=1, builds_on=("linear_parameters", "linear_forward"),
       concept="optional parameters: with bias=False, register_parameter with None keeps the bias attribute but "
               "registers no tensor, and forward adds no bias",
       hints=("With bias=False, what should self.bias be, what should state_dict() hold, and what must forward do "
              "when there is no bias?",
              "Read the sentence on bias=False in the docstring of Linear.__init__, and "
              "torch.nn.Module.register_parameter (it accepts None).",
              "A module with an optional scale registers 'scale' as None when it has none; its forward tests "
              "whether self.scale is None before multiplying."))
def linear_without_bias(m, p):
    """Linear(..., bias=False) has bias None and only 'weight' in its state_dict"""
    layer = p.call("Linear(4, 3, bias=False)", m.Linear, 4, 3, bias=False)
    obs = {
        "Linear(4, 3, bias=False): named_parameters() names": sorted(n for n, _ in layer.named_parameters()),
        "Linear(4, 3, bias=False): state_dict() keys": sorted(layer.state_dict()),
        "Linear(4, 3, bias=False).bias is None": getattr(layer, "bias", "missing") is None,
    }
    w, x = p.randn(3, 4), p.randn(5, 4)
    plain = layer_with(p, m.Linear, w, None, "Linear(4, 3, bias=False)")
    zero = layer_with(p, m.Linear, w, torch.zeros(3), "Linear(4, 3)")
    got = p.call("Linear(4, 3, bias=False)(x)", plain, x)
    want = p.call("Linear(4, 3)(x) with the same weight and a zero bias", zero, x)
    obs["Linear(4, 3, bias=False)(x) equals your Linear(4, 3)(x) with the same weight and a zero bias"] = (
        same_values(got, want))
    return obs


@check(points=2, task=1, builds_on=("linear_forward",),
       concept="autograd through a module: the output must stay connected to the parameters",
       hints=("Does every operation in your forward keep the result attached to self.weight and self.bias, so "
              "that backward can reach them?",
              "Look at torch.Tensor.detach, the .data attribute and torch.no_grad in the autograd documentation: "
              "which of them cut the graph?",
              "With y = (w.detach() * v).sum(); y.backward() leaves w.grad None (or fails); "
              "y = (w * v).sum() fills it."),
       forbid=("F.linear",))
def linear_gradients(m, p):
    """loss.backward() through Linear fills weight.grad and bias.grad"""
    layer = layer_with(p, m.Linear, p.randn(3, 4), p.randn(3), "Linear(4, 3)")
    x = p.randn(6, 4)
    out = p.call("Linear(4, 3)(x)", layer, x)
    p.where = "(Linear(4, 3)(x) ** 2).sum().backward()"
    (out**2).sum().backward()
    return {"weight.grad after backward": layer.weight.grad, "bias.grad after backward": layer.bias.grad}


@check(points=2, task=1, builds_on=("linear_parameters",),
       concept="parameter initialisation: uniform(-k, k) with k = 1/sqrt(in_features), from torch's global RNG",
       hints=("Which range should the initial values fill, how does it depend on the layer's input size, and do "
              "weight and bias both get it?",
              "Read the initialisation sentence of the docstring of Linear.__init__, and torch.Tensor.uniform_ "
              "(or torch.nn.init.uniform_).",
              "Values uniform in [-a, a] with a = 2 / fan_out: torch.empty(n).uniform_(-a, a)."))
def linear_init(m, p):
    """Linear initialises weight and bias uniformly in [-k, k], k = 1/sqrt(in_features)"""
    return uniform_init_stats(p, "Linear", m.Linear)


linear_init.judge(uniform_init_judge)


# --- Task 2: Standardize ---------------------------------------------------------------------------------------------


@check(points=3, task=2, concept="buffers: register_buffer makes a tensor part of state_dict() and .to()/.double(), "
                                 "but not of parameters()",
       hints=("mean and std must be saved and moved with the module but never trained: which kind of module "
              "attribute is that?",
              "Read the docstring of Standardize.__init__ and torch.nn.Module.register_buffer.",
              "A module with a fixed lookup table: self.register_buffer('table', torch.arange(10.0)) puts 'table' in "
              "state_dict() and named_buffers(), never in parameters()."))
def standardize_buffers(m, p):
    """Standardize registers mean and std as buffers, not parameters"""
    mean, std = p.randn(3), p.rand(3) + 0.5
    module = p.call("Standardize(mean, std)", m.Standardize, mean, std)
    obs = {f"Standardize(mean, std): {k}": v for k, v in registry(module).items()}
    p.where = "Standardize(mean, std).double()"
    module = module.double()
    obs["after .double(): dtype of each buffer"] = {n: str(b.dtype) for n, b in module.named_buffers()}
    return obs


@check(points=2, task=2, concept="standardising with stored statistics: subtract the mean, then divide by std + eps "
                                 "(eps keeps the denominator away from zero)",
       hints=("Where does eps belong, in the numerator or in the denominator, and why is it there at all?",
              "Read the one-line docstring of Standardize.forward; the buffers are self.mean and self.std, and eps "
              "is the attribute self.eps.",
              "Min-max scaling with a guard: (v - lo) / (hi - lo + tiny), the guard in the denominator only."))
def standardize_forward(m, p):
    """Standardize computes (x - mean) / (std + eps)"""
    mean, std = p.randn(3), p.rand(3) + 0.5
    x = p.randn(4, 3)
    obs = {}
    for eps in (1e-8, 0.5):
        module = p.call(f"Standardize(mean, std, eps={eps})", m.Standardize, mean, std, eps=eps)
        obs[f"Standardize(mean, std, eps={eps}) on x of shape (4, 3)"] = p.call("Standardize(...)(x)", module, x)
    zero_std = p.call("Standardize(mean, zeros)", m.Standardize, mean, torch.zeros(3))
    obs["Standardize(mean, std=0) (eps avoids division by zero)"] = p.call("Standardize(mean, zeros)(x)", zero_std, x)
    return obs


# --- Task 3: MLP -----------------------------------------------------------------------------------------------------


@check(points=1, task=3, builds_on=("linear_parameters",),
       concept="building the layers of a network: one Linear per pair of consecutive sizes, each layer its own "
               "module (a new object, not the same one repeated)",
       hints=("How many Linear layers does sizes = [d0, d1, ..., dn] need, what does each map, and is each one a "
              "separate object?",
              "Read the docstring of MLP.__init__ (layer i maps sizes[i] to sizes[i + 1]) and the Python tutorial on "
              "sequences: [obj] * n repeats one object n times.",
              "Pipes with diameters [3, 5, 2] need joints (3, 5) and (5, 2): n diameters give n - 1 joints, and a "
              "comprehension creates a fresh Joint per pair where [Joint()] * 2 creates one."))
def mlp_layers(m, p):
    """MLP builds one distinct Linear of this file per pair of consecutive sizes"""
    model = p.call("MLP([5, 7, 6, 3])", m.MLP, [5, 7, 6, 3])
    layers = getattr(model, "layers", None)
    items = list(layers) if isinstance(layers, (list, tuple, nn.ModuleList)) else []
    return {
        "MLP([5, 7, 6, 3]).layers: number of entries": len(items),
        "every entry of layers is this file's Linear": bool(items) and all(isinstance(x, m.Linear) for x in items),
        "number of distinct layer objects": len({id(x) for x in items}),
        "weight shape of each entry": [
            tuple(x.weight.shape) if isinstance(getattr(x, "weight", None), torch.Tensor) else None for x in items
        ],
    }


@check(points=2, task=3, builds_on=("linear_parameters", "mlp_layers"),
       concept="nn.ModuleList registers submodules (a Python list does not), so their parameters get qualified "
               "names like layers.0.weight",
       hints=("Does model.parameters() see the weights of your layers? What does nn.Module do with an attribute "
              "that is a plain Python list?",
              "Read the documentation of torch.nn.ModuleList and the Example of the docstring of MLP.__init__ (the "
              "parameter names it lists).",
              "self.heads = nn.ModuleList([nn.Linear(8, 1), nn.Linear(8, 1)]) registers heads.0.weight, "
              "heads.1.weight, ...; the same two layers in a plain list register nothing."))
def mlp_structure(m, p):
    """MLP keeps its Linear layers in an nn.ModuleList named layers"""
    model = p.call("MLP([5, 7, 6, 3])", m.MLP, [5, 7, 6, 3])
    layers = getattr(model, "layers", None)
    obs = {f"MLP([5, 7, 6, 3]): {k}": v for k, v in registry(model).items()}
    obs["MLP([5, 7, 6, 3]).layers is an nn.ModuleList"] = isinstance(layers, nn.ModuleList)
    obs["count of registered Linear submodules"] = sum(isinstance(x, m.Linear) for x in model.modules())
    return obs


@check(points=1, task=3, concept="validating constructor arguments: raise ValueError with a message naming the bad "
                                 "value (fewer than two sizes; two sizes make one valid layer)",
       hints=("What should happen when sizes cannot describe even one layer?",
              "Read the 'Raises' paragraph of the docstring of MLP.__init__.",
              "def make_grid(n): if n <= 0: raise ValueError(f'n should be positive, but got n={n}')"))
def mlp_validation(m, p):
    """MLP raises ValueError for fewer than two sizes, and two sizes make one layer"""
    obs = {f"MLP({s})": p.attempt(f"MLP({s})", m.MLP, s) for s in ([3], [])}
    obs["len(MLP([4, 2]).layers) (two sizes: one layer)"] = p.attempt("MLP([4, 2])", lambda: len(m.MLP([4, 2]).layers))
    return obs


def mlp_weights(p, sizes: list[int]) -> list[tuple[torch.Tensor, torch.Tensor]]:
    return [(p.randn(b, a) * 0.5, p.randn(b) * 0.5) for a, b in zip(sizes[:-1], sizes[1:])]


def set_mlp(model: nn.Module, weights: list[tuple[torch.Tensor, torch.Tensor]]) -> None:
    for i, (w, b) in enumerate(weights):
        set_linear(model.layers[i], w, b)


MLP_NEEDS = ("linear_parameters", "linear_forward", "mlp_layers")


@check(points=3, task=3, builds_on=MLP_NEEDS,
       concept="composing modules in forward: activation (then dropout) after every layer but the last",
       hints=("Which layers are followed by an activation and dropout, and which one is not?",
              "Read the docstring of MLP.forward and the class docstring of MLP (the chain it draws).",
              "Joining words with a comma between them but none after the last: for i, w in enumerate(words), "
              "append w, then a comma only while i < len(words) - 1."),
       forbid=("F.linear",))
def mlp_forward(m, p):
    """MLP.forward applies Linear, activation and dropout in the right order"""
    obs = {}
    for label, act in (("ReLU", nn.ReLU), ("Tanh", nn.Tanh)):
        sizes = [4, 6, 5, 3]
        model = p.call(f"MLP({sizes}, activation=nn.{label})", m.MLP, sizes, activation=act)
        set_mlp(model, mlp_weights(p, sizes))
        x = p.randn(7, 4)
        obs[f"MLP({sizes}, activation=nn.{label}) on x of shape (7, 4)"] = p.call(f"MLP(..., nn.{label})(x)", model, x)
    return obs


@check(points=2, task=3, builds_on=MLP_NEEDS,
       concept="train() and eval() modes: dropout is active in training and does nothing in eval mode; it follows "
               "the activation, so a dropped unit reaches the next layer as 0",
       hints=("What must model.eval() change about your dropout, and how does the dropout know which mode the model "
              "is in?",
              "Read the documentation of torch.nn.Dropout and of torch.nn.Module.eval and train (the training flag "
              "of registered submodules).",
              "A registered submodule follows its parent's mode: after model.eval(), model.norm.training is False as "
              "well, so a registered nn.BatchNorm1d switches to its running statistics."))
def mlp_dropout_modes(m, p):
    """MLP with dropout is deterministic in eval mode and random in train mode"""
    sizes = [6, 40, 3]
    weights = mlp_weights(p, sizes)
    model = p.call("MLP([6, 40, 3], dropout=0.5)", m.MLP, sizes, dropout=0.5)
    set_mlp(model, weights)
    plain = p.call("MLP([6, 40, 3], dropout=0.0)", m.MLP, sizes, dropout=0.0)
    set_mlp(plain, weights)
    x = p.randn(8, 6)
    without_dropout = p.call("MLP([6, 40, 3], dropout=0.0)(x)", plain, x)
    model.eval()
    evaluated = p.call("model.eval(); model(x)", model, x)
    model.train()
    a = p.call("model.train(); model(x)", model, x)
    b = model(x)
    sigmoid = p.call("MLP([6, 40, 3], activation=nn.Sigmoid, dropout=0.5)", m.MLP, sizes, activation=nn.Sigmoid,
                     dropout=0.5)
    set_mlp(sigmoid, weights)
    sigmoid.layers[1] = spy = InputSpy(sigmoid.layers[1])
    p.call("MLP([6, 40, 3], activation=nn.Sigmoid, dropout=0.5)(x) in train mode", sigmoid, x)
    return {
        "eval mode output equals your MLP([6, 40, 3], dropout=0.0) with the same weights": same_values(
            evaluated, without_dropout),
        "train mode: two calls differ (dropout is random)": not torch.equal(a, b),
        "train mode output differs from eval output": not torch.equal(a, evaluated),
        "train mode, activation=nn.Sigmoid (never 0): some inputs of layers[1] are exactly 0 (dropped after the "
        "activation)": any(bool((seen == 0).any()) for seen in spy.seen),
    }


class InputSpy(nn.Module):
    """Wraps a layer and keeps every input it is called with."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner
        self.seen: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.seen.append(x.detach())
        return self.inner(x)


@check(points=2, task=3, builds_on=MLP_NEEDS,
       concept="calling a module (module(x)) runs its hooks; module.forward(x) skips them",
       hints=("How do you apply a submodule to a tensor so that its forward hooks run?",
              "Read torch.nn.Module.register_forward_hook and the note in the documentation of "
              "torch.nn.Module.forward about calling the instance instead.",
              "enc = nn.GRU(4, 8); out, h = enc(seq) runs enc's hooks; enc.forward(seq) computes the same and "
              "silently skips them."))
def mlp_calls_modules(m, p):
    """MLP.forward calls each layer as layer(x), so forward hooks run"""
    sizes = [3, 4, 4, 2]
    model = p.call(f"MLP({sizes})", m.MLP, sizes)
    fired: list[int] = []
    for i, layer in enumerate(model.layers):
        layer.register_forward_hook(lambda mod, inp, out, i=i: fired.append(i))
    p.call("MLP(...)(x) with a forward hook on every layer", model, p.randn(2, 3))
    return {"layers whose forward hook ran, in order": fired}


# --- Task 4: count_parameters ----------------------------------------------------------------------------------------


class _Pair(nn.Module):
    """Two layers sharing one weight parameter."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Linear(3, 4)
        self.b = nn.Linear(3, 4)
        self.b.weight = self.a.weight
        self.norm = nn.LayerNorm(4)


@check(points=2, task=4, concept="counting parameters: numel summed over parameters(), each shared parameter once, "
                                 "frozen ones only when asked",
       hints=("Which parameters count: does a tensor shared by two layers count twice, and what about those with "
              "requires_grad=False?",
              "Read torch.nn.Module.parameters (it yields each Parameter object once) and torch.Tensor.numel; the "
              "docstring of count_parameters says what trainable_only selects.",
              "Total pixels of the colour images in a list: sum(img.numel() for img in images if img.shape[0] == 3)."))
def count_parameters_values(m, p):
    """count_parameters counts elements, shared parameters once, respects trainable_only"""
    obs = {}
    seq = nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 3))
    obs["count_parameters(nn.Sequential(Linear(5, 7), ReLU, Linear(7, 3)))"] = p.call(
        "count_parameters(seq)", m.count_parameters, seq
    )
    shared = _Pair()
    obs["count_parameters(model whose two layers share one weight)"] = p.call(
        "count_parameters(shared)", m.count_parameters, shared
    )
    seq[0].weight.requires_grad_(False)
    obs["count_parameters(seq) with layer 0's weight frozen"] = p.call("count_parameters(seq)", m.count_parameters, seq)
    obs["count_parameters(seq, trainable_only=False) with a frozen weight"] = p.call(
        "count_parameters(seq, trainable_only=False)", m.count_parameters, seq, trainable_only=False
    )
    shared_seq = nn.Sequential(seq[0], seq[0])
    obs["count_parameters(nn.Sequential(layer, same layer), trainable_only=False)"] = p.call(
        "count_parameters(shared_seq, trainable_only=False)", m.count_parameters, shared_seq, trainable_only=False
    )
    return obs


# --- Task 5: init_normal_ --------------------------------------------------------------------------------------------


def bare_linear(m, n_in: int, n_out: int) -> nn.Module:
    """An instance of the student's Linear built without its __init__, so init_normal_ is graded on its own."""
    layer = m.Linear.__new__(m.Linear)
    nn.Module.__init__(layer)
    layer.weight = nn.Parameter(torch.ones(n_out, n_in))
    layer.bias = nn.Parameter(torch.ones(n_out))
    return layer


class _MyLinear(nn.Linear):
    """A subclass of nn.Linear: init_normal_ must treat it like nn.Linear."""


@check(points=3, task=5,
       concept="re-initialising layers: module.apply(fn) visits every submodule (subclasses of the linear layers "
               "too); weights drawn as normal_(0, std), std being the standard deviation, biases zeroed, in place "
               "under torch.no_grad()",
       hints=("Which modules does your function reach (nested ones, subclasses?), which distribution should the "
              "weights follow, and is autograd recording your in-place writes?",
              "Read torch.nn.Module.apply, torch.Tensor.normal_ (what its second argument means) and torch.no_grad; "
              "the docstring of init_normal_ names the layer types.",
              "Zeroing every LayerNorm bias: model.apply(fn), where fn checks isinstance(mod, nn.LayerNorm) and "
              "calls mod.bias.zero_() inside a torch.no_grad() block."))
def init_normal_statistics(m, p):
    """init_normal_ sets every Linear/nn.Linear weight ~ N(0, std), bias 0, others untouched"""
    model = nn.Sequential(bare_linear(m, 60, 80), nn.Tanh(), nn.Linear(80, 70),
                          nn.Sequential(_MyLinear(70, 60), nn.LayerNorm(60)))
    norm = model[3][1]
    with torch.no_grad():
        norm.weight.fill_(2.0)
        norm.bias.fill_(-1.0)
    returned = p.call("init_normal_(model, std=0.5)", m.init_normal_, model, std=0.5)
    obs = {"init_normal_ returns the module it was given": returned is model}
    for label, layer in (("Linear", model[0]), ("nn.Linear", model[2]), ("subclass of nn.Linear", model[3][0])):
        w = layer.weight.detach().double()
        obs[f"{label}: weight std"] = float(w.std())
        obs[f"{label}: weight mean"] = float(w.mean())
        obs[f"{label}: bias is all zeros"] = bool((layer.bias == 0).all())
        obs[f"{label}: weight is still a leaf without autograd history"] = (
            layer.weight.is_leaf and layer.weight.grad_fn is None
        )
        obs[f"{label}: weight still requires grad"] = layer.weight.requires_grad
    obs["LayerNorm untouched (weight 2, bias -1)"] = bool((norm.weight == 2).all() and (norm.bias == -1).all())
    return obs


init_normal_statistics.judge(keywise(("weight std", relative(0.1)),
                                     ("weight mean", absolute(0.05, "normal with mean 0"))))


# --- Task 6: freeze_ -------------------------------------------------------------------------------------------------


@check(points=3, task=6,
       concept="qualified parameter names (named_parameters()) and requires_grad: freezing by name prefix, a bare "
               "str being one prefix, a prefix that is not a str a TypeError",
       hints=("Which names does the prefix 'layers.1' select: layers.1.weight? layers.10.weight? And what does "
              "iterating over a bare string give you?",
              "Read the docstring of freeze_ (the selection rule, and the Args paragraph on prefixes), "
              "torch.nn.Module.named_parameters and str.startswith.",
              "The folder 'data/raw' holds 'data/raw/a.csv' but not 'data/raw2/b.csv': compare against the folder "
              "followed by its separator, not against the bare folder name."))
def freeze_by_prefix(m, p):
    """freeze_ freezes exactly the parameters under each prefix and returns their names"""
    obs = {}
    cases = [("'layers.1'", "layers.1"), ("['layers.0', 'layers.11.bias']", ["layers.0", "layers.11.bias"]),
             ("('head',)", ("head",)), ("[]", [])]
    for label, prefixes in cases:
        model = nn.Module()
        model.layers = nn.ModuleList(nn.Linear(2, 2) for _ in range(12))
        model.head = nn.Linear(2, 1)
        returned = p.call(f"freeze_(model, {label})", m.freeze_, model, prefixes)
        obs[f"freeze_(model with layers.0..11 and head, {label}) returns"] = returned
        obs[f"after freeze_(model, {label}): names with requires_grad=False"] = sorted(
            n for n, q in model.named_parameters() if not q.requires_grad
        )
    model = nn.Sequential(nn.Linear(2, 2))
    obs["freeze_(model, ['0', 3]) (a prefix that is not a str)"] = expect_raise(
        p, "freeze_(model, ['0', 3])", m.freeze_, model, ["0", 3])
    return obs

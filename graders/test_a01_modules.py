"""Grader of a01_modules: nn.Module, nn.Parameter, buffers, ModuleList.

Each check is a probe (drives the implementation, returns observations)
judged against the reference's observations; see graders/engine.
"""

from __future__ import annotations

import torch
from torch import nn

from graders.engine import check
from graders.engine.judges import absolute, keywise, relative
from graders.engine.probes import registry, set_linear, uniform_init_judge, uniform_init_stats

PARAMS = ("registering trainable tensors as nn.Parameter (they then appear in parameters(), state_dict() and follow "
          ".double()/.to())")


@check(points=3, concept=PARAMS, hint="self.weight = nn.Parameter(torch.empty(out_features, in_features)...) after "
                                      "super().__init__()")
def linear_parameters(m, p):
    """Linear registers weight (out, in) and bias (out,) as nn.Parameters"""
    layer = p.call("Linear(4, 3)", m.Linear, 4, 3)
    obs = {f"Linear(4, 3): {k}": v for k, v in registry(layer).items()}
    p.where = "Linear(4, 3).double()"
    obs["Linear(4, 3).double(): parameter dtypes"] = [str(q.dtype) for q in layer.double().parameters()]
    return obs


@check(points=2, concept="optional parameters: register_parameter('bias', None) keeps the "
                         "attribute but registers nothing",
       hint="with bias=False call self.register_parameter('bias', None)")
def linear_without_bias(m, p):
    """Linear(..., bias=False) has bias None and only 'weight' in its state_dict"""
    layer = p.call("Linear(4, 3, bias=False)", m.Linear, 4, 3, bias=False)
    obs = {f"Linear(4, 3, bias=False): {k}": v for k, v in registry(layer).items()}
    obs["Linear(4, 3, bias=False).bias is None"] = layer.bias is None
    w = p.randn(3, 4)
    set_linear(layer, w, None)
    x = p.randn(5, 4)
    obs["Linear(4, 3, bias=False) on x of shape (5, 4)"] = p.call("Linear(4, 3, bias=False)(x)", layer, x)
    return obs


@check(points=3, concept="the forward pass of a linear layer: y = x @ weight.T + bias, "
                         "broadcast over leading dimensions",
       hint="weight has shape (out_features, in_features), so multiply by its transpose; "
            "bias of shape (out,) broadcasts over (..., out)",
       forbid=("F.linear",))
def linear_forward(m, p):
    """Linear.forward computes x @ weight.T + bias for inputs of shape (..., in)"""
    layer = p.call("Linear(4, 3)", m.Linear, 4, 3)
    set_linear(layer, p.randn(3, 4), p.randn(3))
    obs = {}
    for shape in [(5, 4), (2, 6, 4), (4,)]:
        x = p.randn(*shape)
        where = f"Linear(4, 3) on x of shape {shape}"
        obs[where] = p.call(where, layer, x)
    x64 = p.randn(5, 4, dtype=torch.float64)
    layer64 = layer.double()
    obs["Linear(4, 3).double() on float64 x of shape (5, 4)"] = p.call("Linear(4, 3).double()(x)", layer64, x64)
    return obs


@check(points=2, concept="autograd through a module: the output must stay connected to the parameters",
       hint="compute with the Parameters themselves (no .data, .detach() or torch.no_grad() in forward)",
       forbid=("F.linear",))
def linear_gradients(m, p):
    """loss.backward() through Linear fills weight.grad and bias.grad"""
    layer = p.call("Linear(4, 3)", m.Linear, 4, 3)
    set_linear(layer, p.randn(3, 4), p.randn(3))
    x = p.randn(6, 4)
    out = p.call("Linear(4, 3)(x)", layer, x)
    p.where = "(Linear(4, 3)(x) ** 2).sum().backward()"
    (out**2).sum().backward()
    return {"weight.grad after backward": layer.weight.grad, "bias.grad after backward": layer.bias.grad}


@check(points=2, concept="parameter initialisation: uniform(-k, k) with k = 1/sqrt(in_features), "
                         "from torch's global RNG",
       hint="torch.empty(shape).uniform_(-k, k) with k = 1 / math.sqrt(in_features), for weight and bias")
def linear_init(m, p):
    """Linear initialises weight and bias uniformly in [-k, k], k = 1/sqrt(in_features)"""
    return uniform_init_stats(p, "Linear", m.Linear)


linear_init.judge(uniform_init_judge)


@check(points=3, concept="buffers: register_buffer makes a tensor part of state_dict() and .to()/.double(), "
                         "but not of parameters()",
       hint="self.register_buffer('mean', torch.as_tensor(mean)); same for std. Not nn.Parameter, "
            "not a plain attribute")
def standardize_buffers(m, p):
    """Standardize registers mean and std as buffers, not parameters"""
    mean, std = p.randn(3), p.rand(3) + 0.5
    module = p.call("Standardize(mean, std)", m.Standardize, mean, std)
    obs = {f"Standardize(mean, std): {k}": v for k, v in registry(module).items()}
    p.where = "Standardize(mean, std).double()"
    module = module.double()
    obs["after .double(): buffer dtypes"] = [str(b.dtype) for _, b in module.named_buffers()]
    return obs


@check(points=2, concept="a module's forward with registered constants: (x - mean) / (std + eps)",
       hint="use the registered buffers self.mean and self.std and the attribute self.eps: subtract the mean, "
            "then divide by std + eps")
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


@check(points=3, concept="nn.ModuleList registers submodules (a Python list does not); "
                         "each layer must be its own module",
       hint="self.layers = nn.ModuleList(Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])): one new Linear per pair")
def mlp_structure(m, p):
    """MLP keeps distinct Linear layers in an nn.ModuleList named layers"""
    model = p.call("MLP([5, 7, 6, 3])", m.MLP, [5, 7, 6, 3])
    layers = getattr(model, "layers", None)
    obs = {f"MLP([5, 7, 6, 3]): {k}": v for k, v in registry(model).items()}
    obs["MLP([5, 7, 6, 3]).layers is an nn.ModuleList"] = isinstance(layers, nn.ModuleList)
    items = list(layers) if isinstance(layers, (list, tuple, nn.ModuleList)) else []
    obs["every entry of layers is this file's Linear"] = bool(items) and all(isinstance(x, m.Linear) for x in items)
    obs["number of distinct layer objects"] = len({id(x) for x in items})
    obs["count of registered Linear submodules"] = sum(isinstance(x, m.Linear) for x in model.modules())
    return obs


@check(points=1, concept="validating constructor arguments: raise ValueError with a message naming the bad value",
       hint="if len(sizes) < 2: raise ValueError(f'sizes should hold at least two ints, but got sizes={sizes}')")
def mlp_validation(m, p):
    """MLP raises ValueError for fewer than two sizes"""
    return {f"MLP({s})": p.attempt(f"MLP({s})", m.MLP, s) for s in ([3], [])}


def set_mlp(model: nn.Module, p, sizes: list[int]) -> None:
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        set_linear(model.layers[i], p.randn(b, a) * 0.5, p.randn(b) * 0.5)


@check(points=3, concept="composing modules in forward: activation (then dropout) after every layer but the last",
       hint="loop over self.layers; apply activation and dropout only when i < len(self.layers) - 1",
       forbid=("F.linear",))
def mlp_forward(m, p):
    """MLP.forward applies Linear, activation and dropout in the right order"""
    obs = {}
    for label, act in (("ReLU", nn.ReLU), ("Tanh", nn.Tanh)):
        sizes = [4, 6, 5, 3]
        model = p.call(f"MLP({sizes}, activation=nn.{label})", m.MLP, sizes, activation=act)
        set_mlp(model, p, sizes)
        x = p.randn(7, 4)
        obs[f"MLP({sizes}, activation=nn.{label}) on x of shape (7, 4)"] = p.call(f"MLP(..., nn.{label})(x)", model, x)
    return obs


@check(points=2, concept="train() and eval() modes: dropout is active in training and does nothing in eval mode",
       hint="use an nn.Dropout module (registered, so model.eval() switches it off) instead of "
            "F.dropout(x, p) with training=True")
def mlp_dropout_modes(m, p):
    """MLP with dropout is deterministic in eval mode and random in train mode"""
    sizes = [6, 40, 3]
    model = p.call("MLP([6, 40, 3], dropout=0.5)", m.MLP, sizes, dropout=0.5)
    set_mlp(model, p, sizes)
    x = p.randn(8, 6)
    model.eval()
    evaluated = p.call("model.eval(); model(x)", model, x)
    model.train()
    a = p.call("model.train(); model(x)", model, x)
    b = model(x)
    return {
        "eval mode output": evaluated,
        "train mode: two calls differ (dropout is random)": not torch.equal(a, b),
        "train mode output differs from eval output": not torch.equal(a, evaluated),
    }


@check(points=2, concept="calling a module (module(x)) runs its hooks; module.forward(x) skips them",
       hint="inside MLP.forward write layer(x), not layer.forward(x)")
def mlp_calls_modules(m, p):
    """MLP.forward calls each layer as layer(x), so forward hooks run"""
    sizes = [3, 4, 4, 2]
    model = p.call(f"MLP({sizes})", m.MLP, sizes)
    fired: list[int] = []
    for i, layer in enumerate(model.layers):
        layer.register_forward_hook(lambda mod, inp, out, i=i: fired.append(i))
    p.call("MLP(...)(x) with a forward hook on every layer", model, p.randn(2, 3))
    return {"layers whose forward hook ran, in order": fired}


class _Pair(nn.Module):
    """Two layers sharing one weight parameter."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Linear(3, 4)
        self.b = nn.Linear(3, 4)
        self.b.weight = self.a.weight
        self.norm = nn.LayerNorm(4)


@check(points=2, concept="counting parameters: numel summed over parameters(), each shared parameter once, "
                         "frozen ones only when asked",
       hint="sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only); "
            "parameters() already yields a shared one once")
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


def bare_linear(m, n_in: int, n_out: int) -> nn.Module:
    """An instance of the student's Linear built without its __init__, so init_normal_ is graded on its own."""
    layer = m.Linear.__new__(m.Linear)
    nn.Module.__init__(layer)
    layer.weight = nn.Parameter(torch.ones(n_out, n_in))
    layer.bias = nn.Parameter(torch.ones(n_out))
    return layer


class _MyLinear(nn.Linear):
    """A subclass of nn.Linear: init_normal_ must treat it like nn.Linear."""


@check(points=3, concept="module.apply(fn) visits every submodule; in-place init under torch.no_grad()",
       hint="def fn(mod): if isinstance(mod, (Linear, nn.Linear)): with torch.no_grad(): mod.weight.normal_(0, std); "
            "mod.bias.zero_()")
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


@check(points=3, concept="qualified parameter names (named_parameters()) and requires_grad: freezing by name prefix",
       hint="match name == prefix or name.startswith(prefix + '.'); wrap a bare str in a list first")
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
        obs[f"after freeze_(model, {label}): names with requires_grad=False"] = [
            n for n, q in model.named_parameters() if not q.requires_grad
        ]
    return obs

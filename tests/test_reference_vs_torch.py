"""The reference solutions of a01..a04 and the quiz behave as their docstrings and docs/authoring.md say.

Wherever the curriculum says "match torch", the reference is compared with
torch itself (``nn.Linear``/``F.linear``, autograd, ``torch.optim``, a
hand-written training loop). The reference modules are loaded from
``reference/`` by file path under private module names, so these tests never
see ``assignments/`` or a module of the same name elsewhere on ``sys.path``.
"""

from __future__ import annotations

import copy
import io
import itertools
import math
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.overrides import TorchFunctionMode

from tests.support import load_reference


@pytest.fixture(scope="module")
def a01() -> ModuleType:
    return load_reference("a01_modules")


@pytest.fixture(scope="module")
def a02() -> ModuleType:
    return load_reference("a02_autograd")


@pytest.fixture(scope="module")
def a03() -> ModuleType:
    return load_reference("a03_optimizers")


@pytest.fixture(scope="module")
def a04() -> ModuleType:
    return load_reference("a04_training")


@pytest.fixture(scope="module")
def quiz() -> ModuleType:
    return load_reference("quiz")


@pytest.fixture(autouse=True)
def _restore_global_rng():
    with torch.random.fork_rng():
        yield


class _RecordTorchFunctions(TorchFunctionMode):
    """Record every torch function called while the mode is active."""

    def __init__(self) -> None:
        super().__init__()
        self.called: list[Any] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.called.append(func)
        return func(*args, **(kwargs or {}))


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# --------------------------------------------------------------------------
# a01_modules
# --------------------------------------------------------------------------


def test_linear_forward_matches_matmul_and_F_linear(a01):
    torch.manual_seed(0)
    layer = a01.Linear(5, 3).double()
    x = torch.randn(2, 4, 5, dtype=torch.float64, generator=_gen(1))
    out = layer(x)
    assert out.shape == (2, 4, 3)
    assert out.dtype == torch.float64
    torch.testing.assert_close(out, x @ layer.weight.T + layer.bias)
    torch.testing.assert_close(out, F.linear(x, layer.weight, layer.bias))
    # a single sample (in_features,) works too
    torch.testing.assert_close(layer(x[0, 0]), F.linear(x[0, 0], layer.weight, layer.bias))
    # and gradients reach both parameters
    out.sum().backward()
    assert layer.weight.grad is not None and layer.bias.grad is not None
    torch.testing.assert_close(layer.bias.grad, torch.full((3,), 8.0, dtype=torch.float64))


def test_linear_does_not_use_torch_linear(a01):
    layer = a01.Linear(4, 2)
    assert not any(isinstance(m, nn.Linear) for m in layer.modules())
    with _RecordTorchFunctions() as mode:
        layer(torch.randn(3, 4))
    assert F.linear not in mode.called


def test_linear_parameters_and_state_dict(a01):
    layer = a01.Linear(3, 2)
    assert isinstance(layer.weight, nn.Parameter) and isinstance(layer.bias, nn.Parameter)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    assert layer.in_features == 3 and layer.out_features == 2
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    assert list(layer.state_dict()) == ["weight", "bias"]
    assert list(layer.state_dict()) == list(nn.Linear(3, 2).state_dict())
    layer.double()
    assert layer.weight.dtype == torch.float64 and layer.bias.dtype == torch.float64
    # load_state_dict from nn.Linear works: same names and shapes
    ref = nn.Linear(3, 2).double()
    layer.load_state_dict(ref.state_dict())
    x = torch.randn(5, 3, dtype=torch.float64)
    torch.testing.assert_close(layer(x), ref(x))


def test_linear_without_bias(a01):
    layer = a01.Linear(3, 2, bias=False)
    assert layer.bias is None
    assert "bias" in layer._parameters  # registered as None, like nn.Linear
    assert list(layer.state_dict()) == ["weight"]
    assert list(layer.state_dict()) == list(nn.Linear(3, 2, bias=False).state_dict())
    assert [n for n, _ in layer.named_parameters()] == ["weight"]
    x = torch.randn(4, 3)
    torch.testing.assert_close(layer(x), F.linear(x, layer.weight))


def test_linear_init_range_statistics_and_global_rng(a01):
    torch.manual_seed(123)
    layer = a01.Linear(400, 300)
    k = 1 / math.sqrt(400)
    w = layer.weight.detach()
    assert w.abs().max() <= k
    assert w.max() > 0.99 * k and w.min() < -0.99 * k
    assert abs(w.mean().item()) < 0.01 * k
    assert abs(w.std().item() - k / math.sqrt(3)) < 0.02 * k / math.sqrt(3)
    b = layer.bias.detach()
    assert b.abs().max() <= k and b.std() > 0.4 * k
    # drawn from torch's global RNG: same seed, same layer; other seed, other layer
    torch.manual_seed(7)
    first = a01.Linear(6, 5)
    torch.manual_seed(7)
    second = a01.Linear(6, 5)
    torch.manual_seed(8)
    third = a01.Linear(6, 5)
    assert torch.equal(first.weight, second.weight) and torch.equal(first.bias, second.bias)
    assert not torch.equal(first.weight, third.weight)


def test_standardize_buffers(a01):
    mean = torch.tensor([1.0, 2.0, 3.0])
    std = torch.tensor([2.0, 4.0, 0.5])
    module = a01.Standardize(mean, std)
    assert list(module.parameters()) == []
    assert sorted(n for n, _ in module.named_buffers()) == ["mean", "std"]
    assert sorted(module.state_dict()) == ["mean", "std"]
    assert not isinstance(module.mean, nn.Parameter)
    assert module.eps == 1e-8
    x = torch.randn(5, 3)
    torch.testing.assert_close(module(x), (x - mean) / (std + 1e-8))
    module.double()
    assert module.mean.dtype == torch.float64 and module.std.dtype == torch.float64
    module.to(torch.float32)
    assert module.mean.dtype == torch.float32
    moved = a01.Standardize(mean, std, eps=0.5).to(torch.float64)
    assert moved.std.dtype == torch.float64
    x64 = x.double()
    torch.testing.assert_close(moved(x64), (x64 - mean.double()) / (std.double() + 0.5))
    # stored as given: a float64 input stays float64, values unchanged
    given = a01.Standardize(mean.double(), std.double())
    assert given.mean.dtype == torch.float64 and torch.equal(given.mean, mean.double())


def test_mlp_structure_and_names(a01):
    model = a01.MLP([4, 8, 8, 2])
    assert isinstance(model.layers, nn.ModuleList)
    assert len(model.layers) == 3
    assert all(type(layer) is a01.Linear for layer in model.layers)
    assert len({id(layer) for layer in model.layers}) == 3
    assert [n for n, _ in model.named_parameters()] == [
        "layers.0.weight",
        "layers.0.bias",
        "layers.1.weight",
        "layers.1.bias",
        "layers.2.weight",
        "layers.2.bias",
    ]
    assert [tuple(p.shape) for p in model.parameters()] == [(8, 4), (8,), (8, 8), (8,), (2, 8), (2,)]
    assert list(model.state_dict()) == [n for n, _ in model.named_parameters()]
    assert len(list(a01.MLP([3, 1]).parameters())) == 2


@pytest.mark.parametrize("sizes", [[], [3], (5,)])
def test_mlp_needs_two_sizes(a01, sizes):
    with pytest.raises(ValueError, match="sizes"):
        a01.MLP(sizes)


def _manual_mlp(model: nn.Module, x: Tensor, act: Callable[[Tensor], Tensor]) -> Tensor:
    layers = list(model.layers)
    for i, layer in enumerate(layers):
        x = x @ layer.weight.T + layer.bias
        if i < len(layers) - 1:
            x = act(x)
    return x


def test_mlp_forward_matches_manual(a01):
    torch.manual_seed(0)
    model = a01.MLP([4, 16, 16, 3])
    x = torch.randn(10, 4, generator=_gen(2))
    out = model(x)
    torch.testing.assert_close(out, _manual_mlp(model, x, torch.relu))
    assert (out < 0).any()  # no activation after the last layer
    tanh_model = a01.MLP([4, 16, 3], activation=nn.Tanh)
    torch.testing.assert_close(tanh_model(x), _manual_mlp(tanh_model, x, torch.tanh))
    assert model(torch.randn(2, 5, 4)).shape == (2, 5, 3)


def test_mlp_dropout_only_in_train_mode(a01):
    torch.manual_seed(0)
    model = a01.MLP([4, 64, 64, 3], dropout=0.5)
    x = torch.randn(10, 4, generator=_gen(3))
    model.eval()
    torch.testing.assert_close(model(x), _manual_mlp(model, x, torch.relu))
    model.train()
    assert not torch.allclose(model(x), _manual_mlp(model, x, torch.relu))


def test_mlp_calls_modules_so_hooks_run(a01):
    model = a01.MLP([4, 8, 8, 2])
    calls: list[int] = []
    for i, layer in enumerate(model.layers):
        layer.register_forward_hook(lambda mod, inp, out, i=i: calls.append(i))
    model(torch.randn(3, 4))
    assert calls == [0, 1, 2]


def test_count_parameters(a01):
    assert a01.count_parameters(a01.Linear(3, 2)) == 8
    assert a01.count_parameters(a01.Linear(3, 2, bias=False)) == 6
    model = a01.MLP([4, 8, 2])
    expected = sum(p.numel() for p in model.parameters())
    assert a01.count_parameters(model) == expected == 4 * 8 + 8 + 8 * 2 + 2
    assert isinstance(a01.count_parameters(model), int)
    model.layers[0].weight.requires_grad_(False)
    assert a01.count_parameters(model) == expected - 32
    assert a01.count_parameters(model, trainable_only=False) == expected
    assert a01.count_parameters(nn.ReLU()) == 0


def test_count_parameters_shared_parameter_counts_once(a01):
    container = nn.Module()
    container.first = a01.Linear(3, 3)
    container.second = a01.Linear(3, 3)
    container.second.weight = container.first.weight
    assert a01.count_parameters(container) == 9 + 3 + 3
    tied = nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 10, bias=False))
    tied[1].weight = tied[0].weight
    assert a01.count_parameters(tied) == 40


def test_init_normal_statistics_and_targets(a01):
    class SubLinear(a01.Linear):
        pass

    torch.manual_seed(0)
    model = nn.Sequential(
        a01.Linear(200, 300),
        nn.ReLU(),
        nn.Linear(300, 200),
        SubLinear(200, 150),
        a01.Linear(150, 100, bias=False),
        nn.LayerNorm(100),
    )
    with torch.no_grad():
        model[5].weight.uniform_(0.5, 1.5)
        model[5].bias.uniform_(-1, 1)
    norm_before = copy.deepcopy(model[5].state_dict())
    params_before = [id(p) for p in model.parameters()]
    result = a01.init_normal_(model, std=0.05)
    assert result is model
    assert [id(p) for p in model.parameters()] == params_before  # in place
    for index in (0, 2, 3, 4):
        w = model[index].weight
        assert w.is_leaf and w.requires_grad and w.grad_fn is None
        assert abs(w.mean().item()) < 0.005
        assert abs(w.std().item() - 0.05) < 0.05 * 0.05
        if model[index].bias is not None:
            assert torch.equal(model[index].bias, torch.zeros_like(model[index].bias))
            assert model[index].bias.requires_grad
    for key, value in model[5].state_dict().items():
        assert torch.equal(value, norm_before[key])  # other modules untouched
    a01.init_normal_(model)  # default std 0.02
    assert abs(model[0].weight.std().item() - 0.02) < 0.02 * 0.05


def test_freeze_prefix_semantics(a01):
    model = a01.MLP([2] * 13)  # layers.0 ... layers.11
    frozen = a01.freeze_(model, ["layers.1"])
    assert frozen == ["layers.1.weight", "layers.1.bias"]
    assert not model.layers[1].weight.requires_grad and not model.layers[1].bias.requires_grad
    assert model.layers[10].weight.requires_grad and model.layers[11].bias.requires_grad
    assert all(p.requires_grad for i, layer in enumerate(model.layers) if i != 1 for p in layer.parameters())

    model = a01.MLP([2] * 13)
    assert a01.freeze_(model, "layers.1") == ["layers.1.weight", "layers.1.bias"]  # bare string

    model = a01.MLP([2] * 13)
    # named_parameters() order, whatever the order of the prefixes
    assert a01.freeze_(model, ("layers.10", "layers.0.weight")) == [
        "layers.0.weight",
        "layers.10.weight",
        "layers.10.bias",
    ]
    assert model.layers[0].bias.requires_grad

    model = a01.MLP([2] * 13)
    assert a01.freeze_(model, (p for p in ["layers"])) == [n for n, _ in model.named_parameters()]
    model = a01.MLP([2] * 13)
    assert a01.freeze_(model, ["layer", "layers.1.w", ""]) == []
    assert all(p.requires_grad for p in model.parameters())
    with pytest.raises(TypeError):
        a01.freeze_(model, ["layers.0", 3])


# --------------------------------------------------------------------------
# a02_autograd
# --------------------------------------------------------------------------


def _graph_node_names(tensor: Tensor) -> list[str]:
    names, stack, seen = [], [tensor.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        names.append(type(node).__name__)
        stack.extend(next_fn for next_fn, _ in node.next_functions)
    return names


def test_exp_forward_gradcheck_and_saved_output(a02):
    x = torch.randn(4, 3, dtype=torch.float64, generator=_gen(0), requires_grad=True)
    y = a02.exp(x)
    torch.testing.assert_close(y, torch.exp(x))
    assert torch.autograd.gradcheck(a02.Exp.apply, (x,))
    assert torch.autograd.gradcheck(a02.exp, (x,))
    saved = y.grad_fn.saved_tensors
    assert len(saved) == 1 and torch.equal(saved[0], y)  # saves the output
    y_before = y.detach().clone()
    g = torch.randn(4, 3, dtype=torch.float64, generator=_gen(1))
    grad = a02.Exp.backward(y.grad_fn, g)
    torch.testing.assert_close(grad, g * torch.exp(x.detach()))
    assert torch.equal(y.detach(), y_before)  # saved output not mutated
    y.backward(g)
    torch.testing.assert_close(x.grad, g * torch.exp(x.detach()))


@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_function_gradcheck_and_grads(a02, with_bias):
    gen = _gen(5)
    x = torch.randn(6, 4, dtype=torch.float64, generator=gen, requires_grad=True)
    w = torch.randn(3, 4, dtype=torch.float64, generator=gen, requires_grad=True)
    b = torch.randn(3, dtype=torch.float64, generator=gen, requires_grad=True) if with_bias else None
    args = (x, w, b) if with_bias else (x, w)
    assert torch.autograd.gradcheck(a02.LinearFunction.apply, args)
    assert torch.autograd.gradcheck(a02.linear, args)
    out = a02.linear(*args)
    torch.testing.assert_close(out, F.linear(x, w, b))
    g = torch.randn(6, 3, dtype=torch.float64, generator=gen)
    ours = torch.autograd.grad(out, [t for t in (x, w, b) if t is not None], g)
    theirs = torch.autograd.grad(F.linear(x, w, b), [t for t in (x, w, b) if t is not None], g)
    for a, e in zip(ours, theirs):
        torch.testing.assert_close(a, e)


def test_linear_function_backward_shapes_called_directly(a02):
    gen = _gen(6)
    x = torch.randn(6, 4, dtype=torch.float64, generator=gen, requires_grad=True)
    w = torch.randn(3, 4, dtype=torch.float64, generator=gen, requires_grad=True)
    b = torch.randn(3, dtype=torch.float64, generator=gen, requires_grad=True)
    g = torch.randn(6, 3, dtype=torch.float64, generator=gen)

    out = a02.LinearFunction.apply(x, w, b)
    grads = a02.LinearFunction.backward(out.grad_fn, g)
    assert isinstance(grads, tuple) and len(grads) == 3
    assert [tuple(t.shape) for t in grads] == [(6, 4), (3, 4), (3,)]
    torch.testing.assert_close(grads[2], g.sum(0))
    torch.testing.assert_close(grads[0], g @ w.detach())
    torch.testing.assert_close(grads[1], g.T @ x.detach())

    out = a02.LinearFunction.apply(x, w)  # no bias
    grads = a02.LinearFunction.backward(out.grad_fn, g)
    assert len(grads) == 3 and grads[2] is None
    assert grads[0].shape == (6, 4) and grads[1].shape == (3, 4)

    out = a02.LinearFunction.apply(x.detach(), w, b)  # input needs no grad
    grads = a02.LinearFunction.backward(out.grad_fn, g)
    assert len(grads) == 3 and grads[0] is None
    assert grads[1].shape == (3, 4) and grads[2].shape == (3,)

    frozen_w = w.detach()
    out = a02.LinearFunction.apply(x, frozen_w, b.detach())
    grads = a02.LinearFunction.backward(out.grad_fn, g)
    assert len(grads) == 3 and grads[1] is None and grads[2] is None and grads[0].shape == (6, 4)


def test_clamp_ste(a02):
    x = torch.tensor([-3.0, -1.0, -0.25, 0.0, 0.5, 1.0, 4.0], dtype=torch.float64, requires_grad=True)
    y = a02.clamp_ste(x, -1.0, 1.0)
    torch.testing.assert_close(y, x.detach().clamp(-1.0, 1.0))
    g = torch.arange(1.0, 8.0, dtype=torch.float64)
    y.backward(g)
    torch.testing.assert_close(x.grad, g)  # straight through, also outside the range
    inside = torch.rand(5, 3, dtype=torch.float64, generator=_gen(0)).mul(1.6).sub(0.8).requires_grad_()
    assert torch.autograd.gradcheck(lambda t: a02.ClampSTE.apply(t, -1.0, 1.0), (inside,))
    assert torch.autograd.gradcheck(lambda t: a02.clamp_ste(t, -1.0, 1.0), (inside,))
    out = a02.ClampSTE.apply(x, -1.0, 1.0)
    grads = a02.ClampSTE.backward(out.grad_fn, g)
    assert isinstance(grads, tuple) and len(grads) == 3
    assert grads[1] is None and grads[2] is None
    torch.testing.assert_close(grads[0], g)


def test_linear_with_custom_grad(a02):
    torch.manual_seed(0)
    layer = a02.LinearWithCustomGrad(5, 3).double()
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    assert layer.weight.shape == (3, 5) and layer.bias.shape == (3,)
    assert layer.in_features == 5 and layer.out_features == 3
    assert layer.weight.abs().max() <= 1 / math.sqrt(5)
    no_bias = a02.LinearWithCustomGrad(5, 3, bias=False)
    assert no_bias.bias is None and list(no_bias.state_dict()) == ["weight"]

    x = torch.randn(2, 4, 5, dtype=torch.float64, generator=_gen(1), requires_grad=True)
    out = layer(x)
    assert out.shape == (2, 4, 3)
    assert "LinearFunctionBackward" in _graph_node_names(out)
    torch.testing.assert_close(out, F.linear(x, layer.weight, layer.bias))
    g = torch.randn(2, 4, 3, dtype=torch.float64, generator=_gen(2))
    ours = torch.autograd.grad(out, [x, layer.weight, layer.bias], g)
    theirs = torch.autograd.grad(F.linear(x, layer.weight, layer.bias), [x, layer.weight, layer.bias], g)
    for a, e in zip(ours, theirs):
        torch.testing.assert_close(a, e)
    x2 = torch.randn(7, 5, dtype=torch.float64, generator=_gen(3))
    assert layer(x2).shape == (7, 3)
    assert layer(x2[0]).shape == (3,)
    torch.testing.assert_close(no_bias(x2.float()), F.linear(x2.float(), no_bias.weight))


def test_mse_loss_and_grad_matches_autograd_without_using_it(a02, monkeypatch):
    gen = _gen(9)
    pred = torch.randn(4, 5, dtype=torch.float64, generator=gen, requires_grad=True)
    target = torch.randn(4, 5, dtype=torch.float64, generator=gen)
    expected_loss = F.mse_loss(pred, target)
    (expected_grad,) = torch.autograd.grad(expected_loss, pred)

    def forbidden(*args, **kwargs):
        raise AssertionError("autograd used")

    monkeypatch.setattr(torch.autograd, "grad", forbidden)
    monkeypatch.setattr(torch.autograd, "backward", forbidden)
    monkeypatch.setattr(torch.Tensor, "backward", forbidden)
    loss, grad = a02.mse_loss_and_grad(pred, target)
    monkeypatch.undo()
    torch.testing.assert_close(loss, expected_loss.detach())
    torch.testing.assert_close(grad, expected_grad)
    assert loss.shape == () and grad.shape == pred.shape
    assert loss.dtype == grad.dtype == torch.float64
    assert loss.grad_fn is None and grad.grad_fn is None
    assert not loss.requires_grad and not grad.requires_grad
    assert pred.grad is None


def test_mse_loss_and_grad_errors(a02):
    with pytest.raises(ValueError) as info:
        a02.mse_loss_and_grad(torch.zeros(2, 3), torch.zeros(3))
    assert "(2, 3)" in str(info.value) and "(3,)" in str(info.value)
    with pytest.raises(TypeError):
        a02.mse_loss_and_grad([1.0, 2.0], torch.zeros(2))


# --------------------------------------------------------------------------
# a03_optimizers
# --------------------------------------------------------------------------


def _make_params(seed: int = 0) -> list[nn.Parameter]:
    gen = _gen(seed)
    shapes = [(3, 4), (4,), (2,), (5,)]  # the last one is never used by the loss
    return [nn.Parameter(torch.randn(s, dtype=torch.float64, generator=gen)) for s in shapes]


_X = torch.randn(6, 3, dtype=torch.float64, generator=_gen(100))
_Y = torch.randn(6, 4, dtype=torch.float64, generator=_gen(101))


def _loss(params: list[Tensor]) -> Tensor:
    w, b, c, _unused = params
    pred = torch.sin(_X @ w + b)
    return ((pred - _Y) ** 2).mean() + (c**4).sum() * 0.1 + (c * w[0, :2]).sum()


def _groups(params: list[nn.Parameter]) -> list[dict[str, Any]]:
    return [{"params": [params[0], params[1]]}, {"params": [params[2], params[3]], "lr": 0.02}]


def _trajectory(make_opt, steps: int = 25, seed: int = 0, use_closure: bool = False):
    params = _make_params(seed)
    opt = make_opt(_groups(params))
    history = []
    for step in range(steps):
        if step == 12:  # lr changed between steps
            for group in opt.param_groups:
                group["lr"] *= 0.5
        if use_closure:

            def closure():
                opt.zero_grad()
                loss = _loss(params)
                loss.backward()
                return loss

            with torch.no_grad():  # the optimizer must enable grad for the closure
                loss = opt.step(closure)
            assert isinstance(loss, Tensor)
        else:
            opt.zero_grad()
            _loss(params).backward()
            assert opt.step() is None
        history.append([p.detach().clone() for p in params])
    return params, opt, history


def _assert_same_trajectory(ours, theirs, atol=1e-6):
    for step, (a_params, e_params) in enumerate(zip(ours, theirs)):
        for a, e in zip(a_params, e_params):
            torch.testing.assert_close(a, e, atol=atol, rtol=0, msg=lambda m, step=step: f"step {step}: {m}")


_SGD_OPTIONS = [
    dict(momentum=m, dampening=d, weight_decay=wd, nesterov=n)
    for m, d, wd, n in itertools.product([0.0, 0.9], [0.0, 0.3], [0.0, 0.1], [False, True])
    if not n or (m > 0 and d == 0)
]


@pytest.mark.parametrize("options", _SGD_OPTIONS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
@pytest.mark.parametrize("use_closure", [False, True], ids=["step", "closure"])
def test_sgd_matches_torch(a03, options, use_closure):
    params, ours, got = _trajectory(lambda g: a03.SGD(g, lr=0.1, **options), use_closure=use_closure)
    t_params, theirs, expected = _trajectory(
        lambda g: torch.optim.SGD(g, lr=0.1, foreach=False, **options), use_closure=use_closure
    )
    assert not isinstance(ours, torch.optim.SGD)
    _assert_same_trajectory(got, expected)
    assert not torch.equal(got[-1][0], _make_params()[0])  # it did move
    assert torch.equal(params[3], _make_params()[3])  # grad None: untouched
    assert params[3].grad is None
    if options["momentum"] != 0:
        for p, tp in zip(params[:3], t_params[:3]):
            torch.testing.assert_close(
                ours.state[p]["momentum_buffer"], theirs.state[tp]["momentum_buffer"], atol=1e-6, rtol=0
            )
        assert params[3] not in ours.state or "momentum_buffer" not in ours.state[params[3]]
    assert [g["lr"] for g in ours.param_groups] == [0.05, 0.01]


_ADAM_OPTIONS = [
    dict(betas=betas, eps=eps, weight_decay=wd, decoupled=dec)
    for betas, eps, wd, dec in itertools.product(
        [(0.9, 0.999), (0.5, 0.8)], [1e-8, 1e-2], [0.0, 0.1], [False, True]
    )
]


def _torch_adam(groups, lr, betas, eps, weight_decay, decoupled):
    cls = torch.optim.AdamW if decoupled else torch.optim.Adam
    return cls(groups, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=False)


@pytest.mark.parametrize("options", _ADAM_OPTIONS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
@pytest.mark.parametrize("use_closure", [False, True], ids=["step", "closure"])
def test_adam_matches_torch(a03, options, use_closure):
    params, ours, got = _trajectory(lambda g: a03.Adam(g, lr=0.05, **options), use_closure=use_closure)
    t_params, theirs, expected = _trajectory(
        lambda g: _torch_adam(g, lr=0.05, **options), use_closure=use_closure
    )
    assert not isinstance(ours, (torch.optim.Adam, torch.optim.AdamW))
    _assert_same_trajectory(got, expected)
    assert torch.equal(params[3], _make_params()[3]) and params[3] not in ours.state
    for p, tp in zip(params[:3], t_params[:3]):
        state, t_state = ours.state[p], theirs.state[tp]
        assert int(state["step"]) == int(t_state["step"]) == 25
        torch.testing.assert_close(state["exp_avg"], t_state["exp_avg"], atol=1e-6, rtol=0)
        torch.testing.assert_close(state["exp_avg_sq"], t_state["exp_avg_sq"], atol=1e-6, rtol=0)
        assert state["exp_avg"] is not ours.state[params[0 if p is not params[0] else 1]]["exp_avg"]


def test_adam_default_hyperparameters_match_torch(a03):
    _, _, got = _trajectory(lambda g: a03.Adam(g))
    _, _, expected = _trajectory(lambda g: torch.optim.Adam(g, foreach=False))
    _assert_same_trajectory(got, expected)
    _, _, got = _trajectory(lambda g: a03.Adam(g, weight_decay=1e-2, decoupled=True))
    _, _, expected = _trajectory(lambda g: torch.optim.AdamW(g, foreach=False))
    _assert_same_trajectory(got, expected)


def _roundtrip(state_dict: dict[str, Any], through_bytes: bool) -> dict[str, Any]:
    if not through_bytes:
        return copy.deepcopy(state_dict)
    buffer = io.BytesIO()
    torch.save(state_dict, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


@pytest.mark.parametrize(
    "make_opt",
    [
        lambda a03, g: a03.SGD(g, lr=0.1, momentum=0.9, dampening=0.2, weight_decay=0.05),
        lambda a03, g: a03.SGD(g, lr=0.1, momentum=0.8, nesterov=True),
        lambda a03, g: a03.SGD(g, lr=0.1),
        lambda a03, g: a03.Adam(g, lr=0.05, weight_decay=0.1),
        lambda a03, g: a03.Adam(g, lr=0.05, weight_decay=0.1, decoupled=True),
    ],
    ids=["sgd-momentum", "sgd-nesterov", "sgd-plain", "adam", "adamw"],
)
@pytest.mark.parametrize("through_bytes", [False, True], ids=["deepcopy", "torch.save"])
def test_state_dict_round_trip_continues_identically(a03, make_opt, through_bytes):
    params = _make_params()
    opt = make_opt(a03, _groups(params))
    for _ in range(10):
        opt.zero_grad()
        _loss(params).backward()
        opt.step()
    saved = _roundtrip(opt.state_dict(), through_bytes)
    copies = [nn.Parameter(p.detach().clone()) for p in params]
    fresh_groups = [{"params": [copies[0], copies[1]], "lr": 123.0}, {"params": [copies[2], copies[3]]}]
    fresh = make_opt(a03, fresh_groups)
    fresh.load_state_dict(saved)
    assert [g["lr"] for g in fresh.param_groups] == [g["lr"] for g in opt.param_groups]
    for _ in range(15):
        for o, ps in ((opt, params), (fresh, copies)):
            o.zero_grad()
            _loss(ps).backward()
            o.step()
        for p, c in zip(params, copies):
            assert torch.equal(p, c)


def test_optimizers_do_not_use_torch_optim(a03, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("torch.optim implementation used")

    for cls in (torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW):
        monkeypatch.setattr(cls, "step", forbidden)
    import torch.optim.adam as adam_module
    import torch.optim.sgd as sgd_module

    monkeypatch.setattr(sgd_module, "sgd", forbidden)
    monkeypatch.setattr(adam_module, "adam", forbidden)
    for name in ("sgd", "adam", "adamw"):
        if hasattr(torch.optim._functional, name):
            monkeypatch.setattr(torch.optim._functional, name, forbidden)
    for make in (
        lambda g: a03.SGD(g, lr=0.1, momentum=0.9, nesterov=True),
        lambda g: a03.Adam(g, weight_decay=0.1),
        lambda g: a03.Adam(g, weight_decay=0.1, decoupled=True),
    ):
        _trajectory(make, steps=3)


def test_optimizer_updates_in_place_and_zero_grad(a03):
    for opt_cls in (a03.SGD, a03.Adam):
        params = _make_params()
        ids = [id(p) for p in params]
        before = [p.detach().clone() for p in params]
        opt = opt_cls(params, lr=0.1)
        _loss(params).backward()
        opt.step()
        assert [id(p) for p in opt.param_groups[0]["params"]] == ids
        assert not torch.equal(params[0], before[0])
        assert params[0].is_leaf and params[0].requires_grad and params[0].grad_fn is None
        opt.zero_grad()
        assert all(p.grad is None for p in params)


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(lr=-1.0), "lr=-1.0"),
        (dict(lr=0.1, momentum=-0.5), "momentum"),
        (dict(lr=0.1, weight_decay=-1e-3), "weight_decay"),
        (dict(lr=0.1, nesterov=True), "nesterov"),
        (dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "nesterov"),
    ],
)
def test_sgd_value_errors(a03, kwargs, word):
    with pytest.raises(ValueError, match=word):
        a03.SGD(_make_params(), **kwargs)


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(lr=-1.0), "lr=-1.0"),
        (dict(eps=-1e-8), "eps"),
        (dict(betas=(1.0, 0.999)), "betas"),
        (dict(betas=(0.9, -0.1)), "betas"),
        (dict(betas=(-0.1, 0.9)), "betas"),
        (dict(weight_decay=-0.1), "weight_decay"),
    ],
)
def test_adam_value_errors(a03, kwargs, word):
    with pytest.raises(ValueError, match=word):
        a03.Adam(_make_params(), **kwargs)


def test_optimizers_accept_valid_edge_values(a03):
    a03.SGD(_make_params(), lr=0.0)
    a03.SGD(_make_params(), lr=0.1, momentum=0.5, nesterov=True)
    a03.Adam(_make_params(), lr=0.0, betas=(0.0, 0.0), eps=0.0)


# --------------------------------------------------------------------------
# a04_training
# --------------------------------------------------------------------------


def _classifier(seed: int = 0, dropout: float = 0.0) -> nn.Module:
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(dropout), nn.Linear(16, 3)).double()


def _batches(seed: int = 0, sizes=(8, 8, 8, 5)) -> list[tuple[Tensor, Tensor]]:
    gen = _gen(seed)
    return [
        (torch.randn(n, 4, dtype=torch.float64, generator=gen), torch.randint(0, 3, (n,), generator=gen))
        for n in sizes
    ]


class _SpySGD(torch.optim.SGD):
    def __init__(self, params, events: list[str], **kwargs):
        super().__init__(params, foreach=False, **kwargs)
        self.events = events

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.events.append("zero_grad")
        super().zero_grad(set_to_none)

    def step(self, closure=None):
        self.events.append("step")
        return super().step(closure)


def _spy(model: nn.Module, events: list[str]) -> Callable[[Tensor, Tensor], Tensor]:
    model.register_forward_pre_hook(lambda mod, inp: events.append("forward"))
    first = next(model.parameters())
    first.register_hook(lambda grad: events.append("backward"))

    def loss_fn(outputs: Tensor, targets: Tensor) -> Tensor:
        events.append("loss")
        return F.cross_entropy(outputs, targets)

    return loss_fn


def _hand_step(model, batch, opt) -> float:
    inputs, targets = batch
    opt.zero_grad()
    loss = F.cross_entropy(model(inputs), targets)
    loss.backward()
    opt.step()
    return loss.item()


def _assert_same_params(a: nn.Module, b: nn.Module) -> None:
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        torch.testing.assert_close(p, q, atol=1e-12, rtol=0, msg=lambda m, name=name: f"{name}: {m}")


def test_train_step_order_and_result(a04):
    events: list[str] = []
    model = _classifier()
    loss_fn = _spy(model, events)
    opt = _SpySGD(model.parameters(), events, lr=0.1, momentum=0.9)
    batch = _batches()[0]
    loss = a04.train_step(model, batch, loss_fn, opt)
    assert events == ["zero_grad", "forward", "loss", "backward", "step"]
    assert type(loss) is float

    expected_model = _classifier()
    expected_opt = torch.optim.SGD(expected_model.parameters(), lr=0.1, momentum=0.9)
    expected_loss = _hand_step(expected_model, batch, expected_opt)
    assert loss == pytest.approx(expected_loss, abs=1e-12)
    _assert_same_params(model, expected_model)
    model.eval()
    a04.train_step(model, batch, loss_fn, opt)
    assert not model.training  # train_step leaves the mode alone


def test_train_epoch_matches_hand_loop(a04):
    batches = _batches()
    model = _classifier(dropout=0.0)
    model.eval()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss = a04.train_epoch(model, batches, F.cross_entropy, opt)
    assert all(m.training for m in model.modules())
    assert type(loss) is float

    expected_model = _classifier()
    expected_opt = torch.optim.SGD(expected_model.parameters(), lr=0.1, momentum=0.9)
    losses = [_hand_step(expected_model, b, expected_opt) for b in batches]
    weighted = sum(batch_loss * len(b[1]) for batch_loss, b in zip(losses, batches)) / 29
    assert loss == pytest.approx(weighted, abs=1e-12)
    assert loss != pytest.approx(sum(losses) / len(losses), abs=1e-9)  # not the unweighted mean
    _assert_same_params(model, expected_model)

    events: list[str] = []
    model = _classifier()
    opt = _SpySGD(model.parameters(), events, lr=0.1)
    a04.train_epoch(model, batches, _spy(model, events), opt)
    assert events == ["zero_grad", "forward", "loss", "backward", "step"] * 4


def test_evaluate_modes_grad_and_metrics(a04):
    model = _classifier(dropout=0.5)
    model.train()
    model[2].eval()
    model[0].training = False  # mixed modes must come back exactly
    modes_before = [m.training for m in model.modules()]
    seen: list[tuple[list[bool], bool]] = []
    model.register_forward_pre_hook(
        lambda mod, inp: seen.append(([m.training for m in mod.modules()], torch.is_grad_enabled()))
    )
    batches = _batches(1)
    result = a04.evaluate(model, batches, F.cross_entropy)
    assert [m.training for m in model.modules()] == modes_before
    assert len(seen) == 4
    assert all(not any(flags) and not grad_enabled for flags, grad_enabled in seen)
    assert all(p.grad is None for p in model.parameters())
    assert set(result) == {"loss", "accuracy"}
    assert type(result["loss"]) is float and type(result["accuracy"]) is float

    reference = copy.deepcopy(model).eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for inputs, targets in batches:
            outputs = reference(inputs)
            total += F.cross_entropy(outputs, targets).item() * len(targets)
            correct += (outputs.argmax(dim=1) == targets).sum().item()
    assert result["loss"] == pytest.approx(total / 29, abs=1e-12)
    assert result["accuracy"] == pytest.approx(correct / 29, abs=1e-12)
    assert a04.evaluate(model, batches, F.cross_entropy) == result  # dropout off


def test_evaluate_accuracy_by_argmax(a04):
    class Fixed(nn.Module):
        def forward(self, x: Tensor) -> Tensor:
            return x

    outputs = torch.tensor([[0.1, 0.9, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 5.0], [1.0, 3.0, 2.0]])
    batches = [(outputs[:3], torch.tensor([1, 0, 1])), (outputs[3:], torch.tensor([1]))]
    result = a04.evaluate(Fixed(), batches, F.cross_entropy)
    assert result["accuracy"] == pytest.approx(3 / 4)


def _hand_accumulate(model, batches, opt, k) -> float:
    model.train()
    opt.zero_grad()
    total = 0.0
    for i, (inputs, targets) in enumerate(batches, start=1):
        loss = F.cross_entropy(model(inputs), targets)
        (loss / k).backward()
        total += loss.item() * len(targets)
        if i % k == 0 or i == len(batches):
            opt.step()
            opt.zero_grad()
    return total / sum(len(t) for _, t in batches)


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_train_epoch_accumulate_matches_hand_loop(a04, k):
    batches = _batches(2)
    events: list[str] = []
    model = _classifier()
    model.eval()
    opt = _SpySGD(model.parameters(), events, lr=0.1, momentum=0.9)
    loss = a04.train_epoch_accumulate(model, batches, F.cross_entropy, opt, k)
    assert model.training and type(loss) is float
    assert events.count("step") == math.ceil(4 / k)
    assert events[0] == "zero_grad" and events[-1] == "zero_grad"
    assert all(p.grad is None for p in model.parameters())

    expected_model = _classifier()
    expected_opt = torch.optim.SGD(expected_model.parameters(), lr=0.1, momentum=0.9)
    expected = _hand_accumulate(expected_model, batches, expected_opt, k)
    assert loss == pytest.approx(expected, abs=1e-12)
    _assert_same_params(model, expected_model)

    if k == 1:
        plain = _classifier()
        plain_opt = torch.optim.SGD(plain.parameters(), lr=0.1, momentum=0.9)
        assert a04.train_epoch(plain, batches, F.cross_entropy, plain_opt) == pytest.approx(loss, abs=1e-12)
        _assert_same_params(model, plain)


def test_train_epoch_accumulate_errors(a04):
    model = _classifier()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for bad in (0, -2):
        with pytest.raises(ValueError, match="accumulation_steps"):
            a04.train_epoch_accumulate(model, _batches(), F.cross_entropy, opt, bad)
    for bad in (1.5, "2", True):
        with pytest.raises(TypeError, match="accumulation_steps"):
            a04.train_epoch_accumulate(model, _batches(), F.cross_entropy, opt, bad)


def test_fit_history_matches_hand_loop(a04):
    train, val = _batches(3), _batches(4, sizes=(10, 7))
    model = _classifier()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    history = a04.fit(model, train, val, F.cross_entropy, opt, 3)
    assert [entry["epoch"] for entry in history] == [1, 2, 3]
    assert all(type(entry["epoch"]) is int for entry in history)
    for entry in history:
        assert set(entry) == {"epoch", "train_loss", "val_loss", "val_accuracy"}
        assert all(type(entry[key]) is float for key in ("train_loss", "val_loss", "val_accuracy"))

    expected_model = _classifier()
    expected_opt = torch.optim.Adam(expected_model.parameters(), lr=0.01)
    for entry in history:
        expected_model.train()
        losses = [_hand_step(expected_model, b, expected_opt) for b in train]
        train_loss = sum(batch_loss * len(b[1]) for batch_loss, b in zip(losses, train)) / 29
        expected_model.eval()
        with torch.no_grad():
            outs = [(expected_model(x), y) for x, y in val]
        val_loss = sum(F.cross_entropy(o, y).item() * len(y) for o, y in outs) / 17
        val_acc = sum((o.argmax(dim=1) == y).sum().item() for o, y in outs) / 17
        assert entry["train_loss"] == pytest.approx(train_loss, abs=1e-12)
        assert entry["val_loss"] == pytest.approx(val_loss, abs=1e-12)
        assert entry["val_accuracy"] == pytest.approx(val_acc, abs=1e-12)
    _assert_same_params(model, expected_model)
    assert model.training
    assert a04.fit(model, train, val, F.cross_entropy, opt, 0) == []


# --------------------------------------------------------------------------
# quiz
# --------------------------------------------------------------------------


def test_quiz_answers_are_single_lowercase_letters(quiz):
    names = [f"Q{i:02d}" for i in range(1, 13)]
    assert list(quiz.__all__) == names
    for name in names:
        answer = getattr(quiz, name)
        assert isinstance(answer, str) and len(answer) == 1 and answer in "abcd", name
    for number in range(1, 13):
        assert f"\n{number}. " in quiz.__doc__

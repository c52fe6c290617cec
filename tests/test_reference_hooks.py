"""The reference solution of a10_hooks behaves as its docstrings say, checked against torch directly.

Recorded activations are compared with the submodules' outputs computed by hand, clipped gradients with
``torch.autograd.grad`` of the same loss clamped by hand, recorded norms with the gradients of the loss with
respect to the modules' outputs, the scaled module with a call on a scaled input. The reference is loaded
from ``reference/`` by file path under a private module name, so these tests never see ``assignments/``.
"""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest
import torch
from torch import nn

from tests.support import load_reference


@pytest.fixture(scope="module")
def a10() -> ModuleType:
    return load_reference("a10_hooks")


@pytest.fixture(autouse=True)
def _restore_global_rng():
    with torch.random.fork_rng():
        torch.manual_seed(0)
        yield


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.gain = nn.Parameter(torch.rand(3) + 0.5)
        self.register_buffer("shift", torch.ones(3))
        self.inner = nn.Sequential(nn.Linear(6, 3), nn.Tanh())

    def forward(self, x):
        return self.inner(x) * self.gain + self.shift


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Sequential(nn.Linear(6, 6), nn.Sigmoid()))
        self.heads = nn.ModuleList([nn.Linear(6, 3), Block()])
        self.act = nn.Tanh()

    def forward(self, x):
        hidden = self.encoder(x)
        return self.act(self.heads[0](hidden)) + self.act(self.heads[1](hidden))


def _hooks(model: nn.Module, attr: str) -> int:
    return sum(len(getattr(m, attr)) for m in model.modules())


def test_docstring_examples_run(a10) -> None:
    result = doctest.testmod(a10, extraglobs={"torch": torch, "nn": nn}, verbose=False)
    assert result.attempted > 10 and result.failed == 0


# --- ActivationRecorder ---------------------------------------------------------------------------------------


def test_recorder_records_the_outputs_of_every_call(a10) -> None:
    net = Net()
    x1, x2 = torch.randn(5, 4), torch.randn(3, 4)
    names = ["heads.0", "encoder.2", "act", ""]
    with a10.ActivationRecorder(net, (n for n in names)) as recorder:
        out1, out2 = net(x1), net(x2)
    assert list(recorder.records) == names
    with torch.no_grad():
        expected = {"heads.0": [], "encoder.2": [], "act": [], "": [out1, out2]}
        for x in (x1, x2):
            hidden = net.encoder(x)
            expected["encoder.2"].append(net.encoder[2](net.encoder[1](net.encoder[0](x))))
            head0 = net.heads[0](hidden)
            expected["heads.0"].append(head0)
            expected["act"] += [torch.tanh(head0), torch.tanh(net.heads[1](hidden))]
    for name in names:
        assert len(recorder.records[name]) == len(expected[name])
        for got, want in zip(recorder.records[name], expected[name]):
            torch.testing.assert_close(got, want)
            assert not got.requires_grad and got.grad_fn is None


def test_recorder_without_detach_keeps_the_graph(a10) -> None:
    net = Net()
    with a10.ActivationRecorder(net, ["heads.1"], detach=False) as recorder:
        net(torch.randn(2, 4))
    (record,) = recorder.records["heads.1"]
    assert record.requires_grad and record.grad_fn is not None
    record.sum().backward()
    assert net.heads[1].gain.grad is not None and net.encoder[0].weight.grad is not None


def test_recorder_hooks_exist_only_inside_the_block(a10) -> None:
    net = Net()
    forward_before = net.encoder[2].forward
    recorder = a10.ActivationRecorder(net, ["encoder.2", "act"])
    assert _hooks(net, "_forward_hooks") == 0
    with recorder as entered:
        assert entered is recorder
        assert len(net.encoder[2]._forward_hooks) == 1 and len(net.act._forward_hooks) == 1
        assert _hooks(net, "_forward_hooks") == 2
        assert "forward" not in vars(net.encoder[2])
        net(torch.randn(2, 4))
    assert _hooks(net, "_forward_hooks") == 0
    assert net.encoder[2].forward == forward_before
    net(torch.randn(2, 4))
    assert [len(v) for v in recorder.records.values()] == [1, 2]  # kept, and nothing added outside


def test_recorder_removes_its_hooks_when_the_block_raises(a10) -> None:
    net = Net()
    with pytest.raises(KeyError, match="inside"):
        with a10.ActivationRecorder(net, ["encoder.0"]):
            net(torch.randn(2, 4))
            raise KeyError("inside")
    assert _hooks(net, "_forward_hooks") == 0


@pytest.mark.parametrize("names, bad", [(["encoder.0", "encoder.9"], "encoder.9"), (["heads.2"], "heads.2"),
                                        (["encoder.0.weight"], "encoder.0.weight")])
def test_recorder_rejects_unknown_names_before_registering(a10, names, bad) -> None:
    net = Net()
    with pytest.raises(ValueError, match=bad.replace(".", r"\.")):
        a10.ActivationRecorder(net, names)
    assert _hooks(net, "_forward_hooks") == 0


# --- add_grad_clip_hooks --------------------------------------------------------------------------------------


def _clip_model() -> nn.Module:
    return nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))


def _loss(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    return model(x).pow(2).sum()


def test_clip_hooks_clamp_each_pass_before_accumulation(a10) -> None:
    model = _clip_model()
    xs = [torch.randn(6, 3), torch.randn(6, 3)]
    params = list(model.parameters())
    plain = [torch.autograd.grad(_loss(model, x), params) for x in xs]  # no hooks yet
    handles = a10.add_grad_clip_hooks(model, 0.5)
    assert len(handles) == len(params)
    assert all(h.hooks_dict_ref() is q._backward_hooks for h, q in zip(handles, params))
    for x in xs:
        _loss(model, x).backward()
    for q, g1, g2 in zip(params, *plain):
        torch.testing.assert_close(q.grad, g1.clamp(-0.5, 0.5) + g2.clamp(-0.5, 0.5))
    assert any((q.grad.abs() > 0.5).any() for q in params), "two clipped passes may add up beyond the bound"
    assert any((g.abs() < 0.5).any() for g in plain[0]) and any((g.abs() > 0.5).any() for g in plain[0])
    for h in handles:
        h.remove()
    assert all(not q._backward_hooks for q in params)
    model.zero_grad()
    _loss(model, xs[0]).backward()
    for q, g in zip(params, plain[0]):
        torch.testing.assert_close(q.grad, g)


def test_clip_hooks_skip_frozen_parameters_and_validate(a10) -> None:
    model = _clip_model()
    model[0].bias.requires_grad_(False)
    handles = a10.add_grad_clip_hooks(model, 1.0)
    trainable = [q for q in model.parameters() if q.requires_grad]
    assert len(handles) == 3 and all(h.hooks_dict_ref() is q._backward_hooks for h, q in zip(handles, trainable))
    assert not model[0].bias._backward_hooks
    for bad in (0, 0.0, -1.0):
        with pytest.raises(ValueError, match="max_abs"):
            a10.add_grad_clip_hooks(nn.Linear(2, 2), bad)


# --- GradNormMonitor ------------------------------------------------------------------------------------------


def _output_grad_norms(net: nn.Module, types, loss_fn, x: torch.Tensor) -> dict[str, list[float]]:
    """Norms of d loss / d output of every matching module call, by torch.autograd.grad (no backward hooks)."""
    outputs: list[tuple[str, torch.Tensor]] = []
    handles = [
        mod.register_forward_hook(lambda m, a, out, name=name: outputs.append((name, out)))
        for name, mod in net.named_modules() if isinstance(mod, types)
    ]
    loss = loss_fn(net(x))
    for h in handles:
        h.remove()
    grads = torch.autograd.grad(loss, [out for _, out in outputs])
    norms: dict[str, list[float]] = {name: [] for name, mod in net.named_modules() if isinstance(mod, types)}
    for (name, _), grad in zip(outputs, grads):
        norms[name].append(float(grad.norm()))
    return norms


@pytest.mark.parametrize("types", [(nn.Linear,), (nn.Tanh, Net)], ids=["Linear", "Tanh and the model"])
def test_monitor_records_output_gradient_norms(a10, types) -> None:
    net = Net()
    x = torch.randn(5, 4, requires_grad=True)
    weights = torch.randn(5, 3)
    losses = [lambda out: (out**2).sum(), lambda out: (out * weights).sum()]
    expected = [_output_grad_norms(net, types, fn, x) for fn in losses]
    monitor = a10.GradNormMonitor(net, types)
    assert list(monitor.norms) == [n for n, m in net.named_modules() if isinstance(m, types)]
    for fn in losses:
        fn(net(x)).backward()
    for name, norms in monitor.norms.items():
        assert all(type(v) is float for v in norms)
        # a module called twice fires twice per pass, in the backward order; compare as multisets per pass
        half = len(norms) // 2
        assert sorted(norms[:half]) == pytest.approx(sorted(expected[0][name]), rel=1e-5)
        assert sorted(norms[half:]) == pytest.approx(sorted(expected[1][name]), rel=1e-5)
    hooked = [m for n, m in net.named_modules() if n in monitor.norms]
    assert all(len(m._backward_hooks) == 1 and m._is_full_backward_hook for m in hooked)
    monitor.remove()
    assert _hooks(net, "_backward_hooks") == 0
    before = {n: len(v) for n, v in monitor.norms.items()}
    losses[0](net(x)).backward()
    assert {n: len(v) for n, v in monitor.norms.items()} == before


# --- add_input_scaler -----------------------------------------------------------------------------------------


class Mix(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, x, y, shift=0.0):
        return self.lin(x) - y + shift


def test_input_scaler_scales_only_the_first_positional_input(a10) -> None:
    mix = Mix()
    x, y = torch.randn(4, 3), torch.randn(4, 3)
    x0, y0 = x.clone(), y.clone()
    handle = a10.add_input_scaler(mix, 3.0)
    assert len(mix._forward_pre_hooks) == 1 and not mix._forward_hooks and "forward" not in vars(mix)
    with torch.no_grad():
        want = mix.lin(3.0 * x0) - y0 + 0.5
    torch.testing.assert_close(mix(x, y), want - 0.5)
    torch.testing.assert_close(mix(x, y, shift=0.5), want)
    assert torch.equal(x, x0) and torch.equal(y, y0)
    handle.remove()
    assert not mix._forward_pre_hooks
    with torch.no_grad():
        torch.testing.assert_close(mix(x, y), mix.lin(x) - y)


def test_input_scalers_stack_and_keep_autograd(a10) -> None:
    layer = nn.Linear(3, 2)
    handles = [a10.add_input_scaler(layer, 2.0), a10.add_input_scaler(layer, 5.0)]
    x = torch.randn(4, 3, requires_grad=True)
    out = layer(x)
    torch.testing.assert_close(out, nn.functional.linear(10.0 * x, layer.weight, layer.bias))
    out.sum().backward()
    torch.testing.assert_close(x.grad, 10.0 * layer.weight.sum(0).expand(4, 3))
    for h in handles:
        h.remove()
    assert not layer._forward_pre_hooks


# --- replace_modules_ -----------------------------------------------------------------------------------------


class Wrapper(nn.Module):
    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x)


def test_replace_reaches_every_depth_and_keeps_the_rest(a10) -> None:
    net = Net()
    before = dict(net.named_modules())
    params = dict(net.named_parameters())
    targets = [n for n, m in before.items() if isinstance(m, nn.Linear)]
    x = torch.randn(2, 4)
    with torch.no_grad():
        want = net(x)
    received = []

    def factory(old: nn.Module) -> nn.Module:
        received.append(old)
        return Wrapper(old)

    returned = a10.replace_modules_(net, nn.Linear, factory)
    assert returned == targets == ["encoder.0", "encoder.2.0", "heads.0", "heads.1.inner.0"]
    assert [id(m) for m in received] == [id(before[n]) for n in targets]
    after = dict(net.named_modules())
    assert all(isinstance(after[n], Wrapper) and after[n + ".inner"] is before[n] for n in targets)
    assert all(after[n] is m for n, m in before.items() if n not in targets)
    assert isinstance(net.heads, nn.ModuleList) and isinstance(net.heads[0], Wrapper)
    kept = {n: q for n, q in net.named_parameters()}
    assert all(kept[n] is q for n, q in params.items() if not any(n.startswith(t + ".") for t in targets))
    with torch.no_grad():
        torch.testing.assert_close(net(x), want)  # the wrappers compute what the layers did


def test_replace_never_touches_the_model_and_never_searches_a_replacement(a10) -> None:
    seq = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Linear(3, 3), nn.Tanh()), nn.Tanh())
    inner = seq[1]
    assert a10.replace_modules_(seq, nn.Sequential, Wrapper) == ["1"]
    assert type(seq) is nn.Sequential and isinstance(seq[1], Wrapper) and seq[1].inner is inner
    seq = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    old = seq[0]
    assert a10.replace_modules_(seq, nn.Linear, Wrapper) == ["0", "2"]
    assert seq[0].inner is old and [type(m).__name__ for m in seq.modules()] == [
        "Sequential", "Wrapper", "Linear", "Tanh", "Wrapper", "Linear"]
    torch.testing.assert_close(seq(torch.ones(1, 2)), seq[2].inner(torch.tanh(old(torch.ones(1, 2)))))


# --- describe -------------------------------------------------------------------------------------------------


def test_describe_counts_each_modules_own_parameters(a10) -> None:
    net = Net()
    net.heads[0].bias.requires_grad_(False)
    rows = a10.describe(net)
    assert [(n, c) for n, c, _ in rows] == [(n, type(m).__name__) for n, m in net.named_modules()]
    assert rows[0] == ("", "Net", 0)
    for (_, _, count), (_, module) in zip(rows, net.named_modules()):
        assert type(count) is int
        assert count == sum(q.numel() for q in module.parameters(recurse=False))
    assert sum(c for _, _, c in rows) == sum(q.numel() for q in net.parameters())
    assert dict((n, c) for n, _, c in rows)["heads.1"] == 3  # gain only: the buffer and the children do not count

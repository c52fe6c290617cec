"""Grader of a02_autograd: custom torch.autograd.Function forward/backward pairs.

Each check is a probe (drives the implementation, returns observations)
judged against the reference's observations; see graders/engine.

What ``backward`` itself returns is read with ``out.grad_fn.apply(grad)``,
which calls the Function's ``backward`` and hands back its raw result: the
autograd engine would silently sum a bias gradient of shape ``(N, out)`` down
to ``(out,)`` and drop surplus ``None``s, so only the raw result shows those
mistakes.

One mistake, one diagnosis: the backward, gradcheck and LinearWithCustomGrad
checks build on the forward checks they cannot be judged apart from, and the
layer checks install fixed parameters into the student's layer (built without
its ``__init__`` when that raises).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from graders.engine import check
from graders.engine.judges import keywise
from graders.engine.observations import is_raised
from graders.engine.probes import (
    UNIFORM_INIT_RULES,
    expect_raise,
    layer_with,
    registry,
    spy_static,
    uniform_init_stats,
)

TASKS = {
    1: ("Exp.forward", "Exp.backward", "exp"),
    2: ("LinearFunction.forward", "LinearFunction.backward", "linear"),
    3: ("ClampSTE.forward", "ClampSTE.backward", "clamp_ste"),
    4: ("LinearWithCustomGrad.__init__", "LinearWithCustomGrad.forward"),
    5: ("mse_loss_and_grad",),
}

APPLY = ("MyFunction.apply(...) puts the Function's node in the graph; calling forward (or a torch op) yourself "
         "bypasses your backward")
SAVED = ("ctx.save_for_backward stores tensors for backward; backward must never modify a saved tensor "
         "(or grad_output) in place")
RETURNS = ("backward returns exactly one gradient per input of forward, each of that input's shape "
           "(bias gradient summed over the batch), and None where ctx.needs_input_grad is False or the input is None")
CHAIN = "the chain rule in backward: the gradient w.r.t. an input is grad_output times the local derivative"
EXP_GRADCHECK = ("torch.autograd.gradcheck compares your backward with finite differences of your forward in float64, "
                 "running backward once per output element through the same graph: every run must give grad_output "
                 "times the local derivative, so backward must never modify a saved tensor in place")
GRADCHECK = ("torch.autograd.gradcheck compares your backward with finite differences of your forward in float64: "
             "backward must return exactly one gradient per input of forward, each grad_output times the local "
             "derivative (the chain rule), of its input's shape")

GRADS_KEYS = ("type of the returned value", "number of values", "each value (None where no gradient)")


def grads_returned(ret: Any) -> dict:
    """What a backward returned: its type, how many values, and each value's shape as text (``"shape (3,)"`` or ``"None"``)."""  # noqa: E501
    values = ret if isinstance(ret, tuple) else (ret,)
    return {
        GRADS_KEYS[0]: type(ret).__name__,
        GRADS_KEYS[1]: len(values),
        GRADS_KEYS[2]: [
            f"shape {tuple(v.shape)}" if isinstance(v, torch.Tensor)
            else ("None" if v is None else f"a {type(v).__name__}")
            for v in values
        ],
    }


def raw_backward(out: torch.Tensor, grad: torch.Tensor, cls: type) -> dict:
    """Call the backward of ``out``'s node directly and describe its raw result (see :func:`grads_returned`).

    Runs without grad mode, as the engine does. When ``out`` has no node of
    ``cls`` (a torch op or ``forward`` was called instead of ``apply``), every
    entry says so instead.
    """
    node = out.grad_fn
    if getattr(node, "_forward_cls", None) is not cls:
        found = "no grad_fn" if node is None else f"grad_fn {type(node).__name__}"
        text = f"not reachable: the output has {found}, not a node of your {cls.__name__}"
        return {key: text for key in GRADS_KEYS}
    with torch.no_grad():
        return grads_returned(node.apply(grad))


def gradcheck(p, where: str, fn: Callable[..., Any], *inputs: torch.Tensor) -> Any:
    """``torch.autograd.gradcheck``'s verdict: True, or the exception it raised (GradcheckError names the mismatch)."""
    return p.attempt(where, torch.autograd.gradcheck, fn, inputs)


def node_name(t: torch.Tensor) -> str | None:
    return None if t.grad_fn is None else type(t.grad_fn).__name__


# --- Task 1: Exp ---------------------------------------------------------------------------------------------------


@check(points=2, task=1, concept="the forward of a custom autograd Function: Exp.forward computes exp(x) for inputs "
                                 "of any shape and dtype",
       hints=("What must Exp.forward return for an input of any shape and dtype, and what does exp(x) hand back?",
              "Read the docstrings of Exp.forward and exp, and torch.exp (or torch.Tensor.exp).",
              "A Square Function: its forward receives ctx and v and returns v * v, keeping v for backward because "
              "the derivative 2v needs the input."))
def exp_forward(m, p):
    """exp(x) equals torch.exp(x)"""
    obs = {}
    for shape, dtype in (((3, 4), torch.float32), ((5,), torch.float64), ((), torch.float32)):
        x = p.randn(torch.Size(shape).numel(), dtype=dtype).reshape(shape)
        where = f"exp(x) for x of shape {shape}, {str(dtype).replace('torch.', '')}"
        obs[where] = p.call(where, m.exp, x)
    return obs


@check(points=2, task=1, concept=APPLY,
       hints=("Which call connects your Function to the autograd graph, so that its backward is the one that runs?",
              "Read the module docstring of a02 (the sentence on using MyFunction.apply) and "
              "torch.autograd.Function.apply in the PyTorch documentation.",
              "For a Function Square, square(v) hands v to Square.apply and returns what it gives back; the "
              "result's grad_fn is then Square's node (SquareBackward)."))
def exp_uses_apply(m, p):
    """exp(x) goes through Exp.apply, so its grad_fn is your Exp's node"""
    x = p.randn(3, 4).requires_grad_()
    y = p.call("exp(x) with x.requires_grad=True", m.exp, x)
    return {
        "exp(x).requires_grad": y.requires_grad,
        "type(exp(x).grad_fn).__name__ (your Exp's node is ExpBackward)": node_name(y),
        "exp(x).grad_fn is the node of your Exp class": getattr(y.grad_fn, "_forward_cls", None) is m.Exp,
    }


@check(points=3, task=1, builds_on=("exp_forward",), concept=CHAIN + ", and the derivative of exp is exp itself",
       hints=("backward receives the gradient of the loss w.r.t. the output: how does the chain rule combine it "
              "with the derivative of exp?",
              "Read the docstring of Exp.backward and of torch.autograd.Function.backward (what grad_output is); "
              "what forward saved comes back from ctx.saved_tensors.",
              "For Square (y = v * v, local derivative 2v): backward reads v back from ctx.saved_tensors and "
              "returns grad_output * 2 * v."))
def exp_backward(m, p):
    """y = Exp.apply(x); y.backward(g) gives x.grad = g * exp(x), for a non-trivial g"""
    obs = {}
    for shape, dtype in (((3, 4), torch.float32), ((2, 5), torch.float64)):
        x = p.randn(*shape, dtype=dtype).requires_grad_()
        g = p.randn(*shape, dtype=dtype)
        where = f"Exp.apply(x).backward(g) for x and g of shape {shape}, {str(dtype).replace('torch.', '')}"
        y = p.call(where, m.Exp.apply, x)
        p.call(where, y.backward, g)
        obs[f"{where}: x.grad"] = x.grad
    return obs


@check(points=2, task=1, builds_on=("exp_forward", "exp_backward"), concept=SAVED,
       hints=("Which tensor does your backward need, how does it travel from forward to backward, and does backward "
              "change any tensor it did not create?",
              "Read the docstrings of Exp.forward (what to save) and Exp.backward (the sentence on saved tensors), "
              "and FunctionCtx.save_for_backward in the torch.autograd documentation.",
              "For Square: forward saves v with ctx.save_for_backward(v); backward returns a new tensor "
              "2 * v * grad_output, whereas v.mul_(2) would overwrite the saved input."))
def exp_saved_output(m, p):
    """Exp saves its output and backward leaves it (and grad_output) unchanged"""
    x = p.randn(3, 4).requires_grad_()
    y = p.call("y = Exp.apply(x)", m.Exp.apply, x)
    node = y.grad_fn
    saved = tuple(getattr(node, "saved_tensors", ())) if node is not None else ()
    obs = {
        "the output exp(x) is among the tensors saved with ctx.save_for_backward": any(
            isinstance(t, torch.Tensor) and t.shape == y.shape and torch.equal(t, y.detach()) for t in saved
        ),
    }
    before = y.detach().clone()
    g = p.randn(3, 4)
    g_before = g.clone()
    p.call("y.backward(g, retain_graph=True)", y.backward, g, retain_graph=True)
    obs["y = exp(x) is unchanged after y.backward(g)"] = torch.equal(y.detach(), before)
    obs["g is unchanged after y.backward(g)"] = torch.equal(g, g_before)
    first = x.grad.clone() if isinstance(x.grad, torch.Tensor) else None
    second = p.attempt("torch.autograd.grad(y, x, g) after y.backward(g, retain_graph=True)",
                       lambda: torch.autograd.grad(y, x, g)[0])
    where = ("a second backward through the same graph, torch.autograd.grad(y, x, g), gives the same gradient as "
             "the first")
    obs[where] = second if is_raised(second) else (first is not None and torch.equal(second, first))
    return obs


@check(points=2, task=1, builds_on=("exp_forward", "exp_backward"), concept=EXP_GRADCHECK,
       hints=("gradcheck runs backward many times through one graph: does your backward give the same answer the "
              "second time as the first?",
              "Read the documentation of torch.autograd.gradcheck (what it compares, in which dtype) and the sentence "
              "on saved tensors in the docstring of Exp.backward.",
              "With y = Square.apply(v), calling torch.autograd.grad(y, v, g, retain_graph=True) twice in a row must "
              "give equal gradients; gradcheck relies on exactly that."))
def exp_gradcheck(m, p):
    """torch.autograd.gradcheck passes on exp in float64"""
    x = p.randn(3, 4, dtype=torch.float64).requires_grad_()
    return {
        "torch.autograd.gradcheck(exp, (x,)) for float64 x of shape (3, 4)": gradcheck(
            p, "gradcheck(exp, (x,))", m.exp, x
        )
    }


# --- Task 2: LinearFunction ----------------------------------------------------------------------------------------


@check(points=2, task=2, concept="LinearFunction.forward: the matrix product of the input with the transposed weight, "
                                 "plus the bias only when one is given",
       hints=("input is (N, in_features) and weight (out_features, in_features): which product gives "
              "(N, out_features), and what happens when bias is None?",
              "Read the docstrings of LinearFunction.forward and linear, and torch.matmul and torch.Tensor.T.",
              "Scores of queries q (N, d) against keys k (M, d): q @ k.T has shape (N, M); an optional offset is "
              "added only when the caller passed one."),
       forbid=("F.linear",))
def linear_forward(m, p):
    """linear(input, weight, bias) computes input @ weight.T + bias (bias optional)"""
    x, w, b = p.randn(5, 4), p.randn(3, 4), p.randn(3)
    x64, w64 = p.randn(2, 3, dtype=torch.float64), p.randn(6, 3, dtype=torch.float64)
    return {
        "linear(x, w, b), x (5, 4), w (3, 4), b (3,)": p.call("linear(x, w, b)", m.linear, x, w, b),
        "linear(x, w) without bias": p.call("linear(x, w)", m.linear, x, w),
        "linear(x, w, None), float64, x (2, 3), w (6, 3)": p.call("linear(x, w, None)", m.linear, x64, w64, None),
    }


@check(points=3, task=2, builds_on=("linear_forward",),
       concept=CHAIN + "; for a matrix product each input's gradient is a product of grad_output with the other "
                       "factor, of that input's shape, and the bias gradient sums grad_output over the batch",
       hints=("For out = input @ weight.T + bias, how does each entry of out depend on input, weight and bias? "
              "Which product with grad_output gives each gradient the shape of its input?",
              "Read the class docstring of LinearFunction (it names the three gradients) and the docstring of "
              "LinearFunction.backward; what forward saved comes back from ctx.saved_tensors.",
              "For out = a @ b with a (N, K) and b (K, M): grad_a = grad_out @ b.T is (N, K), grad_b = a.T @ grad_out "
              "is (K, M), and an offset broadcast over rows gets grad_out summed over the rows."),
       forbid=("F.linear",))
def linear_gradients(m, p):
    """Gradients through linear match autograd of input @ weight.T + bias, for a non-trivial grad_output"""
    obs = {}
    for with_bias in (True, False):
        x, w = p.randn(5, 4).requires_grad_(), p.randn(3, 4).requires_grad_()
        b = p.randn(3).requires_grad_() if with_bias else None
        g = p.randn(5, 3)
        call = "linear(x, w, b)" if with_bias else "linear(x, w)"
        out = p.call(call, m.linear, x, w, b)
        obs[f"{call}.grad_fn is the node of your LinearFunction"] = (
            getattr(out.grad_fn, "_forward_cls", None) is m.LinearFunction
        )
        p.call(f"{call}.backward(g) with g of shape (5, 3)", out.backward, g)
        obs[f"after {call}.backward(g): x.grad"] = x.grad
        obs[f"after {call}.backward(g): w.grad"] = w.grad
        if with_bias:
            obs[f"after {call}.backward(g): b.grad"] = b.grad
    return obs


@check(points=2, task=2, builds_on=("linear_forward",), concept=GRADCHECK,
       hints=("Finite differences of your forward disagree with your backward: which gradient is off? Compare each "
              "returned gradient's shape and product with its input.",
              "Read the documentation of torch.autograd.gradcheck (its GradcheckError names the output and input "
              "whose Jacobian differs) and the docstring of LinearFunction.backward.",
              "torch.autograd.gradcheck(Square.apply, (v,)) with v = torch.randn(3, dtype=torch.float64, "
              "requires_grad=True) returns True once Square's backward is right."),
       forbid=("F.linear",))
def linear_gradcheck(m, p):
    """torch.autograd.gradcheck passes on linear in float64, with and without bias"""
    x, w, b = (p.randn(*s, dtype=torch.float64).requires_grad_() for s in ((4, 3), (2, 3), (2,)))
    return {
        "gradcheck(linear, (x, w, b)), float64, x (4, 3), w (2, 3), b (2,)": gradcheck(
            p, "gradcheck(linear, (x, w, b))", m.linear, x, w, b
        ),
        "gradcheck(linear, (x, w)) without bias": gradcheck(p, "gradcheck(linear, (x, w))", m.linear, x, w),
    }


@check(points=3, task=2, builds_on=("linear_forward", "linear_gradients"), concept=RETURNS,
       hints=("How many values must backward return, what shape must each have, and when should an entry be None?",
              "Read the docstring of LinearFunction.backward (the paragraph on returning exactly three values) and "
              "needs_input_grad in the documentation of torch.autograd.Function.",
              "A Function scale(v, s), s of shape (C,) broadcast over v of shape (N, C): backward returns two "
              "entries, v's gradient or None, then s's gradient summed over dim 0 to shape (C,), or None."))
def linear_backward_returns(m, p):
    """LinearFunction.backward returns exactly three values of the right shapes, None where no gradient is needed"""
    cases = (
        ("x, w, b all require grad", (True, True, True)),
        ("bias None; x, w require grad", (True, True, None)),
        ("only w requires grad (x, b do not)", (False, True, False)),
        ("only x requires grad (w, b do not)", (True, False, False)),
    )
    obs = {}
    for label, (need_x, need_w, need_b) in cases:
        x, w = p.randn(5, 4).requires_grad_(need_x), p.randn(3, 4).requires_grad_(need_w)
        b = None if need_b is None else p.randn(3).requires_grad_(need_b)
        g = p.randn(5, 3)
        where = (f"LinearFunction.backward(ctx, g) for x (5, 4), w (3, 4), {'b None' if b is None else 'b (3,)'}, "
                 f"g (5, 3); {label}")
        out = p.call(where, m.LinearFunction.apply, x, w, b)
        p.where = where
        obs.update({f"{where}: {k}": v for k, v in raw_backward(out, g, m.LinearFunction).items()})
    return obs


# --- Task 3: ClampSTE ----------------------------------------------------------------------------------------------


@check(points=1, task=3, concept="ClampSTE.forward clamps x to [min, max]",
       hints=("Which values of x change, and what do values below min and above max become?",
              "Read the docstrings of ClampSTE.forward and clamp_ste, and torch.clamp (both bounds).",
              "Limiting percentages to [0, 100]: torch.clamp(scores, 0, 100) keeps 42, turns -3 into 0 and 130 into "
              "100."))
def clamp_ste_forward(m, p):
    """clamp_ste(x, min, max) equals torch.clamp(x, min, max)"""
    x = p.randn(4, 5) * 2
    return {
        "clamp_ste(x, -1.0, 0.5), x (4, 5) with values on both sides": p.call(
            "clamp_ste(x, -1.0, 0.5)", m.clamp_ste, x, -1.0, 0.5
        ),
        "clamp_ste(x, 0.0, 3.0)": p.call("clamp_ste(x, 0.0, 3.0)", m.clamp_ste, x, 0.0, 3.0),
    }


@check(points=3, task=3, concept="the straight-through estimator: backward passes grad_output through unchanged "
                                 "everywhere (also where forward clamped), and None for the float arguments min and "
                                 "max",
       hints=("The straight-through estimator treats the clamp as the identity: what is the gradient of the "
              "identity, and what gradient do the float bounds get?",
              "Read the class docstring of ClampSTE and the 'Returns' paragraph of ClampSTE.backward; the docstring "
              "of clamp_ste says which call to make.",
              "A Function with forward(ctx, v, k), k an int, gets one backward entry per forward input: the "
              "tensor's gradient first, then None for k."))
def clamp_ste_backward(m, p):
    """clamp_ste's gradient is grad_output everywhere; backward returns (grad_x, None, None)"""
    x = (p.randn(4, 5) * 2).requires_grad_()
    g = p.randn(4, 5)
    y = p.call("clamp_ste(x, -1.0, 0.5)", m.clamp_ste, x, -1.0, 0.5)
    obs = {
        "clamp_ste(x, -1.0, 0.5).grad_fn is the node of your ClampSTE": (
            getattr(y.grad_fn, "_forward_cls", None) is m.ClampSTE
        )
    }
    p.where = "ClampSTE.backward(ctx, g)"
    obs.update({f"ClampSTE.backward(ctx, g), g (4, 5): {k}": v for k, v in raw_backward(y, g, m.ClampSTE).items()})
    p.call("clamp_ste(x, -1.0, 0.5).backward(g)", y.backward, g)
    obs["x.grad after clamp_ste(x, -1.0, 0.5).backward(g) (equals g everywhere)"] = x.grad
    return obs


# --- Task 4: LinearWithCustomGrad ----------------------------------------------------------------------------------


@check(points=2, task=4, concept="a layer's parameters as in a01 Linear: nn.Parameter weight (out, in) and bias "
                                 "(out,), uniform(-k, k) with k = 1/sqrt(in_features); with bias=False, "
                                 "register_parameter with None",
       hints=("Which attributes, parameters and initial values does a01's Linear have, and does your layer have the "
              "same ones?",
              "Read the docstring of LinearWithCustomGrad.__init__, and torch.nn.Parameter, "
              "torch.nn.Module.register_parameter and torch.Tensor.uniform_.",
              "A module with a trainable (C,) scale initialised in [-0.1, 0.1]: once the parent's __init__ has run, "
              "self.scale = nn.Parameter(torch.empty(C).uniform_(-0.1, 0.1))."))
def custom_linear_parameters(m, p):
    """LinearWithCustomGrad registers weight and bias like a01's Linear, initialised uniformly in [-k, k]"""
    obs = {}
    layer = p.call("LinearWithCustomGrad(4, 3)", m.LinearWithCustomGrad, 4, 3)
    obs.update({f"LinearWithCustomGrad(4, 3): {k}": v for k, v in registry(layer).items()})
    obs["LinearWithCustomGrad(4, 3): (in_features, out_features)"] = (getattr(layer, "in_features", None),
                                                                      getattr(layer, "out_features", None))
    layer = p.call("LinearWithCustomGrad(4, 3, bias=False)", m.LinearWithCustomGrad, 4, 3, bias=False)
    obs.update({f"LinearWithCustomGrad(4, 3, bias=False): {k}": v for k, v in registry(layer).items()})
    obs["LinearWithCustomGrad(4, 3, bias=False).bias is None"] = getattr(layer, "bias", "missing") is None
    obs.update(uniform_init_stats(p, "LinearWithCustomGrad", m.LinearWithCustomGrad))
    return obs


custom_linear_parameters.judge(keywise(*UNIFORM_INIT_RULES))


@check(points=2, task=4, builds_on=("linear_forward",),
       concept="LinearFunction works on 2-D inputs: flatten (..., in) to (-1, in), apply, and restore (..., out)",
       hints=("LinearFunction accepts only (N, in_features): how do you turn x of shape (..., in_features) into that, "
              "and the result back into (..., out_features)?",
              "Read the docstring of LinearWithCustomGrad.forward, torch.Tensor.reshape and torch.Tensor.shape.",
              "To apply a row-wise function f to a batch of shape (B, T, D): flat = t.reshape(-1, D), then "
              "f(flat).reshape(B, T, -1)."),
       forbid=("F.linear",))
def custom_linear_forward(m, p):
    """LinearWithCustomGrad(4, 3) maps inputs of shape (..., 4) to (..., 3)"""
    obs = {}
    layer = layer_with(p, m.LinearWithCustomGrad, p.randn(3, 4), p.randn(3), "LinearWithCustomGrad(4, 3)")
    for shape in ((5, 4), (2, 6, 4), (4,)):
        x = p.randn(*shape)
        where = f"LinearWithCustomGrad(4, 3) on x of shape {shape}"
        obs[where] = p.call(where, layer, x)
    layer = layer_with(p, m.LinearWithCustomGrad, p.randn(3, 4), None, "LinearWithCustomGrad(4, 3, bias=False)")
    x = p.randn(2, 5, 4)
    obs["LinearWithCustomGrad(4, 3, bias=False) on x of shape (2, 5, 4)"] = p.call(
        "LinearWithCustomGrad(4, 3, bias=False)(x)", layer, x
    )
    return obs


@check(points=3, task=4, builds_on=("linear_forward", "linear_gradients", "custom_linear_forward"),
       concept="a module whose forward calls LinearFunction.apply gets its gradients from LinearFunction.backward",
       hints=("Does your layer's forward go through LinearFunction, so that its backward is the one autograd "
              "calls?",
              "Read the docstring of LinearWithCustomGrad.forward (which call to make) and the module docstring of "
              "a02 on apply.",
              "A module built on a custom Square Function computes its forward as Square.apply(v), never v * v, so "
              "that Square.backward runs in backward()."),
       forbid=("F.linear",))
def custom_linear_backward(m, p):
    """loss.backward() through LinearWithCustomGrad runs LinearFunction.backward and gives autograd's gradients"""
    layer = layer_with(p, m.LinearWithCustomGrad, p.randn(3, 4), p.randn(3), "LinearWithCustomGrad(4, 3)")
    x = p.randn(2, 5, 4).requires_grad_()
    g = p.randn(2, 5, 3)
    with spy_static(m.LinearFunction, "backward") as calls:
        out = p.call("LinearWithCustomGrad(4, 3)(x), x of shape (2, 5, 4)", layer, x)
        p.call("out.backward(g), g of shape (2, 5, 3)", out.backward, g)
    return {
        "LinearFunction.backward ran during out.backward(g)": len(calls) > 0,
        "weight.grad": layer.weight.grad,
        "bias.grad": layer.bias.grad,
        "x.grad (shape (2, 5, 4))": x.grad,
    }


# --- Task 5: mse_loss_and_grad -------------------------------------------------------------------------------------


@check(points=2, task=5, concept="the MSE gradient by hand: the derivative of the mean of squared differences, with "
                                 "the factor 2 from the square and a division by the number of elements of pred (all "
                                 "of them, not the batch size)",
       hints=("Differentiate the mean of (pred - target)**2 with respect to one element of pred: which constant "
              "comes from the square, and which from the mean?",
              "Read the docstring of mse_loss_and_grad (it states both results) and torch.Tensor.numel.",
              "For the mean of cubes of d, mean(d**3), the gradient per element is 3 * d**2 / d.numel()."),
       forbid=("autograd",))
def mse_values(m, p):
    """mse_loss_and_grad returns mean((pred - target)**2) and 2 * (pred - target) / numel"""
    obs = {}
    for shape, dtype in (((2, 3), torch.float32), ((7,), torch.float64), ((2, 3, 4), torch.float32)):
        pred, target = p.randn(*shape, dtype=dtype), p.randn(*shape, dtype=dtype)
        where = f"mse_loss_and_grad(pred, target), shape {shape}, {str(dtype).replace('torch.', '')}"
        loss, grad = p.call(where, m.mse_loss_and_grad, pred, target)
        obs[f"{where}: loss"] = loss
        obs[f"{where}: grad"] = grad
    return obs


@check(points=1, task=5, builds_on=("mse_values",),
       concept="results computed by hand carry no autograd graph: compute under torch.no_grad() or .detach() them",
       hints=("When pred requires grad, does autograd record what you compute from it, and should the returned loss "
              "and grad remember that?",
              "Read the sentence on graph history in the docstring of mse_loss_and_grad, and torch.no_grad and "
              "torch.Tensor.detach.",
              "centred = (v - v.mean()).detach() has grad_fn None even when v requires grad."),
       forbid=("autograd",))
def mse_no_graph(m, p):
    """mse_loss_and_grad's loss and grad have no graph history even when pred requires grad"""
    obs = {}
    leaf = p.randn(3, 4).requires_grad_()
    target = p.randn(3, 4)
    for label, pred in (("a leaf with requires_grad=True", leaf), ("a non-leaf (leaf * 2)", leaf * 2)):
        loss, grad = p.call(f"mse_loss_and_grad(pred, target), pred {label}", m.mse_loss_and_grad, pred, target)
        for name, t in (("loss", loss), ("grad", grad)):
            obs[f"pred {label}: {name}.requires_grad"] = t.requires_grad
            obs[f"pred {label}: {name}.grad_fn is None"] = t.grad_fn is None
    obs["pred.grad is still None (no backward ran)"] = leaf.grad is None
    return obs


@check(points=1, task=5, concept="validating arguments: shapes that merely broadcast are a caller's bug; "
                                 "raise ValueError naming both shapes",
       hints=("pred of shape (2, 3) and target of shape (3,) broadcast without any error: should your function "
              "accept them?",
              "Read the 'Raises' paragraph of the docstring of mse_loss_and_grad.",
              "def dot(a, b): if len(a) != len(b): raise ValueError(f'a and b should have the same length, but got "
              "{len(a)} and {len(b)}')"),
       forbid=("autograd",))
def mse_validation(m, p):
    """mse_loss_and_grad raises ValueError when pred and target shapes differ"""
    obs = {}
    for a, b in (((2, 3), (3,)), ((4,), (4, 1)), ((2, 3), (3, 2))):
        where = f"mse_loss_and_grad(pred of shape {a}, target of shape {b})"
        obs[where] = expect_raise(p, where, m.mse_loss_and_grad, p.randn(*a), p.randn(*b))
    return obs

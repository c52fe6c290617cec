"""Grader of a03_optimizers: SGD and Adam written by overriding torch.optim.Optimizer.

Each check drives the implementation's optimizer on a small float64
linear-regression loss built from seeded inputs and records the parameters
after every step; the judge compares that trajectory with the reference's
(which matches ``torch.optim.SGD``/``Adam``/``AdamW``, see
``tests/test_reference_vs_torch.py``). The grader clears gradients itself
(``q.grad = None``) so a check depends only on ``step()``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn

from graders.engine import Tolerance, check

F64 = torch.float64
STEPS = 25
LR_CHANGE_AT = 12  # every group's lr is halved before this step (0-based)
TRAJECTORY = Tolerance(rtol=0.0, atol=1e-6)

NO_SGD = ("torch.optim.SGD",)
NO_ADAM = ("torch.optim.Adam",)

IN_PLACE = ("update every parameter in place under torch.no_grad() (p.add_(...), p.addcdiv_(...), p -= ...); "
            "rebinding p = p - lr * g makes a new tensor and leaves the parameter unchanged")
GROUPS = ("param groups: every group carries its own options, read from the group inside step() at every call "
          "(so a group's own lr, or group['lr'] changed between steps, takes effect)")
GROUPS_HINT = ("loop `for group in self.param_groups:` and read lr = group['lr'] (and the other options) there, "
               "not from self.defaults or from attributes saved in __init__")
CLOSURE = ("step(closure): the closure recomputes the loss and calls backward(), so step runs it under "
           "torch.enable_grad() (even when step itself is called under torch.no_grad()) and returns its loss")
CLOSURE_HINT = "loss = None; if closure is not None: with torch.enable_grad(): loss = closure()  ...  return loss"
SKIP = ("a parameter whose .grad is None (unused by the loss, frozen, or not reached at this step) is skipped: "
        "no update, no weight decay, no momentum or moment update")
SKIP_HINT = "start the loop body with `if p.grad is None: continue`, before any weight decay or state update"
RESUME = ("optimizer state lives in self.state[p]: state_dict() saves it and load_state_dict() restores it, "
          "so a run resumed from a saved state_dict continues the identical trajectory")


# ---------------------------------------------------------------- helpers


def weights(p) -> list[nn.Parameter]:
    """Seeded float64 parameters w (4, 3) and b (3,)."""
    return [nn.Parameter(p.randn(4, 3, dtype=F64)), nn.Parameter(p.randn(3, dtype=F64))]


def regression(p) -> tuple[list[nn.Parameter], Callable[[], Tensor]]:
    """Parameters [w, b] and the linear-regression loss mean((x @ w + b - y) ** 2) on seeded data."""
    x, y = p.randn(8, 4, dtype=F64), p.randn(8, 3, dtype=F64)
    w, b = weights(p)
    return [w, b], lambda: ((x @ w + b - y) ** 2).mean()


def options_text(options: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in options.items())


def run_steps(p, label: str, opt, params: list[Tensor], names: list[str], loss_fn: Callable[[int], Tensor],
              steps: int, first: int = 0, before_step: Callable[[int], None] | None = None) -> dict[str, Tensor]:
    """Take ``steps`` optimizer steps and return each parameter's values after every step.

    ``loss_fn(t)`` builds the loss of step ``t``; a parameter it does not use keeps ``.grad`` None.
    Gradients are cleared by the grader (``q.grad = None``), not by the optimizer's ``zero_grad``.
    """
    rows: list[list[Tensor]] = [[] for _ in params]
    for t in range(first, first + steps):
        if before_step is not None:
            before_step(t)
        for q in params:
            q.grad = None
        loss_fn(t).backward()
        p.call(f"{label}.step() (step {t + 1})", opt.step)
        for row, q in zip(rows, params):
            row.append(q.detach().clone())
    span = f"steps {first + 1}..{first + steps}"
    return {
        f"{label}: {n} after {span} (row k = after step {first + 1}+k)": torch.stack(r) for n, r in zip(names, rows)
    }


def trajectory(p, cls, label: str, **options: Any) -> dict[str, Tensor]:
    """``cls([w, b], **options)`` run for STEPS steps on the regression loss."""
    params, loss = regression(p)
    initial = params[0].detach().clone()
    opt = p.call(label, cls, params, **options)
    rows = run_steps(p, label, opt, params, ["w", "b"], lambda t: loss(), STEPS)
    first = next(iter(rows.values()))[0]
    return {f"{label}: the parameter w itself changed in place by step 1": not torch.equal(first, initial), **rows}


def halve_lr(opt) -> Callable[[int], None]:
    def before_step(t: int) -> None:
        if t == LR_CHANGE_AT:
            for group in opt.param_groups:
                group["lr"] *= 0.5

    return before_step


def grouped_run(p, cls, label: str, defaults: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Two param groups ([w] with the defaults, [b] with its own options), every lr halved before step 13."""
    (w, b), loss = regression(p)
    groups = [{"params": [w]}, {"params": [b], **second}]
    text = f"{label}([{{'params': [w]}}, {{'params': [b], {options_text(second)}}}], {options_text(defaults)})"
    opt = p.call(text, cls, groups, **defaults)
    obs = run_steps(p, f"{label}(two groups)", opt, [w, b], ["w", "b"], lambda t: loss(), STEPS,
                    before_step=halve_lr(opt))
    obs[f"every group's lr halved before step {LR_CHANGE_AT + 1}: group lrs after {STEPS} steps"] = [
        g["lr"] for g in opt.param_groups
    ]
    return obs


def partial_use(p, cls, label: str, **options: Any) -> tuple[Any, dict[str, Any], list[nn.Parameter]]:
    """w used at every step, b only at steps 1, 4, 7, ... (else b.grad is None), frozen never."""
    (w, b), regression_loss = regression(p)
    frozen = nn.Parameter(p.randn(5, dtype=F64))
    target = p.randn(3, dtype=F64)

    def loss(t: int) -> Tensor:
        value = ((torch.tanh(w.sum(0)) - target) ** 2).mean()
        return value + regression_loss() if t % 3 == 0 else value

    params = [w, b, frozen]
    text = f"{label}([w, b, frozen], {options_text(options)})"
    opt = p.call(text, cls, params, **options)
    obs = run_steps(p, text, opt, params,
                    ["w (grad at every step)", "b (grad only at steps 1, 4, 7, ...)", "frozen (grad always None)"],
                    loss, STEPS)
    return opt, obs, params


def closure_run(p, cls, label: str, **options: Any) -> dict[str, Any]:
    """5 steps of ``opt.step(closure)`` called under torch.no_grad(), then one plain ``opt.step()``."""
    params, loss_fn = regression(p)
    opt = p.call(label, cls, params, **options)
    calls: list[int] = []
    returned, counts = [], []

    def closure() -> Tensor:
        calls.append(1)
        for q in params:
            q.grad = None
        loss = loss_fn()
        loss.backward()
        return loss

    for t in range(5):
        calls.clear()
        with torch.no_grad():
            returned.append(p.call(f"with torch.no_grad(): {label}.step(closure) (step {t + 1})", opt.step, closure))
        counts.append(len(calls))
    obs: dict[str, Any] = {
        f"{label}.step(closure): number of closure calls at each of 5 steps": counts,
        f"{label}.step(closure) returns the closure's loss (5 steps)": returned,
    }
    obs["[w, b] after the 5 closure steps"] = [q.detach().clone() for q in params]
    for q in params:
        q.grad = None
    loss_fn().backward()
    obs[f"{label}.step() without a closure returns None"] = p.call(f"{label}.step()", opt.step) is None
    return obs


def constructed(cls, params: list[Tensor], **options: Any) -> str:
    cls(params, **options)
    return "constructed without error"


def attempts(p, cls, name: str, cases: list[dict[str, Any]]) -> dict[str, Any]:
    """Construct ``cls`` with each set of options: the ValueError raised, or that it was constructed."""
    obs = {}
    for options in cases:
        label = f"{name}(params, {options_text(options)})"
        obs[label] = p.attempt(label, constructed, cls, [nn.Parameter(p.randn(3, dtype=F64))], **options)
    return obs


def resume(p, cls, label: str, options: dict[str, Any], state_keys: tuple[str, ...]) -> dict[str, Any]:
    """10 steps, then copy.deepcopy(state_dict()) into a fresh optimizer over deep copies of the parameters, 15 more."""
    params = weights(p)
    x, y = p.randn(8, 4, dtype=F64), p.randn(8, 3, dtype=F64)

    def loss_of(w: Tensor, b: Tensor) -> Tensor:
        return ((torch.tanh(x @ w + b) - y) ** 2).mean()

    text = f"{label}([w, b], {options_text(options)})"
    opt = p.call(text, cls, params, **options)
    run_steps(p, text, opt, params, ["w", "b"], lambda t: loss_of(*params), 10)
    p.where = f"copy.deepcopy({text}.state_dict()) after 10 steps"
    saved = copy.deepcopy(opt.state_dict())
    obs: dict[str, Any] = {}
    state = saved.get("state", {}) if isinstance(saved, dict) else {}
    for i, name in enumerate(["w", "b"]):
        entry = state.get(i, {}) if isinstance(state, dict) else {}
        obs[f"{text}: keys of state_dict()['state'][{i}] ({name}) after 10 steps, among {list(state_keys)}"] = [
            k for k in state_keys if k in entry
        ]
        for k in state_keys:
            if k != "step":
                value = entry.get(k)  # cloned now: load_state_dict may keep this very tensor and update it in place
                obs[f"{text}: state_dict()['state'][{i}]['{k}'] after 10 steps"] = (
                    value.clone() if isinstance(value, Tensor) else value
                )
    copies = copy.deepcopy(params)
    fresh = p.call(f"a fresh {text} over deep copies of w and b", cls, copies, **options)
    p.call("fresh.load_state_dict(saved)", fresh.load_state_dict, saved)
    obs.update(run_steps(p, f"resumed {text}", fresh, copies, ["w", "b"], lambda t: loss_of(*copies),
                         STEPS - 10, first=10))
    return obs


def state_summary(opt, q: Tensor, name: str) -> dict[str, Any]:
    state = opt.state.get(q, {})
    step = state.get("step")
    obs: dict[str, Any] = {
        f"{name}: keys of opt.state[{name}] among ['step', 'exp_avg', 'exp_avg_sq']": [
            k for k in ("step", "exp_avg", "exp_avg_sq") if k in state
        ],
        f"{name}: int(opt.state[{name}]['step'])": None if step is None else int(float(step)),
    }
    for k in ("exp_avg", "exp_avg_sq"):
        value = state.get(k)
        obs[f"{name}: opt.state[{name}]['{k}']"] = value.clone() if isinstance(value, Tensor) else value
    return obs


# ---------------------------------------------------------------- SGD


@check(points=2, concept=f"an optimizer step: {IN_PLACE}",
       hint="with torch.no_grad(): for each p with a grad: p.add_(p.grad, alpha=-lr)  (or p -= lr * p.grad)",
       tol=TRAJECTORY, forbid=NO_SGD)
def sgd_plain_step(m, p):
    """SGD without momentum: p -= lr * grad, in place, for 25 steps"""
    obs = {}
    for options in ({"lr": 0.1}, {"lr": 0.05, "dampening": 0.3}):
        obs.update(trajectory(p, m.SGD, f"SGD([w, b], {options_text(options)})", **options))
    return obs


@check(points=3, concept="SGD momentum: the buffer starts as a copy of the first gradient (no dampening at step 1), "
       "then buf = momentum * buf + (1 - dampening) * g; the step uses buf, or g + momentum * buf with nesterov",
       hint="state = self.state[p]; on the first step state['momentum_buffer'] = g.clone(), afterwards "
       "buf.mul_(momentum).add_(g, alpha=1 - dampening); g = g.add(buf, alpha=momentum) if nesterov else buf",
       tol=TRAJECTORY, forbid=NO_SGD)
def sgd_momentum(m, p):
    """SGD with momentum, dampening and Nesterov matches torch.optim.SGD for 25 steps"""
    obs = {}
    for options in (
        {"lr": 0.1, "momentum": 0.9},
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.3},
        {"lr": 0.1, "momentum": 0.9, "nesterov": True},
        {"lr": 0.05, "momentum": 0.5, "nesterov": True},
    ):
        obs.update(trajectory(p, m.SGD, f"SGD([w, b], {options_text(options)})", **options))
    return obs


@check(points=2, concept="SGD weight decay is an L2 penalty added to the gradient, before momentum: "
                         "g = g + weight_decay * p",
       hint="if weight_decay != 0: g = g.add(p, alpha=weight_decay)  (a new tensor: never modify p.grad) "
            "before the momentum update",
       tol=TRAJECTORY, forbid=NO_SGD)
def sgd_weight_decay(m, p):
    """SGD with weight decay, alone and with every momentum option, matches torch.optim.SGD"""
    obs = {}
    for options in (
        {"lr": 0.1, "weight_decay": 0.1},
        {"lr": 0.1, "weight_decay": 0.1, "dampening": 0.3},
        {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1},
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.1},
        {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1, "nesterov": True},
    ):
        obs.update(trajectory(p, m.SGD, f"SGD([w, b], {options_text(options)})", **options))
    return obs


@check(points=2, concept=GROUPS, hint=GROUPS_HINT, tol=TRAJECTORY, forbid=NO_SGD)
def sgd_param_groups(m, p):
    """SGD uses each param group's own lr and momentum, and an lr changed between steps"""
    return grouped_run(p, m.SGD, "SGD", {"lr": 0.1, "momentum": 0.9}, {"lr": 0.02, "momentum": 0.5})


@check(points=1, concept=SKIP, hint=SKIP_HINT, tol=TRAJECTORY, forbid=NO_SGD)
def sgd_skips_missing_grads(m, p):
    """SGD skips parameters whose .grad is None (and keeps their momentum untouched)"""
    _, obs, _ = partial_use(p, m.SGD, "SGD", lr=0.1, momentum=0.9, weight_decay=0.1)
    return obs


@check(points=1, concept=CLOSURE, hint=CLOSURE_HINT, tol=TRAJECTORY, forbid=NO_SGD)
def sgd_closure(m, p):
    """SGD.step(closure) runs the closure with grad enabled and returns its loss"""
    return closure_run(p, m.SGD, "SGD([w, b], lr=0.1, momentum=0.9)", lr=0.1, momentum=0.9)


@check(points=2, concept=f"{RESUME} (SGD keeps state[p]['momentum_buffer'])",
       hint="keep the buffer in self.state[p]['momentum_buffer'], not in an attribute or a dict of your own",
       tol=TRAJECTORY, forbid=NO_SGD)
def sgd_state_dict_resume(m, p):
    """SGD keeps momentum_buffer in state: a run resumed from state_dict() continues identically"""
    obs = resume(p, m.SGD, "SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.2, "weight_decay": 0.05},
                 ("momentum_buffer",))
    obs.update(resume(p, m.SGD, "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True}, ("momentum_buffer",)))
    return obs


@check(points=1, concept="validating hyper-parameters in __init__: ValueError for a negative lr, momentum or "
       "weight_decay, and for nesterov=True without momentum > 0 and dampening == 0",
       hint="if not 0.0 <= lr: raise ValueError(f'lr should be a non-negative float, but got lr={lr}'); "
            "likewise for the others",
       forbid=NO_SGD)
def sgd_validation(m, p):
    """SGD raises ValueError for bad hyper-parameters and accepts valid edge values"""
    return attempts(p, m.SGD, "SGD", [
        {"lr": -1.0},
        {"lr": 0.1, "momentum": -0.5},
        {"lr": 0.1, "weight_decay": -0.001},
        {"lr": 0.1, "nesterov": True},
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True},
        {"lr": 0.0},
        {"lr": 0.1, "momentum": 0.5, "nesterov": True},
        {"lr": 0.1, "momentum": 0.0, "dampening": 0.5},
    ])


# ---------------------------------------------------------------- Adam


@check(points=3, concept="Adam's update with bias correction: t counts the parameter's own steps from 1 "
       "(state['step'] += 1 before use), m and v are corrected by 1 - beta1**t and 1 - beta2**t, eps is added after "
       "the square root",
       hint="t = state['step'] (after += 1); p.addcdiv_(m, v.sqrt() / math.sqrt(1 - beta2**t) + eps, "
       "value=-lr / (1 - beta1**t)), in place under torch.no_grad()",
       tol=TRAJECTORY, forbid=NO_ADAM)
def adam_step(m, p):
    """Adam with several betas and eps, and with its defaults, matches torch.optim.Adam for 25 steps"""
    obs = trajectory(p, m.Adam, "Adam([w, b])")
    for betas in ((0.9, 0.999), (0.5, 0.8)):
        for eps in (1e-8, 1e-2):
            options = {"lr": 0.05, "betas": betas, "eps": eps}
            obs.update(trajectory(p, m.Adam, f"Adam([w, b], {options_text(options)})", **options))
    return obs


@check(points=2, concept="two kinds of weight decay: L2 (decoupled=False, torch.optim.Adam) adds weight_decay * p to "
       "the gradient before the moments; decoupled (decoupled=True, AdamW) multiplies p by 1 - lr * weight_decay and "
       "leaves the gradient alone",
       hint="if decoupled: p.mul_(1 - lr * weight_decay) else: g = g.add(p, alpha=weight_decay); "
            "both before the moment updates",
       tol=TRAJECTORY, forbid=NO_ADAM)
def adam_weight_decay(m, p):
    """Adam with L2 and with decoupled (AdamW) weight decay matches torch.optim.Adam / AdamW"""
    obs = {}
    for decoupled in (False, True):
        for betas, eps in (((0.9, 0.999), 1e-8), ((0.5, 0.8), 1e-2)):
            options = {"lr": 0.05, "betas": betas, "eps": eps, "weight_decay": 0.1, "decoupled": decoupled}
            obs.update(trajectory(p, m.Adam, f"Adam([w, b], {options_text(options)})", **options))
    options = {"weight_decay": 0.01, "decoupled": True}
    obs.update(trajectory(p, m.Adam, f"Adam([w, b], {options_text(options)})", **options))
    return obs


@check(points=2, concept="per-parameter optimizer state: each parameter has its own state['step'], state['exp_avg'] "
       "and state['exp_avg_sq'] in self.state[p], new tensors even for parameters of the same shape",
       hint="if len(state) == 0: state['step'] = 0; state['exp_avg'] = torch.zeros_like(p); "
       "state['exp_avg_sq'] = torch.zeros_like(p)  (two new tensors per parameter)",
       tol=TRAJECTORY, forbid=NO_ADAM)
def adam_per_parameter_state(m, p):
    """Adam keeps step, exp_avg and exp_avg_sq per parameter, even for two parameters of the same shape"""
    a, b = nn.Parameter(p.randn(3, dtype=F64)), nn.Parameter(p.randn(3, dtype=F64))
    ta, tb = p.randn(3, dtype=F64), p.randn(3, dtype=F64)
    ca, cb = p.rand(3, dtype=F64) + 0.5, p.rand(3, dtype=F64) * 2 + 2

    def loss(t: int) -> Tensor:
        return (ca * (a - ta) ** 2).sum() + (cb * (b - tb) ** 2).sum() + 0.1 * (a * b).sum()

    label = "Adam([a, b], lr=0.05, betas=(0.8, 0.9))"
    opt = p.call(label, m.Adam, [a, b], lr=0.05, betas=(0.8, 0.9))
    obs = run_steps(p, label, opt, [a, b], ["a (shape (3,))", "b (shape (3,), other gradients)"], loss, 10)
    obs.update(state_summary(opt, a, "a"))
    obs.update(state_summary(opt, b, "b"))
    return obs


@check(points=2, concept=GROUPS, hint=GROUPS_HINT, tol=TRAJECTORY, forbid=NO_ADAM)
def adam_param_groups(m, p):
    """Adam uses each param group's own lr and betas, and an lr changed between steps"""
    return grouped_run(p, m.Adam, "Adam", {"lr": 0.05}, {"lr": 0.01, "betas": (0.5, 0.8)})


@check(points=1, concept=f"{SKIP}; its state is not created and its own step counter does not advance",
       hint=f"{SKIP_HINT}; keep t in self.state[p]['step'], not in one counter for the whole optimizer",
       tol=TRAJECTORY, forbid=NO_ADAM)
def adam_skips_missing_grads(m, p):
    """Adam skips parameters whose .grad is None: no update, no state, no step counted"""
    opt, obs, (w, b, frozen) = partial_use(p, m.Adam, "Adam", lr=0.05, weight_decay=0.1)
    obs["frozen (grad always None) has optimizer state"] = bool(opt.state.get(frozen))
    for name, q in (("w", w), ("b (9 steps with a grad)", b)):
        step = opt.state.get(q, {}).get("step")
        obs[f"int(opt.state[{name}]['step']) after {STEPS} steps"] = None if step is None else int(float(step))
    return obs


@check(points=1, concept=CLOSURE, hint=CLOSURE_HINT, tol=TRAJECTORY, forbid=NO_ADAM)
def adam_closure(m, p):
    """Adam.step(closure) runs the closure with grad enabled and returns its loss"""
    return closure_run(p, m.Adam, "Adam([w, b], lr=0.05)", lr=0.05)


@check(points=2, concept=f"{RESUME} (Adam keeps state[p]['step'], ['exp_avg'] and ['exp_avg_sq'])",
       hint="keep step, exp_avg and exp_avg_sq in self.state[p], not in attributes or dicts of your own",
       tol=TRAJECTORY, forbid=NO_ADAM)
def adam_state_dict_resume(m, p):
    """Adam keeps step, exp_avg, exp_avg_sq in state: a run resumed from state_dict() continues identically"""
    keys = ("step", "exp_avg", "exp_avg_sq")
    obs = resume(p, m.Adam, "Adam", {"lr": 0.05, "weight_decay": 0.1}, keys)
    obs.update(resume(p, m.Adam, "Adam",
                      {"lr": 0.05, "betas": (0.5, 0.8), "weight_decay": 0.1, "decoupled": True}, keys))
    return obs


@check(points=1, concept="validating hyper-parameters in __init__: ValueError for lr < 0, eps < 0, a beta outside "
       "[0, 1) or weight_decay < 0",
       hint="beta1, beta2 = betas; if not 0.0 <= beta1 < 1.0: raise "
            "ValueError(f'betas[0] should be in [0, 1), but got {beta1}'); likewise the others",
       forbid=NO_ADAM)
def adam_validation(m, p):
    """Adam raises ValueError for bad hyper-parameters and accepts valid edge values"""
    return attempts(p, m.Adam, "Adam", [
        {"lr": -1.0},
        {"eps": -1e-8},
        {"betas": (1.0, 0.999)},
        {"betas": (0.9, 1.0)},
        {"betas": (-0.1, 0.999)},
        {"betas": (0.9, -0.1)},
        {"weight_decay": -0.1},
        {"weight_decay": -0.1, "decoupled": True},
        {"lr": 0.0, "betas": (0.0, 0.0), "eps": 0.0},
        {"weight_decay": 0.5, "decoupled": True},
    ])

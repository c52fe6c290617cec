"""Grader of a03_optimizers: SGD and Adam written by overriding torch.optim.Optimizer.

The basic update checks (``sgd_plain_step``, ``sgd_momentum``,
``sgd_weight_decay``, ``adam_step``, ``adam_weight_decay``) drive the
implementation's optimizer on a small float64 loss built from seeded inputs,
record the parameters after every step and compare that trajectory with the
reference's (which matches ``torch.optim.SGD``/``Adam``/``AdamW``, see
``tests/test_reference_vs_torch.py``).

The feature checks are metamorphic: they compare two runs of the student's
own optimizer, so a mistake in the basic update fails only the basic check. A
param group with options must move its parameters like the student's own
single-group optimizer with those options; a run resumed from a saved
``state_dict()`` must continue the student's own uninterrupted run; a
parameter whose ``.grad`` is None must stay put while the others move as in
the student's own run without it; ``step(closure)`` must return what the
closure returned and move the parameters like plain ``step()`` calls. Such an
observation is a pair ``{"this run": ..., "your own run": ...}`` that the
judge compares within the student's observation (the reference's pair is
equal too). Every feature check also builds on the basic step check of its
optimizer: when that one fails (a crash, a forbidden shortcut), the feature
checks say "fix that check first". The grader clears gradients itself
(``q.grad = None``) so a check depends only on ``step()``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn

from graders.engine import Tolerance, check
from graders.engine.judges import own_runs, same_as_own

TASKS = {1: ("SGD.__init__", "SGD.step"), 2: ("Adam.__init__", "Adam.step")}

F64 = torch.float64
STEPS = 25
LR_CHANGE_AT = 12  # every group's lr is halved before this step (0-based)
TRAJECTORY = Tolerance(rtol=0.0, atol=1e-6)

NO_SGD = ("torch.optim.SGD",)
NO_ADAM = ("torch.optim.Adam",)

IN_PLACE = ("an optimizer step changes each parameter in place under torch.no_grad(), since autograd must not record "
            "the update, and rebinding the name to a new tensor leaves the parameter itself unchanged")
IN_PLACE_HINTS = (
    "After step(), does the parameter object the model holds have new values, or did only a local name get a new "
    "tensor? And should autograd record the update?",
    "Look at torch.no_grad and the in-place tensor methods (torch.Tensor.add_, torch.Tensor.sub_, the -= operator); "
    "the module docstring of a03 explains why rebinding a name does not change a parameter.",
    "For a running mean kept in a tensor avg, inside a torch.no_grad() block: `avg.mul_(0.9).add_(reading, "
    "alpha=0.1)` changes avg itself, while `avg = 0.9 * avg + 0.1 * reading` only rebinds a local name.",
)
GROUPS = ("param groups: every group carries its own options, read from the group inside step() at every call "
          "(so a group's own lr, or an lr changed between steps, takes effect)")
GROUPS_HINTS = (
    "Where do a group's own options live, and when does your step() read them? If someone changes a group's lr "
    "between two steps, does your next step notice?",
    "torch.optim.Optimizer.param_groups: a list of dicts, each holding 'params' and that group's options (the base "
    "class fills the missing ones from defaults); see the docstring of step: 'reading ... from each param group at "
    "every call'.",
    "A learning-rate scheduler does `for g in opt.param_groups: g['lr'] *= 0.1`; an optimizer that copied lr into "
    "an attribute in __init__ never sees that change.",
)
CLOSURE = ("step(closure): the closure recomputes the loss and calls backward(), so step calls it first, once, "
           "under torch.enable_grad() (even when step itself is called under torch.no_grad()), and returns its loss")
CLOSURE_HINTS = (
    "When must the closure run, does it need grad mode while your update runs without it, and what should step "
    "hand back to its caller?",
    "The first sentences of the docstring of step and its 'Returns' paragraph; see torch.enable_grad and "
    "'optimizer.step(closure)' in the documentation of torch.optim.",
    "A helper that must build a graph even when its caller turned grad off computes y = f(x) inside a "
    "torch.enable_grad() block; a wrapper that hands back what it called: `out = fn(); log(out); return out`.",
)
SKIP = ("a parameter whose .grad is None (unused by the loss, frozen, or not reached at this step) is skipped: "
        "no update, no weight decay, no momentum or moment update")
SKIP_HINTS = (
    "What should happen to a parameter that got no gradient at this step: should it move, decay, or touch its "
    "momentum?",
    "The SGD class docstring: 'parameters whose .grad is None are skipped'; the skip comes before anything else "
    "is done with that parameter.",
    "A loop over items that leaves some out: `for item in items: if item.data is None: continue` and only then the "
    "work on that item.",
)
ADAM_SKIP_HINTS = (
    "A parameter without a gradient at this step: should it move, decay, get state, or count a step? Whose step "
    "counter does its bias correction use?",
    "The docstring of Adam.step: 'Skip parameters whose .grad is None (their state is not created and their step "
    "counter does not advance)'; the counter is kept per parameter, in self.state[p].",
    "Counting per key rather than globally: `seen[key] = seen.get(key, 0) + 1` gives each key its own count, which "
    "one `self.calls += 1` cannot.",
)
RESUME = ("optimizer state lives in self.state[p]: state_dict() saves it and load_state_dict() restores it, "
          "so a run resumed from a saved state_dict continues the identical trajectory")
RESUME_HINTS = (
    "Where does your optimizer keep what it remembers between steps? Would a fresh optimizer that loads "
    "state_dict() know all of it?",
    "torch.optim.Optimizer.state (a defaultdict keyed by parameter) is what torch.optim.Optimizer.state_dict saves "
    "and load_state_dict restores; attributes of your own are not saved.",
    "`opt.state[q]['visits'] = 3` survives `fresh.load_state_dict(copy.deepcopy(opt.state_dict()))`; "
    "`self.visits = {q: 3}` does not.",
)


# ---------------------------------------------------------------- judging pairs of the student's own runs


judge_own_runs = own_runs(TRAJECTORY)  # the judge of every metamorphic check in this file


# ---------------------------------------------------------------- helpers


def weights(p) -> list[nn.Parameter]:
    """Seeded float64 parameters w (4, 3) and b (3,)."""
    return [nn.Parameter(p.randn(4, 3, dtype=F64)), nn.Parameter(p.randn(3, dtype=F64))]


def copies(params: list[Tensor]) -> list[nn.Parameter]:
    """New parameters with the same values (for a second run from the same start)."""
    return [nn.Parameter(q.detach().clone()) for q in params]


def regression(p) -> tuple[list[nn.Parameter], Callable[[Tensor, Tensor], Tensor]]:
    """Parameters [w, b] and a linear-regression loss of (w, b) on seeded data."""
    x, y = p.randn(8, 4, dtype=F64), p.randn(8, 3, dtype=F64)
    return weights(p), lambda w, b: ((x @ w + b - y) ** 2).mean()


def separable(p) -> tuple[list[nn.Parameter], Callable[[Tensor], Tensor], Callable[[Tensor], Tensor]]:
    """Parameters [w, b] and two losses, one of w alone and one of b alone, on seeded data.

    Their sum has the same gradients as each loss on its own parameter, so a run over [w, b] can be compared
    with runs over [w] and over [b] alone.
    """
    x, y, c = p.randn(8, 4, dtype=F64), p.randn(8, 3, dtype=F64), p.randn(3, dtype=F64) * 0.5
    w, b = weights(p)
    return [w, b], (lambda w_: ((x @ w_ - y) ** 2).mean()), (lambda b_: ((torch.tanh(b_) - c) ** 2).mean())


def options_text(options: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in options.items())


def run(p, label: str, opt, params: list[Tensor], loss_fn: Callable[[int], Tensor], steps: int, first: int = 0,
        before_step: Callable[[int], None] | None = None, zero_in_place: bool = False) -> list[Tensor]:
    """Take ``steps`` optimizer steps; each parameter's values after every step, stacked (row k: after step k+1).

    ``loss_fn(t)`` builds the loss of step ``t``; a parameter it does not use keeps ``.grad`` None.
    Gradients are cleared by the grader (``q.grad = None``), not by the optimizer's ``zero_grad``; with
    ``zero_in_place`` they are zeroed in place instead, as ``zero_grad(set_to_none=False)`` does, so the
    same ``.grad`` tensor receives every step's gradient.
    """
    rows: list[list[Tensor]] = [[] for _ in params]
    for t in range(first, first + steps):
        if before_step is not None:
            before_step(t)
        for q in params:
            if zero_in_place and q.grad is not None:
                q.grad.zero_()
            else:
                q.grad = None
        loss_fn(t).backward()
        p.call(f"{label}.step() (step {t + 1})", opt.step)
        for row, q in zip(rows, params):
            row.append(q.detach().clone())
    return [torch.stack(r) for r in rows]


def span(first: int, steps: int) -> str:
    return f"after steps {first + 1}..{first + steps} (row k: after step {first + 1}+k)"


def run_steps(p, label: str, opt, params: list[Tensor], names: list[str], loss_fn: Callable[[int], Tensor],
              steps: int, zero_in_place: bool = False) -> dict[str, Tensor]:
    """:func:`run`, as observations named by ``label`` and the parameters' ``names``."""
    rows = run(p, label, opt, params, loss_fn, steps, zero_in_place=zero_in_place)
    return {f"{label}: {n} {span(0, steps)}": r for n, r in zip(names, rows)}


def trajectory(p, cls, label: str, zero_in_place: bool = False, **options: Any) -> dict[str, Any]:
    """``cls([w, b], **options)`` run for STEPS steps on the regression loss (``zero_in_place``: see :func:`run`)."""
    params, loss = regression(p)
    initial = params[0].detach().clone()
    opt = p.call(label, cls, params, **options)
    rows = run_steps(p, label, opt, params, ["w", "b"], lambda t: loss(*params), STEPS, zero_in_place)
    first = next(iter(rows.values()))[0]
    return {f"{label}: the parameter w itself changed in place by step 1": not torch.equal(first, initial), **rows}


def halve_lr_at(opt, at: int) -> Callable[[int], None]:
    def before_step(t: int) -> None:
        if t == at:
            for group in opt.param_groups:
                group["lr"] *= 0.5

    return before_step


def grouped_run(p, cls, label: str, defaults: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Two param groups ([w] with the defaults, [b] with its own options) against the student's own
    single-group optimizers ``cls([w], **defaults)`` and ``cls([b], **second)``; then the same two groups with
    every group's lr halved before step 13, whose step 13 must move each parameter half as far."""
    (w0, b0), loss_w, loss_b = separable(p)
    text = f"{label}([{{'params': [w]}}, {{'params': [b], {options_text(second)}}}], {options_text(defaults)})"

    def two_groups(steps: int, halve: bool) -> list[Tensor]:
        w, b = copies([w0, b0])
        opt = p.call(text, cls, [{"params": [w]}, {"params": [b], **second}], **defaults)
        return run(p, text, opt, [w, b], lambda t: loss_w(w) + loss_b(b), steps,
                   before_step=halve_lr_at(opt, LR_CHANGE_AT) if halve else None)

    grouped = two_groups(STEPS, halve=False)
    obs: dict[str, Any] = {
        f"{text}: w and b both moved during {STEPS} steps": all(not torch.equal(r[-1], q) for r, q in
                                                                zip(grouped, (w0, b0)))
    }
    for name, start, options, loss, rows in (("w", w0, defaults, loss_w, grouped[0]),
                                              ("b", b0, {**defaults, **second}, loss_b, grouped[1])):
        (q,) = copies([start])
        alone = f"{label}([{name}], {options_text(options)})"
        opt = p.call(alone, cls, [q], **options)
        (own,) = run(p, alone, opt, [q], lambda t, q=q, loss=loss: loss(q), STEPS)
        obs[f"{text}: {name} {span(0, STEPS)}, against your own {alone}"] = same_as_own(rows, own)
    halved = two_groups(LR_CHANGE_AT + 1, halve=True)
    at = LR_CHANGE_AT
    for i, name in enumerate(("w", "b")):
        move_halved = halved[i][at] - halved[i][at - 1]
        move = grouped[i][at] - grouped[i][at - 1]
        obs[f"{text} with every group's lr halved before step {at + 1}: how far {name} moves at step {at + 1}, "
            f"against half the move of your own run without the change"] = same_as_own(move_halved, 0.5 * move)
    return obs


def partial_use(p, cls, label: str, **options: Any) -> tuple[Any, dict[str, Any], list[nn.Parameter]]:
    """``cls([w, b, frozen])``: w has a gradient at every step, b only at steps 1, 4, 7, ... (else b.grad is None),
    frozen never. Against the student's own runs: w as ``cls([w])`` alone, b as ``cls([b])`` alone stepped only at
    its 9 steps with a gradient (unchanged in between), frozen unchanged."""
    (w, b), loss_w, loss_b = separable(p)
    frozen = nn.Parameter(p.randn(5, dtype=F64))
    start_w, start_b, start_frozen = copies([w, b, frozen])
    initial = [w.detach().clone(), b.detach().clone()]
    has_grad = [t for t in range(STEPS) if t % 3 == 0]

    text = f"{label}([w, b, frozen], {options_text(options)})"
    opt = p.call(text, cls, [w, b, frozen], **options)
    rows = run(p, text, opt, [w, b, frozen], lambda t: loss_w(w) + loss_b(b) if t % 3 == 0 else loss_w(w), STEPS)

    alone_w = f"{label}([w], {options_text(options)})"
    opt_w = p.call(alone_w, cls, [start_w], **options)
    (own_w,) = run(p, alone_w, opt_w, [start_w], lambda t: loss_w(start_w), STEPS)
    alone_b = f"{label}([b], {options_text(options)})"
    opt_b = p.call(alone_b, cls, [start_b], **options)
    (own_b,) = run(p, alone_b, opt_b, [start_b], lambda t: loss_b(start_b), len(has_grad))
    own_b_each_step = torch.stack([own_b[sum(s <= t for s in has_grad) - 1] for t in range(STEPS)])

    obs = {
        f"{text}: w and b both moved during {STEPS} steps": all(not torch.equal(r[-1], q) for r, q in
                                                                zip(rows, initial)),
        f"{text}: frozen (grad always None) {span(0, STEPS)}, against its initial value":
            same_as_own(rows[2], start_frozen.detach().expand_as(rows[2]).clone()),
        f"{text}: w (grad at every step) {span(0, STEPS)}, against your own {alone_w} alone":
            same_as_own(rows[0], own_w),
        f"{text}: b (grad only at steps 1, 4, 7, ...) {span(0, STEPS)}, against your own {alone_b} stepped only at "
        "those 9 steps (and unchanged in between)": same_as_own(rows[1], own_b_each_step),
    }
    return opt, obs, [w, b, frozen]


def closure_run(p, cls, label: str, **options: Any) -> dict[str, Any]:
    """5 steps of ``opt.step(closure)`` called under torch.no_grad(), against 5 plain ``step()`` calls of the
    student's own optimizer; then one plain ``opt.step()``."""
    params, loss_fn = regression(p)
    start = copies(params)
    opt = p.call(label, cls, params, **options)
    calls: list[bool] = []
    losses: list[Tensor] = []

    def closure() -> Tensor:
        calls.append(torch.is_grad_enabled())
        for q in params:
            q.grad = None
        loss = loss_fn(*params)
        if loss.requires_grad:
            loss.backward()
        losses.append(loss)
        return loss

    counts, grad_mode, types, same = [], [], [], []
    for t in range(5):
        calls.clear()
        losses.clear()
        with torch.no_grad():
            ret = p.call(f"{label}.step(closure) inside a torch.no_grad() block (step {t + 1})", opt.step, closure)
        counts.append(len(calls))
        grad_mode.append(all(calls) if calls else None)
        types.append(type(ret).__name__)
        same.append(bool(losses) and (ret is losses[-1] or (isinstance(ret, Tensor) and torch.equal(ret, losses[-1]))))
    after = [q.detach().clone() for q in params]

    own = p.call(f"your own {label}", cls, start, **options)
    own_rows = run(p, f"your own {label}", own, start, lambda t: loss_fn(*start), 5)
    return {
        f"{label}.step(closure): number of closure calls at each of 5 steps": counts,
        f"{label}.step(closure) inside a torch.no_grad() block: torch.is_grad_enabled() inside the closure "
        "(5 steps)": grad_mode,
        f"{label}.step(closure): type of the returned value (5 steps)": types,
        f"{label}.step(closure) returns the loss the closure returned (5 steps)": same,
        f"[w, b] after 5 {label}.step(closure) calls, against your own 5 plain {label}.step() calls":
            same_as_own(after, [r[-1] for r in own_rows]),
        f"{label}.step() without a closure returns None": p.call(f"{label}.step()", opt.step) is None,
    }


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
    """10 steps, then copy.deepcopy(state_dict()) loaded into a fresh optimizer over copies of the parameters:
    its next 15 steps against the student's own optimizer continuing without interruption."""
    params = weights(p)
    x, y = p.randn(8, 4, dtype=F64), p.randn(8, 3, dtype=F64)

    def loss_of(w: Tensor, b: Tensor) -> Tensor:
        return ((torch.tanh(x @ w + b) - y) ** 2).mean()

    text = f"{label}([w, b], {options_text(options)})"
    opt = p.call(text, cls, params, **options)
    run(p, text, opt, params, lambda t: loss_of(*params), 10)
    p.where = f"copy.deepcopy({text}.state_dict()) after 10 steps"
    saved = copy.deepcopy(opt.state_dict())
    obs: dict[str, Any] = {}
    state = saved.get("state", {}) if isinstance(saved, dict) else {}
    for i, name in enumerate(["w", "b"]):
        entry = state.get(i, {}) if isinstance(state, dict) else {}
        obs[f"{text}: keys of state_dict()['state'][{i}] ({name}) after 10 steps, among {list(state_keys)}"] = [
            k for k in state_keys if k in entry
        ]
    resumed_params = copies(params)
    fresh = p.call(f"a fresh {text} over copies of w and b", cls, resumed_params, **options)
    p.call("fresh.load_state_dict(saved)", fresh.load_state_dict, saved)
    resumed = run(p, f"resumed {text}", fresh, resumed_params, lambda t: loss_of(*resumed_params), STEPS - 10, 10)
    uninterrupted = run(p, text, opt, params, lambda t: loss_of(*params), STEPS - 10, 10)
    for name, this, own in zip(["w", "b"], resumed, uninterrupted):
        obs[f"resumed {text}: {name} {span(10, STEPS - 10)}, against your own run that was not interrupted"] = (
            same_as_own(this, own)
        )
    return obs


def moment(opt, q: Tensor, key: str) -> Tensor | None:
    value = opt.state.get(q, {}).get(key)
    return value.clone() if isinstance(value, Tensor) else None


def distinct(opt, first: tuple[Tensor, str], second: tuple[Tensor, str]) -> bool | None:
    """Whether two state tensors are different tensors (None when one is missing)."""
    x, y = (opt.state.get(q, {}).get(key) for q, key in (first, second))
    if not isinstance(x, Tensor) or not isinstance(y, Tensor):
        return None
    return x is not y and x.data_ptr() != y.data_ptr()


# ---------------------------------------------------------------- SGD


@check(points=2, task=1, concept=IN_PLACE, hints=IN_PLACE_HINTS, tol=TRAJECTORY, forbid=NO_SGD)
def sgd_plain_step(m, p):
    """SGD without momentum moves each parameter against its gradient, in place, for 25 steps"""
    obs = {}
    for options in ({"lr": 0.1}, {"lr": 0.05, "dampening": 0.3}):
        obs.update(trajectory(p, m.SGD, f"SGD([w, b], {options_text(options)})", **options))
    return obs


@check(points=3, task=1, builds_on=("sgd_plain_step",),
       concept="SGD momentum: the buffer starts as a copy of the first gradient (no dampening at step 1), then decays "
               "by momentum and takes in each new gradient scaled by 1 - dampening; the step follows the buffer, or "
               "with nesterov the gradient plus momentum times the buffer",
       hints=("What does the momentum buffer hold after the very first step, how does each later gradient enter it, "
              "and what does Nesterov add on top?",
              "Step 2 of the SGD class docstring, and the update rule in the documentation of torch.optim.SGD; the "
              "buffer lives in self.state[p]['momentum_buffer'].",
              "A running maximum kept in a dict d: the first reading is stored as a copy (d['max'] = r.clone()), "
              "every later one updates that tensor in place (torch.maximum(d['max'], r, out=d['max']))."),
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
    # The same .grad tensor every step (zero_grad(set_to_none=False)): a buffer that is p.grad itself, not a copy,
    # is zeroed and refilled with it.
    label = "SGD([w, b], lr=0.1, momentum=0.9) with .grad zeroed in place between steps (zero_grad(set_to_none=False))"
    obs.update(trajectory(p, m.SGD, label, zero_in_place=True, lr=0.1, momentum=0.9))
    return obs


@check(points=2, task=1, builds_on=("sgd_plain_step", "sgd_momentum"),
       concept="SGD weight decay is an L2 penalty: weight_decay times the parameter joins the gradient before "
               "momentum (in a new tensor: p.grad itself stays untouched)",
       hints=("The penalty (weight_decay / 2) * ||p||^2 adds which term to the gradient, and does the momentum "
              "buffer see that term?",
              "Step 1 of the SGD class docstring: weight decay changes g before step 2 (momentum); see the "
              "weight_decay argument of torch.optim.SGD.",
              "Gradient clipping sits at the same spot: `g = g.clamp(-1.0, 1.0)` builds a new tensor from the "
              "gradient before any buffer sees it, and leaves p.grad as it was."),
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


@check(points=2, task=1, builds_on=("sgd_plain_step",), concept=GROUPS, hints=GROUPS_HINTS, forbid=NO_SGD)
def sgd_param_groups(m, p):
    """SGD moves each param group like its own single-group SGD, and follows an lr changed between steps"""
    return grouped_run(p, m.SGD, "SGD", {"lr": 0.1, "momentum": 0.9}, {"lr": 0.02, "momentum": 0.5})


@check(points=1, task=1, builds_on=("sgd_plain_step",), concept=SKIP, hints=SKIP_HINTS, forbid=NO_SGD)
def sgd_skips_missing_grads(m, p):
    """SGD leaves parameters whose .grad is None alone and moves the others as without them"""
    _, obs, _ = partial_use(p, m.SGD, "SGD", lr=0.1, momentum=0.9, weight_decay=0.1)
    return obs


@check(points=1, task=1, builds_on=("sgd_plain_step",), concept=CLOSURE, hints=CLOSURE_HINTS, forbid=NO_SGD)
def sgd_closure(m, p):
    """SGD.step(closure) runs the closure once with grad enabled and returns its loss"""
    return closure_run(p, m.SGD, "SGD([w, b], lr=0.1, momentum=0.9)", lr=0.1, momentum=0.9)


@check(points=2, task=1, builds_on=("sgd_plain_step",),
       concept=f"{RESUME} (SGD keeps its momentum buffer in state[p]['momentum_buffer'])", hints=RESUME_HINTS,
       forbid=NO_SGD)
def sgd_state_dict_resume(m, p):
    """SGD keeps momentum_buffer in state: a run resumed from state_dict() continues like the uninterrupted run"""
    obs = resume(p, m.SGD, "SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.2, "weight_decay": 0.05},
                 ("momentum_buffer",))
    obs.update(resume(p, m.SGD, "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True}, ("momentum_buffer",)))
    return obs


@check(points=1, task=1,
       concept="validating hyper-parameters in __init__: ValueError for a negative lr, momentum or weight_decay, and "
               "for nesterov=True without momentum > 0 and dampening == 0",
       hints=("Which values of the hyper-parameters make no sense, which edge values are still fine, and where "
              "should a bad value be refused?",
              "The 'Raises' paragraph of the docstring of SGD.__init__ lists every case; ValueError is the exception "
              "for a value of the right type that is not allowed.",
              "For a dropout probability: `if not 0.0 <= p_drop <= 1.0: raise ValueError(f'p_drop should be in "
              "[0, 1], but got p_drop={p_drop}')` (0 and 1 themselves are allowed)."),
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


sgd_param_groups.judge(judge_own_runs)
sgd_skips_missing_grads.judge(judge_own_runs)
sgd_closure.judge(judge_own_runs)
sgd_state_dict_resume.judge(judge_own_runs)


# ---------------------------------------------------------------- Adam


@check(points=3, task=2,
       concept="Adam's update with bias correction, in place under torch.no_grad(), where t counts the parameter's own "
               "steps from 1, the two moments (exp_avg and exp_avg_sq, separate tensors) are corrected by "
               "1 - beta1**t and 1 - beta2**t, and eps is added after the square root",
       hints=("Which step number t does the very first update use, what do the two bias corrections undo, and where "
              "does eps enter relative to the square root?",
              "Steps 1, 3 and 4 of the Adam class docstring; compare with the algorithm box in the documentation of "
              "torch.optim.Adam.",
              "A running mean of readings that starts at 0: after n updates avg = beta * avg + (1 - beta) * r, the "
              "unbiased value is avg / (1 - beta**n), with n counted from 1 at the first reading."),
       tol=TRAJECTORY, forbid=NO_ADAM)
def adam_step(m, p):
    """Adam with several betas and eps, and with its defaults, matches torch.optim.Adam for 25 steps"""
    obs = trajectory(p, m.Adam, "Adam([w, b])")
    for betas in ((0.9, 0.999), (0.5, 0.8)):
        for eps in (1e-8, 1e-2):
            options = {"lr": 0.05, "betas": betas, "eps": eps}
            obs.update(trajectory(p, m.Adam, f"Adam([w, b], {options_text(options)})", **options))
    return obs


@check(points=2, task=2, builds_on=("adam_step",),
       concept="two kinds of weight decay: L2 (decoupled=False, torch.optim.Adam) adds the penalty's gradient before "
               "the moments; decoupled (decoupled=True, AdamW) shrinks the parameter itself by a factor that "
               "involves both lr and weight_decay, and leaves the gradient alone",
       hints=("Does the decay change the gradient that the moments see, or the parameter itself? Which of the two "
              "is AdamW, and how large is the shrink at one step?",
              "Step 2 of the Adam class docstring and the 'decoupled' argument of Adam.__init__; compare the "
              "algorithm boxes of torch.optim.Adam and torch.optim.AdamW.",
              "Two places a change can enter: before the statistics (a new gradient tensor fed to the moment "
              "updates) or outside them (the parameter itself, e.g. `v.mul_(0.99)` shrinks v by 1% in place)."),
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


@check(points=2, task=2, builds_on=("adam_step",),
       concept="per-parameter optimizer state: each parameter has its own state['step'], state['exp_avg'] and "
               "state['exp_avg_sq'] in self.state[p], new tensors even for parameters of the same shape",
       hints=("Does each parameter get moment tensors of its own, or could two parameters (or the two moments of "
              "one parameter) end up sharing a tensor?",
              "torch.optim.Optimizer.state is keyed by the parameter; the docstring of Adam.step says how a "
              "parameter's state is created on its first update; torch.zeros_like makes a new tensor at every call.",
              "`u = v = torch.zeros(3)` gives one tensor with two names (u.add_(1) changes v too); "
              "`u, v = torch.zeros(3), torch.zeros(3)` gives two."),
       forbid=NO_ADAM)
def adam_per_parameter_state(m, p):
    """Adam keeps step, exp_avg and exp_avg_sq per parameter, even for two parameters of the same shape"""
    a, b = nn.Parameter(p.randn(3, dtype=F64)), nn.Parameter(p.randn(3, dtype=F64))
    ta, tb = p.randn(3, dtype=F64), p.randn(3, dtype=F64)
    ca, cb = p.rand(3, dtype=F64) + 0.5, p.rand(3, dtype=F64) * 2 + 2
    losses = {"a": lambda q: (ca * (q - ta) ** 2).sum(), "b": lambda q: (cb * (q - tb) ** 2).sum()}
    starts = dict(zip("ab", copies([a, b])))

    label = "Adam([a, b], lr=0.05, betas=(0.8, 0.9))"
    opt = p.call(label, m.Adam, [a, b], lr=0.05, betas=(0.8, 0.9))
    rows = dict(zip("ab", run(p, label, opt, [a, b], lambda t: losses["a"](a) + losses["b"](b), 10)))
    obs: dict[str, Any] = {}
    keys = ("step", "exp_avg", "exp_avg_sq")
    for name, q in (("a", a), ("b", b)):
        state = opt.state.get(q, {})
        obs[f"{label}: keys of opt.state[{name}] after 10 steps, among {list(keys)}"] = [k for k in keys if k in state]
        step = state.get("step")
        obs[f"{label}: int(opt.state[{name}]['step']) after 10 steps"] = None if step is None else int(float(step))
    obs[f"{label}: opt.state[a]['exp_avg'] and opt.state[b]['exp_avg'] are different tensors"] = distinct(
        opt, (a, "exp_avg"), (b, "exp_avg"))
    obs[f"{label}: opt.state[a]['exp_avg_sq'] and opt.state[b]['exp_avg_sq'] are different tensors"] = distinct(
        opt, (a, "exp_avg_sq"), (b, "exp_avg_sq"))
    obs[f"{label}: opt.state[a]['exp_avg'] and opt.state[a]['exp_avg_sq'] are different tensors"] = distinct(
        opt, (a, "exp_avg"), (a, "exp_avg_sq"))
    for name, q in (("a", a), ("b", b)):
        start = starts[name]
        alone = f"Adam([{name}], lr=0.05, betas=(0.8, 0.9))"
        own = p.call(alone, m.Adam, [start], lr=0.05, betas=(0.8, 0.9))
        (own_rows,) = run(p, alone, own, [start], lambda t, q=start, loss=losses[name]: loss(q), 10)
        obs[f"{label}: {name} {span(0, 10)}, against your own {alone} alone"] = same_as_own(rows[name], own_rows)
        for k in ("exp_avg", "exp_avg_sq"):
            obs[f"{label}: opt.state[{name}]['{k}'] after 10 steps, against your own {alone} alone"] = same_as_own(
                moment(opt, q, k), moment(own, start, k))
    return obs


@check(points=2, task=2, builds_on=("adam_step",), concept=GROUPS, hints=GROUPS_HINTS, forbid=NO_ADAM)
def adam_param_groups(m, p):
    """Adam moves each param group like its own single-group Adam, and follows an lr changed between steps"""
    return grouped_run(p, m.Adam, "Adam", {"lr": 0.05}, {"lr": 0.01, "betas": (0.5, 0.8)})


@check(points=1, task=2, builds_on=("adam_step",),
       concept=f"{SKIP}; its state is not created and its own step counter does not advance", hints=ADAM_SKIP_HINTS,
       forbid=NO_ADAM)
def adam_skips_missing_grads(m, p):
    """Adam leaves parameters whose .grad is None alone (no state, no step counted) and moves the others as without
    them"""
    opt, obs, (_, _, frozen) = partial_use(p, m.Adam, "Adam", lr=0.05, weight_decay=0.1)
    return {"frozen (grad always None) has optimizer state after 25 steps": bool(opt.state.get(frozen)), **obs}


@check(points=1, task=2, builds_on=("adam_step",), concept=CLOSURE, hints=CLOSURE_HINTS, forbid=NO_ADAM)
def adam_closure(m, p):
    """Adam.step(closure) runs the closure once with grad enabled and returns its loss"""
    return closure_run(p, m.Adam, "Adam([w, b], lr=0.05)", lr=0.05)


@check(points=2, task=2, builds_on=("adam_step",),
       concept=f"{RESUME} (Adam keeps its step counter and both moments in state[p]: 'step', 'exp_avg', "
               "'exp_avg_sq')",
       hints=RESUME_HINTS, forbid=NO_ADAM)
def adam_state_dict_resume(m, p):
    """Adam keeps step, exp_avg, exp_avg_sq in state: a run resumed from state_dict() continues like the
    uninterrupted run"""
    keys = ("step", "exp_avg", "exp_avg_sq")
    obs = resume(p, m.Adam, "Adam", {"lr": 0.05, "weight_decay": 0.1}, keys)
    obs.update(resume(p, m.Adam, "Adam",
                      {"lr": 0.05, "betas": (0.5, 0.8), "weight_decay": 0.1, "decoupled": True}, keys))
    return obs


@check(points=1, task=2,
       concept="validating hyper-parameters in __init__: ValueError for lr < 0, eps < 0, a beta outside [0, 1) or "
               "weight_decay < 0",
       hints=("Which values of each hyper-parameter make no sense, which edge values are still allowed, and is "
              "every beta checked?",
              "The 'Raises' paragraph of the docstring of Adam.__init__; note the half-open interval [0, 1) for "
              "each beta, and that betas is a pair to unpack.",
              "For a keep-probability that may be 0 but never 1: `if not 0.0 <= keep < 1.0: raise "
              "ValueError(f'keep should be in [0, 1), but got keep={keep}')`."),
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


adam_per_parameter_state.judge(judge_own_runs)
adam_param_groups.judge(judge_own_runs)
adam_skips_missing_grads.judge(judge_own_runs)
adam_closure.judge(judge_own_runs)
adam_state_dict_resume.judge(judge_own_runs)

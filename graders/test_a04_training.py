"""Grader of a04_training: the training loop, evaluation, gradient accumulation.

The probes drive the implementation with spies and record what happened, in
order: an ``SGD`` subclass whose ``zero_grad``/``step`` log ``"zero_grad"`` and
``"step"``, a model whose ``forward`` logs ``"forward"`` (and the train/eval
flags and grad mode it ran under), and a loss function that logs ``"loss"``
and hooks the loss so that its ``backward`` logs ``"backward"``. The event
lists, the parameters after training and the returned numbers are compared
with the reference's. Models get fixed weights from the probe's generators,
independent of torch's global RNG. Loaders are plain lists of
``(inputs, targets)`` batches of unequal sizes, so a plain mean over batches
differs from the weighted mean.

Checks of functions built from other functions compare the student's own runs
(metamorphic): ``train_epoch`` must move the parameters like the student's own
``train_step`` called once per batch, and ``fit``'s history must be what the
student's own ``train_epoch`` and ``evaluate`` return, epoch after epoch. Such
an observation is a pair ``{"this run": ..., "your own run": ...}`` compared
within the student's observation. Checks that cannot be judged apart from an
earlier one declare ``builds_on`` (the parameters after ``train_step`` build on
its order of calls), so one mistake gives one diagnosis.
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from graders.engine import check
from graders.engine.judges import keywise, own_runs, same_as_own, sequence

TASKS = {1: ("train_step",), 2: ("train_epoch",), 3: ("evaluate",), 4: ("train_epoch_accumulate",), 5: ("fit",)}

N_IN, N_HIDDEN, N_CLASSES = 3, 5, 3
LR = 0.5

ORDER = ("the order of a training step: zero_grad (clear the old gradients), forward, loss, backward through the loss "
         "tensor itself (still attached to the graph), then step; gradients add up in .grad until cleared")
ORDER_HINTS = (
    "Which call must come first so that this batch's gradients are not added to the last batch's, which must come "
    "last, and does your backward go through the very tensor loss_fn returned?",
    "The docstring of train_step lists the calls in order; see torch.optim.Optimizer.zero_grad and "
    "torch.Tensor.backward (a tensor made from loss.item() or loss.detach() has no graph back to the model).",
    "With x = torch.ones(2, requires_grad=True), two backward passes of (2 * x).sum() without clearing leave 4 in "
    "x.grad, not 2; and torch.tensor(y.item(), requires_grad=True).backward() leaves x.grad untouched.",
)
WEIGHTED = "a weighted mean over batches of unequal size: each batch's loss weighted by its number of samples"
WEIGHTED_HINTS = (
    "If the last batch is smaller, should its loss count as much as a full batch's? What does a mean over all "
    "samples need from every batch?",
    "The 'Returns' paragraph of the docstring: the weighted mean of the batch losses, weights len(targets), as a "
    "Python float.",
    "Two groups with means 2.0 (4 people) and 5.0 (1 person) have the overall mean (2.0 * 4 + 5.0 * 1) / 5 = 2.6, "
    "not (2.0 + 5.0) / 2.",
)
ACCUMULATE = ("gradient accumulation: every batch's backward adds its loss, divided by accumulation_steps, to .grad; "
              "step() then zero_grad() after every accumulation_steps-th batch, and once more after the last batch "
              "if gradients are pending")
ACCUMULATE_HINTS = (
    "After which batches must the optimizer step, what happens to gradients left over when the number of batches "
    "is not a multiple of accumulation_steps, and when are the gradients cleared?",
    "The docstring of train_epoch_accumulate, sentence by sentence: zero_grad once at the start, step then "
    "zero_grad after every accumulation_steps-th batch, one more of each for a pending remainder.",
    "Doing something every k items and once for the leftovers: `for n, x in enumerate(xs, start=1): buf.append(x)` "
    "with `flush(buf)` when n is a multiple of k, and after the loop one more `flush(buf)` if buf is not empty.",
)


def training_flags(model: nn.Module) -> dict[str, bool]:
    """``module.training`` of the model and each submodule, by qualified name."""
    return {name or "model": module.training for name, module in model.named_modules()}


class SpyNet(nn.Module):
    """A small classifier whose forward logs "forward" and the state it ran under.

    Weights come from the probe's generators (not torch's global RNG), so the
    student's and the reference's runs start from identical parameters.
    """

    def __init__(self, p: Any, events: list[str]) -> None:
        super().__init__()
        self.hidden = nn.Linear(N_IN, N_HIDDEN)
        self.act = nn.Tanh()
        self.head = nn.Linear(N_HIDDEN, N_CLASSES)
        with torch.no_grad():
            for layer in (self.hidden, self.head):
                layer.weight.copy_(p.randn(*layer.weight.shape) * 0.7)
                layer.bias.copy_(p.randn(*layer.bias.shape) * 0.3)
        self.events = events
        self.seen: list[dict[str, Any]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.events.append("forward")
        out = self.head(self.act(self.hidden(x)))
        self.seen.append(
            {
                "training flags": training_flags(self),
                "torch.is_grad_enabled()": torch.is_grad_enabled(),
                "output.requires_grad": out.requires_grad,
            }
        )
        return out

    def zero_grad(self, set_to_none: bool = True) -> None:
        """``model.zero_grad()`` clears the same gradients as ``optimizer.zero_grad()`` here, so it counts as one."""
        self.events.append("zero_grad")
        super().zero_grad(set_to_none=set_to_none)


class SpySGD(torch.optim.SGD):
    """Plain SGD whose zero_grad and step log "zero_grad" and "step"."""

    def __init__(self, params: Any, events: list[str], lr: float = LR) -> None:
        self.events = events
        super().__init__(params, lr=lr)

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.events.append("zero_grad")
        super().zero_grad(set_to_none=set_to_none)

    def step(self, closure: Any = None) -> Any:
        self.events.append("step")
        return super().step(closure)


def spy_loss(events: list[str]):
    """Cross-entropy (batch mean) that logs "loss", and "backward" when a backward pass reaches the loss."""

    def loss_fn(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        events.append("loss")
        loss = F.cross_entropy(outputs, targets)
        if loss.requires_grad:
            loss.register_hook(lambda grad: events.append("backward"))
        return loss

    return loss_fn


def make_batches(p: Any, sizes: tuple[int, ...]) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """A loader: a list of (inputs (B, 3), int64 targets (B,)) batches of the given sizes."""
    return [(p.randn(b, N_IN) * 1.5, p.randint(0, N_CLASSES, (b,))) for b in sizes]


def setup(p: Any, lr: float = LR) -> tuple[list[str], SpyNet, SpySGD, Any]:
    """Events list, model, optimizer over its parameters, loss function, all spying on one list.

    ``lr=0`` keeps the parameters fixed, so a check of returned losses does
    not depend on how (or whether) the parameters were updated.
    """
    events: list[str] = []
    model = SpyNet(p, events)
    return events, model, SpySGD(model.parameters(), events, lr=lr), spy_loss(events)


def stale_grads(p: Any, model: nn.Module) -> None:
    """Leave gradients of an earlier batch in .grad, as a real loop would."""
    for param in model.parameters():
        param.grad = p.randn(*param.shape)


def parameters(model: nn.Module) -> dict[str, torch.Tensor]:
    return {name: param.detach().clone() for name, param in model.named_parameters()}


def twin(model: SpyNet, lr: float = LR) -> tuple[list[str], SpyNet, SpySGD, Any]:
    """A second model with the same weights, gradients and modes, its own optimizer and loss, spying on a new list."""
    events: list[str] = []
    clone = copy.deepcopy(model)
    clone.events, clone.seen = events, []
    for q, original in zip(clone.parameters(), model.parameters()):
        q.grad = None if original.grad is None else original.grad.detach().clone()
    return events, clone, SpySGD(clone.parameters(), events, lr=lr), spy_loss(events)


judge_own_runs = own_runs()  # the judge of every metamorphic check in this file


events_judge = keywise(("events", sequence))


# ---------------------------------------------------------------- train_step


@check(points=3, task=1, concept=ORDER, hints=ORDER_HINTS)
def train_step_order(m, p):
    """train_step calls zero_grad, forward, loss, backward, step in this order"""
    events, model, opt, loss_fn = setup(p)
    stale_grads(p, model)
    obs = {}
    for i, batch in enumerate(make_batches(p, (4, 3))):
        start = len(events)
        p.call(f"train_step(model, batch {i}, loss_fn, optimizer)", m.train_step, model, batch, loss_fn, opt)
        obs[f"events of train_step on batch {i} "
            "('backward' = a backward pass through the tensor loss_fn returned)"] = events[start:]
    return obs


train_step_order.judge(events_judge)


@check(points=3, task=1, builds_on=("train_step_order",),
       concept="a training step moves the parameters by the gradient of this batch's mean loss alone: the old "
               "gradients cleared, backward through the loss exactly as loss_fn returned it, then the optimizer step",
       hints=("Which gradient does optimizer.step() use: this batch's alone, of the loss as loss_fn returned it, or "
              "something scaled, summed or left over from before?",
              "The docstring of train_step: loss_fn returns the batch mean, and backward runs on that loss; see "
              "torch.Tensor.backward (gradients add up in .grad).",
              "For y = (3 * x).mean() over 4 elements, x.grad after y.backward() is 0.75 everywhere; backward of "
              "4 * y would give 3, which changes every step an optimizer takes."))
def train_step_updates(m, p):
    """Three train_steps from stale gradients update the parameters like the reference"""
    events, model, opt, loss_fn = setup(p)
    stale_grads(p, model)
    obs = {}
    for i, batch in enumerate(make_batches(p, (4, 4, 3))):
        p.call(f"train_step(model, batch {i}, loss_fn, SGD(lr={LR}))", m.train_step, model, batch, loss_fn, opt)
        obs[f"parameters after train_step on batch {i} (SGD, lr={LR}, stale .grad before batch 0)"] = parameters(model)
    return obs


@check(points=1, task=1, builds_on=("train_step_order",),
       concept="turning a 0-d loss tensor into a Python number (torch.Tensor.item): the float carries no graph",
       hints=("What type does the docstring of train_step promise, and what would a list of loss tensors that still "
              "hold their graphs cost over an epoch?",
              "The 'Returns' paragraph of the docstring of train_step; see torch.Tensor.item.",
              "`torch.tensor(2.5).item()` is the Python float 2.5, and float(t) works for any one-element tensor t."))
def train_step_returns_float(m, p):
    """train_step returns the batch loss as a Python float"""
    events, model, opt, loss_fn = setup(p)
    batch = make_batches(p, (5,))[0]
    ret = p.call("train_step(model, batch, loss_fn, optimizer)", m.train_step, model, batch, loss_fn, opt)
    return {"type of the returned value": type(ret).__name__, "returned loss": ret if isinstance(ret, float) else None}


# ---------------------------------------------------------------- train_epoch


@check(points=1, task=2, builds_on=("train_step_order",),
       concept="train mode: model.train() switches every submodule (dropout, batch norm) to training behaviour",
       hints=("In which mode is the model when train_epoch is called right after an evaluation, and which layers "
              "behave differently in the two modes?",
              "The docstring of train_epoch; see torch.nn.Module.train and the attribute torch.nn.Module.training.",
              "Before a validation pass one calls net.eval(); before the next training pass the opposite switch, "
              "on the whole network (it recurses into every submodule)."))
def train_epoch_train_mode(m, p):
    """train_epoch puts every submodule in train mode and runs one train_step per batch"""
    events, model, opt, loss_fn = setup(p)
    model.eval()
    loader = make_batches(p, (4, 4, 3))
    p.call("train_epoch(model in eval mode, loader of 3 batches, loss_fn, optimizer)", m.train_epoch, model,
           loader, loss_fn, opt)
    return {
        "number of forward calls": events.count("forward"),
        "number of optimizer steps": events.count("step"),
        "training flags seen by each forward": [s["training flags"] for s in model.seen],
    }


@check(points=2, task=2, builds_on=("train_step_order", "train_step_returns_float"), concept=WEIGHTED,
       hints=WEIGHTED_HINTS)
def train_epoch_loss(m, p):
    """train_epoch returns the weighted mean batch loss as a Python float"""
    events, model, opt, loss_fn = setup(p, lr=0.0)
    loader = make_batches(p, (4, 4, 3))
    ret = p.call("train_epoch(model, loader with batch sizes 4, 4, 3, loss_fn, SGD(lr=0))", m.train_epoch, model,
                 loader, loss_fn, opt)
    return {"type of the returned value": type(ret).__name__, "returned epoch loss (batch sizes 4, 4, 3)": ret}


@check(points=2, task=2, builds_on=("train_step_order",),
       concept="one epoch = one full train_step per batch, in loader order: every batch gets its own cleared "
               "gradients and its own optimizer step",
       hints=("Does every batch go through the whole training step, including clearing the gradients, or only "
              "parts of it?",
              "The docstring of train_epoch: call train_step once per batch, in loader order.",
              "Reuse rather than rewrite: a function that handles one file is called in the loop over the files "
              "(`for f in files: handle(f)`) instead of copying half of its body into the loop."))
def train_epoch_updates(m, p):
    """train_epoch moves the parameters like your own train_step called once per batch, epoch after epoch"""
    events, model, opt, loss_fn = setup(p)
    stale_grads(p, model)
    _, own_model, own_opt, own_loss_fn = twin(model)
    loader = make_batches(p, (4, 4, 3))
    before = parameters(model)
    obs = {}
    for epoch in (1, 2):
        p.call(f"train_epoch(model, loader, loss_fn, SGD(lr={LR})) (epoch {epoch})", m.train_epoch, model,
               loader, loss_fn, opt)
        if epoch == 1:
            obs["train_epoch changed every parameter in epoch 1"] = all(
                not torch.equal(q, before[name]) for name, q in parameters(model).items())
        own_model.train()
        for i, batch in enumerate(loader):
            p.call(f"train_step(model, batch {i}, loss_fn, SGD(lr={LR})) (epoch {epoch})", m.train_step, own_model,
                   batch, own_loss_fn, own_opt)
        obs[f"parameters after epoch {epoch} of train_epoch, against your own train_step called once per batch"] = (
            same_as_own(parameters(model), parameters(own_model)))
    return obs


train_epoch_updates.judge(judge_own_runs)


# ---------------------------------------------------------------- evaluate


@check(points=3, task=3,
       concept=WEIGHTED + "; accuracy = correct predictions / total samples, a prediction being the class with the "
                          "highest score",
       hints=("How do you combine per-batch losses and per-batch counts of correct predictions into numbers over the "
              "whole dataset, and which Python types should come back?",
              "The docstring of evaluate: 'A prediction is outputs.argmax(dim=1)', and its 'Returns' paragraph; see "
              "torch.Tensor.argmax and torch.Tensor.item.",
              "Counting matches: (torch.tensor([1, 0, 2]) == torch.tensor([1, 1, 2])).sum().item() is the int 2; "
              "add the counts of all batches and divide once, at the end, by the number of samples."))
def evaluate_metrics(m, p):
    """evaluate returns the weighted mean loss and the accuracy as Python floats"""
    obs = {}
    for sizes in ((4, 4, 3), (5, 2)):
        events, model, _, loss_fn = setup(p)
        loader = make_batches(p, sizes)
        label = f"evaluate(model, loader with batch sizes {', '.join(map(str, sizes))}, loss_fn)"
        ret = p.call(label, m.evaluate, model, loader, loss_fn)
        obs[f"{label}: type"] = type(ret).__name__
        obs[label] = ret if isinstance(ret, dict) else None
        if isinstance(ret, dict):
            obs[f"{label}: value types"] = {str(k): type(v).__name__ for k, v in ret.items()}
    return obs


@check(points=2, task=3, builds_on=("evaluate_metrics",),
       concept="evaluation runs in eval mode (model.eval()) and without an autograd graph (torch.no_grad()): no graph "
               "is built and no gradient is touched",
       hints=("Which layers behave differently at evaluation time, and why build a graph (and spend memory) when "
              "nothing will call backward?",
              "torch.nn.Module.eval, and torch.no_grad or torch.inference_mode; the docstring of evaluate.",
              "Scoring a frozen network on a test set: switch it to eval, and compute its outputs inside a "
              "torch.inference_mode() block, so out.requires_grad is False."))
def evaluate_eval_mode_no_grad(m, p):
    """evaluate runs every forward in eval mode, without autograd, and leaves .grad alone"""
    events, model, _, loss_fn = setup(p)
    stale_grads(p, model)
    before = {name: q.grad.clone() for name, q in model.named_parameters()}
    loader = make_batches(p, (4, 3))
    p.call("evaluate(model in train mode, loader of 2 batches, loss_fn)", m.evaluate, model, loader, loss_fn)
    distinct: list[dict[str, Any]] = []
    for state in model.seen:
        if state not in distinct:
            distinct.append(state)
    return {
        "states seen by the forward calls inside evaluate (each distinct state once)": distinct,
        "every parameter's .grad unchanged by evaluate": all(
            q.grad is not None and torch.equal(q.grad, before[name]) for name, q in model.named_parameters()
        ),
    }


@check(points=2, task=3, builds_on=("evaluate_metrics",),
       concept="restoring state: remember module.training of every submodule before switching to eval mode, and put "
               "each back afterwards",
       hints=("If a submodule was already in eval mode before evaluate (a frozen part of the model), which mode "
              "should it be in afterwards?",
              "torch.nn.Module.modules and the attribute torch.nn.Module.training; the docstring of evaluate: put "
              "every submodule back into exactly the mode it had before.",
              "Saving and restoring settings around a block: `old = np.get_printoptions()` before, "
              "`np.set_printoptions(**old)` after, in a finally clause; one saved value per setting."))
def evaluate_restores_modes(m, p):
    """evaluate leaves every submodule in the train/eval mode it had before"""
    obs = {}
    cases = (
        ("model in train mode, model.hidden in eval mode", lambda net: net.hidden.eval()),
        ("model in eval mode, model.head in train mode", lambda net: (net.eval(), net.head.train())),
        ("model in train mode", lambda net: net.train()),
    )
    for label, arrange in cases:
        events, model, _, loss_fn = setup(p)
        arrange(model)
        loader = make_batches(p, (3, 2))
        p.call(f"evaluate({label}, loader, loss_fn)", m.evaluate, model, loader, loss_fn)
        obs[f"number of forward calls inside evaluate({label}, loader of 2 batches, loss_fn)"] = events.count("forward")
        obs[f"training flags after evaluate({label})"] = training_flags(model)
    return obs


# ---------------------------------------------------------------- train_epoch_accumulate


@check(points=1, task=4, concept="validating arguments: raise ValueError with a message naming the bad value",
       hints=("Which values of accumulation_steps make no sense, and what should the caller see when one is given?",
              "The 'Raises' paragraph of the docstring of train_epoch_accumulate.",
              "For a batch size: `if batch_size < 1: raise ValueError(f'batch_size should be >= 1, but got "
              "batch_size={batch_size}')`."))
def accumulate_validation(m, p):
    """train_epoch_accumulate raises ValueError for accumulation_steps < 1"""
    obs = {}
    for k in (0, -2):
        events, model, opt, loss_fn = setup(p)
        loader = make_batches(p, (3, 2))
        label = f"train_epoch_accumulate(model, loader, loss_fn, optimizer, accumulation_steps={k})"
        obs[label] = p.attempt(label, m.train_epoch_accumulate, model, loader, loss_fn, opt, k)
    return obs


@check(points=3, task=4, concept=ACCUMULATE + " (in train mode)", hints=ACCUMULATE_HINTS)
def accumulate_order(m, p):
    """train_epoch_accumulate calls backward every batch and step/zero_grad every k batches and for the remainder"""
    obs = {}
    for n_batches, k in ((5, 2), (4, 2), (3, 1)):
        events, model, opt, loss_fn = setup(p)
        model.eval()
        loader = make_batches(p, (4, 4, 3, 4, 2)[:n_batches])
        label = (f"train_epoch_accumulate(model in eval mode, {n_batches} batches, loss_fn, optimizer, "
                 f"accumulation_steps={k})")
        p.call(label, m.train_epoch_accumulate, model, loader, loss_fn, opt, k)
        obs[f"{label}: events"] = events
        obs[f"{label}: training flags seen by each forward"] = [s["training flags"] for s in model.seen]
    return obs


accumulate_order.judge(events_judge)


@check(points=3, task=4, builds_on=("accumulate_order",),
       concept=ACCUMULATE + "; dividing each loss by accumulation_steps makes k small batches act like one large "
                            "batch",
       hints=("If k batches add their gradients into .grad, how large is the sum compared with one batch's gradient, "
              "and what turns it into an average?",
              "The docstring of train_epoch_accumulate: each backward runs on the loss divided by "
              "accumulation_steps; see torch.Tensor.backward (gradients add up in .grad).",
              "Averaging without storing: `total = 0.0; for v in values: total += v / len(values)` gives the mean "
              "of the values."))
def accumulate_updates(m, p):
    """train_epoch_accumulate updates the parameters like the reference, remainder included"""
    obs = {}
    for k in (2, 3):
        events, model, opt, loss_fn = setup(p)
        stale_grads(p, model)
        loader = make_batches(p, (4, 4, 3, 4, 2))
        label = f"train_epoch_accumulate(model, 5 batches, loss_fn, SGD(lr={LR}), accumulation_steps={k})"
        p.call(label, m.train_epoch_accumulate, model, loader, loss_fn, opt, k)
        obs[f"parameters after {label}"] = parameters(model)
    return obs


@check(points=2, task=4,
       concept=WEIGHTED + ", of the unscaled batch losses (the division by accumulation_steps is only for backward)",
       hints=("Which loss do you report: the one you back-propagate, or the batch's own loss?",
              "The 'Returns' paragraph of the docstring of train_epoch_accumulate: the weighted mean of the "
              "*unscaled* batch losses.",
              "Report what you measured, not what you fed to the optimizer: a loss scaled by 1/4 for backward is "
              "still logged as the loss itself."))
def accumulate_loss(m, p):
    """train_epoch_accumulate returns the weighted mean of the unscaled batch losses"""
    events, model, opt, loss_fn = setup(p, lr=0.0)
    loader = make_batches(p, (4, 4, 3, 4, 2))
    label = "train_epoch_accumulate(model, batch sizes 4, 4, 3, 4, 2, loss_fn, SGD(lr=0), accumulation_steps=2)"
    ret = p.call(label, m.train_epoch_accumulate, model, loader, loss_fn, opt, 2)
    return {"type of the returned value": type(ret).__name__, label: ret}


# ---------------------------------------------------------------- fit


@check(points=3, task=5, builds_on=("train_step_order", "train_epoch_updates", "evaluate_metrics"),
       concept="the epoch loop: each epoch trains with train_epoch, then evaluates with evaluate on the validation "
               "loader, and records one history entry made of what those two returned, epochs counting from 1",
       hints=("What does one epoch consist of, in which order, on which loader, and which numbers does its history "
              "entry record?",
              "The docstring of fit: 'Each epoch: train_epoch on train_loader, then evaluate on val_loader', and its "
              "'Returns' paragraph (n counting from 1).",
              "Numbering rounds from 1: `for no, game in enumerate(games, start=1): log.append({'round': no, "
              "'score': play(game)})`."))
def fit_history(m, p):
    """fit returns one {epoch, train_loss, val_loss, val_accuracy} dict per epoch, from your own train_epoch and
    evaluate"""
    events, model, opt, loss_fn = setup(p)
    _, own_model, own_opt, own_loss_fn = twin(model)
    train_loader = make_batches(p, (4, 4, 3))
    val_loader = make_batches(p, (4, 3))
    label = "fit(model, train_loader (4, 4, 3), val_loader (4, 3), loss_fn, optimizer, epochs=3)"
    history = p.call(label, m.fit, model, train_loader, val_loader, loss_fn, opt, 3)
    own: list[dict[str, Any]] = []
    for epoch in (1, 2, 3):
        train_loss = p.call(f"train_epoch(model, train_loader, loss_fn, optimizer) (epoch {epoch})", m.train_epoch,
                            own_model, train_loader, own_loss_fn, own_opt)
        metrics = p.call(f"evaluate(model, val_loader, loss_fn) (epoch {epoch})", m.evaluate, own_model, val_loader,
                         own_loss_fn)
        metrics = metrics if isinstance(metrics, dict) else {}
        own.append({"epoch": epoch, "train_loss": train_loss, "val_loss": metrics.get("loss"),
                    "val_accuracy": metrics.get("accuracy")})
    against = "against your own train_epoch then evaluate, epochs 1, 2, 3"
    obs: dict[str, Any] = {
        f"{label}: type of the returned value": type(history).__name__,
        f"{label}: the history, {against}": same_as_own(history if isinstance(history, list) else None, own),
        f"parameters after fit, {against}": same_as_own(parameters(model), parameters(own_model)),
    }
    obs["fit(..., epochs=0)"] = p.call("fit(..., epochs=0)", m.fit, model, train_loader, val_loader, loss_fn, opt, 0)
    return obs


fit_history.judge(judge_own_runs)

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
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from graders.engine import check
from graders.engine.judges import keywise, sequence

N_IN, N_HIDDEN, N_CLASSES = 3, 5, 3
LR = 0.5

ORDER = ("the training-step order zero_grad -> forward -> loss -> backward -> step (gradients add up in .grad until "
         "cleared)")
ORDER_HINT = ("optimizer.zero_grad(); outputs = model(inputs); loss = loss_fn(outputs, targets); "
              "loss.backward(); optimizer.step(); return loss.item()")
WEIGHTED = "a weighted mean over batches of unequal size: sum(loss_i * batch_size_i) / total samples"
WEIGHTED_HINT = ("accumulate total += loss * len(targets) and count += len(targets); return total / count "
                 "(not the mean of the batch losses)")
ACCUMULATE = ("gradient accumulation: (loss / accumulation_steps).backward() every batch; step() then zero_grad() "
              "after every accumulation_steps-th batch and once more after the last batch if gradients are pending")


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


events_judge = keywise(("events", sequence))


# ---------------------------------------------------------------- train_step


@check(points=3, concept=ORDER, hint=ORDER_HINT)
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


@check(points=3, concept=ORDER + "; backward must run on the loss tensor itself, still attached to the graph",
       hint="clear stale gradients first, call loss.backward() on the tensor loss_fn returned "
            "(not a detached copy or loss.item()), then optimizer.step()")
def train_step_updates(m, p):
    """Three train_steps from stale gradients update the parameters like the reference"""
    events, model, opt, loss_fn = setup(p)
    stale_grads(p, model)
    obs = {}
    for i, batch in enumerate(make_batches(p, (4, 4, 3))):
        p.call(f"train_step(model, batch {i}, loss_fn, SGD(lr={LR}))", m.train_step, model, batch, loss_fn, opt)
        obs[f"parameters after train_step on batch {i} (SGD, lr={LR}, stale .grad before batch 0)"] = parameters(model)
    return obs


@check(points=1, concept="turning a 0-d loss tensor into a Python number with .item() (the float carries no graph)",
       hint="return loss.item() after optimizer.step()")
def train_step_returns_float(m, p):
    """train_step returns the batch loss as a Python float"""
    events, model, opt, loss_fn = setup(p)
    batch = make_batches(p, (5,))[0]
    ret = p.call("train_step(model, batch, loss_fn, optimizer)", m.train_step, model, batch, loss_fn, opt)
    return {"type of the returned value": type(ret).__name__, "returned loss": ret if isinstance(ret, float) else None}


# ---------------------------------------------------------------- train_epoch


@check(points=1, concept="train mode: model.train() switches every submodule "
                         "(dropout, batch norm) to training behaviour",
       hint="call model.train() at the start of train_epoch, then one train_step per batch")
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


@check(points=2, concept=WEIGHTED, hint=WEIGHTED_HINT)
def train_epoch_loss(m, p):
    """train_epoch returns the weighted mean batch loss as a Python float"""
    events, model, opt, loss_fn = setup(p, lr=0.0)
    loader = make_batches(p, (4, 4, 3))
    ret = p.call("train_epoch(model, loader with batch sizes 4, 4, 3, loss_fn, SGD(lr=0))", m.train_epoch, model,
                 loader, loss_fn, opt)
    return {"type of the returned value": type(ret).__name__, "returned epoch loss (batch sizes 4, 4, 3)": ret}


@check(points=2, concept="one epoch = one full train_step (zero_grad, forward, loss, backward, step) per batch, "
                         "in loader order",
       hint="for batch in loader: train_step(model, batch, loss_fn, optimizer)")
def train_epoch_updates(m, p):
    """train_epoch updates the parameters like the reference, epoch after epoch"""
    events, model, opt, loss_fn = setup(p)
    stale_grads(p, model)
    loader = make_batches(p, (4, 4, 3))
    obs = {}
    for epoch in (1, 2):
        p.call(f"train_epoch(model, loader, loss_fn, SGD(lr={LR})) (epoch {epoch})", m.train_epoch, model,
               loader, loss_fn, opt)
        obs[f"parameters after epoch {epoch}"] = parameters(model)
    return obs


# ---------------------------------------------------------------- evaluate


@check(points=3, concept=WEIGHTED + "; accuracy = correct predictions "
                                    "(outputs.argmax(dim=1) == targets) / total samples",
       hint="per batch: total_loss += loss.item() * len(targets); correct += "
            "(outputs.argmax(dim=1) == targets).sum().item(); return {'loss': total_loss / n, 'accuracy': correct / n}")
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


@check(points=2, concept="evaluation runs in eval mode (model.eval()) and without an autograd graph (torch.no_grad())",
       hint="model.eval(), then run the batches inside `with torch.no_grad():` (or torch.inference_mode())")
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


@check(points=2, concept="restoring state: remember module.training of every submodule before model.eval() "
                         "and put each back afterwards",
       hint="modes = [(mod, mod.training) for mod in model.modules()]; ... finally: for mod, was in modes: "
            "mod.train(was) (model.train() at the end would also switch on submodules that were in eval mode)")
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
        obs[f"training flags after evaluate({label})"] = training_flags(model)
    return obs


# ---------------------------------------------------------------- train_epoch_accumulate


@check(points=1, concept="validating arguments: raise ValueError with a message naming the bad value",
       hint="if accumulation_steps < 1: raise ValueError(f'accumulation_steps should be an int >= 1, "
            "but got accumulation_steps={accumulation_steps}')")
def accumulate_validation(m, p):
    """train_epoch_accumulate raises ValueError for accumulation_steps < 1"""
    obs = {}
    for k in (0, -2):
        events, model, opt, loss_fn = setup(p)
        loader = make_batches(p, (3, 2))
        label = f"train_epoch_accumulate(model, loader, loss_fn, optimizer, accumulation_steps={k})"
        obs[label] = p.attempt(label, m.train_epoch_accumulate, model, loader, loss_fn, opt, k)
    return obs


@check(points=3, concept=ACCUMULATE + " (in train mode)",
       hint="model.train(); optimizer.zero_grad(); for i, batch in enumerate(loader, 1): ...; (loss / k).backward(); "
            "if i % k == 0: step(); zero_grad(); after the loop step() and zero_grad() only if a backward happened "
            "since the last step")
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


@check(points=3, concept=ACCUMULATE + "; dividing each loss by accumulation_steps makes k small "
                                      "batches act like one large batch",
       hint="start with optimizer.zero_grad() (stale gradients), call (loss / accumulation_steps).backward(), and step "
            "the pending remainder after the loop")
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


@check(points=2, concept=WEIGHTED + ", of the unscaled batch losses (the division by "
                                    "accumulation_steps is only for backward)",
       hint="add loss.item() * len(targets) (the loss before dividing by accumulation_steps) and "
            "divide by the number of samples")
def accumulate_loss(m, p):
    """train_epoch_accumulate returns the weighted mean of the unscaled batch losses"""
    events, model, opt, loss_fn = setup(p, lr=0.0)
    loader = make_batches(p, (4, 4, 3, 4, 2))
    label = "train_epoch_accumulate(model, batch sizes 4, 4, 3, 4, 2, loss_fn, SGD(lr=0), accumulation_steps=2)"
    ret = p.call(label, m.train_epoch_accumulate, model, loader, loss_fn, opt, 2)
    return {"type of the returned value": type(ret).__name__, label: ret}


# ---------------------------------------------------------------- fit


@check(points=3, concept="the epoch loop: train_epoch then evaluate each epoch, one history entry "
                         "per epoch counting from 1",
       hint="for epoch in range(1, epochs + 1): train_loss = train_epoch(...); metrics = evaluate(...); "
            "history.append({'epoch': epoch, 'train_loss': train_loss, 'val_loss': metrics['loss'], 'val_accuracy': "
            "metrics['accuracy']})")
def fit_history(m, p):
    """fit returns one {epoch, train_loss, val_loss, val_accuracy} dict per epoch"""
    events, model, opt, loss_fn = setup(p)
    train_loader = make_batches(p, (4, 4, 3))
    val_loader = make_batches(p, (4, 3))
    label = "fit(model, train_loader (4, 4, 3), val_loader (4, 3), loss_fn, optimizer, epochs=3)"
    history = p.call(label, m.fit, model, train_loader, val_loader, loss_fn, opt, 3)
    obs: dict[str, Any] = {f"{label}: type": type(history).__name__,
                           label: history if isinstance(history, list) else None}
    if isinstance(history, list):
        obs[f"{label}: value types"] = [
            {str(k): type(v).__name__ for k, v in entry.items()} if isinstance(entry, dict) else type(entry).__name__
            for entry in history
        ]
    obs["parameters after fit"] = parameters(model)
    obs["training flags after fit"] = training_flags(model)
    zero = p.call("fit(..., epochs=0)", m.fit, model, train_loader, val_loader, loss_fn, opt, 0)
    obs["fit(..., epochs=0)"] = zero
    return obs

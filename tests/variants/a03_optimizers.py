"""Mistakes and valid alternatives for a03_optimizers."""

from tests.support import alternative, mutant

A = "a03_optimizers"

# The reference's step bodies, replaced whole by the alternatives below.
SGD_BODY = '''        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        with torch.no_grad():
            for group in self.param_groups:
                lr = group["lr"]
                momentum = group["momentum"]
                dampening = group["dampening"]
                weight_decay = group["weight_decay"]
                nesterov = group["nesterov"]
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    grad = p.grad
                    if weight_decay != 0:
                        grad = grad.add(p, alpha=weight_decay)
                    if momentum != 0:
                        state = self.state[p]
                        buf = state.get("momentum_buffer")
                        if buf is None:
                            buf = grad.detach().clone()
                            state["momentum_buffer"] = buf
                        else:
                            buf.mul_(momentum).add_(grad, alpha=1 - dampening)
                        if nesterov:
                            grad = grad.add(buf, alpha=momentum)
                        else:
                            grad = buf
                    p.add_(grad, alpha=-lr)
        return loss
'''

ADAM_BODY = '''        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        with torch.no_grad():
            for group in self.param_groups:
                lr = group["lr"]
                beta1, beta2 = group["betas"]
                eps = group["eps"]
                weight_decay = group["weight_decay"]
                decoupled = group["decoupled"]
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    grad = p.grad
                    state = self.state[p]
                    if len(state) == 0:
                        state["step"] = 0
                        state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                        state["exp_avg_sq"] = torch.zeros_like(
                            p, memory_format=torch.preserve_format
                        )
                    state["step"] += 1
                    t = state["step"]
                    exp_avg = state["exp_avg"]
                    exp_avg_sq = state["exp_avg_sq"]

                    if weight_decay != 0:
                        if decoupled:
                            p.mul_(1 - lr * weight_decay)
                        else:
                            grad = grad.add(p, alpha=weight_decay)

                    exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
                    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)

                    bias_correction1 = 1 - beta1**t
                    bias_correction2 = 1 - beta2**t
                    step_size = lr / bias_correction1
                    denom = (exp_avg_sq.sqrt() / bias_correction2**0.5).add_(eps)
                    p.addcdiv_(exp_avg, denom, value=-step_size)
        return loss
'''

SGD_LOOP_HEAD = '''        with torch.no_grad():
            for group in self.param_groups:
                lr = group["lr"]
                momentum = group["momentum"]'''
ADAM_LOOP_HEAD = '''        with torch.no_grad():
            for group in self.param_groups:
                lr = group["lr"]
                beta1, beta2 = group["betas"]'''
SGD_SUPER = '''            "nesterov": nesterov,
        }
        super().__init__(params, defaults)'''
ADAM_SUPER = '''            "decoupled": decoupled,
        }
        super().__init__(params, defaults)'''
ADAM_STATE_INIT = '''                        state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                        state["exp_avg_sq"] = torch.zeros_like(
                            p, memory_format=torch.preserve_format
                        )'''

SGD_TRAJECTORIES = ("sgd_plain_step", "sgd_momentum", "sgd_weight_decay", "sgd_param_groups", "sgd_state_dict_resume")
ADAM_TRAJECTORIES = ("adam_step", "adam_weight_decay", "adam_per_parameter_state", "adam_param_groups", "adam_state_dict_resume")

MUTANTS = [
    # ---------------------------------------------------------------- SGD
    mutant(A, "SGD rebinds p = p - lr * g", ("p.add_(grad, alpha=-lr)", "p = p - lr * grad"),
           fails="sgd_plain_step", concept="rebinding p = p - lr * g"),
    mutant(A, "SGD updates without torch.no_grad()",
           (SGD_LOOP_HEAD, SGD_LOOP_HEAD.replace("with torch.no_grad():", "if True:  # no torch.no_grad()")),
           fails=SGD_TRAJECTORIES + ("sgd_skips_missing_grads", "sgd_closure"), concept="torch.no_grad()"),
    mutant(A, "SGD dampens the first momentum step", ("buf = grad.detach().clone()", "buf = grad.detach().clone().mul_(1 - dampening)"),
           fails="sgd_momentum", concept="no dampening at step 1"),
    mutant(A, "SGD ignores dampening", ("buf.mul_(momentum).add_(grad, alpha=1 - dampening)", "buf.mul_(momentum).add_(grad)"),
           fails="sgd_momentum", concept="1 - dampening"),
    mutant(A, "SGD Nesterov swaps buf and g", ("grad = grad.add(buf, alpha=momentum)", "grad = buf.add(grad, alpha=momentum)"),
           fails="sgd_momentum", concept="nesterov"),
    mutant(A, "SGD weight decay added after momentum",
           ("                    if weight_decay != 0:\n                        grad = grad.add(p, alpha=weight_decay)\n                    if momentum != 0:",
            "                    if momentum != 0:"),
           ("                    p.add_(grad, alpha=-lr)",
            "                    if weight_decay != 0:\n                        grad = grad.add(p, alpha=weight_decay)\n                    p.add_(grad, alpha=-lr)"),
           fails="sgd_weight_decay", concept="before momentum"),
    mutant(A, "SGD momentum buffer kept outside self.state",
           ("                        state = self.state[p]\n                        buf = state.get(\"momentum_buffer\")",
            "                        if not hasattr(self, \"buffers\"):\n                            self.buffers = {}\n"
            "                        state = self.buffers.setdefault(p, {})\n                        buf = state.get(\"momentum_buffer\")"),
           fails="sgd_state_dict_resume", concept="self.state"),
    mutant(A, "SGD crashes on grad None",
           ("                    if p.grad is None:\n                        continue\n                    grad = p.grad\n                    if weight_decay",
            "                    grad = p.grad\n                    if weight_decay"),
           fails="sgd_skips_missing_grads", concept=".grad is None"),
    mutant(A, "SGD treats grad None as zeros",
           ("                    if p.grad is None:\n                        continue\n                    grad = p.grad\n                    if weight_decay",
            "                    grad = p.grad if p.grad is not None else torch.zeros_like(p)\n                    if weight_decay"),
           fails="sgd_skips_missing_grads", concept="skipped"),
    mutant(A, "SGD reads lr from self.defaults",
           ('                lr = group["lr"]\n                momentum = group["momentum"]',
            '                lr = self.defaults["lr"]\n                momentum = group["momentum"]'),
           fails="sgd_param_groups", concept="param groups"),
    mutant(A, "SGD runs the closure without enable_grad",
           ("            with torch.enable_grad():\n                loss = closure()\n" + SGD_LOOP_HEAD,
            "            loss = closure()\n" + SGD_LOOP_HEAD),
           fails="sgd_closure", concept="torch.enable_grad()"),
    mutant(A, "SGD does not return the closure's loss",
           ("                    p.add_(grad, alpha=-lr)\n        return loss", "                    p.add_(grad, alpha=-lr)\n        return None"),
           fails="sgd_closure", concept="returns its loss"),
    mutant(A, "SGD without the nesterov check",
           ('        if nesterov and (momentum <= 0 or dampening != 0):\n            raise ValueError(\n',
            '        if False:\n            raise ValueError(\n'),
           fails="sgd_validation", concept="nesterov=True without momentum > 0"),
    mutant(A, "SGD rejects lr=0",
           ("        if not 0.0 <= lr:\n            raise ValueError(f\"lr should be a non-negative float, but got lr={lr}\")\n        if not 0.0 <= momentum:",
            "        if not 0.0 < lr:\n            raise ValueError(f\"lr should be a non-negative float, but got lr={lr}\")\n        if not 0.0 <= momentum:"),
           fails="sgd_validation", concept="validating hyper-parameters"),
    mutant(A, "SGD wraps torch.optim.SGD",
           (SGD_SUPER, SGD_SUPER + "\n        self._inner = torch.optim.SGD(self.param_groups, lr=lr, momentum=momentum, "
                                   "dampening=dampening, weight_decay=weight_decay, nesterov=nesterov)"),
           ("        loss = None\n        if closure is not None:\n            with torch.enable_grad():\n                loss = closure()\n" + SGD_LOOP_HEAD,
            "        return self._inner.step(closure)\n" + SGD_LOOP_HEAD),
           fails=SGD_TRAJECTORIES + ("sgd_skips_missing_grads", "sgd_closure"), concept="implement it yourself"),
    mutant(A, "SGD subclasses torch.optim.SGD",
           ("class SGD(torch.optim.Optimizer):", "class SGD(torch.optim.SGD):"),
           (SGD_SUPER, SGD_SUPER.replace("super().__init__(params, defaults)",
                                         "super().__init__(params, lr=lr, momentum=momentum, dampening=dampening, "
                                         "weight_decay=weight_decay, nesterov=nesterov)")),
           ("        loss = None\n        if closure is not None:\n            with torch.enable_grad():\n                loss = closure()\n" + SGD_LOOP_HEAD,
            "        return super().step(closure)\n" + SGD_LOOP_HEAD),
           fails=SGD_TRAJECTORIES + ("sgd_closure",), concept="implement it yourself"),
    # ---------------------------------------------------------------- Adam
    mutant(A, "Adam without bias correction",
           ("bias_correction1 = 1 - beta1**t\n                    bias_correction2 = 1 - beta2**t",
            "bias_correction1 = 1.0\n                    bias_correction2 = 1.0"),
           fails="adam_step", concept="bias correction"),
    mutant(A, "Adam step counter starts at 0",
           ('                    state["step"] += 1\n                    t = state["step"]',
            '                    t = state["step"]\n                    state["step"] += 1'),
           fails="adam_step", concept="from 1"),
    mutant(A, "Adam eps inside the square root",
           ("denom = (exp_avg_sq.sqrt() / bias_correction2**0.5).add_(eps)", "denom = (exp_avg_sq / bias_correction2).add_(eps).sqrt()"),
           fails="adam_step", concept="eps is added after the square root"),
    mutant(A, "Adam eps added before correcting v",
           ("denom = (exp_avg_sq.sqrt() / bias_correction2**0.5).add_(eps)", "denom = (exp_avg_sq.sqrt() + eps) / bias_correction2**0.5"),
           fails="adam_step", concept="eps"),
    mutant(A, "Adam updates without torch.no_grad()",
           (ADAM_LOOP_HEAD, ADAM_LOOP_HEAD.replace("with torch.no_grad():", "if True:  # no torch.no_grad()")),
           fails=ADAM_TRAJECTORIES + ("adam_skips_missing_grads", "adam_closure"), concept="torch.no_grad()"),
    mutant(A, "Adam moments cached per shape (shared between parameters)",
           (ADAM_STATE_INIT,
            "                        if not hasattr(self, \"_zeros\"):\n                            self._zeros = {}\n"
            "                        if p.shape not in self._zeros:\n"
            "                            self._zeros[p.shape] = (torch.zeros_like(p), torch.zeros_like(p))\n"
            "                        state[\"exp_avg\"], state[\"exp_avg_sq\"] = self._zeros[p.shape]"),
           fails="adam_per_parameter_state", concept="own state"),
    mutant(A, "Adam exp_avg and exp_avg_sq are one tensor",
           (ADAM_STATE_INIT, '                        state["exp_avg"] = state["exp_avg_sq"] = torch.zeros_like(p)'),
           fails="adam_per_parameter_state", concept="exp_avg_sq"),
    mutant(A, "Adam L2 and decoupled weight decay swapped",
           ("                        if decoupled:\n                            p.mul_", "                        if not decoupled:\n                            p.mul_"),
           fails="adam_weight_decay", concept="decoupled"),
    mutant(A, "Adam decoupled decay without lr", ("p.mul_(1 - lr * weight_decay)", "p.mul_(1 - weight_decay)"),
           fails="adam_weight_decay", concept="1 - lr * weight_decay"),
    mutant(A, "Adam crashes on grad None",
           ("                    if p.grad is None:\n                        continue\n                    grad = p.grad\n                    state = self.state[p]",
            "                    grad = p.grad\n                    state = self.state[p]"),
           fails="adam_skips_missing_grads", concept=".grad is None"),
    mutant(A, "Adam counts steps for the whole optimizer",
           (ADAM_LOOP_HEAD, "        self._t = getattr(self, \"_t\", 0) + 1\n" + ADAM_LOOP_HEAD),
           ('                    state["step"] += 1\n                    t = state["step"]',
            '                    state["step"] += 1\n                    t = self._t'),
           fails="adam_skips_missing_grads", concept="own step counter"),
    mutant(A, "Adam creates state for every parameter up front",
           (ADAM_SUPER, ADAM_SUPER + "\n        for group in self.param_groups:\n            for p in group[\"params\"]:\n"
                                     "                self.state[p] = {\"step\": 0, \"exp_avg\": torch.zeros_like(p), "
                                     "\"exp_avg_sq\": torch.zeros_like(p)}"),
           fails="adam_skips_missing_grads", concept="state is not created"),
    mutant(A, "Adam moments kept outside self.state",
           ("                    state = self.state[p]\n                    if len(state) == 0:",
            "                    if not hasattr(self, \"moments\"):\n                        self.moments = {}\n"
            "                    state = self.moments.setdefault(p, {})\n                    if len(state) == 0:"),
           fails="adam_state_dict_resume", concept="self.state"),
    mutant(A, "Adam reads lr from self.defaults",
           ('                lr = group["lr"]\n                beta1, beta2 = group["betas"]',
            '                lr = self.defaults["lr"]\n                beta1, beta2 = group["betas"]'),
           fails="adam_param_groups", concept="param groups"),
    mutant(A, "Adam runs the closure without enable_grad",
           ("            with torch.enable_grad():\n                loss = closure()\n" + ADAM_LOOP_HEAD,
            "            loss = closure()\n" + ADAM_LOOP_HEAD),
           fails="adam_closure", concept="torch.enable_grad()"),
    mutant(A, "Adam returns loss.item()",
           ("                    p.addcdiv_(exp_avg, denom, value=-step_size)\n        return loss",
            "                    p.addcdiv_(exp_avg, denom, value=-step_size)\n        return None if loss is None else loss.item()"),
           fails="adam_closure", concept="returns its loss"),
    mutant(A, "Adam accepts beta == 1",
           ("if not 0.0 <= beta1 < 1.0:", "if not 0.0 <= beta1 <= 1.0:"), ("if not 0.0 <= beta2 < 1.0:", "if not 0.0 <= beta2 <= 1.0:"),
           fails="adam_validation", concept="[0, 1)"),
    mutant(A, "Adam subclasses torch.optim.Adam",
           ("class Adam(torch.optim.Optimizer):", "class Adam(torch.optim.Adam):"),
           (ADAM_SUPER, ADAM_SUPER.replace("super().__init__(params, defaults)",
                                           "super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, "
                                           "decoupled_weight_decay=decoupled)")),
           ("        loss = None\n        if closure is not None:\n            with torch.enable_grad():\n                loss = closure()\n" + ADAM_LOOP_HEAD,
            "        return super().step(closure)\n" + ADAM_LOOP_HEAD),
           fails=ADAM_TRAJECTORIES + ("adam_skips_missing_grads", "adam_closure"), concept="implement it yourself"),
    mutant(A, "Adam calls torch.optim.adam.adam",
           ("import torch\nfrom torch import Tensor\n", "import torch\nfrom torch import Tensor\nfrom torch.optim import adam as torch_adam\n"),
           ('''                    state["step"] += 1
                    t = state["step"]''',
            '''                    state["step"] += 1
                    torch_adam.adam(
                        [p], [grad], [state["exp_avg"]], [state["exp_avg_sq"]], [], [torch.tensor(state["step"] - 1.0)],
                        amsgrad=False, beta1=beta1, beta2=beta2, lr=lr, weight_decay=weight_decay, eps=eps,
                        maximize=False, decoupled_weight_decay=decoupled,
                    )
                    continue
                    t = state["step"]'''),
           fails=ADAM_TRAJECTORIES + ("adam_skips_missing_grads", "adam_closure"), concept="implement it yourself"),
    mutant(A, "Adam calls a from-imported adam functional",
           ("import torch\nfrom torch import Tensor\n", "import torch\nfrom torch import Tensor\nfrom torch.optim.adam import adam as adam_update\n"),
           ('''                    state["step"] += 1
                    t = state["step"]''',
            '''                    state["step"] += 1
                    adam_update(
                        [p], [grad], [state["exp_avg"]], [state["exp_avg_sq"]], [], [torch.tensor(state["step"] - 1.0)],
                        amsgrad=False, beta1=beta1, beta2=beta2, lr=lr, weight_decay=weight_decay, eps=eps,
                        maximize=False, decoupled_weight_decay=decoupled,
                    )
                    continue
                    t = state["step"]'''),
           fails=ADAM_TRAJECTORIES + ("adam_skips_missing_grads", "adam_closure"), concept="implement it yourself"),
]

ALTERNATIVES = [
    alternative(
        A, "per-parameter no_grad blocks, augmented assignment, tensor step, lerp and bias-corrected moments",
        (SGD_BODY, '''        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            weight_decay, nesterov = group["weight_decay"], group["nesterov"]
            for p in (q for q in group["params"] if q.grad is not None):
                with torch.no_grad():
                    d_p = p.grad + weight_decay * p if weight_decay else p.grad.clone()
                    if momentum:
                        state = self.state[p]
                        if "momentum_buffer" not in state:
                            state["momentum_buffer"] = torch.clone(d_p).detach()
                        else:
                            buf = state["momentum_buffer"]
                            buf *= momentum
                            buf += (1 - dampening) * d_p
                        buf = state["momentum_buffer"]
                        d_p = d_p + momentum * buf if nesterov else buf
                    p -= lr * d_p
        return loss
'''),
        (ADAM_BODY, '''        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "step" not in state:
                    state["step"] = torch.tensor(0.0)
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                with torch.no_grad():
                    state["step"] += 1
                    t = state["step"].item()
                    g = p.grad
                    if group["weight_decay"]:
                        if group["decoupled"]:
                            p.mul_(1 - group["lr"] * group["weight_decay"])
                        else:
                            g = g + group["weight_decay"] * p
                    m, v = state["exp_avg"], state["exp_avg_sq"]
                    m.lerp_(g, 1 - beta1)
                    v.mul_(beta2).add_((1 - beta2) * g * g)
                    m_hat = m / (1 - beta1**t)
                    v_hat = v / (1 - beta2**t)
                    p -= group["lr"] * m_hat / (v_hat.sqrt() + group["eps"])
        return loss
'''),
    ),
    alternative(
        A, ".data updates, rebuilt momentum buffer, buffer None without momentum, other validation",
        ("        if not 0.0 <= lr:\n            raise ValueError(f\"lr should be a non-negative float, but got lr={lr}\")\n"
         "        if not 0.0 <= eps:",
         "        for name, value in ((\"lr\", lr), (\"eps\", eps), (\"weight_decay\", weight_decay)):\n"
         "            if value < 0:\n                raise ValueError(f\"Invalid {name}: {value}\")\n"
         "        if not all(0 <= beta < 1 for beta in betas):\n            raise ValueError(f\"Invalid betas: {betas}\")\n"
         "        if not 0.0 <= eps:"),
        (SGD_BODY, '''        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                d_p = p.grad.data
                if group["weight_decay"] != 0:
                    d_p = d_p.add(p.data, alpha=group["weight_decay"])
                state = self.state[p]
                if group["momentum"] != 0:
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = d_p.clone()
                    else:
                        buf = group["momentum"] * buf + (1 - group["dampening"]) * d_p
                    state["momentum_buffer"] = buf
                    d_p = d_p + group["momentum"] * buf if group["nesterov"] else buf
                else:
                    state["momentum_buffer"] = None
                p.data.add_(d_p, alpha=-group["lr"])
        return loss
'''),
        (ADAM_BODY, '''        import math

        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                state.setdefault("step", 0)
                state.setdefault("exp_avg", torch.zeros_like(p.data))
                state.setdefault("exp_avg_sq", torch.zeros_like(p.data))
                state["step"] += 1
                t = state["step"]
                grad = p.grad.data
                if group["weight_decay"] != 0 and not group["decoupled"]:
                    grad = grad + group["weight_decay"] * p.data
                if group["weight_decay"] != 0 and group["decoupled"]:
                    p.data.mul_(1 - lr * group["weight_decay"])
                state["exp_avg"].mul_(beta1).add_(grad * (1 - beta1))
                state["exp_avg_sq"].mul_(beta2).add_(grad.square() * (1 - beta2))
                denom = state["exp_avg_sq"].sqrt() / math.sqrt(1 - beta2**t) + eps
                p.data.sub_(lr / (1 - beta1**t) * state["exp_avg"] / denom)
        return loss
'''),
    ),
]

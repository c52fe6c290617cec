"""Mistakes and valid alternatives for a03_optimizers.

Every edit names a short snippet of the reference. ``SGD.step`` and ``Adam.step``
begin with the same seven lines (the closure call, then the ``torch.no_grad()``
loop reading ``group["lr"]``), so an edit among those lines has to reach down to
the first line that tells the two apart, the second option each reads: that is
what ``SGD_LOOP_HEAD`` and ``ADAM_LOOP_HEAD`` end with.
"""

from tests.support import alternative, mutant

A = "a03_optimizers"

ENABLE_GRAD = "            with torch.enable_grad():\n                loss = closure()\n"
STEP_START = "        loss = None\n        if closure is not None:\n" + ENABLE_GRAD
LOOP_START = ('        with torch.no_grad():\n'
              '            for group in self.param_groups:\n'
              '                lr = group["lr"]\n')
SGD_LOOP_HEAD = LOOP_START + '                momentum = group["momentum"]'
ADAM_LOOP_HEAD = LOOP_START + '                beta1, beta2 = group["betas"]'
SGD_SUPER = '''            "nesterov": nesterov,
        }
        super().__init__(params, defaults)'''
ADAM_SUPER = '''            "decoupled": decoupled,
        }
        super().__init__(params, defaults)'''
# Adam's lazy state: the exp_avg line, then the exp_avg_sq call over three lines.
ADAM_AVG_INIT = 'state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)'
ADAM_SQ_INIT = ('                        state["exp_avg_sq"] = torch.zeros_like(\n'
                '                            p, memory_format=torch.preserve_format\n'
                '                        )\n')
GRAD_GUARD = ("                    if p.grad is None:\n"
              "                        continue\n"
              "                    grad = p.grad\n")
ADAM_GRAD_GUARD = GRAD_GUARD + "                    state = self.state[p]"
ADAM_COUNTER = '                    state["step"] += 1\n                    t = state["step"]'
IMPORTS = "import torch\nfrom torch import Tensor\n"

# The feature checks (param groups, skipping, closure, resume, per-parameter state) compare the student's own
# runs and build on the basic step check of their optimizer: a mistake in the basic update, a crash in every
# update or a forbidden shortcut fails sgd_plain_step / adam_step, and the feature checks say "fix that first".

MUTANTS = [
    # ---------------------------------------------------------------- SGD
    mutant(A, "momentum buffer is p.grad itself, not a copy", ("buf = grad.detach().clone()", "buf = grad"),
           fails="sgd_momentum", concept="copy of the first gradient"),
    mutant(A, "SGD rebinds p = p - lr * g", ("p.add_(grad, alpha=-lr)", "p = p - lr * grad"),
           fails="sgd_plain_step", concept="rebinding"),
    mutant(A, "SGD updates without torch.no_grad()",
           (SGD_LOOP_HEAD, SGD_LOOP_HEAD.replace("with torch.no_grad():", "if True:  # no torch.no_grad()")),
           fails="sgd_plain_step", concept="torch.no_grad()"),
    mutant(A, "SGD dampens the first momentum step",
           ("buf = grad.detach().clone()", "buf = grad.detach().clone().mul_(1 - dampening)"),
           fails="sgd_momentum", concept="no dampening at step 1"),
    mutant(A, "SGD ignores dampening",
           ("buf.mul_(momentum).add_(grad, alpha=1 - dampening)", "buf.mul_(momentum).add_(grad)"),
           fails="sgd_momentum", concept="1 - dampening"),
    mutant(A, "SGD Nesterov swaps buf and g",
           ("grad = grad.add(buf, alpha=momentum)", "grad = buf.add(grad, alpha=momentum)"),
           fails="sgd_momentum", concept="nesterov"),
    mutant(A, "SGD weight decay added after momentum",
           ("                    if weight_decay != 0:\n"
            "                        grad = grad.add(p, alpha=weight_decay)\n"
            "                    if momentum != 0:",
            "                    if momentum != 0:"),
           ("                    p.add_(grad, alpha=-lr)",
            "                    if weight_decay != 0:\n"
            "                        grad = grad.add(p, alpha=weight_decay)\n"
            "                    p.add_(grad, alpha=-lr)"),
           fails="sgd_weight_decay", concept="before momentum"),
    mutant(A, "SGD momentum buffer kept outside self.state",
           ("                        state = self.state[p]\n"
            "                        buf = state.get(\"momentum_buffer\")",
            "                        if not hasattr(self, \"buffers\"):\n"
            "                            self.buffers = {}\n"
            "                        state = self.buffers.setdefault(p, {})\n"
            "                        buf = state.get(\"momentum_buffer\")"),
           fails="sgd_state_dict_resume", concept="self.state"),
    mutant(A, "SGD crashes on grad None",
           (GRAD_GUARD + "                    if weight_decay",
            "                    grad = p.grad\n                    if weight_decay"),
           fails="sgd_skips_missing_grads", concept=".grad is None"),
    mutant(A, "SGD treats grad None as zeros",
           (GRAD_GUARD + "                    if weight_decay",
            "                    grad = p.grad if p.grad is not None else torch.zeros_like(p)\n"
            "                    if weight_decay"),
           fails="sgd_skips_missing_grads", concept="skipped"),
    mutant(A, "SGD reads lr from self.defaults",
           ('                lr = group["lr"]\n                momentum = group["momentum"]',
            '                lr = self.defaults["lr"]\n                momentum = group["momentum"]'),
           fails="sgd_param_groups", concept="param groups"),
    mutant(A, "SGD copies each group's lr at construction",
           (SGD_SUPER, SGD_SUPER + '\n        self._lrs = [group["lr"] for group in self.param_groups]'),
           (SGD_LOOP_HEAD,
            "        with torch.no_grad():\n"
            "            for group, lr in zip(self.param_groups, self._lrs):\n"
            '                momentum = group["momentum"]'),
           fails="sgd_param_groups", concept="an lr changed between steps"),
    mutant(A, "SGD runs the closure without enable_grad",
           (ENABLE_GRAD + SGD_LOOP_HEAD, "            loss = closure()\n" + SGD_LOOP_HEAD),
           fails="sgd_closure", concept="torch.enable_grad()"),
    mutant(A, "SGD does not return the closure's loss",
           ("                    p.add_(grad, alpha=-lr)\n        return loss",
            "                    p.add_(grad, alpha=-lr)\n        return None"),
           fails="sgd_closure", concept="returns its loss"),
    mutant(A, "SGD without the nesterov check",
           ('        if nesterov and (momentum <= 0 or dampening != 0):\n            raise ValueError(\n',
            '        if False:\n            raise ValueError(\n'),
           fails="sgd_validation", concept="nesterov=True without momentum > 0"),
    mutant(A, "SGD rejects lr=0",
           ("        if not 0.0 <= lr:\n"
            "            raise ValueError(f\"lr should be a non-negative float, but got lr={lr}\")\n"
            "        if not 0.0 <= momentum:",
            "        if not 0.0 < lr:\n"
            "            raise ValueError(f\"lr should be a non-negative float, but got lr={lr}\")\n"
            "        if not 0.0 <= momentum:"),
           fails="sgd_validation", concept="validating hyper-parameters"),
    mutant(A, "SGD wraps torch.optim.SGD",
           (SGD_SUPER, SGD_SUPER + "\n        self._inner = torch.optim.SGD(self.param_groups, lr=lr, "
                                   "momentum=momentum, dampening=dampening, weight_decay=weight_decay, "
                                   "nesterov=nesterov)"),
           (STEP_START + SGD_LOOP_HEAD, "        return self._inner.step(closure)\n" + SGD_LOOP_HEAD),
           fails="sgd_plain_step", concept="implement it yourself"),
    mutant(A, "SGD subclasses torch.optim.SGD",
           ("class SGD(torch.optim.Optimizer):", "class SGD(torch.optim.SGD):"),
           (SGD_SUPER, SGD_SUPER.replace("super().__init__(params, defaults)",
                                         "super().__init__(params, lr=lr, momentum=momentum, dampening=dampening, "
                                         "weight_decay=weight_decay, nesterov=nesterov)")),
           (STEP_START + SGD_LOOP_HEAD, "        return super().step(closure)\n" + SGD_LOOP_HEAD),
           fails="sgd_plain_step", concept="implement it yourself"),
    # ---------------------------------------------------------------- Adam
    mutant(A, "Adam without bias correction",
           ("bias_correction1 = 1 - beta1**t\n                    bias_correction2 = 1 - beta2**t",
            "bias_correction1 = 1.0\n                    bias_correction2 = 1.0"),
           fails="adam_step", concept="bias correction"),
    mutant(A, "Adam step counter starts at 0",
           (ADAM_COUNTER, '                    t = state["step"]\n                    state["step"] += 1'),
           fails="adam_step", concept="from 1"),
    mutant(A, "Adam eps inside the square root",
           ("denom = (exp_avg_sq.sqrt() / bias_correction2**0.5).add_(eps)",
            "denom = (exp_avg_sq / bias_correction2).add_(eps).sqrt()"),
           fails="adam_step", concept="eps is added after the square root"),
    mutant(A, "Adam eps added before correcting v",
           ("denom = (exp_avg_sq.sqrt() / bias_correction2**0.5).add_(eps)",
            "denom = (exp_avg_sq.sqrt() + eps) / bias_correction2**0.5"),
           fails="adam_step", concept="eps"),
    mutant(A, "Adam updates without torch.no_grad()",
           (ADAM_LOOP_HEAD, ADAM_LOOP_HEAD.replace("with torch.no_grad():", "if True:  # no torch.no_grad()")),
           fails="adam_step", concept="torch.no_grad()"),
    mutant(A, "Adam moments cached per shape (shared between parameters)",
           (ADAM_AVG_INIT,
            "if not hasattr(self, \"_zeros\"):\n                            self._zeros = {}\n"
            "                        if p.shape not in self._zeros:\n"
            "                            self._zeros[p.shape] = (torch.zeros_like(p), torch.zeros_like(p))\n"
            "                        state[\"exp_avg\"], state[\"exp_avg_sq\"] = self._zeros[p.shape]"),
           (ADAM_SQ_INIT, ""),
           fails="adam_per_parameter_state", concept="own state"),
    mutant(A, "Adam exp_avg and exp_avg_sq are one tensor",
           (ADAM_AVG_INIT, 'state["exp_avg"] = state["exp_avg_sq"] = torch.zeros_like(p)'),
           (ADAM_SQ_INIT, ""),
           fails="adam_step", concept="exp_avg_sq"),
    mutant(A, "Adam L2 and decoupled weight decay swapped",
           ("                        if decoupled:\n                            p.mul_",
            "                        if not decoupled:\n                            p.mul_"),
           fails="adam_weight_decay", concept="decoupled"),
    mutant(A, "Adam decoupled decay without lr", ("p.mul_(1 - lr * weight_decay)", "p.mul_(1 - weight_decay)"),
           fails="adam_weight_decay", concept="both lr and weight_decay"),
    mutant(A, "Adam crashes on grad None",
           (ADAM_GRAD_GUARD, "                    grad = p.grad\n                    state = self.state[p]"),
           fails="adam_skips_missing_grads", concept=".grad is None"),
    mutant(A, "Adam counts steps for the whole optimizer",
           (ADAM_LOOP_HEAD, "        self._t = getattr(self, \"_t\", 0) + 1\n" + ADAM_LOOP_HEAD),
           (ADAM_COUNTER, '                    state["step"] += 1\n                    t = self._t'),
           fails=("adam_skips_missing_grads", "adam_state_dict_resume"), concept="step counter"),
    mutant(A, "Adam creates state for every parameter up front",
           (ADAM_SUPER, ADAM_SUPER + "\n        for group in self.param_groups:\n"
                                     "            for p in group[\"params\"]:\n"
                                     "                self.state[p] = {\"step\": 0, \"exp_avg\": torch.zeros_like(p), "
                                     "\"exp_avg_sq\": torch.zeros_like(p)}"),
           fails="adam_skips_missing_grads", concept="state is not created"),
    mutant(A, "Adam moments kept outside self.state",
           ("                    state = self.state[p]\n                    if len(state) == 0:",
            "                    if not hasattr(self, \"moments\"):\n                        self.moments = {}\n"
            "                    state = self.moments.setdefault(p, {})\n                    if len(state) == 0:"),
           fails=("adam_per_parameter_state", "adam_state_dict_resume"), concept="self.state"),
    mutant(A, "Adam reads lr from self.defaults",
           ('                lr = group["lr"]\n                beta1, beta2 = group["betas"]',
            '                lr = self.defaults["lr"]\n                beta1, beta2 = group["betas"]'),
           fails="adam_param_groups", concept="param groups"),
    mutant(A, "Adam runs the closure without enable_grad",
           (ENABLE_GRAD + ADAM_LOOP_HEAD, "            loss = closure()\n" + ADAM_LOOP_HEAD),
           fails="adam_closure", concept="torch.enable_grad()"),
    mutant(A, "Adam calls the closure after the update",
           (STEP_START + ADAM_LOOP_HEAD, "        loss = None\n" + ADAM_LOOP_HEAD),
           ("                    p.addcdiv_(exp_avg, denom, value=-step_size)\n        return loss",
            "                    p.addcdiv_(exp_avg, denom, value=-step_size)\n"
            "        if closure is not None:\n"
            "            with torch.enable_grad():\n"
            "                loss = closure()\n"
            "        return loss"),
           fails="adam_closure", concept="calls it first"),
    mutant(A, "Adam returns loss.item()",
           ("                    p.addcdiv_(exp_avg, denom, value=-step_size)\n        return loss",
            "                    p.addcdiv_(exp_avg, denom, value=-step_size)\n"
            "        return None if loss is None else loss.item()"),
           fails="adam_closure", concept="returns its loss"),
    mutant(A, "Adam accepts beta == 1",
           ("if not 0.0 <= beta1 < 1.0:", "if not 0.0 <= beta1 <= 1.0:"),
           ("if not 0.0 <= beta2 < 1.0:", "if not 0.0 <= beta2 <= 1.0:"),
           fails="adam_validation", concept="[0, 1)"),
    mutant(A, "Adam subclasses torch.optim.Adam",
           ("class Adam(torch.optim.Optimizer):", "class Adam(torch.optim.Adam):"),
           (ADAM_SUPER, ADAM_SUPER.replace("super().__init__(params, defaults)",
                                           "super().__init__(params, lr=lr, betas=betas, eps=eps, "
                                           "weight_decay=weight_decay, decoupled_weight_decay=decoupled)")),
           (STEP_START + ADAM_LOOP_HEAD, "        return super().step(closure)\n" + ADAM_LOOP_HEAD),
           fails="adam_step", concept="implement it yourself"),
    mutant(A, "Adam calls torch.optim.adam.adam",
           (IMPORTS, IMPORTS + "from torch.optim import adam as torch_adam\n"),
           (ADAM_COUNTER,
            '''                    state["step"] += 1
                    torch_adam.adam(
                        [p], [grad], [state["exp_avg"]], [state["exp_avg_sq"]], [], [torch.tensor(state["step"] - 1.0)],
                        amsgrad=False, beta1=beta1, beta2=beta2, lr=lr, weight_decay=weight_decay, eps=eps,
                        maximize=False, decoupled_weight_decay=decoupled,
                    )
                    continue
                    t = state["step"]'''),
           fails="adam_step", concept="implement it yourself"),
    mutant(A, "Adam calls a from-imported adam functional",
           (IMPORTS, IMPORTS + "from torch.optim.adam import adam as adam_update\n"),
           (ADAM_COUNTER,
            '''                    state["step"] += 1
                    adam_update(
                        [p], [grad], [state["exp_avg"]], [state["exp_avg_sq"]], [], [torch.tensor(state["step"] - 1.0)],
                        amsgrad=False, beta1=beta1, beta2=beta2, lr=lr, weight_decay=weight_decay, eps=eps,
                        maximize=False, decoupled_weight_decay=decoupled,
                    )
                    continue
                    t = state["step"]'''),
           fails="adam_step", concept="implement it yourself"),
]

ALTERNATIVES = [
    alternative(
        A, "per-parameter no_grad blocks, augmented assignment, tensor step, lerp and bias-corrected moments",
        # SGD.step
        (SGD_LOOP_HEAD,
         "        for group in self.param_groups:\n"
         '            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]'),
        ('                dampening = group["dampening"]\n                weight_decay = group["weight_decay"]',
         '            weight_decay, nesterov = group["weight_decay"], group["nesterov"]'),
        ('                nesterov = group["nesterov"]\n'
         '                for p in group["params"]:\n'
         "                    if p.grad is None:",
         '            for p in (q for q in group["params"] if q.grad is not None):\n'
         "                with torch.no_grad():"),
        ("                        continue\n"
         "                    grad = p.grad\n"
         "                    if weight_decay != 0:",
         "                    d_p = p.grad + weight_decay * p if weight_decay else p.grad.clone()"),
        ("                        grad = grad.add(p, alpha=weight_decay)\n                    if momentum != 0:",
         "                    if momentum:"),
        ('                        buf = state.get("momentum_buffer")\n                        if buf is None:',
         '                        if "momentum_buffer" not in state:'),
        ("                            buf = grad.detach().clone()\n"
         '                            state["momentum_buffer"] = buf',
         '                            state["momentum_buffer"] = torch.clone(d_p).detach()'),
        ("                            buf.mul_(momentum).add_(grad, alpha=1 - dampening)\n"
         "                        if nesterov:",
         '                            buf = state["momentum_buffer"]\n'
         "                            buf *= momentum\n"
         "                            buf += (1 - dampening) * d_p\n"
         '                        buf = state["momentum_buffer"]'),
        ("                            grad = grad.add(buf, alpha=momentum)\n"
         "                        else:\n"
         "                            grad = buf",
         "                        d_p = d_p + momentum * buf if nesterov else buf"),
        ("p.add_(grad, alpha=-lr)", "p -= lr * d_p"),
        # Adam.step
        (ADAM_LOOP_HEAD, '        for group in self.param_groups:\n            beta1, beta2 = group["betas"]'),
        ('                eps = group["eps"]\n                weight_decay = group["weight_decay"]\n', ""),
        ('                decoupled = group["decoupled"]\n'
         '                for p in group["params"]:\n'
         "                    if p.grad is None:",
         '            for p in group["params"]:\n'
         "                if p.grad is None:"),
        ("                        continue\n"
         "                    grad = p.grad\n"
         "                    state = self.state[p]",
         "                    continue\n                state = self.state[p]"),
        ('                    if len(state) == 0:\n'
         '                        state["step"] = 0\n'
         "                        " + ADAM_AVG_INIT,
         '                if "step" not in state:\n'
         '                    state["step"] = torch.tensor(0.0)\n'
         '                    state["exp_avg"] = torch.zeros_like(p)'),
        (ADAM_SQ_INIT,
         '                    state["exp_avg_sq"] = torch.zeros_like(p)\n'
         "                with torch.no_grad():\n"),
        ('                    t = state["step"]\n'
         '                    exp_avg = state["exp_avg"]\n'
         '                    exp_avg_sq = state["exp_avg_sq"]\n',
         '                    t = state["step"].item()\n'
         "                    g = p.grad"),
        ("                    if weight_decay != 0:\n"
         "                        if decoupled:\n"
         "                            p.mul_(1 - lr * weight_decay)",
         '                    if group["weight_decay"]:\n'
         '                        if group["decoupled"]:\n'
         '                            p.mul_(1 - group["lr"] * group["weight_decay"])'),
        ("                            grad = grad.add(p, alpha=weight_decay)\n",
         '                            g = g + group["weight_decay"] * p'),
        ("                    exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)\n"
         "                    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)\n",
         '                    m, v = state["exp_avg"], state["exp_avg_sq"]\n'
         "                    m.lerp_(g, 1 - beta1)\n"
         "                    v.mul_(beta2).add_((1 - beta2) * g * g)"),
        ("                    bias_correction1 = 1 - beta1**t\n                    bias_correction2 = 1 - beta2**t",
         "                    m_hat = m / (1 - beta1**t)\n                    v_hat = v / (1 - beta2**t)"),
        ("                    step_size = lr / bias_correction1\n"
         "                    denom = (exp_avg_sq.sqrt() / bias_correction2**0.5).add_(eps)\n"
         "                    p.addcdiv_(exp_avg, denom, value=-step_size)",
         '                    p -= group["lr"] * m_hat / (v_hat.sqrt() + group["eps"])'),
    ),
    alternative(
        A, ".data updates, rebuilt momentum buffer, buffer None without momentum, other validation",
        # Adam.__init__
        ("        if not 0.0 <= lr:\n"
         "            raise ValueError(f\"lr should be a non-negative float, but got lr={lr}\")\n"
         "        if not 0.0 <= eps:",
         "        for name, value in ((\"lr\", lr), (\"eps\", eps), (\"weight_decay\", weight_decay)):\n"
         "            if value < 0:\n                raise ValueError(f\"Invalid {name}: {value}\")\n"
         "        if not all(0 <= beta < 1 for beta in betas):\n"
         "            raise ValueError(f\"Invalid betas: {betas}\")\n"
         "        if not 0.0 <= eps:"),
        # SGD.step
        (SGD_LOOP_HEAD, "        for group in self.param_groups:"),
        ('                dampening = group["dampening"]\n                weight_decay = group["weight_decay"]\n', ""),
        ('                nesterov = group["nesterov"]\n'
         '                for p in group["params"]:\n'
         "                    if p.grad is None:",
         '            for p in group["params"]:\n'
         "                if p.grad is None:"),
        ("                        continue\n"
         "                    grad = p.grad\n"
         "                    if weight_decay != 0:",
         "                    continue\n"
         "                d_p = p.grad.data\n"
         '                if group["weight_decay"] != 0:'),
        ("                        grad = grad.add(p, alpha=weight_decay)\n"
         "                    if momentum != 0:\n"
         "                        state = self.state[p]",
         '                    d_p = d_p.add(p.data, alpha=group["weight_decay"])\n'
         "                state = self.state[p]\n"
         '                if group["momentum"] != 0:'),
        ('                        buf = state.get("momentum_buffer")\n'
         "                        if buf is None:\n"
         "                            buf = grad.detach().clone()",
         '                    buf = state.get("momentum_buffer")\n'
         "                    if buf is None:\n"
         "                        buf = d_p.clone()"),
        ('                            state["momentum_buffer"] = buf\n'
         "                        else:\n"
         "                            buf.mul_(momentum).add_(grad, alpha=1 - dampening)",
         "                    else:\n"
         '                        buf = group["momentum"] * buf + (1 - group["dampening"]) * d_p'),
        ("                        if nesterov:\n                            grad = grad.add(buf, alpha=momentum)",
         '                    state["momentum_buffer"] = buf\n'
         '                    d_p = d_p + group["momentum"] * buf if group["nesterov"] else buf'),
        ("                        else:\n"
         "                            grad = buf\n"
         "                    p.add_(grad, alpha=-lr)",
         "                else:\n"
         '                    state["momentum_buffer"] = None\n'
         '                p.data.add_(d_p, alpha=-group["lr"])'),
        # Adam.step
        (STEP_START + ADAM_LOOP_HEAD,
         "        import math\n\n" + STEP_START + "        for group in self.param_groups:\n"
         '            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]'),
        ('                eps = group["eps"]\n                weight_decay = group["weight_decay"]\n', ""),
        ('                decoupled = group["decoupled"]\n'
         '                for p in group["params"]:\n'
         "                    if p.grad is None:",
         '            for p in group["params"]:\n'
         "                if p.grad is None:"),
        ("                        continue\n"
         "                    grad = p.grad\n"
         "                    state = self.state[p]",
         "                    continue\n                state = self.state[p]"),
        ('                    if len(state) == 0:\n'
         '                        state["step"] = 0\n'
         "                        " + ADAM_AVG_INIT,
         '                state.setdefault("step", 0)\n'
         '                state.setdefault("exp_avg", torch.zeros_like(p.data))'),
        (ADAM_SQ_INIT, '                state.setdefault("exp_avg_sq", torch.zeros_like(p.data))\n'),
        (ADAM_COUNTER, '                state["step"] += 1\n                t = state["step"]'),
        ('                    exp_avg = state["exp_avg"]\n                    exp_avg_sq = state["exp_avg_sq"]\n',
         "                grad = p.grad.data"),
        ("                    if weight_decay != 0:\n"
         "                        if decoupled:\n"
         "                            p.mul_(1 - lr * weight_decay)",
         '                if group["weight_decay"] != 0 and not group["decoupled"]:\n'
         '                    grad = grad + group["weight_decay"] * p.data\n'
         '                if group["weight_decay"] != 0 and group["decoupled"]:'),
        ("                        else:\n                            grad = grad.add(p, alpha=weight_decay)\n",
         '                    p.data.mul_(1 - lr * group["weight_decay"])'),
        ("                    exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)\n"
         "                    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)\n",
         '                state["exp_avg"].mul_(beta1).add_(grad * (1 - beta1))\n'
         '                state["exp_avg_sq"].mul_(beta2).add_(grad.square() * (1 - beta2))'),
        ("                    bias_correction1 = 1 - beta1**t\n                    bias_correction2 = 1 - beta2**t",
         '                denom = state["exp_avg_sq"].sqrt() / math.sqrt(1 - beta2**t) + eps'),
        ("                    step_size = lr / bias_correction1\n"
         "                    denom = (exp_avg_sq.sqrt() / bias_correction2**0.5).add_(eps)\n"
         "                    p.addcdiv_(exp_avg, denom, value=-step_size)",
         '                p.data.sub_(lr / (1 - beta1**t) * state["exp_avg"] / denom)'),
    ),
]

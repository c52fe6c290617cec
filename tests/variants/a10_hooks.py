"""Mistakes and valid alternatives for a10_hooks."""

from tests.support import alternative, mutant

A = "a10_hooks"

RECORD = "                self.records[name].append(output.detach() if self.detach else output)\n"
RECORDER_EXIT = (
    "            tb: Its traceback, or ``None``.\n"
    '        """\n'
    "        for handle in self._handles:\n"
    "            handle.remove()\n"
    "        self._handles.clear()\n"
)
MONITOR_REMOVE = (
    "        backward hook of this monitor.\n"
    '        """\n'
    "        for handle in self._handles:\n"
    "            handle.remove()\n"
    "        self._handles.clear()\n"
)
VALIDATE = (
    "        for name in names:\n"
    "            if name not in modules:\n"
    '                raise ValueError(f"no submodule named {name!r} in the model; it has {sorted(modules)}")\n'
)
ENTER = (
    "        for name, module in self._targets:\n"
    "\n"
    "            def record(mod: nn.Module, args: tuple, output: Tensor, name: str = name) -> None:\n"
    + RECORD
    + "\n"
    "            self._handles.append(module.register_forward_hook(record))\n"
    "        return self\n"
)
CLIP_HOOK = "            handles.append(param.register_hook(lambda grad: grad.clamp(-max_abs, max_abs)))\n"
SCALE_FIRST = (
    "    def scale_first(mod: nn.Module, args: tuple) -> tuple:\n"
    "        return (args[0] * factor, *args[1:])\n"
    "\n"
    "    return module.register_forward_pre_hook(scale_first)\n"
)
VISIT = (
    "            if isinstance(child, target):\n"
    "                setattr(parent, name, factory(child))\n"
    "                replaced.append(qualified)\n"
    "            else:\n"
    '                visit(child, qualified + ".")\n'
)
REPLACE_BODY = (
    "    replaced: list[str] = []\n"
    "\n"
    "    def visit(parent: nn.Module, prefix: str) -> None:\n"
    "        for name, child in list(parent.named_children()):\n"
    "            qualified = prefix + name\n"
    + VISIT
    + "\n"
    '    visit(model, "")\n'
    "    return replaced\n"
)
DESCRIBE_ROW = (
    "        (name, type(module).__name__, sum(param.numel() for param in module.parameters(recurse=False)))\n"
    "        for name, module in model.named_modules()\n"
    "    ]\n"
)

MUTANTS = [
    # --- task 1: ActivationRecorder
    mutant(A, "hooks never removed", (RECORDER_EXIT, RECORDER_EXIT.replace(
        "        for handle in self._handles:\n            handle.remove()\n", "")),
           fails="recorder_hooks", concept="handle.remove()"),
    mutant(A, "hooks left on the model when the block raised", (RECORDER_EXIT, RECORDER_EXIT.replace(
        "        for handle in self._handles:\n            handle.remove()\n",
        "        if exc_type is None:\n            for handle in self._handles:\n                handle.remove()\n")),
           fails="recorder_hooks", concept="also when the block raised"),
    mutant(A, "__exit__ swallows the exception", (RECORDER_EXIT, RECORDER_EXIT + "        return True\n"),
           fails="recorder_hooks", concept="reaches the caller"),
    mutant(A, "records the inputs instead of the output",
           (RECORD, "                self.records[name].append(args[0].detach() if self.detach else args[0])\n"),
           fails="recorder_records", concept="output"),
    mutant(A, "records overwritten at each call",
           (RECORD, "                self.records[name] = [output.detach() if self.detach else output]\n"),
           fails="recorder_records", concept="each call"),
    mutant(A, "records never detached", (RECORD, "                self.records[name].append(output)\n"),
           fails="recorder_detach", concept="detach"),
    mutant(A, "records always detached",
           (RECORD, "                self.records[name].append(output.detach())\n"),
           fails="recorder_detach", concept="detach=False"),
    mutant(A, "unknown name accepted silently",
           (VALIDATE, ""),
           ("self._targets = [(name, modules[name]) for name in names]",
            "self._targets = [(name, modules[name]) for name in names if name in modules]"),
           fails="recorder_setup", concept="unknown name"),
    mutant(A, "get_submodule's AttributeError instead of ValueError",
           ("        modules = dict(model.named_modules())\n" + VALIDATE,
            "        modules = {name: model.get_submodule(name) for name in names}\n"),
           fails="recorder_setup", concept="ValueError"),
    mutant(A, "records created in __enter__",
           ("        self.records: dict[str, list[Tensor]] = {name: [] for name in names}\n"
            "        self._targets = [(name, modules[name]) for name in names]\n",
            "        self._targets = [(name, modules[name]) for name in names]\n"),
           (ENTER, "        self.records = {name: [] for name, _ in self._targets}\n" + ENTER),
           fails="recorder_setup", concept="records"),
    mutant(A, "forward replaced instead of a forward hook",
           (ENTER,
            "        for name, module in self._targets:\n"
            "            original = module.forward\n"
            "\n"
            "            def wrapped(*args, _original=original, _name=name, **kwargs):\n"
            "                output = _original(*args, **kwargs)\n"
            "                self.records[_name].append(output.detach() if self.detach else output)\n"
            "                return output\n"
            "\n"
            "            module.forward = wrapped\n"
            "        return self\n"),
           (RECORDER_EXIT, RECORDER_EXIT.replace(
               "        for handle in self._handles:\n            handle.remove()\n",
               "        for _, module in self._targets:\n            del module.forward\n")),
           fails=("recorder_records", "recorder_detach", "recorder_hooks"), concept="implement it yourself"),
    # --- task 2: add_grad_clip_hooks
    mutant(A, "clamps .grad after accumulation",
           (CLIP_HOOK,
            "\n"
            "            def clip(p: nn.Parameter) -> None:\n"
            "                p.grad.clamp_(-max_abs, max_abs)\n"
            "\n"
            "            handles.append(param.register_post_accumulate_grad_hook(clip))\n"),
           fails=("gradclip_accumulation", "gradclip_handles"), concept="accumulated"),
    mutant(A, "lower bound of the clamp forgotten",
           ("grad.clamp(-max_abs, max_abs)", "grad.clamp(max=max_abs)"),
           fails="gradclip_values", concept="[-max_abs, max_abs]"),
    mutant(A, "gradient clamped in place in the hook",
           ("grad.clamp(-max_abs, max_abs)", "grad.clamp_(-max_abs, max_abs)"),
           fails="gradclip_values", concept="in place"),
    mutant(A, "hook on frozen parameters too",
           ("        if param.requires_grad:\n" + CLIP_HOOK, CLIP_HOOK.replace("            ", "        ", 1)),
           fails="gradclip_handles", concept="trainable"),
    mutant(A, "max_abs of zero accepted", ("    if max_abs <= 0:\n", "    if max_abs < 0:\n"),
           fails="gradclip_validation", concept="positive"),
    # --- task 3: GradNormMonitor
    mutant(A, "register_backward_hook instead of the full one",
           ("module.register_full_backward_hook(record)", "module.register_backward_hook(record)"),
           fails="gradnorm_hooks", concept="register_full_backward_hook"),
    mutant(A, "norm of grad_input", ("vector_norm(grad_output[0])", "vector_norm(grad_input[0])"),
           fails="gradnorm_values", concept="grad_output"),
    mutant(A, "norms kept as tensors", ("vector_norm(grad_output[0]).item())", "vector_norm(grad_output[0]))"),
           fails="gradnorm_values", concept="Python float"),
    mutant(A, "remove() keeps the hooks", (MONITOR_REMOVE, MONITOR_REMOVE.replace(
        "        for handle in self._handles:\n            handle.remove()\n", "")),
           fails="gradnorm_hooks", concept="remove()"),
    mutant(A, "exact type instead of isinstance", ("            if isinstance(module, types):\n",
                                                   "            if type(module) in types:\n"),
           fails="gradnorm_values", concept="subclasses"),
    mutant(A, "monitor walks only the direct children",
           ("        for name, module in model.named_modules():\n            if isinstance(module, types):\n",
            "        for name, module in model.named_children():\n            if isinstance(module, types):\n"),
           fails="gradnorm_values", concept="named_modules()"),
    # --- task 4: add_input_scaler
    mutant(A, "scales the caller's tensor in place",
           ("        return (args[0] * factor, *args[1:])\n", "        args[0].mul_(factor)\n        return args\n"),
           fails="scaler_values", concept="in place"),
    mutant(A, "scales every positional argument",
           ("        return (args[0] * factor, *args[1:])\n", "        return tuple(a * factor for a in args)\n"),
           fails="scaler_values", concept="only the first positional input"),
    mutant(A, "other positional arguments dropped",
           ("        return (args[0] * factor, *args[1:])\n", "        return args[0] * factor\n"),
           fails="scaler_values", concept="the others are kept"),
    mutant(A, "forward hook scaling the output instead of a pre-hook",
           (SCALE_FIRST,
            "    def scale_output(mod: nn.Module, args: tuple, output: Tensor) -> Tensor:\n"
            "        return output * factor\n"
            "\n"
            "    return module.register_forward_hook(scale_output)\n"),
           fails=("scaler_values", "scaler_handle"), concept="pre-hook"),
    mutant(A, "handle not returned",
           ("    return module.register_forward_pre_hook(scale_first)\n",
            "    module.register_forward_pre_hook(scale_first)\n"),
           fails="scaler_handle", concept="handle"),
    mutant(A, "forward replaced instead of a pre-hook",
           (SCALE_FIRST,
            "    original = module.forward\n"
            "\n"
            "    def scaled(x, *rest, **kwargs):\n"
            "        return original(x * factor, *rest, **kwargs)\n"
            "\n"
            "    module.forward = scaled\n"
            "    return None\n"),
           fails=("scaler_values", "scaler_handle"), concept="implement it yourself"),
    # --- task 5: replace_modules_
    mutant(A, "surgery only on the direct children",
           (VISIT, VISIT.replace('            else:\n                visit(child, qualified + ".")\n', "")),
           fails="replace_everywhere", concept="any depth"),
    mutant(A, "surgery descends only into nn.Sequential (misses ModuleList items)",
           (VISIT, VISIT.replace("            else:\n", "            elif isinstance(child, nn.Sequential):\n")),
           fails="replace_everywhere", concept="ModuleList"),
    mutant(A, "the model itself replaced",
           (REPLACE_BODY,
            "    found = [(name, mod) for name, mod in model.named_modules() if isinstance(mod, target)]\n"
            "    for name, old in found:\n"
            '        parent_name, _, attr = name.rpartition(".")\n'
            "        setattr(model.get_submodule(parent_name), attr, factory(old))\n"
            "    return [name for name, _ in found]\n"),
           fails="replace_root_and_wrappers", concept="never"),
    mutant(A, "replacement searched again",
           (VISIT, VISIT.replace("                replaced.append(qualified)\n",
                                 "                replaced.append(qualified)\n"
                                 '                visit(getattr(parent, name), qualified + ".")\n')),
           fails="replace_root_and_wrappers", concept="searched again"),
    mutant(A, "factory given a copy",
           ("from types import TracebackType\n", "import copy\nfrom types import TracebackType\n"),
           ("setattr(parent, name, factory(child))", "setattr(parent, name, factory(copy.deepcopy(child)))"),
           fails="replace_keeps_the_rest", concept="not a copy"),
    # --- task 6: describe
    mutant(A, "recursive parameter counts",
           (DESCRIBE_ROW, DESCRIBE_ROW.replace("module.parameters(recurse=False)", "module.parameters()")),
           fails="describe_rows", concept="recurse=False"),
    mutant(A, "describe lists only the direct children",
           (DESCRIBE_ROW, DESCRIBE_ROW.replace("model.named_modules()", "model.named_children()")),
           fails="describe_rows", concept="named_modules()"),
    mutant(A, "describe leaves out the model itself",
           (DESCRIBE_ROW, DESCRIBE_ROW.replace("model.named_modules()\n", "model.named_modules()\n        if name\n")),
           fails="describe_rows", concept="the model itself"),
]

ALTERNATIVES = [
    alternative(
        A, "kwargs hooks, get_submodule lookup, torch.clamp, Tensor.norm, list-built args, collect-then-set surgery",
        ("        names = list(names)\n        modules = dict(model.named_modules())\n" + VALIDATE,
         "        names = [str(name) for name in names]\n"
         "        modules = {}\n"
         "        for name in names:\n"
         "            try:\n"
         "                modules[name] = model.get_submodule(name)\n"
         "            except AttributeError:\n"
         "                raise ValueError(f'{name!r} is not a submodule') from None\n"),
        (ENTER,
         "        for name, module in self._targets:\n"
         "            self._handles.append(module.register_forward_hook(self._hook_for(name), with_kwargs=True))\n"
         "        return self\n"
         "\n"
         "    def _hook_for(self, name):\n"
         "        def hook(module, args, kwargs, output):\n"
         "            kept = output.detach() if self.detach else output\n"
         "            self.records[name].append(kept)\n"
         "\n"
         "        return hook\n"),
        (CLIP_HOOK,
         "            bounded = functools.partial(torch.clamp, min=-max_abs, max=max_abs)\n"
         "            handles.append(param.register_hook(bounded))\n"),
        ("from types import TracebackType\n", "import functools\nfrom types import TracebackType\n"),
        ("self.norms[name].append(torch.linalg.vector_norm(grad_output[0]).item())",
         "self.norms[name].append(float(grad_output[0].norm()))"),
        ("        return (args[0] * factor, *args[1:])\n",
         "        new = list(args)\n        new[0] = torch.mul(new[0], factor)\n        return tuple(new)\n"),
        (REPLACE_BODY,
         "    found: list[tuple[str, nn.Module]] = []\n"
         "    for name, mod in model.named_modules():\n"
         "        inside = any(name.startswith(done + '.') for done, _ in found)\n"
         "        if name and not inside and isinstance(mod, target):\n"
         "            found.append((name, mod))\n"
         "    for name, old in found:\n"
         "        parent_name, _, attr = name.rpartition('.')\n"
         "        parent = model.get_submodule(parent_name)\n"
         "        if isinstance(parent, (nn.ModuleList, nn.Sequential)):\n"
         "            parent[int(attr)] = factory(old)\n"
         "        else:\n"
         "            setattr(parent, attr, factory(old))\n"
         "    return [name for name, _ in found]\n"),
        (DESCRIBE_ROW,
         "        (name, module.__class__.__name__,\n"
         "         sum(p.numel() for p in module._parameters.values() if p is not None))\n"
         "        for name, module in model.named_modules()\n"
         "    ]\n"),
    ),
    alternative(
        A, "partial-bound method hooks, pop-removal, where-based clip, sqrt norm, unpacked args, stack walk, loop rows",
        (ENTER,
         "        for name, module in self._targets:\n"
         "            self._handles.append(module.register_forward_hook(functools.partial(self._store, name)))\n"
         "        return self\n"
         "\n"
         "    def _store(self, name, module, args, output):\n"
         "        if self.detach:\n"
         "            output = output.detach()\n"
         "        self.records[name].append(output)\n"),
        (RECORDER_EXIT, RECORDER_EXIT.replace(
            "        for handle in self._handles:\n            handle.remove()\n        self._handles.clear()\n",
            "        while self._handles:\n            self._handles.pop().remove()\n")),
        ("from types import TracebackType\n", "import functools\nfrom types import TracebackType\n"),
        (CLIP_HOOK,
         "            handles.append(param.register_hook(\n"
         "                lambda g: torch.where(g.abs() > max_abs, g.sign() * max_abs, g)))\n"),
        ("self.norms[name].append(torch.linalg.vector_norm(grad_output[0]).item())",
         "self.norms[name].append(grad_output[0].pow(2).sum().sqrt().item())"),
        (SCALE_FIRST,
         "    def scale_first(mod, args):\n"
         "        first, *rest = args\n"
         "        return (torch.mul(first, factor), *rest)\n"
         "\n"
         "    handle = module.register_forward_pre_hook(scale_first)\n"
         "    return handle\n"),
        (REPLACE_BODY,
         "    order = {name: i for i, (name, _) in enumerate(model.named_modules())}\n"
         "    replaced: list[str] = []\n"
         "    stack: list[tuple[nn.Module, str]] = [(model, '')]\n"
         "    while stack:\n"
         "        parent, prefix = stack.pop()\n"
         "        for name, child in list(parent.named_children()):\n"
         "            if isinstance(child, target):\n"
         "                setattr(parent, name, factory(child))\n"
         "                replaced.append(prefix + name)\n"
         "            else:\n"
         "                stack.append((child, prefix + name + '.'))\n"
         "    return sorted(replaced, key=order.__getitem__)\n"),
        ("    return [\n" + DESCRIBE_ROW,
         "    rows = []\n"
         "    for name, module in model.named_modules():\n"
         "        own = sum(map(torch.numel, module.parameters(recurse=False)))\n"
         "        rows.append((name, type(module).__name__, own))\n"
         "    return rows\n"),
    ),
]

"""Mistakes and valid alternatives for a01_modules."""

from tests.support import alternative, mutant

A = "a01_modules"

MUTANTS = [
    mutant(A, "plain tensor attribute",
           ("self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))",
            "self.weight = torch.empty(out_features, in_features).uniform_(-k, k).requires_grad_()"),
           fails="linear_parameters", concept="nn.Parameter"),
    mutant(A, "transposed weight",
           ("self.weight = nn.Parameter(torch.empty(out_features, in_features)",
            "self.weight = nn.Parameter(torch.empty(in_features, out_features)"),
           ("        out = x @ self.weight.T\n        if self.bias is not None:\n            out = out + self.bias\n"
            "        return out",
            "        if self.bias is None:\n            return x @ self.weight\n"
            "        return x @ self.weight + self.bias"),
           fails=("linear_parameters", "linear_forward"), concept="weight"),
    mutant(A, "transpose forgotten in forward (weight rightly (out, in))",
           ("out = x @ self.weight.T", "out = x @ self.weight"),
           fails="linear_forward", concept="(out_features, in_features)"),
    mutant(A, "dropout before the activation",
           ("                x = self.activations[i](x)\n                x = self.dropout(x)\n",
            "                x = self.dropout(x)\n                x = self.activations[i](x)\n"),
           fails="mlp_dropout_modes", concept="follows the activation"),
    mutant(A, "two sizes rejected (one layer is valid)",
           ("        if len(sizes) < 2:\n",
            "        if len(sizes) <= 2:\n"),
           fails="mlp_validation", concept="two sizes make one valid layer"),
    mutant(A, "no TypeError for a prefix that is not a str",
           ("    for prefix in prefix_list:\n        if not isinstance(prefix, str):\n            raise TypeError(\n"
            "                f\"prefixes should hold str, but got {prefix!r} ({type(prefix).__name__})\"\n"
            "            )\n", ""),
           fails="freeze_by_prefix", concept="TypeError"),
    mutant(A, "missing super().__init__()",
           ("super().__init__()\n        self.in_features = in_features", "self.in_features = in_features"),
           fails="linear_parameters", concept="Module.__init__"),
    mutant(A, "bias not broadcast over leading dims",
           ("out = out + self.bias\n", "out = out + self.bias.expand(x.shape[0], -1)\n"),
           fails="linear_forward", concept="broadcast"),
    mutant(A, "init range 1/in_features", ("k = 1.0 / math.sqrt(in_features)", "k = 1.0 / in_features"),
           fails="linear_init", concept="uniform(-k, k)"),
    mutant(A, "init with randn",
           ("torch.empty(out_features, in_features).uniform_(-k, k)", "torch.randn(out_features, in_features) * k"),
           fails="linear_init", concept="1/sqrt(in_features)"),
    mutant(A, "uses F.linear",
           ("out = x @ self.weight.T\n        if self.bias is not None:\n            out = out + self.bias\n"
            "        return out",
            "return torch.nn.functional.linear(x, self.weight, self.bias)"),
           fails="linear_forward", concept="implement it yourself"),
    mutant(A, "weight detached in forward", ("out = x @ self.weight.T", "out = x @ self.weight.detach().T"),
           fails="linear_gradients", concept="autograd"),
    mutant(A, "bias=False still registers a bias",
           ("        else:\n            self.register_parameter(\"bias\", None)",
            "        else:\n            self.bias = nn.Parameter(torch.zeros(out_features))"),
           fails="linear_without_bias", concept="register_parameter"),
    mutant(A, "buffers registered as Parameters",
           ('self.register_buffer("mean", torch.as_tensor(mean))', "self.mean = nn.Parameter(torch.as_tensor(mean))"),
           ('self.register_buffer("std", torch.as_tensor(std))', "self.std = nn.Parameter(torch.as_tensor(std))"),
           fails="standardize_buffers", concept="register_buffer"),
    mutant(A, "buffers as plain attributes",
           ('self.register_buffer("mean", torch.as_tensor(mean))', "self.mean = torch.as_tensor(mean)"),
           ('self.register_buffer("std", torch.as_tensor(std))', "self.std = torch.as_tensor(std)"),
           fails="standardize_buffers", concept="buffers"),
    mutant(A, "eps added to the numerator",
           ("return (x - self.mean) / (self.std + self.eps)", "return (x - self.mean + self.eps) / self.std"),
           fails="standardize_forward", concept="divide by std + eps"),
    mutant(A, "Python list instead of ModuleList", ("self.layers = nn.ModuleList(\n", "self.layers = list(\n"),
           fails="mlp_structure", concept="ModuleList"),
    mutant(A, "one layer repeated with [layer] * n",
           ("Linear(n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])",
            "[Linear(sizes[0], sizes[1])] * (len(sizes) - 1)"),
           fails="mlp_layers", concept="its own module"),
    mutant(A, "no ValueError for one size",
           ("        if len(sizes) < 2:\n            raise ValueError",
            "        if len(sizes) < 1:\n            raise ValueError"),
           fails="mlp_validation", concept="ValueError"),
    mutant(A, "calls layer.forward directly", ("x = layer(x)", "x = layer.forward(x)"),
           fails="mlp_calls_modules", concept="hooks"),
    mutant(A, "activation after the last layer",
           ("                x = self.dropout(x)\n        return x",
            "                x = self.dropout(x)\n            else:\n                x = self.activations[0](x)\n"
            "        return x"),
           fails="mlp_forward", concept="but the last"),
    mutant(A, "dropout active in eval mode",
           ("x = self.dropout(x)", "x = nn.functional.dropout(x, self.dropout.p, training=True)"),
           fails="mlp_dropout_modes", concept="eval"),
    mutant(A, "shared parameter counted twice",
           ("for param in module.parameters()\n", "for param in module.parameters(remove_duplicate=False)\n"),
           fails="count_parameters_values", concept="shared parameter once"),
    mutant(A, "trainable_only ignored", ("        if param.requires_grad or not trainable_only\n", ""),
           fails="count_parameters_values", concept="frozen"),
    mutant(A, "init_normal_ misses subclasses",
           ("if isinstance(m, (Linear, nn.Linear)):", "if type(m) in (Linear, nn.Linear):"),
           fails="init_normal_statistics", concept="module.apply"),
    mutant(A, "init_normal_ without no_grad",
           ("            with torch.no_grad():\n                m.weight.normal_(0.0, std)\n"
            "                if m.bias is not None:\n                    m.bias.zero_()",
            "            m.weight.normal_(0.0, std)\n            if m.bias is not None:\n"
            "                m.bias.zero_()"),
           fails="init_normal_statistics", concept="no_grad"),
    mutant(A, "init_normal_ uses std as variance", ("m.weight.normal_(0.0, std)", "m.weight.normal_(0.0, std**2)"),
           fails="init_normal_statistics", concept="normal_(0, std)"),
    mutant(A, "prefix without the dot", ('name.startswith(prefix + ".")', "name.startswith(prefix)"),
           fails="freeze_by_prefix", concept="prefix"),
    mutant(A, "bare string iterated as characters",
           ("    if isinstance(prefixes, str):\n        prefixes = [prefixes]\n", ""),
           fails="freeze_by_prefix", concept="bare str"),
]

ALTERNATIVES = [
    alternative(
        A, "registration order: bias before weight, std before mean",
        ("        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))\n"
         "        if bias:\n            self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k))\n"
         "        else:\n            self.register_parameter(\"bias\", None)\n",
         "        if bias:\n            self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k))\n"
         "        else:\n            self.register_parameter(\"bias\", None)\n"
         "        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))\n"),
        ('        self.register_buffer("mean", torch.as_tensor(mean))\n'
         '        self.register_buffer("std", torch.as_tensor(std))\n',
         '        self.register_buffer("std", torch.as_tensor(std))\n'
         '        self.register_buffer("mean", torch.as_tensor(mean))\n'),
    ),
    alternative(
        A, "init helpers, matmul, per-layer dropouts, dict-based counting, regex freeze",
        ("        k = 1.0 / math.sqrt(in_features)\n"
         "        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))\n"
         "        if bias:\n            self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k))\n",
         "        self.weight = nn.Parameter(torch.empty(out_features, in_features))\n"
         "        nn.init.uniform_(self.weight, -in_features**-0.5, in_features**-0.5)\n"
         "        if bias:\n            self.bias = nn.Parameter(torch.empty(out_features))\n"
         "            nn.init.uniform_(self.bias, -in_features**-0.5, in_features**-0.5)\n"),
        ("        out = x @ self.weight.T\n        if self.bias is not None:\n            out = out + self.bias\n"
         "        return out",
         "        out = torch.matmul(x, self.weight.t())\n"
         "        return out if self.bias is None else out + self.bias"),
        ("        self.activations = nn.ModuleList(activation() for _ in range(len(sizes) - 2))\n"
         "        self.dropout = nn.Dropout(dropout)\n",
         "        self.post = nn.ModuleList(nn.Sequential(activation(), nn.Dropout(dropout))"
         " for _ in range(len(sizes) - 2))\n"),
        ("        last = len(self.layers) - 1\n        for i, layer in enumerate(self.layers):\n"
         "            x = layer(x)\n"
         "            if i < last:\n                x = self.activations[i](x)\n                x = self.dropout(x)\n"
         "        return x",
         "        for layer, post in zip(self.layers, self.post):\n            x = post(layer(x))\n"
         "        return self.layers[-1](x)"),
        ("    return sum(\n        param.numel()\n        for param in module.parameters()\n"
         "        if param.requires_grad or not trainable_only\n    )",
         "    unique = {id(p): p for _, p in module.named_parameters(remove_duplicate=False)}\n"
         "    return sum(p.numel() for p in unique.values() if p.requires_grad or not trainable_only)"),
        ("            with torch.no_grad():\n                m.weight.normal_(0.0, std)\n"
         "                if m.bias is not None:\n                    m.bias.zero_()",
         "            nn.init.normal_(m.weight, mean=0.0, std=std)\n            if m.bias is not None:\n"
         "                nn.init.zeros_(m.bias)"),
        ("    frozen: list[str] = []\n    for name, param in module.named_parameters():\n"
         "        if any(name == prefix or name.startswith(prefix + \".\") for prefix in prefix_list):\n"
         "            param.requires_grad_(False)\n            frozen.append(name)\n    return frozen",
         "    import re\n\n    if not prefix_list:\n        return []\n"
         "    pattern = re.compile(\"|\".join(re.escape(p) + r\"(\\.|$)\" for p in prefix_list))\n"
         "    names = [n for n, _ in module.named_parameters() if pattern.match(n)]\n"
         "    params = dict(module.named_parameters())\n    for n in names:\n        params[n].requires_grad = False\n"
         "    return names"),
    ),
]

"""Mistakes and valid alternatives for a02_autograd."""

from tests.support import alternative, mutant

A = "a02_autograd"

MUTANTS = [
    # Task 1: Exp
    mutant(A, "exp forward returns exp(x) + 1 consistently",
           ("        result = x.exp()\n", "        result = x.exp() + 1\n"),
           fails="exp_forward", concept="exp(x)"),
    mutant(A, "Exp backward ignores grad_output", ("        return grad_output * result\n", "        return result\n"),
           fails="exp_backward", concept="grad_output"),
    mutant(A, "Exp saves its input instead of its output",
           ("        ctx.save_for_backward(result)\n", "        ctx.save_for_backward(x)\n"),
           fails="exp_backward", concept="grad_output"),
    mutant(A, "Exp backward mutates the saved output in place",
           ("        return grad_output * result\n", "        return result.mul_(grad_output)\n"),
           fails=("exp_saved_output", "exp_gradcheck"), concept="in place"),
    mutant(A, "Exp backward mutates grad_output in place",
           ("        return grad_output * result\n", "        return grad_output.mul_(result)\n"),
           fails="exp_saved_output", concept="in place"),
    mutant(A, "Exp stores its output as a ctx attribute",
           ("        ctx.save_for_backward(result)\n        return result\n",
            "        ctx.result = result\n        return result\n"),
           ("        (result,) = ctx.saved_tensors\n        return grad_output * result\n",
            "        return grad_output * ctx.result\n"),
           fails="exp_saved_output", concept="save_for_backward"),
    mutant(A, "exp calls Exp.forward instead of Exp.apply",
           ("    return Exp.apply(x)\n", "    return Exp.forward(torch.autograd.function.FunctionCtx(), x)\n"),
           fails="exp_uses_apply", concept="apply"),
    mutant(A, "exp uses torch.exp", ("    return Exp.apply(x)\n", "    return torch.exp(x)\n"),
           fails="exp_uses_apply", concept="apply"),
    # Task 2: LinearFunction
    mutant(A, "linear forward without transposing the weight",
           ("        output = input @ weight.T\n", "        output = input @ weight\n"),
           fails="linear_forward", concept="transposed weight"),
    mutant(A, "linear forward ignores bias", ("        if bias is not None:\n            output = output + bias\n", ""),
           fails="linear_forward", concept="bias"),
    mutant(A, "bias gradient not summed over the batch",
           ("            grad_bias = grad_output.sum(0)\n", "            grad_bias = grad_output\n"),
           fails="linear_backward_returns", concept="summed over the batch"),
    mutant(A, "bias gradient is the batch size (ignores grad_output)",
           ("            grad_bias = grad_output.sum(0)\n",
            "            grad_bias = torch.ones_like(bias) * grad_output.shape[0]\n"),
           fails=("linear_gradients", "linear_gradcheck"), concept="grad_output"),
    mutant(A, "grad_input uses the transposed weight",
           ("            grad_input = grad_output @ weight\n", "            grad_input = grad_output @ weight.T\n"),
           fails=("linear_gradients", "linear_gradcheck"), concept="chain rule"),
    mutant(A, "grad_weight transposed",
           ("            grad_weight = grad_output.T @ input\n", "            grad_weight = input.T @ grad_output\n"),
           fails=("linear_gradients", "linear_gradcheck"), concept="chain rule"),
    mutant(A, "two gradients when there is no bias",
           ("        return grad_input, grad_weight, grad_bias\n",
            "        if bias is None:\n            return grad_input, grad_weight\n"
            "        return grad_input, grad_weight, grad_bias\n"),
           fails=("linear_gradients", "linear_gradcheck"), concept="exactly one gradient"),
    mutant(A, "a fourth None returned",
           ("        return grad_input, grad_weight, grad_bias\n",
            "        return grad_input, grad_weight, grad_bias, None\n"),
           fails="linear_backward_returns", concept="exactly one gradient per input"),
    mutant(A, "needs_input_grad ignored",
           ("        if ctx.needs_input_grad[0]:\n            grad_input = grad_output @ weight\n"
            "        if ctx.needs_input_grad[1]:\n            grad_weight = grad_output.T @ input\n"
            "        if bias is not None and ctx.needs_input_grad[2]:\n",
            "        grad_input = grad_output @ weight\n        grad_weight = grad_output.T @ input\n"
            "        if bias is not None:\n"),
           fails="linear_backward_returns", concept="needs_input_grad"),
    mutant(A, "linear uses F.linear in forward",
           ("        output = input @ weight.T\n        if bias is not None:\n            output = output + bias\n",
            "        output = torch.nn.functional.linear(input, weight, bias)\n"),
           fails="linear_forward", concept="implement it yourself"),
    # Task 3: ClampSTE
    mutant(A, "clamp_ste forward clamps only from below",
           ("        return x.clamp(min, max)\n", "        return x.clamp(min=min)\n"),
           fails="clamp_ste_forward", concept="clamps x to [min, max]"),
    mutant(A, "ClampSTE backward uses the true clamp gradient",
           ("        return x.clamp(min, max)\n",
            "        ctx.save_for_backward(x)\n        ctx.bounds = (min, max)\n        return x.clamp(min, max)\n"),
           ("        return grad_output.clone(), None, None\n",
            "        (x,) = ctx.saved_tensors\n        inside = (x >= ctx.bounds[0]) & (x <= ctx.bounds[1])\n"
            "        return grad_output * inside, None, None\n"),
           fails="clamp_ste_backward", concept="straight-through"),
    mutant(A, "ClampSTE backward returns only grad_x",
           ("        return grad_output.clone(), None, None\n", "        return grad_output.clone()\n"),
           fails="clamp_ste_backward", concept="None for the float arguments"),
    mutant(A, "ClampSTE backward returns ones",
           ("        return grad_output.clone(), None, None\n",
            "        return torch.ones_like(grad_output), None, None\n"),
           fails="clamp_ste_backward", concept="grad_output through unchanged"),
    mutant(A, "clamp_ste calls ClampSTE.forward",
           ("    return ClampSTE.apply(x, min, max)\n", "    return ClampSTE.forward(None, x, min, max)\n"),
           fails="clamp_ste_backward", concept="straight-through"),
    # Task 4: LinearWithCustomGrad
    mutant(A, "LinearWithCustomGrad bypasses LinearFunction",
           ("        out = LinearFunction.apply(x.reshape(-1, self.in_features), self.weight, self.bias)\n",
            "        out = x.reshape(-1, self.in_features) @ self.weight.T\n"
            "        if self.bias is not None:\n            out = out + self.bias\n"),
           fails="custom_linear_backward", concept="LinearFunction.backward"),
    mutant(A, "LinearWithCustomGrad does not flatten the input",
           ("        leading = x.shape[:-1]\n"
            "        out = LinearFunction.apply(x.reshape(-1, self.in_features), self.weight, self.bias)\n"
            "        return out.reshape(*leading, self.out_features)\n",
            "        return LinearFunction.apply(x, self.weight, self.bias)\n"),
           fails="custom_linear_backward", concept="LinearFunction.backward"),
    mutant(A, "LinearWithCustomGrad restores the wrong shape",
           ("        return out.reshape(*leading, self.out_features)\n", "        return out\n"),
           fails="custom_linear_forward", concept="flatten"),
    mutant(A, "LinearWithCustomGrad weight as a plain tensor",
           ("        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))\n",
            "        self.weight = torch.empty(out_features, in_features).uniform_(-k, k).requires_grad_()\n"),
           fails="custom_linear_parameters", concept="nn.Parameter"),
    mutant(A, "LinearWithCustomGrad init range 1/in_features",
           ("        k = 1.0 / math.sqrt(in_features)\n", "        k = 1.0 / in_features\n"),
           fails="custom_linear_parameters", concept="uniform(-k, k)"),
    mutant(A, "LinearWithCustomGrad bias=False registers a zero bias",
           ("        else:\n            self.register_parameter(\"bias\", None)\n",
            "        else:\n            self.bias = nn.Parameter(torch.zeros(out_features))\n"),
           fails="custom_linear_parameters", concept="register_parameter"),
    # Task 5: mse_loss_and_grad
    mutant(A, "mse gradient without the factor 2",
           ("        grad = 2 * diff / pred.numel()\n", "        grad = diff / pred.numel()\n"),
           fails="mse_values", concept="factor 2"),
    mutant(A, "mse gradient divided by the batch size",
           ("        grad = 2 * diff / pred.numel()\n", "        grad = 2 * diff / pred.shape[0]\n"),
           fails="mse_values", concept="number of elements"),
    mutant(A, "mse gradient by autograd",
           ("    with torch.no_grad():\n        diff = pred - target\n        loss = (diff * diff).mean()\n"
            "        grad = 2 * diff / pred.numel()\n    return loss, grad\n",
            "    leaf = pred.detach().requires_grad_()\n    loss = ((leaf - target) ** 2).mean()\n    loss.backward()\n"
            "    return loss.detach(), leaf.grad\n"),
           fails=("mse_values", "mse_no_graph"), concept="implement it yourself"),
    mutant(A, "mse results keep graph history",
           ("    with torch.no_grad():\n        diff = pred - target\n        loss = (diff * diff).mean()\n"
            "        grad = 2 * diff / pred.numel()\n",
            "    diff = pred - target\n    loss = (diff * diff).mean()\n    grad = 2 * diff / pred.numel()\n"),
           fails="mse_no_graph", concept="no_grad"),
    mutant(A, "mse without the shape check",
           ("    if pred.shape != target.shape:\n", "    if pred.numel() != target.numel():\n"),
           fails="mse_validation", concept="ValueError"),
]

ALTERNATIVES = [
    alternative(
        A, "torch functions, saved flag for the bias, no clone, view-based flattening, sum/numel",
        ("        result = x.exp()\n        ctx.save_for_backward(result)\n        return result\n",
         "        out = torch.exp(x)\n        ctx.save_for_backward(out)\n        return out\n"),
        ("        (result,) = ctx.saved_tensors\n        return grad_output * result\n",
         "        return torch.mul(ctx.saved_tensors[0], grad_output)\n"),
        ("        ctx.save_for_backward(input, weight, bias)\n        output = input @ weight.T\n"
         "        if bias is not None:\n"
         "            output = output + bias\n        return output\n",
         "        ctx.save_for_backward(input, weight)\n        ctx.has_bias = bias is not None\n"
         "        if bias is None:\n            return input.mm(weight.t())\n"
         "        return torch.addmm(bias, input, weight.t())\n"),
        ("        input, weight, bias = ctx.saved_tensors\n        grad_input = grad_weight = grad_bias = None\n"
         "        if ctx.needs_input_grad[0]:\n            grad_input = grad_output @ weight\n"
         "        if ctx.needs_input_grad[1]:\n            grad_weight = grad_output.T @ input\n"
         "        if bias is not None and ctx.needs_input_grad[2]:\n            grad_bias = grad_output.sum(0)\n"
         "        return grad_input, grad_weight, grad_bias\n",
         "        input, weight = ctx.saved_tensors\n"
         "        need_input, need_weight, need_bias = ctx.needs_input_grad\n"
         "        grad_input = grad_output.mm(weight) if need_input else None\n"
         "        grad_weight = torch.einsum('no,ni->oi', grad_output, input) if need_weight else None\n"
         "        grad_bias = grad_output.sum(dim=0) if ctx.has_bias and need_bias else None\n"
         "        return grad_input, grad_weight, grad_bias\n"),
        ("        return x.clamp(min, max)\n", "        return torch.clamp(x, min=min, max=max)\n"),
        ("        return grad_output.clone(), None, None\n", "        return grad_output, None, None\n"),
        ("        k = 1.0 / math.sqrt(in_features)\n"
         "        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))\n"
         "        if bias:\n            self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k))\n",
         "        k = in_features**-0.5\n"
         "        self.weight = nn.Parameter(torch.rand(out_features, in_features) * 2 * k - k)\n"
         "        if bias:\n            self.bias = nn.Parameter(torch.empty(out_features))\n"
         "            nn.init.uniform_(self.bias, -k, k)\n"),
        ("        leading = x.shape[:-1]\n"
         "        out = LinearFunction.apply(x.reshape(-1, self.in_features), self.weight, self.bias)\n"
         "        return out.reshape(*leading, self.out_features)\n",
         "        flat = x.reshape(-1, x.shape[-1])\n        out = linear(flat, self.weight, self.bias)\n"
         "        return out.view(x.shape[:-1] + (self.out_features,))\n"),
        ("    with torch.no_grad():\n        diff = pred - target\n        loss = (diff * diff).mean()\n"
         "        grad = 2 * diff / pred.numel()\n",
         "    diff = pred.detach() - target.detach()\n    n = diff.numel()\n    loss = diff.pow(2).sum() / n\n"
         "    grad = diff * (2.0 / n)\n"),
    ),
    alternative(
        A, "in-place bias add, matmul/t(), flatten/unflatten with a 1-D branch, square/mean",
        ("        (result,) = ctx.saved_tensors\n        return grad_output * result\n",
         "        saved = ctx.saved_tensors\n        return grad_output.mul(saved[0])\n"),
        ("        output = input @ weight.T\n        if bias is not None:\n            output = output + bias\n",
         "        output = torch.matmul(input, weight.t())\n        if bias is not None:\n"
         "            output += bias\n"),
        ("        if ctx.needs_input_grad[1]:\n            grad_weight = grad_output.T @ input\n",
         "        if ctx.needs_input_grad[1]:\n            grad_weight = torch.matmul(grad_output.t(), input)\n"),
        ("        return x.clamp(min, max)\n", "        return x.clamp(min=min).clamp(max=max)\n"),
        ("        leading = x.shape[:-1]\n"
         "        out = LinearFunction.apply(x.reshape(-1, self.in_features), self.weight, self.bias)\n"
         "        return out.reshape(*leading, self.out_features)\n",
         "        if x.dim() == 1:\n"
         "            return LinearFunction.apply(x.unsqueeze(0), self.weight, self.bias).squeeze(0)\n"
         "        out = LinearFunction.apply(x.flatten(0, -2), self.weight, self.bias)\n"
         "        return out.unflatten(0, x.shape[:-1])\n"),
        ("    if pred.shape != target.shape:\n", "    if tuple(pred.shape) != tuple(target.shape):\n"),
        ("        loss = (diff * diff).mean()\n        grad = 2 * diff / pred.numel()\n",
         "        loss = torch.mean(torch.square(diff))\n        grad = torch.mul(diff, 2 / diff.numel())\n"),
    ),
]

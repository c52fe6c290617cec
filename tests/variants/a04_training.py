"""Mistakes and valid alternatives for a04_training."""

from tests.support import alternative, mutant

A = "a04_training"

TRAIN_STEP = (
    "    inputs, targets = batch\n"
    "    optimizer.zero_grad()\n"
    "    outputs = model(inputs)\n"
    "    loss = loss_fn(outputs, targets)\n"
    "    loss.backward()\n"
    "    optimizer.step()\n"
    "    return loss.item()"
)


def train_step_body(body: str) -> tuple[str, str]:
    """An edit replacing the whole body of train_step."""
    return (TRAIN_STEP, body)


MUTANTS = [
    # ---------------------------------------------------------------- train_step
    mutant(A, "missing zero_grad",
           train_step_body("    inputs, targets = batch\n    outputs = model(inputs)\n"
                           "    loss = loss_fn(outputs, targets)\n"
                           "    loss.backward()\n    optimizer.step()\n    return loss.item()"),
           fails="train_step_order", concept="zero_grad"),
    mutant(A, "zero_grad between backward and step",
           train_step_body("    inputs, targets = batch\n    outputs = model(inputs)\n"
                           "    loss = loss_fn(outputs, targets)\n"
                           "    loss.backward()\n    optimizer.zero_grad()\n    optimizer.step()\n"
                           "    return loss.item()"),
           fails="train_step_order", concept="order of a training step"),
    mutant(A, "step before backward",
           train_step_body("    inputs, targets = batch\n    optimizer.zero_grad()\n    outputs = model(inputs)\n"
                           "    loss = loss_fn(outputs, targets)\n    optimizer.step()\n    loss.backward()\n"
                           "    return loss.item()"),
           fails="train_step_order", concept="backward"),
    mutant(A, "zero_grad after step (stale gradients on the first batch)",
           train_step_body("    inputs, targets = batch\n    outputs = model(inputs)\n"
                           "    loss = loss_fn(outputs, targets)\n"
                           "    loss.backward()\n    optimizer.step()\n    optimizer.zero_grad()\n"
                           "    return loss.item()"),
           fails="train_step_order", concept="gradients add up"),
    mutant(A, "backward on a detached copy of the loss",
           ("    loss = loss_fn(outputs, targets)\n    loss.backward()\n",
            "    loss = loss_fn(outputs, targets).detach().requires_grad_()\n    loss.backward()\n"),
           fails="train_step_order", concept="attached to the graph"),
    mutant(A, "backward on a tensor rebuilt from loss.item()",
           ("    loss = loss_fn(outputs, targets)\n    loss.backward()\n",
            "    loss = torch.tensor(loss_fn(outputs, targets).item(), requires_grad=True)\n    loss.backward()\n"),
           fails="train_step_order", concept="attached to the graph"),
    mutant(A, "backward on the batch's summed loss",
           ("    loss = loss_fn(outputs, targets)\n    loss.backward()\n",
            "    loss = loss_fn(outputs, targets)\n    (loss * len(targets)).backward()\n"),
           fails="train_step_updates", concept="this batch's mean loss"),
    mutant(A, "returns the loss tensor", ("    return loss.item()", "    return loss"),
           fails="train_step_returns_float", concept="Python number"),
    # ---------------------------------------------------------------- train_epoch
    mutant(A, "train_epoch: unweighted mean over batches",
           ("        total_loss += loss * batch_size\n        total_samples += batch_size\n",
            "        total_loss += loss\n        total_samples += 1\n"),
           fails="train_epoch_loss", concept="weighted mean"),
    mutant(A, "train_epoch: no model.train()",
           ("    model.train()\n    total_loss = 0.0\n    total_samples = 0\n    for batch in loader:",
            "    total_loss = 0.0\n    total_samples = 0\n    for batch in loader:"),
           fails="train_epoch_train_mode", concept="train mode"),
    mutant(A, "train_epoch: inline loop, zero_grad once per epoch",
           ("        loss = train_step(model, batch, loss_fn, optimizer)\n",
            "        if total_samples == 0:\n            optimizer.zero_grad()\n"
            "        batch_loss = loss_fn(model(batch[0]), batch[1])\n        batch_loss.backward()\n"
            "        optimizer.step()\n        loss = batch_loss.item()\n"),
           fails="train_epoch_updates", concept="train_step"),
    # ---------------------------------------------------------------- evaluate
    mutant(A, "evaluate: no model.eval()",
           ("    model.eval()\n    total_loss = 0.0\n    correct = 0\n", "    total_loss = 0.0\n    correct = 0\n"),
           fails="evaluate_eval_mode_no_grad", concept="eval mode"),
    mutant(A, "evaluate: no torch.no_grad()",
           ("        with torch.no_grad():\n            for inputs, targets in loader:",
            "        if True:\n            for inputs, targets in loader:"),
           fails="evaluate_eval_mode_no_grad", concept="no_grad"),
    mutant(A, "evaluate: modes not restored",
           ("        for module, was_training in modes:\n            module.training = was_training\n",
            "        pass\n"),
           fails="evaluate_restores_modes", concept="module.training"),
    mutant(A, "evaluate: model.train() at the end",
           ("        for module, was_training in modes:\n            module.training = was_training\n",
            "        model.train()\n"),
           fails="evaluate_restores_modes", concept="put each back"),
    mutant(A, "evaluate: only the top module's mode restored",
           ("        for module, was_training in modes:\n            module.training = was_training\n",
            "        model.train(modes[0][1])\n"),
           fails="evaluate_restores_modes", concept="every submodule"),
    mutant(A, "evaluate: unweighted mean over batches",
           ("                total_loss += loss.item() * batch_size\n", "                total_loss += loss.item()\n"),
           ('return {"loss": total_loss / total_samples,', 'return {"loss": total_loss / len(loader),'),
           fails="evaluate_metrics", concept="weighted mean"),
    mutant(A, "evaluate: accuracy as mean of batch accuracies",
           ("                correct += int((outputs.argmax(dim=1) == targets).sum().item())\n",
            "                correct += (outputs.argmax(dim=1) == targets).float().mean().item()\n"),
           ('"accuracy": correct / total_samples}', '"accuracy": correct / len(loader)}'),
           fails="evaluate_metrics", concept="accuracy"),
    mutant(A, "evaluate: accuracy left as a tensor",
           ("correct += int((outputs.argmax(dim=1) == targets).sum().item())",
            "correct += (outputs.argmax(dim=1) == targets).sum()"),
           fails="evaluate_metrics", concept="accuracy"),
    # ---------------------------------------------------------------- train_epoch_accumulate
    mutant(A, "accumulate: no ValueError for 0 steps",
           ("    if accumulation_steps < 1:\n", "    if accumulation_steps < 0:\n"),
           fails="accumulate_validation", concept="ValueError"),
    mutant(A, "accumulate: remainder not stepped",
           ("    if pending:\n        optimizer.step()\n        optimizer.zero_grad()\n", ""),
           fails="accumulate_order", concept="pending"),
    mutant(A, "accumulate: extra step at the end even when nothing is pending",
           ("    if pending:\n", "    if True:\n"),
           fails="accumulate_order", concept="pending"),
    mutant(A, "accumulate: loss not divided by accumulation_steps",
           ("        (loss / accumulation_steps).backward()\n", "        loss.backward()\n"),
           fails="accumulate_updates", concept="dividing each loss by accumulation_steps"),
    mutant(A, "accumulate: steps after batches 1, 3, 5 (off by one)",
           ("enumerate(loader, start=1)", "enumerate(loader)"),
           fails="accumulate_order", concept="accumulation_steps-th batch"),
    mutant(A, "accumulate: no zero_grad at the start",
           ("    model.train()\n    optimizer.zero_grad()\n", "    model.train()\n"),
           fails="accumulate_order", concept="zero_grad"),
    mutant(A, "accumulate: no zero_grad after step",
           ("            optimizer.step()\n            optimizer.zero_grad()\n            pending = False\n",
            "            optimizer.step()\n            pending = False\n"),
           fails="accumulate_order", concept="zero_grad"),
    mutant(A, "accumulate: no model.train()",
           ("    model.train()\n    optimizer.zero_grad()\n", "    optimizer.zero_grad()\n"),
           fails="accumulate_order", concept="train mode"),
    mutant(A, "accumulate: returns the scaled losses",
           ("        total_loss += loss.item() * batch_size\n        total_samples += batch_size\n        if i %",
            "        total_loss += (loss / accumulation_steps).item() * batch_size\n"
            "        total_samples += batch_size\n        if i %"),
           fails="accumulate_loss", concept="unscaled"),
    # ---------------------------------------------------------------- fit
    mutant(A, "fit: epochs counted from 0",
           ("    for epoch in range(1, epochs + 1):\n", "    for epoch in range(epochs):\n"),
           fails="fit_history", concept="counting from 1"),
    mutant(A, "fit: evaluates before training",
           ("        train_loss = train_epoch(model, train_loader, loss_fn, optimizer)\n"
            "        metrics = evaluate(model, val_loader, loss_fn)\n",
            "        metrics = evaluate(model, val_loader, loss_fn)\n"
            "        train_loss = train_epoch(model, train_loader, loss_fn, optimizer)\n"),
           fails="fit_history", concept="then evaluates"),
    mutant(A, "fit: validates on the training loader",
           ("        metrics = evaluate(model, val_loader, loss_fn)\n",
            "        metrics = evaluate(model, train_loader, loss_fn)\n"),
           fails="fit_history", concept="evaluate"),
]

ALTERNATIVES = [
    alternative(
        A, "float(), list sums, inference_mode with one loss over all outputs, len(loader) for the last batch",
        train_step_body("    x, y = batch\n    optimizer.zero_grad(set_to_none=False)\n"
                        "    loss = loss_fn(model(x), y)\n"
                        "    loss.backward()\n    optimizer.step()\n    return float(loss.detach())"),
        ("    model.train()\n    total_loss = 0.0\n    total_samples = 0\n    for batch in loader:\n"
         "        loss = train_step(model, batch, loss_fn, optimizer)\n        batch_size = len(batch[1])\n"
         "        total_loss += loss * batch_size\n        total_samples += batch_size\n"
         "    return total_loss / total_samples",
         "    model.train()\n    losses = [(train_step(model, b, loss_fn, optimizer), len(b[1])) for b in loader]\n"
         "    return sum(l * n for l, n in losses) / sum(n for _, n in losses)"),
        ("    modes = [(module, module.training) for module in model.modules()]\n    model.eval()\n"
         "    total_loss = 0.0\n    correct = 0\n    total_samples = 0\n    try:\n        with torch.no_grad():\n"
         "            for inputs, targets in loader:\n                outputs = model(inputs)\n"
         "                loss = loss_fn(outputs, targets)\n                batch_size = len(targets)\n"
         "                total_loss += loss.item() * batch_size\n"
         "                correct += int((outputs.argmax(dim=1) == targets).sum().item())\n"
         "                total_samples += batch_size\n    finally:\n        for module, was_training in modes:\n"
         "            module.training = was_training\n"
         "    return {\"loss\": total_loss / total_samples, \"accuracy\": correct / total_samples}",
         "    modes = {module: module.training for module in model.modules()}\n    model.eval()\n"
         "    with torch.inference_mode():\n        outs, ys = zip(*[(model(x), y) for x, y in loader])\n"
         "        outputs, targets = torch.cat(outs), torch.cat(ys)\n"
         "        loss = loss_fn(outputs, targets).item()\n"
         "        accuracy = (outputs.argmax(dim=1) == targets).float().mean().item()\n"
         "    for module, flag in modes.items():\n        module.train(flag)\n"
         "    return {\"loss\": loss, \"accuracy\": accuracy}"),
        ("    for i, (inputs, targets) in enumerate(loader, start=1):\n",
         "    n_batches = len(loader)\n    for i, (inputs, targets) in enumerate(loader, start=1):\n"),
        ("        (loss / accumulation_steps).backward()\n", "        loss.mul(1.0 / accumulation_steps).backward()\n"),
        ("        if i % accumulation_steps == 0:\n", "        if i % accumulation_steps == 0 or i == n_batches:\n"),
        ("    history: list[dict[str, float]] = []\n    for epoch in range(1, epochs + 1):\n",
         "    history: list[dict[str, float]] = []\n    for epoch, _ in enumerate(range(epochs), start=1):\n"),
        ("            {\n                \"epoch\": epoch,\n                \"train_loss\": train_loss,\n"
         "                \"val_loss\": metrics[\"loss\"],\n                \"val_accuracy\": metrics[\"accuracy\"],\n"
         "            }",
         "            dict(epoch=epoch, train_loss=train_loss, val_loss=metrics[\"loss\"], "
         "val_accuracy=metrics[\"accuracy\"])"),
    ),
    alternative(
        A, "model.zero_grad(), saved flags restored by name, counter-based accumulation",
        ("    inputs, targets = batch\n    optimizer.zero_grad()\n",
         "    inputs, targets = batch\n    model.zero_grad()\n"),
        ("    modes = [(module, module.training) for module in model.modules()]\n",
         "    saved = {name: module.training for name, module in model.named_modules()}\n"),
        ("        for module, was_training in modes:\n            module.training = was_training\n",
         "        for name, module in model.named_modules():\n            module.training = saved[name]\n"),
        ("    pending = False\n    for i, (inputs, targets) in enumerate(loader, start=1):\n",
         "    since_step = 0\n    for inputs, targets in loader:\n"),
        ("        pending = True\n", "        since_step += 1\n"),
        ("        if i % accumulation_steps == 0:\n            optimizer.step()\n            optimizer.zero_grad()\n"
         "            pending = False\n"
         "    if pending:\n",
         "        if since_step == accumulation_steps:\n            optimizer.step()\n"
         "            optimizer.zero_grad()\n            since_step = 0\n"
         "    if since_step:\n"),
    ),
]

"""Quiz: concepts of lectures 4 and 5.

Answer each question by setting the matching variable below to one lowercase
letter, e.g. ``Q01: str | None = "x"``. Leave a variable at ``None`` to skip
its question.

1. ``self.w = torch.randn(3, requires_grad=True)`` in ``__init__``: what does
   ``model.parameters()`` yield for it?
   a) ``w``
   b) ``w`` and ``w.grad``
   c) nothing: a plain tensor attribute is not registered
   d) an error

2. Which order trains correctly?
   a) zero_grad, forward, loss, backward, step
   b) forward, loss, backward, zero_grad, step
   c) forward, loss, step, backward, zero_grad
   d) forward, backward, loss, step, zero_grad

3. Never calling ``optimizer.zero_grad()``:
   a) raises an error
   b) backward overwrites grads, so nothing changes
   c) the optimizer ignores gradients
   d) gradients add up across iterations

4. In torch 2.x ``optimizer.zero_grad()`` by default:
   a) sets each ``.grad`` to None
   b) fills grads with zeros
   c) resets momentum state
   d) deletes parameters

5. A tensor registered with ``register_buffer``:
   a) is trained by the optimizer
   b) is in ``state_dict`` and moved by ``.to()``, but not in ``parameters()``
   c) is cleared after every forward
   d) accumulates gradients

6. To give an operation your own gradient you subclass:
   a) ``nn.Parameter``
   b) ``torch.Tensor``
   c) ``torch.autograd.Function``, writing static ``forward`` and ``backward``
   d) ``torch.optim.Optimizer``

7. An optimizer's ``step()`` updates under ``torch.no_grad()`` because:
   a) it is faster only
   b) in-place changes to leaf tensors that require grad are not allowed and
      must not be recorded
   c) it zeroes the gradients
   d) it moves data to the GPU

8. A map-style Dataset must implement:
   a) ``__iter__``
   b) ``__next__`` and ``__len__``
   c) ``forward``
   d) ``__len__`` and ``__getitem__``

9. ``collate_fn`` is:
   a) the rule that merges a list of samples into a batch, e.g. padding
      sequences
   b) the order of indices
   c) the file loader
   d) the train/validation split

10. A sampler decides:
    a) the transforms
    b) how batches are padded
    c) which indices are drawn from the dataset, in which order
    d) the number of workers

11. An IterableDataset that ignores ``get_worker_info()``, read with
    ``num_workers=2``, yields each sample:
    a) once
    b) twice, once per worker
    c) never
    d) only in the main process

12. ``DataLoader(..., pin_memory=True)``:
    a) allocates batches on the GPU
    b) keeps workers alive between epochs
    c) locks the data files
    d) puts batches in page-locked host memory so copies to the GPU are faster

Grading
-------
Run ``pytest graders/ -m quiz`` from the repository root.
"""

from __future__ import annotations

__all__ = [
    "Q01",
    "Q02",
    "Q03",
    "Q04",
    "Q05",
    "Q06",
    "Q07",
    "Q08",
    "Q09",
    "Q10",
    "Q11",
    "Q12",
]

# Q01: registering parameters (plain tensor attributes)
Q01: str | None = "c"
# Q02: the order of a training step
Q02: str | None = "a"
# Q03: gradient accumulation without zero_grad
Q03: str | None = "d"
# Q04: what zero_grad does by default
Q04: str | None = "a"
# Q05: buffers
Q05: str | None = "b"
# Q06: custom gradients
Q06: str | None = "c"
# Q07: why optimizers update under no_grad
Q07: str | None = "b"
# Q08: the map-style Dataset protocol
Q08: str | None = "d"
# Q09: collate_fn
Q09: str | None = "a"
# Q10: samplers
Q10: str | None = "c"
# Q11: IterableDataset with several workers
Q11: str | None = "b"
# Q12: pin_memory
Q12: str | None = "d"

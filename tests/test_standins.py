"""The graders' stand-ins for torch._dynamo and torch's symbolic shapes: optimizers and
backward(gradient) behave as with the real modules, nothing imports the real ones, and
anything else still gets them.

Each test runs in a fresh interpreter: the stand-ins must come before the real modules
are imported, and must not leak into this process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.support import KIT_ROOT


def _run(code: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=KIT_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


TRAIN = """
import sys, torch
if sys.argv[-1] == "stand-in":
    from graders.engine.grading import standins
    standins.install()
w = torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
for opt in (torch.optim.SGD([w], lr=0.1, momentum=0.9), torch.optim.Adam([w], lr=0.1)):
    for _ in range(3):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    opt.load_state_dict(opt.state_dict())
print(w.tolist())
print(type(sys.modules["torch._dynamo"]).__name__, "torch._dynamo.eval_frame" in sys.modules)
"""

BACKWARD = """
import sys, torch
if sys.argv[-1] == "stand-in":
    from graders.engine.grading import standins
    standins.install()
x = torch.linspace(-1, 1, 6, dtype=torch.float64).reshape(2, 3).requires_grad_()
y = torch.exp(x) * 3
y.backward(torch.full((2, 3), 0.5, dtype=torch.float64), retain_graph=True)
grads = [x.grad.tolist()]
try:
    y.backward(torch.ones(3, 2, dtype=torch.float64))  # a wrong shape: the same error as torch's
except RuntimeError as exc:
    grads.append(str(exc).split(":")[0])
print(grads)
print(type(sys.modules["torch.fx.experimental.symbolic_shapes"]).__name__, "sympy" in sys.modules)
"""


def test_optimizers_run_without_the_real_module_and_step_as_usual() -> None:
    values, state = _run(TRAIN, "stand-in").splitlines()
    real_values, real_state = _run(TRAIN, "real").splitlines()
    assert values == real_values
    assert state == "EagerDynamo False" and real_state == "module True"


def test_backward_with_a_gradient_runs_without_sympy_and_gives_the_same_results() -> None:
    grads, state = _run(BACKWARD, "stand-in").splitlines()
    real_grads, real_state = _run(BACKWARD, "real").splitlines()
    assert grads == real_grads and "Mismatch in shape" in grads
    assert state == "EagerShapes False" and real_state == "module True"


def test_symbolic_shapes_beyond_the_two_calls_import_the_real_module() -> None:
    out = _run("""
        import sys, torch
        from graders.engine.grading import standins
        standins.install()
        from torch.fx.experimental.symbolic_shapes import ShapeEnv, sym_eq
        print(ShapeEnv.__name__, type(sys.modules["torch.fx.experimental.symbolic_shapes"]).__name__,
              torch.fx.experimental.symbolic_shapes is sys.modules["torch.fx.experimental.symbolic_shapes"],
              sym_eq((2, 3), [2, 3]), sym_eq((2, 3), (2,)))
    """)
    assert out.split() == ["ShapeEnv", "module", "True", "True", "False"]


def test_any_other_use_imports_the_real_module() -> None:
    out = _run("""
        import sys, torch
        from graders.engine.grading import standins
        standins.install()
        import torch._dynamo.config as config  # a submodule needs the real package
        print(hasattr(config, "cache_size_limit"), type(sys.modules["torch._dynamo"]).__name__, \
torch._dynamo is sys.modules["torch._dynamo"])
        print(callable(torch._dynamo.optimize))
        print(torch.compile(lambda x: x * 2 + 1, backend="eager")(torch.ones(2)).tolist())  # a student may compile
    """)
    assert out.split() == ["True", "module", "True", "True", "[3.0,", "3.0]"]


def test_attribute_lookups_other_than_dynamos_own_stay_cheap() -> None:
    out = _run("""
        import inspect, sys, torch
        from graders.engine.grading import standins
        standins.install()
        inspect.getmodule(len)  # walks every module's __file__
        print(hasattr(torch._dynamo, "__file__"), "torch._dynamo.eval_frame" in sys.modules)
    """)
    assert out.split() == ["False", "False"]

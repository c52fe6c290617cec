"""The grading workers' stand-in for torch._dynamo: optimizers behave as with the real
module, nothing imports the real one, and anything else still gets it.

Each test runs in a fresh interpreter: the stand-in must come before torch._dynamo is
imported, and must not leak into this process."""

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
    from graders.engine.grading import dynamo_standin
    dynamo_standin.install()
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


def test_optimizers_run_without_the_real_module_and_step_as_usual() -> None:
    values, state = _run(TRAIN, "stand-in").splitlines()
    real_values, real_state = _run(TRAIN, "real").splitlines()
    assert values == real_values
    assert state == "EagerDynamo False" and real_state == "module True"


def test_any_other_use_imports_the_real_module() -> None:
    out = _run("""
        import sys, torch
        from graders.engine.grading import dynamo_standin
        dynamo_standin.install()
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
        from graders.engine.grading import dynamo_standin
        dynamo_standin.install()
        inspect.getmodule(len)  # walks every module's __file__
        print(hasattr(torch._dynamo, "__file__"), "torch._dynamo.eval_frame" in sys.modules)
    """)
    assert out.split() == ["False", "False"]

"""Unit tests of the engine's plain functions."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from graders.engine.checks import assignment_of, check
from graders.engine.compare import Tolerance, compare, compare_tensors
from graders.engine.diagnose import diagnose
from graders.engine.grading.isolation import isolated_state
from graders.engine.grading.outcomes import Outcome
from graders.engine.grading.results import grade_table, results_json
from graders.engine.judges import keywise, relative
from graders.engine.loading.implementation import Implementation
from graders.engine.observations import describe, normalize, raised
from graders.engine.probes import Probe, derive_seed
from graders.engine.shortcuts import ShortcutUsed, guard

# --- comparing -----------------------------------------------------------------------------

def test_tensor_shape_and_dtype_are_reported_before_values() -> None:
    m = compare_tensors(torch.zeros(2, 3), torch.zeros(3, 2), "f(x)")
    assert (m.expected, m.got, m.where) == ("shape (3, 2)", "shape (2, 3)", "f(x)")
    m = compare_tensors(torch.zeros(2), torch.zeros(2, dtype=torch.float64))
    assert (m.expected, m.got) == ("dtype float64", "dtype float32")


def test_worst_element_is_named_with_its_index() -> None:
    expected = torch.zeros(3, 4)
    got = expected.clone()
    got[1, 2] = 0.5
    got[2, 3] = 2.0
    m = compare_tensors(got, expected)
    assert "index (2, 3)" in m.expected and m.got == "2" and "2 of 12 elements differ" in m.detail


def test_nan_where_the_reference_has_a_number_is_named() -> None:
    got = torch.tensor([1.0, float("nan")])
    m = compare_tensors(got, torch.tensor([1.0, 2.0]))
    assert "index (1,)" in m.expected and m.got == "nan" and "nan in 1 places" in m.detail
    assert compare_tensors(torch.tensor([float("nan")]), torch.tensor([float("nan")])) is None


def test_tolerance_is_relative_and_absolute() -> None:
    assert compare_tensors(torch.tensor([1000.001]), torch.tensor([1000.0]), tol=Tolerance(rtol=1e-5, atol=0)) is None
    assert compare_tensors(torch.tensor([1.1]), torch.tensor([1.0]), tol=Tolerance(rtol=1e-5, atol=0)) is not None


def test_structures_name_the_path_of_the_difference() -> None:
    m = compare({"a": [1, 2.0]}, {"a": [1, 2.5]})
    assert m.where == "a[1]" and m.expected == "2.5" and m.got == "2"
    m = compare({"loss": torch.tensor(1.0)}, {"loss": 1.0})
    assert "Python float" in m.expected and "Tensor" in m.got


def test_exceptions_compare_by_class_including_subclasses() -> None:
    class MyError(ValueError):
        pass

    assert compare(raised(MyError("x")), raised(ValueError("y"))) is None
    m = compare(normalize([1]), raised(ValueError("bad")), "MLP([3])")
    assert m.expected == "raise ValueError" and m.where == "MLP([3])"
    m = compare(raised(TypeError("t")), raised(ValueError("v")))
    assert "TypeError" in m.got


# --- observations --------------------------------------------------------------------------

def test_normalize_produces_plain_data_only() -> None:
    p = torch.nn.Parameter(torch.ones(2))
    out = normalize({"p": p, "size": torch.Size([2, 3]), "dtype": torch.float32, "np": np.float64(1.5),
                     "arr": np.zeros(2), "t": (1, [True])})
    assert type(out["p"]) is torch.Tensor and not out["p"].requires_grad
    assert out["size"] == (2, 3) and out["dtype"] == "torch.float32" and type(out["np"]) is float
    assert out["arr"]["__opaque__"] == "numpy.ndarray" and out["t"] == (1, [True])
    assert describe(out["arr"]) == "an object of type numpy.ndarray"


def test_normalized_tensors_lose_subclasses() -> None:
    class Liar(torch.Tensor):
        def __eq__(self, other):  # noqa: D105
            return True

    t = torch.ones(2).as_subclass(Liar)
    assert type(normalize(t)) is torch.Tensor


# --- probing -------------------------------------------------------------------------------

def test_derived_seeds_are_stable_distinct_and_63_bit() -> None:
    assert derive_seed(1, "a::b") == derive_seed(1, "a::b")
    assert len({derive_seed(s, k) for s in (1, 2) for k in ("x", "y")}) == 4
    assert 0 <= derive_seed(7, "z") < 2**63


def test_probe_inputs_depend_only_on_the_seed() -> None:
    torch.manual_seed(0)
    a = Probe(5).randn(3)
    torch.manual_seed(1)
    assert torch.equal(a, Probe(5).randn(3)) and not torch.equal(a, Probe(6).randn(3))


def test_isolated_state_restores_global_rng_and_grad_mode() -> None:
    torch.manual_seed(3)
    expected = torch.rand(1)
    torch.manual_seed(3)
    with isolated_state(99):
        torch.rand(5)
        torch.set_grad_enabled(False)
    assert torch.is_grad_enabled()
    assert torch.equal(torch.rand(1), expected)


# --- shortcuts -----------------------------------------------------------------------------

def test_guard_catches_a_forbidden_function_however_it_was_imported() -> None:
    from torch.nn.functional import linear as imported_early

    with pytest.raises(ShortcutUsed), guard(["F.linear"]):
        imported_early(torch.ones(1, 2), torch.ones(3, 2))
    with pytest.raises(ShortcutUsed), guard(["F.linear"]):
        torch.nn.Linear(2, 3)(torch.ones(1, 2))
    assert torch.nn.functional.linear(torch.ones(1, 2), torch.ones(3, 2)).shape == (1, 3)


def test_guard_tripwires_are_restored() -> None:
    original = torch.optim.SGD.step
    params = [torch.nn.Parameter(torch.ones(1))]
    params[0].grad = torch.ones(1)
    with pytest.raises(ShortcutUsed), guard(["torch.optim.SGD"]):
        torch.optim.SGD(params, lr=0.1).step()
    assert torch.optim.SGD.step is original
    torch.optim.SGD(params, lr=0.1).step()
    assert torch.equal(params[0].detach(), torch.tensor([0.9]))


def test_shortcut_used_is_not_an_exception_a_student_can_swallow() -> None:
    assert not issubclass(ShortcutUsed, Exception)


# --- loading -------------------------------------------------------------------------------

def _write(root: Path, text: str) -> Path:
    root.mkdir()
    (root / "a01_modules.py").write_text(text)
    return root


def test_namespaces_keep_same_named_modules_apart(tmp_path) -> None:
    one = Implementation(_write(tmp_path / "one", "VALUE = 1\n"))
    two = Implementation(_write(tmp_path / "two", "VALUE = 2\n"))
    assert one.load("a01_modules").module.VALUE == 1
    assert two.load("a01_modules").module.VALUE == 2
    assert "a01_modules" not in sys.modules
    with one.active():
        import a01_modules  # noqa: PLC0415

        assert a01_modules.VALUE == 1


def test_loading_writes_no_bytecode_and_reports_missing_files(tmp_path) -> None:
    impl = Implementation(_write(tmp_path / "sub", "X = 1\n"))
    assert impl.load("a01_modules").module.X == 1
    assert not (tmp_path / "sub" / "__pycache__").exists()
    missing = impl.load("a02_autograd")
    assert missing.missing and missing.module is None


def test_syntax_errors_point_at_the_line(tmp_path) -> None:
    impl = Implementation(_write(tmp_path / "sub", "x = 1\ny = (\n"))
    problem = impl.load("a01_modules").problem
    assert "SyntaxError" in problem and "a01_modules.py, line 2" in problem


def test_namespace_rejects_a_string_root() -> None:
    with pytest.raises(TypeError, match="pathlib.Path"):
        Implementation("reference")  # type: ignore[arg-type]


# --- declaring, judging, reporting ----------------------------------------------------------

def test_check_declaration_is_validated() -> None:
    ladder = ("a question?", "a pointer", "a pattern")
    with pytest.raises(ValueError, match="points should be positive"):
        check(points=0, concept="c", hints=ladder)
    with pytest.raises(ValueError, match="hints should be 3 non-empty texts"):
        check(points=1, concept="c", hints=("only one level",))
    with pytest.raises(ValueError, match="hints should be 3 non-empty texts"):
        check(points=1, concept="c", hints="a string is not a ladder")
    with pytest.raises(ValueError, match="docstring"):
        check(points=1, concept="c", hints=ladder)(lambda m, p: None)
    with pytest.raises(ValueError, match="test_<assignment>"):
        assignment_of("graders.helpers")


def test_keywise_judge_applies_rules_by_key_and_compares_the_rest() -> None:
    judge = keywise(("std", relative(0.1)))
    assert judge({"w std": 1.05, "n": 3}, {"w std": 1.0, "n": 3}) is None
    assert judge({"w std": 1.5, "n": 3}, {"w std": 1.0, "n": 3}).where == "w std"
    assert judge({"w std": 1.0, "n": 4}, {"w std": 1.0, "n": 3}).where == "n"


def test_diagnoses_explain_common_torch_errors() -> None:
    assert "parent class's __init__" in diagnose("cannot assign parameters before Module.__init__() call")
    assert diagnose("something else entirely") == ""


def _outcome(assignment: str, status: str, score: float, max_score: float = 2.0) -> Outcome:
    return Outcome(f"{assignment}::c{score}{status}", assignment, "title", status, score, max_score, "why")


def test_grade_table_and_results_json_add_up() -> None:
    outcomes = [_outcome("a01_modules", "passed", 2.0), _outcome("a01_modules", "not_attempted", 0.0),
                _outcome("quiz", "failed", 0.0, 1.0)]
    table = "\n".join(grade_table(outcomes))
    assert "2 / 4" in table and "2 / 5" in table and "(40%)" in table
    data = results_json(outcomes)
    assert (data["score"], data["max_score"]) == (2.0, 5.0)
    assert [t["status"] for t in data["tests"]] == ["passed", "failed", "failed"]
    assert data["tests"][1]["output"].startswith("not attempted")
    assert data["tests"][0]["name"] == "a01_modules: title"

"""Reusable judges for checks graded on properties rather than equality.

Statistical observations (an init's standard deviation, a sampler's class
balance) are random on both sides, so they are judged within a tolerance of
the reference's value. :func:`keywise` builds a judge that applies a rule to
the observation keys it names and the default comparison to all others.
Metamorphic observations (:func:`same_as_own`) compare two runs of the
student's own code, judged by :func:`own_runs`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .compare import DEFAULT, Mismatch, Tolerance, compare
from .observations import format_number

Rule = Callable[[str, Any, Any], "Mismatch | None"]


def relative(rel: float) -> Rule:
    """``have`` within ``rel`` (a fraction) of the reference's ``want``."""

    def rule(where: str, have: Any, want: Any) -> Mismatch | None:
        if isinstance(have, (int, float)) and abs(have - want) <= rel * abs(want):
            return None
        return Mismatch(where, f"about {format_number(float(want))} (within {rel:.0%})", _fmt(have))

    return rule


def absolute(tol: float, meaning: str = "") -> Rule:
    """``have`` within ``tol`` of the reference's ``want``."""

    def rule(where: str, have: Any, want: Any) -> Mismatch | None:
        if isinstance(have, (int, float)) and abs(have - want) <= tol:
            return None
        extra = f" ({meaning})" if meaning else ""
        return Mismatch(where, f"about {format_number(float(want))}{extra}", _fmt(have))

    return rule


def between(low: float, high: float, meaning: str = "") -> Rule:
    """``low <= have <= high`` whatever the reference's value."""

    def rule(where: str, have: Any, want: Any) -> Mismatch | None:
        if isinstance(have, (int, float)) and low <= have <= high:
            return None
        extra = f" ({meaning})" if meaning else ""
        return Mismatch(where, f"a value between {low:g} and {high:g}{extra}", _fmt(have))

    return rule


def sequence(where: str, have: Any, want: Any) -> Mismatch | None:
    """Rule for lists of event names: both whole sequences and the first place they part."""
    if not isinstance(have, list) or not all(isinstance(e, str) for e in have):
        return compare(have, want, where)
    if have == want:
        return None
    first = next((i for i, (h, w) in enumerate(zip(have, want)) if h != w), min(len(have), len(want)))
    expected_at = repr(want[first]) if first < len(want) else "the end of the sequence"
    got_at = repr(have[first]) if first < len(have) else "the end of the sequence"
    return Mismatch(
        where,
        " -> ".join(want) or "no events",
        " -> ".join(have) or "no events",
        f"first difference at event {first + 1}: expected {expected_at}, got {got_at}",
    )


def _fmt(value: Any) -> str:
    return (
        format_number(float(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else repr(value)
    )


def keywise(*rules: tuple[str, Rule]) -> Callable[[Any, Any], Mismatch | None]:
    """A judge for dict observations: the first rule whose text occurs in a key decides that key.

    Example:
        >>> judge = keywise(("std", relative(0.1)))
        >>> judge({"w std": 1.05}, {"w std": 1.0}) is None
        True
    """

    def judge(got: Any, expected: Any) -> Mismatch | None:
        if not isinstance(got, dict) or set(got) != set(expected):
            return compare(got, expected)
        for key, want in expected.items():
            rule = next((r for text, r in rules if text in key), None)
            found = rule(key, got[key], want) if rule else compare(got[key], want, key)
            if found:
                return found
        return None

    return judge


# --- metamorphic observations: two runs of the student's own code --------------------------------------------------

THIS_RUN, OWN_RUN = "this run", "your own run"


def same_as_own(this: Any, own: Any) -> dict[str, Any]:
    """A metamorphic observation: ``this`` must equal ``own``, both from the student's code."""
    return {THIS_RUN: this, OWN_RUN: own}


def _is_pair(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {THIS_RUN, OWN_RUN}


def own_runs(tol: Tolerance = DEFAULT) -> Callable[[Any, Any], Mismatch | None]:
    """A judge of dict observations: each :func:`same_as_own` pair compares the student's two runs
    within ``tol``; every other key the reference's value (the reference's pairs are equal too)."""

    def judge(got: Any, expected: Any) -> Mismatch | None:
        if not isinstance(got, dict) or not isinstance(expected, dict) or set(got) != set(expected):
            return compare(got, expected, tol=tol)
        for key, want in expected.items():
            have = got[key]
            if _is_pair(want) and _is_pair(have):
                found = compare(have[THIS_RUN], have[OWN_RUN], key, tol)
                if found:
                    return Mismatch(found.where, f"{found.expected} (from the run it is compared against)",
                                    found.got, found.detail)
            else:
                found = compare(have, want, key, tol)
                if found:
                    return found
        return None

    return judge

"""Pairwise similarity of a class's hand-ins with copydetect, the skeleton's code never counting.

For each assignment, copydetect fingerprints every hand-in: the code is
tokenized and filtered (every name becomes ``V``, function names ``F``,
strings ``S``; comments and layout vanish, so renaming variables or
reformatting hides nothing), and every ``K``-character k-gram of the filtered
code is hashed; the k-grams of the skeleton (and its notebook) are
boilerplate and dropped. Two hand-ins share the k-grams found in both. Each
hand-in's *share* is copydetect's own similarity: the filtered characters
its shared k-grams cover over those its fingerprints cover; a pair's
*similarity* is both shares weighted by size,
``(shared_a + shared_b) / (covered_a + covered_b)``: a short hand-in
inside a long one does not reach 1.

copydetect compares one pair at a time (``compare_files``); a class of 300
makes 44,850 pairs per assignment, so :func:`shared_matrix` computes the same
shared counts for all pairs at once with numpy, from copydetect's
fingerprints, and ``compare_files`` then finds the shared code of the pairs
shown. Assignments run in parallel processes (``jobs``). It flags; it never
changes a grade.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import warnings
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from html import escape
from typing import Any

from .extras import require
from .handins import Collected, HandIn, skeleton_code

DEFAULT_TOP = 5  # pairs shown with their code, per assignment
DEFAULT_THRESHOLD = 0.8  # pairs at least this similar are flagged
K = 25  # copydetect's default noise threshold: matches shorter than 25 filtered characters are noise
WINDOW = 1  # guarantee threshold = noise threshold: every k-gram is a fingerprint (copydetect's default)
MARK = ("<mark>", "</mark>")


@dataclass(frozen=True)
class Pair:
    """Two students' hand-ins of one assignment; ``first`` sorts before ``second``."""

    assignment: str
    first: str
    second: str
    similarity: float
    first_share: float
    second_share: float


@dataclass(frozen=True)
class Shown:
    """A pair shown in the report: each side's code, escaped, the shared code inside ``<mark>``."""

    pair: Pair
    first_file: str
    second_file: str
    first_html: str
    second_html: str


@dataclass
class AssignmentSimilarity:
    """One assignment's pairs, most similar first, and the top ones with their code."""

    assignment: str
    handins: int
    pairs: list[Pair] = field(default_factory=list)
    shown: list[Shown] = field(default_factory=list)


def fingerprint(code: str, *, name: str, boilerplate: Any) -> Any:
    """copydetect's fingerprint of ``code`` (Python), the ``boilerplate`` hashes removed."""
    copydetect = require("copydetect")
    return copydetect.CodeFingerprint(
        name, K, WINDOW, boilerplate=boilerplate, filter=True, language="python", fp=io.StringIO(code)
    )


def boilerplate_hashes(assignment: str, *, extra: Sequence[str] = ()) -> Any:
    """Every k-gram hash of the code students were given for ``assignment`` (and of ``extra`` code)."""
    import numpy as np

    hashes: list[Any] = []
    for code in [*skeleton_code(assignment), *extra]:
        hashes.extend(fingerprint(code, name=f"{assignment}.py", boilerplate=None).hashes)
    return np.unique(np.array(hashes, dtype=np.int64))


def _positions(fp: Any) -> tuple[Any, Any]:
    """A fingerprint's k-gram positions (sorted) and the hash at each."""
    import numpy as np

    if not fp.hash_idx:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    pos = np.concatenate([np.asarray(v, dtype=np.int64) for v in fp.hash_idx.values()])
    hashes = np.concatenate([np.full(len(v), h, dtype=np.int64) for h, v in fp.hash_idx.items()])
    order = np.argsort(pos, kind="stable")
    return pos[order], hashes[order]


def shared_matrix(fps: Sequence[Any], *, k: int = K) -> Any:
    """``shared[i, j]``: filtered characters of hand-in ``i`` covered by k-grams that hand-in ``j`` also has.

    This is copydetect's ``token_overlap`` of ``compare_files(fps[i], fps[j])``
    for every ordered pair, computed per column with one membership table.
    """
    import numpy as np

    n = len(fps)
    shared = np.zeros((n, n))
    if n < 2:
        return shared
    parts = [_positions(fp) for fp in fps]
    lengths = np.array([len(p) for p, _ in parts])
    bounds = np.concatenate(([0], np.cumsum(lengths)))
    all_pos = np.concatenate([p for p, _ in parts]).astype(np.int32)
    # position t covers k characters, fewer when the previous shared position of its file is nearer
    reach = np.full(len(all_pos), k, dtype=np.int32)
    file_of = np.repeat(np.arange(n, dtype=np.int32), lengths)
    _, ids = np.unique(np.concatenate([h for _, h in parts]), return_inverse=True)
    ids = ids.astype(np.int32)
    member = np.zeros(int(ids.max(initial=-1)) + 1, dtype=bool)
    for j in range(n):
        own = ids[bounds[j] : bounds[j + 1]]
        member[own] = True
        mask = member[ids]
        mask[bounds[j] : bounds[j + 1]] = False
        member[own] = False
        chosen = np.flatnonzero(mask)
        if chosen.size == 0:
            continue
        pos, fid = all_pos[chosen], file_of[chosen]
        cover = reach[: len(chosen)].copy()
        np.minimum(np.diff(pos), k, out=cover[1:], where=fid[1:] == fid[:-1])  # a new file starts a new run
        shared[:, j] = np.bincount(fid, weights=cover, minlength=n)
    return shared


def rank_pairs(assignment: str, students: Sequence[str], fps: Sequence[Any]) -> list[Pair]:
    """Every pair of hand-ins, most similar first (then by names)."""
    shared = shared_matrix(fps)
    covered = [float(fp.token_coverage) for fp in fps]
    pairs = []
    for i in range(len(fps)):
        for j in range(i + 1, len(fps)):
            total = covered[i] + covered[j]
            share_i = shared[i, j] / covered[i] if covered[i] else 0.0
            share_j = shared[j, i] / covered[j] if covered[j] else 0.0
            similarity = (shared[i, j] + shared[j, i]) / total if total else 0.0
            a, b, sa, sb = (students[i], students[j], share_i, share_j)
            if b < a:
                a, b, sa, sb = b, a, sb, sa
            pairs.append(Pair(assignment, a, b, float(similarity), float(sa), float(sb)))
    return sorted(pairs, key=lambda p: (-p.similarity, p.first, p.second))


def highlighted(fp_a: Any, fp_b: Any) -> tuple[str, str]:
    """Both hand-ins' code as escaped HTML with the code they share marked (copydetect's slices)."""
    copydetect = require("copydetect")
    from copydetect.utils import highlight_overlap

    overlap, _, (slices_a, slices_b) = copydetect.compare_files(fp_a, fp_b)
    if not overlap:
        return escape(fp_a.raw_code), escape(fp_b.raw_code)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        html_a, _ = highlight_overlap(fp_a.raw_code, slices_a, *MARK, escape_html=True)
        html_b, _ = highlight_overlap(fp_b.raw_code, slices_b, *MARK, escape_html=True)
    return html_a, html_b


def compare_assignment(assignment: str, handins: Sequence[HandIn], *, top: int) -> AssignmentSimilarity:
    """Rank every pair of ``handins`` (one assignment) and highlight the ``top`` most similar."""
    boilerplate = boilerplate_hashes(assignment)
    fps = [fingerprint(h.code, name=h.path.name, boilerplate=boilerplate) for h in handins]
    students = [h.student for h in handins]
    result = AssignmentSimilarity(assignment, len(handins), rank_pairs(assignment, students, fps))
    index = {h.student: n for n, h in enumerate(handins)}
    for pair in result.pairs[:top]:
        a, b = index[pair.first], index[pair.second]
        html_a, html_b = highlighted(fps[a], fps[b])
        result.shown.append(Shown(pair, handins[a].path.name, handins[b].path.name, html_a, html_b))
    return result


def available_cpus() -> int:
    """CPUs this process may run on: the default number of assignments compared at once."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _pool(jobs: int) -> ProcessPoolExecutor | None:
    """Worker processes forked from this one (``python -m graders`` cannot be re-imported by a spawned child)."""
    if jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"))


def compare_class(collected: Collected, *, top: int, jobs: int) -> list[AssignmentSimilarity]:
    """Every assignment of ``collected`` compared, in kit order (``jobs`` assignments at a time)."""
    require("copydetect")
    work = [(a, h) for a, h in collected.handins.items()]
    pool = _pool(min(jobs, len(work)))
    if pool is None:
        return [compare_assignment(a, h, top=top) for a, h in work]
    with pool:
        futures = [pool.submit(compare_assignment, a, h, top=top) for a, h in work]
        return [f.result() for f in futures]

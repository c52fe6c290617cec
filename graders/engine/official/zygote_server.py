"""The worker's end of a zygote: pre-imported once, it forks one sandboxed child per graded job.

A zygote is started as ``python -I -B`` with a pristine environment, imports
torch, numpy and every grader once, and then serves jobs from the grading
parent over a socket. For each job it forks the *inmate* into a PID namespace
of its own: the process that confines itself (:mod:`.sandbox`: mount,
network and IPC namespaces, hidden paths, cgroups, an unprivileged user,
rlimits), imports the student's files and runs the probes,
streaming each observation to the parent through a pipe. The zygote hands
the pipe's read ends to the parent (``SCM_RIGHTS``) and never reads them, so
no student's observations ever sit in the memory later inmates are forked
from; the zygote itself never holds goldens or the reference.

Records on the result pipe are :mod:`.records`: "confined", "imported", then one
"done" per check, in the order of the job's list.
"""

from __future__ import annotations

import gc
import os
import signal
import socket
import sys
import traceback
from pathlib import Path
from typing import Any

import torch

from ..checks import all_checks
from ..grading import standins
from ..grading.isolation import configure_torch, observe
from ..loading.implementation import Implementation
from ..observations import Observed
from .records import CONFINED, IMPORTED, encode
from .sandbox import (
    SANDBOX_UID_BASE,
    Confinement,
    Limits,
    apply_rlimits,
    drop_privileges,
    enter_namespaces,
    fresh_pid_namespace,
    hide_and_privatize,
    is_root,
    join_cgroup,
    restore_pid_namespace,
    set_process_name,
)
from .zygote_client import recv_msg, send_msg

IMPL_DIR = Path("/tmp/impl")
_slot_cgroup = Confinement()  # this zygote's memory/pids cgroup, joined at its first job (~10 ms, once)
WORK_DIR = Path("/tmp/work")
# Imported once here so that no child imports them again: what every job, or a08's
# DataLoader workers, would otherwise import lazily (found by diffing sys.modules in a child).
PRELOAD = (
    "numpy",
    "numpy.random",
    "torch.utils.data",
    "torch.optim",
    "torch.utils.serialization",
    "multiprocessing.popen_fork",
    "multiprocessing.queues",
    "multiprocessing.synchronize",
    "nbformat",
    "graders.engine.loading.notebooks",
)


# --- records ---------------------------------------------------------------------------------


def write_record(fd: int, record: dict[str, Any], tag: int) -> None:
    view = memoryview(encode(record, tag))
    while view:
        view = view[os.write(fd, view) :]


# --- the inmate ----------------------------------------------------------------------------


def _stage_files(files_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(files_dir.iterdir()) if p.is_file()}


def _isolate_fds(keep: int) -> int:
    """Leave only stdin/stdout/stderr and the result pipe (moved to fd 3)."""
    os.dup2(keep, 3)
    os.closerange(4, 1 << 16)
    return 3


def inmate(job: dict[str, Any], res_w: int, out_w: int, conf: Confinement, namespaced: bool) -> None:
    """Runs in the forked child: confine, then probe. Never returns."""
    code = 0
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        if job.get("cpu") is not None:  # one slot per core: no migrations, warm caches
            os.sched_setaffinity(0, {int(job["cpu"])})
        files = _stage_files(Path(job["files_dir"]))
        limits = Limits(**job["limits"])
        if namespaced:
            kit = Path(job["kit_root"]).resolve()
            expose = [
                Path(p)
                for p in (*sys.path, sys.prefix, sys.base_prefix, sys.exec_prefix)
                if p and Path(p).resolve() != kit
            ]
            hide_and_privatize([Path(p) for p in job["hidden"]], expose, conf)
            impl = IMPL_DIR
        else:
            import tempfile

            impl = Path(tempfile.mkdtemp(prefix="kit-impl-"))
        impl.mkdir(mode=0o755, exist_ok=True)
        for name, data in files.items():
            (impl / name).write_bytes(data)
            (impl / name).chmod(0o644)
        conf.applied.extend(_slot_cgroup.applied)  # joined once by the zygote; children inherit it
        conf.missing.extend(_slot_cgroup.missing)
        work = WORK_DIR if namespaced else impl.parent / (impl.name + "-work")
        work.mkdir(mode=0o700, exist_ok=True)
        if is_root():
            os.chown(work, SANDBOX_UID_BASE + int(job["slot"]), SANDBOX_UID_BASE + int(job["slot"]))
        drop_privileges(int(job["slot"]), conf)
        apply_rlimits(limits, conf)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_w, 1)
        os.dup2(out_w, 2)
        fd = _isolate_fds(res_w)
        os.chdir(work)
        os.environ.clear()
        os.environ.update(
            {"HOME": str(work), "TMPDIR": str(work), "LANG": "C.UTF-8", "PATH": os.defpath, "OMP_NUM_THREADS": "1"}
        )
        sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != Path(job["kit_root"])]
        _probe(job, fd, impl, conf)
    except BaseException:  # report the sandbox's own failure, then die quietly
        code = 70
        try:
            traceback.print_exc()
        except BaseException:
            pass
    finally:
        os._exit(code)


def _probe(job: dict[str, Any], fd: int, impl: Path, conf: Confinement) -> None:
    write_record(fd, {"event": "confined", "applied": conf.applied, "missing": conf.missing}, CONFINED)
    checks = {c.id: c for c in all_checks([job["assignment"]])}
    implementation = Implementation(impl, interruptible=False)
    implementation.load(job["assignment"])
    write_record(fd, {"event": "imported"}, IMPORTED)
    for position, check_id in enumerate(
        job["checks"]
    ):  # in the order given: the parent knows which one runs without being told
        try:
            seen = observe(checks[check_id], implementation, int(job["seed"]))
        except BaseException as exc:  # pytest.exit/skip, KeyboardInterrupt, ... from student code
            seen = Observed("error", message=f"  your code raised {type(exc).__name__} and stopped the check: {exc}")
        record = {
            "event": "done",
            "check": check_id,
            "status": seen.status,
            "value": seen.value,
            "message": seen.message,
        }
        write_record(fd, {**record, "notes": list(seen.notes), "empty": list(seen.empty)}, position)


# --- forking and the serving loop --------------------------------------------------------------


def spawn(job: dict[str, Any]) -> tuple[int, int, int]:
    """Fork the inmate for ``job`` into a PID namespace of its own; returns (its pid, result fd, output fd)."""
    res_r, res_w = os.pipe()
    out_r, out_w = os.pipe()
    conf = Confinement()
    own_pid_ns = fresh_pid_namespace(conf)
    pid = os.fork()
    if pid == 0:
        try:
            set_process_name("kit-inmate")
            for fd in (res_r, out_r):
                os.close(fd)
            if job.get("sock_fd") is not None:
                os.close(int(job["sock_fd"]))
            namespaced = own_pid_ns and enter_namespaces(conf)
        except BaseException:
            os._exit(70)
        inmate(job, res_w, out_w, conf, namespaced)
    restore_pid_namespace()
    for fd in (res_w, out_w):
        os.close(fd)
    return pid, res_r, out_r


def preload() -> None:
    """Everything an inmate needs, imported once: torch, numpy, the graders."""
    import importlib

    standins.install()
    configure_torch()
    for name in PRELOAD:
        importlib.import_module(name)
    all_checks()
    warm_up()


def warm_up() -> None:
    """Pay torch's one-time lazy costs here, once, not in every child: the first optimizer
    call, backward, DataLoader, and gradcheck (whose ``autograd.grad(grad_outputs=...)``
    imports sympy, ~0.25 s) set up state."""
    w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    for opt in (torch.optim.SGD([w], lr=0.1), torch.optim.Adam([w])):
        (w * w).sum().backward()
        opt.step()
        opt.zero_grad()
    torch.autograd.gradcheck(torch.sin, (torch.ones(2, dtype=torch.float64, requires_grad=True),))
    list(torch.utils.data.DataLoader(list(range(4)), batch_size=2))
    torch.nn.utils.rnn.pack_padded_sequence(
        torch.ones(2, 3), torch.tensor([3, 2]), batch_first=True, enforce_sorted=False
    )


def serve(sock_fd: int) -> None:
    """Serve jobs until the parent closes the socket, then exit at once."""
    set_process_name("kit-zygote")
    preload()
    gc.freeze()  # children then share these pages instead of copying them when the collector walks them
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # inmates are reaped automatically
    sock = socket.socket(fileno=sock_fd)
    while True:
        job, fds = recv_msg(sock, want_fds=1)
        if job is None:  # the parent is done: leave without tearing torch down (~0.2 s it would wait for)
            sys.stderr.flush()
            os._exit(0)
        if "clone" in job:  # a twin for another slot: same preloaded memory, its own socket
            if os.fork() == 0:
                sock.close()
                sock, sock_fd = socket.socket(fileno=fds[0]), fds[0]
                _slot_cgroup.applied.clear()  # the twin joins its own slot's cgroup
                _slot_cgroup.missing.clear()
                continue
            os.close(fds[0])
            send_msg(sock, {"cloned": job["clone"]})
            continue
        job["sock_fd"] = sock_fd
        if not (_slot_cgroup.applied or _slot_cgroup.missing):
            join_cgroup(int(job["slot"]), Limits(**job["limits"]), _slot_cgroup)
        pid, res_r, out_r = spawn(job)
        send_msg(sock, {"pid": pid}, [res_r, out_r])
        os.close(res_r)
        os.close(out_r)

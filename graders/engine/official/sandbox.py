"""Isolation primitives for running untrusted student code (Linux).

What :func:`confine` does to the process that will run student code, in order,
each step best effort and reported in :class:`Confinement`:

1. new namespaces: the zygote forks the inmate into a fresh PID namespace
   (it is PID 1 there, and killing it kills everything it started); the
   inmate then enters mount, network and IPC namespaces of its own;
2. a private ``/proc`` (other processes, their command lines and environments
   are invisible), tmpfs over the directories it must not read (reference,
   goldens, other submissions, the output), a private ``/tmp`` and ``/dev/shm``;
3. a cgroup capping memory and process count of the whole job;
4. an unprivileged user (when running as root), ``no_new_privs``;
5. resource limits (data size, CPU seconds, file size, processes, open files,
   no core dumps).

Without root, steps 1-4 are skipped and the log says so: the child then runs
as the grader's own user, limited by rlimits and a process group only.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
from dataclasses import dataclass, field
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC = 2, 4, 8
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
PR_SET_NAME, PR_SET_NO_NEW_PRIVS = 15, 38
SANDBOX_UID_BASE = 61000
CGROUP_ROOTS = {"memory": Path("/sys/fs/cgroup/memory"), "pids": Path("/sys/fs/cgroup/pids")}

_libc = ctypes.CDLL(None, use_errno=True)


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed job.

    Attributes:
        memory_mb: extra memory beyond what the pre-imported interpreter uses.
        cpu_seconds: CPU time of the inmate (the wall clock is the parent's).
        file_mb: largest file it may write.
        processes: processes (DataLoader workers included) of its user / cgroup.
        open_files: file descriptors per process.
    """

    memory_mb: int = 3072
    cpu_seconds: int = 600
    file_mb: int = 16
    processes: int = 64
    open_files: int = 256


@dataclass
class Confinement:
    """Which defences are in force, for the grading log."""

    applied: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def note(self, ok: bool, what: str, why: str = "") -> None:
        if ok:
            self.applied.append(what)
        else:
            self.missing.append(f"{what} ({why})" if why else what)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def is_root() -> bool:
    return os.geteuid() == 0


_own_pid_ns: int | None = None


def fresh_pid_namespace(conf: Confinement) -> bool:
    """Zygote side, before each fork: the next child becomes init (PID 1) of a PID namespace of its
    own, so killing it kills everything it started. The zygote itself stays where it is."""
    global _own_pid_ns
    if not is_root():
        conf.note(False, "namespaces", "not running as root")
        return False
    try:
        if _own_pid_ns is None:
            _own_pid_ns = os.open("/proc/self/ns/pid", os.O_RDONLY)
        _check(_libc.setns(_own_pid_ns, CLONE_NEWPID), "setns")  # back to our own, then a new one
        _check(_libc.unshare(CLONE_NEWPID), "unshare")
    except OSError as exc:
        conf.note(False, "namespaces", str(exc))
        return False
    return True


def restore_pid_namespace() -> None:
    """Zygote side, after the fork: later children (a clone of the zygote) are born in our namespace."""
    if _own_pid_ns is not None:
        _libc.setns(_own_pid_ns, CLONE_NEWPID)


def enter_namespaces(conf: Confinement) -> bool:
    """Inmate side, as root: new mount, network and IPC namespaces of its own."""
    try:
        _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC), "unshare")
    except OSError as exc:
        conf.note(False, "namespaces", str(exc))
        return False
    conf.note(True, "pid+mount+network+ipc namespaces")
    return True


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(
        _libc.mount(
            source.encode(),
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def hide_and_privatize(hidden: list[Path], expose: list[Path], conf: Confinement) -> None:
    """Inmate side, in its own mount namespace: private /proc, /tmp and /dev/shm, tmpfs over
    ancestors other users cannot enter (like /root); ``expose`` (the Python installation) bound
    back at its own paths wherever those covers fell on it; last, tmpfs over ``hidden``.

    An ``expose`` entry that contains a hidden path is dropped (it would show it again)."""
    hidden = [p.resolve() for p in hidden if p.exists()]
    keep = [p for p in _dedupe(expose) if not any(p == h or p in h.parents for h in hidden)]
    handles = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in keep}
    closed = {a for a in (_closed_ancestor(p) for p in keep) if a is not None}
    _mount("none", "/", None, MS_REC | MS_PRIVATE)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=256m,mode=1777")
    if Path("/dev/shm").is_dir():
        _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=256m,mode=1777")
    for ancestor in closed:
        if ancestor.is_dir():  # not when it was under /tmp: the new /tmp already hides it
            _mount("tmpfs", str(ancestor), "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
    for path, fd in handles.items():
        path.mkdir(parents=True, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", str(path), None, MS_BIND | MS_REC)
        os.close(fd)
    for path in hidden:
        if path.is_dir():
            _mount("tmpfs", str(path), "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
        elif path.exists():
            _mount("/dev/null", str(path), None, MS_BIND)
    conf.note(True, f"private /proc, /tmp, /dev/shm; {len(hidden)} paths hidden; Python installation re-exposed")


def _dedupe(paths: list[Path]) -> list[Path]:
    """Existing directories, resolved, without those inside another one of them."""
    found = sorted({p.resolve() for p in paths if p.is_dir()})
    return [p for p in found if not any(q != p and q in p.parents for q in found)]


def _closed_ancestor(path: Path) -> Path | None:
    """The top-most ancestor of ``path`` that other users cannot traverse (e.g. /root)."""
    for ancestor in reversed(path.parents):
        if ancestor != Path("/") and not ancestor.stat().st_mode & 0o001:
            return ancestor
    return None


def join_cgroup(slot: int, limits: Limits, conf: Confinement) -> None:
    """Put this process (and so its children) into per-slot memory and pids cgroups."""
    done = []
    for controller, root in CGROUP_ROOTS.items():
        try:
            own = Path(f"/proc/{os.getpid()}/cgroup").read_text()
            sub = next(line.split(":", 2)[2] for line in own.splitlines() if f":{controller}:" in line)
            group = root / sub.lstrip("/") / f"kitgrade-{slot}"
            group.mkdir(exist_ok=True)
            setting, value = (
                ("memory.limit_in_bytes", limits.memory_mb * 2**20 + 1024 * 2**20)
                if controller == "memory"
                else ("pids.max", limits.processes)
            )
            if (group / setting).read_text().strip() != str(value):  # writing costs ~10 ms: only when it changes
                (group / setting).write_text(str(value))
            (group / "cgroup.procs").write_text(str(os.getpid()))
            done.append(controller)
        except (OSError, StopIteration):
            continue
    conf.note(
        bool(done), f"cgroups ({', '.join(done)})" if done else "cgroups", "" if done else "cgroup v1 not writable"
    )


def drop_privileges(slot: int, conf: Confinement) -> None:
    """Become an unprivileged user of our own (one uid per parallel slot)."""
    if not is_root():
        conf.note(False, "unprivileged user", "not running as root (the child runs as you)")
        return
    uid = SANDBOX_UID_BASE + slot
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    conf.note(True, f"unprivileged uid {uid}")


def apply_rlimits(limits: Limits, conf: Confinement) -> None:
    current = _data_size()
    settings = [
        (resource.RLIMIT_DATA, current + limits.memory_mb * 2**20),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_FSIZE, limits.file_mb * 2**20),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
    ]
    if is_root():  # per-uid: only meaningful with a uid of our own
        settings.append((resource.RLIMIT_NPROC, limits.processes))
    for which, value in settings:
        soft, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    conf.note(True, "rlimits (data, cpu, fsize, nofile, core, nproc)")


def _data_size() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmData:"):
            return int(line.split()[1]) * 1024
    return 0


def set_process_name(name: str) -> None:
    """What ``ps``/``top`` show for this process (15 bytes at most): ``kit-zygote``, ``kit-inmate``."""
    _libc.prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)


def kill_tree(pid: int) -> None:
    """Kill a sandboxed job: the PID-namespace init (which takes every process of the
    namespace with it) and, without namespaces, its process group."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

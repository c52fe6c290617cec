"""Unit tests of the isolation primitives (Linux, as root; skipped elsewhere)."""

from __future__ import annotations

import os

import pytest

from graders.engine.official.sandbox import (
    Confinement,
    drop_privileges,
    enter_namespaces,
    fresh_pid_namespace,
    hide_and_privatize,
    is_root,
)

pytestmark = pytest.mark.skipif(not (os.name == "posix" and is_root()),
                                reason="namespaces and user switch need root on Linux")


def _in_sandbox(fn) -> int:
    """Run ``fn`` in a forked child inside fresh namespaces; its exit code (0 = all asserts held)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            conf = Confinement()
            assert fresh_pid_namespace(conf)
            inner = os.fork()
            if inner == 0:
                try:
                    assert os.getpid() == 1 and enter_namespaces(conf)
                    fn(conf)
                    os._exit(0)
                except BaseException:
                    import traceback

                    traceback.print_exc()
                    os._exit(1)
            code = os.waitstatus_to_exitcode(os.waitpid(inner, 0)[1])
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def test_closed_and_tmp_installations_stay_readable_while_hidden_paths_vanish(tmp_path) -> None:
    """A Python installation under a mode-700 folder (like /root) or under /tmp (a venv in a
    temporary clone) must stay importable for the unprivileged child; hidden paths must not."""
    closed = tmp_path / "closed"
    install = closed / "venv" / "lib"
    install.mkdir(parents=True)
    (install / "module.py").write_text("X = 1\n")
    closed.chmod(0o700)
    secret = tmp_path / "kit" / "reference"
    secret.mkdir(parents=True)
    (secret / "solution.py").write_text("ANSWER = 42\n")
    (tmp_path / "kit" / "goldens.pt").write_text("observations")
    other = tmp_path / "elsewhere.txt"
    other.write_text("private")

    def check(conf: Confinement) -> None:
        hide_and_privatize([secret, tmp_path / "kit" / "goldens.pt"], [install, tmp_path / "kit"], conf)
        drop_privileges(0, conf)
        assert (install / "module.py").read_text() == "X = 1\n"
        assert not (secret / "solution.py").exists()
        assert not other.exists()
        assert os.listdir("/proc") and all(not p.isdigit() or int(p) < 50 for p in os.listdir("/proc"))

    assert _in_sandbox(check) == 0

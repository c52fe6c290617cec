"""The parent's end of a pre-imported grading worker (a zygote): starting, cloning, asking for children.

Standard library only: ``python -m graders grade`` starts its workers before the
parent imports torch, so both imports run at the same time.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
from typing import Any

from ..layout import KIT_ROOT

MSG = struct.Struct("<I")  # length prefix of a JSON message on a worker socket


def send_msg(sock: socket.socket, payload: dict[str, Any], fds: list[int] | None = None) -> None:
    data = json.dumps(payload).encode()
    if fds:
        socket.send_fds(sock, [MSG.pack(len(data)) + data], fds)
    else:
        sock.sendall(MSG.pack(len(data)) + data)


def recv_msg(sock: socket.socket, want_fds: int = 0) -> tuple[dict[str, Any] | None, list[int]]:
    fds: list[int] = []
    if want_fds:
        data, fds, _, _ = socket.recv_fds(sock, 1 << 16, want_fds)
    else:
        data = sock.recv(MSG.size)
    if not data:
        return None, fds
    while len(data) < MSG.size:
        data += sock.recv(MSG.size - len(data))
    (size,) = MSG.unpack(data[: MSG.size])
    body = data[MSG.size :]
    while len(body) < size:
        chunk = sock.recv(size - len(body))
        if not chunk:
            return None, fds
        body += chunk
    return json.loads(body), fds


def pristine_env() -> dict[str, str]:
    env = {
        "PATH": os.defpath,
        "LANG": "C.UTF-8",
        "HOME": "/nonexistent",
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    for keep in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if keep in os.environ:
            env[keep] = os.environ[keep]
    return env


BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from graders.engine.official.zygote_server import serve; serve(int(sys.argv[2]))"
)


class Zygote:
    """One pre-imported worker process and the socket to it.

    ``Zygote(0)`` starts an interpreter that imports torch and the graders;
    ``z.clone(1)`` asks it to fork a twin serving another slot, which costs
    milliseconds instead of a second import.
    """

    def __init__(self, slot: int, sock: socket.socket | None = None) -> None:
        self.slot = slot
        self.proc: subprocess.Popen | None = None
        if sock is not None:
            self.sock = sock
            return
        self.sock, theirs = socket.socketpair()
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-B", "-c", BOOT, str(KIT_ROOT), str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            env=pristine_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd="/",
        )
        theirs.close()

    def clone(self, slot: int) -> Zygote:
        ours, theirs = socket.socketpair()
        send_msg(self.sock, {"clone": slot}, [theirs.fileno()])
        theirs.close()
        reply, _ = recv_msg(self.sock)
        if reply is None:
            raise RuntimeError(f"the grading worker stopped unexpectedly {self._stderr()}")
        return Zygote(slot, ours)

    def spawn(self, job: dict[str, Any]) -> tuple[int, int, int]:
        send_msg(self.sock, job)
        reply, fds = recv_msg(self.sock, want_fds=2)
        if reply is None or len(fds) != 2:
            raise RuntimeError(f"the grading worker stopped unexpectedly {self._stderr()}")
        return int(reply["pid"]), fds[0], fds[1]

    def _stderr(self) -> str:
        if self.proc is None or self.proc.poll() is None:
            return ""
        return self.proc.stderr.read().decode(errors="replace")[-2000:]

    def close(self) -> None:
        self.sock.close()
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
